"""Typography of a PDF edition: PDF026 text size and PDF027 line spacing.

Standards §1 last row and issue 4: measured on the rendered sizes and baselines of
real (non-artifact) text.
"""

from __future__ import annotations

import itertools
from collections import Counter
from collections.abc import Iterator

import pikepdf

from editions.checks.pdf_doc import PdfDoc
from editions.errors import Finding
from editions.pdf.content import paints


def text_sizes(pdf: pikepdf.Pdf) -> Counter[float]:
    """Count the characters of real (non-artifact) text at each rendered size in pt."""
    sizes: Counter[float] = Counter()
    for page in pdf.pages:
        for p in paints(page):
            if p.text.strip() and not any(m.is_artifact for m in p.marks):
                sizes[round(p.size, 1)] += len(p.text.strip())
    return sizes


def percentile_size(sizes: Counter[float], share: float) -> float:
    """Return the size below which *share* of the characters are set."""
    total = sum(sizes.values())
    seen = 0
    for size in sorted(sizes):
        seen += sizes[size]
        if seen > share * total:
            return size
    return 0.0


def body_line_ratios(pdf: pikepdf.Pdf) -> list[float]:
    """Baseline-to-baseline distance / body size between successive body lines.

    The body size is the most common text size; only lines set in it count, so
    superscripts and headings do not read as tight spacing.
    """
    sizes = text_sizes(pdf)
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    ratios: list[float] = []
    for page in pdf.pages:
        baselines = sorted(
            {
                round(p.y, 1)
                for p in paints(page)
                if p.y is not None
                and p.text.strip()
                and abs(p.size - body) < 0.05
                and not any(m.is_artifact for m in p.marks)
            },
            reverse=True,
        )
        ratios += [(a - b) / body for a, b in itertools.pairwise(baselines)]
    return ratios


def check_text_size(doc: PdfDoc) -> Iterator[Finding]:
    sizes = text_sizes(doc.pdf)
    smallest = percentile_size(sizes, 0.05)
    if sizes and smallest + 0.05 < doc.min_body_pt:
        yield Finding(
            "PDF026",
            f"5% of the text is set below {smallest:g} pt; this edition needs "
            f"at least {doc.min_body_pt:g} pt",
            doc.at("text size"),
        )


def check_line_spacing(doc: PdfDoc) -> Iterator[Finding]:
    ratios = body_line_ratios(doc.pdf)
    if not ratios:
        return
    # Paragraph and section gaps are larger; the tightest tenth is line spacing.
    tight = sorted(ratios)[len(ratios) // 10]
    if tight < 1.5 - 0.01:
        yield Finding(
            "PDF027",
            f"body lines are {tight:.2f} × the body size apart; use line-height "
            "1.5 or more",
            doc.at("line spacing"),
        )
