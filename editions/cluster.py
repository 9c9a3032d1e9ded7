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
is checked (`editions.cluster_check`).
"""

from __future__ import annotations

import os
import sys
import uuid
from collections.abc import Callable, Iterator, Mapping
from concurrent.futures import CancelledError, Executor
from contextlib import contextmanager
from dataclasses import replace
from pathlib import Path
from typing import TYPE_CHECKING

from editions.cluster_check import check_workers
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
