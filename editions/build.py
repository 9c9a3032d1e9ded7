"""Load and check the source once, then render the editions whose inputs changed.

Which editions exist, what each reuses and what it writes is declared once in
`editions.registry`; this driver knows none of them by name. Editions that reuse
another's files (the EPUB's page-list is the PDF's real page breaks, its overlays
and the HTML read-along are the audio's timings) come after it. Nothing is written
when the source has errors.

Each edition has a key: the hash of everything that shapes it (the article's files,
the styles and fonts, the options it uses, its renderer's code and dependencies, and
the files it reuses). An edition whose key and files match the manifest
(`editions.state`) is reused; when all requested ones match, the build returns
without even running pandoc. Editions that may fork (the PDFs) are laid out in a
second process while another edition (the audio) runs in this one.
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING

from editions import huge_pages, interrupt, progress, registry, state
from editions.errors import BuildFailed, Finding, Location, escalate
from editions.job import BuildOptions, Job, Made
from editions.pdf.listen import DEFAULT_AUDIO_BASE_URL
from editions.pdf.step import listen_base_url as _listen_base_url
from editions.schedule import run_level

if TYPE_CHECKING:
    from editions.model import Article

__all__ = ["BuildOptions", "BuildReport", "build", "load", "needed", "run"]

EDITIONS = registry.names()
needed = registry.needed


@dataclass(frozen=True)
class BuildReport:
    """What one build did: its paths, what it remade, what it reused, how long."""

    paths: dict[str, Path]
    rebuilt: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)  # + "load", "total"
    synthesised: int = 0  # sentences spoken afresh (the rest came from the cache)


def load(path: Path, options: BuildOptions) -> tuple[Article, list[Finding]]:
    """Load the article; with --strict every warning is an error."""
    from editions.source import article as source

    article, warnings = source.load(path)
    if "audio" in needed(options.only or EDITIONS):  # a voice that cannot speak
        from editions.audio.voices import choice_findings  # stops it before writing

        if refused := choice_findings(article, options.tts, options.voice):
            raise BuildFailed(refused, summary="no edition was written.")
    warnings += _placeholder_url(article, options)
    if options.strict and warnings:
        raise BuildFailed(
            escalate(warnings),
            summary=f"{len(warnings)} warning(s) made fatal by --strict; "
            "no edition was written.",
        )
    for warning in warnings:
        options.report(str(warning))
    return article, warnings


def listen_base_url(article: Article, options: BuildOptions) -> str:
    """Return where the PDF says the audio is: the option, the front matter, or
    the placeholder."""
    return _listen_base_url(article.audio_base_url, options)


def _placeholder_url(article: Article, options: BuildOptions) -> list[Finding]:
    """Warn when a printed QR code would send patients to the placeholder."""
    if "pdf" not in _requested(options) or options.audio_base_url:
        return []
    if article.audio_base_url:
        return []
    return [
        Finding(
            "SRC014",
            "the PDF's listen box points at the placeholder "
            f"{DEFAULT_AUDIO_BASE_URL}; set audio-base-url in the front matter "
            "(or pass --audio-base-url) to where the MP3 will be published",
            Location(article.source, key="audio-base-url"),
            "warning",
        )
    ]


def _requested(options: BuildOptions) -> list[str]:
    return needed(options.only or EDITIONS)


def run(
    path: Path, out_dir: Path, options: BuildOptions | None = None
) -> dict[str, Path]:
    """Build the chosen editions of one article into *out_dir*; return their paths.

    Editions whose inputs did not change since the last build are reused as they are.
    """
    return build(path, out_dir, options).paths


def build(
    path: Path, out_dir: Path, options: BuildOptions | None = None
) -> BuildReport:
    """Like `run`, but say what was rebuilt, what was reused and how long it took.

    One build at a time writes into *out_dir* (`editions.lock`); a signal stops it
    cleanly (`editions.interrupt`). Transparent huge pages are turned off for the
    calling process and what it starts, and stay off (`editions.huge_pages`).
    """
    options = options or BuildOptions()
    huge_pages.disable()  # before any worker starts: they inherit it
    with interrupt.guarded(Path(out_dir), options):
        return _build(Path(path), Path(out_dir), options)


def _build(path: Path, out_dir: Path, options: BuildOptions) -> BuildReport:
    plan = _requested(options)
    manifest = state.load(out_dir, path.stem)
    current = _up_to_date(path, out_dir, plan, options, manifest)
    if current is not None:
        for warning in manifest.warnings:
            options.report(warning)
        options.report(f"{path.name}: {', '.join(plan)} up to date; nothing rebuilt")
        return BuildReport(current, reused=tuple(plan))
    return _Build(path, out_dir, options, manifest).run(plan)


def _listed(
    edition: str, record: state.EditionRecord, out_dir: Path
) -> dict[str, Path]:
    """Return the edition's files that `run()` reports (not its internal facts)."""
    declared = registry.BY_NAME[edition]
    hidden = {o.name for o in declared.outputs if not o.listed}
    return {n: p for n, p in record.resolved(out_dir).items() if n not in hidden}


def _up_to_date(
    path: Path,
    out_dir: Path,
    plan: list[str],
    options: BuildOptions,
    manifest: state.Manifest,
) -> dict[str, Path] | None:
    """Return the paths if every planned edition is current, judged without parsing."""
    if options.strict and manifest.warnings:
        return None  # loading again turns the warnings into the errors --strict wants
    if manifest.source != str(path.resolve()) or not manifest.inputs.files:
        return None
    inputs = state.Inputs.hash(manifest.inputs.roles())
    if inputs != manifest.inputs:
        return None
    keys = _Keys(path.resolve(), inputs, options)
    paths: dict[str, Path] = {}
    for edition in plan:
        record = manifest.editions.get(edition)
        if record is None or not record.fresh(
            keys.of(edition, manifest.editions), out_dir
        ):
            return None
        paths.update(_listed(edition, record, out_dir))
    return paths


@dataclass(frozen=True)
class _Keys:
    """Each edition's key: a hash of everything that shapes its files."""

    source: Path
    inputs: state.Inputs
    options: BuildOptions

    def of(self, edition: str, records: dict[str, state.EditionRecord]) -> str:
        """Return *edition*'s key; *records* hold the editions it reuses files of."""
        return state.digest(self.parts(edition, records))

    def parts(
        self, edition: str, records: dict[str, state.EditionRecord]
    ) -> dict[str, str]:
        """Name each thing the key covers, hashed, so a rebuild can say why."""
        declared = registry.BY_NAME[edition]
        parts = {
            "edition": edition,
            "code": state.code(
                ("editions.source.article", declared.renderer), (__name__,)
            ),
            "tools": state.environment(),
            "article text": self.inputs.of(state.TEXT, self.source.parent),
        }
        if declared.visual:
            parts |= {
                "figures": self.inputs.of(state.FIGURE, self.source.parent),
                "styles": state.styles(),
                "fonts": state.fonts(),
            }
        parts |= declared.step().key_options(self.options, self.source.stem)
        for label, (producer, output) in declared.reuses.items():
            record, made = records[producer], registry.BY_NAME[producer].output(output)
            parts[label] = (
                state.digest([record.sha256(n) for n in made.members(record.paths)])
                if made.numbered
                else record.sha256(output)
            )
        return parts


class _Build:
    """One build that had to parse the article: remake each stale edition in order."""

    def __init__(
        self,
        path: Path,
        out_dir: Path,
        options: BuildOptions,
        manifest: state.Manifest,
    ) -> None:
        self.path = path
        self.out_dir = out_dir
        self.options = options
        self.manifest = manifest
        self.rebuilt: list[str] = []
        self.reused: list[str] = []
        self.seconds: dict[str, float] = {}
        self._parts: dict[str, dict[str, str]] = {}  # keys of the stale editions

    def run(self, plan: list[str]) -> BuildReport:
        from editions.audio import premaster  # not for a no-op: only here

        started = time.perf_counter()
        options = self.options
        if "audio" in plan and options.tts != "gtts" and not options.scheduler:
            premaster.warm_up()  # mastering workers load their libraries meanwhile
        try:
            return self._run(plan, started)
        finally:
            premaster.cool_down()

    def _run(self, plan: list[str], started: float) -> BuildReport:
        before = state.sha256_file(self.path)
        self.article, warnings = load(self.path, self.options)
        _preflight(self.article, plan, self.options)
        self.seconds["load"] = time.perf_counter() - started
        inputs = state.Inputs.hash(state.article_inputs(self.article))
        inputs = _unstable_if_edited(inputs, self.path, before, self.options)
        self.keys = _Keys(self.article.source, inputs, self.options)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.manifest.source = str(self.path.resolve())
        self.manifest.inputs = inputs
        self.manifest.warnings = [str(w) for w in warnings]

        with progress.Display(self.options.progress):
            for level in registry.levels(plan):
                stale = [e for e in level if not self._current(e)]
                run_level([registry.BY_NAME[e] for e in stale], self._job, self._done)

        self.seconds["total"] = time.perf_counter() - started
        audio = self.manifest.editions.get("audio")
        synthesised = int(audio.facts.get("synthesised", 0)) if audio else 0
        if "audio" not in self.rebuilt:
            synthesised = 0
        self.manifest.last_run = {
            "rebuilt": self.rebuilt,
            "reused": self.reused,
            "seconds": self.seconds,
            "synthesised": synthesised,
        }
        state.save(self.out_dir, self.article.stem, self.manifest)
        paths: dict[str, Path] = {}
        for edition in plan:
            record = self.manifest.editions[edition]
            paths.update(_listed(edition, record, self.out_dir))
        return BuildReport(
            paths,
            tuple(self.rebuilt),
            tuple(self.reused),
            dict(self.seconds),
            synthesised,
        )

    def _job(self, edition: registry.Edition) -> Job:
        """Return what *edition*'s step needs: the article and the files it reuses."""
        reused: dict[str, Path] = {}
        for producer, output in edition.reuses.values():
            paths = self.manifest.editions[producer].paths
            # A numbered output hands on each file (part1, part2…); an output the
            # producer did not write this time (a long book's one-file MP3) none.
            for name in registry.BY_NAME[producer].output(output).members(paths):
                reused[name] = self.out_dir / paths[name]
        return Job(self.article, self.out_dir, self.options, reused)

    def _current(self, edition: str) -> bool:
        """Reuse *edition* if its key and files match the manifest."""
        record = self.manifest.editions.get(edition)
        parts = self.keys.parts(edition, self.manifest.editions)
        if record is not None and record.fresh(state.digest(parts), self.out_dir):
            self.reused.append(edition)
            self.options.report(f"{edition}: unchanged, reused")
            return True
        self._parts[edition] = parts  # as judged now, recorded once it is built
        why = record.why_stale(parts) if record else "not built yet"
        self.options.report(f"{edition}: rebuilding ({why})")
        # Forget it before rendering: if the build stops half-way, the next one
        # must not take a half-replaced edition for a finished one.
        if self.manifest.editions.pop(edition, None) is not None:
            state.save(self.out_dir, self.article.stem, self.manifest)
        return False

    def _done(self, edition: registry.Edition, made: Made) -> None:
        interrupt.stop_point(edition.name, "written")
        record = state.record(
            self._parts[edition.name],
            self.out_dir,
            made.files,
            extra_files=made.extra_files,
            facts=made.facts,
            seconds=made.seconds,
        )
        self.manifest.editions[edition.name] = record
        state.save(self.out_dir, self.article.stem, self.manifest)
        self.rebuilt.append(edition.name)
        self.seconds[edition.name] = record.seconds
        self.options.report(f"{edition.name}: built in {record.seconds:.1f} s")
        interrupt.stop_point(edition.name, "recorded")


def _preflight(article: Article, plan: list[str], options: BuildOptions) -> None:
    """Let each planned edition refuse its input before anything is written.

    A step's optional `preflight(article, options)` raises BuildFailed (the braille
    edition's BRL001: no liblouis table for the article's language).
    """
    for name in plan:
        check = getattr(registry.BY_NAME[name].step(), "preflight", None)
        if check is not None:
            check(article, options)


def _unstable_if_edited(
    inputs: state.Inputs, path: Path, before: str, options: BuildOptions
) -> state.Inputs:
    """Record the Markdown as changed when it was saved while it was being read.

    Otherwise the manifest would pair the new bytes with editions made from the old.
    """
    source = str(path.resolve())
    role, now = inputs.files.get(source, (state.TEXT, before))
    if now == before:
        return inputs
    options.report(f"{path}: changed during the build; the next build redoes it")
    return state.Inputs({**inputs.files, source: (role, "changed-during-build")})
