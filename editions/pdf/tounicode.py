"""ToUnicode CMaps → the text a font's shown bytes stand for.

pikepdf does not extract text, and the PDF checks must know what each marked-content
sequence says (heading text, repeated running headers): this decodes it per font.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

import pikepdf
from pikepdf import Name

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
