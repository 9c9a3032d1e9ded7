"""Numbers → words for a locale: cardinals, decimals, ordinals, years, digits."""

from __future__ import annotations

import re

from num2words import num2words

from editions.audio.normalise.locales import Locale

DIGITS = "zero one two three four five six seven eight nine".split()


def _and(text: str, locale: Locale) -> str:
    """Drop the British "and" after hundreds for locales that do not say it."""
    return text if locale.hundred_and else re.sub(r" and\b", "", text)


def cardinal(number: str, locale: Locale) -> str:
    """Say "27,000" as "twenty-seven thousand", "1.25" as "one point two five"."""
    number = number.replace(",", "")
    negative = number.startswith(("-", "−"))
    number = number.lstrip("-−")
    whole, _, fraction = number.partition(".")
    spoken = _and(str(num2words(int(whole or "0"), lang="en")), locale)
    spoken = spoken.replace(",", "")  # num2words writes "one thousand, five hundred"
    if fraction:
        spoken += " point " + " ".join(DIGITS[int(d)] for d in fraction)
    return f"minus {spoken}" if negative else spoken


def ordinal(number: int, locale: Locale) -> str:
    """Say 21 as "twenty-first"."""
    return _and(str(num2words(number, lang="en", to="ordinal")), locale)


def year(number: int, locale: Locale) -> str:
    """Say 1971 as "nineteen seventy-one" and 2005 as "two thousand (and) five"."""
    return _and(str(num2words(number, lang="en", to="year")), locale)


def digits(text: str, locale: Locale) -> str:
    """Say each digit alone ("0800" → "oh eight oh oh" in en-GB)."""
    names = [locale.zero_digit, *DIGITS[1:]]
    return " ".join(names[int(d)] for d in text if d.isdigit())


def is_one(number: str) -> bool:
    """True when a unit after *number* is singular ("1 mg", not "1.5 mg")."""
    return number.replace(",", "") in {"1", "-1", "−1"}
