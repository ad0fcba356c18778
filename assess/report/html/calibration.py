"""The calibration report as an HTML page: one self-contained document in the report's look
(the same stylesheet and header; inline SVG charts, no scripts, no fetches) showing the
recommendation, the weights with their bootstrap intervals, the out-of-sample comparison (the
summary, the paired tests and every fold), predicted against observed outcomes, the warnings
and the provenance (from :mod:`assess.report.calibration_content`).  Text from the input is
escaped.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np
from markupsafe import Markup

from ..._version import __version__
from ...calibration.evaluation import METRICS
from ...calibration.result import Calibration
from ...display import fixed
from ...files import atomic_path
from ..calibration_content import (
    cell_text,
    link_line,
    metric_rows,
    predicted_vs_observed,
    prior_line,
    provenance_rows,
    weight_rows,
)
from ..figures import criterion_colours, nice_range, tick_text
from ..safety import clean_text
from .page import stylesheet, template

#: The new weights' points and the expert weights' in the predicted-against-observed chart.
NEW_COLOUR, EXPERT_COLOUR = "#0b5cad", "#8c959f"


def write_calibration_html(cal: Calibration, path: Path) -> None:
    """Write :func:`calibration_html` to ``path`` atomically.

    Parameters
    ----------
    cal : Calibration
        What :func:`assess.calibrate` returned.
    path : Path
        The page to write.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(calibration_html(cal), encoding="utf-8")


def _e(value: Any) -> str:
    return html.escape(clean_text(str(value)), quote=True)


def _weights_svg(cal: Calibration) -> str:
    """Horizontal bars per criterion: the expert weight (grey) and the new one (in the
    criterion's colour, as in the scores report) with its 90 % interval, on a 0 to the largest
    weight axis with round ticks."""
    t = cal.weights
    top = max(
        float(t[["expert", cal.name]].to_numpy().max()), float(t.get("high", t["expert"]).max())
    )
    _, axis_top, ticks = nice_range(0.0, max(top, 1e-9), 5)
    left, plot, row = 260, 420, 46
    scale = plot / max(axis_top, 1e-9)
    colours = criterion_colours(len(cal.rubric.criteria))
    colour_of = {c.id: colours[i] for i, c in enumerate(cal.rubric.criteria)}
    height = 24 + len(t) * row
    parts = []
    for v in ticks:
        x = left + v * scale
        parts.append(
            f'<line x1="{x:.1f}" x2="{x:.1f}" y1="16" y2="{height - 6}" stroke="#e6eaef"/>'
            f'<text x="{x:.1f}" y="11" text-anchor="middle" class="tick">{tick_text(v)}</text>'
        )
    for i, (cid, r) in enumerate(t.iterrows()):
        y = 22 + i * row
        label = _e(cal.rubric.criterion(cid).label)
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{label}</text>')
        ends = {}
        pairs = (("expert", EXPERT_COLOUR), (cal.name, colour_of.get(cid, NEW_COLOUR)))
        for k, (col, colour) in enumerate(pairs):
            ends[col] = float(r[col]) * scale
            parts.append(
                f'<rect x="{left}" y="{y + 16 * k}" width="{ends[col]:.1f}" height="13" '
                f'fill="{colour}"><title>{_e(col)}: {fixed(r[col], 3)}</title></rect>'
            )
        if "low" in t:  # the interval over the new weight's bar, its value beyond it
            lo, hi = float(r["low"]) * scale, float(r["high"]) * scale
            ends[cal.name] = max(ends[cal.name], hi)
            parts.append(
                f'<line x1="{left + lo:.1f}" x2="{left + hi:.1f}" y1="{y + 22.5}" '
                f'y2="{y + 22.5}" stroke="#1f2328" stroke-width="1.5"/>'
            )
        for k, col in enumerate(("expert", cal.name)):
            x = left + ends[col] + 5
            parts.append(f'<text x="{x:.1f}" y="{y + 16 * k + 11}">{fixed(r[col], 3)}</text>')
    legend = (
        f'<text x="{left}" y="{height + 10}" class="muted">grey: expert · coloured: '
        f"{_e(cal.name)}" + (" · line: 90% bootstrap interval" if "low" in t else "") + "</text>"
    )
    width = left + plot + 70
    return (
        f'<svg class="weights" viewBox="0 0 {width} {height + 16}" width="{width}" role="img" '
        f'aria-label="Expert and {_e(cal.name)} weights" font-size="12">'
        f"{''.join(parts)}{legend}</svg>"
    )


def _scatter_axis(cal: Calibration, values: np.ndarray) -> tuple[float, float, list[float]]:
    """The chart's axis (the same across and up): probabilities 0 to 1, the ordinal levels
    by index, or round numbers around a numeric outcome."""
    if cal.cases.kind == "binary":
        return 0.0, 1.0, [0.0, 0.25, 0.5, 0.75, 1.0]
    if cal.cases.kind == "ordinal":
        top = float(len(cal.cases.levels) - 1)
        return -0.5, top + 0.5, [float(v) for v in range(len(cal.cases.levels))]
    return nice_range(float(values.min()), float(values.max()), 5)


def _scatter_svg(cal: Calibration) -> str:
    """The predicted-against-observed chart (see :func:`predicted_vs_observed`)."""
    points, x_title, y_title = predicted_vs_observed(cal)
    points = points[np.isfinite(points["x"]) & np.isfinite(points["y"])]
    if points.empty:
        return ""
    y = points["y"].to_numpy(dtype=float)
    if cal.cases.kind == "ordinal":  # spread the cases at each level so that they show
        y = y + np.random.default_rng(0).uniform(-0.2, 0.2, len(y))
    lo, hi, ticks = _scatter_axis(cal, np.concatenate([points["x"].to_numpy(float), y]))
    size, pad = 420, 48

    def px(v: float) -> float:
        return pad + (v - lo) / (hi - lo) * size

    def py(v: float) -> float:
        return pad + size - (v - lo) / (hi - lo) * size

    parts = [
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#d0d7de"/>',
        f'<line x1="{px(lo):.1f}" y1="{py(lo):.1f}" x2="{px(hi):.1f}" y2="{py(hi):.1f}" '
        'stroke="#d0d7de" stroke-dasharray="4 3"/>',
    ]
    for v in ticks:
        label = tick_text(v)
        parts.append(
            f'<text x="{px(v):.1f}" y="{pad + size + 16}" text-anchor="middle">{label}</text>'
            f'<text x="{pad - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{label}</text>'
        )
    names = list(dict.fromkeys(points["weighting"]))
    radius = 4.0 if cal.cases.kind == "binary" else 2.4
    for k, (name, colour) in enumerate(zip(names, (NEW_COLOUR, EXPERT_COLOUR), strict=False)):
        mask = (points["weighting"] == name).to_numpy()
        for x, yy in zip(points["x"].to_numpy()[mask], y[mask], strict=True):
            parts.append(
                f'<circle cx="{px(x):.1f}" cy="{py(yy):.1f}" r="{radius}" fill="{colour}" '
                'fill-opacity="0.6"/>'
            )
        parts.append(
            f'<text x="{pad + size + 10}" y="{pad + 14 + 16 * k}" style="fill:{colour}">'
            f"● {_e(name)}</text>"
        )
    mid = pad + size / 2
    parts.append(
        f'<text x="{mid}" y="{pad + size + 36}" text-anchor="middle">{_e(x_title)}</text>'
        f'<text x="12" y="{mid}" transform="rotate(-90 12 {mid})" text-anchor="middle">'
        f"{_e(y_title)}</text>"
    )
    width = size + 2 * pad + 120
    return (
        f'<svg class="scatter" viewBox="0 0 {width} {size + 2 * pad}" width="{width}" '
        f'font-size="12" role="img" aria-label="Predicted against observed outcomes">'
        f"{''.join(parts)}</svg>"
    )


def _evaluation(cal: Calibration) -> dict[str, Any] | None:
    """The out-of-sample section: the summary table, the paired tests of the new weights
    against each other weighting (:attr:`Calibration.comparisons`) and every fold's figures
    (``Evaluation.folds``)."""
    ev = cal.evaluation
    if ev is None:
        return None
    metrics = METRICS[ev.kind]
    weightings = list(dict.fromkeys(ev.folds["weighting"]))
    header, rows = metric_rows(cal)
    tests = [
        {
            "b": clean_text(str(c["b"])),
            "mean_a": cell_text(c["mean_a"]),
            "mean_b": cell_text(c["mean_b"]),
            "improvement": cell_text(c["improvement"]),
            "wins": c["wins"],
            "splits": c["splits"],
            "t": cell_text(c["t"], 2),
            "p": cell_text(c["p_value"]),
            "better": bool(c["better"]),
        }
        for c in cal.comparisons.values()
    ]
    by_split = {w: f.set_index("split") for w, f in ev.folds.groupby("weighting", sort=False)}
    first = by_split[weightings[0]]
    folds = [
        {
            "repeat": int(first.loc[split, "repeat"]) + 1,
            "fold": int(split) % ev.n_folds + 1,
            "n_train": int(first.loc[split, "n_train"]),
            "n_test": int(first.loc[split, "n_test"]),
            "cells": [
                [cell_text(float(by_split[w].loc[split, m])) for w in weightings] for m in metrics
            ],
        }
        for split in first.index
    ]
    return {
        "n_folds": ev.n_folds,
        "repeats": ev.repeats,
        "seed": ev.seed,
        "splits": len(first),
        "name": cal.name,
        "primary": metrics[ev.primary][0],
        "summary": (header, [[r[0], *(cell_text(v) for v in r[1:])] for r in rows]),
        "tests": tests,
        "weightings": weightings,
        "metrics": [
            {"label": label, "primary": m == ev.primary} for m, (label, _) in metrics.items()
        ],
        "folds": folds,
    }


def _outcome(cal: Calibration) -> str:
    c = cal.cases
    if not c.outcome_column:
        return "none: weights from the ratings alone"
    levels = f" ({', '.join(c.levels)}, worst first)" if c.levels else ""
    return f"“{c.outcome_column}”, {c.kind}{levels}"


def calibration_html(cal: Calibration) -> str:
    """The calibration report as one self-contained HTML page (no scripts, no fetches).

    Parameters
    ----------
    cal : Calibration
        What :func:`assess.calibrate` returned.

    Returns
    -------
    str
        The HTML document.
    """
    c = cal.cases
    header, rows = weight_rows(cal)
    interval = f" with its 90 % interval from {cal.bootstrap} bootstrap resamples"
    context = {
        "css": stylesheet(),
        "version": __version__,
        "rubric": cal.rubric,
        "calibrated": cal.calibrated,
        "cases_file": clean_text(str(c.file)),
        "sheet": clean_text(str(c.sheet)),
        "sha256": c.sha256,
        "outcome": clean_text(_outcome(cal)),
        "date": cal.date,
        "lede": f"Method: {cal.method}. Weights fitted to past engagements whose outcomes are "
        "known, tested on cases they were not fitted to."
        if cal.method == "fit"
        else f"Method: {cal.method}. Weights from the ratings alone, compared with the expert "
        "and equal weights.",
        "keep": cal.recommendation == "keep-expert",
        "recommendation": clean_text(cal.recommendation_text),
        "summary_line": clean_text(cal.summary_line()),
        "model_lines": [clean_text(x) for x in (link_line(cal), prior_line(cal)) if x],
        "weights_note": f"Expert and {cal.name} weights"
        + (interval if "low" in cal.weights else "")
        + ", beside the other weightings.",
        "weights": (
            header,
            [[clean_text(str(r[0])), *(cell_text(v) for v in r[1:])] for r in rows],
        ),
        "weights_svg": Markup(_weights_svg(cal)),
        "evaluation": _evaluation(cal),
        "scatter_svg": Markup(_scatter_svg(cal) if cal.evaluation is not None else ""),
        "warnings": [clean_text(w) for w in cal.warnings],
        "problems": [clean_text(p) for p in cal.problem_lines()],
        "provenance": [(k, clean_text(str(v))) for k, v in provenance_rows(cal)],
    }
    return template("calibration.html.j2").render(context)
