"""Document-level PDF/UA-1 rows: identification, catalog, tree, metadata, fonts.

PDF001–PDF010 and PDF023–PDF025 of `editions.checks.pdf` (standards §1).
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pikepdf
from pikepdf import Array, Dictionary, Name

from editions.checks.pdf_doc import FIX_HINT, PdfDoc, element_name
from editions.errors import Finding
from editions.pdf.content import inherited
from editions.pdf.reading import is_struct_elem, is_true, parent_tree, struct_kids
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
#: ToUnicode may not map to these (PDF/UA-1 7.21.7-2).
_BAD_UNICODE = frozenset({"\x00", "\ufeff", "\ufffe"})
#: Fonts whose text is decodable without ToUnicode (ISO 32000-1 §9.10.2).
_STANDARD_ENCODINGS = frozenset(
    {Name.MacRomanEncoding, Name.MacExpertEncoding, Name.WinAnsiEncoding}
)
_ADOBE_ORDERINGS = frozenset({"GB1", "CNS1", "Japan1", "Korea1"})


def _metadata(doc: PdfDoc) -> pikepdf.models.PdfMetadata | None:
    if not isinstance(doc.pdf.Root.get("/Metadata"), pikepdf.Stream):
        return None
    try:
        return doc.pdf.open_metadata()
    except (ValueError, RuntimeError):  # malformed XMP reads as missing
        return None


def check_identification(doc: PdfDoc) -> Iterator[Finding]:
    meta = _metadata(doc)
    part = meta.get("pdfuaid:part") if meta is not None else None
    if str(part) != "1":
        yield Finding(
            "PDF001",
            f"XMP pdfuaid:part is {part!r}, not '1'; render with WeasyPrint "
            "pdf_variant='pdf/ua-1'",
            doc.at("XMP pdfuaid:part"),
        )


def check_header(doc: PdfDoc) -> Iterator[Finding]:
    with doc.path.open("rb") as f:
        head = f.read(8)
    if not head.startswith(b"%PDF-1.") or not doc.pdf.pdf_version.startswith("1."):
        yield Finding(
            "PDF002",
            f"header is {head!r} (version {doc.pdf.pdf_version}); PDF/UA-1 needs "
            "%PDF-1.n",
            doc.at("header"),
        )


def check_mark_info(doc: PdfDoc) -> Iterator[Finding]:
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


def check_tree(doc: PdfDoc) -> Iterator[Finding]:
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
                doc.at(element_name(elem)),
            )


def _all_elements(doc: PdfDoc) -> Iterator[Dictionary]:
    """Yield every struct element, from the /K walk and from the ParentTree."""
    yield from (e for e, _ in doc.tree)
    tree = parent_tree(doc.pdf)
    for _, value in tree.items() if tree is not None else []:
        items = list(value) if isinstance(value, Array) else [value]
        yield from (v for v in items if is_struct_elem(v))


def check_role_map(doc: PdfDoc) -> Iterator[Finding]:
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


def check_metadata(doc: PdfDoc) -> Iterator[Finding]:
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


def check_display_title(doc: PdfDoc) -> Iterator[Finding]:
    prefs = doc.pdf.Root.get("/ViewerPreferences")
    if not isinstance(prefs, Dictionary) or not is_true(prefs.get("/DisplayDocTitle")):
        yield Finding(
            "PDF009",
            "/ViewerPreferences /DisplayDocTitle is not true; viewers will show the "
            "file name instead of the title",
            doc.at("/ViewerPreferences"),
        )


def check_lang(doc: PdfDoc) -> Iterator[Finding]:
    value = doc.pdf.Root.get("/Lang")
    lang = str(value).strip() if value is not None else ""
    if not lang:
        yield Finding(
            "PDF010",
            "catalog has no /Lang; screen readers cannot pick a voice. Set "
            "<html lang> or " + FIX_HINT,
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


def _fonts(doc: PdfDoc) -> Iterator[tuple[str, Dictionary]]:
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


def check_fonts(doc: PdfDoc) -> Iterator[Finding]:
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


def check_security(doc: PdfDoc) -> Iterator[Finding]:
    if doc.pdf.is_encrypted and not doc.pdf.allow.accessibility:
        yield Finding(
            "PDF025",
            "encryption forbids extraction for accessibility (permission bit 10)",
            doc.at("/Encrypt"),
        )
