"""The ffmpeg commands that encode masters and join encoded chapters into books.

Chapters are encoded once each (the MP3 here; the AAC in the mastering worker
itself, `av_codec`, with `aac_options`); a book is their encoded frames joined
without re-encoding (the MP3 through ffmpeg's concat demuxer, which writes one
gapless header for the whole; the AAC as ADTS frames, which need no header at
all). Where two chapters meet, the codec's priming and padding add a few tens of
milliseconds of near-silence to the pause; `master` measures where each chapter
then lands.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import threading
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from editions.audio.levels import RATE

MP3_BITRATE = "192k"
AAC_BITRATE = "96k"
_BLOCK = 1 << 20  # samples a `Scaled` makes at a time

_QUIET = ["-hide_banner", "-loglevel", "error", "-y"]
#: An encoder dies with the process that started it, even one killed by SIGKILL: an
#: orphan must not write into a folder the next build already owns (util-linux's
#: `setpriv`, part of every Debian system; without it encoders run as they are).
_DIE_WITH_BUILD = ["setpriv", "--pdeathsig", "KILL"] if shutil.which("setpriv") else []


def _source(wav: Path | None) -> list[str]:
    """Read *wav*, or (None) mono float32 samples at RATE from stdin (`run_all`)."""
    if wav is None:
        return ["-f", "f32le", "-ar", str(RATE), "-ac", "1", "-i", "pipe:0"]
    return ["-i", str(wav)]


def mp3_command(ffmpeg: str, wav: Path | None, target: Path) -> list[str]:
    """Encode MP3 CBR 192 kb/s, 44.1 kHz mono, with the LAME gapless header."""
    return [
        ffmpeg, *_QUIET, *_source(wav), "-map_metadata", "-1",
        "-c:a", "libmp3lame", "-b:a", MP3_BITRATE, "-compression_level", "5",
        "-ar", str(RATE), "-ac", "1", "-write_xing", "1", "-id3v2_version", "0",
        "-f", "mp3", str(target),
    ]  # fmt: skip


def aac_options(cutoff: int = 0) -> dict[str, str]:
    """Return the AAC-LC encoder's options (`av_codec.encode_aac`: 96 kb/s mono).

    *cutoff* (Hz) is where the speech itself ends (half the voice's sample rate:
    12 kHz for a 24 kHz voice); above it there is only room tone, and not coding
    that band saves the encoder about a third of its time.
    """
    band = {"cutoff": str(cutoff)} if 0 < cutoff < RATE // 2 else {}
    return {"aac_coder": "fast", **band}


@dataclass(frozen=True)
class Scaled:
    """Samples times a gain, made a block at a time as they are used.

    Each codec hears the master at its own gain; two scaled copies of a long
    chapter cost hundreds of MB per worker (issue 22), a block costs 4 MB. Each
    sample is the same float32 product as the whole array's would be.
    """

    samples: NDArray[np.float32]
    gain: np.float32

    def part(self, start: int, stop: int) -> NDArray[np.float32]:
        """Return samples *start* to *stop*, scaled."""
        return self.samples[start:stop] * self.gain

    def blocks(self) -> Iterator[tuple[int, NDArray[np.float32]]]:
        """Yield (start, scaled block) in order."""
        for start in range(0, len(self.samples), _BLOCK):
            yield start, self.part(start, start + _BLOCK)


def run_all(
    commands: Sequence[list[str]],
    inputs: Sequence[NDArray[np.float32] | Scaled | None] = (),
) -> None:
    """Run encoders side by side (each is one process); show the first failure.

    *inputs* are the samples each command reads from stdin (`_source(None)`),
    streamed through a pipe: no WAV file is written and read back.
    """
    feeds = list(inputs) + [None] * (len(commands) - len(inputs))
    running = [
        subprocess.Popen(
            [*_DIE_WITH_BUILD, *cmd],
            stdin=subprocess.DEVNULL if feed is None else subprocess.PIPE,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        for cmd, feed in zip(commands, feeds, strict=True)
    ]
    failures = []
    try:
        writers = [
            threading.Thread(target=_feed, args=(proc, feed), daemon=True)
            for proc, feed in zip(running, feeds, strict=True)
            if feed is not None
        ]
        for writer in writers:
            writer.start()
        for cmd, proc in zip(commands, running, strict=True):
            errors = proc.stderr.read() if proc.stderr else b""
            proc.wait()
            if proc.returncode != 0:
                message = errors.decode(errors="replace")
                failures.append(f"{Path(cmd[0]).name} failed: {message}")
        for writer in writers:
            writer.join()
    except BaseException:  # stopped (a signal): no encoder may outlive the build
        for proc in running:
            proc.kill()
            proc.wait()
        raise
    if failures:
        raise RuntimeError(failures[0])


def _feed(proc: subprocess.Popen[bytes], samples: NDArray[np.float32] | Scaled) -> None:
    """Write little-endian float32 samples to *proc*'s stdin, then close it."""
    assert proc.stdin is not None
    blocks = samples.blocks() if isinstance(samples, Scaled) else [(0, samples)]
    try:
        for _, block in blocks:
            data = np.ascontiguousarray(block, dtype="<f4")
            proc.stdin.write(memoryview(data).cast("B"))
    except BrokenPipeError:
        pass  # the encoder failed; its stderr says why
    finally:
        try:
            proc.stdin.close()
        except BrokenPipeError:
            pass


def join_mp3(ffmpeg: str, parts: Sequence[Path], list_file: Path, target: Path) -> None:
    """Join chapter MP3s frame by frame into one gapless MP3 (no re-encoding)."""
    list_file.write_text(
        "".join(f"file '{_concat_quote(part)}'\n" for part in parts), encoding="utf-8"
    )
    run_all([[
        ffmpeg, *_QUIET, "-f", "concat", "-safe", "0", "-i", str(list_file),
        "-map", "0:a", "-map_metadata", "-1", "-c", "copy",
        "-write_xing", "1", "-id3v2_version", "0", "-f", "mp3", str(target),
    ]])  # fmt: skip


def join_aac(parts: Sequence[Path], target: Path) -> None:
    """Join ADTS chapter streams: each frame carries its own header."""
    with target.open("wb") as out:
        for part in parts:
            out.write(part.read_bytes())


def m4b_command(
    ffmpeg: str, adts: Path, metadata: Path, language: str, target: Path
) -> list[str]:
    """Wrap joined AAC in an M4B with the tags and chapters of an FFMETADATA file."""
    return [
        ffmpeg, *_QUIET, "-i", str(adts), "-f", "ffmetadata", "-i", str(metadata),
        "-map", "0:a", "-map_metadata", "1", "-map_chapters", "1", "-c:a", "copy",
        "-metadata:s:a:0", f"language={language}", "-metadata", "media_type=2",
        "-movflags", "+faststart", "-f", "ipod", str(target),
    ]  # fmt: skip


@contextmanager
def in_background(command: list[str]) -> Iterator[None]:
    """Run *command* while the body runs, then wait for it and show its failure.

    The book's M4B is muxed on one core while the MP3 is joined on the other. If
    the body fails or a signal stops the build, the command is killed at once.
    """
    with tempfile.TemporaryFile() as errors:
        proc = subprocess.Popen(
            [*_DIE_WITH_BUILD, *command],
            stdin=subprocess.DEVNULL,
            stdout=subprocess.DEVNULL,
            stderr=errors,
        )
        try:
            yield
            code = proc.wait()
        except BaseException:
            proc.kill()
            proc.wait()
            raise
        if code != 0:
            errors.seek(0)
            message = errors.read().decode(errors="replace")
            raise RuntimeError(f"{Path(command[0]).name} failed: {message}")


def _concat_quote(path: Path) -> str:
    """Quote a path for ffmpeg's concat list (a ' closes, escapes, and reopens)."""
    return str(path.resolve()).replace("'", "'\\''")
