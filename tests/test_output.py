"""Staged writes: each process writes its own scratch file, then replaces the target."""

from __future__ import annotations

import multiprocessing
import os
import signal
from multiprocessing.connection import Connection
from pathlib import Path

from editions.output import staged


def _stage_and_wait(target: Path, conn: Connection) -> None:
    """In a forked process: start a staged write, say where, wait to be killed."""
    with staged(target) as scratch:
        scratch.write_bytes(b"stray writer's half")
        conn.send(str(scratch))
        conn.recv()  # killed before it answers
    os._exit(0)


def test_a_stray_writer_and_the_retry_never_share_a_scratch_file(
    tmp_path: Path,
) -> None:
    target = tmp_path / "article.pdf"
    ours, theirs = multiprocessing.get_context("fork").Pipe()
    stray = multiprocessing.get_context("fork").Process(
        target=_stage_and_wait, args=(target, theirs)
    )
    stray.start()
    try:
        stray_scratch = Path(ours.recv())
        with staged(target) as scratch:
            assert scratch != stray_scratch
            assert scratch.name == f".article.pdf.{os.getpid()}.part"
            assert stray_scratch.name == f".article.pdf.{stray.pid}.part"
            scratch.write_bytes(b"the retry's whole file")
        assert target.read_bytes() == b"the retry's whole file"
        assert stray_scratch.read_bytes() == b"stray writer's half"  # untouched
    finally:
        os.kill(stray.pid, signal.SIGKILL)
        stray.join(30)
