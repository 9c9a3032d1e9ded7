"""Content hashes: of files, of JSON-able values, and of the package code a module runs.

Kept apart from `editions.state` (the driver's manifest) so that a renderer can key
its own caches by its code without depending on the build driver.
"""

from __future__ import annotations

import hashlib
import json
import re
from collections.abc import Iterable
from functools import cache
from pathlib import Path

from editions.paths import PACKAGE

ABSENT = "absent"


def sha256_file(path: Path) -> str:
    """Return the file's sha256, or "absent" (an input may appear later)."""
    digest = hashlib.sha256()
    try:
        with Path(path).open("rb") as handle:
            for block in iter(lambda: handle.read(1 << 20), b""):
                digest.update(block)
    except (FileNotFoundError, IsADirectoryError, NotADirectoryError):
        return ABSENT
    return digest.hexdigest()


def digest(*parts: object) -> str:
    """Hash JSON-able parts unambiguously (JSON, so ("a b", "c") != ("a", "b c"))."""
    encoded = json.dumps(parts, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(encoded.encode("utf-8")).hexdigest()


_IMPORT = re.compile(
    r"^\s*(?:from\s+(editions(?:\.\w+)*)\s+import\s+(\([^)]*\)|[^\n]+)"
    r"|import\s+(editions(?:\.\w+)*))",
    re.MULTILINE,
)


@cache  # like `code`: one process sees one version of the package
def _module_file(module: str) -> Path | None:
    names = module.split(".")[1:]
    if not names:
        return PACKAGE / "__init__.py"
    relative = Path(*names)
    for candidate in (
        PACKAGE / relative.with_suffix(".py"),
        PACKAGE / relative / "__init__.py",
    ):
        if candidate.is_file():
            return candidate
    return None


def _imported(path: Path) -> tuple[str, ...]:
    """Return the package modules (and names) one file imports.

    Cached by the file's size and mtime: every edition's key walks the shared
    modules (the source loader, the model), and a no-op rebuild should read each
    file once, not once per edition; an edited file is read again.
    """
    stat = path.stat()
    return _parse_imports(path, stat.st_size, stat.st_mtime_ns)


@cache
def _parse_imports(path: Path, size: int, mtime_ns: int) -> tuple[str, ...]:
    named: list[str] = []
    for match in _IMPORT.finditer(path.read_text(encoding="utf-8")):
        if match.group(3):
            named.append(match.group(3))
            continue
        named.append(match.group(1))
        for name in match.group(2).strip("()").replace("\n", " ").split(","):
            word = name.split(" as ")[0].strip()
            if word.isidentifier():
                named.append(f"{match.group(1)}.{word}")
    return tuple(named)


def code_files(modules: Iterable[str]) -> list[Path]:
    """Return the package's files that *modules* import, directly or not.

    Read from the source text (imports inside functions count too), so editing a
    checker or the benchmark rebuilds nothing, and editing the audio mastering
    rebuilds the audio but not the PDF.
    """
    found: dict[Path, None] = {}
    seen: set[str] = set()
    stack = list(modules)
    while stack:
        module = stack.pop()
        if module in seen:
            continue
        seen.add(module)
        parts = module.split(".")
        for depth in range(1, len(parts) + 1):  # a package's __init__ runs first
            path = _module_file(".".join(parts[:depth]))
            if path is None or path in found:
                continue
            found[path] = None
            stack.extend(_imported(path))
    return sorted(found)


@cache
def code(modules: tuple[str, ...], alone: tuple[str, ...] = ()) -> str:
    """Hash the code behind *modules* (with what they import) and *alone* (without)."""
    files = code_files(modules) + [f for m in alone if (f := _module_file(m))]
    return digest(
        sorted({str(p.relative_to(PACKAGE)): sha256_file(p) for p in files}.items())
    )
