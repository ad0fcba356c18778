"""The Agreement and Sensitivity sections of the HTML report: what their templates
(``agreement.html.j2``, ``sensitivity.html.j2``) show, with the rank-interval chart's geometry.

Each reads what a :class:`~assess.result.Result` carries (``result.agreement``,
``result.sensitivity``) and is None when the result has no such analysis.
"""

from __future__ import annotations

import math
from typing import Any

import pandas as pd

from ...analyses.agreement import ALPHA_LEGEND, shown_alpha
from ...display import percent
from ...result import Result
from ..figures import NEUTRAL_COLOUR, concentration, criterion_colours, nice_step, nice_ticks

#: engagements drawn in the rank-interval chart and listed in its tables
CHART_LIMIT = 100
FLAG_LIMIT = 200
#: the rank-interval chart's geometry: label column, plot width, row height, top margin
LABEL_WIDTH, PLOT_WIDTH, ROW_HEIGHT, TOP = 150.0, 560.0, 16.0, 26.0


def agreement_context(result: Result) -> dict[str, Any] | None:
    """What the HTML report's Agreement section shows (None when there is one rater)."""
    a = result.agreement
    if a is None:
        return None
    rubric = result.rubric
    criteria = [
        {
            "label": c.label,
            "alpha": shown.text(),
            "units": a.units[c.id],
            "reading": shown.reading,
            "width": 0.0 if math.isnan(shown.value) else max(0.0, min(1.0, shown.value)),
        }
        for c in rubric.criteria
        if c.id in a.alpha
        for shown in [shown_alpha(a.alpha[c.id])]
    ]
    overall = shown_alpha(a.overall)
    return {
        "raters": a.raters,
        "combine": a.combine.replace("_", " "),
        "flag_at": a.flag_at,
        "overall": overall.text(),
        "overall_reading": overall.reading,
        "legend": ALPHA_LEGEND,
        "criteria": criteria,
        "flags": [
            {
                "id": f.id,
                "criterion": rubric.criterion(f.criterion).label,
                "ratings": [f.ratings.get(r) for r in a.raters],
                "spread": f.spread,
                "cells": ", ".join(f.cells),
            }
            for f in a.flags[:FLAG_LIMIT]
        ],
        "n_flags": len(a.flags),
        "flag_limit": FLAG_LIMIT,
        "rows_read": a.rows_read,
        "rows_used": a.rows_used,
        "rows_rejected": a.rows_rejected,
    }


def sensitivity_context(result: Result) -> dict[str, Any] | None:
    """What the HTML report's Sensitivity section shows, with the rank-interval chart's
    geometry (None when no sensitivity run is attached)."""
    s = result.sensitivity
    if s is None:
        return None
    shown = s.engagements.head(CHART_LIMIT)
    chart = _rank_chart(result, shown)
    return {
        "draws": s.draws,
        "concentration": concentration(s.concentration),
        "seed": s.seed,
        "switch": s.switch_aggregation,
        "resample": s.resample_raters,
        "mean_spearman": s.mean_spearman,
        "spearman_p05": s.spearman_p05,
        "outside": s.outside,
        "n": len(s.engagements),
        "shown": len(chart["rows"]),
        "chart": chart,
        "table": _band_table(result, shown),
        "sobol": _sobol(result),
        "sobol_n": s.sobol_n,
        "loo": _leave_one_out(result),
    }


def _rank_chart(result: Result, shown: pd.DataFrame) -> dict[str, Any]:
    """The rank-interval chart: one row per shown engagement, its nominal and median rank, the
    5-95 % interval and the widened one, placed on the ranks 1 to n."""
    n = len(result.sensitivity.engagements)
    colours = {b.name: b.colour for b in result.rubric.bands}

    def x(rank: float) -> float:
        return LABEL_WIDTH + (PLOT_WIDTH * (rank - 1) / (n - 1) if n > 1 else PLOT_WIDTH / 2)

    rows = []
    for i, (eid, row) in enumerate(shown.iterrows()):
        rows.append(
            {
                "id": str(eid),
                "y": TOP + i * ROW_HEIGHT + ROW_HEIGHT / 2,
                "x_lo": x(row["rank_p05"]),
                "x_hi": x(row["rank_p95"]),
                "x_low": x(row["rank_low"]),
                "x_high": x(row["rank_high"]),
                "x_median": x(row["rank_median"]),
                "x_nominal": x(row["rank"]),
                "colour": colours.get(row["band"], "#999999"),
                "rank": int(row["rank"]),
                "p05": int(row["rank_p05"]),
                "p95": int(row["rank_p95"]),
                "median": float(row["rank_median"]),
                "outside": bool(row["rank"] < row["rank_p05"] or row["rank"] > row["rank_p95"]),
            }
        )
    ticks = rank_ticks(n)
    return {
        "rows": rows,
        "width": LABEL_WIDTH + PLOT_WIDTH + 20,
        "height": TOP + len(rows) * ROW_HEIGHT + 24,
        "label_w": LABEL_WIDTH,
        "plot_w": PLOT_WIDTH,
        "top": TOP,
        "bottom": TOP + len(rows) * ROW_HEIGHT,
        "ticks": [{"rank": t, "x": x(t)} for t in ticks],
    }


def rank_ticks(n: int) -> list[int]:
    """The ticks of an axis of ranks 1 to ``n``: the best rank, then round numbers
    (1, 10, 20, 30, 40 for 49 engagements)."""
    if n < 1:
        return []
    step = nice_step(n - 1, 5, integer=True)
    ticks = [int(t) for t in nice_ticks(1, n, 5, integer=True)]
    return ticks if ticks and ticks[0] - 1 < step / 2 else [1, *ticks]


def _band_table(result: Result, shown: pd.DataFrame) -> list[dict[str, Any]]:
    """Per shown engagement its rank, median rank, interval and band probabilities."""
    probabilities = result.sensitivity.band_probability
    band_index = {b.name: i for i, b in enumerate(result.rubric.bands)}
    table = []
    for eid, row in shown.iterrows():
        probs = probabilities.loc[eid]
        table.append(
            {
                "id": str(eid),
                "rank": int(row["rank"]),
                "score": float(row["score"]),
                "band": row["band"],
                "band_index": band_index[row["band"]],
                "median": float(row["rank_median"]),
                "interval": f"{int(row['rank_p05'])}–{int(row['rank_p95'])}",
                "probs": [
                    {"band": b, "index": band_index[b], "p": float(probs[b])} for b in probs.index
                ],
                "text": " · ".join(
                    f"{b} {percent(probs[b])}" for b in probs.index if probs[b] >= 0.005
                ),
            }
        )
    return table


def _sobol(result: Result) -> list[dict[str, Any]]:
    """The Sobol indices, the largest total effect first, with their bars' widths."""
    s = result.sensitivity
    rubric = result.rubric
    if s.sobol is None:
        return []
    colours = dict(zip(rubric.ids, criterion_colours(len(rubric.ids)), strict=True))
    return [
        {
            "label": rubric.criterion(factor).label
            if factor in rubric.ids
            else "Aggregation (arithmetic or geometric)",
            "colour": colours.get(factor, NEUTRAL_COLOUR),
            "s1": row["S1"],
            "s1_conf": row["S1_conf"],
            "st": row["ST"],
            "st_conf": row["ST_conf"],
            "w1": max(0.0, min(1.0, float(row["S1"]))),
            "wt": max(0.0, min(1.0, float(row["ST"]))),
        }
        for factor, row in s.sobol.sort_values("ST", ascending=False).iterrows()
    ]


def _leave_one_out(result: Result) -> list[dict[str, Any]]:
    """How the ranking changes with each criterion left out."""
    return [
        {
            "label": result.rubric.criterion(cid).label,
            "weight": row["weight"],
            "spearman": row["spearman"],
            "mean": row["mean_rank_change"],
            "max": row["max_rank_change"],
            "most_moved": row["most_moved"],
            "band_changes": row["band_changes"],
            "now_insufficient": row["now_insufficient"],
        }
        for cid, row in result.sensitivity.leave_one_out.iterrows()
    ]
