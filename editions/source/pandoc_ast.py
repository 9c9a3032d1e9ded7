"""pandoc's JSON AST (after citeproc) → model blocks, sections, notes and references.

Anything the editions cannot show safely or faithfully becomes a located Finding: raw
HTML never survives as markup (the reader has `raw_html` off, so it arrives as text and
is escaped by every renderer), images must be local files inside the source folder.
"""

from __future__ import annotations

import itertools
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from editions import locale
from editions.errors import Finding
from editions.model import (
    Block,
    BlockQuote,
    Cell,
    Cite,
    Code,
    Emph,
    Figure,
    Footnote,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    NoteRef,
    Paragraph,
    Reference,
    Section,
    Sentence,
    Strong,
    Table,
    Text,
    plain_text,
)
from editions.source.sentences import split_sentences
from editions.source.sourcemap import SourceMap

Node = dict[str, Any]
IMAGE_TYPES = {".png", ".jpg", ".jpeg", ".gif", ".svg", ".webp"}
_URL_SCHEME = re.compile(r"^[a-zA-Z][a-zA-Z0-9+.-]*:|^//")


@dataclass
class Converter:
    """Walks the AST once, numbering sentences, citations and notes as it goes."""

    source: SourceMap
    language: str
    findings: list[Finding] = field(default_factory=list)
    notes: list[Footnote] = field(default_factory=list)
    _sentence_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(1)
    )
    _cite_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _figure_ids: itertools.count[int] = field(
        default_factory=lambda: itertools.count(1)
    )
    _table_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    _image_line: int = 0

    # ------------------------------------------------------------ sentences

    def new_sentence_id(self) -> str:
        """Return the next sentence id ("s1", "s2", …) in reading order."""
        return f"s{next(self._sentence_ids)}"

    def sentences(self, nodes: list[Node]) -> tuple[Sentence, ...]:
        """Convert inline nodes and split them into sentences."""
        return split_sentences(
            self.inlines(nodes), self.new_sentence_id, self.language[:2]
        )

    def one_sentence(self, nodes: list[Node]) -> Sentence:
        """Convert inline nodes into a single unit (a heading or a reference entry)."""
        return Sentence(self.new_sentence_id(), self.inlines(nodes))

    # ------------------------------------------------------------ inlines

    def inlines(self, nodes: list[Node]) -> tuple[Inline, ...]:
        """Convert pandoc inlines, merging adjacent text."""
        out: list[Inline] = []
        for node in nodes:
            for item in self._inline(node):
                if isinstance(item, Text) and out and isinstance(out[-1], Text):
                    out[-1] = Text(out[-1].text + item.text)
                else:
                    out.append(item)
        return tuple(out)

    def _inline(self, node: Node) -> list[Inline]:
        kind, content = node["t"], node.get("c")
        if kind == "Str":
            return [Text(content)]
        if kind in ("Space", "SoftBreak"):
            return [Text(" ")]
        if kind == "LineBreak":
            return [LineBreak()]
        if kind in ("Emph", "Underline"):
            return [Emph(self.inlines(content))]
        if kind == "Strong":
            return [Strong(self.inlines(content))]
        if kind in ("Strikeout", "Superscript", "Subscript", "SmallCaps"):
            return list(self.inlines(content))
        if kind == "Span":
            return list(self.inlines(content[1]))
        if kind == "Quoted":
            # Outer quotes in the article's style: "…" in en-US, '…' in en-GB.
            inner = content[0]["t"] != "DoubleQuote"
            opening, closing = locale.quote_marks(self.language, inner=inner)
            return [Text(opening), *self.inlines(content[1]), Text(closing)]
        if kind == "Code":
            return [Code(content[1])]
        if kind in ("Math", "RawInline"):
            return [Text(content[1])]  # shown as literal text, never as markup
        if kind == "Cite":
            keys = tuple(c["citationId"] for c in content[0])
            return [
                Cite(f"cite-{next(self._cite_ids)}", keys, self.inlines(content[1]))
            ]
        if kind == "Link":
            return [Link(content[2][0], self.inlines(content[1]))]
        if kind == "Note":
            number = len(self.notes) + 1
            note_id = f"fn{number}"
            self.notes.append(Footnote(note_id, number, ()))  # reserve the number
            blocks = self.blocks(content)
            self.notes[number - 1] = Footnote(note_id, number, blocks)
            return [NoteRef(note_id, number)]
        if kind == "Image":
            self.findings.append(
                Finding(
                    "SRC010",
                    "an image inside a sentence cannot be given a caption or "
                    "read aloud; put it in a paragraph of its own",
                    self.source.find(f"]({content[2][0]}"),
                )
            )
            return []
        return []

    # ------------------------------------------------------------ blocks

    def blocks(self, nodes: list[Node]) -> tuple[Block, ...]:
        """Convert a run of pandoc blocks that contains no headings."""
        out: list[Block] = []
        for node in nodes:
            out.extend(self.block(node))
        return tuple(out)

    def block(self, node: Node) -> list[Block]:
        """Convert one pandoc block into zero or more model blocks."""
        kind, content = node["t"], node.get("c")
        if kind in ("Para", "Plain"):
            if len(content) == 1 and content[0]["t"] == "Image":
                figure = self.figure("", content[0], [])
                return [figure] if figure else []
            sentences = self.sentences(content)
            return [Paragraph(sentences)] if sentences else []
        if kind == "LineBlock":
            lines = [inl for line in content for inl in [*line, {"t": "LineBreak"}]]
            return [Paragraph(self.sentences(lines))]
        if kind == "CodeBlock":
            return [Paragraph((Sentence(self.new_sentence_id(), (Code(content[1]),)),))]
        if kind == "RawBlock":
            return [Paragraph((Sentence(self.new_sentence_id(), (Text(content[1]),)),))]
        if kind == "BulletList":
            return [ListBlock(False, tuple(ListItem(self.blocks(i)) for i in content))]
        if kind == "OrderedList":
            items = tuple(ListItem(self.blocks(i)) for i in content[1])
            return [ListBlock(True, items, int(content[0][0]))]
        if kind == "BlockQuote":
            return [BlockQuote(self.blocks(content))]
        if kind == "Figure":
            return self.figure_block(content)
        if kind == "Table":
            return [self.table(content)]
        if kind == "Div":
            return list(self.blocks(content[1]))
        if kind == "DefinitionList":
            out: list[Block] = []
            for term, definitions in content:
                out.append(Paragraph(self.sentences(term)))
                for definition in definitions:
                    out.extend(self.blocks(definition))
            return out
        return []  # HorizontalRule and anything without reading content

    def figure_block(self, content: list[Any]) -> list[Block]:
        """Convert a pandoc Figure (an image with a caption)."""
        attr, caption, body = content
        images = [
            i
            for b in body
            for i in b.get("c", [])
            if isinstance(i, dict) and i.get("t") == "Image"
        ]
        if not images:
            return list(self.blocks(body))
        caption_inlines = [i for b in caption[1] for i in b.get("c", [])]
        figure = self.figure(attr[0], images[0], caption_inlines)
        return [figure] if figure else []

    def figure(self, figure_id: str, image: Node, caption: list[Node]) -> Figure | None:
        """Keep an image only if it is a local file in the source folder, with alt."""
        attr, alt_nodes, (url, _title) = image["c"]
        where = self.source.find(f"]({url}", after=self._image_line)
        self._image_line = where.line or self._image_line
        alt = plain_text(self.inlines(alt_nodes)).strip()
        alt = dict(attr[2]).get("alt", alt).strip()
        src = self._local_image(url, where)
        if not alt:
            self.findings.append(
                Finding(
                    "SRC001",
                    f'image "{url}" has no alt text; describe what it shows '
                    'with ![caption](file){alt="…"}',
                    where,
                )
            )
        if src is None or not alt:
            return None
        number = next(self._figure_ids)
        caption_sentences = self.sentences(caption) if caption else ()
        return Figure(
            figure_id or attr[0] or f"figure-{number}",
            src,
            alt,
            caption_sentences,
            where,
        )

    def _local_image(self, url: str, where: Any) -> Path | None:
        base = self.source.path.parent.resolve()
        if _URL_SCHEME.match(url) or url.startswith("/"):
            self.findings.append(
                Finding(
                    "SRC003",
                    f'image "{url}" is not a file in the source folder; the build '
                    "never fetches or reads images from elsewhere: copy it next to "
                    "the article",
                    where,
                )
            )
            return None
        path = (base / url).resolve()
        if not path.is_relative_to(base):
            self.findings.append(
                Finding(
                    "SRC003",
                    f'image "{url}" lies outside the source folder {base}; copy it '
                    "into that folder",
                    where,
                )
            )
            return None
        if not path.is_file():
            self.findings.append(
                Finding(
                    "SRC002",
                    f'image "{url}" does not exist; check the file name',
                    where,
                )
            )
            return None
        if path.suffix.lower() not in IMAGE_TYPES:
            self.findings.append(
                Finding(
                    "SRC011", f'image "{url}" is not PNG, JPEG, GIF, SVG or WebP', where
                )
            )
            return None
        return path

    def table(self, content: list[Any]) -> Table:
        """Convert a pandoc Table; the first header row becomes the column headers."""
        attr, caption, colspecs, head, bodies, _foot = content
        aligns = [_ALIGN.get(spec[0]["t"], "left") for spec in colspecs]
        caption_inlines = [i for b in caption[1] for i in b.get("c", [])]
        caption_sentences = self.sentences(caption_inlines) if caption_inlines else ()
        head_rows = [self._row(r, aligns) for r in head[1]]
        rows = [self._row(r, aligns) for body in bodies for r in [*body[2], *body[3]]]
        header = head_rows[0] if head_rows else ()
        number = next(self._table_ids)
        return Table(
            attr[0] or f"table-{number}", caption_sentences, header, tuple(rows)
        )

    def _row(self, row: list[Any], aligns: list[str]) -> tuple[Cell, ...]:
        cells = []
        for index, cell in enumerate(row[1]):
            inlines = [i for b in cell[4] for i in b.get("c", [])]
            cells.append(
                Cell(
                    self.sentences(inlines),
                    aligns[index] if index < len(aligns) else "left",
                )
            )
        return tuple(cells)

    # ------------------------------------------------------------ document

    def sections(
        self, title: str, nodes: list[Node], bibliography: dict[str, dict[str, Any]]
    ) -> tuple[list[Section], list[Reference]]:
        """Group blocks under headings; the title opens the first section."""
        sections: list[Section] = []
        references: list[Reference] = []
        heading = Section(
            "title",
            1,
            Sentence(self.new_sentence_id(), (Text(title),)),
            (),
            self.source.at(1, "title"),
        )
        pending: list[Block] = []
        level = 1
        for node in nodes:
            if node["t"] == "Header":
                sections.append(_with_blocks(heading, pending))
                pending = []
                heading, level = self._heading(node, level)
            elif node["t"] == "Div" and node["c"][0][0] == "refs":
                references = self.references(node["c"][1], bibliography)
                heading = _with_role(heading, "bibliography")
            else:
                pending.extend(self.block(node))
        sections.append(_with_blocks(heading, pending))
        return sections, references

    def _heading(self, node: Node, previous: int) -> tuple[Section, int]:
        level, attr, content = node["c"]
        title = self.one_sentence(content)
        where = self.source.find_heading(title.text)
        if level == 1:
            self.findings.append(
                Finding(
                    "SRC004",
                    f'"{title.text}" is a level-1 heading; the title in the front '
                    "matter is the only one: use ## for sections",
                    where,
                )
            )
        elif level > previous + 1:
            self.findings.append(
                Finding(
                    "SRC004",
                    f'heading "{title.text}" skips from level {previous} to '
                    f"{level}; use level {previous + 1}",
                    where,
                )
            )
        return Section(attr[0] or title.sentence_id, level, title, (), where), level

    def references(
        self, entries: list[Node], bibliography: dict[str, dict[str, Any]]
    ) -> list[Reference]:
        """Convert citeproc's rendered entries (`Div#ref-KEY`) into References."""
        references = []
        for entry in entries:
            entry_id = entry["c"][0][0]
            key = entry_id.removeprefix("ref-")
            inlines = [i for b in entry["c"][1] for i in b.get("c", [])]
            references.append(
                Reference(
                    key, entry_id, self.one_sentence(inlines), bibliography.get(key, {})
                )
            )
        return references


_ALIGN = {"AlignRight": "right", "AlignCenter": "center"}


def _with_blocks(section: Section, blocks: list[Block]) -> Section:
    return Section(
        section.section_id,
        section.level,
        section.title,
        tuple(blocks),
        section.where,
        section.role,
    )


def _with_role(section: Section, role: str) -> Section:
    return Section(
        section.section_id,
        section.level,
        section.title,
        section.blocks,
        section.where,
        role,
    )
