"""Chapter files → loudness measures and inline SVG charts of them.

Drawn by hand (no plotting library): one overview with a bar per chapter (integrated
loudness, true peak, the target band and the peak limit), and one small chart per
chapter of its short-term loudness over time. Every chart has a title and a text
description, values are printed, and the report repeats them in a table, so nothing
is told by colour or shape alone (WCAG 1.1.1, 1.4.1).
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from html import escape
from pathlib import Path

import numpy as np

from editions.audio.measure import (
    MAX_TRUE_PEAK,
    TARGET_LUFS,
    decode,
    integrated_lufs,
    k_weighted_energy,
    true_peak_db,
)
from editions.checks.audio import LUFS_TOLERANCE, noise_floor
from editions.report.results import ChapterLoudness

LOW_DB = -36.0
HIGH_DB = 0.0
ROW = 30
LEFT = 92
RIGHT = 150
TOP = 56
WIDTH = 760
#: The per-chapter curves: their size and level range.
CURVE_WIDTH = 640
CURVE_HEIGHT = 110
CURVE_LOW = -42.0
CURVE_HIGH = -6.0

INK = "#1a1a1a"
BAR = "#1f4e79"
BAND = "#dcebd5"
BAND_EDGE = "#2e6b1f"
PEAK = "#8b1a1a"


def measure_chapter(path: Path, title: str) -> ChapterLoudness:
    """Measure one chapter file: integrated and short-term loudness, peak, floor."""
    samples, rate = decode(path)
    seconds = k_weighted_energy(samples, rate, rate)  # K-weighted energy per second
    window = np.convolve(seconds, np.ones(3), mode="valid") / (3 * rate)
    short_term = -0.691 + 10.0 * np.log10(np.maximum(window, 1e-20))
    return ChapterLoudness(
        title=title,
        file=path.name,
        lufs=integrated_lufs(samples, rate),
        true_peak=true_peak_db(samples),
        noise_floor=noise_floor(samples, rate),
        duration=len(samples) / rate,
        short_term=tuple(round(float(v), 2) for v in short_term),
    )


def measure_chapters(
    files: Sequence[Path], titles: Sequence[str]
) -> list[ChapterLoudness]:
    """Measure each chapter file; titles pair with files in order."""
    return [
        measure_chapter(path, title) for path, title in zip(files, titles, strict=False)
    ]


def _x(db: float) -> float:
    """Map a level in dB to an x coordinate of the overview (clamped to the axis)."""
    if not math.isfinite(db):
        db = LOW_DB
    share = (min(max(db, LOW_DB), HIGH_DB) - LOW_DB) / (HIGH_DB - LOW_DB)
    return LEFT + share * (WIDTH - LEFT - RIGHT)


def svg(chapters: Sequence[ChapterLoudness], chart_id: str = "loudness") -> str:
    """Return an inline, labelled SVG chart of the chapters' loudness and peaks."""
    height = TOP + ROW * len(chapters) + 40
    low, high = TARGET_LUFS - LUFS_TOLERANCE, TARGET_LUFS + LUFS_TOLERANCE
    parts = [
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{WIDTH}" '
        f'height="{height}" viewBox="0 0 {WIDTH} {height}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">',
        f'<title id="{chart_id}-title">Loudness of each chapter</title>',
        f'<desc id="{chart_id}-desc">{escape(describe(chapters))}</desc>',
        f'<rect x="{_x(low):.1f}" y="{TOP - 8}" width="{_x(high) - _x(low):.1f}" '
        f'height="{ROW * len(chapters) + 8}" fill="{BAND}" stroke="{BAND_EDGE}" '
        'stroke-dasharray="4 3"/>',
        f'<line x1="{_x(MAX_TRUE_PEAK):.1f}" y1="{TOP - 8}" '
        f'x2="{_x(MAX_TRUE_PEAK):.1f}" y2="{TOP + ROW * len(chapters)}" '
        f'stroke="{PEAK}" stroke-width="2"/>',
        f'<text x="8" y="16" fill="{INK}" font-size="14">Bars: integrated '
        f"loudness (LUFS); shaded band: the target, {TARGET_LUFS:g} ± "
        f"{LUFS_TOLERANCE:g} LUFS.</text>",
        f'<text x="8" y="34" fill="{INK}" font-size="14">Red tick: true peak '
        f"(dBTP); red line: the peak limit, {MAX_TRUE_PEAK:g} dBTP.</text>",
    ]
    for row, chapter in enumerate(chapters):
        y = TOP + row * ROW
        parts += [
            f'<text x="{LEFT - 8}" y="{y + 15}" fill="{INK}" font-size="14" '
            f'text-anchor="end">Ch. {row + 1}</text>',
            f'<rect x="{LEFT}" y="{y + 3}" width="{_x(chapter.lufs) - LEFT:.1f}" '
            f'height="{ROW - 12}" fill="{BAR}"/>',
            f'<rect x="{_x(chapter.true_peak) - 2:.1f}" y="{y}" width="4" '
            f'height="{ROW - 6}" fill="{PEAK}"/>',
            f'<text x="{WIDTH - RIGHT + 8}" y="{y + 15}" fill="{INK}" '
            f'font-size="13">{chapter.lufs:.1f} LUFS, {chapter.true_peak:.1f} dBTP'
            "</text>",
        ]
    axis_y = TOP + ROW * len(chapters) + 4
    parts.append(
        f'<line x1="{LEFT}" y1="{axis_y}" x2="{_x(HIGH_DB):.1f}" y2="{axis_y}" '
        f'stroke="{INK}"/>'
    )
    for db in range(int(LOW_DB), int(HIGH_DB) + 1, 6):
        x = _x(db)
        parts += [
            f'<line x1="{x:.1f}" y1="{axis_y}" x2="{x:.1f}" y2="{axis_y + 5}" '
            f'stroke="{INK}"/>',
            f'<text x="{x:.1f}" y="{axis_y + 20}" fill="{INK}" font-size="13" '
            f'text-anchor="middle">{db}</text>',
        ]
    parts.append("</svg>")
    return "\n".join(parts)


def describe(chapters: Sequence[ChapterLoudness]) -> str:
    """Summarise the overview in one sentence for its text alternative."""
    if not chapters:
        return "No chapter files were measured."
    levels = [c.lufs for c in chapters]
    peaks = [c.true_peak for c in chapters]
    low, high = TARGET_LUFS - LUFS_TOLERANCE, TARGET_LUFS + LUFS_TOLERANCE
    outside = sum(1 for level in levels if not low <= level <= high)
    return (
        f"{len(chapters)} chapters, integrated loudness from {min(levels):.1f} to "
        f"{max(levels):.1f} LUFS ({outside} outside the {low:g} to {high:g} LUFS "
        f"target); true peaks from {min(peaks):.1f} to {max(peaks):.1f} dBTP "
        f"(limit {MAX_TRUE_PEAK:g}). The table below lists every chapter."
    )


def clock(seconds: float) -> str:
    """Format seconds as m:ss."""
    minutes, rest = divmod(round(seconds), 60)
    return f"{minutes}:{rest:02d}"


def describe_curve(chapter: ChapterLoudness) -> str:
    """Summarise one chapter's short-term loudness in words (its text alternative)."""
    values = np.array([v for v in chapter.short_term if v > -70.0])
    if len(values) == 0:
        return f"{clock(chapter.duration)} of audio too short or too quiet to plot."
    low, high = np.percentile(values, [10, 90])
    loudest = int(np.argmax(chapter.short_term))
    return (
        f"Over {clock(chapter.duration)}, short-term loudness is between "
        f"{low:.1f} and {high:.1f} LUFS for 80% of the time; the loudest 3 "
        f"seconds reach {max(values):.1f} LUFS at {clock(loudest)}. The target is "
        f"{TARGET_LUFS:g} LUFS."
    )


def curve_svg(chapter: ChapterLoudness, chart_id: str) -> str:
    """Return a small SVG line chart of one chapter's short-term loudness."""
    left, top, bottom, right = 44, 8, 24, 12
    width, height = CURVE_WIDTH - left - right, CURVE_HEIGHT - top - bottom
    span = max(len(chapter.short_term) - 1, 1)

    def y(db: float) -> float:
        db = min(max(db, CURVE_LOW), CURVE_HIGH)
        return top + (CURVE_HIGH - db) / (CURVE_HIGH - CURVE_LOW) * height

    points = " ".join(
        f"{left + i / span * width:.1f},{y(v):.1f}"
        for i, v in enumerate(chapter.short_term)
    )
    band_top, band_bottom = (
        y(TARGET_LUFS + LUFS_TOLERANCE),
        y(TARGET_LUFS - LUFS_TOLERANCE),
    )
    labels = "".join(
        f'<text x="{left - 6}" y="{y(db) + 4:.1f}" fill="{INK}" font-size="12" '
        f'text-anchor="end">{db:g}</text>'
        for db in (-36.0, TARGET_LUFS, -6.0)
    )
    return (
        f'<svg xmlns="http://www.w3.org/2000/svg" role="img" width="{CURVE_WIDTH}" '
        f'height="{CURVE_HEIGHT}" viewBox="0 0 {CURVE_WIDTH} {CURVE_HEIGHT}" '
        f'aria-labelledby="{chart_id}-title {chart_id}-desc" class="chart">'
        f'<title id="{chart_id}-title">Short-term loudness of '
        f"{escape(chapter.title)} (LUFS over time)</title>"
        f'<desc id="{chart_id}-desc">{escape(describe_curve(chapter))}</desc>'
        f'<rect x="{left}" y="{band_top:.1f}" width="{width}" '
        f'height="{band_bottom - band_top:.1f}" fill="{BAND}"/>'
        f'<line x1="{left}" y1="{top + height}" x2="{left + width}" '
        f'y2="{top + height}" stroke="{INK}"/>{labels}'
        f'<polyline points="{points}" fill="none" stroke="{BAR}" stroke-width="1.5"/>'
        f'<text x="{left}" y="{CURVE_HEIGHT - 6}" fill="{INK}" font-size="12">0:00'
        f'</text><text x="{left + width}" y="{CURVE_HEIGHT - 6}" fill="{INK}" '
        f'font-size="12" text-anchor="end">{clock(chapter.duration)}</text></svg>'
    )
