"""The mastering workers: forked on demand from one server that loaded the DSP once.

Mastering needs scipy.signal, scipy.ndimage and pyloudnorm (about 1 CPU-s to
import), which the build's main process leaves unloaded. A fork pool made each
worker import them: one per core, even in an edit that masters one chapter. Here the
stdlib fork server (`multiprocessing` "forkserver") imports them once
(`dsp_server`, its preload), and a pool with that context forks a worker from it
only when a chapter is waiting (Python 3.11 spawns non-fork workers on demand).

The server lives as long as the process that started it (a test session masters
many builds with one), dies with it (`parent_death`), and is stopped and
reaped when that process exits, so its CPU time counts as the build's.
"""

from __future__ import annotations

import atexit
import json
import multiprocessing
import os
import signal
import threading
from concurrent.futures import ProcessPoolExecutor
from multiprocessing import forkserver, spawn
from multiprocessing.context import BaseContext

from editions.process_role import name_this_process

#: What the server imports before it forks any worker. Not `__main__`: a worker
#: only runs `editions` functions, and a user's script without a `__main__` guard
#: would run again (a build in the server). See `dsp_server.adopt_main`.
PRELOAD = ["editions.audio.dsp_server"]
#: What the server is told (JSON): the build's pid, for it to tell whether it
#: outlived the build while starting, and the build's `__main__` (`spawn`'s
#: preparation data), which each worker would otherwise import again.
SERVER_ENV = "EDITIONS_FORK_SERVER"

_started_by: int | None = None  # the pid that started this process's server


def pool(workers: int) -> ProcessPoolExecutor:
    """Return a pool of at most *workers* mastering workers, none started yet."""
    return ProcessPoolExecutor(
        workers,
        mp_context=context(),
        initializer=name_this_process,
        initargs=("master",),
    )


def context() -> BaseContext:
    """Return the fork server's context, starting the server if need be.

    The kernel signals the server when the *thread* that started it ends
    (PR_SET_PDEATHSIG), so only the main thread starts it. Elsewhere, before it
    runs, workers fork from this process as before (each imports what it needs).
    """
    if _started_by == os.getpid():
        return multiprocessing.get_context("forkserver")
    if threading.current_thread() is not threading.main_thread():
        return multiprocessing.get_context("fork")
    start_server()
    return multiprocessing.get_context("forkserver")


def start_server() -> None:
    """Start the fork server now (it imports the DSP libraries meanwhile)."""
    global _started_by
    if _started_by == os.getpid():
        return
    fork_server = multiprocessing.get_context("forkserver")
    fork_server.set_forkserver_preload(PRELOAD)
    told = spawn.get_preparation_data("master")
    told = {k: v for k, v in told.items() if k.startswith("init_main_from_")}
    os.environ[SERVER_ENV] = json.dumps({"parent": os.getpid(), **told})
    try:
        forkserver.ensure_running()
    finally:
        del os.environ[SERVER_ENV]
    if _started_by is None:
        atexit.register(_stop_server)
    _started_by = os.getpid()


def _stop_server() -> None:
    """Stop this process's server and reap it: its CPU time is counted as ours
    (`getrusage` of a build's caller), and nothing outlives the build.

    Python 3.11 has no public call for this; `_stop` is the one its tests use.
    """
    server = forkserver._forkserver
    pid = server._forkserver_pid
    if _started_by != os.getpid() or pid is None:
        return
    try:
        os.kill(pid, signal.SIGTERM)  # at once, even if a worker still holds it
    except ProcessLookupError:
        pass
    server._stop()


def _forget_server() -> None:
    """In a forked child: leave the parent's server to the parent.

    The child inherits the server's state; using it would fail (the server is not
    the child's to wait for), and the inherited pipe would keep it alive. A build
    in the child starts its own server, which dies with that build.
    """
    global _started_by
    server = forkserver._forkserver
    if server._forkserver_pid is None:
        return  # no server here (in a server's worker, only the address is set)
    if server._forkserver_alive_fd is not None:
        os.close(server._forkserver_alive_fd)
    server._forkserver_alive_fd = None
    server._forkserver_address = None
    server._forkserver_pid = None
    server._lock = threading.Lock()  # another thread may have held it at the fork
    _started_by = None


os.register_at_fork(after_in_child=_forget_server)
