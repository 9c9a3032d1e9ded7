"""Written text → the words a voice should say, by the rules of the article's locale.

Engines read digits, units and symbols unreliably ("130 grams slash L", "900 and
99"), so the script says them itself. Rules are tables and patterns per locale
(`locales`), applied in a fixed order: markup and addresses, then numbers from the
most specific shape (dates, phones) to the least (cardinals), then symbols and
initialisms. Words the article's lexicon names are protected from every rule, so
its own pronunciation reaches the voice.

Why not a library: `nemo_text_processing` 1.2.0 (the one well-kept English text
normaliser on PyPI) needs pynini/OpenFst, transformers and pandas and compiles its
grammars for minutes on first use, and has one English grammar (US dates); the
rules here are small tables on top of num2words, one test per rule.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from editions.audio.normalise.locales import Locale, locale_for
from editions.audio.normalise.numbers import RULES
from editions.audio.normalise.text import (
    ABBREVIATIONS,
    BEFORE,
    initialisms,
    symbols,
)
from editions.audio.normalise.units import UNITS
from editions.audio.normalise.words import cardinal

__all__ = ["Locale", "locale_for", "normalise", "written_only_forms"]

#: Characters and shapes a voice must never be handed (the script is checked).
WRITTEN_ONLY = re.compile(
    r"</?[A-Za-z][^<>]*>|\d|[/µμ°×&<>%$£€@#±≥≤½¼¾⅓⅔~=+]|\b(?:e\.g|i\.e|etc|vs)\."
)
_PLACEHOLDER = 0xE000  # private-use code points stand in for protected words


def normalise(text: str, lang: str, protect: Iterable[str] = ()) -> str:
    """Return *text* as a voice should say it in the locale of *lang*.

    Words in *protect* (the lexicon's graphemes) come out unchanged. A language
    without rules returns *text* unchanged: see `locale_for`.
    """
    locale = locale_for(lang)
    if locale is None:
        return text
    owned = set(UNITS) | set(ABBREVIATIONS)
    kept = sorted({w for w in protect if w and w not in owned}, key=len, reverse=True)
    if kept:
        pattern = re.compile(
            r"(?<!\w)(?:" + "|".join(map(re.escape, kept)) + r")(?!\w)"
        )
        text = pattern.sub(lambda m: chr(_PLACEHOLDER + kept.index(m[0])), text)
    text = _say(text, locale, frozenset(kept))
    for index, word in enumerate(kept):
        text = text.replace(chr(_PLACEHOLDER + index), word)
    return text


def _say(text: str, locale: Locale, kept: frozenset[str]) -> str:
    ended = text.rstrip()[-1:] in ".?!"
    opened = text[:1].isupper() or not text[:1].isalpha()
    for rules in (BEFORE, RULES):
        for pattern, say in rules:
            text = pattern.sub(lambda m, say=say: say(m, locale), text)  # type: ignore[misc]
    text = symbols(text)
    text = initialisms(text, locale, kept)
    # Digits glued to letters ("B12", "HbA1c") are said as numbers in place.
    text = re.sub(r"\d+", lambda m: f" {cardinal(m[0], locale)} ", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", re.sub(r"\s{2,}", " ", text)).strip()
    text = re.sub(r",(?:\s*,)+", ",", text)
    text = re.sub(r",\s*([.;:!?])", r"\1", text).lstrip(", ")
    if ended and text[-1:] not in ".?!":
        text += "."
    if opened:  # "© 2025", "DO NOT TAKE" still open a sentence with a capital
        text = text[:1].upper() + text[1:]
    return text


def written_only_forms(spoken: str) -> list[str]:
    """Return what in *spoken* only a reader can use: digits, symbols, tags."""
    return [m[0] for m in WRITTEN_ONLY.finditer(spoken)]
