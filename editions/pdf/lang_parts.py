"""Language of parts → /Lang on the PDF's Span elements (PDF/UA-1 7.2, WCAG 3.1.2).

WeasyPrint 70 tags `<span lang="fr">` as a plain /Span and drops the language, so a
screen reader would say "anémie ferriprive" with an English voice. The article knows
each foreign run's text and language; this finds the Span elements that hold that
text, in reading order, and gives them /Lang. A run broken across lines becomes
several Spans, each of which gets the language.
"""

from __future__ import annotations

from collections import defaultdict

import pikepdf
from pikepdf import Dictionary

from editions.checks.compare.shown import squash
from editions.pdf.tagging import (
    ObjGen,
    is_struct_elem,
    paints,
    parent_tree,
    struct_kids,
    walk_structure,
)


def own_texts(pdf: pikepdf.Pdf) -> dict[ObjGen, str]:
    """Return the text each struct element paints itself (through its MCIDs)."""
    tree = parent_tree(pdf)
    texts: dict[ObjGen, list[str]] = defaultdict(list)
    if tree is None:
        return {}
    for page in pdf.pages:
        for paint in paints(page):
            mark = paint.mcid_mark
            if not paint.text or mark is None or mark.struct_parents is None:
                continue
            entry = tree.get(mark.struct_parents)
            if not isinstance(entry, pikepdf.Array) or mark.mcid is None:
                continue
            if mark.mcid < len(entry) and is_struct_elem(entry[mark.mcid]):
                texts[entry[mark.mcid].objgen].append(paint.text)
    return {key: "".join(parts) for key, parts in texts.items()}


def element_text(elem: Dictionary, own: dict[ObjGen, str]) -> str:
    """Return the text *elem* and its descendants paint, in order."""
    return own.get(elem.objgen, "") + "".join(
        element_text(kid, own) for kid in struct_kids(elem)
    )


def mark_languages(pdf: pikepdf.Pdf, parts: list[tuple[str, str]]) -> int:
    """Set /Lang on the Spans that show each (text, lang) part; return how many."""
    root = pdf.Root.get("/StructTreeRoot")
    if not parts or not isinstance(root, Dictionary):
        return 0
    own = own_texts(pdf)
    spans = [e for e, _p in walk_structure(root) if str(e.get("/S")) == "/Span"]
    marked = 0
    want = iter(parts)
    text, lang = next(want)
    target, done = squash(text), 0
    for span in spans:
        piece = squash(element_text(span, own))
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
