"""Tagged PDF → one L element per glossary, one LI (Lbl term, LBody definition) per
term (CHK098), however many pages the glossary spans.

WeasyPrint 70 tags a definition list as one L per page, each `dt` and `dd` an LI of
its own; `pdf/tables.py` joins the fragments and `pdf/glossary.py` pairs each term
with its definitions. This check reads the built file, so it fails if either stops
doing its job.
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pikepdf import Dictionary

from editions.errors import Finding, Location
from editions.model import Article, DefinitionList, walk_blocks
from editions.pdf.content import Paint
from editions.pdf.reading import role_of, struct_kids, walk_structure
from editions.pdf.text import element_text, marked_content, squash

CODE = "CHK098"


def source_glossaries(article: Article) -> list[list[str]]:
    """Return each definition list's terms (as plain text), in document order."""
    return [
        [" ".join(s.text for s in entry.term) for entry in block.items]
        for section in article.sections
        for block in walk_blocks(section.blocks)
        if isinstance(block, DefinitionList)
    ]


def check_glossaries(path: Path, article: Article) -> list[Finding]:
    """Find each glossary's L by its first term; it must hold every term, paired."""
    wanted = source_glossaries(article)
    if not wanted:
        return []
    where = Location(path, None, "glossaries")
    findings = []
    with pikepdf.open(path) as pdf:
        content = marked_content(pdf)
        lists = [
            _items(pdf, elem, content)
            for elem, _ in walk_structure(pdf.Root.StructTreeRoot)
            if role_of(pdf, elem) == "L"
        ]
    for number, terms in enumerate(wanted, 1):
        problem = _problem([squash(t) for t in terms], lists)
        if problem:
            findings.append(Finding(CODE, f"glossary {number}: {problem}", where))
    return findings


def _items(
    pdf: pikepdf.Pdf, elem: Dictionary, content: dict[tuple[int, int], list[Paint]]
) -> list[tuple[tuple[str, ...], str]]:
    """Return (child roles, label text) for each LI of the L *elem*."""
    found = []
    for item in struct_kids(elem):
        parts = struct_kids(item)
        roles = tuple(role_of(pdf, p) for p in parts)
        label = element_text(parts[0], content) if parts else ""
        found.append((roles, squash(label)))
    return found


def _problem(
    terms: list[str], lists: list[list[tuple[tuple[str, ...], str]]]
) -> str | None:
    starts = [items for items in lists if items and items[0][1] == terms[0]]
    if not starts:
        return "no L element starts with its first term as a labelled item"
    items = starts[0]
    labels = [label for _, label in items]
    if labels != terms:
        return (
            f"its L holds {len(items)} item(s) for {len(terms)} term(s); a glossary "
            "broken across pages must stay one list of term/definition pairs"
        )
    unpaired = [n for n, (roles, _) in enumerate(items, 1) if roles != ("Lbl", "LBody")]
    if unpaired:
        return f"item(s) {unpaired[:5]} are not one Lbl (term) and one LBody"
    return None
