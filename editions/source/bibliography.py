"""CSL-JSON bibliography → entries by id, with located errors."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

from editions.errors import Finding, Location
from editions.source import as_cited

#: Placeholder entries carry this in their note; they must not be published as is.
UNRESOLVED_MARK = "UNRESOLVED"


def load(path: Path) -> tuple[dict[str, dict[str, Any]], list[Finding]]:
    """Read a CSL-JSON array; report the line of a syntax error or the bad key."""
    if not path.is_file():
        return {}, [Finding("REF005", "bibliography file not found", Location(path))]
    data = path.read_bytes()
    try:
        items = json.loads(data.decode("utf-8"))
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return {}, [
            Finding("REF001", "bibliography is not UTF-8", Location(path, line))
        ]
    except json.JSONDecodeError as err:
        return {}, [
            Finding(
                "REF001",
                f"malformed CSL-JSON: {err.msg} (column {err.colno})",
                Location(path, err.lineno),
            )
        ]
    if not isinstance(items, list):
        return {}, [
            Finding("REF001", "CSL-JSON must be an array of items", Location(path, 1))
        ]
    entries: dict[str, dict[str, Any]] = {}
    findings: list[Finding] = []
    for index, item in enumerate(items):
        key = item.get("id") if isinstance(item, dict) else None
        if not isinstance(key, str) or not key:
            findings.append(
                Finding(
                    "REF001",
                    f"item {index + 1} has no string 'id'",
                    Location(path, None, f"[{index}]"),
                )
            )
        elif key in entries:
            findings.append(
                Finding(
                    "REF001", f"id '{key}' is used twice", Location(path, None, key)
                )
            )
        elif "type" not in item:
            findings.append(
                Finding(
                    "REF001", f"item '{key}' has no 'type'", Location(path, None, key)
                )
            )
        else:
            entries[key] = item
            findings += as_cited.check(key, item, path)
    return entries, findings


def is_placeholder(item: dict[str, Any]) -> bool:
    """Tell whether an entry is an unresolved placeholder an editor must fix."""
    return UNRESOLVED_MARK in str(item.get("note", "")).upper()


def unverified_fields(item: dict[str, Any]) -> str:
    """Return the note's 'UNVERIFIED'/'NOT VERIFIED' remark, if any, for the report."""
    note = str(item.get("note", ""))
    for marker in ("UNVERIFIED:", "NOT VERIFIED"):
        at = note.find(marker)
        if at >= 0:
            return note[at:].split(". ")[0]
    return ""
