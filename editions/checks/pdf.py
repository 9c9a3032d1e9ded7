"""PDF edition → Findings: the machine-checkable PDF/UA-1 subset of standards §1.

veraPDF cannot be installed here (standards §7 item 4), so this re-implements the rows
of the §1 table with pikepdf. Codes, one per row:

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

import itertools
import re
from collections import Counter, defaultdict
from collections.abc import Iterator
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Array, Dictionary, Name

from editions.errors import Finding, Location
from editions.pdf.content import Paint, inherited, paints
from editions.pdf.reading import (
    attribute_dicts,
    is_struct_elem,
    is_true,
    kids,
    link_target,
    parent_tree,
    reachable,
    role_of,
    struct_kids,
    walk_structure,
)
from editions.pdf.tounicode import parse_to_unicode

# fmt: off
#: Standard structure types of ISO 32000-1 §14.8.4 (what PDF/UA-1 role maps must hit).
STANDARD_TYPES = frozenset({
    "Document", "Part", "Art", "Sect", "Div", "BlockQuote", "Caption", "TOC", "TOCI",
    "Index", "NonStruct", "Private", "P", "H", "H1", "H2", "H3", "H4", "H5", "H6", "L",
    "LI", "Lbl", "LBody", "Table", "TR", "TH", "TD", "THead", "TBody", "TFoot", "Span",
    "Quote", "Note", "Reference", "BibEntry", "Code", "Link", "Annot", "Ruby", "RB",
    "RT", "RP", "Warichu", "WT", "WP", "Figure", "Formula", "Form"
})
# fmt: on
_BCP47 = re.compile(r"^[a-zA-Z]{1,8}(-[a-zA-Z0-9]{1,8})*$")
_HEADING = re.compile(r"^H([1-6])$")
_URL = re.compile(r"^(?:[a-zA-Z][a-zA-Z0-9+.-]*:|www\.)\S*$")
#: ToUnicode may not map to these (PDF/UA-1 7.21.7-2).
_BAD_UNICODE = frozenset({"\x00", "\ufeff", "\ufffe"})
#: Fonts whose text is decodable without ToUnicode (ISO 32000-1 §9.10.2).
_STANDARD_ENCODINGS = frozenset(
    {Name.MacRomanEncoding, Name.MacExpertEncoding, Name.WinAnsiEncoding}
)
_ADOBE_ORDERINGS = frozenset({"GB1", "CNS1", "Japan1", "Korea1"})
#: Running headers/footers live in the top or bottom 8% of the MediaBox (standards §1).
MARGIN_SHARE = 0.08

_FIX_HINT = "run editions.pdf.tagging.postprocess on the WeasyPrint output"


@dataclass
class _Doc:
    """What every check needs, read once."""

    path: Path
    pdf: pikepdf.Pdf
    title: str
    lang: str
    root: Dictionary | None
    tree: list[tuple[Dictionary, pikepdf.Object]] = field(default_factory=list)
    roles: dict[tuple[int, int], str] = field(default_factory=dict)
    painted: list[tuple[int, pikepdf.Page, list[Paint]]] | None = None
    min_body_pt: float = 12.0

    def at(self, key: str) -> Location:
        return Location(self.path, key=key)

    def role(self, elem: pikepdf.Object) -> str:
        key = elem.objgen
        if key == (0, 0):
            return role_of(self.pdf, elem)
        if key not in self.roles:
            self.roles[key] = role_of(self.pdf, elem)
        return self.roles[key]


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
        doc = _Doc(
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


# --- document-level rows ------------------------------------------------------------


def _metadata(doc: _Doc) -> pikepdf.models.PdfMetadata | None:
    if not isinstance(doc.pdf.Root.get("/Metadata"), pikepdf.Stream):
        return None
    try:
        return doc.pdf.open_metadata()
    except (ValueError, RuntimeError):  # malformed XMP reads as missing
        return None


def _check_identification(doc: _Doc) -> Iterator[Finding]:
    meta = _metadata(doc)
    part = meta.get("pdfuaid:part") if meta is not None else None
    if str(part) != "1":
        yield Finding(
            "PDF001",
            f"XMP pdfuaid:part is {part!r}, not '1'; render with WeasyPrint "
            "pdf_variant='pdf/ua-1'",
            doc.at("XMP pdfuaid:part"),
        )


def _check_header(doc: _Doc) -> Iterator[Finding]:
    with doc.path.open("rb") as f:
        head = f.read(8)
    if not head.startswith(b"%PDF-1.") or not doc.pdf.pdf_version.startswith("1."):
        yield Finding(
            "PDF002",
            f"header is {head!r} (version {doc.pdf.pdf_version}); PDF/UA-1 needs "
            "%PDF-1.n",
            doc.at("header"),
        )


def _check_mark_info(doc: _Doc) -> Iterator[Finding]:
    info = doc.pdf.Root.get("/MarkInfo")
    info = info if isinstance(info, Dictionary) else Dictionary()
    if not is_true(info.get("/Marked")):
        yield Finding(
            "PDF003",
            "catalog /MarkInfo /Marked is not true; the PDF is not a tagged PDF",
            doc.at("/MarkInfo"),
        )
    if is_true(info.get("/Suspects")):
        yield Finding(
            "PDF004",
            "/MarkInfo /Suspects is true: the tagging is marked as unreliable",
            doc.at("/MarkInfo /Suspects"),
        )


def _check_tree(doc: _Doc) -> Iterator[Finding]:
    if doc.root is None:
        yield Finding("PDF005", "no /StructTreeRoot in the catalog", doc.at("/Root"))
        return
    if not struct_kids(doc.root):
        yield Finding(
            "PDF005", "/StructTreeRoot has no struct element in /K", doc.at("/K")
        )
    for elem, _ in doc.tree:
        if "/P" not in elem:
            yield Finding(
                "PDF005",
                f"struct element {elem.get('/S')} has no /P (parent)",
                doc.at(_name(elem)),
            )


def _all_elements(doc: _Doc) -> Iterator[Dictionary]:
    """Yield every struct element, from the /K walk and from the ParentTree."""
    yield from (e for e, _ in doc.tree)
    tree = parent_tree(doc.pdf)
    for _, value in tree.items() if tree is not None else []:
        items = list(value) if isinstance(value, Array) else [value]
        yield from (v for v in items if is_struct_elem(v))


def _check_role_map(doc: _Doc) -> Iterator[Finding]:
    if doc.root is None:
        return
    role_map = doc.root.get("/RoleMap")
    role_map = role_map if isinstance(role_map, Dictionary) else Dictionary()
    for key in map(str, role_map.keys()):
        if key.removeprefix("/") in STANDARD_TYPES:
            yield Finding(
                "PDF006",
                f"RoleMap remaps the standard type {key}",
                doc.at(f"/RoleMap {key}"),
            )
    seen_types = {str(e.get("/S")) for e in _all_elements(doc)}
    for s in sorted(seen_types):
        chain, name = [s], s
        while name in role_map and name.removeprefix("/") not in STANDARD_TYPES:
            name = str(role_map[name])
            if name in chain:
                break
            chain.append(name)
        if name.removeprefix("/") not in STANDARD_TYPES:
            yield Finding(
                "PDF006",
                f"structure type {s} does not map to a standard type "
                f"({' → '.join(chain)})",
                doc.at(f"/S {s}"),
            )


def _check_metadata(doc: _Doc) -> Iterator[Finding]:
    stream = doc.pdf.Root.get("/Metadata")
    if not (
        isinstance(stream, pikepdf.Stream)
        and stream.get("/Type") == Name.Metadata
        and stream.get("/Subtype") == Name.XML
    ):
        yield Finding(
            "PDF007",
            "catalog has no /Metadata stream of /Type /Metadata /Subtype /XML",
            doc.at("/Metadata"),
        )
    meta = _metadata(doc)
    found = meta.get("dc:title") if meta is not None else None
    found_text = " ".join(str(found or "").split())
    if not found_text:
        yield Finding("PDF008", "XMP dc:title is missing or empty", doc.at("dc:title"))
    elif found_text != " ".join(doc.title.split()):
        yield Finding(
            "PDF008",
            f"XMP dc:title is {found_text!r}, expected {doc.title!r} (the <title>)",
            doc.at("dc:title"),
        )


def _check_display_title(doc: _Doc) -> Iterator[Finding]:
    prefs = doc.pdf.Root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary) or not is_true(prefs.get("/DisplayDocTitle")):
        yield Finding(
            "PDF009",
            "/ViewerPreferences /DisplayDocTitle is not true; viewers will show the "
            "file name instead of the title",
            doc.at("/ViewerPreferences"),
        )


def _check_lang(doc: _Doc) -> Iterator[Finding]:
    value = doc.pdf.Root.get("/Lang")
    lang = str(value).strip() if value is not None else ""
    if not lang:
        yield Finding(
            "PDF010",
            "catalog has no /Lang; screen readers cannot pick a voice. Set "
            "<html lang> or " + _FIX_HINT,
            doc.at("/Lang"),
        )
    elif not _BCP47.match(lang):
        yield Finding(
            "PDF010", f"/Lang {lang!r} is not a valid BCP 47 tag", doc.at("/Lang")
        )
    elif lang.lower() != doc.lang.lower():
        yield Finding(
            "PDF010",
            f"/Lang is {lang!r}, expected {doc.lang!r} (the source language)",
            doc.at("/Lang"),
        )


# --- content vs structure -----------------------------------------------------------


def _name(elem: pikepdf.Object) -> str:
    where = f"{elem.get('/S')}" if isinstance(elem, Dictionary) else "element"
    if elem.objgen != (0, 0):
        where += f" obj {elem.objgen[0]}"
    return where


def _reaches_root(doc: _Doc, elem: pikepdf.Object) -> bool:
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


def _page_paints(doc: _Doc) -> list[tuple[int, pikepdf.Page, list[Paint]]]:
    """Read every page's content once; two checks walk it."""
    if doc.painted is None:
        doc.painted = [
            (number, page, list(paints(page)))
            for number, page in enumerate(doc.pdf.pages, start=1)
        ]
    return doc.painted


def _paint_problem(doc: _Doc, tree: pikepdf.NumberTree | None, p: Paint) -> str | None:
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


def _check_content(doc: _Doc) -> Iterator[Finding]:
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


def _check_reachable(doc: _Doc) -> Iterator[Finding]:
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
            yield Finding(
                "PDF012",
                f"{_name(elem)} ({said!r}) is in the ParentTree but not reachable from "
                "StructTreeRoot via /K, so reading order skips it (WeasyPrint #1836: "
                f"@page margin boxes); {_FIX_HINT}",
                doc.at(_name(elem)),
            )


def _normalise(text: str) -> str:
    """Make page-specific text comparable ("Page 2 of 6" → "Page # of #")."""
    return " ".join(re.sub(r"\d+", "#", text).split())


def _check_margins(doc: _Doc) -> Iterator[Finding]:
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
                f"/Artifact /Pagination (standards §7 item 5); {_FIX_HINT}",
                doc.at(f"page {number}"),
            )


# --- element rows -------------------------------------------------------------------


def _check_alt(doc: _Doc) -> Iterator[Finding]:
    for elem, _ in doc.tree:
        role = doc.role(elem)
        if role not in ("Figure", "Formula"):
            continue
        alt = str(elem.get("/Alt", "")).strip() or str(elem.get("/ActualText", ""))
        if not alt.strip():
            yield Finding(
                "PDF014",
                f"{role} has no /Alt or /ActualText; give the image alt text",
                doc.at(_name(elem)),
            )


def _check_headings(doc: _Doc) -> Iterator[Finding]:
    previous = 0
    has_h = has_hn = False
    for elem, _ in doc.tree:
        role = doc.role(elem)
        has_h |= role == "H"
        match = _HEADING.match(role)
        if match is None:
            continue
        has_hn = True
        level = int(match.group(1))
        if previous == 0 and level != 1:
            yield Finding(
                "PDF015",
                f"the first heading is {role}, not H1",
                doc.at(_name(elem)),
            )
        elif previous and level > previous + 1:
            yield Finding(
                "PDF015",
                f"heading level skipped: H{previous} is followed by {role}",
                doc.at(_name(elem)),
            )
        previous = level
    if has_h and has_hn:
        yield Finding("PDF015", "both H and H1-H6 headings are used", doc.at("H"))
    for elem, _ in [(doc.root, None), *doc.tree] if doc.root is not None else []:
        if sum(doc.role(k) == "H" for k in struct_kids(elem)) > 1:
            yield Finding(
                "PDF015", "more than one H in one element", doc.at(_name(elem))
            )


def _check_table_headers(doc: _Doc) -> Iterator[Finding]:
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
            + _FIX_HINT,
            doc.at(_name(elem)),
            "warning" if referenced else "error",
        )


_ALLOWED_KIDS = {
    "L": frozenset({"L", "LI", "Caption"}),
    "LI": frozenset({"Lbl", "LBody"}),
    "TOC": frozenset({"TOC", "TOCI"}),
}


def _check_lists(doc: _Doc) -> Iterator[Finding]:
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
                doc.at(_name(elem)),
            )


def _check_notes(doc: _Doc) -> Iterator[Finding]:
    ids: Counter[str] = Counter()
    for elem, _ in doc.tree:
        if doc.role(elem) != "Note":
            continue
        if "/ID" not in elem or not str(elem.ID):
            yield Finding("PDF022", "Note has no /ID", doc.at(_name(elem)))
        else:
            ids[str(elem.ID)] += 1
    for value, count in sorted(ids.items()):
        if count > 1:
            yield Finding(
                "PDF022", f"{count} Note elements share /ID {value!r}", doc.at("Note")
            )


# --- annotations --------------------------------------------------------------------


def _links(doc: _Doc) -> Iterator[tuple[int, pikepdf.Page, Dictionary]]:
    for number, page in enumerate(doc.pdf.pages, start=1):
        for annot in page.obj.get("/Annots", Array()):
            if isinstance(annot, Dictionary) and annot.get("/Subtype") == Name.Link:
                yield number, page, annot


def _check_links(doc: _Doc) -> Iterator[Finding]:
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


def _check_tabs(doc: _Doc) -> Iterator[Finding]:
    for number, page in enumerate(doc.pdf.pages, start=1):
        if len(page.obj.get("/Annots", Array())) and page.obj.get("/Tabs") != Name.S:
            yield Finding(
                "PDF021",
                "page has annotations but /Tabs is not /S (structure order)",
                doc.at(f"page {number}"),
            )


# --- fonts and security -------------------------------------------------------------


def _fonts(doc: _Doc) -> Iterator[tuple[str, Dictionary]]:
    """Yield (resource name, font dict) for every font in page and form resources."""
    seen: set[tuple[int, int]] = set()
    todo: list[pikepdf.Object | None] = []
    for page in doc.pdf.pages:
        todo.append(inherited(page.obj, "/Resources"))
    while todo:
        res = todo.pop()
        if not isinstance(res, Dictionary):
            continue
        if res.objgen != (0, 0):
            if res.objgen in seen:
                continue
            seen.add(res.objgen)
        fonts = res.get("/Font")
        for name, font in fonts.items() if isinstance(fonts, Dictionary) else []:
            if isinstance(font, Dictionary) and font.objgen not in seen:
                if font.objgen != (0, 0):
                    seen.add(font.objgen)
                yield name, font
                todo.append(font.get("/Resources"))  # Type 3 glyph procedures
        xobjects = res.get("/XObject")
        for xobj in xobjects.values() if isinstance(xobjects, Dictionary) else []:
            if isinstance(xobj, pikepdf.Stream) and xobj.get("/Subtype") == Name.Form:
                todo.append(xobj.get("/Resources"))


def _embedded(font: Dictionary) -> bool:
    if font.get("/Subtype") == Name.Type3:
        return True
    target: pikepdf.Object = font
    descendants = font.get("/DescendantFonts")
    if font.get("/Subtype") == Name.Type0 and isinstance(descendants, Array):
        target = descendants[0] if len(descendants) else font
    descriptor = target.get("/FontDescriptor")
    return isinstance(descriptor, Dictionary) and any(
        k in descriptor for k in ("/FontFile", "/FontFile2", "/FontFile3")
    )


def _unicode_problem(font: Dictionary) -> str | None:
    to_unicode = font.get("/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        _, mapping = parse_to_unicode(to_unicode.read_bytes())
        bad = sorted(
            code.hex() for code, text in mapping.items() if text in _BAD_UNICODE
        )
        if bad:
            return f"ToUnicode maps {', '.join(bad[:5])} to U+0000/U+FEFF/U+FFFE"
        return None
    subtype = font.get("/Subtype")
    if subtype == Name.Type0:
        descendants = font.get("/DescendantFonts")
        info = descendants[0].get("/CIDSystemInfo") if descendants else None
        if (
            isinstance(info, Dictionary)
            and str(info.get("/Registry")) == "Adobe"
            and str(info.get("/Ordering")) in _ADOBE_ORDERINGS
        ):
            return None
    elif font.get("/Encoding") in _STANDARD_ENCODINGS:
        return None
    return "no ToUnicode CMap, so its text cannot be read aloud or searched"


def _check_fonts(doc: _Doc) -> Iterator[Finding]:
    for name, font in _fonts(doc):
        label = f"font {font.get('/BaseFont', name)}"
        if not _embedded(font):
            yield Finding(
                "PDF023",
                f"{label} is not embedded; use an embeddable font via @font-face",
                doc.at(label),
            )
        problem = _unicode_problem(font)
        if problem is not None:
            yield Finding("PDF024", f"{label}: {problem}", doc.at(label))


def _check_security(doc: _Doc) -> Iterator[Finding]:
    if doc.pdf.is_encrypted and not doc.pdf.allow.accessibility:
        yield Finding(
            "PDF025",
            "encryption forbids extraction for accessibility (permission bit 10)",
            doc.at("/Encrypt"),
        )


# --- typography (standards §1 last row, issue 4) -------------------------------------


def text_sizes(pdf: pikepdf.Pdf) -> Counter[float]:
    """Count the characters of real (non-artifact) text at each rendered size in pt."""
    sizes: Counter[float] = Counter()
    for page in pdf.pages:
        for p in paints(page):
            if p.text.strip() and not any(m.is_artifact for m in p.marks):
                sizes[round(p.size, 1)] += len(p.text.strip())
    return sizes


def percentile_size(sizes: Counter[float], share: float) -> float:
    """Return the size below which *share* of the characters are set."""
    total = sum(sizes.values())
    seen = 0
    for size in sorted(sizes):
        seen += sizes[size]
        if seen > share * total:
            return size
    return 0.0


def body_line_ratios(pdf: pikepdf.Pdf) -> list[float]:
    """Baseline-to-baseline distance / body size between successive body lines.

    The body size is the most common text size; only lines set in it count, so
    superscripts and headings do not read as tight spacing.
    """
    sizes = text_sizes(pdf)
    if not sizes:
        return []
    body = sizes.most_common(1)[0][0]
    ratios: list[float] = []
    for page in pdf.pages:
        baselines = sorted(
            {
                round(p.y, 1)
                for p in paints(page)
                if p.y is not None
                and p.text.strip()
                and abs(p.size - body) < 0.05
                and not any(m.is_artifact for m in p.marks)
            },
            reverse=True,
        )
        ratios += [(a - b) / body for a, b in itertools.pairwise(baselines)]
    return ratios


def _check_text_size(doc: _Doc) -> Iterator[Finding]:
    sizes = text_sizes(doc.pdf)
    smallest = percentile_size(sizes, 0.05)
    if sizes and smallest + 0.05 < doc.min_body_pt:
        yield Finding(
            "PDF026",
            f"5% of the text is set below {smallest:g} pt; this edition needs "
            f"at least {doc.min_body_pt:g} pt",
            doc.at("text size"),
        )


def _check_line_spacing(doc: _Doc) -> Iterator[Finding]:
    ratios = body_line_ratios(doc.pdf)
    if not ratios:
        return
    # Paragraph and section gaps are larger; the tightest tenth is line spacing.
    tight = sorted(ratios)[len(ratios) // 10]
    if tight < 1.5 - 0.01:
        yield Finding(
            "PDF027",
            f"body lines are {tight:.2f} × the body size apart; use line-height "
            "1.5 or more",
            doc.at("line spacing"),
        )


_CHECKS = (
    _check_text_size,
    _check_line_spacing,
    _check_identification,
    _check_header,
    _check_mark_info,
    _check_tree,
    _check_role_map,
    _check_metadata,
    _check_display_title,
    _check_lang,
    _check_content,
    _check_reachable,
    _check_margins,
    _check_alt,
    _check_headings,
    _check_table_headers,
    _check_lists,
    _check_links,
    _check_tabs,
    _check_notes,
    _check_fonts,
    _check_security,
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
            if _HEADING.match(role):
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
