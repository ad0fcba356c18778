"""Honest evaluation of weightings: repeated k-fold cross-validation on shared folds, the
paired test of one weighting against another, and bootstrap intervals for the weights.

Every weighting is fitted on the same training folds and scored on the same held-out ones with
the outcome kind's :data:`METRICS`; :meth:`Evaluation.compare` decides whether one beats
another out of sample on the kind's :data:`PRIMARY` metric.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd
from scipy import stats
from sklearn.base import clone
from sklearn.metrics import brier_score_loss, roc_auc_score
from sklearn.model_selection import RepeatedKFold, RepeatedStratifiedKFold

from ..errors import InputError
from ..rubric import Rubric
from ..scoring import normalise
from .estimator import RubricCalibrator
from .weighting import critic_weights, entropy_weights

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
    return est.resampled_weights(X, y, counts, on_step)
