"""The statistics of a comparison between groups of scores, on plain arrays.

* **Bootstrap intervals** (percentile) of each group's mean and median: the mean from
  resampled indices (numpy's seeded ``Generator``, in chunks, vectorised); the median drawn
  directly as the resample's middle order statistic, which has exactly the distribution of
  the median of a resample (with the values sorted, the ``k``-th smallest of ``n`` resampled
  indices is ``floor(n U)`` for ``U`` the ``k``-th smallest of ``n`` uniforms, a
  ``Beta(k, n - k + 1)`` draw), so no resample needs sorting.
* **Kruskal–Wallis** over the groups (:func:`scipy.stats.kruskal`): is any group different?
* **Mann–Whitney U** for each pair (:func:`scipy.stats.mannwhitneyu`), its effect size
  **Cliff's δ** ``= 2U / (n_a n_b) - 1`` (the chance that an engagement of ``a`` outscores one
  of ``b``, less the reverse), the difference in means with a bootstrap interval (the two
  groups resampled independently), and **Holm's** correction over all the pairs
  (:func:`statsmodels.stats.multitest.multipletests`), which holds the chance of any false
  difference among them at ``alpha`` whatever their dependence.
"""

from __future__ import annotations

import math
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from itertools import combinations
from typing import Any

import numpy as np
import pandas as pd

#: the most resampled values held at once (the mean's bootstrap works in chunks of this size)
CHUNK = 1 << 22

#: the columns of the pairwise table (:func:`pairwise`)
PAIR_COLUMNS = [
    "a",
    "b",
    "n_a",
    "n_b",
    "mean_difference",
    "difference_low",
    "difference_high",
    "u",
    "cliffs_delta",
    "p",
    "p_holm",
    "significant",
]


def bootstrap_means(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``resamples`` means of ``values`` resampled with replacement (an empty array for no
    values)."""
    n = len(values)
    if n == 0:
        return np.empty(0)
    x = np.asarray(values, dtype=float)
    out = np.empty(resamples)
    step = max(1, CHUNK // n)
    kind = np.int32 if n < 2**31 else np.int64
    for start in range(0, resamples, step):
        stop = min(resamples, start + step)
        idx = rng.integers(0, n, size=(stop - start, n), dtype=kind)
        out[start:stop] = x[idx].mean(axis=1)
    return out


def bootstrap_medians(values: np.ndarray, resamples: int, rng: np.random.Generator) -> np.ndarray:
    """``resamples`` medians of ``values`` resampled with replacement, drawn as the resample's
    middle order statistic(s) (see the module's note): the same distribution as sorting each
    resample, in time independent of the number of values."""
    n = len(values)
    if n == 0:
        return np.empty(0)
    x = np.sort(np.asarray(values, dtype=float))
    k = (n + 1) // 2  # the (lower) middle position, 1-based
    u = rng.beta(k, n - k + 1, size=resamples)
    low = x[np.minimum((n * u).astype(np.int64), n - 1)]
    if n % 2:
        return low
    # the next order statistic: the smallest of the n - k uniforms above u
    u_next = u + (1.0 - u) * rng.beta(1, n - k, size=resamples)
    high = x[np.minimum((n * u_next).astype(np.int64), n - 1)]
    return (low + high) / 2.0


def interval(draws: np.ndarray, confidence: float, n: int) -> tuple[float, float]:
    """The percentile interval of bootstrap ``draws``; NaN for fewer than two values, which
    say nothing about spread."""
    if n < 2 or len(draws) == 0:
        return math.nan, math.nan
    tail = (1.0 - confidence) / 2.0
    low, high = np.quantile(draws, [tail, 1.0 - tail])
    return float(low), float(high)


@dataclass(frozen=True)
class OverallTest:
    """Kruskal–Wallis H over the groups tested: does any of them score differently?

    Attributes
    ----------
    statistic : float
        H (corrected for ties); NaN when every score is the same.
    df : int
        Degrees of freedom: groups tested less one.
    p : float
        The p-value (1.0 when every score is the same: nothing differs).
    groups : tuple of str
        The groups tested.
    """

    statistic: float
    df: int
    p: float
    groups: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "test": "kruskal-wallis",
            "statistic": finite(self.statistic),
            "df": self.df,
            "p": finite(self.p),
            "groups": list(self.groups),
        }


def overall_test(samples: dict[str, np.ndarray]) -> OverallTest | None:
    """Kruskal–Wallis over ``samples`` (group -> scores); None for fewer than two groups."""
    from scipy.stats import kruskal

    if len(samples) < 2:
        return None
    with warnings.catch_warnings():  # every score the same: H is 0/0, said as NaN below
        warnings.simplefilter("ignore", RuntimeWarning)
        h, p = kruskal(*samples.values())
    h, p = float(h), float(p)
    return OverallTest(
        statistic=h,
        df=len(samples) - 1,
        p=p if math.isfinite(p) else 1.0,
        groups=tuple(samples),
    )


def pairwise(
    samples: dict[str, np.ndarray],
    boot_means: dict[str, np.ndarray],
    *,
    confidence: float,
    alpha: float,
) -> pd.DataFrame:
    """Every pair of ``samples``' groups, in their order: Mann–Whitney U (two-sided), Cliff's
    δ, the difference in means (``a`` less ``b``) with its bootstrap interval from
    ``boot_means``, and Holm-corrected p-values; ``significant`` where the corrected p is
    below ``alpha``.  One row per pair, columns :data:`PAIR_COLUMNS`."""
    from scipy.stats import mannwhitneyu

    rows = []
    for a, b in combinations(samples, 2):
        xa, xb = samples[a], samples[b]
        u, p = mannwhitneyu(xa, xb, alternative="two-sided")
        diff = boot_means[a] - boot_means[b]
        low, high = interval(diff, confidence, min(len(xa), len(xb)))
        rows.append(
            {
                "a": a,
                "b": b,
                "n_a": len(xa),
                "n_b": len(xb),
                "mean_difference": float(np.mean(xa) - np.mean(xb)),
                "difference_low": low,
                "difference_high": high,
                "u": float(u),
                "cliffs_delta": 2.0 * float(u) / (len(xa) * len(xb)) - 1.0,
                "p": float(p) if math.isfinite(p) else 1.0,
            }
        )
    frame = pd.DataFrame(rows, columns=PAIR_COLUMNS[:-2])
    frame["p_holm"] = holm(frame["p"].to_numpy(dtype=float))
    frame["significant"] = frame["p_holm"].to_numpy() < alpha
    return frame


def holm(p: Sequence[float] | np.ndarray) -> np.ndarray:
    """Holm's step-down adjusted p-values (statsmodels' ``multipletests``)."""
    from statsmodels.stats.multitest import multipletests

    p = np.asarray(p, dtype=float)
    if len(p) == 0:
        return p
    return multipletests(p, method="holm")[1]


def finite(value: Any) -> float | None:
    """A float for JSON: None for NaN, infinity or a missing value."""
    if value is None or value is pd.NA:
        return None
    v = float(value)
    return v if math.isfinite(v) else None
