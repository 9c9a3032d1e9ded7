"""WebVTT captions and the timings JSON, both on the final MP3's timeline (§4d)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from editions.audio.chapters import Mark
from editions.facts import ChapterTime, SentenceTiming, Timings


@dataclass(frozen=True)
class SentenceTime:
    """Where one sentence is heard: its id, chapter number (1-based) and span in s."""

    sentence_id: str
    text: str
    chapter: int
    start: float
    end: float


def timestamp(seconds: float) -> str:
    """Format seconds as the WebVTT `hh:mm:ss.ttt` (always with hours, for clarity)."""
    total_ms = max(0, round(seconds * 1000.0))
    hours, rest = divmod(total_ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    secs, millis = divmod(rest, 1000)
    return f"{hours:02d}:{minutes:02d}:{secs:02d}.{millis:03d}"


def _cue_text(text: str) -> str:
    """Make text a safe cue payload: markup escaped (so no "-->"), no blank lines."""
    safe = text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
    lines = [line.strip() for line in safe.splitlines() if line.strip()]
    return "\n".join(lines) or "…"


def _ms_spans(sentences: Sequence[SentenceTime]) -> list[tuple[int, int]]:
    """Round spans to ms keeping starts non-decreasing and every start < end."""
    spans, floor = [], 0
    for sentence in sentences:
        start = max(floor, round(sentence.start * 1000.0))
        end = max(start + 1, round(sentence.end * 1000.0))
        spans.append((start, end))
        floor = start
    return spans


def webvtt(sentences: Sequence[SentenceTime]) -> str:
    """Return a WebVTT file with one cue per sentence, id = the sentence id."""
    blocks = ["WEBVTT"]
    for sentence, (start, end) in zip(sentences, _ms_spans(sentences), strict=True):
        blocks.append(
            f"{sentence.sentence_id}\n{timestamp(start / 1000)} --> "
            f"{timestamp(end / 1000)}\n{_cue_text(sentence.text)}"
        )
    return "\n\n".join(blocks) + "\n"


def timings(
    duration: float, marks: Sequence[Mark], sentences: Sequence[SentenceTime]
) -> Timings:
    """Return the timeline (seconds, ms precision) that other editions sync to."""
    return Timings(
        round(duration, 3),
        tuple(ChapterTime(m.title, round(m.start, 3), round(m.end, 3)) for m in marks),
        tuple(
            SentenceTiming(s.sentence_id, s.chapter, start / 1000, end / 1000)
            for s, (start, end) in zip(sentences, _ms_spans(sentences), strict=True)
        ),
    )
