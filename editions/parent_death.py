"""Processes that die with the one that started them (Linux PR_SET_PDEATHSIG).

The build's own helpers get this from `interrupt` (an at-fork hook). The mastering
fork server (`audio.dsp_server`) is a fresh interpreter the build starts, and its
workers are its children, not the build's: the chain build → server → worker →
encoder holds only if each link dies with the one before. This module serves that
chain without importing the build driver, which no audio module may depend on.
"""

from __future__ import annotations

import os
import signal

from editions.linux import PR_SET_PDEATHSIG, prctl

_forking_from = 0  # the pid that is forking, as the child finds it


def die_with_parent(parent: int | None) -> None:
    """Have the kernel send SIGTERM when this process's parent dies; if *parent*
    (the pid that started it) is already gone, exit now."""
    prctl(PR_SET_PDEATHSIG, signal.SIGTERM)
    if parent is not None and os.getppid() != parent:
        os._exit(128 + signal.SIGTERM)


def children_die_with_this_process() -> None:
    """Make every process forked from here from now on die with this one.

    SIGTERM's default action ends the child at once; its encoders die with it
    (`encode._DIE_WITH_BUILD`).
    """
    os.register_at_fork(before=_before_fork, after_in_child=_after_fork_in_child)


def _before_fork() -> None:
    global _forking_from
    _forking_from = os.getpid()


def _after_fork_in_child() -> None:
    signal.signal(signal.SIGTERM, signal.SIG_DFL)
    die_with_parent(_forking_from)
