"""Run liblouis (through Debian's python3-louis) for translation and back-translation.

The project's virtualenv is not Debian's Python, where python3-louis lives, so each
call sends one JSON batch to `louis_worker.py` under /usr/bin/python3. One process
per batch: a whole article is translated in a single call.
"""

from __future__ import annotations

import hashlib
import json
import os
import subprocess
from dataclasses import dataclass
from functools import cache
from pathlib import Path
from typing import Any

from editions.errors import MissingProgram

WORKER = Path(__file__).with_name("louis_worker.py")
#: Debian's Python, the one python3-louis installs `louis` for; override for tests.
PYTHON = os.environ.get("EDITIONS_LOUIS_PYTHON", "/usr/bin/python3")
INSTALL = "apt-get install -y liblouis-data python3-louis (or bash scripts/setup.sh)"
#: North American Braille ASCII (BRF): upper-case, the 64 cells embossers expect.
BRF_DISPLAY = "en-us-brf.dis"
TIMEOUT = 300


@dataclass(frozen=True)
class Translated:
    """Braille for one text, and where each input character landed in it."""

    braille: str
    out_pos: tuple[int, ...]  # input index → braille index


def call(requests: list[dict[str, Any]]) -> list[Any]:
    """Send a batch of requests to the worker and return its answers in order."""
    try:
        done = subprocess.run(
            [PYTHON, str(WORKER)],
            input=json.dumps(requests),
            capture_output=True,
            text=True,
            timeout=TIMEOUT,
            check=False,
        )
    except OSError as exc:
        what = f"Debian's Python for liblouis ({PYTHON})"
        raise MissingProgram(what, INSTALL) from exc
    if done.returncode == 3:
        raise MissingProgram(f"liblouis for {PYTHON}: {done.stderr.strip()}", INSTALL)
    if done.returncode != 0:
        raise RuntimeError(f"liblouis failed: {done.stderr.strip()[-2000:]}")
    answers: list[Any] = json.loads(done.stdout)
    return answers


@cache
def version() -> str:
    """Return liblouis's version and the worker's hash, for the edition's key.

    "not installed" when the route is missing: the key still forms, and the build
    then says how to install it when it tries to translate.
    """
    try:
        found = str(call([{"op": "version"}])[0])
    except (MissingProgram, RuntimeError):
        found = "not installed"
    return f"{found} {hashlib.sha256(WORKER.read_bytes()).hexdigest()[:16]}"


def find_table(query: str) -> str | None:
    """Return the table file liblouis's metadata search picks, or None."""
    found = call([{"op": "find", "query": query}])[0]
    return str(found) if found else None


def forward(
    table: str, items: list[tuple[str, list[tuple[int, int, str]]]]
) -> list[Translated]:
    """Translate each (text, emphasis spans) to BRF braille in one call."""
    request = {
        "op": "forward",
        "tables": [BRF_DISPLAY, table],
        "items": [{"text": t, "emphasis": e} for t, e in items],
    }
    return [Translated(a["braille"], tuple(a["out_pos"])) for a in call([request])[0]]


def backward(table: str, lines: list[str]) -> list[str]:
    """Back-translate BRF braille lines to print."""
    request = {"op": "backward", "tables": [BRF_DISPLAY, table], "items": lines}
    return [str(text) for text in call([request])[0]]


def unicode_cells(lines: list[str]) -> list[str]:
    """Show BRF lines as Unicode braille patterns (for sighted editors)."""
    request = {"op": "unicode", "tables": [BRF_DISPLAY], "items": lines}
    return [str(text) for text in call([request])[0]]
