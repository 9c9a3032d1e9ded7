"""pandoc's Table node → model Table: header row, body rows, footer rows, spans.

A cell holds text only (one or more paragraphs, joined by line breaks); a list or
other block in a cell, or a second header row, cannot be read aloud cell by cell with
its header, so it is refused with a located Finding instead of being flattened.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from editions.errors import Finding, Location
from editions.model import Cell, Table

if TYPE_CHECKING:
    from editions.source.pandoc_ast import Converter, Node

_ALIGN = {"AlignRight": "right", "AlignCenter": "center", "AlignLeft": "left"}
#: A table attribute that makes each body row's first cell its row header.
ROW_HEADERS_CLASS = "row-headers"


def table(conv: Converter, content: list[Any]) -> Table:
    """Convert a pandoc Table; the only header row becomes the column headers."""
    attr, caption, colspecs, head, bodies, foot = content
    aligns = [_ALIGN.get(spec[0]["t"], "left") for spec in colspecs]
    caption_inlines = _joined(conv, caption[1], None)
    caption_sentences = conv.sentences(caption_inlines) if caption_inlines else ()
    row_heads = 1 if ROW_HEADERS_CLASS in attr[1] else 0
    head_rows = [_row(conv, r, aligns, 0, header=True) for r in head[1]]
    if len(head_rows) > 1:
        conv.findings.append(
            Finding(
                "SRC025",
                "this table has more than one header row; a listener hears each "
                "cell with one column header: merge the header rows into one",
                _where(conv, head[1][1]),
            )
        )
    rows = [
        _row(conv, r, aligns, max(body[1], row_heads))
        for body in bodies
        for r in [*body[2], *body[3]]
    ]
    foot_rows = [_row(conv, r, aligns, row_heads) for r in foot[1]]
    number = next(conv.table_ids)
    return Table(
        attr[0] or f"table-{number}",
        caption_sentences,
        head_rows[0] if head_rows else (),
        tuple(rows),
        tuple(foot_rows),
    )


def _row(
    conv: Converter,
    row: list[Any],
    aligns: list[str],
    row_heads: int,
    *,
    header: bool = False,
) -> tuple[Cell, ...]:
    cells = []
    column = 0
    for index, cell in enumerate(row[1]):
        _attr, align, rowspan, colspan, blocks = cell
        default = aligns[column] if column < len(aligns) else "left"
        inlines = _joined(conv, blocks, row)
        cells.append(
            Cell(
                conv.sentences(inlines),
                _ALIGN.get(align["t"], default),
                colspan=int(colspan),
                rowspan=int(rowspan),
                header=header or index < row_heads,
            )
        )
        column += int(colspan)
    return tuple(cells)


def _joined(conv: Converter, blocks: list[Node], row: list[Any] | None) -> list[Node]:
    """Join the paragraphs of a cell or caption with line breaks; refuse the rest."""
    inlines: list[Node] = []
    for block in blocks:
        if block["t"] in ("Para", "Plain"):
            if inlines:
                inlines.append({"t": "LineBreak"})
            inlines.extend(block["c"])
        elif block["t"] == "LineBlock":
            for line in block["c"]:
                if inlines:
                    inlines.append({"t": "LineBreak"})
                inlines.extend(line)
        else:
            conv.findings.append(
                Finding(
                    "SRC024",
                    f"a table cell or caption holds a {block['t']}; cells hold text "
                    "only: put the list or block after the table and refer to it",
                    _where(conv, row) if row is not None else conv.source.at(None),
                )
            )
    return inlines


def _where(conv: Converter, row: list[Any]) -> Location:
    """Locate a row by the first word of text in it."""
    words = [
        node["c"]
        for cell in row[1]
        for block in cell[4]
        for node in block.get("c", [])
        if isinstance(node, dict) and node.get("t") == "Str"
    ]
    return conv.source.find(words[0]) if words else conv.source.at(None)
