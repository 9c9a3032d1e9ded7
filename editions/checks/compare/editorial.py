"""Bibliography → what an editor must resolve: placeholders, unverified fields, form.

The reference data carries provenance notes ("CONFIDENCE: …", "NOT VERIFIED: …");
they never reach a rendered entry, but the editor must see them before publishing.
DOI and URL form follows APA 7 §9.34–9.36 (standards §6).
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from pathlib import Path
from typing import Any
from urllib.parse import urlsplit

from editions.errors import Finding, Location
from editions.model import Article
from editions.report.results import ReferenceStatus
from editions.source.as_cited import author_only
from editions.source.bibliography import is_placeholder, unverified_fields

#: A bare DOI as CSL-JSON holds it (the renderer adds https://doi.org/).
BARE_DOI = re.compile(r"^10\.\d{4,9}/\S+$")
_URL = re.compile(r"https?://\S+")
_CONFIDENCE = re.compile(r"CONFIDENCE:\s*([^.;(]+)")
#: The note's remark from its marker to the end of that sentence ("e.g." does not
#: end it: a sentence ends at a period before a capital letter, or at the end).
_REMARK = re.compile(r"(?:NOT VERIFIED|UNVERIFIED)\b.*?(?=\.\s+[A-Z]|\.?\s*$)", re.S)
#: Notes that say it in lower case, inside a sentence of their own.
_NOT_VERIFIED = re.compile(r"[^.]*\b(?:not verified|unverified)\b[^.]*", re.IGNORECASE)


def confidence(item: dict[str, Any]) -> str:
    """Return the note's confidence ("high", "medium", …), "" when it gives none."""
    match = _CONFIDENCE.search(str(item.get("note", "")))
    return match.group(1).strip() if match else ""


def unverified(item: dict[str, Any]) -> str:
    """Return what the note says is not verified ("" when everything is)."""
    note = str(item.get("note", ""))
    if not unverified_fields(item):
        match = _NOT_VERIFIED.search(note)  # lower-case wording
        return match.group(0).strip() if match else ""
    match = _REMARK.search(note)
    return match.group(0).strip() if match else unverified_fields(item)


def form_problems(item: dict[str, Any], rendered: str) -> list[tuple[str, str]]:
    """Return (code, problem) for each APA 7 DOI/URL rule the entry breaks."""
    problems: list[tuple[str, str]] = []
    doi = str(item.get("DOI") or "").strip()
    lowered = rendered.lower()
    if doi and not BARE_DOI.match(doi):
        problems.append(
            ("REF007", f"the DOI field {doi!r} is not a bare DOI (10.NNNN/…)")
        )
    elif doi and f"https://doi.org/{doi.lower()}" not in lowered:
        problems.append(("REF007", "the DOI is not shown as https://doi.org/…"))
    if re.search(r"\bdoi:", lowered) or "dx.doi.org" in lowered:
        problems.append(
            ("REF007", "write the DOI as https://doi.org/… (no 'doi:' label or dx.)")
        )
    if "http://doi.org" in lowered:
        problems.append(("REF007", "a DOI link must start with https://doi.org/"))
    url = str(item.get("URL") or "").strip()
    if doi and url and url.lower() in lowered:
        problems.append(("REF009", "give the DOI only, not also a URL (APA 7 §9.35)"))
    for link in _URL.findall(rendered):
        parts = urlsplit(link)
        if not parts.netloc or " " in link:
            problems.append(("REF008", f"{link!r} is not a complete URL"))
    if re.search(r"(?:https?://|doi\.org/)\S*\.$", rendered.strip()):
        problems.append(("REF008", "no period after a DOI or URL (APA 7 §9.35)"))
    if "retrieved from" in lowered and not re.search(r"retrieved \w+ \d", lowered):
        problems.append(
            ("REF008", "drop 'Retrieved from' unless a retrieval date is needed")
        )
    return problems


def review(
    article: Article, bib_path: Path | None, source_warnings: Iterable[Finding]
) -> tuple[list[ReferenceStatus], list[str], list[Finding]]:
    """Return each entry's status, the uncited keys, and findings REF006–REF009."""
    cited = Counter(key for cite in article.citations() for key in cite.keys)
    where = bib_path or article.source
    statuses: list[ReferenceStatus] = []
    findings: list[Finding] = []
    for reference in article.references:
        item = reference.data
        remark = unverified(item)
        placeholder = is_placeholder(item)
        problems = form_problems(item, reference.text)
        statuses.append(
            ReferenceStatus(
                key=reference.key,
                text=reference.text,
                cited=cited[reference.key],
                noted=bool(str(item.get("note") or "").strip()),
                confidence=confidence(item),
                placeholder=placeholder,
                unverified="" if placeholder else remark,
                problems=tuple(problem for _code, problem in problems),
                as_cited=author_only(item),
            )
        )
        at = Location(where, key=reference.key)
        if author_only(item):
            findings.append(
                Finding(
                    "REF012",
                    f"entry '{reference.key}' prints values only the author gave "
                    f"({', '.join(author_only(item))}): as cited by the author, not "
                    "verified; confirm them from the DOI or publisher record",
                    at,
                    "warning",
                )
            )
        if remark and not placeholder:  # a placeholder is REF004's already
            findings.append(
                Finding(
                    "REF006",
                    f"entry '{reference.key}' has fields nobody verified ({remark}); "
                    "confirm them from the DOI or publisher record before publishing",
                    at,
                    "warning",
                )
            )
        findings += [
            Finding(code, f"entry '{reference.key}': {problem}", at, "warning")
            for code, problem in problems
        ]
    uncited = [
        str(f.where.key) for f in source_warnings if f.code == "REF003" and f.where.key
    ]
    return statuses, uncited, findings


def dangling_in_source(article: Article) -> list[str]:
    """Return citation keys with no entry in the rendered reference list."""
    known = {r.key for r in article.references}
    return sorted(
        {key for cite in article.citations() for key in cite.keys if key not in known}
    )
