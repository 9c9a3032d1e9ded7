"""The PDF editions' checks: PDF/UA-1 machine checks, then read back and compared."""

from __future__ import annotations

from editions.checks import names
from editions.checks.checker import Checker
from editions.checks.compare import line_breaks
from editions.checks.compare.read_pdf import read_pdf
from editions.checks.pdf import check_pdf


def check(checker: Checker) -> None:
    """Both PDFs: PDF/UA-1 machine checks, then read back and compare."""
    for edition in ("pdf", "pdf-large-print"):
        target = checker.report.files[edition]
        checker.check(
            names.PDF_UA,
            edition,
            target,
            lambda t=target: check_pdf(
                t, title=checker.article.title, lang=checker.article.lang
            ),
            (edition,),
        )
        shown = checker.read(
            edition,
            target,
            lambda t=target: read_pdf(t, checker.exp.reference_heading),
            (edition,),
        )
        if shown is not None:
            checker.shown[edition] = shown
        checker.compare(edition, target, shown, checker.visual_checks(edition, target))
        checker.check(
            names.LINE_BREAKS,
            edition,
            target,
            lambda t=target: line_breaks.check(t, checker.article),
            (edition,),
        )
        checker.check(
            names.THUMBNAILS,
            edition,
            target,
            lambda e=edition, t=target: checker.thumbnails(e, t),
            (edition,),
        )
