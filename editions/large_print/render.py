"""Article → one self-contained large-print HTML page (fonts, CSS, script inlined).

Nothing on the page is fetched from anywhere: fonts and images are data: URIs, the
stylesheet and the read-along script are inline, and the audio edition sits beside
the page as a relative file (or, with `inline_audio`, inside it as a data: URI).
Without JavaScript the page is a plain article with a plain <audio> element: the
reading settings and read-along buttons are `hidden` until the script shows them.
"""

from __future__ import annotations

import base64
import json
import mimetypes
import re
from dataclasses import dataclass
from html import escape
from pathlib import Path
from urllib.parse import quote

from editions import fonts, html_body as html, locale
from editions.facts import Timings
from editions.large_print import parts
from editions.large_print.controls import (
    script_labels_json,
    settings_panel,
    speed_options,
)
from editions.model import Article, block_sentences
from editions.output import write_text
from editions.paths import STYLES

STYLESHEET = STYLES / "large-print.css"
SCRIPT = STYLES / "large-print.js"


@dataclass(frozen=True)
class LargePrintInputs:
    """Facts from the audio edition (never re-parsed from the MP3)."""

    audio_name: str = ""  # the MP3 beside the page, e.g. "article.mp3"
    timings: Timings | None = None  # the audio's timeline
    audio_path: Path | None = None  # the MP3 itself: its size, or its bytes to inline
    inline_audio: bool = False  # embed the MP3 as a data: URI (one file, ~1.33x size)
    #: A long book's MP3 parts (`timings.parts`); `audio_name` is then part 1.
    parts: tuple[Path, ...] = ()


def data_uri(path: Path) -> str:
    """Return *path* as a base64 data: URI."""
    media = mimetypes.guess_type(path.name)[0] or "application/octet-stream"
    if path.suffix == ".ttf":
        media = "font/ttf"
    return f"data:{media};base64,{base64.b64encode(path.read_bytes()).decode()}"


def clock(seconds: float) -> str:
    """Return 83.4 as "1:23" (and 3723 as "1:02:03") for chapter start times."""
    total = int(seconds)
    hours, rest = divmod(total, 3600)
    minutes, secs = divmod(rest, 60)
    return f"{hours}:{minutes:02d}:{secs:02d}" if hours else f"{minutes}:{secs:02d}"


def _contents(article: Article) -> str:
    links = "".join(
        f'<li><a href="#{escape(section_id)}">{escape(text)}</a></li>'
        for level, section_id, text in article.headings[1:]
        if level == 2
    )
    return (
        f'<nav class="toc" id="contents" aria-labelledby="toc-h">'
        f'<h2 id="toc-h">{escape(locale.label(article.lang, "contents"))}</h2>'
        f"<ol>{links}</ol></nav>"
    )


def _audio_src(inputs: LargePrintInputs) -> str:
    if inputs.inline_audio:
        if inputs.audio_path is None:
            raise ValueError("inline_audio needs audio_path (the MP3 to embed)")
        return data_uri(inputs.audio_path)
    return _audio_href(inputs)


def _audio_href(inputs: LargePrintInputs) -> str:
    """Return the MP3's name as a link: a space, `#` or `?` in it must be quoted."""
    return quote(inputs.audio_name)


def _chapter_links(article: Article, inputs: LargePrintInputs) -> str:
    """One link per chapter; without JavaScript it opens the MP3 at that time."""
    chapters = inputs.timings.chapters if inputs.timings else ()
    section_ids = [s.section_id for s in article.sections if s.level <= 2]
    items = []
    for n, chapter in enumerate(chapters):
        start = chapter.start
        if inputs.inline_audio:
            # A media fragment on a data: URI would repeat the whole MP3 per link.
            target = f"#{section_ids[n]}" if n < len(section_ids) else "#listen"
        else:  # a long book: the part that holds the chapter, at its time there
            target = parts.fragment(inputs.timings, _audio_href(inputs), start)
        items.append(
            f'<li><a href="{escape(target)}" data-start="{start:.3f}">'
            f"{escape(chapter.title)}</a> "
            f'<span class="time">({clock(start)})</span></li>'
        )
    if not items:
        return ""
    return (
        f'<h3 id="chapters-h">{escape(locale.label(article.lang, "chapters"))}</h3>'
        f'<ol class="chapters" aria-labelledby="chapters-h">{"".join(items)}</ol>'
    )


def _player(article: Article, inputs: LargePrintInputs) -> str:
    """The listen box: a plain <audio>, big read-along controls for JS, chapters.

    The script swaps the browser's own small audio controls for the large ones;
    without it the page keeps the plain <audio controls> element.
    """
    if not inputs.audio_name:
        return ""

    def say(key: str) -> str:
        return escape(locale.label(article.lang, key))

    name = escape(_audio_href(inputs))
    duration = float(inputs.timings.duration) if inputs.timings else 0.0
    total = locale.label(article.lang, "time.of", now="0:00", total=clock(duration))
    download = ""
    if inputs.timings is not None and inputs.timings.parts:
        if inputs.inline_audio:
            raise ValueError("inline_audio carries one MP3, not a long book's parts")
        download = parts.downloads(article.lang, inputs.timings, inputs.parts)
    elif not inputs.inline_audio:
        download = (
            f'<p class="download"><a href="{name}" download>{say("download")} '
            f"(MP3{escape(parts.size_note(inputs.audio_path, article.lang))})</a></p>"
        )
    return (
        '<section class="player" id="listen" aria-labelledby="listen-h">'
        f'<h2 id="listen-h">{say("listen")}</h2>'
        f'<p class="player-note">{say("player_note")}</p>'
        f'<audio id="audio" controls preload="metadata" src="{_audio_src(inputs)}">'
        f'<a href="{name}">{say("download_edition")}</a></audio>'
        '<div class="player-controls" id="player-controls" hidden>'
        f'<div class="position"><label for="position">{say("position")}</label>'
        f'<input type="range" id="position" min="0" max="{int(duration)}" step="1" '
        f'value="0"><p class="clock" id="clock">{escape(total)}</p></div>'
        '<div class="buttons">'
        + "".join(
            f'<button type="button" data-action="{action}">{say(action)}</button>'
            for action in ("play", "previous", "next", "back", "forward")
        )
        + "</div>"
        f'<div class="field"><label for="speed">{say("speed")}</label>'
        f'<select id="speed" name="speed">{speed_options(article.lang)}</select></div>'
        '<div class="choice"><input type="checkbox" name="follow" id="follow" '
        f'value="on" checked><label for="follow">{say("follow")}</label></div>'
        "</div>"
        '<p class="player-status" id="player-status" role="status"></p>'
        f"<noscript><p>{say('noscript')}</p></noscript>"
        + download
        + _chapter_links(article, inputs)
        + "</section>"
    )


def _dock(lang: str) -> str:
    """A slim bar that keeps Pause within reach once the player scrolls away."""

    def say(key: str) -> str:
        return escape(locale.label(lang, key))

    return (
        f'<aside class="dock" id="dock" aria-label="{say("audio")}" hidden>'
        f'<button type="button" data-action="play">{say("play")}</button>'
        f'<button type="button" data-action="previous">{say("previous")}</button>'
        f'<a href="#listen">{say("all_controls")}</a></aside>'
    )


_TABLE_START = re.compile(r'<table id="[^"]*">\n(?:<caption><span id="([^"]*)")?')


def _scrolling_tables(body: str, lang: str) -> str:
    """Wrap each table in a labelled, focusable region that scrolls sideways.

    WCAG 1.4.10 lets a data table scroll on its own; the page itself must not,
    even at double text size on a phone. html.py escapes all text, so every
    "<table" and "</table>" in *body* is markup it wrote.
    """

    untitled = escape(locale.label(lang, "table"))

    def region(match: re.Match[str]) -> str:
        caption = match[1]
        label = (
            f'aria-labelledby="{caption}"' if caption else f'aria-label="{untitled}"'
        )
        return (
            f'<div class="table-scroll" role="region" tabindex="0" {label}>' + match[0]
        )

    wrapped, count = _TABLE_START.subn(region, body)
    if count != body.count("</table>"):
        raise ValueError("could not wrap every table of the large-print page")
    return wrapped.replace("</table>", "</table></div>")


def _text_start(article: Article) -> str:
    """Return the id the skip link jumps to: the first sentence after the title."""
    first = next(block_sentences(article.sections[0].blocks), None)
    if first is not None:
        return first.sentence_id
    if len(article.sections) > 1:
        return article.sections[1].section_id
    return "main"


def _inline_script(text: str) -> str:
    """Refuse script text that would end the <script> element early."""
    lowered = text.lower()
    if "</script" in lowered or "<!--" in lowered:
        raise ValueError(f"{SCRIPT.name} must not contain '</script' or '<!--'")
    return text


def _script_safe(json_text: str) -> str:
    """Keep JSON inside <script> from closing the element early ("</script", "<!--").

    Every "<" in JSON text sits inside a string, where \\u003c means the same.
    """
    return json_text.replace("<", "\\u003c")


def _head_meta(article: Article) -> str:
    """Return one author meta per author, the description, keywords and dates."""
    metas = [("author", name) for name in article.author_names]
    metas.append(("description", article.description))
    if article.keywords:
        metas.append(("keywords", ", ".join(article.keywords)))
    if article.iso_date:
        metas.append(("dcterms.created", article.iso_date))
    if article.publisher:
        metas.append(("dcterms.publisher", article.publisher))
    if article.rights:
        metas.append(("dcterms.rights", article.rights))
    return "".join(
        f'<meta name="{name}" content="{escape(value)}">\n' for name, value in metas
    )


def page(article: Article, inputs: LargePrintInputs | None = None) -> str:
    """Return the complete large-print page."""
    inputs = inputs or LargePrintInputs()
    faces = fonts.font_face_css(data_uri, italics=False)
    css = STYLESHEET.read_text(encoding="utf-8")
    css += (STYLES / "constructs.css").read_text(encoding="utf-8")
    script = _inline_script(SCRIPT.read_text(encoding="utf-8"))
    after_title = (
        settings_panel(article.lang) + _contents(article) + _player(article, inputs)
    )
    options = html.HtmlOptions(
        image_src=lambda f: data_uri(f.src), backlinks=True, after_title=after_title
    )
    body = html.body(article, options)
    timings = json.dumps(
        inputs.timings.as_dict() if inputs.timings else {}, separators=(",", ":")
    )
    return (
        "<!DOCTYPE html>\n"
        f'<html lang="{escape(article.lang)}">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        '<meta name="color-scheme" content="light dark">\n'
        f"<title>{escape(article.title)}</title>\n"
        + _head_meta(article)
        + f"<style>\n{faces}\n{css}\n</style>\n"
        # In <head> so saved settings apply before the first paint (no theme flash).
        f"<script>\n{script}\n</script>\n</head>\n"
        '<body id="top">\n'
        f'<a class="skip-link" href="#{escape(_text_start(article))}">'
        f"{escape(locale.label(article.lang, 'skip'))}</a>\n"
        f'<main id="main">\n{_scrolling_tables(body, article.lang)}\n'
        '<p class="back-to-top"><a href="#top">'
        f"{escape(locale.label(article.lang, 'back_to_top'))}</a></p>\n</main>\n"
        + (_dock(article.lang) if inputs.audio_name else "")
        + '\n<script type="application/json" id="timings">'
        f"{_script_safe(timings)}</script>\n"
        # The words large-print.js writes ("Pause", "0:41 of 2:05"), in the
        # article's language: data, like the timings, never code.
        '<script type="application/json" id="labels">'
        f"{_script_safe(script_labels_json(article.lang))}</script>\n"
        "</body>\n</html>\n"
    )


def render(
    article: Article, out_dir: Path, inputs: LargePrintInputs | None = None
) -> Path:
    """Write `<stem>-large-print.html`."""
    target = out_dir / f"{article.stem}-large-print.html"
    return write_text(target, page(article, inputs))
