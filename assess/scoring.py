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
* ``weighted_geometric``: ``score = 100 * prod(x_i ** w_i)`` (a zero on a weighted criterion
  gives zero: no compensation).  The total is split into contributions in proportion to
  ``w_i * x_i``.  Either way, contributions add up to the score.
* A criterion weighted 0 is not a factor under either aggregation: ``x ** 0`` is 1 whatever
  ``x`` (0 included), and its weight adds nothing to ``completeness`` whether it is rated or
  not.
* The band is the highest whose ``min`` the score reaches, then lowered to any gate's cap.
* Rank 1 is the best score; ties share the better rank.

:func:`aggregate_many`, :func:`band_index`, :func:`gate_caps` and :func:`ranks_many` are the
same arithmetic with a batch dimension (many weightings of the same engagements at once): the
scorer's own path goes through them, and so does :mod:`assess.analyses.sensitivity`.
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


def _totals(
    xz: np.ndarray,
    missing: np.ndarray,
    weights: np.ndarray,
    geometric: np.ndarray,
    completeness: np.ndarray,
) -> np.ndarray:
    """The aggregation kernel: scores ``(D, n)`` of ``n`` engagements under ``D`` weightings.

    ``xz`` is the ``(n, k)`` normalised matrix with 0 where ``missing``; ``weights`` is
    ``(D, k)``; ``geometric`` says per weighting which aggregation to use; ``completeness``
    ``(D, n)`` is the weight present (``weights @ ~missing.T``), over which each weighting is
    renormalised.  Rounded to 1e-10 points so that equal ratings give exactly equal scores (ties
    rank together) whatever the order of floating-point additions.
    """
    out = np.empty((len(weights), len(xz)))
    arithmetic = ~geometric
    with np.errstate(invalid="ignore", divide="ignore"):
        if arithmetic.all():
            np.multiply(100.0, weights @ xz.T, out=out)
            out /= completeness
        elif arithmetic.any():
            out[arithmetic] = 100.0 * (weights[arithmetic] @ xz.T) / completeness[arithmetic]
        if geometric.any():
            w = weights[geometric]
            positive = xz > 0
            logs = np.log(np.where(positive, xz, 1.0))  # 0 where missing: a factor of 1
            product = 100.0 * np.exp((w @ logs.T) / completeness[geometric])
            at_zero = ~positive & ~missing
            if at_zero.any():
                # a rated 0 zeroes the product only where its criterion carries weight
                # (x ** 0 is 1 for every x, 0 included): a weight-0 criterion is inert
                zero = (w > 0).astype(float) @ at_zero.T.astype(float) > 0
                product[zero] = 0.0
            out[geometric] = product
    return np.round(out, 10, out=out)


def aggregate_many(x: np.ndarray, weights: np.ndarray, geometric: np.ndarray | bool) -> np.ndarray:
    """Scores of ``n`` engagements under ``D`` weightings at once: shape ``(D, n)``.

    ``x`` is the ``(n, k)`` matrix of :func:`normalise` (NaN where not rated), ``weights`` a
    ``(D, k)`` matrix (or one weighting), ``geometric`` per weighting (or one flag for all).
    Each weighting is renormalised over the criteria each engagement has, as in
    :func:`aggregate`, whose scores are this with ``D = 1``; no ``min_weight_share`` applies.
    """
    weights = np.atleast_2d(np.asarray(weights, dtype=float))
    geo = np.broadcast_to(np.asarray(geometric, dtype=bool), (len(weights),))
    missing = np.isnan(x)
    xz = np.where(missing, 0.0, x)
    # (as floats: a boolean matrix product does not go through BLAS and is far slower)
    completeness = weights @ (~missing).T.astype(float)
    return _totals(xz, missing, weights, geo, completeness)


def aggregate(x: np.ndarray, weights: np.ndarray, method: str, min_share: float):
    """Vectorised aggregation of normalised scores.

    Returns ``(total, contributions, completeness, sufficient)``; ``total`` and
    ``contributions`` are NaN where evidence is insufficient.
    """
    if method not in ("weighted_arithmetic", "weighted_geometric"):
        # guarded by the Rubric model; kept for callers passing strings
        raise ValueError(f"unknown aggregation {method!r}")
    geometric = method == "weighted_geometric"
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
    total = _totals(xz, missing, weights[None, :], np.array([geometric]), completeness[None, :])[0]
    with np.errstate(invalid="ignore", divide="ignore"):
        # the weight each criterion carries for each engagement, renormalised over those present
        if not geometric:
            contrib = xz * weights
            contrib *= (100.0 / completeness)[:, None]
        else:
            w = np.where(missing, 0.0, weights) / completeness[:, None]
            linear = w * xz
            share_sum = linear.sum(axis=1)
            contrib = np.where(share_sum[:, None] > 0, linear / share_sum[:, None], 0.0)
            contrib *= total[:, None]
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


def band_index(total: np.ndarray, rubric: Rubric) -> np.ndarray:
    """Band index (0 = best) that each score alone earns, before gates; any shape.

    The first band (best first) whose minimum the score reaches; a NaN score reaches none and
    lands in the last band.
    """
    mins = [b.min for b in rubric.bands]  # descending
    t = np.nan_to_num(total, nan=-np.inf)
    band = np.zeros(np.shape(total), dtype=np.intp)
    for m in mins[:-1]:  # count the minima not reached
        band += t < m - 1e-9
    return band


def _gate_hits(values: np.ndarray, rubric: Rubric, layout: _Layout) -> list[tuple[np.ndarray, int]]:
    """For each gate of the rubric: where its condition holds, and the band index it caps at."""
    out = []
    names = rubric.band_names
    for gate in rubric.gates:
        crit = rubric.criterion(gate.criterion)
        if crit.rated:
            value = values[:, layout.columns[crit.id]]
        else:
            value = crit.scale.min + _amount(values, crit, layout) * (
                crit.scale.max - crit.scale.min
            )
        with np.errstate(invalid="ignore"):
            hit = value >= gate.at_least if gate.at_least is not None else value <= gate.at_most
        out.append((hit, names.index(gate.cap)))
    return out


def _caps(hits: list[tuple[np.ndarray, int]], n: int) -> np.ndarray:
    cap = np.zeros(n, dtype=np.intp)
    for hit, at in hits:
        np.maximum(cap, np.where(hit, at, 0), out=cap)
    return cap


def gate_caps(values: np.ndarray, rubric: Rubric) -> np.ndarray:
    """The band index each engagement's gates cap it at (0 = no cap), from a matrix laid out as
    :func:`input_matrix` gives: its band is ``max(band_index(score), cap)``."""
    values = np.asarray(values, dtype=float)
    return _caps(_gate_hits(values, rubric, _Layout(rubric)), len(values))


def _bands(total: np.ndarray, values: np.ndarray, rubric: Rubric, layout: _Layout):
    """Band index (0 = best) after gates, and a bit pattern of the gates that capped it."""
    base = band_index(total, rubric)
    hits = _gate_hits(values, rubric, layout)
    band = np.maximum(base, _caps(hits, len(total))) if hits else base
    applied = np.zeros(len(total), dtype=np.uint8 if len(rubric.gates) <= 8 else np.int64)
    for g, (hit, cap) in enumerate(hits):
        # a gate "applies" when it caps the band the score alone would have earned
        applied[hit & (base < cap)] |= 1 << g
    return band, applied


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


def _ranks(scores: np.ndarray, average: bool) -> tuple[np.ndarray, np.ndarray | None]:
    """Per row of a ``(D, n)`` matrix without NaN: rank 1 = highest, ties sharing the better
    rank; and, when ``average``, the tie's average rank."""
    d, n = scores.shape
    order = np.argsort(-scores, axis=1)
    ordered = np.take_along_axis(scores, order, axis=1)
    pos = np.broadcast_to(np.arange(n), (d, n))
    # each run of equal scores takes the position of its first member (and of its last)
    starts = np.ones((d, n), dtype=bool)
    np.not_equal(ordered[:, 1:], ordered[:, :-1], out=starts[:, 1:])
    first = np.maximum.accumulate(np.where(starts, pos, 0), axis=1)
    best = np.empty((d, n), dtype=np.int32 if n < 2**31 else np.int64)
    np.put_along_axis(best, order, first + 1, axis=1)
    if not average:
        return best, None
    ends = np.ones((d, n), dtype=bool)
    ends[:, :-1] = starts[:, 1:]
    last = np.minimum.accumulate(np.where(ends, pos, n - 1)[:, ::-1], axis=1)[:, ::-1]
    mean = np.empty((d, n))
    np.put_along_axis(mean, order, (first + last) / 2 + 1, axis=1)
    return best, mean


def ranks_many(scores: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of a ``(D, n)`` score matrix (no NaN): rank 1 = highest score, ties sharing the
    better rank, as :func:`rank_descending` ranks; and, second, the average rank of the tie (for
    Spearman's rho)."""
    best, mean = _ranks(np.asarray(scores, dtype=float), average=True)
    return best, mean


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
    rank[valid] = _ranks(t[None, :], average=False)[0][0]
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
    frame : pandas.DataFrame
        Indexed by engagement id; columns named by rated criterion id (rating on the
        criterion's scale) and by indicator id (raw value); NaN where missing.  Other
        columns are ignored.
    rubric : Rubric
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
