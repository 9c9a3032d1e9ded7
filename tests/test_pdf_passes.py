"""The PDF step's cost (issue 22): one layout and one write per PDF, same bytes twice,
and a caption that keeps its table without a second layout pass."""

from __future__ import annotations

from collections import Counter
from pathlib import Path
from typing import Any

import pikepdf
import pytest
from weasyprint import HTML

from editions.paths import STYLES
from editions.pdf import render as pdf_render, tables
from editions.pdf.render import PdfSettings
from editions.source import article as source

GOOD = Path(__file__).resolve().parent / "data" / "good" / "article.md"
BOTH = (PdfSettings(), PdfSettings(body_pt=18, suffix="-large-print"))


def _counting(
    monkeypatch: pytest.MonkeyPatch, counts: Counter[str], owner: Any, name: str
) -> None:
    original = getattr(owner, name)

    def counted(*args: Any, **kwargs: Any) -> Any:
        counts[name] += 1
        return original(*args, **kwargs)

    monkeypatch.setattr(owner, name, counted)


def test_each_pdf_is_laid_out_once_and_written_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    article, _ = source.load(GOOD)
    counts: Counter[str] = Counter()
    for owner, name in ((HTML, "render"), (pikepdf.Pdf, "save"), (pikepdf, "open")):
        _counting(monkeypatch, counts, owner, name)
    first = [pdf_render.render(article, tmp_path / "a", s) for s in BOTH]
    # WeasyPrint lays each out once; pikepdf opens its bytes and saves them once.
    assert counts == {"render": 2, "save": 2, "open": 2}
    second = [pdf_render.render(article, tmp_path / "b", s) for s in BOTH]
    for one, two in zip(first, second, strict=True):
        assert one.path.read_bytes() == two.path.read_bytes()  # byte-deterministic
        assert one.pages == two.pages and len(one.pages.starts) >= 2
    assert first[0].path.read_bytes() != first[1].path.read_bytes()
    assert not list((tmp_path / "a").glob(".*.part"))  # nothing half-written


def _table_page(spacer_mm: int, extra_css: str = "") -> tuple[list[str], Any]:
    """Lay out a spacer then a captioned table with print.css; return its pages."""
    rows = "".join(f"<tr><td>row {n}</td><td>{n} mg</td></tr>" for n in range(6))
    html = (
        '<html lang="en"><head><title>t</title><style>'
        + (STYLES / "print.css").read_text(encoding="utf-8")
        + extra_css
        + f'</style></head><body><div style="height: {spacer_mm}mm"></div>'
        '<table id="t"><caption>Table 1. Doses</caption>'
        "<thead><tr><th>Row</th><th>Dose</th></tr></thead>"
        f"<tbody>{rows}</tbody></table></body></html>"
    )
    document = HTML(string=html).render()
    return tables.stranded_captions(document), document


def test_a_caption_moves_with_its_rows_in_one_layout() -> None:
    # Where the caption fits at the page foot but the header and first row do not,
    # WeasyPrint alone leaves the caption behind (`break-after: auto`)...
    without = "caption { break-after: auto; }"
    spacers = [mm for mm in range(210, 250, 4) if _table_page(mm, without)[0]]
    assert spacers, "no spacer height strands the caption: the test proves nothing"
    # ...and print.css's rule moves the whole table to the next page instead.
    for mm in spacers:
        stranded, document = _table_page(mm)
        assert stranded == []
        assert len(document.pages) == 2
        assert "t" in document.pages[1].anchors  # the table starts on page 2
