"""The document model: one frozen Article that every edition renders.

Built once from pandoc's AST (with citeproc) by `source.load`; renderers never re-parse
Markdown. Every text-bearing block holds `Sentence`s, so the audio timings, the EPUB
media overlays and the HTML read-along can all point at the same sentence ids.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

from editions.errors import Location

# ---------------------------------------------------------------- inline content


@dataclass(frozen=True)
class Text:
    """Plain words (spaces included)."""

    text: str


@dataclass(frozen=True)
class Emph:
    """Emphasis; large print shows it bold, never italic."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    """Strong importance."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    """Literal text."""

    text: str


@dataclass(frozen=True)
class Link:
    """A hyperlink; internal targets start with '#'."""

    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Cite:
    """An in-text citation as citeproc rendered it; `keys` name reference entries."""

    cite_id: str
    keys: tuple[str, ...]
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class NoteRef:
    """A footnote call; the note itself lives in `Article.notes`."""

    note_id: str
    number: int


@dataclass(frozen=True)
class LineBreak:
    """A hard line break."""


Inline = Text | Emph | Strong | Code | Link | Cite | NoteRef | LineBreak


@dataclass(frozen=True)
class Sentence:
    """One sentence: the unit of speech, of highlighting and of media overlays."""

    sentence_id: str
    inlines: tuple[Inline, ...]

    @property
    def text(self) -> str:
        """Return the displayed text (citations included, footnote calls left out)."""
        return plain_text(self.inlines)


# ---------------------------------------------------------------- blocks


@dataclass(frozen=True)
class Paragraph:
    """A paragraph of one or more sentences."""

    sentences: tuple[Sentence, ...]


@dataclass(frozen=True)
class ListItem:
    """One list item; usually one Paragraph, may hold nested lists."""

    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class ListBlock:
    """A bulleted or numbered list."""

    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1


@dataclass(frozen=True)
class Figure:
    """An image with alt text (what it shows) and an optional visible caption."""

    figure_id: str
    src: Path  # absolute, checked to lie inside the source folder
    alt: str
    caption: tuple[Sentence, ...]
    where: Location


@dataclass(frozen=True)
class Cell:
    """A table cell."""

    sentences: tuple[Sentence, ...]
    align: str = "left"


@dataclass(frozen=True)
class Table:
    """A table with one header row and body rows; the caption names it."""

    table_id: str
    caption: tuple[Sentence, ...]
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]


@dataclass(frozen=True)
class BlockQuote:
    """A quotation set off from the text."""

    blocks: tuple[Block, ...]


Block = Paragraph | ListBlock | Figure | Table | BlockQuote


# ---------------------------------------------------------------- structure


@dataclass(frozen=True)
class Section:
    """A heading and the blocks up to the next heading (of any level).

    Sections are kept flat in document order; `level` gives the nesting (1 is the
    article title, 2 a chapter, 3 and 4 subsections).
    """

    section_id: str
    level: int
    title: Sentence
    blocks: tuple[Block, ...]
    where: Location
    role: str = "body"  # "body" or "bibliography"

    @property
    def title_text(self) -> str:
        """Return the heading as plain text."""
        return self.title.text


@dataclass(frozen=True)
class Footnote:
    """A footnote's content, numbered in order of first call."""

    note_id: str
    number: int
    blocks: tuple[Block, ...]


@dataclass(frozen=True)
class Reference:
    """One reference-list entry as citeproc rendered it (APA 7)."""

    key: str
    entry_id: str  # "ref-<key>", the anchor citations link to
    sentence: Sentence  # the rendered entry, spoken and highlighted as one unit
    data: dict[str, object] = field(compare=False, hash=False)

    @property
    def text(self) -> str:
        """Return the entry as plain text."""
        return self.sentence.text


@dataclass(frozen=True)
class WrittenCitation:
    """An in-text citation exactly as the author wrote it, recorded beside its keys."""

    keys: tuple[str, ...]
    text: str  # e.g. "(Patten, Schultz, & Berlau, 2018)"
    where: Location  # its line in the as-written file


@dataclass(frozen=True)
class LexiconEntry:
    """How to say a written form: an alias to speak, and optionally IPA."""

    grapheme: str
    alias: str | None
    ipa: str | None


@dataclass(frozen=True)
class Author:
    """One author as the front matter names them."""

    name: str
    affiliation: str = ""


@dataclass(frozen=True)
class Article:
    """Everything an edition needs, parsed and checked once."""

    source: Path
    stem: str
    title: str
    author: str
    date: str
    year: str
    lang: str
    description: str
    keywords: tuple[str, ...]
    sections: tuple[Section, ...]
    notes: tuple[Footnote, ...]
    references: tuple[Reference, ...]
    lexicon: tuple[LexiconEntry, ...]
    lexicon_path: Path | None = None
    audio_base_url: str | None = None  # front matter `audio-base-url`
    #: The author's citations as written (front matter `as-written`), in order.
    as_written: tuple[WrittenCitation, ...] = ()
    as_written_path: Path | None = None  # front matter `as-written`
    bibliography_path: Path | None = None  # front matter `bibliography`
    #: Where the CSL style is looked up: beside the article, then styles/. Both are
    #: inputs, so adding a style beside the article counts as a change.
    csl_candidates: tuple[Path, ...] = ()
    # Front-matter metadata (README "Front matter"); `author` above joins `authors`.
    subtitle: str = ""
    authors: tuple[Author, ...] = ()
    iso_date: str = ""  # `date` as YYYY-MM-DD when it was written that way
    abstract: str = ""
    publisher: str = ""
    rights: str = ""  # the licence line
    review_date: str = ""  # YYYY-MM-DD

    @property
    def author_names(self) -> tuple[str, ...]:
        """Return each author's name (one per dc:creator)."""
        return tuple(a.name for a in self.authors) or (self.author,)

    @property
    def base_dir(self) -> Path:
        """Return the source folder: the only place the build reads from."""
        return self.source.parent

    @property
    def figures(self) -> tuple[Figure, ...]:
        """Return every figure in document order."""
        return tuple(
            b
            for s in self.sections
            for b in walk_blocks(s.blocks)
            if isinstance(b, Figure)
        )

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """Return (level, id, text) for every heading, the title first."""
        return tuple((s.level, s.section_id, s.title_text) for s in self.sections)

    def sentences(self) -> Iterator[Sentence]:
        """Yield every sentence in visual order: body, notes, then references."""
        for section in self.sections:
            if section.role != "bibliography":
                yield section.title
                yield from block_sentences(section.blocks)
        for note in self.notes:
            yield from block_sentences(note.blocks)
        for section in self.sections:
            if section.role == "bibliography":
                yield section.title
                yield from block_sentences(section.blocks)
                yield from (r.sentence for r in self.references)

    def citations(self) -> Iterator[Cite]:
        """Yield every in-text citation in reading order."""
        for sentence in self.sentences():
            yield from _cites(sentence.inlines)


# ---------------------------------------------------------------- helpers


def walk_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Yield blocks depth-first, including those nested in lists and quotes."""
    for block in blocks:
        yield block
        if isinstance(block, ListBlock):
            for item in block.items:
                yield from walk_blocks(item.blocks)
        elif isinstance(block, BlockQuote):
            yield from walk_blocks(block.blocks)


def block_sentences(blocks: tuple[Block, ...]) -> Iterator[Sentence]:
    """Yield the sentences of *blocks* in reading order."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield from block.sentences
        elif isinstance(block, ListBlock):
            for item in block.items:
                yield from block_sentences(item.blocks)
        elif isinstance(block, BlockQuote):
            yield from block_sentences(block.blocks)
        elif isinstance(block, Figure):
            yield from block.caption
        elif isinstance(block, Table):
            yield from block.caption
            for cell in block.header:
                yield from cell.sentences
            for row in block.rows:
                for cell in row:
                    yield from cell.sentences


def plain_text(inlines: tuple[Inline, ...], *, citations: bool = True) -> str:
    """Flatten inline content to text; footnote calls are left out."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, Cite):
            if citations:
                parts.append(plain_text(node.children))
        elif isinstance(node, Emph | Strong | Link):
            parts.append(plain_text(node.children, citations=citations))
    return "".join(parts)


def _cites(inlines: tuple[Inline, ...]) -> Iterator[Cite]:
    for node in inlines:
        if isinstance(node, Cite):
            yield node
        elif isinstance(node, Emph | Strong | Link):
            yield from _cites(node.children)
