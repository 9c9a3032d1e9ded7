"""A built PDF's line ends → words broken inside themselves (PDF040, PDF041).

Every line end of poppler's `pdftotext -raw` (lines as laid out, nothing rejoined)
is compared with the source's words: a break is fine between two words, and at a
dash or slash the source itself has ("low-|dose", "(LDN)|—Review"). Inside a word it
is a defect ("Underst|anding", "Phar|macotherapy"); a URL or DOI may break only after
"/", "." or "-" (issue 17), so a reader can still copy it.
"""

from __future__ import annotations

import itertools
import re
import unicodedata
from dataclasses import dataclass
from pathlib import Path

from editions.errors import Finding, Location
from editions.model import Article
from editions.programs import run_poppler

_URL = re.compile(r"(?:https?://|doi\.org/|www\.)\S+")
#: Where a URL or DOI may break: after one of these.
URL_BREAKS = ("/", ".", "-")
#: A break next to a dash or slash the source has splits two words or word parts
#: ("low-|dose", "vascular/|circulatory"), not one word.
DASHES = ("-", "/", "\u2010", "\u2011", "\u2013", "\u2014")


@dataclass(frozen=True)
class Break:
    """A line end that falls inside a source word."""

    page: int
    before: str  # the last token of the line
    after: str  # the first token of the next line
    url: bool  # the word is a URL or DOI

    def __str__(self) -> str:
        return f"page {self.page}: {self.before}|{self.after}"


def _norm(text: str) -> str:
    return unicodedata.normalize("NFKC", text).replace("\u00ad", "")


def source_text(article: Article) -> str:
    """Return every sentence of *article* (references included) on one line."""
    return " ".join(" ".join(_norm(s.text) for s in article.sentences()).split())


def line_ends(text: str) -> list[tuple[int, str, str]]:
    """Return (page, last token, next line's first token) for each line end."""
    ends = []
    for page, page_text in enumerate(text.split("\f"), start=1):
        lines = [line.split() for line in _norm(page_text).splitlines()]
        lines = [line for line in lines if line]
        for line, following in itertools.pairwise(lines):
            ends.append((page, line[-1], following[0]))
    return ends


def broken_words(text: str, source: str) -> list[Break]:
    """Return the line ends of *text* that break a word of *source* inside itself."""
    tokens = set(source.split())
    breaks = []
    for page, before, after in line_ends(text):
        joined = before + after
        containing = [t for t in tokens if joined in t]
        if not containing or f"{before} {after}" in source:
            continue  # a break between words (or text the source does not have)
        url = any(_URL.search(t) for t in containing)
        if url and before.endswith(URL_BREAKS):
            continue
        if not url and (before.endswith(DASHES) or after.startswith(DASHES)):
            continue
        breaks.append(Break(page, before, after, url))
    return breaks


def pdf_lines(path: Path) -> str:
    """Return the PDF's text line by line as laid out (`pdftotext -raw`)."""
    raw = run_poppler("pdftotext", ["-raw", "-enc", "UTF-8", str(path), "-"], 120)
    return raw.decode("utf-8", errors="replace")


def check(path: Path, article: Article) -> list[Finding]:
    """PDF040/PDF041: no word of *path* breaks inside itself at a line end."""
    findings = []
    for found in broken_words(pdf_lines(path), source_text(article)):
        if found.url:
            message = (
                f"a URL or DOI breaks at '{found.before}|{found.after}'; it may break "
                "only after '/', '.' or '-'"
            )
            code = "PDF041"
        else:
            message = (
                f"the word '{found.before}{found.after}' breaks inside itself at a "
                "line end; no word may be split (check overflow-wrap and hyphens)"
            )
            code = "PDF040"
        where = Location(path, key=f"page {found.page}")
        findings.append(Finding(code, message, where))
    return findings
