"""Report → build/report.json: every finding and figure, for machines and CI."""

from __future__ import annotations

import json
import math
from dataclasses import asdict
from pathlib import Path
from typing import Any

from editions.errors import Finding
from editions.output import write_text
from editions.report.results import EDITIONS, CheckRun, Report


def relative(path: Path, base: Path) -> str:
    """Return *path* relative to *base* when it lies inside, else absolute."""
    try:
        return path.resolve().relative_to(base.resolve()).as_posix()
    except ValueError:
        return str(path)


def finding(f: Finding, run: CheckRun | None = None) -> dict[str, Any]:
    """Return one finding as a flat JSON object."""
    out: dict[str, Any] = {
        "code": f.code,
        "severity": f.severity,
        "message": f.message,
        "file": str(f.where.path),
        "line": f.where.line,
        "key": f.where.key,
    }
    if run is not None:
        out |= {"edition": run.edition, "check": run.check}
    return out


def as_dict(report: Report) -> dict[str, Any]:
    """Return the whole report as JSON-ready data."""
    base = report.out_dir
    errors = report.failing()
    editions = {}
    for edition, label in EDITIONS.items():
        runs = report.runs_for(edition)
        found = [f for run in runs for f in run.findings]
        editions[edition] = {
            "label": label,
            "status": edition_status(runs),
            "errors": sum(f.severity == "error" for f in found),
            "warnings": sum(f.severity == "warning" for f in found),
            "checks": [
                {
                    "check": run.check,
                    "status": run.status,
                    "seconds": round(run.seconds, 3),
                    "findings": [finding(f) for f in run.findings],
                }
                for run in runs
            ],
        }
    return {
        "article": {
            "title": report.title,
            "stem": report.stem,
            "source": str(report.source),
        },
        "result": "fail" if errors else "pass",
        "errors": len(errors),
        "warnings": len(report.findings) - len(errors),
        "missing_program": report.missing_program or None,
        "seconds": round(report.seconds, 1),
        "files": {
            key: {
                "path": relative(path, base),
                "bytes": path.stat().st_size if path.is_file() else None,
            }
            for key, path in report.files.items()
        },
        "editions": editions,
        "findings": [finding(f, run) for run in report.runs for f in run.findings],
        "editorial": asdict(report.editorial),
        "readability": asdict(report.readability),
        "listening": asdict(report.listening) if report.listening else None,
        "speech_review": (
            asdict(report.speech_review) if report.speech_review else None
        ),
        "loudness": [asdict(c) for c in report.loudness],
        "braille": asdict(report.braille) if report.braille else None,
        "thumbnails": {
            edition: [relative(p, base) for p in paths]
            for edition, paths in report.thumbnails.items()
        },
        "screenshots": {
            view: relative(p, base) for view, p in report.screenshots.items()
        },
    }


def edition_status(runs: list[CheckRun]) -> str:
    """Return an edition's overall status: its worst check's."""
    statuses = {run.status for run in runs}
    for status in ("fail", "not run", "warning", "pass"):
        if status in statuses:
            return status
    return "not run"


def write(report: Report, target: Path) -> Path:
    """Write the report as indented JSON (NaN and infinities become null)."""
    text = json.dumps(_finite(as_dict(report)), indent=2, ensure_ascii=False)
    return write_text(target, text + "\n")


def _finite(value: Any) -> Any:
    """Replace NaN and ±inf (silence has -inf LUFS) with None: JSON has neither."""
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {k: _finite(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_finite(v) for v in value]
    return value
