"""`invoke check`: run every validator on the built editions of one article."""

from __future__ import annotations

from pathlib import Path

from editions import source
from editions.checks.ace import run_ace
from editions.checks.audio import check_audio
from editions.checks.epubcheck import run_epubcheck
from editions.checks.pdf import check_pdf
from editions.errors import Finding, Location


def run(path: Path, out_dir: Path) -> list[Finding]:
    """Return the findings of every validator on `out_dir`'s editions of *path*."""
    article, findings = source.load(path)
    stem = article.stem
    expected = {
        "pdf": out_dir / f"{stem}.pdf",
        "epub": out_dir / f"{stem}.epub",
        "html": out_dir / f"{stem}-large-print.html",
        "mp3": out_dir / f"{stem}.mp3",
    }
    missing = [
        Finding("CHK001", "edition not built; run `invoke build` first", Location(p))
        for p in expected.values()
        if not p.exists()
    ]
    if missing:
        return findings + missing
    findings += check_pdf(expected["pdf"], title=article.title, lang=article.lang)
    findings += run_epubcheck(expected["epub"])
    findings += run_ace(expected["epub"])
    chapter_titles = [s.title_text for s in article.sections if s.level <= 2]
    findings += check_audio(expected["mp3"], chapter_titles)
    return findings
