"""One chapter, mastered once and encoded once, cached by what it sounds like.

A chapter's master depends only on its own sentences, pauses and room tone, so it
is levelled on its own (every chapter at −18 LUFS, as ACX wants files consistent)
and encoded to MP3 and AAC from the same master. The encoded chapters are kept in
a cache keyed by a hash of the speech, the pauses and this code: after an edit
only the chapter that changed is mastered again, and the books are joined from the
encoded chapters without re-encoding.
"""

from __future__ import annotations

import hashlib
import json
import logging
import shutil
import tempfile
import threading
from collections.abc import Sequence
from concurrent.futures import ThreadPoolExecutor
from dataclasses import asdict, dataclass
from math import gcd
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from editions.audio import av_codec
from editions.audio.encode import Scaled, mp3_command, run_all
from editions.audio.engine import Speech
from editions.audio.levels import RATE, master
from editions.audio.measure import MAX_TRUE_PEAK, TARGET_LUFS, resample
from editions.audio.verify import PEAK_MARGIN, Encoded, verify

Spans = tuple[tuple[int, int], ...]  # (first, end) sample of each sentence

#: AAC overshoots the master's peaks by up to ~1.2 dB here (ffmpeg aac, 96 kb/s
#: mono; measured) and LAME by less, so the shared master starts this far down.
FIRST_CEILING = -4.5
#: dB each codec's decoded file differs from the master in loudness (measured:
#: LAME's quantiser returns speech this much quieter); made up before encoding.
CODEC_GAIN_DB = {"mp3": -0.265, "aac": 0.0}
LUFS_AIM = 0.2  # re-encode when a decoded file is further than this from −18
LUFS_ACCEPT = 0.5  # after MAX_ENCODES, accept this far off (the standard allows 1)
MAX_ENCODES = 3
TRIM_BELOW_PEAK_DB = -50.0  # cue edges quieter than this are engine silence
#: Bump to re-master every cached chapter (the code's own hash is in the key too).
CACHE_FORMAT = 3
#: An entry's files; chapter.json records each one's size and sha256.
ENTRY_FILES = ("chapter.mp3", "chapter.aac", "probe.npy", "mp3-blocks.npy")
DAMAGED = "AUD031"  # see docs/findings.md
_log = logging.getLogger(__name__)


@dataclass(frozen=True)
class ChapterSound:
    """What one chapter master is made of: speech, pauses and room tone."""

    speech: tuple[Speech, ...]
    pauses: tuple[float, ...]  # seconds after each sentence but the last
    lead: float  # seconds of room tone before the first sentence
    tail: float  # seconds of room tone after the last sentence

    def key(self, salt: str) -> str:
        """Return a hash of everything the encoded chapter depends on."""
        digest = hashlib.sha256(salt.encode())
        digest.update(json.dumps([self.pauses, self.lead, self.tail]).encode())
        for speech in self.speech:
            digest.update(f"|{speech.sample_rate}|{speech.samples.dtype}|".encode())
            digest.update(np.ascontiguousarray(speech.samples).tobytes())
        return digest.hexdigest()


@dataclass(frozen=True)
class ChapterMaster:
    """A mastered chapter: its length, where its sentences are, its two encodings."""

    length: int
    cue_spans: Spans
    mp3: Encoded
    aac: Encoded
    probe_path: Path  # one second of the master from the first sentence (.npy)
    blocks_path: Path  # the decoded MP3's 400 ms loudness blocks (.npy)

    @property
    def probe_at(self) -> int:
        """Return the master sample the probe starts at."""
        return self.cue_spans[0][0]

    def probe(self) -> NDArray[np.float32]:
        """Return the probe that finds this chapter inside a joined book."""
        return np.load(self.probe_path)

    def loudness_blocks(self) -> NDArray[np.float64]:
        """Return the decoded MP3's BS.1770 blocks, to gate a joined book with."""
        return np.load(self.blocks_path)


def chapter_master(
    ffmpeg: str, sound: ChapterSound, cache: Path, name: str, salt: str
) -> ChapterMaster:
    """Return the chapter from *cache*, mastering and encoding it if it is not there.

    An entry is written to a scratch folder and renamed into place, so an
    interrupted build never leaves half an entry that a later build would trust;
    one damaged since (a truncated or altered file: its size and sha256 are in
    `chapter.json`) is mastered again, never published.
    """
    entry = cache / f"{name}-{sound.key(salt)[:40]}"
    damage = _damage(entry)
    if not damage:
        return _load(entry)
    if entry.exists():
        _log.warning(
            "%s: warning %s: damaged chapter master cache entry (%s); mastering "
            "the chapter again",
            entry,
            DAMAGED,
            damage,
        )
        shutil.rmtree(entry, ignore_errors=True)
    cache.mkdir(parents=True, exist_ok=True)
    scratch = Path(tempfile.mkdtemp(prefix=f".{entry.name}-", dir=cache))
    try:
        _make(ffmpeg, sound, scratch)
        try:
            scratch.rename(entry)
        except OSError:  # another build made the same entry meanwhile
            if _damage(entry):
                raise
    finally:
        shutil.rmtree(scratch, ignore_errors=True)
    return _load(entry)


def prune(cache: Path, name: str, keep: Sequence[ChapterMaster]) -> None:
    """Delete *name*'s cache entries that this build did not use."""
    used = {master.probe_path.parent.name for master in keep}
    for entry in cache.glob(f"{name}-*"):
        if entry.is_dir() and entry.name not in used:
            shutil.rmtree(entry, ignore_errors=True)


# --- timeline ----------------------------------------------------------------------


def layout(sound: ChapterSound) -> tuple[NDArray[np.float32], Spans]:
    """Place the sentences and pauses between lead and tail room tone (zeros yet)."""
    speech = [speech_at_rate(s) for s in sound.speech]
    gaps = [max(0, round(p * RATE)) for p in sound.pauses] + [round(sound.tail * RATE)]
    at = round(sound.lead * RATE)
    samples = np.zeros(at + sum(map(len, speech)) + sum(gaps), dtype=np.float32)
    spans = []
    for part, gap in zip(speech, gaps, strict=True):
        samples[at : at + len(part)] = part
        spans.append((at, at + len(part)))
        at += len(part) + gap
    return samples, tuple(spans)


def speech_at_rate(speech: Speech) -> NDArray[np.float32]:
    """Resample one trimmed sentence to 44.1 kHz with a polyphase filter (scipy's
    `resample_poly`, its filter designed once: `measure.resample`)."""
    samples = _trim(speech.samples.astype(np.float32))
    common = gcd(RATE, speech.sample_rate)
    up, down = RATE // common, speech.sample_rate // common
    if up == down:
        return samples
    return resample(samples, up, down).astype(np.float32, copy=False)


def _trim(samples: NDArray[np.float32]) -> NDArray[np.float32]:
    """Cut the engine's leading/trailing near-silence so pauses are what was asked."""
    peak = float(np.max(np.abs(samples))) if len(samples) else 0.0
    if peak == 0.0:
        return samples
    loud = np.flatnonzero(np.abs(samples) >= peak * 10 ** (TRIM_BELOW_PEAK_DB / 20))
    return samples[max(0, loud[0] - 1) : loud[-1] + 2]


# --- mastering and encoding --------------------------------------------------------


def _make(ffmpeg: str, sound: ChapterSound, folder: Path) -> None:
    """Master, encode both codecs, and re-master from what the decoded files measure.

    Encoding shifts loudness and raises peaks, so the master aims to land the
    *decoded* files on −18 LUFS and under −3 dBTP: each codec's gain is corrected
    by its own miss, and a peak over the limit lowers the shared ceiling. The
    master streams to the MP3 encoder through a pipe and to the AAC encoder in a
    thread (`av_codec`); each file is then decoded in this process and measured
    on its own, so a worker holds at most one decoded copy.
    """
    samples: NDArray[np.float32] | None
    samples, spans = layout(sound)
    length, at = len(samples), spans[0][0]
    ceiling = FIRST_CEILING
    gains = {codec: -gain for codec, gain in CODEC_GAIN_DB.items()}
    targets = {"mp3": folder / "chapter.mp3", "aac": folder / "chapter.aac"}
    band = max(speech.sample_rate for speech in sound.speech) // 2  # speech ends
    for attempt in range(1, MAX_ENCODES + 1):
        if samples is None:  # laid out again, the same: a rare second attempt
            samples, _ = layout(sound)
        mastered = master(samples, TARGET_LUFS, ceiling)
        # Not kept while encoding and measuring: a worker then holds the master
        # and one decoded file, two copies of the chapter (issue 22's 4 GB).
        samples = None
        probe = mastered.samples[at : at + min(RATE, length - at)].copy()
        scales = {codec: 10 ** (gains[codec] / 20) for codec in targets}
        # Scaled a block at a time, and each file decoded and measured alone: a
        # worker holds the chapter three times, not six (issue 22's 4 GB).
        scaled = {
            codec: Scaled(mastered.samples, np.float32(scale))
            for codec, scale in scales.items()
        }
        bounds = mastered.peak_bounds
        del mastered
        _encode_both(ffmpeg, scaled, targets, band)
        measured = {
            codec: verify(
                path,
                av_codec.decode(path),
                probe,
                at,
                (scaled[codec], bounds * scales[codec]),
                folder if codec == "mp3" else None,
            )
            for codec, path in targets.items()
        }
        del scaled
        aim = LUFS_AIM if attempt < MAX_ENCODES else LUFS_ACCEPT
        misses = {c: e.lufs - TARGET_LUFS for c, e in measured.items()}
        over = max(e.true_peak for e in measured.values()) - MAX_TRUE_PEAK + PEAK_MARGIN
        if all(abs(miss) <= aim for miss in misses.values()) and over <= 0:
            np.save(folder / "probe.npy", probe)
            _save(folder, length, spans, measured)
            return
        for codec, miss in misses.items():
            gains[codec] -= miss
        ceiling -= max(0.0, over + 0.3)
    report = ", ".join(
        f"{c} {e.lufs:.2f} LUFS {e.true_peak:.2f} dBTP" for c, e in measured.items()
    )
    raise RuntimeError(f"a chapter still measures {report} after {MAX_ENCODES} encodes")


def _encode_both(
    ffmpeg: str, scaled: dict[str, Scaled], targets: dict[str, Path], band: int
) -> None:
    """Encode the MP3 (an ffmpeg process) and the AAC (in a thread, `av_codec`)
    side by side; stop the AAC thread too if the MP3 fails or a signal comes."""
    stop = threading.Event()
    with ThreadPoolExecutor(1) as side:
        aac = side.submit(
            av_codec.encode_aac, scaled["aac"], targets["aac"], band, stop
        )
        try:
            run_all([mp3_command(ffmpeg, None, targets["mp3"])], [scaled["mp3"]])
            aac.result()
        except BaseException:  # the MP3 failed, or a signal came while waiting
            stop.set()
            raise


def _save(
    folder: Path,
    length: int,
    spans: Spans,
    measured: dict[str, Encoded],
) -> None:
    """Write what the entry measured beside its files (paths are relative)."""
    record = {
        "format": CACHE_FORMAT,
        "length": length,
        "cue_spans": spans,
        **{c: asdict(e) | {"path": e.path.name} for c, e in measured.items()},
        "files": {
            name: [(folder / name).stat().st_size, _sha256(folder / name)]
            for name in ENTRY_FILES
        },
    }
    (folder / "chapter.json").write_text(json.dumps(record), encoding="utf-8")


def _damage(entry: Path) -> str:
    """Say what is wrong with a cache entry ("" when it is whole and unaltered)."""
    try:
        record = json.loads((entry / "chapter.json").read_text(encoding="utf-8"))
        files = record["files"] if record["format"] == CACHE_FORMAT else {}
    except FileNotFoundError:
        return "absent"
    except (OSError, ValueError, KeyError, TypeError) as err:
        return f"chapter.json unreadable: {err}"
    for name in ENTRY_FILES:
        path = entry / name
        try:
            size, sha = files[name]
            if path.stat().st_size != size or _sha256(path) != sha:
                return f"{name} is not the file that was made"
        except (OSError, KeyError, TypeError, ValueError):
            return f"{name} is missing or unrecorded"
    return ""


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _load(entry: Path) -> ChapterMaster:
    """Read a cache entry written by `_save`."""
    record = json.loads((entry / "chapter.json").read_text(encoding="utf-8"))

    def encoded(codec: str) -> Encoded:
        return Encoded(**(record[codec] | {"path": entry / record[codec]["path"]}))

    return ChapterMaster(
        length=record["length"],
        cue_spans=tuple((a, b) for a, b in record["cue_spans"]),
        mp3=encoded("mp3"),
        aac=encoded("aac"),
        probe_path=entry / "probe.npy",
        blocks_path=entry / "mp3-blocks.npy",
    )
