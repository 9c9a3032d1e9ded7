"""Join the page fragments of a table into ONE Table structure element.

WeasyPrint 70 tags each page's boxes on their own, so a table that breaks across
pages becomes one Table element per page, each repeating the header row as a new
THead. Assistive technology then announces several tables, and only the first has the
Caption. The layout knows which fragments belong together (the same `<table id>` on
consecutive pages), so `join_split_tables` moves every later fragment's rows into the
first Table's TBody and turns each repeated header row into a pagination artifact
(it is printed again for sighted readers, but read once).
"""

from __future__ import annotations

from collections.abc import Sequence
from itertools import groupby
from typing import Any

import pikepdf
from pikepdf import Array, Dictionary

from editions.pdf.tagging import (
    _artifact_page,
    _reparent,
    kids,
    parent_tree,
    role_of,
    struct_kids,
    walk_structure,
)


def table_fragments(document: Any) -> list[str]:
    """Return the `id` of each table box WeasyPrint laid out, page by page, in order.

    One entry per Table element WeasyPrint's tagger will write: a table that spans
    three pages appears three times in a row.
    """
    found: list[str] = []

    def visit(box: Any) -> None:
        if getattr(box, "is_table_wrapper", False) and box.element_tag == "table":
            found.append(str(box.element.get("id", "")))
        for child in getattr(box, "children", None) or ():
            visit(child)

    for page in document.pages:
        visit(page._page_box)
    return found


def join_split_tables(pdf: pikepdf.Pdf, fragments: Sequence[str]) -> int:
    """Merge consecutive Table elements of one table; return how many were merged.

    Does nothing when the structure tree does not hold one Table per fragment (then
    the tagging differs from what this module expects, and the checks report it).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return 0
    tables = [e for e, _ in walk_structure(root) if role_of(pdf, e) == "Table"]
    if len(tables) != len(fragments):
        return 0
    merged = 0
    pairs = zip(fragments, tables, strict=True)
    for table_id, group in groupby(pairs, key=lambda pair: pair[0]):
        parts = [table for _, table in group]
        if not table_id or len(parts) < 2:
            continue
        for part in parts[1:]:
            _merge(pdf, parts[0], part)
            merged += 1
    return merged


def _merge(pdf: pikepdf.Pdf, first: Dictionary, part: Dictionary) -> None:
    """Move *part*'s caption and rows into *first*; artifact its repeated header."""
    tree = parent_tree(pdf)
    for kid in struct_kids(part):
        role = role_of(pdf, kid)
        target = _child(pdf, first, role)
        if role == "THead" and target is not None:
            _to_artifact(pdf, kid)
            continue
        if role == "TBody" and target is not None:
            for row in kids(kid):
                _append(target, _reparent(row, kid, target, tree))
            continue
        moved = _reparent(kid, part, first, tree)
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
        _artifact_page(pdf, page, mcids)
        key = page.obj.get("/StructParents")
        entry = tree.get(int(key)) if tree is not None and key is not None else None
        if isinstance(entry, Array):
            for mcid in mcids:
                if mcid < len(entry):
                    entry[mcid] = None
