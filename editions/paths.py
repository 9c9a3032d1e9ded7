"""Where the project's own files live: the package, the repository, the styles."""

from __future__ import annotations

from pathlib import Path

PACKAGE = Path(__file__).resolve().parent
REPO_ROOT = PACKAGE.parent
STYLES = REPO_ROOT / "styles"
