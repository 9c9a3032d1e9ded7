"""Written text + recognised words → ASR word accuracy: the one definition (issue 20).

Every ASR figure (the tests, `invoke check`, the report) comes from `listen` (or
`hear`, which transcribes first), or from `word_accuracy` for two strings, and so
follows one definition:

- The reference is the source's written words: each sentence's plain text as pandoc
  renders it (the model's `Sentence.text`, also the speech script's "written").
- Optional words cost nothing, said or unsaid, heard right or wrong, and are not
  counted: parenthetical citations, the title block (title, subtitle, byline,
  summary: pandoc's metadata), the reference list, and words the voice adds that
  the page does not show ("Figure:", a table's column name, ", see Doe, 2020,").
  A word heard between or beside optional words is free too.
- Numbers compare as numbers ("2" = "two", "25" = "twenty five", "2.5" = "two point
  five"): `asr_words` spells digits out on both sides. A wrong number is the
  text-fidelity checks' business. A word heard in the form the script spoke it
  ("milligrams" for "mg", "for example" for "e.g.") counts as the written word.
- British and American spellings are one word, and so is a compound written open,
  hyphenated or closed ("web page" = "webpage").
- Case and punctuation are dropped; accuracy = 1 − WER = 1 − (S + D + I) / N, N the
  required reference words, floored at 0.

A sentence is scored on the words whose midpoint falls in its time window (else the
nearest window): `cut`, then `_settle` at each boundary. The article's figure aligns
all counted sentences at once. No sentence of FLOOR_WORDS or more required words
may score below FLOOR; one that does is heard again on its own first (`relisten`).
"""

from __future__ import annotations

import bisect
import itertools
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, replace
from pathlib import Path

import numpy as np

from editions.audio.speech_text import equivalents as lexicon_equivalents
from editions.checks.asr import Word, transcribe, words_of
from editions.checks.asr_reference import Line, lines
from editions.checks.asr_words import (
    Equivalents,
    fold,
    marked_words,
    merge_letters,
    normalise_words,
)
from editions.facts import Timings
from editions.model import Article

#: Issue 20: no sentence of FLOOR_WORDS or more required words below FLOOR.
FLOOR = 0.7
FLOOR_WORDS = 5
#: Words within SLACK seconds of a sentence boundary may move across it, SHIFT at most.
SLACK = 0.5
SHIFT = 2


def errors(
    reference: Sequence[str], optional: Sequence[bool], hypothesis: Sequence[str]
) -> int:
    """Return the fewest word edits turning *reference* into *hypothesis*.

    A required reference word costs one deleted or substituted; an optional one
    costs nothing either way. An inserted word costs one, unless a reference word
    beside it is optional. Rows of the Levenshtein table are numpy vectors, so a
    whole article (thousands of words each side) aligns in well under a second.
    """
    vocabulary: dict[str, int] = {}
    ref = np.array([vocabulary.setdefault(w, len(vocabulary)) for w in reference])
    hyp = np.array([vocabulary.setdefault(w, len(vocabulary)) for w in hypothesis])
    columns = np.arange(len(hyp) + 1)
    flags = [bool(f) for f in optional]

    def free_insert(row: int) -> bool:  # between reference words row-1 and row
        return (row > 0 and flags[row - 1]) or (row < len(flags) and flags[row])

    def inserted(row: np.ndarray, free: bool) -> np.ndarray:
        if free:
            return np.minimum.accumulate(row)
        return np.minimum.accumulate(row - columns) + columns

    previous = np.zeros_like(columns) if free_insert(0) else columns.copy()
    for i, word in enumerate(ref, start=1):
        miss = 0 if flags[i - 1] else 1
        current = np.empty_like(previous)
        current[0] = previous[0] + miss
        changed = 0 if miss == 0 else (hyp != word)
        current[1:] = np.minimum(previous[1:] + miss, previous[:-1] + changed)
        previous = inserted(current, free_insert(i))
    return int(previous[-1])


def like_reference(heard: Sequence[str], reference: Sequence[str]) -> list[str]:
    """Split or join heard words as *reference* writes a compound.

    "socio-economic", "socio economic" and "socioeconomic", or "web page" and
    "webpage", are one word written three ways, not a recognition error.
    """
    known = set(reference)
    pairs = {a + b: (a, b) for a, b in itertools.pairwise(reference)}
    out: list[str] = []
    index = 0
    while index < len(heard):
        word = heard[index]
        joined = word + heard[index + 1] if index + 1 < len(heard) else ""
        if joined in known and word not in known:
            out.append(joined)
            index += 2
            continue
        out += pairs[word] if word in pairs and word not in known else [word]
        index += 1
    return out


def accuracy_of(wrong: int, required: int) -> float:
    """Return 1 − WER, floored at 0; a reference with no required word scores 1."""
    return max(0.0, 1.0 - wrong / required) if required else 1.0


def word_accuracy(
    reference: str,
    hypothesis: str,
    equivalents: Equivalents = (),
    optional: Sequence[str] = (),
) -> float:
    """Return the accuracy of *hypothesis* against *reference* (module docstring).

    *optional* phrases of the reference cost nothing; each (spoken, written) pair of
    *equivalents* folds the spoken form to the written one on both sides.
    """
    phrases = [merge_letters(phrase) for phrase in optional]
    words, marks = marked_words(merge_letters(reference), phrases, equivalents)
    heard = like_reference(
        normalise_words(merge_letters(hypothesis), equivalents), words
    )
    if not marks.count(False):  # nothing required: only silence is right
        return 1.0 if not heard or words else 0.0
    return accuracy_of(errors(words, marks, heard), marks.count(False))


def cut(
    windows: Sequence[tuple[float, float]], words: Sequence[Word]
) -> list[list[Word]]:
    """Give each recognised word to one (start, end) window; return each window's.

    A word goes to the window holding its midpoint, else to the nearest one (the
    earlier on a tie), so every word heard is counted once, and a word straddling
    a boundary is not counted twice.
    """
    cuts: list[list[Word]] = [[] for _ in windows]
    if not windows:
        return cuts
    starts = [start for start, _end in windows]
    for word in words:
        middle = (word.start + word.end) / 2
        index = max(0, bisect.bisect_right(starts, middle) - 1)
        candidates = [i for i in (index, index + 1) if i < len(windows)]
        gaps = [
            max(windows[i][0] - middle, middle - windows[i][1], 0.0) for i in candidates
        ]
        cuts[candidates[gaps.index(min(gaps))]].append(word)
    return cuts


@dataclass(frozen=True)
class Heard:
    """One sentence as scored: what was heard in its window, and its errors."""

    line: Line
    heard: str  # the recognised words, as Whisper wrote them
    words: tuple[str, ...]  # the same, normalised and folded
    errors: int

    @property
    def accuracy(self) -> float:
        """Return this sentence's 1 − WER."""
        return accuracy_of(self.errors, self.line.required)

    @property
    def below_floor(self) -> bool:
        """True for a sentence of FLOOR_WORDS or more words scoring under FLOOR."""
        return self.line.required >= FLOOR_WORDS and self.accuracy < FLOOR


@dataclass(frozen=True)
class Score:
    """The article's ASR word accuracy and every sentence's."""

    accuracy: float
    errors: int
    words: int  # required reference words
    sentences: tuple[Heard, ...]

    def by_id(self) -> Mapping[str, Heard]:
        """Return the sentences by id."""
        return {h.line.sentence_id: h for h in self.sentences}

    def below_floor(self) -> list[Heard]:
        """Return the sentences under the per-sentence floor, worst first."""
        return sorted((h for h in self.sentences if h.below_floor), key=_accuracy)

    def worst(self, count: int) -> list[Heard]:
        """Return the *count* sentences heard least well (ties in reading order)."""
        return sorted(self.sentences, key=_accuracy)[:count]


def _accuracy(heard: Heard) -> float:
    return heard.accuracy


def _hear(line: Line, found: Sequence[Word], equivalents: Equivalents) -> Heard:
    """Score one sentence on the words *found* in its window."""
    said = " ".join(w.text for w in found)
    heard = normalise_words(merge_letters(said), equivalents)
    for spoken, written in sorted(line.folds, key=lambda f: -len(f[0])):
        heard = fold(heard, list(spoken), list(written))
    heard = like_reference(heard, line.words)
    return Heard(line, said, tuple(heard), errors(line.words, line.optional, heard))


def _settle(
    pair: tuple[Line, Line],
    found: tuple[list[Word], list[Word]],
    equivalents: Equivalents,
) -> tuple[list[Word], list[Word]]:
    """Move up to SHIFT words across one boundary where they fit better.

    Word timestamps lag or lead by a few tenths of a second, so a sentence's last
    word can fall in the next window. Only words within SLACK seconds of the
    boundary move, and only when the two sentences' errors drop.
    """
    (first, second), (left, right) = pair, found
    best = (
        _hear(first, left, equivalents).errors
        + _hear(second, right, equivalents).errors,
        left,
        right,
    )
    for shift in range(1, SHIFT + 1):
        forward = right[:shift]  # the next sentence's first words, back
        if len(forward) == shift and forward[-1].start < second.start + SLACK:
            moved = (left + forward, right[shift:])
            cost = sum(
                _hear(x, y, equivalents).errors
                for x, y in zip(pair, moved, strict=True)
            )
            best = min(best, (cost, *moved), key=lambda c: c[0])
        backward = left[len(left) - shift :]  # this sentence's last words, on
        if len(backward) == shift and backward[0].end > first.end - SLACK:
            moved = (left[: len(left) - shift], backward + right)
            cost = sum(
                _hear(x, y, equivalents).errors
                for x, y in zip(pair, moved, strict=True)
            )
            best = min(best, (cost, *moved), key=lambda c: c[0])
    return best[1], best[2]


def score(
    references: Sequence[Line], words: Sequence[Word], equivalents: Equivalents = ()
) -> Score:
    """Score recognised *words* against the timed *references* (module docstring).

    Each word goes to one sentence (`cut`, then `_settle` at each boundary between
    two counted sentences); words in a wholly optional sentence's window are
    dropped; the article's errors come from one alignment of every counted
    sentence's words with what was heard in its window.
    """
    cuts = cut([(r.start, r.end) for r in references], words)
    for k in range(len(references) - 1):
        pair = (references[k], references[k + 1])
        if pair[0].required and pair[1].required:
            cuts[k], cuts[k + 1] = _settle(pair, (cuts[k], cuts[k + 1]), equivalents)
    scored = [
        _hear(line, found, equivalents)
        for line, found in zip(references, cuts, strict=True)
    ]
    counted = [h for h in scored if h.line.required]
    ref = [w for h in counted for w in h.line.words]
    marks = [m for h in counted for m in h.line.optional]
    heard_all = [w for h in counted for w in h.words]
    total = sum(h.line.required for h in counted)
    wrong = errors(ref, marks, heard_all)
    return Score(accuracy_of(wrong, total), wrong, total, tuple(scored))


#: Hears (start, end) clips of the audio again, on its own timeline.
Clips = Callable[[Sequence[tuple[float, float]]], Sequence[Word]]


def listen(
    article: Article,
    timings: Timings,
    words: Sequence[Word],
    again: Clips | None = None,
) -> Score:
    """Score what was recognised in an article's audio edition: tests, check, report.

    With *again*, each sentence under the floor is heard again on its own
    (`relisten`) before it counts.
    """
    references = lines(article, timings)
    folds = lexicon_equivalents(article.lexicon)
    first = score(references, words, folds)
    if again is None:
        return first
    return relisten(first, references, words, folds, again)


def relisten(
    first: Score,
    references: Sequence[Line],
    words: Sequence[Word],
    equivalents: Equivalents,
    again: Clips,
) -> Score:
    """Hear each sentence under the floor again on its own; keep what scores better.

    Whisper tiny.en sometimes skips seconds of a long file (the fixture's figure
    caption came back as one 4-second "a"). Heard alone, from halfway through the
    pause before it to halfway through the pause after it, the same audio is heard
    whole, while a sentence that really is garbled stays under the floor.
    """
    low = first.below_floor()
    if not low:
        return first
    index = {line.sentence_id: i for i, line in enumerate(references)}
    clips = []
    for heard in low:
        i, line = index[heard.line.sentence_id], heard.line
        before = references[i - 1].end if i else max(0.0, line.start - 1.0)
        after = references[i + 1].start if i + 1 < len(references) else line.end + 1.0
        clips.append(((before + line.start) / 2, (line.end + after) / 2))
    heard_again = again(clips)
    best, current = first, list(words)
    for (start, end), heard in zip(clips, low, strict=True):

        def inside(word: Word, start: float = start, end: float = end) -> bool:
            return start <= (word.start + word.end) / 2 <= end

        trial_words = sorted(
            [w for w in current if not inside(w)]
            + [w for w in heard_again if inside(w)],
            key=lambda w: w.start,
        )
        trial = score(references, trial_words, equivalents)
        sid = heard.line.sentence_id
        if trial.by_id()[sid].errors < best.by_id()[sid].errors and (
            trial.errors <= best.errors
        ):
            best, current = trial, trial_words
    return best


def hear(article: Article, timings: Timings, audio: Path) -> Score:
    """Transcribe *audio* (tiny.en, beam 5) and score it by the one definition.

    A book in MP3 parts is heard part by part (the files beside *audio* that the
    timings list), each on the book's timeline: the timings are the MP3s' times.
    """
    files = [(audio.parent / p.file, p.start) for p in timings.parts] or [(audio, 0.0)]

    def shifted(words: Sequence[Word], by: float) -> list[Word]:
        return [replace(w, start=w.start + by, end=w.end + by) for w in words]

    def again(clips: Sequence[tuple[float, float]]) -> list[Word]:
        heard: list[Word] = []
        for n, (path, start) in enumerate(files):
            end = files[n + 1][1] if n + 1 < len(files) else float("inf")
            mine = [(a - start, b - start) for a, b in clips if start <= a < end]
            if mine:
                heard += shifted(words_of(transcribe(path, clips=mine)), start)
        return heard

    words = [
        w for path, start in files for w in shifted(words_of(transcribe(path)), start)
    ]
    return listen(article, timings, words, again)
