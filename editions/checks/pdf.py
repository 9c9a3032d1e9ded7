"""PDF edition → Findings: the machine-checkable PDF/UA-1 subset of standards §1.

veraPDF cannot be installed here (standards §7 item 4), so this re-implements the rows
of the §1 table with pikepdf (the rows live in `pdf_document`, `pdf_content`,
`pdf_elements` and `pdf_typography`). Codes, one per row:

PDF001 XMP pdfuaid:part = 1            PDF014 Figure/Formula has /Alt or /ActualText
PDF002 header %PDF-1.n                 PDF015 headings: first is H1, no skipped level
PDF003 MarkInfo /Marked true           PDF016 TH has /Scope
PDF004 MarkInfo /Suspects not true     PDF017 L/LI/TOC contain only allowed kids
PDF005 StructTreeRoot, kids, /P        PDF018 Link annotation → Link struct element
PDF006 role map resolves to standard   PDF019 Link annotation /Contents non-empty
PDF007 Metadata stream                 PDF020 Link /Contents is not a bare URL (warning)
PDF008 dc:title = expected title       PDF021 pages with /Annots have /Tabs /S
PDF009 DisplayDocTitle true            PDF022 Note has a unique /ID
PDF010 /Lang valid and = expected      PDF023 fonts embedded
PDF011 painting only in tagged or      PDF024 fonts map to Unicode
       artifact marked content         PDF025 encryption allows accessibility
PDF012 ParentTree elements reachable from StructTreeRoot via /K
PDF013 repeated page-margin text is an artifact (running header/footer)
PDF026 5th percentile of tagged text size ≥ the edition's minimum (12 pt, 18 pt large)
PDF027 body lines are spaced at least 1.5 × the body size
"""

from __future__ import annotations

from pathlib import Path

import pikepdf
from pikepdf import Dictionary

from editions.checks.pdf_content import (
    check_content,
    check_margins,
    check_reachable,
    element_text,
    marked_content,
)
from editions.checks.pdf_doc import HEADING, PdfDoc
from editions.checks.pdf_document import (
    check_display_title,
    check_fonts,
    check_header,
    check_identification,
    check_lang,
    check_mark_info,
    check_metadata,
    check_role_map,
    check_security,
    check_tree,
)
from editions.checks.pdf_elements import (
    check_alt,
    check_headings,
    check_links,
    check_lists,
    check_notes,
    check_table_headers,
    check_tabs,
)
from editions.checks.pdf_typography import check_line_spacing, check_text_size
from editions.errors import Finding, Location
from editions.pdf.reading import role_of, walk_structure


def check_pdf(
    path: Path, *, title: str, lang: str, min_body_pt: float = 12.0
) -> list[Finding]:
    """Check *path* against the machine-checkable PDF/UA-1 subset; return findings.

    *title* and *lang* are what the source says (HTML `<title>`/H1 and `lang`); the
    XMP dc:title and catalog /Lang must equal them. *min_body_pt* is the clear-print
    minimum: 12 pt for the clinic hand-out, 18 pt for the large-print PDF.
    """
    try:
        pdf = pikepdf.open(path)
    except pikepdf.PasswordError:
        return [
            Finding(
                "PDF025",
                "the PDF needs a password to open; assistive technology cannot read "
                "it. Do not encrypt the edition",
                Location(path),
            )
        ]
    with pdf:
        root = pdf.Root.get("/StructTreeRoot")
        doc = PdfDoc(
            path,
            pdf,
            title,
            lang,
            root if isinstance(root, Dictionary) else None,
            min_body_pt=min_body_pt,
        )
        if doc.root is not None:
            doc.tree = list(walk_structure(doc.root))
        findings: list[Finding] = []
        for check in _CHECKS:
            findings.extend(check(doc))
    return findings


_CHECKS = (
    check_text_size,
    check_line_spacing,
    check_identification,
    check_header,
    check_mark_info,
    check_tree,
    check_role_map,
    check_metadata,
    check_display_title,
    check_lang,
    check_content,
    check_reachable,
    check_margins,
    check_alt,
    check_headings,
    check_table_headers,
    check_lists,
    check_links,
    check_tabs,
    check_notes,
    check_fonts,
    check_security,
)


# --- helpers for tests and reports --------------------------------------------------


def structure_headings(path: Path) -> list[tuple[str, str]]:
    """Return (H1…H6, text) for each heading in structure-tree order.

    Text is /ActualText when present, else what the heading's marked content shows,
    decoded through the fonts' ToUnicode maps.
    """
    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return []
        content = marked_content(pdf)
        out: list[tuple[str, str]] = []
        for elem, _ in walk_structure(root):
            role = role_of(pdf, elem)
            if HEADING.match(role):
                out.append((role, " ".join(element_text(elem, content).split())))
        return out


def outline_titles(path: Path) -> list[tuple[int, str]]:
    """Return (depth, title) for each bookmark in order; top-level entries are 1."""
    out: list[tuple[int, str]] = []
    with pikepdf.open(path) as pdf, pdf.open_outline() as outline:

        def visit(items: list[pikepdf.OutlineItem], depth: int) -> None:
            for item in items:
                out.append((depth, item.title))
                visit(item.children, depth + 1)

        visit(outline.root, 1)
    return out


def struct_types(path: Path) -> list[str]:
    """Return every struct element's /S (without "/"), in tree order from the root."""
    with pikepdf.open(path) as pdf:
        root = pdf.Root.get("/StructTreeRoot")
        if root is None:
            return []
        return [str(e.get("/S")).removeprefix("/") for e, _ in walk_structure(root)]
