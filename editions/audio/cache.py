"""Per-sentence speech cache on disk: what makes an interrupted audio build resumable.

Each entry is one `.npz` file (16-bit samples, their scale and the sample rate:
`stored.to_stored`) named by the sha256 of the engine's cache key and the sentence
text, with a suffix naming the storage format (`.s16.npz`). Entries are written to
a temporary file and moved into place with `os.replace`, so an interruption
(Ctrl-C, a network failure, a full disk) leaves either the whole entry or nothing,
never half a file.
Entries are not fsynced: after a power cut one may not read back, and `get` finds
that (the zip's CRC-32) and has it spoken again. An fsync per sentence held each
synthesis worker about 4 ms here, and a book has some 16,000 sentences.
"""

from __future__ import annotations

import hashlib
import json
import logging
import os
import re
import tempfile
import zipfile
from collections.abc import Sequence
from pathlib import Path

import numpy as np

from editions.audio.engine import Engine, Speech
from editions.audio.stored import StoredSpeech, from_stored, to_stored

DAMAGED = "AUD030"  # see docs/findings.md
MAX_RATE = 192_000
_OLD_NAME = re.compile(r"[0-9a-f]{64}\.npz")  # an entry of the float32 format
_log = logging.getLogger(__name__)


class SentenceCache:
    """A directory of synthesised sentences keyed by (cache_key, text)."""

    #: The storage format: entries of the older float32 format (`.npz`) are not
    #: read, so a sentence gives the same samples whether it was cached or not.
    suffix = ".s16.npz"

    def __init__(self, directory: Path) -> None:
        self.directory = Path(directory)

    def remove_old_format(self) -> int:
        """Delete entries of the float32 format (`<sha256>.npz`); return how many.

        Nothing reads them any more (`suffix` names the format), and a book's old
        entries would take twice the disk of its new ones.
        """
        if not self.directory.is_dir():
            return 0
        old = [p for p in self.directory.glob("*.npz") if _OLD_NAME.fullmatch(p.name)]
        for path in old:
            path.unlink(missing_ok=True)
        return len(old)

    @staticmethod
    def key(key_parts: Sequence[str]) -> str:
        """Hash the parts unambiguously (JSON, so ("a b", "c") != ("a", "b c"))."""
        encoded = json.dumps(list(key_parts), ensure_ascii=False).encode("utf-8")
        return hashlib.sha256(encoded).hexdigest()

    def path(self, key_parts: Sequence[str]) -> Path:
        """Return where the entry for *key_parts* lives (it may not exist)."""
        return self.directory / f"{self.key(key_parts)}{self.suffix}"

    def get(self, key_parts: Sequence[str]) -> Speech | None:
        """Return the cached speech, or None if absent or damaged.

        A damaged entry (truncated, a flipped bit: the zip's CRC-32 catches both, or
        samples no engine makes) is removed, so it is synthesised again, never
        mastered into an edition.
        """
        path = self.path(key_parts)
        try:
            with np.load(path, allow_pickle=False) as data:
                samples = from_stored(data)
                rate = int(data["sample_rate"])
        except FileNotFoundError:
            return None
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as err:
            return self._damaged(path, f"unreadable ({err})")
        if samples.ndim != 1 or not 0 < rate <= MAX_RATE:
            return self._damaged(path, f"{samples.shape} samples at {rate} Hz")
        if not np.isfinite(samples).all():
            return self._damaged(path, "samples that are not numbers")
        return Speech(samples, rate)

    def stored(self, key_parts: Sequence[str]) -> StoredSpeech | None:
        """Check the entry whole (`get`), then return only where it is.

        What a chapter master is handed: a book's speech would not fit in memory
        (issue 22), and samples held for a queued master are held until it runs.
        """
        speech = self.get(key_parts)
        if speech is None:
            return None
        path = self.path(key_parts)
        return StoredSpeech(path, speech.sample_rate, len(speech.samples))

    @staticmethod
    def _damaged(path: Path, why: str) -> None:
        _log.warning(
            "%s: warning %s: damaged speech cache entry (%s); synthesising it again",
            path,
            DAMAGED,
            why,
        )
        path.unlink(missing_ok=True)

    def put(self, key_parts: Sequence[str], speech: Speech) -> Path:
        """Store *speech* atomically (temp file in the same directory + os.replace)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        final = self.path(key_parts)
        fd, tmp = tempfile.mkstemp(dir=self.directory, prefix=".tmp-", suffix=".part")
        try:
            with os.fdopen(fd, "wb") as handle:
                np.savez(
                    handle,
                    **to_stored(speech.samples),
                    sample_rate=np.int64(speech.sample_rate),
                )
            Path(tmp).replace(final)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return final

    def __len__(self) -> int:
        return sum(1 for _ in self.directory.glob(f"*{self.suffix}"))


def speak_cached(engine: Engine, cache: SentenceCache, text: str) -> Speech:
    """Return cached speech for *text*, synthesising and storing it on a miss.

    On a miss it returns what was stored (16-bit), as a hit would: the same text
    gives the same samples either way.
    """
    key_parts = (engine.cache_key(), text)
    speech = cache.get(key_parts)
    if speech is None:
        cache.put(key_parts, engine.speak(text))
        speech = cache.get(key_parts)
        if speech is None:
            raise RuntimeError(f"speech cache entry did not read back: {text[:60]}")
    return speech
