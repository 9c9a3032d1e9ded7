"""PDF → one small PNG per page (poppler's pdftoppm), for the report's page strip."""

from __future__ import annotations

import re
from pathlib import Path

from editions.programs import run_poppler

#: Thumbnail height in pixels: enough to see the layout, small enough to scan.
HEIGHT = 240


def thumbnails(pdf: Path, out_dir: Path, height: int = HEIGHT) -> list[Path]:
    """Render every page of *pdf* to `<stem>-page-N.png` in *out_dir*, in order."""
    out_dir.mkdir(parents=True, exist_ok=True)
    prefix = out_dir / f"{pdf.stem}-page"
    for old in out_dir.glob(f"{prefix.name}-*.png"):
        old.unlink()  # a rebuilt PDF may have fewer pages
    size = ["-scale-to-y", str(height), "-scale-to-x", "-1"]
    run_poppler("pdftoppm", ["-png", *size, str(pdf), str(prefix)], timeout=300)
    number = re.compile(rf"^{re.escape(prefix.name)}-0*(\d+)\.png$")
    pages = [
        (int(m.group(1)), path)
        for path in out_dir.glob(f"{prefix.name}-*.png")
        if (m := number.match(path.name))
    ]
    return [path for _n, path in sorted(pages)]
