"""`invoke check`'s front-matter and large-print comparisons, one CheckRun each.

Kept apart from `checks/run.py` so the runner only calls `run_checks(checker)`:
metadata per edition (CHK041), the title block in the article's language (CHK042),
one Table element per table (CHK043), one L per glossary (CHK098), no dose or unit
broken across lines (CHK044) and the text size inside figures of the large-print PDF
(CHK040).
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from typing import Any

from editions import registry
from editions.checks import figure_text, front_matter, names, pdf_glossary, pdf_tables
from editions.checks.compare.read_epub import read_epub
from editions.checks.compare.read_html import read_html
from editions.checks.compare.read_pdf import read_pdf
from editions.checks.compare.shown import Shown
from editions.errors import Finding

#: Large print: UKAAF G003's ideal, and the large-print PDF's body size.
LARGE_PRINT_PT = 18.0


def run_checks(checker: Any) -> None:
    """Add this module's checks to a `checks.checker.Checker` run."""
    article, files = checker.article, checker.report.files

    def check(
        name: str, edition: str, fn: Callable[[], list[Finding]], file: str = ""
    ) -> None:
        file = file or edition
        checker.check(name, edition, files[file], fn, (file,))

    # A long book's MP3 parts stand in for the one-file MP3 (issue 22).
    parts = registry.BY_NAME["audio"].output("part").members(files)
    books = [("audio", "mp3 part", key, names.FRONT_MATTER) for key in parts] or [
        ("audio", "mp3", "mp3", names.FRONT_MATTER)
    ]
    for edition, kind, file, name in (
        ("pdf", "pdf", "pdf", names.FRONT_MATTER),
        ("pdf-large-print", "pdf", "pdf-large-print", names.FRONT_MATTER),
        ("epub", "epub", "epub", names.FRONT_MATTER),
        ("html", "html", "html", names.FRONT_MATTER),
        *books,
        ("audio", "m4b", "m4b", names.FRONT_MATTER_M4B),
    ):
        check(
            name,
            edition,
            lambda k=kind, f=file: front_matter.check_metadata(k, files[f], article),
            file,
        )
    readers: dict[str, Callable[[Path], Shown]] = {
        "pdf": lambda p: read_pdf(p, checker.exp.reference_heading),
        "pdf-large-print": lambda p: read_pdf(p, checker.exp.reference_heading),
        "epub": read_epub,
        "html": read_html,
    }
    for edition, reader in readers.items():
        check(
            names.TITLE_BLOCK,
            edition,
            lambda e=edition, r=reader: front_matter.check_title_block(
                checker.shown.get(e) or r(files[e]), article, files[e]
            ),
        )
    for edition in ("pdf", "pdf-large-print"):
        check(
            names.ONE_TABLE,
            edition,
            lambda e=edition: pdf_tables.check_tables(files[e], article),
        )
        check(
            names.ONE_GLOSSARY,
            edition,
            lambda e=edition: pdf_glossary.check_glossaries(files[e], article),
        )
        check(
            names.UNIT_BREAKS,
            edition,
            lambda e=edition, r=readers[edition]: front_matter.check_unit_breaks(
                checker.shown.get(e) or r(files[e]), article, files[e]
            ),
        )
    check(
        names.FIGURE_TEXT,
        "pdf-large-print",
        lambda: figure_text.check(files["pdf-large-print"], LARGE_PRINT_PT),
    )
