"""A sensitivity run: the Monte Carlo, the Sobol indices and the leave-one-out table on a
scored result, gathered into a :class:`~assess.analyses.sensitivity.result.Sensitivity`."""

from __future__ import annotations

import dataclasses
import math
import time
from collections.abc import Iterable
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import InputError, OptionError
from ...limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ...pipeline import scored
from ...result import Result
from ...rubric import DEFAULT_RUBRIC, Rubric
from .attribution import leave_one_out, sobol_base, sobol_indices
from .draws import monte_carlo
from .matrix import Model, Progress, build_model
from .result import Sensitivity

DEFAULT_DRAWS = 10_000
DEFAULT_CONCENTRATION = 50.0


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
    model = build_model(result)
    multi = result.agreement is not None and len(result.agreement.raters) > 1
    if resample_raters and not multi:
        raise InputError("resampling raters needs several raters' ratings")
    resample = multi if resample_raters is None else bool(resample_raters)
    n_factors = int((model.weights > 0).sum()) + bool(switch_aggregation)
    base = sobol_base(draws, n_factors)
    do_sobol = sobol and not math.isinf(concentration)
    total = draws + (base * (n_factors + 2) if do_sobol else 0)
    rng = np.random.default_rng(seed)
    mc = monte_carlo(
        model, result, draws, concentration, rng, switch_aggregation, resample, progress, total
    )
    engagements = _engagements(model, mc["ranks"], mc["scores"])
    names = model.rubric.band_names
    probability = pd.DataFrame((mc["bands"] / draws).T, index=engagements.index, columns=names)
    rho = mc["rho"]
    table = (
        sobol_indices(model, concentration, switch_aggregation, seed, base, progress, draws, total)
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


def _engagements(model: Model, ranks: np.ndarray, scores: np.ndarray) -> pd.DataFrame:
    """Each engagement's nominal score, rank and band, with its ranks and scores over the draws
    (see :class:`~assess.analyses.sensitivity.result.Sensitivity`)."""
    q = np.quantile(ranks, [0.05, 0.5, 0.95], axis=0, method="inverted_cdf")
    sq = np.quantile(scores, [0.05, 0.95], axis=0, method="inverted_cdf")
    names = model.rubric.band_names
    return pd.DataFrame(
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
    source : Result, str, Path, pandas.DataFrame or an iterable of them
        A scored :class:`~assess.result.Result`, or what :func:`assess.score` takes.
    rubric, sheet, id_column, allow_missing, max_input_size : optional
        As for :func:`assess.score` (ignored when ``source`` is a Result).
    draws : int, optional
        Monte Carlo draws of the weights.
    concentration : float, optional
        Dirichlet concentration ``K``: larger keeps the weights closer to the rubric's;
        ``float('inf')`` is the rubric's weights exactly.
    seed : int, optional
        Seed of every random draw: the same seed gives the same numbers.
    switch_aggregation : bool, optional
        Also draw the aggregation (arithmetic or geometric) for each draw.
    resample_raters : bool, optional
        For several raters' input, bootstrap the raters in each draw (default: yes when the
        input has several raters).
    sobol : bool, optional
        Also compute Sobol indices (a Saltelli design of about ``draws`` evaluations).
    progress : Progress, optional
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
