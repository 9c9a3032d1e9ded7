"""IPA (the lexicon's one source of truth) → each speech engine's phoneme alphabet.

The lexicon writes pronunciations in IPA, which the EPUB ships as W3C PLS as is.
hibari reads misaki's symbols (one letter per diphthong, "ɹ" for r, no length
marks, stress right before the vowel); espeak-ng (and so Piper) reads its ASCII
mnemonics inside `[[...]]`. A symbol neither table knows is an error (LEX002)
rather than a silent drop, so a typo in the lexicon cannot reach the audio.
"""

from __future__ import annotations

import re
import unicodedata

STRESS = "ˈˌ"

#: IPA → misaki (US). Longest sequences first: "ɑːr" before "ɑː" before "ɑ".
_MISAKI = {
    "ɑːr": "ɑɹ", "ɔːr": "ɔɹ", "ɜːr": "ɜɹ", "ɪər": "ɪɹ", "ɛər": "ɛɹ", "ʊər": "ʊɹ",
    "eɪ": "A", "aɪ": "I", "aʊ": "W", "ɔɪ": "Y", "oʊ": "O", "əʊ": "O",
    "tʃ": "ʧ", "dʒ": "ʤ", "ɪə": "ɪɹ", "eə": "ɛɹ", "ɛə": "ɛɹ", "ʊə": "ʊɹ",
    "iː": "i", "uː": "u", "ɑː": "ɑ", "ɔː": "ɔ", "ɜː": "ɜ", "ɝ": "ɜɹ", "ɚ": "əɹ",
    "r": "ɹ", "ɹ": "ɹ", "g": "ɡ", "ɡ": "ɡ", "ɒ": "ɑ", "e": "ɛ", "o": "O", "a": "ɑ",
    "ʍ": "w", "ɫ": "l", "ɐ": "ə", "ɾ": "T", "ʔ": "ʔ",
    **{c: c for c in "bdfhjklmnpstvwzðθʃʒŋiuæɑɔəɛɜɪʊʌᵻ"},
    "ˈ": "ˈ", "ˌ": "ˌ", " ": " ",
}  # fmt: skip
_MISAKI_VOWELS = set("AIOWYiuæɑɔəɛɜɪʊʌᵻ")

#: IPA → espeak-ng English phoneme mnemonics (what `espeak-ng -x` prints).
_ESPEAK = {
    "ɑːr": "A@", "ɔːr": "O@", "ɜːr": "3:", "ɪər": "i@", "ɛər": "e@", "ʊər": "U@",
    "eɪ": "eI", "aɪ": "aI", "aʊ": "aU", "ɔɪ": "OI", "oʊ": "oU", "əʊ": "oU",
    "tʃ": "tS", "dʒ": "dZ", "ɪə": "i@", "eə": "e@", "ɛə": "e@", "ʊə": "U@",
    "iː": "i:", "uː": "u:", "ɑː": "A:", "ɔː": "O:", "ɜː": "3:", "ɝ": "3:", "ɚ": "3",
    "æ": "a", "ɛ": "E", "e": "E", "ɪ": "I", "i": "i", "u": "u:", "ʊ": "U",
    "ʌ": "V", "ə": "@", "ɐ": "@", "ɒ": "0", "ɑ": "A:", "ɔ": "O:", "o": "oU",
    "a": "a", "ᵻ": "I2", "θ": "T", "ð": "D", "ʃ": "S", "ʒ": "Z", "ŋ": "N",
    "ɹ": "r", "r": "r", "ɡ": "g", "g": "g", "ʍ": "w", "ɫ": "l", "ɾ": "t", "ʔ": "?",
    **{c: c for c in "bdfhjklmnpstvwz"},
    "ˈ": "'", "ˌ": ",", " ": " ",
}  # fmt: skip


class UnknownSymbol(ValueError):
    """The IPA has a symbol the converter has no equivalent for."""

    def __init__(self, ipa: str, symbol: str, alphabet: str) -> None:
        self.symbol = symbol
        super().__init__(
            f"IPA {ipa!r} has {symbol!r} (U+{ord(symbol[0]):04X}), which has no "
            f"{alphabet} equivalent; write it with standard English IPA symbols"
        )


def _clean(ipa: str) -> str:
    """Drop slashes, syllable dots and length-less marks; NFC so "ɡ" is one code."""
    text = unicodedata.normalize("NFC", ipa).strip().strip("/[]")
    return re.sub(r"[.ˑ‿]", "", text).replace("'", "ˈ").replace(",", "ˌ")


def _convert(ipa: str, table: dict[str, str], alphabet: str) -> list[str]:
    text, out, at = _clean(ipa), [], 0
    longest = max(map(len, table))
    while at < len(text):
        for size in range(longest, 0, -1):
            piece = text[at : at + size]
            if piece in table:
                out.append(table[piece])
                at += size
                break
        else:
            raise UnknownSymbol(ipa, text[at], alphabet)
    return out


def to_misaki(ipa: str) -> str:
    """Return *ipa* in misaki's symbols, with each stress mark before its vowel."""
    out: list[str] = []
    pending = ""
    for symbol in "".join(_convert(ipa, _MISAKI, "misaki")):
        if symbol in STRESS:
            pending = symbol
            continue
        if pending and symbol in _MISAKI_VOWELS:
            out.append(pending)
            pending = ""
        out.append(symbol)
    return "".join(out)


def to_espeak(ipa: str) -> str:
    """Return *ipa* as espeak-ng mnemonics, to be spoken inside `[[...]]`."""
    return "".join(_convert(ipa, _ESPEAK, "espeak-ng"))
