"""The EPUB's navigation document: contents, landmarks and the PDF's page-list."""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from html import escape
from typing import TYPE_CHECKING

from editions import locale
from editions.epub.documents import FRONT
from editions.epub.xhtml import xhtml
from editions.facts import pages_at
from editions.model import Article

if TYPE_CHECKING:
    from editions.epub.render import EpubInputs


def page_labels(page_starts: Sequence[str]) -> dict[str, tuple[str, ...]]:
    """Map sentence ids to the numbers of the PDF pages that begin there.

    Every page gets a marker (the page-list must list them all): one on which no
    sentence starts is marked at the next start, and pages after the last start
    at the last one.
    """
    breaks, trailing = pages_at(page_starts)
    if trailing and breaks:
        breaks[list(breaks)[-1]].extend(trailing)
    return {key: tuple(str(n) for n in numbers) for key, numbers in breaks.items()}


def nav_document(article: Article, inputs: EpubInputs, where: Mapping[str, str]) -> str:
    """Return the nav XHTML: toc with every heading, landmarks, page-list.

    Every entry names the content document that holds its target (*where*: id →
    file, from `documents.locate`).
    """

    def href(target: str) -> str:
        return f"{where.get(target, FRONT)}#{target}"

    toc = _toc_list(list(article.headings[1:]), href)
    contents = locale.label(article.lang, "contents")

    def say(key: str) -> str:
        return escape(locale.label(article.lang, key))

    items = [
        '<nav epub:type="toc" id="toc" role="doc-toc" aria-labelledby="toc-h">'
        f'<h1 id="toc-h">{escape(contents)}</h1>{toc}</nav>'
    ]
    landmarks = [
        ("toc", "nav.xhtml#toc", contents),
        (
            "bodymatter",
            href(article.sections[0].section_id),
            locale.label(article.lang, "start"),
        ),
    ]
    bibliography = [s for s in article.sections if s.role == "bibliography"]
    if bibliography:
        landmarks.append(
            (
                "bibliography",
                href(bibliography[0].section_id),
                bibliography[0].title_text,
            )
        )
    marks = "".join(
        f'<li><a epub:type="{t}" href="{h}">{escape(label)}</a></li>'
        for t, h, label in landmarks
    )
    items.append(
        '<nav epub:type="landmarks" id="landmarks" aria-labelledby="lm-h" '
        f'hidden="hidden"><h2 id="lm-h">{say("landmarks")}</h2><ol>{marks}</ol></nav>'
    )
    labels = page_labels(inputs.page_starts)
    if labels:
        numbers = sorted(int(n) for ns in labels.values() for n in ns)
        pages = "".join(
            f'<li><a href="{escape(href(f"page-{n}"))}">{n}</a></li>' for n in numbers
        )
        items.append(
            '<nav epub:type="page-list" id="page-list" aria-labelledby="pl-h" '
            f'hidden="hidden"><h2 id="pl-h">{say("pages")}</h2><ol>{pages}</ol></nav>'
        )
    return xhtml(article, contents, "\n".join(items), stylesheet=True)


def _toc_list(headings: list[tuple[int, str, str]], href: Callable[[str], str]) -> str:
    """Nest headings into <ol>s: each deeper heading goes inside the item before it."""
    if not headings:
        return ""
    level = headings[0][0]
    items: list[str] = []
    index = 0
    while index < len(headings):
        _, section_id, text = headings[index]
        children_end = index + 1
        while children_end < len(headings) and headings[children_end][0] > level:
            children_end += 1
        inner = _toc_list(headings[index + 1 : children_end], href)
        items.append(
            f'<li><a href="{escape(href(section_id))}">{escape(text)}</a>{inner}</li>'
        )
        index = children_end
    return "<ol>" + "".join(items) + "</ol>"
