"""One build at a time per output folder: a lock file the kernel lets go of.

`flock` on `<out>/.editions.lock`. The kernel releases the lock when every process
holding the file has ended, so a build that was killed never leaves a stale lock,
and the helpers a build forked (the PDF layout, the chapter encoders) keep it held
until they have stopped writing too. The holder writes who it is into the file, so a
second build can say whom it waits for; the file is removed on release, so a
finished build leaves nothing behind.
"""

from __future__ import annotations

import fcntl
import json
import os
import socket
import sys
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path

from editions.errors import BuildFailed, Finding, Location

LOCK_NAME = ".editions.lock"
#: How long a build waits for another one writing into the same folder (seconds).
WAIT_ENV = "EDITIONS_LOCK_WAIT"
DEFAULT_WAIT = 900.0
#: Exit code when the folder stayed busy (sysexits' EX_TEMPFAIL: try again later).
EXIT_BUSY = 75
POLL = 0.2  # seconds between attempts; a signal still stops the wait at once

BUSY, WAITING, BAD_WAIT = "BLD001", "BLD002", "BLD003"


def lock_path(out_dir: Path) -> Path:
    """Return the lock file of *out_dir*."""
    return Path(out_dir) / LOCK_NAME


def wait_seconds(out_dir: Path) -> float:
    """Return how long to wait for the folder: EDITIONS_LOCK_WAIT, else 15 minutes."""
    text = os.environ.get(WAIT_ENV, "").strip()
    if not text:
        return DEFAULT_WAIT
    try:
        seconds = float(text)
    except ValueError:
        seconds = -1.0
    if not 0 <= seconds < float("inf"):
        raise BuildFailed(
            [
                Finding(
                    BAD_WAIT,
                    f"{WAIT_ENV}={text!r} is not a number of seconds; "
                    "set it to 0 (never wait) or more",
                    Location(lock_path(out_dir), key=WAIT_ENV),
                )
            ]
        )
    return seconds


@contextmanager
def locked(out_dir: Path, wait: float, report: Callable[[str], None]) -> Iterator[None]:
    """Hold *out_dir*'s lock for the block, waiting up to *wait* seconds for it.

    Raises BuildFailed (BLD001, exit 75) when another build still holds it then. A
    folder this call had to create is removed again if the block left it empty
    (bad input writes nothing).
    """
    out_dir = Path(out_dir)
    created = not out_dir.exists()
    out_dir.mkdir(parents=True, exist_ok=True)
    path = lock_path(out_dir)
    fd = _acquire(path, wait, report)
    try:
        yield
    finally:
        # Unlink while still holding it: a build that opened the old file and locks
        # it afterwards sees it was removed and opens the new one (`_same_file`).
        path.unlink(missing_ok=True)
        os.close(fd)
        if created and not any(out_dir.iterdir()):
            out_dir.rmdir()


def _acquire(path: Path, wait: float, report: Callable[[str], None]) -> int:
    """Lock *path*, polling until *wait* seconds have passed; return its descriptor."""
    deadline = time.monotonic() + wait
    told = False
    while True:
        # The holder removes a folder it created and left empty (bad input), maybe
        # while we waited: make it again rather than fail to open the lock file.
        path.parent.mkdir(parents=True, exist_ok=True)
        fd = os.open(path, os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o644)
        try:
            fcntl.flock(fd, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            os.close(fd)
            who = holder(path)
            if time.monotonic() >= deadline:
                raise _busy(path, who, wait) from None
            if not told:
                report(str(_waiting(path, who, wait)))
                told = True
            time.sleep(min(POLL, max(0.0, deadline - time.monotonic())))
            continue
        if _same_file(fd, path):
            _write_holder(fd)
            return fd
        os.close(fd)  # it was removed while we waited: lock the current one


def _same_file(fd: int, path: Path) -> bool:
    try:
        now = path.stat()
    except FileNotFoundError:
        return False
    held = os.fstat(fd)
    return (now.st_dev, now.st_ino) == (held.st_dev, held.st_ino)


def _write_holder(fd: int) -> None:
    """Say who holds the lock, for the message of a build that has to wait."""
    record = {
        "pid": os.getpid(),
        "host": socket.gethostname(),
        "started": datetime.now(UTC).strftime("%Y-%m-%d %H:%M:%S UTC"),
        "command": " ".join([Path(sys.argv[0]).name, *sys.argv[1:]])[:200],
    }
    os.ftruncate(fd, 0)
    os.pwrite(fd, json.dumps(record).encode("utf-8"), 0)


def holder(path: Path) -> str:
    """Describe the build holding *path* ("pid 41 on clinic-pc, since …")."""
    try:
        record = json.loads(path.read_text(encoding="utf-8"))
        return (
            f"pid {record['pid']} on {record['host']}, running "
            f"`{record['command']}` since {record['started']}"
        )
    except (OSError, ValueError, KeyError, TypeError):
        return "a build that has not said who it is yet"


def _waiting(path: Path, who: str, wait: float) -> Finding:
    return Finding(
        WAITING,
        f"another build is writing into {path.parent} ({who}); waiting up to "
        f"{wait:.0f} s for it to finish ({WAIT_ENV} sets how long)",
        Location(path),
        "warning",
    )


def _busy(path: Path, who: str, wait: float) -> BuildFailed:
    return BuildFailed(
        [
            Finding(
                BUSY,
                f"another build is still writing into {path.parent} ({who}) after "
                f"{wait:.0f} s; let it finish (or stop it) and build again, or "
                f"build into another folder",
                Location(path),
            )
        ],
        exit_code=EXIT_BUSY,
        summary="Nothing was written: two builds must not write one folder at once.",
    )
