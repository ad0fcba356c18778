"""The calibration model as a scikit-learn estimator: :class:`RubricCalibrator` fits a
rubric's weights (and a link to the outcome) to past cases.

Its predictions are the scorer's own: :func:`assess.scoring.normalise` then
:func:`assess.scoring.aggregate` with candidate weights, so a rubric carrying the fitted weights
scores every case exactly as the fit did.  The model and the fit are described in
:mod:`assess.calibration.fitting`.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from scipy.special import expit
from sklearn.base import BaseEstimator
from sklearn.metrics import accuracy_score, r2_score
from sklearn.utils import ClassifierTags, RegressorTags, check_random_state
from sklearn.utils.metaestimators import available_if
from sklearn.utils.multiclass import check_classification_targets
from sklearn.utils.validation import check_is_fitted, validate_data

from ..rubric import Rubric, load_rubric
from ..scoring import input_columns, normalise
from .fitting import Design, Fit, fit_penalised, fold_splitter, held_out_loss
from .outcomes import KINDS

DEFAULT_PRIOR_GRID = (0.0, 1.0, 10.0, 100.0, 1000.0, 10000.0)


class RubricCalibrator(BaseEstimator):
    """Fit a rubric's criterion weights (and a link to the outcome) to past cases.

    A scikit-learn estimator: a regressor for ``kind="numeric"``, a classifier for ``"binary"``
    and ``"ordinal"`` (its tags and :meth:`score` follow ``kind``), so ``cross_val_score``,
    ``GridSearchCV``, ``clone`` and pipelines work with it.  The model is described in
    :mod:`assess.calibration.fitting`.

    Parameters
    ----------
    rubric : str, Path or Rubric, optional
        A built-in rubric name, a path or a :class:`~assess.rubric.Rubric`.  ``X`` then holds
        ratings on the criteria's scales (indicators' raw values for indicator criteria): a
        DataFrame with the columns :func:`assess.scoring.input_columns` names (criterion ids for
        rated criteria), or an array in that order; NaN where missing.  Predictions go through
        the rubric's own normalisation and aggregation.  ``None``: the columns of ``X`` are
        criterion values already on a common scale, combined by the weighted arithmetic mean.
    kind : str, optional
        ``"numeric"``, ``"binary"`` or ``"ordinal"``.
    prior_strength : float, optional
        Precision of the Gaussian prior pulling the weights toward the expert weights (the
        penalty ``prior_strength * sum((w - w0) ** 2)`` is added to the summed negative
        log-likelihood).  ``None``: chosen from ``prior_grid`` by ``inner_folds``-fold CV.
    prior_grid : tuple[float, ...], optional
        Candidate strengths for that choice.
    inner_folds : int, optional
        Folds of the inner cross-validation.
    levels : Sequence[Any], optional
        Ordinal: the outcome levels, worst first (default: the sorted labels seen in ``y``).
        Binary: the negative and the positive label.
    fit_weights : bool, optional
        ``False`` keeps the expert weights and fits the link only: the baseline calibrated
        weights are compared against.
    expert_weights : Sequence[float], optional
        Weights to shrink toward (and to keep when ``fit_weights=False``), in column order;
        default the rubric's weights, or equal weights without a rubric.
    max_iter : int, optional
        Iterations of the SLSQP optimiser.
    random_state : int or numpy.random.RandomState, optional
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
    >>> from assess.calibration.estimator import RubricCalibrator
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

    def _design(self, X: Any, reset: bool, y: Any = "no_validation") -> tuple[Design, Any]:
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
            return Design(np.asarray(X, dtype=float), "weighted_arithmetic"), y
        cols = input_columns(rub)
        if X.shape[1] != len(cols):
            raise ValueError(f"X has {X.shape[1]} columns; the rubric reads {len(cols)}: {cols}")
        frame = pd.DataFrame(X, columns=cols)
        for crit in rub.criteria:
            if crit.rated:
                v = frame[crit.id].to_numpy()
                if np.any((v < crit.scale.min) | (v > crit.scale.max)):
                    raise ValueError(f"{crit.id}: ratings outside the scale {crit.scale.span}")
        return Design(normalise(frame, rub), rub.aggregation), y

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
            fit = fit_penalised(design, t, self.kind, w0, 0.0, fit_weights=False, **opts)
        else:
            prior = self.prior_strength
            if prior is None:
                prior = self._choose_prior(design, t, w0, opts)
            init = fit_penalised(design, t, self.kind, w0, 0.0, fit_weights=False, **opts)
            fit = fit_penalised(design, t, self.kind, w0, float(prior), init=init, **opts)
        self._set_fitted(fit, prior, design, t)
        return self

    def _choose_prior(
        self, design: Design, t: np.ndarray, w0: np.ndarray, opts: dict[str, Any]
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
        for train, test in fold_splitter(self.kind, t, folds, seed).split(design.z, t):
            d_train, d_test = design.take(train), design.take(test)
            fit = fit_penalised(d_train, t[train], self.kind, w0, 0.0, fit_weights=False, **opts)
            for g in grid:  # strongest first, each fit starting from the previous one
                fit = fit_penalised(d_train, t[train], self.kind, w0, g, init=fit, **opts)
                losses[g] += held_out_loss(self.kind, fit, d_test, t[test]) * len(test)
        self.cv_loss_ = {g: losses[g] / len(t) for g in sorted(grid)}
        best = min(losses.values())
        # among equally good strengths, the strongest: no departure from the experts unearned
        return max(g for g in grid if losses[g] <= best * (1 + 1e-9))

    def _set_fitted(self, fit: Fit, prior: float, design: Design, t: np.ndarray) -> None:
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

    def resampled_weights(
        self,
        X: Any,
        y: Any,
        counts: np.ndarray,
        on_step: Callable[[int, int], None] | None = None,
    ) -> np.ndarray:
        """The weights refitted to resamples of the cases ``X, y`` (the fit's own cases).

        Row ``b`` of ``counts`` (shape ``(n_resamples, n_samples)``) holds how many times each
        case is drawn in resample ``b``; the refit takes those as case weights, keeps the
        fitted prior strength and starts from the fit.  ``on_step(done, total)`` is called
        after each refit.  Returns shape ``(n_resamples, n_features)``.
        """
        check_is_fitted(self)
        design, _ = self._design(X, reset=False)
        t = self._targets(y, reset=False)
        w0 = self._expert(design.z.shape[1])
        levels = len(self.classes_) if self.kind != "numeric" else 2
        start = Fit(self.weights_, self._link, 0, True)
        n = len(counts)
        out = np.empty((n, len(w0)))
        for b in range(n):
            fit = fit_penalised(
                design,
                t,
                self.kind,
                w0,
                self.prior_strength_,
                c=counts[b],
                init=start,
                n_levels=levels,
                max_iter=self.max_iter,
            )
            out[b] = fit.w
            if on_step:
                on_step(b + 1, n)
        return out
