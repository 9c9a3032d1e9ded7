"""Scratch folders in the system's temporary folder, named after their owner's pid.

Audio mastering scratch lives outside every output folder and its lock, so its name
carries the owner's pid (`editions-audio-<pid>-*`): any build removes those whose
owner has gone. The renderers use it, so it imports nothing of the build driver.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

#: Scratch folders in the temporary folder: `editions-audio-<owner pid>-<random>`.
SCRATCH_PREFIX = "editions-audio-"
_OWNER = re.compile(re.escape(SCRATCH_PREFIX) + r"(\d+)-")


@contextmanager
def scratch_folder() -> Iterator[Path]:
    """Yield a fresh scratch folder in the temporary folder, named after this pid."""
    prefix = f"{SCRATCH_PREFIX}{os.getpid()}-"
    with tempfile.TemporaryDirectory(prefix=prefix) as folder:
        yield Path(folder)


def sweep_scratch(root: Path | None = None) -> list[Path]:
    """Remove scratch folders whose owner process has gone (killed); return them.

    Safe without any lock: a live owner's folder is never touched. A folder named
    without a pid (an older build's) cannot be judged and is left alone.
    """
    root = Path(root or tempfile.gettempdir())
    removed = []
    for folder in sorted(root.glob(SCRATCH_PREFIX + "*")):
        match = _OWNER.match(folder.name)
        if match is None or not folder.is_dir() or _alive(int(match.group(1))):
            continue
        shutil.rmtree(folder, ignore_errors=True)
        removed.append(folder)
    return removed


def _alive(pid: int) -> bool:
    """Return whether process *pid* exists (signal 0 only asks)."""
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    except PermissionError:
        return True  # another user's process: alive
    return True
