"""The "Listen to this article" box: a vector QR code and the printed audio link."""

from __future__ import annotations

from html import escape

from editions import locale

DEFAULT_AUDIO_BASE_URL = "https://example.org/listen/"


def audio_url(base_url: str, stem: str) -> str:
    """Return where the audio edition of *stem* is published."""
    return base_url.rstrip("/") + f"/{stem}.mp3"


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
