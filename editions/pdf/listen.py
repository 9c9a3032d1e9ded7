"""The "Listen to this article" box: a vector QR code and the printed audio link."""

from __future__ import annotations

from html import escape
from urllib.parse import quote

from editions import locale

DEFAULT_AUDIO_BASE_URL = "https://example.org/listen/"

#: Speaking rate at the slow hard limit (standards §4: 120–180 wpm): the PDF is laid
#: out beside the speech, so whether the audio will come in MP3 parts is estimated
#: from the written words, erring towards "parts" by a half (speech says more than
#: the page shows: numbers, units and citations spelled out, the reference list).
SLOWEST_WPM = 120
MARGIN = 0.5


def may_come_in_parts(words: int, part_minutes: float) -> bool:
    """True when the audio of *words* could play longer than one MP3 part."""
    return words / SLOWEST_WPM > MARGIN * part_minutes


def audio_url(base_url: str, stem: str, page: str = "") -> str:
    """Return where the audio edition of *stem* is published: its MP3, or, given
    the large-print *page* name for a book that may come in parts (no `{stem}.mp3`
    then), that page, which lists the parts and plays across them.

    The name is URL-quoted: a space, `#` or `?` in the article's name would end the
    path early in the QR code and the printed link.
    """
    return base_url.rstrip("/") + "/" + quote(page or f"{stem}.mp3")


def qr_svg_data_uri(url: str) -> str:
    """Return a vector (SVG) QR code for *url* as a data: URI."""
    import segno  # only when a PDF is laid out: a no-op rebuild never needs it

    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000"))


def box(url: str, lang: str = "en") -> str:
    """Return the box's HTML in *lang*: QR code with alt text, then the link."""
    src = qr_svg_data_uri(url)
    listen = escape(locale.label(lang, "listen"))
    alt = escape(locale.label(lang, "qr_alt", url=url))
    return (
        f'<aside class="listen" aria-label="{listen}">\n'
        f'<img src="{escape(src)}" alt="{alt}" />\n'
        f"<p><strong>{listen}.</strong> {escape(locale.label(lang, 'listen_scan'))}"
        f'<br /><a class="listen-url" href="{escape(url)}">{escape(url)}</a></p>\n'
        "</aside>"
    )
