"""The build's large-print step: the page, its read-along timings and the MP3."""

from __future__ import annotations

from editions.facts import Timings
from editions.job import BuildOptions, Job, Made


def key_options(options: BuildOptions, stem: str) -> dict[str, str]:
    """Nothing but the source and the audio shapes the page."""
    return {}


def make(job: Job) -> Made:
    """Write the self-contained large-print page beside the MP3."""
    from editions.large_print.render import LargePrintInputs, render

    mp3 = job.reused["mp3"]
    inputs = LargePrintInputs(
        audio_name=mp3.name,
        timings=Timings.read(job.reused["timings"]),
        audio_path=mp3,
    )
    return Made({"html": render(job.article, job.out_dir, inputs)})
