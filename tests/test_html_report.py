"""The HTML report's templates, on a small made-up report (no build needed).

The full check (tests/test_check.py) renders the real report and runs axe on it;
this covers what any report must get right: escaping, captions, valid HTML.
"""

from __future__ import annotations

import re
from pathlib import Path
from urllib.parse import unquote, urlsplit

import lxml.html

from editions import registry
from editions.checks.vnu import run_vnu
from editions.errors import Finding, Location
from editions.report import html_report, json_report
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
    report.listening = Listening(0.9, 2, [SentenceScore("s1", 0.5, HOSTILE, "")])
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
    assert run_vnu(target) == []


def test_links_to_files_with_spaces_and_hashes_reach_them(tmp_path: Path) -> None:
    # An article named "sleep plan #2.md" in a folder "leaflets #1 ?draft": its
    # editions' names carry the space and the `#`, and the folder a `?` as well.
    out = tmp_path / "leaflets #1 ?draft" / "build"
    stem = "sleep plan #2"
    files = registry.outputs(out, stem)
    for path in files.values():
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    report = Report("Sleep", stem, out.parent / f"{stem}.md", out, files)
    pages = out / "report-assets" / "pages" / f"{stem} page #1.png"
    shot = out / "report-assets" / f"{stem} desktop?.png"
    for path in (pages, shot):
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    report.thumbnails["pdf"] = [pages]
    report.screenshots["desktop"] = shot
    json_report.write(report, out / "report.json")
    target = html_report.write(report, out / "report.html")
    page = lxml.html.fromstring(target.read_bytes())
    links = page.xpath("//a/@href | //img/@src")
    local = [link for link in links if not link.startswith(("#", "http", "data:"))]
    assert len(local) >= len(files) + 2, local
    for link in local:
        parts = urlsplit(link)
        assert parts.scheme == "" and parts.query == "", link
        assert (out / unquote(parts.path)).is_file(), link
        assert parts.fragment in ("", "page=1"), link
    # A file outside the build folder is linked by a file: URL, quoted as well.
    outside = tmp_path / "elsewhere #3" / "a b.pdf"
    assert html_report.href(outside, out) == outside.as_uri()
    assert "%23" in outside.as_uri() and "%20" in outside.as_uri()
