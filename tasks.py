"""Build the health-article editions; `invoke --list` shows the tasks."""

from __future__ import annotations

import shutil
import sys
from pathlib import Path

from invoke import Context, Exit, task

ROOT = Path(__file__).resolve().parent
SOURCE = ROOT / "source" / "article.md"
BUILD = ROOT / "build"

HELP = {
    "source": "the article's Markdown file (default: source/article.md)",
    "out": "the output folder (default: build/)",
    "tts": "speech engine for the audio edition: piper (default, offline) or gtts",
    "strict": "make warnings (uncited or placeholder references, …) fatal",
    "paper": "PDF paper size: a4 (default) or letter",
    "audio_base_url": "where the MP3 is published; the PDF prints it as a QR code",
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
) -> None:
    from editions import build as pipeline
    from editions.errors import EXIT_MISSING_PROGRAM, BuildFailed, MissingProgram
    from editions.listen import DEFAULT_AUDIO_BASE_URL

    options = pipeline.BuildOptions(
        only=only,
        tts=tts,
        strict=strict,
        paper=paper,
        audio_base_url=audio_base_url or DEFAULT_AUDIO_BASE_URL,
    )
    try:
        paths = pipeline.run(Path(source or SOURCE), Path(out or BUILD), options)
    except BuildFailed as err:
        raise Exit(err.report(), code=err.exit_code) from None
    except MissingProgram as err:
        raise Exit(str(err), code=EXIT_MISSING_PROGRAM) from None
    print(*paths.values(), sep="\n")


@task(help=HELP)
def build(
    c: Context,
    source: str = "",
    out: str = "",
    tts: str = "piper",
    strict: bool = False,
    paper: str = "a4",
    audio_base_url: str = "",
) -> None:
    """Build all four editions (PDF, EPUB, large-print HTML, audio) into build/."""
    _build(
        ("pdf", "audio", "epub", "html"),
        source,
        out,
        tts,
        strict,
        paper,
        audio_base_url,
    )


@task(help=_help("source", "out", "strict", "paper", "audio_base_url"))
def pdf(
    c: Context,
    source: str = "",
    out: str = "",
    strict: bool = False,
    paper: str = "a4",
    audio_base_url: str = "",
) -> None:
    """Build the tagged PDF/UA-1 clinic hand-out and its large-print PDF."""
    _build(("pdf",), source, out, "piper", strict, paper, audio_base_url)


@task(help=_help("source", "out", "tts", "strict"))
def epub(
    c: Context,
    source: str = "",
    out: str = "",
    tts: str = "piper",
    strict: bool = False,
) -> None:
    """Build the EPUB 3 (builds the PDF and audio first: it reuses their facts)."""
    _build(("epub",), source, out, tts, strict, "a4", "")


@task(help=_help("source", "out", "tts", "strict"))
def html(
    c: Context,
    source: str = "",
    out: str = "",
    tts: str = "piper",
    strict: bool = False,
) -> None:
    """Build the self-contained large-print HTML page (with the audio beside it)."""
    _build(("html",), source, out, tts, strict, "a4", "")


@task(help=_help("source", "out", "tts", "strict"))
def audio(
    c: Context,
    source: str = "",
    out: str = "",
    tts: str = "piper",
    strict: bool = False,
) -> None:
    """Build the audio edition: MP3 and M4B with chapters, chapter MP3s, WebVTT."""
    _build(("audio",), source, out, tts, strict, "a4", "")


@task(help=_help("source", "out", "strict"))
def check(c: Context, source: str = "", out: str = "", strict: bool = False) -> None:
    """Validate the built editions (EPUBCheck, Ace, PDF/UA checks, audio measures)."""
    from editions import check as checker
    from editions.errors import EXIT_VALIDATION

    findings = checker.run(Path(source or SOURCE), Path(out or BUILD))
    for finding in findings:
        print(finding)
    failing = [f for f in findings if f.severity == "error" or strict]
    if failing:
        raise Exit(f"{len(failing)} finding(s) fail the check.", code=EXIT_VALIDATION)
    print(f"All checks passed ({len(findings)} warning(s)).")


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
