"""Article → `<stem>.brf`: UEB braille (liblouis) in formatted, numbered pages.

One liblouis call translates every paragraph with its emphasis; the layout then
adds what a braille reader finds in a transcribed book: a title page and contents
(preliminary pages p1, p2…), print page indicators where the hand-out PDF's pages
begin (its `page_starts`, as the EPUB page-list uses), centred and cell-5/cell-7
headings, footnote calls and notes, and the braille page number on every page.
The file is BRF: North American Braille ASCII, CR LF line ends, a form feed after
each page, ready for an embosser or a braille display's file reader.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from pathlib import Path

from editions import locale
from editions.braille import cells, front, liblouis, tables
from editions.braille.layout import (
    Blank,
    Item,
    Lines,
    Paginator,
    Placed,
    PrintPage,
    frame,
)
from editions.braille.pef import pef
from editions.braille.prepare import Para, paragraphs
from editions.braille.tables import BrailleSettings
from editions.facts import pages_at
from editions.model import Article
from editions.output import write_bytes

#: The note reference indicator (dots 5, 35; BANA Braille Formats §16).
NOTE_REF = '"9'


def render(
    article: Article,
    out_dir: Path,
    settings: BrailleSettings | None = None,
    page_starts: Sequence[str] = (),
    pdf_name: str = "",
) -> Path:
    """Write `<stem>.brf` (and the same pages as `<stem>.pef`); return the BRF.

    Raises BuildFailed (BRL001, BRL002) before writing when liblouis has no table
    for the article's language or the page settings cannot hold a page.
    """
    settings = settings or BrailleSettings()
    table = tables.choose(article, settings)
    paras = list(paragraphs(article))
    words = _front_words(article, table, pdf_name, len(page_starts))
    translated = liblouis.forward(
        table.file,
        [(p.text, p.emphasis) for p in paras] + [(w, []) for w in words],
    )
    body_braille, front_braille = translated[: len(paras)], translated[len(paras) :]
    width, rows = settings.cells, settings.lines - 2
    breaks = print_page_breaks(page_starts)
    items = list(_body_items(paras, body_braille, breaks, width))
    present = {sentence_id for p in paras for _offset, sentence_id in p.starts}
    items += _leftover_pages(page_starts, breaks, present)
    body = Paginator(width, rows)
    body_pages = body.run(items)
    texts = front.FrontText(*(t.braille for t in front_braille))
    prelim = Paginator(width, rows)
    prelim.run(front.title_page(texts, len(body_pages), width))
    prelim.new_page()
    prelim_pages = prelim.run(front.contents(texts, _listed(body.placed), width))
    pages = frame(
        prelim_pages, front.preliminary_labels(len(prelim_pages)), width, settings.lines
    ) + frame(
        body_pages,
        [cells.number(n) for n in range(1, len(body_pages) + 1)],
        width,
        settings.lines,
    )
    write_bytes(
        out_dir / f"{article.stem}.pef",
        pef(article, pages, settings.cells, settings.lines),
    )
    return write_bytes(out_dir / f"{article.stem}.brf", brf(pages))


def brf(pages: list[list[str]]) -> bytes:
    """Join pages as BRF: CR LF after each line, a form feed after each page."""
    return "".join("\r\n".join(page) + "\r\n\f" for page in pages).encode("ascii")


def print_page_breaks(page_starts: Sequence[str]) -> dict[str, list[int]]:
    """Map each sentence id to the print pages that start at it.

    A PDF page on which no sentence starts (a page of only a picture) gets its
    indicator where the next page's first sentence is, so none is lost.
    """
    return pages_at(page_starts)[0]


def _leftover_pages(
    page_starts: Sequence[str], breaks: dict[str, list[int]], present: set[str]
) -> list[Item]:
    """Indicators for PDF pages placed nowhere: trailing pages on which no sentence
    starts, or (should the PDF know a sentence the braille lacks) any other, so the
    count still matches the PDF."""
    placed = {n for key, numbers in breaks.items() if key in present for n in numbers}
    return [PrintPage(n) for n in range(1, len(page_starts) + 1) if n not in placed]


def _front_words(
    article: Article, table: tables.BrailleTable, pdf_name: str, print_pages: int
) -> list[str]:
    """The title page's and contents' words, in `front.FrontText` field order."""
    lang = article.lang

    def say(key: str, **values: str) -> str:
        return locale.label(lang, key, **values)

    pages = str(print_pages)
    if not print_pages:
        source = say("braille.no_print_pages")
    elif pdf_name:
        source = say("braille.print_pages_file", pages=pages, file=pdf_name)
    else:
        source = say("braille.print_pages", pages=pages)
    return [
        article.title,
        article.subtitle or "",
        say("braille.by", authors=article.author),
        locale.dates_line(lang, article.date, article.review_date),
        say("published_by", publisher=article.publisher) if article.publisher else "",
        article.rights or "",
        table.label,
        source,
        say("contents"),
        say("braille.pages"),
    ]


def _listed(placed: list[Placed]) -> list[Placed]:
    """The contents lists the print headings (not the title, not the notes)."""
    return [p for p in placed if p.level >= 2 and p.braille]


def _body_items(
    paras: list[Para],
    translated: list[liblouis.Translated],
    breaks: dict[str, list[int]],
    width: int,
) -> Iterator[Item]:
    for para, text in zip(paras, translated, strict=True):
        final, cuts = _with_marks(para, text, breaks)
        if cuts and cuts[0][0] == 0:
            yield from (PrintPage(n) for n in cuts.pop(0)[1])
        if para.heading:
            yield from _heading(para, final, width)
            continue
        if para.blank_before:
            yield Blank()
        start = 0
        first = para.first
        for cut, numbers in [*cuts, (len(final), [])]:
            if final[start:cut].strip():
                lines = cells.wrap(final[start:cut], width, first, para.runover)
                yield Lines(tuple(lines))
            yield from (PrintPage(n) for n in numbers)
            start, first = cut, para.runover
        if para.blank_after:
            yield Blank()


def _heading(para: Para, braille: str, width: int) -> Iterator[Item]:
    """BANA headings: centred (levels 1–2), cell 5 (level 3), cell 7 (level 4+)."""
    heading = (para.heading, braille if para.listed else "")
    if para.heading <= 2:
        yield Blank()
        yield Lines(tuple(cells.centre(braille, width)), keep=2, heading=heading)
        yield Blank()
        return
    indent = 4 if para.heading == 3 else 6
    if para.heading == 3:
        yield Blank()
    yield Lines(tuple(cells.wrap(braille, width, indent, indent)), 1, heading)


def _with_marks(
    para: Para, translated: liblouis.Translated, breaks: dict[str, list[int]]
) -> tuple[str, list[tuple[int, list[int]]]]:
    """Add the TN indicators and note calls; say where print pages start in it."""
    braille, positions = translated.braille, translated.out_pos

    def out_pos(offset: int) -> int:
        """Where the character at *offset* of the print text went in the braille."""
        return positions[offset] if offset < len(positions) else len(braille)

    inserts = sorted(
        (out_pos(offset), NOTE_REF + cells.number(n) + (" " if offset == 0 else ""))
        for offset, n in para.calls
    )
    marks = [
        (out_pos(offset), breaks[sentence_id])
        for offset, sentence_id in para.starts
        if sentence_id in breaks
    ]
    pieces, last = [], 0
    for at, raw in inserts:
        pieces += [braille[last:at], raw]
        last = at
    pieces.append(braille[last:])
    final = para.before + "".join(pieces) + para.after
    cuts: list[tuple[int, list[int]]] = []
    for at, numbers in sorted(marks):
        shift = sum(len(raw) for where, raw in inserts if where < at)
        cut = 0 if at == 0 else _word_start(final, at + shift + len(para.before))
        if cuts and cuts[-1][0] == cut:
            cuts[-1][1].extend(numbers)
        else:
            cuts.append((cut, list(numbers)))
    return final, cuts


def _word_start(text: str, at: int) -> int:
    """Move *at* back to the start of the word it falls in."""
    if at <= 0 or at >= len(text) or text[at - 1] == " ":
        return min(max(at, 0), len(text))
    return text.rfind(" ", 0, at) + 1
