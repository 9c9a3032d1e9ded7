"""The en-GB leaflet spoken by the default voice and heard back by Whisper tiny.en.

The normaliser's spoken forms must be heard as what the page means: the emergency
number as 999 (not "900 and 99"), the date as 14 March, the range as "2 to 4", the
temperature in degrees. Built once (audio only) and transcribed once, greedy.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_speech_script import LEAFLET

from editions import build as pipeline
from editions.audio.script import build_script
from editions.checks.asr import Segment, transcribe, words_of
from editions.checks.compare.backcheck import (
    OVERALL_MIN,
    SENTENCE_MIN,
    SENTENCE_MIN_WORDS,
    findings_of,
    score,
)
from editions.facts import Timings
from editions.model import Article
from editions.source import article as source


@dataclass(frozen=True)
class Heard:
    """The leaflet's transcript, its timings and its model."""

    segments: list[Segment]
    timings: Timings
    article: Article

    def raw_in(self, written: str) -> str:
        """Return, lower-cased, what was heard in the sentence that shows *written*."""
        shown = {
            u.sentence_id: u.display
            for c in build_script(self.article)
            for u in c.utterances
        }
        span = next(
            s for s in self.timings.sentences if written in shown[s.sentence_id]
        )
        said = [
            w.text
            for w in words_of(self.segments)
            if span.start - 0.3 <= (w.start + w.end) / 2 <= span.end + 0.3
        ]
        return " ".join(said).lower()


@pytest.fixture(scope="module")
def heard(tmp_path_factory: pytest.TempPathFactory, speech_cache: Path) -> Heard:
    out = tmp_path_factory.mktemp("leaflet-piper")
    options = pipeline.BuildOptions(
        only=("audio",), tts="piper", cache_dir=speech_cache, report=print
    )
    paths = pipeline.run(LEAFLET, out, options)
    segments = transcribe(paths["mp3"], beam_size=1)
    return Heard(segments, Timings.read(paths["timings"]), source.load(LEAFLET)[0])


def test_the_leaflet_is_heard_as_its_script(heard: Heard) -> None:
    scores = score(heard.segments, heard.timings, heard.article)
    findings, listening = findings_of(scores, LEAFLET)
    assert listening.accuracy >= OVERALL_MIN, listening.worst[:3]
    assert not findings
    weak = [
        s for s, n in scores if n >= SENTENCE_MIN_WORDS and s.accuracy < SENTENCE_MIN
    ]
    assert not weak


@pytest.mark.parametrize(
    ("written", "expected", "wrong"),
    [
        # Digit by digit: "nine nine nine" or "999", never "nine hundred…".
        ("call 999", r"9\W*9\W*9|nine\W+nine\W+nine", r"hundred"),
        ("14/03/2025", r"(14th|fourteenth) of march", r"slash|/"),
        ("for 2–4 weeks", r"(2|two) (to|-) ?(4|four) weeks", r"two four|2 4"),
        ("25 °C", r"(25|twenty.five) degrees", r"degrees c\b"),
        ("BMI", r"bmi|b\W*m\W*i", r"\bbimm?[iy]\b|\bbeamy\b"),
    ],
)
def test_spoken_forms_are_heard(
    heard: Heard, written: str, expected: str, wrong: str
) -> None:
    said = heard.raw_in(written)
    assert re.search(expected, said), said
    assert not re.search(wrong, said), said
