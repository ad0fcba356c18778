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


def _criterion_amount(frame: pd.DataFrame, c: Criterion) -> np.ndarray:
    """How much of the criterion is present, 0-1, before direction (NaN if missing)."""
    if c.rated:
        x = frame[c.id].to_numpy(dtype=float) if c.id in frame else np.full(len(frame), np.nan)
        return (x - c.scale.min) / (c.scale.max - c.scale.min)
    parts, weights = [], []
    for ind in c.indicators:
        raw = (
            frame[ind.id].to_numpy(dtype=float) if ind.id in frame else np.full(len(frame), np.nan)
        )
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


def normalise(frame: pd.DataFrame, rubric: Rubric) -> np.ndarray:
    """(n, k) matrix of criterion scores on 0-1, cost criteria inverted, NaN if missing."""
    cols = []
    for c in rubric.criteria:
        x = _criterion_amount(frame, c)
        cols.append(1.0 - x if c.direction == "cost" else x)
    return np.column_stack(cols) if cols else np.empty((len(frame), 0))


def aggregate(x: np.ndarray, weights: np.ndarray, method: str, min_share: float):
    """Vectorised aggregation of normalised scores.

    Returns ``(total, contributions, completeness, sufficient)``; ``total`` and
    ``contributions`` are NaN where evidence is insufficient.
    """
    present = ~np.isnan(x)
    completeness = present @ weights
    # Compare with a tolerance so that "exactly 60 %" is not lost to rounding.
    sufficient = completeness >= min_share - 1e-12
    with np.errstate(invalid="ignore", divide="ignore"):
        w = np.where(present, weights, 0.0) / completeness[:, None]
        xz = np.nan_to_num(x)
        linear = w * xz
        if method == "weighted_arithmetic":
            total = 100.0 * linear.sum(axis=1)
            contrib = 100.0 * linear
        elif method == "weighted_geometric":
            logs = np.where(present, np.log(np.where(xz > 0, xz, 1.0)), 0.0)
            zero = (present & (xz <= 0)).any(axis=1)
            total = np.where(zero, 0.0, 100.0 * np.exp((w * logs).sum(axis=1)))
            share_sum = linear.sum(axis=1)
            contrib = (
                np.where(share_sum[:, None] > 0, linear / share_sum[:, None], 0.0) * total[:, None]
            )
            total = contrib.sum(axis=1) if contrib.size else total
        else:  # guarded by the Rubric model; kept for callers passing strings
            raise ValueError(f"unknown aggregation {method!r}")
    # Rounded so that equal ratings give exactly equal scores (ties rank together) whatever
    # the order of floating-point additions; 1e-10 points is far below any meaningful change.
    total = np.where(sufficient, np.round(total, 10), np.nan)
    # a criterion that was not rated contributes nothing: NaN, not 0 points
    contrib = np.where(sufficient[:, None] & present, contrib, np.nan)
    return total, contrib, completeness, sufficient


def assign_bands(total: np.ndarray, frame: pd.DataFrame, rubric: Rubric):
    """Band index (0 = best) per engagement after gates, and the ids of gates that applied."""
    mins = np.array([b.min for b in rubric.bands])  # descending
    # the first band (best first) whose minimum the score reaches
    reached = np.nan_to_num(total, nan=-1.0)[:, None] >= mins[None, :] - 1e-9
    band = np.where(reached.any(axis=1), reached.argmax(axis=1), len(mins) - 1)
    base = band
    applied = np.full(len(total), "", dtype=object)
    names = rubric.band_names
    for gate in rubric.gates:
        crit = rubric.criterion(gate.criterion)
        if crit.rated:
            value = (
                frame[crit.id].to_numpy(dtype=float)
                if crit.id in frame
                else np.full(len(frame), np.nan)
            )
        else:
            amount = _criterion_amount(frame, crit)
            value = crit.scale.min + amount * (crit.scale.max - crit.scale.min)
        with np.errstate(invalid="ignore"):
            hit = value >= gate.at_least if gate.at_least is not None else value <= gate.at_most
        cap = names.index(gate.cap)
        # a gate "applies" when it caps the band the score alone would have earned
        caps = hit & (base < cap)
        band = np.where(caps, np.maximum(band, cap), band)
        # string work only on the (few) rows the gate caps
        for i in np.flatnonzero(caps):
            applied[i] = f"{applied[i]},{gate.id}" if applied[i] else gate.id
    return band, applied


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
    weights = np.array([c.weight for c in rubric.criteria], dtype=float)
    x = normalise(frame, rubric)
    total, contrib, completeness, sufficient = aggregate(
        x, weights, rubric.aggregation, rubric.missing.min_weight_share
    )
    band_idx, gates = assign_bands(total, frame, rubric)
    names = np.array(rubric.band_names, dtype=object)
    band = np.where(sufficient, names[band_idx], None)
    out = pd.DataFrame(index=frame.index)
    out["status"] = np.where(sufficient, STATUS_SCORED, STATUS_INSUFFICIENT)
    out["score"] = total
    out["band"] = pd.Series(band, index=frame.index, dtype=object)
    out["rank"] = (
        pd.Series(total, index=frame.index).rank(method="min", ascending=False).astype("Int64")
    )
    out["completeness"] = completeness
    out["gates"] = np.where(sufficient, gates, "")
    for j, c in enumerate(rubric.criteria):
        out[f"{c.id}.normalised"] = x[:, j]
    for j, c in enumerate(rubric.criteria):
        out[f"{c.id}.contribution"] = contrib[:, j]
    return out
