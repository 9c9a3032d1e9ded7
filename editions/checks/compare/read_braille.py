"""A built BRF → what it shows: pages, their numbers, print pages, contents, words.

Read as a braille reader meets it: pages split at form feeds, the braille page
number at the foot, the print page at the top right and on dots 3-6 lines, the
contents' entries and the pages they name. The words come back through liblouis's
back-translation, after the layout's own indicators (transcriber's notes, note
calls, emphasis) are taken out, so what is compared is what a reader's fingers
find, never the text the renderer started from.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

from editions import locale
from editions.braille import cells, liblouis
from editions.braille.front import GUIDE_DOT, PRELIMINARY
from editions.braille.prepare import TN_CLOSE, TN_OPEN
from editions.braille.render import NOTE_REF
from editions.checks.compare.shown import Shown

_CHANGE = re.compile(r"^-+(#[A-J]+)$")
_ENTRY_END = re.compile(r'^(.*?)(?: "+)? (#[A-J]+)$')
#: UEB emphasis indicators the layout may carry: italic (dots 46) and bold (dots
#: 45) symbol, word, passage and terminator. They mark type, not words.
_EMPHASIS = re.compile(r"[.^][12'7]")
_NOTE_CALL = re.compile(re.escape(NOTE_REF) + r"#[A-J]+ ?")


@dataclass
class BraillePage:
    """One page: all its rows, the top-right label and the braille page number."""

    rows: list[str]
    top: str
    label: str

    @property
    def text(self) -> list[str]:
        """Return the rows between the top line and the page-number line."""
        return self.rows[1:-1]


@dataclass
class ContentsEntry:
    """One contents entry: level, its braille and the body page it names."""

    level: int
    braille: str
    page: int | None


@dataclass
class BrailleShown(Shown):
    """A Shown plus what only braille has: pages, print pages, back-translation."""

    braille_pages: list[BraillePage] = field(default_factory=list)
    print_pages_shown: list[int] = field(default_factory=list)
    contents: list[ContentsEntry] = field(default_factory=list)
    layout: list[str] = field(default_factory=list)  # geometry problems found
    body_blocks: list[tuple[int, str]] = field(default_factory=list)  # page, cells


def read_brf(path: Path, cells_per_line: int, lines_per_page: int) -> BrailleShown:
    """Split the BRF into pages; note every line or page over the size."""
    data = path.read_bytes()
    shown = BrailleShown()
    try:
        text = data.decode("ascii")
    except UnicodeDecodeError as err:
        shown.layout.append(f"byte {err.start} is not Braille ASCII")
        text = data.decode("ascii", errors="replace")
    chunks = text.split("\f")
    if chunks[-1].strip("\r\n"):
        shown.layout.append("the file does not end with a form feed")
    else:
        chunks.pop()
    for number, chunk in enumerate(chunks, start=1):
        rows = chunk.split("\r\n")
        if rows and rows[-1] == "":
            rows.pop()
        if len(rows) > lines_per_page:
            shown.layout.append(
                f"page {number} has {len(rows)} lines (at most {lines_per_page})"
            )
        shown.layout += [
            f"page {number} line {i} has {len(row)} cells (at most {cells_per_line})"
            for i, row in enumerate(rows, start=1)
            if len(row) > cells_per_line
        ]
        label = rows[-1].strip() if rows else ""
        shown.braille_pages.append(
            BraillePage(rows, rows[0].strip() if rows else "", label)
        )
    return shown


def read_braille(
    path: Path,
    table: str,
    cells_per_line: int = 40,
    lines_per_page: int = 25,
    lang: str = "en",
) -> BrailleShown:
    """Read the BRF at *path* back into a BrailleShown (liblouis *table*).

    A picture's note opens with *lang*'s "Picture:" (the locale table's words).
    """
    picture = locale.label(lang, "braille.picture", alt="").strip()
    shown = read_brf(path, cells_per_line, lines_per_page)
    prelim = [p for p in shown.braille_pages if p.label.startswith(PRELIMINARY)]
    body = [p for p in shown.braille_pages if not p.label.startswith(PRELIMINARY)]
    shown.pages = len(body)
    shown.print_pages_shown = _print_pages(body)
    title = _title(prelim[0]) if prelim else ""
    shown.contents = _contents(prelim[1:])
    shown.body_blocks = _heading_blocks(body)
    tns, references = _notes_and_references(body)
    logical = [_clean(line) for line in _logical_lines(body)]
    wanted = [title, *(e.braille for e in shown.contents), *tns, *references]
    back = liblouis.backward(table, [_clean(w) for w in wanted] + logical)
    title_text, back = back[0], back[1:]
    entries, back = back[: len(shown.contents)], back[len(shown.contents) :]
    notes, back = back[: len(tns)], back[len(tns) :]
    refs, back = back[: len(references)], back[len(references) :]
    shown.headings = [(1, title_text.strip())] + [
        (e.level, text.strip()) for e, text in zip(shown.contents, entries, strict=True)
    ]
    shown.alts = [
        n.strip().removeprefix(picture).strip()
        for n in notes
        if n.strip().startswith(picture)
    ]
    shown.references = [("", r.strip()) for r in refs]
    shown.text = "\n".join(back)
    return shown


def _print_pages(body: list[BraillePage]) -> list[int]:
    """Return the print pages in the order the body shows them begin."""
    found: list[int] = []
    for page in body:
        top = cells.from_number(page.top)
        if top is not None:
            found.append(top)
        for row in page.text:
            change = _CHANGE.match(row)
            if change:
                found.append(cells.from_number(change[1]) or 0)
    return found


def _title(page: BraillePage) -> str:
    """The title page's first centred block."""
    rows = [r.strip() for r in page.text]
    start = next((i for i, r in enumerate(rows) if r), len(rows))
    end = next((i for i in range(start, len(rows)) if not rows[i]), len(rows))
    return " ".join(rows[start:end])


def _contents(pages: list[BraillePage]) -> list[ContentsEntry]:
    """Entries after the centred "Contents" heading, each ending in a page number."""
    rows = [row for page in pages for row in page.text]
    body = rows[next((i for i, r in enumerate(rows) if r.strip()), 0) + 1 :]
    entries: list[ContentsEntry] = []
    pending: list[str] = []
    for row in body:
        if not row.strip():
            continue
        match = _ENTRY_END.match(row)
        if not match:
            pending.append(row)
            continue
        first = (pending or [row])[0]
        words = [r.strip() for r in pending] + [match[1].rstrip(GUIDE_DOT).strip()]
        level = (len(first) - len(first.lstrip())) // 2 + 2
        entries.append(
            ContentsEntry(
                level, " ".join(w for w in words if w), cells.from_number(match[2])
            )
        )
        pending = []
    return entries


def _heading_blocks(body: list[BraillePage]) -> list[tuple[int, str]]:
    """Runs of lines set in from cell 5 onwards (centred, cell-5, cell-7 headings)."""
    blocks: list[tuple[int, str]] = []
    for number, page in enumerate(body, start=1):
        current: list[str] = []
        for row in [*page.text, ""]:
            indent = len(row) - len(row.lstrip())
            if row.strip() and indent >= 4 and not row.lstrip().startswith(TN_OPEN):
                current.append(row.strip())
                continue
            if current:
                blocks.append((number, "".join(current).replace(" ", "")))
                current = []
    return blocks


def _logical_lines(body: list[BraillePage]) -> list[str]:
    """Body text lines, with words divided at a line end joined again."""
    lines: list[str] = []
    joining = False
    for page in body:
        for row in page.text:
            if not row.strip() or _CHANGE.match(row):
                continue
            text = row.strip()
            if joining:
                lines[-1] += text
            else:
                lines.append(text)
            joining = text.endswith(cells.CONTINUATION) and len(row) >= 2
            if joining:
                lines[-1] = lines[-1][:-1]
    return lines


def _notes_and_references(body: list[BraillePage]) -> tuple[list[str], list[str]]:
    """The transcriber's notes, and the entries after the last centred heading."""
    text = "\n".join(_logical_lines(body))
    notes = [
        m.replace("\n", " ")
        for m in re.findall(
            re.escape(TN_OPEN) + r"(.*?)" + re.escape(TN_CLOSE), text, re.S
        )
    ]
    rows = [r for page in body for r in page.text if r.strip()]
    centred = [i for i, r in enumerate(rows) if len(r) - len(r.lstrip()) >= 6]
    entries: list[str] = []
    for row in rows[centred[-1] + 1 :] if centred else []:
        if _CHANGE.match(row):
            continue
        if not row.startswith(" ") or not entries:
            entries.append(row.strip())
        elif entries[-1].endswith(cells.CONTINUATION):
            entries[-1] = entries[-1][:-1] + row.strip()
        else:
            entries[-1] += " " + row.strip()
    return notes, entries


def _clean(braille: str) -> str:
    """Take out the indicators that carry no words, ready for back-translation."""
    braille = braille.replace(TN_OPEN, "").replace(TN_CLOSE, "")
    return _EMPHASIS.sub("", _NOTE_CALL.sub("", braille))
