"""Braille lines → numbered pages: print page indicators, headings kept with text.

Page layout follows BANA's Braille Formats: the print page number at the top right
(with a continuation letter, "a12", on the second braille page of print page 12),
the braille page number at the bottom right, a print page change shown as a line of
dots 3-6 ending in the new number, and never a heading alone at the foot of a page.
Lines 1 and the last hold only these numbers; the text runs on the lines between.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field

from editions.braille import cells


@dataclass(frozen=True)
class Blank:
    """A blank line (dropped at the top of a page)."""


@dataclass(frozen=True)
class PrintPage:
    """Print page *number* starts here."""

    number: int


@dataclass(frozen=True)
class Lines:
    """Lines of one paragraph; *keep* more lines must follow on the same page."""

    lines: tuple[str, ...]
    keep: int = 0
    heading: tuple[int, str] | None = None  # (level, braille) to list in contents


Item = Blank | PrintPage | Lines


@dataclass
class Page:
    """One braille page's text lines and the print page shown at its top right."""

    lines: list[str] = field(default_factory=list)
    top: str = ""


@dataclass(frozen=True)
class Placed:
    """A heading and the braille page it landed on (1-based, body pages)."""

    level: int
    braille: str
    page: int


#: Lines that must follow a print page change line on the same page (BANA: two).
AFTER_PAGE_CHANGE = 2


class Paginator:
    """Fill pages of *rows* text lines, *width* cells wide, from layout items."""

    def __init__(self, width: int, rows: int) -> None:
        self.width, self.rows = width, rows
        self.pages: list[Page] = []
        self.placed: list[Placed] = []
        self.print_page: int | None = None
        self.continued = 0  # braille pages so far on the current print page
        self.new_page()

    def run(self, items: Iterable[Item]) -> list[Page]:
        """Lay out *items*; empty trailing pages are dropped."""
        for item in items:
            if isinstance(item, Blank):
                if self._page.lines and self._room():
                    self._page.lines.append("")
            elif isinstance(item, PrintPage):
                self._print_page(item.number)
            else:
                self._lines(item)
        if len(self.pages) > 1 and not self._page.lines:
            self.pages.pop()
        return self.pages

    @property
    def _page(self) -> Page:
        return self.pages[-1]

    def _room(self) -> int:
        return self.rows - len(self._page.lines)

    def new_page(self) -> None:
        """Start a new braille page (the next print page continues on it)."""
        page = Page()
        if self.print_page is not None:
            self.continued += 1
            page.top = cells.continuation_letter(self.continued) + cells.number(
                self.print_page
            )
        self.pages.append(page)
        self._top_set = False

    def _print_page(self, number: int) -> None:
        at_top = not any(self._page.lines) and not self._top_set
        if not at_top and self._room() < 1 + AFTER_PAGE_CHANGE:
            self.new_page()
            at_top = True
        self.print_page, self.continued = number, 0
        if at_top:
            self._page.lines.clear()  # blank lines above it are not kept
            self._page.top, self._top_set = cells.number(number), True
        else:
            self._page.lines.append(cells.page_change(number, self.width))

    def _lines(self, item: Lines) -> None:
        need = len(item.lines) + item.keep
        if item.keep and self._room() < need and need <= self.rows:
            self.new_page()
        elif not self._room():
            self.new_page()
        if item.heading is not None:
            level, braille = item.heading
            self.placed.append(Placed(level, braille, len(self.pages)))
        for line in item.lines:
            if not self._room():
                self.new_page()
            self._page.lines.append(line)


def frame(
    pages: list[Page], labels: list[str], width: int, lines: int
) -> list[list[str]]:
    """Give each page its top line, its text and its braille page number at the foot."""
    framed = []
    for page, label in zip(pages, labels, strict=True):
        text = page.lines + [""] * (lines - 2 - len(page.lines))
        framed.append(
            [
                cells.right("", page.top, width).rstrip(),
                *(line.rstrip() for line in text),
                cells.right("", label, width),
            ]
        )
    return framed
