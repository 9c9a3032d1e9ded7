"""Mastered chapters → the audio's timeline: chapter marks, sentence times, WebVTT.

Times are on the whole book's decoded timeline (what the M4B and the one-file MP3
play); when the book is written in parts, the timings also say which part holds
each sentence (`editions.facts.AudioPart`), so the EPUB and the page can play it.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from editions.audio.chapters import Mark
from editions.audio.levels import RATE
from editions.audio.parts import Written, merge_marks
from editions.audio.vtt import SentenceTime, timings, webvtt
from editions.output import write_text

if TYPE_CHECKING:
    from editions.audio.chapter_master import ChapterMaster
    from editions.audio.master import Chapter


@dataclass(frozen=True)
class AudioEdition:
    """The files written and what was measured on the mastered book."""

    mp3: Path | None  # the one-file book; None when it is written in parts
    m4b: Path
    vtt: Path
    timings: Path
    chapter_files: tuple[Path, ...]
    duration: float
    lufs: float = float("nan")
    true_peak: float = float("nan")
    parts: tuple[Path, ...] = ()  # `<stem>-part1.mp3`, … for a long book


@dataclass(frozen=True)
class Laid:
    """The mastered units (chapters, or pieces of long ones) on the book timeline."""

    units: Sequence[Chapter]
    masters: Sequence[ChapterMaster]
    heading_of: Sequence[int]  # each unit's chapter (0-based)
    starts: Sequence[int]  # each unit's first sample in the book
    length: int  # the book's decoded samples


def marks_of(
    chapters: Sequence[Chapter], starts: Sequence[int], length: int
) -> list[Mark]:
    """Return contiguous chapter marks covering 0 → *length* samples, in seconds."""
    bounds = [0, *starts[1:], length]
    return [
        Mark(chapter.title, start / RATE, end / RATE)
        for chapter, start, end in zip(chapters, bounds, bounds[1:], strict=False)
    ]


def _sentences(laid: Laid) -> list[SentenceTime]:
    """Return each sentence's heard span on the book's decoded timeline."""
    return [
        SentenceTime(
            cue.sentence_id,
            cue.text,
            heading + 1,
            (start + a) / RATE,
            (start + b) / RATE,
        )
        for unit, master_, heading, start in zip(
            laid.units, laid.masters, laid.heading_of, laid.starts, strict=True
        )
        for cue, (a, b) in zip(unit.cues, master_.cue_spans, strict=True)
    ]


def write_timings(
    laid: Laid,
    out_dir: Path,
    stem: str,
    mp3: Path | None,
    m4b: Path,
    chapter_files: tuple[Path, ...],
    written: Written,
    levels: tuple[float, float],
    part_minutes: float | None = None,
) -> AudioEdition:
    """Write the WebVTT and the timings JSON; return the edition's files."""
    duration = laid.length / RATE
    marks = merge_marks(marks_of(laid.units, laid.starts, laid.length), laid.heading_of)
    sentences = _sentences(laid)
    vtt = write_text(out_dir / f"{stem}.vtt", webvtt(sentences))
    timeline = dataclasses.replace(
        timings(duration, marks, sentences),
        parts=written.parts,
        part_minutes=part_minutes if written.parts else None,
    )
    timings_file = write_text(out_dir / f"{stem}.timings.json", timeline.to_json())
    return AudioEdition(
        mp3,
        m4b,
        vtt,
        timings_file,
        chapter_files,
        duration,
        *levels,
        parts=written.files,
    )
