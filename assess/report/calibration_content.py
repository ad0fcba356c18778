"""What the calibration report shows, whatever the format it is written in.

Every view of a :class:`~assess.calibration.result.Calibration` (the terminal tables of
``assess calibrate``, the calibration workbook of :mod:`assess.report.xlsx.calibration`, the
page of :mod:`assess.report.html.calibration`) takes its tables, lines and chart points from
here: the weights side by side with their bootstrap intervals, the out-of-sample comparison
of the weightings on the same folds, the fitted link, the provenance, and predicted against
observed outcomes (out of fold, so the chart shows what the weights do on cases they were
not fitted to).
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..calibration.evaluation import METRICS
from ..calibration.result import Calibration
from ..display import fixed

#: The weightings the weights table shows beside the expert and the new weights, if computed.
WEIGHT_COLUMNS = ("expert", "equal", "entropy", "critic", "ahp")


def weight_rows(cal: Calibration) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the weights table: criterion, expert, the new weights, the 90 %
    interval, then the other weightings."""
    table = cal.weights
    others = [c for c in WEIGHT_COLUMNS if c in table and c not in ("expert", cal.name)]
    header = ["criterion", "expert", cal.name]
    has_interval = "low" in table
    if has_interval:
        header += ["90% low", "90% high"]
    header += others
    rows = []
    for cid, row in table.iterrows():
        line = [cal.rubric.criterion(cid).label, row["expert"], row[cal.name]]
        if has_interval:
            line += [row["low"], row["high"]]
        rows.append(line + [row[c] for c in others])
    return header, rows


def metric_rows(cal: Calibration) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the comparison: one row per weighting, mean and sd per metric."""
    ev = cal.evaluation
    if ev is None:
        return [], []
    summary = ev.summary()
    metrics = METRICS[ev.kind]
    header = ["weighting"] + [
        f"{label} {'↑' if higher else '↓'}" for label, higher in metrics.values()
    ]
    rows = [
        [w, *[(summary.loc[w, ("mean", m)], summary.loc[w, ("sd", m)]) for m in metrics]]
        for w in summary.index
    ]
    return header, rows


def link_line(cal: Calibration) -> str:
    """The fitted link in words."""
    est = cal.estimator
    if est is None:
        return ""
    if est.kind == "numeric":
        return f"Link: {cal.cases.outcome_column} ≈ {est.intercept_:.3g} + {est.slope_:.3g} × score"
    if est.kind == "binary":
        pos = est.classes_[1]
        return (
            f"Link: P({pos}) = logistic({est.intercept_:.3g} + {est.slope_:.3g} × score); "
            f"even odds at score {fixed(est.thresholds_[0], 1)}"
        )
    cuts = ", ".join(
        f"{level} ≥ {fixed(t, 1)}"
        for level, t in zip(est.classes_[1:], est.thresholds_, strict=True)
    )
    applied = (
        "applied to the rubric's bands" if cal.cutoffs_applied else "reported, bands unchanged"
    )
    return f"Recalibrated cut-offs ({applied}): {cuts}"


def prior_line(cal: Calibration) -> str:
    """The prior strength toward the expert weights, and how it was chosen."""
    est = cal.estimator
    if est is None:
        return ""
    how = (
        "given"
        if cal.prior_chosen_by == "given"
        else f"chosen by {est.inner_folds}-fold cross-validation from "
        + ", ".join(f"{g:g}" for g in cal.prior_grid)
    )
    return f"Prior strength {est.prior_strength_:g} toward the expert weights ({how})"


def cell_text(value: Any, digits: int = 3) -> str:
    """A cell of :func:`weight_rows` or :func:`metric_rows` as text: a figure with ``digits``
    decimals, a (mean, sd) pair as ``mean ± sd``, "–" for a missing or infinite figure."""
    if isinstance(value, tuple):
        mean, sd = value
        return f"{cell_text(mean, digits)} ± {cell_text(sd, digits)}"
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return fixed(value, digits) if isinstance(value, (float, np.floating)) else str(value)


def provenance_rows(cal: Calibration) -> list[tuple[str, Any]]:
    """(label, value) pairs: the rubrics, the cases file, the method and settings, the counts."""
    c, rub = cal.cases, cal.rubric
    rows: list[tuple[str, Any]] = [
        ("Rubric", f"{rub.name} {rub.version}"),
        ("Rubric hash", rub.content_hash),
        ("Calibrated rubric", f"{cal.calibrated.name} {cal.calibrated.version}"),
        ("Calibrated rubric hash", cal.calibrated.content_hash),
        ("Written to", cal.output or "(not written)"),
        ("Cases file", c.file),
        ("Cases SHA-256", c.sha256),
        ("Sheet", c.sheet),
        ("Outcome column", c.outcome_column or "(none)"),
        ("Outcome kind", c.kind or ""),
        ("Levels (worst first)", ", ".join(c.levels) if c.levels else ""),
        ("Method", cal.method),
    ]
    if cal.estimator is not None:
        rows += [("Prior", prior_line(cal)), ("Link", link_line(cal))]
    if cal.evaluation is not None:
        ev = cal.evaluation
        rows.append(
            ("Cross-validation", f"{ev.n_folds} folds × {ev.repeats} repeats, seed {ev.seed}")
        )
    rows += [
        ("Bootstrap resamples", cal.bootstrap),
        ("Date", cal.date),
        ("assess version", __version__),
    ]
    names = {"rows": "Data rows", "used": "Cases used", "insufficient": "Insufficient evidence"}
    for key, value in c.counts.items():
        rows.append((names.get(key, key.title()), value))
    return rows


def observed_outcomes(cal: Calibration) -> pd.Series | None:
    """Observed outcomes on the plotting scale: the value, 0/1, or the level index."""
    c = cal.cases
    return None if c.outcome is None else c.outcome.astype(float)


def predicted_vs_observed(cal: Calibration) -> tuple[pd.DataFrame, str, str]:
    """Points of the predicted-against-observed chart, out of fold (first repeat), for the new
    and the expert weights: every case for numeric and ordinal outcomes (ordinal: expected
    level against observed level), and for binary outcomes the observed share of the
    positive outcome in tenths of the cases ordered by predicted probability (a calibration
    plot).  Returns the points (weighting, x, y, n) and the axis titles."""
    ev, observed = cal.evaluation, observed_outcomes(cal)
    if ev is None or observed is None:
        return pd.DataFrame(columns=["weighting", "x", "y", "n"]), "", ""
    names = list(dict.fromkeys(ev.folds["weighting"]))[:2]
    y = observed.reindex(ev.oof.index).to_numpy(dtype=float)
    frames = []
    for name in names:
        x = ev.oof[name].to_numpy(dtype=float)
        if cal.cases.kind == "binary":
            order = np.argsort(x, kind="stable")
            bins = np.array_split(order, min(10, len(order)))
            part = pd.DataFrame(
                {
                    "x": [x[b].mean() for b in bins],
                    "y": [y[b].mean() for b in bins],
                    "n": [len(b) for b in bins],
                }
            )
        else:
            part = pd.DataFrame({"x": x, "y": y, "n": 1})
        frames.append(part.assign(weighting=name))
    points = pd.concat(frames, ignore_index=True)[["weighting", "x", "y", "n"]]
    titles = {
        "numeric": ("predicted outcome", "observed outcome"),
        "binary": ("predicted probability (mean of each tenth)", "observed share"),
        "ordinal": ("expected level (0 = worst)", "observed level"),
    }[cal.cases.kind]
    return points, *titles
