"""Content against structure: PDF/UA-1 rows PDF011–PDF013 and the text of elements.

Every painting operator must be tagged content or an artifact, every tagged element
reachable in reading order, and running headers artifacts. `marked_content` and
`element_text` read what an element shows; the read-back comparison uses them too.
"""

from __future__ import annotations

import re
from collections import Counter, defaultdict
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

from editions.checks.pdf_doc import FIX_HINT, PdfDoc, element_name
from editions.errors import Finding
from editions.pdf.content import Paint, paints
from editions.pdf.reading import is_struct_elem, kids, parent_tree, reachable

#: Running headers/footers live in the top or bottom 8% of the MediaBox (standards §1).
MARGIN_SHARE = 0.08


def _reaches_root(doc: PdfDoc, elem: pikepdf.Object) -> bool:
    """Follow /P from *elem*; True when the chain ends at StructTreeRoot."""
    seen: set[tuple[int, int]] = set()
    node: pikepdf.Object | None = elem
    while isinstance(node, Dictionary):
        if node.get("/Type") == Name.StructTreeRoot or (
            doc.root is not None
            and node.objgen != (0, 0)
            and node.objgen == doc.root.objgen
        ):
            return True
        if node.objgen in seen:
            return False
        seen.add(node.objgen)
        node = node.get("/P")
    return False


def _mcid_element(
    tree: pikepdf.NumberTree | None, key: int | None, mcid: int
) -> pikepdf.Object | None:
    """Return the struct element that ParentTree[key][mcid] names, if any."""
    if tree is None or key is None:
        return None
    entry = tree.get(key)
    if isinstance(entry, Array) and 0 <= mcid < len(entry):
        return entry[mcid]
    return None


def _page_paints(doc: PdfDoc) -> list[tuple[int, pikepdf.Page, list[Paint]]]:
    """Read every page's content once; two checks walk it."""
    if doc.painted is None:
        doc.painted = [
            (number, page, list(paints(page)))
            for number, page in enumerate(doc.pdf.pages, start=1)
        ]
    return doc.painted


def _paint_problem(
    doc: PdfDoc, tree: pikepdf.NumberTree | None, p: Paint
) -> str | None:
    """Say why one painting operator is neither real tagged content nor an artifact."""
    if not p.marks:
        return "outside any marked content"
    artifact = next((i for i, m in enumerate(p.marks) if m.is_artifact), None)
    tagged = [i for i, m in enumerate(p.marks) if m.mcid is not None]
    if artifact is not None:
        if tagged and tagged[0] < artifact:
            return "in an /Artifact nested inside tagged content"
        if tagged:
            return "in tagged content nested inside an /Artifact"
        return None
    mark = p.mcid_mark
    if mark is None:
        return f"in /{p.marks[-1].tag.removeprefix('/')} marked content without MCID"
    elem = _mcid_element(tree, mark.struct_parents, mark.mcid or 0)
    if elem is None or not is_struct_elem(elem):
        return f"MCID {mark.mcid} has no struct element in the ParentTree"
    if not _reaches_root(doc, elem):
        return f"MCID {mark.mcid}'s element does not reach StructTreeRoot via /P"
    return None


def check_content(doc: PdfDoc) -> Iterator[Finding]:
    tree = parent_tree(doc.pdf)
    for number, _, painted in _page_paints(doc):
        problems: Counter[str] = Counter()
        for p in painted:
            problem = _paint_problem(doc, tree, p)
            if problem is not None:
                problems[f"{p.operator} {problem}"] += 1
        for problem, count in sorted(problems.items()):
            yield Finding(
                "PDF011",
                f"{count} painting operator(s) {problem}; tag it as content or "
                "mark it /Artifact",
                doc.at(f"page {number}"),
            )


def marked_content(pdf: pikepdf.Pdf) -> dict[tuple[int, int], list[Paint]]:
    """Map (ParentTree key, MCID) to the text-showing operators inside it, in order."""
    parts: dict[tuple[int, int], list[Paint]] = defaultdict(list)
    for page in pdf.pages:
        for p in paints(page):
            mark = p.mcid_mark
            if p.text and mark is not None and mark.struct_parents is not None:
                parts[(mark.struct_parents, mark.mcid or 0)].append(p)
    return dict(parts)


def _join(found: list[Paint]) -> str:
    """Join shown text: directly on one baseline, with a space at a new line."""
    text = ""
    last_y: float | None = None
    for p in found:
        if last_y is not None and p.y is not None and abs(p.y - last_y) > 1:
            text += " "
        text += p.text
        last_y = p.y if p.y is not None else last_y
    return text


def element_text(elem: Dictionary, content: dict[tuple[int, int], list[Paint]]) -> str:
    """Return /ActualText, or the text of all marked content under *elem* in order.

    *content* comes from `marked_content`. Parts on one baseline are joined directly;
    a line break becomes a space.
    """
    return _join(_element_paints(elem, content, None, 0))


def _element_paints(
    elem: Dictionary,
    content: dict[tuple[int, int], list[Paint]],
    page: pikepdf.Object | None,
    depth: int,
) -> list[Paint]:
    """Collect the text paints under *elem*; /ActualText stands in for its subtree.

    MCIDs are resolved on the element's /Pg (inherited from ancestors), or on an MCR's
    /Stm or /Pg, through that page's or form's /StructParents key.
    """
    if "/ActualText" in elem:
        return [Paint("ActualText", -1, (0, 0), (), None, None, str(elem.ActualText))]
    page = elem.get("/Pg", page)
    out: list[Paint] = []
    for k in kids(elem):
        owner: pikepdf.Object | None = page
        if is_struct_elem(k):
            if depth < 64:
                out.extend(_element_paints(k, content, page, depth + 1))
            continue
        mcid: pikepdf.Object | None = k
        if isinstance(k, Dictionary) and k.get("/Type") == Name.MCR:
            owner = k.get("/Stm", k.get("/Pg", page))
            mcid = k.get("/MCID")
        key = owner.get("/StructParents") if isinstance(owner, Dictionary) else None
        if isinstance(mcid, int) and isinstance(key, int):
            out.extend(content.get((int(key), int(mcid)), []))
    return out


def check_reachable(doc: PdfDoc) -> Iterator[Finding]:
    tree = parent_tree(doc.pdf)
    if doc.root is None or tree is None:
        return
    linked = reachable(doc.root)
    content: dict[tuple[int, int], list[Paint]] | None = None
    reported: set[tuple[int, int]] = set()
    for _, value in sorted(tree.items()):
        for elem in list(value) if isinstance(value, Array) else [value]:
            if not is_struct_elem(elem) or elem.objgen in linked:
                continue
            if elem.objgen in reported:
                continue
            reported.add(elem.objgen)
            content = marked_content(doc.pdf) if content is None else content
            said = " ".join(element_text(elem, content).split())
            name = element_name(elem)
            yield Finding(
                "PDF012",
                f"{name} ({said!r}) is in the ParentTree but not reachable from "
                "StructTreeRoot via /K, so reading order skips it (WeasyPrint #1836: "
                f"@page margin boxes); {FIX_HINT}",
                doc.at(name),
            )


def _normalise(text: str) -> str:
    """Make page-specific text comparable ("Page 2 of 6" → "Page # of #")."""
    return " ".join(re.sub(r"\d+", "#", text).split())


def check_margins(doc: PdfDoc) -> Iterator[Finding]:
    found: dict[str, list[tuple[int, str]]] = defaultdict(list)
    for number, page, painted in _page_paints(doc):
        box = [float(v) for v in page.mediabox]
        low, high = min(box[1], box[3]), max(box[1], box[3])
        band = (high - low) * MARGIN_SHARE
        runs: dict[object, list[Paint]] = defaultdict(list)
        for p in painted:
            if not p.text.strip() or p.y is None or any(m.is_artifact for m in p.marks):
                continue
            if low + band < p.y < high - band:
                continue
            mark = p.marks[-1] if p.marks else None
            runs[(mark.owner, mark.index) if mark else ("op", p.index)].append(p)
        for run in runs.values():
            text = " ".join(_join(run).split())
            found[_normalise(text)].append((number, text))
    for occurrences in found.values():
        if len({n for n, _ in occurrences}) < 2:
            continue
        for number, text in occurrences:
            yield Finding(
                "PDF013",
                f"running header/footer {text!r} is tagged as content; it must be "
                f"/Artifact /Pagination (standards §7 item 5); {FIX_HINT}",
                doc.at(f"page {number}"),
            )
