"""Front-matter keys → the article's metadata, with located warnings and errors.

Keys use pandoc's names where pandoc has one (title, subtitle, author, date, lang,
abstract, description, keywords, publisher, rights), so the same file also works with
plain pandoc. An unknown key is a warning naming it and its line: a misspelt
`reveiw-date` would otherwise vanish without a trace.
"""

from __future__ import annotations

import datetime
import re
from dataclasses import dataclass
from typing import Any

from editions import locale
from editions.errors import Finding, Location
from editions.model import Author
from editions.source.sourcemap import SourceMap

#: Keys this pipeline reads; each is documented in README.md ("Front matter").
KEYS = (
    "title",
    "subtitle",
    "author",
    "date",
    "lang",
    "abstract",
    "description",
    "keywords",
    "publisher",
    "rights",
    "review-date",
    "audio-base-url",
    "bibliography",
    "csl",
    "lexicon",
    "as-written",
)
#: pandoc and citeproc keys that are accepted and passed to pandoc as they are.
PANDOC_KEYS = (
    "link-citations",
    "link-bibliography",
    "nocite",
    "reference-section-title",
    "suppress-bibliography",
    "lang-region",
)


@dataclass(frozen=True)
class Metadata:
    """What the front matter says about the article, beyond its body."""

    title: str
    subtitle: str
    authors: tuple[Author, ...]
    date: str
    iso_date: str  # "" when the date is free text ("July 2024")
    lang: str
    abstract: str
    description: str  # the front matter's, else the abstract
    keywords: tuple[str, ...]
    publisher: str
    rights: str
    review_date: str  # ISO, "" when absent


def read(
    meta: dict[str, Any], source: SourceMap, today: datetime.date | None = None
) -> tuple[Metadata, list[Finding]]:
    """Check the front-matter keys and return the metadata with every finding."""
    findings = _unknown_keys(meta, source)
    lang = str(meta["lang"]).strip()
    if not locale.has_table(lang):
        findings.append(
            Finding(
                "SRC044",
                f"the pipeline has no labels in language {locale.language(lang)!r} "
                f"(lang: {lang}); its own labels fall back to English",
                _line(source, "lang"),
                "warning",
            )
        )
    authors = _authors(meta["author"], source, findings)
    date = _text(meta["date"])
    iso = locale.parse_iso(date)
    review = _review_date(meta.get("review-date"), source, findings, today)
    abstract = _text(meta.get("abstract"))
    metadata = Metadata(
        title=_text(meta["title"]),
        subtitle=_text(meta.get("subtitle")),
        authors=authors,
        date=date,
        iso_date=iso.isoformat() if iso else "",
        lang=lang,
        abstract=abstract,
        description=_text(meta.get("description")) or abstract,
        keywords=_keywords(meta.get("keywords"), source, findings),
        publisher=_text(meta.get("publisher")),
        rights=_text(meta.get("rights")),
        review_date=review,
    )
    return metadata, findings


def _text(value: Any) -> str:
    """Return a scalar as one line of text (YAML folds are joined)."""
    if value is None:
        return ""
    if isinstance(value, datetime.date):
        return value.isoformat()  # YAML reads 2024-07-04 as a date
    return re.sub(r"\s+", " ", str(value)).strip()


def _line(source: SourceMap, key: str) -> Location:
    return Location(source.path, source.find(f"{key}:").line, key)


def _unknown_keys(meta: dict[str, Any], source: SourceMap) -> list[Finding]:
    known = set(KEYS) | set(PANDOC_KEYS)
    return [
        Finding(
            "SRC040",
            f"unknown front-matter key '{key}'; no edition uses it (known keys: "
            f"{', '.join(KEYS)})",
            Location(
                source.path,
                source.find(rf"^{re.escape(str(key))}\s*:", literal=False).line,
                str(key),
            ),
            "warning",
        )
        for key in meta
        if str(key) not in known
    ]


def _authors(
    value: Any, source: SourceMap, findings: list[Finding]
) -> tuple[Author, ...]:
    """Read one author or many; each a name or a {name, affiliation} mapping."""
    items = value if isinstance(value, list) else [value]
    authors = []
    for item in items:
        if isinstance(item, dict):
            name = _text(item.get("name"))
            affiliation = _text(item.get("affiliation"))
        else:
            name, affiliation = _text(item), ""
        if not name:
            findings.append(
                Finding(
                    "SRC043",
                    "an author has no name; write 'author: Name', a list of names, "
                    "or '- name: …' with an optional 'affiliation: …'",
                    _line(source, "author"),
                )
            )
            continue
        authors.append(Author(name, affiliation))
    return tuple(authors)


def _keywords(
    value: Any, source: SourceMap, findings: list[Finding]
) -> tuple[str, ...]:
    if value is None:
        return ()
    if isinstance(value, str):
        return tuple(k.strip() for k in value.split(",") if k.strip())
    if isinstance(value, list) and all(not isinstance(k, dict | list) for k in value):
        return tuple(_text(k) for k in value if _text(k))
    findings.append(
        Finding(
            "SRC045",
            "keywords must be a list of words or phrases, e.g. 'keywords: [asthma, "
            "inhaler]'",
            _line(source, "keywords"),
        )
    )
    return ()


def _review_date(
    value: Any,
    source: SourceMap,
    findings: list[Finding],
    today: datetime.date | None,
) -> str:
    """Return the ISO review date; warn when it has passed (patients need current
    advice), fail when it is not a YYYY-MM-DD date."""
    if value is None or _text(value) == "":
        return ""
    text = _text(value)
    parsed = locale.parse_iso(text)
    where = _line(source, "review-date")
    if parsed is None:
        findings.append(
            Finding(
                "SRC042",
                f"review-date {text!r} is not a date; write it as YYYY-MM-DD",
                where,
            )
        )
        return ""
    if parsed < (today or datetime.date.today()):
        findings.append(
            Finding(
                "SRC041",
                f"review-date {parsed.isoformat()} has passed; review the leaflet "
                "and set the next review date",
                where,
                "warning",
            )
        )
    return parsed.isoformat()
