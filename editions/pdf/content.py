"""A page's content streams → the painting operators on it, placed and marked.

A minimal interpreter (CTM, text matrix, font, marked content) that the PDF/UA
checks and the tagging repairs share: each painting operator comes with where it
lands, what text it shows and which marked-content sequences enclose it.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from decimal import Decimal

import pikepdf
from pikepdf import Array, Dictionary, Name

from editions.pdf.reading import ObjGen
from editions.pdf.tounicode import FontDecoder, font_decoder

Matrix = tuple[float, float, float, float, float, float]
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


def properties(
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


def mcid_of(props: Dictionary | None) -> int | None:
    value = props.get("/MCID") if props is not None else None
    return int(value) if isinstance(value, int) else None


class _Reader:
    """A minimal content-stream interpreter: CTM, text matrix, font, marked content."""

    def __init__(self, text: bool = True) -> None:
        self._decoders: dict[ObjGen, FontDecoder] = {}
        self._text = text  # False: no ToUnicode parsing, no decoding (positions only)

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
                props = properties(operands, resources) if op == "BDC" else None
                tag = str(operands[0]) if operands else ""
                stack.append(
                    Mark(tag, mcid_of(props), props, index, owner, struct_parents)
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
                decoder = (
                    self.decoder(font)
                    if self._text and isinstance(font, Dictionary)
                    else None
                )
            elif op in TEXT_OPERATORS:
                if op in ("'", '"'):
                    tm = tlm = _mul((1.0, 0.0, 0.0, 1.0, 0.0, -leading), tlm)
                text = _show_text(op, operands, decoder) if self._text else ""
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
    *,
    text: bool = True,
) -> Iterator[Paint]:
    """Yield every painting operator on *page*, with position, text and marks.

    Positions are in default user space (PDF points, origin bottom-left), so they can be
    compared with the MediaBox. Form XObjects are followed; their marks nest inside the
    marks open at the `Do`. With *text* False the shown text is left empty: decoding
    it is most of the cost, and a repair that only needs positions skips it.
    """
    obj = page.obj
    key = obj.get("/StructParents")
    yield from _Reader(text).run(
        instructions if instructions is not None else page_instructions(page),
        inherited(obj, "/Resources"),
        IDENTITY,
        (),
        int(key) if isinstance(key, int) else None,
        obj.objgen,
        0,
    )
