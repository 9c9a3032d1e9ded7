"""Text → HTML in which doses, amounts, ranges and compound units never break.

"1 to 5 mg" split as "1 to" | "5 mg", or "µmol/" | "L", misreads as two things; every
visual edition keeps them on one line (no-break spaces, and `white-space: nowrap` on
class "nobreak" in every stylesheet), and `invoke check` looks for breaks (CHK044).
"""

from __future__ import annotations

import re
from html import escape

NBSP = "\u00a0"
_NUMBER = r"\$?\d(?:[\d,.]*\d)?"
_UNIT = (
    r"(?:mL/min/1\.73\s?m²|[µμmnpk]?(?:mol|g|L|l)(?:/(?:[dm]?L|l|kg|day|min))?"
    r"|mcg|micrograms?|milligrams?|mmHg|kg|cm|mm|mL|%|percent|puffs?"
    r"|thousand|million|billion|trillion)"
)
#: Doses, amounts, ranges and compound units that must never break across lines
#: ("1 to 5 mg", "60 to 110 µmol/L", "µmol/" | "L" would misread as two words).
_KEEP_TOGETHER = re.compile(
    rf"{_NUMBER}(?:\s(?:to|-|–)\s{_NUMBER})?\s?{_UNIT}(?![\w/])"
    # A range without a unit ("220 to 400"): a reader must not see "220 to" alone.
    rf"|{_NUMBER}\s(?:to|-|–)\s{_NUMBER}(?![\w/])"
    # A compound unit on its own ("µmol/L", "mL/min/1.73 m²"), never part of a URL.
    r"|(?<![\w./:@-])[µμ]?[A-Za-z]{1,6}(?:/[A-Za-z0-9.]{1,6})+(?:\s?m²)?(?![\w/])"
)


def keep_together_spans(text: str) -> list[str]:
    """Return each dose, amount or unit in *text* that must stay on one line."""
    return [match[0] for match in _KEEP_TOGETHER.finditer(text)]


def unbreakable(text: str) -> str:
    """Escape *text*, wrapping each dose, amount or unit in a no-wrap span.

    No-break spaces alone still let a line break after the "/" of "µmol/L", so
    each match is also `white-space: nowrap` (class "nobreak" in every stylesheet).
    """
    out: list[str] = []
    at = 0
    for match in _KEEP_TOGETHER.finditer(text):
        out.append(escape(text[at : match.start()], quote=False))
        kept = escape(match[0].replace(" ", NBSP), quote=False)
        out.append(f'<span class="nobreak">{kept}</span>')
        at = match.end()
    out.append(escape(text[at:], quote=False))
    return "".join(out)
