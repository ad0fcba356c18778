"""Calibrate rubric weights against past cases with known outcomes, and say honestly whether
the calibrated weights beat the expert ones.

The pieces, in the order ``assess calibrate`` uses them:

* :func:`read_cases` reads past cases exactly like engagements (:func:`assess.validate_file`:
  same header finding, validation and rejections) plus an outcome column, found by its header
  among the carried columns.  An outcome cell that cannot be read for the outcome's kind
  rejects its row with the cell named (``Cases!K12: 'maybe' is not an outcome
  (success/failure)``); cases with insufficient evidence under the rubric are left out and
  counted.  used + insufficient + rejected = data rows.
* :class:`RubricCalibrator`, a scikit-learn estimator, fits the weights.  Its predictions are
  the scorer's own: :func:`assess.scoring.normalise` then :func:`assess.scoring.aggregate` with
  candidate weights, so a rubric carrying the fitted weights scores every case exactly as the
  fit did.
* :func:`calibrate` runs the fit, repeated k-fold cross-validation of calibrated vs expert vs
  equal weights on the same folds, bootstrap intervals for the weights, and the warnings, and
  returns a :class:`Calibration` that writes the calibrated rubric.

The model
---------
With ``s(w)`` the rubric's 0-100 score under weights ``w`` (non-negative, summing to 1) and
``u = s / 100``:

* **numeric** outcomes: ``y = a + b u`` by least squares (``a`` and ``b`` solved exactly for
  every ``w``), the squared error measured in units of the outcome's variance;
* **binary** outcomes: ``P(success) = logistic(a + b u)``, by maximum likelihood;
* **ordinal** outcomes: a cumulative-logit (proportional-odds) model
  ``P(Y <= m) = logistic(c_m - b u)``.  The score at which ``Y`` moves from level *m* to
  *m + 1* (even odds) is ``100 c_m / b``: the recalibrated band cut-off.

The weights are shrunk toward the expert weights ``w0`` by a Gaussian (ridge) penalty added to
the negative log-likelihood summed over cases: ``prior_strength * sum((w - w0) ** 2)``.  So
``prior_strength`` is the prior's precision: 0 ignores the expert weights, large values keep
them, and the more cases there are the less a given strength matters.  Unless it is given it
is chosen from ``prior_grid`` by inner cross-validation (lowest held-out loss).  The fit is
scipy's SLSQP on the simplex (bounds ``0 <= w <= 1``, equality ``sum(w) = 1``; ordered
cut-offs for ordinal outcomes) with analytic gradients derived from the scorer's outputs.
"""

from __future__ import annotations

import dataclasses
import math
import re
import textwrap
import time
import warnings
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy import optimize, stats
from scipy.special import expit
from sklearn.base import BaseEstimator, clone
from sklearn.metrics import accuracy_score, brier_score_loss, r2_score, roc_auc_score
from sklearn.model_selection import KFold, RepeatedKFold, RepeatedStratifiedKFold, StratifiedKFold
from sklearn.utils import ClassifierTags, RegressorTags, check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from .._version import __version__
from ..errors import InputError, OutputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..pipeline import validate_file
from ..read import Column, RawTable
from ..rubric import DEFAULT_RUBRIC, Rubric, load_rubric, normalise_header, parse_rubric
from ..scoring import STATUS_INSUFFICIENT, aggregate, input_columns, normalise, score_frame
from ..validation import MISSING_MARKERS, Problem, Rejection, json_value, show
from ..validation import to_number as _to_number
from .weighting import (
    OUTCOME_FREE_METHODS,
    AHPResult,
    ahp_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    read_pairwise,
)

KINDS = ("numeric", "binary", "ordinal")
METHODS = ("fit", *OUTCOME_FREE_METHODS)
DEFAULT_PRIOR_GRID = (0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0)
ZERO_WEIGHT = 0.005  # a fitted weight below this is reported as driven to zero
COLLINEAR_R = 0.8
CASES_PER_CRITERION = 10
SIGNIFICANCE = 0.05

#: metric id -> (label, higher is better), per outcome kind; the first lower-is-better loss
#: named in PRIMARY decides whether calibrated weights beat the expert ones.
METRICS: dict[str, dict[str, tuple[str, bool]]] = {
    "numeric": {"spearman": ("Spearman ρ", True), "mae": ("MAE", False)},
    "binary": {"auc": ("AUC", True), "brier": ("Brier", False), "log_loss": ("log-loss", False)},
    "ordinal": {
        "exact": ("exact", True),
        "within_one": ("within one", True),
        "kendall_tau": ("Kendall τ", True),
        "log_loss": ("log-loss", False),
    },
}
PRIMARY = {"numeric": "mae", "binary": "log_loss", "ordinal": "log_loss"}

POSITIVE = frozenset(
    {"success", "successful", "succeeded", "yes", "y", "true", "1", "pass", "passed", "met"}
)
NEGATIVE = frozenset(
    {"failure", "failed", "fail", "unsuccessful", "no", "n", "false", "0", "not met"}
)


# -- outcomes -------------------------------------------------------------------------


def _missing(value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return isinstance(value, str) and value.strip().casefold() in MISSING_MARKERS


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or _missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) if math.isfinite(value) else None
    return _to_number(value) if isinstance(value, str) else None


def _binary(value: Any, levels: Sequence[str] | None) -> int | None:
    if levels is not None:
        key = normalise_header(_as_text(value))
        names = [normalise_header(lv) for lv in levels]
        return names.index(key) if key in names else None
    if isinstance(value, bool):
        return int(value)
    number = _number(value)
    if number is not None:
        return int(number) if number in (0.0, 1.0) else None
    text = " ".join(str(value).casefold().split())
    return 1 if text in POSITIVE else 0 if text in NEGATIVE else None


def _level(value: Any, levels: Sequence[str]) -> int | None:
    if isinstance(value, bool):
        return None
    key = normalise_header(_as_text(value))
    for i, lv in enumerate(levels):
        if normalise_header(lv) == key:
            return i
    return None


@dataclass(frozen=True)
class Outcomes:
    """Outcome cells read for one kind: values (NaN where unusable) and per-cell problems."""

    kind: str
    levels: tuple[str, ...] | None  # binary: (negative, positive); ordinal: worst to best
    values: np.ndarray  # float: the number, 0/1, or the level index
    errors: list[str | None]


def parse_outcomes(
    cells: Sequence[Any],
    kind: str = "auto",
    levels: Sequence[str] | None = None,
    band_names: Sequence[str] = (),
) -> Outcomes:
    """Read outcome cells as ``numeric``, ``binary`` or ``ordinal`` (``auto``: the kind that
    reads the most cells; ties go to ordinal, then binary).

    Ordinal levels are ``levels`` (worst first) when given, else the rubric's ``band_names``
    (best first, as rubrics list them).  Binary outcomes are success/failure, yes/no, 1/0,
    true/false or pass/fail; with ``levels`` the two given words, negative first.

    Examples
    --------
    >>> o = parse_outcomes(["success", "failure", "maybe", None])
    >>> o.kind, o.values.tolist()[:2], o.errors[2], o.errors[3]
    ('binary', [1.0, 0.0], "'maybe' is not an outcome (success/failure)", 'missing outcome')
    """
    cells = list(cells)
    if kind not in ("auto", *KINDS):
        raise InputError(f"unknown outcome kind {kind!r}; use auto, {', '.join(KINDS)}")
    if levels is not None:
        levels = tuple(str(lv).strip() for lv in levels if str(lv).strip())
        if len(levels) < 2 or len({normalise_header(lv) for lv in levels}) != len(levels):
            raise InputError("--levels needs at least two distinct levels, worst first")
    ordinal_levels = tuple(levels) if levels else tuple(reversed(band_names))
    present = [v for v in cells if not _missing(v)]
    readers: dict[str, Callable[[Any], float | None]] = {
        "ordinal": lambda v: _level(v, ordinal_levels),
        "binary": lambda v: _binary(v, levels if levels and len(levels) == 2 else None),
        "numeric": _number,
    }
    if kind == "auto":
        counts = {k: sum(readers[k](v) is not None for v in present) for k in readers}
        if levels is not None:  # two levels are a binary outcome, more an ordinal one
            counts["ordinal" if len(levels) == 2 else "binary"] = -1
        kind = max(counts, key=lambda k: counts[k])  # dict order breaks ties
        if not present or counts[kind] < 0.5 * len(present):
            shown = ", ".join(show(v) for v in list(dict.fromkeys(map(_as_text, present)))[:4])
            raise InputError(
                f"cannot tell what kind of outcome the column holds ({shown or 'no values'}); "
                "give --kind numeric|binary|ordinal (and --levels for an ordinal order)"
            )
    if kind == "binary" and levels is not None and len(levels) != 2:
        raise InputError("a binary outcome takes exactly two --levels: negative,positive")
    reader = readers[kind]
    expect = {
        "numeric": "a number",
        "binary": "/".join(levels[::-1]) if levels else "success/failure",
        "ordinal": ", ".join(ordinal_levels),
    }[kind]
    if present and not any(reader(v) is not None for v in present):
        _refuse_kind(kind, present, readers, expect)
    values = np.full(len(cells), np.nan)
    errors: list[str | None] = []
    for i, v in enumerate(cells):
        if _missing(v):
            errors.append("missing outcome")
            continue
        x = reader(v)
        if x is None:
            errors.append(f"{show(v)} is not an outcome ({expect})")
        else:
            values[i] = x
            errors.append(None)
    out_levels = (
        ordinal_levels
        if kind == "ordinal"
        else (tuple(levels) if levels else ("failure", "success"))
        if kind == "binary"
        else None
    )
    return Outcomes(kind, out_levels, values, errors)


def _refuse_kind(
    kind: str, present: list[Any], readers: dict[str, Callable[[Any], float | None]], expect: str
) -> None:
    """No outcome cell reads as the ``kind`` asked for: one line naming the values found, what
    the kind takes, and the kind that does read them, if one does."""
    first: dict[str, Any] = {}  # each distinct value as first written
    for v in present:
        first.setdefault(_as_text(v), v)
    values = list(first.values())
    shown = ", ".join(show(v) for v in values[:4]) + (", ..." if len(values) > 4 else "")
    takes = {
        "numeric": "numbers",
        "binary": f"binary outcomes ({expect})",
        "ordinal": f"levels ({expect}, worst first)",
    }[kind]
    counts = {k: sum(r(v) is not None for v in present) for k, r in readers.items() if k != kind}
    other = max(counts, key=lambda k: counts[k])
    fix = "give --levels worst first" if kind == "ordinal" else ""
    if counts[other] >= 0.5 * len(present):
        fix = f"{fix}, or use --kind {other}" if fix else f"use --kind {other}"
    raise InputError(
        f"--kind {kind}: the outcome values {shown} are not {takes}" + (f"; {fix}" if fix else "")
    )


# -- cases ----------------------------------------------------------------------------


@dataclass
class Cases:
    """Past cases ready for calibration: ratings, outcomes, and how every row was used.

    ``ratings`` (indexed by case id, one column per rated criterion and per indicator) and
    ``outcome`` hold the cases used; ``rows`` their Excel rows.  ``insufficient`` lists the
    ids left out for insufficient evidence and ``rejected`` every rejected row.
    """

    rubric: Rubric
    file: str
    path: str
    sha256: str
    sheet: str
    header_row: int
    ratings: pd.DataFrame
    rows: pd.Series
    outcome: pd.Series | None
    outcome_column: str | None
    kind: str | None
    levels: tuple[str, ...] | None
    #: cases left out for insufficient evidence: id, Excel row, share of the weight rated
    insufficient: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: what reading the table noted (a criterion allowed to have no column, a hidden sheet)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        used, ins, rej = len(self.ratings), len(self.insufficient), len(self.rejected)
        return {"rows": used + ins + rej, "used": used, "insufficient": ins, "rejected": rej}

    def summary_line(self) -> str:
        c = self.counts
        return (
            f"{c['used']} used, {c['insufficient']} insufficient evidence, "
            f"{c['rejected']} rejected of {c['rows']} rows"
        )

    @property
    def X(self) -> pd.DataFrame:  # noqa: N802 - the estimator's conventional name
        return self.ratings[input_columns(self.rubric)]

    @property
    def y(self) -> np.ndarray:
        """Outcomes as the estimator takes them: numbers, or level names."""
        if self.outcome is None:
            raise ValueError("these cases were read without an outcome column")
        values = self.outcome.to_numpy()
        if self.kind == "numeric":
            return values.astype(float)
        return np.asarray(self.levels, dtype=object)[values.astype(int)]


def _outcome_column(table: RawTable, outcome: str, rubric: Rubric) -> Column:
    key = normalise_header(outcome)
    for col in table.columns:
        if normalise_header(col.header) == key:
            if col.role != "carry":
                raise InputError(
                    f"{table.name}: {outcome!r} is the rubric's {col.key!r} column, not an outcome"
                )
            return col
    carried = [c.header for c in table.columns if c.role == "carry" and c.header]
    raise InputError(
        f"{table.name}: no outcome column {outcome!r} on sheet {table.sheet!r}; "
        f"other columns: {', '.join(repr(h) for h in carried) or 'none'}"
    )


def read_cases(
    source: str | Path | pd.DataFrame,
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    outcome: str | None = None,
    *,
    sheet: str | int | None = None,
    kind: str = "auto",
    levels: Sequence[str] | None = None,
    id_column: str | None = None,
    allow_missing: str | Sequence[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Cases:
    """Read past cases: ratings validated as engagements are, and the outcome column.

    Parameters
    ----------
    source:
        A spreadsheet path or a DataFrame laid out like a sheet.
    rubric:
        A built-in rubric name, a path, or a :class:`~assess.rubric.Rubric`.
    outcome:
        The outcome column's header (matched like any header); ``None`` reads ratings only.
    sheet, kind, levels:
        As for :func:`parse_outcomes`; ``sheet`` as for :func:`assess.score`.
    id_column, allow_missing, max_input_size:
        As for :func:`assess.score`.

    Examples
    --------
    >>> cases = read_cases("examples/past_cases.xlsx", outcome="Outcome")
    >>> cases.summary_line()
    '186 used, 1 insufficient evidence, 3 rejected of 190 rows'
    """
    rub = load_rubric(rubric)
    part = validate_file(
        source,
        rub,
        sheet=sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    table = part.table
    rejected = list(part.rejected)
    kept = pd.Series(True, index=part.ratings.index)
    parsed = col = None
    if outcome is not None:
        col = _outcome_column(table, outcome, rub)
        parsed = parse_outcomes(table.data[col.key].tolist(), kind, levels, rub.band_names)
        by_row = {
            int(r): Problem(
                table.column_at(col.key, int(r)).letter,
                col.header,
                table.data[col.key].iloc[i],
                err,
            )
            for i, (r, err) in enumerate(zip(table.data.index, parsed.errors, strict=True))
            if err is not None
        }
        rejected = [
            dataclasses.replace(r, problems=(*r.problems, by_row.pop(r.row)))
            if r.row in by_row
            else r
            for r in rejected
        ]
        row_ids = dict(zip(part.rows.to_numpy().tolist(), part.rows.index, strict=True))
        rejected += [
            Rejection(table.name, table.sheet, row, (p,), row_ids.get(row))
            for row, p in by_row.items()
        ]
        rejected.sort(key=lambda r: r.row)
        bad_rows = {r.row for r in rejected}
        kept = ~part.rows.isin(bad_rows)
    ratings, rows = part.ratings[kept.to_numpy()], part.rows[kept.to_numpy()]
    scored = score_frame(ratings, rub)
    enough = (scored["status"] != STATUS_INSUFFICIENT).to_numpy()
    insufficient = [
        {"id": eid, "row": int(rows[eid]), "completeness": float(scored.at[eid, "completeness"])}
        for eid in scored.index[~enough]
    ]
    y = None
    if parsed is not None:
        values = pd.Series(parsed.values, index=table.data.index)
        y = pd.Series(values.loc[rows.to_numpy()].to_numpy(), index=rows.index)[enough]
    return Cases(
        rubric=rub,
        file=table.name,
        path=str(table.path),
        sha256=table.sha256,
        sheet=table.sheet,
        header_row=table.header_row,
        ratings=ratings[enough],
        rows=rows[enough],
        outcome=y,
        outcome_column=col.header if col is not None else None,
        kind=parsed.kind if parsed else None,
        levels=parsed.levels if parsed else None,
        insufficient=insufficient,
        rejected=rejected,
        notes=[f"{table.name}: {n}" for n in table.notes],
    )


# -- the model ------------------------------------------------------------------------


class _Design:
    """Criterion values on 0-1 and the score (with its gradient) under candidate weights.

    Scores come from :func:`assess.scoring.aggregate`; the gradient is the derivative of that
    aggregation, written in terms of its outputs (score and completeness).
    """

    def __init__(self, z: np.ndarray, method: str) -> None:
        self.z, self.method = z, method
        self.present = ~np.isnan(z)
        self.zz = np.where(self.present, z, 0.0)
        if method == "weighted_geometric":
            self.logz = np.log(np.where(self.present & (self.zz > 0), self.zz, 1.0))

    def take(self, idx: np.ndarray) -> _Design:
        return _Design(self.z[idx], self.method)

    def scores(self, w: np.ndarray) -> np.ndarray:
        """u = score / 100 for every case (NaN where no rated criterion carries weight)."""
        return aggregate(self.z, w, self.method, 0.0)[0] / 100.0

    def scores_and_grad(self, w: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        total, _, completeness, _ = aggregate(self.z, w, self.method, 0.0)
        u = total / 100.0
        with np.errstate(invalid="ignore", divide="ignore"):
            if self.method == "weighted_arithmetic":
                du = self.present * (self.zz - u[:, None]) / completeness[:, None]
            else:
                logu = np.log(np.where(u > 0, u, 1.0))
                du = self.present * u[:, None] * (self.logz - logu[:, None])
                du = np.where((u > 0)[:, None], du / completeness[:, None], 0.0)
        bad = ~np.isfinite(u)
        if bad.any():  # every criterion this case has weighs 0: it cannot inform the fit
            u, du = np.where(bad, 0.5, u), np.where(bad[:, None], 0.0, np.nan_to_num(du))
        return u, du


def _numeric_link(
    u: np.ndarray, y: np.ndarray, c: np.ndarray, vy: float
) -> tuple[np.ndarray, float, np.ndarray]:
    """Weighted least squares of y on u: (a, b), loss in units of var(y), d loss / d u."""
    sw = c.sum()
    mu, my = (c @ u) / sw, (c @ y) / sw
    vu = c @ (u - mu) ** 2
    b = (c @ ((u - mu) * (y - my))) / vu if vu > 1e-15 else 0.0
    a = my - b * mu
    r = y - a - b * u
    return np.array([a, b]), (c @ (r * r)) / vy, -2.0 * c * r * b / vy


def _logistic_pair(x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(logistic(x), logistic(-x)) from one exponential, accurate in both tails."""
    t = np.exp(-np.abs(x))
    big, small = 1.0 / (1.0 + t), t / (1.0 + t)
    pos = x >= 0
    return np.where(pos, big, small), np.where(pos, small, big)


def _loss(
    kind: str, link: np.ndarray, u: np.ndarray, y: np.ndarray, c: np.ndarray
) -> tuple[float, np.ndarray, np.ndarray]:
    """Negative log-likelihood (summed, case weights c): value, d/d link, d/d u."""
    if kind == "binary":
        a, b = link
        eta = a + b * u
        r = c * (expit(eta) - y)
        loss = c @ (np.logaddexp(0.0, eta) - y * eta)
        return loss, np.array([r.sum(), r @ u]), r * b
    b, cuts = link[0], link[1:]
    k = len(cuts) + 1
    yi = y.astype(int)
    edges = np.concatenate(([-np.inf], cuts, [np.inf]))
    eta = b * u
    hi, lo = edges[yi + 1] - eta, edges[yi] - eta
    (e_hi, f_hi), (e_lo, f_lo) = _logistic_pair(hi), _logistic_pair(lo)
    # P(level) = F(hi) - F(lo), from the upper tails where both are near 1 (no cancellation)
    p = np.maximum(np.where(lo > 0, f_lo - f_hi, e_hi - e_lo), 1e-300)
    g_hi, g_lo = -c * e_hi * f_hi / p, c * e_lo * f_lo / p
    g_cuts = np.bincount(yi, g_hi, minlength=k)[: k - 1] + np.bincount(yi, g_lo, minlength=k)[1:]
    d_eta = -(g_hi + g_lo)
    return -(c @ np.log(p)), np.concatenate(([d_eta @ u], g_cuts)), d_eta * b


def _initial_link(kind: str, y: np.ndarray, c: np.ndarray, n_levels: int) -> np.ndarray:
    if kind == "binary":
        m = np.clip((c @ y) / c.sum(), 1e-3, 1 - 1e-3)
        return np.array([math.log(m / (1 - m)), 0.0])
    share = np.bincount(y.astype(int), c, minlength=n_levels) / c.sum()
    cum = np.clip(np.cumsum(share)[:-1], 1e-3, 1 - 1e-3)
    cuts = np.log(cum / (1 - cum)) + 1e-3 * np.arange(n_levels - 1)
    return np.concatenate(([0.0], np.maximum.accumulate(cuts)))


@dataclass
class _Fit:
    w: np.ndarray
    link: np.ndarray
    n_iter: int
    success: bool


def _fit_core(
    design: _Design,
    y: np.ndarray,
    kind: str,
    w0: np.ndarray,
    prior: float,
    *,
    c: np.ndarray | None = None,
    init: _Fit | None = None,
    fit_weights: bool = True,
    n_levels: int = 2,
    max_iter: int = 300,
) -> _Fit:
    """Minimise (NLL + prior * ||w - w0||^2) / n over the simplex (and the link)."""
    c = np.ones(len(y)) if c is None else c
    n, k = c.sum(), len(w0)
    vy = float(c @ (y - (c @ y) / n) ** 2 / n) if kind == "numeric" else 1.0
    vy = vy if vy > 1e-12 else 1.0
    fixed_w = np.asarray(w0 if init is None or not fit_weights else init.w, dtype=float)
    if kind == "numeric":
        if not fit_weights:
            link, _, _ = _numeric_link(design.scores(w0), y, c, vy)
            return _Fit(np.asarray(w0, float), link, 0, True)
        n_link = 0
    else:
        n_link = 2 if kind == "binary" else n_levels
    if kind == "numeric":
        link0 = np.empty(0)
    else:
        link0 = init.link if init is not None else _initial_link(kind, y, c, n_levels)

    def split(theta):
        if fit_weights:
            return theta[:k], theta[k:]
        return fixed_w, theta

    def objective(theta):
        w, link = split(theta)
        u, du = design.scores_and_grad(w)
        if kind == "numeric":
            _, loss, g_u = _numeric_link(u, y, c, vy)
            g_link = np.empty(0)
        else:
            loss, g_link, g_u = _loss(kind, link, u, y, c)
        gw = du.T @ g_u + 2.0 * prior * (w - w0)
        value = (loss + prior * np.sum((w - w0) ** 2)) / n
        grad = np.concatenate((gw, g_link)) if fit_weights else g_link
        return value, grad / n

    start_w = init.w if init is not None else np.asarray(w0, dtype=float)
    x0 = np.concatenate((start_w, link0)) if fit_weights else np.asarray(link0, dtype=float)
    offset = k if fit_weights else 0
    bounds = ([(0.0, 1.0)] * k if fit_weights else []) + [(None, None)] * n_link
    constraints = []
    if fit_weights:
        eq = np.concatenate((np.ones(k), np.zeros(n_link)))
        constraints.append({"type": "eq", "fun": lambda t: t[:k].sum() - 1.0, "jac": lambda t: eq})
    if kind == "ordinal" and n_levels > 2:
        d = np.zeros((n_levels - 2, len(x0)))
        for m in range(n_levels - 2):
            d[m, offset + 1 + m], d[m, offset + 2 + m] = -1.0, 1.0
        constraints.append({"type": "ineq", "fun": lambda t: d @ t - 1e-6, "jac": lambda t: d})
    res = optimize.minimize(
        objective,
        x0,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=constraints,
        options={"maxiter": max_iter, "ftol": 1e-9},
    )
    w, link = split(res.x)
    if fit_weights:
        w = np.clip(w, 0.0, None)
        w[w < 1e-9] = 0.0
        w = w / w.sum()
    if kind == "numeric":
        link, _, _ = _numeric_link(design.scores(w), y, c, vy)
    return _Fit(
        np.asarray(w, dtype=float), np.asarray(link, dtype=float), int(res.nit), res.success
    )


def _held_out_loss(kind: str, fit: _Fit, design: _Design, y: np.ndarray) -> float:
    u = design.scores(fit.w)
    u = np.where(np.isfinite(u), u, 0.5)
    if kind == "numeric":
        a, b = fit.link
        return float(np.mean((y - a - b * u) ** 2))
    return float(_loss(kind, fit.link, u, y, np.ones(len(y)))[0] / len(y))


def _splitter(kind: str, y: np.ndarray, folds: int, random_state: int) -> Any:
    if kind != "numeric" and np.bincount(y.astype(int)).min(initial=len(y)) >= folds:
        return StratifiedKFold(folds, shuffle=True, random_state=random_state)
    return KFold(folds, shuffle=True, random_state=random_state)


class RubricCalibrator(BaseEstimator):
    """Fit a rubric's criterion weights (and a link to the outcome) to past cases.

    A scikit-learn estimator: a regressor for ``kind="numeric"``, a classifier for ``"binary"``
    and ``"ordinal"`` (its tags and :meth:`score` follow ``kind``), so ``cross_val_score``,
    ``GridSearchCV``, ``clone`` and pipelines work with it.  The model is described in the
    module docstring.

    Parameters
    ----------
    rubric:
        A built-in rubric name, a path or a :class:`~assess.rubric.Rubric`.  ``X`` then holds
        ratings on the criteria's scales (indicators' raw values for indicator criteria): a
        DataFrame with the columns :func:`assess.scoring.input_columns` names (criterion ids for
        rated criteria), or an array in that order; NaN where missing.  Predictions go through
        the rubric's own normalisation and aggregation.  ``None``: the columns of ``X`` are
        criterion values already on a common scale, combined by the weighted arithmetic mean.
    kind:
        ``"numeric"``, ``"binary"`` or ``"ordinal"``.
    prior_strength:
        Precision of the Gaussian prior pulling the weights toward the expert weights (the
        penalty ``prior_strength * sum((w - w0) ** 2)`` is added to the summed negative
        log-likelihood).  ``None``: chosen from ``prior_grid`` by ``inner_folds``-fold CV.
    prior_grid:
        Candidate strengths for that choice.
    inner_folds:
        Folds of the inner cross-validation.
    levels:
        Ordinal: the outcome levels, worst first (default: the sorted labels seen in ``y``).
        Binary: the negative and the positive label.
    fit_weights:
        ``False`` keeps the expert weights and fits the link only: the baseline calibrated
        weights are compared against.
    expert_weights:
        Weights to shrink toward (and to keep when ``fit_weights=False``), in column order;
        default the rubric's weights, or equal weights without a rubric.
    max_iter:
        Iterations of the SLSQP optimiser.
    random_state:
        Seeds the inner cross-validation's folds.

    Attributes
    ----------
    weights_ : ndarray of shape (n_features,)
        The fitted weights, non-negative, summing to 1, in column order.
    criteria_ : list of str
        The criterion (or column) each weight belongs to.
    intercept_, slope_ : float
        The link: ``intercept_ + slope_ * score`` is the predicted outcome (numeric) or the
        log-odds of the positive class (binary); ordinal uses ``slope_`` with ``cutpoints_``.
    cutpoints_ : ndarray
        Ordinal: ``P(Y <= level m) = logistic(cutpoints_[m] - slope_ * score)``.
    thresholds_ : ndarray
        The 0-100 scores where the prediction changes: the binary 50 % point, or the ordinal
        cut-off between each level and the next (NaN when the slope is not positive).
    prior_strength_ : float
        The prior strength used; ``cv_loss_`` maps each candidate to its inner-CV loss.
    classes_ : ndarray
        Binary and ordinal: the labels, negative / worst first.

    Examples
    --------
    >>> import numpy as np, pandas as pd
    >>> from assess.calibration.core import RubricCalibrator
    >>> rng = np.random.default_rng(0)
    >>> ids = ["transparency", "norms_alignment", "interoperability", "resources",
    ...        "political_friction"]
    >>> X = pd.DataFrame(rng.integers(0, 5, size=(300, 5)), columns=ids)
    >>> est = RubricCalibrator("military-diplomacy", prior_strength=0).fit(X, X["resources"] * 10)
    >>> est.weights_.round(2).tolist()
    [0.0, 0.0, 0.0, 1.0, 0.0]
    """

    def __init__(
        self,
        rubric: str | Path | Rubric | None = None,
        kind: str = "numeric",
        *,
        prior_strength: float | None = None,
        prior_grid: tuple[float, ...] = DEFAULT_PRIOR_GRID,
        inner_folds: int = 3,
        levels: Sequence[Any] | None = None,
        fit_weights: bool = True,
        expert_weights: Sequence[float] | None = None,
        max_iter: int = 300,
        random_state: int | np.random.RandomState | None = None,
    ) -> None:
        self.rubric = rubric
        self.kind = kind
        self.prior_strength = prior_strength
        self.prior_grid = prior_grid
        self.inner_folds = inner_folds
        self.levels = levels
        self.fit_weights = fit_weights
        self.expert_weights = expert_weights
        self.max_iter = max_iter
        self.random_state = random_state

    # -- sklearn plumbing -------------------------------------------------------------
    def __sklearn_tags__(self) -> Any:
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.target_tags.required = True
        if self.kind == "numeric":
            tags.estimator_type = "regressor"
            tags.regressor_tags = RegressorTags()
        else:
            tags.estimator_type = "classifier"
            # one non-negative weighted score cannot separate arbitrary classes (sklearn's
            # blob data): that is the model, not a fault, so the accuracy bar does not apply
            tags.classifier_tags = ClassifierTags(
                poor_score=True, multi_class=self.kind == "ordinal"
            )
        return tags

    def _rubric(self) -> Rubric | None:
        return None if self.rubric is None else load_rubric(self.rubric)

    def _design(self, X: Any, reset: bool, y: Any = "no_validation") -> tuple[_Design, Any]:
        """Validate X (and y when given) and normalise X as the rubric does."""
        rub = self._rubric()
        if rub is not None and isinstance(X, pd.DataFrame):
            cols = input_columns(rub)
            missing = [c for c in cols if c not in X.columns]
            if missing:
                raise ValueError(f"X lacks the rubric's columns {missing}")
            X = X[cols]
        opts = {"reset": reset, "ensure_all_finite": "allow-nan", "dtype": np.float64}
        if isinstance(y, str) and y == "no_validation":
            X = validate_data(self, X, **opts)
        else:  # y=None raises sklearn's "requires y to be passed"
            X, y = validate_data(self, X, y, y_numeric=self.kind == "numeric", **opts)
        if rub is None:
            return _Design(np.asarray(X, dtype=float), "weighted_arithmetic"), y
        cols = input_columns(rub)
        if X.shape[1] != len(cols):
            raise ValueError(f"X has {X.shape[1]} columns; the rubric reads {len(cols)}: {cols}")
        frame = pd.DataFrame(X, columns=cols)
        for crit in rub.criteria:
            if crit.rated:
                v = frame[crit.id].to_numpy()
                if np.any((v < crit.scale.min) | (v > crit.scale.max)):
                    raise ValueError(f"{crit.id}: ratings outside the scale {crit.scale.span}")
        return _Design(normalise(frame, rub), rub.aggregation), y

    def _expert(self, k: int) -> np.ndarray:
        if self.expert_weights is not None:
            w = np.asarray(self.expert_weights, dtype=float)
        elif self.rubric is not None:
            w = np.array([c.weight for c in self._rubric().criteria])
        else:
            w = np.ones(k)
        if w.shape != (k,) or np.any(w < 0) or w.sum() <= 0:
            raise ValueError(f"expert_weights must be {k} non-negative numbers, not all zero")
        return w / w.sum()

    def _targets(self, y: np.ndarray, reset: bool) -> np.ndarray:
        """y as numbers: the outcome, 0/1, or the level index."""
        if self.kind == "numeric":
            return np.asarray(y, dtype=float)
        if reset:
            check_classification_targets(y)
            seen = np.unique(y)
            classes = seen if self.levels is None else np.asarray(list(self.levels))
            if seen.dtype.kind == "O":
                classes = classes.astype(object)
            unknown = set(seen.tolist()) - set(classes.tolist())
            if unknown:
                raise ValueError(f"y holds labels not in levels: {sorted(map(str, unknown))}")
            if self.kind == "binary" and len(classes) > 2:
                raise ValueError(
                    "Only binary classification is supported for kind='binary'; y has "
                    f"{len(classes)} classes (use kind='ordinal' for ordered levels)"
                )
            if len(seen) < 2:
                raise ValueError("y has only 1 class; calibration needs at least two outcomes")
            self.classes_ = classes
        index = {v: i for i, v in enumerate(self.classes_.tolist())}
        return np.array([index[v] for v in np.asarray(y).tolist()], dtype=float)

    # -- fitting ----------------------------------------------------------------------
    def fit(self, X: Any, y: Any) -> RubricCalibrator:
        """Fit the weights and the link.  Returns ``self``."""
        if self.kind not in KINDS:
            raise ValueError(f"kind must be one of {KINDS}, not {self.kind!r}")
        if self.prior_strength is not None and not self.prior_strength >= 0:
            raise ValueError("prior_strength must be >= 0")
        design, y = self._design(X, reset=True, y=y)
        if len(y) < 2:
            raise ValueError(f"calibration needs at least 2 cases; got {len(y)} sample")
        if np.all(design.present.sum(axis=1) == 0):
            raise ValueError("every case lacks every rating")
        t = self._targets(y, reset=True)
        k = design.z.shape[1]
        w0 = self._expert(k)
        n_levels = len(self.classes_) if self.kind != "numeric" else 0
        opts = {"n_levels": max(n_levels, 2), "max_iter": self.max_iter}
        self.cv_loss_: dict[float, float] = {}
        if not self.fit_weights:
            prior = math.inf
            fit = _fit_core(design, t, self.kind, w0, 0.0, fit_weights=False, **opts)
        else:
            prior = self.prior_strength
            if prior is None:
                prior = self._choose_prior(design, t, w0, opts)
            init = _fit_core(design, t, self.kind, w0, 0.0, fit_weights=False, **opts)
            fit = _fit_core(design, t, self.kind, w0, float(prior), init=init, **opts)
        self._set_fitted(fit, prior, design, t)
        return self

    def _choose_prior(
        self, design: _Design, t: np.ndarray, w0: np.ndarray, opts: dict[str, Any]
    ) -> float:
        grid = sorted({float(g) for g in self.prior_grid}, reverse=True)
        if not grid:
            raise ValueError("prior_grid is empty")
        folds = int(self.inner_folds)
        if len(t) < 2 * folds or len(grid) == 1:
            return grid[len(grid) // 2]
        rng = check_random_state(self.random_state)
        seed = int(rng.randint(np.iinfo(np.int32).max))
        losses = {g: 0.0 for g in grid}
        for train, test in _splitter(self.kind, t, folds, seed).split(design.z, t):
            d_train, d_test = design.take(train), design.take(test)
            fit = _fit_core(d_train, t[train], self.kind, w0, 0.0, fit_weights=False, **opts)
            for g in grid:  # strongest first, each fit starting from the previous one
                fit = _fit_core(d_train, t[train], self.kind, w0, g, init=fit, **opts)
                losses[g] += _held_out_loss(self.kind, fit, d_test, t[test]) * len(test)
        self.cv_loss_ = {g: losses[g] / len(t) for g in sorted(grid)}
        best = min(losses.values())
        # among equally good strengths, the strongest: no departure from the experts unearned
        return max(g for g in grid if losses[g] <= best * (1 + 1e-9))

    def _set_fitted(self, fit: _Fit, prior: float, design: _Design, t: np.ndarray) -> None:
        self.weights_ = fit.w
        rub = self._rubric()
        names = getattr(self, "feature_names_in_", None)
        self.criteria_ = (
            rub.ids
            if rub is not None
            else [str(c) for c in (names if names is not None else range(len(fit.w)))]
        )
        self.prior_strength_ = float(prior)
        self.n_iter_ = max(int(fit.n_iter), 1)
        self.converged_ = bool(fit.success)
        self._link = fit.link
        if self.kind == "ordinal":
            b = fit.link[0]
            self.intercept_ = 0.0
            self.slope_ = float(b) / 100.0
            self.cutpoints_ = fit.link[1:].copy()
            with np.errstate(divide="ignore", invalid="ignore"):
                self.thresholds_ = np.where(b > 0, 100.0 * self.cutpoints_ / b, np.nan)
        else:
            a, b = fit.link
            self.intercept_, self.slope_ = float(a), float(b) / 100.0
            if self.kind == "binary":
                self.thresholds_ = np.array([100.0 * -a / b if b > 0 else np.nan])

    # -- predicting -------------------------------------------------------------------
    def rubric_scores(self, X: Any) -> np.ndarray:
        """The 0-100 score of every row under the fitted weights (the rubric's own scorer)."""
        check_is_fitted(self)
        return self._design(X, reset=False)[0].scores(self.weights_) * 100.0

    def _cumulative(self, score: np.ndarray) -> np.ndarray:
        """Ordinal P(Y <= m), shape (n, K - 1)."""
        return expit(self.cutpoints_[None, :] - self.slope_ * score[:, None])

    def predict(self, X: Any) -> np.ndarray:
        """Numeric: the predicted outcome.  Binary: the likelier class.  Ordinal: the level
        whose recalibrated score range holds the score (the median of the predicted levels)."""
        score = self.rubric_scores(X)
        if self.kind == "numeric":
            return self.intercept_ + self.slope_ * score
        if self.kind == "binary":
            p = expit(self.intercept_ + self.slope_ * score)
            return self.classes_[(p > 0.5).astype(int)]
        if self.slope_ > 0:
            # the rubric's own band rule: a cut-off is reached at >= (within 1e-9 points)
            level = (np.nan_to_num(score, nan=-1.0)[:, None] >= self.thresholds_ - 1e-9).sum(1)
        else:
            level = (self._cumulative(score) < 0.5).sum(axis=1)
        return self.classes_[level]

    @available_if(lambda self: self.kind != "numeric")
    def predict_proba(self, X: Any) -> np.ndarray:
        """Probability of each class in ``classes_`` order."""
        score = self.rubric_scores(X)
        if self.kind == "binary":
            p = expit(self.intercept_ + self.slope_ * score)
            return np.column_stack((1.0 - p, p))
        cum = self._cumulative(score)
        n = len(score)
        full = np.column_stack((np.zeros(n), cum, np.ones(n)))
        return np.clip(np.diff(full, axis=1), 0.0, 1.0)

    def score(self, X: Any, y: Any, sample_weight: Any = None) -> float:
        """R² for a numeric outcome; accuracy for binary and ordinal ones."""
        if self.kind == "numeric":
            return float(r2_score(y, self.predict(X), sample_weight=sample_weight))
        return float(accuracy_score(y, self.predict(X), sample_weight=sample_weight))

    def weights_series(self) -> pd.Series:
        """The fitted weights indexed by criterion."""
        check_is_fitted(self)
        return pd.Series(self.weights_, index=self.criteria_, name="weight")


# -- honest evaluation ----------------------------------------------------------------


def _fold_metrics(kind: str, est: RubricCalibrator, X: Any, y: np.ndarray) -> dict[str, float]:
    """The kind's metrics for a fitted estimator on held-out cases (NaN where undefined)."""
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")  # constant predictions: NaN correlations, said below
        if kind == "numeric":
            pred = est.predict(X)
            return {
                "spearman": float(stats.spearmanr(pred, y).statistic),
                "mae": float(np.mean(np.abs(pred - y))),
            }
        proba = est.predict_proba(X)
        index = {v: i for i, v in enumerate(est.classes_.tolist())}
        t = np.array([index[v] for v in np.asarray(y).tolist()])
        p_true = np.clip(proba[np.arange(len(t)), t], 1e-15, 1.0)
        if kind == "binary":
            p = proba[:, 1]
            return {
                "auc": float(roc_auc_score(t, p)) if len(set(t.tolist())) == 2 else math.nan,
                "brier": float(brier_score_loss(t, p)),
                "log_loss": float(-np.mean(np.log(p_true))),
            }
        pred = np.array([index[v] for v in est.predict(X).tolist()])
        return {
            "exact": float(np.mean(pred == t)),
            "within_one": float(np.mean(np.abs(pred - t) <= 1)),
            "kendall_tau": float(stats.kendalltau(est.rubric_scores(X), t).statistic),
            "log_loss": float(-np.mean(np.log(p_true))),
        }


@dataclass
class Evaluation:
    """Repeated k-fold results: every weighting scored on the same held-out folds.

    ``folds`` has one row per (weighting, split) with the kind's metrics; ``oof`` the
    out-of-fold predictions of the first repeat (one row per case, one column per weighting).
    """

    kind: str
    n_folds: int
    repeats: int
    seed: int
    folds: pd.DataFrame
    oof: pd.DataFrame

    @property
    def primary(self) -> str:
        return PRIMARY[self.kind]

    def summary(self) -> pd.DataFrame:
        """Mean and standard deviation of each metric per weighting (rows in the order run)."""
        order = list(dict.fromkeys(self.folds["weighting"]))
        metrics = list(METRICS[self.kind])
        grouped = self.folds.groupby("weighting", sort=False)[metrics]
        out = pd.concat({"mean": grouped.mean(), "sd": grouped.std(ddof=1)}, axis=1)
        return out.loc[order]

    def compare(self, a: str, b: str) -> dict[str, Any]:
        """Is ``a`` better than ``b`` out of sample?  A one-sided paired t-test over the splits
        on the primary metric, with Nadeau and Bengio's correction for the overlap between
        training sets (variance times ``1/J + n_test/n_train``)."""
        metric = self.primary
        higher = METRICS[self.kind][metric][1]
        fa = self.folds[self.folds["weighting"] == a].set_index("split")
        fb = self.folds[self.folds["weighting"] == b].set_index("split")
        diff = (fa[metric] - fb[metric]) * (1 if higher else -1)  # > 0: a is better
        d = diff.to_numpy(dtype=float)
        d = d[np.isfinite(d)]
        j = len(d)
        ratio = float((fa["n_test"] / fa["n_train"]).mean())
        var = float(np.var(d, ddof=1)) if j > 1 else math.nan
        mean = float(np.mean(d)) if j else math.nan
        if j > 1 and var > 0:
            t = mean / math.sqrt((1.0 / j + ratio) * var)
            p = float(stats.t.sf(t, j - 1))
        else:
            t, p = math.nan, 1.0 if not mean > 0 else 0.0
        return {
            "metric": metric,
            "a": a,
            "b": b,
            "mean_a": float(fa[metric].mean()),
            "mean_b": float(fb[metric].mean()),
            "improvement": mean,
            "wins": int(np.sum(d > 0)),
            "splits": j,
            "t": t,
            "p_value": p,
            "better": bool(mean > 0 and p < SIGNIFICANCE),
        }


def _splits(kind: str, folds: int, repeats: int, seed: int) -> Any:
    if kind == "numeric":
        return RepeatedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)
    return RepeatedStratifiedKFold(n_splits=folds, n_repeats=repeats, random_state=seed)


def cross_validate(
    X: pd.DataFrame,
    y: np.ndarray,
    estimators: dict[str, RubricCalibrator],
    *,
    folds: int = 5,
    repeats: int = 3,
    seed: int = 0,
    on_split: Callable[[int, int], None] | None = None,
) -> Evaluation:
    """Fit every estimator on the same training folds and score it on the same held-out ones.

    Examples
    --------
    >>> ev = cross_validate(X, y, {"calibrated": est, "expert": fixed})  # doctest: +SKIP
    >>> ev.summary()                                                    # doctest: +SKIP
    """
    first = next(iter(estimators.values()))
    kind = first.kind
    if kind == "numeric":
        strata = np.zeros(len(y))
    else:
        strata = pd.Series(np.asarray(y, dtype=object)).astype(str).factorize()[0]
        if np.bincount(strata).min() < 2:
            raise InputError("each outcome needs at least 2 cases for cross-validation")
    if len(y) < 2 * folds:
        raise InputError(f"{len(y)} cases are too few for {folds}-fold cross-validation")
    splitter = _splits(kind, folds, repeats, seed)
    rows, oof = [], pd.DataFrame(index=X.index)
    total = folds * repeats
    with warnings.catch_warnings():
        warnings.filterwarnings("ignore", message="The least populated class")
        splits = list(splitter.split(X, strata))
    for split, (train, test) in enumerate(splits):
        for name, est in estimators.items():
            fitted = clone(est).fit(X.iloc[train], y[train])
            metrics = _fold_metrics(kind, fitted, X.iloc[test], y[test])
            rows.append(
                {
                    "weighting": name,
                    "split": split,
                    "repeat": split // folds,
                    "n_train": len(train),
                    "n_test": len(test),
                    **metrics,
                }
            )
            if split < folds:
                oof.loc[X.index[test], name] = _point_prediction(fitted, X.iloc[test])
                oof.loc[X.index[test], f"{name}.score"] = fitted.rubric_scores(X.iloc[test])
        if on_split:
            on_split(split + 1, total)
    return Evaluation(kind, folds, repeats, seed, pd.DataFrame(rows), oof)


def _point_prediction(est: RubricCalibrator, X: Any) -> np.ndarray:
    """What the predicted-vs-observed chart plots: the value, P(positive), or the expected
    level index."""
    if est.kind == "numeric":
        return est.predict(X)
    proba = est.predict_proba(X)
    return proba[:, 1] if est.kind == "binary" else proba @ np.arange(proba.shape[1])


# -- bootstrap ------------------------------------------------------------------------


def bootstrap_weights(
    method: str,
    X: pd.DataFrame,
    y: np.ndarray | None,
    est: RubricCalibrator | None,
    rubric: Rubric,
    n: int = 200,
    seed: int = 0,
    on_step: Callable[[int, int], None] | None = None,
) -> np.ndarray | None:
    """(n, k) weights refitted on resamples of the cases, or None for methods without
    sampling variability (equal, AHP).

    All resamples are drawn at once as case multiplicities (multinomial counts), which the
    fit takes as case weights; entropy weights of every resample are computed in one pass.
    A fitted calibrator is refitted with its chosen prior strength, starting from its fit.
    """
    if n <= 0 or method in ("equal", "ahp"):
        return None
    rng = np.random.default_rng(seed)
    m = len(X)
    counts = rng.multinomial(m, np.full(m, 1.0 / m), size=n).astype(float)
    z = normalise(X, rubric)
    if method == "entropy":
        return entropy_weights(z, counts)
    if method == "critic":
        return np.array([critic_weights(np.repeat(z, c.astype(int), axis=0)) for c in counts])
    assert est is not None and y is not None
    design, _ = est._design(X, reset=False)
    t = est._targets(y, reset=False)
    w0 = est._expert(design.z.shape[1])
    levels = len(est.classes_) if est.kind != "numeric" else 2
    start = _Fit(est.weights_, est._link, 0, True)
    out = np.empty((n, len(w0)))
    for b in range(n):
        fit = _fit_core(
            design,
            t,
            est.kind,
            w0,
            est.prior_strength_,
            c=counts[b],
            init=start,
            n_levels=levels,
            max_iter=est.max_iter,
        )
        out[b] = fit.w
        if on_step:
            on_step(b + 1, n)
    return out


# -- warnings -------------------------------------------------------------------------


def _label(rubric: Rubric, cid: str) -> str:
    return rubric.criterion(cid).label


def data_warnings(rubric: Rubric, X: pd.DataFrame) -> list[str]:
    """Plain-words warnings about fitting weights to these cases: too few of them, or
    criteria that move together so that the data cannot tell their weights apart.

    Only weights fitted to the cases (``method="fit"``) are concerned; the outcome-free methods
    fit no weights to them, and :func:`calibrate` gives them none of these warnings."""
    out: list[str] = []
    k, n = len(rubric.criteria), len(X)
    if n < CASES_PER_CRITERION * k:
        out.append(
            f"Only {n} usable cases for {k} criteria: at least {CASES_PER_CRITERION * k} "
            f"({CASES_PER_CRITERION} per criterion) are needed before weights fitted to them "
            "can be trusted. Treat these weights as a rough indication."
        )
    z = pd.DataFrame(normalise(X, rubric), columns=rubric.ids)
    for cid in rubric.ids:
        if z[cid].nunique() < 2:
            out.append(
                f"{_label(rubric, cid)} has the same rating in every case, or none: the cases "
                "say nothing about its weight, which stays near the expert one."
            )
    with warnings.catch_warnings(), np.errstate(all="ignore"):
        warnings.simplefilter("ignore")
        r = z.corr().fillna(0.0).to_numpy(copy=True)
    np.fill_diagonal(r, 1.0)
    flagged: set[str] = set()
    ids = rubric.ids
    for i, a in enumerate(ids):
        for j in range(i + 1, k):
            b, rab = ids[j], r[i, j]
            if abs(rab) >= COLLINEAR_R:
                flagged |= {a, b}
                out.append(
                    f"{_label(rubric, a)} and {_label(rubric, b)} move together in these cases "
                    f"(correlation {rab:.2f}): the data cannot tell their weights apart, "
                    "so how weight is split between them is unreliable."
                )
    try:
        vif = np.diag(np.linalg.inv(r))
    except np.linalg.LinAlgError:
        vif = np.full(k, np.inf)
    for cid, v in zip(rubric.ids, vif, strict=True):
        if (not np.isfinite(v) or v >= 10) and cid not in flagged and z[cid].nunique() > 1:
            out.append(
                f"{_label(rubric, cid)} is almost fully predictable from the other criteria "
                f"(variance inflation {v:.0f}): its fitted weight is unreliable."
            )
    return out


def fit_warnings(
    rubric: Rubric, weights: np.ndarray, expert: np.ndarray, est: RubricCalibrator
) -> list[str]:
    """Warnings about a fit: weights driven to zero, an outcome that falls as scores rise."""
    out = []
    for cid, w, w0 in zip(rubric.ids, weights, expert, strict=True):
        if w < ZERO_WEIGHT <= w0:
            out.append(
                f"The weight of {_label(rubric, cid)} was driven to zero (expert {w0:.2f}): once "
                "the other criteria are known, it adds nothing to explaining these outcomes. "
                "That is not proof that it does not matter; check before dropping it."
            )
    if est.slope_ <= 0:
        out.append(
            "Higher scores go with worse outcomes in these cases (the fitted slope is not "
            "positive): check the outcome column, its levels' order and the criteria's "
            "directions before using any of these weights."
        )
    return out


def _levels_warnings(levels: Sequence[str], y_index: np.ndarray) -> list[str]:
    counts = np.bincount(y_index.astype(int), minlength=len(levels))
    few = [f"{lv} ({c})" for lv, c in zip(levels, counts, strict=True) if c < 5]
    if not few:
        return []
    return [
        f"Few past cases for some outcomes: {', '.join(few)}. What the fit says about them, "
        "including their cut-offs, rests on very little."
    ]


# -- the whole calibration ------------------------------------------------------------


@dataclass
class Calibration:
    """Everything ``assess calibrate`` reports, and the calibrated rubric it writes.

    ``weights`` is indexed by criterion id with a column per weighting (``expert``, the
    method's own column — ``calibrated`` for fitted weights — with ``low`` and ``high``, its
    bootstrap 90 % interval, then ``equal``, ``entropy``, ``critic`` and ``ahp`` where
    available).
    """

    rubric: Rubric
    calibrated: Rubric
    method: str
    cases: Cases
    weights: pd.DataFrame
    estimator: RubricCalibrator | None = None
    evaluation: Evaluation | None = None
    comparisons: dict[str, dict[str, Any]] = field(default_factory=dict)
    ahp: AHPResult | None = None
    bootstrap: int = 0
    prior_chosen_by: str | None = None
    prior_grid: tuple[float, ...] = ()
    cutoffs_applied: bool = False
    warnings: list[str] = field(default_factory=list)
    recommendation: str = "not-evaluated"
    recommendation_text: str = ""
    date: str = ""
    seconds: float = 0.0
    rubric_path: str | None = None
    output: str | None = None

    @property
    def name(self) -> str:
        """The column of the new weights: ``calibrated``, or the outcome-free method."""
        return "calibrated" if self.method == "fit" else self.method

    @property
    def exit_code(self) -> int:
        """0 when every row was used; 1 when some were rejected or had too little evidence."""
        c = self.cases.counts
        return 0 if c["used"] == c["rows"] else 1

    def link(self) -> dict[str, Any]:
        est = self.estimator
        if est is None:
            return {}
        out: dict[str, Any] = {"intercept": est.intercept_, "slope_per_point": est.slope_}
        if est.kind == "ordinal":
            out["cutpoints"] = est.cutpoints_.tolist()
            out["cutoffs"] = dict(
                zip(est.classes_[1:].tolist(), est.thresholds_.tolist(), strict=True)
            )
        elif est.kind == "binary":
            out["score_at_even_odds"] = float(est.thresholds_[0])
        return out

    def metrics(self) -> dict[str, dict[str, dict[str, float]]]:
        if self.evaluation is None:
            return {}
        s = self.evaluation.summary()
        return {
            w: {m: {"mean": s.loc[w, ("mean", m)], "sd": s.loc[w, ("sd", m)]} for m in s["mean"]}
            for w in s.index
        }

    def provenance(self) -> dict[str, Any]:
        """The ``calibration`` block written into the calibrated rubric."""
        c = self.cases
        block: dict[str, Any] = {
            "method": self.method,
            "date": self.date,
            "assess_version": __version__,
            "base_rubric": {
                "name": self.rubric.name,
                "version": self.rubric.version,
                "hash": self.rubric.content_hash,
            },
            "source": {"file": c.file, "sha256": c.sha256, "sheet": c.sheet},
            "cases": c.counts,
        }
        if c.outcome_column is not None:
            block["outcome"] = {"column": c.outcome_column, "kind": c.kind}
            if c.levels:
                block["outcome"]["levels"] = list(c.levels)
        if self.estimator is not None:
            block["prior"] = {
                "strength": self.estimator.prior_strength_,
                "chosen_by": self.prior_chosen_by,
                "penalty": "prior_strength * sum((w - w_expert)^2), added to the summed "
                "negative log-likelihood",
            }
            block["link"] = self.link()
            block["cutoffs_applied_to_bands"] = self.cutoffs_applied
        if self.ahp is not None:
            block["ahp"] = {
                "consistency_ratio": self.ahp.cr,
                "consistent": self.ahp.consistent,
            }
        block["weights"] = {
            cid: {
                k: float(v)
                for k, v in row.items()
                if k in ("expert", self.name, "low", "high") and pd.notna(v)
            }
            for cid, row in self.weights.iterrows()
        }
        if self.evaluation is not None:
            ev = self.evaluation
            block["cross_validation"] = {
                "folds": ev.n_folds,
                "repeats": ev.repeats,
                "seed": ev.seed,
                "primary_metric": ev.primary,
                "metrics": self.metrics(),
            }
        block["bootstrap_resamples"] = self.bootstrap
        block["recommendation"] = self.recommendation
        block["warnings"] = list(self.warnings)
        return _plain(block)

    def to_dict(self) -> dict[str, Any]:
        """The ``--format json`` contract (keys only ever added within a major version)."""
        c = self.cases
        weights = [
            {"id": cid, "label": _label(self.rubric, cid), **_plain(row.to_dict())}
            for cid, row in self.weights.iterrows()
        ]
        ev = self.evaluation
        return {
            "assess_version": __version__,
            "rubric": self.rubric.describe(),
            "calibrated_rubric": self.calibrated.describe(),
            "output": self.output,
            "source": {
                "file": c.file,
                "sha256": c.sha256,
                "sheet": c.sheet,
                "header_row": c.header_row,
            },
            "summary": c.counts,
            "outcome": (
                {"column": c.outcome_column, "kind": c.kind, "levels": _plain(c.levels)}
                if c.outcome_column
                else None
            ),
            "method": self.method,
            "prior": (
                {
                    "strength": self.estimator.prior_strength_,
                    "chosen_by": self.prior_chosen_by,
                    "grid": list(self.prior_grid),
                    "cv_loss": {str(k): v for k, v in self.estimator.cv_loss_.items()},
                }
                if self.estimator is not None
                else None
            ),
            "link": _plain(self.link()) or None,
            "weights": weights,
            "bootstrap_resamples": self.bootstrap,
            "ahp": self.ahp.to_dict() if self.ahp is not None else None,
            "cross_validation": (
                _plain(
                    {
                        "folds": ev.n_folds,
                        "repeats": ev.repeats,
                        "seed": ev.seed,
                        "primary_metric": ev.primary,
                        "metrics": self.metrics(),
                        "comparisons": self.comparisons,
                    }
                )
                if ev is not None
                else None
            ),
            "recommendation": self.recommendation,
            "recommendation_text": self.recommendation_text,
            "warnings": list(self.warnings),
            "insufficient": _plain(c.insufficient),
            "rejected": [r.to_dict() for r in c.rejected],
        }

    def summary_line(self) -> str:
        return self.cases.summary_line()

    def problem_lines(self) -> list[str]:
        """One line per case left out: insufficient evidence, then rejected rows."""
        need = f"{self.rubric.missing.min_weight_share:.0%}"
        lines = [
            f"insufficient {self.cases.sheet} row {i['row']} {i['id']}: {i['completeness']:.0%} "
            f"of the weight rated (need {need})"
            for i in self.cases.insufficient
        ]
        return lines + [f"rejected {r}" for r in self.cases.rejected]

    def write_rubric(self, path: str | Path, *, force: bool = False) -> Path:
        """Write the calibrated rubric as a new YAML file, atomically.

        Refuses the input rubric's own file (even with ``force``), the cases file, and any
        existing file unless ``force``.  Returns the path; ``self.calibrated`` becomes the
        rubric as loaded back from it.
        """
        from ..files import atomic_path

        target = check_rubric_output(
            path, force=force, rubric_path=self.rubric_path, cases_path=self.cases.path
        )
        text = self.rubric_text()
        loaded = parse_rubric(text, source=str(target))
        try:
            with atomic_path(target) as tmp:
                tmp.write_text(text, encoding="utf-8")
        except OSError as exc:
            raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
        self.calibrated = loaded
        self.output = str(target)
        return target

    def rubric_text(self) -> str:
        """The calibrated rubric as YAML, with a comment saying where it came from."""
        c = self.cases
        what = (
            f"weights fitted to the outcome {c.outcome_column!r} ({c.kind})"
            if self.method == "fit"
            else f"{self.method} weights"
        )
        head = [
            f"# {self.calibrated.name} {self.calibrated.version}: {what}",
            f"# from {c.file} (sha256 {c.sha256[:12]}...) by assess calibrate {__version__} "
            f"on {self.date}.",
            f"# Based on {self.rubric.name} {self.rubric.version}; the calibration block below "
            "records how, and how well.",
        ]
        if self.recommendation_text:
            head += textwrap.wrap(
                self.recommendation_text, 96, initial_indent="# ", subsequent_indent="# "
            )
        return "\n".join(head) + "\n" + self.calibrated.to_yaml()


def check_rubric_output(
    path: str | Path,
    *,
    force: bool = False,
    rubric_path: str | None = None,
    cases_path: str | None = None,
) -> Path:
    """Where a calibrated rubric may be written: a new ``.yaml`` file (an existing one only
    with ``force``), never the input rubric or the cases file.  Raises :class:`OutputError`."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(
            f"{target} is a folder; give -o a file name such as {target / 'calibrated.yaml'}"
        )
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError(f"{target.name}: a calibrated rubric is written as .yaml or .yml")
    for protected, what in ((rubric_path, "the input rubric"), (cases_path, "the cases file")):
        if protected and Path(protected).exists() and _same_file(target, Path(protected)):
            raise OutputError(f"refusing to overwrite {what} {target.name}; choose another -o path")
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")
    if target.exists() and not force:
        raise OutputError(f"{target} exists; use --force to replace it")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def _plain(value: Any) -> Any:
    """JSON/YAML-safe plain data: numpy to Python, NaN to None, floats to 6 significant
    digits."""
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, (list, tuple, np.ndarray)):
        return [_plain(v) for v in value]
    if isinstance(value, (bool, np.bool_)):
        return bool(value)
    if isinstance(value, (float, np.floating)):
        v = float(value)
        return float(f"{v:.6g}") if math.isfinite(v) else None
    if isinstance(value, np.integer):
        return int(value)
    return json_value(value)


def bump_version(version: str, tag: str) -> str:
    """The calibrated rubric's version: the next minor version, marked as derived from data.

    Weights change the scores but not the columns or scales, so it is a minor change; the
    pre-release tag (``-cal.YYYYMMDD``) says it is a candidate fitted to data on that date,
    and sorts before a hand-made ``1.1.0`` under semantic versioning.  An analyst adopting it
    drops the tag.  Versions that are not ``X.Y[.Z]`` get the tag appended.

    Examples
    --------
    >>> bump_version("1.0.0", "cal.20251001")
    '1.1.0-cal.20251001'
    >>> bump_version("2024a", "entropy.20251001")
    '2024a-entropy.20251001'
    """
    m = re.match(r"^(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$", version)
    if m:
        return f"{m.group(1)}.{int(m.group(2)) + 1}.0-{tag}"
    return f"{version}-{tag}"


def rubric_file(rubric: str | Path | Rubric) -> str | None:
    """The file a rubric argument names (a path, or a built-in name's file), if any."""
    from ..rubric import builtin_dir

    if isinstance(rubric, Rubric):
        return None
    path = Path(rubric).expanduser()
    if path.is_file():
        return str(path)
    builtin = builtin_dir() / f"{rubric}.yaml"
    return str(builtin) if builtin.is_file() else None


def _recalibrated_bands(rubric: Rubric, est: RubricCalibrator) -> tuple[list | None, str | None]:
    """Bands with the ordinal cut-offs as minimums, when the levels are the rubric's bands."""
    levels = [str(v) for v in est.classes_]
    if [normalise_header(v) for v in levels] != [
        normalise_header(b) for b in reversed(rubric.band_names)
    ]:
        return None, None
    cut = est.thresholds_
    if not (np.all(np.isfinite(cut)) and np.all(np.diff(cut) > 0)):
        return None, (
            "The outcome levels do not rise with the score, so no band cut-offs could be "
            "recalibrated; the rubric's bands are kept."
        )
    if cut[0] <= 0 or cut[-1] > 100:
        return None, (
            "A recalibrated band cut-off falls outside 0-100 "
            f"({', '.join(f'{c:.1f}' for c in cut)}): the cases do not pin it down, so the "
            "rubric's bands are kept."
        )
    mins = dict(zip(reversed(rubric.band_names), [0.0, *cut.tolist()], strict=True))
    return [
        {"name": b.name, "min": float(mins[b.name]), "colour": b.colour} for b in rubric.bands
    ], None


def _outcome_free(
    method: str, rubric: Rubric, X: pd.DataFrame, ahp: AHPResult | None
) -> np.ndarray:
    z = normalise(X, rubric)
    if method == "equal":
        return equal_weights(len(rubric.criteria))
    if method == "entropy":
        return entropy_weights(z)
    if method == "critic":
        return critic_weights(z)
    assert ahp is not None
    return ahp.weights


def calibrate(
    cases: str | Path | pd.DataFrame,
    outcome: str | None = None,
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    *,
    sheet: str | int | None = None,
    kind: str = "auto",
    levels: Sequence[str] | None = None,
    method: str = "fit",
    prior_strength: float | None = None,
    prior_grid: Sequence[float] = DEFAULT_PRIOR_GRID,
    folds: int = 5,
    repeats: int = 3,
    seed: int = 0,
    bootstrap: int = 200,
    pairwise: str | Path | None = None,
    pairwise_sheet: str | None = None,
    on_progress: Callable[[str, int, int], None] | None = None,
    id_column: str | None = None,
    allow_missing: str | Sequence[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Calibration:
    """Calibrate a rubric's weights against past cases; what ``assess calibrate`` runs.

    Parameters
    ----------
    cases:
        The past cases: a spreadsheet (read like engagements) or a DataFrame laid out like one.
    outcome:
        Header of the outcome column.  Required for ``method="fit"``; with an outcome-free
        method it adds the out-of-sample comparison.
    rubric:
        The rubric whose weights are calibrated (its weights are the expert weights).
    sheet, kind, levels:
        Which sheet; the outcome's kind (``auto``, ``numeric``, ``binary``, ``ordinal``) and,
        for ordinal outcomes, their levels worst first (default: the rubric's band names).
    method:
        ``fit`` (weights fitted to the outcome), or ``equal``, ``entropy``, ``critic``, ``ahp``.
    prior_strength, prior_grid:
        Shrinkage toward the expert weights; ``None`` chooses it from ``prior_grid`` by inner
        cross-validation.
    folds, repeats, seed:
        Repeated k-fold cross-validation comparing the weightings on the same folds.
    bootstrap:
        Resamples for the weights' 90 % intervals (0: none).
    pairwise, pairwise_sheet:
        For ``ahp``: the workbook holding the pairwise-comparison table (layout in
        :mod:`assess.calibration.weighting`); by default the cases workbook.
    on_progress:
        Called as ``on_progress(stage, done, total)`` while cross-validating and resampling.
    id_column, allow_missing, max_input_size:
        As for :func:`assess.score` (a case id column named ``Case``, say); the size limit
        applies to the pairwise workbook too.

    Returns
    -------
    Calibration

    Examples
    --------
    >>> import assess
    >>> import tempfile, pathlib
    >>> cal = assess.calibrate("examples/past_cases.xlsx", "Outcome", bootstrap=20)
    >>> cal.recommendation
    'keep-expert'
    >>> path = cal.write_rubric(pathlib.Path(tempfile.mkdtemp()) / "calibrated.yaml")
    """
    started = time.perf_counter()
    if method not in METHODS:
        raise InputError(f"unknown method {method!r}; use one of {', '.join(METHODS)}")
    if method == "fit" and outcome is None:
        raise InputError("fitting weights needs an outcome column (--outcome COLUMN)")
    for name, value, low in (
        ("folds", folds, 2),
        ("repeats", repeats, 1),
        ("bootstrap", bootstrap, 0),
    ):
        if value < low:
            raise InputError(f"--{name} must be at least {low}")
    rub = load_rubric(rubric)
    data = read_cases(
        cases,
        rub,
        outcome,
        sheet=sheet,
        kind=kind,
        levels=levels,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    if len(data.ratings) == 0:
        raise InputError(f"{data.file}: no usable cases ({data.summary_line()})")
    X = data.X
    ids = rub.ids
    expert = np.array([c.weight for c in rub.criteria])
    table = pd.DataFrame({"expert": expert}, index=pd.Index(ids, name="criterion"))
    notes = [*data.notes, *(data_warnings(rub, X) if method == "fit" else [])]
    ahp = None
    if method == "ahp" or pairwise is not None:
        matrix, _ = read_pairwise(
            pairwise or data.path, rub, sheet=pairwise_sheet, max_input_size=max_input_size
        )
        ahp = ahp_weights(matrix, tuple(ids))
        if not ahp.consistent:
            notes.append(
                f"The pairwise judgements contradict each other (consistency ratio "
                f"{ahp.cr:.2f}, above {0.1:.2f}): revisit them before using the AHP weights."
            )

    progress = on_progress or (lambda stage, done, total: None)
    est = None
    evaluation = None
    comparisons: dict[str, dict[str, Any]] = {}
    y = data.y if data.outcome is not None else None
    name = "calibrated" if method == "fit" else method
    base_params: dict[str, Any] = {}
    if y is not None:
        if data.kind != "numeric":
            notes += _levels_warnings(data.levels, data.outcome.to_numpy())
            base_params["levels"] = list(data.levels)
        base_params.update(rubric=rub, kind=data.kind, random_state=seed)
        base_params.update(prior_strength=prior_strength, prior_grid=tuple(prior_grid))
    if method == "fit":
        est = RubricCalibrator(**base_params).fit(X, y)
        new = est.weights_
    else:
        new = _outcome_free(method, rub, X, ahp)
    table[name] = new
    draws = bootstrap_weights(
        method, X, y, est, rub, bootstrap, seed, lambda d, t: progress("bootstrap", d, t)
    )
    if draws is not None:
        table["low"], table["high"] = np.percentile(draws, [5, 95], axis=0)
    for other in OUTCOME_FREE_METHODS:
        if other not in table and (other != "ahp" or ahp is not None):
            table[other] = _outcome_free(other, rub, X, ahp)

    if y is not None:
        evaluation = _evaluate(
            name,
            new,
            base_params,
            X,
            y,
            folds,
            repeats,
            seed,
            lambda d, t: progress("cross-validation", d, t),
        )
        comparisons = {
            other: evaluation.compare(name, other)
            for other in dict.fromkeys(evaluation.folds["weighting"])
            if other != name
        }
    if est is not None:
        notes += fit_warnings(rub, est.weights_, expert, est)
    lost = int((score_frame(X, _reweighted(rub, new))["status"] == STATUS_INSUFFICIENT).sum())
    if lost:
        notes.append(
            f"{lost} of the cases would have insufficient evidence under the new weights "
            "(too much of the weight falls on criteria they were not rated on)."
        )

    recommendation, text = _recommend(name, comparisons, evaluation)
    if recommendation == "keep-expert" and "expert" in comparisons:
        notes.append(text)
    date = _today()
    tag = f"{'cal' if method == 'fit' else method}.{date.replace('-', '')}"
    changes: dict[str, Any] = {"version": bump_version(rub.version, tag)}
    cutoffs_applied = False
    if est is not None and est.kind == "ordinal":
        bands, problem = _recalibrated_bands(rub, est)
        if bands is not None:
            changes["bands"], cutoffs_applied = bands, True
        elif problem:
            notes.append(problem)
    cal = Calibration(
        rubric=rub,
        calibrated=rub,
        method=method,
        cases=data,
        weights=table,
        estimator=est,
        evaluation=evaluation,
        comparisons=comparisons,
        ahp=ahp,
        bootstrap=bootstrap if draws is not None else 0,
        prior_chosen_by=(
            None if est is None else "given" if prior_strength is not None else "cross-validation"
        ),
        prior_grid=tuple(float(g) for g in prior_grid),
        cutoffs_applied=cutoffs_applied,
        warnings=notes,
        recommendation=recommendation,
        recommendation_text=text,
        date=date,
        rubric_path=rubric_file(rubric),
    )
    changes["calibration"] = cal.provenance()
    cal.calibrated = _reweighted(rub, new, **changes)
    cal.seconds = time.perf_counter() - started
    return cal


def _reweighted(rubric: Rubric, weights: np.ndarray, **changes: Any) -> Rubric:
    return rubric.with_weights(dict(zip(rubric.ids, map(float, weights), strict=True)), **changes)


def _evaluate(
    name: str,
    new: np.ndarray,
    params: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray,
    folds: int,
    repeats: int,
    seed: int,
    on_split: Callable[[int, int], None],
) -> Evaluation:
    """Cross-validate the new weights against the expert and equal ones on the same folds:
    fitted weights are refitted on every training fold; fixed weights get their link fitted."""
    fixed = {**params, "fit_weights": False}
    estimators: dict[str, RubricCalibrator] = {}
    if name == "calibrated":
        estimators[name] = RubricCalibrator(**params)
    elif name != "equal":
        estimators[name] = RubricCalibrator(**fixed, expert_weights=tuple(new))
    estimators["expert"] = RubricCalibrator(**fixed)
    estimators["equal"] = RubricCalibrator(**fixed, expert_weights=tuple(equal_weights(len(new))))
    return cross_validate(
        X, y, estimators, folds=folds, repeats=repeats, seed=seed, on_split=on_split
    )


def _recommend(
    name: str, comparisons: dict[str, dict[str, Any]], evaluation: Evaluation | None
) -> tuple[str, str]:
    """``use-<name>`` only when the new weights beat the expert ones out of sample."""
    if evaluation is None or "expert" not in comparisons:
        return "not-evaluated", (
            f"The {name} weights were not tested against outcomes (no --outcome given)."
        )
    cmp = comparisons["expert"]
    label = METRICS[evaluation.kind][cmp["metric"]][0]
    detail = (
        f"{label} {cmp['mean_a']:.3f} vs {cmp['mean_b']:.3f} expert on held-out cases, better "
        f"in {cmp['wins']} of {cmp['splits']} folds, "
        + (f"p = {cmp['p_value']:.2f}" if cmp["p_value"] >= 0.01 else "p < 0.01")
    )
    if cmp["better"]:
        return (
            f"use-{name}",
            f"Use the {name} weights: they predict outcomes better than the expert weights "
            f"({detail}).",
        )
    return "keep-expert", (
        f"Keep the expert weights: the {name} weights do not predict outcomes better on cases "
        f"they were not fitted to ({detail})."
    )


def _today() -> str:
    from ..result import utc_now

    return utc_now()[:10]
