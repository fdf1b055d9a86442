"""Geometry of the learning curve on the Suggestions page: macro-F1 (0-1) against the
number of labelled sentences, a server-rendered SVG like the reports' charts (no chart
library, no inline styles)."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

WIDTH, HEIGHT = 480, 200
LEFT, RIGHT, TOP, BOTTOM = 44, 16, 12, 30
TICKS = (0.0, 0.25, 0.5, 0.75, 1.0)


@dataclass(frozen=True)
class CurvePoint:
    n: int
    f1: float
    x: float
    y: float


@dataclass(frozen=True)
class Curve:
    points: list[CurvePoint]
    line: str  # "x,y x,y ..."
    grid: list[tuple[float, str]]  # y, tick label
    x_ticks: list[tuple[float, int]]  # x, number of sentences
    baseline_y: float | None  # the majority-class baseline's macro-F1, dashed
    width: int = WIDTH
    height: int = HEIGHT
    left: int = LEFT
    right: int = WIDTH - RIGHT
    bottom: int = HEIGHT - BOTTOM


def learning_curve(points: Sequence[Sequence[float]], baseline: float | None = None) -> Curve:
    """``points``: ``(sentences, macro-F1)`` pairs in increasing order of sentences."""
    top_n = max((p[0] for p in points), default=1) or 1
    plot_w, plot_h = WIDTH - LEFT - RIGHT, HEIGHT - TOP - BOTTOM

    def x_of(n: float) -> float:
        return round(LEFT + plot_w * n / top_n, 2)

    def y_of(value: float) -> float:
        return round(TOP + (1 - value) * plot_h, 2)

    drawn = [CurvePoint(int(n), f1, x_of(n), y_of(f1)) for n, f1 in points]
    return Curve(
        points=drawn,
        line=" ".join(f"{p.x},{p.y}" for p in drawn),
        grid=[(y_of(t), f"{t:.2f}") for t in TICKS],
        x_ticks=[(x_of(0), 0), *((p.x, p.n) for p in drawn[-1:])],
        baseline_y=y_of(baseline) if baseline is not None else None,
    )
