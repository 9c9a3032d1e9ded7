"""Load and check the source once, then render the editions it needs, in order.

The PDF and the audio come first, because later editions reuse their facts: the EPUB
page-list is the PDF's real page breaks, the EPUB overlays and the HTML read-along are
the audio's sentence timings. Nothing is written when the source has errors.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path

from editions import epub, large_print, pdf, source
from editions.errors import BuildFailed, Finding, escalate
from editions.listen import DEFAULT_AUDIO_BASE_URL, audio_url

EDITIONS = ("pdf", "audio", "epub", "html")
#: Which editions each edition reuses facts from.
NEEDS = {"pdf": (), "audio": (), "epub": ("pdf", "audio"), "html": ("audio",)}


@dataclass(frozen=True)
class BuildOptions:
    """What to build and how."""

    only: tuple[str, ...] = EDITIONS
    tts: str = "piper"
    strict: bool = False
    paper: str = "a4"
    audio_base_url: str = DEFAULT_AUDIO_BASE_URL
    large_print_pdf: bool = True
    cache_dir: Path | None = None  # speech cache; default <out>/.cache/speech
    report: Callable[[str], None] = field(
        default=lambda line: print(line, file=sys.stderr)
    )


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


def load(path: Path, options: BuildOptions) -> tuple[source.Article, list[Finding]]:
    """Load the article; with --strict every warning is an error."""
    article, warnings = source.load(path)
    if options.strict and warnings:
        raise BuildFailed(
            escalate(warnings),
            summary=f"{len(warnings)} warning(s) made fatal by --strict; "
            "no edition was written.",
        )
    for warning in warnings:
        options.report(str(warning))
    return article, warnings


def run(
    path: Path, out_dir: Path, options: BuildOptions | None = None
) -> dict[str, Path]:
    """Build the chosen editions of one article into *out_dir*; return their paths."""
    options = options or BuildOptions()
    article, _ = load(Path(path), options)
    out_dir = Path(out_dir)
    out_dir.mkdir(parents=True, exist_ok=True)
    paths: dict[str, Path] = {}
    page_starts: tuple[str, ...] = ()
    timings: dict[str, object] | None = None
    for edition in needed(options.only):
        if edition == "pdf":
            settings = pdf.PdfSettings(
                paper=options.paper,
                audio_url=audio_url(options.audio_base_url, article.stem),
            )
            result = pdf.render(article, out_dir, settings)
            paths["pdf"], page_starts = result.path, result.page_starts
            if options.large_print_pdf:
                large = pdf.render(
                    article,
                    out_dir,
                    pdf.PdfSettings(
                        body_pt=18,
                        paper=options.paper,
                        suffix="-large-print",
                        audio_url=settings.audio_url,
                    ),
                )
                paths["pdf-large-print"] = large.path
        elif edition == "audio":
            audio = _render_audio(article, out_dir, options)
            paths.update(audio)
            timings = json.loads(audio["timings"].read_text(encoding="utf-8"))
        elif edition == "epub":
            paths["epub"] = epub.render(
                article,
                out_dir,
                epub.EpubInputs(
                    page_starts=page_starts,
                    pdf_name=paths["pdf"].name,
                    audio=paths["mp3"],
                    timings=timings,
                ),
            )
        elif edition == "html":
            paths["html"] = large_print.render(
                article,
                out_dir,
                large_print.LargePrintInputs(
                    audio_name=paths["mp3"].name, timings=timings
                ),
            )
    return paths


def _render_audio(
    article: source.Article, out_dir: Path, options: BuildOptions
) -> dict[str, Path]:
    from rich.progress import Progress

    from editions.audio import render as audio

    with Progress(transient=True) as bar:
        task = bar.add_task(f"Speaking {article.stem} ({options.tts})", total=None)

        def progress(done: int, total: int) -> None:
            bar.update(task, completed=done, total=total)

        result = audio.render(
            article, out_dir, options.tts, options.cache_dir, progress=progress
        )
    options.report(
        f"audio: {result.synthesised} of {result.utterances} sentences "
        "synthesised (the rest came from the cache)"
    )
    edition = result.edition
    return {
        "mp3": edition.mp3,
        "m4b": edition.m4b,
        "vtt": edition.vtt,
        "timings": edition.timings,
    }
