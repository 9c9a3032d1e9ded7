"""Locate and run the external programs the editions need (ffmpeg, poppler, Java)."""

from __future__ import annotations

import shutil
import subprocess
from pathlib import Path

from editions.errors import MissingProgram

_DEBIAN_FFMPEG = Path("/usr/bin/ffmpeg")
INSTALL_JAVA = "apt-get install -y openjdk-17-jre-headless"
INSTALL_POPPLER = "apt-get install -y poppler-utils"


def ffmpeg_exe() -> str:
    """Return the ffmpeg to run: Debian's if installed, else imageio-ffmpeg's."""
    if _DEBIAN_FFMPEG.exists():
        return str(_DEBIAN_FFMPEG)
    found = shutil.which("ffmpeg")
    if found:
        return found
    try:
        import imageio_ffmpeg

        return str(imageio_ffmpeg.get_ffmpeg_exe())
    except (ImportError, RuntimeError) as exc:
        raise MissingProgram(
            "ffmpeg", "apt-get install ffmpeg (or pip install imageio-ffmpeg)"
        ) from exc


def run_jar(
    java: str, jar: Path, args: list[str], timeout: float, what: str
) -> subprocess.CompletedProcess[str]:
    """Run `java -jar JAR ARGS`; a time-out or a missing Java is a clear error."""
    try:
        return subprocess.run(
            [java, "-jar", str(jar), *args],
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired as exc:
        raise TimeoutError(f"{what} did not finish within {timeout} s") from exc
    except OSError as exc:
        raise MissingProgram(f"Java ({java}: {exc})", INSTALL_JAVA) from exc


def run_poppler(program: str, args: list[str], timeout: float) -> bytes:
    """Run a poppler-utils program and return its output; failures say which file."""
    exe = shutil.which(program)
    if exe is None:
        raise MissingProgram(f"{program} (poppler-utils)", INSTALL_POPPLER)
    done = subprocess.run(
        [exe, *args], capture_output=True, check=False, timeout=timeout
    )
    if done.returncode != 0:
        raise RuntimeError(
            f"{program} {' '.join(args)} failed: {done.stderr.decode(errors='replace')}"
        )
    return done.stdout
