"""Inline content → sentences, with pysbd finding the boundaries.

Citations and code are atomic: pysbd sees a same-length stand-in for them, so the
periods in "(Ji et al., 2018)" or "n.d." never end a sentence, and a boundary is never
placed inside one.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import replace
from functools import cache

import pysbd

from editions.model import (
    Cite,
    Code,
    Inline,
    LineBreak,
    NoteRef,
    Sentence,
    Text,
    Wrapper,
    plain_text,
)


@cache
def _segmenter(language: str) -> pysbd.Segmenter:
    return pysbd.Segmenter(language=language, clean=False, char_span=True)


def length(node: Inline) -> int:
    """Return how many characters *node* contributes to the flattened text."""
    if isinstance(node, Text | Code):
        return len(node.text)
    if isinstance(node, LineBreak):
        return 1
    if isinstance(node, NoteRef):
        return 0
    if isinstance(node, Cite):
        return len(plain_text(node.children))
    return sum(length(child) for child in node.children)


def _flatten(
    inlines: tuple[Inline, ...], out: list[str], atoms: list[tuple[int, int]]
) -> None:
    for node in inlines:
        start = sum(len(part) for part in out)
        if isinstance(node, Text):
            out.append(node.text)
        elif isinstance(node, LineBreak):
            out.append(" ")
        elif isinstance(node, Cite | Code):
            size = length(node)
            out.append("C" * size)  # a stand-in word with no periods
            atoms.append((start, start + size))
        elif isinstance(node, Wrapper):
            _flatten(node.children, out, atoms)


def split_at(
    inlines: tuple[Inline, ...], n: int
) -> tuple[tuple[Inline, ...], tuple[Inline, ...]]:
    """Split inline content after its first *n* characters."""
    left: list[Inline] = []
    right: list[Inline] = []
    for node in inlines:
        size = length(node)
        if n <= 0:
            right.append(node)
        elif size <= n:
            left.append(node)
            n -= size
        elif isinstance(node, Text):
            left.append(Text(node.text[:n]))
            right.append(Text(node.text[n:]))
            n = 0
        elif isinstance(node, Wrapper):
            head, tail = split_at(node.children, n)
            left.append(replace(node, children=head))
            right.append(replace(node, children=tail))
            n = 0
        else:  # atomic: boundaries were moved out of atoms beforehand
            left.append(node)
            n = 0
    return tuple(left), tuple(right)


def boundaries(inlines: tuple[Inline, ...], language: str = "en") -> list[int]:
    """Return the offsets where sentences after the first one start."""
    parts: list[str] = []
    atoms: list[tuple[int, int]] = []
    _flatten(inlines, parts, atoms)
    text = "".join(parts)
    if not text.strip():
        return []
    offsets = []
    for span in _segmenter(language).segment(text)[1:]:
        offset = span.start
        for start, end in atoms:
            if start < offset < end:
                offset = end
        offsets.append(offset)
    return sorted(set(offsets))


def _strip(inlines: tuple[Inline, ...]) -> tuple[Inline, ...]:
    items = list(inlines)
    while items and isinstance(items[0], Text) and not items[0].text.strip():
        items.pop(0)
    while items and isinstance(items[-1], Text) and not items[-1].text.strip():
        items.pop()
    if items and isinstance(items[0], Text):
        items[0] = Text(items[0].text.lstrip())
    if items and isinstance(items[-1], Text):
        items[-1] = Text(items[-1].text.rstrip())
    return tuple(items)


def split_sentences(
    inlines: tuple[Inline, ...], new_id: Callable[[], str], language: str = "en"
) -> tuple[Sentence, ...]:
    """Cut *inlines* into sentences, each given an id from *new_id*."""
    sentences: list[Sentence] = []
    rest = inlines
    consumed = 0
    for offset in boundaries(inlines, language):
        head, rest = split_at(rest, offset - consumed)
        consumed = offset
        if _strip(head):
            sentences.append(Sentence(new_id(), _strip(head)))
    if _strip(rest):
        sentences.append(Sentence(new_id(), _strip(rest)))
    return tuple(sentences)
