"""A running process tree → its peak memory and CPU use over time (Linux /proc).

The benchmark runs each build as a child process and samples that process and all
its descendants (Piper workers, the PDF process, ffmpeg) several times a second.
Memory is summed as PSS, which shares forked pages out fairly instead of counting
them once per process as RSS does; the RSS sum is kept too. CPU time of a tree is
what its live members used plus what they collected from children that ended, so
it keeps rising smoothly as workers come and go. Each process's own CPU time is
also kept by role (`roles`), from the name a worker gives itself
(`editions.process_role`) or, for ffmpeg, from what its command line does.
"""

from __future__ import annotations

import os
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path

from editions.process_role import PREFIX, role_named
from editions.registry import names

#: Seconds between reads of the tree's PSS. Reading `smaps_rollup` walks each
#: process's page tables: for a build's few large processes that cost 35 ms a
#: read here, so reading it ten times a second took a third of a core from the
#: build being measured. It is also skipped while the tree's RSS sum is under the
#: peak PSS already seen (PSS never exceeds RSS), so a peak that lasts shorter
#: than this can be missed, never overstated.
PSS_EVERY = 0.5
CLOCK_TICKS = os.sysconf("SC_CLK_TCK")
PAGE_SIZE = os.sysconf("SC_PAGE_SIZE")


@dataclass(frozen=True)
class Sample:
    """The tree at one moment."""

    at: float  # time.time()
    cpu_seconds: float
    rss: int  # bytes, summed over the tree
    pss: int  # bytes, summed over the tree; 0 when not read (`PSS_EVERY`)


def _stat(pid: int) -> tuple[int, float, int] | None:
    """Return (parent pid, CPU seconds incl. reaped children, RSS bytes)."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()  # fields[0] is field 3, "state"
    ticks = sum(int(v) for v in fields[11:15])  # utime stime cutime cstime
    return int(fields[1]), ticks / CLOCK_TICKS, int(fields[21]) * PAGE_SIZE


def _pss(pid: int) -> int | None:
    try:
        for line in Path(f"/proc/{pid}/smaps_rollup").read_text().splitlines():
            if line.startswith("Pss:"):
                return int(line.split()[1]) * 1024
    except (OSError, ValueError, IndexError):
        return None
    return None


def tree(root: int, include_root: bool = True) -> dict[int, tuple[float, int]]:
    """Return {pid: (CPU seconds, RSS bytes)} for *root*'s descendants (and *root*)."""
    stats = {}
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            found = _stat(int(entry.name))
            if found is not None:
                stats[int(entry.name)] = found
    children: dict[int, list[int]] = {}
    for pid, (parent, _, _) in stats.items():
        children.setdefault(parent, []).append(pid)
    members, stack = {}, [root]
    while stack:
        pid = stack.pop()
        if pid in stats and pid not in members:
            members[pid] = stats[pid][1:]
            stack.extend(children.get(pid, ()))
    if not include_root:
        members.pop(root, None)
    return members


def machine_busy_ticks() -> tuple[int, int]:
    """Return (busy, total) CPU ticks of the whole machine since boot."""
    values = [int(v) for v in Path("/proc/stat").read_text().split("\n")[0].split()[1:]]
    idle = values[3] + (values[4] if len(values) > 4 else 0)  # idle + iowait
    return sum(values) - idle, sum(values)


class TreeSampler:
    """Sample a process tree in a background thread until `stop()`."""

    def __init__(
        self,
        root: int | Sequence[int],
        interval: float = 0.1,
        include_root: bool = True,
    ) -> None:
        """Watch *root*'s descendants (each root's, given several), and the roots
        themselves unless told not to."""
        self.roots = (root,) if isinstance(root, int) else tuple(root)
        self.include_root = include_root
        self.interval = interval
        self.samples: list[Sample] = []
        self.machine: list[tuple[float, int, int]] = []  # (at, busy, total) ticks
        #: (pid, start tick) → (role, its own CPU seconds when last seen)
        self.own: dict[tuple[int, int], tuple[str, float]] = {}
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True)
        self._pss_read_at = float("-inf")
        self._peak_pss = 0

    def start(self) -> TreeSampler:
        """Begin sampling."""
        self._thread.start()
        return self

    def stop(self) -> None:
        """Stop sampling (after the tree's last sample)."""
        self._stop.set()
        self._thread.join()

    def _run(self) -> None:
        while not self._stop.is_set():
            self.sample()
            self._stop.wait(self.interval)

    def sample(self) -> None:
        """Take one sample now."""
        members = {
            pid: found
            for root in self.roots
            for pid, found in tree(root, self.include_root).items()
        }
        if not members:
            return
        for pid in members:
            self._note_own(pid)
        cpu = sum(c for c, _ in members.values())
        rss_sum = sum(r for _, r in members.values())
        now = time.time()
        pss = 0
        if rss_sum > self.peak_pss and now - self._pss_read_at >= PSS_EVERY:
            self._pss_read_at = now
            for pid, (_, rss) in members.items():
                found = _pss(pid)
                pss += rss if found is None else found
        self._peak_pss = max(self._peak_pss, pss)
        self.samples.append(Sample(now, cpu, rss_sum, pss))
        self.machine.append((now, *machine_busy_ticks()))

    def _note_own(self, pid: int) -> None:
        """Keep *pid*'s own CPU seconds so far, under its role."""
        try:
            text = Path(f"/proc/{pid}/stat").read_text()
        except OSError:
            return
        fields = text[text.rindex(")") + 2 :].split()
        key = (pid, int(fields[19]))  # field 22, starttime: pids are reused
        known = self.own.get(key)
        # Read each time: a fork names itself just after it starts, and a
        # process found ended keeps the role it was last seen in.
        role = _role(pid, pid in self.roots)
        if role == "ended" and known:
            role = known[0]
        self.own[key] = (role, (int(fields[11]) + int(fields[12])) / CLOCK_TICKS)

    def roles(self) -> dict[str, float]:
        """Return CPU seconds by role, largest first (as last sampled: a process
        shorter than the interval is missed, so they sum to a little under the
        tree's CPU time)."""
        found: dict[str, float] = {}
        for role, seconds in self.own.values():
            found[role] = found.get(role, 0.0) + seconds
        return {
            role: round(seconds, 2)
            for role, seconds in sorted(found.items(), key=lambda kv: -kv[1])
        }

    @property
    def peak_pss(self) -> int:
        """The largest summed PSS read, in bytes."""
        return self._peak_pss

    @property
    def peak_rss(self) -> int:
        """The largest summed RSS seen, in bytes."""
        return max((s.rss for s in self.samples), default=0)

    def cores_busy(self, start: float, end: float) -> float | None:
        """Return the tree's average CPU use between *start* and *end*, in cores."""
        inside = [s for s in self.samples if start <= s.at <= end]
        if len(inside) < 2 or inside[-1].at <= inside[0].at:
            return None
        first, last = inside[0], inside[-1]
        return (last.cpu_seconds - first.cpu_seconds) / (last.at - first.at)

    def machine_busy(self, start: float, end: float) -> float | None:
        """Return the whole machine's busy fraction between *start* and *end* (0–1)."""
        inside = [m for m in self.machine if start <= m[0] <= end]
        if len(inside) < 2 or inside[-1][2] == inside[0][2]:
            return None
        return (inside[-1][1] - inside[0][1]) / (inside[-1][2] - inside[0][2])


#: What an ffmpeg command line does, by a word it holds (first match wins).
_FFMPEG_ROLES = (
    ("libmp3lame", "ffmpeg mp3 encode"),
    ("concat", "ffmpeg join"),
    ("ipod", "ffmpeg m4b"),
    ("f32le", "ffmpeg decode"),
)


def _role(pid: int, is_root: bool) -> str:
    """Return a process's role: the build itself, a named worker, or a program."""
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
        line = Path(f"/proc/{pid}/cmdline").read_bytes().replace(b"\0", b" ")
    except OSError:
        return "ended"
    if not line.strip():  # a zombie: ended, not yet collected
        return "ended"
    return role_of(comm, line.decode(errors="replace"), is_root)


def role_of(comm: str, command: str, is_root: bool = False) -> str:
    """Return the role of a process named *comm* that runs *command*."""
    if comm.startswith(PREFIX):
        return role_named(comm, ("master", "synth", *names()))
    if "ffmpeg" in command:
        return next((r for word, r in _FFMPEG_ROLES if word in command), "ffmpeg")
    if is_root or "invoke" in command:
        return "main"
    return comm
