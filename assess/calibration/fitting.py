"""The fit behind :class:`~assess.calibration.estimator.RubricCalibrator`: a rubric's scores
(and their gradients) under candidate weights, the outcome likelihoods, and the penalised fit
of the weights on the simplex.

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

import math
from dataclasses import dataclass
from typing import Any

import numpy as np
from scipy import optimize
from scipy.special import expit
from sklearn.model_selection import KFold, StratifiedKFold

from ..scoring import aggregate


class Design:
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

    def take(self, idx: np.ndarray) -> Design:
        return Design(self.z[idx], self.method)

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
class Fit:
    """A fit's weights, link parameters, optimiser iterations and whether it converged."""

    w: np.ndarray
    link: np.ndarray
    n_iter: int
    success: bool


def _constraints(kind: str, k: int, n_link: int, n_levels: int) -> list[dict[str, Any]]:
    """SLSQP's constraints on (weights, link), ``k`` weights being fitted (0 when fixed): the
    weights sum to 1; ordinal cut-offs rise."""
    n = k + n_link
    constraints = []
    if k:
        eq = np.concatenate((np.ones(k), np.zeros(n_link)))
        constraints.append({"type": "eq", "fun": lambda t: t[:k].sum() - 1.0, "jac": lambda t: eq})
    if kind == "ordinal" and n_levels > 2:
        d = np.zeros((n_levels - 2, n))
        for m in range(n_levels - 2):
            d[m, k + 1 + m], d[m, k + 2 + m] = -1.0, 1.0
        constraints.append({"type": "ineq", "fun": lambda t: d @ t - 1e-6, "jac": lambda t: d})
    return constraints


def fit_penalised(
    design: Design,
    y: np.ndarray,
    kind: str,
    w0: np.ndarray,
    prior: float,
    *,
    c: np.ndarray | None = None,
    init: Fit | None = None,
    fit_weights: bool = True,
    n_levels: int = 2,
    max_iter: int = 300,
) -> Fit:
    """Minimise (NLL + prior * ||w - w0||^2) / n over the simplex (and the link).

    ``design`` holds the cases' criterion values and ``y`` their outcomes as numbers (the level
    index for binary and ordinal ones); ``c`` weighs the cases (default 1 each), ``init`` is a
    fit to start from, and ``fit_weights=False`` keeps the weights ``w0`` and fits the link
    only.
    """
    c = np.ones(len(y)) if c is None else c
    n, k = c.sum(), len(w0)
    vy = float(c @ (y - (c @ y) / n) ** 2 / n) if kind == "numeric" else 1.0
    vy = vy if vy > 1e-12 else 1.0
    fixed_w = np.asarray(w0 if init is None or not fit_weights else init.w, dtype=float)
    if kind == "numeric":
        if not fit_weights:
            link, _, _ = _numeric_link(design.scores(w0), y, c, vy)
            return Fit(np.asarray(w0, float), link, 0, True)
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
    bounds = ([(0.0, 1.0)] * k if fit_weights else []) + [(None, None)] * n_link
    res = optimize.minimize(
        objective,
        x0,
        jac=True,
        method="SLSQP",
        bounds=bounds,
        constraints=_constraints(kind, k if fit_weights else 0, n_link, n_levels),
        options={"maxiter": max_iter, "ftol": 1e-9},
    )
    w, link = split(res.x)
    if fit_weights:
        w = np.clip(w, 0.0, None)
        w[w < 1e-9] = 0.0
        w = w / w.sum()
    if kind == "numeric":
        link, _, _ = _numeric_link(design.scores(w), y, c, vy)
    return Fit(np.asarray(w, dtype=float), np.asarray(link, dtype=float), int(res.nit), res.success)


def held_out_loss(kind: str, fit: Fit, design: Design, y: np.ndarray) -> float:
    """The mean loss of ``fit`` on cases it was not fitted to: squared error for numeric
    outcomes, negative log-likelihood for the others."""
    u = design.scores(fit.w)
    u = np.where(np.isfinite(u), u, 0.5)
    if kind == "numeric":
        a, b = fit.link
        return float(np.mean((y - a - b * u) ** 2))
    return float(_loss(kind, fit.link, u, y, np.ones(len(y)))[0] / len(y))


def fold_splitter(kind: str, y: np.ndarray, folds: int, random_state: int) -> Any:
    """Shuffled k folds, stratified by outcome when every level has a case for each fold."""
    if kind != "numeric" and np.bincount(y.astype(int)).min(initial=len(y)) >= folds:
        return StratifiedKFold(folds, shuffle=True, random_state=random_state)
    return KFold(folds, shuffle=True, random_state=random_state)
