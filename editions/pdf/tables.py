"""Join the page fragments of a table (or a list) into ONE structure element.

WeasyPrint 70 tags each page's boxes on their own, so a table that breaks across
pages becomes one Table element per page, each repeating the header row as a new
THead, and a list becomes one L per page. Assistive technology then announces several
tables, and only the first has the Caption. The layout knows which fragments belong
together (boxes of the same HTML element on consecutive pages), so
`join_split_tables` moves every later fragment's rows into the first Table's TBody
(or its items into the first L) and turns each repeated header row into a pagination
artifact (printed again for sighted readers, read once).
"""

from __future__ import annotations

from itertools import groupby
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary

from editions.pdf.artifacts import artifact_page
from editions.pdf.reading import (
    is_struct_elem,
    kids,
    parent_tree,
    role_of,
    struct_kids,
    walk_structure,
)
from editions.pdf.tagging import reparent

#: Structure role → the HTML elements whose boxes WeasyPrint tags with it, outermost
#: first: a section's fragments are joined before the tables and lists inside it.
JOINED = {
    "Sect": ("section",),
    "BlockQuote": ("blockquote",),
    "Table": ("table",),
    "L": ("ul", "ol", "dl"),  # a glossary too: one L of term/definition pairs
    "P": ("p",),
}


def table_fragments(document: Any) -> dict[str, list[int]]:
    """Return, per role, which HTML element each laid-out box belongs to, in order.

    One entry per element WeasyPrint's tagger will write: a table that spans three
    pages appears three times in a row, with the same number.
    """
    found: dict[str, list[int]] = {role: [] for role in JOINED}
    numbers: dict[int, int] = {}

    def visit(box: Any) -> None:
        tag = getattr(box, "element_tag", None)
        for role, tags in JOINED.items():
            wrapper = role != "Table" or getattr(box, "is_table_wrapper", False)
            if tag in tags and wrapper and box.element is not None:
                number = numbers.setdefault(id(box.element), len(numbers))
                found[role].append(number)
        for child in getattr(box, "children", None) or ():
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    return found


def stranded_captions(document: Any) -> list[str]:
    """Return the ids of tables whose caption is on an earlier page than their rows."""
    caption_page: dict[str, int] = {}
    row_page: dict[str, int] = {}

    def visit(box: Any, table: str | None, page: int) -> None:
        tag = getattr(box, "element_tag", None)
        if tag == "table" and getattr(box, "is_table_wrapper", False):
            table = str(box.element.get("id", ""))
        elif table and tag == "caption":
            caption_page.setdefault(table, page)
        elif table and tag == "td":
            row_page.setdefault(table, page)
        for child in getattr(box, "children", None) or ():
            visit(child, table, page)

    for number, page in enumerate(document.pages):
        visit(page._page_box, None, number)
    return [
        table
        for table, page in caption_page.items()
        if table and row_page.get(table, page) > page
    ]


def join_split_tables(pdf: pikepdf.Pdf, fragments: dict[str, list[int]]) -> int:
    """Merge consecutive Table (and L) elements of one element; return how many.

    Does nothing for a role whose structure elements do not match the layout one to
    one (then the tagging differs from what this module expects; the checks say so).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return 0
    merged = 0
    for role, numbers in fragments.items():
        elems = [e for e, _ in walk_structure(root) if role_of(pdf, e) == role]
        if len(elems) != len(numbers):
            continue
        for _, group in groupby(zip(numbers, elems, strict=True), key=lambda p: p[0]):
            parts = [elem for _, elem in group]
            for part in parts[1:]:
                _merge(pdf, parts[0], part)
                merged += 1
    return merged


def _merge(pdf: pikepdf.Pdf, first: Dictionary, part: Dictionary) -> None:
    """Move *part*'s caption, rows or items into *first*; artifact a repeated header."""
    tree = parent_tree(pdf)
    for kid in kids(part):
        role = role_of(pdf, kid) if is_struct_elem(kid) else ""
        target = _child(pdf, first, role)
        if role == "THead" and target is not None:
            _to_artifact(pdf, kid)
            continue
        if role == "TBody" and target is not None:
            for row in kids(kid):
                _append(target, reparent(row, kid, target, tree))
            continue
        moved = reparent(kid, part, first, tree)
        if role == "Caption":
            first.K = Array([moved, *kids(first)])
        else:
            _append(first, moved)
    _detach(pdf, part)


def _child(pdf: pikepdf.Pdf, elem: Dictionary, role: str) -> Dictionary | None:
    return next((k for k in struct_kids(elem) if role_of(pdf, k) == role), None)


def _append(elem: Dictionary, item: pikepdf.Object) -> None:
    elem.K = Array([*kids(elem), item])


def _detach(pdf: pikepdf.Pdf, elem: Dictionary) -> None:
    """Remove *elem* from its parent; remove ancestors left with no children."""
    parent = elem.get("/P")
    while isinstance(parent, Dictionary) and "/S" in parent:
        rest = [
            k for k in kids(parent) if k.objgen != elem.objgen or k.objgen == (0, 0)
        ]
        parent.K = Array(rest)
        if rest or role_of(pdf, parent) == "Document":
            return
        elem, parent = parent, parent.get("/P")


def _to_artifact(pdf: pikepdf.Pdf, elem: Dictionary) -> None:
    """Turn every marked-content sequence under *elem* into a pagination artifact."""
    tree = parent_tree(pdf)
    by_page: dict[tuple[int, int], set[int]] = {}
    todo: list[tuple[pikepdf.Object, pikepdf.Object]] = [(elem, elem.get("/Pg"))]
    while todo:
        node, page = todo.pop()
        if isinstance(node, int):
            if isinstance(page, Dictionary):
                by_page.setdefault(page.objgen, set()).add(int(node))
        elif isinstance(node, Dictionary) and node.get("/Type") == pikepdf.Name.MCR:
            by_page.setdefault(node.get("/Pg", page).objgen, set()).add(int(node.MCID))
        elif isinstance(node, Dictionary):
            todo.extend((k, node.get("/Pg", page)) for k in kids(node))
    for page in pdf.pages:
        mcids = by_page.get(page.obj.objgen)
        if not mcids:
            continue
        artifact_page(pdf, page, mcids)
        key = page.obj.get("/StructParents")
        entry = tree.get(int(key)) if tree is not None and key is not None else None
        if isinstance(entry, Array):
            for mcid in mcids:
                if mcid < len(entry):
                    entry[mcid] = None
