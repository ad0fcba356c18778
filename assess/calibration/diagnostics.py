"""Plain-words warnings about a calibration: too few cases, criteria the cases cannot tell
apart, weights driven to zero, outcomes that fall as scores rise, rare outcome levels,
contradicting pairwise judgements, and cases the new weights would leave without enough
evidence.
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence

import numpy as np
import pandas as pd

from ..rubric import Rubric
from ..scoring import STATUS_INSUFFICIENT, normalise, score_frame
from .estimator import RubricCalibrator
from .rubric_out import reweighted
from .weighting import CR_LIMIT, AHPResult

ZERO_WEIGHT = 0.005  # a fitted weight below this is reported as driven to zero
COLLINEAR_R = 0.8
CASES_PER_CRITERION = 10


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


def levels_warnings(levels: Sequence[str], y_index: np.ndarray) -> list[str]:
    """A warning when some outcome levels have fewer than 5 cases (``y_index``: level
    indices)."""
    counts = np.bincount(y_index.astype(int), minlength=len(levels))
    few = [f"{lv} ({c})" for lv, c in zip(levels, counts, strict=True) if c < 5]
    if not few:
        return []
    return [
        f"Few past cases for some outcomes: {', '.join(few)}. What the fit says about them, "
        "including their cut-offs, rests on very little."
    ]


def ahp_warnings(ahp: AHPResult | None) -> list[str]:
    """A warning when the pairwise judgements contradict each other (consistency ratio above
    the limit)."""
    if ahp is None or ahp.consistent:
        return []
    return [
        f"The pairwise judgements contradict each other (consistency ratio "
        f"{ahp.cr:.2f}, above {CR_LIMIT:.2f}): revisit them before using the AHP weights."
    ]


def coverage_warnings(rubric: Rubric, X: pd.DataFrame, weights: np.ndarray) -> list[str]:
    """A warning when some cases would have insufficient evidence under the new ``weights``."""
    scored = score_frame(X, reweighted(rubric, weights))
    lost = int((scored["status"] == STATUS_INSUFFICIENT).sum())
    if not lost:
        return []
    return [
        f"{lost} of the cases would have insufficient evidence under the new weights "
        "(too much of the weight falls on criteria they were not rated on)."
    ]
