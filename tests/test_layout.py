"""Which package code each part depends on: renderers never import checkers.

An edition is keyed by the code it runs (`state.code_files`), so a renderer that
imported a checker or the report would be rebuilt whenever a check message changed.
"""

from __future__ import annotations

import importlib.util
from pathlib import Path

import pytest

from editions import registry, state
from editions.paths import PACKAGE

RENDERERS = tuple(edition.renderer for edition in registry.EDITIONS)
#: What only `invoke check`, the report and the benchmark use.
NOT_RENDERING = ("checks/", "report/", "bench/")
#: The build driver: a renderer is called by it, never the other way round.
DRIVER = ("build.py", "batch.py", "state.py", "job.py", "schedule.py", "registry.py")


def _files(*modules: str) -> set[str]:
    """Return the package files *modules* import, relative to the package."""
    return {str(p.relative_to(PACKAGE)) for p in state.code_files(modules)}


def test_every_edition_has_a_renderer_module() -> None:
    named = {f"editions.{n}.render" for n in ("pdf", "epub", "large_print", "audio")}
    assert named <= set(RENDERERS)
    for renderer in RENDERERS:
        spec = importlib.util.find_spec(renderer)
        assert spec is not None and spec.origin is not None, renderer
        assert Path(spec.origin).name == "render.py", renderer


@pytest.mark.parametrize("renderer", RENDERERS)
def test_renderers_import_no_checker_report_or_driver(renderer: str) -> None:
    files = _files(renderer)
    assert "/".join(renderer.split(".")[1:]) + ".py" in files
    assert not [f for f in files if f.startswith(NOT_RENDERING) or f in DRIVER]


def test_no_audio_module_depends_on_the_driver() -> None:
    # step.py is the build's adapter (it may reach the driver and the cluster);
    # nothing the renderer runs may.
    modules = sorted(
        f"editions.audio.{p.stem}"
        for p in (PACKAGE / "audio").glob("*.py")
        if p.stem != "step"
    )
    assert "editions.audio.master" in modules
    for module in modules:
        assert "state.py" not in _files(module), module


def test_pdf_checkers_read_without_the_repair_passes() -> None:
    files = _files("editions.checks.pdf", "editions.checks.compare.read_pdf")
    assert {"pdf/reading.py", "pdf/content.py"} <= files
    assert not {"pdf/tagging.py", "pdf/artifacts.py", "pdf/render.py"} & files
