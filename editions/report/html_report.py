"""Report → build/report.html: a readable, itself accessible page for the team.

One table per edition, the cross-edition matrix, the editorial review, PDF page
thumbnails, the loudness chart and the browser screenshots. Accessibility: `lang`,
one h1 and nested headings, captions and `scope` on every table, alt text on every
image, a text alternative and a data table for the chart, status always in words
(colour only repeats it), and AAA contrast for all text.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from html import escape
from pathlib import Path

from editions import registry
from editions.checks import names
from editions.checks.compare import loudness
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

CSS = (
    """
:root { color: #1a1a1a; background: #ffffff; }
body { font: 1.0625rem/1.55 system-ui, "DejaVu Sans", sans-serif; margin: 0 auto;
  max-width: 76rem; padding: 0 1.25rem 3rem; }
a { color: #0b3d91; }
a:focus-visible, [tabindex]:focus-visible { outline: 3px solid #0b3d91;
  outline-offset: 2px; }
.skip { position: absolute; left: -999px; }
.skip:focus { left: 1rem; top: 1rem; background: #ffffff; padding: .5rem; }
h1 { font-size: 2rem; line-height: 1.25; margin: 1.5rem 0 .5rem; }
h2 { font-size: 1.5rem; margin-top: 2.5rem; border-top: 2px solid #1a1a1a;
  padding-top: 1rem; }
h3 { font-size: 1.2rem; margin-top: 1.75rem; }
.table-wrap { overflow-x: auto; margin: .75rem 0; }
table { border-collapse: collapse; min-width: 50%; }
caption { text-align: left; font-weight: 700; padding: .25rem 0; }
th, td { border: 1px solid #6b6b6b; padding: .35rem .6rem; text-align: left;
  vertical-align: top; }
thead th { background: #ececec; }
td.num { text-align: right; font-variant-numeric: tabular-nums; }
td.msg { min-width: 12rem; max-width: 44rem; overflow-wrap: anywhere; }
.fail { color: #8b0000; font-weight: 700; }
.warning { color: #5c3a00; font-weight: 700; }
.pass { color: #0a4f19; }
.not-run, .exempt { color: #4a4a4a; font-style: italic; }
.verdict { font-size: 1.25rem; }
ul.pages, ul.shots { list-style: none; padding: 0; display: flex; flex-wrap: wrap;
  gap: .75rem; }
ul.pages img { border: 1px solid #6b6b6b; height: 240px; width: auto; }
ul.shots img { border: 1px solid #6b6b6b; width: 100%; height: auto; }
ul.shots li { width: min(36rem, 100%); }
figure { margin: 0; }
ul.curves { list-style: none; padding: 0; }
ul.curves li { margin: 0 0 1rem; }
svg.chart { max-width: 100%; height: auto; }
details { margin: .5rem 0; }
footer { margin-top: 3rem; font-size: .95rem; }
"""
    + braille_preview.CSS
)


def write(report: Report, target: Path) -> Path:
    """Write the HTML report to *target*."""
    return write_text(target, page(report))


def page(report: Report) -> str:
    """Return the whole report page."""
    errors = len(report.failing())
    warnings = len(report.findings) - errors
    verdict = "Fail" if errors else "Pass"
    sections = [
        ("summary", "Summary by edition", _summary(report)),
        ("compared", "Editions compared with the source", _matrix(report)),
        ("editorial", "Editorial review", _editorial(report)),
    ]
    sections += [
        (f"edition-{edition}", label, _edition(report, edition))
        for edition, label in EDITIONS.items()
    ]
    nav = "".join(
        f'<li><a href="#{anchor}">{escape(title)}</a></li>'
        for anchor, title, _ in sections
    )
    body = "\n".join(
        f'<section aria-labelledby="{anchor}">\n<h2 id="{anchor}">{escape(title)}'
        f"</h2>\n{content}\n</section>"
        for anchor, title, content in sections
    )
    minutes, seconds = divmod(round(report.seconds), 60)
    return (
        "<!DOCTYPE html>\n"
        '<html lang="en">\n<head>\n<meta charset="utf-8">\n'
        '<meta name="viewport" content="width=device-width, initial-scale=1">\n'
        f"<title>Check report: {escape(report.title)}</title>\n"
        f"<style>{CSS}</style>\n</head>\n<body>\n"
        '<a class="skip" href="#main">Skip to the report</a>\n'
        "<header>\n"
        f"<h1>Check report: {escape(report.title)}</h1>\n"
        f'<p class="verdict">Result: <strong class="{verdict.lower()}">{verdict}'
        f"</strong>. {errors} error(s) and {warnings} warning(s) in "
        f"{len(report.runs)} checks of <code>{escape(str(report.source))}</code> "
        f"(took {minutes} min {seconds} s).</p>\n"
        + (
            f'<p class="fail">A validator\'s program is missing: '
            f"{escape(report.missing_program)}</p>\n"
            if report.missing_program
            else ""
        )
        + f'<nav aria-label="Sections of this report"><ul>{nav}</ul></nav>\n'
        "</header>\n"
        f'<main id="main">\n{body}\n</main>\n'
        "<footer><p>Written by <code>invoke check</code>; the same facts are in "
        '<a href="report.json">report.json</a>. Finding codes are explained in '
        "docs/findings.md.</p></footer>\n"
        "</body>\n</html>\n"
    )


# ------------------------------------------------------------------ helpers


def _status(status: str, count: int | None = None) -> str:
    """Status in words, coloured by class (colour never carries it alone)."""
    text = LABELS.get(status, status)
    if count:
        text += f" ({count})"
    return f'<span class="{status.replace(" ", "-")}">{escape(text)}</span>'


def _table(
    caption: str,
    head: Sequence[str],
    rows: Iterable[Sequence[str]],
    *,
    row_headers: bool = True,
    numeric: Sequence[int] = (),
) -> str:
    """Return a captioned table; cells are trusted HTML, the first is a row header.

    The wrapper scrolls sideways on narrow screens; it is focusable and named so a
    keyboard user can scroll it (axe `scrollable-region-focusable`).
    """
    header = "".join(f'<th scope="col">{escape(h)}</th>' for h in head)
    lines = []
    for row in rows:
        cells = []
        for index, cell in enumerate(row):
            if index == 0 and row_headers:
                cells.append(f'<th scope="row">{cell}</th>')
            else:
                css = ""
                if index in numeric:
                    css = ' class="num"'
                elif index == len(row) - 1:
                    css = ' class="msg"'
                cells.append(f"<td{css}>{cell}</td>")
        lines.append("<tr>" + "".join(cells) + "</tr>")
    if not lines:
        return ""
    return (
        f'<div class="table-wrap" role="region" tabindex="0" '
        f'aria-label="{escape(caption, quote=True)}">'
        f"<table>\n<caption>{escape(caption)}</caption>\n<thead><tr>{header}</tr>"
        f"</thead>\n<tbody>\n" + "\n".join(lines) + "\n</tbody>\n</table></div>"
    )


def _counts(findings: Iterable[Finding]) -> tuple[int, int]:
    items = list(findings)
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


def _dimensions(png: Path) -> str:
    """Return ` width=".." height=".."` read from a PNG's header ("" if unreadable).

    With its size known the page reserves the image's space before it loads.
    """
    with png.open("rb") as f:
        head = f.read(24)
    if head[:8] != b"\x89PNG\r\n\x1a\n":
        return ""
    width, height = (
        int.from_bytes(head[16:20], "big"),
        int.from_bytes(head[20:24], "big"),
    )
    return f' width="{width}" height="{height}"'


def _number(value: float | None, digits: int = 1) -> str:
    if value is None or not math.isfinite(value):
        return "–"
    return f"{value:.{digits}f}"


# ------------------------------------------------------------------ sections

_EDITION_FILES = {
    "source": ("source",),
    **{name: shown.outputs for name, shown in registry.shown().items()},
}


def _file_links(report: Report, edition: str) -> str:
    if edition == "source":
        return f"<code>{escape(report.source.name)}</code>"
    links = []
    for key in _EDITION_FILES[edition]:
        path = report.files[key]
        href = escape(relative(path, report.out_dir), quote=True)
        links.append(
            f'<a href="{href}">{escape(path.name)}</a> ({escape(_size(path))})'
        )
    return ", ".join(links)


def _summary(report: Report) -> str:
    rows = []
    for edition, label in EDITIONS.items():
        runs = report.runs_for(edition)
        errors, warnings = _counts(f for run in runs for f in run.findings)
        rows.append(
            [
                f'<a href="#edition-{edition}">{escape(label)}</a>',
                _file_links(report, edition),
                str(len(runs)),
                str(errors),
                str(warnings),
                _status(edition_status(runs)),
            ]
        )
    return _table(
        "Checks run on each edition",
        ["Edition", "Files", "Checks", "Errors", "Warnings", "Result"],
        rows,
        numeric=(2, 3, 4),
    )


def _matrix(report: Report) -> str:
    editions = [e for e in EDITIONS if e != "source"]
    rows = []
    for check in COMPARISONS:
        cells = [escape(check)]
        for edition in editions:
            runs = [r for r in report.runs_for(edition) if r.check == check]
            if not runs:
                cells.append("<span>not applicable</span>")
                continue
            found = [f for r in runs for f in r.findings]
            cells.append(_status(edition_status(runs), len(found)))
        rows.append(cells)
    intro = (
        "<p>Each edition is read back from its file and compared with the source "
        "article: the same headings in the same order, the same reference entries, "
        "the same figure alt texts, every citation linked to its entry, every "
        "sentence timed in the audio, the captions and the read-along, and every "
        "word of the source present. Numbers in brackets count findings.</p>"
    )
    return intro + _table(
        "Comparison of each edition with the source",
        ["Check", *(EDITIONS[e] for e in editions)],
        rows,
    )


def _editorial(report: Report) -> str:
    ed = report.editorial
    parts = ["<h3>References</h3>"]
    rows = []
    for ref in ed.references:
        if ref.placeholder:
            status = '<span class="fail">Unresolved placeholder</span>'
            todo = "Resolve with the author or replace with a verified source."
        elif ref.unverified:
            status = '<span class="warning">Fields not verified</span>'
            todo = escape(ref.unverified)
        elif ref.as_cited:
            status = '<span class="warning">As cited by the author</span>'
            todo = ""
        elif ref.noted:
            status = '<span class="pass">Verified</span>'
            todo = ""
        else:
            status = "No provenance note"
            todo = ""
        if ref.as_cited:
            todo += "<br>" * bool(todo) + "As cited by the author, not verified: "
            todo += escape("; ".join(ref.as_cited))
        if ref.problems:
            todo += "".join(f"<br>{escape(p)}" for p in ref.problems)
        rows.append(
            [
                f"<code>{escape(ref.key)}</code>",
                escape(ref.text),
                str(ref.cited),
                escape(ref.confidence or "not stated"),
                status,
                todo or "Nothing.",
            ]
        )
    parts.append(
        _table(
            "Reference entries and their provenance",
            [
                "Key",
                "Entry as published",
                "Times cited",
                "Confidence",
                "Status",
                "To do",
            ],
            rows,
        )
        or "<p>The article has no references.</p>"
    )
    parts.append(fidelity_html.section(ed, _table))
    parts.append("<h3>Uncited entries and dangling citations</h3>")
    parts.append(
        _list("Entries never cited (APA 7 §8.10)", ed.uncited, "No uncited entries.")
    )
    parts.append(
        _list(
            "Citations without an entry to land on",
            ed.dangling,
            "No dangling citations.",
        )
    )
    parts.append(_readability(report))
    parts.append("<h3>Source words missing from an edition</h3>")
    rows = [
        [
            escape(EDITIONS.get(edition, edition)),
            str(sum(missing.values())),
            escape(", ".join(f"{w} ×{n}" if n > 1 else w for w, n in missing.items()))
            or "None.",
        ]
        for edition, missing in ed.missing_words.items()
    ]
    parts.append(
        _table(
            "Source words missing, by edition", ["Edition", "Missing", "Words"], rows
        )
        or "<p>No edition was read back.</p>"
    )
    return "\n".join(parts)


def _list(title: str, items: Sequence[str], empty: str) -> str:
    if not items:
        return f"<p>{escape(title)}: {escape(empty.lower())}</p>"
    return (
        f"<p>{escape(title)}:</p><ul>"
        + "".join(f"<li>{escape(item)}</li>" for item in items)
        + "</ul>"
    )


def _readability(report: Report) -> str:
    r = report.readability
    parts = [
        "<h3>Reading level of the body text</h3>",
        f"<p>{r.words} words in {r.sentences} sentences of body text (headings, "
        "citations, captions, tables, notes and references left out). The figures "
        "are reported, not gated: grade 6 or below is the aim for patient "
        "material; above 8 is flagged.</p>",
    ]
    rows = [
        [
            escape(m.name),
            _number(m.value * 100, 0) + " %"
            if m.name.startswith("Share") and m.value is not None
            else _number(m.value),
            escape(m.target),
            '<span class="warning">Flagged</span>'
            if m.flagged
            else '<span class="pass">Within target</span>',
        ]
        for m in r.metrics
    ]
    parts.append(
        _table("Reading-level figures", ["Measure", "Value", "Target", "Result"], rows)
    )
    rows = [[escape(title), _number(grade)] for title, grade in r.sections]
    parts.append(
        _table(
            "Flesch–Kincaid grade by section",
            ["Section", "Grade"],
            rows,
            numeric=(1,),
        )
    )
    if r.long_sentences:
        items = "".join(
            f"<li>{escape(sentence)} <em>({count} words; {escape(title)})</em></li>"
            for title, count, sentence in r.long_sentences
        )
        parts.append(
            f"<details><summary>{len(r.long_sentences)} sentences longer than 25 "
            f"words</summary><ol>{items}</ol></details>"
        )
    return "\n".join(parts)


def _edition(report: Report, edition: str) -> str:
    runs = report.runs_for(edition)
    parts = [f"<p>Files: {_file_links(report, edition)}.</p>"]
    parts.append(_checks(EDITIONS[edition], runs))
    findings = [(run, f) for run in runs for f in run.findings]
    if findings:
        rows = [
            [
                f"<code>{escape(f.code)}</code>",
                '<span class="fail">Error</span>'
                if f.severity == "error"
                else '<span class="warning">Warning</span>',
                escape(run.check),
                escape(_where(f, report.out_dir)),
                escape(f.message),
            ]
            for run, f in findings
        ]
        parts.append(
            f"<h3>Findings ({len(findings)})</h3>"
            + _table(
                f"Findings for the {EDITIONS[edition]}",
                ["Code", "Severity", "Check", "Where", "What to change"],
                rows,
            )
        )
    else:
        parts.append("<p>No findings.</p>")
    if edition in report.thumbnails:
        parts.append(_pages(report, edition))
    if edition == "html" and report.screenshots:
        parts.append(_screenshots(report))
    if edition == "audio":
        parts.append(_audio(report))
    if edition == "braille" and report.braille is not None:
        parts.append(braille_preview.section(report.braille, _table))
    return "\n".join(parts)


def _where(f: Finding, base: Path) -> str:
    where = relative(f.where.path, base)
    if f.where.line is not None:
        where += f":{f.where.line}"
    if f.where.key:
        where += f" [{f.where.key}]"
    return where


def _checks(label: str, runs: Sequence[CheckRun]) -> str:
    rows = []
    for run in runs:
        errors, warnings = _counts(run.findings)
        rows.append(
            [
                escape(run.check)
                + (f" <small>({escape(run.exempt)})</small>" if run.exempt else ""),
                _status(run.status),
                str(errors),
                str(warnings),
                f"{run.seconds:.1f}",
            ]
        )
    return _table(
        f"Checks of the {label}",
        ["Check", "Result", "Errors", "Warnings", "Seconds"],
        rows,
        numeric=(2, 3, 4),
    ) or ("<p>No checks ran.</p>")


def _pages(report: Report, edition: str) -> str:
    paths = report.thumbnails[edition]
    pdf = report.files[edition]
    href = escape(relative(pdf, report.out_dir), quote=True)
    items = "".join(
        f'<li><a href="{href}#page={n}"><img src="'
        f'{escape(relative(p, report.out_dir), quote=True)}"{_dimensions(p)} '
        f'alt="{escape(pdf.name)}, page {n} of {len(paths)}"></a></li>'
        for n, p in enumerate(paths, start=1)
    )
    return f'<h3>Pages ({len(paths)})</h3><ul class="pages">{items}</ul>'


def _screenshots(report: Report) -> str:
    items = []
    for view, path in report.screenshots.items():
        name = VIEW_NAMES.get(view, view)
        src = escape(relative(path, report.out_dir), quote=True)
        items.append(
            f'<li><figure><a href="{src}"><img src="{src}"{_dimensions(path)} '
            f'alt="Screenshot of the large-print page in the {escape(name)}, with '
            'one sentence highlighted as the read-along highlights it"></a>'
            f"<figcaption>{escape(name[:1].upper() + name[1:])}</figcaption>"
            "</figure></li>"
        )
    return (
        "<h3>Browser screenshots</h3><p>The page as axe-core checked it, in each "
        f'view.</p><ul class="shots">{"".join(items)}</ul>'
    )


def _audio(report: Report) -> str:
    parts = []
    if report.loudness:
        parts.append(
            "<h3>Loudness by chapter</h3><figure>"
            + loudness.svg(report.loudness)
            + "<figcaption>Integrated loudness and true peak of each chapter file; "
            "the table below has the same figures.</figcaption></figure>"
        )
        rows = [
            [
                f"Ch. {n}: {escape(c.title)}",
                _number(c.lufs),
                _number(c.true_peak),
                _number(c.noise_floor),
                _number(c.duration / 60, 1),
            ]
            for n, c in enumerate(report.loudness, start=1)
        ]
        curves = "".join(
            f"<li><figure>{loudness.curve_svg(c, f'curve-{n}')}"
            f"<figcaption>Ch. {n}: {escape(c.title)}</figcaption></figure></li>"
            for n, c in enumerate(report.loudness, start=1)
            if c.short_term
        )
        if curves:
            parts.append(
                "<h3>Loudness over time, by chapter</h3><p>Short-term loudness "
                "(3-second windows) of each chapter file; the shaded band is the "
                f'target.</p><ul class="curves">{curves}</ul>'
            )
        parts.append(
            _table(
                "Chapter measures",
                [
                    "Chapter",
                    "Loudness (LUFS)",
                    "True peak (dBTP)",
                    "Noise floor (dBFS)",
                    "Minutes",
                ],
                rows,
                numeric=(1, 2, 3, 4),
            )
        )
    if report.naturalness:
        parts.append(_naturalness(report))
    listening = report.listening
    if listening is not None:
        parts.append(
            "<h3>Speech-recognition back-check</h3>"
            f"<p>Whisper heard {listening.accuracy:.1%} of the words of "
            f"{listening.sentences} timed sentences. The sentences it understood "
            "least are worth a listen; names and numbers are often misheard by the "
            "small model.</p>"
        )
        rows = [
            [
                f"<code>{escape(s.sentence_id)}</code>",
                f"{s.accuracy:.0%}",
                escape(s.expected),
                escape(s.heard) or "(nothing)",
            ]
            for s in listening.worst
        ]
        parts.append(
            _table(
                "Sentences the recogniser understood least",
                ["Sentence", "Words heard", "Script", "Heard"],
                rows,
            )
        )
    if report.speech_review is not None:
        parts.append(speech_section.html(report.speech_review, _table, _number))
    return "\n".join(parts)


def _naturalness(report: Report) -> str:
    """Return the DNSMOS table: how natural each chapter is predicted to sound."""
    from editions.checks.naturalness import MIN_P808

    rows = [
        [
            f"Ch. {n}: {escape(c.title)}",
            _number(c.p808, 2),
            _number(c.overall, 2),
            _number(c.signal, 2),
            "low" if c.p808 < MIN_P808 else "ok",
        ]
        for n, c in enumerate(report.naturalness, start=1)
    ]
    intro = (
        "<h3>Predicted naturalness</h3><p>DNSMOS predicts the opinion score "
        "(1 bad to 5 excellent) listeners would give each chapter, without a "
        f"reference recording. Chapters under {MIN_P808} P.808 are flagged: that is "
        "where robotic formant speech scores.</p>"
    )
    return intro + _table(
        "Predicted naturalness by chapter",
        ["Chapter", "P.808 MOS", "Overall (P.835)", "Speech (P.835)", "Verdict"],
        rows,
        numeric=(1, 2, 3),
    )
