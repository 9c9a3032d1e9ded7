"""The braille edition in the report: its numbers, and every page shown twice.

Sighted editors cannot read the BRF's ASCII; each page is shown line by line in
Unicode braille (as it is embossed) beside the same line back-translated to print,
so a misplaced heading or a lost word can be seen without a braille reader.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from html import escape

from editions.report.results import BrailleSummary, PreviewPage

Table = Callable[..., str]

CSS = """
span.cells { font-family: "DejaVu Sans", sans-serif; white-space: pre;
  letter-spacing: .05em; }
"""


def section(summary: BrailleSummary, table: Table) -> str:
    """Return the braille part of the report (figures, then the page preview)."""
    rows = [
        ["Braille code", escape(f"{summary.code} ({summary.table})")],
        ["Page size", f"{summary.cells} cells × {summary.lines} lines"],
        [
            "Braille pages",
            f"{summary.braille_pages} + {summary.preliminary_pages} "
            "preliminary (title page, contents)",
        ],
        ["Print page indicators", str(summary.print_pages)],
        ["Back-translation fidelity", f"{summary.fidelity:.2%} of the source words"],
        [
            "Source words not given back",
            escape(", ".join(f"{w} ×{n}" for w, n in summary.missing.items()))
            or "none",
        ],
    ]
    parts = [
        "<h3>Braille edition</h3>",
        table("The braille edition in numbers", ["Measure", "Value"], rows),
        "<h3>Pages in braille and in print</h3>",
        "<p>Each line as embossed (Unicode braille) and back-translated by "
        "liblouis, for sighted editors. Line 1 carries the print page number, the "
        "last line the braille page number.</p>",
    ]
    parts += [_page(page, table) for page in summary.preview]
    return "\n".join(parts)


def _page(page: PreviewPage, table: Table) -> str:
    rows: Iterable[Sequence[str]] = [
        [
            str(number),
            f'<span class="cells">{escape(cells)}</span>',
            escape(text),
        ]
        for number, (cells, text) in enumerate(
            zip(page.cells, page.print, strict=True), start=1
        )
    ]
    return (
        f"<details><summary>Braille page {escape(page.label)}</summary>"
        + table(f"Braille page {page.label}", ["Line", "Braille", "Print"], rows)
        + "</details>"
    )
