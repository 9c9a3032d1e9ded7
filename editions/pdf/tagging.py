"""Fix the PDF/UA-1 tagging WeasyPrint 70 gets wrong, by post-processing with pikepdf.

WeasyPrint 70 (`pdf_variant="pdf/ua-1"`) tags `@page` margin boxes (running header,
"Page 2 of 6") as orphan NonStruct/Span elements instead of artifacts (Kozea/WeasyPrint
#1836), writes the bare URL or anchor name as a link's /Contents, and gives TH cells no
/Scope. `repair()` fixes all three in an open PDF (the build's PDF step opens and
saves each file once), `postprocess()` in a file. The structure and content-stream
readers it uses (`editions.pdf.reading`, `editions.pdf.content`) are shared with
`editions.checks.pdf`.
"""

from __future__ import annotations

import re
from collections.abc import Callable
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from editions.output import staged
from editions.pdf.artifacts import artifact_margin_boxes
from editions.pdf.reading import (
    Walk,
    ancestor,
    attribute_dicts,
    is_struct_elem,
    is_true,
    kids,
    link_target,
    parent_tree,
    roles,
    struct_kids,
    table_attr,
    walk,
)


def describe_links(pdf: pikepdf.Pdf, describe: Callable[[str], str | None]) -> None:
    """Replace each link's /Contents with `describe(target)` when that returns text.

    *target* is the URI for external links and "#id" (as in the HTML href) for
    internal ones. WeasyPrint's /Contents is the bare URL or anchor name, which passes
    PDF/UA-1 7.18.5-2 but tells a screen-reader user little (Matterhorn 28-012).
    """
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            if not isinstance(annot, Dictionary) or annot.get("/Subtype") != Name.Link:
                continue
            target = link_target(annot)
            text = describe(target) if target is not None else None
            if text and text.strip():
                annot.Contents = pikepdf.String(text.strip())


def attach_link_annotations(pdf: pikepdf.Pdf) -> int:
    """Make each link annotation's /StructParent its Link element; return moves made.

    For `<a><sup>1</sup></a>` WeasyPrint 70 writes a second annotation for the inner
    box and parents its OBJR to a NonStruct inside the Link, which fails PDF/UA-1
    7.18.5-1 (the annotation's parent must be a Link). The OBJR moves up to the
    nearest Link ancestor, and the ParentTree entry follows it.
    """
    tree = parent_tree(pdf)
    if tree is None:
        return 0
    role = roles(pdf)
    moved = 0
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            key = annot.get("/StructParent") if isinstance(annot, Dictionary) else None
            elem = tree.get(int(key)) if isinstance(key, int) else None
            if not is_struct_elem(elem) or role(elem) == "Link":
                continue
            link = ancestor(pdf, elem, "Link")
            if link is None:
                continue
            objr = [
                k
                for k in kids(elem)
                if isinstance(k, Dictionary)
                and k.get("/Type") == Name.OBJR
                and k.get("/Obj", Dictionary()).objgen == annot.objgen
            ]
            elem.K = Array([k for k in kids(elem) if k not in objr])
            link.K = Array([*kids(link), *objr])
            tree[int(key)] = link  # type: ignore[arg-type]
            moved += 1
    return moved


def wrap_list_bodies(pdf: pikepdf.Pdf, elements: Walk | None = None) -> int:
    """Put LI content that is neither Lbl nor LBody into one LBody; return LIs fixed.

    WeasyPrint 70 tags `<li><p>…</p> <a>↩</a></li>` as LI → Lbl, P, LBody(Link), but
    PDF/UA-1 7.2-18 allows only Lbl and LBody in LI. Kids keep their order; their /P,
    and ParentTree entries for moved MCIDs and annotations, point at the LBody.
    *elements* is the tree's walk when the caller has it (`walk`).
    """
    root = pdf.Root.get("/StructTreeRoot")
    tree = parent_tree(pdf)
    if not isinstance(root, Dictionary):
        return 0
    role = roles(pdf)
    fixed = 0
    for li, _ in walk(root) if elements is None else elements:
        if role(li) != "LI":
            continue
        items = kids(li)
        kinds = [role(k) if is_struct_elem(k) else "" for k in items]
        if all(r in ("Lbl", "LBody") for r in kinds):
            continue
        bodies = [k for k, r in zip(items, kinds, strict=True) if r == "LBody"]
        body = (
            bodies[0]
            if bodies
            else pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LBody, P=li))
        )
        moved: list[pikepdf.Object] = []
        for k, r in zip(items, kinds, strict=True):
            if r == "Lbl":
                continue
            owner = k if r == "LBody" else li
            for item in kids(k) if r == "LBody" else [k]:
                moved.append(reparent(item, owner, body, tree))
        body.K = Array(moved)
        li.K = Array(
            [*(k for k, r in zip(items, kinds, strict=True) if r == "Lbl"), body]
        )
        fixed += 1
    return fixed


_BACKLINK = re.compile(r"^#fnref(\d+)$")


def tag_notes(pdf: pikepdf.Pdf, elements: Walk | None = None) -> int:
    """Retag each footnote block as a Note with a unique /ID; return how many.

    WeasyPrint 70 has no Note tag: a footnote rendered as `<div class="footnote">`
    comes out as Div. The note is found by its back link (target "#fnrefN"); the
    nearest Div above that Link becomes `Note` with `/ID (fnN)` (PDF/UA-1 7.9).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return 0
    role = roles(pdf)
    tagged = 0
    for elem, _ in walk(root) if elements is None else elements:
        if role(elem) != "Link":
            continue
        for kid in kids(elem):
            if not (isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR):
                continue
            match = _BACKLINK.match(link_target(kid.Obj) or "")
            note = ancestor(pdf, elem, "Div")
            if match and note is not None and role(note) == "Div":
                note.S = Name.Note
                note.ID = pikepdf.String(f"fn{match[1]}")
                tagged += 1
    return tagged


def reparent(
    item: pikepdf.Object,
    owner: pikepdf.Object,
    body: pikepdf.Object,
    tree: pikepdf.NumberTree | None,
) -> pikepdf.Object:
    """Move one /K item from *owner* to *body*; return it as it must appear there."""
    if owner.objgen == body.objgen:
        return item
    if is_struct_elem(item):
        item.P = body
        return item
    if isinstance(item, int):
        # An MCID's page is the owner's /Pg; spell it out as an MCR once moved.
        item = Dictionary(Type=Name.MCR, MCID=item, Pg=owner.get("/Pg"))
    if not isinstance(item, Dictionary) or tree is None:
        return item
    if item.get("/Type") == Name.MCR:
        stream = item.get("/Stm", item.get("/Pg", owner.get("/Pg")))
        key = stream.get("/StructParents") if isinstance(stream, Dictionary) else None
        entry = tree.get(int(key)) if isinstance(key, int) else None
        mcid = item.get("/MCID")
        if isinstance(entry, Array) and isinstance(mcid, int) and mcid < len(entry):
            entry[int(mcid)] = body
    elif item.get("/Type") == Name.OBJR:
        key = item.get("/Obj", Dictionary()).get("/StructParent")
        if isinstance(key, int):
            tree[int(key)] = body
    return item


def set_table_header_scope(pdf: pikepdf.Pdf, elements: Walk | None = None) -> int:
    """Give every TH an `/A <</O /Table /Scope …>>`; return how many were changed.

    WeasyPrint 70 writes TH with `/A <</O /Table>>` only. /Column is used for cells of a
    header row (in THead, or a row of TH only); /Row for the first cell of a body row.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return 0
    role = roles(pdf)
    changed = 0
    for elem, parent in walk(root) if elements is None else elements:
        if role(elem) != "TH" or table_attr(elem, "/Scope") is not None:
            continue
        scope = Name.Column
        if is_struct_elem(parent) and role(parent) == "TR":
            row = struct_kids(parent)
            section = parent.get("/P")
            in_head = is_struct_elem(section) and role(section) == "THead"
            all_th = all(role(cell) == "TH" for cell in row)
            first = bool(row) and row[0].objgen == elem.objgen
            if first and not in_head and not all_th:
                scope = Name.Row
        _set_table_attr(elem, "/Scope", scope)
        changed += 1
    return changed


def _set_table_attr(elem: Dictionary, key: str, value: pikepdf.Object) -> None:
    """Set *key* in the /O /Table attributes of *elem*, adding them if needed."""
    for d in attribute_dicts(elem):
        if d.get("/O") == Name.Table:
            d[key] = value
            return
    new = Dictionary(O=Name.Table)
    new[key] = value
    a = elem.get("/A")
    if isinstance(a, Array):
        a.append(new)
    elif isinstance(a, Dictionary):
        elem.A = Array([a, new])
    else:
        elem.A = new


def _document_language(pdf: pikepdf.Pdf) -> str | None:
    """Find a language in the XMP dc:language or on a top-level struct element."""
    try:
        meta = pdf.open_metadata()
        value = meta.get("dc:language")
    except (ValueError, RuntimeError):  # unreadable XMP: fall back to the tree
        value = None
    if isinstance(value, list | set) and value:
        value = next(iter(value))
    if isinstance(value, str) and value.strip():
        return value.strip()
    root = pdf.Root.get("/StructTreeRoot")
    for elem in struct_kids(root) if root is not None else []:
        if "/Lang" in elem and str(elem.Lang).strip():
            return str(elem.Lang)
    return None


def postprocess(
    path: Path,
    describe: Callable[[str], str | None],
    *,
    lang: str | None = None,
    extra: Callable[[pikepdf.Pdf], object] | None = None,
) -> None:
    """Fix a WeasyPrint 70 PDF/UA-1 file in place (written atomically via `staged`).

    `repair` on the opened file, then `save`; the build calls both itself, with its
    own repairs in between, so the file is opened and written once.
    """
    with pikepdf.open(path) as pdf:
        repair(pdf, describe, lang=lang, extra=extra)
        with staged(path) as scratch:
            save(pdf, scratch)


def repair(
    pdf: pikepdf.Pdf,
    describe: Callable[[str], str | None],
    *,
    lang: str | None = None,
    extra: Callable[[pikepdf.Pdf], object] | None = None,
) -> Walk:
    """Fix an open WeasyPrint 70 PDF/UA-1 document; return the walk the passes shared.

    Artifacts the margin boxes, describes links, scopes TH cells, parents every link
    annotation to its Link, wraps stray LI content in LBody, tags footnotes as Note
    with an /ID, and adds catalog
    /Lang (from *lang*, else XMP dc:language or the Document element) and
    /ViewerPreferences /DisplayDocTitle when missing (PDF/UA-1 7.2-29 and 7.1-10).
    """
    root = pdf.Root.get("/StructTreeRoot")
    # One walk serves every pass: none makes an element unreachable, and the ones
    # they add (LBody) are not what a later pass looks for.
    elements = walk(root) if isinstance(root, Dictionary) else []
    artifact_margin_boxes(pdf, elements)
    describe_links(pdf, describe)
    set_table_header_scope(pdf, elements)
    attach_link_annotations(pdf)
    wrap_list_bodies(pdf, elements)
    tag_notes(pdf, elements)
    if extra is not None:  # a fix that needs the article (language of parts)
        extra(pdf)
    if "/Lang" not in pdf.Root or not str(pdf.Root.Lang).strip():
        language = lang or _document_language(pdf)
        if language:
            pdf.Root.Lang = pikepdf.String(language)
    prefs = pdf.Root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary):
        pdf.Root.ViewerPreferences = prefs = Dictionary()
    if not is_true(prefs.get("/DisplayDocTitle")):
        prefs.DisplayDocTitle = True
    return elements


def save(pdf: pikepdf.Pdf, path: Path) -> None:
    """Write *pdf* to *path* byte-deterministically, keeping its version and XMP."""
    # fix_metadata_version=False: leave WeasyPrint's XMP packet byte for byte.
    # deterministic_id: qpdf would otherwise make the second /ID element from the
    # clock, and two builds of one source would differ.
    pdf.save(
        path,
        fix_metadata_version=False,
        force_version=pdf.pdf_version,
        deterministic_id=True,
    )
