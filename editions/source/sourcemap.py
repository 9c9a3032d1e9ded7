"""Raw source lines, kept so every finding can name the line it is about.

pandoc's `markdown` reader (needed for `[@key]` citations) keeps no positions, so we
locate the offending token (`@key`, `](image.png`, a heading's text) ourselves.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path

from editions.errors import Location


@dataclass(frozen=True)
class SourceMap:
    """The lines of one source file, 1-based when reported."""

    path: Path
    lines: tuple[str, ...]

    @classmethod
    def of(cls, path: Path, text: str) -> SourceMap:
        """Index *text*, read from *path*."""
        return cls(path, tuple(text.splitlines()))

    def at(self, line: int | None = None, key: str | None = None) -> Location:
        """Return a Location in this file."""
        return Location(self.path, line, key)

    def find(self, pattern: str, *, literal: bool = True, after: int = 0) -> Location:
        """Locate the first line (after line *after*) matching *pattern*."""
        regex = re.compile(re.escape(pattern) if literal else pattern)
        for number, line in enumerate(self.lines, start=1):
            if number > after and regex.search(line):
                return self.at(number)
        return self.at(None)

    def find_citation(self, key: str) -> Location:
        """Locate the first `@key` citation of *key*."""
        return self.find(rf"@{re.escape(key)}(?![\w:.#$%&+?<>~/-]*\w)", literal=False)

    def find_heading(self, text: str) -> Location:
        """Locate an ATX or setext heading whose text starts like *text*."""
        words = re.escape(text.split(" ")[0]) if text else ""
        found = self.find(rf"^#{{1,6}}\s+{words}", literal=False)
        return found if found.line else self.find(text[:40])
