"""Run commands side by side and measure them: wall and CPU time, peak memory.

Every benchmark step (`editions.bench.run`, `editions.bench.tools`) is one call of
`measure`; its process tree is sampled by `editions.bench.sampler`, unless the
run is only timed. The sampler reads every process's page tables for its PSS:
during a 14-second cold build it used about 1 CPU-s of its own, on the same two
cores, and the build took 3 % longer. So the bench times builds and the yardstick
unsampled, and takes memory and CPU by role from sampled runs of the same work.
"""

from __future__ import annotations

import resource
import shlex
import subprocess
import tempfile
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from editions.bench.sampler import TreeSampler

MB = 1024 * 1024


class BenchFailed(RuntimeError):
    """A step the benchmark relies on (a build) did not succeed."""


@dataclass(frozen=True)
class Measured:
    """One child run: wall time, CPU time, peak memory, and its samples."""

    seconds: float
    cpu_seconds: float
    peak_pss_mb: float | None  # None: timed only, not sampled
    peak_rss_mb: float | None
    sampler: TreeSampler | None
    output: str

    def summary(self) -> dict[str, float | dict[str, float] | None]:
        """Return the JSON-able numbers (no memory or roles for a timed-only run)."""
        return {
            "seconds": round(self.seconds, 3),
            "cpu_seconds": round(self.cpu_seconds, 3),
            "peak_memory_mb": _rounded(self.peak_pss_mb),
            "peak_rss_sum_mb": _rounded(self.peak_rss_mb),
            "cpu_seconds_by_role": self.sampler.roles() if self.sampler else {},
        }


def _rounded(megabytes: float | None) -> float | None:
    return None if megabytes is None else round(megabytes, 1)


def measure(
    commands: Sequence[Sequence[str]],
    cwd: Path | None = None,
    env: dict[str, str] | None = None,
    check: bool = True,
    sampled: bool = True,
) -> Measured:
    """Run *commands* side by side; measure until the last one ends.

    Unsampled (*sampled* False), only wall and CPU time are measured, and the run
    is not slowed by the measuring.
    """
    before = resource.getrusage(resource.RUSAGE_CHILDREN)
    with tempfile.TemporaryFile("w+", encoding="utf-8", errors="replace") as log:
        started = time.perf_counter()
        processes = [
            subprocess.Popen(
                list(c), cwd=cwd, env=env, stdout=log, stderr=subprocess.STDOUT
            )
            for c in commands
        ]
        # Only what these commands start: a caller's other children (a test
        # session's browser) are not theirs.
        sampler = (
            TreeSampler([p.pid for p in processes], interval=0.1).start()
            if sampled
            else None
        )
        codes = [p.wait() for p in processes]
        seconds = time.perf_counter() - started
        if sampler is not None:
            sampler.stop()
        log.seek(0)
        output = log.read()
    after = resource.getrusage(resource.RUSAGE_CHILDREN)
    cpu = (after.ru_utime + after.ru_stime) - (before.ru_utime + before.ru_stime)
    if check and any(codes):
        shown = " ".join(shlex.quote(str(a)) for a in commands[0])
        raise BenchFailed(f"{shown} failed (exit {codes}):\n{output[-3000:]}")
    if sampler is None:
        return Measured(seconds, cpu, None, None, None, output)
    return Measured(
        seconds, cpu, sampler.peak_pss / MB, sampler.peak_rss / MB, sampler, output
    )


def ratio(a: float | None, b: float | None) -> float | None:
    """Return a / b to three places, None when either is missing (or b is 0)."""
    return round(a / b, 3) if a is not None and b else None
