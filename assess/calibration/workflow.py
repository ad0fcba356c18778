"""The whole calibration, as ``assess calibrate`` runs it: read the cases, fit (or compute)
the new weights, cross-validate them against the expert and equal weights on the same folds,
bootstrap their intervals, gather the warnings, recommend, and build the calibrated rubric.

:func:`calibrate` returns a :class:`~assess.calibration.result.Calibration`; given an
``output`` path it refuses an unusable one before any work and writes the calibrated rubric
there at the end.
"""

from __future__ import annotations

import time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from ..scoring import normalise
from .cases import Cases, read_cases
from .diagnostics import (
    ahp_warnings,
    coverage_warnings,
    data_warnings,
    fit_warnings,
    levels_warnings,
)
from .estimator import DEFAULT_PRIOR_GRID, RubricCalibrator
from .evaluation import METRICS, Evaluation, bootstrap_weights, cross_validate
from .result import Calibration
from .rubric_out import (
    bump_version,
    check_rubric_output,
    recalibrated_bands,
    reweighted,
    rubric_file,
)
from .weighting import (
    OUTCOME_FREE_METHODS,
    AHPResult,
    ahp_weights,
    critic_weights,
    entropy_weights,
    equal_weights,
    read_pairwise,
)

#: ``method`` values: weights fitted to the outcome, or an outcome-free weighting
METHODS = ("fit", *OUTCOME_FREE_METHODS)

#: ``on_progress(stage, done, total)``, called while cross-validating and resampling
Progress = Callable[[str, int, int], None]


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
    output: str | Path | None = None,
    force: bool = False,
    on_progress: Progress | None = None,
    id_column: str | None = None,
    allow_missing: str | Sequence[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Calibration:
    """Calibrate a rubric's weights against past cases; what ``assess calibrate`` runs.

    Parameters
    ----------
    cases : str, Path or DataFrame
        The past cases: a spreadsheet (read like engagements) or a DataFrame laid out like one.
    outcome : str, optional
        Header of the outcome column.  Required for ``method="fit"``; with an outcome-free
        method it adds the out-of-sample comparison.
    rubric : str, Path or Rubric
        The rubric whose weights are calibrated (its weights are the expert weights).
    sheet : str or int, optional
        Which sheet of the cases workbook.
    kind : str
        The outcome's kind: ``auto``, ``numeric``, ``binary`` or ``ordinal``.
    levels : sequence of str, optional
        For ordinal outcomes, their levels worst first (default: the rubric's band names).
    method : str
        ``fit`` (weights fitted to the outcome), or ``equal``, ``entropy``, ``critic``, ``ahp``.
    prior_strength : float, optional
        Shrinkage toward the expert weights; ``None`` chooses it from ``prior_grid`` by inner
        cross-validation.
    prior_grid : sequence of float
        The strengths that choice is made from.
    folds, repeats, seed : int
        Repeated k-fold cross-validation comparing the weightings on the same folds.
    bootstrap : int
        Resamples for the weights' 90 % intervals (0: none).
    pairwise, pairwise_sheet : str or Path, str; optional
        For ``ahp``: the workbook holding the pairwise-comparison table (layout in
        :mod:`assess.calibration.weighting`) and its sheet; by default the cases workbook.
    output : str or Path, optional
        Where to write the calibrated rubric (``.yaml``).  The path is checked before any work:
        a folder, another suffix, the input rubric's own file (even with ``force``), the cases
        file, or an existing file without ``force`` raise :class:`~assess.OutputError`.
    force : bool
        Replace an existing ``output`` file.
    on_progress : callable, optional
        Called as ``on_progress(stage, done, total)`` while cross-validating and resampling.
    id_column, allow_missing, max_input_size
        As for :func:`assess.score` (a case id column named ``Case``, say); the size limit
        applies to the pairwise workbook too.

    Returns
    -------
    Calibration
        With ``output`` given, ``cal.output`` is the path written and ``cal.calibrated`` the
        rubric as loaded back from it.

    Examples
    --------
    >>> import assess
    >>> import tempfile, pathlib
    >>> out = pathlib.Path(tempfile.mkdtemp()) / "calibrated.yaml"
    >>> cal = assess.calibrate("examples/past_cases.xlsx", "Outcome", bootstrap=20, output=out)
    >>> cal.recommendation, cal.output == str(out)
    ('keep-expert', True)
    """
    started = time.perf_counter()
    rubric_path = rubric_file(rubric)
    if output is not None:  # refuse an unusable output path before the work, not after it
        check_rubric_output(
            output, force=force, rubric_path=rubric_path, cases_path=_file_of(cases)
        )
    _check_arguments(method, outcome, folds=folds, repeats=repeats, bootstrap=bootstrap)
    rub = load_rubric(rubric)
    data = _usable_cases(
        cases, rub, outcome, sheet, kind, levels, id_column, allow_missing, max_input_size
    )
    ahp = _read_ahp(method, data, pairwise, pairwise_sheet, max_input_size)
    progress = on_progress or (lambda stage, done, total: None)
    params = _estimator_params(data, seed, prior_strength, prior_grid)
    X, y = data.X, (data.y if data.outcome is not None else None)
    name = "calibrated" if method == "fit" else method
    est = RubricCalibrator(**params).fit(X, y) if method == "fit" else None
    new = est.weights_ if est is not None else _outcome_free(method, rub, X, ahp)
    draws = bootstrap_weights(
        method, X, y, est, rub, bootstrap, seed, lambda d, t: progress("bootstrap", d, t)
    )
    evaluation, comparisons = _compare(name, new, params, X, y, folds, repeats, seed, progress)
    recommendation, text = _recommend(name, comparisons, evaluation)
    cal = Calibration(
        rubric=rub,
        calibrated=rub,
        method=method,
        cases=data,
        weights=_weights_table(rub, name, new, draws, X, ahp),
        estimator=est,
        evaluation=evaluation,
        comparisons=comparisons,
        ahp=ahp,
        bootstrap=bootstrap if draws is not None else 0,
        prior_chosen_by=_prior_chosen_by(est, prior_strength),
        prior_grid=tuple(float(g) for g in prior_grid),
        warnings=_warnings(
            data, method, ahp, est, new, text if recommendation == "keep-expert" else None
        ),
        recommendation=recommendation,
        recommendation_text=text,
        date=_today(),
        rubric_path=rubric_path,
    )
    _make_calibrated_rubric(cal, new)
    cal.seconds = time.perf_counter() - started
    if output is not None:
        cal.write_rubric(output, force=force)
    return cal


def _usable_cases(
    cases: str | Path | pd.DataFrame,
    rubric: Rubric,
    outcome: str | None,
    sheet: str | int | None,
    kind: str,
    levels: Sequence[str] | None,
    id_column: str | None,
    allow_missing: str | Sequence[str] | None,
    max_input_size: MaxSize,
) -> Cases:
    """The past cases, read as :func:`~assess.calibration.cases.read_cases` reads them;
    refused when none of them can be used."""
    data = read_cases(
        cases,
        rubric,
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
    return data


def _file_of(cases: str | Path | pd.DataFrame) -> str | None:
    """The cases file, which the calibrated rubric may not overwrite (none for a DataFrame)."""
    return str(cases) if isinstance(cases, (str, Path)) else None


def _check_arguments(
    method: str, outcome: str | None, *, folds: int, repeats: int, bootstrap: int
) -> None:
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


def _read_ahp(
    method: str,
    data: Cases,
    pairwise: str | Path | None,
    sheet: str | None,
    max_input_size: MaxSize,
) -> AHPResult | None:
    """AHP weights from the pairwise-comparison table, for ``ahp`` or when one is given."""
    if method != "ahp" and pairwise is None:
        return None
    matrix, _ = read_pairwise(
        pairwise or data.path, data.rubric, sheet=sheet, max_input_size=max_input_size
    )
    return ahp_weights(matrix, tuple(data.rubric.ids))


def _estimator_params(
    data: Cases, seed: int, prior_strength: float | None, prior_grid: Sequence[float]
) -> dict[str, Any]:
    """What every :class:`RubricCalibrator` of this calibration shares (nothing without an
    outcome)."""
    if data.outcome is None:
        return {}
    params: dict[str, Any] = {}
    if data.kind != "numeric":
        params["levels"] = list(data.levels)
    params.update(rubric=data.rubric, kind=data.kind, random_state=seed)
    params.update(prior_strength=prior_strength, prior_grid=tuple(prior_grid))
    return params


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


def _weights_table(
    rubric: Rubric,
    name: str,
    new: np.ndarray,
    draws: np.ndarray | None,
    X: pd.DataFrame,
    ahp: AHPResult | None,
) -> pd.DataFrame:
    """The weightings side by side: expert, the new ones (with their bootstrap 90 % interval),
    then every other outcome-free one available."""
    expert = np.array([c.weight for c in rubric.criteria])
    table = pd.DataFrame({"expert": expert}, index=pd.Index(rubric.ids, name="criterion"))
    table[name] = new
    if draws is not None:
        table["low"], table["high"] = np.percentile(draws, [5, 95], axis=0)
    for other in OUTCOME_FREE_METHODS:
        if other not in table and (other != "ahp" or ahp is not None):
            table[other] = _outcome_free(other, rubric, X, ahp)
    return table


def _compare(
    name: str,
    new: np.ndarray,
    params: dict[str, Any],
    X: pd.DataFrame,
    y: np.ndarray | None,
    folds: int,
    repeats: int,
    seed: int,
    progress: Progress,
) -> tuple[Evaluation | None, dict[str, dict[str, Any]]]:
    """Cross-validate the new weights against the expert and equal ones on the same folds
    (nothing without an outcome), and test them against each."""
    if y is None:
        return None, {}
    evaluation = cross_validate(
        X,
        y,
        _contenders(name, new, params),
        folds=folds,
        repeats=repeats,
        seed=seed,
        on_split=lambda d, t: progress("cross-validation", d, t),
    )
    comparisons = {
        other: evaluation.compare(name, other)
        for other in dict.fromkeys(evaluation.folds["weighting"])
        if other != name
    }
    return evaluation, comparisons


def _contenders(name: str, new: np.ndarray, params: dict[str, Any]) -> dict[str, RubricCalibrator]:
    """The weightings compared: fitted weights are refitted on every training fold; fixed
    weights (the new outcome-free ones, the expert and equal ones) get their link fitted."""
    fixed = {**params, "fit_weights": False}
    estimators: dict[str, RubricCalibrator] = {}
    if name == "calibrated":
        estimators[name] = RubricCalibrator(**params)
    elif name != "equal":
        estimators[name] = RubricCalibrator(**fixed, expert_weights=tuple(new))
    estimators["expert"] = RubricCalibrator(**fixed)
    estimators["equal"] = RubricCalibrator(**fixed, expert_weights=tuple(equal_weights(len(new))))
    return estimators


def _prior_chosen_by(est: RubricCalibrator | None, prior_strength: float | None) -> str | None:
    if est is None:
        return None
    return "given" if prior_strength is not None else "cross-validation"


def _warnings(
    data: Cases,
    method: str,
    ahp: AHPResult | None,
    est: RubricCalibrator | None,
    new: np.ndarray,
    advice: str | None,
) -> list[str]:
    """Everything the calibration warns of, in the order it is reported; ``advice`` is the
    recommendation to keep the expert weights, when it is one."""
    rub, X = data.rubric, data.X
    notes = [*data.notes, *(data_warnings(rub, X) if method == "fit" else [])]
    notes += ahp_warnings(ahp)
    if data.outcome is not None and data.kind != "numeric":
        notes += levels_warnings(data.levels, data.outcome.to_numpy())
    if est is not None:
        notes += fit_warnings(rub, est.weights_, np.array([c.weight for c in rub.criteria]), est)
    notes += coverage_warnings(rub, X, new)
    if advice:
        notes.append(advice)
    return notes


def _make_calibrated_rubric(cal: Calibration, new: np.ndarray) -> None:
    """``cal.calibrated``: the rubric with the new weights, a version marking it as derived
    from data, the ordinal cut-offs as band minimums where the levels are the bands, and the
    provenance block."""
    rub, est = cal.rubric, cal.estimator
    tag = f"{'cal' if cal.method == 'fit' else cal.method}.{cal.date.replace('-', '')}"
    changes: dict[str, Any] = {"version": bump_version(rub.version, tag)}
    if est is not None and est.kind == "ordinal":
        bands, problem = recalibrated_bands(rub, est.classes_, est.thresholds_)
        if bands is not None:
            changes["bands"], cal.cutoffs_applied = bands, True
        elif problem:
            cal.warnings.append(problem)
    changes["calibration"] = cal.provenance()
    cal.calibrated = reweighted(rub, new, **changes)


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
