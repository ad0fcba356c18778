"""Which choice moves the ranking most: Sobol indices of the mean absolute rank change, and the
ranking with each criterion left out."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd

from ...result import Result
from ...scoring import STATUS_SCORED, aggregate_many, ranks_many, score_frame
from .matrix import CHUNK_CELLS, GEOMETRIC, Model, Progress, scorer_inputs


def sobol_indices(
    model: Model,
    concentration: float,
    switch: bool,
    seed: int,
    base: int,
    progress: Progress | None,
    done: int,
    total: int,
) -> pd.DataFrame | None:
    """Sobol indices of the mean absolute rank change (SALib, Saltelli design)."""
    if math.isinf(concentration):
        return None
    from SALib.analyze import sobol as sobol_analyze
    from SALib.sample import sobol as sobol_sample
    from scipy.stats import gamma

    rubric = model.rubric
    positive = np.flatnonzero(model.weights > 0)
    names = [rubric.criteria[i].id for i in positive] + (["aggregation"] if switch else [])
    problem = {"num_vars": len(names), "names": names, "bounds": [[0.0, 1.0]] * len(names)}
    design = sobol_sample.sample(problem, base, calc_second_order=False, seed=seed)
    u = np.clip(design[:, : len(positive)], 1e-12, 1 - 1e-12)
    g = gamma.ppf(u, a=concentration * model.weights[positive])
    weights = np.zeros((len(design), len(model.weights)))
    weights[:, positive] = g / g.sum(axis=1, keepdims=True)
    nominal_geo = rubric.aggregation == GEOMETRIC
    geometric = design[:, -1] >= 0.5 if switch else np.full(len(design), nominal_geo)
    y = np.empty(len(design))
    step = max(1, CHUNK_CELLS // max(len(model.ids), 1))
    for i in range(0, len(design), step):
        j = min(len(design), i + step)
        best, _ = ranks_many(aggregate_many(model.x, weights[i:j], geometric[i:j]))
        y[i:j] = np.abs(best - model.nominal_rank[None, :]).mean(axis=1)
        if progress is not None:
            progress(done + j, total)
    columns = ["S1", "S1_conf", "ST", "ST_conf"]
    if np.ptp(y) == 0:  # the ranking never moves: nothing to apportion
        return pd.DataFrame(0.0, index=pd.Index(names, name="factor"), columns=columns)
    # SALib seeds the bootstrap behind S1_conf and ST_conf only when ``seed`` is truthy (seed 0
    # would draw from NumPy's global state); it makes its generator with np.random.default_rng,
    # which hands a Generator back as it is: the same stream as the seed's, for every seed
    bootstrap = np.random.default_rng(seed)
    with np.errstate(invalid="ignore", divide="ignore"):
        si = sobol_analyze.analyze(
            problem, y, calc_second_order=False, print_to_console=False, seed=bootstrap
        )
    return pd.DataFrame(
        {c: np.asarray(si[c], dtype=float) for c in columns},
        index=pd.Index(names, name="factor"),
    )


def sobol_base(draws: int, factors: int) -> int:
    """Saltelli base sample size: the largest power of two whose design (``N * (d + 2)``
    evaluations) fits in ``draws``, at least 8."""
    fit = max(1, draws // (factors + 2))
    return max(8, 2 ** int(math.floor(math.log2(fit))))


def leave_one_out(result: Result) -> pd.DataFrame:
    """How the ranking changes with each weighted criterion dropped (weight 0, others
    renormalised), rescored by the real scorer.

    Columns: ``spearman`` (rho between nominal and new scores over engagements scored in both),
    ``mean_rank_change``, ``max_rank_change`` and ``most_moved`` (its engagement), ``band_changes``
    and ``now_insufficient`` (engagements whose evidence no longer suffices).
    """
    from scipy.stats import spearmanr

    rubric = result.rubric
    scored = result.scored
    frame = scorer_inputs(result, scored)
    rows = []
    for c in rubric.criteria:
        others = [o for o in rubric.criteria if o.id != c.id and o.weight > 0]
        if c.weight <= 0 or not others:  # dropping a criterion weighted 0 changes nothing
            continue
        dropped = rubric.with_weights({c.id: 0.0})
        new = score_frame(frame, dropped)
        ok = (new["status"] == STATUS_SCORED).to_numpy()
        new_rank = new["score"].where(ok).rank(method="min", ascending=False)
        change = (new_rank - scored["rank"].astype(float)).abs()[ok]
        rho = math.nan
        a, b = scored["score"][ok], new["score"][ok]
        if ok.sum() > 1 and np.ptp(a) > 0 and np.ptp(b) > 0:  # else rho is not defined
            rho = float(spearmanr(a, b).statistic)
        rows.append(
            {
                "criterion": c.id,
                "weight": c.weight,
                "spearman": rho,
                "mean_rank_change": float(change.mean()) if len(change) else math.nan,
                "max_rank_change": int(change.max()) if len(change) else 0,
                "most_moved": str(change.idxmax()) if len(change) and change.max() > 0 else "",
                "band_changes": int((new["band"][ok] != scored["band"][ok]).sum()),
                "now_insufficient": int((~ok).sum()),
            }
        )
    return pd.DataFrame(rows).set_index("criterion") if rows else pd.DataFrame()
