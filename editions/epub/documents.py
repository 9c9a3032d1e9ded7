"""Article → the EPUB's content documents (one per chapter) and where each id lives.

A book of 160 chapters in one XHTML is slow or unusable in reading systems, and its
one media overlay is huge (issue 22), so the spine is: a front document (title block,
summary, text before the first chapter), one document per level-2 section with its
subsections, one notes document, and the reference list (sections the source puts
after it follow as documents of their own). Notes stay together, between the
chapters and the references, as in the PDF and the large-print page: every edition
then shows the same units in the same order, and reading systems follow a noteref
into another document (pandoc's `--split-level` keeps notes per chapter instead).

`locate` maps every id the documents will hold to its file, from the model alone: the
nav, the page-list, the overlays and every cross-document link are written from it.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from urllib.parse import unquote

from editions import locale
from editions.model import (
    Article,
    Block,
    Cite,
    CodeBlock,
    DefinitionList,
    Division,
    Figure,
    Inline,
    NoteRef,
    Paragraph,
    Section,
    Sentence,
    Styled,
    Table,
    Wrapper,
    child_blocks,
)

FRONT = "front.xhtml"
NOTES = "notes.xhtml"
REFERENCES = "references.xhtml"


@dataclass(frozen=True)
class Document:
    """One content document of the spine and the part of the article it shows."""

    uid: str  # manifest id
    file: str  # name inside EPUB/ (beside nav.xhtml)
    kind: str  # "front", "chapter", "notes" or "bibliography"
    title: str  # its <title>
    sections: tuple[Section, ...] = ()  # a chapter and its subsections, in order


def plan(article: Article) -> tuple[Document, ...]:
    """Return the content documents in spine order."""
    (_title, *before), bibliography, after = article.parts()
    chapters = _chapters(before)
    width = max(2, len(str(len(chapters) + len(after))))
    docs = [Document("front", FRONT, "front", article.title)]
    numbered = 0

    def chapter(group: Sequence[Section]) -> Document:
        nonlocal numbered
        numbered += 1
        name = f"chapter-{numbered:0{width}d}"
        title = group[0].title_text
        return Document(name, f"{name}.xhtml", "chapter", title, (*group,))

    docs += [chapter(group) for group in chapters]
    if article.notes:
        notes = locale.label(article.lang, "notes")
        docs.append(Document("notes", NOTES, "notes", notes))
    trailing = _chapters(list(after))
    if bibliography is not None:
        # Subsections before the first level-2 section after the list belong to it.
        extra = trailing.pop(0) if trailing and trailing[0][0].level > 2 else []
        docs.append(
            Document(
                "references",
                REFERENCES,
                "bibliography",
                bibliography.title_text,
                (bibliography, *extra),
            )
        )
    docs += [chapter(group) for group in trailing]
    return tuple(docs)


def _chapters(sections: Sequence[Section]) -> list[list[Section]]:
    """Group flat sections into chapters: each level-2 section and what it holds."""
    groups: list[list[Section]] = []
    for section in sections:
        if section.level <= 2 or not groups:
            groups.append([section])
        else:
            groups[-1].append(section)
    return groups


def locate(
    article: Article,
    documents: Sequence[Document],
    page_breaks: Mapping[str, Sequence[str]] | None = None,
) -> dict[str, str]:
    """Map every id the content documents hold to the file that holds it.

    *page_breaks* (sentence id → page labels) places each `page-N` marker in the file
    of the sentence it stands before.
    """
    where: dict[str, str] = {}
    for doc in documents:
        for found in _ids(article, doc):
            where.setdefault(found, doc.file)
    for sentence_id, labels in (page_breaks or {}).items():
        for label in labels:
            where[f"page-{label}"] = where[sentence_id]
    return where


def linker(where: Mapping[str, str], current: str) -> Callable[[str], str]:
    """Return the href function of one document: `#id` at home, `file#id` elsewhere."""

    def href(target: str) -> str:
        file = where.get(unquote(target), current)
        return f"#{target}" if file == current else f"{file}#{target}"

    return href


def _ids(article: Article, doc: Document) -> Iterator[str]:
    if doc.kind == "front":
        title = article.sections[0]
        yield title.section_id
        yield from _sentence_ids(title.title)
        fixed = {
            "subtitle": bool(article.subtitle),
            "byline": True,
            "dates": True,
            "publisher": bool(article.publisher),
            "rights": bool(article.rights),
            "abstract": bool(article.abstract),
        }
        yield from (name for name, shown in fixed.items() if shown)
        yield from _block_ids(title.blocks)
    elif doc.kind == "notes":
        for note in article.notes:
            yield note.note_id
            yield from _block_ids(note.blocks)
    else:
        for section in doc.sections:
            yield section.section_id
            yield from _sentence_ids(section.title)
            yield from _block_ids(section.blocks)
            if section.role == "bibliography":
                for reference in article.references:
                    yield reference.entry_id
                    yield from _sentence_ids(reference.sentence)


def _block_ids(blocks: tuple[Block, ...]) -> Iterator[str]:
    for block in blocks:
        if isinstance(block, Paragraph):
            for sentence in block.sentences:
                yield from _sentence_ids(sentence)
        elif isinstance(block, CodeBlock):
            yield block.sentence.sentence_id
        elif isinstance(block, Figure):
            if not block.decorative:
                yield block.figure_id
                for sentence in block.caption:
                    yield from _sentence_ids(sentence)
        elif isinstance(block, Table):
            yield block.table_id
            cells = [c for row in block.all_rows() for c in row]
            for sentence in (*block.caption, *(s for c in cells for s in c.sentences)):
                yield from _sentence_ids(sentence)
        elif isinstance(block, DefinitionList):
            for entry in block.items:
                for sentence in entry.term:
                    yield from _sentence_ids(sentence)
                for definition in entry.definitions:
                    yield from _block_ids(definition)
        else:
            if isinstance(block, Division) and block.ident:
                yield block.ident
            for inner in child_blocks(block):
                yield from _block_ids(inner)


def _sentence_ids(sentence: Sentence) -> Iterator[str]:
    yield sentence.sentence_id
    yield from _inline_ids(sentence.inlines)


def _inline_ids(inlines: tuple[Inline, ...]) -> Iterator[str]:
    for node in inlines:
        if isinstance(node, Cite):
            yield node.cite_id
            yield from _inline_ids(node.children)
        elif isinstance(node, NoteRef):
            yield f"fnref{node.number}"
        elif isinstance(node, Wrapper):
            if isinstance(node, Styled) and node.ident:
                yield node.ident
            yield from _inline_ids(node.children)
