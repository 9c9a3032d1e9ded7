"""The benchmark: what bench.json reports (never how fast this machine is)."""

from __future__ import annotations

import json
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from editions.bench import measure as measuring, run as bench, tools
from editions.bench.irreducible import irreducible
from editions.bench.sampler import role_of

GOOD = Path(__file__).resolve().parent / "data" / "good"


def test_bench_on_the_fixture_writes_every_measure(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    sampled: list[bool] = []
    real = bench.measure

    def recorded(*args: object, **kwargs: object) -> measuring.Measured:
        sampled.append(bool(kwargs.get("sampled", True)))
        return real(*args, **kwargs)  # type: ignore[arg-type]

    monkeypatch.setattr(bench, "measure", recorded)
    options = bench.BenchOptions(tts="null", tools=False)  # small and offline
    result = bench.run(GOOD / "article.md", tmp_path, options)
    assert sampled == [True, False] * 3  # cold, no-op, edit: sampled, then timed
    written = json.loads((tmp_path / "bench.json").read_text(encoding="utf-8"))
    assert written == json.loads(json.dumps(result))
    for phase in ("cold", "noop", "edit"):
        assert written[phase]["seconds"] > 0  # timed alone, not sampled
        assert written[phase]["sampled_seconds"] > 0
        assert written[phase]["cpu_seconds"] > 0
        assert written[phase]["sampled_cpu_seconds"] > 0
        assert written[phase]["peak_memory_mb"] > 0
    assert set(written["cold"]["editions"]) == {
        "pdf",
        "audio",
        "epub",
        "html",
        "braille",
    }
    roles = written["cold"]["cpu_seconds_by_role"]  # what the CPU time went on
    # Encoders of a small fixture's chapters may end between two samples.
    assert {"main", "pdf", "master"} <= set(roles), roles
    # Roles are the sampled run's, so they add up to that run's CPU time.
    assert 0 < sum(roles.values()) <= written["cold"]["sampled_cpu_seconds"] * 1.05
    assert written["noop"]["rebuilt"] == []
    assert written["edit"]["changed_sentences"] == 1
    assert written["edit"]["synthesised"] == 1
    assert "audio" in written["edit"]["rebuilt"]
    assert written["audio"]["duration_seconds"] > 0
    assert set(written["ratios"]["measured"]) >= set(bench.TARGETS)
    assert written["ratios"]["measured"]["resynthesised_only_changed"] is True
    assert written["irreducible"] is None and written["plain"] is None
    assert not list(tmp_path.glob(".bench-*"))  # the scratch builds are removed
    table = bench.table(result)
    for name in bench.TARGETS:
        assert name in table


def test_irreducible_work_and_plain_tools_are_timed(tmp_path: Path) -> None:
    shutil.copytree(GOOD, tmp_path / "article")
    article = tmp_path / "article" / "article.md"
    texts = bench.speech_texts(article)[:4]
    work = irreducible(article, texts, tmp_path, 30.0, measuring.measure)
    parts = ("pdf", "pdf_large_print", "mp3_encode")
    assert work["seconds"] == pytest.approx(
        work["synthesis_seconds"] + sum(work[p]["seconds"] for p in parts), abs=0.01
    )
    folder = tmp_path / "irreducible"
    assert all(w.stat().st_size > 1000 for w in folder.glob("part*.wav"))
    assert (folder / "pdf.pdf").stat().st_size > 1000
    assert (folder / "pdf_large_print.pdf").stat().st_size > 1000
    assert (folder / "book.mp3").stat().st_size > 30 * 192_000 / 8 * 0.9
    plain = tools.plain_tools(article, tmp_path)
    for tool in ("pandoc_html", "pandoc_epub", "pandoc_weasyprint_pdf"):
        assert plain[tool]["seconds"] is not None, plain[tool]
    assert plain["espeak_ffmpeg_audio"]["seconds"] is not None, plain
    assert (tmp_path / "plain" / "plain.mp3").stat().st_size > 1000
    assert plain["seconds"] > 0


def test_a_run_timed_alone_is_not_sampled(monkeypatch: pytest.MonkeyPatch) -> None:
    """The sampler reads page tables: a timed run must not pay for it."""

    def no_sampler(*_: object, **__: object) -> None:
        raise AssertionError("a timed-only run was sampled")

    monkeypatch.setattr(measuring, "TreeSampler", no_sampler)
    busy = (
        "import time\nend = time.process_time() + 0.5\n"
        "while time.process_time() < end: pass"
    )
    timed = measuring.measure([[sys.executable, "-c", busy]], sampled=False)
    assert timed.cpu_seconds >= 0.45 and timed.seconds >= 0.45
    summary = timed.summary()
    assert summary["peak_memory_mb"] is None and summary["cpu_seconds_by_role"] == {}


def test_builds_run_a_frozen_copy_of_the_code(tmp_path: Path) -> None:
    env = bench.freeze_code(tmp_path)
    where = measuring.measure(
        [[sys.executable, "-c", "import editions, sys; print(editions.__file__)"]],
        cwd=tmp_path / "code",
        env=env,
    ).output.strip()
    assert Path(where) == tmp_path / "code" / "editions" / "__init__.py"
    assert (tmp_path / "code" / "styles" / "print.css").is_file()
    assert (tmp_path / "code" / "tasks.py").is_file()


def test_measure_sees_a_child_s_memory_and_a_failure(tmp_path: Path) -> None:
    grab = "b = bytearray(300 * 1024 * 1024); import time; time.sleep(1.5)"
    measured = measuring.measure([[sys.executable, "-c", grab]])
    assert measured.peak_pss_mb > 250
    assert measured.seconds >= 1.5
    busy = (
        "from editions.process_role import name_this_process as n; n('pdf'); "
        "import time; end = time.process_time() + 0.6\n"
        "while time.process_time() < end: pass"
    )
    stranger = subprocess.Popen(  # the caller's own child, not the command's
        [sys.executable, "-c", busy.replace("'pdf'", "'stranger'")]
    )
    try:
        roles = measuring.measure([[sys.executable, "-c", busy]]).sampler.roles()
    finally:
        stranger.wait()
    assert roles.get("pdf", 0) >= 0.4, roles  # a worker named by its role
    assert "stranger" not in roles
    for command, role in (
        ("ffmpeg -f f32le -i pipe:0 -c:a libmp3lame -b:a 192k x.mp3", "mp3 encode"),
        ("ffmpeg -i a.mp3 -i b.aac -f f32le pipe:3 -f f32le pipe:4", "decode"),
        ("ffmpeg -f concat -safe 0 -i list.txt -c copy x.mp3", "join"),
    ):
        assert role_of("ffmpeg", command) == f"ffmpeg {role}"
    assert role_of("python", "python -m invoke build") == "main"
    # The kernel keeps 15 bytes of a name: a longer role is told from what is left.
    assert role_of("editions-braill", "python -m invoke build") == "braille"
    assert role_of("editions-pdf", "python -m invoke build") == "pdf"
    with pytest.raises(measuring.BenchFailed, match="exit"):
        measuring.measure([[sys.executable, "-c", "raise SystemExit(7)"]])


def test_edit_one_paragraph_adds_a_sentence_to_prose_only(tmp_path: Path) -> None:
    page = tmp_path / "a.md"
    page.write_text(
        "---\ntitle: T\n---\n\n## Heading\n\nFirst paragraph.\n\n- a list\n\n"
        "Second paragraph,\nover two lines.\n\nThird.\n",
        encoding="utf-8",
    )
    bench.edit_one_paragraph(page)
    text = page.read_text(encoding="utf-8")
    assert text.count(bench.ADDED_SENTENCE) == 1
    assert f"over two lines. {bench.ADDED_SENTENCE}\n" in text


def test_the_sampler_reads_pss_now_and_then(monkeypatch: pytest.MonkeyPatch) -> None:
    # smaps_rollup costs milliseconds for a large process: read ten times a
    # second it took a third of a core from the build being measured.
    from editions.bench import sampler

    reads: list[int] = []
    real = sampler._pss
    monkeypatch.setattr(sampler, "_pss", lambda pid: reads.append(pid) or real(pid))
    grab = "b = bytearray(200 * 1024 * 1024); import time; time.sleep(2)"
    child = subprocess.Popen([sys.executable, "-c", grab])
    watch = sampler.TreeSampler(child.pid).start()
    child.wait()
    watch.stop()
    assert len(watch.samples) >= 15  # sampled ten times a second
    assert 1 <= len(reads) <= 2 / sampler.PSS_EVERY + 2
    assert watch.peak_pss > 150 * 1024 * 1024
