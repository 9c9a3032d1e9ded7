"""The build's audio step: speak (counting sentences), then hand on the files."""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

from editions.job import BuildOptions, Job, Made


def key_options(options: BuildOptions, stem: str) -> dict[str, str]:
    """Name the options that shape the audio."""
    shaped = {"speech engine": f"{options.tts} {options.voice}".strip()}
    if options.audio_part_minutes is not None:
        shaped["part minutes"] = f"{options.audio_part_minutes:g}"
    return shaped


def make(job: Job) -> Made:
    """Speak and master the audio; record when synthesis ran, for the bench."""
    from editions import progress
    from editions.audio.render import render
    from editions.cluster import speech_executor
    from editions.errors import Location
    from editions.registry import part_key

    article, options = job.article, job.options
    window: dict[str, Any] = {}
    started = time.perf_counter()
    # With --scheduler the sentences are spoken on the cluster's workers.
    cache_dir = options.cache_dir or job.out_dir / ".cache" / "speech"
    where = Location(article.source, key=f"--scheduler {options.scheduler}")
    cluster = speech_executor(options.scheduler, cache_dir, where)

    def spoken(done: int, total: int) -> None:
        now = time.time()
        window.setdefault("synthesis_started", now)
        if done >= total and "synthesis_seconds" not in window:
            window["synthesis_seconds"] = now - window["synthesis_started"]
        what = f"sentences ({options.tts})" if done < total else "mastering"
        progress.update("audio", done, total, what)

    with cluster as executor:
        result = render(
            article,
            job.out_dir,
            options.tts,
            options.cache_dir,
            progress=spoken,
            voice=options.voice,
            executor=executor,
            part_minutes=options.audio_part_minutes,
        )
    if result.warning:  # e.g. a language only espeak-ng reads offline
        options.report(f"{article.source}: warning AUD018: {result.warning}")
    options.report(
        f"audio: {result.synthesised} of {result.utterances} sentences "
        "synthesised (the rest came from the cache)"
    )
    edition = result.edition
    _warn_long_parts(edition.timings, options, str(article.source))
    # A long book has no one-file MP3 but numbered parts (registry "part"):
    # run() lists them, the manifest hashes them, a later build sees them all.
    books = (
        {"mp3": edition.mp3}
        if edition.mp3 is not None
        else {part_key(n): p for n, p in enumerate(edition.parts, start=1)}
    )
    return Made(
        {
            **books,
            "m4b": edition.m4b,
            "vtt": edition.vtt,
            "timings": edition.timings,
            "speech": result.speech,  # issue 20: the speech script
            "script": result.script_text,
        },
        extra_files=edition.chapter_files,
        facts={
            "synthesised": result.synthesised,
            "utterances": result.utterances,
            "voice": result.voice,
            "duration": edition.duration,
            **window,
        },
        seconds=time.perf_counter() - started,
    )


def _warn_long_parts(timings: Path, options: BuildOptions, source: str) -> None:
    """Say when a part is longer than the limit: only one sentence longer than a
    part can make one (parts are cut between sentences); `invoke check` fails it."""
    from editions.audio.parts import PART_MINUTES
    from editions.facts import Timings

    limit = options.audio_part_minutes
    limit = PART_MINUTES if limit is None else limit
    for part in Timings.read(timings).parts:
        if part.duration > limit * 60:
            options.report(
                f"{source}: warning AUD040: {part.file} plays "
                f"{part.duration / 60:.1f} min, more than the {limit:g}-minute part "
                "limit, because one sentence alone is longer; split that sentence "
                "in the source"
            )
