"""Several raters: how far they agree, and their combined ratings scored.

Several raters' ratings are read by :func:`assess.raters.read_ratings` (long format, or one
sheet per rater) and combined per engagement and criterion with the rubric's rule
(``raters: {combine: median}``; ``median`` by default, or ``mean``, ``trimmed_mean``); the
combined table is scored by the ordinary scorer (:func:`score_ratings`).  Agreement is
Krippendorff's alpha (ordinal) per criterion and over all rated criteria, computed by the
``krippendorff`` package, plus a flag on every engagement and criterion whose raters differ
by two levels or more (:func:`measure_agreement`).
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..display import rounded
from ..errors import InputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..raters import (
    COMBINE_RULES,
    DEFAULT_COMBINE,
    Ratings,
    combine_values,
    natural_key,
    read_ratings,
)
from ..read import Source
from ..result import Result, SourceInfo, engagement_rows, order_best_first
from ..rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from ..scoring import STATUS_SCORED, score_frame

#: Krippendorff's guide to alpha: >= 0.8 reliable, >= 0.667 tentative conclusions only, below
#: that unreliable.  Alpha is shown to three decimals (the precision of 0.667) and read on the
#: value shown, so that the reading beside a number is the one the legend gives for it.
ALPHA_RELIABLE, ALPHA_TENTATIVE, ALPHA_DECIMALS = 0.8, 0.667, 3
ALPHA_LEGEND = (
    "α ≥ 0.800: reliable; 0.667 to 0.799: tentative conclusions only; below 0.667: unreliable "
    "(Krippendorff)."
)
#: raters differing by this many levels or more on a criterion are flagged for review
DEFAULT_FLAG_AT = 2.0


# -- agreement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """An engagement and criterion on which the raters differ by ``flag_at`` levels or more."""

    id: str
    criterion: str
    spread: float
    ratings: dict[str, float]
    cells: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "criterion": self.criterion,
            "spread": self.spread,
            "ratings": self.ratings,
            "cells": list(self.cells),
        }


@dataclass
class Agreement:
    """How far several raters agree, and how their ratings were combined.

    ``alpha`` is Krippendorff's alpha (ordinal) per rated criterion and ``overall`` over every
    rated criterion together; NaN where it is not defined (fewer than two ratings of any unit,
    or one value only).  ``spread`` has one row per engagement and criterion: each rater's
    rating, the number of raters, min, max, range (max - min), standard deviation and the
    combined rating.  ``flags`` lists the cells where the range reaches ``flag_at`` levels.
    """

    combine: str
    flag_at: float
    raters: list[str]
    layout: str
    alpha: dict[str, float]
    overall: float
    units: dict[str, int]
    spread: pd.DataFrame
    flags: list[Flag]
    rows_read: int
    rows_rejected: int
    ratings: Ratings = field(repr=False)

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.rows_rejected

    def summary_line(self) -> str:
        a = shown_alpha(self.overall).text("n/a")
        return (
            f"{len(self.raters)} raters, combined by {self.combine.replace('_', ' ')}; "
            f"Krippendorff's alpha (ordinal) {a}; {len(self.flags)} ratings flagged "
            f"(raters {self.flag_at:g}+ levels apart)"
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``agreement`` block of the JSON contract."""
        spread = {}
        for (eid, cid), row in self.spread.iterrows():
            spread.setdefault(eid, {})[cid] = {
                "ratings": {r: _num(row[f"rater:{r}"]) for r in self.raters},
                "n": int(row["n"]),
                "min": _num(row["min"]),
                "max": _num(row["max"]),
                "range": _num(row["range"]),
                "sd": _num(row["sd"]),
                "combined": _num(row["combined"]),
            }
        return {
            "layout": self.layout,
            "raters": list(self.raters),
            "combine": self.combine,
            "flag_at": self.flag_at,
            "rows": {
                "read": self.rows_read,
                "used": self.rows_used,
                "rejected": self.rows_rejected,
            },
            "alpha": {
                "level": "ordinal",
                "overall": _num(self.overall),
                "criteria": {k: _num(v) for k, v in self.alpha.items()},
                "units": dict(self.units),
            },
            "flags": [f.to_dict() for f in self.flags],
            "spread": spread,
        }


def _num(value: Any) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


class ShownAlpha(NamedTuple):
    """Alpha as every output shows it: rounded once, and read on that rounded value."""

    value: float  #: rounded to ALPHA_DECIMALS; NaN when alpha is not defined
    reading: str  #: reliable, tentative, unreliable or not defined

    def text(self, blank: str = "–") -> str:
        return blank if math.isnan(self.value) else f"{self.value:.{ALPHA_DECIMALS}f}"


def shown_alpha(alpha: float | None) -> ShownAlpha:
    """Alpha rounded to the decimals shown, with Krippendorff's reading of that value.

    Examples
    --------
    >>> shown_alpha(0.6654)
    ShownAlpha(value=0.665, reading='unreliable')
    >>> shown_alpha(0.7996).text(), shown_alpha(0.7996).reading
    ('0.800', 'reliable')
    """
    if alpha is None or math.isnan(alpha):
        return ShownAlpha(math.nan, "not defined")
    # rounded as every output shows numbers (half away from zero, as the workbook does)
    value = float(rounded(float(alpha), ALPHA_DECIMALS)) + 0.0  # + 0.0: no "-0.000"
    if value >= ALPHA_RELIABLE:
        reading = "reliable"
    elif value >= ALPHA_TENTATIVE:
        reading = "tentative"
    else:
        reading = "unreliable"
    return ShownAlpha(value, reading)


def krippendorff_alpha(data: np.ndarray, domain: Iterable[float] = ()) -> float:
    """Krippendorff's alpha, ordinal, of ``data`` (raters x units, NaN = not rated).

    NaN when it is not defined: no unit rated twice, or a single value throughout.
    """
    import krippendorff

    data = np.asarray(data, dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    data = data[:, pairable]
    values = np.unique(data[~np.isnan(data)])
    if data.shape[1] == 0 or len(values) < 2:
        return math.nan
    full = np.union1d(values, np.asarray(list(domain), dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(krippendorff.alpha(data, level_of_measurement="ordinal", value_domain=full))


def measure_agreement(
    ratings: Ratings, combine: str | None = None, flag_at: float = DEFAULT_FLAG_AT
) -> Agreement:
    """Alpha per criterion and overall, the spread of every cell, and the flags.

    Parameters
    ----------
    ratings : Ratings
        As read by :func:`~assess.raters.read_ratings`.
    combine : str, optional
        ``median``, ``mean`` or ``trimmed_mean``; by default the rubric's rule (median).
    flag_at : float, optional
        Flag an engagement and criterion when its raters' ratings span this many levels.
    """
    rubric = ratings.rubric
    rule = combine or rubric_rule(rubric)
    if rule not in COMBINE_RULES:
        raise ValueError(
            f"unknown combination rule {rule!r}; use one of {', '.join(COMBINE_RULES)}"
        )
    v = ratings.values
    combined = combine_values(v, rule)
    alpha: dict[str, float] = {}
    units: dict[str, int] = {}
    pooled, pooled_domain = [], []
    same_scale = len({(c.scale.min, c.scale.max) for c in rubric.criteria if c.rated}) <= 1
    rows = []
    flags: list[Flag] = []
    for c in rubric.criteria:
        if not c.rated:
            continue
        j = ratings.inputs.index(c.id)
        data = v[:, :, j].T  # raters x units
        domain = [lv.value for lv in c.scale.levels]
        alpha[c.id] = krippendorff_alpha(data, domain)
        units[c.id] = int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
        span = c.scale.max - c.scale.min
        pooled.append(data if same_scale else (data - c.scale.min) / span)
        pooled_domain += domain if same_scale else [(d - c.scale.min) / span for d in domain]
        spread_rows, spread_flags = _spread(ratings, c.id, j, combined, flag_at)
        rows += spread_rows
        flags += spread_flags
    overall = (
        krippendorff_alpha(np.concatenate(pooled, axis=1), pooled_domain) if pooled else math.nan
    )
    columns = (
        ["id", "criterion"]
        + [f"rater:{r}" for r in ratings.raters]
        + ["n", "min", "max", "range", "sd", "combined", "flag"]
    )
    spread = pd.DataFrame(rows, columns=columns).set_index(["id", "criterion"])
    flags.sort(key=lambda f: (-f.spread, natural_key(f.id), f.criterion))
    n_rejected = len(ratings.rejected)
    return Agreement(
        combine=rule,
        flag_at=float(flag_at),
        raters=list(ratings.raters),
        layout=ratings.layout,
        alpha=alpha,
        overall=overall,
        units=units,
        spread=spread,
        flags=flags,
        rows_read=ratings.rows_read,
        rows_rejected=n_rejected,
        ratings=ratings,
    )


def _spread(
    ratings: Ratings, cid: str, j: int, combined: np.ndarray, flag_at: float
) -> tuple[list[dict[str, Any]], list[Flag]]:
    """The spread of criterion ``cid`` (input ``j``): a row per engagement with a rating of
    it, and a :class:`Flag` where its raters' ratings span ``flag_at`` levels or more."""
    cell = ratings.values[:, :, j]
    n = (~np.isnan(cell)).sum(axis=1)
    with np.errstate(invalid="ignore"):
        lo = np.where(n > 0, np.nanmin(np.where(n[:, None] > 0, cell, 0), axis=1), np.nan)
        hi = np.where(n > 0, np.nanmax(np.where(n[:, None] > 0, cell, 0), axis=1), np.nan)
    rows, flags = [], []
    for e, eid in enumerate(ratings.ids):
        if n[e] == 0:
            continue
        present = cell[e][~np.isnan(cell[e])]
        sd = float(np.std(present, ddof=1)) if n[e] > 1 else math.nan
        row = {"id": eid, "criterion": cid}
        row.update({f"rater:{r}": cell[e, k] for k, r in enumerate(ratings.raters)})
        row.update(
            n=int(n[e]),
            min=lo[e],
            max=hi[e],
            range=hi[e] - lo[e],
            sd=sd,
            combined=combined[e, j],
            flag=bool(n[e] > 1 and hi[e] - lo[e] >= flag_at - 1e-9),
        )
        rows.append(row)
        if row["flag"]:
            rated = [k for k in range(len(ratings.raters)) if not math.isnan(cell[e, k])]
            flags.append(
                Flag(
                    eid,
                    cid,
                    float(hi[e] - lo[e]),
                    {ratings.raters[k]: float(cell[e, k]) for k in rated},
                    tuple(ratings.cells[(e, k, j)] for k in rated if (e, k, j) in ratings.cells),
                )
            )
    return rows, flags


def rubric_rule(rubric: Rubric) -> str:
    """The rubric's rule for combining raters (``median`` unless it names another)."""
    policy = getattr(rubric, "raters", None)
    return getattr(policy, "combine", None) or DEFAULT_COMBINE


# -- scoring several raters ----------------------------------------------------------------------


def score_ratings(
    ratings: Ratings, combine: str | None = None, flag_at: float = DEFAULT_FLAG_AT
) -> Result:
    """Score the combined ratings and return a :class:`~assess.result.Result` that carries the
    :class:`Agreement` (``result.agreement``).

    Scored and insufficient-evidence counts are of engagements; ``result.rejected`` lists the
    rating rows that could not be used, each with its cell.
    """

    rubric = ratings.rubric
    agreement = measure_agreement(ratings, combine, flag_at)
    frame = ratings.combined(agreement.combine)
    scores = score_frame(frame, rubric)
    carried = ratings.carried
    rows = engagement_rows(
        rubric,
        frame,
        scores,
        carried,
        source=[f[0] for f in ratings.first_row],
        sheet=[f[1] for f in ratings.first_row],
        row=np.array([f[2] for f in ratings.first_row], dtype="int64"),
    )
    table = order_best_first(rows)
    status = scores["status"].to_dict()
    infos = []
    for t in ratings.tables:
        used = [status[e] for e in t.used.values()]
        n_scored = sum(s == STATUS_SCORED for s in used)
        notes = list(t.table.notes)
        if t.rater is not None:
            notes.append(f"ratings of {t.rater}")
        infos.append(
            SourceInfo.of_table(
                t.table,
                data_rows=t.data_rows,
                scored=n_scored,
                insufficient=len(used) - n_scored,
                rejected=len(t.rejected),
                notes=tuple(notes),
                also_columns=frozenset({"rater", "criterion", "rating"}),
            )
        )
    return Result(
        rubric=rubric,
        sources=infos,
        engagements=table,
        rejected=ratings.rejected,
        carried_columns=list(carried.columns),
        agreement=agreement,
    )


def agreement(
    sources: Source | Iterable[Source],
    rubric: str | Path | Rubric | None = None,
    sheet: str | int | None = None,
    combine: str | None = None,
    flag_at: float = DEFAULT_FLAG_AT,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Result:
    """Read several raters' ratings, combine and score them, and measure their agreement.

    Parameters
    ----------
    sources : Source or Iterable[Source]
        Files in long format or with one sheet per rater (see :mod:`assess.read.layouts`).
    rubric : str, Path or Rubric, optional
        A built-in rubric name, a rubric YAML path or a loaded rubric (default
        ``military-diplomacy``).
    sheet : str or int, optional
        Read this sheet only (a long-format table).
    combine : str, optional
        ``median``, ``mean`` or ``trimmed_mean``; by default the rubric's rule.
    flag_at : float, optional
        Flag engagements and criteria whose raters are this many levels apart or more.
    id_column, allow_missing, max_input_size : optional
        As for :func:`assess.score`.

    Returns
    -------
    Result
        The scored result; ``result.agreement`` holds alpha, the spread and the flags.

    Raises
    ------
    InputError
        The input has one rating per engagement (nothing to agree on), or cannot be read.

    Examples
    --------
    >>> import assess
    >>> result = assess.agreement("examples/ratings_by_rater.xlsx")
    >>> round(result.agreement.overall, 2)
    0.73
    """

    rub = load_rubric(rubric if rubric is not None else DEFAULT_RUBRIC)
    ratings = read_ratings(
        sources,
        rub,
        sheet=sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    if ratings is None:
        srcs = [sources] if isinstance(sources, (str, Path, pd.DataFrame)) else list(sources)
        names = ", ".join(
            "<DataFrame>" if isinstance(s, pd.DataFrame) else Path(s).name for s in srcs
        )
        raise InputError(
            f"{names}: one rating per engagement, so there is no agreement to measure; give "
            "several raters' ratings in long format (engagement id, rater, criterion, rating "
            "columns) or on one sheet per rater"
        )
    if len(ratings.raters) < 2:
        raise InputError(
            f"only one rater ({ratings.raters[0] if ratings.raters else 'none'}) in the input; "
            "agreement needs two or more"
        )
    return score_ratings(ratings, combine, flag_at)


__all__ = [
    "ALPHA_LEGEND",
    "Agreement",
    "Flag",
    "ShownAlpha",
    "agreement",
    "krippendorff_alpha",
    "measure_agreement",
    "score_ratings",
    "shown_alpha",
]
