"""A built PDF → what it shows: tagged headings, bookmarks, entries, alt text, links.

Structure comes from the tag tree (what a screen reader follows), the words from
poppler's `pdftotext` (what a sighted reader sees, page furniture included).
"""

from __future__ import annotations

from collections import Counter
from pathlib import Path

import pikepdf
from pikepdf import Dictionary

from editions.checks.compare.shown import Shown, squash
from editions.checks.pdf import outline_titles, structure_headings
from editions.checks.pdf_content import element_text, marked_content
from editions.pdf.reading import link_target, role_of, walk_structure
from editions.programs import run_poppler


def read_pdf(path: Path, reference_heading: str) -> Shown:
    """Read *path*; entries are the list items after the *reference_heading* heading."""
    shown = Shown(
        headings=[(int(role[1]), text) for role, text in structure_headings(path)],
        navigation={
            "bookmarks": [(depth, title, "") for depth, title in outline_titles(path)]
        },
        text=pdf_text(path),
    )
    with pikepdf.open(path) as pdf:
        shown.pages = len(pdf.pages)
        shown.references, shown.alts = _entries_and_alts(pdf, reference_heading)
        shown.links = _internal_links(pdf)
        shown.anchors = _destinations(pdf)
    return shown


def _entries_and_alts(
    pdf: pikepdf.Pdf, reference_heading: str
) -> tuple[list[tuple[str, str]], list[str]]:
    """Walk the tag tree once: Figure /Alt texts, and the LIs under the references."""
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return [], []
    content = marked_content(pdf)
    wanted = squash(reference_heading)
    entries: list[tuple[str, str]] = []
    alts: list[str] = []
    in_references = False
    for elem, _parent in walk_structure(root):
        role = role_of(pdf, elem)
        if role == "Figure":
            alts.append(str(elem.get("/Alt", "")))
        elif role.startswith("H") and role[1:].isdigit():
            in_references = squash(element_text(elem, content)) == wanted
        elif role == "LI" and in_references:
            entries.append(("", element_text(elem, content)))
    return entries, alts


def _internal_links(pdf: pikepdf.Pdf) -> Counter[str]:
    """Count Link annotations per internal destination (one per line a link spans)."""
    counted: Counter[str] = Counter()
    for page in pdf.pages:
        for annot in page.get("/Annots", []):
            if annot.get("/Subtype") != "/Link":
                continue
            target = link_target(annot)
            if target is not None and target.startswith("#"):
                counted[target[1:]] += 1
    return counted


def _destinations(pdf: pikepdf.Pdf) -> set[str]:
    """Return the named destinations a link can land on (/Names /Dests and /Dests)."""
    names: set[str] = set()
    tree = pdf.Root.get("/Names", Dictionary()).get("/Dests")
    if tree is not None:
        names.update(str(k) for k in pikepdf.NameTree(tree).keys())
    old = pdf.Root.get("/Dests")
    if isinstance(old, Dictionary):
        names.update(str(k).removeprefix("/") for k in old.keys())
    return names


def pdf_text(path: Path) -> str:
    """Return the PDF's text in reading order as poppler's pdftotext extracts it."""
    text = run_poppler("pdftotext", ["-enc", "UTF-8", str(path), "-"], timeout=120)
    return text.decode("utf-8", errors="replace")
