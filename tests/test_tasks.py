"""The Invoke layer: every task is listed and documented."""

from __future__ import annotations

import shutil
from pathlib import Path

import pytest
from conftest import ROOT, run_invoke

DATA = ROOT / "tests" / "data"


def test_invoke_list_documents_every_task() -> None:
    done = run_invoke("--list")
    assert done.returncode == 0, done.stderr
    listing = done.stdout
    tasks = ("build", "pdf", "epub", "html", "audio", "braille", "check", "test")
    tasks += ("clean", "bench")
    for name in tasks:
        line = next(
            (ln for ln in listing.splitlines() if ln.strip().startswith(name + " ")), ""
        )
        assert len(line.split()) > 2, f"task {name} has no description: {listing}"


def test_bad_source_exits_3_and_names_the_line(tmp_path: Path) -> None:
    bad = ROOT / "tests" / "data" / "bad" / "unknown-citation.md"
    result = run_invoke("pdf", "--source", str(bad), "--out", str(tmp_path / "out"))
    assert result.returncode == 3
    assert "unknown-citation.md:11: error REF002" in result.stdout + result.stderr
    assert not (tmp_path / "out").exists()


def test_folder_build_gives_each_article_its_folder_and_names_the_bad_one(
    tmp_path: Path,
) -> None:
    folder = tmp_path / "articles"
    shutil.copytree(DATA / "good", folder / "flu")  # in a subfolder: out/flu/
    (folder / "short.md").write_text(  # directly in the folder: out/short/
        "---\ntitle: Short\nauthor: A\ndate: 2024\nlang: en-US\n---\n\nText.\n",
        encoding="utf-8",
    )
    (folder / "bad").mkdir()
    shutil.copy(DATA / "bad" / "unknown-citation.md", folder / "bad" / "article.md")
    shutil.copy(DATA / "bad" / "references.json", folder / "bad")
    (folder / "notes.md").write_text("No front matter: not an article.\n")
    out = tmp_path / "out"
    result = run_invoke("pdf", "--source", str(folder), "--out", str(out))
    output = result.stdout + result.stderr
    assert result.returncode == 3, output
    assert f"{folder / 'bad' / 'article.md'}:11: error REF002" in output
    assert "1 of 3 article(s) failed" in output
    assert (out / "flu" / "article.pdf").is_file()
    assert (out / "short" / "short.pdf").is_file()
    assert not (out / "bad").exists()  # nothing half-written for the bad one
    assert not (out / "notes").exists()


@pytest.mark.parametrize(
    ("names", "problem"),
    [((), "no article found"), (("x.md", "x/x.md"), "would both write")],
)
def test_folder_build_refuses_empty_or_clashing_folders(
    tmp_path: Path, names: tuple[str, ...], problem: str
) -> None:
    from editions import batch

    for name in names:
        (tmp_path / name).parent.mkdir(parents=True, exist_ok=True)
        (tmp_path / name).write_text("---\ntitle: X\n---\n", encoding="utf-8")
    with pytest.raises(batch.FolderError, match=problem):
        batch.articles(tmp_path, tmp_path / "out")
