"""Chapter files → predicted naturalness (DNSMOS P.808, PyPI `speechmos`), flagged low.

DNSMOS is Microsoft's non-intrusive speech-quality predictor (MIT; its ONNX weights
ship in the wheel and run on onnxruntime): it scores a 9-second window on the 1–5
P.808 opinion scale without a reference recording. Not NISQA (non-commercial
licence) nor DistillMOS (it pulls torch). A chapter is scored on at most
`WINDOWS` evenly spaced, non-overlapping windows (speechmos slides a window every
second, nine times the work for the same mean); one onnxruntime thread each.
"""

from __future__ import annotations

from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
from numpy.typing import NDArray

from editions.checks.audio import decode
from editions.errors import Finding, Location
from editions.report.results import Naturalness

RATE = 16_000  # DNSMOS listens at 16 kHz
WINDOWS = 4
#: P.808 below this is flagged (CHK060). Calibrated on the main article's 12
#: chapter files (4 windows each): espeak-ng en-us at 150 wpm scores 3.73–3.92,
#: hibari "heart" 4.21–4.32 and Piper "joe" 4.12–4.28; the line sits between.
MIN_P808 = 4.0


@cache
def _model() -> Any:
    """Load DNSMOS once, on one onnxruntime thread (the check runs beside others)."""
    import onnxruntime
    from speechmos import dnsmos

    models = Path(dnsmos.__file__).parent / "dnsmos_models"
    options = onnxruntime.SessionOptions()
    options.intra_op_num_threads = options.inter_op_num_threads = 1

    def session(name: str) -> Any:
        return onnxruntime.InferenceSession(
            str(models / name), options, providers=["CPUExecutionProvider"]
        )

    model = dnsmos.DNSMOS.__new__(dnsmos.DNSMOS)  # its __init__ takes no options
    model.primary_model_path = str(models / "sig_bak_ovr.onnx")
    model.onnx_sess = session("sig_bak_ovr.onnx")
    model.p808_onnx_sess = session("model_v8.onnx")
    return model


def windows(samples: NDArray[np.float32], count: int = WINDOWS) -> list[NDArray[Any]]:
    """Return up to *count* evenly spaced, non-overlapping 9.01 s windows."""
    from speechmos.dnsmos import INPUT_LENGTH

    size = int(INPUT_LENGTH * RATE)
    if len(samples) <= size:
        return [samples]
    starts = np.linspace(0, len(samples) - size, min(count, len(samples) // size))
    return [samples[int(s) : int(s) + size] for s in starts]


def score(samples: NDArray[np.float32]) -> tuple[float, float, float, int]:
    """Return mean P.808, OVRL and SIG over the windows of 16 kHz *samples*."""
    clipped = np.clip(samples, -1.0, 1.0).astype(np.float32)
    results = [_model()(w, RATE, False) for w in windows(clipped)]
    mean = {k: float(np.mean([r[k] for r in results])) for k in results[0]}
    return mean["p808_mos"], mean["ovrl_mos"], mean["sig_mos"], len(results)


def measure(chapter_files: list[Path], titles: list[str]) -> list[Naturalness]:
    """Score each chapter file."""
    scored = []
    for path, title in zip(chapter_files, titles, strict=False):
        samples, _ = decode(path, RATE)
        p808, overall, signal, count = score(samples)
        scored.append(Naturalness(title, path.name, p808, overall, signal, count))
    return scored


def findings(scored: list[Naturalness], folder: Path) -> list[Finding]:
    """Return CHK060 for each chapter predicted to sound less natural than speech."""
    return [
        Finding(
            "CHK060",
            f"chapter {n} ({s.title!r}) is predicted to sound unnatural: DNSMOS "
            f"P.808 {s.p808:.2f} < {MIN_P808}; use a neural voice (--voice heart) "
            "where the language has one",
            Location(folder / s.file),
            "warning",
        )
        for n, s in enumerate(scored, start=1)
        if s.p808 < MIN_P808
    ]
