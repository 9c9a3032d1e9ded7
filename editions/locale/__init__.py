"""The article's language → its labels, its date format and its list format.

Everything the pipeline writes in words (headings it adds, the byline, the page footer,
player buttons, spoken announcements) comes from `labels(lang)`, so a leaflet's
language reaches every edition from one place. Dates and "A and B" come from Babel's
CLDR data rather than hand-written patterns.
"""

from __future__ import annotations

import datetime
from collections.abc import Sequence
from functools import cache

from babel import Locale, UnknownLocaleError
from babel.dates import format_date
from babel.lists import format_list

from editions.locale.labels import EN, TABLES

FALLBACK = "en"


def language(lang: str) -> str:
    """Return the primary language subtag of a BCP 47 tag ("en-GB" → "en")."""
    return lang.split("-")[0].lower()


def has_table(lang: str) -> bool:
    """Return whether the pipeline has labels in *lang*'s language."""
    return language(lang) in TABLES


@cache
def labels(lang: str) -> dict[str, str]:
    """Return the label table for *lang*: region over language over English."""
    table = dict(EN)
    table.update(TABLES.get(language(lang), {}))
    table.update(TABLES.get(lang.lower(), {}) if "-" in lang else {})
    return table


def label(lang: str, key: str, **values: str) -> str:
    """Return one label in *lang*, with its {placeholders} filled in."""
    return labels(lang)[key].format(**values)


@cache
def _locale(lang: str) -> Locale:
    try:
        return Locale.parse(lang, sep="-")
    except (UnknownLocaleError, ValueError):
        return Locale.parse(FALLBACK)


def parse_iso(text: str) -> datetime.date | None:
    """Return the date of an ISO 8601 calendar date (YYYY-MM-DD), else None."""
    try:
        return datetime.date.fromisoformat(text.strip())
    except ValueError:
        return None


def show_date(value: str, lang: str) -> str:
    """Show an ISO date the way *lang* writes it ("4 July 2024" in en-GB).

    Anything that is not an ISO date ("July 2024") is shown as the author wrote it.
    """
    parsed = parse_iso(value)
    if parsed is None:
        return value
    return format_date(parsed, "long", locale=_locale(lang))


def dates_line(lang: str, date: str, review_date: str | None) -> str:
    """Return "Updated 4 March 2026. Review by 4 March 2027." in *lang*: printed in
    the title block and on the braille title page (standards ask for both dates)."""
    dates = label(lang, "updated", date=show_date(date, lang))
    if review_date:
        dates += " " + label(lang, "review_by", date=show_date(review_date, lang))
    return dates


def language_name(lang: str) -> str:
    """Name *lang* in the language of its labels ("français (France)" for fr-FR).

    A language without a table has English labels, so it is named in English.
    """
    shown_in = _locale(lang) if has_table(lang) else _locale(FALLBACK)
    return _locale(lang).get_display_name(shown_in) or lang


def join_names(names: Sequence[str], lang: str) -> str:
    """Join names as *lang* lists them ("A and B", "A, B et C")."""
    if not names:
        return ""
    return format_list(list(names), locale=_locale(lang))


def quote_marks(lang: str, *, inner: bool = False) -> tuple[str, str]:
    """Return the opening and closing quotation marks *lang* uses."""
    table = labels(lang)
    suffix = "_inner" if inner else ""
    return table[f"quote_open{suffix}"], table[f"quote_close{suffix}"]


def css_page_counter(lang: str) -> str:
    """Return a CSS `content` value for the "Page 2 of 7" footer in *lang*."""
    template = labels(lang)["page_of"]
    before, rest = template.split("{page}", 1)
    middle, after = rest.split("{pages}", 1)
    parts = [_css_string(before), "counter(page)", _css_string(middle)]
    parts += ["counter(pages)", _css_string(after)]
    return " ".join(p for p in parts if p)


def _css_string(text: str) -> str:
    if not text:
        return ""
    return '"' + text.replace("\\", "\\\\").replace('"', '\\"') + '"'
