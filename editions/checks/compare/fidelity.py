"""Printed in-text citations → compared with what the author wrote (CHK050–CHK053).

A pipeline must not change what the author cited. Each citation citeproc printed is
matched with the author's own (recorded beside its keys in the `as-written` file;
the i-th citation of a set of keys with the i-th record of it) and compared by first
author and year, work by work. A changed year fails (CHK050). Another first author
is allowed only as a correction recorded in the bibliography, with its reason; one
without fails (CHK051). A recorded citation the text no longer has fails (CHK052).
Each visual edition must then print the source's citations, in order (CHK053).
"""

from __future__ import annotations

import re
import unicodedata
from collections import Counter, defaultdict
from collections.abc import Callable
from pathlib import Path

from editions.checks.compare.shown import squash
from editions.errors import Finding, Location
from editions.model import Article, Cite, WrittenCitation, plain_text
from editions.report.results import CitationCheck, CorrectionRecord, Editorial
from editions.source.as_cited import Correction, correction

_YEAR = re.compile(r"^(?:\d{4}[a-z]?|n\.\s?d\.(?:-[a-z])?|in press)$", re.IGNORECASE)
#: Where the first author's name ends: a co-author, "et al." (also "et. al.").
_AUTHOR_END = re.compile(r",|&|\band\b|\bet\.? al\b", re.IGNORECASE)
#: The PDFs' page number (styles/print.css @bottom-center).
_PAGE_NUMBER = re.compile(r"^Page \d+ of \d+$")
_NARRATIVE = re.compile(r"^(?P<who>.+?)\s*\((?P<year>[^()]+)\)$")


def works(citation: str) -> list[tuple[str, str]]:
    """Return (first author, year) of each work in a citation, normalised.

    "(Patten, Schultz, & Berlau, 2018)" → [("patten", "2018")]; "(Ji et. al., 2018;
    Doe, n.d.)" → [("ji", "2018"), ("doe", "n.d.")]; "Smith (2019)" → [("smith",
    "2019")]. Title-only citations keep the title as author.
    """
    text = unicodedata.normalize("NFKC", citation).strip()
    narrative = _NARRATIVE.match(text)
    if narrative and not text.startswith("("):
        return [(_first_author(narrative["who"]), _year(narrative["year"]))]
    out = []
    for part in text.strip("()").split(";"):
        pieces = [p.strip() for p in part.split(",")]
        year = next((p for p in reversed(pieces) if _YEAR.match(p)), "")
        who = part[: part.rfind(year)] if year else part
        out.append((_first_author(who), _year(year)))
    return out


def _first_author(who: str) -> str:
    name = _AUTHOR_END.split(who.strip(), maxsplit=1)[0]
    return " ".join(re.sub(r"[^\w\s]", " ", name.casefold()).split())


def _year(year: str) -> str:
    return re.sub(r"\s", "", year.casefold())


def printed(cite: Cite) -> str:
    """Return a citation as the editions print it."""
    return " ".join(plain_text(cite.children).split())


def compare(
    article: Article, bibliography: dict[str, dict[str, object]]
) -> tuple[list[CitationCheck], list[Finding]]:
    """Compare every recorded citation with the printed one; return rows + findings."""
    fixes = {
        key: fix
        for key, item in bibliography.items()
        if (fix := correction(key, item)) is not None
    }
    cites: dict[tuple[str, ...], list[Cite]] = defaultdict(list)
    for cite in article.citations():
        cites[cite.keys].append(cite)
    seen: dict[tuple[str, ...], int] = defaultdict(int)
    rows: list[CitationCheck] = []
    findings: list[Finding] = []
    for record in article.as_written:
        index = seen[record.keys]
        seen[record.keys] += 1
        matches = cites.get(record.keys, [])
        if index >= len(matches):
            rows.append(CitationCheck(record.keys, record.text, "", "dropped"))
            findings.append(_dropped(record))
            continue
        shown = printed(matches[index])
        row, found = _compare_one(record, shown, fixes)
        rows.append(row)
        findings += found
    return rows, findings


def _compare_one(
    record: WrittenCitation, shown: str, fixes: dict[str, Correction]
) -> tuple[CitationCheck, list[Finding]]:
    """Compare one citation; a correction covers another author, never a year."""
    written, now = works(record.text), works(shown)
    if written == now:
        return CitationCheck(record.keys, record.text, shown, "kept"), []
    fix = next((fixes[k] for k in record.keys if k in fixes), None)
    corrected = fix is not None and works(fix.cited_as) == written
    cited = f"@{'; @'.join(record.keys)} prints {shown!r} but the author wrote "
    problems = []
    for (author, year), (new_author, new_year) in zip(written, now, strict=False):
        if year != new_year:
            problems.append(
                Finding(
                    "CHK050",
                    f"{cited}{record.text!r}: the year changed; give the author's "
                    "year in the bibliography ('as-cited') so it is printed",
                    record.where,
                )
            )
        if author != new_author and not corrected:
            problems.append(
                Finding(
                    "CHK051",
                    f"{cited}{record.text!r}: another first author, and no correction "
                    "is recorded in the bibliography; restore the author, or record "
                    "the correction ('correction': cited-as, reason)",
                    record.where,
                )
            )
    if len(written) != len(now):
        problems.append(
            Finding(
                "CHK051",
                f"{cited}{record.text!r}: {len(written)} work(s) written, "
                f"{len(now)} printed",
                record.where,
            )
        )
    if problems:
        return CitationCheck(record.keys, record.text, shown, "changed"), problems
    reason = fix.reason if fix is not None else ""
    return CitationCheck(record.keys, record.text, shown, "corrected", reason), []


def _dropped(record: WrittenCitation) -> Finding:
    return Finding(
        "CHK052",
        f"the author's citation {record.text!r} (@{'; @'.join(record.keys)}) is no "
        "longer in the article; restore it or update the as-written file",
        record.where,
    )


def in_edition(article: Article, text: str, where: Path) -> list[Finding]:
    """CHK053: *text* (one edition's) prints every source citation, in order.

    A PDF's running title and page number may fall inside a citation that crosses
    a page, so those lines are left out first.
    """
    haystack = squash(
        "\n".join(
            line
            for line in text.splitlines()
            if line.strip() != article.title and not _PAGE_NUMBER.match(line.strip())
        )
    )
    at = 0
    for cite in article.citations():
        wanted = squash(printed(cite))
        found = haystack.find(wanted, at)
        if found < 0:
            return [
                Finding(
                    "CHK053",
                    f"citation {cite.cite_id} {printed(cite)!r} is not printed where "
                    "the source has it (missing, changed or out of order)",
                    Location(where),
                )
            ]
        at = found + len(wanted)
    return []


def review(
    article: Article,
    editorial: Editorial,
    say: Callable[[str], None] = lambda line: None,
) -> list[Finding]:
    """Run the comparison for `invoke check`; fill the report's editorial lists.

    *say* gets a summary line and one line per recorded correction with its reason.
    """
    bibliography = {r.key: dict(r.data) for r in article.references}
    rows, findings = compare(article, bibliography)
    editorial.citations = rows
    printed_by_key = {c.keys[0]: printed(c) for c in article.citations()}
    editorial.corrections = [
        CorrectionRecord(key, fix.cited_as, printed_by_key.get(key, ""), fix.reason)
        for key, item in bibliography.items()
        if (fix := correction(key, item)) is not None
    ]
    counts = Counter(row.status for row in rows)
    say(
        f"citation fidelity: {len(rows)} citation(s) compared with the author's, "
        + ", ".join(f"{n} {status}" for status, n in sorted(counts.items()))
        if rows
        else "citation fidelity: no as-written citations recorded"
    )
    for fix in editorial.corrections:
        say(
            f"  editorial correction @{fix.key}: the author wrote ({fix.cited_as}), "
            f"printed {fix.printed}: {fix.reason}"
        )
    return findings
