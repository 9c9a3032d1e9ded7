"""The "Listen to this article" box: a vector QR code and the printed audio link."""

from __future__ import annotations

from html import escape

import segno

DEFAULT_AUDIO_BASE_URL = "https://example.org/listen/"


def audio_url(base_url: str, stem: str) -> str:
    """Return where the audio edition of *stem* is published."""
    return base_url.rstrip("/") + f"/{stem}.mp3"


def qr_svg_data_uri(url: str) -> str:
    """Return a vector (SVG) QR code for *url* as a data: URI."""
    return str(segno.make(url, error="m").svg_data_uri(scale=4, border=2, dark="#000"))


def box(url: str) -> str:
    """Return the box's HTML: QR code with alt text, then the link in words."""
    src = qr_svg_data_uri(url)
    return (
        '<aside class="listen" aria-label="Listen to this article">\n'
        f'<img src="{escape(src)}" alt="QR code that opens the audio edition at '
        f'{escape(url)}" />\n'
        f"<p><strong>Listen to this article.</strong> Scan the code or go to:"
        f'<br /><a class="listen-url" href="{escape(url)}">{escape(url)}</a></p>\n'
        "</aside>"
    )
