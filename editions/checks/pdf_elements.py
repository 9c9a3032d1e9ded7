"""Element and annotation PDF/UA-1 rows: PDF014–PDF022 of `editions.checks.pdf`.

Figures, headings, table headers, lists, notes, link annotations and tab order.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

from editions.checks.pdf_doc import FIX_HINT, HEADING, PdfDoc, element_name
from editions.errors import Finding
from editions.pdf.reading import (
    attribute_dicts,
    is_struct_elem,
    link_target,
    parent_tree,
    struct_kids,
)

_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|www\.)\S*$")


def check_alt(doc: PdfDoc) -> Iterator[Finding]:
    for elem, _ in doc.tree:
        role = doc.role(elem)
        if role not in ("Figure", "Formula"):
            continue
        alt = str(elem.get("/Alt", "")).strip() or str(elem.get("/ActualText", ""))
        if not alt.strip():
            yield Finding(
                "PDF014",
                f"{role} has no /Alt or /ActualText; give the image alt text",
                doc.at(element_name(elem)),
            )


def check_headings(doc: PdfDoc) -> Iterator[Finding]:
    previous = 0
    has_h = has_hn = False
    for elem, _ in doc.tree:
        role = doc.role(elem)
        has_h |= role == "H"
        match = HEADING.match(role)
        if match is None:
            continue
        has_hn = True
        level = int(match.group(1))
        if previous == 0 and level != 1:
            yield Finding(
                "PDF015",
                f"the first heading is {role}, not H1",
                doc.at(element_name(elem)),
            )
        elif previous and level > previous + 1:
            yield Finding(
                "PDF015",
                f"heading level skipped: H{previous} is followed by {role}",
                doc.at(element_name(elem)),
            )
        previous = level
    if has_h and has_hn:
        yield Finding("PDF015", "both H and H1-H6 headings are used", doc.at("H"))
    for elem, _ in [(doc.root, None), *doc.tree] if doc.root is not None else []:
        if sum(doc.role(k) == "H" for k in struct_kids(elem)) > 1:
            yield Finding(
                "PDF015", "more than one H in one element", doc.at(element_name(elem))
            )


def check_table_headers(doc: PdfDoc) -> Iterator[Finding]:
    headers: set[str] = set()
    for elem, _ in doc.tree:
        for a in attribute_dicts(elem):
            value = a.get("/Headers")
            for h in value if isinstance(value, Array) else []:
                headers.add(str(h))
    for elem, _ in doc.tree:
        if doc.role(elem) != "TH":
            continue
        scope = next(
            (
                a["/Scope"]
                for a in attribute_dicts(elem)
                if a.get("/O") == Name.Table and "/Scope" in a
            ),
            None,
        )
        if scope in (Name.Row, Name.Column, Name.Both):
            continue
        referenced = "/ID" in elem and str(elem.ID) in headers
        yield Finding(
            "PDF016",
            "TH has no /Scope (Row, Column or Both)"
            + ("; TD /Headers refer to it" if referenced else "")
            + "; put scope on <th> and "
            + FIX_HINT,
            doc.at(element_name(elem)),
            "warning" if referenced else "error",
        )


_ALLOWED_KIDS = {
    "L": frozenset({"L", "LI", "Caption"}),
    "LI": frozenset({"Lbl", "LBody"}),
    "TOC": frozenset({"TOC", "TOCI"}),
}


def check_lists(doc: PdfDoc) -> Iterator[Finding]:
    for elem, _ in doc.tree:
        allowed = _ALLOWED_KIDS.get(doc.role(elem))
        if allowed is None:
            continue
        bad = sorted({doc.role(k) for k in struct_kids(elem)} - allowed)
        if bad:
            yield Finding(
                "PDF017",
                f"{doc.role(elem)} contains {', '.join(bad)}; only "
                f"{', '.join(sorted(allowed))} are allowed",
                doc.at(element_name(elem)),
            )


def check_notes(doc: PdfDoc) -> Iterator[Finding]:
    ids: Counter[str] = Counter()
    for elem, _ in doc.tree:
        if doc.role(elem) != "Note":
            continue
        if "/ID" not in elem or not str(elem.ID):
            yield Finding("PDF022", "Note has no /ID", doc.at(element_name(elem)))
        else:
            ids[str(elem.ID)] += 1
    for value, count in sorted(ids.items()):
        if count > 1:
            yield Finding(
                "PDF022", f"{count} Note elements share /ID {value!r}", doc.at("Note")
            )


# --- annotations --------------------------------------------------------------------


def _links(doc: PdfDoc) -> Iterator[tuple[int, pikepdf.Page, Dictionary]]:
    for number, page in enumerate(doc.pdf.pages, start=1):
        for annot in page.obj.get("/Annots", Array()):
            if isinstance(annot, Dictionary) and annot.get("/Subtype") == Name.Link:
                yield number, page, annot


def check_links(doc: PdfDoc) -> Iterator[Finding]:
    tree = parent_tree(doc.pdf)
    for number, _, annot in _links(doc):
        target = link_target(annot) or ""
        where = doc.at(f"page {number} link {target}".rstrip())
        if int(annot.get("/F", 0)) & 2:  # hidden annotations are exempt (7.18.5-1)
            continue
        key = annot.get("/StructParent")
        elem = tree.get(int(key)) if tree is not None and isinstance(key, int) else None
        if not is_struct_elem(elem) or doc.role(elem) != "Link":
            yield Finding(
                "PDF018",
                "link annotation has no /StructParent naming a Link struct element",
                where,
            )
        contents = " ".join(str(annot.get("/Contents", "")).split())
        if not contents:
            yield Finding("PDF019", "link annotation has no /Contents", where)
        elif contents in (target, target.removeprefix("#")) or _URL.match(contents):
            yield Finding(
                "PDF020",
                f"link /Contents is the bare target {contents!r}; describe where it "
                "goes (pdf_tagging.describe_links)",
                where,
                "warning",
            )


def check_tabs(doc: PdfDoc) -> Iterator[Finding]:
    for number, page in enumerate(doc.pdf.pages, start=1):
        if len(page.obj.get("/Annots", Array())) and page.obj.get("/Tabs") != Name.S:
            yield Finding(
                "PDF021",
                "page has annotations but /Tabs is not /S (structure order)",
                doc.at(f"page {number}"),
            )
