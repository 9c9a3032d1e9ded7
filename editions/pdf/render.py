"""Article → tagged PDF/UA-1 (WeasyPrint), plus the page facts the EPUB page-list uses.

WeasyPrint logs a missing alt or lang as an ERROR and still writes the file, so every
ERROR record of its logger fails the build. Margin-box text (running title, "Page 2 of
6") is turned into /Artifact /Pagination by `tagging.repair` afterwards.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from html import escape
from pathlib import Path
from typing import Any

from editions import fonts, html_body as html, locale
from editions.errors import BuildFailed, Finding, Location
from editions.facts import PageStarts
from editions.model import Article
from editions.output import staged, write_text
from editions.paths import STYLES
from editions.pdf import (
    glossary,
    lang_parts,
    link_targets,
    listen,
)
from editions.source.ids import spans_with_lang

PAPER = {"a4": "A4", "letter": "letter"}
#: Body size from which a PDF is large print (UKAAF G003: 16 pt at least, ideally 18).
LARGE_PRINT_PT = 16.0
#: Large print shows every figure as wide as the text column, so a chart's labels
#: grow with it (checked by checks/figure_text.py); a tall one is fitted to the page.
LARGE_FIGURES = (
    "figure img { width: 100%; height: auto; max-height: 200mm; "
    "object-fit: contain; }\n"
)


@dataclass(frozen=True)
class PdfSettings:
    """Choices a publisher makes for one PDF edition."""

    body_pt: float = 12.0
    paper: str = "a4"
    suffix: str = ""  # "-large-print" for the large-print PDF
    audio_url: str = ""


@dataclass(frozen=True)
class PdfEdition:
    """The written PDF, its page starts, and the file that hands them on."""

    path: Path
    pages: PageStarts
    facts: Path  # `<stem>.pages.json`: the page starts, for the EPUB and braille


def _source_only_fetcher(roots: list[Path]) -> Any:
    """Return a WeasyPrint fetcher reading only data: URLs and files under *roots*."""
    from urllib.parse import unquote, urlparse

    from weasyprint.urls import URLFetcher

    allowed = [r.resolve() for r in roots]

    class SourceOnlyFetcher(URLFetcher):  # type: ignore[misc]
        def fetch(self, url: str, headers: Any = None) -> Any:
            if url.startswith("file:"):
                path = Path(unquote(urlparse(url).path)).resolve()
                if not any(path.is_relative_to(root) for root in allowed):
                    raise ValueError(
                        f"refusing to read {path}: outside the source folder"
                    )
            elif not url.startswith("data:"):
                raise ValueError(f"refusing to fetch {url}: the build uses no network")
            return super().fetch(url, headers)

    return SourceOnlyFetcher(allowed_protocols={"file", "data"}, fail_on_errors=True)


class _ErrorCollector(logging.Handler):
    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.messages: list[str] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.messages.append(record.getMessage())


@contextmanager
def _weasyprint_errors() -> Iterator[_ErrorCollector]:
    logger = logging.getLogger("weasyprint")
    collector = _ErrorCollector()
    logger.addHandler(collector)
    try:
        yield collector
    finally:
        logger.removeHandler(collector)


def page_html(
    article: Article, settings: PdfSettings, new_page: tuple[str, ...] = ()
) -> str:
    """Return the complete HTML document WeasyPrint lays out.

    Tables named in *new_page* start on a new page (see `_layout`).
    """
    options = html.HtmlOptions(
        image_src=lambda f: f.src.as_uri(),
        after_title=listen.box(settings.audio_url, article.lang)
        if settings.audio_url
        else "",
        notes_as_divs=True,
        decorative_as_background=True,
    )
    faces = fonts.font_face_css(lambda p: p.as_uri())
    css = (STYLES / "print.css").read_text(encoding="utf-8")
    margin_pt = round(settings.body_pt * 5 / 6, 1)  # 10 pt hand-out, 15 pt large
    sizing = (
        f"@page {{ size: {PAPER[settings.paper]};\n"
        f"  @top-left {{ font-size: {margin_pt}pt; }}\n"
        f"  @bottom-center {{ font-size: {margin_pt}pt;\n"
        f"    content: {locale.css_page_counter(article.lang)}; }} }}\n"
        f"body {{ font-size: {settings.body_pt}pt; }}\n"
        + (LARGE_FIGURES if settings.body_pt >= LARGE_PRINT_PT else "")
        + "".join(
            f'table[id="{escape(table_id)}"] {{ break-before: page; }}\n'
            for table_id in new_page
        )
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(article.lang)}">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{escape(article.title)}</title>\n"
        + "".join(
            f'<meta name="author" content="{escape(name)}" />\n'
            for name in article.author_names
        )
        + f'<meta name="description" content="{escape(article.description)}" />\n'
        f'<meta name="keywords" content="{escape(", ".join(article.keywords))}" />\n'
        f"<style>\n{faces}\n{css}\n{sizing}\n</style>\n</head>\n<body>\n"
        f"{html.body(article, options)}\n"
        "</body>\n</html>\n"
    )


def render(
    article: Article, out_dir: Path, settings: PdfSettings | None = None
) -> PdfEdition:
    """Lay out and write `<stem><suffix>.pdf`; fail on any WeasyPrint ERROR."""
    from editions.pdf import speedups, tables as pdf_tables

    speedups.install()  # pydyf's page references in O(1): writing stays linear
    settings = settings or PdfSettings()
    target = out_dir / f"{article.stem}{settings.suffix}.pdf"
    fetcher = _source_only_fetcher([article.base_dir, fonts.font_dir()])
    with _weasyprint_errors() as errors:
        document = _layout(article, settings, fetcher)
        page_starts = _page_starts(article, document)
        fragments = pdf_tables.table_fragments(document)
        # The first /ID element names the document: the PDF and its large-print
        # twin are two documents.
        identifier = f"{article.stem}{settings.suffix}".encode()
        # In memory: pikepdf repairs WeasyPrint's bytes and writes the file once.
        written = document.write_pdf(pdf_variant="pdf/ua-1", pdf_identifier=identifier)
        del document  # the laid-out boxes are the step's largest memory
        if errors.messages:
            raise BuildFailed(
                [
                    Finding("PDF000", f"WeasyPrint: {m}", Location(article.source))
                    for m in errors.messages
                ],
                summary="The PDF was not written.",
            )
        with staged(target) as scratch:
            _repair(written, scratch, article, fragments)
    pages = PageStarts(target.name, tuple(page_starts))
    facts = write_text(
        out_dir / f"{article.stem}{settings.suffix}.pages.json", pages.to_json()
    )
    return PdfEdition(target, pages, facts)


def _layout(article: Article, settings: PdfSettings, fetcher: Any) -> Any:
    """Lay the page out; again if a table caption was left alone at a page foot.

    WeasyPrint 70 moves a table's rows to the next page when the header and first
    row do not fit, and would leave the caption behind; print.css's `caption {
    break-after: avoid }` makes it move the whole table instead, in the same pass
    (a second layout doubled the PDF step's time on a long book, issue 22). Where a
    caption is still left behind (it broke across pages itself), the document is
    laid out again with that table starting on a new page.
    """
    from weasyprint import HTML

    from editions.pdf import tables as pdf_tables

    def lay_out(new_page: tuple[str, ...] = ()) -> Any:
        return HTML(
            string=page_html(article, settings, new_page),
            base_url=str(article.base_dir) + "/",
            url_fetcher=fetcher,
        ).render()

    document = lay_out()
    stranded = pdf_tables.stranded_captions(document)
    return lay_out(tuple(stranded)) if stranded else document


def _repair(
    written: bytes, path: Path, article: Article, fragments: dict[str, list[int]]
) -> None:
    """Open WeasyPrint's PDF once, make every repair, write it to *path* once.

    The tagging repairs first; then split tables and lists are joined, glossary
    terms paired (after the join: a term at one page's foot and its definition at
    the next page's head are then in one L) and the XMP completed.
    """
    from io import BytesIO

    import pikepdf

    from editions.pdf import metadata as pdf_metadata, tables as pdf_tables, tagging

    with pikepdf.open(BytesIO(written)) as pdf:
        elements = tagging.repair(
            pdf,
            _describer(article),
            extra=lambda pdf: lang_parts.mark_languages(pdf, spans_with_lang(article)),
        )
        pdf_tables.join_split_tables(pdf, fragments, elements)
        glossary.pair_terms(pdf, glossary.glossary_items(article))
        pdf_metadata.apply(pdf, article)
        tagging.save(pdf, path)


def _page_starts(article: Article, document: Any) -> list[str]:
    """For each page, the first sentence (in reading order) whose start is on it.

    A table's header row repeats on every page it spans, with the same ids; an
    anchor already seen on an earlier page does not start this one.
    """
    order = {s.sentence_id: i for i, s in enumerate(article.sentences())}
    starts = []
    seen: set[str] = set()
    for page in document.pages:
        on_page = [a for a in page.anchors if a in order and a not in seen]
        seen.update(on_page)
        starts.append(min(on_page, key=order.__getitem__) if on_page else "")
    return starts


def _describer(article: Article) -> Any:
    """Describe link targets for /Contents: a reference entry, a note, or a web page."""
    entries = {r.entry_id: r for r in article.references}
    places = link_targets.describe_targets(article)

    def say(key: str, **values: str) -> str:
        return locale.label(article.lang, key, **values)

    def describe(target: str) -> str | None:
        name = target.removeprefix("#")
        if name in entries:
            return say("link.reference", text=entries[name].text[:120])
        if name.startswith("fn"):
            number = name.removeprefix("fnref").removeprefix("fn")
            return say("link.footnote", number=number)
        if target.startswith(("http://", "https://")):
            return say("link.web", url=target)
        if target.startswith("mailto:"):
            address = target.removeprefix("mailto:").split("?")[0]
            return say("link.email", address=address)
        return places.get(name)

    return describe
