"""Pronunciation lexicon (YAML) → entries the audio speaks and the EPUB ships as PLS."""

from __future__ import annotations

from pathlib import Path

import yaml

from editions.errors import Finding, Location
from editions.model import LexiconEntry
from editions.source.phonemes import UnknownSymbol, to_espeak, to_misaki


def load(path: Path) -> tuple[tuple[LexiconEntry, ...], list[Finding]]:
    """Read `entries: [{grapheme, alias?, ipa?}]`; each needs an alias or IPA."""
    if not path.is_file():
        return (), [Finding("LEX001", "lexicon file not found", Location(path))]
    try:
        data = yaml.safe_load(path.read_text(encoding="utf-8")) or {}
    except (yaml.YAMLError, UnicodeDecodeError) as err:
        mark = getattr(err, "problem_mark", None)
        line = mark.line + 1 if mark is not None else None
        return (), [Finding("LEX001", "malformed lexicon YAML", Location(path, line))]
    raw = data.get("entries") if isinstance(data, dict) else None
    if not isinstance(raw, list):
        return (), [
            Finding(
                "LEX001",
                "the lexicon needs a list under 'entries:'",
                Location(path, 1, "entries"),
            )
        ]
    entries: list[LexiconEntry] = []
    findings: list[Finding] = []
    lines = path.read_text(encoding="utf-8").splitlines()
    for index, item in enumerate(raw):
        grapheme = item.get("grapheme") if isinstance(item, dict) else None
        alias = item.get("alias") if isinstance(item, dict) else None
        ipa = item.get("ipa") if isinstance(item, dict) else None
        if not isinstance(grapheme, str) or not (alias or ipa):
            findings.append(
                Finding(
                    "LEX001",
                    "each entry needs a 'grapheme' and an 'alias' or 'ipa'",
                    Location(path, None, f"entries[{index}]"),
                )
            )
            continue
        if ipa and (problem := _unspeakable(str(ipa))):
            line = next(
                (n for n, text in enumerate(lines, 1) if str(ipa) in text), None
            )
            findings.append(
                Finding("LEX002", problem, Location(path, line, f"entries[{index}]"))
            )
            continue
        entries.append(LexiconEntry(grapheme, alias or None, ipa or None))
    return tuple(entries), findings


def _unspeakable(ipa: str) -> str:
    """Return why *ipa* cannot be handed to every engine, or "" if it can."""
    try:
        to_misaki(ipa)
        to_espeak(ipa)
    except UnknownSymbol as err:
        return str(err)
    return ""
