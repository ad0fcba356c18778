"""The history of a recorded period in the HTML report: each ranked engagement's previous
score, change and previous band (the ranking's "Since <period>" columns), and the Trends
section (``history.html.j2``): the band mix per period and the mean score per type per period
as inline SVG charts with their tables, and the note on how the periods are compared.

It reads what the result carries (``result.history``, a
:class:`~assess.history.context.PeriodContext`) and is None without it.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ...result import Result
from ..figures import change_text, nice_range, nice_ticks, sentence, tick_text

#: The band-mix chart: label column, bar length, row height.
MIX_LABEL, MIX_WIDTH, MIX_ROW = 110.0, 440.0, 30.0
#: The mean-score chart: plot box within the SVG.
LINE_LEFT, LINE_TOP, LINE_WIDTH, LINE_HEIGHT = 40.0, 12.0, 520.0, 220.0


def _missing(value: Any) -> bool:
    try:
        return math.isnan(float(value))
    except TypeError:  # None, pandas' <NA>
        return True


def since_rows(result: Result, band_index: dict[str, int]) -> dict[Any, dict[str, Any]] | None:
    """Per engagement id: ``score`` (previous, or None), ``change`` (None or points),
    ``change_text`` (``"▲ +11.4"``), ``direction`` (``up``, ``down`` or ``""``), ``band`` and
    ``band_index`` (its place among this rubric's bands, or None); None when the result has
    no previous period to compare with."""
    h = result.history
    if h is None or h.previous_period is None:
        return None
    frame = h.previous(result.engagements.index)
    rows = {}
    for eid, score, change, band in zip(
        frame.index,
        frame["previous_score"].tolist(),
        frame["change"].tolist(),
        frame["previous_band"].tolist(),
        strict=True,
    ):
        missing = _missing(change)
        rows[eid] = {
            "score": None if _missing(score) else float(score),
            "change": None if missing else float(change),
            "change_text": change_text(change),
            "direction": "" if missing or change == 0 else ("up" if change > 0 else "down"),
            "band": band,
            "band_index": band_index.get(band) if band is not None else None,
        }
    return rows


def _mix_chart(h: Any) -> dict[str, Any]:
    """Stacked bars, one per period: its scored engagements by band."""
    peak = max([int(n) for n in h.overall["n"]] + [1])
    rows = []
    for i, row in enumerate(h.overall.to_dict("records")):
        x, segments = 0.0, []
        for band in h.bands:
            count = int(row[band])
            width = MIX_WIDTH * count / peak
            if count:
                segments.append(
                    {"band": band, "count": count, "x": x, "w": width, "colour": _colour(h, band)}
                )
            x += width
        rows.append({"period": row["period"], "y": i * MIX_ROW, "n": int(row["n"]), "end": x})
        rows[-1]["segments"] = segments
    return {
        "label_w": MIX_LABEL,
        "width": MIX_LABEL + MIX_WIDTH + 60,
        "height": len(rows) * MIX_ROW + 4,
        "rows": rows,
    }


def _colour(h: Any, band: str) -> str:
    return h.band_colours.get(band, "#999999")


def _line_chart(h: Any, colours: list[str]) -> dict[str, Any] | None:
    """One line per group across the periods: its mean score (0-100)."""
    means = h.mean_by_group()
    if means is None or not len(means.columns):
        return None
    n = len(h.periods)
    step = LINE_WIDTH / (n - 1) if n > 1 else 0.0
    xs = [LINE_LEFT + (i * step if n > 1 else LINE_WIDTH / 2) for i in range(n)]
    lo, hi, ticks = _axis(means.to_numpy(dtype=float))

    def y(value: float) -> float:
        return LINE_TOP + LINE_HEIGHT * (1 - (value - lo) / (hi - lo))

    lines = []
    for j, group in enumerate(means.columns):
        values = means[group].tolist()
        points = [
            {"x": xs[i], "y": y(float(v)), "value": float(v), "period": h.periods[i]}
            for i, v in enumerate(values)
            if not _missing(v)
        ]
        lines.append(
            {
                "group": str(group),
                "colour": colours[j % len(colours)],
                "points": points,
                "path": " ".join(f"{p['x']:.1f},{p['y']:.1f}" for p in points),
                "means": values,
            }
        )
    return {
        "left": LINE_LEFT,
        "top": LINE_TOP,
        "width": LINE_LEFT + LINE_WIDTH + 40,
        "height": LINE_TOP + LINE_HEIGHT + 34,
        "bottom": LINE_TOP + LINE_HEIGHT,
        "right": LINE_LEFT + LINE_WIDTH,
        "ticks": [{"value": tick_text(t), "y": y(t)} for t in ticks],
        "periods": [{"label": p, "x": xs[i]} for i, p in enumerate(h.periods)],
        "lines": lines,
        "by": h.groups.by,
    }


def _axis(values: Any) -> tuple[float, float, list[float]]:
    """The score axis of the mean-score chart: round numbers around the values (within
    0-100, at least 20 points), and its ticks."""
    finite = values[~np.isnan(values)]
    if not finite.size:
        return 0.0, 100.0, nice_ticks(0, 100, 4)
    lo, hi = max(0.0, float(finite.min()) - 2), min(100.0, float(finite.max()) + 2)
    if hi - lo < 20:
        lo, hi = max(0.0, hi - 20), max(hi, 20.0)
    lo, hi, ticks = nice_range(lo, hi, 5)
    lo, hi = max(0.0, lo), min(100.0, hi)
    return lo, hi, [t for t in ticks if lo <= t <= hi]


def history_context(result: Result, colours: list[str]) -> dict[str, Any] | None:
    """What the Trends section shows (None when the result carries no history); the types'
    lines take ``colours`` in turn."""
    h = result.history
    if h is None:
        return None
    return {
        "period": h.period,
        "previous_period": h.previous_period,
        "note": sentence(h.note),
        "headline": sentence(h.headline),
        "bands": list(h.bands),
        "band_colours": {b: _colour(h, b) for b in h.bands},
        "overall": h.overall.to_dict("records"),
        "mix": _mix_chart(h),
        "means": _line_chart(h, colours),
    }
