"""`invoke check`: validate the built editions and compare each with the source.

Every validator runs on what is in the build folder (PDF/UA checks, EPUBCheck, Ace,
the Nu HTML Checker, axe-core in every view, the audio measures and the ASR
back-check); each edition is read back from its files and compared with the
source model (headings, navigation, reference entries, alt text, citation links,
timed sentences, words). The editorial review (references, reading level) looks
at the source itself. A check that cannot run is a failing check (CHK002), never a
skipped one; only `CheckOptions.only` narrows the run, and says so by name.
"""

from __future__ import annotations

from pathlib import Path
from time import perf_counter

from editions import lock, registry
from editions.checks import leaflet, names
from editions.checks.checker import Checker, CheckOptions
from editions.checks.compare import editorial, fidelity, readability
from editions.checks.compare.expected import expected
from editions.errors import EXIT_MISSING_PROGRAM, EXIT_VALIDATION, Finding
from editions.report.results import Report
from editions.source import article as source

__all__ = ["CheckOptions", "exit_code", "outputs", "run", "summary"]

READING_LEVEL = names.READING_LEVEL


def outputs(out_dir: Path, stem: str) -> dict[str, Path]:
    """Return where the build puts each edition file of the article *stem*."""
    return registry.outputs(out_dir, stem)


def run(path: Path, out_dir: Path, options: CheckOptions | None = None) -> Report:
    """Check every edition of *path* in *out_dir*; write the reports; return them.

    Raises BuildFailed when the source itself has errors (nothing to compare with).
    Holds the folder's build lock throughout, waiting for a build that is writing
    (BLD002) as a second build would: reading a half-updated set of editions would
    compare one build's PDF with another's audio. BLD001 when it stays busy.
    """
    options = options or CheckOptions()
    out_dir = Path(out_dir)
    with lock.locked(out_dir, lock.wait_seconds(out_dir), options.progress):
        return _run(Path(path), out_dir, options)


def _run(path: Path, out_dir: Path, options: CheckOptions) -> Report:
    started = perf_counter()
    article, warnings = source.load(path)
    files = outputs(out_dir, article.stem)
    report = Report(article.title, article.stem, article.source, out_dir, files)
    checker = Checker(report, article, expected(article), options)
    _source(checker, warnings)
    for edition in registry.EDITIONS:
        edition.checks().check(checker)
    leaflet.run_checks(checker)  # front matter, labels, tables, units, figure text
    report.seconds = perf_counter() - started
    if options.write_report:
        from editions.report import html_report, json_report

        json_report.write(report, out_dir / "report.json")
        html_report.write(report, out_dir / "report.html")
    return report


def exit_code(report: Report, strict: bool = False) -> int:
    """Return 0, 4 (a check failed) or 5 (a validator's program is missing)."""
    if report.missing_program:
        return EXIT_MISSING_PROGRAM
    return EXIT_VALIDATION if report.failing(strict) else 0


def summary(report: Report, strict: bool = False) -> str:
    """Return the closing line: counts, the verdict and where the report is."""
    errors = sum(f.severity == "error" for f in report.findings)
    warnings = len(report.findings) - errors
    failing = len(report.failing(strict))
    verdict = (
        f"{failing} finding(s) fail the check"
        + (" (--strict: warnings count)" if strict and warnings else "")
        if failing
        else "all checks passed"
    )
    where = report.out_dir / "report.html"
    return (
        f"{errors} error(s), {warnings} warning(s) in {len(report.runs)} checks: "
        f"{verdict}. Report: {where}"
    )


def _source(checker: Checker, warnings: list[Finding]) -> None:
    """Source warnings (uncited, placeholders) and the editorial review."""
    article, report = checker.article, checker.report
    checker.check(names.SOURCE, "source", article.source, lambda: warnings)

    def review() -> list[Finding]:
        statuses, uncited, findings = editorial.review(
            article, article.bibliography_path, warnings
        )
        report.editorial.references = statuses
        report.editorial.uncited = uncited
        report.editorial.dangling += [
            f"source: @{key}" for key in editorial.dangling_in_source(article)
        ]
        return findings

    checker.check(names.REFERENCE_REVIEW, "source", article.source, review)
    checker.check(
        names.CITATION_FIDELITY,
        "source",
        article.source,
        lambda: fidelity.review(article, report.editorial, checker.options.progress),
    )

    def reading_level() -> list[Finding]:
        report.readability = readability.measure(article)
        return []

    checker.check(READING_LEVEL, "source", article.source, reading_level)
