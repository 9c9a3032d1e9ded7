"""The preliminary pages: a title page and a contents list with braille page numbers.

BANA numbers these pages apart from the body ("p1", "p2"…), so the body's page
numbers, which the contents list, are known before the contents is laid out.
"""

from __future__ import annotations

from dataclasses import dataclass

from editions.braille import cells
from editions.braille.layout import Blank, Item, Lines, Placed

#: Guide dots (dots 5) lead from a contents entry to its page number.
GUIDE_DOT = '"'
#: The prefix of preliminary page numbers.
PRELIMINARY = "P"


@dataclass(frozen=True)
class FrontText:
    """The front matter's words, already in braille."""

    title: str
    subtitle: str  # "" when the article has none, as publisher and rights
    byline: str
    dates: str  # "Updated … Review by …", as printed
    publisher: str
    rights: str
    code: str  # "Unified English Braille, grade 2"
    source: str  # where the print page numbers come from
    contents: str  # the word "Contents"
    pages: str  # the words "braille pages"


def title_page(front: FrontText, body_pages: int, width: int) -> list[Item]:
    """Return the title page: title, subtitle, author, dates, publisher, licence
    line, the code and the page count (the title alone in its first block: the
    read-back takes that block as the title)."""
    items: list[Item] = [Blank()]
    lines = (
        front.title,
        None,
        *((front.subtitle, None) if front.subtitle else ()),
        front.byline,
        front.dates,
        *(t for t in (front.publisher, front.rights) if t),
        None,
        front.code,
    )
    for text in lines:
        centred = Lines(tuple(cells.centre(text, width))) if text else Blank()
        items.append(centred)
    count = f"{cells.number(body_pages)} {front.pages}"
    items += [Blank(), Lines(tuple(cells.centre(count, width)))]
    items += [Blank(), Lines(tuple(cells.wrap(front.source, width, 0, 0)))]
    return items


def contents(front: FrontText, headings: list[Placed], width: int) -> list[Item]:
    """Return the contents list: one entry per heading, guide dots, page number."""
    items: list[Item] = [Lines(tuple(cells.centre(front.contents, width))), Blank()]
    for heading in headings:
        indent = 2 * (heading.level - 2)
        page = cells.number(heading.page)
        lines = cells.wrap(heading.braille, width - len(page) - 5, indent, indent + 2)
        last = lines[-1]
        room = width - len(last) - len(page) - 2
        if room >= 2:
            lines[-1] = f"{last} {GUIDE_DOT * room} {page}"
        else:
            lines.append(cells.right(" " * (indent + 2), page, width))
        items.append(Lines(tuple(lines)))
    return items


def preliminary_labels(count: int) -> list[str]:
    """Return "P#A", "P#B"… for *count* preliminary pages."""
    return [PRELIMINARY + cells.number(n) for n in range(1, count + 1)]
