"""Issue 20's ASR definition: written words, optional parts, numbers as numbers.

Unit tests of `asr_metric` on strings and synthetic word lists (no audio, no model):
the same functions score the real-voice tests, `invoke check` and the report.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path

import pytest
from conftest import FIXTURE

from editions.audio.script import build_script
from editions.checks.asr import Word
from editions.checks.asr_metric import (
    FLOOR,
    cut,
    errors,
    listen,
    relisten,
    score,
    word_accuracy,
)
from editions.checks.asr_reference import Line, lines, reference
from editions.checks.asr_words import normalise_words
from editions.facts import ChapterTime, SentenceTiming, Timings
from editions.model import Article
from editions.source import article as source


def test_case_and_punctuation_are_dropped() -> None:
    assert word_accuracy("Take ONE tablet, daily!", "take one tablet daily") == 1.0
    assert word_accuracy("“Rest,” she said; (then) eat…", "rest she said then eat") == 1


def test_numbers_compare_as_numbers() -> None:
    for written, heard in [
        ("take 2 tablets", "take two tablets"),
        ("for 25 days", "for twenty five days"),
        ("for 25 days", "for twenty-five days"),
        ("2.5 mg", "two point five mg"),
        ("1,000 people", "one thousand people"),
        ("on the 21st", "on the twenty-first"),
        ("128 people", "one hundred and twenty-eight people"),
    ]:
        assert word_accuracy(written, heard) == 1.0, (written, heard)
    assert word_accuracy("take 2 tablets", "take three tablets") == pytest.approx(2 / 3)


def test_british_and_american_spellings_are_one_word() -> None:
    written, heard = "haemoglobin 130 g per litre", "hemoglobin 130 g per liter"
    assert word_accuracy(written, heard) == 1.0
    assert word_accuracy("anaemia", "anemia") == 1.0
    assert word_accuracy("anaemia", "anorexia") == 0.0


def test_a_wrong_word_costs() -> None:
    assert word_accuracy("take one tablet daily", "take one tablet daily") == 1.0
    assert word_accuracy("take one tablet daily", "take one table daily") == 0.75
    assert word_accuracy("take one tablet daily", "take one daily") == 0.75
    assert word_accuracy("take one tablet daily", "take one big tablet daily") == 0.75
    assert word_accuracy("a b", "a b c d e f") == 0.0  # floored, not negative
    assert word_accuracy("", "") == 1.0


def test_errors_is_word_levenshtein_without_optional_words() -> None:
    ref = "the cat sat on the mat".split()
    assert errors(ref, [False] * 6, "the cat sat on the mat".split()) == 0
    assert errors(ref, [False] * 6, "a cat sat on mat today".split()) == 3
    assert errors(ref, [False] * 6, []) == 6
    assert errors([], [], "x y".split()) == 2


def test_optional_words_cost_nothing_said_or_unsaid() -> None:
    written = "It helps (Doe et al., 2020)."
    cited = ["(Doe et al., 2020)"]
    for heard in [
        "It helps.",
        "It helps, see Doe and colleagues, 2020.",
        "It helps, sea dough and colleagues twenty twenty.",
        "It helps, see Centres for Disease Control and colleagues 2020.",
    ]:
        assert word_accuracy(written, heard, optional=cited) == 1.0, heard
    assert word_accuracy(written, "It hurts.", optional=cited) == 0.5
    assert word_accuracy(written, "It, see Doe et al, 2020.", optional=cited) == 0.5
    assert word_accuracy(written, "It helps.") < 0.5  # without the citation marked


def test_the_script_labels_and_spoken_forms_fit_the_written_words() -> None:
    words, marks, folds = reference(
        "Take 5 mg (Doe, 2020).",
        "Dose: take five milligrams, see Doe, 2020,",
        cited=["(Doe, 2020)"],
        asides=[", see Doe, 2020,"],
    )
    required = [w for w, free in zip(words, marks, strict=True) if not free]
    assert required == ["take", "five", "mg"]  # written words, not "milligrams"
    assert (("milligrams",), ("mg",)) in folds
    assert "dose" in words and marks[words.index("dose")]  # said, not written
    # A URL's path the voice leaves out on purpose is optional.
    words, marks, _ = reference(
        "Read more at www.nhs.uk/conditions/anaemia.", "Read more at N H S dot U K."
    )
    assert [w for w, free in zip(words, marks, strict=True) if not free] == [
        "read",
        "more",
        "at",
        "nhs",
        "dot",
        "uk",
    ]


def test_cut_gives_each_word_to_one_window() -> None:
    windows = [(0.0, 1.0), (1.2, 2.0), (5.0, 6.0)]
    words = [
        Word(0.1, 0.4, "Hello"),
        Word(0.5, 1.1, "there"),  # straddles the boundary: counted once
        Word(1.25, 1.6, "general"),
        Word(1.7, 2.25, "Kenobi."),  # just past the end: the nearest window
        Word(3.9, 4.3, "stray"),  # between windows: the nearer one
        Word(6.5, 6.7, "late"),  # after every window: the last one
    ]
    texts = [[w.text for w in found] for found in cut(windows, words)]
    assert texts == [
        ["Hello", "there"],
        [
            "general",
            "Kenobi.",
        ],
        ["stray", "late"],
    ]
    assert cut([], words) == []


def _line(sentence_id: str, start: float, end: float, text: str) -> Line:
    words = normalise_words(text)
    return Line(sentence_id, start, end, text, tuple(words), (False,) * len(words))


def _said(text: str, start: float, end: float) -> list[Word]:
    """Words spread evenly over (start, end), as a recogniser would time them."""
    parts = text.split()
    step = (end - start) / len(parts)
    return [
        Word(start + i * step, start + (i + 1) * step, p) for i, p in enumerate(parts)
    ]


def test_score_is_one_minus_wer_and_lists_sentences_under_the_floor() -> None:
    refs = [
        _line("s1", 0.0, 3.0, "Take one tablet every morning with water."),
        _line("s2", 3.5, 6.0, "Keep it in a cool dry place."),
        _line("s3", 6.5, 8.0, "Ask your pharmacist."),  # three words: no floor
    ]
    heard = (
        _said("Take one tablet every morning with water.", 0.0, 3.0)
        + _said("Keep it in a warm wet room.", 3.5, 6.0)  # 3 of 7 wrong
        + _said("Ask you farmer.", 6.5, 8.0)  # 2 of 3 wrong
    )
    result = score(refs, heard)
    assert result.words == 7 + 7 + 3
    assert result.errors == 5
    assert result.accuracy == pytest.approx(1 - 5 / 17)
    by_id = result.by_id()
    assert by_id["s2"].accuracy == pytest.approx(4 / 7) and 4 / 7 < FLOOR
    assert [h.line.sentence_id for h in result.below_floor()] == ["s2"]
    assert [h.line.sentence_id for h in result.worst(2)] == ["s3", "s2"]


@pytest.fixture(scope="module")
def fixture_article() -> Article:
    return source.load(FIXTURE)[0]


def _timings(article: Article) -> Timings:
    """One second per utterance, in script order (what the audio edition writes)."""
    script = build_script(article)
    spans = []
    for number, chapter in enumerate(script, start=1):
        for u in chapter.utterances:
            start = 2.0 * len(spans)
            spans.append(SentenceTiming(u.sentence_id, number, start, start + 1.0))
    chapters = (ChapterTime(script[0].title, 0.0, spans[-1].end),)
    return Timings(spans[-1].end, chapters, tuple(spans))


def _heard(article: Article, timings: Timings, column: str) -> list[Word]:
    script = {u.sentence_id: u for c in build_script(article) for u in c.utterances}
    words: list[Word] = []
    for span in timings.sentences:
        text = getattr(script[span.sentence_id], column)
        words += _said(text, span.start, span.end)
    return words


def test_written_or_spoken_script_heard_verbatim_scores_one(
    fixture_article: Article,
) -> None:
    timings = _timings(fixture_article)
    for column in ("display", "spoken"):  # the page's words, or the voice's
        result = listen(
            fixture_article, timings, _heard(fixture_article, timings, column)
        )
        assert result.accuracy == 1.0, (
            column,
            [(h.line.sentence_id, h.heard) for h in result.worst(3)],
        )
        assert not result.below_floor()


def test_title_block_citations_and_references_are_optional(
    fixture_article: Article,
) -> None:
    timings = _timings(fixture_article)
    refs = {line.sentence_id: line for line in lines(fixture_article, timings)}
    title = fixture_article.sections[0].title.sentence_id
    for sid in (
        title,
        "byline",
        *(r.sentence.sentence_id for r in fixture_article.references),
    ):
        assert sid in refs and refs[sid].required == 0, sid
    # "[@doe-2020]" is optional: its words are in the reference but not counted.
    cited = next(line for line in refs.values() if "(Doe" in line.written)
    assert cited.required < len(cited.words)
    # Silence in every optional sentence costs nothing; a missing body sentence does.
    words = _heard(fixture_article, timings, "spoken")
    kept = [
        w
        for w in words
        if not any(
            s.start <= w.start < s.end and refs[s.sentence_id].required == 0
            for s in timings.sentences
        )
    ]
    assert listen(fixture_article, timings, kept).accuracy == 1.0
    body = next(line for line in refs.values() if line.required >= 5)
    gone = [w for w in kept if not body.start <= w.start < body.end]
    result = listen(fixture_article, timings, gone)
    assert result.errors == body.required
    assert [h.line.sentence_id for h in result.below_floor()] == [body.sentence_id]


def test_a_sentence_under_the_floor_is_heard_again_on_its_own() -> None:
    refs = [
        _line("s1", 0.0, 3.0, "A round red pill on a grey background."),
        _line("s2", 4.0, 7.0, "The image shows a single tablet from above."),
    ]
    # The recogniser skipped seconds of the long file: one long "a".
    skipped = [*_said("figure around red pill on", 0.0, 2.0), Word(2.0, 5.0, "a")]
    skipped += _said("from above.", 6.0, 7.0)
    first = score(refs, skipped)
    assert sorted(h.line.sentence_id for h in first.below_floor()) == ["s1", "s2"]
    asked: list[tuple[float, float]] = []

    def again(clips: Sequence[tuple[float, float]]) -> list[Word]:
        asked.extend(clips)
        return _said("A round red pill on a grey background.", 0.0, 3.0) + _said(
            "The image shows a single tablet from above.", 4.0, 7.0
        )

    result = relisten(first, refs, skipped, (), again)
    assert sorted(asked) == [(0.0, 3.5), (3.5, 7.5)]  # halfway into the pauses
    assert result.accuracy == 1.0 and not result.below_floor()

    def garbled(clips: Sequence[tuple[float, float]]) -> list[Word]:
        return _said("something else entirely here", 0.0, 3.0)

    kept = relisten(first, refs, skipped, (), garbled)
    assert kept.errors == first.errors  # a worse second hearing is not taken
    assert relisten(kept, refs, skipped, (), garbled).below_floor()


def test_a_book_in_parts_is_heard_part_by_part_on_the_book_timeline(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """Each part's words (and a re-heard clip's) move by the part's book start."""
    from editions import facts
    from editions.checks import asr_metric

    heard: dict[str, list[Word]] = {
        "a-part1.mp3": [Word(1.0, 1.5, "one")],
        "a-part2.mp3": [Word(0.5, 1.0, "two")],
    }
    asked: list[tuple[str, tuple[tuple[float, float], ...]]] = []

    def transcribe(path: Path, clips: tuple[tuple[float, float], ...] = ()) -> str:
        asked.append((path.name, tuple(clips)))
        return path.name

    seen: list[list[Word]] = []

    def listen(article: object, timings: object, words: list[Word], again: object):
        seen.append(list(words))
        seen.append(list(again([(100.5, 101.0)])))  # type: ignore[operator]
        return "scored"

    monkeypatch.setattr(asr_metric, "transcribe", transcribe)
    monkeypatch.setattr(asr_metric, "words_of", lambda name: heard[name])
    monkeypatch.setattr(asr_metric, "listen", listen)
    part = facts.AudioPart
    timings = facts.Timings(
        duration=150.0,
        chapters=(),
        sentences=(),
        parts=(
            part("a-part1.mp3", 0.0, 100.0, "s1", (1,)),
            part("a-part2.mp3", 100.0, 50.0, "s9", (2,)),
        ),
    )
    scored = asr_metric.hear(None, timings, tmp_path / "a.m4b")  # type: ignore[arg-type]
    assert scored == "scored"
    assert [(w.text, w.start) for w in seen[0]] == [("one", 1.0), ("two", 100.5)]
    assert asked[-1] == ("a-part2.mp3", ((0.5, 1.0),))  # the clip, in part 2's time
    assert [(w.text, w.start) for w in seen[1]] == [("two", 100.5)]
