"""Lexicon IPA → the phonemes each engine is handed for the words it lists.

The speech script says a lexicon word by its alias ("nal-trex-own"); an engine
that can take phonemes finds that spoken form (or the written one) in a sentence
and speaks the lexicon's IPA instead, converted to its own alphabet.
"""

from __future__ import annotations

import re
import subprocess
from collections.abc import Callable, Iterable
from functools import cache

from editions.audio.speech_text import speech_alias
from editions.model import LexiconEntry
from editions.source.phonemes import to_espeak, to_misaki

Pronunciations = tuple[tuple[str, str], ...]  # (spoken or written form, phonemes)


def pronunciations(
    lexicon: Iterable[LexiconEntry], convert: Callable[[str], str]
) -> Pronunciations:
    """Return each entry's forms with its IPA converted by *convert*."""
    forms: dict[str, str] = {}
    for entry in lexicon:
        if not entry.ipa:
            continue
        said = convert(entry.ipa)
        forms[entry.grapheme] = said
        if entry.alias:
            forms[speech_alias(entry.alias)] = said
    return tuple(sorted(forms.items()))


def for_hibari(lexicon: Iterable[LexiconEntry]) -> Pronunciations:
    """Return the lexicon in misaki symbols, as hibari's model reads them."""
    return pronunciations(lexicon, to_misaki)


def for_espeak(lexicon: Iterable[LexiconEntry]) -> Pronunciations:
    """Return the lexicon as espeak-ng mnemonics (for `[[...]]` in espeak's input)."""
    return pronunciations(lexicon, to_espeak)


def espeak_ipa(mnemonics: str, voice: str = "en-us") -> str:
    """Return espeak-ng's own IPA for *mnemonics*: the symbols Piper voices know."""
    from editions.audio.espeak_engine import espeak_exe

    done = subprocess.run(
        [espeak_exe(), "-q", "--ipa", "-v", voice, "--stdin"],
        input=f"[[{mnemonics}]]".encode(),
        capture_output=True,
        check=True,
    )
    return done.stdout.decode().strip()


def for_piper(lexicon: Iterable[LexiconEntry]) -> Pronunciations:
    """Return the lexicon in Piper's alphabet: IPA → espeak mnemonics → espeak IPA."""
    return pronunciations(lexicon, lambda ipa: espeak_ipa(to_espeak(ipa)))


@cache
def _pattern(forms: tuple[str, ...]) -> re.Pattern[str]:
    alternatives = "|".join(re.escape(f) for f in sorted(forms, key=len, reverse=True))
    # Whole words; a hyphen joins respelled syllables, so it is part of a word here.
    return re.compile(rf"(?<![\w-])(?:{alternatives})(?![\w-])", re.IGNORECASE)


def substitute(text: str, said: Pronunciations, wrap: Callable[[str, str], str]) -> str:
    """Return *text* with each form in *said* replaced by `wrap(form, phonemes)`.

    Forms match whatever their case, so a sentence that opens with one is found.
    """
    if not said:
        return text
    lowered = {form.lower(): phonemes for form, phonemes in said}
    pattern = _pattern(tuple(form for form, _ in said))
    return pattern.sub(lambda m: wrap(m[0], lowered[m[0].lower()]), text)
