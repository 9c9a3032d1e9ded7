"""The braille edition's checks: read the BRF back, compare, preview for editors.

The page size and table come from the build's manifest (what the edition was made
with), the print page count from the PDF as its own checks read it back.
"""

from __future__ import annotations

from editions import state
from editions.braille import liblouis
from editions.braille.step import settings_of
from editions.braille.tables import choose
from editions.checks import braille as checks, names
from editions.checks.checker import Checker
from editions.checks.compare import consistency, text_fidelity
from editions.checks.compare.read_braille import BrailleShown, read_braille
from editions.errors import Finding
from editions.report.results import BrailleSummary, PreviewPage

EDITION = "braille"
NEEDS = ("brf",)


def check(checker: Checker) -> None:
    """Read the BRF back and run the braille checks; fill the report's preview."""
    report, article = checker.report, checker.article
    target = report.files["brf"]
    record = state.load(report.out_dir, article.stem).editions.get(EDITION)
    facts = record.facts if record is not None else {}
    settings = settings_of(facts)
    table = str(facts.get("table") or "")
    code = str(facts.get("code") or "")

    def read() -> BrailleShown:
        nonlocal table, code
        if not table:
            chosen = choose(article, settings)
            table, code = chosen.file, chosen.label
        return read_braille(target, table, settings.cells, settings.lines, article.lang)

    shown = checker.read(EDITION, target, read, NEEDS)
    summary = BrailleSummary(table, code, settings.cells, settings.lines)

    def print_pages(s: BrailleShown) -> list[Finding]:
        pdf = checker.shown.get("pdf")
        if pdf is None or pdf.pages is None:
            raise RuntimeError("the PDF edition could not be read for its page count")
        return checks.print_pages(s, pdf.pages, target)

    def back_translation(s: BrailleShown) -> list[Finding]:
        share, missing = checks.fidelity(article, s)
        # Kept out of the editorial "missing words": these words are in the braille,
        # and liblouis reads some back otherwise (the colon of "https:" as "cc").
        summary.fidelity, summary.missing = share, dict(missing.most_common())
        return checks.back_translation(article, s, target)

    exp = checker.exp
    checker.compare(
        EDITION,
        target,
        shown,
        [
            (names.HEADINGS, lambda s: consistency.headings(exp, s, target)),
            (names.ALT_TEXT, lambda s: consistency.alts(exp, s, target)),
            (names.BRAILLE_PAGE_SIZE, lambda s: checks.page_size(s, target)),
            (names.BRAILLE_PAGE_NUMBERS, lambda s: checks.page_numbers(s, target)),
            (names.BRAILLE_CONTENTS, lambda s: checks.contents(s, target)),
            (names.PRINT_PAGES, print_pages),
            (names.BACK_TRANSLATION, back_translation),
            (
                names.TEXT_FIDELITY,
                lambda s: text_fidelity.check(article, s.text, target),
            ),
        ],
    )
    if shown is None:
        return
    report.braille = summary
    summary.braille_pages = shown.pages or 0
    summary.preliminary_pages = len(shown.braille_pages) - summary.braille_pages
    summary.print_pages = len(shown.print_pages_shown)
    checker.check(
        names.BRAILLE_PREVIEW,
        EDITION,
        target,
        lambda: _preview(summary, shown, table),
        NEEDS,
    )


def _preview(summary: BrailleSummary, shown: BrailleShown, table: str) -> list[Finding]:
    """Show every page in Unicode braille and back-translated, for the report."""
    pages = shown.braille_pages
    rows = [row for page in pages for row in page.rows]
    braille = liblouis.unicode_cells(rows)
    printed = liblouis.backward(table, [r.strip() for r in rows])
    labels = liblouis.backward(table, [page.label for page in pages])
    at = 0
    for page, label in zip(pages, labels, strict=True):
        count = len(page.rows)
        summary.preview.append(
            PreviewPage(
                label.strip(),
                tuple(braille[at : at + count]),
                tuple(printed[at : at + count]),
            )
        )
        at += count
    return []
