"""The :class:`Comparison` of groups of engagements: what :func:`assess.compare` returns, and
its JSON form (:meth:`Comparison.to_dict`)."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import pandas as pd

from ...display import fixed
from .statistics import OverallTest, finite

#: what the headline says when no pair of groups differs after Holm's correction
NOTHING_DETECTABLE = "no difference detectable with these numbers"

#: how many small groups a note names
SHOWN_SMALL = 10

#: the columns of :attr:`Comparison.groups`
GROUP_COLUMNS = [
    "n",
    "mean",
    "mean_low",
    "mean_high",
    "median",
    "median_low",
    "median_high",
    "capped",
    "insufficient",
    "rejected",
    "small",
    "tested",
]


@dataclass
class Comparison:
    """Scores compared across groups of engagements (by Type, Organisation, Partners ...).

    Every input row is counted: scored engagements in ``n`` and the statistics, rows with
    insufficient evidence and rejected rows in their group's ``insufficient`` and ``rejected``
    (a rejected row whose cells are unknown in ``unknown_rejected``).  Groups are listed by
    name, never by score.

    Attributes
    ----------
    by : tuple of str
        The column(s) compared by: the groups, tests and profile are by the first; a second
        adds the cross-table.
    split : str or None
        The separator that split cells listing several values; each engagement then counts
        in each of its groups, so the counts overlap.
    confidence : float
        The bootstrap intervals' confidence (0.90: a 90 % interval).
    resamples : int
        Bootstrap resamples per group.
    seed : int
        The random seed: the same seed gives the same intervals.
    alpha : float
        The level at which a Holm-corrected pairwise p-value counts as a difference.
    small : int
        Groups with fewer scored engagements than this are shown, flagged and left out of
        the tests.
    groups : pandas.DataFrame
        One row per group (index ``group``): ``n`` (scored), ``mean`` with its interval
        ``mean_low``-``mean_high``, ``median`` with ``median_low``-``median_high`` (NaN for
        fewer than two scores), ``capped`` (share of the scored whose band a gate capped),
        ``insufficient``, ``rejected``, ``small`` (``n < small``) and ``tested``.
    bands : pandas.DataFrame
        Scored engagements per group (rows) and band (columns, best first).
    profile : pandas.DataFrame
        Each criterion's mean normalised value (0 worst, 1 best, the criterion's direction
        applied) over a group's scored engagements: which criterion lifts or holds it back.
    overall_profile : pandas.Series
        The same over every scored engagement (each once), to read the profile against.
    overall_test : OverallTest or None
        Kruskal–Wallis over the tested groups; None with fewer than two.
    pairs : pandas.DataFrame
        One row per pair of tested groups: ``a``, ``b``, ``n_a``, ``n_b``,
        ``mean_difference`` (a less b) with ``difference_low``-``difference_high``, Mann–Whitney
        ``u``, ``cliffs_delta`` (positive: a tends to score higher), ``p``, ``p_holm`` and
        ``significant`` (``p_holm < alpha``).
    cross_mean, cross_n : pandas.DataFrame or None
        With two ``by`` columns: mean score and scored engagements per cell (rows: the first
        column's groups, columns: the second's); an empty cell has ``n`` 0 and mean NaN.
    in_several : int
        Engagements counted in more than one group (with ``split``).
    unknown_rejected : int
        Rejected rows whose group cannot be read (their cells were not kept).
    result : Result
        The scored result compared.
    """

    by: tuple[str, ...]
    split: str | None
    confidence: float
    resamples: int
    seed: int
    alpha: float
    small: int
    groups: pd.DataFrame
    bands: pd.DataFrame
    profile: pd.DataFrame
    overall_profile: pd.Series
    overall_test: OverallTest | None
    pairs: pd.DataFrame
    cross_mean: pd.DataFrame | None = None
    cross_n: pd.DataFrame | None = None
    in_several: int = 0
    unknown_rejected: int = 0
    result: Any = field(default=None, repr=False)

    @property
    def significant(self) -> pd.DataFrame:
        """The pairs that differ after Holm's correction, largest effect first."""
        sig = self.pairs[self.pairs["significant"].to_numpy(dtype=bool)]
        return sig.iloc[(-sig["cliffs_delta"].abs()).argsort(kind="stable")]

    def headline(self) -> str:
        """One line: the pairs that differ (the higher-scoring group first), or
        :data:`NOTHING_DETECTABLE` when none does after Holm's correction."""
        sig = self.significant
        if self.overall_test is None:
            return (
                f"{NOTHING_DETECTABLE} (fewer than two groups have {max(self.small, 1)} or more "
                "scored engagements to test)"
            )
        if sig.empty:
            if self.overall_test.p < self.alpha:
                return (
                    f"{NOTHING_DETECTABLE}: the groups differ overall (Kruskal–Wallis "
                    f"{p_phrase(self.overall_test.p)}) but no pair does after Holm's "
                    "correction"
                )
            return NOTHING_DETECTABLE
        parts = []
        for row in sig.itertuples():
            high, low = (row.a, row.b) if row.cliffs_delta > 0 else (row.b, row.a)
            parts.append(
                f"{high} scores higher than {low} (by {fixed(abs(row.mean_difference), 1)} "
                f"points, Cliff's δ {fixed(abs(row.cliffs_delta), 2)}, Holm "
                f"{p_phrase(row.p_holm)})"
            )
        return "; ".join(parts)

    def notes(self) -> list[str]:
        """What to keep in mind when reading the numbers: overlapping counts, small or
        untested groups, rows not scored."""
        out = []
        if self.split is not None:
            out.append(
                f"cells split at {self.split!r}: an engagement counts in each of its groups, so "
                f"the counts overlap ({self.in_several} engagements are in more than one); the "
                "tests treat the groups as independent, which groups sharing engagements are not"
            )
        small = self.groups.index[self.groups["small"].to_numpy(dtype=bool)].tolist()
        if small:
            more = f" and {len(small) - SHOWN_SMALL} more" if len(small) > SHOWN_SMALL else ""
            out.append(
                f"{len(small)} groups with fewer than {self.small} scored engagements (shown, "
                f"flagged, not tested): " + ", ".join(small[:SHOWN_SMALL]) + more
            )
        if self.unknown_rejected:
            out.append(f"{self.unknown_rejected} rejected rows of an unknown group")
        return out

    def to_dict(self) -> dict[str, Any]:
        """The JSON contract of ``assess compare --format json`` (see the README)."""
        groups = []
        for name, row in self.groups.iterrows():
            groups.append(
                {
                    "group": name,
                    "n": int(row["n"]),
                    "mean": finite(row["mean"]),
                    "mean_interval": [finite(row["mean_low"]), finite(row["mean_high"])],
                    "median": finite(row["median"]),
                    "median_interval": [finite(row["median_low"]), finite(row["median_high"])],
                    "capped_share": finite(row["capped"]),
                    "insufficient": int(row["insufficient"]),
                    "rejected": int(row["rejected"]),
                    "small": bool(row["small"]),
                    "tested": bool(row["tested"]),
                    "bands": {b: int(v) for b, v in self.bands.loc[name].items()},
                    "profile": {c: finite(v) for c, v in self.profile.loc[name].items()},
                }
            )
        return {
            "by": list(self.by),
            "split": self.split,
            "overlapping": self.split is not None,
            "in_several_groups": self.in_several,
            "confidence": self.confidence,
            "resamples": self.resamples,
            "seed": self.seed,
            "alpha": self.alpha,
            "small": self.small,
            "headline": self.headline(),
            "notes": self.notes(),
            "groups": groups,
            "overall_profile": {c: finite(v) for c, v in self.overall_profile.items()},
            "rejected_unknown_group": self.unknown_rejected,
            "overall_test": None if self.overall_test is None else self.overall_test.to_dict(),
            "pairs": [_pair(row) for row in self.pairs.to_dict("records")],
            "cross": self._cross(),
        }

    def _cross(self) -> dict[str, Any] | None:
        if self.cross_mean is None or self.cross_n is None:
            return None
        return {
            "rows": self.by[0],
            "columns": self.by[1],
            "row_groups": [str(g) for g in self.cross_mean.index],
            "column_groups": [str(g) for g in self.cross_mean.columns],
            "mean": [[finite(v) for v in row] for row in self.cross_mean.to_numpy()],
            "n": [[int(v) for v in row] for row in self.cross_n.to_numpy()],
        }


def _pair(row: dict[str, Any]) -> dict[str, Any]:
    return {
        "a": row["a"],
        "b": row["b"],
        "n_a": int(row["n_a"]),
        "n_b": int(row["n_b"]),
        "mean_difference": finite(row["mean_difference"]),
        "difference_interval": [finite(row["difference_low"]), finite(row["difference_high"])],
        "u": finite(row["u"]),
        "cliffs_delta": finite(row["cliffs_delta"]),
        "p": finite(row["p"]),
        "p_holm": finite(row["p_holm"]),
        "significant": bool(row["significant"]),
    }


def p_text(p: float) -> str:
    """A p-value as shown: three decimals, or ``< 0.001``."""
    return "< 0.001" if p < 0.001 else f"{p:.3f}"


def p_phrase(p: float) -> str:
    """``p = 0.012``, or ``p < 0.001``."""
    return "p < 0.001" if p < 0.001 else f"p = {p:.3f}"
