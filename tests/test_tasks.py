"""The Invoke layer: every task is listed and documented."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def test_invoke_list_documents_every_task() -> None:
    listing = subprocess.run(
        [sys.executable, "-m", "invoke", "--list"],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=True,
    ).stdout
    for name in ("build", "pdf", "epub", "html", "audio", "check", "test", "clean"):
        line = next(
            (ln for ln in listing.splitlines() if ln.strip().startswith(name + " ")), ""
        )
        assert len(line.split()) > 2, f"task {name} has no description: {listing}"


def test_bad_source_exits_3_and_names_the_line(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "data" / "bad" / "unknown-citation.md"
    result = subprocess.run(
        [
            sys.executable,
            "-m",
            "invoke",
            "pdf",
            "--source",
            str(bad),
            "--out",
            str(tmp_path / "out"),
        ],
        cwd=ROOT,
        capture_output=True,
        text=True,
        check=False,
    )
    assert result.returncode == 3
    assert "unknown-citation.md:11: error REF002" in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()
