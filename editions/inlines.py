"""Inline content of the document model: text, emphasis, links, citations, spans.

Part of the frozen model (`editions.model` re-exports every name here).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass


@dataclass(frozen=True)
class Text:
    """Plain words (spaces included)."""

    text: str


@dataclass(frozen=True)
class Emph:
    """Emphasis; large print shows it bold, never italic."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Strong:
    """Strong importance."""

    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Code:
    """Literal text."""

    text: str


@dataclass(frozen=True)
class Link:
    """A hyperlink; internal targets start with '#'."""

    url: str
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class Cite:
    """An in-text citation as citeproc rendered it; `keys` name reference entries."""

    cite_id: str
    keys: tuple[str, ...]
    children: tuple[Inline, ...]


@dataclass(frozen=True)
class NoteRef:
    """A footnote call; the note itself lives in `Article.notes`."""

    note_id: str
    number: int


@dataclass(frozen=True)
class LineBreak:
    """A hard line break."""


#: What a `Styled` run can be, with the HTML element each edition shows it as.
STYLES = {
    "sup": "sup",  # 10^9^/L: the exponent must stay raised, or 10⁹ reads as 109
    "sub": "sub",  # CO~2~
    "smallcaps": "span",
    "strikeout": "del",
    "underline": "u",
    "span": "span",  # [text]{lang=fr} or {#id}: language of parts, link targets
}


@dataclass(frozen=True)
class Styled:
    """Superscript, subscript, small caps, strikeout, underline or a plain span.

    `lang` marks a language of parts (WCAG 3.1.2): `lang` in HTML and EPUB, /Lang on
    the PDF's structure element. `ident` is an explicit id a link may target.
    """

    style: str  # a key of STYLES
    children: tuple[Inline, ...]
    lang: str | None = None
    ident: str = ""


Inline = Text | Emph | Strong | Code | Link | Cite | NoteRef | LineBreak | Styled
#: Inlines that only wrap other inlines (walk into their `children`).
Wrapper = Emph | Strong | Link | Styled


def plain_text(inlines: tuple[Inline, ...], *, citations: bool = True) -> str:
    """Flatten inline content to text; footnote calls are left out."""
    parts: list[str] = []
    for node in inlines:
        if isinstance(node, Text | Code):
            parts.append(node.text)
        elif isinstance(node, LineBreak):
            parts.append(" ")
        elif isinstance(node, Cite):
            if citations:
                parts.append(plain_text(node.children))
        elif isinstance(node, Wrapper):
            parts.append(plain_text(node.children, citations=citations))
    return "".join(parts)


def walk_inlines(inlines: tuple[Inline, ...]) -> Iterator[Inline]:
    """Yield inline nodes depth-first, into emphasis, links and spans (not cites)."""
    for node in inlines:
        yield node
        if isinstance(node, Wrapper):
            yield from walk_inlines(node.children)
