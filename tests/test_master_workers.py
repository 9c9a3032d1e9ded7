"""Mastering workers fork from one server that loaded the DSP libraries once
(issues 19/22), and the whole chain dies with a build that is SIGKILLed."""

from __future__ import annotations

import multiprocessing
import os
import shutil
import signal
import subprocess
import sys
import time
from pathlib import Path

from conftest import FIXTURE

from editions import build as pipeline
from editions.audio import workers
from editions.process_role import PREFIX

MASTER = f"{PREFIX}master"
GONE_WITHIN = 10.0  # s for the server, its workers and their encoders to follow


def _stat(pid: int) -> tuple[str, int, str] | None:
    """Return (comm, parent pid, state) of *pid*, or None once it has ended."""
    try:
        text = Path(f"/proc/{pid}/stat").read_text()
    except OSError:
        return None
    fields = text[text.rindex(")") + 2 :].split()
    return text[text.index("(") + 1 : text.rindex(")")], int(fields[1]), fields[0]


def _descendants(root: int) -> dict[int, tuple[str, int, str]]:
    found: dict[int, tuple[str, int, str]] = {}
    for entry in Path("/proc").glob("[0-9]*"):
        stat = _stat(int(entry.name))
        if stat is not None:
            found[int(entry.name)] = stat
    kept, todo = {}, [root]
    while todo:
        parent = todo.pop()
        for pid, stat in found.items():
            if stat[1] == parent and pid not in kept:
                kept[pid] = stat
                todo.append(pid)
    return kept


def _build_audio(article: Path, out: Path) -> None:
    """In a forked process: build the audio edition with silence (null engine)."""
    options = pipeline.BuildOptions(only=("audio",), tts="null", report=print)
    pipeline.build(article, out, options)
    os._exit(0)


def test_a_killed_build_takes_its_mastering_server_and_workers_with_it(
    tmp_path: Path,
) -> None:
    """SIGKILL mid-mastering: the fork server (a child of the build), its workers
    (children of the server) and their encoders are all gone seconds later.

    The test process starts a server of its own first: the build, forked from
    here, must start its own and leave this one alone (`workers._forget_server`).
    """
    workers.start_server()
    folder = tmp_path / "article"
    shutil.copytree(FIXTURE.parent, folder)
    build = multiprocessing.get_context("fork").Process(
        target=_build_audio, args=(folder / FIXTURE.name, tmp_path / "out")
    )
    build.start()
    assert build.pid is not None
    deadline, seen = time.monotonic() + 120, {}
    mastering = False
    while not mastering and build.is_alive() and time.monotonic() < deadline:
        seen.update(_descendants(build.pid))
        # A worker: a mastering process whose parent (the server) is one too.
        mastering = any(
            comm == MASTER and seen.get(parent, ("",))[0] == MASTER
            for comm, parent, _ in seen.values()
        )
        time.sleep(0.01)
    assert mastering, f"no mastering worker was seen: {sorted(seen.values())}"
    seen.update(_descendants(build.pid))
    os.kill(build.pid, signal.SIGKILL)
    build.join(30)
    assert build.exitcode == -signal.SIGKILL
    ours = {pid for pid, (comm, _, _) in seen.items() if comm == MASTER}
    assert len(ours) >= 2  # the server and a worker at least
    deadline = time.monotonic() + GONE_WITHIN
    left = ours
    while left and time.monotonic() < deadline:
        time.sleep(0.1)
        left = {pid for pid in seen if (s := _stat(pid)) is not None and s[2] != "Z"}
    assert not left, f"outlived the build: {[(p, _stat(p)) for p in sorted(left)]}"
    # The test process's own server was left running: a build still masters.
    pool = workers.pool(1)
    try:
        assert pool.submit(os.getpid).result(timeout=60) != os.getpid()
    finally:
        pool.shutdown()


def _cpu_seconds(pid: int) -> float:
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def test_workers_start_with_the_dsp_loaded_and_only_when_needed() -> None:
    """A worker forks from the server with the DSP libraries in it, for almost no
    CPU; a pool of two with one chapter's work forks one worker, not two."""
    names = ["pyloudnorm", "scipy.ndimage", "scipy.signal", "mutagen.mp4"]
    # eval: a builtin reaches the worker by name, importing nothing there.
    asked = (
        "(__import__('os').getpid(),"
        f" [n for n in {names!r} if n in __import__('sys').modules])"
    )
    pool = workers.pool(2)
    try:
        pid, loaded = pool.submit(eval, asked).result(timeout=120)
        assert loaded == names
        assert pid != os.getpid() and _stat(pid) is not None
        assert _stat(pid)[0] == MASTER  # type: ignore[index]
        cpu = _cpu_seconds(pid)
        assert cpu < 0.2, f"a worker used {cpu:.2f} CPU-s for one tiny task"
        assert len(pool._processes) == 1  # one task waited: one worker forked
    finally:
        pool.shutdown()


def test_a_script_without_a_main_guard_is_not_run_again(tmp_path: Path) -> None:
    """Fork-server workers would import the main script again (`spawn.prepare`);
    a user's script that builds without `if __name__ == "__main__"` would build
    in each worker. The server takes the script as its own `__main__` instead."""
    script = tmp_path / "unguarded.py"
    runs = tmp_path / "runs.txt"
    script.write_text(
        "import os\n"
        "from editions.audio import workers\n"
        f"with open({str(runs)!r}, 'a') as f:\n"
        "    f.write(f'{os.getpid()}\\n')\n"
        "pool = workers.pool(1)\n"
        "print(pool.submit(os.getpid).result(timeout=120) != os.getpid())\n"
        "pool.shutdown()\n",
        encoding="utf-8",
    )
    done = subprocess.run(
        [sys.executable, str(script)],
        capture_output=True,
        text=True,
        timeout=180,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    assert done.stdout.strip() == "True"
    assert len(runs.read_text(encoding="utf-8").split()) == 1  # run here only
