"""The build's braille step: BRF pages from the PDF's page breaks, checked first.

`preflight` runs before any edition is written, so an article in a language
liblouis has no table for fails with BRL001 and leaves the build folder untouched.
`make` records the table and page size, which `invoke check` reads back.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import asdict
from typing import TYPE_CHECKING, Any

from editions.job import BuildOptions, Job, Made
from editions.state import digest

if TYPE_CHECKING:  # the key needs neither: a no-op rebuild skips their imports
    from editions.braille.tables import BrailleSettings
    from editions.model import Article


def settings(options: BuildOptions) -> BrailleSettings:
    """Return the page size and grade the options ask for."""
    from editions.braille.tables import BrailleSettings

    return BrailleSettings(
        cells=options.braille_cells,
        lines=options.braille_lines,
        grade=options.braille_grade,
    )


def settings_of(facts: Mapping[str, Any]) -> BrailleSettings:
    """Return the page size and grade a built edition records (defaults if none)."""
    from editions.braille.tables import BrailleSettings

    defaults = BrailleSettings()
    return BrailleSettings(
        cells=int(facts.get("cells", defaults.cells)),
        lines=int(facts.get("lines", defaults.lines)),
        grade=int(facts.get("grade", defaults.grade)),
    )


def preflight(article: Article, options: BuildOptions) -> None:
    """Raise BuildFailed (BRL001, BRL002; exit 3) before anything is written."""
    from editions.braille.tables import choose

    choose(article, settings(options))


def key_options(options: BuildOptions, stem: str) -> dict[str, str]:
    """Name what else shapes the braille: page size, grade and liblouis itself."""
    from editions.braille.liblouis import version

    return {
        "braille options": digest(
            options.braille_cells, options.braille_lines, options.braille_grade
        ),
        "liblouis": version(),
    }


def make(job: Job) -> Made:
    """Translate and lay out the BRF; the PDF's page starts give the print pages."""
    from editions.braille.render import render
    from editions.braille.tables import choose
    from editions.facts import PageStarts

    chosen = settings(job.options)
    table = choose(job.article, chosen)
    pages = PageStarts.read(job.reused["pages"])
    path = render(job.article, job.out_dir, chosen, pages.starts, pages.pdf)
    facts = {"table": table.file, "code": table.label, **asdict(chosen)}
    return Made({"brf": path, "pef": path.with_suffix(".pef")}, facts=facts)
