"""The build's PDF step: the hand-out and the large-print PDF, and their page starts."""

from __future__ import annotations

import time
from pathlib import Path
from typing import TYPE_CHECKING

from editions import registry
from editions.job import BuildOptions, Job, Made
from editions.pdf.listen import DEFAULT_AUDIO_BASE_URL, audio_url, may_come_in_parts
from editions.state import digest

if TYPE_CHECKING:
    from editions.model import Article
    from editions.pdf.render import PdfSettings

LARGE_PRINT_PT = 18


def listen_base_url(article_url: str | None, options: BuildOptions) -> str:
    """Return where the PDF says the audio is: the option, the front matter, or
    the placeholder."""
    return options.audio_base_url or article_url or DEFAULT_AUDIO_BASE_URL


def written_words(article: Article) -> int:
    """Count the words the page shows: the audio-length guess and the page estimate."""
    return sum(len(s.text.split()) for s in article.sentences())


def listen_url(article: Article, options: BuildOptions) -> str:
    """Return the link the listen box prints and encodes in its QR code."""
    from editions.audio import PART_MINUTES  # not .parts: no audio stack

    in_parts = may_come_in_parts(
        written_words(article), options.audio_part_minutes or PART_MINUTES
    )
    page = registry.BY_NAME["html"].output("html").path(Path(), article.stem).name
    base = listen_base_url(article.audio_base_url, options)
    return audio_url(base, article.stem, page if in_parts else "")


def settings(job: Job) -> tuple[PdfSettings, ...]:
    """Return one PdfSettings per PDF: the hand-out, then (optionally) large print."""
    from editions.pdf.render import PdfSettings

    article, options = job.article, job.options
    url = listen_url(article, options)
    made = [PdfSettings(paper=options.paper, audio_url=url)]
    if options.large_print_pdf:
        made.append(
            PdfSettings(
                body_pt=LARGE_PRINT_PT,
                paper=options.paper,
                suffix="-large-print",
                audio_url=url,
            )
        )
    return tuple(made)


def key_options(options: BuildOptions, stem: str) -> dict[str, str]:
    """Name the options that shape the PDFs (the front matter is in the text)."""
    return {
        "PDF options": digest(
            options.paper,
            audio_url(options.audio_base_url, stem),
            options.large_print_pdf,
            options.audio_part_minutes,  # the listen box's link depends on it
        )
    }


def make(job: Job) -> Made:
    """Lay out each PDF in turn; the hand-out's page starts are the shared fact."""
    from editions import progress
    from editions.pdf.progress import estimate_pages, pages_laid_out
    from editions.pdf.render import render

    started = time.process_time()  # CPU: comparable with WeasyPrint alone (bench)
    chosen = settings(job)
    words = written_words(job.article)
    estimates = [estimate_pages(words, s.body_pt) for s in chosen]
    made = []
    before = 0
    for n, pdf_settings in enumerate(chosen):
        name = "large print" if pdf_settings.suffix else "hand-out"
        total = before + sum(estimates[n:])
        with pages_laid_out("pdf", name, before, total) as laid_out:
            made.append(render(job.article, job.out_dir, pdf_settings))
        before += laid_out.pages
    progress.finish("pdf")
    files = {"pdf": made[0].path, "pages": made[0].facts}
    if len(made) > 1:
        files["pdf-large-print"] = made[1].path
    cpu = round(time.process_time() - started, 3)
    return Made(
        files, extra_files=tuple(m.facts for m in made[1:]), facts={"cpu_seconds": cpu}
    )
