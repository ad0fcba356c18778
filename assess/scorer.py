"""Pure, vectorised scoring: (ratings, Rubric) -> scores, contributions, bands, ranks.

:func:`score_frame` knows nothing of files or the CLI.  It takes a DataFrame indexed by
engagement id with one column per rated criterion (a rating on the criterion's scale) and
one per indicator (its raw value), NaN where missing, and returns one row per engagement.

The arithmetic
--------------
* Each criterion is normalised to 0-1: ``(rating - min) / (max - min)``; an indicator
  criterion is the weighted mean of its indicators' normalised values.  Cost criteria are
  inverted (``1 - x``): more friction, lower score.
* Weights are renormalised over the criteria present.  If the share of weight present
  (``completeness``) is below the rubric's ``missing.min_weight_share``, the engagement is
  *insufficient evidence* and is not scored.
* ``weighted_arithmetic``: ``score = 100 * sum(w_i * x_i)``; each criterion's contribution
  is ``100 * w_i * x_i``.
* ``weighted_geometric``: ``score = 100 * prod(x_i ** w_i)`` (a zero anywhere gives zero: no
  compensation).  The total is split into contributions in proportion to ``w_i * x_i``.
  Either way, contributions add up to the score.
* The band is the highest whose ``min`` the score reaches, then lowered to any gate's cap.
* Rank 1 is the best score; ties share the better rank.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np
import pandas as pd

from .rubric import Criterion, Rubric

STATUS_SCORED = "scored"
STATUS_INSUFFICIENT = "insufficient"


def normalised_columns(rubric: Rubric) -> list[str]:
    return [f"{c.id}.normalised" for c in rubric.criteria]


def contribution_columns(rubric: Rubric) -> list[str]:
    return [f"{c.id}.contribution" for c in rubric.criteria]


def input_columns(rubric: Rubric) -> list[str]:
    """The columns :func:`score_frame` reads: rated criterion ids and indicator ids."""
    cols: list[str] = []
    for c in rubric.criteria:
        cols += [c.id] if c.rated else [i.id for i in c.indicators]
    return cols


def input_matrix(frame: pd.DataFrame, rubric: Rubric) -> np.ndarray:
    """The ``(n, len(input_columns(rubric)))`` float matrix :func:`score_arrays` takes.

    Columns absent from ``frame`` are all NaN (not rated).
    """
    cols = input_columns(rubric)
    if all(c in frame for c in cols):
        return frame[cols].to_numpy(dtype=float)
    return frame.reindex(columns=cols).to_numpy(dtype=float)


class _Layout:
    """Where each criterion's inputs sit in the input matrix, and the affine maps to 0-1."""

    def __init__(self, rubric: Rubric) -> None:
        self.rated = all(c.rated for c in rubric.criteria)
        k = len(rubric.criteria)
        lo = np.array([c.scale.min for c in rubric.criteria], dtype=float)
        hi = np.array([c.scale.max for c in rubric.criteria], dtype=float)
        cost = np.array([c.direction == "cost" for c in rubric.criteria], dtype=bool)
        # x = rating * scale_ + shift_: (rating - min) / (max - min), or 1 - that for a cost
        span = np.where(hi > lo, hi - lo, 1.0) if k else hi
        self.scale_ = np.where(cost, -1.0, 1.0) / span
        self.shift_ = np.where(cost, 1.0 + lo / span, -lo / span)
        self.cost = cost
        self.lo, self.hi = lo, hi
        self.columns: dict[str, int] = {c: j for j, c in enumerate(input_columns(rubric))}


def _amount(values: np.ndarray, c: Criterion, layout: _Layout) -> np.ndarray:
    """How much of criterion ``c`` is present, 0-1, before direction (NaN if missing)."""
    if c.rated:
        return (values[:, layout.columns[c.id]] - c.scale.min) / (c.scale.max - c.scale.min)
    parts, weights = [], []
    for ind in c.indicators:
        raw = values[:, layout.columns[ind.id]]
        n = ind.normalisation
        if n.method == "minmax":
            v = (raw - n.min) / (n.max - n.min)
        else:
            v = (raw - n.baseline) / (n.target - n.baseline)
        parts.append(np.clip(v, 0.0, 1.0))
        weights.append(ind.weight)
    m = np.column_stack(parts)
    w = np.asarray(weights, dtype=float)
    present = ~np.isnan(m)
    wsum = present @ w
    with np.errstate(invalid="ignore", divide="ignore"):
        return np.where(wsum > 0, np.nan_to_num(m) @ w / wsum, np.nan)


def _normalise_values(values: np.ndarray, rubric: Rubric, layout: _Layout) -> np.ndarray:
    if layout.rated:  # every criterion rated: one affine map over the whole matrix
        x = values * layout.scale_
        x += layout.shift_
        return x
    cols = []
    for c in rubric.criteria:
        x = _amount(values, c, layout)
        cols.append(1.0 - x if c.direction == "cost" else x)
    return np.column_stack(cols) if cols else np.empty((len(values), 0))


def normalise(frame: pd.DataFrame, rubric: Rubric) -> np.ndarray:
    """(n, k) matrix of criterion scores on 0-1, cost criteria inverted, NaN if missing."""
    return _normalise_values(input_matrix(frame, rubric), rubric, _Layout(rubric))


def aggregate(x: np.ndarray, weights: np.ndarray, method: str, min_share: float):
    """Vectorised aggregation of normalised scores.

    Returns ``(total, contributions, completeness, sufficient)``; ``total`` and
    ``contributions`` are NaN where evidence is insufficient.
    """
    if method not in ("weighted_arithmetic", "weighted_geometric"):
        # guarded by the Rubric model; kept for callers passing strings
        raise ValueError(f"unknown aggregation {method!r}")
    missing = np.isnan(x)
    complete = not missing.any()
    if complete:  # the common case: nothing to renormalise over
        completeness = np.full(len(x), weights.sum())
        xz = x
    else:
        # (as floats: a boolean matrix product does not go through BLAS and is far slower)
        completeness = weights.sum() - missing.astype(float) @ weights
        xz = np.where(missing, 0.0, x)
    # Compare with a tolerance so that "exactly 60 %" is not lost to rounding.
    sufficient = completeness >= min_share - 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        # the weight each criterion carries for each engagement, renormalised over those present
        scale = 100.0 / completeness
        if method == "weighted_arithmetic":
            contrib = xz * weights
            contrib *= scale[:, None]
            # equal to the contributions' sum, via BLAS rather than a short-axis reduction
            total = (xz @ weights) * scale
        else:
            w = np.where(missing, 0.0, weights) / completeness[:, None]
            logs = np.log(np.where(xz > 0, xz, 1.0))
            zero = ((xz <= 0) & ~missing).any(axis=1)
            geo = np.where(zero, 0.0, 100.0 * np.exp((w * logs).sum(axis=1)))
            linear = w * xz
            share_sum = linear.sum(axis=1)
            contrib = np.where(share_sum[:, None] > 0, linear / share_sum[:, None], 0.0)
            contrib *= geo[:, None]
            total = contrib.sum(axis=1) if contrib.size else geo
    # Rounded so that equal ratings give exactly equal scores (ties rank together) whatever
    # the order of floating-point additions; 1e-10 points is far below any meaningful change.
    total = np.round(total, 10)
    if not complete:
        # a criterion that was not rated contributes nothing: NaN, not 0 points
        np.copyto(contrib, np.nan, where=missing)
    if not sufficient.all():
        insufficient = ~sufficient
        total[insufficient] = np.nan
        contrib[insufficient] = np.nan
    return total, contrib, completeness, sufficient


def _gate_labels(rubric: Rubric) -> list[str]:
    """Label for each bit pattern of applied gates: bit ``g`` set = ``rubric.gates[g]`` applied."""
    ids = [g.id for g in rubric.gates]
    return [
        ",".join(i for b, i in enumerate(ids) if code >> b & 1) for code in range(2 ** len(ids))
    ]


def _bands(total: np.ndarray, values: np.ndarray, rubric: Rubric, layout: _Layout):
    """Band index (0 = best) after gates, and a bit pattern of the gates that capped it."""
    mins = np.array([b.min for b in rubric.bands], dtype=float)  # descending
    # the first band (best first) whose minimum the score reaches: count the minima reached
    # (a score of NaN reaches none and lands in the last band)
    t = np.nan_to_num(total, nan=-np.inf)
    band = np.zeros(len(total), dtype=np.intp)
    for m in mins[:-1]:
        band += t < m - 1e-9
    base = band
    applied = np.zeros(len(total), dtype=np.uint8 if len(rubric.gates) <= 8 else np.int64)
    names = rubric.band_names
    for g, gate in enumerate(rubric.gates):
        crit = rubric.criterion(gate.criterion)
        if crit.rated:
            value = values[:, layout.columns[crit.id]]
        else:
            value = crit.scale.min + _amount(values, crit, layout) * (
                crit.scale.max - crit.scale.min
            )
        with np.errstate(invalid="ignore"):
            hit = value >= gate.at_least if gate.at_least is not None else value <= gate.at_most
        cap = names.index(gate.cap)
        # a gate "applies" when it caps the band the score alone would have earned
        caps = hit & (base < cap)
        if caps.any():
            band = np.where(caps, np.maximum(band, cap), band)
            applied[caps] |= 1 << g
    return band, applied


def assign_bands(total: np.ndarray, frame: pd.DataFrame, rubric: Rubric):
    """Band index (0 = best) per engagement after gates, and the ids of gates that applied."""
    band, applied = _bands(total, input_matrix(frame, rubric), rubric, _Layout(rubric))
    return band, np.array(_gate_labels(rubric), dtype=object)[applied]


@dataclass(frozen=True)
class Scores:
    """The scoring kernel's output: plain numpy arrays, one row per engagement.

    ``score`` and ``contributions`` are NaN where evidence is insufficient (and a
    contribution is NaN where its criterion was not rated); ``band`` indexes
    ``rubric.band_names`` (0 = best) after gates; bit ``g`` of ``gates`` is set where
    ``rubric.gates[g]`` capped the band (:meth:`gate_labels` spells them out).
    """

    score: np.ndarray
    normalised: np.ndarray
    contributions: np.ndarray
    completeness: np.ndarray
    sufficient: np.ndarray
    band: np.ndarray
    gates: np.ndarray

    def gate_labels(self, rubric: Rubric) -> np.ndarray:
        """Comma-separated ids of the gates that capped each engagement's band ('' if none)."""
        return np.array(_gate_labels(rubric), dtype=object)[self.gates]


def score_arrays(values: np.ndarray, rubric: Rubric) -> Scores:
    """The scoring kernel on a plain matrix: normalise, weight, aggregate, band, gate.

    ``values`` is ``(n, len(input_columns(rubric)))``, columns in :func:`input_columns` order
    (see :func:`input_matrix`), NaN where missing.  :func:`score_frame` is this plus ranks and
    a labelled DataFrame.
    """
    values = np.asarray(values, dtype=float)
    layout = _Layout(rubric)
    weights = np.array([c.weight for c in rubric.criteria], dtype=float)
    x = _normalise_values(values, rubric, layout)
    total, contrib, completeness, sufficient = aggregate(
        x, weights, rubric.aggregation, rubric.missing.min_weight_share
    )
    band, gates = _bands(total, values, rubric, layout)
    return Scores(total, x, contrib, completeness, sufficient, band, gates)


def rank_descending(total: np.ndarray) -> np.ndarray:
    """Rank 1 = highest; ties share the better (smaller) rank; 0 where ``total`` is NaN."""
    rank = np.zeros(len(total), dtype=np.int64)
    valid = np.flatnonzero(~np.isnan(total))
    if not len(valid):
        return rank
    t = total[valid]
    distinct = np.unique(t)  # ascending
    if len(distinct) <= len(t) // 16:
        # few distinct scores (ratings on short scales): rank = 1 + how many score higher
        at = np.searchsorted(distinct, t)
        counts = np.bincount(at, minlength=len(distinct))
        higher = np.cumsum(counts[::-1])[::-1] - counts
        rank[valid] = higher[at] + 1
        return rank
    order = np.argsort(-t)
    ranked = t[order]
    # each run of equal scores takes the position of its first member
    first = np.empty(len(ranked), dtype=bool)
    first[0] = True
    np.not_equal(ranked[1:], ranked[:-1], out=first[1:])
    starts = np.flatnonzero(first)
    rank[valid[order]] = np.repeat(starts + 1, np.diff(np.append(starts, len(ranked))))
    return rank


def _labels(codes: np.ndarray, names: list[str]):
    """``names[codes]`` as pandas' default string column.

    Built by index rather than from a million Python strings: with pandas' Arrow-backed
    strings this is a C++ ``take``.
    """
    dtype = pd.Series([""]).dtype
    if getattr(dtype, "storage", None) == "pyarrow":
        import pyarrow as pa

        labels = pa.array(names, type=pa.large_string()).take(pa.array(codes))
        return pd.array(labels, dtype=dtype)
    return pd.array(np.asarray(names, dtype=object)[codes], dtype=dtype)


def constant_labels(text: str, n: int):
    """A text column of ``n`` copies of ``text``, in pandas' default string dtype."""
    return _labels(np.zeros(n, dtype=np.intp), [text])


def _bands_or_none(band: np.ndarray, rubric: Rubric, insufficient: np.ndarray | None):
    out = np.array(rubric.band_names, dtype=object)[band]
    if insufficient is not None:
        out[insufficient] = None
    return out


def score_frame(frame: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """Score every engagement of ``frame`` against ``rubric``.

    Parameters
    ----------
    frame:
        Indexed by engagement id; columns named by rated criterion id (rating on the
        criterion's scale) and by indicator id (raw value); NaN where missing.  Other
        columns are ignored.
    rubric:
        A validated :class:`~assess.rubric.Rubric`.

    Returns
    -------
    pandas.DataFrame
        Same index, columns ``status`` (``scored`` / ``insufficient``), ``score`` (0-100),
        ``band``, ``rank`` (1 = best, nullable), ``completeness`` (share of weight present),
        ``gates`` (ids of the gates that capped the band, comma-separated), and per criterion
        ``<id>.normalised`` (0-1, after direction) and ``<id>.contribution`` (points).

    Examples
    --------
    >>> import pandas as pd
    >>> from assess import load_rubric, score_frame
    >>> r = load_rubric("military-diplomacy")
    >>> df = pd.DataFrame({"transparency": [4], "norms_alignment": [4], "interoperability": [4],
    ...                    "resources": [4], "political_friction": [0]}, index=["E1"])
    >>> float(score_frame(df, r).loc["E1", "score"])
    100.0
    """
    k = score_arrays(input_matrix(frame, rubric), rubric)
    insufficient = None if k.sufficient.all() else ~k.sufficient
    rank = rank_descending(k.score)
    gates = k.gates if insufficient is None else np.where(insufficient, 0, k.gates)
    columns: dict[str, object] = {
        "status": _labels(k.sufficient.view(np.int8), [STATUS_INSUFFICIENT, STATUS_SCORED]),
        "score": k.score,
        "band": pd.Series(
            _bands_or_none(k.band, rubric, insufficient), index=frame.index, dtype=object
        ),
        "rank": pd.arrays.IntegerArray(rank, rank == 0),
        "completeness": k.completeness,
        "gates": _labels(gates, _gate_labels(rubric)),
    }
    for j, c in enumerate(rubric.criteria):
        columns[f"{c.id}.normalised"] = k.normalised[:, j]
    for j, c in enumerate(rubric.criteria):
        columns[f"{c.id}.contribution"] = k.contributions[:, j]
    out = pd.DataFrame(columns, index=frame.index, copy=False)
    return out
