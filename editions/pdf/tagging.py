"""Fix the PDF/UA-1 tagging WeasyPrint 70 gets wrong, by post-processing with pikepdf.

WeasyPrint 70 (`pdf_variant="pdf/ua-1"`) tags `@page` margin boxes (running header,
"Page 2 of 6") as orphan NonStruct/Span elements instead of artifacts (Kozea/WeasyPrint
#1836), writes the bare URL or anchor name as a link's /Contents, and gives TH cells no
/Scope. `postprocess()` repairs all three in place. The content-stream reader used here
(`paints`) is shared with `editions.checks.pdf`.
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal
from pathlib import Path
from typing import TypeGuard

import pikepdf
from pikepdf import Array, Dictionary, Name, Operator

from editions.output import staged

Matrix = tuple[float, float, float, float, float, float]
ObjGen = tuple[int, int]
Instruction = pikepdf.ContentStreamInstruction | pikepdf.ContentStreamInlineImage

IDENTITY: Matrix = (1.0, 0.0, 0.0, 1.0, 0.0, 0.0)

#: Operators that put marks on the page (ISO 32000-1 §8.5.3, §8.7.4.2, §9.4.2).
TEXT_OPERATORS = frozenset({"Tj", "TJ", "'", '"'})
PATH_PAINTERS = frozenset({"f", "F", "f*", "S", "s", "B", "B*", "b", "b*"})
#: pikepdf reports an inline image (BI … ID … EI) as this single operator.
INLINE_IMAGE = "INLINE IMAGE"

# TJ adjustments below this (thousandths of an em) read as a word gap when extracting.
_WORD_GAP = -300
# Form XObjects may nest; stop at this depth rather than loop on a malformed file.
_MAX_FORM_DEPTH = 8


# --- geometry ---------------------------------------------------------------------


def _mul(m: Matrix, n: Matrix) -> Matrix:
    """Return the product m·n in PDF's row-vector convention (m applies first)."""
    a, b, c, d, e, f = m
    a2, b2, c2, d2, e2, f2 = n
    return (
        a * a2 + b * c2,
        a * b2 + b * d2,
        c * a2 + d * c2,
        c * b2 + d * d2,
        e * a2 + f * c2 + e2,
        e * b2 + f * d2 + f2,
    )


def _apply(m: Matrix, x: float, y: float) -> tuple[float, float]:
    """Map the point (x, y) through m."""
    a, b, c, d, e, f = m
    return (x * a + y * c + e, x * b + y * d + f)


def _matrix(operands: list[pikepdf.Object]) -> Matrix:
    """Read six numeric operands as a matrix; identity if malformed."""
    try:
        a, b, c, d, e, f = (float(v) for v in operands[:6])
    except (TypeError, ValueError):
        return IDENTITY
    return (a, b, c, d, e, f)


# --- text decoding ------------------------------------------------------------------

_CMAP_SECTION = re.compile(
    rb"begin(codespacerange|bfchar|bfrange)(.*?)end\1", re.DOTALL
)
_CMAP_TOKEN = re.compile(rb"<([0-9A-Fa-f\s]*)>|\[|\]")


def _hex(token: bytes) -> bytes:
    return bytes.fromhex(re.sub(rb"\s", b"", token).decode("ascii"))


def _utf16(data: bytes) -> str:
    return data.decode("utf-16-be", "replace")


@dataclass(frozen=True)
class FontDecoder:
    """Turns the bytes of a text-showing operator into Unicode for one font.

    Needed because pikepdf does not extract text, and we must know what each marked
    content sequence says (heading text, repeated running headers).
    """

    lengths: tuple[int, ...]
    mapping: dict[bytes, str]
    simple: bool

    def decode(self, data: bytes) -> str:
        """Return the text for *data*, U+FFFD where a code has no mapping."""
        out: list[str] = []
        i = 0
        while i < len(data):
            for n in self.lengths:
                code = data[i : i + n]
                if code in self.mapping:
                    out.append(self.mapping[code])
                    i += n
                    break
            else:
                n = self.lengths[0]
                code = data[i : i + n]
                out.append(code.decode("latin-1") if self.simple else "\ufffd")
                i += n
        return "".join(out)


def parse_to_unicode(cmap: bytes) -> tuple[tuple[int, ...], dict[bytes, str]]:
    """Parse a ToUnicode CMap into (code lengths, code → text) for bfchar/bfrange."""
    lengths: set[int] = set()
    mapping: dict[bytes, str] = {}
    for section in _CMAP_SECTION.finditer(cmap):
        kind = section.group(1)
        tokens: list[bytes | None] = [
            _hex(m.group(1)) if m.group(1) is not None else m.group(0)
            for m in _CMAP_TOKEN.finditer(section.group(2))
        ]
        if kind == b"codespacerange":
            lengths.update(len(t) for t in tokens[::2] if isinstance(t, bytes) and t)
        elif kind == b"bfchar":
            for src, dst in zip(tokens[::2], tokens[1::2], strict=False):
                if isinstance(src, bytes) and isinstance(dst, bytes):
                    mapping[src] = _utf16(dst)
        else:
            _parse_bfrange(tokens, mapping)
    if not lengths:
        lengths = {len(k) for k in mapping} or {1}
    return tuple(sorted(lengths)), mapping


def _parse_bfrange(tokens: list[bytes | None], mapping: dict[bytes, str]) -> None:
    """Fill *mapping* from `<lo> <hi> <dst>` and `<lo> <hi> [<d1> …]` entries."""
    i = 0
    while i + 2 < len(tokens):
        lo, hi, dst = tokens[i], tokens[i + 1], tokens[i + 2]
        if not (isinstance(lo, bytes) and isinstance(hi, bytes)):
            i += 1
            continue
        width = len(lo)
        first, last = int.from_bytes(lo, "big"), int.from_bytes(hi, "big")
        if dst == b"[":
            j = i + 3
            code = first
            while j < len(tokens) and tokens[j] != b"]":
                item = tokens[j]
                if isinstance(item, bytes) and code <= last:
                    mapping[code.to_bytes(width, "big")] = _utf16(item)
                code += 1
                j += 1
            i = j + 1
            continue
        if isinstance(dst, bytes) and dst and last - first < 0x10000:
            base = int.from_bytes(dst, "big")
            for offset in range(last - first + 1):
                value = (base + offset).to_bytes(len(dst), "big")
                mapping[(first + offset).to_bytes(width, "big")] = _utf16(value)
        i += 3


def font_decoder(font: pikepdf.Object) -> FontDecoder:
    """Build a decoder from a font dictionary's ToUnicode CMap (or a best guess)."""
    simple = font.get("/Subtype") != Name.Type0
    to_unicode = font.get("/ToUnicode")
    if isinstance(to_unicode, pikepdf.Stream):
        lengths, mapping = parse_to_unicode(to_unicode.read_bytes())
        return FontDecoder(lengths, mapping, simple)
    return FontDecoder((1,) if simple else (2,), {}, simple)


# --- content stream reading ---------------------------------------------------------


@dataclass(frozen=True)
class Mark:
    """One open marked-content sequence (BDC/BMC) around a painting operator."""

    tag: str
    mcid: int | None
    properties: Dictionary | None
    index: int  # position of its BDC/BMC in the owner's instruction list
    owner: ObjGen  # the page or form XObject whose stream holds it
    struct_parents: int | None  # ParentTree key that resolves this stream's MCIDs

    @property
    def is_artifact(self) -> bool:
        """Whether this is an /Artifact sequence (excluded from the structure)."""
        return self.tag == "/Artifact"


@dataclass(frozen=True)
class Paint:
    """One painting operator, where it lands on the page and what marks enclose it."""

    operator: str
    index: int
    owner: ObjGen
    marks: tuple[Mark, ...]
    x: float | None
    y: float | None
    text: str = ""
    size: float = 0.0  # rendered font size in points, for text operators

    @property
    def mcid_mark(self) -> Mark | None:
        """The innermost enclosing mark that carries an MCID, if any."""
        for mark in reversed(self.marks):
            if mark.mcid is not None:
                return mark
        return None


def inherited(page: pikepdf.Object, key: str) -> pikepdf.Object | None:
    """Look *key* up on a page or its /Parent chain (ISO 32000-1 §7.7.3.4)."""
    node: pikepdf.Object | None = page
    seen: set[ObjGen] = set()
    while isinstance(node, Dictionary) and node.objgen not in seen:
        if node.objgen != (0, 0):
            seen.add(node.objgen)
        if key in node:
            return node[key]
        node = node.get("/Parent")
    return None


def _properties(
    operands: list[pikepdf.Object], resources: pikepdf.Object | None
) -> Dictionary | None:
    """Return a BDC property list, resolving a named /Properties resource."""
    if len(operands) < 2:
        return None
    props: pikepdf.Object | None = operands[1]
    if isinstance(props, Name) and isinstance(resources, Dictionary):
        table = resources.get("/Properties")
        props = table.get(str(props)) if isinstance(table, Dictionary) else None
    return props if isinstance(props, Dictionary) else None


def _mcid(props: Dictionary | None) -> int | None:
    value = props.get("/MCID") if props is not None else None
    return int(value) if isinstance(value, int) else None


class _Reader:
    """A minimal content-stream interpreter: CTM, text matrix, font, marked content."""

    def __init__(self) -> None:
        self._decoders: dict[ObjGen, FontDecoder] = {}

    def decoder(self, font: pikepdf.Object) -> FontDecoder:
        key = font.objgen
        if key == (0, 0):
            return font_decoder(font)
        if key not in self._decoders:
            self._decoders[key] = font_decoder(font)
        return self._decoders[key]

    def run(
        self,
        instructions: list[Instruction],
        resources: pikepdf.Object | None,
        ctm: Matrix,
        marks: tuple[Mark, ...],
        struct_parents: int | None,
        owner: ObjGen,
        depth: int,
    ) -> Iterator[Paint]:
        stack = list(marks)
        base = len(marks)
        saved: list[Matrix] = []
        tm = tlm = IDENTITY
        leading = 0.0
        decoder: FontDecoder | None = None
        path_at: tuple[float, float] | None = None

        font_size = 0.0

        def paint(
            op: str,
            index: int,
            at: tuple[float, float] | None,
            text: str = "",
            size: float = 0.0,
        ) -> Paint:
            x, y = at if at is not None else (None, None)
            return Paint(op, index, owner, tuple(stack), x, y, text, size)

        for index, inst in enumerate(instructions):
            op = str(inst.operator)
            operands = list(inst.operands)
            if op == "q":
                saved.append(ctm)
            elif op == "Q":
                ctm = saved.pop() if saved else ctm
            elif op == "cm":
                ctm = _mul(_matrix(operands), ctm)
            elif op in ("BDC", "BMC"):
                props = _properties(operands, resources) if op == "BDC" else None
                tag = str(operands[0]) if operands else ""
                stack.append(
                    Mark(tag, _mcid(props), props, index, owner, struct_parents)
                )
            elif op == "EMC":
                if len(stack) > base:
                    stack.pop()
            elif op == "BT":
                tm = tlm = IDENTITY
            elif op == "Tm":
                tm = tlm = _matrix(operands)
            elif op in ("Td", "TD") and len(operands) >= 2:
                tx, ty = float(operands[0]), float(operands[1])
                if op == "TD":
                    leading = -ty
                tm = tlm = _mul((1.0, 0.0, 0.0, 1.0, tx, ty), tlm)
            elif op == "TL" and operands:
                leading = float(operands[0])
            elif op == "T*":
                tm = tlm = _mul((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
            elif op == "Tf" and operands:
                font_size = float(operands[1]) if len(operands) > 1 else 0.0
                fonts = resources.get("/Font") if resources is not None else None
                font = (
                    fonts.get(str(operands[0]))
                    if isinstance(fonts, Dictionary)
                    else None
                )
                decoder = self.decoder(font) if isinstance(font, Dictionary) else None
            elif op in TEXT_OPERATORS:
                if op in ("'", '"'):
                    tm = tlm = _mul((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
                text = _show_text(op, operands, decoder)
                placed = _mul(tm, ctm)
                yield paint(
                    op,
                    index,
                    _apply(placed, 0.0, 0.0),
                    text,
                    font_size * math.hypot(placed[2], placed[3]),
                )
            elif op in ("m", "l", "re") and len(operands) >= 2 and path_at is None:
                path_at = _apply(ctm, float(operands[0]), float(operands[1]))
            elif op in ("c", "v", "y") and len(operands) >= 2 and path_at is None:
                path_at = _apply(ctm, float(operands[-2]), float(operands[-1]))
            elif op in PATH_PAINTERS:
                yield paint(op, index, path_at)
                path_at = None
            elif op == "n":
                path_at = None
            elif op == "sh":
                yield paint(op, index, None)
            elif op == INLINE_IMAGE:
                yield paint(op, index, _apply(ctm, 0.5, 0.5))
            elif op == "Do" and operands:
                yield from self._do(
                    operands[0], resources, ctm, stack, index, owner, depth, paint
                )

    def _do(
        self,
        name: pikepdf.Object,
        resources: pikepdf.Object | None,
        ctm: Matrix,
        stack: list[Mark],
        index: int,
        owner: ObjGen,
        depth: int,
        paint: Callable[[str, int, tuple[float, float] | None], Paint],
    ) -> Iterator[Paint]:
        """Follow a form XObject (its marks nest in ours) or report an image."""
        xobjects = resources.get("/XObject") if resources is not None else None
        xobj = xobjects.get(str(name)) if isinstance(xobjects, Dictionary) else None
        if (
            isinstance(xobj, pikepdf.Stream)
            and xobj.get("/Subtype") == Name.Form
            and depth < _MAX_FORM_DEPTH
        ):
            matrix = _matrix(list(xobj.get("/Matrix", Array(IDENTITY))))
            form_resources = xobj.get("/Resources", resources)
            key = xobj.get("/StructParents")
            yield from self.run(
                list(pikepdf.parse_content_stream(xobj)),
                form_resources,
                _mul(matrix, ctm),
                tuple(stack),
                int(key) if isinstance(key, int) else None,
                xobj.objgen,
                depth + 1,
            )
        else:
            yield paint("Do", index, _apply(ctm, 0.5, 0.5))


def _show_text(
    op: str, operands: list[pikepdf.Object], decoder: FontDecoder | None
) -> str:
    """Decode the strings of Tj/TJ/'/" (TJ gaps wider than a third em become spaces)."""
    if not operands:
        return ""
    shown = operands[-1]
    parts: list[str] = []
    items = list(shown) if op == "TJ" and isinstance(shown, Array) else [shown]
    for item in items:
        if isinstance(item, pikepdf.String):
            data = bytes(item)
            parts.append(decoder.decode(data) if decoder else data.decode("latin-1"))
        elif (
            isinstance(item, int | Decimal)
            and item < _WORD_GAP
            and parts
            and not parts[-1].endswith(" ")
        ):
            parts.append(" ")
    return "".join(parts)


def page_instructions(page: pikepdf.Page) -> list[Instruction]:
    """Parse a page's content (all /Contents streams) into a list of instructions."""
    return list(pikepdf.parse_content_stream(page))


def paints(
    page: pikepdf.Page,
    instructions: list[Instruction] | None = None,
) -> Iterator[Paint]:
    """Yield every painting operator on *page*, with position, text and marks.

    Positions are in default user space (PDF points, origin bottom-left), so they can be
    compared with the MediaBox. Form XObjects are followed; their marks nest inside the
    marks open at the `Do`.
    """
    obj = page.obj
    key = obj.get("/StructParents")
    yield from _Reader().run(
        instructions if instructions is not None else page_instructions(page),
        inherited(obj, "/Resources"),
        IDENTITY,
        (),
        int(key) if isinstance(key, int) else None,
        obj.objgen,
        0,
    )


# --- structure tree -----------------------------------------------------------------


def is_struct_elem(obj: object) -> TypeGuard[Dictionary]:
    """Whether *obj* is a structure element (not an MCR, OBJR or MCID)."""
    return (
        isinstance(obj, Dictionary)
        and "/S" in obj
        and obj.get("/Type") not in (Name.MCR, Name.OBJR)
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


def reachable(root: pikepdf.Object) -> set[ObjGen]:
    """Return the object ids of every struct element reachable from *root* via /K."""
    return {e.objgen for e, _ in walk_structure(root) if e.objgen != (0, 0)}


def parent_tree(pdf: pikepdf.Pdf) -> pikepdf.NumberTree | None:
    """Return the ParentTree as a NumberTree, or None when the PDF has none."""
    root = pdf.Root.get("/StructTreeRoot")
    tree = root.get("/ParentTree") if isinstance(root, Dictionary) else None
    return pikepdf.NumberTree(tree) if isinstance(tree, Dictionary) else None


def role_of(pdf: pikepdf.Pdf, elem: pikepdf.Object) -> str:
    """Return the standard type of *elem* ("H1", "Figure"), following the RoleMap."""
    root = pdf.Root.get("/StructTreeRoot")
    role_map = root.get("/RoleMap") if isinstance(root, Dictionary) else None
    s = elem.get("/S") if isinstance(elem, Dictionary) else None
    name = str(s) if s is not None else ""
    seen: set[str] = set()
    while isinstance(role_map, Dictionary) and name in role_map and name not in seen:
        seen.add(name)
        name = str(role_map[name])
    return name.removeprefix("/")


# --- fixes ----------------------------------------------------------------------------


def artifact_margin_boxes(pdf: pikepdf.Pdf) -> int:
    """Turn the marked content of orphan struct elements into pagination artifacts.

    WeasyPrint 70 tags `@page` margin boxes as NonStruct/Span elements whose /P is
    Document but which no /K array lists (Kozea/WeasyPrint #1836), so assistive
    technology never reaches them in reading order, yet they are not artifacts either.
    An element counts as an orphan when the ParentTree references it but the /K walk
    from StructTreeRoot does not: no text matching. Each of its marked-content
    sequences becomes `/Artifact <</Type /Pagination /Subtype /Header>>` (upper half of
    the page) or `/Footer` (lower half); the MCIDs leave the ParentTree, and the orphan
    elements, now unreferenced, are not written on save. Returns the number of
    sequences converted.
    """
    root = pdf.Root.get("/StructTreeRoot")
    tree = parent_tree(pdf)
    if not isinstance(root, Dictionary) or tree is None:
        return 0
    linked = reachable(root)
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
        converted += _artifact_page(pdf, page, orphans)
        for mcid in orphans:
            entry[mcid] = None
        while len(entry) and entry[len(entry) - 1] is None:
            del entry[len(entry) - 1]
    return converted


def _artifact_page(pdf: pikepdf.Pdf, page: pikepdf.Page, orphans: set[int]) -> int:
    """Rewrite one page's content so the *orphans* MCIDs become artifacts."""
    instructions = page_instructions(page)
    owner = page.obj.objgen
    heights: dict[int, list[float]] = {}
    starts: dict[int, int] = {}  # BDC index → MCID, outermost orphan sequences only
    for painted in paints(page, instructions):
        own = [m for m in painted.marks if m.owner == owner]
        outer = next((m for m in own if m.mcid in orphans), None)
        if outer is not None and painted.y is not None:
            heights.setdefault(outer.index, []).append(painted.y)
    resources = inherited(page.obj, "/Resources")
    within: list[bool] = []  # per open sequence: is it (inside) an orphan sequence
    for index, inst in enumerate(instructions):
        op = str(inst.operator)
        if op in ("BDC", "BMC"):
            mcid = _mcid(_properties(list(inst.operands), resources))
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
    moved = 0
    for page in pdf.pages:
        for annot in page.obj.get("/Annots", Array()):
            key = annot.get("/StructParent") if isinstance(annot, Dictionary) else None
            elem = tree.get(int(key)) if isinstance(key, int) else None
            if not is_struct_elem(elem) or role_of(pdf, elem) == "Link":
                continue
            link = _ancestor(pdf, elem, "Link")
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


def _ancestor(pdf: pikepdf.Pdf, elem: Dictionary, role: str) -> Dictionary | None:
    """Return the nearest struct element above *elem* (via /P) with *role*."""
    node = elem.get("/P")
    for _ in range(64):
        if not is_struct_elem(node):
            return None
        if role_of(pdf, node) == role:
            return node
        node = node.get("/P")
    return None


def wrap_list_bodies(pdf: pikepdf.Pdf) -> int:
    """Put LI content that is neither Lbl nor LBody into one LBody; return LIs fixed.

    WeasyPrint 70 tags `<li><p>…</p> <a>↩</a></li>` as LI → Lbl, P, LBody(Link), but
    PDF/UA-1 7.2-18 allows only Lbl and LBody in LI. Kids keep their order; their /P,
    and ParentTree entries for moved MCIDs and annotations, point at the LBody.
    """
    root = pdf.Root.get("/StructTreeRoot")
    tree = parent_tree(pdf)
    if not isinstance(root, Dictionary):
        return 0
    fixed = 0
    for li, _ in list(walk_structure(root)):
        if role_of(pdf, li) != "LI":
            continue
        items = kids(li)
        roles = [role_of(pdf, k) if is_struct_elem(k) else "" for k in items]
        if all(r in ("Lbl", "LBody") for r in roles):
            continue
        bodies = [k for k, r in zip(items, roles, strict=True) if r == "LBody"]
        body = (
            bodies[0]
            if bodies
            else pdf.make_indirect(Dictionary(Type=Name.StructElem, S=Name.LBody, P=li))
        )
        moved: list[pikepdf.Object] = []
        for k, r in zip(items, roles, strict=True):
            if r == "Lbl":
                continue
            owner = k if r == "LBody" else li
            for item in kids(k) if r == "LBody" else [k]:
                moved.append(_reparent(item, owner, body, tree))
        body.K = Array(moved)
        li.K = Array(
            [*(k for k, r in zip(items, roles, strict=True) if r == "Lbl"), body]
        )
        fixed += 1
    return fixed


_BACKLINK = re.compile(r"^#fnref(\d+)$")


def tag_notes(pdf: pikepdf.Pdf) -> int:
    """Retag each footnote block as a Note with a unique /ID; return how many.

    WeasyPrint 70 has no Note tag: a footnote rendered as `<div class="footnote">`
    comes out as Div. The note is found by its back link (target "#fnrefN"); the
    nearest Div above that Link becomes `Note` with `/ID (fnN)` (PDF/UA-1 7.9).
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return 0
    tagged = 0
    for elem, _ in list(walk_structure(root)):
        if role_of(pdf, elem) != "Link":
            continue
        for kid in kids(elem):
            if not (isinstance(kid, Dictionary) and kid.get("/Type") == Name.OBJR):
                continue
            match = _BACKLINK.match(link_target(kid.Obj) or "")
            note = _ancestor(pdf, elem, "Div")
            if match and note is not None and role_of(pdf, note) == "Div":
                note.S = Name.Note
                note.ID = pikepdf.String(f"fn{match[1]}")
                tagged += 1
    return tagged


def _ancestor(pdf: pikepdf.Pdf, elem: Dictionary, role: str) -> Dictionary | None:
    """Return the nearest ancestor of *elem* with *role*, following /P."""
    node = elem.get("/P")
    for _ in range(64):  # a cycle-proof bound on the depth
        if not is_struct_elem(node):
            return None
        if role_of(pdf, node) == role:
            return node
        node = node.get("/P")
    return None


def _reparent(
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


def set_table_header_scope(pdf: pikepdf.Pdf) -> int:
    """Give every TH an `/A <</O /Table /Scope …>>`; return how many were changed.

    WeasyPrint 70 writes TH with `/A <</O /Table>>` only. /Column is used for cells of a
    header row (in THead, or a row of TH only); /Row for the first cell of a body row.
    """
    root = pdf.Root.get("/StructTreeRoot")
    if not isinstance(root, Dictionary):
        return 0
    changed = 0
    for elem, parent in walk_structure(root):
        if role_of(pdf, elem) != "TH" or _table_attr(elem, "/Scope") is not None:
            continue
        scope = Name.Column
        if is_struct_elem(parent) and role_of(pdf, parent) == "TR":
            row = struct_kids(parent)
            section = parent.get("/P")
            in_head = is_struct_elem(section) and role_of(pdf, section) == "THead"
            all_th = all(role_of(pdf, cell) == "TH" for cell in row)
            first = bool(row) and row[0].objgen == elem.objgen
            if first and not in_head and not all_th:
                scope = Name.Row
        _set_table_attr(elem, "/Scope", scope)
        changed += 1
    return changed


def is_true(value: object) -> bool:
    """Whether a PDF value is the boolean true (pikepdf gives Python bools)."""
    return value is True


def _attr_dicts(elem: Dictionary) -> list[Dictionary]:
    """Return the attribute dictionaries of *elem* (/A may be a dict or an array)."""
    a = elem.get("/A")
    if isinstance(a, Dictionary):
        return [a]
    if isinstance(a, Array):
        return [d for d in a if isinstance(d, Dictionary)]
    return []


def _table_attr(elem: Dictionary, key: str) -> pikepdf.Object | None:
    """Return attribute *key* from the /O /Table owner dictionary of *elem*."""
    for d in _attr_dicts(elem):
        if d.get("/O") == Name.Table and key in d:
            return d[key]
    return None


def _set_table_attr(elem: Dictionary, key: str, value: pikepdf.Object) -> None:
    """Set *key* in the /O /Table attributes of *elem*, adding them if needed."""
    for d in _attr_dicts(elem):
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

    Artifacts the margin boxes, describes links, scopes TH cells, parents every link
    annotation to its Link, wraps stray LI content in LBody, tags footnotes as Note
    with an /ID, and adds catalog
    /Lang (from *lang*, else XMP dc:language or the Document element) and
    /ViewerPreferences /DisplayDocTitle when missing (PDF/UA-1 7.2-29 and 7.1-10).
    The PDF version and the XMP packet (pdfuaid:part, dc:title) are kept unchanged.
    """
    with pikepdf.open(path) as pdf:
        artifact_margin_boxes(pdf)
        describe_links(pdf, describe)
        set_table_header_scope(pdf)
        attach_link_annotations(pdf)
        wrap_list_bodies(pdf)
        tag_notes(pdf)
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
        version = pdf.pdf_version
        with staged(path) as scratch:
            # fix_metadata_version=False: leave WeasyPrint's XMP packet byte for byte.
            pdf.save(scratch, fix_metadata_version=False, force_version=version)
