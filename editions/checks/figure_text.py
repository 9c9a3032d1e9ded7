"""Large-print PDF → the smallest text inside each Figure, and a finding when small.

A chart's labels are text too: a large-print edition whose body is 18 pt but whose
chart labels are 7 pt fails the reader it was made for (UKAAF G003 asks for 16 pt at
least, ideally 18). Text drawn inside a Figure's marked content (an SVG's labels) is
measured with its effective size (font size × text matrix × CTM); raster figures hold
no text and are not measured.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary

from editions.errors import Finding, Location
from editions.pdf.content import paints
from editions.pdf.reading import is_struct_elem, parent_tree, role_of


@dataclass(frozen=True)
class FigureText:
    """One Figure element with text inside: its alt text and its smallest glyph."""

    alt: str
    smallest_pt: float
    page: int


def figure_text(path: Path) -> list[FigureText]:
    """Measure the smallest text size inside each Figure of the PDF at *path*."""
    found: dict[tuple[int, int], FigureText] = {}
    with pikepdf.open(path) as pdf:
        tree = parent_tree(pdf)
        if tree is None:
            return []
        for number, page in enumerate(pdf.pages, start=1):
            for painted in paints(page):
                if not painted.text.strip() or painted.size <= 0:
                    continue
                figure = _figure_of(pdf, tree, painted.marks)
                if figure is None:
                    continue
                key = figure.objgen
                size = round(painted.size, 2)
                if key not in found or size < found[key].smallest_pt:
                    alt = str(figure.get("/Alt", ""))
                    found[key] = FigureText(alt, size, number)
    return list(found.values())


def _figure_of(
    pdf: pikepdf.Pdf, tree: pikepdf.NumberTree, marks: tuple[object, ...]
) -> Dictionary | None:
    """Return the Figure element (or Figure ancestor) owning the innermost MCID."""
    for mark in reversed(marks):
        mcid = getattr(mark, "mcid", None)
        key = getattr(mark, "struct_parents", None)
        if mcid is None or key is None:
            continue
        entry = tree.get(int(key))
        if not isinstance(entry, Array) or mcid >= len(entry):
            continue
        node = entry[mcid]
        for _ in range(64):
            if not is_struct_elem(node):
                break
            if role_of(pdf, node) == "Figure":
                return node
            node = node.get("/P")
        return None
    return None


def check(path: Path, minimum_pt: float = 18.0) -> list[Finding]:
    """Return a CHK040 error for each Figure whose text is below *minimum_pt*."""
    return [
        Finding(
            "CHK040",
            f"text inside the figure {item.alt[:60]!r} is {item.smallest_pt:g} pt "
            f"on page {item.page}; the large-print edition needs {minimum_pt:g} pt: "
            "draw the chart with larger labels",
            Location(path, None, "figure text"),
        )
        for item in figure_text(path)
        if item.smallest_pt + 0.05 < minimum_pt
    ]
