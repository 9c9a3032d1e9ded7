"""Report → build/report.html: a readable, itself accessible page for the team.

One table per edition, the cross-edition matrix, the editorial review, PDF page
thumbnails, the loudness chart and the browser screenshots. Accessibility: `lang`,
one h1 and nested headings, captions and `scope` on every table, alt text on every
image, a text alternative and a data table for the chart, status always in words
(colour only repeats it), and AAA contrast for all text.

The page is written by the Jinja2 templates in `templates/` (autoescaped); this
module gives them the report and the few measures that need Python.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from functools import cache
from importlib import resources
from pathlib import Path
from urllib.parse import quote

from jinja2 import Environment, PackageLoader, StrictUndefined

from editions import registry
from editions.checks import names
from editions.checks.compare import loudness
from editions.checks.naturalness import MIN_P808
from editions.errors import Finding
from editions.output import write_text
from editions.report import braille_preview, fidelity_html, speech_section
from editions.report.json_report import edition_status, relative
from editions.report.results import EDITIONS, CheckRun, Report

#: Rows of the consistency matrix: the comparison checks, in report order.
COMPARISONS = names.COMPARISONS
LABELS = {
    "pass": "Pass",
    "warning": "Warning",
    "fail": "Fail",
    "not run": "Not run",
    "exempt": "Exempt",
}
VIEW_NAMES = {
    "light": "light theme",
    "dark": "dark theme",
    "contrast": "high-contrast theme",
    "forced-colors": "forced colours (Windows high contrast)",
    "device-dark": "device dark mode",
}


def _edition_files(files: dict[str, Path], edition: str) -> list[str]:
    """Return the report's file keys that *edition*'s section links to.

    A numbered output (the MP3 parts) stands for its files on disk; when it has
    some, the one-file output they replace (the book MP3) is not shown missing.
    """
    shown = registry.shown()[edition]
    declared = {o.name: o for e in registry.EDITIONS for o in e.outputs}
    numbered = [
        key
        for name in shown.outputs
        if declared[name].numbered
        for key in declared[name].members(files)
    ]
    keys = []
    for name in shown.outputs:
        if declared[name].numbered:
            keys += declared[name].members(files)
        elif name in files and not (numbered and not files[name].exists()):
            keys.append(name)
    return keys


def write(report: Report, target: Path) -> Path:
    """Write the HTML report to *target*."""
    return write_text(target, page(report))


def page(report: Report) -> str:
    """Return the whole report page."""
    sections = [
        ("summary", "Summary by edition", None),
        ("compared", "Editions compared with the source", None),
        ("editorial", "Editorial review", None),
    ]
    sections += [(f"edition-{e}", label, e) for e, label in EDITIONS.items()]
    minutes, seconds = divmod(round(report.seconds), 60)
    css = resources.files(__package__).joinpath("templates", "report.css")
    return (
        _environment()
        .get_template("report.html.j2")
        .render(
            report=report,
            sections=sections,
            minutes=minutes,
            seconds=seconds,
            css=css.read_text(encoding="utf-8") + braille_preview.CSS,
        )
    )


def href(path: Path, base: Path) -> str:
    """Return a link from the report in *base* to *path*, as a URL.

    File names come from the article's name, which may hold a space, `#` or `?`:
    unquoted, `#` would start a fragment and `?` a query, and the link would miss.
    """
    shown = relative(path, base)
    if Path(shown).is_absolute():
        return Path(shown).as_uri()  # outside the build folder: a file: URL
    return quote(shown)


@cache
def _environment() -> Environment:
    """Load the templates once; every `{{ value }}` is HTML-escaped."""
    env = Environment(
        loader=PackageLoader(__package__, "templates"),
        autoescape=True,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
        undefined=StrictUndefined,
    )
    env.filters["fmt"] = format
    env.globals.update(
        labels=LABELS,
        view_names=VIEW_NAMES,
        editions=EDITIONS,
        compared_editions={e: label for e, label in EDITIONS.items() if e != "source"},
        comparisons=COMPARISONS,
        edition_files=_edition_files,
        relative=relative,
        href=href,
        edition_status=edition_status,
        counts=_counts,
        size=_size,
        dimensions=_dimensions,
        number=_number,
        where=_where,
        min_p808=MIN_P808,
        # These return markup (they escape every text they draw or show):
        loudness_svg=loudness.svg,
        curve_svg=loudness.curve_svg,
        fidelity=lambda editorial: fidelity_html.section(editorial, _table),
        braille=lambda summary: braille_preview.section(summary, _table),
        speech=lambda review: speech_section.html(review, _table, _number),
    )
    return env


# ------------------------------------------------------------------ helpers


def _table(
    caption: str,
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    numeric: Sequence[int] = (),
) -> str:
    """Return a table of trusted-HTML cells, as the templates write one ("" if empty).

    For the report parts written in Python (`fidelity_html`, `braille_preview`),
    which escape their own text.
    """
    template = _environment().get_template("table.html.j2")
    rendered = template.render(
        caption=caption, head=head, rows=list(rows), numeric=numeric
    )
    return rendered.removesuffix("\n")


def _counts(runs: Iterable[CheckRun]) -> tuple[int, int]:
    """Return (errors, warnings) over the findings of *runs*."""
    items = [f for run in runs for f in run.findings]
    errors = sum(f.severity == "error" for f in items)
    return errors, len(items) - errors


def _size(path: Path) -> str:
    if path.is_dir():
        files = [p for p in path.iterdir() if p.is_file()]
        return (
            f"{len(files)} files, {sum(p.stat().st_size for p in files) / 1e6:.1f} MB"
        )
    if not path.is_file():
        return "missing"
    size = path.stat().st_size
    return f"{size / 1e6:.1f} MB" if size >= 1e6 else f"{size / 1e3:.0f} kB"


def _dimensions(png: Path) -> tuple[int, int] | None:
    """Return (width, height) read from a PNG's header (None if unreadable).

    With its size known the page reserves the image's space before it loads.
    """
    with png.open("rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return None
    return int.from_bytes(head[16:20], "big"), int.from_bytes(head[20:24], "big")


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


def _where(f: Finding, base: Path) -> str:
    where = relative(f.where.path, base)
    if f.where.line is not None:
        where += f":{f.where.line}"
    if f.where.key:
        where += f" [{f.where.key}]"
    return where
