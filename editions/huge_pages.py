"""Transparent huge pages off for a build and every process it starts.

A build makes and drops arrays of hundreds of MB: a chapter's samples, its master,
each decoded file. With the kernel's transparent huge pages ("always", Debian's
default), the first touch of such an array cost 0.02 to 0.95 s per 190 MB on this
machine, and 0.08 s without them; mastering an 18-minute chapter took 1.5 CPU-s
less in Python and 0.7 CPU-s less in ffmpeg. The setting (`prctl`
PR_SET_THP_DISABLE) belongs to the process, needs no privilege, is inherited across
fork and exec, and changes nothing else.
"""

from __future__ import annotations

import ctypes
import sys

_PR_SET_THP_DISABLE = 41  # <linux/prctl.h>, Linux 3.15 and later


def disable() -> bool:
    """Turn transparent huge pages off for this process and its future children.

    Return whether the kernel took it (elsewhere than Linux: nothing to do).
    """
    if not sys.platform.startswith("linux"):
        return False
    try:
        libc = ctypes.CDLL(None, use_errno=True)
        return int(libc.prctl(_PR_SET_THP_DISABLE, 1, 0, 0, 0)) == 0
    except (OSError, AttributeError):
        return False
