"""The build's EPUB step: the PDF's page starts and the audio's timings, typed."""

from __future__ import annotations

from editions.facts import PageStarts, Timings
from editions.job import BuildOptions, Job, Made
from editions.registry import numbered
from editions.state import source_date_epoch


def key_options(options: BuildOptions, stem: str) -> dict[str, str]:
    """Name what else shapes the EPUB: its modified date."""
    return {"SOURCE_DATE_EPOCH": source_date_epoch()}


def make(job: Job) -> Made:
    """Package the EPUB with the page-list and the read-along narration."""
    from editions.epub.render import EpubInputs, render

    inputs = EpubInputs(
        pages=PageStarts.read(job.reused["pages"]),
        audio=job.reused.get("mp3"),
        timings=Timings.read(job.reused["timings"]),
        parts=numbered(job.reused, "audio", "part"),
    )
    return Made({"epub": render(job.article, job.out_dir, inputs)})
