"""Markdown file → decoded text and its YAML front matter, with located errors."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml

from editions.errors import Finding, Location

REQUIRED_KEYS = ("title", "author", "date", "lang")


@dataclass(frozen=True)
class FrontMatter:
    """The YAML metadata block and the line where the Markdown body starts."""

    meta: dict[str, Any]
    body_line: int


def decode(path: Path, data: bytes) -> tuple[str | None, list[Finding]]:
    """Decode UTF-8, or report the line of the first byte that is not UTF-8."""
    try:
        return data.decode("utf-8"), []
    except UnicodeDecodeError as err:
        line = data.count(b"\n", 0, err.start) + 1
        return None, [
            Finding(
                "SRC007",
                f"byte 0x{data[err.start]:02x} is not UTF-8; save the file as UTF-8",
                Location(path, line),
            )
        ]


def parse(path: Path, text: str) -> tuple[FrontMatter | None, list[Finding]]:
    """Split off and parse the front matter; check the keys every edition needs."""
    lines = text.splitlines()
    if not lines or lines[0].strip() != "---":
        return None, [
            Finding(
                "SRC006",
                "no YAML front matter; start the file with '---', a 'title:' "
                "line and '---'",
                Location(path, 1, "title"),
            )
        ]
    end = next(
        (
            i
            for i, line in enumerate(lines[1:], start=1)
            if line.strip() in ("---", "...")
        ),
        None,
    )
    if end is None:
        return None, [
            Finding(
                "SRC005",
                "the YAML front matter is never closed with '---'",
                Location(path, 1),
            )
        ]
    try:
        meta = yaml.safe_load("\n".join(lines[1:end])) or {}
    except yaml.YAMLError as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 2 if mark is not None else 2
        problem = getattr(err, "problem", None) or "invalid YAML"
        context = getattr(err, "context_mark", None)
        if context is not None and getattr(err, "context", None):
            problem += f" ({err.context} that starts on line {context.line + 2})"
        return None, [
            Finding(
                "SRC005",
                f"malformed YAML front matter: {problem}",
                Location(path, line),
            )
        ]
    if not isinstance(meta, dict):
        return None, [
            Finding(
                "SRC005",
                "the front matter must be a YAML mapping of keys",
                Location(path, 2),
            )
        ]
    findings = [
        Finding(
            "SRC006",
            f"the front matter has no '{key}'; add '{key}: …'",
            Location(path, _key_line(lines, key, end), key),
        )
        for key in REQUIRED_KEYS
        if not str(meta.get(key) or "").strip()
    ]
    return FrontMatter(meta, end + 2), findings


def _key_line(lines: list[str], key: str, end: int) -> int:
    for number, line in enumerate(lines[1:end], start=2):
        if line.startswith(f"{key}:"):
            return number
    return 1
