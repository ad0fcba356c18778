"""What each chart file shows, taken from a :class:`~assess.result.Result` as the other reports
take it, so that a chart pasted into a slide carries the report's numbers: the band counts and
shares, each criterion's points for the best engagements, the mean rating per criterion by
type, and each compared group's mean score with its interval.

Text from the input (names, types, groups) comes out as the HTML report shows it: control
characters dropped, a leading formula sign defused with an apostrophe.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

from ...display import fixed, percent
from ...result import Result
from ...rubric import normalise_header
from ..figures import NEUTRAL_COLOUR, criterion_colours
from ..safety import safe_cell

#: Engagements in the contributions chart (the best first), as in the Excel report's chart.
TOP_ENGAGEMENTS = 30
#: Types in the mean-rating chart (the most frequent first), as in the Excel report's chart.
MAX_TYPES = 12
#: Headers of the column that gives an engagement's type (as the Excel report finds it).
TYPE_HEADERS = ("type", "engagement type", "category")
#: Characters of an engagement's name shown beside its id.
NAME_LENGTH = 42


def shown(value: Any, limit: int | None = None) -> str:
    """Input text as the reports show it (cleaned, defused), cut to ``limit`` characters
    with "…"."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return ""
    text = str(safe_cell(" ".join(str(value).split())))
    return text if limit is None or len(text) <= limit else text[: limit - 1].rstrip() + "…"


@dataclass
class Bar:
    """One bar or row of a chart: its label, value(s) and colour(s)."""

    label: str
    value: float = math.nan
    text: str = ""
    colour: str = NEUTRAL_COLOUR
    parts: list[float] = field(default_factory=list)
    low: float = math.nan
    high: float = math.nan
    tested: bool = True


@dataclass
class Chart:
    """A chart's title, subtitle, axis title, bars, and the series' names and colours."""

    name: str
    title: str
    subtitle: str
    axis: str
    bars: list[Bar]
    series: list[tuple[str, str]] = field(default_factory=list)
    axis_max: float = 100.0


def bands(result: Result) -> Chart:
    """Scored engagements per band after gates, best band first, in the bands' colours."""
    counts, shares = result.band_counts(), result.band_shares()
    bars = [
        Bar(b.name, counts[b.name], f"{counts[b.name]} · {percent(shares[b.name])}", b.colour)
        for b in result.rubric.bands
    ]
    n = result.counts["scored"]
    return Chart(
        "bands",
        "Engagements by band",
        f"{n} scored engagement{'s' if n != 1 else ''}, after gates",
        "engagements",
        bars,
        axis_max=float(max(counts.values(), default=0)),
    )


def contributions(result: Result) -> Chart:
    """The points each criterion added to the score of the best engagements (rank 1 first)."""
    rubric = result.rubric
    top = result.scored.head(TOP_ENGAGEMENTS)
    name = result.name_column
    bars = []
    for eid, row in zip(top.index, top.to_dict("records"), strict=True):
        label = shown(eid)
        if name is not None and shown(row[name]):
            label = f"{label}  {shown(row[name], NAME_LENGTH)}"
        parts = [_points(row.get(f"{c.id}.contribution")) for c in rubric.criteria]
        bars.append(Bar(label, float(row["score"]), fixed(row["score"], 1), parts=parts))
    colours = criterion_colours(len(rubric.criteria))
    return Chart(
        "contributions",
        f"Score by criterion: the top {len(bars)} engagements",
        "Points each criterion added to the score, of 100; rank 1 at the top",
        "points",
        bars,
        series=[(c.label, colours[i]) for i, c in enumerate(rubric.criteria)],
    )


def _points(value: Any) -> float:
    return 0.0 if value is None or not value > 0 else float(value)


def type_column(result: Result) -> str | None:
    """The carried column that gives each engagement's type, if any."""
    return next((c for c in result.carried_columns if normalise_header(c) in TYPE_HEADERS), None)


def criteria_by_type(result: Result) -> Chart:
    """Each criterion's mean rating over the scored engagements of each type (the most
    frequent :data:`MAX_TYPES` types), or over all of them when there is no type column."""
    rubric = result.rubric
    scored = (result.engagements["status"] == "scored").to_numpy()
    inputs = result.criterion_inputs()[scored]
    column = type_column(result)
    groups: list[tuple[str, Any]] = []
    if column is not None:
        types = result.engagements.loc[scored, column].dropna()
        types = types.map(lambda v: " ".join(str(v).split()))
        means = inputs.loc[types.index].groupby(types).mean()
        groups = [(t, means.loc[t]) for t in types.value_counts().index[:MAX_TYPES] if t]
    if not groups:
        groups = [("All scored engagements", inputs.mean())]
    bars = [Bar(shown(t), parts=[float(m[c.id]) for c in rubric.criteria]) for t, m in groups]
    colours = criterion_colours(len(rubric.criteria))
    scales = {c.scale.max if c.rated else 1.0 for c in rubric.criteria}
    by = f" by {column.strip().lower()}" if column is not None and len(bars) > 1 else ""
    return Chart(
        "criteria",
        f"Mean rating per criterion{by}",
        "Over the scored engagements" + (f" of each {shown(column).lower()}" if by else ""),
        "mean rating",
        bars,
        series=[(c.label, colours[i]) for i, c in enumerate(rubric.criteria)],
        axis_max=float(max(scales)),
    )


def comparison(result: Result) -> Chart | None:
    """Each compared group's mean score and its interval (None without a comparison)."""
    cmp = result.comparison
    if cmp is None:
        return None
    bars = [
        Bar(
            f"{shown(name, 36)} ({int(g['n'])})",
            float(g["mean"]),
            fixed(g["mean"], 1),
            low=float(g["mean_low"]),
            high=float(g["mean_high"]),
            tested=bool(g["tested"]),
        )
        for name, g in cmp.groups.iterrows()
    ]
    return Chart(
        "comparison",
        f"Mean score by {shown(' and '.join(cmp.by)).lower()}",
        f"The dot is the group's mean score, the bar its {cmp.confidence:.0%} bootstrap "
        "interval; a hollow dot marks a group too small to test",
        "score",
        bars,
    )
