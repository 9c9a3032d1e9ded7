"""The frozen Article → print paragraphs prepared for braille, in reading order.

The words are the source's own (what the PDF shows), never the speech script:
numbers and units stay as written, because braille has its own rules for them.
Each paragraph carries where UEB emphasis goes (the source's Emph and Strong, as
liblouis typeforms), where each sentence starts (for print page indicators) and
where each footnote is called. Formats follow BANA's Braille Formats: paragraphs
3-1, lists 1-3 (nested 3-5, 5-7), transcriber's notes 7-5, notes and references 1-3.
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass, field

from editions import locale
from editions.model import (
    Article,
    Block,
    BlockQuote,
    Cite,
    Code,
    CodeBlock,
    DefinitionList,
    Division,
    Emph,
    Figure,
    Inline,
    LineBreak,
    Link,
    ListBlock,
    NoteRef,
    Paragraph,
    Sentence,
    Strong,
    Styled,
    Table,
    Text,
)
from editions.numbering import list_label

Span = tuple[int, int, str]  # start, end, "italic" or "bold"


@dataclass
class Para:
    """One print paragraph to translate and lay out as one braille paragraph."""

    text: str = ""
    first: int = 0  # cells before the first line
    runover: int = 0  # cells before every other line
    heading: int = 0  # 1–4: a heading of that level; 0: not a heading
    emphasis: list[Span] = field(default_factory=list)
    starts: list[tuple[int, str]] = field(default_factory=list)  # offset, sentence id
    calls: list[tuple[int, int]] = field(default_factory=list)  # offset, note number
    before: str = ""  # braille indicators put before the text (TN opening)
    after: str = ""  # and after it (TN closing)
    blank_before: bool = False
    blank_after: bool = False
    listed: bool = True  # a heading the contents lists (the notes' is not in print)

    def add_sentence(self, sentence: Sentence) -> None:
        """Append *sentence*, a space apart from what is there."""
        if self.text and not self.text.endswith(" "):
            self.text += " "
        self.starts.append((len(self.text), sentence.sentence_id))
        self._inlines(sentence.inlines, "")

    def add_text(self, text: str) -> None:
        """Append words the transcriber supplies (labels, separators)."""
        self.text += text

    def _inlines(self, inlines: tuple[Inline, ...], kind: str) -> None:
        for node in inlines:
            if isinstance(node, Text | Code):
                self._words(node.text, kind)
            elif isinstance(node, LineBreak):
                self._words(" ", kind)
            elif isinstance(node, NoteRef):
                self.calls.append((len(self.text), node.number))
            elif isinstance(node, Emph | Strong):
                inner = "italic" if isinstance(node, Emph) else "bold"
                self._inlines(node.children, kind or inner)
            elif isinstance(node, Cite | Link | Styled):
                self._inlines(node.children, kind)

    def _words(self, text: str, kind: str) -> None:
        start = len(self.text)
        self.text += text
        if kind and text.strip():
            self.emphasis.append((start, len(self.text), kind))


#: UEB transcriber's note indicators (opening dots 4-46-126, closing 4-46-345).
TN_OPEN, TN_CLOSE = "@.<", "@.>"
BULLET = "\u2022 "


def paragraphs(article: Article) -> Iterator[Para]:
    """Yield the body's paragraphs: title, sections, notes, references, the rest."""
    lang = article.lang
    (title, *before), bibliography, after = article.parts()
    yield _heading(title.title, 1)
    if article.abstract:  # the summary under the title, as in print
        summary = Para(first=2)
        summary.add_text(f"{locale.label(lang, 'summary')}. {article.abstract}")
        yield summary
    yield from _blocks(title.blocks, 0, lang)
    for section in before:
        yield _heading(section.title, section.level)
        yield from _blocks(section.blocks, 0, lang)
    if article.notes:
        notes = Para(heading=2, listed=False)
        notes.add_text(locale.label(lang, "notes"))
        yield notes
        for note in article.notes:
            for index, block in enumerate(note.blocks):
                for para in _blocks((block,), 0, lang):
                    if index == 0:
                        para.calls.insert(0, (0, note.number))
                    para.first, para.runover = 0, 2
                    yield para
    if bibliography is not None:
        yield _heading(bibliography.title, bibliography.level)
        yield from _blocks(bibliography.before_references, 0, lang)
        for reference in article.references:
            entry = Para(first=0, runover=2)
            entry.add_sentence(reference.sentence)
            yield entry
        yield from _blocks(bibliography.after_references, 0, lang)
    for section in after:
        yield _heading(section.title, section.level)
        yield from _blocks(section.blocks, 0, lang)


def _heading(sentence: Sentence, level: int) -> Para:
    para = Para(heading=level)
    para.add_sentence(sentence)
    return para


def _blocks(blocks: tuple[Block, ...], depth: int, lang: str) -> Iterator[Para]:
    for block in blocks:
        if isinstance(block, Paragraph):
            para = Para(first=2 + 2 * depth, runover=2 * depth)
            for sentence in block.sentences:
                para.add_sentence(sentence)
            yield para
        elif isinstance(block, ListBlock):
            yield from _list(block, depth, lang)
        elif isinstance(block, Figure):
            yield from _figure(block, lang)
        elif isinstance(block, Table):
            yield from _table(block, lang)
        elif isinstance(block, BlockQuote):
            quoted = list(_blocks(block.blocks, depth + 1, lang))
            if quoted:
                quoted[0].blank_before = quoted[-1].blank_after = True
            yield from quoted
        elif isinstance(block, DefinitionList):
            yield from _glossary(block, depth, lang)
        elif isinstance(block, CodeBlock):
            para = Para(first=2 * depth, runover=2 * depth)
            para.add_sentence(block.sentence)
            yield para
        elif isinstance(block, Division):
            yield from _blocks(block.blocks, depth, lang)
        # A Rule has no words: the blank lines around its neighbours suffice.


def _glossary(block: DefinitionList, depth: int, lang: str) -> Iterator[Para]:
    """Each term in bold on a line of its own (1-3), its definitions below (3-3)."""
    for entry in block.items:
        term = Para(first=2 * depth, runover=2 * depth + 2)
        for sentence in entry.term:
            term.add_sentence(sentence)
        term.emphasis.append((0, len(term.text), "bold"))
        yield term
        for definition in entry.definitions:
            for para in _blocks(definition, depth + 1, lang):
                para.first = para.runover = 2 * depth + 2
                yield para


def _list(block: ListBlock, depth: int, lang: str) -> Iterator[Para]:
    for number, item in enumerate(block.items, start=block.start):
        label = f"{list_label(number, block.style)}. " if block.ordered else BULLET
        for index, inner in enumerate(item.blocks):
            if index == 0 and isinstance(inner, Paragraph):
                para = Para(first=2 * depth, runover=2 * depth + 2)
                para.add_text(label)
                for sentence in inner.sentences:
                    para.add_sentence(sentence)
                yield para
            elif isinstance(inner, ListBlock):
                yield from _list(inner, depth + 1, lang)
            else:
                for para in _blocks((inner,), depth + 1, lang):
                    para.first = para.runover = 2 * depth + 2
                    yield para


def _note(text: str) -> Para:
    """A transcriber's note: 7-5, between the UEB TN indicators."""
    para = Para(first=6, runover=4, before=TN_OPEN, after=TN_CLOSE)
    para.add_text(text)
    return para


def _figure(figure: Figure, lang: str) -> Iterator[Para]:
    if figure.decorative:
        return  # decorates only: no transcriber's note
    yield _note(locale.label(lang, "braille.picture", alt=figure.alt))
    if figure.caption:
        caption = Para(first=2)
        for sentence in figure.caption:
            caption.add_sentence(sentence)
        yield caption


def _table(table: Table, lang: str) -> Iterator[Para]:
    """A table in BANA's linear format: headings, then one row a paragraph."""
    if table.caption:
        caption = Para(first=2)
        for sentence in table.caption:
            caption.add_sentence(sentence)
        yield caption
    yield _note(locale.label(lang, "braille.linear_table"))
    for row in table.all_rows():
        if not row:
            continue
        para = Para(first=0, runover=2)
        for index, cell in enumerate(row):
            if index:
                para.add_text(": ")
            for sentence in cell.sentences:
                para.add_sentence(sentence)
        yield para
