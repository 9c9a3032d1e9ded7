"""The M4B is muxed in the background while the MP3 is joined (`in_background`)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from editions.audio.encode import in_background


def test_the_command_runs_while_the_body_does_and_is_done_after(tmp_path: Path) -> None:
    flag = tmp_path / "done"
    started = time.monotonic()
    with in_background(["sh", "-c", f"sleep 0.5; touch {flag}"]):
        assert not flag.exists()  # the body did not wait for it
        inside = time.monotonic() - started
    assert flag.exists()  # the context waited for it
    assert inside < 0.4


def test_a_failing_command_raises_with_what_it_said() -> None:
    with pytest.raises(RuntimeError, match="sh failed: broken muxer"):
        with in_background(["sh", "-c", "echo broken muxer >&2; exit 3"]):
            pass


def test_a_failing_body_kills_the_command_at_once(tmp_path: Path) -> None:
    flag = tmp_path / "late"
    started = time.monotonic()
    with pytest.raises(KeyboardInterrupt):
        with in_background(["sh", "-c", f"sleep 5; touch {flag}"]):
            raise KeyboardInterrupt  # as a signal stopping the build does
    assert time.monotonic() - started < 2
    time.sleep(0.2)
    assert not flag.exists()
