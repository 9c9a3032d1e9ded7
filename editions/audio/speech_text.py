"""Written text → what a speech engine should say: lexicon, numbers, doses, money.

Engines read digits and abbreviations unreliably ("mg", "$635 billion dollars",
"et al."), so the script spells them out itself with num2words and the article's
pronunciation lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from num2words import num2words

from editions.model import LexiconEntry

_SCALE = r"(?:\s+(?P<scale>thousand|million|billion|trillion))?"
_MONEY = re.compile(r"\$(?P<amount>\d[\d,]*(?:\.\d+)?)" + _SCALE + r"(?:\s+dollars)?")
_PERCENT = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s?%")
_RANGE_UNIT = re.compile(r"(?P<a>\d+(?:\.\d+)?)\s+to\s+(?P<b>\d+(?:\.\d+)?)\s+mg\b")
_DOSE = re.compile(r"(?P<n>\d+(?:\.\d+)?)\s?mg\b")
_YEAR = re.compile(r"(?<![\d,.$])(?P<year>1[1-9]\d\d|20\d\d)(?![\d,])(?!\s?(?:mg|%))")
_NUMBER = re.compile(
    r"(?<![\w$])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?!\w)"
)
_URL = re.compile(r"https?://\S+|doi:\S+")


def _words(number: str) -> str:
    value = float(number.replace(",", ""))
    return num2words(int(value) if value.is_integer() else value, lang="en")


def _money(match: re.Match[str]) -> str:
    amount = _words(match["amount"])
    scale = f" {match['scale']}" if match["scale"] else ""
    plural = "" if amount == "one" and not scale else "s"
    return f"{amount}{scale} dollar{plural}"


def _dose(match: re.Match[str]) -> str:
    words = _words(match["n"])
    return f"{words} milligram{'' if words == 'one' else 's'}"


def _year(match: re.Match[str]) -> str:
    return str(num2words(int(match["year"]), lang="en", to="year"))


def _number(match: re.Match[str]) -> str:
    text = _words(match["n"])
    if match["frac"]:
        text += " point " + " ".join(_words(d) for d in match["frac"])
    return text


@cache
def _lexicon_pattern(graphemes: tuple[str, ...]) -> re.Pattern[str]:
    ordered = sorted(graphemes, key=len, reverse=True)
    alternatives = "|".join(re.escape(g) for g in ordered)
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])")


def apply_lexicon(text: str, lexicon: Iterable[LexiconEntry]) -> str:
    """Replace each lexicon grapheme (whole words, case-sensitive) with its alias."""
    aliases = {e.grapheme: e.alias for e in lexicon if e.alias}
    if not aliases:
        return text
    pattern = _lexicon_pattern(tuple(aliases))
    return pattern.sub(lambda m: aliases[m[0]], text)


def speakable(text: str, lexicon: Iterable[LexiconEntry] = ()) -> str:
    """Return *text* as it should be spoken."""
    text = _URL.sub("", text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda m: f"{_words(m['n'])} percent", text)
    text = _RANGE_UNIT.sub(lambda m: f"{_words(m['a'])} to {_dose_words(m['b'])}", text)
    text = _DOSE.sub(_dose, text)
    text = _YEAR.sub(_year, text)
    text = _NUMBER.sub(_number, text)
    text = apply_lexicon(text, lexicon)
    return tidy(text)


def _dose_words(number: str) -> str:
    words = _words(number)
    return f"{words} milligram{'' if words == 'one' else 's'}"


def tidy(text: str) -> str:
    """Collapse the gaps left where citations and URLs were taken out."""
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip()
