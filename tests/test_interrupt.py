"""Interrupted builds (issue 18): killed at every stage boundary and at seeded random
moments, each followed by the next build and the consistency checks of `invoke check`.

SLOW, and bounded: about 25 builds of the small fixture article with the null speech
engine (each mutation makes only some editions stale, so most builds redo one or two
editions), a killed helper, a kill -9 mid-write, two builds at once, damaged caches,
then one real-voice case through `invoke`. Every kill point and its result is printed
and written to build/test-results/interrupt.json (see `kill_harness`).
"""

from __future__ import annotations

import multiprocessing
import os
import random
import re
import shutil
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from conftest import ROOT, run_invoke
from kill_harness import (
    CHILD_TIMEOUT,
    EXIT,
    FIRST_GUESS,
    GOOD,
    MAX_RANDOM_TRIES,
    RANDOM_KILLS,
    RECORDS,
    RESULTS,
    SEED,
    Site,
    assert_sound,
    child_build,
    consistency,
    debris_in,
    helpers_of,
    line,
    paper,
    save_records,
    section,
    trial,
    write_half_and_die,
)
from PIL import Image, ImageDraw

from editions import build as pipeline
from editions.lock import EXIT_BUSY, LOCK_NAME

pytestmark = pytest.mark.slow


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
    record = trial(site, tmp_path, "boundary", mutation, signame, stop_at=point)
    assert record["landed"], line(record)
    edition, moment = point.split(":")
    # The hook stopped it where it says: the files written, recorded or not yet.
    assert record["exit"] == EXIT[signame], line(record)
    assert edition in record["next_build_rebuilt"] or moment == "recorded"
    if moment == "recorded":
        assert edition not in record["next_build_rebuilt"], line(record)
    assert_sound(record)


def test_kill_at_random_moments(site: Site, tmp_path: Path) -> None:
    """Seeded: the mutation, the signal and the moment; 12 must land mid-build."""
    rng = random.Random(SEED)
    landed = 0
    for _ in range(MAX_RANDOM_TRIES):
        mutation = rng.choice(["paper", "figure", "section", "audio file"])
        signame = rng.choice(["KILL", "TERM", "INT"])
        delay = rng.uniform(0.1, 0.9) * max(site.typical[mutation], 1.0)
        record = trial(site, tmp_path, "random", mutation, signame, delay=delay)
        assert_sound(record)
        landed += record["landed"]
        if landed >= RANDOM_KILLS:
            break
    assert landed >= RANDOM_KILLS, f"only {landed} of the kills landed mid-build"


def test_two_builds_into_one_folder_take_turns(site: Site, tmp_path: Path) -> None:
    """The second waits for the lock (and says for whom), then finds nothing to do."""
    paper(site)
    context = multiprocessing.get_context("fork")
    first = context.Process(target=child_build, args=(site, {}, tmp_path / "first"))
    second = context.Process(target=child_build, args=(site, {}, tmp_path / "second"))
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
    assert consistency(site.article, site.out) == []


def alive(pid: int) -> bool:
    """True while *pid* runs (not a zombie that has already finished its work)."""
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except (OSError, IndexError):
        return False
    return state not in {"Z", "X"}


def kill_a_helper(site: Site, done: Path) -> tuple[int | None, bool]:
    """Build in a forked process and SIGKILL one helper it forked while it runs.

    Returns the build's exit code and whether the kill landed on a running helper
    (with speech cached the helpers can finish before one is caught: then retry).
    """
    child = multiprocessing.get_context("fork").Process(
        target=child_build, args=(site, {}, done)
    )
    child.start()
    deadline = time.monotonic() + CHILD_TIMEOUT
    landed = False
    while not landed and child.is_alive() and time.monotonic() < deadline:
        seen = set(helpers_of(child.pid or 0))
        time.sleep(0.05)  # a tool is forked too, but soon runs another program
        for pid in sorted(seen & set(helpers_of(child.pid or 0))):
            if alive(pid):
                os.kill(pid, signal.SIGKILL)
                landed = True
                break
    child.join(CHILD_TIMEOUT)
    return child.exitcode, landed


HELPER_TRIES = 6


def test_a_killed_helper_stops_the_build_cleanly(site: Site, tmp_path: Path) -> None:
    """A helper (the PDF layout beside the speech, or a chapter encoder) is
    SIGKILLed, as the OOM killer would: BLD006, exit 75, no traceback and nothing
    partial; the next build finishes the set. A build whose helper had already sent
    its edition back may finish whole instead: it is checked, then retried."""
    for attempt in range(HELPER_TRIES):
        section(site)  # the audio is remade, so the PDF is laid out beside it
        done = tmp_path / f"done{attempt}"
        exitcode, landed = kill_a_helper(site, done)
        log = done.with_suffix(".log").read_text(encoding="utf-8")
        left = debris_in(site.out)
        again = pipeline.build(site.article, site.out, site.options(lambda _: None))
        record = {
            "trial": len(RECORDS) + 1,
            "kind": "helper",
            "signal": "KILL",
            "point": "a forked helper of the build, mid-edition",
            "landed": landed,
            "exit": exitcode,
            "left_by_the_kill": left,
            "next_build_rebuilt": list(again.rebuilt),
            "problems": consistency(site.article, site.out),
        }
        RECORDS.append(record)
        save_records()
        print(record)
        assert record["problems"] == [], line(record)
        assert left == [], line(record)
        if exitcode == 0:
            # The helper had already sent its edition back (pool workers idle until
            # the level ends): a whole, consistent set, as the checks above showed.
            assert "BLD006" not in log, log
            continue
        assert landed and exitcode == EXIT_BUSY, log
        assert "error BLD006: a process of the build" in log
        assert "Traceback" not in log, log
        assert {"audio", "pdf"} & set(again.rebuilt)
        return
    pytest.fail(f"no helper was caught running in {HELPER_TRIES} builds")


def test_next_build_removes_what_kill_9_left(site: Site) -> None:
    """A `.article.pdf.<pid>.part` left by kill -9 is removed (BLD005); no more."""
    pdf = site.out / "article.pdf"
    before = pdf.read_bytes()
    writer = multiprocessing.get_context("fork").Process(
        target=write_half_and_die, args=(pdf,)
    )
    writer.start()
    writer.join(CHILD_TIMEOUT)
    assert writer.exitcode == -signal.SIGKILL
    assert debris_in(site.out) == [f".article.pdf.{writer.pid}.part"]
    lines: list[str] = []
    report = pipeline.build(site.article, site.out, site.options(lines.append))
    assert report.rebuilt == ()
    assert any("warning BLD005: removed 1 partial file(s)" in line for line in lines)
    assert debris_in(site.out) == []
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
    assert consistency(site.article, site.out) == []


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
    left = debris_in(out)
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
        "debris_after_next_build": debris_in(out),
        "problems": consistency(folder / "article.md", out, ("audio", "html")),
    }
    RECORDS.append(record)
    save_records()
    print(record)
    assert proc.returncode == 143, stopped
    assert "warning BLD004: the build was stopped by SIGTERM" in stopped
    assert left == []
    assert finished.returncode == 0, finished.stderr
    assert said is not None and 0 < int(said.group(1)) <= int(said.group(2)) - wanted
    assert record["debris_after_next_build"] == []
    assert record["problems"] == []
