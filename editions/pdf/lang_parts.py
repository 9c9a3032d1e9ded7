"""Language of parts → /Lang on the PDF's Span elements (PDF/UA-1 7.2, WCAG 3.1.2).

WeasyPrint 70 tags `<span lang="fr">` as a plain /Span and drops the language, so a
screen reader would say "anémie ferriprive" with an English voice. The article knows
each foreign run's text and language; this finds the Span elements that hold that
text, in reading order, and gives them /Lang. A run broken across lines becomes
several Spans, each of which gets the language.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Dictionary

from editions.pdf.reading import walk_structure
from editions.pdf.text import element_text, marked_content, squash


def mark_languages(pdf: pikepdf.Pdf, parts: list[tuple[str, str]]) -> int:
    """Set /Lang on the Spans that show each (text, lang) part; return how many."""
    root = pdf.Root.get("/StructTreeRoot")
    if not parts or not isinstance(root, Dictionary):
        return 0
    content = marked_content(pdf)
    spans = [e for e, _p in walk_structure(root) if str(e.get("/S")) == "/Span"]
    marked = 0
    want = iter(parts)
    text, lang = next(want)
    target, done = squash(text), 0
    for span in spans:
        piece = squash(element_text(span, content))
        if not piece or not target.startswith(piece, done):
            continue
        span.Lang = pikepdf.String(lang)
        marked += 1
        done += len(piece)
        if done >= len(target):
            following = next(want, None)
            if following is None:
                break
            text, lang = following
            target, done = squash(text), 0
    return marked
