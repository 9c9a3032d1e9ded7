"""The article's language and the chosen grade → a liblouis table, or a located error.

English is Unified English Braille (the code of the UK, the US since 2016, Canada,
Australia…), so `en-*` maps to liblouis's UEB tables; any other language asks
liblouis's own table metadata (`lou_findTable`) for a literary table, contracted
for grade 2 and uncontracted for grade 1.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from editions import locale
from editions.braille import liblouis
from editions.errors import BuildFailed, Finding, Location
from editions.model import Article
from editions.source.frontmatter import _key_line

GRADES = (1, 2)
#: The smallest page a layout of headings, contents and page numbers fits on.
MIN_CELLS, MIN_LINES = 20, 10


@dataclass(frozen=True)
class BrailleSettings:
    """Page size and contraction grade (40 × 25 and grade 2 by default)."""

    cells: int = 40
    lines: int = 25
    grade: int = 2


@dataclass(frozen=True)
class BrailleTable:
    """The liblouis table file and how the title page names the code."""

    file: str
    label: str  # e.g. "Unified English Braille, grade 2"


def choose(article: Article, settings: BrailleSettings) -> BrailleTable:
    """Return the table for the article's `lang`, or fail before anything is written.

    Raises BuildFailed (exit 3) with BRL001 when liblouis has no table for the
    language at that grade, BRL002 when the page size or grade is not usable.
    """
    problems = settings_findings(article.source, settings)
    if problems:
        raise BuildFailed(problems)
    primary = article.lang.split("-")[0].lower()
    grade = settings.grade
    if primary == "en":
        return BrailleTable(
            f"en-ueb-g{grade}.ctb", locale.label("en", "braille.ueb", grade=str(grade))
        )
    contraction = "full" if grade == 2 else "no"
    found = liblouis.find_table(
        f"language:{primary} type:literary contraction:{contraction}"
    )
    if found is None:
        line = _lang_line(article.source)
        raise BuildFailed(
            [
                Finding(
                    "BRL001",
                    f"liblouis has no grade {grade} braille table for lang "
                    f"'{article.lang}'; use a language liblouis covers, choose "
                    "the other grade (--braille-grade), or leave the braille "
                    "edition out",
                    Location(article.source, line, "lang"),
                )
            ]
        )
    grade_name = locale.label(article.lang, f"braille.grade.{grade}")
    language = locale.language_name(article.lang)
    code = locale.label(
        article.lang, "braille.code", language=language, grade_name=grade_name
    )
    return BrailleTable(Path(found).name, code)


def settings_findings(where: Path, settings: BrailleSettings) -> list[Finding]:
    """Say what is wrong with a page size or grade option (BRL002)."""
    problems = []
    if settings.grade not in GRADES:
        problems.append(f"grade {settings.grade} is not 1 or 2")
    if settings.cells < MIN_CELLS:
        problems.append(f"{settings.cells} cells a line is under {MIN_CELLS}")
    if settings.lines < MIN_LINES:
        problems.append(f"{settings.lines} lines a page is under {MIN_LINES}")
    return [
        Finding(
            "BRL002",
            f"braille option: {problem}; change --braille-cells, --braille-lines "
            "or --braille-grade",
            Location(where, key="braille"),
        )
        for problem in problems
    ]


def _lang_line(source: Path) -> int:
    lines = source.read_text(encoding="utf-8").splitlines()
    end = next(
        (i for i, line in enumerate(lines[1:], start=1) if line.strip() == "---"),
        len(lines),
    )
    return _key_line(lines, "lang", end)
