"""Rules that say numbers: dates, times, phone numbers, money, doses, years.

Each rule is a compiled pattern and a function of (match, locale) → spoken text.
They run in `RULES` order: the most specific shapes first (a date before a range,
a phone number before a cardinal), so no rule sees digits another should say.
"""

from __future__ import annotations

import re
from collections.abc import Callable

from editions.audio.normalise.locales import MONTHS, Locale
from editions.audio.normalise.units import BARE_COMPOUND, COMPOUND, per, unit_name
from editions.audio.normalise.words import cardinal, digits, is_one, ordinal, year

Rule = tuple[re.Pattern[str], Callable[[re.Match[str], Locale], str]]

_NUM = r"\d{1,3}(?:,\d{3})+(?:\.\d+)?|\d+(?:\.\d+)?"
_START = r"(?<![\w.,/:+\-−])"  # not inside a longer number, word or path
_END = r"(?![\w/]|[.,:]\d)"
_DASH = r"\s?[-–—]\s?|\s+to\s+"
_MONTH = "|".join(MONTHS)


def _date_words(day: int, month: int, year_: int | None, locale: Locale) -> str:
    """Say a date the locale's way: "the fourteenth of March" or "March fourteenth"."""
    name = MONTHS[month - 1]
    said = (
        f"the {ordinal(day, locale)} of {name}"
        if locale.day_first
        else f"{name} {ordinal(day, locale)}"
    )
    if year_ is None:
        return said
    return (
        f"{said} {year(year_, locale)}"
        if locale.day_first
        else (f"{said}, {year(year_, locale)}")
    )


def _numeric_date(m: re.Match[str], locale: Locale) -> str:
    first, second = int(m["a"]), int(m["b"])
    day, month = (first, second) if locale.day_first else (second, first)
    if month > 12 and day <= 12:  # 14/03 read in en-US: only one reading is a date
        day, month = month, day
    year_ = int(m["y"]) if m["y"] else None
    if year_ is not None and year_ < 100:
        year_ += 2000
    if not (1 <= day <= 31 and 1 <= month <= 12):
        return m[0]
    return _date_words(day, month, year_, locale)


def _iso_date(m: re.Match[str], locale: Locale) -> str:
    return _date_words(int(m["d"]), int(m["m"]), int(m["y"]), locale)


def _day_month(m: re.Match[str], locale: Locale) -> str:
    year_ = int(m["y"]) if m["y"] else None
    return _date_words(int(m["d"]), MONTHS.index(m["mon"]) + 1, year_, locale)


def _time(m: re.Match[str], locale: Locale) -> str:
    """Say 9:05 am as "nine oh five A M", 14:00 as "fourteen hundred"."""
    hour, minute = int(m["h"]), int(m["min"] or 0)
    half = (m.groupdict().get("ampm") or "").replace(".", "").replace(" ", "")
    said = cardinal(str(hour), locale)
    if minute == 0 and not half:
        said += " hundred" if hour > 12 or hour == 0 else " o'clock"
    elif 0 < minute < 10:
        said += f" oh {cardinal(str(minute), locale)}"
    elif minute:
        said += f" {cardinal(str(minute), locale)}"
    if not half:
        return said
    spoken = f"{said} {' '.join(half.upper())}"
    # "at 9 a.m." ends a sentence: the abbreviation's dot was its full stop too.
    last = m[0].endswith(".") and not m.string[m.end() :].strip()
    return spoken + "." if last else spoken


def _phone(m: re.Match[str], locale: Locale) -> str:
    groups = re.findall(r"\+|\d+", m[0])
    if sum(len(g) for g in groups if g != "+") < 7:
        return m[0]
    said = [("plus" if g == "+" else digits(g, locale)) for g in groups]
    if said[0] == "plus" and len(said) > 1:
        said[:2] = [f"plus {said[1]}"]
    return ", ".join(said)


def _service(m: re.Match[str], locale: Locale) -> str:
    number = m["n"]
    before = m.string[max(0, m.start() - 24) : m.start()].lower()
    cue = re.search(r"\b(call|calling|dial|ring|phone|text|contact|on|or)\W*$", before)
    if number in locale.emergency or (number in locale.services and cue):
        return digits(number, locale)
    return number


def _money(m: re.Match[str], locale: Locale) -> str:
    currency = locale.currencies.get(m["cur"])
    if currency is None:
        return m[0]
    amount = m["amount"].replace(",", "")
    whole, _, cents = amount.partition(".")
    if m["scale"]:
        return f"{cardinal(amount, locale)} {m['scale']} {currency.many}"
    name = currency.one if whole == "1" else currency.many
    said = f"{cardinal(whole, locale)} {name}"
    if len(cents) == 2 and int(cents):
        sub = currency.sub_one if cents == "01" else currency.sub_many
        if locale.day_first and currency.sub_many == "pence":
            return f"{said} {cardinal(cents, locale)}"  # "four pounds fifty"
        return f"{said} and {cardinal(cents, locale)} {sub}"
    return said


def _pence(m: re.Match[str], locale: Locale) -> str:
    return f"{cardinal(m['n'], locale)} {'penny' if m['n'] == '1' else 'pence'}"


def _quantity(m: re.Match[str], locale: Locale) -> str:
    """Say "1–5 mg/day" as "one to five milligrams a day" (the unit once)."""
    last = m["b"] or m["a"]
    said = cardinal(m["a"], locale)
    if m["b"]:
        said += f" to {cardinal(m['b'], locale)}"
    return f"{said} {unit_name(m['unit'], not is_one(last), locale)}" + per(
        m["per"], locale
    )


def _bare_unit(m: re.Match[str], locale: Locale) -> str:
    return unit_name(m["unit"], True, locale) + per(m["per"], locale)


def _pressure(m: re.Match[str], locale: Locale) -> str:
    a, b = cardinal(m["a"], locale), cardinal(m["b"], locale)
    return f"{a} over {b} {unit_name('mmHg', True, locale)}"


def _times_per(m: re.Match[str], locale: Locale) -> str:
    count = f"{cardinal(m['n'], locale)} " if m["n"] else ""
    word = "time" if m["n"] == "1" else "times"
    return f"{count}{word}{per(m['per'], locale)}"


_FRACTIONS = {
    "½": (1, 2), "⅓": (1, 3), "⅔": (2, 3), "¼": (1, 4), "¾": (3, 4),
    "⅕": (1, 5), "⅛": (1, 8), "⅜": (3, 8), "⅝": (5, 8), "⅞": (7, 8),
}  # fmt: skip
_DENOMINATORS = {2: ("half", "halves"), 4: ("quarter", "quarters")}


def _fraction_words(numerator: int, denominator: int, locale: Locale) -> str:
    one, many = _DENOMINATORS.get(
        denominator, (ordinal(denominator, locale), ordinal(denominator, locale) + "s")
    )
    if numerator == 1:
        return f"a {one}" if denominator in _DENOMINATORS else f"one {one}"
    return f"{cardinal(str(numerator), locale)} {many}"


def _vulgar(m: re.Match[str], locale: Locale) -> str:
    part = _fraction_words(*_FRACTIONS[m["f"]], locale)
    return f"{cardinal(m['w'], locale)} and {part}" if m["w"] else part


def _slash_fraction(m: re.Match[str], locale: Locale) -> str:
    return _fraction_words(int(m["n"]), int(m["d"]), locale)


def _range(m: re.Match[str], locale: Locale) -> str:
    return f"{_number_or_year(m['a'], locale)} to {_number_or_year(m['b'], locale)}"


def _number_or_year(number: str, locale: Locale) -> str:
    if re.fullmatch(r"1[1-9]\d\d|20\d\d", number):
        return year(int(number), locale)
    return cardinal(number, locale)


_YEAR_CUE = re.compile(
    r"(?:\b(?:in|since|by|until|till|from|to|between|and|before|after|during|"
    rf"year|early|late|mid|{_MONTH})|\()\W*$",
    re.IGNORECASE,
)


def _year_or_count(m: re.Match[str], locale: Locale) -> str:
    """Say 2019 as a year, unless it counts something ("1500 people")."""
    before = m.string[max(0, m.start() - 16) : m.start()]
    after = m.string[m.end() : m.end() + 24]
    plural = r"\s+(?:[a-z]+s|people|children|men|women)\b"
    if _YEAR_CUE.search(before) or not re.match(plural, after):
        return year(int(m[0]), locale)
    return cardinal(m[0], locale)


_TIME_12 = (
    _START + r"(?P<h>1[0-2]|0?\d)(?::(?P<min>[0-5]\d))?\s?(?P<ampm>[ap]\.?\s?m\b\.?)"
)
_TIME_24 = _START + r"(?P<h>[01]?\d|2[0-3]):(?P<min>[0-5]\d)" + _END
_PHONE = (
    r"(?<![\w.,/])(?:\+\d{1,3}[ .-]?)?(?:\(\d{2,5}\)[ .-]?)?(?:\d{1,5}[ .-])+\d{3,4}"
    + _END
    + r"|(?<![\w.,/])0\d{9,10}"
    + _END
)
_QUANTITY = (
    r"(?<![\w.,/:+])(?P<a>[-−]?(?:" + _NUM + r"))"
    rf"(?:(?:{_DASH})(?P<b>{_NUM}))?\s?{COMPOUND}(?![\w²])"
)

RULES: tuple[Rule, ...] = (
    # 14/03/2025, 3-14-2025, 14.03.2025 (day or month first by locale); 2025-03-14
    (
        re.compile(
            _START + r"(?P<a>\d{1,2})([/.-])(?P<b>\d{1,2})\2(?P<y>\d{4}|\d{2})" + _END
        ),
        _numeric_date,
    ),
    (re.compile(_START + r"(?P<y>\d{4})-(?P<m>\d{2})-(?P<d>\d{2})" + _END), _iso_date),
    (
        re.compile(
            rf"\b(?P<d>\d{{1,2}})(?:st|nd|rd|th)?\s+(?P<mon>{_MONTH})"
            r"(?:,?\s+(?P<y>\d{4}))?\b"
        ),
        _day_month,
    ),
    (
        re.compile(
            rf"\b(?P<mon>{_MONTH})\s+(?P<d>\d{{1,2}})(?:st|nd|rd|th)?"
            r"(?:,\s*(?P<y>\d{4}))?\b"
        ),
        _day_month,
    ),
    (re.compile(_TIME_12), _time),  # 9:05 am, 2pm
    (re.compile(_TIME_24), _time),  # 14:00, 10:30
    (re.compile(_START + r"(?P<a>\d{2,3})/(?P<b>\d{2,3})\s?mmHg\b"), _pressure),
    (re.compile(_PHONE), lambda m, loc: _phone(m, loc) if _phone_like(m[0]) else m[0]),
    (re.compile(_START + r"(?P<n>\d{3})(?![\w/%]|[.,:]\d)"), _service),
    (
        re.compile(
            r"(?P<cur>[$£€])(?P<amount>\d[\d,]*(?:\.\d+)?)"
            r"(?:\s+(?P<scale>thousand|million|billion|trillion))?"
            r"(?:\s+(?:dollars|pounds|euros))?"
        ),
        _money,
    ),
    (re.compile(_START + r"(?P<n>\d+)p\b"), _pence),
    (
        re.compile(
            rf"(?:{_START}(?P<n>\d+)\s?)?(?<![A-Za-z])(?:×|x|times)\s?/\s?"
            r"(?P<per>day|week|month)\b"
        ),
        _times_per,
    ),
    (re.compile(_START + r"(?P<n>\d+)\s?[×x](?=\s|$)"), lambda m, _: f"{m['n']} times"),
    (re.compile(_QUANTITY), _quantity),
    (re.compile(rf"(?<![\w/]){BARE_COMPOUND}(?![\w²])"), _bare_unit),
    (re.compile(r"(?P<w>\d+)?(?P<f>[½⅓⅔¼¾⅕⅛⅜⅝⅞])"), _vulgar),
    (
        re.compile(_START + r"(?P<n>[1-9])/(?P<d>[2-9]|10)" + _END),
        lambda m, loc: _slash_fraction(m, loc) if int(m["n"]) < int(m["d"]) else m[0],
    ),
    (re.compile(_START + rf"(?P<a>{_NUM})\s?[-–—]\s?(?P<b>{_NUM})" + _END), _range),
    (
        re.compile(_START + r"(?P<n>\d+)(?:st|nd|rd|th)\b"),
        lambda m, loc: ordinal(int(m["n"]), loc),
    ),
    (re.compile(_START + r"(?:1[1-9]\d\d|20\d\d)s\b"), lambda m, loc: _decade(m, loc)),
    (re.compile(_START + r"(?:1[1-9]\d\d|20\d\d)" + _END), _year_or_count),
    (
        re.compile(r"(?<![\w.,/:])[-−]?(?:" + _NUM + r")" + _END),
        lambda m, loc: cardinal(m[0], loc),
    ),
)


def _decade(m: re.Match[str], locale: Locale) -> str:
    said = year(int(m[0][:-1]), locale)
    return said[:-1] + "ies" if said.endswith("y") else said + "s"


def _phone_like(text: str) -> bool:
    """A phone number, not a list of counts: a 0, + or ( start, or three groups."""
    groups = re.findall(r"\d+", text)
    return text[0] in "0+(" or len(groups) >= 3 or text.startswith("1-8")
