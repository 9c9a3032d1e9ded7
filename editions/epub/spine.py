"""Article → the spine's XHTML content documents and the media overlay of each.

The documents come from `documents.plan`; every link, page marker and overlay names
the file `documents.locate` gives its target, so nothing here re-reads the XHTML of
another document to find where an id went.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import TYPE_CHECKING

from ebooklib import epub
from lxml import etree

from editions import html_body as html
from editions.epub import overlays
from editions.epub.documents import Document, linker
from editions.epub.xhtml import xhtml
from editions.model import Article

if TYPE_CHECKING:
    from editions.epub.render import EpubInputs

#: Core media types a Media Overlay may play (EPUB 3.3 §3.2); MP3 is what we make.
AUDIO_TYPES = {".mp3": "audio/mpeg", ".m4a": "audio/mp4"}

_XHTML_NS = {"x": "http://www.w3.org/1999/xhtml"}
_NARRATED = (
    "//x:*[@class='s' or @class='byline' or @class='subtitle']/@id"
    " | //x:section[@id='abstract']/@id | //x:figure/@id"
)
#: The structural role of each kind of document (EPUB 3 Structural Semantics).
_MATTER = {
    "front": "bodymatter",  # the article starts with its title (landmark "start")
    "chapter": "bodymatter",
    "notes": "backmatter",
    "bibliography": "backmatter",
}


class RawXhtml(epub.EpubHtml):  # type: ignore[misc]
    """A content document written exactly as given (ebooklib would rebuild it)."""

    raw = ""

    def get_content(self, default: object = None) -> bytes:
        """Return the XHTML as built by this module."""
        return self.raw.encode("utf-8")


def content_documents(
    article: Article,
    documents: Sequence[Document],
    where: Mapping[str, str],
    page_breaks: Mapping[str, Sequence[str]],
) -> list[RawXhtml]:
    """Render each planned document, its links pointing into the right files."""
    made = []
    for doc in documents:
        options = html.HtmlOptions(
            image_src=lambda f: f"images/{f.src.name}",
            epub=True,
            page_breaks=page_breaks,
            backlinks=True,
            href=linker(where, doc.file),
        )
        body = f'<main epub:type="{_MATTER[doc.kind]}" role="main">\n'
        body += f"{_body(article, doc, options)}\n</main>"
        item = RawXhtml(
            uid=doc.uid, file_name=doc.file, title=doc.title, lang=article.lang
        )
        item.raw = xhtml(
            article, doc.title, body, stylesheet=True, lexicon=bool(article.lexicon)
        )
        made.append(item)
    return made


def _body(article: Article, doc: Document, options: html.HtmlOptions) -> str:
    if doc.kind == "front":
        return html.front(article, options)
    if doc.kind == "notes":
        return html.notes(article, options)
    if doc.kind == "bibliography":
        first, *rest = doc.sections
        after = html.sections(article, rest, options) if rest else ""
        return html.bibliography(article, first, options) + (
            "\n" + after if after else ""
        )
    return html.sections(article, doc.sections, options)


def narration(
    article: Article,
    inputs: EpubInputs,
    items: Sequence[RawXhtml],
    where: Mapping[str, str],
    audio_hrefs: Sequence[str],
) -> dict[str, overlays.Overlay] | None:
    """Build each document's overlay when the audio edition was built alongside.

    Raises overlays.OverlayMismatch when the timings name another audio file set.
    """
    files = inputs.audio_files
    if not files and inputs.timings is None:
        return None
    if not files or inputs.timings is None:
        raise ValueError("the EPUB overlay needs both the audio file and its timings")
    for audio in files:
        if audio.suffix.lower() not in AUDIO_TYPES:
            raise ValueError(f"the EPUB overlay cannot carry {audio.name}")
    named = [p.file for p in inputs.timings.parts] or [files[0].name]
    if named != [f.name for f in files]:
        raise overlays.OverlayMismatch(
            f"the audio timings name {', '.join(named)} but the audio edition "
            f"wrote {', '.join(f.name for f in files)}; rebuild the audio edition"
        )
    # What must be narrated: every sentence, the subtitle, byline and summary, and
    # every figure's description (read from the documents this module just wrote).
    narrated = {
        item.file_name: [
            str(i)
            for i in etree.fromstring(item.raw.encode("utf-8")).xpath(
                _NARRATED, namespaces=_XHTML_NS
            )
        ]
        for item in items
    }
    return overlays.build(article, inputs.timings, narrated, where, audio_hrefs)


def audio_href(audio: Path) -> str:
    """Name the MP3 inside the EPUB with URL-safe characters only.

    The article's name may hold a space, `#` or `?`; OCF forbids `?` in file names
    and a space or `#` would need escaping in every reference (PKG-010).
    """
    return "audio/" + re.sub(r"[^A-Za-z0-9._-]+", "-", audio.name)
