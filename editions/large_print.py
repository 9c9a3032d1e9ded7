"""Article → one self-contained large-print HTML page (fonts, CSS, images inlined).

Nothing on the page is fetched from anywhere: fonts and images are data: URIs and the
audio edition, when there is one, sits beside the page as a relative file.
"""

from __future__ import annotations

import base64
import json
import mimetypes
from dataclasses import dataclass
from html import escape
from pathlib import Path

from editions import fonts, html
from editions.model import Article
from editions.output import write_text

STYLES = Path(__file__).resolve().parent.parent / "styles"


@dataclass(frozen=True)
class LargePrintInputs:
    """Facts from the audio edition (never re-parsed from the MP3)."""

    audio_name: str = ""  # the MP3 beside the page, e.g. "article.mp3"
    timings: dict[str, object] | None = None  # the audio's timings JSON


def data_uri(path: Path) -> str:
    """Return *path* as a base64 data: URI."""
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".ttf":
        media = "font/ttf"
    return f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode()}"


def _contents(article: Article) -> str:
    links = "".join(
        f'<li><a href="#{escape(section_id)}">{escape(text)}</a></li>'
        for level, section_id, text in article.headings[1:]
        if level == 2
    )
    return (
        f'<nav class="toc" aria-labelledby="toc-h"><h2 id="toc-h">Contents</h2>'
        f"<ol>{links}</ol></nav>"
    )


def _player(article: Article, inputs: LargePrintInputs) -> str:
    if not inputs.audio_name:
        return ""
    chapters = (inputs.timings or {}).get("chapters", [])
    items = "".join(
        f'<li><a href="#{escape(inputs.audio_name)}" data-start="{c["start"]:.2f}">'
        f"{escape(c['title'])}</a></li>"
        for c in chapters
        if isinstance(c, dict)
    )
    return (
        '<section class="player" aria-labelledby="listen-h">'
        '<h2 id="listen-h">Listen to this article</h2>'
        '<audio controls="controls" preload="metadata" '
        f'src="{escape(inputs.audio_name)}">'
        f'<a href="{escape(inputs.audio_name)}">Download the audio edition</a></audio>'
        + (
            f'<h3 id="chapters-h">Chapters</h3><ol class="chapters">{items}</ol>'
            if items
            else ""
        )
        + "</section>"
    )


def page(article: Article, inputs: LargePrintInputs | None = None) -> str:
    """Return the complete large-print page."""
    inputs = inputs or LargePrintInputs()
    faces = fonts.font_face_css(data_uri, italics=False)
    css = (STYLES / "large-print.css").read_text(encoding="utf-8")
    options = html.HtmlOptions(image_src=lambda f: data_uri(f.src), backlinks=True)
    timings = json.dumps(inputs.timings or {}, separators=(",", ":"))
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(article.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>{escape(article.title)}</title>\n"
        f'<meta name="author" content="{escape(article.author)}">\n'
        f'<meta name="description" content="{escape(article.description)}">\n'
        f"<style>\n{faces}\n{css}\n</style>\n</head>\n<body>\n"
        '<a class="skip-link" href="#main">Skip to the article</a>\n'
        '<header class="site">'
        + _contents(article)
        + _player(article, inputs)
        + "</header>\n"
        f'<main id="main">\n{html.body(article, options)}\n'
        '<p><a href="#main">Back to top</a></p>\n</main>\n'
        '<script type="application/json" id="timings">'
        f"{_script_safe(timings)}</script>\n"
        "</body>\n</html>\n"
    )


def _script_safe(text: str) -> str:
    """Keep JSON inside <script> from closing the element early."""
    return text.replace("</", "<\\/")


def render(
    article: Article, out_dir: Path, inputs: LargePrintInputs | None = None
) -> Path:
    """Write `<stem>-large-print.html`."""
    target = out_dir / f"{article.stem}-large-print.html"
    return write_text(target, page(article, inputs))
