"""One build per output folder, the sweep of what interrupted builds left, and
encoders that die with a killed build."""

from __future__ import annotations

import multiprocessing
import os
import signal
import tempfile
import time
from pathlib import Path

import pytest

from editions import build as pipeline, debris, lock
from editions.audio.encode import run_all
from editions.checks import names, run as checks
from editions.errors import BuildFailed

GOOD = Path(__file__).resolve().parent / "data" / "good"


def _hold_then_record(out: Path, wait: float, log: Path) -> None:
    """In a forked process: take the lock, note when, and leave."""
    lines: list[str] = []
    with lock.locked(out, wait, lines.append):
        log.write_text(f"{time.time()}\n" + "\n".join(lines), encoding="utf-8")
    os._exit(0)


def _hold_and_die(out: Path) -> None:
    """In a forked process: take the lock and be killed holding it."""
    with lock.locked(out, 0, lambda _: None):
        os.kill(os.getpid(), signal.SIGKILL)


def test_second_holder_waits_and_says_for_whom(tmp_path: Path) -> None:
    log = tmp_path / "second.log"
    with lock.locked(tmp_path, 0, lambda _: None):
        second = multiprocessing.get_context("fork").Process(
            target=_hold_then_record, args=(tmp_path, 30.0, log)
        )
        second.start()
        time.sleep(1.0)
        assert not log.exists()  # still waiting for us
        released = time.time()
    second.join(30)
    acquired, *lines = log.read_text(encoding="utf-8").splitlines()
    assert float(acquired) >= released
    assert len(lines) == 1
    assert "warning BLD002: another build is writing into" in lines[0]
    assert f"pid {os.getpid()}" in lines[0]
    assert not (tmp_path / lock.LOCK_NAME).exists()


def test_busy_folder_stops_the_build_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lock.WAIT_ENV, "0")
    out = tmp_path / "out"
    with lock.locked(out, 0, lambda _: None), pytest.raises(BuildFailed) as failure:
        pipeline.run(GOOD / "article.md", out, pipeline.BuildOptions(tts="null"))
    assert failure.value.exit_code == lock.EXIT_BUSY
    report = failure.value.report()
    assert f"{out / lock.LOCK_NAME}: error BLD001: another build is still" in report
    assert f"pid {os.getpid()}" in report
    assert not out.exists()  # nothing was written, the folder it made is gone


def _check_then_record(out: Path, log: Path) -> None:
    """In a forked process: run `invoke check`'s runner, note when it got going."""
    lines: list[str] = []
    only = (names.HEADINGS,)
    options = checks.CheckOptions(write_report=False, only=only, progress=lines.append)
    checks.run(GOOD / "article.md", out, options)
    log.write_text(f"{time.time()}\n" + "\n".join(lines), encoding="utf-8")
    os._exit(0)


def test_check_waits_for_the_build_writing_its_folder(tmp_path: Path) -> None:
    log = tmp_path / "check.log"
    out = tmp_path / "out"
    with lock.locked(out, 0, lambda _: None):
        check = multiprocessing.get_context("fork").Process(
            target=_check_then_record, args=(out, log)
        )
        check.start()
        time.sleep(3.0)  # long enough to load the source and reach the editions
        assert not log.exists()  # still waiting for the "build"
        released = time.time()
    check.join(60)
    assert check.exitcode == 0
    finished, *lines = log.read_text(encoding="utf-8").splitlines()
    assert float(finished) >= released
    waiting = [line for line in lines if "BLD002" in line]
    assert len(waiting) == 1, lines
    assert f"pid {os.getpid()}" in waiting[0]


def test_check_of_a_busy_folder_stops_with_a_clear_message(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lock.WAIT_ENV, "0")
    options = checks.CheckOptions(write_report=False, only=(names.HEADINGS,))
    with lock.locked(tmp_path, 0, lambda _: None), pytest.raises(BuildFailed) as err:
        checks.run(GOOD / "article.md", tmp_path, options)
    assert err.value.exit_code == lock.EXIT_BUSY
    assert "error BLD001: another build is still writing" in err.value.report()
    assert not (tmp_path / "report.json").exists()


def test_a_killed_holder_leaves_no_stale_lock(tmp_path: Path) -> None:
    holder = multiprocessing.get_context("fork").Process(
        target=_hold_and_die, args=(tmp_path,)
    )
    holder.start()
    holder.join(30)
    assert holder.exitcode == -signal.SIGKILL
    assert (tmp_path / lock.LOCK_NAME).exists()  # the file stays, the lock does not
    lines: list[str] = []
    started = time.monotonic()
    with lock.locked(tmp_path, 0, lines.append):
        assert time.monotonic() - started < 1
    assert lines == []
    assert not (tmp_path / lock.LOCK_NAME).exists()


def test_a_lock_file_removed_meanwhile_is_not_trusted(tmp_path: Path) -> None:
    path = tmp_path / lock.LOCK_NAME
    fd = os.open(path, os.O_RDWR | os.O_CREAT)
    try:
        assert lock._same_file(fd, path)
        path.unlink()
        path.write_text("another build's lock")
        assert not lock._same_file(fd, path)
    finally:
        os.close(fd)


def test_lock_wait_must_be_seconds(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv(lock.WAIT_ENV, "soon")
    with pytest.raises(BuildFailed) as failure:
        pipeline.run(GOOD / "article.md", tmp_path / "out")
    assert "error BLD003: EDITIONS_LOCK_WAIT='soon' is not a number" in (
        failure.value.report()
    )
    assert not (tmp_path / "out").exists()


def _scratch_and_die(log: Path) -> None:
    """In a forked process: make the audio scratch folder and be killed in it."""
    with debris.scratch_folder() as folder:
        (folder / "book.wav").write_bytes(b"x")
        log.write_text(str(folder), encoding="utf-8")
        os.kill(os.getpid(), signal.SIGKILL)


def test_next_build_sweeps_a_killed_builds_audio_scratch(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    scratch_root = tmp_path / "tmp"
    scratch_root.mkdir()
    monkeypatch.setattr(tempfile, "tempdir", str(scratch_root))
    log = tmp_path / "scratch.log"
    killed = multiprocessing.get_context("fork").Process(
        target=_scratch_and_die, args=(log,)
    )
    killed.start()
    killed.join(30)
    assert killed.exitcode == -signal.SIGKILL
    left = Path(log.read_text(encoding="utf-8"))
    assert left.parent == scratch_root and left.is_dir()
    assert f"-{killed.pid}-" in left.name  # its owner is named, so it can be judged
    live = scratch_root / f"{debris.SCRATCH_PREFIX}{os.getpid()}-running"
    unnamed = scratch_root / f"{debris.SCRATCH_PREFIX}x1y2z3"  # cannot be judged
    live.mkdir()
    unnamed.mkdir()
    lines: list[str] = []
    options = pipeline.BuildOptions(only=("braille",), tts="null", report=lines.append)
    pipeline.run(GOOD / "article.md", tmp_path / "out", options)
    assert not left.exists()
    assert live.is_dir() and unnamed.is_dir()
    swept = [line for line in lines if "BLD032" in line]
    assert len(swept) == 1 and "removed 1 scratch folder(s)" in swept[0], lines


def test_sweep_removes_only_this_folders_scratch(tmp_path: Path) -> None:
    out = tmp_path / "out"
    shared = tmp_path / "shared-speech"
    ours = [
        out / ".article.pdf.part",
        out / ".editions-state" / ".article.json.part",
        out / "article-chapters" / ".01-why.mp3.part",
        out / ".cache" / "speech" / ".tmp-1234.part",
    ]
    scratch_dir = out / ".cache" / "masters" / ".article-abc-x1y2"
    kept = [
        out / "article.pdf",
        out / ".cache" / "masters" / "article-abc" / "chapter.mp3",
        out / "flu" / ".editions-state" / "flu.json",
        out / "flu" / ".flu.pdf.part",  # another build's folder (a batch)
        shared / ".tmp-fresh.part",  # a shared cache: maybe still being written
    ]
    old = shared / ".tmp-old.part"
    for path in [*ours, *kept, old, scratch_dir / "mp3.wav"]:
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_bytes(b"x")
    hour_ago = time.time() - debris.SHARED_CACHE_AGE - 60
    os.utime(old, (hour_ago, hour_ago))

    removed = debris.sweep(out, shared)

    assert sorted(removed) == sorted([*ours, scratch_dir, old])
    assert all(p.exists() for p in kept)
    assert not scratch_dir.exists()


def _encode_forever() -> None:
    """In a forked process: wait on an 'encoder' that would outlive it."""
    run_all([["sleep", "60"]])


def _alive(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()[0]
    except OSError:
        return False
    return state != "Z"


def test_an_encoder_dies_with_a_killed_build() -> None:
    build = multiprocessing.get_context("fork").Process(target=_encode_forever)
    build.start()
    encoders: list[str] = []
    deadline = time.monotonic() + 30
    while not encoders and time.monotonic() < deadline:
        time.sleep(0.05)
        for task in Path(f"/proc/{build.pid}/task").glob("*"):
            encoders += (task / "children").read_text().split()
    assert encoders
    os.kill(build.pid or 0, signal.SIGKILL)
    build.join(10)
    deadline = time.monotonic() + 10
    while _alive(int(encoders[0])) and time.monotonic() < deadline:
        time.sleep(0.05)
    assert not _alive(int(encoders[0]))


def test_a_swallowed_signal_still_stops_the_build(tmp_path: Path) -> None:
    """SIGTERM's exception can land in code that ignores exceptions (logging's
    at-fork hook did, in CI): the build still stops, at the next edition boundary
    or before it reports success, with BLD004."""
    from editions.interrupt import Interrupted, guarded, stop_point

    lines: list[str] = []
    options = pipeline.BuildOptions(report=lines.append)

    def swallow() -> None:
        try:
            os.kill(os.getpid(), signal.SIGTERM)
            time.sleep(1)  # the handler runs here and raises
        except BaseException:  # what an at-fork hook does
            pass

    with pytest.raises(Interrupted):
        with guarded(tmp_path / "out", options):
            swallow()
            stop_point("pdf", "written")  # the next boundary
            raise AssertionError("the build carried on past an edition boundary")
    assert any("BLD004" in line for line in lines), lines
    with pytest.raises(Interrupted):
        with guarded(tmp_path / "out", options):
            swallow()  # and nothing after it: the build would report success


def test_a_swallowed_signal_stops_the_work_at_its_next_count(tmp_path: Path) -> None:
    """Between edition boundaries too: the next progress count (a sentence spoken,
    a page laid out) raises it again, but never inside a clean-up."""
    from editions import progress
    from editions.interrupt import Interrupted, guarded

    counted: list[int] = []
    options = pipeline.BuildOptions(report=lambda line: None)
    with pytest.raises(Interrupted):
        with guarded(tmp_path / "out", options):
            try:
                os.kill(os.getpid(), signal.SIGTERM)
                time.sleep(1)
            except BaseException:  # swallowed, as an at-fork hook does
                pass
            try:
                raise ValueError("unwinding")
            except ValueError:
                progress.update("audio", 1, 3)  # inside a handler: not here
                counted.append(1)
            for n in range(2, 4):
                progress.update("audio", n, 3)
                counted.append(n)
    assert counted == [1]
