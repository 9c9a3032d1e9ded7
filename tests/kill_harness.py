"""The kill-test harness: mutations, a killed build in a forked process, the next
build and the checks, and the record of every kill (build/test-results/interrupt.json).

The killed builds are forked from the test process (no start-up cost), so the signal
reaches a real build process with its own forked helpers (the PDF layout, the chapter
encoders). After each kill the next build must leave a consistent set: the EPUB's
page-list and the braille's print pages are the PDF's, the EPUB's MP3 and overlays,
the page's read-along and the captions are the MP3's (`invoke check`'s comparisons
plus the byte-for-byte ones in `same_build`), and no partial file or lock is left.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import signal
import time
import traceback
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT
from same_build import problems as disagreements

from editions import build as pipeline
from editions.checks import run as checks
from editions.errors import BuildFailed
from editions.interrupt import STOP_AFTER_ENV, STOP_SIGNAL_ENV, Interrupted
from editions.lock import LOCK_NAME
from editions.output import staged

GOOD = Path(__file__).resolve().parent / "data" / "good"
RESULTS = (
    Path(os.environ.get("EDITIONS_TEST_RESULTS") or ROOT / "build" / "test-results")
    / "interrupt.json"
)
SEED = 18
RANDOM_KILLS = 12  # landed ones; with the 8 stage boundaries, 20 kills at least
MAX_RANDOM_TRIES = 20
CHILD_TIMEOUT = 240.0  # s for one killed build to end: the test stays bounded
HELPER_TIMEOUT = 20.0  # s for a SIGKILLed build's helpers to follow it
ONLY = ("page list", "timed sentences", "print pages")
EXPECTED_RUNS = [
    ("audio", "timed sentences"),
    ("braille", "print pages"),
    ("epub", "page list"),
    ("epub", "timed sentences"),
    ("html", "timed sentences"),
]
ALL = ("audio", "braille", "epub", "html")
EXIT = {"KILL": -signal.SIGKILL, "TERM": 128 + signal.SIGTERM, "INT": 130}
NEW_SECTION = (
    "## A note for carers\n\nA carer can help you keep the diary of how you feel.\n\n"
)
BEFORE_SECTION = "## Doses at a glance"

RECORDS: list[dict[str, Any]] = []


@dataclass
class Site:
    """A copy of the fixture article, its output folder and the options in force."""

    article: Path
    out: Path
    figures: dict[bool, bytes]  # the pill picture: False = as shipped, True = tall
    paper: str = "a4"
    tall: bool = False
    typical: dict[str, float] = field(default_factory=dict)  # s a mutation costs

    def options(self, report: Callable[[str], None]) -> pipeline.BuildOptions:
        return pipeline.BuildOptions(
            tts="null", paper=self.paper, large_print_pdf=False, report=report
        )


# --- mutations: each makes some editions stale -------------------------------------


def paper(site: Site) -> None:
    """PDF layout (and so the EPUB's page-list) changes; the audio does not."""
    site.paper = "letter" if site.paper == "a4" else "a4"


def figure(site: Site) -> None:
    """A taller picture: every visual edition changes, the page breaks move."""
    site.tall = not site.tall
    (site.article.parent / "pill.png").write_bytes(site.figures[site.tall])


def section(site: Site) -> None:
    """A section comes or goes: every edition changes, one chapter is mastered."""
    text = site.article.read_text(encoding="utf-8")
    if NEW_SECTION in text:
        text = text.replace(NEW_SECTION, "")
    else:
        text = text.replace(BEFORE_SECTION, NEW_SECTION + BEFORE_SECTION)
    site.article.write_text(text, encoding="utf-8")


def audio_file(site: Site) -> None:
    """The M4B is gone: the audio is remade from its caches."""
    (site.out / "article.m4b").unlink()


def page(site: Site) -> None:
    """The large-print page is gone."""
    (site.out / "article-large-print.html").unlink()


MUTATIONS: dict[str, Callable[[Site], None]] = {
    "paper": paper,
    "figure": figure,
    "section": section,
    "audio file": audio_file,
    "page": page,
}
FIRST_GUESS = {"paper": 4.0, "figure": 4.0, "section": 8.0, "audio file": 2.0}


# --- the killed build, in a forked process -----------------------------------------


def child_build(site: Site, env: dict[str, str], done: Path) -> None:
    """Run one build; exit as a user's shell would see it (143 after SIGTERM)."""
    os.environ.update(env)
    log = done.with_suffix(".log")

    def report(line: str) -> None:
        with log.open("a", encoding="utf-8") as handle:
            handle.write(line + "\n")

    try:
        pipeline.build(site.article, site.out, site.options(report))
    except Interrupted as err:
        os._exit(err.exit_code)
    except BuildFailed as err:
        report(err.report())
        os._exit(err.exit_code)
    except KeyboardInterrupt:  # SIGINT before the build's handler was in place
        os._exit(130)
    except BaseException:
        traceback.print_exc()
        os._exit(1)
    done.touch()
    os._exit(0)


@dataclass(frozen=True)
class Killed:
    """How the killed build ended."""

    exit_code: int | None
    landed: bool  # the signal arrived while the build ran
    seconds: float
    log: list[str]


def killed_build(
    site: Site, tmp: Path, signame: str, stop_at: str = "", delay: float = 0.0
) -> Killed:
    """Build in a forked process; stop it at *stop_at* or after *delay* seconds."""
    done = tmp / f"done-{len(RECORDS)}"
    env = {STOP_AFTER_ENV: stop_at, STOP_SIGNAL_ENV: signame} if stop_at else {}
    child = multiprocessing.get_context("fork").Process(
        target=child_build, args=(site, env, done)
    )
    started = time.monotonic()
    child.start()
    if not stop_at:
        child.join(delay)
        if child.is_alive():
            os.kill(child.pid or 0, signal.Signals[f"SIG{signame}"])
    child.join(CHILD_TIMEOUT)
    if child.is_alive():
        child.kill()
        pytest.fail(f"the killed build was still running after {CHILD_TIMEOUT} s")
    log = done.with_suffix(".log")
    return Killed(
        child.exitcode,
        not done.exists(),
        time.monotonic() - started,
        log.read_text(encoding="utf-8").splitlines() if log.exists() else [],
    )


def debris_in(out: Path) -> list[str]:
    """Return what a build in *out* must not leave behind (the lock included)."""
    found = [p for p in out.rglob(".*.part")]
    masters = out / ".cache" / "masters"
    found += [p for p in masters.glob(".*") if p.is_dir()]
    found += [p for p in [out / LOCK_NAME] if p.exists()]
    return sorted(str(p.relative_to(out)) for p in found)


def lock_holders(out: Path) -> list[int]:
    """Return the processes that still have *out*'s lock file open."""
    target = str(out / LOCK_NAME)
    holders = []
    for fd_dir in Path("/proc").glob("[0-9]*/fd"):
        try:
            links = [str(fd.readlink()) for fd in fd_dir.iterdir()]
        except OSError:
            continue  # ended meanwhile, or not ours to read
        if any(link.startswith(target) for link in links):
            holders.append(int(fd_dir.parent.name))
    return holders


def wait_for_helpers(out: Path) -> float:
    """Wait until no process holds *out*'s lock; return how long that took."""
    started = time.monotonic()
    while lock_holders(out):
        if time.monotonic() - started > HELPER_TIMEOUT:
            pytest.fail(f"helpers of the killed build outlived it: {lock_holders(out)}")
        time.sleep(0.1)
    return time.monotonic() - started


# --- after each kill: the next build, then the checks ------------------------------


def consistency(article: Path, out: Path, built: tuple[str, ...] = ALL) -> list[str]:
    """Run `invoke check`'s checks of what one edition reuses from another (the
    EPUB's page-list and the braille's print pages against the PDF, every timed
    sentence against the audio), and the byte-for-byte checks, on the *built* ones.
    """
    only = checks.CheckOptions(only=ONLY, write_report=False)
    report = checks.run(article, out, only)
    expected = [run for run in EXPECTED_RUNS if run[0] in built]
    runs = [r for r in report.runs if (r.edition, r.check) in expected]
    found = [f"{r.edition}: {r.check} did not run" for r in runs if not r.ran]
    found += [str(f) for r in runs for f in r.findings]
    if sorted((r.edition, r.check) for r in runs) != expected:
        found.append(f"checks run: {[(r.edition, r.check) for r in runs]}")
    return found + disagreements(out, "article", epub="epub" in built)


def trial(
    site: Site,
    tmp: Path,
    kind: str,
    mutation: str,
    signame: str,
    stop_at: str = "",
    delay: float = 0.0,
) -> dict[str, Any]:
    """Mutate, start a build and kill it, build again, check; record all of it."""
    MUTATIONS[mutation](site)
    killed = killed_build(site, tmp, signame, stop_at, delay)
    helpers = wait_for_helpers(site.out)
    left = debris_in(site.out)  # once its helpers (and encoders) died with it
    lines: list[str] = []
    started = time.monotonic()
    again = pipeline.build(site.article, site.out, site.options(lines.append))
    rebuild = time.monotonic() - started
    site.typical[mutation] = killed.seconds + rebuild  # about one whole build
    record = {
        "trial": len(RECORDS) + 1,
        "kind": kind,
        "mutation": mutation,
        "signal": signame,
        "point": stop_at or f"after {delay:.2f} s",
        "landed": killed.landed,
        "exit": killed.exit_code,
        "left_by_the_kill": left,
        "helpers_gone_after_s": round(helpers, 2),
        "stopped_message": any("BLD004" in line for line in killed.log),
        "swept_message": any("BLD005" in line for line in lines),
        "next_build_rebuilt": list(again.rebuilt),
        "seconds": round(killed.seconds + rebuild, 1),
        "debris_after_next_build": debris_in(site.out),
        "problems": consistency(site.article, site.out),
    }
    RECORDS.append(record)
    save_records()
    print(line(record))
    return record


def line(r: dict[str, Any]) -> str:
    verdict = "consistent" if not r["problems"] else f"PROBLEMS {r['problems']}"
    landed = "" if r["landed"] else " (finished before the signal)"
    return (
        f"kill {r['trial']:2d} {r['kind']:8s} {r['signal']:4s} at {r['point']:16s}"
        f"{landed} exit {r['exit']}, {len(r['left_by_the_kill'])} left, next "
        f"build rebuilt {','.join(r['next_build_rebuilt']) or 'nothing'}: {verdict}"
    )


def save_records() -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(RECORDS, indent=1), encoding="utf-8")


def assert_sound(record: dict[str, Any]) -> None:
    """Whatever the kill left, the next build removed it and made a consistent set."""
    assert record["debris_after_next_build"] == [], line(record)
    assert record["problems"] == [], line(record)
    if not record["landed"]:
        return
    assert record["exit"] == EXIT[record["signal"]], line(record)
    if record["signal"] == "KILL":
        # Nothing could clean up: the next build said what it removed, if anything
        # (the lock file it takes over is not debris: the kernel freed the lock).
        partial = [p for p in record["left_by_the_kill"] if p != LOCK_NAME]
        assert record["swept_message"] or not partial, line(record)
    else:
        # Stopped by a signal: the build cleaned up after itself and said so.
        assert record["left_by_the_kill"] == [], line(record)
        assert record["stopped_message"], line(record)


def helpers_of(pid: int) -> list[int]:
    """Return the processes *pid* forked (same program), not the tools it runs."""
    own = Path(f"/proc/{pid}/cmdline").read_bytes()
    found = []
    for task in Path(f"/proc/{pid}/task").glob("*"):
        for child in (task / "children").read_text().split():
            try:
                if Path(f"/proc/{child}/cmdline").read_bytes() == own:
                    found.append(int(child))
            except OSError:
                continue  # it ended meanwhile
    return found


def write_half_and_die(target: Path) -> None:
    """In a forked process: be killed half-way through a staged write."""
    with staged(target) as scratch:
        scratch.write_bytes(b"%PDF-1.7 half a file")
        os.kill(os.getpid(), signal.SIGKILL)
