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
from editions.inlines import (  # re-exported: the model is one import
    STYLES as STYLES,
    Cite as Cite,
    Code as Code,
    Emph as Emph,
    Inline as Inline,
    LineBreak as LineBreak,
    Link as Link,
    NoteRef as NoteRef,
    Strong as Strong,
    Styled as Styled,
    Text as Text,
    Wrapper as Wrapper,
    plain_text as plain_text,
    walk_inlines as walk_inlines,
)


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
    """A bulleted or numbered list; `style` numbers it 1, a, A, i or I."""

    ordered: bool
    items: tuple[ListItem, ...]
    start: int = 1
    style: str = "decimal"  # decimal, lower-alpha, upper-alpha, lower-roman, …


@dataclass(frozen=True)
class DefinitionItem:
    """A term (a glossary entry) and its one or more definitions."""

    term: tuple[Sentence, ...]
    definitions: tuple[tuple[Block, ...], ...]


@dataclass(frozen=True)
class DefinitionList:
    """A glossary: `<dl>` in HTML and EPUB, an L of LI in the PDF, terms announced."""

    items: tuple[DefinitionItem, ...]


@dataclass(frozen=True)
class CodeBlock:
    """Preformatted text whose line breaks and spacing matter."""

    sentence: Sentence  # one Code inline holding the whole text


@dataclass(frozen=True)
class Rule:
    """A thematic break (`---`): a rule on the page, a longer pause in the audio."""


@dataclass(frozen=True)
class Division:
    """A fenced div kept for its id (a link target) or its language of parts."""

    blocks: tuple[Block, ...]
    ident: str = ""
    lang: str | None = None


@dataclass(frozen=True)
class Figure:
    """An image with alt text (what it shows) and an optional visible caption."""

    figure_id: str
    src: Path  # absolute, checked to lie inside the source folder
    alt: str
    caption: tuple[Sentence, ...]
    where: Location
    #: An explicit `alt=""`: the image only decorates. HTML/EPUB `alt=""`, a PDF
    #: /Artifact, silent in the audio, not counted as a figure.
    decorative: bool = False


@dataclass(frozen=True)
class Cell:
    """A table cell; `header` marks a row header (`<th scope="row">`)."""

    sentences: tuple[Sentence, ...]
    align: str = "left"
    colspan: int = 1
    rowspan: int = 1
    header: bool = False


@dataclass(frozen=True)
class Table:
    """A table with one header row, body rows and footer rows; the caption names it."""

    table_id: str
    caption: tuple[Sentence, ...]
    header: tuple[Cell, ...]
    rows: tuple[tuple[Cell, ...], ...]
    foot: tuple[tuple[Cell, ...], ...] = ()

    def all_rows(self) -> tuple[tuple[Cell, ...], ...]:
        """Return the header row, body rows and footer rows in reading order."""
        return (self.header, *self.rows, *self.foot)


@dataclass(frozen=True)
class BlockQuote:
    """A quotation set off from the text."""

    blocks: tuple[Block, ...]


Block = (
    Paragraph
    | ListBlock
    | Figure
    | Table
    | BlockQuote
    | DefinitionList
    | CodeBlock
    | Rule
    | Division
)


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
    #: In the bibliography section, how many of `blocks` come before the reference
    #: list (where the source's `::: {#refs}` div stands); the rest follow it.
    references_at: int = 0

    @property
    def title_text(self) -> str:
        """Return the heading as plain text."""
        return self.title.text

    @property
    def before_references(self) -> tuple[Block, ...]:
        """Return the blocks shown between the heading and the reference list."""
        return self.blocks[: self.references_at]

    @property
    def after_references(self) -> tuple[Block, ...]:
        """Return the blocks that follow the reference list in its section."""
        return self.blocks[self.references_at :]


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
    voice: str | None = None  # front matter `voice`: who reads the audio edition
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
        """Return every figure in document order (decorative images are none)."""
        return tuple(
            b
            for s in self.sections
            for b in walk_blocks(s.blocks)
            if isinstance(b, Figure) and not b.decorative
        )

    @property
    def images(self) -> tuple[Path, ...]:
        """Return every image file shown, decorative ones included, each once."""
        return tuple(
            dict.fromkeys(
                b.src
                for s in self.sections
                for b in walk_blocks(s.blocks)
                if isinstance(b, Figure)
            )
        )

    @property
    def headings(self) -> tuple[tuple[int, str, str], ...]:
        """Return (level, id, text) for every heading, the title first."""
        return tuple((s.level, s.section_id, s.title_text) for s in self.sections)

    def parts(self) -> tuple[tuple[Section, ...], Section | None, tuple[Section, ...]]:
        """Split the sections around the reference list, in visual order.

        Return (sections before it, the bibliography section, sections after it).
        Notes are shown between the first part and the bibliography; text the
        source puts after `::: {#refs}` (an appendix, "About this leaflet") stays
        after the references in every edition.
        """
        for index, section in enumerate(self.sections):
            if section.role == "bibliography":
                return (
                    self.sections[:index],
                    section,
                    self.sections[index + 1 :],
                )
        return self.sections, None, ()

    def sentences(self) -> Iterator[Sentence]:
        """Yield every sentence in visual order: body, notes, references, the rest."""
        before, bibliography, after = self.parts()
        for section in before:
            yield section.title
            yield from block_sentences(section.blocks)
        for note in self.notes:
            yield from block_sentences(note.blocks)
        if bibliography is not None:
            yield bibliography.title
            yield from block_sentences(bibliography.before_references)
            yield from (r.sentence for r in self.references)
            yield from block_sentences(bibliography.after_references)
        for section in after:
            yield section.title
            yield from block_sentences(section.blocks)

    def citations(self) -> Iterator[Cite]:
        """Yield every in-text citation in reading order."""
        for sentence in self.sentences():
            yield from _cites(sentence.inlines)


# ---------------------------------------------------------------- helpers


def child_blocks(block: Block) -> Iterator[tuple[Block, ...]]:
    """Yield the runs of blocks nested directly in *block* (list items, quotes…)."""
    if isinstance(block, ListBlock):
        yield from (item.blocks for item in block.items)
    elif isinstance(block, BlockQuote | Division):
        yield block.blocks
    elif isinstance(block, DefinitionList):
        for entry in block.items:
            yield from entry.definitions


def walk_blocks(blocks: tuple[Block, ...]) -> Iterator[Block]:
    """Yield blocks depth-first, including those nested in lists and quotes."""
    for block in blocks:
        yield block
        for inner in child_blocks(block):
            yield from walk_blocks(inner)


def block_sentences(blocks: tuple[Block, ...]) -> Iterator[Sentence]:
    """Yield the sentences of *blocks* in reading order."""
    for block in blocks:
        if isinstance(block, Paragraph):
            yield from block.sentences
        elif isinstance(block, CodeBlock):
            yield block.sentence
        elif isinstance(block, Figure):
            yield from block.caption
        elif isinstance(block, Table):
            yield from block.caption
            for row in block.all_rows():
                for cell in row:
                    yield from cell.sentences
        elif isinstance(block, DefinitionList):
            for entry in block.items:
                yield from entry.term
                for definition in entry.definitions:
                    yield from block_sentences(definition)
        else:
            for inner in child_blocks(block):
                yield from block_sentences(inner)


def _cites(inlines: tuple[Inline, ...]) -> Iterator[Cite]:
    return (node for node in walk_inlines(inlines) if isinstance(node, Cite))
