"""Interrupted builds (issue 18): killed at every stage boundary and at seeded random
moments, each followed by the next build and the consistency checks of `invoke check`.

After each kill the next build must leave a consistent set: the EPUB's page-list and
the braille's print pages are the PDF's, the EPUB's MP3 and overlays, the page's
read-along and the captions are the MP3's (`invoke check`'s comparisons plus the
byte-for-byte ones in `same_build`), and no partial file or lock is left.

SLOW, and bounded: about 25 builds of the small fixture article with the null speech
engine (each mutation makes only some editions stale, so most builds redo one or two
editions), then one real-voice case through `invoke`. The killed builds are forked
from this process (no start-up cost), so the signal reaches a real build process with
its own forked helpers (the PDF layout, the chapter encoders). Every kill point and
its result is printed and written to build/test-results/interrupt.json.
"""

from __future__ import annotations

import json
import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
import traceback
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import pytest
from conftest import ROOT, run_invoke
from PIL import Image, ImageDraw
from same_build import problems as disagreements

from editions import build as pipeline
from editions.checks import run as checks
from editions.errors import BuildFailed
from editions.interrupt import STOP_AFTER_ENV, STOP_SIGNAL_ENV, Interrupted
from editions.lock import EXIT_BUSY, LOCK_NAME
from editions.output import staged

pytestmark = pytest.mark.slow

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


def _paper(site: Site) -> None:
    """PDF layout (and so the EPUB's page-list) changes; the audio does not."""
    site.paper = "letter" if site.paper == "a4" else "a4"


def _figure(site: Site) -> None:
    """A taller picture: every visual edition changes, the page breaks move."""
    site.tall = not site.tall
    (site.article.parent / "pill.png").write_bytes(site.figures[site.tall])


def _section(site: Site) -> None:
    """A section comes or goes: every edition changes, one chapter is mastered."""
    text = site.article.read_text(encoding="utf-8")
    if NEW_SECTION in text:
        text = text.replace(NEW_SECTION, "")
    else:
        text = text.replace(BEFORE_SECTION, NEW_SECTION + BEFORE_SECTION)
    site.article.write_text(text, encoding="utf-8")


def _audio_file(site: Site) -> None:
    """The M4B is gone: the audio is remade from its caches."""
    (site.out / "article.m4b").unlink()


def _page(site: Site) -> None:
    """The large-print page is gone."""
    (site.out / "article-large-print.html").unlink()


MUTATIONS: dict[str, Callable[[Site], None]] = {
    "paper": _paper,
    "figure": _figure,
    "section": _section,
    "audio file": _audio_file,
    "page": _page,
}
FIRST_GUESS = {"paper": 4.0, "figure": 4.0, "section": 8.0, "audio file": 2.0}


# --- the killed build, in a forked process -----------------------------------------


def _child(site: Site, env: dict[str, str], done: Path) -> None:
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


def _killed_build(
    site: Site, tmp: Path, signame: str, stop_at: str = "", delay: float = 0.0
) -> Killed:
    """Build in a forked process; stop it at *stop_at* or after *delay* seconds."""
    done = tmp / f"done-{len(RECORDS)}"
    env = {STOP_AFTER_ENV: stop_at, STOP_SIGNAL_ENV: signame} if stop_at else {}
    child = multiprocessing.get_context("fork").Process(
        target=_child, args=(site, env, done)
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


def _debris(out: Path) -> list[str]:
    """Return what a build in *out* must not leave behind (the lock included)."""
    found = [p for p in out.rglob(".*.part")]
    masters = out / ".cache" / "masters"
    found += [p for p in masters.glob(".*") if p.is_dir()]
    found += [p for p in [out / LOCK_NAME] if p.exists()]
    return sorted(str(p.relative_to(out)) for p in found)


def _lock_holders(out: Path) -> list[int]:
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


def _wait_for_helpers(out: Path) -> float:
    """Wait until no process holds *out*'s lock; return how long that took."""
    started = time.monotonic()
    while _lock_holders(out):
        if time.monotonic() - started > HELPER_TIMEOUT:
            pytest.fail(
                f"helpers of the killed build outlived it: {_lock_holders(out)}"
            )
        time.sleep(0.1)
    return time.monotonic() - started


# --- after each kill: the next build, then the checks ------------------------------


def _consistency(article: Path, out: Path, built: tuple[str, ...] = ALL) -> list[str]:
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


def _trial(
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
    killed = _killed_build(site, tmp, signame, stop_at, delay)
    left = _debris(site.out)
    helpers = _wait_for_helpers(site.out)
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
        "debris_after_next_build": _debris(site.out),
        "problems": _consistency(site.article, site.out),
    }
    RECORDS.append(record)
    _save_records()
    print(_line(record))
    return record


def _line(r: dict[str, Any]) -> str:
    verdict = "consistent" if not r["problems"] else f"PROBLEMS {r['problems']}"
    landed = "" if r["landed"] else " (finished before the signal)"
    return (
        f"kill {r['trial']:2d} {r['kind']:8s} {r['signal']:4s} at {r['point']:16s}"
        f"{landed} exit {r['exit']}, {len(r['left_by_the_kill'])} left, next "
        f"build rebuilt {','.join(r['next_build_rebuilt']) or 'nothing'}: {verdict}"
    )


def _save_records() -> None:
    RESULTS.parent.mkdir(parents=True, exist_ok=True)
    RESULTS.write_text(json.dumps(RECORDS, indent=1), encoding="utf-8")


def _assert_sound(record: dict[str, Any]) -> None:
    """Whatever the kill left, the next build removed it and made a consistent set."""
    assert record["debris_after_next_build"] == [], _line(record)
    assert record["problems"] == [], _line(record)
    if not record["landed"]:
        return
    assert record["exit"] == EXIT[record["signal"]], _line(record)
    if record["signal"] == "KILL":
        # Nothing could clean up: the next build said what it removed, if anything
        # (the lock file it takes over is not debris: the kernel freed the lock).
        partial = [p for p in record["left_by_the_kill"] if p != LOCK_NAME]
        assert record["swept_message"] == bool(partial), _line(record)
    else:
        # Stopped by a signal: the build cleaned up after itself and said so.
        assert record["left_by_the_kill"] == [], _line(record)
        assert record["stopped_message"], _line(record)


# --- the tests ---------------------------------------------------------------------


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Site]:
    """The fixture article copied and built once (null speech, no large-print PDF)."""
    folder = tmp_path_factory.mktemp("interrupt")
    shutil.copytree(GOOD, folder / "article")
    tall = folder / "tall.png"
    picture = Image.new("RGB", (300, 560), "#888888")
    ImageDraw.Draw(picture).ellipse((60, 190, 240, 370), fill="#cc2222")
    picture.save(tall)
    pill = folder / "article" / "pill.png"
    figures = {False: pill.read_bytes(), True: tall.read_bytes()}
    made = Site(folder / "article" / "article.md", folder / "out", figures)
    made.typical.update(FIRST_GUESS)
    RECORDS.clear()
    pipeline.build(made.article, made.out, made.options(lambda _: None))
    yield made
    if not RECORDS:
        return
    kills = [r for r in RECORDS if r["landed"]]
    signals = {name: sum(r["signal"] == name for r in kills) for name in EXIT}
    print(
        f"\n{len(kills)} kills landed mid-build in {len(RECORDS)} trials {signals}; "
        f"{sum(not r['problems'] for r in RECORDS)} left a consistent set; "
        f"details in {RESULTS}"
    )


#: (edition:moment, signal, mutation that makes the edition stale)
BOUNDARIES = [
    ("pdf:written", "KILL", "paper"),
    ("pdf:recorded", "TERM", "figure"),
    ("audio:written", "INT", "section"),
    ("audio:recorded", "KILL", "section"),
    ("epub:written", "TERM", "paper"),
    ("epub:recorded", "INT", "figure"),
    ("html:written", "KILL", "figure"),
    ("html:recorded", "TERM", "page"),
    ("braille:written", "INT", "paper"),
    ("braille:recorded", "KILL", "figure"),
]


@pytest.mark.parametrize(("point", "signame", "mutation"), BOUNDARIES)
def test_kill_at_stage_boundary(
    site: Site, tmp_path: Path, point: str, signame: str, mutation: str
) -> None:
    record = _trial(site, tmp_path, "boundary", mutation, signame, stop_at=point)
    assert record["landed"], _line(record)
    edition, moment = point.split(":")
    # The hook stopped it where it says: the files written, recorded or not yet.
    assert record["exit"] == EXIT[signame], _line(record)
    assert edition in record["next_build_rebuilt"] or moment == "recorded"
    if moment == "recorded":
        assert edition not in record["next_build_rebuilt"], _line(record)
    _assert_sound(record)


def test_kill_at_random_moments(site: Site, tmp_path: Path) -> None:
    """Seeded: the mutation, the signal and the moment; 12 must land mid-build."""
    rng = random.Random(SEED)
    landed = 0
    for _ in range(MAX_RANDOM_TRIES):
        mutation = rng.choice(["paper", "figure", "section", "audio file"])
        signame = rng.choice(["KILL", "TERM", "INT"])
        delay = rng.uniform(0.1, 0.9) * max(site.typical[mutation], 1.0)
        record = _trial(site, tmp_path, "random", mutation, signame, delay=delay)
        _assert_sound(record)
        landed += record["landed"]
        if landed >= RANDOM_KILLS:
            break
    assert landed >= RANDOM_KILLS, f"only {landed} of the kills landed mid-build"


def test_two_builds_into_one_folder_take_turns(site: Site, tmp_path: Path) -> None:
    """The second waits for the lock (and says for whom), then finds nothing to do."""
    _paper(site)
    context = multiprocessing.get_context("fork")
    first = context.Process(target=_child, args=(site, {}, tmp_path / "first"))
    second = context.Process(target=_child, args=(site, {}, tmp_path / "second"))
    first.start()
    deadline = time.monotonic() + CHILD_TIMEOUT
    while not (site.out / LOCK_NAME).exists() and time.monotonic() < deadline:
        time.sleep(0.02)
    second.start()
    first.join(CHILD_TIMEOUT)
    second.join(CHILD_TIMEOUT)
    assert (first.exitcode, second.exitcode) == (0, 0)
    log = (tmp_path / "second.log").read_text(encoding="utf-8")
    assert "warning BLD002: another build is writing into" in log
    assert f"pid {first.pid}" in log
    assert "up to date; nothing rebuilt" in log  # it came after, never in between
    assert "rebuilding" in (tmp_path / "first.log").read_text(encoding="utf-8")
    assert _consistency(site.article, site.out) == []


def _helpers_of(pid: int) -> list[int]:
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


def test_a_killed_helper_stops_the_build_cleanly(site: Site, tmp_path: Path) -> None:
    """A helper (the PDF layout beside the speech, or a chapter encoder) is
    SIGKILLed, as the OOM killer would: BLD006, exit 75, no traceback and nothing
    partial; the next build finishes the set."""
    _section(site)  # the audio is remade, so the PDF is laid out beside it
    done = tmp_path / "done"
    child = multiprocessing.get_context("fork").Process(
        target=_child, args=(site, {}, done)
    )
    child.start()
    deadline = time.monotonic() + CHILD_TIMEOUT
    helpers: set[int] = set()
    while not helpers and child.is_alive() and time.monotonic() < deadline:
        seen = set(_helpers_of(child.pid or 0))
        time.sleep(0.3)  # a tool is forked too, but soon runs another program
        helpers = seen & set(_helpers_of(child.pid or 0))
    assert helpers, "the build forked no helper to kill"
    os.kill(min(helpers), signal.SIGKILL)
    child.join(CHILD_TIMEOUT)
    log = done.with_suffix(".log").read_text(encoding="utf-8")
    left = _debris(site.out)
    again = pipeline.build(site.article, site.out, site.options(lambda _: None))
    record = {
        "trial": len(RECORDS) + 1,
        "kind": "helper",
        "signal": "KILL",
        "point": "a forked helper of the build, mid-edition",
        "landed": True,
        "exit": child.exitcode,
        "left_by_the_kill": left,
        "next_build_rebuilt": list(again.rebuilt),
        "problems": _consistency(site.article, site.out),
    }
    RECORDS.append(record)
    _save_records()
    print(record)
    assert child.exitcode == EXIT_BUSY, log
    assert "error BLD006: a process of the build" in log
    assert left == []
    assert {"audio", "pdf"} & set(again.rebuilt)
    assert record["problems"] == []


def _write_half_and_die(target: Path) -> None:
    """In a forked process: be killed half-way through a staged write."""
    with staged(target) as scratch:
        scratch.write_bytes(b"%PDF-1.7 half a file")
        os.kill(os.getpid(), signal.SIGKILL)


def test_next_build_removes_what_kill_9_left(site: Site) -> None:
    """A `.article.pdf.part` left by kill -9 is removed (BLD005); nothing else moves."""
    pdf = site.out / "article.pdf"
    before = pdf.read_bytes()
    writer = multiprocessing.get_context("fork").Process(
        target=_write_half_and_die, args=(pdf,)
    )
    writer.start()
    writer.join(CHILD_TIMEOUT)
    assert writer.exitcode == -signal.SIGKILL
    assert _debris(site.out) == [".article.pdf.part"]
    lines: list[str] = []
    report = pipeline.build(site.article, site.out, site.options(lines.append))
    assert report.rebuilt == ()
    assert any("warning BLD005: removed 1 partial file(s)" in line for line in lines)
    assert _debris(site.out) == []
    assert pdf.read_bytes() == before


def test_damaged_caches_are_remade_never_published(site: Site) -> None:
    """Two speech entries and a chapter master damaged: remade, then published."""
    from editions.audio.cache import SentenceCache
    from editions.audio.chapter_master import _damage
    from editions.audio.null_engine import NullEngine
    from editions.bench.run import speech_texts

    cache = SentenceCache(site.out / ".cache" / "speech")
    key = NullEngine().cache_key()
    speech = [cache.path((key, text)) for text in speech_texts(site.article)[:2]]
    for entry in speech:
        entry.write_bytes(entry.read_bytes()[: entry.stat().st_size // 2])
    master = sorted((site.out / ".cache" / "masters").glob("article-*"))[0]
    mp3 = master / "chapter.mp3"
    mp3.write_bytes(mp3.read_bytes()[:-4000])
    assert _damage(master) == "chapter.mp3 is not the file that was made"
    (site.out / "article.mp3").unlink()  # the audio must be remade from its caches
    report = pipeline.build(site.article, site.out, site.options(lambda _: None))
    assert "audio" in report.rebuilt
    assert report.synthesised == 2  # exactly the damaged sentences
    assert master.is_dir() and _damage(master) == ""  # mastered again, whole
    assert not [p for p in master.parent.glob(".*")]
    assert _consistency(site.article, site.out) == []


def test_real_voice_build_stopped_and_finished(tmp_path: Path) -> None:
    """Piper: `invoke html` stopped by SIGTERM mid-speech, then run to the end.

    The fixture's first section only (about 15 sentences): real speech is slow.
    """
    folder = tmp_path / "article"
    shutil.copytree(GOOD, folder)
    text = (folder / "article.md").read_text(encoding="utf-8")
    cut, keep = text.index("### What to expect"), text.index("## References")
    (folder / "article.md").write_text(text[:cut] + text[keep:], encoding="utf-8")
    out = tmp_path / "out"
    args = ("html", "--source", str(folder / "article.md"), "--out", str(out))
    proc = subprocess.Popen(
        [sys.executable, "-m", "invoke", *args],
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )
    spoken = out / ".cache" / "speech"
    wanted = random.Random(SEED).randint(2, 8)  # sentences spoken before SIGTERM
    deadline = time.monotonic() + CHILD_TIMEOUT
    while len(list(spoken.glob("*.npz"))) < wanted and time.monotonic() < deadline:
        time.sleep(0.05)
    proc.send_signal(signal.SIGTERM)
    _, stopped = proc.communicate(timeout=CHILD_TIMEOUT)
    left = _debris(out)
    finished = run_invoke(*args, timeout=CHILD_TIMEOUT * 2)
    said = re.search(r"audio: (\d+) of (\d+) sentences synthesised", finished.stderr)
    record = {
        "trial": len(RECORDS) + 1,
        "kind": "piper",
        "signal": "TERM",
        "point": f"after {wanted} sentences were spoken",
        "landed": True,
        "exit": proc.returncode,
        "left_by_the_kill": left,
        "next_build": said.group(0) if said else finished.stderr[-300:],
        "debris_after_next_build": _debris(out),
        "problems": _consistency(folder / "article.md", out, ("audio", "html")),
    }
    RECORDS.append(record)
    _save_records()
    print(record)
    assert proc.returncode == 143, stopped
    assert "warning BLD004: the build was stopped by SIGTERM" in stopped
    assert left == []
    assert finished.returncode == 0, finished.stderr
    assert said is not None and 0 < int(said.group(1)) <= int(said.group(2)) - wanted
    assert record["debris_after_next_build"] == []
    assert record["problems"] == []
