"""Server-rendered SVG charts: pure functions from series to SVG coordinates.

A chart is a plot box inside a fixed view box; categories (dates or ISO weeks) are spread
evenly along x, values map linearly onto y between a low and a high bound (high at the top).
Nothing here reads data or renders markup: the templates draw what `line_chart` computes.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field

WIDTH = 640.0
HEIGHT = 240.0
PAD_LEFT = 44.0
PAD_RIGHT = 16.0
PAD_TOP = 14.0
PAD_BOTTOM = 34.0


@dataclass(frozen=True, slots=True)
class Box:
    """The plot area inside the view box."""

    left: float = PAD_LEFT
    top: float = PAD_TOP
    right: float = WIDTH - PAD_RIGHT
    bottom: float = HEIGHT - PAD_BOTTOM


def scale(value: float, lo: float, hi: float, start: float, end: float) -> float:
    """`value` between lo and hi mapped linearly to start..end (the middle when lo == hi)."""
    if hi == lo:
        return (start + end) / 2
    return start + (value - lo) / (hi - lo) * (end - start)


def x_positions(count: int, box: Box = Box()) -> list[float]:
    """Evenly spread category positions, the first at the left edge and the last at the right;
    a single category sits in the middle."""
    if count == 1:
        return [(box.left + box.right) / 2]
    return [scale(i, 0, count - 1, box.left, box.right) for i in range(count)]


def y_of(value: float, lo: float, hi: float, box: Box = Box()) -> float:
    """A value's height: `hi` at the top of the box, `lo` at the bottom (clamped to the box)."""
    clamped = min(max(value, lo), hi)
    return scale(clamped, lo, hi, box.bottom, box.top)


def points_text(points: Sequence[tuple[float, float]]) -> str:
    """An SVG `points` attribute, one decimal."""
    return " ".join(f"{x:.1f},{y:.1f}" for x, y in points)


@dataclass(frozen=True, slots=True)
class Series:
    name: str
    points: list[tuple[float, float]]  # only where there is a value
    css: str = "series"

    @property
    def polyline(self) -> str:
        return points_text(self.points)


@dataclass(frozen=True, slots=True)
class Tick:
    label: str
    x: float
    y: float


@dataclass(frozen=True, slots=True)
class Chart:
    """What a template draws: series, reference lines, axis ticks (all in view-box units)."""

    series: list[Series]
    references: list[Tick]  # horizontal lines: label and y (x is the box's left)
    x_ticks: list[Tick]
    y_ticks: list[Tick]
    box: Box = field(default_factory=Box)
    markers: list[Tick] = field(default_factory=list)  # vertical lines: label and x
    width: float = WIDTH
    height: float = HEIGHT


def line_chart(
    labels: Sequence[str],
    series: Sequence[tuple[str, Sequence[float | None]]],
    *,
    lo: float,
    hi: float,
    references: Sequence[float] = (),
    y_step: float | None = None,
    markers: Sequence[tuple[int, str]] = (),
    box: Box = Box(),
) -> Chart:
    """Lines over evenly spread categories; a missing value (None) leaves a gap in the points.

    `references` are drawn as horizontal lines (the RTW-SE cut-offs); `y_step` spaces the
    y-axis ticks (by default five steps from lo to hi); x ticks are thinned to at most eight;
    `markers` are vertical lines at category indexes (where a plan stage begins)."""
    xs = x_positions(len(labels), box)
    lines = [
        Series(
            name,
            [(x, y_of(v, lo, hi, box)) for x, v in zip(xs, values, strict=True) if v is not None],
            "series" if i == 0 else "series-2",
        )
        for i, (name, values) in enumerate(series)
    ]
    step = y_step or (hi - lo) / 5 or 1.0
    count = round((hi - lo) / step)
    y_ticks = [
        Tick(_short(lo + k * step), box.left, y_of(lo + k * step, lo, hi, box))
        for k in range(count + 1)
    ]
    every = max(1, -(-len(labels) // 8))  # ceiling division
    x_ticks = [
        Tick(label, x, box.bottom)
        for i, (label, x) in enumerate(zip(labels, xs, strict=True))
        if i % every == 0
    ]
    refs = [Tick(_short(value), box.left, y_of(value, lo, hi, box)) for value in references]
    stages = [Tick(label, xs[index], box.top) for index, label in markers if 0 <= index < len(xs)]
    return Chart(lines, refs, x_ticks, y_ticks, box, stages)


def _short(value: float) -> str:
    """A tick's text: whole numbers without decimals, others with at most two."""
    rounded = round(value, 2)
    return f"{rounded:.0f}" if float(rounded).is_integer() else f"{rounded:g}"
