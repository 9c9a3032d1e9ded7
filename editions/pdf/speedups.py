"""Make pydyf's page references O(1), so writing a long PDF stays linear.

WeasyPrint 70 tags every structure element and every link destination with its
page through `pydyf.PDF.page_references`, a property that rebuilds the tuple of
all page references on each call. Writing a PDF therefore costs pages × elements:
on the generated book (`editions.bench.longdoc`) that step grew 13× for 4× the
length, and at full size (about 900 + 2,000 pages, 100,000 elements) it is what
kept the PDF from finishing (issue 22). The tuple only changes when a page is
added (`add_page` appends three items to /Kids), so it is cached against the
length of /Kids: the same bytes, computed once per page instead of once per use.
"""

from __future__ import annotations

from typing import Any

import pydyf

_CACHE = "_editions_page_references"


def _page_references(pdf: Any) -> tuple[bytes, ...]:
    """Return pydyf's page references, rebuilt only when /Kids has grown."""
    kids = pdf.pages["Kids"]
    cached = pdf.__dict__.get(_CACHE)
    if cached is None or cached[0] != len(kids):
        references = tuple(f"{number} 0 R".encode("ascii") for number in kids[::3])
        cached = (len(kids), references)
        pdf.__dict__[_CACHE] = cached
    return cached[1]


def install() -> None:
    """Replace pydyf's property with the cached one (idempotent)."""
    current = pydyf.PDF.__dict__.get("page_references")
    if isinstance(current, property) and current.fget is not _page_references:
        pydyf.PDF.page_references = property(_page_references)  # type: ignore[attr-defined]
