"""A table broken across pages → one Table element, its repeated header an artifact.

WeasyPrint 70 builds the structure tree page by page, so a table that runs over three
pages becomes three Table elements, each with a THead: a screen reader announces
three tables and reads the header row three times. The article knows how many rows
each table has; fragments are joined in reading order until that count is reached.
The repeated header rows leave the tree and become pagination artifacts, and the
cells that named them (/Headers) name the first page's header cells instead.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary

from editions.model import Article, Table, walk_blocks
from editions.pdf.tagging import (
    artifact_margin_boxes,
    kids,
    struct_kids,
    walk_structure,
)

_SECTIONS = ("/THead", "/TBody", "/TFoot")


def row_counts(article: Article) -> list[int]:
    """Return how many rows each table has (header, body and footer), in order."""
    return [
        len([row for row in block.all_rows() if row])
        for section in article.sections
        for block in walk_blocks(section.blocks)
        if isinstance(block, Table)
    ]


def _rows(elem: Dictionary) -> list[Dictionary]:
    """Return the TR elements of a Table or of one of its row groups."""
    found = []
    for kid in struct_kids(elem):
        if str(kid.S) == "/TR":
            found.append(kid)
        elif str(kid.S) in _SECTIONS:
            found += _rows(kid)
    return found


def _detach(elem: Dictionary) -> None:
    """Remove *elem* from its parent's /K (it is then written no more)."""
    parent = elem.P
    kids = parent.K if isinstance(parent.K, Array) else Array([parent.K])
    parent.K = Array([k for k in kids if k.objgen != elem.objgen])


def _cells(rows: list[Dictionary]) -> list[Dictionary]:
    return [c for row in rows for c in struct_kids(row) if str(c.S) in ("/TH", "/TD")]


def _join(first: Dictionary, more: Dictionary) -> int:
    """Move the row groups of *more* into *first*; return the rows it added."""
    head = [k for k in struct_kids(first) if str(k.S) == "/THead"]
    renamed: dict[str, str] = {}
    added = 0
    for group in struct_kids(more):
        role = str(group.S)
        if role == "/THead" and head:  # the header repeated on a new page
            old, new = _cells(_rows(group)), _cells(_rows(head[0]))
            renamed |= {
                str(a.ID): str(b.ID)
                for a, b in zip(old, new, strict=False)
                if "/ID" in a and "/ID" in b
            }
            _detach(group)
            continue
        added += len(_rows(group)) if role in _SECTIONS else 1
        same = [k for k in struct_kids(first) if str(k.S) == role]
        target = same[-1] if role == "/TBody" and same else first
        if target is first:
            first.K = Array([*kids(first), group])
            group.P = first
        else:
            target.K = Array([*kids(target), *kids(group)])
            for row in struct_kids(group):
                row.P = target
    for cell in _cells(_rows(first)):
        attrs = cell.get("/A")
        if isinstance(attrs, Dictionary) and "/Headers" in attrs:
            attrs.Headers = Array(
                [pikepdf.String(renamed.get(str(h), str(h))) for h in attrs.Headers]
            )
    _detach(more)
    return added


def merge_table_fragments(pdf: pikepdf.Pdf, counts: list[int]) -> int:
    """Join each table's page fragments into its first; return fragments joined."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary) or not counts:
        return 0
    tables = [e for e, _ in walk_structure(root) if str(e.S) == "/Table"]
    wanted = iter(counts)
    current: Dictionary | None = None
    remaining = 0
    joined = 0
    for table in tables:
        captioned = any(str(k.S) == "/Caption" for k in struct_kids(table))
        if current is not None and remaining > 0 and not captioned:
            remaining -= _join(current, table)
            joined += 1
            continue
        current = table
        remaining = next(wanted, 0) - len(_rows(table))
    if joined:
        artifact_margin_boxes(pdf)  # the detached header cells become artifacts
    return joined
