"""Braille edition checks: page size, page numbers, print pages, words, contents.

Each compares what `read_braille` found in the BRF with the page settings, the
PDF's page count or the source model, and returns Findings (CHK080–CHK084).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

from editions.braille import cells
from editions.braille.front import PRELIMINARY
from editions.checks.compare.read_braille import BrailleShown
from editions.checks.compare.shown import words
from editions.errors import Finding, Location
from editions.model import Article

#: Back-translation must give back this share of the source's words (issue 21).
MIN_FIDELITY = 0.99
MAX_FINDINGS = 10


def _findings(code: str, problems: list[str], where: Path, key: str) -> list[Finding]:
    out = [Finding(code, p, Location(where, key=key)) for p in problems[:MAX_FINDINGS]]
    if len(problems) > MAX_FINDINGS:
        more = f"{len(problems) - MAX_FINDINGS} more like these"
        out.append(Finding(code, more, Location(where, key=key)))
    return out


def page_size(shown: BrailleShown, where: Path) -> list[Finding]:
    """CHK080: every line fits the cells, every page the lines; pages end in FF."""
    return _findings("CHK080", shown.layout, where, "page size")


def page_numbers(shown: BrailleShown, where: Path) -> list[Finding]:
    """CHK081: preliminary pages p1, p2… first, then body pages 1, 2… in order."""
    labels = [p.label for p in shown.braille_pages]
    prelim = [label for label in labels if label.startswith(PRELIMINARY)]
    wanted = [PRELIMINARY + cells.number(n) for n in range(1, len(prelim) + 1)]
    wanted += [cells.number(n) for n in range(1, len(labels) - len(prelim) + 1)]
    problems = [
        f"braille page {index} is numbered {found!r}, expected {want!r}"
        for index, (found, want) in enumerate(zip(labels, wanted, strict=True), 1)
        if found != want
    ]
    return _findings("CHK081", problems, where, "page numbers")


def print_pages(shown: BrailleShown, pdf_pages: int, where: Path) -> list[Finding]:
    """CHK082: the print page indicators are 1…N for the PDF's N pages, in order."""
    found = shown.print_pages_shown
    wanted = list(range(1, pdf_pages + 1))
    if found == wanted:
        return []
    return _findings(
        "CHK082",
        [
            f"the braille shows print pages {found}; the PDF has {pdf_pages} "
            f"page(s), so it should show {wanted}"
        ],
        where,
        "print pages",
    )


def source_words(article: Article) -> Counter[str]:
    """Count the words a reader must find: every sentence and every alt text."""
    texts = [s.text for s in article.sentences()] + [f.alt for f in article.figures]
    return words(" ".join(texts))


def fidelity(article: Article, shown: BrailleShown) -> tuple[float, Counter[str]]:
    """Return the share of source words back-translation recovers, and the missing."""
    expected = source_words(article)
    missing = expected - words(shown.text or "")
    total = sum(expected.values())
    return (1 - sum(missing.values()) / total if total else 1.0), missing


def back_translation(
    article: Article, shown: BrailleShown, where: Path
) -> list[Finding]:
    """CHK083: back-translated, the braille gives back ≥ 99 % of the source words."""
    share, missing = fidelity(article, shown)
    if share >= MIN_FIDELITY:
        return []
    listed = ", ".join(repr(w) for w, _n in missing.most_common(12))
    return [
        Finding(
            "CHK083",
            f"back-translation recovers {share:.2%} of the source words (at least "
            f"{MIN_FIDELITY:.0%} wanted); missing: {listed}",
            Location(where, key="back-translation"),
        )
    ]


def contents(shown: BrailleShown, where: Path) -> list[Finding]:
    """CHK084: each contents entry is a heading, in order, on the page it names."""
    problems = []
    blocks = shown.body_blocks
    at = 0
    for entry in shown.contents:
        wanted = entry.braille.replace(" ", "")
        found = next(
            (i for i in range(at, len(blocks)) if wanted in blocks[i][1]), None
        )
        if found is None:
            problems.append(
                f"contents entry {entry.braille!r} is not a heading after the one "
                "before it"
            )
            continue
        at = found + 1
        if blocks[found][0] != entry.page:
            problems.append(
                f"contents entry {entry.braille!r} names page {entry.page}; the "
                f"heading is on page {blocks[found][0]}"
            )
    return _findings("CHK084", problems, where, "contents")
