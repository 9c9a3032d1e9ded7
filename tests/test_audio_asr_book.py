"""ASR back-check on the built audio: Whisper tiny.en listens to every sentence.

A speech engine can skip, garble or mispronounce a word (a dose, an acronym, a drug
name) without any error. Each article's whole MP3 is transcribed offline (tiny.en,
int8, beam 5: the same decoding as `invoke check`) and scored by the one ASR
definition (`asr_metric.listen`, issue 20): the written words are the reference,
citations, the title block and the reference list are optional, numbers compare as
numbers. The worst sentences go to a JSON report for a person to listen to.
"""

from __future__ import annotations

import json
import os
import statistics
import time
from dataclasses import dataclass
from pathlib import Path

import pytest
from conftest import ROOT, Built

from editions.audio.script import build_script
from editions.audio.speech_text import equivalents
from editions.checks.asr_metric import FLOOR, FLOOR_WORDS, Score, hear
from editions.checks.asr_words import Equivalents, normalise_words
from editions.facts import Timings

RESULTS_ENV = "EDITIONS_TEST_RESULTS"
#: Issue 20: at least 0.95 with the default voice (hibari "heart"). Measured with
#: tiny.en (int8, beam 5) by the issue-20 definition: main article 0.989, worst
#: sentence 0.86; fixture 0.98; en-GB leaflet 0.988 (tests/test_speech_asr.py).
MIN_ACCURACY = 0.95
WORST = 15


@dataclass(frozen=True)
class Heard:
    """One article's transcript, scored against its written text."""

    spoken: dict[str, str]  # sentence id → the speech script's spoken text
    folds: Equivalents
    score: Score
    report: Path

    def heard_in(self, sentence_id: str) -> list[str]:
        """The normalised words heard in one sentence's window."""
        return list(self.score.by_id()[sentence_id].words)


def _results_dir() -> Path:
    return Path(os.environ.get(RESULTS_ENV) or ROOT / "build" / "test-results")


def _listen(built: Built) -> Heard:
    script = build_script(built.article)
    spoken = {u.sentence_id: u.spoken for c in script for u in c.utterances}
    timings = Timings.read(built.paths["timings"])
    started = time.perf_counter()
    score = hear(built.article, timings, built.paths["mp3"])
    seconds = time.perf_counter() - started
    worst = score.worst(WORST)
    report = _results_dir() / f"asr-{built.name}.json"
    report.parent.mkdir(parents=True, exist_ok=True)
    rows = [
        {
            "id": h.line.sentence_id,
            "accuracy": round(h.accuracy, 3),
            "words": h.line.required,
            "start": h.line.start,
            "written": h.line.written,
            "heard": h.heard,
        }
        for h in worst
    ]
    summary = {
        "audio": str(built.paths["mp3"]),
        "model": "tiny.en int8, beam 5",
        "seconds": round(seconds, 1),
        "word_accuracy": round(score.accuracy, 4),
        "words": score.words,
        "errors": score.errors,
        "sentences": len(score.sentences),
        "below_floor": [h.line.sentence_id for h in score.below_floor()],
        "worst": rows,
    }
    report.write_text(json.dumps(summary, indent=2, ensure_ascii=False) + "\n")
    print(
        f"\n{built.name}: word accuracy {score.accuracy:.3f} "
        f"({score.errors} errors in {score.words} words) in {seconds:.0f} s; worst:"
    )
    for row in rows[:5]:
        print(f"  {row['accuracy']:.2f} {row['id']}: {row['written']!r}")
        print(f"       heard {row['heard']!r}")
    folds = equivalents(built.article.lexicon)
    return Heard(spoken, folds, score, report)


@pytest.fixture(scope="module")
def heard(built_all: dict[str, Built]) -> dict[str, Heard]:
    """Transcribe both articles' MP3s once for this module."""
    return {name: _listen(built) for name, built in built_all.items()}


@pytest.mark.parametrize("name", ["main", "fixture"])
def test_the_audio_says_the_written_words(heard: dict[str, Heard], name: str) -> None:
    assert heard[name].score.accuracy >= MIN_ACCURACY


@pytest.mark.parametrize("name", ["main", "fixture"])
def test_no_sentence_is_below_the_floor(heard: dict[str, Heard], name: str) -> None:
    """Issue 20: no sentence of five or more words below 0.7."""
    score = heard[name].score
    low = [
        (h.line.sentence_id, round(h.accuracy, 2), h.line.written, h.heard)
        for h in score.sentences
        if h.line.required >= FLOOR_WORDS and h.accuracy < FLOOR
    ]
    assert low == [], low
    assert [h.line.sentence_id for h in score.below_floor()] == [row[0] for row in low]
    counted = [h.accuracy for h in score.sentences if h.line.required]
    assert statistics.median(counted) >= 0.9


def test_doses_and_money_are_heard_as_written(heard: dict[str, Heard]) -> None:
    fixture, main = heard["fixture"], heard["main"]
    dose = normalise_words("1 to 5 mg", main.folds)
    assert _contains(fixture.heard_in("s3"), dose)
    assert _contains(main.heard_in(_said(main, "one to five milligrams")), dose)
    # Whisper writes what it hears as "$600 and $35 billion": the words are right,
    # its formatting is not, so the amount is checked apart from the currency.
    money = main.heard_in(_said(main, "billion dollars"))
    amount = [w for w in money if w != "dollars"]
    assert _contains(amount, normalise_words("635 billion")) and "dollars" in money


def test_acronyms_are_heard(heard: dict[str, Heard]) -> None:
    """Most "L D N" and "C R P S" in the script come back as LDN and CRPS."""
    main = heard["main"]
    for acronym in ("ldn", "crps"):
        said = [
            sid
            for sid, text in main.spoken.items()
            if acronym in normalise_words(text, main.folds)
        ]
        found = [sid for sid in said if acronym in main.heard_in(sid)]
        assert len(said) >= 3 and len(found) >= 0.6 * len(said), (acronym, said, found)


def test_the_worst_sentences_are_reported(heard: dict[str, Heard]) -> None:
    for result in heard.values():
        report = json.loads(result.report.read_text(encoding="utf-8"))
        worst = [row["accuracy"] for row in report["worst"]]
        scores = [h.accuracy for h in result.score.sentences]
        assert worst == sorted(worst) and len(worst) == min(WORST, len(scores))
        assert worst[0] == round(min(scores), 3)
        assert report["word_accuracy"] == round(result.score.accuracy, 4)


def _said(heard: Heard, phrase: str) -> str:
    """The id of the first sentence whose script contains *phrase*."""
    return next(sid for sid, text in heard.spoken.items() if phrase in text)


def _contains(words: list[str], phrase: list[str]) -> bool:
    size = len(phrase)
    return any(words[i : i + size] == phrase for i in range(len(words) - size + 1))
