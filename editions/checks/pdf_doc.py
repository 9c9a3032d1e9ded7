"""What every PDF/UA-1 check reads once: the open file, its tree, cached roles.

Shared by the row modules `editions.checks.pdf_document`, `pdf_content`,
`pdf_elements` and `pdf_typography`; `editions.checks.pdf` runs them all.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from pathlib import Path

import pikepdf
from pikepdf import Dictionary

from editions.errors import Location
from editions.pdf.content import Paint
from editions.pdf.reading import role_of

HEADING = re.compile(r"^H([1-6])$")
FIX_HINT = "run editions.pdf.tagging.postprocess on the WeasyPrint output"


@dataclass
class PdfDoc:
    """What every check needs, read once."""

    path: Path
    pdf: pikepdf.Pdf
    title: str
    lang: str
    root: Dictionary | None
    tree: list[tuple[Dictionary, pikepdf.Object]] = field(default_factory=list)
    roles: dict[tuple[int, int], str] = field(default_factory=dict)
    painted: list[tuple[int, pikepdf.Page, list[Paint]]] | None = None
    min_body_pt: float = 12.0

    def at(self, key: str) -> Location:
        return Location(self.path, key=key)

    def role(self, elem: pikepdf.Object) -> str:
        key = elem.objgen
        if key == (0, 0):
            return role_of(self.pdf, elem)
        if key not in self.roles:
            self.roles[key] = role_of(self.pdf, elem)
        return self.roles[key]


def element_name(elem: pikepdf.Object) -> str:
    """Name a struct element in a finding: its type and object number."""
    where = f"{elem.get('/S')}" if isinstance(elem, Dictionary) else "element"
    if elem.objgen != (0, 0):
        where += f" obj {elem.objgen[0]}"
    return where
