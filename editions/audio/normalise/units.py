"""Units and compound units a health text measures in (US spellings; see locales).

`UNITS` maps a written unit to its (singular, plural) names. A compound unit is a
unit, "/" and a denominator from `PER` ("g/L" → "grams per liter"); a time
denominator reads "a day" rather than "per day", as people say doses.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from editions.audio.normalise.locales import Locale

UNITS: dict[str, tuple[str, str]] = {
    "mg": ("milligram", "milligrams"),
    "mcg": ("microgram", "micrograms"),
    "µg": ("microgram", "micrograms"),
    "μg": ("microgram", "micrograms"),
    "ng": ("nanogram", "nanograms"),
    "g": ("gram", "grams"),
    "kg": ("kilogram", "kilograms"),
    "mL": ("milliliter", "milliliters"),
    "ml": ("milliliter", "milliliters"),
    "dL": ("deciliter", "deciliters"),
    "L": ("liter", "liters"),
    "mmol": ("millimole", "millimoles"),
    "µmol": ("micromole", "micromoles"),
    "μmol": ("micromole", "micromoles"),
    "nmol": ("nanomole", "nanomoles"),
    "mmHg": ("millimeter of mercury", "millimeters of mercury"),
    "IU": ("international unit", "international units"),
    "kcal": ("kilocalorie", "kilocalories"),
    "cm": ("centimeter", "centimeters"),
    "mm": ("millimeter", "millimeters"),
    "km": ("kilometer", "kilometers"),
    "m": ("meter", "meters"),
    "°C": ("degree Celsius", "degrees Celsius"),
    "°F": ("degree Fahrenheit", "degrees Fahrenheit"),
    "bpm": ("beat per minute", "beats per minute"),
    "mins": ("minute", "minutes"),
    "min": ("minute", "minutes"),
    "hrs": ("hour", "hours"),
    "hr": ("hour", "hours"),
    "h": ("hour", "hours"),
    "wks": ("week", "weeks"),
    "wk": ("week", "weeks"),
    "yrs": ("year", "years"),
    "tsp": ("teaspoon", "teaspoons"),
    "tbsp": ("tablespoon", "tablespoons"),
    "%": ("percent", "percent"),
}
#: Denominators of a compound unit, as said after "per".
PER: dict[str, str] = {
    "L": "liter",
    "l": "liter",
    "dL": "deciliter",
    "dl": "deciliter",
    "mL": "milliliter",
    "ml": "milliliter",
    "kg": "kilogram",
    "g": "gram",
    "m²": "square meter",
    "m2": "square meter",
    "min": "minute",
    "h": "hour",
}
#: Time denominators are said "a day", as in "three times a day".
TIMES: dict[str, str] = {
    "day": "day",
    "d": "day",
    "week": "week",
    "wk": "week",
    "month": "month",
    "year": "year",
    "hour": "hour",
    "night": "night",
}
#: Units safe to expand with no number before them (never a plain word).
BARE = ("mg", "mcg", "µg", "μg", "mL", "mmHg", "IU", "mmol", "µmol", "μmol", "kcal")


def _alternatives(names: Iterable[str]) -> str:
    return "|".join(re.escape(n) for n in sorted(names, key=len, reverse=True))


UNIT = rf"(?:{_alternatives(UNITS)})"
DENOMINATOR = rf"(?:{_alternatives(PER)}|{_alternatives(TIMES)})"
#: "g/L", "µmol/L", "kg/m²", "mg/day": a unit, optionally "/" and a denominator.
COMPOUND = rf"(?P<unit>{UNIT})(?:\s?/\s?(?P<per>{DENOMINATOR}))?"


def localised(text: str, locale: Locale) -> str:
    """Respell US unit names for *locale* ("liters" → "litres" in en-GB)."""
    for us, local in locale.spelling.items():
        text = text.replace(us, local)
    return text


def per(denominator: str | None, locale: Locale) -> str:
    """Say a denominator: " per liter", " a day", or ""."""
    if not denominator:
        return ""
    if denominator in TIMES:
        return f" a {TIMES[denominator]}"
    return localised(f" per {PER[denominator]}", locale)


def unit_name(unit: str, plural: bool, locale: Locale) -> str:
    """Return *unit*'s spoken name, singular or plural, in the locale's spelling."""
    one, many = UNITS[unit]
    return localised(many if plural else one, locale)


#: A unit from `BARE`, optionally with a denominator ("mg", "µmol/L", "IU").
BARE_COMPOUND = rf"(?P<unit>{_alternatives(BARE)})(?:\s?/\s?(?P<per>{DENOMINATOR}))?"
