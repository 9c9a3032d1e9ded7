"""How the built audio paces itself: speaking rate and pauses (standards §4e).

Both are measured on what was built: the rate from the speech script's words and
the sentence timings, the pauses from the decoded MP3 itself.
"""

from __future__ import annotations

import json
import statistics
from pathlib import Path

import numpy as np
from conftest import Built

from editions.audio.measure import decode
from editions.audio.script import (
    PAUSE_CHAPTER,
    PAUSE_HEADING,
    PAUSE_PARAGRAPH,
    PAUSE_SENTENCE,
    Utterance,
    build_script,
)
from editions.checks.audio import (
    CHAPTER_WORDS_PER_MINUTE,
    WORDS_PER_MINUTE,
    SpokenSentence,
    check_speaking_rate,
    pauses,
    speaking_rates,
    spoken_sentences,
)

PAUSE_TOLERANCE = 0.05  # s: a kind of pause is, in the median, what the script asks
#: The middle half of a kind's pauses lie within this (measured: 0.01 s or less).
PAUSE_IQR = 0.05
#: A soft final consonant under the silence threshold may stretch a pause, never
#: by more than this (measured: at most 0.23 s, once in 82 sentence pauses).
PAUSE_SPREAD = 0.3


def _utterances(built: Built) -> dict[str, Utterance]:
    script = build_script(built.article)
    return {u.sentence_id: u for chapter in script for u in chapter.utterances}


def _words(built: Built) -> dict[str, int]:
    return {i: len(u.spoken.split()) for i, u in _utterances(built).items()}


def _sentences(built: Built) -> list[SpokenSentence]:
    timings = json.loads(built.paths["timings"].read_text(encoding="utf-8"))
    return spoken_sentences(timings, _words(built))


def _reference_chapter(built: Built) -> int:
    chapters = [s for s in built.article.sections if s.level <= 2]
    return next(n for n, s in enumerate(chapters, 1) if s.role == "bibliography")


def test_main_article_is_read_at_a_listenable_rate(built_all: dict[str, Built]) -> None:
    main = built_all["main"]
    overall, per_chapter = speaking_rates(_sentences(main))
    print(f"\nwords per minute: book {overall:.1f}; chapters", per_chapter)
    low, high = WORDS_PER_MINUTE
    assert low <= overall <= high
    references = _reference_chapter(main)
    findings = check_speaking_rate(main.paths["timings"], _words(main), (references,))
    assert not [str(f) for f in findings]
    # Names, years and titles with a pause after each entry: slower, never dragging.
    assert 100 <= per_chapter[references] <= CHAPTER_WORDS_PER_MINUTE[1]


def test_speaking_rate_check_flags_a_rushed_book(tmp_path: Path) -> None:
    timings = {
        "sentences": [
            {"id": "a", "chapter": 1, "start": 0.0, "end": 10.0},
            {"id": "b", "chapter": 2, "start": 12.0, "end": 22.0},
        ]
    }
    path = tmp_path / "article.timings.json"
    path.write_text(json.dumps(timings), encoding="utf-8")
    assert check_speaking_rate(path, {"a": 25, "b": 26}) == []  # 153 wpm
    rushed = check_speaking_rate(path, {"a": 25, "b": 40})  # 195 wpm, chapter 240
    assert [f.code for f in rushed] == ["AUD012", "AUD012"]
    assert "chapter 2" in rushed[1].message
    assert check_speaking_rate(path, {"a": 25, "b": 40}, skip=(2,))[0].code == "AUD012"


def test_pauses_are_consistent_and_mark_the_structure(built: Built) -> None:
    sentences = _sentences(built)
    utterances = _utterances(built)
    samples, rate = decode(built.paths["mp3"])
    heard = pauses(samples, rate, sentences)
    kinds: dict[float, list[float]] = {}
    for sentence, pause in zip(sentences, heard, strict=False):
        kinds.setdefault(utterances[sentence.sentence_id].pause_after, []).append(pause)
    report = {
        asked: (min(got), statistics.median(got), max(got))
        for asked, got in sorted(kinds.items())
    }
    print(f"\n{built.name}: pause asked -> heard (min, median, max) s: {report}")
    assert set(kinds) <= {PAUSE_SENTENCE, PAUSE_PARAGRAPH, PAUSE_HEADING, PAUSE_CHAPTER}
    for asked, got in kinds.items():
        median = statistics.median(got)
        assert abs(median - asked) <= PAUSE_TOLERANCE, (asked, got)
        low, high = np.percentile(got, [25, 75])
        assert high - low <= PAUSE_IQR, (asked, got)
        assert float(np.max(np.abs(np.array(got) - median))) <= PAUSE_SPREAD
    medians = [statistics.median(kinds[k]) for k in sorted(kinds)]
    assert medians == sorted(medians)
