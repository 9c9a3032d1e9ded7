"""Load and check the source once, then render the editions whose inputs changed.

The PDF and the audio come first, because later editions reuse their facts: the EPUB
page-list is the PDF's real page breaks, the EPUB overlays and the HTML read-along are
the audio's sentence timings. Nothing is written when the source has errors.

Each edition has a key: the hash of everything that shapes it (the article's files,
the styles and fonts, the options it uses, this package's code and dependencies, and
the facts it reuses from other editions). An edition whose key and files match the
manifest (`editions.state`) is reused; when all requested ones match, the build
returns without even running pandoc. When both the PDF and the audio must be made,
the PDFs are laid out in a second process while the audio is spoken.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sys
import time
from collections.abc import Callable, Iterable
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from editions import state
from editions.errors import BuildFailed, Finding, Location, MissingProgram, escalate
from editions.pdf.listen import DEFAULT_AUDIO_BASE_URL, audio_url

if TYPE_CHECKING:
    from editions.audio.render import AudioResult
    from editions.model import Article
    from editions.pdf.render import PdfEdition, PdfSettings

EDITIONS = ("pdf", "audio", "epub", "html")
#: Which editions each edition reuses facts from.
NEEDS = {"pdf": (), "audio": (), "epub": ("pdf", "audio"), "html": ("audio",)}
#: The module that renders each edition: its code, and the code it imports, is part
#: of the edition's key (with the source loader's and this module's).
RENDERERS = {
    "pdf": "editions.pdf.render",
    "audio": "editions.audio.render",
    "epub": "editions.epub.render",
    "html": "editions.large_print",
}


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how."""

    only: tuple[str, ...] = EDITIONS
    tts: str = "auto"  # speech engine; "auto": from the voice and the language
    voice: str = ""  # "" = the front matter's `voice:`, else per language
    strict: bool = False
    paper: str = "a4"
    audio_base_url: str = ""  # "" = the front matter's, else the placeholder
    large_print_pdf: bool = True
    cache_dir: Path | None = None  # speech cache; default <out>/.cache/speech
    report: Callable[[str], None] = field(
        default=lambda line: print(line, file=sys.stderr)
    )


@dataclass(frozen=True)
class BuildReport:
    """What one build did: its paths, what it remade, what it reused, how long."""

    paths: dict[str, Path]
    rebuilt: tuple[str, ...] = ()
    reused: tuple[str, ...] = ()
    seconds: dict[str, float] = field(default_factory=dict)  # + "load", "total"
    synthesised: int = 0  # sentences spoken afresh (the rest came from the cache)


def needed(requested: Iterable[str]) -> list[str]:
    """Return the requested editions plus those whose facts they reuse, in order."""
    wanted: set[str] = set()
    stack = list(requested)
    while stack:
        name = stack.pop()
        if name not in NEEDS:
            raise ValueError(
                f"unknown edition {name!r}: choose from {', '.join(EDITIONS)}"
            )
        if name not in wanted:
            wanted.add(name)
            stack.extend(NEEDS[name])
    return [e for e in EDITIONS if e in wanted]


def load(path: Path, options: BuildOptions) -> tuple[Article, list[Finding]]:
    """Load the article; with --strict every warning is an error."""
    from editions.source import article as source

    article, warnings = source.load(path)
    if "audio" in options.only:  # a voice that cannot speak stops the build early
        from editions.audio.voices import choice_findings

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
    return options.audio_base_url or article.audio_base_url or DEFAULT_AUDIO_BASE_URL


def _placeholder_url(article: Article, options: BuildOptions) -> list[Finding]:
    """Warn when a printed QR code would send patients to the placeholder."""
    if "pdf" not in options.only or options.audio_base_url or article.audio_base_url:
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
    """Like `run`, but say what was rebuilt, what was reused and how long it took."""
    options = options or BuildOptions()
    path, out_dir = Path(path), Path(out_dir)
    plan = needed(options.only)
    manifest = state.load(out_dir, path.stem)
    current = _up_to_date(path, out_dir, plan, options, manifest)
    if current is not None:
        for warning in manifest.warnings:
            options.report(warning)
        options.report(f"{path.name}: {', '.join(plan)} up to date; nothing rebuilt")
        return BuildReport(current, reused=tuple(plan))
    return _Build(path, out_dir, options, manifest).run(plan)


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
        paths.update(record.resolved(out_dir))
    return paths


@dataclass(frozen=True)
class _Keys:
    """Each edition's key: a hash of everything that shapes its files."""

    source: Path
    inputs: state.Inputs
    options: BuildOptions

    def of(self, edition: str, records: dict[str, state.EditionRecord]) -> str:
        """Return *edition*'s key; *records* hold the editions it reuses facts from."""
        return state.digest(self.parts(edition, records))

    def parts(
        self, edition: str, records: dict[str, state.EditionRecord]
    ) -> dict[str, str]:
        """Name each thing the key covers, hashed, so a rebuild can say why."""
        options = self.options
        parts = {
            "edition": edition,
            "code": state.code(
                ("editions.source.article", RENDERERS[edition]), (__name__,)
            ),
            "tools": state.environment(),
            "article text": self.inputs.of(state.TEXT, self.source.parent),
        }
        if edition == "audio":
            voice = f"{options.tts} {options.voice}".strip()
            return {**parts, "speech engine": voice}
        parts |= {
            "figures": self.inputs.of(state.FIGURE, self.source.parent),
            "styles": state.styles(),
            "fonts": state.fonts(),
        }
        if edition == "pdf":
            return parts | {
                "PDF options": state.digest(
                    options.paper,
                    audio_url(options.audio_base_url, self.source.stem),
                    options.large_print_pdf,
                )
            }
        audio = records["audio"]
        parts["audio timings"] = state.digest(
            audio.paths["mp3"], audio.sha256("timings")
        )
        if edition == "html":
            return parts | {"audio": audio.sha256("mp3")}  # the page shows its size
        pdf = records["pdf"]
        return parts | {
            "audio": audio.sha256("mp3"),  # the EPUB carries the MP3 itself
            "PDF pages": state.digest(pdf.paths["pdf"], pdf.facts.get("page_starts")),
            "SOURCE_DATE_EPOCH": state.source_date_epoch(),
        }


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
        self.synthesised = 0
        self._timings: dict[str, object] | None = None
        self._parts: dict[str, dict[str, str]] = {}  # keys of the stale editions

    def run(self, plan: list[str]) -> BuildReport:
        started = time.perf_counter()
        before = state.sha256_file(self.path)
        self.article, warnings = load(self.path, self.options)
        self.seconds["load"] = time.perf_counter() - started
        inputs = state.Inputs.hash(state.article_inputs(self.article))
        inputs = _unstable_if_edited(inputs, self.path, before, self.options)
        self.keys = _Keys(self.article.source, inputs, self.options)
        self.out_dir.mkdir(parents=True, exist_ok=True)
        self.manifest.source = str(self.path.resolve())
        self.manifest.inputs = inputs
        self.manifest.warnings = [str(w) for w in warnings]

        make_pdf = "pdf" in plan and not self._current("pdf")
        make_audio = "audio" in plan and not self._current("audio")
        self._pdf_and_audio(make_pdf, make_audio)
        if "epub" in plan and not self._current("epub"):
            self._epub()
        if "html" in plan and not self._current("html"):
            self._html()

        self.seconds["total"] = time.perf_counter() - started
        self.manifest.last_run = {
            "rebuilt": self.rebuilt,
            "reused": self.reused,
            "seconds": self.seconds,
            "synthesised": self.synthesised,
        }
        state.save(self.out_dir, self.article.stem, self.manifest)
        paths: dict[str, Path] = {}
        for edition in plan:
            paths.update(self.manifest.editions[edition].resolved(self.out_dir))
        return BuildReport(
            paths,
            tuple(self.rebuilt),
            tuple(self.reused),
            dict(self.seconds),
            self.synthesised,
        )

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

    def _done(self, edition: str, record: state.EditionRecord) -> None:
        self.manifest.editions[edition] = record
        state.save(self.out_dir, self.article.stem, self.manifest)
        self.rebuilt.append(edition)
        self.seconds[edition] = record.seconds
        self.options.report(f"{edition}: built in {record.seconds:.1f} s")

    def _pdf_and_audio(self, make_pdf: bool, make_audio: bool) -> None:
        """Make the PDFs and the audio, side by side when both are needed.

        WeasyPrint is single-threaded Python: laying out in a forked process while
        Piper speaks keeps every core busy and costs no extra wall time.
        """
        settings = self._pdf_settings()
        if not make_audio:
            if make_pdf:
                self._finish_pdf(_render_pdfs(self.article, self.out_dir, settings))
            return
        pool: ProcessPoolExecutor | None = None
        pending: Future[_PdfOutcome] | None = None
        if make_pdf:
            # Fork, so the child starts at once with the Article already in memory.
            context = multiprocessing.get_context("fork")
            pool = ProcessPoolExecutor(
                1, mp_context=context, initializer=_yield_to_speech
            )
            pending = pool.submit(_render_pdfs, self.article, self.out_dir, settings)
        error: BaseException | None = None
        try:
            self._audio()
        except BaseException as exc:
            error = exc
        if pool is not None and pending is not None:
            if isinstance(error, KeyboardInterrupt):
                pool.shutdown(wait=False, cancel_futures=True)
                raise error
            try:
                # Waited for even when the audio failed, so a finished PDF counts.
                self._finish_pdf(pending.result())
            except BaseException as exc:
                error = error or exc
            finally:
                pool.shutdown()
        if error is not None:
            raise error

    def _pdf_settings(self) -> tuple[PdfSettings, ...]:
        from editions.pdf.render import PdfSettings

        url = audio_url(listen_base_url(self.article, self.options), self.article.stem)
        settings = [PdfSettings(paper=self.options.paper, audio_url=url)]
        if self.options.large_print_pdf:
            settings.append(
                PdfSettings(
                    body_pt=18,
                    paper=self.options.paper,
                    suffix="-large-print",
                    audio_url=url,
                )
            )
        return tuple(settings)

    def _finish_pdf(self, outcome: _PdfOutcome) -> None:
        made = outcome.unwrap()
        paths = {"pdf": made[0].path}
        if len(made) > 1:
            paths["pdf-large-print"] = made[1].path
        record = state.record(
            self._parts["pdf"],
            self.out_dir,
            paths,
            extra_files=[m.facts for m in made],
            facts={"page_starts": list(made[0].page_starts)},
            seconds=outcome.seconds,
        )
        self._done("pdf", record)

    def _audio(self) -> None:
        started = time.perf_counter()
        result, synthesis = _render_audio(self.article, self.out_dir, self.options)
        edition = result.edition
        paths = {
            "mp3": edition.mp3,
            "m4b": edition.m4b,
            "vtt": edition.vtt,
            "timings": edition.timings,
        }
        facts = {
            "synthesised": result.synthesised,
            "utterances": result.utterances,
            "duration": edition.duration,
            **synthesis,
        }
        record = state.record(
            self._parts["audio"],
            self.out_dir,
            paths,
            extra_files=edition.chapter_files,
            facts=facts,
            seconds=time.perf_counter() - started,
        )
        self.synthesised = result.synthesised
        self._done("audio", record)

    def _timings_json(self) -> dict[str, object]:
        if self._timings is None:
            audio = self.manifest.editions["audio"]
            path = self.out_dir / audio.paths["timings"]
            self._timings = json.loads(path.read_text(encoding="utf-8"))
        return self._timings

    def _epub(self) -> None:
        from editions.epub import render as epub

        started = time.perf_counter()
        pdf, audio = self.manifest.editions["pdf"], self.manifest.editions["audio"]
        path = epub.render(
            self.article,
            self.out_dir,
            epub.EpubInputs(
                page_starts=tuple(pdf.facts.get("page_starts") or ()),
                pdf_name=Path(pdf.paths["pdf"]).name,
                audio=self.out_dir / audio.paths["mp3"],
                timings=self._timings_json(),
            ),
        )
        seconds = time.perf_counter() - started
        self._done(
            "epub",
            state.record(
                self._parts["epub"], self.out_dir, {"epub": path}, (), {}, seconds
            ),
        )

    def _html(self) -> None:
        from editions import large_print

        started = time.perf_counter()
        audio = self.manifest.editions["audio"]
        path = large_print.render(
            self.article,
            self.out_dir,
            large_print.LargePrintInputs(
                audio_name=Path(audio.paths["mp3"]).name,
                timings=self._timings_json(),
                audio_path=self.out_dir / audio.paths["mp3"],
            ),
        )
        seconds = time.perf_counter() - started
        self._done(
            "html",
            state.record(
                self._parts["html"], self.out_dir, {"html": path}, (), {}, seconds
            ),
        )


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


@dataclass(frozen=True)
class _PdfOutcome:
    """What the PDF process sends back; errors travel as data (they do not pickle)."""

    made: tuple[PdfEdition, ...] = ()
    seconds: float = 0.0
    failed: tuple[list[Finding], int, str] | None = None
    missing: tuple[str, str] | None = None

    def unwrap(self) -> tuple[PdfEdition, ...]:
        """Return the PDFs, or raise the error the renderer raised."""
        if self.failed is not None:
            findings, exit_code, summary = self.failed
            raise BuildFailed(findings, exit_code, summary)
        if self.missing is not None:
            raise MissingProgram(*self.missing)
        return self.made


def _yield_to_speech() -> None:
    """Lower the PDF process's priority: speech is the longer path, so the layout
    should take only the cycles synthesis leaves idle."""
    os.nice(10)


def _render_pdfs(
    article: Article, out_dir: Path, settings: tuple[PdfSettings, ...]
) -> _PdfOutcome:
    """Render each PDF in turn (run in the PDF process, or inline)."""
    from editions.pdf import render as pdf

    started = time.perf_counter()
    try:
        made = tuple(pdf.render(article, out_dir, s) for s in settings)
    except BuildFailed as err:
        return _PdfOutcome(failed=(err.findings, err.exit_code, err.summary))
    except MissingProgram as err:
        return _PdfOutcome(missing=(err.what, err.how_to_install))
    return _PdfOutcome(made, time.perf_counter() - started)


def _render_audio(
    article: Article, out_dir: Path, options: BuildOptions
) -> tuple[AudioResult, dict[str, Any]]:
    """Speak and master the audio; also return when synthesis ran, for the bench."""
    from rich.progress import Progress

    from editions.audio import render as audio

    window: dict[str, Any] = {}

    with Progress(transient=True) as bar:
        task = bar.add_task(f"Speaking {article.stem} ({options.tts})", total=None)

        def progress(done: int, total: int) -> None:
            now = time.time()
            window.setdefault("synthesis_started", now)
            if done >= total and "synthesis_seconds" not in window:
                window["synthesis_seconds"] = now - window["synthesis_started"]
            bar.update(task, completed=done, total=total)

        result = audio.render(
            article,
            out_dir,
            options.tts,
            options.cache_dir,
            progress=progress,
            voice=options.voice,
        )
    if result.warning:
        options.report(f"{article.source}: warning AUD018: {result.warning}")
    options.report(
        f"audio: {result.synthesised} of {result.utterances} sentences "
        "synthesised (the rest came from the cache)"
    )
    return result, window
