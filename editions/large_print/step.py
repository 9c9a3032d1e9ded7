"""The build's large-print step: the page, its read-along timings and the MP3."""

from __future__ import annotations

from editions.facts import Timings
from editions.job import BuildOptions, Job, Made
from editions.registry import numbered


def key_options(options: BuildOptions, stem: str) -> dict[str, str]:
    """Nothing but the source and the audio shapes the page."""
    return {}


def make(job: Job) -> Made:
    """Write the self-contained large-print page beside the MP3 (or its parts)."""
    from editions.large_print.render import LargePrintInputs, render

    mp3 = job.reused.get("mp3")  # a long book has MP3 parts instead
    parts = numbered(job.reused, "audio", "part")
    inputs = LargePrintInputs(
        audio_name=mp3.name if mp3 else parts[0].name,
        timings=Timings.read(job.reused["timings"]),
        audio_path=mp3,
        parts=parts,
    )
    return Made({"html": render(job.article, job.out_dir, inputs)})
