"""The text of a tagged PDF's structure: what each element shows, in tag order.

Used by the repair passes (glossaries, language of parts) and by the checkers that
read a PDF back, so neither depends on the other.
"""

from __future__ import annotations

import re
import unicodedata
from collections import defaultdict

import pikepdf
from pikepdf import Dictionary, Name

from editions.pdf.content import Paint, paints
from editions.pdf.reading import is_struct_elem, kids

_SPACE = re.compile(r"\s+")
#: Marks the build adds for screens (the footnote back-link arrow, emoji selectors).
_DECORATION = re.compile(r"[\u21a9\ufe0e\ufe0f]")


def squash(text: str) -> str:
    """Return *text* without whitespace or decoration, for layout-proof equality.

    PDF text extraction drops the space between two spans and adds one at a line
    break, even inside a URL; comparing without any whitespace survives both.
    """
    text = unicodedata.normalize("NFKC", text)
    return _SPACE.sub("", _DECORATION.sub("", text))


def marked_content(pdf: pikepdf.Pdf) -> dict[tuple[int, int], list[Paint]]:
    """Map (ParentTree key, MCID) to the text-showing operators inside it, in order."""
    parts: dict[tuple[int, int], list[Paint]] = defaultdict(list)
    for page in pdf.pages:
        for p in paints(page):
            mark = p.mcid_mark
            if p.text and mark is not None and mark.struct_parents is not None:
                parts[(mark.struct_parents, mark.mcid or 0)].append(p)
    return dict(parts)


def join_shown(found: list[Paint]) -> str:
    """Join shown text: directly on one baseline, with a space at a new line."""
    text = ""
    last_y: float | None = None
    for p in found:
        if last_y is not None and p.y is not None and abs(p.y - last_y) > 1:
            text += " "
        text += p.text
        last_y = p.y if p.y is not None else last_y
    return text


def element_text(elem: Dictionary, content: dict[tuple[int, int], list[Paint]]) -> str:
    """Return /ActualText, or the text of all marked content under *elem* in order.

    *content* comes from `marked_content`. Parts on one baseline are joined directly;
    a line break becomes a space.
    """
    return join_shown(_element_paints(elem, content, None, 0))


def _element_paints(
    elem: Dictionary,
    content: dict[tuple[int, int], list[Paint]],
    page: pikepdf.Object | None,
    depth: int,
) -> list[Paint]:
    """Collect the text paints under *elem*; /ActualText stands in for its subtree.

    MCIDs are resolved on the element's /Pg (inherited from ancestors), or on an MCR's
    /Stm or /Pg, through that page's or form's /StructParents key.
    """
    if "/ActualText" in elem:
        return [Paint("ActualText", -1, (0, 0), (), None, None, str(elem.ActualText))]
    page = elem.get("/Pg", page)
    out: list[Paint] = []
    for k in kids(elem):
        owner: pikepdf.Object | None = page
        if is_struct_elem(k):
            if depth < 64:
                out.extend(_element_paints(k, content, page, depth + 1))
            continue
        mcid: pikepdf.Object | None = k
        if isinstance(k, Dictionary) and k.get("/Type") == Name.MCR:
            owner = k.get("/Stm", k.get("/Pg", page))
            mcid = k.get("/MCID")
        key = owner.get("/StructParents") if isinstance(owner, Dictionary) else None
        if isinstance(mcid, int) and isinstance(key, int):
            out.extend(content.get((int(key), int(mcid)), []))
    return out
