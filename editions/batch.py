"""A folder of articles → one output folder per article, built in parallel processes.

An article is a `*.md` file that opens with YAML front matter (`---`), either directly
in the folder or one level down. One in a subfolder (`folder/flu/article.md`) is
built into `<out>/flu/`; one directly in the folder (`folder/flu.md`) into
`<out>/flu/`. Outputs are named after the Markdown file's stem, so articles may share
a subfolder when their stems differ; two that would write the same files are
refused before anything is built. Hidden files and folders are skipped.

Each article builds in its own process (or, with `--scheduler`, as a task on a Dask
cluster: `editions.cluster`); a failure in one is reported with its file and does
not stop the others. The speech cache is shared (`<out>/.cache/speech`):
its entries are written atomically, so concurrent builds can share it safely.
"""

from __future__ import annotations

import os
import sys
import traceback
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass, field, replace
from functools import partial
from pathlib import Path

from editions.build import BuildOptions, run
from editions.errors import (
    EXIT_BAD_INPUT,
    EXIT_MISSING_PROGRAM,
    BuildFailed,
    MissingProgram,
)


class FolderError(ValueError):
    """The folder holds no article, or two articles would overwrite each other."""

    exit_code = EXIT_BAD_INPUT


@dataclass(frozen=True)
class Outcome:
    """One article's result: its paths, or what went wrong and the exit code."""

    source: Path
    out_dir: Path
    paths: dict[str, Path] = field(default_factory=dict)
    error: str = ""
    exit_code: int = 0


def has_front_matter(path: Path) -> bool:
    """Tell whether *path* starts with a `---` line (YAML front matter)."""
    try:
        with path.open("rb") as handle:
            return handle.readline().strip() == b"---"
    except OSError:
        return False


def articles(folder: Path, out_dir: Path) -> dict[Path, Path]:
    """Return each article in *folder* with the output folder it is built into."""
    folder = Path(folder)
    candidates = [*sorted(folder.glob("*.md")), *sorted(folder.glob("*/*.md"))]
    found: dict[Path, Path] = {}
    writes: dict[tuple[Path, str], Path] = {}
    for path in candidates:
        relative = path.relative_to(folder)
        if any(part.startswith(".") for part in relative.parts):
            continue
        if not path.is_file() or not has_front_matter(path):
            continue
        name = relative.parts[0] if len(relative.parts) > 1 else path.stem
        target = Path(out_dir) / name
        clash = writes.get((target, path.stem))
        if clash is not None:
            raise FolderError(
                f"{clash} and {path} would both write {target}/{path.stem}.*; "
                "rename one of them"
            )
        writes[(target, path.stem)] = path
        found[path] = target
    if not found:
        raise FolderError(
            f"{folder}: no article found (a *.md file starting with '---' front "
            "matter, in the folder or one level down)"
        )
    return found


def run_folder(
    folder: Path,
    out_dir: Path,
    options: BuildOptions | None = None,
    jobs: int | None = None,
) -> list[Outcome]:
    """Build every article in *folder* into its own folder under *out_dir*."""
    options = options or BuildOptions()
    targets = articles(folder, out_dir)
    if options.cache_dir is None:
        options = replace(options, cache_dir=Path(out_dir) / ".cache" / "speech")
    if options.scheduler:  # each article a task on a Dask cluster's workers
        from editions import cluster

        return cluster.build_articles(folder, targets, options, _build_one)
    # The caller's report function may be a lambda, which cannot cross processes.
    # Articles build side by side: their bars would overwrite each other's lines.
    sendable = replace(options, report=_to_stderr, progress=False)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(targets)))
    if workers == 1:
        return [_build_one(src, out, sendable) for src, out in targets.items()]
    with ProcessPoolExecutor(workers) as pool:
        futures = [
            pool.submit(_build_one, src, out, sendable) for src, out in targets.items()
        ]
        return [f.result() for f in futures]


def _to_stderr(line: str) -> None:
    print(line, file=sys.stderr)


def _prefixed(name: str, line: str) -> None:
    print(f"[{name}] {line}", file=sys.stderr)


def _build_one(source: Path, out_dir: Path, options: BuildOptions) -> Outcome:
    """Build one article; turn its failure into an Outcome so the others go on."""
    options = replace(options, report=partial(_prefixed, out_dir.name))
    try:
        return Outcome(source, out_dir, run(source, out_dir, options))
    except BuildFailed as err:
        return Outcome(source, out_dir, error=err.report(), exit_code=err.exit_code)
    except MissingProgram as err:
        return Outcome(source, out_dir, error=str(err), exit_code=EXIT_MISSING_PROGRAM)
    except Exception:  # a bug: keep the traceback, but let the other articles finish
        return Outcome(
            source, out_dir, error=f"{source}:\n{traceback.format_exc()}", exit_code=1
        )
