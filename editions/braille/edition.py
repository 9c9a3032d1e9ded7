"""The braille edition as the build sees it: check first, then render from the PDF.

`preflight` runs before any edition is written, so an article in a language
liblouis has no table for fails with BRL001 and leaves the build folder untouched.
`make` renders from the hand-out PDF's recorded page starts and returns the facts
the manifest keeps (and `invoke check` reads: the table and the page size).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from pathlib import Path
from typing import Any

from editions.braille import render as renderer
from editions.braille.tables import BrailleSettings, BrailleTable, choose
from editions.model import Article


def preflight(article: Article, settings: BrailleSettings) -> BrailleTable:
    """Return the liblouis table, or raise BuildFailed (BRL001/BRL002, exit 3)."""
    return choose(article, settings)


def make(
    article: Article,
    out_dir: Path,
    settings: BrailleSettings,
    pdf_facts: Mapping[str, Any],
    pdf_name: str,
) -> tuple[Path, dict[str, Any]]:
    """Render `<stem>.brf` from the PDF's page starts; return it and its facts."""
    table = choose(article, settings)
    page_starts = tuple(pdf_facts.get("page_starts") or ())
    path = renderer.render(article, out_dir, settings, page_starts, pdf_name)
    return path, {"table": table.file, "code": table.label, **asdict(settings)}


def settings_of(facts: Mapping[str, Any]) -> BrailleSettings:
    """Return the page size and grade a built edition records (defaults if none)."""
    defaults = BrailleSettings()
    return BrailleSettings(
        cells=int(facts.get("cells", defaults.cells)),
        lines=int(facts.get("lines", defaults.lines)),
        grade=int(facts.get("grade", defaults.grade)),
    )
