"""Ace by DAISY 1.4.6 (npm `@daisy/ace-cli`, bin `ace-cli`) as Findings.

Ace is the EPUB accessibility check (standards §2e): it passes only with
`earl:outcome == "pass"` (no violation of any impact) and no missing
accessibility metadata other than the optional certifier credential and report.
It drives Debian's Chromium through puppeteer, never a downloaded browser.
"""

from __future__ import annotations

import json
import os
import re
import shutil
import signal
import subprocess
import tempfile
from pathlib import Path
from typing import Any

from editions.errors import Finding, Location, MissingProgram
from editions.paths import REPO_ROOT

ACE_BIN = REPO_ROOT / "node_modules" / ".bin" / "ace-cli"
CHROMIUM = Path("/usr/bin/chromium")

#: Ace takes about 2 s on a small EPUB; 5 minutes means it hangs.
TIMEOUT_S = 300

INSTALL_NODE = "apt-get install -y nodejs npm"
INSTALL_ACE = "bash scripts/install-node-tools.sh"
INSTALL_CHROMIUM = "apt-get install -y chromium"

#: Optional evaluator metadata (EPUB Accessibility 1.1 §2e): absent is fine.
OPTIONAL_METADATA = frozenset({"a11y:certifierCredential", "a11y:certifierReport"})

_ANSI = re.compile(r"\x1b\[[0-9;]*m")


def _command(epub: Path, out_dir: Path) -> tuple[list[str], dict[str, str]]:
    """Build the Ace command line and environment, or say what is missing."""
    node = shutil.which("node")
    if node is None:
        raise MissingProgram("Node.js >= 18 (needed by Ace by DAISY)", INSTALL_NODE)
    if not ACE_BIN.exists():
        raise MissingProgram(
            f"Ace by DAISY 1.4.6 ({ACE_BIN})", f"cd {REPO_ROOT} && {INSTALL_ACE}"
        )
    if not os.access(CHROMIUM, os.X_OK):
        raise MissingProgram(f"Chromium ({CHROMIUM}, used by Ace)", INSTALL_CHROMIUM)
    env = dict(os.environ)
    env["PUPPETEER_EXECUTABLE_PATH"] = str(CHROMIUM)
    env["PUPPETEER_SKIP_DOWNLOAD"] = "1"
    # Ace writes one log file per run under $XDG_STATE_HOME/DAISY Ace: keep it
    # in the scratch directory instead of piling up in the home directory.
    env["XDG_STATE_HOME"] = str(out_dir.parent / "state")
    # -f overwrite the output, -E exit 2 on violations. No -s: the console log
    # is captured, and it is the only place that says why Ace failed.
    cmd = [node, str(ACE_BIN), "-f", "-E", "-o", str(out_dir), str(epub)]
    return cmd, env


def run_ace(epub: Path) -> list[Finding]:
    """Check *epub* with Ace; every violation, outcome or metadata gap is an error."""
    if not epub.is_file():
        raise FileNotFoundError(f"no EPUB to check at {epub}")
    with tempfile.TemporaryDirectory(prefix="ace-") as tmp:
        out_dir = Path(tmp) / "report"
        cmd, env = _command(epub.resolve(), out_dir)
        returncode, output = _run(cmd, env, epub)
        report = out_dir / "report.json"
        try:
            data = json.loads(report.read_text(encoding="utf-8"))
        except (OSError, ValueError) as exc:
            return _no_report(returncode, output, epub, exc)
    return parse_report(data, epub)


def _no_report(
    returncode: int, output: str, epub: Path, exc: Exception
) -> list[Finding]:
    """Ace wrote no report: blame the browser, the EPUB or Ace, never pass."""
    plain = _ANSI.sub("", output)
    errors = [
        line.split(":", 1)[1].strip()
        for line in plain.splitlines()
        if line.startswith("error:")
    ]
    reason = " | ".join(errors)[-600:] or plain.strip()[-600:]
    if "Failed to launch the browser" in plain:
        raise MissingProgram(
            f"A Chromium that Ace can start ({CHROMIUM}: {reason})", INSTALL_CHROMIUM
        ) from exc
    if "Ace processing error" in plain:
        # Ace ran but could not read this EPUB (e.g. a corrupt ZIP).
        message = f"Ace could not process the EPUB: {reason}"
        return [Finding("ACE-PROCESSING", message, Location(epub))]
    raise MissingProgram(
        f"A working Ace by DAISY (exit {returncode}, no report.json: {reason})",
        f"{INSTALL_CHROMIUM} && cd {REPO_ROOT} && {INSTALL_ACE}",
    ) from exc


def _run(cmd: list[str], env: dict[str, str], epub: Path) -> tuple[int, str]:
    """Run Ace in its own process group so a timeout also ends its Chromium."""
    try:
        proc = subprocess.Popen(
            cmd,
            env=env,
            cwd=REPO_ROOT,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
            start_new_session=True,
        )
    except OSError as exc:
        raise MissingProgram(f"Ace by DAISY ({exc})", INSTALL_ACE) from exc
    try:
        output, _ = proc.communicate(timeout=TIMEOUT_S)
    except subprocess.TimeoutExpired as exc:
        os.killpg(proc.pid, signal.SIGKILL)
        proc.communicate()
        raise TimeoutError(
            f"Ace by DAISY did not finish within {TIMEOUT_S // 60} minutes on {epub}; "
            f"check that {CHROMIUM} starts headless (chromium --headless --no-sandbox)"
        ) from exc
    return proc.returncode, output or ""


def parse_report(data: Any, epub: Path) -> list[Finding]:
    """Turn Ace's `report.json` into Findings: violations, outcome, metadata gaps."""
    findings: list[Finding] = []
    for subject in data.get("assertions", []):
        doc = str(subject.get("earl:testSubject", {}).get("url", "")).lstrip("/")
        for assertion in subject.get("assertions", []):
            result = assertion.get("earl:result", {})
            if result.get("earl:outcome") == "pass":
                continue
            findings.append(_violation(assertion, doc, epub))
    outcome = data.get("earl:result", {}).get("earl:outcome")
    if outcome != "pass" and not findings:
        findings.append(
            Finding(
                "ACE-OUTCOME",
                f"Ace reports outcome {outcome!r} but lists no violation; "
                "open Ace's report.html for details",
                Location(epub),
            )
        )
    metadata = data.get("a11y-metadata", {})
    for prop in metadata.get("missing", []):
        if prop not in OPTIONAL_METADATA:
            findings.append(
                Finding(
                    "ACE-metadata-missing",
                    f"accessibility metadata {prop} is missing from the package",
                    Location(epub, key=prop),
                )
            )
    for prop in metadata.get("empty", []):
        findings.append(
            Finding(
                "ACE-metadata-empty",
                f"accessibility metadata {prop} is present but empty",
                Location(epub, key=prop),
            )
        )
    return findings


def _violation(assertion: dict[str, Any], doc: str, epub: Path) -> Finding:
    """One Ace/axe assertion: rule id, impact, what failed and where."""
    test = assertion.get("earl:test", {})
    result = assertion.get("earl:result", {})
    rule = str(test.get("dct:title", "unknown"))
    impact = str(test.get("earl:impact", "unknown"))
    what = str(test.get("dct:description", "")).strip()
    detail = str(result.get("dct:description", "")).strip().splitlines()
    message = f"[{impact}] {what}"
    if detail:
        message += f": {detail[0]}"
    help_url = test.get("help", {}).get("url")
    if help_url:
        message += f" (see {help_url})"
    pointer = result.get("earl:pointer", {})
    target = ", ".join(pointer.get("css", []) or pointer.get("cfi", []))
    key = f"{doc} {target}".strip() if target else doc or None
    return Finding(f"ACE-{rule}", message, Location(epub, key=key))
