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

from collections.abc import Callable
from itertools import groupby
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary

from editions.pdf.artifacts import artifact_page
from editions.pdf.reading import (
    ObjGen,
    Walk,
    is_struct_elem,
    kids,
    parent_tree,
    roles,
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


def join_split_tables(
    pdf: pikepdf.Pdf, fragments: dict[str, list[int]], elements: Walk | None = None
) -> int:
    """Merge consecutive Table (and L) elements of one element; return how many.

    Does nothing for a role whose structure elements do not match the layout one to
    one (then the tagging differs from what this module expects; the checks say so).
    The tree is walked once, before any merge, so its order is the layout's (or
    *elements*, the tagging repairs' walk, is used); merged fragments leave their
    parents at the end, each parent's /K rewritten once (one rewrite per fragment
    made a long book's join quadratic in its length).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return 0
    role = roles(pdf)
    by_role: dict[str, list[Dictionary]] = {name: [] for name in fragments}
    for elem, _ in walk_structure(root) if elements is None else elements:
        found = by_role.get(role(elem))
        if found is not None:
            found.append(elem)
    tree = parent_tree(pdf)
    merged: list[Dictionary] = []
    for name, numbers in fragments.items():
        elems = by_role[name]
        if len(elems) != len(numbers):
            continue
        for _, group in groupby(zip(numbers, elems, strict=True), key=lambda p: p[0]):
            parts = [elem for _, elem in group]
            for part in parts[1:]:
                _merge(pdf, parts[0], part, tree)
                merged.append(part)
    _detach(pdf, merged)
    return len(merged)


def _merge(
    pdf: pikepdf.Pdf,
    first: Dictionary,
    part: Dictionary,
    tree: pikepdf.NumberTree | None,
) -> None:
    """Move *part*'s caption, rows or items into *first*; artifact a repeated header.

    *part* itself is left for `_detach`.
    """
    role_in = roles(pdf)
    items = list(kids(first))
    for kid in kids(part):
        role = role_in(kid) if is_struct_elem(kid) else ""
        # Only a header or body row group merges into its twin; looked up only then.
        target = _child(items, role, role_in) if role in ("THead", "TBody") else None
        if role == "THead" and target is not None:
            _to_artifact(pdf, kid, tree)
            continue
        if role == "TBody" and target is not None:
            rows = list(kids(target))
            rows.extend(reparent(row, kid, target, tree) for row in kids(kid))
            target.K = Array(rows)
            continue
        moved = reparent(kid, part, first, tree)
        if role == "Caption":
            items.insert(0, moved)
        else:
            items.append(moved)
    first.K = Array(items)


def _child(
    items: list[pikepdf.Object], role: str, role_in: Callable[[pikepdf.Object], str]
) -> Dictionary | None:
    """Return the first structure element among *items* with *role*, or None."""
    for k in items:
        if is_struct_elem(k) and role_in(k) == role:
            return k
    return None


def _detach(pdf: pikepdf.Pdf, elems: list[Dictionary]) -> None:
    """Remove *elems* from their parents; remove ancestors left with no children."""
    role_in = roles(pdf)
    while elems:
        gone: dict[ObjGen, tuple[Dictionary, set[ObjGen]]] = {}
        for elem in elems:
            parent = elem.get("/P")
            if isinstance(parent, Dictionary) and "/S" in parent:
                gone.setdefault(parent.objgen, (parent, set()))[1].add(elem.objgen)
        elems = []
        for parent, objgens in gone.values():
            rest = [
                k
                for k in kids(parent)
                if getattr(k, "objgen", (0, 0)) == (0, 0) or k.objgen not in objgens
            ]
            parent.K = Array(rest)
            if not rest and role_in(parent) != "Document":
                elems.append(parent)


def _to_artifact(
    pdf: pikepdf.Pdf, elem: Dictionary, tree: pikepdf.NumberTree | None
) -> None:
    """Turn every marked-content sequence under *elem* into a pagination artifact."""
    by_page: dict[ObjGen, tuple[Dictionary, set[int]]] = {}

    def add(page: pikepdf.Object, mcid: int) -> None:
        if isinstance(page, Dictionary):
            by_page.setdefault(page.objgen, (page, set()))[1].add(mcid)

    todo: list[tuple[pikepdf.Object, pikepdf.Object]] = [(elem, elem.get("/Pg"))]
    while todo:
        node, page = todo.pop()
        if isinstance(node, int):
            add(page, int(node))
        elif isinstance(node, Dictionary) and node.get("/Type") == pikepdf.Name.MCR:
            add(node.get("/Pg", page), int(node.MCID))
        elif isinstance(node, Dictionary):
            todo.extend((k, node.get("/Pg", page)) for k in kids(node))
    # Straight to each page the header is on: not a pass over every page per table.
    for page, mcids in by_page.values():
        artifact_page(pdf, pikepdf.Page(page), mcids)
        key = page.get("/StructParents")
        entry = tree.get(int(key)) if tree is not None and key is not None else None
        if isinstance(entry, Array):
            for mcid in mcids:
                if mcid < len(entry):
                    entry[mcid] = None
