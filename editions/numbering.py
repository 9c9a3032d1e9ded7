"""An ordered list's item number → the label the page shows: 4, d, D, iv or IV."""

from __future__ import annotations

_ROMAN = (
    (1000, "m"), (900, "cm"), (500, "d"), (400, "cd"), (100, "c"), (90, "xc"),
    (50, "l"), (40, "xl"), (10, "x"), (9, "ix"), (5, "v"), (4, "iv"), (1, "i"),
)  # fmt: skip


def list_label(number: int, style: str, *, roman: bool = True) -> str:
    """Return *number* in the list's numbering *style* (model `ListBlock.style`).

    With *roman* False, Roman numerals stay digits: a listener cannot see "IV", and
    a voice reads "II" as "eye eye".
    """
    upper = style.startswith("upper")
    if style.endswith("alpha") and 1 <= number <= 26:
        letter = chr(ord("a") + number - 1)
        return letter.upper() if upper else letter
    if style.endswith("roman") and roman and number > 0:
        numeral = ""
        for value, letters in _ROMAN:
            count, number = divmod(number, value)
            numeral += letters * count
        return numeral.upper() if upper else numeral
    return str(number)
