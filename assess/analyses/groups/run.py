"""``assess.compare``: scores compared across the groups of one carried column (and crossed
with a second), with bootstrap intervals, rank tests and Holm's correction."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from pathlib import Path

import numpy as np
import pandas as pd

from ...errors import OptionError
from ...limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ...pipeline import Source, scored
from ...result import Result
from ...rubric import DEFAULT_RUBRIC, Rubric
from ...scoring import STATUS_INSUFFICIENT, STATUS_SCORED
from .membership import (
    Membership,
    assign,
    cell_names,
    group_column,
    group_order,
    rejected_groups,
)
from .result import GROUP_COLUMNS, Comparison
from .statistics import bootstrap_means, bootstrap_medians, interval, overall_test, pairwise


def compare(
    source: Result | Source | Iterable[Source],
    by: str | Sequence[str],
    *,
    split: str | None = None,
    confidence: float = 0.90,
    resamples: int = 2000,
    seed: int = 0,
    alpha: float = 0.05,
    small: int = 5,
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    sheet: str | int | None = None,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Comparison:
    """Compare scores across the groups of a carried column: do strategic dialogues score
    better than joint exercises, and is the difference more than noise?

    Parameters
    ----------
    source : Result, Source or Iterable[Source]
        A scored :class:`~assess.result.Result`, or what :func:`assess.score` takes.
    by : str or Sequence[str]
        The carried column to group by (``"Type"``), or two: the groups and tests are by the
        first, and a cross-table of mean score and count per cell adds the second.
    split : str, optional
        Split cells at this separator (``";"``): an engagement whose cell lists several
        values counts in each of them (the counts then overlap).  A blank cell is the group
        ``"(missing)"``.
    confidence : float, optional
        Confidence of the bootstrap intervals (default 0.90).
    resamples : int, optional
        Bootstrap resamples per group (default 2000).
    seed : int, optional
        Random seed of the bootstrap: the same seed gives the same intervals.
    alpha : float, optional
        Level at which a Holm-corrected pairwise p-value counts as a difference (0.05).
    small : int, optional
        Groups with fewer scored engagements than this (5) are shown, flagged and left out of
        the tests.
    rubric, sheet, id_column, allow_missing, max_input_size
        As for :func:`assess.score`, when ``source`` is not already scored.

    Returns
    -------
    Comparison
        Per group: counts, mean and median with their intervals, band mix, criterion profile
        and share capped by a gate; Kruskal–Wallis over the groups; each pair's Mann–Whitney
        test, Cliff's δ and difference in means with Holm-corrected p-values; and the
        cross-table for two columns.

    Raises
    ------
    AssessError
        ``OptionError`` for a column that is not there or an option out of range;
        ``RubricError`` or ``InputError`` when the input cannot be read.

    Examples
    --------
    >>> import assess
    >>> comparison = assess.compare("examples/engagements.xlsx", by="Type")
    >>> comparison.headline()
    'no difference detectable with these numbers'
    """
    columns = _check(by, split, confidence, resamples, alpha, small)
    result = scored(
        source,
        rubric=rubric,
        sheet=sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    cols = [group_column(c, result.carried_columns) for c in columns]
    if len(cols) == 2 and cols[0] == cols[1]:
        raise OptionError(f"--by names the column {cols[0]!r} twice")
    eng = result.engagements
    rejected, unknown = rejected_groups(result.rejected, cols[0], split)
    names = group_order(cell_names(eng[cols[0]], split) | {g for gs in rejected for g in gs})
    member = assign(eng[cols[0]], split, names)
    table, samples = _describe(result, member, rejected)
    table["small"] = table["n"].to_numpy() < small
    table["tested"] = table["n"].to_numpy() >= max(small, 1)
    boot = _intervals(table, samples, confidence, resamples, seed)
    tested = {g: samples[g] for g in names if table.at[g, "tested"]}
    cross_mean, cross_n = _cross(result, member, cols, split) if len(cols) == 2 else (None, None)
    return Comparison(
        by=tuple(cols),
        split=split,
        confidence=confidence,
        resamples=resamples,
        seed=seed,
        alpha=alpha,
        small=small,
        groups=table[GROUP_COLUMNS],
        bands=_bands(result, member),
        profile=_profile(result, member),
        overall_profile=_overall_profile(result),
        overall_test=overall_test(tested),
        pairs=pairwise(tested, boot, confidence=confidence, alpha=alpha),
        cross_mean=cross_mean,
        cross_n=cross_n,
        in_several=member.in_several,
        unknown_rejected=unknown,
        result=result,
    )


def _check(
    by: str | Sequence[str],
    split: str | None,
    confidence: float,
    resamples: int,
    alpha: float,
    small: int,
) -> list[str]:
    """The ``by`` columns as a list, once every option is known to be in range."""
    columns = [by] if isinstance(by, str) else list(by)
    if not 1 <= len(columns) <= 2:
        raise OptionError(f"compare by one column or two, not {len(columns)}")
    if split is not None and not split.strip():
        raise OptionError("--split needs a separator that is not blank, such as ';'")
    if not 0 < confidence < 1:
        raise OptionError(f"--confidence must be between 0 and 1 (e.g. 0.9), not {confidence}")
    if not 0 < alpha < 1:
        raise OptionError(f"alpha must be between 0 and 1 (e.g. 0.05), not {alpha}")
    if resamples < 1:
        raise OptionError(f"--resamples must be at least 1, not {resamples}")
    if small < 0:
        raise OptionError(f"small must be 0 or more, not {small}")
    return columns


def _status_at(result: Result, rows: np.ndarray, status: str) -> np.ndarray:
    return (result.engagements["status"].to_numpy() == status)[rows]


def _describe(
    result: Result, member: Membership, rejected: list[list[str]]
) -> tuple[pd.DataFrame, dict[str, np.ndarray]]:
    """Per group: counts, mean, median and share capped (intervals to come), and each group's
    scores."""
    eng = result.engagements
    size = len(member.names)
    ok = _status_at(result, member.rows, STATUS_SCORED)
    rows, codes = member.rows[ok], member.codes[ok]
    scores = eng["score"].to_numpy(dtype=float)[rows]
    capped = (eng["gates"].astype(str).to_numpy() != "")[rows]
    n = np.bincount(codes, minlength=size)
    order = np.argsort(codes, kind="stable")
    parts = np.split(scores[order], np.cumsum(n)[:-1])
    samples = dict(zip(member.names, parts, strict=True))
    index = {name: i for i, name in enumerate(member.names)}
    refused = np.bincount([index[g] for gs in rejected for g in gs], minlength=size).astype(
        np.int64
    )
    insufficient = _status_at(result, member.rows, STATUS_INSUFFICIENT)
    with np.errstate(invalid="ignore", divide="ignore"):
        table = pd.DataFrame(
            {
                "n": n,
                "mean": np.bincount(codes, weights=scores, minlength=size) / n,
                "median": [float(np.median(p)) if len(p) else np.nan for p in parts],
                "capped": np.bincount(codes, weights=capped, minlength=size) / n,
                "insufficient": np.bincount(member.codes[insufficient], minlength=size),
                "rejected": refused,
            },
            index=pd.Index(member.names, name="group", dtype=object),
        )
    return table, samples


def _intervals(
    table: pd.DataFrame,
    samples: dict[str, np.ndarray],
    confidence: float,
    resamples: int,
    seed: int,
) -> dict[str, np.ndarray]:
    """Fill in the bootstrap intervals of each group's mean and median (in place); each
    group's bootstrap means, for the pairwise differences."""
    rng = np.random.default_rng(seed)
    boot: dict[str, np.ndarray] = {}
    bounds: dict[str, list[float]] = {k: [] for k in GROUP_COLUMNS if k.endswith(("_low", "_high"))}
    for name, x in samples.items():
        boot[name] = bootstrap_means(x, resamples, rng)
        lo, hi = interval(boot[name], confidence, len(x))
        bounds["mean_low"].append(lo)
        bounds["mean_high"].append(hi)
        lo, hi = interval(bootstrap_medians(x, resamples, rng), confidence, len(x))
        bounds["median_low"].append(lo)
        bounds["median_high"].append(hi)
    for key, values in bounds.items():
        table[key] = values
    return boot


def _bands(result: Result, member: Membership) -> pd.DataFrame:
    """Scored engagements per group and band."""
    names = result.rubric.band_names
    ok = _status_at(result, member.rows, STATUS_SCORED)
    band = pd.Categorical(result.engagements["band"].to_numpy(dtype=object), categories=names)
    codes = band.codes[member.rows[ok]].astype(np.int64)
    cells = np.bincount(
        member.codes[ok] * len(names) + codes, minlength=len(member.names) * len(names)
    )
    return pd.DataFrame(
        cells.reshape(len(member.names), len(names)),
        index=pd.Index(member.names, name="group", dtype=object),
        columns=names,
    )


def _profile(result: Result, member: Membership) -> pd.DataFrame:
    """Each criterion's mean normalised value per group, over its scored engagements."""
    ok = _status_at(result, member.rows, STATUS_SCORED)
    rows, codes = member.rows[ok], member.codes[ok]
    size = len(member.names)
    out = {}
    for cid in result.rubric.ids:
        x = result.engagements[f"{cid}.normalised"].to_numpy(dtype=float)[rows]
        rated = ~np.isnan(x)
        total = np.bincount(codes, weights=np.where(rated, x, 0.0), minlength=size)
        count = np.bincount(codes, weights=rated, minlength=size)
        with np.errstate(invalid="ignore", divide="ignore"):
            out[cid] = total / count
    return pd.DataFrame(out, index=pd.Index(member.names, name="group", dtype=object))


def _overall_profile(result: Result) -> pd.Series:
    """Each criterion's mean normalised value over every scored engagement, each once."""
    eng = result.scored
    return pd.Series(
        {cid: float(eng[f"{cid}.normalised"].astype(float).mean()) for cid in result.rubric.ids},
        name="all",
        dtype=float,
    )


def _cross(
    result: Result, member: Membership, columns: list[str], split: str | None
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Mean score and scored engagements per cell of the first column's groups (``member``) by
    the second's; an empty cell is NaN with 0."""
    eng = result.engagements
    names = group_order(cell_names(eng[columns[1]], split))
    other = assign(eng[columns[1]], split, names)
    left = pd.DataFrame({"row": member.rows, "a": member.codes})
    right = pd.DataFrame({"row": other.rows, "b": other.codes})
    both = left.merge(right, on="row")
    both = both[_status_at(result, both["row"].to_numpy(), STATUS_SCORED)]
    both["score"] = eng["score"].to_numpy(dtype=float)[both["row"].to_numpy()]
    cells = both.groupby(["a", "b"])["score"].agg(["mean", "size"])
    shape = (len(member.names), len(names))
    mean, n = np.full(shape, np.nan), np.zeros(shape, dtype=np.int64)
    a = cells.index.get_level_values("a").to_numpy()
    b = cells.index.get_level_values("b").to_numpy()
    mean[a, b] = cells["mean"].to_numpy()
    n[a, b] = cells["size"].to_numpy()
    rows = pd.Index(member.names, name=columns[0], dtype=object)
    cols = pd.Index(names, name=columns[1], dtype=object)
    return pd.DataFrame(mean, index=rows, columns=cols), pd.DataFrame(n, index=rows, columns=cols)
