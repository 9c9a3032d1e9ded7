"""Memory and rebuilds: the main article, built by the real command line.

The whole build runs in a fresh process (the test process is too large to fork
from: its children would count its memory as theirs), speaking from the session's
speech cache, so it shows at once that a rebuild re-synthesises nothing, that the
same script gives the same MP3, and how much memory the build takes; mastering the
15-minute book is the largest part.
"""

from __future__ import annotations

import re
import subprocess
import sys
from pathlib import Path

from conftest import MAIN, ROOT, Built

LIMIT = 1.5e9  # bytes: the whole build, on a small CI machine
#: Runs a command and reports the peak RSS of the largest process it started.
PEAK = (
    "import resource, subprocess, sys\n"
    "code = subprocess.call(sys.argv[1:])\n"
    "peak = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024\n"
    "print(f'PEAK {peak}', file=sys.stderr)\n"
    "sys.exit(code)\n"
)


def test_rebuild_is_cached_identical_and_fits_in_memory(
    built_all: dict[str, Built], speech_cache: Path, tmp_path: Path
) -> None:
    main = built_all["main"]
    out = tmp_path / "out"
    (out / ".cache").mkdir(parents=True)
    (out / ".cache" / "speech").symlink_to(speech_cache, target_is_directory=True)
    command = [sys.executable, "-m", "invoke", "build"]
    command += ["--source", str(MAIN), "--out", str(out)]
    done = subprocess.run(
        [sys.executable, "-c", PEAK, *command],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=1200,
        check=False,
    )
    log = done.stdout + done.stderr
    assert done.returncode == 0, log
    assert re.search(r"audio: 0 of \d+ sentences synthesised", log), log
    assert (out / "article.mp3").read_bytes() == main.paths["mp3"].read_bytes()
    found = re.search(r"PEAK (\d+)", log)
    assert found, log
    peak = int(found[1])
    print(f"\nlargest process of the build: {peak / 1e6:.0f} MB")
    assert peak <= LIMIT
