"""Folder builds and sentence synthesis → tasks on an existing Dask distributed cluster.

Why Dask distributed rather than Ray: our tasks are plain Python calls on paths in a
shared folder (build one article, speak one sentence), which is what `Client.submit`
runs; its scheduler already reruns the task of a worker that dies on another worker;
and a worker is this project's own setup plus `dask worker tcp://host:8786`. Ray's
object store, actors and raylet daemon would be a second runtime we do not use.

Tasks carry paths, never file contents: every worker sees the source and output
folders at the same paths as this machine (a shared folder: NFS, SMB, a cloud file
share). The speech cache (`<out>/.cache/speech`) is shared as the local pool shares
it, since its entries are written atomically. Before anything is sent, every worker
is checked, so a misconfigured one fails the build at once instead of writing
different files: same code, styles, fonts and tools as here, the shared folders
seen and writable, and allowed to start processes (PDF layout and speech use them).
"""

from __future__ import annotations

import multiprocessing
import os
import sys
import tempfile
import uuid
from collections.abc import Callable, Iterable, Iterator, Mapping
from concurrent.futures import CancelledError, Executor
from contextlib import contextmanager, suppress
from dataclasses import dataclass, replace
from pathlib import Path
from typing import TYPE_CHECKING

from editions.errors import (
    EXIT_BAD_INPUT,
    EXIT_MISSING_PROGRAM,
    BuildFailed,
    Finding,
    Location,
)

if TYPE_CHECKING:
    from distributed import Client

    from editions.batch import Outcome
    from editions.job import BuildOptions

#: Schemes a scheduler on another machine listens on (`dask scheduler --protocol`).
SCHEMES = ("tcp", "tls")
WORKERS_SECONDS = 60  # for a first worker to join it
FOLDER_PROBE = ".cluster-probe-"  # a file the workers must read in a shared folder


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
                    "set it up like this machine "
                    "(scripts/setup.sh) and start it with the project on PYTHONPATH",
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


def _address_error(address: str) -> str:
    """Return why *address* is no scheduler address, or "" when it is one."""
    from distributed.comm.addressing import parse_address, parse_host_port

    try:
        scheme, location = parse_address(address)
        host, _ = parse_host_port(location)
    except (ValueError, TypeError) as err:
        return str(err)
    if scheme not in SCHEMES:
        return f"scheme {scheme}:// is not one of {', '.join(SCHEMES)}"
    return "" if host else "no host name"


@contextmanager
def connected(address: str, where: Location) -> Iterator[Client]:
    """Connect to the scheduler at *address* and wait for a worker; close on exit."""
    why = _address_error(address)
    if why:
        raise BuildFailed(
            [
                Finding(
                    "BLD020",
                    f"{address!r} is not a Dask scheduler address ({why}); "
                    "give it as tcp://host:8786",
                    where,
                )
            ],
            exit_code=EXIT_BAD_INPUT,
            summary="Nothing was built.",
        )
    from distributed import Client

    try:
        # How long to try: Dask's distributed.comm.timeouts.connect (30 s).
        client = Client(address, set_as_default=False)
    except (OSError, TimeoutError) as err:
        raise _unusable(
            "BLD021",
            f"cannot reach the Dask scheduler at {address} ({err}); start it "
            "(`dask scheduler`) or correct --scheduler",
            where,
        ) from None
    try:
        try:
            client.wait_for_workers(1, timeout=WORKERS_SECONDS)
        except TimeoutError:
            raise _unusable(
                "BLD022",
                f"no worker joined the scheduler at {address} within "
                f"{WORKERS_SECONDS} s; start workers with `dask worker {address}`",
                where,
            ) from None
        yield client
    finally:
        client.close()


def _unusable(code: str, message: str, where: Location) -> BuildFailed:
    return BuildFailed(
        [Finding(code, message, where)],
        exit_code=EXIT_MISSING_PROGRAM,
        summary="The cluster cannot be used; nothing was sent to it.",
    )


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
            probe = Path(folder) / f"{FOLDER_PROBE}{token}"
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


def build_articles(
    folder: Path,
    targets: Mapping[Path, Path],
    options: BuildOptions,
    build_one: Callable[[Path, Path, BuildOptions], Outcome],
) -> list[Outcome]:
    """Build each article (source → its output folder) as one task on the cluster.

    Results come back in the order of *targets*. A worker that dies costs only its
    task, which the scheduler runs again on another worker; an article whose
    workers keep dying fails alone (BLD027) while the others finish.
    """
    from distributed import KilledWorker, as_completed

    where = Location(Path(folder), key=f"--scheduler {options.scheduler}")
    jobs = {Path(s).resolve(): Path(o).resolve() for s, o in targets.items()}
    cache = Path(options.cache_dir).resolve() if options.cache_dir else None
    # Each worker speaks its article's sentences itself; the report function of
    # the caller stays here, where it can print.
    sendable = replace(options, scheduler="", cache_dir=cache, report=_to_stderr)
    epoch = os.environ.get("SOURCE_DATE_EPOCH")
    writable = [*{o.parent for o in jobs.values()}, *([cache] if cache else [])]
    with connected(options.scheduler, where) as client:
        check_workers(client, jobs, writable, where)
        token = uuid.uuid4().hex[:8]
        # Largest first, so the last worker is not left with a long article.
        order = sorted(jobs, key=lambda s: s.stat().st_size, reverse=True)
        futures = {
            client.submit(
                _on_worker,
                build_one,
                source,
                jobs[source],
                sendable,
                epoch,
                key=f"article-{jobs[source].name}-{source.stem}-{token}",
                pure=False,
            ): source
            for source in order
        }
        outcomes: dict[Path, Outcome] = {}
        for future in as_completed(futures, loop=client.loop):
            source = futures[future]
            try:
                outcome = future.result()
            except KilledWorker as err:
                outcome = _lost(source, jobs[source], "BLD027", _killed(err))
            except CancelledError:
                outcome = _lost(
                    source,
                    jobs[source],
                    "BLD028",
                    "the scheduler dropped this article's task (it restarted, or "
                    "lost this machine); build again: finished articles are reused",
                )
            outcomes[source] = outcome
            status = (
                f"failed (exit {outcome.exit_code})" if outcome.exit_code else "built"
            )
            options.report(f"[{len(outcomes)}/{len(jobs)}] {source}: {status}")
    return [outcomes[source] for source in jobs]


def _killed(err: BaseException) -> str:
    return (
        f"the workers building it died {getattr(err, 'allowed_failures', '')} "
        "time(s) and the scheduler gave up (distributed.scheduler.allowed-failures); "
        "give the workers more memory, then build again"
    )


def _lost(source: Path, out_dir: Path, code: str, message: str) -> Outcome:
    from editions.batch import Outcome

    finding = Finding(code, message, Location(source))
    return Outcome(source, out_dir, error=str(finding), exit_code=EXIT_MISSING_PROGRAM)


def _on_worker(
    build_one: Callable[[Path, Path, BuildOptions], Outcome],
    source: Path,
    out_dir: Path,
    options: BuildOptions,
    epoch: str | None,
) -> Outcome:
    """Build one article on a worker with this machine's SOURCE_DATE_EPOCH.

    The EPUB's date comes from it, so a worker started without it (or with another)
    still writes the bytes a local build would. It is set, not restored: a task
    on another thread of the worker, from the same build, needs the same value.
    """
    if epoch is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = epoch
    return build_one(source, out_dir, options)


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


@contextmanager
def speech_executor(
    address: str, cache_dir: Path, where: Location
) -> Iterator[Executor | None]:
    """Yield an executor on the cluster at *address* for sentence synthesis.

    Yields None when *address* is "" (synthesis stays in local processes). Workers
    write each sentence into *cache_dir*, which must be in the shared folder.
    """
    if not address:
        yield None
        return
    with connected(address, where) as client:
        check_workers(client, (), (Path(cache_dir).resolve(),), where)
        yield client.get_executor(pure=False)
