"""Build the health-article editions; `invoke --list` shows the tasks."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path
from typing import TYPE_CHECKING

from invoke import Context, Exit, Task, task

from editions.registry import EDITIONS

if TYPE_CHECKING:
    from editions.build import BuildOptions

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "source" / "article.md"
BUILD = ROOT / "build"

HELP = {
    "source": "the article's Markdown file (default: source/article.md), or a folder "
    "of articles: each is built in parallel into <out>/<its folder or file name>/",
    "out": "the output folder (default: build/)",
    "tts": "speech engine for the audio edition: auto (default: from the voice and "
    "the language), hibari, piper, espeak (offline) or gtts (online)",
    "voice": "who reads the audio edition: heart (default, hibari), joe (Piper), "
    "espeak, gtts; only installed voices (default: the front matter's voice:)",
    "strict": "make warnings (uncited or placeholder references, …) fatal",
    "paper": "PDF paper size: a4 (default) or letter",
    "audio_base_url": "where the MP3 is published (default: the front matter's "
    "audio-base-url); the PDF prints it as a QR code",
    "braille_cells": "braille cells a line (default 40)",
    "braille_lines": "braille lines a page (default 25)",
    "braille_grade": "braille grade: 2 (contracted, default) or 1 (uncontracted)",
    "quiet": "no progress bars (they are drawn only when stderr is a terminal)",
    "scheduler": "a Dask scheduler (tcp://host:8786): build a folder's articles, or "
    "speak one article's sentences, on its workers (default: this machine)",
}


def _help(*names: str) -> dict[str, str]:
    return {name: HELP[name] for name in names}


def _build(
    only: tuple[str, ...],
    source: str,
    out: str,
    tts: str,
    strict: bool,
    paper: str,
    audio_base_url: str,
    braille: tuple[int, int, int] = (40, 25, 2),
    scheduler: str = "",
    voice: str = "",
    quiet: bool = False,
) -> None:
    from editions import build as pipeline
    from editions.errors import EXIT_MISSING_PROGRAM, BuildFailed, MissingProgram
    from editions.interrupt import Interrupted

    options = pipeline.BuildOptions(
        only=only,
        tts=tts,
        voice=voice,
        strict=strict,
        paper=paper,
        audio_base_url=audio_base_url,
        braille_cells=braille[0],
        braille_lines=braille[1],
        braille_grade=braille[2],
        scheduler=scheduler,
        progress=not quiet,
    )
    if source and Path(source).is_dir():
        _build_folder(Path(source), Path(out or BUILD), options)
        return
    try:
        paths = pipeline.run(Path(source or SOURCE), Path(out or BUILD), options)
    except BuildFailed as err:
        raise Exit(err.report(), code=err.exit_code) from None
    except MissingProgram as err:
        raise Exit(str(err), code=EXIT_MISSING_PROGRAM) from None
    except Interrupted as err:  # SIGTERM/SIGINT: exit 143/130, as a shell reports
        raise Exit(str(err), code=err.exit_code) from None
    print(*paths.values(), sep="\n")


def _build_folder(folder: Path, out: Path, options: BuildOptions) -> None:
    from editions import batch
    from editions.errors import BuildFailed

    try:
        outcomes = batch.run_folder(folder, out, options)
    except batch.FolderError as err:
        raise Exit(str(err), code=err.exit_code) from None
    except BuildFailed as err:  # the cluster cannot be used (--scheduler)
        raise Exit(err.report(), code=err.exit_code) from None
    failed = [o for o in outcomes if o.exit_code]
    for outcome in outcomes:
        if not outcome.exit_code:
            print(*outcome.paths.values(), sep="\n")
    if failed:
        report = "\n".join(
            f"{o.source}: failed (exit {o.exit_code})\n{o.error}" for o in failed
        )
        summary = f"{len(failed)} of {len(outcomes)} article(s) failed."
        raise Exit(f"{report}\n{summary}", code=max(o.exit_code for o in failed))


def _build_task(name: str, only: tuple[str, ...], summary: str) -> Task:
    """Make one build task; every edition task takes the same options."""

    def run(
        c: Context,
        source: str = "",
        out: str = "",
        tts: str = "auto",
        strict: bool = False,
        paper: str = "a4",
        audio_base_url: str = "",
        braille_cells: int = 40,
        braille_lines: int = 25,
        braille_grade: int = 2,
        scheduler: str = "",
        voice: str = "",
        quiet: bool = False,
    ) -> None:
        braille = (braille_cells, braille_lines, braille_grade)
        _build(
            only,
            source,
            out,
            tts,
            strict,
            paper,
            audio_base_url,
            braille,
            scheduler,
            voice,
            quiet,
        )

    run.__doc__ = summary
    run.__name__ = name
    return task(run, name=name, help=HELP)


build = _build_task(
    "build",
    (),
    "Build every edition (PDF, EPUB, large-print HTML, audio, braille) into build/.",
)
# One task per edition, as the registry declares them: `invoke pdf`, `invoke epub`, …
for _edition in EDITIONS:
    globals()[_edition.name] = _build_task(
        _edition.name, (_edition.name,), _edition.summary
    )


@task(help=_help("source", "out", "strict"))
def check(c: Context, source: str = "", out: str = "", strict: bool = False) -> None:
    """Validate the built editions, compare them with the source, write the report."""
    from editions.checks import run as checker, speech_review
    from editions.errors import EXIT_MISSING_PROGRAM, BuildFailed, MissingProgram

    options = checker.CheckOptions(progress=lambda line: print(line, file=sys.stderr))
    try:
        report = checker.run(Path(source or SOURCE), Path(out or BUILD), options)
    except BuildFailed as err:
        raise Exit(err.report(), code=err.exit_code) from None
    except MissingProgram as err:
        raise Exit(str(err), code=EXIT_MISSING_PROGRAM) from None
    for finding in report.findings:
        print(finding)
    for run in report.runs:  # a check that cannot apply is named, never a pass
        if run.exempt:
            print(f"exempt: {run.check} ({run.edition}): {run.exempt}")
    if report.speech_review is not None:  # issue 20: what the voice says instead
        print(*speech_review.lines(report.speech_review), sep="\n")
    code = checker.exit_code(report, strict)
    if code:
        raise Exit(checker.summary(report, strict), code=code)
    print(checker.summary(report, strict))


@task(
    help={
        "source": "the article to benchmark (default: source/article.md)",
        "out": "where bench.json goes (default: build/); builds happen in a scratch "
        "folder inside it, with a fresh speech cache",
        "tts": "speech engine for the builds: auto (default: hibari), piper, or "
        "null (a quick check)",
        "voice": "voice for the builds and the irreducible synthesis (default heart)",
        "tools": "also time the irreducible work (synthesis, both PDFs, one MP3 "
        "encode) and the plain "
        "tools (pandoc, espeak-ng, ffmpeg); --no-tools skips them",
        "long": "instead, build the generated book at these fractions of its full "
        "size ('all' = 1/8,1/4,1/2,1: the scale curve, under 'long' in bench.json)",
    }
)
def bench(
    c: Context,
    source: str = "",
    out: str = "",
    tts: str = "auto",
    tools: bool = True,
    voice: str = "",
    long: str = "",
) -> None:
    """Time cold, no-op and one-paragraph builds against the plain tools; bench.json."""
    from editions.bench import run as benchmark

    if long:
        from editions.bench import scale

        print(scale.main(Path(out or BUILD), long, tts, tools))
        return
    options = benchmark.BenchOptions(tts=tts, tools=tools, voice=voice)
    try:
        result = benchmark.run(Path(source or SOURCE), Path(out or BUILD), options)
    except benchmark.BenchFailed as err:
        raise Exit(str(err), code=1) from None
    print(benchmark.table(result))
    print(f"Written to {Path(out or BUILD) / 'bench.json'}")


@task(help={"args": "extra arguments for pytest, e.g. '-k pdf'"})
def test(c: Context, args: str = "") -> None:
    """Run the test suite (builds every edition of both articles once)."""
    c.run(f"{sys.executable} -m pytest {args}", pty=False)


@task
def lint(c: Context) -> None:
    """Check the code with ruff."""
    c.run(f"{sys.executable} -m ruff check editions tests tasks.py")


@task(help=_help("out"))
def clean(c: Context, out: str = "") -> None:
    """Delete the build folder (outputs and the speech cache)."""
    shutil.rmtree(Path(out or BUILD), ignore_errors=True)
