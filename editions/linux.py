"""The one Linux call three modules need: `prctl`, through the C library.

Dying with a parent (`parent_death`, `interrupt`) and huge pages off
(`huge_pages`) are each a process setting the kernel keeps and forks inherit.
"""

from __future__ import annotations

import ctypes
import sys

PR_SET_PDEATHSIG = 1
PR_SET_THP_DISABLE = 41  # Linux 3.15 and later

_libc = ctypes.CDLL(None) if sys.platform.startswith("linux") else None


def prctl(option: int, value: int) -> bool:
    """Set *option* to *value* for this process; return whether the kernel took it."""
    if _libc is None:
        return False
    return int(_libc.prctl(option, value, 0, 0, 0)) == 0
