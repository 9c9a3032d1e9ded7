"""The large-print page's checks: vnu, axe-core in every view, then compared."""

from __future__ import annotations

from editions.checks import names
from editions.checks.checker import ASSETS, Checker
from editions.checks.compare import consistency
from editions.checks.compare.read_html import read_html
from editions.checks.vnu import run_vnu
from editions.errors import Finding


def check(checker: Checker) -> None:
    """The Nu HTML Checker and axe in every view, then the page compared."""
    target = checker.report.files["html"]
    checker.check(names.VNU, "html", target, lambda: run_vnu(target), ("html",))
    checker.check(names.AXE, "html", target, lambda: _browser(checker), ("html",))
    shown = checker.read("html", target, lambda: read_html(target), ("html",))
    checks = checker.visual_checks("html", target)
    checks.append(
        (
            names.TIMED_SENTENCES,
            lambda s: consistency.timed(checker.exp, s, target, s.anchors),
        )
    )
    checker.compare("html", target, shown, checks)


def _browser(checker: Checker) -> list[Finding]:
    """axe-core in every view, and the screenshots for the report (one browser)."""
    from editions.checks.browser import (
        axe_every_theme,
        launch_browser,
        screenshot_themes,
    )

    target = checker.report.files["html"]
    with launch_browser() as browser:
        results = axe_every_theme(target, browser=browser)
        folder = checker.report.out_dir / ASSETS / "screenshots"
        checker.report.screenshots = screenshot_themes(target, folder, browser=browser)
    return [f for findings in results.values() for f in findings]
