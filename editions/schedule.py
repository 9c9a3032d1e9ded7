"""Run one level of stale editions: forking ones beside the one that stays here.

WeasyPrint is single-threaded Python: laying out the PDFs in a forked process while
the audio is spoken keeps every core busy and costs no extra wall time. Errors come
back from the child as data (BuildFailed does not pickle) and are raised here, after
the edition running in this process has finished, so a finished edition still counts.
"""

from __future__ import annotations

import multiprocessing
import os
import time
from collections.abc import Callable, Sequence
from concurrent.futures import Future, ProcessPoolExecutor
from dataclasses import dataclass

from editions import progress
from editions.errors import BuildFailed, Finding, MissingProgram
from editions.job import Job, Made
from editions.process_role import name_this_process
from editions.registry import Edition

#: How far a forked edition yields to the one made here (`_yield_to_others`).
NICE = 5
#: The jobs of the editions made in forked processes, inherited by the fork.
_FORKED: dict[str, tuple[Edition, Job]] = {}


@dataclass(frozen=True)
class _Outcome:
    """What a forked step sends back: what it made, or the error it raised."""

    made: Made | None = None
    failed: tuple[list[Finding], int, str] | None = None
    missing: tuple[str, str] | None = None

    def unwrap(self) -> Made:
        """Return what was made, or raise the error the step raised."""
        if self.failed is not None:
            findings, exit_code, summary = self.failed
            raise BuildFailed(findings, exit_code, summary)
        if self.missing is not None:
            raise MissingProgram(*self.missing)
        assert self.made is not None
        return self.made


def run_level(
    editions: Sequence[Edition],
    job_of: Callable[[Edition], Job],
    done: Callable[[Edition, Made], None],
) -> None:
    """Make *editions* (none reuses another's files); call *done* as each finishes."""
    here = [e for e in editions if not e.forks]
    beside = [e for e in editions if e.forks] if here else []
    here = here or list(editions)
    pool: ProcessPoolExecutor | None = None
    pending: list[tuple[Edition, Future[_Outcome]]] = []
    if beside:
        # Fork, so the child starts at once with the Article already in memory.
        context = multiprocessing.get_context("fork")
        pool = ProcessPoolExecutor(
            len(beside), mp_context=context, initializer=_yield_to_others
        )
        # The jobs reach the child through the fork, not pickling: options may
        # hold any callable (the build's message sink).
        _FORKED.clear()
        _FORKED.update({e.name: (e, job_of(e)) for e in beside})
        pending = [(e, pool.submit(_make_as_data, e.name)) for e in beside]
    error: BaseException | None = None
    try:
        for edition in here:
            done(edition, _timed(edition, job_of(edition)))
    except BaseException as exc:
        error = exc
    if pool is not None:
        if isinstance(error, KeyboardInterrupt):
            pool.shutdown(wait=False, cancel_futures=True)
            raise error
        try:
            for edition, future in pending:
                # Waited for even when this process failed, so a finished one counts.
                done(edition, future.result().unwrap())
        except BaseException as exc:
            error = error or exc
        finally:
            # Stopped by a signal: the forked edition is not waited for (the build's
            # guard stops it), only a finished one counts.
            stopped = isinstance(error, KeyboardInterrupt)
            pool.shutdown(wait=not stopped, cancel_futures=stopped)
    if error is not None:
        raise error


def _timed(edition: Edition, job: Job) -> Made:
    """Run the step, timing it when the step does not time itself."""
    started = time.perf_counter()
    progress.update(edition.name, 0, None, "working")
    made: Made = edition.step().make(job)
    progress.finish(edition.name)
    if made.seconds:
        return made
    return Made(made.files, made.extra_files, made.facts, time.perf_counter() - started)


def _make_as_data(name: str) -> _Outcome:
    """Run a step in the forked process; errors travel back as data."""
    edition, job = _FORKED[name]
    name_this_process(name)
    try:
        return _Outcome(made=_timed(edition, job))
    except BuildFailed as err:
        return _Outcome(failed=(err.findings, err.exit_code, err.summary))
    except MissingProgram as err:
        return _Outcome(missing=(err.what, err.how_to_install))


def _yield_to_others() -> None:
    """Lower the forked process's priority: the edition made here (speech) is the
    longer path, so the layout should take mostly the cycles it leaves idle.

    Not all of them: at nice 10 the PDF of a long book still ran for 10 to 35 s
    after the audio, alone on one core, because speech kept both cores busy;
    at nice 5 it gets about a quarter of a core beside speech and is done first.
    """
    os.nice(NICE)
