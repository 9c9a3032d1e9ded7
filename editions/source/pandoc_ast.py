"""pandoc's JSON AST (after citeproc) → model blocks, sections, notes and references.

Anything the editions cannot show safely or faithfully becomes a located Finding: raw
HTML never survives as markup (the reader has `raw_html` off, so it arrives as text and
is escaped by every renderer), images must be local files inside the source folder.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field, replace
from typing import Any

from editions import locale
from editions.errors import Finding
from editions.model import (
    Block,
    BlockQuote,
    Cite,
    Code,
    CodeBlock,
    DefinitionItem,
    DefinitionList,
    Division,
    Emph,
    Footnote,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    ListItem,
    NoteRef,
    Paragraph,
    Reference,
    Rule,
    Section,
    Sentence,
    Strong,
    Styled,
    Text,
    plain_text,
)
from editions.source import images, tables
from editions.source.sentences import split_sentences
from editions.source.sourcemap import SourceMap

Node = dict[str, Any]


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
    figure_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    table_ids: itertools.count[int] = field(default_factory=lambda: itertools.count(1))
    image_line: int = 0

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
        if kind == "Emph":
            return [Emph(self.inlines(content))]
        if kind == "Strong":
            return [Strong(self.inlines(content))]
        if kind in _STYLED:
            return [Styled(_STYLED[kind], self.inlines(content))]
        if kind == "Span":
            (ident, _classes, pairs), children = content
            lang = dict(pairs).get("lang")
            if not ident and not lang:
                return list(self.inlines(children))  # a class alone shows nothing
            return [Styled("span", self.inlines(children), lang, ident)]
        if kind == "Quoted":
            # Outer quotes in the article's style: "…" in en-US, '…' in en-GB.
            inner = content[0]["t"] != "DoubleQuote"
            opening, closing = locale.quote_marks(self.language, inner=inner)
            return [Text(opening), *self.inlines(content[1]), Text(closing)]
        if kind == "Code":
            return [Code(content[1])]
        if kind == "Math":
            # READER turns TeX math off ("$635" is money); should a future reader
            # produce Math anyway, refuse it rather than show TeX to a patient.
            self.findings.append(
                Finding(
                    "SRC022",
                    f"math {content[1]!r} cannot be rendered accessibly; write it in "
                    "words or with ^superscript^ and ~subscript~",
                    self.source.find(content[1]),
                )
            )
            return [Text(content[1])]
        if kind == "RawInline":
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
        raise ValueError(f"pandoc inline {kind} has no handling")  # see test_coverage

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
                figure = images.figure(self, "", content[0], [])
                return [figure] if figure else []
            sentences = self.sentences(content)
            return [Paragraph(sentences)] if sentences else []
        if kind == "LineBlock":
            lines = [inl for line in content for inl in [*line, {"t": "LineBreak"}]]
            return [Paragraph(self.sentences(lines))]
        if kind == "CodeBlock":
            return [CodeBlock(Sentence(self.new_sentence_id(), (Code(content[1]),)))]
        if kind == "RawBlock":
            return [Paragraph((Sentence(self.new_sentence_id(), (Text(content[1]),)),))]
        if kind == "BulletList":
            return [ListBlock(False, tuple(ListItem(self.blocks(i)) for i in content))]
        if kind == "OrderedList":
            (start, style, _delim), listed = content
            items = tuple(ListItem(self.blocks(i)) for i in listed)
            number_style = _LIST_STYLES.get(style["t"], "decimal")
            return [ListBlock(True, items, int(start), number_style)]
        if kind == "BlockQuote":
            return [BlockQuote(self.blocks(content))]
        if kind == "Figure":
            return images.figure_block(self, content)
        if kind == "Table":
            return [tables.table(self, content)]
        if kind == "Div":
            (ident, _classes, pairs), inner = content
            lang = dict(pairs).get("lang")
            if not ident and not lang:
                return list(self.blocks(inner))  # a class alone shows nothing
            return [Division(self.blocks(inner), ident, lang)]
        if kind == "DefinitionList":
            return [
                DefinitionList(
                    tuple(
                        DefinitionItem(
                            self.sentences(term),
                            tuple(self.blocks(d) for d in definitions),
                        )
                        for term, definitions in content
                    )
                )
            ]
        if kind == "HorizontalRule":
            return [Rule()]
        if kind == "Header":
            title = plain_text(self.inlines(content[2]))
            self.findings.append(
                Finding(
                    "SRC021",
                    f'heading "{title}" is inside a list, quote, div or note, so it '
                    "cannot open a section or a chapter; move it out, or make it bold",
                    self.source.find_heading(title),
                )
            )
            return []
        raise ValueError(f"pandoc block {kind} has no handling")  # see test_coverage

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
                heading = replace(
                    heading, role="bibliography", references_at=len(pending)
                )
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


_STYLED = {
    "Superscript": "sup",
    "Subscript": "sub",
    "SmallCaps": "smallcaps",
    "Strikeout": "strikeout",
    "Underline": "underline",
}
_LIST_STYLES = {
    "LowerAlpha": "lower-alpha",
    "UpperAlpha": "upper-alpha",
    "LowerRoman": "lower-roman",
    "UpperRoman": "upper-roman",
}


def _with_blocks(section: Section, blocks: list[Block]) -> Section:
    return replace(section, blocks=tuple(blocks))
