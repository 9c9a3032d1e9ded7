"""Written text → what a speech engine should say: normalised text, then the lexicon.

Engines read digits and abbreviations unreliably ("mg", "$635 billion dollars",
"et al."), so the script says them itself (`editions.audio.normalise`, by the
article's locale) and then applies the article's pronunciation lexicon.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache

from editions.audio.normalise import normalise
from editions.audio.normalise.units import UNITS
from editions.model import LexiconEntry

#: Said the same way in every article; the article's lexicon can override them.
ABBREVIATIONS = (
    LexiconEntry("et al.", "and colleagues", None),
    LexiconEntry("Dr.", "Doctor", None),
    LexiconEntry("e.g.", "for example", None),
    LexiconEntry("i.e.", "that is", None),
    LexiconEntry("vs.", "versus", None),
    LexiconEntry("approx.", "approximately", None),
)


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


def speakable(
    text: str, lexicon: Iterable[LexiconEntry] = (), lang: str = "en-US"
) -> str:
    """Return *text* as it should be spoken in the locale of *lang*.

    The normaliser says numbers, units, dates and symbols first and leaves the
    lexicon's words alone, so each reaches `apply_lexicon` as it was written.
    """
    lexicon = tuple(lexicon)
    text = normalise(text, lang, protect=[e.grapheme for e in lexicon])
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
        if unit.isalpha() and len(unit) > 1:  # "mg", not "%" or "m"
            pairs += [(many, unit), (one, unit)]
    return pairs


def tidy(text: str) -> str:
    """Collapse the gaps left where citations and URLs were taken out."""
    text = re.sub(r"\(\s*\)", "", text)
    text = re.sub(r"\s+([.,;:!?])", r"\1", text)
    text = re.sub(r"\s{2,}", " ", text)
    return text.strip()
