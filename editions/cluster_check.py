"""Dask workers → findings: what stops each from writing what this machine would.

Run before any task is sent (`editions.cluster`), so a misconfigured worker fails
the build at once instead of writing other bytes: it must run the same code, styles,
fonts and tools as this machine, see the shared folders (a probe file written here
and read there proves it is the same folder, not one of the same name), write to
them, and be allowed to start processes (PDF layout and speech use them). The
scheduler must load this package too: it unpickles every task.
"""

from __future__ import annotations

import multiprocessing
import os
import tempfile
import uuid
from collections.abc import Iterable, Mapping
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING

from editions.errors import EXIT_MISSING_PROGRAM, BuildFailed, Finding, Location

if TYPE_CHECKING:
    from distributed import Client

PROBE = ".cluster-probe-"  # a file the workers must read in a shared folder


@dataclass(frozen=True)
class WorkerFacts:
    """What one worker reports about itself before it is given work."""

    fingerprint: dict[str, str]  # see `fingerprint()`
    daemon: bool  # a daemonic process may not start child processes
    unseen: tuple[str, ...] = ()  # files it cannot read, or reads other bytes of
    unwritable: tuple[str, ...] = ()  # shared folders it cannot write to


def fingerprint() -> dict[str, str]:
    """Hash what shapes an edition's bytes: this package, styles, fonts and tools.

    Two machines with equal fingerprints write the same files from the same source.
    """
    from editions import state

    code = sorted(state.PACKAGE.rglob("*.py"))
    # Read the tools afresh: a cached reading may predate an install (or, in one
    # process running many builds, a moment when ffmpeg could not be found).
    state.environment.cache_clear()
    return {
        "editions code": state.digest(
            [(str(p.relative_to(state.PACKAGE)), state.sha256_file(p)) for p in code]
        ),
        "styles": state.styles(),
        "fonts": state.fonts(),
        "tools": state.environment(),  # dependency versions, ffmpeg, Python
    }


def worker_facts(expected: Mapping[str, str], writable: Iterable[str]) -> WorkerFacts:
    """Report this worker's fingerprint and what it sees of the shared folders.

    *expected* maps files to the sha256 this machine read; *writable* are folders the
    worker must be able to write to. Runs on every worker (`Client.run`).
    """
    from editions.state import sha256_file

    unseen = tuple(p for p, sha in expected.items() if sha256_file(Path(p)) != sha)
    unwritable = []
    for folder in writable:
        try:
            handle, scratch = tempfile.mkstemp(dir=folder, prefix=".cluster-write-")
            os.close(handle)
            Path(scratch).unlink()
        except OSError:
            unwritable.append(folder)
    daemon = bool(multiprocessing.current_process().daemon)
    return WorkerFacts(fingerprint(), daemon, unseen, tuple(unwritable))


def _loaded() -> bool:
    """Return True: that this ran proves the scheduler could unpickle it."""
    return True


def problems(
    facts: Mapping[str, WorkerFacts | BaseException],
    mine: Mapping[str, str],
    where: Location,
) -> list[Finding]:
    """Return what stops each worker from building what this machine would build."""
    found = []
    for worker, fact in sorted(facts.items()):
        if isinstance(fact, BaseException):  # e.g. it cannot import `editions`
            found.append(
                Finding(
                    "BLD023",
                    f"{_named(worker)} cannot run this project's code ({fact}); "
                    "set it up like this machine (scripts/setup.sh, same commit and "
                    "path) and start it from the project's .venv",
                    where,
                )
            )
            continue
        differ = [
            name for name, value in mine.items() if fact.fingerprint.get(name) != value
        ]
        if differ:
            found.append(
                Finding(
                    "BLD024",
                    f"worker {worker} has other {', '.join(differ)} than this machine, "
                    "so its editions would differ; install the same commit there "
                    "with scripts/setup.sh",
                    where,
                )
            )
        found += [
            Finding(
                "BLD025",
                f"worker {worker} does not see {path} as this machine does; mount "
                "the shared folder at the same path on every worker",
                where,
            )
            for path in fact.unseen
        ]
        found += [
            Finding(
                "BLD025",
                f"worker {worker} cannot write to {folder}; give the worker's user "
                "write access to the shared folder",
                where,
            )
            for folder in fact.unwritable
        ]
        if fact.daemon:
            found.append(
                Finding(
                    "BLD026",
                    f"worker {worker} runs as a daemon process, which may not start "
                    "the PDF layout and speech processes; start workers with "
                    "DASK_DISTRIBUTED__WORKER__DAEMON=False",
                    where,
                )
            )
    return found


def _named(who: str) -> str:
    return who if who.startswith("scheduler") else f"worker {who}"


def check_workers(
    client: Client,
    readable: Iterable[Path],
    writable: Iterable[Path],
    where: Location,
) -> None:
    """Refuse the cluster unless every worker would write what this machine would.

    *readable* are files the workers must see; *writable* folders they write into
    (created here first). A probe file written here proves a worker sees the very
    same folder, not a local one of the same name.
    """
    from editions.state import sha256_file

    expected = {str(p): sha256_file(p) for p in readable}
    token = uuid.uuid4().hex
    probes = []
    folders = [str(f) for f in dict.fromkeys(Path(w) for w in writable)]
    made = [p for f in folders for p in (Path(f), *Path(f).parents) if not p.exists()]
    try:
        for folder in folders:
            Path(folder).mkdir(parents=True, exist_ok=True)
            probe = Path(folder) / f"{PROBE}{token}"
            probe.write_text(token, encoding="utf-8")
            probes.append(probe)
            expected[str(probe)] = sha256_file(probe)
        facts = client.run(worker_facts, expected, folders, on_error="return")
        # The scheduler unpickles every task, so it needs this package too.
        scheduler = client.scheduler.address
        try:
            client.run_on_scheduler(_loaded)
        except Exception as err:  # the exception a scheduler without us raises
            facts = {**facts, f"scheduler {scheduler}": err}
    finally:
        for probe in probes:
            probe.unlink(missing_ok=True)
        for folder in sorted(set(made), key=lambda p: len(p.parts), reverse=True):
            with suppress(OSError):  # the build makes them again when it writes
                folder.rmdir()
    found = problems(facts, fingerprint(), where)
    if found:
        raise BuildFailed(
            found,
            exit_code=EXIT_MISSING_PROGRAM,
            summary=f"{len(found)} problem(s) with the cluster; nothing "
            "was sent to it.",
        )
