"""The editorial report's citation fidelity: author's citations, corrections, values.

Kept out of html_report so that module does not grow; it passes its table helper in.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from html import escape

from editions.report.results import Editorial

Table = Callable[[str, Sequence[str], Iterable[Sequence[str]]], str]

_STATUS = {
    "kept": '<span class="pass">As written</span>',
    "corrected": '<span class="warning">Editorial correction</span>',
    "changed": '<span class="fail">Changed</span>',
    "dropped": '<span class="fail">Dropped</span>',
}


def section(ed: Editorial, table: Table) -> str:
    """Return the "Citation fidelity" part of the editorial review."""
    parts = ["<h3>Citation fidelity</h3>"]
    if not ed.citations:
        parts.append(
            "<p>No as-written citations are recorded for this article "
            "(front matter <code>as-written</code>), so none were compared.</p>"
        )
    else:
        counts = Counter(row.status for row in ed.citations)
        parts.append(
            f"<p>{len(ed.citations)} citations compared with what the author wrote "
            "(first author and year): "
            + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
            + ".</p>"
        )
        rows = [
            [
                escape("; ".join(row.keys)),
                escape(row.written),
                escape(row.printed) or "—",
                _STATUS[row.status],
                escape(row.reason) or "",
            ]
            for row in ed.citations
            if row.status != "kept"
        ]
        if rows:
            parts.append(
                table(
                    "Citations that differ from what the author wrote",
                    ["Key", "Author wrote", "Printed", "Status", "Reason"],
                    rows,
                )
            )
    fixes = [
        [escape(c.key), escape(c.cited_as), escape(c.printed), escape(c.reason)]
        for c in ed.corrections
    ]
    author_only = [
        [f"<code>{escape(r.key)}</code>", escape("; ".join(r.as_cited))]
        for r in ed.references
        if r.as_cited
    ]
    for caption, head, rows, empty in (
        (
            "Editorial corrections recorded in the bibliography",
            ["Key", "Author wrote", "Printed", "Reason"],
            fixes,
            "No editorial corrections are recorded.",
        ),
        (
            "Values as cited by the author, not verified",
            ["Key", "Printed from the author's citation or reference list"],
            author_only,
            "Every printed value is verified.",
        ),
    ):
        parts.append(table(caption, head, rows) if rows else f"<p>{empty}</p>")
    return "".join(parts)
