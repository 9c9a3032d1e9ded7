"""Turn WeasyPrint 70's tagged page-margin boxes into pagination artifacts.

WeasyPrint 70 tags `@page` margin boxes (running header, "Page 2 of 6") as orphan
NonStruct/Span elements instead of artifacts (Kozea/WeasyPrint #1836). One of the
repairs `editions.pdf.tagging.postprocess` makes.
"""

from __future__ import annotations

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from editions.pdf.content import (
    Instruction,
    inherited,
    mcid_of,
    page_instructions,
    paints,
    properties,
)
from editions.pdf.reading import Walk, is_struct_elem, parent_tree, reachable


def artifact_margin_boxes(pdf: pikepdf.Pdf, elements: Walk | None = None) -> int:
    """Turn the marked content of orphan struct elements into pagination artifacts.

    WeasyPrint 70 tags `@page` margin boxes as NonStruct/Span elements whose /P is
    Document but which no /K array lists (Kozea/WeasyPrint #1836), so assistive
    technology never reaches them in reading order, yet they are not artifacts either.
    An element counts as an orphan when the ParentTree references it but the /K walk
    from StructTreeRoot does not: no text matching. Each of its marked-content
    sequences becomes `/Artifact <</Type /Pagination /Subtype /Header>>` (upper half of
    the page) or `/Footer` (lower half); the MCIDs leave the ParentTree, and the orphan
    elements, now unreferenced, are not written on save. Returns the number of
    sequences converted. *elements* is the tree's walk when the caller has it.
    """
    root = pdf.Root.get("/StructTreeRoot")
    tree = parent_tree(pdf)
    if not isinstance(root, Dictionary) or tree is None:
        return 0
    if elements is None:
        linked = reachable(root)
    else:
        linked = {e.objgen for e, _ in elements if e.objgen != (0, 0)}
    converted = 0
    for page in pdf.pages:
        key = page.obj.get("/StructParents")
        entry = tree.get(int(key)) if isinstance(key, int) else None
        if not isinstance(entry, Array):
            continue
        orphans = {
            mcid
            for mcid, elem in enumerate(entry)
            if is_struct_elem(elem) and elem.objgen not in linked
        }
        if not orphans:
            continue
        converted += artifact_page(pdf, page, orphans)
        for mcid in orphans:
            entry[mcid] = None
        while len(entry) and entry[len(entry) - 1] is None:
            del entry[len(entry) - 1]
    return converted


def artifact_page(pdf: pikepdf.Pdf, page: pikepdf.Page, orphans: set[int]) -> int:
    """Rewrite one page's content so the *orphans* MCIDs become artifacts."""
    instructions = page_instructions(page)
    owner = page.obj.objgen
    heights: dict[int, list[float]] = {}
    starts: dict[int, int] = {}  # BDC index → MCID, outermost orphan sequences only
    for painted in paints(page, instructions, text=False):
        own = [m for m in painted.marks if m.owner == owner]
        outer = next((m for m in own if m.mcid in orphans), None)
        if outer is not None and painted.y is not None:
            heights.setdefault(outer.index, []).append(painted.y)
    resources = inherited(page.obj, "/Resources")
    within: list[bool] = []  # per open sequence: is it (inside) an orphan sequence
    for index, inst in enumerate(instructions):
        op = str(inst.operator)
        if op in ("BDC", "BMC"):
            mcid = mcid_of(properties(list(inst.operands), resources))
            enclosed = bool(within) and within[-1]
            if mcid in orphans and not enclosed:
                starts[index] = mcid
            within.append(enclosed or mcid in orphans)
        elif op == "EMC" and within:
            within.pop()
    box = [float(v) for v in inherited(page.obj, "/MediaBox") or Array([0, 0, 0, 0])]
    middle = (box[1] + box[3]) / 2

    out: list[Instruction | tuple[list[pikepdf.Object], Operator]] = []
    stack: list[tuple[bool, bool]] = []  # (drop its EMC, is a converted artifact)
    inside = 0
    for index, inst in enumerate(instructions):
        op = str(inst.operator)
        if op in ("BDC", "BMC"):
            if index in starts:
                ys = heights.get(index)
                props = Dictionary(Type=Name.Pagination)
                if ys:
                    mean = sum(ys) / len(ys)
                    props.Subtype = Name.Header if mean > middle else Name.Footer
                out.append(([Name.Artifact, props], Operator("BDC")))
                stack.append((False, True))
                inside += 1
                continue
            if inside:
                # No tagged content may nest inside an artifact (PDF/UA-1 7.1-1).
                stack.append((True, False))
                continue
            stack.append((False, False))
        elif op == "EMC" and stack:
            drop, artifact = stack.pop()
            inside -= 1 if artifact else 0
            if drop:
                continue
        out.append(inst)
    page.obj.Contents = pdf.make_stream(pikepdf.unparse_content_stream(out))
    return len(starts)
