"""The en-GB leaflet spoken by the default voice and heard back by Whisper tiny.en.

The normaliser's spoken forms must be heard as what the page means: the emergency
number as 999 (not "900 and 99"), the date as 14 March, the range as "2 to 4", the
temperature in degrees. Built once (audio only) and transcribed once (beam 5, as
`invoke check` does).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

import pytest
from test_speech_script import LEAFLET

from editions import build as pipeline
from editions.audio.script import build_script
from editions.checks.asr import Segment, Word, transcribe, words_of
from editions.checks.asr_metric import FLOOR, FLOOR_WORDS, listen
from editions.checks.compare.backcheck import findings_of
from editions.facts import Timings
from editions.model import Article
from editions.source import article as source


@dataclass(frozen=True)
class Heard:
    """The leaflet's transcript, its timings and its model."""

    segments: list[Segment]
    timings: Timings
    article: Article
    mp3: Path

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
    out = tmp_path_factory.mktemp("leaflet-heart")
    options = pipeline.BuildOptions(
        only=("audio",),
        cache_dir=speech_cache,
        report=print,  # the default voice
    )
    paths = pipeline.run(LEAFLET, out, options)
    segments = transcribe(paths["mp3"])  # beam 5, as `invoke check` decodes
    timings = Timings.read(paths["timings"])
    return Heard(segments, timings, source.load(LEAFLET)[0], paths["mp3"])


#: Issue 20's definition, tiny.en beam 5, default voice: measured 0.988.
MIN_ACCURACY = 0.95


def test_the_leaflet_is_heard_as_written(heard: Heard) -> None:
    def again(clips: Sequence[tuple[float, float]]) -> list[Word]:
        return words_of(transcribe(heard.mp3, clips=clips))

    score = listen(heard.article, heard.timings, words_of(heard.segments), again)
    findings, listening = findings_of(score, LEAFLET)
    worst = [(s.sentence_id, s.accuracy, s.heard) for s in listening.worst[:3]]
    print(f"\nleaflet: word accuracy {score.accuracy:.3f}; worst {worst}")
    assert listening.accuracy == score.accuracy >= MIN_ACCURACY, worst
    assert not findings
    weak = [
        h.line.sentence_id
        for h in score.sentences
        if h.line.required >= FLOOR_WORDS and h.accuracy < FLOOR
    ]
    assert weak == [] and listening.below_floor == []


@pytest.mark.parametrize(
    ("written", "expected", "wrong"),
    [
        # Digit by digit: "nine nine nine" or "999", never "nine hundred…".
        ("call 999", r"9\W*9\W*9|nine\W+nine\W+nine", r"hundred"),
        ("14/03/2025", r"\b(14(th)?|fourteenth)( of)? march", r"slash|/"),
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
