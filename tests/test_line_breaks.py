"""No word breaks inside itself in either PDF; URLs and DOIs break after / . - only."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from conftest import ARTICLES, Built

from editions.checks.compare import line_breaks

#: Right page margin of styles/print.css (20 mm), in points, less 1 pt of rounding.
RIGHT_MARGIN_PT = 20 / 25.4 * 72 - 1


@pytest.fixture(scope="session")
def pdfs(pdf_builds: dict[str, Built]) -> dict[str, tuple[str, Path]]:
    """Each PDF of each article, with its article's words on one line."""
    found = {}
    for name, built in pdf_builds.items():
        text = line_breaks.source_text(built.article)
        for edition in ("pdf", "pdf-large-print"):
            found[f"{name}-{edition}"] = (text, built.paths[edition])
    return found


CASES = [f"{n}-{e}" for n in sorted(ARTICLES) for e in ("pdf", "pdf-large-print")]


@pytest.mark.parametrize("case", CASES)
def test_every_line_end_falls_between_source_words(
    pdfs: dict[str, tuple[str, Path]], case: str
) -> None:
    text, pdf = pdfs[case]
    laid_out = line_breaks.pdf_lines(pdf)
    ends = line_breaks.line_ends(laid_out)
    assert len(ends) > 30  # the comparison really looked at the text
    assert [str(b) for b in line_breaks.broken_words(laid_out, text)] == []


@pytest.mark.parametrize("case", CASES)
def test_no_text_runs_into_the_right_margin(
    pdfs: dict[str, tuple[str, Path]], case: str
) -> None:
    """Without overflow-wrap a long URL could stick out instead of breaking."""
    _, pdf = pdfs[case]
    html = line_breaks.run_poppler("pdftotext", ["-bbox", str(pdf), "-"], 120)
    width = 0.0
    over = []
    for match in re.finditer(
        rb'<page width="([\d.]+)"|xMax="([\d.]+)"[^>]*>([^<]*)<', html
    ):
        if match[1]:
            width = float(match[1])
        elif float(match[2]) > width - RIGHT_MARGIN_PT:
            over.append(match[3].decode())
    assert width and over == []


def test_a_word_split_without_hyphen_is_found() -> None:
    source = "Understanding the epidemic. Pharmacotherapy, 38. https://doi.org/10.1/x.y"
    laid_out = "Underst\nanding the epidemic. Phar\nmacotherapy, 38. https://doi.org/\n"
    laid_out += "10.1/x.y\fhttp\ns://doi.org/10.1/x.y"
    found = line_breaks.broken_words(laid_out, source)
    assert [(b.page, b.before, b.after, b.url) for b in found] == [
        (1, "Underst", "anding", False),
        (1, "Phar", "macotherapy,", False),
        (2, "http", "s://doi.org/10.1/x.y", True),
    ]


def test_breaks_between_words_and_at_dashes_are_fine() -> None:
    source = "Low-dose naltrexone (LDN)—Review of vascular/circulatory system in to"
    laid_out = "Low-\ndose naltrexone (LDN)\n—Review of vascular/\ncirculatory"
    laid_out += " system in\nto"
    assert line_breaks.broken_words(laid_out, source) == []
