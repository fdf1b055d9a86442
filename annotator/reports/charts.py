"""Geometry of the server-rendered SVG profile charts (no chart library, no inline styles).

One horizontal stacked bar per profile, all on the same 0-100% scale; the template draws
it with SVG attributes only (Content-Security-Policy forbids inline styles).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
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
    profiles: Sequence[Profile],
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
