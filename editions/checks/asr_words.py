"""Text → the plain words speech recognition is scored on (issue 20's ASR rules).

Case and punctuation are dropped and numbers are spelled out with num2words on
both sides, so "25", "twenty-five" and "twenty five" are the same two words, and a
phone or emergency number said digit by digit equals the digits Whisper writes.
British and American spellings are one word ("haemoglobin" = "hemoglobin").
"""

from __future__ import annotations

import functools
import re
import unicodedata
from collections.abc import Sequence

from num2words import num2words
from whisper_normalizer.english import EnglishSpellingNormalizer

from editions.audio.normalise.locales import EN_GB, EN_US


@functools.lru_cache(maxsize=1)
def _spelling() -> dict[str, str]:
    """British → American spellings (Whisper's own list): tiny.en writes American."""
    return dict(EnglishSpellingNormalizer().mapping)


#: (spoken, written) pairs that name the same word, e.g. ("L D N", "LDN").
Equivalents = Sequence[tuple[str, str]]

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
        words = fold(words, _plain_words(spoken), _plain_words(written))
    return words


def fold(words: list[str], pattern: list[str], written: list[str]) -> list[str]:
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


_DIGIT_WORDS = [str(num2words(digit)) for digit in range(10)]
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
    spelled = [_spelling().get(w, w) for w in words]  # "litre" = "liter"
    return _zero_for_oh(_numbers_without_and(spelled))


def _zero_for_oh(words: list[str]) -> list[str]:
    """Read "oh" among digits as zero ("oh two oh", as en-GB says phone numbers)."""
    digits = set(_DIGIT_WORDS)
    return [
        "zero"
        if w == "oh" and ({*words[max(0, i - 1) : i], *words[i + 1 : i + 2]} & digits)
        else w
        for i, w in enumerate(words)
    ]


_SCALES = {str(num2words(10**n)).split()[-1] for n in (2, 3, 6, 9, 12)}
#: The words that can follow "and" inside a number: one to nineteen and the tens.
_UNITS_WORDS = {str(num2words(n)) for n in (*range(1, 20), *range(20, 100, 10))}


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


_LETTER = re.compile(r"^\(?[-.]*[A-Za-z][-.]*[,;:)]?$")


def merge_letters(text: str) -> str:
    """Join spelled-out letters ("L D N", "F. D. A.", "L -D -N") into one word.

    "(C R P S)", "H I V, I B S" and "F D A-approved" join too: a bracket or a
    comma opens or ends a run, and a word hyphened to the last letter stays apart.
    """
    text = re.sub(r"(?<=[A-Z] [A-Z])-(?=[a-z]{2,})", " ", text)
    out: list[str] = []
    run: list[str] = []
    for token in text.split():
        if _LETTER.match(token):
            if token.startswith("(") and run:
                out.append("".join(run))
                run = []
            run.append(token.strip(".-(),;:"))
            if token[-1] in ",;:)":
                out.append("".join(run) + token[-1])
                run = []
            continue
        if run:
            out.append("".join(run))
            run = []
        out.append(token)
    if run:
        out.append("".join(run))
    return " ".join(out)
