"""One XHTML document of the EPUB: the shell every content and nav document shares."""

from __future__ import annotations

from html import escape

from editions.model import Article


def xhtml(
    article: Article, title: str, body: str, *, stylesheet: bool, lexicon: bool = False
) -> str:
    lang = escape(article.lang)
    links = '<link rel="stylesheet" type="text/css" href="styles/epub.css" />'
    if lexicon:
        links += (
            f'<link rel="pronunciation" type="application/pls+xml" '
            f'hreflang="{lang}" href="lexicon.pls" />'
        )
    return (
        '<?xml version="1.0" encoding="utf-8"?>\n<!DOCTYPE html>\n'
        '<html xmlns="http://www.w3.org/1999/xhtml" '
        'xmlns:epub="http://www.idpf.org/2007/ops" '
        f'lang="{lang}" xml:lang="{lang}">\n<head>\n<meta charset="utf-8" />\n'
        f"<title>{escape(title)}</title>\n{links if stylesheet else ''}\n</head>\n"
        f"<body>\n{body}\n</body>\n</html>\n"
    )
