"""PDF → one small PNG per page (poppler's pdftoppm), for the report's page strip."""

from __future__ import annotations

import re
import shutil
import subprocess
from pathlib import Path

from editions.errors import MissingProgram
from editions.report.read_pdf import INSTALL_POPPLER

#: Thumbnail height in pixels: enough to see the layout, small enough to scan.
HEIGHT = 240


def thumbnails(pdf: Path, out_dir: Path, height: int = HEIGHT) -> list[Path]:
    """Render every page of *pdf* to `<stem>-page-N.png` in *out_dir*, in order."""
    exe = shutil.which("pdftoppm")
    if exe is None:
        raise MissingProgram("pdftoppm (poppler-utils)", INSTALL_POPPLER)
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / f"{pdf.stem}-page"
    for old in out_dir.glob(f"{prefix.name}-*.png"):
        old.unlink()  # a rebuilt PDF may have fewer pages
    size = ["-scale-to-y", str(height), "-scale-to-x", "-1"]
    done = subprocess.run(
        [exe, "-png", *size, str(pdf), str(prefix)],
        capture_output=True,
        check=False,
        timeout=300,
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"pdftoppm could not render {pdf}: {done.stderr.decode(errors='replace')}"
        )
    number = re.compile(rf"^{re.escape(prefix.name)}-0*(\d+)\.png$")
    pages = [
        (int(m.group(1)), path)
        for path in out_dir.glob(f"{prefix.name}-*.png")
        if (m := number.match(path.name))
    ]
    return [path for _n, path in sorted(pages)]
