"""Geometry of the server-rendered SVG profile charts (no chart library, no inline styles).

- ``profile_chart``: one horizontal stacked bar per profile, all on the same 0-100% scale;
- ``month_chart``: a source's shares month by month, one line per label, each point with
  its 95% interval as a whisker.

The templates draw them with SVG attributes only (Content-Security-Policy forbids inline
styles).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass

from annotator.reports.shares import SENTENCES, LabelInfo, Profile, Share

ROW_HEIGHT = 30
BAR_HEIGHT = 20
TOP = 22  # room for the axis labels
TICKS = (0, 25, 50, 75, 100)


@dataclass(frozen=True)
class Segment:
    share: Share
    x: float  # percent of the bar area
    width: float


@dataclass(frozen=True)
class ChartRow:
    profile: Profile
    shares: list[Share]
    segments: list[Segment]
    n: int
    documents: int  # documents with labels: the shares' intervals resample them
    tied: int  # sentences (or characters) on which the annotators are tied: not counted
    url: str
    y: int  # top of the bar
    text_y: int  # baseline of the row's name
    details: list[tuple[str, str]]  # (title, url) of the row's documents, when listed


@dataclass(frozen=True)
class Chart:
    id: str
    title: str
    unit: str  # what n counts and what the shares are of
    labels: Sequence[LabelInfo]
    rows: list[ChartRow]
    height: int
    ticks: Sequence[int] = TICKS


def profile_chart(
    *,
    chart_id: str,
    title: str,
    profiles: Iterable[Profile],
    measure: str,
    labels: Sequence[LabelInfo],
    url_for: Callable[[Profile], str] = lambda profile: "",
    details_for: Callable[[Profile], list[tuple[str, str]]] | None = None,
) -> Chart:
    """``measure`` is ``"sentences"`` or ``"characters"``."""
    if measure not in {"sentences", "characters"}:
        raise ValueError(f"Unknown measure {measure!r}.")
    rows = []
    for i, profile in enumerate(profiles):
        chosen = profile.by_sentences if measure == SENTENCES else profile.by_chars
        counts = profile.counts
        segments = [
            Segment(share, share.x, round(share.value * 100, 3)) for share in chosen if share.value
        ]
        y = TOP + i * ROW_HEIGHT
        rows.append(
            ChartRow(
                profile=profile,
                shares=chosen,
                segments=segments,
                n=chosen[0].n if chosen else 0,
                documents=chosen[0].documents if chosen else 0,
                tied=counts.tied_sentences if measure == SENTENCES else counts.tied_chars,
                url=url_for(profile),
                y=y,
                text_y=y + BAR_HEIGHT - 5,
                details=details_for(profile) if details_for else [],
            )
        )
    return Chart(
        id=chart_id,
        title=title,
        unit=measure,
        labels=labels,
        rows=rows,
        height=TOP + len(rows) * ROW_HEIGHT + 4,
    )


# The month chart, in the units of its viewBox (it is drawn at the page's width).
MONTH_WIDTH, MONTH_HEIGHT = 640, 220
MONTH_LEFT, MONTH_RIGHT, MONTH_TOP, MONTH_BOTTOM = 40, 10, 10, 30
MONTH_LABELS = 12  # month names written under the axis, at most
WHISKER_GAP = 5  # labels' whiskers side by side, this far apart


@dataclass(frozen=True)
class MonthPoint:
    share: Share
    month: str
    x: float
    y: float
    low_y: float | None  # the whisker's ends; None: too few documents for an interval
    high_y: float | None


@dataclass(frozen=True)
class MonthSeries:
    label: LabelInfo
    points: list[MonthPoint]
    line: str  # the polyline's points, "x,y x,y ..."


@dataclass(frozen=True)
class MonthChart:
    id: str
    title: str
    labels: Sequence[LabelInfo]
    months: list[tuple[float, str, Profile]]  # x, name under the axis ("" if skipped), profile
    series: list[MonthSeries]
    grid: list[tuple[float, int]]  # y, percent
    width: int = MONTH_WIDTH
    height: int = MONTH_HEIGHT
    left: int = MONTH_LEFT
    right: int = MONTH_WIDTH - MONTH_RIGHT
    bottom: int = MONTH_HEIGHT - MONTH_BOTTOM


def month_chart(
    *, chart_id: str, title: str, months: Sequence[Profile], labels: Sequence[LabelInfo]
) -> MonthChart:
    """``months``: one profile per month (its name "2024-05"), in order; their shares by
    sentences are drawn. A month without labelled sentences has no point."""
    plot_width = MONTH_WIDTH - MONTH_LEFT - MONTH_RIGHT
    plot_height = MONTH_HEIGHT - MONTH_TOP - MONTH_BOTTOM
    slot = plot_width / max(len(months), 1)
    every = -(-len(months) // MONTH_LABELS)  # write every n-th month's name

    def y_of(value: float) -> float:
        return round(MONTH_TOP + (1 - value) * plot_height, 2)

    xs = [round(MONTH_LEFT + (i + 0.5) * slot, 2) for i in range(len(months))]
    series = []
    for k, label in enumerate(labels):
        offset = (k - (len(labels) - 1) / 2) * WHISKER_GAP
        points = []
        for x, profile in zip(xs, months, strict=True):
            share = next(s for s in profile.by_sentences if s.label.id == label.id)
            if not share.counted:
                continue
            whisker = share.low is not None
            points.append(
                MonthPoint(
                    share=share,
                    month=profile.name,
                    x=round(x + offset, 2),
                    y=y_of(share.value),
                    low_y=y_of(share.low) if whisker and share.low is not None else None,
                    high_y=y_of(share.high) if whisker and share.high is not None else None,
                )
            )
        line = " ".join(f"{p.x},{p.y}" for p in points)
        series.append(MonthSeries(label=label, points=points, line=line))
    return MonthChart(
        id=chart_id,
        title=title,
        labels=labels,
        months=[
            (x, profile.name if i % every == 0 else "", profile)
            for i, (x, profile) in enumerate(zip(xs, months, strict=True))
        ],
        series=series,
        grid=[(y_of(tick / 100), tick) for tick in TICKS],
    )
