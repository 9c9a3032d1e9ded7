"""The EPUB's checks: EPUBCheck, Ace and vnu, then read back and compared."""

from __future__ import annotations

import tempfile
from dataclasses import replace
from pathlib import Path

from editions.checks import names
from editions.checks.ace import run_ace
from editions.checks.checker import Checker
from editions.checks.compare import consistency, epub_links
from editions.checks.compare.read_epub import read_epub, xhtml_documents
from editions.checks.compare.shown import Shown
from editions.checks.epubcheck import run_epubcheck
from editions.checks.vnu import run_vnu
from editions.errors import Finding, Location


def check(checker: Checker) -> None:
    """EPUBCheck, Ace and vnu, then the EPUB read back and compared."""
    target = checker.report.files["epub"]
    checker.check(
        names.EPUBCHECK, "epub", target, lambda: run_epubcheck(target), ("epub",)
    )
    checker.check(names.ACE, "epub", target, lambda: run_ace(target), ("epub",))
    checker.check(names.VNU, "epub", target, lambda: _vnu_epub(target), ("epub",))
    shown = checker.read("epub", target, lambda: read_epub(target), ("epub",))
    checks = checker.visual_checks("epub", target)
    checks += [
        (names.TIMED_SENTENCES, lambda s: _overlays(checker, s, target)),
        (names.PAGE_LIST, lambda s: _pages(checker, s, target)),
        (names.LINK_TARGETS, lambda s: epub_links.check(target)),
    ]
    checker.compare("epub", target, shown, checks)


def _overlays(checker: Checker, shown: Shown, target: Path) -> list[Finding]:
    return consistency.no_overlays(shown, target) + consistency.timed(
        checker.exp, shown, target, shown.anchors
    )


def _pages(checker: Checker, shown: Shown, target: Path) -> list[Finding]:
    pdf = checker.shown.get("pdf")
    if pdf is None or pdf.pages is None:
        raise RuntimeError("the PDF edition could not be read for its page count")
    return consistency.pages(pdf.pages, shown, target)


def _vnu_epub(epub: Path) -> list[Finding]:
    """Run the Nu HTML Checker on each XHTML document of *epub* (its XML parser)."""
    findings = []
    with tempfile.TemporaryDirectory(prefix="vnu-epub-") as tmp:
        for inner, data in xhtml_documents(epub):
            copy = Path(tmp) / Path(inner).name
            copy.write_bytes(data)
            for found in run_vnu(copy):
                key = (
                    inner if found.where.line is None else f"{inner}:{found.where.line}"
                )
                if found.where.key:
                    key += f" {found.where.key}"
                findings.append(replace(found, where=Location(epub, key=key)))
    return findings
