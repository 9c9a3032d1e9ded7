"""Stopping a build safely: one build per folder, signals unwind, helpers die with it.

While a build runs, SIGTERM and SIGINT in its process raise `Interrupted` (a
KeyboardInterrupt), so every `finally` runs: staged `.part` files are removed and
encoders are killed. The processes it forks (the PDF layout beside the speech, the
chapter encoders, the speech workers) are told by the kernel when the build dies
(PR_SET_PDEATHSIG), even by SIGKILL; on that signal they kill their own encoders
and exit at once. The mastering fork server (`audio.workers`) is a child of the build
and its workers are children of the server: each link dies with the one before
(`parent_death`). What a SIGKILL still leaves is removed by the next build
(`editions.debris`), and the manifest never records an edition that was not finished,
so the next build redoes exactly what was cut short.

`EDITIONS_TEST_STOP_AFTER=<edition>:<written|recorded>` (tests only) makes the
build send itself `EDITIONS_TEST_STOP_SIGNAL` (KILL, TERM or INT; default KILL)
right after that edition's files are written, or right after the manifest recorded
them.
"""

from __future__ import annotations

import multiprocessing
import os
import signal
import sys
import threading
from collections.abc import Iterator
from concurrent.futures.process import BrokenProcessPool
from contextlib import contextmanager
from pathlib import Path
from types import FrameType
from typing import TYPE_CHECKING

from editions import debris, lock, progress
from editions.errors import BuildFailed, Finding, Location
from editions.linux import PR_SET_PDEATHSIG, prctl

if TYPE_CHECKING:
    from editions.job import BuildOptions

STOPPED, SWEPT, HELPER_LOST = "BLD004", "BLD005", "BLD006"
SCRATCH_SWEPT = "BLD032"
SIGNALS = (signal.SIGTERM, signal.SIGINT)
STOP_AFTER_ENV = "EDITIONS_TEST_STOP_AFTER"
STOP_SIGNAL_ENV = "EDITIONS_TEST_STOP_SIGNAL"
HELPER_GRACE = 5.0  # seconds a helper has to exit before it is killed
_owner: int | None = None  # the pid running a build, in it and in what it forks
_forking_from = 0  # the pid that is forking, as the child finds it
_received: int | None = None  # the signal that stopped this process's build


class Interrupted(KeyboardInterrupt):
    """The build was stopped by a signal; what it finished is kept."""

    def __init__(self, signum: int) -> None:
        self.signum = signum
        self.exit_code = 128 + signum  # what a shell reports for a killed process
        name = signal.Signals(signum).name
        super().__init__(
            f"the build was stopped by {name}; run it again to finish the editions"
        )

    def __reduce__(self) -> tuple[type[Interrupted], tuple[int]]:
        """Cross a process boundary whole (a batch's worker raises it)."""
        return (Interrupted, (self.signum,))


@contextmanager
def guarded(out_dir: Path, options: BuildOptions) -> Iterator[None]:
    """Run a build into *out_dir* alone, and leave no debris if a signal stops it."""
    global _owner, _received
    out_dir = Path(out_dir)
    wait = lock.wait_seconds(out_dir)
    outer = _owner
    _owner, _received = os.getpid(), None
    check = progress.set_checkpoint(_raise_if_stopped)
    try:
        with _signals_raise(), lock.locked(out_dir, wait, options.report):
            _report_swept(out_dir, debris.sweep(out_dir, options.cache_dir), options)
            _report_scratch(debris.sweep_scratch(), options)
            try:
                yield
                _raise_if_stopped()  # a signal whose exception something swallowed
            except BaseException as err:
                lost = isinstance(err, BrokenProcessPool)  # a helper was killed
                if _received is None and not lost:
                    raise
                _stop_helpers()
                removed = debris.sweep(out_dir, options.cache_dir)
                if _received is None:
                    raise _helper_lost(out_dir, len(removed)) from err
                options.report(str(_stopped(out_dir, _received, len(removed))))
                raise Interrupted(_received) from None
    finally:
        _owner = outer
        progress.set_checkpoint(check)


def stop_point(edition: str, moment: str) -> None:
    """Stop here if a signal came whose exception was swallowed; send this build
    the test signal if EDITIONS_TEST_STOP_AFTER names this point."""
    _raise_if_stopped()
    if os.environ.get(STOP_AFTER_ENV) != f"{edition}:{moment}":
        return
    name = os.environ.get(STOP_SIGNAL_ENV, "KILL").upper().removeprefix("SIG")
    os.kill(os.getpid(), signal.Signals[f"SIG{name}"])


@contextmanager
def _signals_raise() -> Iterator[None]:
    """Turn SIGTERM and SIGINT into `Interrupted` for the block (main thread only)."""
    if threading.current_thread() is not threading.main_thread():
        yield  # signals are delivered to the main thread; its handlers stay
        return
    previous = {s: signal.signal(s, _on_signal) for s in SIGNALS}
    try:
        yield
    finally:
        for signum, handler in previous.items():
            signal.signal(signum, handler)


def _on_signal(signum: int, frame: FrameType | None) -> None:
    global _received
    if os.getpid() != _owner:
        # A forked helper: its parent build stops (or died); stop writing at once.
        _kill_children()
        os._exit(128 + signum)
    if _received is not None:
        return  # already unwinding: let the clean-up finish
    _received = signum
    raise Interrupted(signum)


def _raise_if_stopped() -> None:
    """Raise `Interrupted` again if this build received a signal and carried on.

    The handler raises where the signal lands; code that ignores exceptions (an
    at-fork hook such as logging's `_releaseLock`, a finaliser) can swallow it, and
    the build must still stop: at the next progress count (`progress.update`, every
    sentence, page or chapter), the next edition boundary, or before it reports
    success. Never while an exception unwinds: the clean-up in `finally` runs whole.
    """
    if (
        _received is not None
        and os.getpid() == _owner
        and threading.current_thread() is threading.main_thread()
        and sys.exc_info()[1] is None  # not while an exception unwinds (finally)
    ):
        raise Interrupted(_received)


def _stop_helpers() -> None:
    """Stop the processes the build forked and wait until they have exited.

    They hold the folder's lock and may be writing into it: the sweep and the next
    build must come after them.
    """
    helpers = multiprocessing.active_children()
    for helper in helpers:
        helper.terminate()
    for helper in helpers:
        helper.join(HELPER_GRACE)
        if helper.is_alive():
            helper.kill()
            helper.join()


def _kill_children() -> None:
    """SIGKILL this process's children (encoders a helper started)."""
    for pid in _children():
        try:
            os.kill(pid, signal.SIGKILL)
        except ProcessLookupError:
            continue


def _children() -> list[int]:
    pids = []
    for task in Path(f"/proc/{os.getpid()}/task").glob("*"):
        try:
            pids += [int(p) for p in (task / "children").read_text().split()]
        except OSError:
            continue
    return pids


def _before_fork() -> None:
    global _forking_from
    _forking_from = os.getpid()


def _after_fork_in_child() -> None:
    """Ask the kernel to signal this helper when the build that forked it dies."""
    if _owner is None:
        return  # not forked by a build
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if os.getppid() != _forking_from:  # it died before the request took effect
        os._exit(128 + signal.SIGTERM)


os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


def _report_scratch(removed: list[Path], options: BuildOptions) -> None:
    if not removed:
        return
    options.report(
        str(
            Finding(
                SCRATCH_SWEPT,
                f"removed {len(removed)} scratch folder(s) of killed builds "
                f"({', '.join(sorted(p.name for p in removed)[:5])})",
                Location(removed[0].parent),
                "warning",
            )
        )
    )


def _report_swept(out_dir: Path, removed: list[Path], options: BuildOptions) -> None:
    if not removed:
        return
    names = ", ".join(sorted({p.name for p in removed})[:5])
    options.report(
        str(
            Finding(
                SWEPT,
                f"removed {len(removed)} partial file(s) an interrupted build left "
                f"behind ({names}); its unfinished editions are rebuilt now",
                Location(out_dir),
                "warning",
            )
        )
    )


def _stopped(out_dir: Path, signum: int, removed: int) -> Finding:
    swept = f"removed {removed} partial file(s); " if removed else ""
    message = (
        f"the build was stopped by {signal.Signals(signum).name}; {swept}the "
        "editions it finished are kept and the next build makes the rest"
    )
    return Finding(STOPPED, message, Location(out_dir), "warning")


def _helper_lost(out_dir: Path, removed: int) -> BuildFailed:
    """A helper process died mid-edition (the OOM killer, a stray `kill`)."""
    swept = f"removed {removed} partial file(s); " if removed else ""
    message = (
        "a process of the build (the PDF layout, a chapter encoder or a speech "
        f"worker) was killed; {swept}the editions finished before it are kept; "
        "build again (if memory ran out, close other programs first)"
    )
    return BuildFailed(
        [Finding(HELPER_LOST, message, Location(out_dir))],
        exit_code=lock.EXIT_BUSY,
        summary="The build stopped; the next build makes the unfinished editions.",
    )
