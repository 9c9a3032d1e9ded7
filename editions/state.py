"""Content hashes of what a build reads, and the manifest of what it last wrote.

A rebuild decides what to redo by comparing hashes, never timestamps: touching a file
rebuilds nothing, and an edit rebuilds exactly the editions whose inputs it changed.
The manifest lives in `<out>/.editions-state/<stem>.json`; deleting it only costs one
full rebuild. It is written after each edition completes (atomically), so an
interrupted build never records an edition it did not finish.
"""

from __future__ import annotations

import json
import os
import re
import sys
from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass, field
from functools import cache
from pathlib import Path
from typing import Any

from editions.fingerprint import ABSENT, digest, sha256_file
from editions.fingerprint import code as code  # re-exported for the driver
from editions.fingerprint import code_files as code_files
from editions.output import write_text
from editions.paths import PACKAGE, STYLES

#: Bump when the manifest's layout or the meaning of a key changes.
FORMAT = 1
STATE_DIR = ".editions-state"
#: An article's inputs by role: figures reach the visual editions, never the audio.
TEXT, FIGURE = "text", "figure"


@cache
def environment() -> str:
    """Hash the tools every edition is made with; a change rebuilds everything.

    These are the installed versions of this package's dependencies, ffmpeg and
    Python. The package's own code is hashed per edition (`code`).
    """
    from editions.errors import MissingProgram
    from editions.programs import ffmpeg_exe

    try:
        ffmpeg = ffmpeg_exe()
    except MissingProgram:  # the audio edition reports it when it needs ffmpeg
        ffmpeg = ""
    return digest(
        FORMAT,
        _dependency_versions(),
        ffmpeg,
        sha256_file(Path(ffmpeg)) if ffmpeg else ABSENT,
        sys.version,
    )


def _dependency_versions() -> dict[str, str]:
    from importlib import metadata

    try:
        requirements = metadata.requires("editions") or []
    except metadata.PackageNotFoundError:  # running from a checkout, not installed
        return {"pyproject": sha256_file(PACKAGE.parent / "pyproject.toml")}
    versions = {}
    for requirement in requirements:
        if "extra ==" in requirement:
            continue  # test tools never shape an edition
        name = re.split(r"[\s;<>=!~\[]", requirement, maxsplit=1)[0]
        try:
            versions[name] = metadata.version(name)
        except metadata.PackageNotFoundError:
            versions[name] = ABSENT
    return versions


@cache
def fonts() -> str:
    """Hash the embedded font files."""
    from editions import fonts as font_package

    return digest([sha256_file(p) for p in font_package.font_files()])


def styles() -> str:
    """Hash every file in styles/ (CSS, scripts, CSL) that the visual editions read.

    The whole folder rather than one sheet per edition: a new file there can never
    be missed, and editing a style sheet is rare enough to rebuild all three.
    """
    files = sorted(p for p in STYLES.rglob("*") if p.is_file())
    return digest([(str(p.relative_to(STYLES)), sha256_file(p)) for p in files])


@dataclass(frozen=True)
class Inputs:
    """The files one article reads, each with its role and content hash."""

    files: Mapping[str, tuple[str, str]]  # path → (role, sha256)

    @classmethod
    def hash(cls, roles: Mapping[str, str]) -> Inputs:
        """Hash every file in *roles* (path → role) now."""
        return cls({p: (role, sha256_file(Path(p))) for p, role in roles.items()})

    def roles(self) -> dict[str, str]:
        """Return path → role, to hash the same files again later."""
        return {p: role for p, (role, _) in self.files.items()}

    def of(self, role: str, base: Path) -> str:
        """Hash the inputs that have *role*, with their paths relative to *base*.

        Relative, so a moved or copied article folder still matches its outputs.
        """
        named = []
        for path, (kind, sha) in self.files.items():
            if kind == role:
                where = Path(path)
                name = where.relative_to(base) if where.is_relative_to(base) else where
                named.append((str(name), sha))
        return digest(sorted(named))


def article_inputs(article: Any) -> dict[str, str]:
    """Return every file *article* was read from (path → role).

    The Markdown names all the others (bibliography, lexicon, CSL, figures), so while
    its bytes are unchanged this set is too: a no-op rebuild re-hashes the recorded
    set without running pandoc. A CSL style is looked up beside the article and then
    in styles/; both places are recorded, so adding one beside the article counts.
    """
    roles = {str(Path(article.source)): TEXT}
    for path in (
        article.bibliography_path,
        article.lexicon_path,
        article.as_written_path,
    ):
        if path is not None:
            roles[str(Path(path).resolve())] = TEXT
    for candidate in article.csl_candidates:
        roles[str(candidate)] = TEXT
    for figure in article.figures:
        roles[str(Path(figure.src).resolve())] = FIGURE
    return roles


@dataclass(frozen=True)
class OutputFile:
    """One written file: its content hash, plus size and mtime as a fast path."""

    path: str  # relative to the output folder
    sha256: str
    size: int
    mtime_ns: int

    @classmethod
    def of(cls, out_dir: Path, path: Path) -> OutputFile:
        """Describe *path* as it is on disk now."""
        stat = path.stat()
        relative = path.resolve().relative_to(out_dir.resolve())
        return cls(str(relative), sha256_file(path), stat.st_size, stat.st_mtime_ns)

    def intact(self, out_dir: Path) -> bool:
        """Tell whether the file is still what the build wrote.

        Unchanged size and mtime are trusted (as git's index does); otherwise the
        content decides, so a copied or touched file is not rebuilt for nothing.
        """
        path = out_dir / self.path
        try:
            stat = path.stat()
        except OSError:
            return False
        if (stat.st_size, stat.st_mtime_ns) == (self.size, self.mtime_ns):
            return True
        return stat.st_size == self.size and sha256_file(path) == self.sha256


@dataclass
class EditionRecord:
    """What one edition was built from (its key) and what it wrote."""

    key: str
    paths: dict[str, str]  # run()'s result keys → path relative to the output folder
    files: list[OutputFile]
    facts: dict[str, Any] = field(default_factory=dict)
    seconds: float = 0.0
    parts: dict[str, str] = field(default_factory=dict)  # what the key covers, named

    def fresh(self, key: str, out_dir: Path) -> bool:
        """Tell whether this was built from *key* and all its files are intact."""
        return self.key == key and all(f.intact(out_dir) for f in self.files)

    def why_stale(self, parts: Mapping[str, str]) -> str:
        """Say what changed since this was built, for the build's messages."""
        changed = [
            name for name, value in parts.items() if self.parts.get(name) != value
        ]
        if changed:
            return f"{', '.join(changed)} changed"
        return "its files were changed or removed"

    def sha256(self, name: str) -> str:
        """Return the content hash recorded for the output *name* (a paths key)."""
        relative = self.paths.get(name)
        return next((f.sha256 for f in self.files if f.path == relative), ABSENT)

    def resolved(self, out_dir: Path) -> dict[str, Path]:
        """Return run()'s result entries for this edition."""
        return {name: out_dir / rel for name, rel in self.paths.items()}


def record(
    parts: Mapping[str, str],
    out_dir: Path,
    paths: Mapping[str, Path],
    extra_files: Iterable[Path] = (),
    facts: Mapping[str, Any] | None = None,
    seconds: float = 0.0,
) -> EditionRecord:
    """Describe an edition just written into *out_dir*."""
    files = list(dict.fromkeys([*paths.values(), *extra_files]))
    return EditionRecord(
        key=digest(dict(parts)),
        paths={
            n: str(p.resolve().relative_to(out_dir.resolve())) for n, p in paths.items()
        },
        files=[OutputFile.of(out_dir, p) for p in files],
        facts=dict(facts or {}),
        seconds=seconds,
        parts=dict(parts),
    )


@dataclass
class Manifest:
    """Everything a later build needs to decide, without parsing, what is current."""

    source: str = ""
    inputs: Inputs = field(default_factory=lambda: Inputs({}))
    warnings: list[str] = field(default_factory=list)
    editions: dict[str, EditionRecord] = field(default_factory=dict)
    last_run: dict[str, Any] = field(default_factory=dict)  # timings, for the bench

    def to_json(self) -> str:
        """Serialise (paths and hashes only; small)."""
        data = {
            "format": FORMAT,
            "source": self.source,
            "inputs": {p: list(v) for p, v in self.inputs.files.items()},
            "warnings": self.warnings,
            "editions": {n: asdict(r) for n, r in self.editions.items()},
            "last_run": self.last_run,
        }
        return json.dumps(data, indent=1, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str) -> Manifest:
        """Parse; anything unreadable or from another format is an empty manifest."""
        try:
            data = json.loads(text)
            if data.get("format") != FORMAT:
                return cls()
            editions = {
                name: EditionRecord(
                    key=r["key"],
                    paths=dict(r["paths"]),
                    files=[OutputFile(**f) for f in r["files"]],
                    facts=dict(r.get("facts") or {}),
                    seconds=float(r.get("seconds") or 0.0),
                    parts=dict(r.get("parts") or {}),
                )
                for name, r in data["editions"].items()
            }
            inputs = Inputs({p: (v[0], v[1]) for p, v in data["inputs"].items()})
            return cls(
                str(data["source"]),
                inputs,
                list(data["warnings"]),
                editions,
                dict(data.get("last_run") or {}),
            )
        except (ValueError, KeyError, TypeError, IndexError, AttributeError):
            return cls()  # a damaged manifest only costs a full rebuild


def manifest_path(out_dir: Path, stem: str) -> Path:
    """Return where the manifest of article *stem* lives."""
    return Path(out_dir) / STATE_DIR / f"{stem}.json"


def load(out_dir: Path, stem: str) -> Manifest:
    """Read the manifest, or an empty one when there is none."""
    try:
        text = manifest_path(out_dir, stem).read_text(encoding="utf-8")
    except (OSError, UnicodeDecodeError):
        return Manifest()
    return Manifest.from_json(text)


def save(out_dir: Path, stem: str, manifest: Manifest) -> None:
    """Write the manifest atomically."""
    write_text(manifest_path(out_dir, stem), manifest.to_json())


def source_date_epoch() -> str:
    """Return SOURCE_DATE_EPOCH: the EPUB's modified date comes from it when set."""
    return os.environ.get("SOURCE_DATE_EPOCH", "")
