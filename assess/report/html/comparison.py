"""The Comparison section of the HTML report (``comparison.html.j2``): each group's mean score
with its interval as a chart, the criterion profile as a shaded table, and the pairwise tests.

Reads what a :class:`~assess.result.Result` carries (``result.comparison``) and is None when
the result has no comparison.
"""

from __future__ import annotations

from typing import Any

from ...analyses.groups.result import p_text
from ...analyses.groups.statistics import finite
from ...result import Result
from ..figures import NEUTRAL_COLOUR, nice_ticks, sentence

#: the interval chart's geometry: label column, plot width, row height, top margin
LABEL_WIDTH, PLOT_WIDTH, ROW_HEIGHT, TOP = 190.0, 520.0, 22.0, 26.0


def _x(score: float) -> float:
    """Where a score (0-100) sits across the chart."""
    return LABEL_WIDTH + PLOT_WIDTH * max(0.0, min(100.0, score)) / 100.0


def _chart(cmp: Any) -> dict[str, Any]:
    """The interval chart: a row per group, its mean's interval as a bar and the mean a dot."""
    rows = []
    for i, (name, g) in enumerate(cmp.groups.iterrows()):
        mean, low, high = (finite(float(g[k])) for k in ("mean", "mean_low", "mean_high"))
        rows.append(
            {
                "name": name,
                "n": int(g["n"]),
                "y": TOP + ROW_HEIGHT * (i + 0.5),
                "mean": mean,
                "low": low,
                "high": high,
                "x_mean": None if mean is None else _x(mean),
                "x_low": None if low is None else _x(low),
                "x_high": None if high is None else _x(high),
                "tested": bool(g["tested"]),
            }
        )
    height = TOP + ROW_HEIGHT * len(rows) + 8
    ticks = [{"x": _x(t), "score": int(t)} for t in nice_ticks(0, 100, 4)]
    return {
        "rows": rows,
        "ticks": ticks,
        "width": LABEL_WIDTH + PLOT_WIDTH + 16,
        "height": height,
        "top": TOP,
        "bottom": height - 8,
        "label_w": LABEL_WIDTH,
        "colour": NEUTRAL_COLOUR,
    }


def _shade(value: Any) -> int | None:
    """0-4: how good a normalised value is, for the profile cells' background."""
    return None if finite(value) is None else int(round(float(value) * 4))


def _profile(result: Result) -> list[dict[str, Any]]:
    cmp = result.comparison
    ids = result.rubric.ids
    rows = [(name, cmp.profile.loc[name], False) for name in cmp.profile.index]
    rows.append(("All scored engagements", cmp.overall_profile, True))
    return [
        {
            "name": name,
            "overall": overall,
            "cells": [{"value": finite(float(values[c])), "shade": _shade(values[c])} for c in ids],
        }
        for name, values, overall in rows
    ]


def _cross(cmp: Any) -> dict[str, Any] | None:
    """The cross-table of two ``by`` columns: mean score and count per cell (None with one)."""
    if cmp.cross_mean is None or cmp.cross_n is None:
        return None
    return {
        "rows": cmp.by[0],
        "columns": cmp.by[1],
        "column_names": [str(c) for c in cmp.cross_mean.columns],
        "body": [
            {
                "name": str(name),
                "cells": [
                    {"mean": finite(float(m)), "n": int(n)}
                    for m, n in zip(means, cmp.cross_n.loc[name], strict=True)
                ],
            }
            for name, means in zip(cmp.cross_mean.index, cmp.cross_mean.to_numpy(), strict=True)
        ],
    }


def comparison_context(result: Result) -> dict[str, Any] | None:
    """What the HTML report's Comparison section shows (None without a comparison)."""
    cmp = result.comparison
    if cmp is None:
        return None
    test = cmp.overall_test
    return {
        "by": " and ".join(cmp.by),
        "headline": sentence(cmp.headline()),
        "notes": [sentence(n) for n in cmp.notes()],
        "confidence": cmp.confidence,
        "resamples": cmp.resamples,
        "seed": cmp.seed,
        "small": cmp.small,
        "alpha": cmp.alpha,
        "overall": None
        if test is None
        else {"h": finite(float(test.statistic)), "df": test.df, "p": p_text(test.p)},
        "chart": _chart(cmp),
        "criteria": [c.label for c in result.rubric.criteria],
        "profile": _profile(result),
        "cross": _cross(cmp),
        "pairs": [
            {**p, "p_text": p_text(p["p"]), "p_holm_text": p_text(p["p_holm"])}
            for p in cmp.pairs.to_dict("records")
        ],
    }
