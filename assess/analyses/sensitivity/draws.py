"""The Monte Carlo: the rubric's weights drawn from a Dirichlet distribution (the aggregation
and the raters too, when asked), every draw scored, ranked and banded."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ...result import Result
from ...scoring import aggregate, aggregate_many, normalise, ranks_many
from .matrix import CHUNK_CELLS, GEOMETRIC, Model, Progress, bands_many, gate_cap_bands


def _row_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``a`` with the vector ``b`` (NaN if a row is flat)."""
    ac = a - a.mean(axis=1, keepdims=True)
    bc = b - b.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ac @ bc) / np.sqrt((ac * ac).sum(axis=1) * (bc @ bc))


def _draw_weights(rng: np.random.Generator, w0: np.ndarray, k: float, draws: int) -> np.ndarray:
    if math.isinf(k):
        return np.tile(w0, (draws, 1))
    out = np.zeros((draws, len(w0)))
    pos = w0 > 0  # a criterion weighted 0 stays at 0
    out[:, pos] = rng.dirichlet(k * w0[pos], size=draws)
    return out


def _rater_variants(
    result: Result, model: Model, picks: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """For each distinct bootstrap of the raters: the normalised matrix and the gate caps.
    Returns (variant of each draw, matrices, caps)."""
    from ...raters import combine_values

    agreement = result.agreement
    ratings = agreement.ratings
    where = {e: i for i, e in enumerate(ratings.ids)}
    rows = np.array([where[e] for e in model.ids])
    values = ratings.values[rows]
    nominal = model.frame[ratings.inputs].to_numpy(dtype=float)
    multisets, variant = np.unique(np.sort(picks, axis=1), axis=0, return_inverse=True)
    xs, caps = [], []
    for m in multisets:
        combined = combine_values(values[:, m, :], agreement.combine)
        combined = np.where(np.isnan(combined), nominal, combined)
        frame = pd.DataFrame(combined, index=model.frame.index, columns=ratings.inputs)
        xs.append(normalise(frame, model.rubric))
        caps.append(gate_cap_bands(frame, model.rubric))
    return np.asarray(variant).reshape(-1), xs, caps


def _evaluate(
    model: Model,
    weights: np.ndarray,
    geometric: np.ndarray,
    variant: np.ndarray | None = None,
    xs: list[np.ndarray] | None = None,
    caps: list[np.ndarray] | None = None,
) -> tuple[np.ndarray, np.ndarray]:
    """Scores and bands of every engagement under each draw (one chunk)."""
    if variant is None:
        scores = aggregate_many(model.x, weights, geometric)
        return scores, bands_many(scores, model.rubric, model.caps)
    scores = np.empty((len(weights), len(model.ids)))
    bands = np.empty((len(weights), len(model.ids)), dtype=np.int16)
    for v in np.unique(variant):
        rows = variant == v
        scores[rows] = aggregate_many(xs[v], weights[rows], geometric[rows])
        bands[rows] = bands_many(scores[rows], model.rubric, caps[v])
    return scores, bands


def monte_carlo(
    model: Model,
    result: Result,
    draws: int,
    concentration: float,
    rng: np.random.Generator,
    switch: bool,
    resample: bool,
    progress: Progress | None,
    total: int,
) -> dict[str, Any]:
    """Every draw's ranks and scores of the engagements (``ranks``, ``scores``: draws x
    engagements), how often each engagement fell in each band (``bands``) and each draw's
    rank correlation with the nominal ranking (``rho``)."""
    n = len(model.ids)
    weights = _draw_weights(rng, model.weights, concentration, draws)
    nominal_geo = model.rubric.aggregation == GEOMETRIC
    geometric = (rng.random(draws) < 0.5) if switch else np.full(draws, nominal_geo)
    variant = xs = caps = None
    if resample:
        n_raters = len(result.agreement.raters)
        picks = rng.integers(0, n_raters, size=(draws, n_raters))
        variant, xs, caps = _rater_variants(result, model, picks)
    if math.isinf(concentration) and not switch and not resample:
        # exactly the rubric's weights: the scorer's own aggregate, so the ranking is the nominal
        total_score, *_ = aggregate(
            model.x, model.weights, model.rubric.aggregation, model.rubric.missing.min_weight_share
        )
        fixed = np.tile(total_score, (draws, 1))
        chunks = [(0, draws, fixed, bands_many(fixed, model.rubric, model.caps))]
    else:
        chunks = None
    _, nominal_mean_rank = ranks_many(model.nominal_score[None, :])
    ranks = np.empty((draws, n), dtype=np.int32)
    scores_kept = np.empty((draws, n), dtype=np.float32)
    band_counts = np.zeros((len(model.rubric.bands), n), dtype=np.int64)
    rho = np.empty(draws)
    step = max(1, CHUNK_CELLS // max(n, 1))
    starts = range(0, draws, step)
    for i in starts:
        j = min(draws, i + step)
        if chunks is not None:
            s, b = chunks[0][2][i:j], chunks[0][3][i:j]
        else:
            s, b = _evaluate(
                model,
                weights[i:j],
                geometric[i:j],
                None if variant is None else variant[i:j],
                xs,
                caps,
            )
        best, mean = ranks_many(s)
        ranks[i:j] = best
        scores_kept[i:j] = s
        for k in range(len(model.rubric.bands)):
            band_counts[k] += (b == k).sum(axis=0)
        rho[i:j] = _row_pearson(mean, nominal_mean_rank[0])
        if progress is not None:
            progress(j, total)
    return {"ranks": ranks, "scores": scores_kept, "bands": band_counts, "rho": rho}
