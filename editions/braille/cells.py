"""Braille cells on a line: wrapping, centring, page numbers and indicator lines.

Everything here works on BRF text (North American Braille ASCII, one character a
cell), after liblouis has translated the words.
"""

from __future__ import annotations

#: A braille number: the numeric indicator, then the letters a–j for 1–0 (UEB §6).
NUMERIC = "#"
DIGIT_CELLS = "JABCDEFGHI"
#: Dots 5 at the end of a line: the word goes on at the start of the next line.
CONTINUATION = '"'
#: BANA: a print page change is a full line of dots 3-6 with the number at the right.
PAGE_CHANGE = "-"
#: BANA: centred headings keep at least three blank cells on each side.
CENTRE_MARGIN = 3


def number(value: int) -> str:
    """Return *value* in braille digits with the numeric indicator ("#BC" for 23)."""
    return NUMERIC + "".join(DIGIT_CELLS[int(d)] for d in str(value))


def from_number(cells: str) -> int | None:
    """Read "#BC" (or "BC") back as 23; None when it is not a braille number."""
    digits = cells.removeprefix(NUMERIC)
    if not digits or any(c not in DIGIT_CELLS for c in digits):
        return None
    return int("".join(str(DIGIT_CELLS.index(c)) for c in digits))


def wrap(braille: str, width: int, first: int, runover: int) -> list[str]:
    """Break *braille* into lines of at most *width* cells at spaces.

    The first line starts after *first* blank cells, the others after *runover*. A
    word longer than a whole line (a web address) is divided, each part but the
    last ending with the continuation indicator.
    """
    lines: list[str] = []
    line: str | None = None
    for word in braille.split():
        if line is not None and len(line) + 1 + len(word) <= width:
            line += " " + word
            continue
        if line is not None:
            lines.append(line)
        indent = runover if lines else first
        while len(word) > width - indent:
            cut = width - indent - 1
            lines.append(" " * indent + word[:cut] + CONTINUATION)
            word, indent = word[cut:], runover
        line = " " * indent + word
    if line is not None:
        lines.append(line)
    return lines


def centre(braille: str, width: int) -> list[str]:
    """Lay out a centred heading, each line centred with three clear cells a side."""
    lines = wrap(braille, width - 2 * CENTRE_MARGIN, 0, 0)
    return [" " * ((width - len(line)) // 2) + line for line in lines]


def right(text: str, label: str, width: int) -> str:
    """Put *label* flush right on a line that may already hold *text*."""
    return text + " " * (width - len(text) - len(label)) + label


def page_change(print_page: int, width: int) -> str:
    """Return the BANA print page change line for *print_page*."""
    label = number(print_page)
    return PAGE_CHANGE * (width - len(label)) + label


def continuation_letter(count: int) -> str:
    """Return "A", "B", … for the second, third… braille page of one print page."""
    return chr(ord("A") + (count - 1) % 26)
