"""AAC encoding, and decoding to measure, inside the mastering worker (PyAV).

Debian's ffmpeg links 215 libraries and spends about 63 ms of CPU starting, before
any work; a chapter used to start four of them (two encoders, two decoders to
measure what they made): 3 CPU-s for the shipped article's twelve chapters, and
every decoded sample crossed a pipe. PyAV's FFmpeg libraries are loaded once, in
the mastering fork server (`dsp_server`). Its encoder releases the GIL, so the AAC
is coded in a thread beside the MP3 encoder's process.

`av` is imported where it is used, as `measure` imports scipy: the build's main
process imports this module but never codes audio (the fork server preloads it).

The MP3 is still encoded by Debian's ffmpeg: the LAME in PyAV's wheel is built
2.5 times slower. The checks decode every file with Debian's ffmpeg
(`measure.decode`), so what mastering measured here is checked by another decoder.
"""

from __future__ import annotations

import threading
from functools import cache
from pathlib import Path

import numpy as np
from numpy.typing import NDArray

from editions.audio.encode import AAC_BITRATE, Scaled, aac_options
from editions.audio.levels import RATE
from editions.audio.measure import header_seconds


class Stopped(RuntimeError):
    """The encoder was told to stop (the worker is being interrupted)."""


@cache
def version() -> str:
    """Return PyAV's version: its FFmpeg codes the AAC, so chapter caches name it."""
    from importlib.metadata import version as package_version  # see above

    return f"av {package_version('av')}"


def encode_aac(
    samples: Scaled,
    target: Path,
    cutoff: int = 0,
    stop: threading.Event | None = None,
) -> None:
    """Encode *samples* (mono, at RATE) as AAC-LC ADTS frames (`aac_options`).

    *stop*, once set, ends the encoding between blocks (raising `Stopped`): the
    thread this runs in must not outlive a worker that was interrupted.
    """
    import av

    with av.open(str(target), "w", format="adts") as out:
        stream = out.add_stream("aac", rate=RATE, layout="mono")
        stream.bit_rate = int(AAC_BITRATE.rstrip("k")) * 1000
        stream.codec_context.options = aac_options(cutoff)
        for _, block in samples.blocks():
            if stop is not None and stop.is_set():
                raise Stopped(f"{target}: encoding stopped")
            frame = av.AudioFrame.from_ndarray(
                np.ascontiguousarray(block, dtype=np.float32)[None, :],
                format="fltp",
                layout="mono",
            )
            frame.sample_rate = RATE
            out.mux(stream.encode(frame))
        out.mux(stream.encode(None))


def decode(path: Path) -> NDArray[np.float32]:
    """Decode one of our encoded chapters as a player would, to mono float32 at RATE.

    Where the file records the encoder's delay and padding (the MP3's gapless
    header) they are removed; an ADTS stream keeps its 1024 samples of priming
    (`verify` finds the offset, and `books` places the M4B's chapters with it).

    The samples go into one array sized from the file's duration, frame by frame:
    collecting frames and joining them would hold the chapter twice.
    """
    import av

    out = np.empty(max(round((header_seconds(path) + 1.0) * RATE), 1 << 16), "<f4")
    filled = 0
    with av.open(str(path)) as container:
        stream = container.streams.audio[0]
        context = stream.codec_context
        if context.sample_rate != RATE or context.channels != 1:
            raise RuntimeError(
                f"{path}: {context.sample_rate} Hz, {context.channels} channels; "
                f"a chapter is mono at {RATE} Hz"
            )
        for frame in container.decode(stream):
            if frame.format.name != "fltp":
                raise RuntimeError(f"{path}: decoded as {frame.format.name}, not float")
            # The plane's own buffer (no per-frame array stacking: a frame holds
            # 1152 or 1024 samples, and a chapter has thousands).
            samples = np.frombuffer(frame.planes[0], dtype="<f4", count=frame.samples)
            if filled + len(samples) > len(out):
                grown = np.empty(2 * len(out) + len(samples), dtype="<f4")
                grown[:filled] = out[:filled]
                out = grown
            out[filled : filled + len(samples)] = samples
            filled += len(samples)
    if filled < len(out) // 2:
        return out[:filled].copy()  # a copy frees the unused tail
    return out[:filled]
