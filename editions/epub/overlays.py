"""Audio timings → an EPUB 3 Media Overlay (SMIL): one `par` per spoken sentence.

The audio edition already knows when each sentence is heard (its timings JSON), so the
overlay is written from those timings and never from the MP3 itself. Pars follow the
audio's order, which is the document order except where the narration chose a logical
deviation (EPUB Accessibility 1.1 §sync-order allows one): a figure's caption is read
before its description, and a footnote is read at the end of the chapter that calls
it; EPUBCheck reports both as MED_015 at USAGE level only. Figures and tables are
wrapped in `seq`s (escapability) and notes in `seq epub:type="footnote"`, the type
reading systems skip (skippability). Page numbers are not narrated, so no par points
at a page-break marker (A11y 1.1 asks for that only when they are read aloud).
"""

from __future__ import annotations

from collections.abc import Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from html import escape

from editions.facts import Timings
from editions.model import (
    Article,
    Block,
    CodeBlock,
    DefinitionList,
    Figure,
    Paragraph,
    Table,
    child_blocks,
)

#: Class the reading system puts on the element being read (`media:active-class`).
ACTIVE_CLASS = "-epub-media-overlay-active"

#: (element id, epub:type) of a structure a par sits in, outermost first.
Container = tuple[str, str]


class OverlayMismatch(ValueError):
    """The timings do not fit the content document: a stale or foreign timings file."""


@dataclass(frozen=True)
class Par:
    """One sentence (or figure description) and the span of audio that reads it."""

    target: str  # element id in the content document
    begin_ms: int
    end_ms: int
    within: tuple[Container, ...] = ()
    audio: int = 0  # which audio file plays it: the MP3 part (0 if one file)


@dataclass(frozen=True)
class Overlay:
    """A SMIL document and the facts the package metadata reports about it."""

    smil: str
    pars: tuple[Par, ...]
    uncovered: tuple[str, ...]  # text ids no par reads (then audio is not sufficient)

    @property
    def duration_ms(self) -> int:
        """Return how long the overlay plays: its clips are contiguous."""
        return sum(p.end_ms - p.begin_ms for p in self.pars)

    @property
    def complete(self) -> bool:
        """Return whether every sentence and every image description is narrated."""
        return not self.uncovered


def clock(ms: int) -> str:
    """Format milliseconds as a SMIL full clock value, `H:MM:SS.mmm`."""
    hours, rest = divmod(ms, 3_600_000)
    minutes, rest = divmod(rest, 60_000)
    seconds, millis = divmod(rest, 1000)
    return f"{hours}:{minutes:02d}:{seconds:02d}.{millis:03d}"


def containers(article: Article) -> dict[str, tuple[Container, ...]]:
    """Map each sentence and figure id to the figures, tables and notes around it."""
    found: dict[str, tuple[Container, ...]] = {}
    for section in article.sections:
        found.update(_walk(section.blocks, ()))
    for note in article.notes:
        found.update(_walk(note.blocks, ((note.note_id, "footnote"),)))
    return found


def _walk(
    blocks: tuple[Block, ...], within: tuple[Container, ...]
) -> Iterator[tuple[str, tuple[Container, ...]]]:
    for block in blocks:
        if isinstance(block, Figure):
            inner = (*within, (block.figure_id, "figure"))
            yield block.figure_id, inner
            yield from ((s.sentence_id, inner) for s in block.caption)
        elif isinstance(block, Table):
            inner = (*within, (block.table_id, "table"))
            cells = [c for row in block.all_rows() for c in row]
            yield from ((s.sentence_id, inner) for s in block.caption)
            yield from ((s.sentence_id, inner) for c in cells for s in c.sentences)
        elif isinstance(block, Paragraph):
            yield from ((s.sentence_id, within) for s in block.sentences)
        elif isinstance(block, CodeBlock):
            yield block.sentence.sentence_id, within
        elif isinstance(block, DefinitionList):
            for entry in block.items:
                yield from ((s.sentence_id, within) for s in entry.term)
                for definition in entry.definitions:
                    yield from _walk(definition, within)
        else:
            # Lists, quotes and divs carry no id a seq could use as its textref.
            for inner in child_blocks(block):
                yield from _walk(inner, within)


def pars(
    timings: Timings,
    known_ids: Collection[str],
    within: Mapping[str, tuple[Container, ...]],
) -> tuple[Par, ...]:
    """Turn timed sentences into contiguous clips, each ending where the next begins.

    A clip starts when its sentence starts and runs to the next sentence's start, so
    the pause after a sentence stays highlighted on it, jumping to any par starts on
    speech, and reading systems play clip after clip without seeking (Readium treats
    a clip that begins where the last ended as contiguous). A long book's sentences
    are timed in their MP3 part; the last clip of a part runs to that part's end.

    Raise OverlayMismatch when an id is not in the content document, or the times
    are not in order and inside the audio: dropping such a sentence would silently
    leave text out of the narration.
    """
    spans = _spans(timings)
    unknown = [target for target, _, _, _ in spans if target not in known_ids]
    if unknown:
        raise OverlayMismatch(
            f"{len(unknown)} timed sentence id(s) are not in the EPUB's text "
            f"({', '.join(unknown[:5])}); rebuild the audio edition from this source"
        )
    lengths = [round(p.duration * 1000) for p in timings.parts] or [
        round(timings.duration * 1000)
    ]
    result = []
    for n, (target, part, begin, end) in enumerate(spans):
        after = spans[n + 1] if n + 1 < len(spans) else None
        total_ms = lengths[part]
        if after is not None and after[1] == part:
            end = after[2]
        elif after is not None:  # the part ends: its room tone stays on this clip
            end = max(end, total_ms)
        if not 0 <= begin < end <= total_ms:
            raise OverlayMismatch(
                f"sentence {target} would play {clock(begin)}–{clock(end)}, which is "
                f"empty, out of order or outside the {clock(total_ms)} of audio"
            )
        result.append(Par(target, begin, end, within.get(target, ()), part))
    return tuple(result)


def _spans(timings: Timings) -> list[tuple[str, int, int, int]]:
    """Return (id, part, start ms, end ms) per sentence, timed in its audio file."""
    return [
        (s.sentence_id, part, round(start * 1000), round(end * 1000))
        for s, part, start, end in timings.heard()
    ]


def smil(items: Sequence[Par], content_href: str, audio_hrefs: Sequence[str]) -> str:
    """Write the SMIL document: pars in audio order, seqs around structures."""
    out = [
        '<?xml version="1.0" encoding="utf-8"?>',
        '<smil xmlns="http://www.w3.org/ns/SMIL" '
        'xmlns:epub="http://www.idpf.org/2007/ops" version="3.0">',
        f'<body epub:textref="{escape(content_href)}">',
    ]
    open_: list[Container] = []
    seqs = 0
    for number, par in enumerate(items, start=1):
        keep = 0
        while keep < min(len(open_), len(par.within)) and (
            open_[keep] == par.within[keep]
        ):
            keep += 1
        while len(open_) > keep:
            open_.pop()
            out.append("</seq>")
        for element_id, epub_type in par.within[keep:]:
            seqs += 1
            out.append(
                f'<seq id="seq{seqs}" epub:type="{epub_type}" '
                f'epub:textref="{escape(content_href)}#{escape(element_id)}">'
            )
            open_.append((element_id, epub_type))
        out.append(
            f'<par id="par{number}">'
            f'<text src="{escape(content_href)}#{escape(par.target)}"/>'
            f'<audio src="{escape(audio_hrefs[par.audio])}" '
            f'clipBegin="{clock(par.begin_ms)}" '
            f'clipEnd="{clock(par.end_ms)}"/></par>'
        )
    out.extend("</seq>" for _ in open_)
    out += ["</body>", "</smil>", ""]
    return "\n".join(out)


def build(
    article: Article,
    timings: Timings,
    documents: Mapping[str, Sequence[str]],
    where: Mapping[str, str],
    audio_hrefs: Sequence[str],
) -> dict[str, Overlay]:
    """Make one overlay per content document, each reading only its own text.

    *documents* maps each content file to the ids that must be narrated there for
    the overlay to be complete (every sentence and every figure); *where* maps every
    id of the content documents to its file. A document nothing of the audio reads
    gets no overlay.
    """
    items = pars(timings, where, containers(article))
    mine: dict[str, list[Par]] = {file: [] for file in documents}
    for par in items:
        mine.setdefault(where[par.target], []).append(par)
    made = {}
    for file, text_ids in documents.items():
        read = {p.target for p in mine[file]}
        uncovered = tuple(i for i in text_ids if i not in read)
        if mine[file]:
            made[file] = Overlay(
                smil(mine[file], file, audio_hrefs), tuple(mine[file]), uncovered
            )
        elif uncovered:
            made[file] = Overlay("", (), uncovered)
    return made


def whole(made: Mapping[str, Overlay]) -> Overlay:
    """Return the book's narration as one Overlay: every par, every gap (metadata)."""
    return Overlay(
        "",
        tuple(p for o in made.values() for p in o.pars),
        tuple(i for o in made.values() for i in o.uncovered),
    )
