"""Tagged PDF → one Table element per source table, with its Caption on the page its
rows start, scoped TH cells and a header row printed again on every page the table
continues on (CHK043).

WeasyPrint 70 writes one Table per page a table spans; `pdf/tables.py` joins them.
This check reads the built file, so it fails if either stops doing its job.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pikepdf import Dictionary

from editions.checks.compare.shown import squash
from editions.errors import Finding, Location
from editions.model import Article, Table, plain_text, walk_blocks
from editions.pdf.content import paints
from editions.pdf.reading import (
    kids,
    role_of,
    struct_kids,
    table_attr,
    walk_structure,
)


def source_tables(article: Article) -> list[Table]:
    """Return the article's tables in document order."""
    return [
        block
        for section in article.sections
        for block in walk_blocks(section.blocks)
        if isinstance(block, Table)
    ]


def check_tables(path: Path, article: Article) -> list[Finding]:
    """Compare the PDF's Table elements with the source tables."""
    want = source_tables(article)
    where = Location(path, None, "tables")
    with pikepdf.open(path) as pdf:
        root = pdf.Root.StructTreeRoot
        tables = [e for e, _ in walk_structure(root) if role_of(pdf, e) == "Table"]
        if len(tables) != len(want):
            return [
                Finding(
                    "CHK043",
                    f"the PDF has {len(tables)} Table element(s) for {len(want)} "
                    "table(s) in the source; a table broken across pages must stay one",
                    where,
                )
            ]
        findings: list[Finding] = []
        pages = {page.obj.objgen: n for n, page in enumerate(pdf.pages)}
        for number, (source, elem) in enumerate(zip(want, tables, strict=True), 1):
            findings += _one_table(pdf, number, source, elem, pages, where)
        return findings


def _one_table(
    pdf: pikepdf.Pdf,
    number: int,
    source: Table,
    elem: Dictionary,
    pages: dict[tuple[int, int], int],
    where: Location,
) -> list[Finding]:
    problems: list[str] = []
    roles = [role_of(pdf, k) for k in struct_kids(elem)]
    if source.caption and (not roles or roles[0] != "Caption"):
        problems.append("its Caption is not its first child")
    descendants = [e for e, _ in walk_structure(elem)]
    headers = [e for e in descendants if role_of(pdf, e) == "TH"]
    if len(headers) < len(source.header):
        problems.append(f"it has {len(headers)} TH for {len(source.header)} columns")
    if any(table_attr(th, "/Scope") is None for th in headers):
        problems.append("a TH cell has no /Scope")
    spanned = sorted(
        {
            pages[e.Pg.objgen]
            for e in descendants
            if role_of(pdf, e) == "TR" and "/Pg" in e and e.Pg.objgen in pages
        }
    )
    captions = [k for k in struct_kids(elem) if role_of(pdf, k) == "Caption"]
    caption_pages = [pages.get(c.Pg.objgen) for c in captions if "/Pg" in c]
    if spanned and caption_pages and caption_pages[0] != spanned[0]:
        problems.append(
            f"its caption is on page {caption_pages[0] + 1} but its rows start on "
            f"page {spanned[0] + 1}"
        )
    first = plain_text(source.header[0].sentences[0].inlines) if source.header else ""
    for page_index in spanned[1:]:
        if first and squash(first) not in _artifact_text(pdf.pages[page_index]):
            problems.append(f"its header row is not repeated on page {page_index + 1}")
    if any(not kids(e) for e in descendants):
        problems.append("it holds an empty element")
    return [
        Finding("CHK043", f"table {number}: {problem}", where) for problem in problems
    ]


def _artifact_text(page: pikepdf.Page) -> str:
    return squash(
        "".join(p.text for p in paints(page) if any(m.is_artifact for m in p.marks))
    )
