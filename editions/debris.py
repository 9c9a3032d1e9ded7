"""Remove what an interrupted build left behind: scratch files and cache scratch.

Staged outputs are written as `.<name>.<pid>.part` and renamed into place; speech cache
entries as `.tmp-*.part`; chapter masters in a hidden scratch folder of the masters
cache. A build stopped by a signal removes its own; one killed outright (SIGKILL, a
power cut) cannot, so the next build removes them once it holds the folder's lock:
then no other build can be writing there.

Audio mastering scratch in the system's temporary folder is `editions.scratch`'s.
"""

from __future__ import annotations

import shutil
import time
from collections.abc import Iterator
from pathlib import Path

from editions.lock import LOCK_NAME
from editions.scratch import SCRATCH_PREFIX, scratch_folder, sweep_scratch
from editions.state import STATE_DIR

__all__ = ["SCRATCH_PREFIX", "scratch_folder", "sweep", "sweep_scratch"]

PART = ".*.part"
CACHE = ".cache"
SPEECH, MASTERS = "speech", "masters"
#: A speech cache outside the output folder may be shared with builds of other
#: folders (a batch); its scratch files are removed only once they are this old.
SHARED_CACHE_AGE = 3600.0


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
