"""A build turns transparent huge pages off for itself and what it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

_CHILD = """
import ctypes, subprocess
from editions import huge_pages

def state():  # THP_enabled of a new child: 1 while allowed, 0 when turned off
    status = subprocess.run(["grep", "THP_enabled", "/proc/self/status"],
                            capture_output=True, text=True, check=True).stdout
    return status.split()[1]

ctypes.CDLL(None).prctl(41, 0, 0, 0, 0)  # allowed again (pytest may have a build's)
print(state(), huge_pages.disable(), state())
"""


@pytest.mark.skipif(not sys.platform.startswith("linux"), reason="a Linux setting")
def test_children_inherit_huge_pages_off() -> None:
    shown = subprocess.run(
        [sys.executable, "-c", _CHILD], capture_output=True, text=True, check=True
    ).stdout.split()
    assert shown == ["1", "True", "0"]


def test_a_build_turns_them_off_before_its_workers_start(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from editions import build

    called: list[str] = []
    monkeypatch.setattr(build.huge_pages, "disable", lambda: called.append("off"))
    monkeypatch.setattr(build, "_build", lambda *a: called.append("build"))
    monkeypatch.setattr(build.interrupt, "guarded", _Nothing)
    build.build(Path("a.md"), Path("out"))
    assert called == ["off", "build"]


class _Nothing:
    """Stands in for `interrupt.guarded` (no signal handlers in a unit test)."""

    def __init__(self, *args: object) -> None:
        pass

    def __enter__(self) -> None:
        return None

    def __exit__(self, *args: object) -> None:
        return None
