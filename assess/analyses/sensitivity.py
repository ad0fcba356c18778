"""How much the ranking depends on the weights: Monte Carlo and variance-based sensitivity.

:func:`sensitivity` rescored every scored engagement under many plausible weightings:

* **Weights** are drawn from a Dirichlet distribution centred on the rubric's weights,
  ``Dirichlet(K * w)``: its mean is the rubric's weights and ``K`` (the *concentration*) sets
  how far a draw may wander (a weight ``w`` has standard deviation ``sqrt(w (1 - w) / (K + 1))``;
  ``K = inf`` is the rubric's weights exactly).
* Optionally each draw also **switches the aggregation** (arithmetic or geometric, even odds) and,
  for several raters' input, **resamples the raters** (a bootstrap of the raters, recombined
  with the rubric's rule; a criterion no resampled rater rated keeps its combined rating).

Each draw is scored by the scorer's own kernel with a batch dimension
(:func:`assess.scoring.normalise`, then :func:`assess.scoring.aggregate_many`, the arithmetic of
:func:`assess.scoring.aggregate` for all draws and engagements at once, in chunks), banded by
:func:`assess.scoring.band_index` and :func:`assess.scoring.gate_caps`, and ranked by
:func:`assess.scoring.ranks_many`.  For each engagement: median rank, the 5-95 % rank interval,
and the probability of each band; overall, the mean Spearman rho between the nominal and the
perturbed rankings.

Which choice moves the ranking most: **Sobol first-order and total indices** (SALib; Saltelli
sampling) of the mean absolute rank change, with each criterion's weight (an independent gamma
variable, normalised with the others, which is how a Dirichlet draw is made) and the
aggregation switch as the factors; and a **leave-one-criterion-out** table from the real scorer.

A criterion weighted 0 is not a factor anywhere: it stays at 0 in every draw, is not a Sobol
factor and has no leave-one-out row (dropping it changes nothing).

The set of engagements ranked is the nominally scored one; an engagement whose evidence is
insufficient at the rubric's weights stays out of every draw.  Same seed, same numbers.
"""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..display import fixed
from ..errors import InputError, OptionError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..pipeline import scored
from ..result import Result
from ..rubric import DEFAULT_RUBRIC, Rubric
from ..scoring import (
    STATUS_SCORED,
    aggregate,
    aggregate_many,
    band_index,
    gate_caps,
    input_matrix,
    normalise,
    ranks_many,
    score_frame,
)

DEFAULT_DRAWS = 10_000
DEFAULT_CONCENTRATION = 50.0
#: draws x engagements scored per chunk (bounds memory; one progress step per chunk)
CHUNK_CELLS = 2_000_000
ARITHMETIC, GEOMETRIC = "weighted_arithmetic", "weighted_geometric"
Progress = Callable[[int, int], None]


# -- the scorer in matrix form --------------------------------------------------------------------


def bands_many(scores: np.ndarray, rubric: Rubric, caps: np.ndarray) -> np.ndarray:
    """Band index (0 = best) of each score in a ``(D, n)`` matrix, lowered to each engagement's
    gate cap, by the scorer's own cut-offs (:func:`assess.scoring.band_index`)."""
    return np.maximum(band_index(scores, rubric), caps[None, :]).astype(np.int16)


def _row_pearson(a: np.ndarray, b: np.ndarray) -> np.ndarray:
    """Pearson correlation of each row of ``a`` with the vector ``b`` (NaN if a row is flat)."""
    ac = a - a.mean(axis=1, keepdims=True)
    bc = b - b.mean()
    with np.errstate(invalid="ignore", divide="ignore"):
        return (ac @ bc) / np.sqrt((ac * ac).sum(axis=1) * (bc @ bc))


# -- the model: scored engagements as matrices -----------------------------------------------------


@dataclass
class _Model:
    rubric: Rubric
    ids: list[str]
    frame: pd.DataFrame  # the scorer's input columns, scored engagements only
    x: np.ndarray
    caps: np.ndarray
    weights: np.ndarray
    nominal_score: np.ndarray
    nominal_rank: np.ndarray
    nominal_band: np.ndarray


def _inputs(result: Result, rows: pd.DataFrame) -> pd.DataFrame:
    rubric = result.rubric
    cols = {}
    for c in rubric.criteria:
        if c.rated:
            cols[c.id] = rows[f"{c.id}.rating"].astype(float)
        for ind in c.indicators:
            cols[ind.id] = rows[f"{ind.id}.value"].astype(float)
    return pd.DataFrame(cols, index=rows.index)


def _gate_caps(frame: pd.DataFrame, rubric: Rubric) -> np.ndarray:
    """The band each engagement's gates cap it at (0 = no cap), by the scorer's own rules."""
    return gate_caps(input_matrix(frame, rubric), rubric).astype(np.int16)


def _model(result: Result) -> _Model:
    rubric = result.rubric
    scored = result.scored
    if scored.empty:
        raise InputError("no engagement was scored, so there is no ranking to test")
    frame = _inputs(result, scored)
    names = rubric.band_names
    return _Model(
        rubric=rubric,
        ids=[str(i) for i in scored.index],
        frame=frame,
        x=normalise(frame, rubric),
        caps=_gate_caps(frame, rubric),
        weights=np.array([c.weight for c in rubric.criteria], dtype=float),
        nominal_score=scored["score"].to_numpy(dtype=float),
        nominal_rank=scored["rank"].to_numpy(dtype=np.int64),
        nominal_band=np.array([names.index(b) for b in scored["band"]]),
    )


# -- results --------------------------------------------------------------------------------------


@dataclass
class Sensitivity:
    """What the Monte Carlo and Sobol runs found (see the module docstring).

    ``engagements`` (indexed by id, best nominal rank first): ``score``, ``rank``, ``band`` at the
    rubric's weights; ``rank_median``, ``rank_p05``, ``rank_p95`` over the draws; ``rank_low`` and
    ``rank_high``, the 5-95 % interval widened where needed to hold the nominal rank (which can
    fall outside it when the engagement ties others at the nominal weights); ``score_p05``,
    ``score_p95``.  ``band_probability`` has one column per band (best first), each row summing
    to 1.  ``sobol`` has ``S1``, ``S1_conf``, ``ST``, ``ST_conf`` per factor (None when the
    weights do not vary); ``leave_one_out`` one row per criterion dropped.
    """

    draws: int
    concentration: float
    seed: int
    switch_aggregation: bool
    resample_raters: bool
    aggregation: str
    engagements: pd.DataFrame
    band_probability: pd.DataFrame
    mean_spearman: float
    spearman_p05: float
    sobol: pd.DataFrame | None
    sobol_n: int
    leave_one_out: pd.DataFrame
    seconds: float = field(default=0.0, compare=False)

    @property
    def outside(self) -> int:
        """Engagements whose nominal rank lies outside their 5-95 % rank range."""
        e = self.engagements
        return int(((e["rank"] < e["rank_p05"]) | (e["rank"] > e["rank_p95"])).sum())

    def summary_line(self) -> str:
        k = "inf" if math.isinf(self.concentration) else f"{self.concentration:g}"
        extra = "".join(
            [
                ", aggregation switched" if self.switch_aggregation else "",
                ", raters resampled" if self.resample_raters else "",
            ]
        )
        return (
            f"{self.draws} draws (concentration {k}, seed {self.seed}{extra}) over "
            f"{len(self.engagements)} engagements: mean Spearman rho {fixed(self.mean_spearman, 3)}"
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``sensitivity`` block of the JSON contract (no timings: output is reproducible)."""
        e = self.engagements
        p = self.band_probability
        items = []
        for eid, row in e.iterrows():
            items.append(
                {
                    "id": eid,
                    "score": _num(row["score"]),
                    "rank": int(row["rank"]),
                    "band": row["band"],
                    "rank_median": _num(row["rank_median"]),
                    "rank_p05": int(row["rank_p05"]),
                    "rank_p95": int(row["rank_p95"]),
                    "rank_interval": [int(row["rank_low"]), int(row["rank_high"])],
                    "score_p05": _num(row["score_p05"]),
                    "score_p95": _num(row["score_p95"]),
                    "band_probability": {b: _num(p.loc[eid, b]) for b in p.columns},
                }
            )
        sobol = None
        if self.sobol is not None:
            sobol = {
                "output": "mean absolute rank change",
                "base_samples": self.sobol_n,
                "factors": {
                    f: {k: _num(v) for k, v in row.items()} for f, row in self.sobol.iterrows()
                },
            }
        return {
            "draws": self.draws,
            "concentration": None if math.isinf(self.concentration) else self.concentration,
            "seed": self.seed,
            "switch_aggregation": self.switch_aggregation,
            "resample_raters": self.resample_raters,
            "aggregation": self.aggregation,
            "mean_spearman": _num(self.mean_spearman),
            "spearman_p05": _num(self.spearman_p05),
            "nominal_outside_interval": self.outside,
            "engagements": items,
            "sobol": sobol,
            "leave_one_out": [
                {"criterion": cid, **{k: _json(v) for k, v in row.items()}}
                for cid, row in self.leave_one_out.iterrows()
            ],
        }


def _num(value: Any) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


def _json(value: Any) -> Any:
    if isinstance(value, (np.integer,)):
        return int(value)
    if isinstance(value, (float, np.floating)):
        return _num(value)
    return value


# -- the runs -------------------------------------------------------------------------------------


def _draw_weights(rng: np.random.Generator, w0: np.ndarray, k: float, draws: int) -> np.ndarray:
    if math.isinf(k):
        return np.tile(w0, (draws, 1))
    out = np.zeros((draws, len(w0)))
    pos = w0 > 0  # a criterion weighted 0 stays at 0
    out[:, pos] = rng.dirichlet(k * w0[pos], size=draws)
    return out


def _rater_variants(
    result: Result, model: _Model, picks: np.ndarray
) -> tuple[np.ndarray, list[np.ndarray], list[np.ndarray]]:
    """For each distinct bootstrap of the raters: the normalised matrix and the gate caps.
    Returns (variant of each draw, matrices, caps)."""
    from ..raters import combine_values

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
        caps.append(_gate_caps(frame, model.rubric))
    return np.asarray(variant).reshape(-1), xs, caps


def _evaluate(
    model: _Model,
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


def _monte_carlo(
    model: _Model,
    result: Result,
    draws: int,
    concentration: float,
    rng: np.random.Generator,
    switch: bool,
    resample: bool,
    progress: Progress | None,
    total: int,
) -> dict[str, Any]:
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


def _sobol(
    model: _Model,
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
    frame = _inputs(result, scored)
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


def _check_options(draws: int, concentration: float) -> None:
    """Refuse draws or a concentration out of range, before any work."""
    if draws < 1:
        raise OptionError(f"draws must be at least 1, not {draws}")
    if not concentration > 0:
        raise OptionError(f"the concentration must be greater than 0, not {concentration:g}")


def run_sensitivity(
    result: Result,
    draws: int = DEFAULT_DRAWS,
    concentration: float = DEFAULT_CONCENTRATION,
    seed: int = 0,
    switch_aggregation: bool = False,
    resample_raters: bool | None = None,
    sobol: bool = True,
    progress: Progress | None = None,
) -> Sensitivity:
    """Run the Monte Carlo, Sobol and leave-one-out analyses on a scored result.

    See :func:`sensitivity` for the parameters.
    """
    _check_options(draws, concentration)
    started = time.perf_counter()
    model = _model(result)
    multi = result.agreement is not None and len(result.agreement.raters) > 1
    if resample_raters and not multi:
        raise InputError("resampling raters needs several raters' ratings")
    resample = multi if resample_raters is None else bool(resample_raters)
    n_factors = int((model.weights > 0).sum()) + bool(switch_aggregation)
    base = sobol_base(draws, n_factors)
    do_sobol = sobol and not math.isinf(concentration)
    total = draws + (base * (n_factors + 2) if do_sobol else 0)
    rng = np.random.default_rng(seed)
    mc = _monte_carlo(
        model, result, draws, concentration, rng, switch_aggregation, resample, progress, total
    )
    ranks, scores = mc["ranks"], mc["scores"]
    q = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    sq = np.quantile(scores, [0.05, 0.95], axis=0, method="inverted_cdf")
    names = model.rubric.band_names
    engagements = pd.DataFrame(
        {
            "score": model.nominal_score,
            "rank": model.nominal_rank,
            "band": [names[b] for b in model.nominal_band],
            "rank_median": q[1].astype(float),
            "rank_p05": q[0].astype(np.int64),
            "rank_p95": q[2].astype(np.int64),
            "rank_low": np.minimum(q[0], model.nominal_rank).astype(np.int64),
            "rank_high": np.maximum(q[2], model.nominal_rank).astype(np.int64),
            "score_p05": np.round(sq[0].astype(float), 6),
            "score_p95": np.round(sq[1].astype(float), 6),
        },
        index=pd.Index(model.ids, name="id"),
    )
    probability = pd.DataFrame((mc["bands"] / draws).T, index=engagements.index, columns=names)
    rho = mc["rho"]
    table = (
        _sobol(model, concentration, switch_aggregation, seed, base, progress, draws, total)
        if do_sobol
        else None
    )
    return Sensitivity(
        draws=draws,
        concentration=float(concentration),
        seed=seed,
        switch_aggregation=bool(switch_aggregation),
        resample_raters=resample,
        aggregation=model.rubric.aggregation,
        engagements=engagements,
        band_probability=probability,
        mean_spearman=float(np.nanmean(rho)) if np.isfinite(rho).any() else math.nan,
        spearman_p05=float(np.nanquantile(rho, 0.05)) if np.isfinite(rho).any() else math.nan,
        sobol=table,
        sobol_n=base if table is not None else 0,
        leave_one_out=leave_one_out(result),
        seconds=time.perf_counter() - started,
    )


def sensitivity(
    source: Result | str | Path | pd.DataFrame | Iterable[str | Path | pd.DataFrame],
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    sheet: str | int | None = None,
    *,
    draws: int = DEFAULT_DRAWS,
    concentration: float = DEFAULT_CONCENTRATION,
    seed: int = 0,
    switch_aggregation: bool = False,
    resample_raters: bool | None = None,
    sobol: bool = True,
    progress: Progress | None = None,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Result:
    """How sure is the ranking?  Rescore under many plausible weightings.

    Parameters
    ----------
    source:
        A scored :class:`~assess.result.Result`, or what :func:`assess.score` takes.
    rubric, sheet, id_column, allow_missing, max_input_size:
        As for :func:`assess.score` (ignored when ``source`` is a Result).
    draws:
        Monte Carlo draws of the weights.
    concentration:
        Dirichlet concentration ``K``: larger keeps the weights closer to the rubric's;
        ``float('inf')`` is the rubric's weights exactly.
    seed:
        Seed of every random draw: the same seed gives the same numbers.
    switch_aggregation:
        Also draw the aggregation (arithmetic or geometric) for each draw.
    resample_raters:
        For several raters' input, bootstrap the raters in each draw (default: yes when the
        input has several raters).
    sobol:
        Also compute Sobol indices (a Saltelli design of about ``draws`` evaluations).
    progress:
        Called as ``progress(done, total)`` after each chunk of evaluations.

    Returns
    -------
    Result
        A copy of the scored result whose ``sensitivity`` holds a :class:`Sensitivity`; every
        report writer includes it.

    Raises
    ------
    OptionError
        ``draws`` is below 1 or ``concentration`` is not greater than 0 (checked before the
        input is read).

    Examples
    --------
    >>> import assess
    >>> result = assess.sensitivity("examples/engagements.xlsx", draws=2000, seed=1)
    >>> s = result.sensitivity
    >>> bool(((s.engagements["rank_low"] <= s.engagements["rank"])
    ...       & (s.engagements["rank"] <= s.engagements["rank_high"])).all())
    True
    """
    _check_options(draws, concentration)
    result = scored(
        source,
        rubric,
        sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    report = run_sensitivity(
        result,
        draws=draws,
        concentration=concentration,
        seed=seed,
        switch_aggregation=switch_aggregation,
        resample_raters=resample_raters,
        sobol=sobol,
        progress=progress,
    )
    return dataclasses.replace(result, sensitivity=report)


__all__ = [
    "DEFAULT_CONCENTRATION",
    "DEFAULT_DRAWS",
    "Sensitivity",
    "bands_many",
    "leave_one_out",
    "ranks_many",
    "run_sensitivity",
    "sensitivity",
    "sobol_base",
]
