"""The Nu HTML Checker (npm `vnu-jar`) as Findings, for .html and EPUB .xhtml.

WCAG 4.1 and the large-print page need 0 markup errors (standards §3a). vnu
parses *.html with its HTML parser and *.xhtml/*.xht with its XML parser. It
does not know the EPUB (`epub:type`, `epub:prefix`) or SSML (`ssml:ph`)
attributes, which EPUBCheck validates instead, so those attributes are blanked
in a scratch copy before the check; line numbers stay the same.
"""

from __future__ import annotations

import json
import re
import shutil
import tempfile
from pathlib import Path
from typing import Any

from editions.errors import Finding, Location, MissingProgram
from editions.paths import REPO_ROOT
from editions.programs import run_jar

VNU_JAR = REPO_ROOT / "node_modules" / "vnu-jar" / "build" / "dist" / "vnu.jar"

#: A 2,400-word page takes a few seconds; this only catches a hung JVM.
TIMEOUT_S = 180

INSTALL_JAVA = "apt-get install -y default-jre-headless"
INSTALL_VNU = "bash scripts/install-node-tools.sh"

HTML_SUFFIXES = frozenset({".html", ".htm"})
XHTML_SUFFIXES = frozenset({".xhtml", ".xht"})

#: Namespaces whose attributes are legal in EPUB content documents but unknown
#: to vnu's HTML schema: EPUB structural semantics and SSML pronunciation.
FOREIGN_NAMESPACES = frozenset(
    {"http://www.idpf.org/2007/ops", "http://www.w3.org/2001/10/synthesis"}
)
_NS_DECL = re.compile(r"""xmlns:([A-Za-z_][\w.-]*)\s*=\s*(["'])(.*?)\2""")


def run_vnu(path: Path) -> list[Finding]:
    """Validate one HTML or XHTML file; every vnu error is an error Finding."""
    suffix = path.suffix.lower()
    if suffix not in HTML_SUFFIXES | XHTML_SUFFIXES:
        raise ValueError(f"vnu checks .html/.htm/.xhtml/.xht files, not {path}")
    if not path.is_file():
        # vnu reports nothing at all for a missing file, which would look clean.
        raise FileNotFoundError(f"no page to check at {path}")
    java = shutil.which("java")
    if java is None:
        raise MissingProgram("Java >= 17 (needed by vnu)", INSTALL_JAVA)
    if not VNU_JAR.is_file():
        raise MissingProgram(
            f"Nu HTML Checker ({VNU_JAR})", f"cd {REPO_ROOT} && {INSTALL_VNU}"
        )
    with tempfile.TemporaryDirectory(prefix="vnu-") as tmp:
        checked = path
        if suffix in XHTML_SUFFIXES:
            checked = Path(tmp) / path.name
            checked.write_text(
                strip_foreign_attributes(path.read_text(encoding="utf-8")),
                encoding="utf-8",
            )
        args = ["--errors-only", "--format", "json", "--stdout", str(checked)]
        done = run_jar(java, VNU_JAR, args, TIMEOUT_S, f"vnu on {path}")
    try:
        data = json.loads(done.stdout)
    except ValueError as exc:
        tail = (done.stderr or done.stdout).strip()[-600:]
        raise MissingProgram(
            f"A working Nu HTML Checker (exit {done.returncode}, no JSON: {tail})",
            f"{INSTALL_JAVA} && cd {REPO_ROOT} && {INSTALL_VNU}",
        ) from exc
    findings = parse_messages(data, path)
    if done.returncode != 0 and not findings:
        raise RuntimeError(
            f"vnu exited {done.returncode} on {path} without reporting an error: "
            f"{done.stderr.strip()[-600:]}"
        )
    return findings


def strip_foreign_attributes(text: str) -> str:
    """Blank EPUB/SSML-namespace attributes, keeping every newline in place."""
    prefixes = [
        re.escape(m.group(1))
        for m in _NS_DECL.finditer(text)
        if m.group(3) in FOREIGN_NAMESPACES
    ]
    if not prefixes:
        return text
    attr = re.compile(
        rf"""\s+(?:{"|".join(prefixes)}):[\w.-]+\s*=\s*(?:"[^"]*"|'[^']*')"""
    )
    return attr.sub(lambda m: "\n" * m.group(0).count("\n") or " ", text)


def parse_messages(data: Any, path: Path) -> list[Finding]:
    """Map vnu JSON messages of type error (and non-document-error) to Findings."""
    findings: list[Finding] = []
    for msg in data.get("messages", []):
        kind = msg.get("type")
        if kind not in ("error", "non-document-error"):
            continue
        text = str(msg.get("message", "")).strip()
        if kind == "non-document-error":
            text = f"vnu could not check the document: {text}"
        extract = str(msg.get("extract") or "")
        start = msg.get("hiliteStart")
        length = msg.get("hiliteLength")
        if isinstance(start, int) and isinstance(length, int) and extract:
            snippet = " ".join(extract[start : start + length].split())
            if snippet:
                text += f" At: {snippet[:120]}"
        line = msg.get("lastLine") or msg.get("firstLine")
        column = msg.get("firstColumn")
        key = f"column {column}" if isinstance(column, int) else None
        findings.append(
            Finding(
                "VNU",
                text,
                Location(path, line=line if isinstance(line, int) else None, key=key),
            )
        )
    return findings
