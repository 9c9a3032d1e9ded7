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

_NUM = r"\d+(?:\.\d+)?"
_SCALE = r"(?:\s+(?P<scale>thousand|million|billion|trillion))?"
_MONEY = re.compile(
    r"\$(?P<amount>\d[\d,]*(?:\.\d+)?)" + _SCALE + r"(?P<said>\s+dollars)?"
)
#: A number, or a range of two ("1 to 5", "1-5", "1–5"), then a unit or %.
_RANGE = rf"(?P<a>{_NUM})(?:(?:\s+to\s+|\s?[-–]\s?)(?P<b>{_NUM}))?"
_PERCENT = re.compile(rf"(?<![\w.]){_RANGE}\s?%")
#: Units a health text doses and measures in: (singular, plural), US spelling.
UNITS = {
    "mg": ("milligram", "milligrams"),
    "mcg": ("microgram", "micrograms"),
    "µg": ("microgram", "micrograms"),
    "g": ("gram", "grams"),
    "kg": ("kilogram", "kilograms"),
    "mL": ("milliliter", "milliliters"),
    "ml": ("milliliter", "milliliters"),
    "IU": ("international unit", "international units"),
    "mmHg": ("millimeter of mercury", "millimeters of mercury"),
}
_QUANTITY = re.compile(
    rf"(?<![\w.]){_RANGE}\s?(?P<unit>{'|'.join(map(re.escape, UNITS))})(?!\w)"
)
_YEAR = re.compile(r"(?<![\d,.$])(?P<year>1[1-9]\d\d|20\d\d)(?!\d|,\d|\.\d)")
_NUMBER = re.compile(
    r"(?<![\w$])(?P<n>\d{1,3}(?:,\d{3})+|\d+)(?:\.(?P<frac>\d+))?(?!\w)"
)
_URL = re.compile(r"https?://\S+|doi:\S+")
#: Said the same way in every article; the article's lexicon can override them.
ABBREVIATIONS = (
    LexiconEntry("et al.", "and colleagues", None),
    LexiconEntry("Dr.", "Doctor", None),
    LexiconEntry("e.g.", "for example", None),
    LexiconEntry("i.e.", "that is", None),
    LexiconEntry("vs.", "versus", None),
    LexiconEntry("approx.", "approximately", None),
)


def _words(number: str) -> str:
    value = float(number.replace(",", ""))
    return str(num2words(int(value) if value.is_integer() else value, lang="en"))


def _money(match: re.Match[str]) -> str:
    amount = match["amount"].replace(",", "")
    whole, _, cents = amount.partition(".")
    if len(cents) == 2 and not match["scale"]:
        dollars = _words(whole)
        spoken = f"{dollars} dollar{'' if dollars == 'one' else 's'}"
        if int(cents):
            spoken += f" and {_words(cents)} cent{'' if cents == '01' else 's'}"
        return spoken
    words = _words(amount)
    scale = f" {match['scale']}" if match["scale"] else ""
    plural = "" if words == "one" and not scale else "s"
    return f"{words}{scale} dollar{plural}"


def _quantity(match: re.Match[str], unit: tuple[str, str]) -> str:
    """Say "1 to 5 mg" as "one to five milligrams" (the unit once, after the range)."""
    last = match["b"] or match["a"]
    spoken = _words(match["a"]) + (f" to {_words(match['b'])}" if match["b"] else "")
    return f"{spoken} {unit[0] if float(last) == 1 else unit[1]}"


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
    # Whole words only; a hyphen is a boundary, so "FDA-approved" is found too.
    return re.compile(rf"(?<!\w)(?:{alternatives})(?!\w)")


_RESPELLING = re.compile(r"[A-Za-z]+(?:-[A-Za-z]+)+")


def speech_alias(alias: str) -> str:
    """Return *alias* as an engine should read it.

    Lexicons write stress respellings with the stressed syllable in capitals
    ("nal-TREX-own"), but engines spell out an all-capital word letter by letter
    ("T R E X"; heard as such by the ASR back-check), so a respelling is spoken in
    lower case. Letter-by-letter aliases such as "L D N" are left alone.
    """
    syllables = alias.split("-")
    if _RESPELLING.fullmatch(alias) and any(
        s.isupper() and len(s) > 1 for s in syllables
    ):
        return alias.lower()
    return alias


def apply_lexicon(text: str, lexicon: Iterable[LexiconEntry]) -> str:
    """Replace each lexicon grapheme (whole words, case-sensitive) with its alias."""
    aliases = {e.grapheme: speech_alias(e.alias) for e in lexicon if e.alias}
    if not aliases:
        return text
    pattern = _lexicon_pattern(tuple(aliases))
    return pattern.sub(lambda m: aliases[m[0]], text)


def speakable(text: str, lexicon: Iterable[LexiconEntry] = ()) -> str:
    """Return *text* as it should be spoken.

    Numbers with units and money go first, so "5 mg" is never "five mg" and the
    lexicon's own "mg" entry is a fallback for a unit written without a number.
    """
    text = _URL.sub("", text)
    text = _MONEY.sub(_money, text)
    text = _PERCENT.sub(lambda m: _quantity(m, ("percent", "percent")), text)
    text = _QUANTITY.sub(lambda m: _quantity(m, UNITS[m["unit"]]), text)
    text = _YEAR.sub(_year, text)
    text = _NUMBER.sub(_number, text)
    entries = {e.grapheme: e for e in (*ABBREVIATIONS, *lexicon)}
    spoken = tidy(apply_lexicon(text, entries.values()))
    if text[:1].isupper():  # a sentence that opened with "Naltrexone" still opens
        spoken = spoken[:1].upper() + spoken[1:]
    return spoken


def equivalents(lexicon: Iterable[LexiconEntry] = ()) -> list[tuple[str, str]]:
    """Return (spoken, written) pairs that mean the same word to a listener.

    The ASR back-check folds each spoken form back to its written one on both
    sides, so "L D N" in the script and "LDN" in a transcript compare equal.
    """
    pairs = [(speech_alias(e.alias), e.grapheme) for e in lexicon if e.alias]
    pairs += [(e.alias, e.grapheme) for e in ABBREVIATIONS if e.alias]
    for unit, (one, many) in UNITS.items():
        pairs += [(many, unit), (one, unit)]
    return pairs


def tidy(text: str) -> str:
    """Collapse the gaps left where citations and URLs were taken out."""
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip()
