"""WeasyPrint's layout log → the PDF edition's progress bar (pages laid out).

WeasyPrint has no progress callback, but it logs "Step 5 - Creating layout - Page
N" to `weasyprint.progress` as it makes each page. The page count is only known at
the end, so the total is estimated from the words and the type size, and grows if
the layout runs past it.
"""

from __future__ import annotations

import logging
import re
from collections.abc import Iterator
from contextlib import contextmanager

from editions import progress

#: Words on an A4 page of the hand-out at 12 pt (measured on the generated book).
WORDS_PER_PAGE_AT_12PT = 470
_PAGE = re.compile(r"Creating layout - Page (\d+)")


def estimate_pages(words: int, body_pt: float) -> int:
    """Guess a PDF's page count: pages grow with the square of the type size."""
    per_page = WORDS_PER_PAGE_AT_12PT * (12.0 / body_pt) ** 2
    return max(1, round(words / per_page))


class _Pages(logging.Handler):
    """Count pages as WeasyPrint logs them; report the PDFs' pages so far."""

    def __init__(self, edition: str, before: int, total: int, name: str) -> None:
        super().__init__(logging.INFO)
        self.edition, self.before, self.total, self.name = edition, before, total, name
        self.pages = 0

    def emit(self, record: logging.LogRecord) -> None:
        message = record.getMessage()
        if message.startswith("Step 6"):  # the layout is done: pydyf, then tagging
            progress.update(
                self.edition,
                self.before + self.pages,
                self.total,
                f"{self.name}: writing",
            )
            return
        found = _PAGE.search(message)
        if found is None:
            return
        self.pages = max(self.pages, int(found[1]))
        done = self.before + self.pages
        self.total = max(self.total, done + 1)
        progress.update(self.edition, done, self.total, f"{self.name}: laying out")


@contextmanager
def pages_laid_out(
    edition: str, name: str, before: int, total: int
) -> Iterator[_Pages]:
    """Report pages laid out while open; *before* pages came from earlier PDFs."""
    logger = logging.getLogger("weasyprint.progress")
    handler = _Pages(edition, before, total, name)
    level = logger.level
    logger.setLevel(logging.INFO)
    logger.addHandler(handler)
    try:
        yield handler
    finally:
        logger.removeHandler(handler)
        logger.setLevel(level)
