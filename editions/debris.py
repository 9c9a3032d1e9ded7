"""Remove what an interrupted build left behind: scratch files and cache scratch.

Staged outputs are written as `.<name>.<pid>.part` and renamed into place; speech cache
entries as `.tmp-*.part`; chapter masters in a hidden scratch folder of the masters
cache. A build stopped by a signal removes its own; one killed outright (SIGKILL, a
power cut) cannot, so the next build removes them once it holds the folder's lock:
then no other build can be writing there.

Audio mastering scratch lives in the system's temporary folder, outside every
output folder and its lock, so its name carries the owner's pid
(`editions-audio-<pid>-*`): any build removes those whose owner has gone.
"""

from __future__ import annotations

import os
import re
import shutil
import tempfile
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

from editions.lock import LOCK_NAME
from editions.state import STATE_DIR

PART = ".*.part"
CACHE = ".cache"
SPEECH, MASTERS = "speech", "masters"
#: A speech cache outside the output folder may be shared with builds of other
#: folders (a batch); its scratch files are removed only once they are this old.
SHARED_CACHE_AGE = 3600.0
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


def sweep(out_dir: Path, speech_cache: Path | None = None) -> list[Path]:
    """Remove the scratch files and folders of interrupted builds; return them.

    Call it only while holding *out_dir*'s lock. Sub-folders that are another
    build's output folder (they have a manifest of their own) are left alone.
    """
    out_dir = Path(out_dir)
    removed = [p for folder in _own_folders(out_dir) for p in _parts(folder)]
    masters = out_dir / CACHE / MASTERS
    if masters.is_dir():
        for scratch in masters.glob(".*"):
            if scratch.is_dir():
                shutil.rmtree(scratch, ignore_errors=True)
                removed.append(scratch)
    if speech_cache is not None and not _inside(Path(speech_cache), out_dir):
        cutoff = time.time() - SHARED_CACHE_AGE
        removed += _parts(Path(speech_cache), older_than=cutoff)
    return removed


def _own_folders(out_dir: Path) -> Iterator[Path]:
    """Yield the folders this build writes into: the folder, its sub-folders
    (chapter files, the manifest) and the default speech cache."""
    if not out_dir.is_dir():
        return
    yield out_dir
    for folder in sorted(out_dir.iterdir()):
        if not folder.is_dir() or folder.name == CACHE:
            continue
        if (folder / STATE_DIR).is_dir() or (folder / LOCK_NAME).exists():
            continue  # another article's output folder (a batch build)
        yield folder
    yield out_dir / CACHE / SPEECH


def _parts(folder: Path, older_than: float | None = None) -> list[Path]:
    removed = []
    for part in folder.glob(PART):
        try:
            if older_than is not None and part.stat().st_mtime > older_than:
                continue
            part.unlink()
        except FileNotFoundError:
            continue  # removed meanwhile
        removed.append(part)
    return removed


def _inside(path: Path, folder: Path) -> bool:
    return path.resolve().is_relative_to(folder.resolve())
