"""CSL items → what citeproc renders: verified fields, then what only the author gave.

The reference data puts a value into a CSL field only when it was seen in a retrieved
source. A value known only from the author (the year of an in-text citation, the
article's own reference list) sits in the item's `as-cited` object instead: publishing
must not change what the author cited, so it is rendered where no verified value
exists, and the editorial report flags it "as cited by the author, not verified".
`correction` records a deliberate change to the citation the author wrote (another
author element), with its reason, for the editorial report and the fidelity check.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from editions.errors import Finding, Location

AS_CITED = "as-cited"
CORRECTION = "correction"
#: Fields that stay in the source file and never reach citeproc.
PRIVATE = ("note", AS_CITED, CORRECTION)
NAME_FIELDS = ("author", "editor", "translator", "interviewer")


@dataclass(frozen=True)
class Correction:
    """A deliberate change to an in-text citation, recorded in the bibliography."""

    key: str
    cited_as: str  # what the author wrote, e.g. "Schopick, 2013"
    reason: str


def check(key: str, item: dict[str, Any], path: Path) -> list[Finding]:
    """Return REF010/REF011 errors for a malformed `as-cited` or `correction`."""
    where = Location(path, None, key)
    findings: list[Finding] = []
    extra = item.get(AS_CITED)
    if extra is not None and not _valid_as_cited(extra):
        findings.append(
            Finding(
                "REF010",
                f"'{AS_CITED}' of '{key}' must be an object of CSL fields; names are "
                'lists of {"family": …}, dates {"date-parts": [[year]]}',
                where,
            )
        )
    fix = item.get(CORRECTION)
    if fix is not None and not (
        isinstance(fix, dict)
        and all(isinstance(fix.get(k), str) and fix[k].strip() for k in _FIX_KEYS)
    ):
        findings.append(
            Finding(
                "REF011",
                f"'{CORRECTION}' of '{key}' needs 'cited-as' (the citation as the "
                "author wrote it) and 'reason' (why it was changed)",
                where,
            )
        )
    return findings


_FIX_KEYS = ("cited-as", "reason")


def _valid_as_cited(extra: Any) -> bool:
    if not isinstance(extra, dict):
        return False
    for field, value in extra.items():
        if field in NAME_FIELDS:
            if not isinstance(value, list) or not all(
                isinstance(n, dict) and isinstance(n.get("family"), str) for n in value
            ):
                return False
        elif isinstance(value, dict):  # a date
            if not isinstance(value.get("date-parts"), list):
                return False
        elif not isinstance(value, str | int):
            return False
    return True


def for_citeproc(item: dict[str, Any]) -> dict[str, Any]:
    """Return the item citeproc renders: verified fields, filled in from `as-cited`."""
    merged = {k: v for k, v in item.items() if k not in PRIVATE}
    extra = item.get(AS_CITED)
    if not isinstance(extra, dict):
        return merged
    for field, value in extra.items():
        if field in NAME_FIELDS:
            merged[field] = _merge_names(merged.get(field) or [], value)
        elif field not in merged:
            merged[field] = value
    return merged


def _merge_names(
    verified: list[dict[str, Any]], cited: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    """Fill missing name parts from the author's names; append names only they give."""
    names = [dict(n) for n in verified]
    for name in cited:
        same = next((n for n in names if n.get("family") == name["family"]), None)
        if same is None:
            names.append(dict(name))
        else:
            for part, value in name.items():
                same.setdefault(part, value)
    return names


def author_only(item: dict[str, Any]) -> tuple[str, ...]:
    """Describe each rendered value that only the author gave ("year 2018", …)."""
    extra = item.get(AS_CITED)
    if not isinstance(extra, dict):
        return ()
    described: list[str] = []
    for field, value in extra.items():
        if field in NAME_FIELDS:
            described += _names_only_cited(field, item.get(field) or [], value)
        elif field not in item:
            described.append(f"{_LABELS.get(field, field)} {_show(field, value)}")
    return tuple(described)


_LABELS = {"issued": "year", "page": "pages", "container-title": "journal"}


def _show(field: str, value: Any) -> str:
    if field == "issued":
        parts = value.get("date-parts") or [[]]
        return "-".join(str(p) for p in parts[0]) or "?"
    return str(value)


def _names_only_cited(
    field: str, verified: list[dict[str, Any]], cited: list[dict[str, Any]]
) -> list[str]:
    known = {n.get("family"): n for n in verified}
    out = []
    for name in cited:
        family = name["family"]
        if family not in known:
            out.append(f"{field} {family}")
        elif "given" in name and "given" not in known[family]:
            out.append(f"{family}'s given name {name['given']}")
    return out


def correction(key: str, item: dict[str, Any]) -> Correction | None:
    """Return the item's recorded citation correction, if it has one."""
    fix = item.get(CORRECTION)
    if not isinstance(fix, dict):
        return None
    return Correction(key, str(fix.get("cited-as", "")), str(fix.get("reason", "")))
