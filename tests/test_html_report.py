"""The HTML report's templates, on a small made-up report (no build needed).

The full check (tests/test_check.py) renders the real report and runs axe on it;
this covers what any report must get right: escaping, captions, valid HTML.
"""

from __future__ import annotations

import re
from pathlib import Path

from editions import registry
from editions.checks.vnu import run_vnu
from editions.errors import Finding, Location
from editions.report import html_report
from editions.report.results import (
    ChapterLoudness,
    CheckRun,
    Listening,
    Report,
    SentenceScore,
)

HOSTILE = '<script>alert("x")</script> & more'


def _report(out: Path) -> Report:
    shown = registry.shown().values()
    files = {key: out / f"article.{key}" for part in shown for key in part.outputs}
    files["pdf"].write_bytes(b"%PDF-1.7\n")
    where = Location(out / "article.md", line=7)
    runs = [
        CheckRun("references", "source", [Finding("REF003", HOSTILE, where)]),
        CheckRun("headings", "pdf", [Finding("CHK010", "w", where, "warning")]),
        CheckRun("navigation", "audio", ran=False),
    ]
    report = Report(HOSTILE, "article", out / "article.md", out, files, runs)
    report.loudness = [ChapterLoudness(HOSTILE, "01.mp3", -18.0, -3.5, -66.0, 90.0)]
    low = [SentenceScore("s1", 0.5, HOSTILE, "")]
    report.listening = Listening(0.9, 2, low, words=12, below_floor=low)
    return report


def test_report_escapes_what_it_shows_and_is_valid_html(tmp_path: Path) -> None:
    target = html_report.write(_report(tmp_path), tmp_path / "report.html")
    page = target.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page
    assert page.count("<h1>") == 1 and page.startswith("<!DOCTYPE html>\n")
    assert page.count("<table>") == page.count("<caption>") > 0
    assert all("scope=" in th for th in re.findall(r"<th\b[^>]*>", page))
    assert ":root { color: #1a1a1a; background: #ffffff; }" in page  # report.css
    assert "Fail" in page and "Not run" in page and "(nothing)" in page
    # Issue 20: the sentences under the per-sentence floor have their own table.
    assert "Sentences below the per-sentence floor" in page
    assert "1 sentence(s) of 5 or more words were heard below the 70% floor" in page
    assert run_vnu(target) == []
