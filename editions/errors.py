"""Findings, build failures and missing programs: what a user sees when it fails."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Literal

Severity = Literal["error", "warning"]

#: Exit codes, after Standard Ebooks' `se` (1 and 2 are left to Python and argparse).
EXIT_BAD_INPUT = 3
EXIT_VALIDATION = 4
EXIT_MISSING_PROGRAM = 5


@dataclass(frozen=True)
class Location:
    """Where a finding points: a file, and a line or a key inside it when known."""

    path: Path
    line: int | None = None
    key: str | None = None

    def __str__(self) -> str:
        where = str(self.path)
        if self.line is not None:
            where += f":{self.line}"
        if self.key is not None:
            where += f" [{self.key}]"
        return where


@dataclass(frozen=True)
class Finding:
    """One problem: where, a stable code (see docs/findings.md) and what to change."""

    code: str
    message: str
    where: Location
    severity: Severity = "error"

    def __str__(self) -> str:
        return f"{self.where}: {self.severity} {self.code}: {self.message}"


@dataclass
class BuildFailed(Exception):
    """Raised once with every finding, so the user sees the whole list at a time."""

    findings: list[Finding]
    exit_code: int = EXIT_BAD_INPUT
    summary: str = field(default="")

    def __post_init__(self) -> None:
        super().__init__(self.report())

    def report(self) -> str:
        """Return one line per finding plus a summary line."""
        errors = sum(1 for f in self.findings if f.severity == "error")
        warnings = len(self.findings) - errors
        lines = [str(f) for f in self.findings]
        tail = self.summary or (
            f"{errors} error(s), {warnings} warning(s); no edition was written."
        )
        return "\n".join([*lines, tail])


class MissingProgram(Exception):
    """A program or data package the build needs is not installed."""

    def __init__(self, what: str, how_to_install: str) -> None:
        super().__init__(f"{what} is not available. Install it with: {how_to_install}")
        self.what = what
        self.how_to_install = how_to_install


def errors_in(findings: Iterable[Finding]) -> list[Finding]:
    """Return the findings that stop a build."""
    return [f for f in findings if f.severity == "error"]


def escalate(findings: Iterable[Finding]) -> list[Finding]:
    """Turn warnings into errors (`--strict`)."""
    return [
        Finding(f.code, f.message, f.where, "error") if f.severity == "warning" else f
        for f in findings
    ]
