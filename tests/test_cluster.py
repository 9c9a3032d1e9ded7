"""Folder builds and sentence synthesis on a Dask cluster: the local pool's bytes.

One `LocalCluster` (two worker processes on loopback) serves the whole module. The
folder is built once by the local pool and once on the cluster, where the worker
building one article is killed mid-task: the scheduler must run that task again on
another worker and every file must still match the local pool's.
"""

from __future__ import annotations

import os
import shutil
import threading
import time
from collections.abc import Callable, Iterator
from concurrent.futures import Future
from dataclasses import dataclass, replace
from pathlib import Path
from typing import Any, TypeVar

import dask.config
import psutil
import pytest
from conftest import FIXTURE, ROOT, run_invoke
from distributed import Client, LocalCluster

from editions import batch, build as pipeline, cluster, cluster_check
from editions.errors import Location

T = TypeVar("T")
EPOCH = "1700000000"  # the EPUB's date; a local and a cluster build must agree
BOUND = 240  # seconds any one build may take here before the test fails
KILLED = "flu"  # the article whose worker is killed
OPTIONS = pipeline.BuildOptions(tts="null", report=lambda line: None)


def _within(seconds: float, work: Callable[[], T]) -> T:
    """Run *work*; fail the test if it takes longer than *seconds*.

    In a daemon thread, so a build that hangs cannot keep pytest from exiting.
    """
    done: Future[T] = Future()

    def run() -> None:
        try:
            done.set_result(work())
        except BaseException as err:
            done.set_exception(err)

    threading.Thread(target=run, daemon=True).start()
    try:
        return done.result(timeout=seconds)
    except TimeoutError:
        pytest.fail(f"not done within {seconds} s")


@pytest.fixture(scope="module", autouse=True)
def _epoch() -> Iterator[None]:
    before = os.environ.get("SOURCE_DATE_EPOCH")
    os.environ["SOURCE_DATE_EPOCH"] = EPOCH
    yield
    if before is None:
        os.environ.pop("SOURCE_DATE_EPOCH", None)
    else:
        os.environ["SOURCE_DATE_EPOCH"] = before


@pytest.fixture(scope="module")
def client() -> Iterator[Client]:
    """Start two loopback workers that may start processes (PDF layout forks)."""
    settings = {"distributed.worker.daemon": False}
    with (
        dask.config.set(settings),
        LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as local,
        Client(local) as connected,
    ):
        connected.wait_for_workers(2, timeout=60)
        yield connected


@pytest.fixture(scope="module")
def folder(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Two copies of the fixture article, each in its own subfolder."""
    articles = tmp_path_factory.mktemp("articles")
    for name in (KILLED, "cold"):
        shutil.copytree(FIXTURE.parent, articles / name)
    return articles


@pytest.fixture(scope="module")
def local(folder: Path, tmp_path_factory: pytest.TempPathFactory) -> Path:
    """Build the folder with the local process pool: the bytes to match."""
    out = tmp_path_factory.mktemp("local")
    outcomes = _within(BOUND, lambda: batch.run_folder(folder, out, OPTIONS, jobs=2))
    assert [o.error for o in outcomes if o.exit_code] == []
    return out


@dataclass(frozen=True)
class OnCluster:
    """The folder built on the cluster, and the worker killed on the way."""

    out: Path
    outcomes: list[batch.Outcome]
    killed_pid: int
    runs: dict[str, int]  # article task key → times it went to a worker


@pytest.fixture(scope="module")
def on_cluster(
    client: Client, folder: Path, tmp_path_factory: pytest.TempPathFactory
) -> OnCluster:
    out = tmp_path_factory.mktemp("cluster")
    options = replace(OPTIONS, scheduler=client.scheduler.address)
    killed: dict[str, Any] = {}
    killer = threading.Thread(
        target=_kill_when_running, args=(client, out / KILLED, killed), daemon=True
    )
    killer.start()
    outcomes = _within(BOUND, lambda: batch.run_folder(folder, out, options))
    killer.join(timeout=10)
    assert "pid" in killed, f"no worker was killed: {killed.get('why')}"
    runs = client.run_on_scheduler(_runs)
    return OnCluster(out, outcomes, killed["pid"], runs)


def _kill_when_running(client: Client, out: Path, killed: dict[str, Any]) -> None:
    """Kill (process tree and all) the worker building *out* once it has started."""
    deadline = time.monotonic() + BOUND
    while not out.exists():  # the build makes its folder once the source is read
        if time.monotonic() > deadline:
            killed["why"] = f"{out} never appeared"
            return
        time.sleep(0.2)
    time.sleep(2)  # well inside a build that takes tens of seconds
    worker = client.run_on_scheduler(_running, prefix=f"article-{out.name}-")
    if worker is None:
        killed["why"] = "the article's task was not running on any worker"
        return
    pid = client.run(os.getpid, workers=[worker])[worker]
    tree = psutil.Process(pid)
    for process in [*tree.children(recursive=True), tree]:
        process.kill()
    killed["pid"] = pid


def _running(prefix: str, dask_scheduler: Any = None) -> str | None:
    for key, task in dask_scheduler.tasks.items():
        if str(key).startswith(prefix) and task.processing_on is not None:
            return str(task.processing_on.address)
    return None


def _runs(dask_scheduler: Any = None) -> dict[str, int]:
    counts: dict[str, int] = {}
    for key, _start, finish, *_ in dask_scheduler.transition_log:
        if str(key).startswith("article-") and finish == "processing":
            counts[str(key)] = counts.get(str(key), 0) + 1
    return counts


def _files(out: Path) -> dict[str, bytes]:
    """Return every output file's bytes (PDF /IDs included), by relative path."""
    found = {}
    for path in sorted(out.rglob("*")):
        relative = path.relative_to(out)
        if not path.is_file() or relative.parts[-2:-1] == (".editions-state",):
            continue
        if ".cache" in relative.parts:
            continue
        found[str(relative)] = path.read_bytes()
    return found


def test_folder_on_cluster_writes_the_local_pools_bytes(
    local: Path, on_cluster: OnCluster
) -> None:
    assert [o.error for o in on_cluster.outcomes if o.exit_code] == []
    mine, theirs = _files(local), _files(on_cluster.out)
    assert {Path(p).parts[0] for p in mine} == {KILLED, "cold"}
    assert len(mine) > 20  # every edition of both articles
    assert sorted(theirs) == sorted(mine)
    differ = [name for name in mine if theirs[name] != mine[name]]
    assert differ == []


def test_killed_worker_costs_only_its_task_which_runs_again(
    on_cluster: OnCluster,
) -> None:
    assert not psutil.pid_exists(on_cluster.killed_pid)
    killed = [k for k in on_cluster.runs if k.startswith(f"article-{KILLED}-")]
    spared = [k for k in on_cluster.runs if k.startswith("article-cold-")]
    assert len(killed) == len(spared) == 1
    assert on_cluster.runs[killed[0]] == 2  # sent to a worker again, not dropped
    assert on_cluster.runs[spared[0]] == 1  # the other article was not redone
    outcome = next(o for o in on_cluster.outcomes if o.out_dir.name == KILLED)
    assert outcome.exit_code == 0 and outcome.paths["pdf"].is_file()


def test_long_document_sentences_are_spoken_on_the_workers(
    client: Client, local: Path, tmp_path: Path
) -> None:
    out = tmp_path / "long"
    options = replace(OPTIONS, only=("audio",), scheduler=client.scheduler.address)
    report = _within(BOUND, lambda: pipeline.build(FIXTURE, out, options))
    spoken = client.run_on_scheduler(_spoken)
    assert report.synthesised > 10
    assert spoken >= report.synthesised  # every fresh sentence was a cluster task
    assert len(list((out / ".cache" / "speech").glob("*.npz"))) == report.synthesised
    mine = _files(local / KILLED)
    theirs = _files(out)
    assert sorted(theirs) and set(theirs) <= set(mine)
    assert {n for n in theirs if n.endswith(".mp3")} >= {"article.mp3"}
    assert [n for n in theirs if theirs[n] != mine[n]] == []


def _spoken(dask_scheduler: Any = None) -> int:
    return len(
        {
            key
            for key, _start, finish, *_ in dask_scheduler.transition_log
            if str(key).startswith("speak_into_cache") and finish == "memory"
        }
    )


@pytest.mark.parametrize(
    ("address", "code", "exit_code"),
    [("http://127.0.0.1:8786", "BLD020", 3), ("tcp://127.0.0.1:9", "BLD021", 5)],
)
def test_unusable_scheduler_fails_with_its_code_and_writes_nothing(
    tmp_path: Path, folder: Path, address: str, code: str, exit_code: int
) -> None:
    env = {**os.environ, "DASK_DISTRIBUTED__COMM__TIMEOUTS__CONNECT": "2s"}
    out = tmp_path / "out"
    result = run_invoke(
        "build",
        "--source",
        str(folder),
        "--out",
        str(out),
        "--scheduler",
        address,
        env=env,
        timeout=120,
    )
    output = result.stdout + result.stderr
    assert result.returncode == exit_code, output
    assert f"{folder} [--scheduler {address}]: error {code}:" in output
    assert not out.exists()


def test_each_worker_problem_has_its_code() -> None:
    mine = {"editions code": "a", "styles": "b", "fonts": "c", "tools": "d"}
    where = Location(ROOT / "articles", key="--scheduler tcp://h:8786")
    facts = {
        "tcp://good:1": cluster_check.WorkerFacts(dict(mine), daemon=False),
        "tcp://old:1": cluster_check.WorkerFacts({**mine, "tools": "x"}, daemon=False),
        "tcp://blind:1": cluster_check.WorkerFacts(
            dict(mine), daemon=False, unseen=("/shared/a.md",), unwritable=("/out",)
        ),
        "tcp://daemon:1": cluster_check.WorkerFacts(dict(mine), daemon=True),
        "tcp://bare:1": ModuleNotFoundError("No module named 'editions'"),
        "scheduler tcp://h:8786": ModuleNotFoundError("No module named 'editions'"),
    }
    found = cluster_check.problems(facts, mine, where)
    codes = {(f.code, f.message.split()[1]) for f in found}
    assert codes == {
        ("BLD024", "tcp://old:1"),
        ("BLD025", "tcp://blind:1"),
        ("BLD026", "tcp://daemon:1"),
        ("BLD023", "tcp://bare:1"),
        ("BLD023", "tcp://h:8786"),  # "scheduler tcp://h:8786 cannot run …"
    }
    assert len([f for f in found if f.code == "BLD025"]) == 2
    assert "tools" in next(f.message for f in found if f.code == "BLD024")


def test_article_whose_workers_keep_dying_fails_alone_with_bld027(
    client: Client, tmp_path: Path
) -> None:
    """With no failures allowed, one death gives the article up; the rest finish."""
    sources = {tmp_path / f"{n}.md": tmp_path / "out" / n for n in ("doomed", "fine")}
    for source in sources:
        source.write_text("---\n", encoding="utf-8")
    options = replace(OPTIONS, scheduler=client.scheduler.address)
    before = client.run_on_scheduler(_allow_failures, 0)
    killed: dict[str, Any] = {}
    killer = threading.Thread(
        target=_kill_when_running, args=(client, tmp_path / "out" / "doomed", killed)
    )
    try:
        killer.start()
        outcomes = _within(
            BOUND,
            lambda: cluster.build_articles(tmp_path, sources, options, _stand_in),
        )
        killer.join(timeout=10)
    finally:
        client.run_on_scheduler(_allow_failures, before)
    assert "pid" in killed, killed.get("why")
    doomed, fine = outcomes
    assert doomed.exit_code == 5 and "error BLD027:" in doomed.error
    assert fine.exit_code == 0 and fine.error == ""


def _allow_failures(count: int, dask_scheduler: Any = None) -> int:
    before = int(dask_scheduler.allowed_failures)
    dask_scheduler.allowed_failures = count
    return before


def _stand_in(source: Path, out_dir: Path, options: Any) -> batch.Outcome:
    """Stand in for an article build: the doomed one runs until it is killed."""
    out_dir.mkdir(parents=True, exist_ok=True)
    if out_dir.name == "doomed":
        time.sleep(BOUND)
    return batch.Outcome(source, out_dir)


def test_workers_check_what_they_see_of_the_shared_folder(
    client: Client, tmp_path: Path
) -> None:
    client.wait_for_workers(2, timeout=60)  # a killed one is restarted by its nanny
    cluster_check.check_workers(
        client, [FIXTURE], [tmp_path / "out"], Location(tmp_path)
    )
    assert not (tmp_path / "out").exists()  # probe and folder made for it removed
    # A worker that reads other bytes than this machine (another folder mounted
    # at that path) is told apart:
    facts = client.run(cluster_check.worker_facts, {str(FIXTURE): "0" * 64}, [])
    assert len(facts) == 2
    assert all(f.unseen == (str(FIXTURE),) and not f.daemon for f in facts.values())
    assert all(f.fingerprint == cluster_check.fingerprint() for f in facts.values())


def test_speech_failures_on_a_worker_reach_the_build_whole() -> None:
    """AUD013 and exit 5 need the exception's fields after it crosses from a worker."""
    from distributed.protocol.pickle import dumps, loads

    from editions.audio import remote
    from editions.audio.gtts_engine import SpeechServiceUnavailable
    from editions.errors import MissingProgram

    assert remote.speak_all  # importing it registers how the two are pickled
    down = loads(dumps(SpeechServiceUnavailable("http://tts", "timed out", 3)))
    assert isinstance(down, SpeechServiceUnavailable)
    assert (down.url, down.what, down.attempts) == ("http://tts", "timed out", 3)
    missing = loads(dumps(MissingProgram("the Piper voice", "scripts/setup.sh")))
    assert (missing.what, missing.how_to_install) == (
        "the Piper voice",
        "scripts/setup.sh",
    )
