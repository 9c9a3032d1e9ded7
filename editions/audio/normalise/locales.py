"""Per-locale tables for speech normalisation: how en-US and en-GB say things.

Everything that differs between locales lives here as data, so adding a locale is
adding a `Locale` (and its tests), not new rules.
"""

from __future__ import annotations

from dataclasses import dataclass, field


@dataclass(frozen=True)
class Currency:
    """A currency symbol's spoken names: (one, many) units and subunits."""

    one: str
    many: str
    sub_one: str
    sub_many: str


@dataclass(frozen=True)
class Locale:
    """What a locale reads differently: dates, "and" in numbers, spellings."""

    tag: str
    day_first: bool  # 03/04/2025 is 3 April (en-GB), not March 4 (en-US)
    hundred_and: bool  # "one hundred and five" (en-GB) or "one hundred five"
    zero_digit: str  # a 0 said alone in a phone number: "oh" or "zero"
    #: Always said digit by digit ("nine nine nine", never "nine hundred…").
    emergency: frozenset[str]
    #: Said digit by digit after "call", "dial", "ring", "text"… (else a count).
    services: frozenset[str]
    #: US spelling → this locale's, in unit names ("milliliters" → "millilitres").
    spelling: dict[str, str] = field(default_factory=dict)
    #: Currency symbols, the first being the locale's own.
    currencies: dict[str, Currency] = field(default_factory=dict)


DOLLAR = Currency("dollar", "dollars", "cent", "cents")
POUND = Currency("pound", "pounds", "penny", "pence")
EURO = Currency("euro", "euros", "cent", "cents")

EN_US = Locale(
    tag="en-US",
    day_first=False,
    hundred_and=False,
    zero_digit="zero",
    emergency=frozenset({"911"}),
    services=frozenset({"988", "311", "211", "411"}),
    currencies={"$": DOLLAR, "£": POUND, "€": EURO},
)
EN_GB = Locale(
    tag="en-GB",
    day_first=True,
    hundred_and=True,
    zero_digit="oh",
    emergency=frozenset({"999"}),
    services=frozenset({"111", "112", "119", "101"}),
    spelling={"liter": "litre", "meter": "metre"},
    currencies={"£": POUND, "$": DOLLAR, "€": EURO},
)
#: Region subtags that read like British English (dates day first, "and").
_GB_LIKE = {"GB", "UK", "IE", "AU", "NZ", "ZA", "IN"}


def locale_for(lang: str) -> Locale | None:
    """Return the rules for a BCP 47 tag, or None for a language without rules.

    Any English tag gets rules: en-GB-like regions read the British way, every
    other English (en, en-US, en-CA…) the American way.
    """
    parts = lang.replace("_", "-").split("-")
    if parts[0].lower() != "en":
        return None
    region = next((p.upper() for p in parts[1:] if len(p) == 2), "US")
    return EN_GB if region in _GB_LIKE else EN_US


MONTHS = (
    "January February March April May June July August September October "
    "November December"
).split()
