"""A build turns transparent huge pages off for itself and what it starts."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

from editions.linux import PR_SET_THP_DISABLE

_CHILD = f"""
import subprocess
from editions import huge_pages
from editions.linux import prctl

def state():  # THP_enabled of a new child: 1 while allowed, 0 when turned off
    status = subprocess.run(["grep", "THP_enabled", "/proc/self/status"],
                            capture_output=True, text=True, check=True).stdout
    return status.split()[1]

prctl({PR_SET_THP_DISABLE}, 0)  # allowed again (pytest may have run a build)
print(state(), huge_pages.disable(), state())
"""


def _kernel_shows_it() -> bool:
    """Kernels from 5.0 with huge pages built in show the setting in /proc."""
    status = Path("/proc/self/status")
    return (
        Path("/sys/kernel/mm/transparent_hugepage").is_dir()
        and status.exists()
        and "THP_enabled:" in status.read_text(encoding="utf-8")
    )


@pytest.mark.skipif(
    not sys.platform.startswith("linux") or not _kernel_shows_it(),
    reason="a Linux setting, shown in /proc/<pid>/status from kernel 5.0",
)
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
