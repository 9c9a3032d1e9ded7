"""A tagged PDF's structure tree → elements, roles, reading order and link targets.

The reader the PDF/UA checks and the read-back comparison use (with
`editions.pdf.content` for what the pages paint); the tagging repairs in
`editions.pdf.tagging` use it too, but checkers never import the repairs.
"""

from __future__ import annotations

from collections.abc import Callable, Iterator
from typing import TypeGuard

import pikepdf
from pikepdf import Array, Dictionary, Name

ObjGen = tuple[int, int]


#: Made once: each `Name.X` is a call into pikepdf.
_NOT_ELEMENTS = (Name.MCR, Name.OBJR)


def is_struct_elem(obj: object) -> TypeGuard[Dictionary]:
    """Whether *obj* is a structure element (not an MCR, OBJR or MCID)."""
    return (
        isinstance(obj, Dictionary)
        and "/S" in obj
        and obj.get("/Type") not in _NOT_ELEMENTS
    )


def kids(elem: pikepdf.Object) -> list[pikepdf.Object]:
    """Return the /K entries of a struct element or the root as a list."""
    k = elem.get("/K") if isinstance(elem, Dictionary) else None
    if k is None:
        return []
    return list(k) if isinstance(k, Array) else [k]


def struct_kids(elem: pikepdf.Object) -> list[Dictionary]:
    """Return only the structure-element children of *elem*."""
    return [k for k in kids(elem) if is_struct_elem(k)]


def walk_structure(
    root: pikepdf.Object,
) -> Iterator[tuple[Dictionary, pikepdf.Object]]:
    """Yield (element, parent) for every element reachable from *root* via /K, in order.

    This is the reading order assistive technology follows; elements reachable only via
    /P or the ParentTree are not yielded.
    """
    seen: set[ObjGen] = set()
    todo: list[tuple[Dictionary, pikepdf.Object]] = [
        (k, root) for k in reversed(struct_kids(root))
    ]
    while todo:
        elem, parent = todo.pop()
        if elem.objgen != (0, 0):
            if elem.objgen in seen:
                continue
            seen.add(elem.objgen)
        yield elem, parent
        todo.extend((k, elem) for k in reversed(struct_kids(elem)))


#: A walk of the tree, kept: (element, parent) in reading order.
Walk = list[tuple[Dictionary, pikepdf.Object]]


def walk(root: pikepdf.Object) -> Walk:
    """Return `walk_structure(root)` as a list, for passes that share one walk."""
    return list(walk_structure(root))


def reachable(root: pikepdf.Object) -> set[ObjGen]:
    """Return the object ids of every struct element reachable from *root* via /K."""
    return {e.objgen for e, _ in walk_structure(root) if e.objgen != (0, 0)}


def parent_tree(pdf: pikepdf.Pdf) -> pikepdf.NumberTree | None:
    """Return the ParentTree as a NumberTree, or None when the PDF has none."""
    root = pdf.Root.get("/StructTreeRoot")
    tree = root.get("/ParentTree") if isinstance(root, Dictionary) else None
    return pikepdf.NumberTree(tree) if isinstance(tree, Dictionary) else None


def roles(pdf: pikepdf.Pdf) -> Callable[[pikepdf.Object], str]:
    """Return `role_of` for *pdf*, with its RoleMap read once (and copied).

    Finding the RoleMap (through the catalog) costs several times more than reading an
    element's /S, so a pass over every element asks for this once.
    """
    root = pdf.Root.get("/StructTreeRoot")
    role_map = root.get("/RoleMap") if isinstance(root, Dictionary) else None
    mapping = (
        {str(k): str(v) for k, v in role_map.items()}
        if isinstance(role_map, Dictionary)
        else {}
    )

    def role(elem: pikepdf.Object) -> str:
        return _standard(elem, mapping.get)

    return role


def _standard(elem: pikepdf.Object, mapped: Callable[[str], str | None]) -> str:
    """Follow *elem*'s /S through the role map (*mapped*) to a standard type."""
    s = elem.get("/S") if isinstance(elem, Dictionary) else None
    name = str(s) if s is not None else ""
    seen: set[str] = set()
    while (to := mapped(name)) is not None and name not in seen:
        seen.add(name)
        name = to
    return name.removeprefix("/")


def role_of(pdf: pikepdf.Pdf, elem: pikepdf.Object) -> str:
    """Return the standard type of *elem* ("H1", "Figure"), following the RoleMap."""
    root = pdf.Root.get("/StructTreeRoot")
    role_map = root.get("/RoleMap") if isinstance(root, Dictionary) else None
    if not isinstance(role_map, Dictionary):
        return _standard(elem, lambda name: None)
    return _standard(
        elem, lambda name: str(role_map[name]) if name in role_map else None
    )


def ancestor(pdf: pikepdf.Pdf, elem: Dictionary, role: str) -> Dictionary | None:
    """Return the nearest struct element above *elem* (via /P) with *role*."""
    role_in = roles(pdf)
    node = elem.get("/P")
    for _ in range(64):
        if not is_struct_elem(node):
            return None
        if role_in(node) == role:
            return node
        node = node.get("/P")
    return None


def link_target(annot: pikepdf.Object) -> str | None:
    """Return a link annotation's URI, or "#name" for an internal named destination.

    WeasyPrint 70 writes internal `href="#id"` links as `/Dest (id)` (a named
    destination in /Names /Dests) and external ones as `/A <</S /URI /URI (…)>>`; a
    GoTo action with /D is read the same way. Explicit (array) destinations have no
    name to describe and give None.
    """
    action = annot.get("/A")
    dest: pikepdf.Object | None = annot.get("/Dest")
    if isinstance(action, Dictionary):
        if action.get("/S") == Name.URI and "/URI" in action:
            return str(action.URI)
        if action.get("/S") == Name.GoTo:
            dest = action.get("/D")
    if isinstance(dest, pikepdf.String | Name):
        return "#" + str(dest).removeprefix("/")
    return None


def is_true(value: object) -> bool:
    """Whether a PDF value is the boolean true (pikepdf gives Python bools)."""
    return value is True


def attribute_dicts(elem: Dictionary) -> list[Dictionary]:
    """Return the attribute dictionaries of *elem* (/A may be a dict or an array)."""
    a = elem.get("/A")
    if isinstance(a, Dictionary):
        return [a]
    if isinstance(a, Array):
        return [d for d in a if isinstance(d, Dictionary)]
    return []


def table_attr(elem: Dictionary, key: str) -> pikepdf.Object | None:
    """Return attribute *key* from the /O /Table owner dictionary of *elem*."""
    for d in attribute_dicts(elem):
        if d.get("/O") == Name.Table and key in d:
            return d[key]
    return None
