"""What a report of one recorded period shows of the history: the comparison with the period
before it, and the trends up to it.

::

    import assess
    from assess.history import open_store

    with open_store() as store:
        result = assess.score("FY2025-Q3.xlsx", rubric="military-diplomacy-v1.1.yaml")
        store.record(result, period="2025-Q3")
        result.history = store.context("2025-Q3")   # a PeriodContext
        assess.write_report(result, "q3.xlsx")      # Previous score, Change, Previous band; Trends

Every report of a result that carries a :class:`PeriodContext` (``result.history``) shows, per
engagement, its previous score, the change since and its previous band
(:meth:`PeriodContext.previous`), and a Trends sheet or section: the band mix per period and
the mean score per type per period.  The comparison is like for like (see
:meth:`Store.changes <assess.history.store.Store.changes>`): when the rubric was revised between
the two periods, the previous period's ratings are scored again under this period's rubric, and
:attr:`PeriodContext.note` says so; every report shows the note.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from ..errors import StoreError
from ..result import Result
from ..scoring import STATUS_SCORED
from .changeset import Changes
from .comparison import period_changes
from .recording import check_period
from .trends import GroupTrend, RecordedRuns, band_names, group_trend

#: The per-engagement columns a context adds to the reports, in order.
PREVIOUS_COLUMNS = ["previous_score", "change", "previous_band"]
#: The first columns of :attr:`PeriodContext.overall`; one column per band follows.
OVERALL_COLUMNS = ["period", "n", "insufficient", "mean_score"]
#: The carried column the trends group by, when the periods have it (matched ignoring case).
DEFAULT_GROUPING = "Type"


@dataclass(frozen=True)
class PeriodContext:
    """The history around one recorded period, as its reports show it.

    Attributes
    ----------
    period : str
        The period reported on.
    previous_period : str or None
        The recorded period before it (as sorted); None when it is the first.
    periods : list of str
        The recorded periods up to and including :attr:`period`, in order: what the trends
        cover.
    bands : list of str
        The band names, best first (this period's rubric, then any only earlier ones had).
    band_colours : dict of str to str
        Each band's colour (``#RRGGBB``), from the latest rubric that has the band.
    changes : Changes or None
        What changed from :attr:`previous_period` to :attr:`period`, like for like; None
        without a previous period.
    groups : GroupTrend or None
        The number scored, mean score and band mix per group and period, grouped by the
        carried column ``Type`` (or the one asked for) when the periods have it; else None.
    overall : pandas.DataFrame
        One row per period of :attr:`periods`: ``period``, ``n`` (engagements scored),
        ``insufficient``, ``mean_score`` (of the scored ones; missing when none was), then one
        column per band of :attr:`bands` counting the scored engagements in it.
    """

    period: str
    previous_period: str | None
    periods: list[str]
    bands: list[str]
    band_colours: dict[str, str]
    changes: Changes | None = field(repr=False)
    groups: GroupTrend | None = field(repr=False)
    overall: pd.DataFrame = field(repr=False)

    @property
    def note(self) -> str:
        """How this period is compared with the previous one (the :class:`Changes` note), or
        that there is no previous period."""
        if self.changes is None:
            return f"no period before {self.period} is recorded: nothing to compare with"
        return self.changes.note

    def previous(self, ids: Any = None) -> pd.DataFrame:
        """Each engagement's previous score, change and previous band.

        Parameters
        ----------
        ids : sequence or None
            The engagement ids to give, in order (e.g. ``result.engagements.index``); by
            default those recorded in both periods.

        Returns
        -------
        pandas.DataFrame
            Indexed by id, columns :data:`PREVIOUS_COLUMNS`: ``previous_score`` (like for
            like; missing unless scored in the previous period), ``change`` (points, this
            score less the previous one; missing unless scored in both) and ``previous_band``
            (None unless scored in the previous period).  An engagement new in this period,
            or not recorded in the previous one, has every value missing.
        """
        if self.changes is None:
            frame = pd.DataFrame(
                {"previous_score": [], "change": [], "previous_band": []},
                index=pd.Index([], dtype=object, name="id"),
            ).astype({"previous_score": float, "change": float, "previous_band": object})
        else:
            c = self.changes.compared
            before = (c["status_from"] == STATUS_SCORED).to_numpy()
            frame = pd.DataFrame(
                {
                    "previous_score": np.where(before, c["score_from"].to_numpy(float), np.nan),
                    "change": c["change"].to_numpy(dtype=float),
                    "previous_band": np.where(before, c["band_from"].to_numpy(object), None),
                },
                index=c.index,
            )
            frame["previous_band"] = frame["previous_band"].astype(object)
        if ids is None:
            return frame
        out = frame.reindex(pd.Index(list(ids), dtype=object, name="id"))
        out["previous_band"] = (
            out["previous_band"].astype(object).where(out["previous_band"].notna(), None)
        )
        return out

    @property
    def headline(self) -> str:
        """One line: the periods compared and what moved."""
        if self.changes is None:
            return f"{self.period}: the first recorded period"
        c = self.changes.counts
        return (
            f"since {self.previous_period}: {c['compared']} engagements in both periods, "
            f"{c['up']} up a band, {c['down']} down, {c['new']} new, {c['ended']} ended"
        )

    def mean_by_group(self) -> pd.DataFrame | None:
        """The mean score per group (rows: periods, in order; columns: groups, sorted), or
        None without :attr:`groups`."""
        if self.groups is None:
            return None
        table = self.groups.scores.pivot(index="period", columns="group", values="mean_score")
        return table.reindex(index=self.periods, columns=self.groups.groups)

    def to_dict(self) -> dict[str, Any]:
        """The context as JSON-ready data (the ``history`` key of the JSON report).

        Returns
        -------
        dict
            ``period``, ``previous_period``, ``note``, ``periods``, ``bands``; ``overall``: a
            list of ``{"period", "n", "insufficient", "mean_score", "band_mix": {band: n}}``
            in period order; ``groups``: :meth:`GroupTrend.to_dict` or null; ``changes``:
            :meth:`Changes.to_dict` or null.
        """
        overall = [
            {
                "period": row["period"],
                "n": int(row["n"]),
                "insufficient": int(row["insufficient"]),
                "mean_score": None if pd.isna(row["mean_score"]) else float(row["mean_score"]),
                "band_mix": {b: int(row[b]) for b in self.bands},
            }
            for row in self.overall.to_dict("records")
        ]
        return {
            "period": self.period,
            "previous_period": self.previous_period,
            "note": self.note,
            "periods": list(self.periods),
            "bands": list(self.bands),
            "overall": overall,
            "groups": None if self.groups is None else self.groups.to_dict(),
            "changes": None if self.changes is None else self.changes.to_dict(),
        }


class _Cached:
    """A store's reading methods, each period's current run read once."""

    def __init__(self, store: RecordedRuns) -> None:
        self.name = store.name
        self._store = store
        self._periods: list[str] | None = None
        self._results: dict[str, Result] = {}

    def periods(self) -> list[str]:
        if self._periods is None:
            self._periods = self._store.periods()
        return list(self._periods)

    def run_result(
        self, period: str | None = None, run_id: int | None = None, *, details: bool = True
    ) -> Result:
        """The run, read whole once (which serves ``details=False`` too)."""
        if period is None or run_id is not None:
            return self._store.run_result(period, run_id, details=details)
        if period not in self._results:
            self._results[period] = self._store.run_result(period)
        return self._results[period]

    def trend_rows(
        self, ids: list[str] | str | None = None, periods: list[str] | None = None
    ) -> list[dict[str, Any]]:
        return self._store.trend_rows(ids, periods)

    def review_trail(
        self,
        period: str | None = None,
        ids: list[str] | str | None = None,
        *,
        run_id: int | None = None,
    ) -> pd.DataFrame:
        return self._store.review_trail(period, ids, run_id=run_id)


def _grouping(by: str | None, results: dict[str, Result]) -> str | None:
    """The carried column named ``by`` (exactly, else ignoring case) in some period, or None."""
    if by is None:
        return None
    carried = list(dict.fromkeys(c for r in results.values() for c in r.carried_columns))
    if by in carried:
        return by
    folded = [c for c in carried if c.casefold() == by.strip().casefold()]
    return folded[0] if folded else None


def _overall(results: dict[str, Result], bands: list[str]) -> pd.DataFrame:
    """One row per period: n scored, insufficient, mean score and the band counts."""
    rows = []
    for period, result in results.items():
        eng = result.engagements
        scored = eng[(eng["status"] == STATUS_SCORED).to_numpy()]
        counts = scored["band"].value_counts()
        mean = float(scored["score"].mean()) if len(scored) else math.nan
        rows.append(
            [period, len(scored), len(eng) - len(scored), mean]
            + [int(counts.get(b, 0)) for b in bands]
        )
    frame = pd.DataFrame(rows, columns=[*OVERALL_COLUMNS, *bands])
    return frame.astype({"n": "int64", "insufficient": "int64", "mean_score": float})


def _band_colours(results: dict[str, Result]) -> dict[str, str]:
    colours: dict[str, str] = {}
    for result in reversed(list(results.values())):
        for band in result.rubric.bands:
            colours.setdefault(band.name, band.colour)
    return colours


def period_context(
    store: RecordedRuns, period: str, *, by: str | None = DEFAULT_GROUPING
) -> PeriodContext:
    """The comparison of ``period`` with the recorded period before it, and the trends up to
    it (what :meth:`Store.context <assess.history.store.Store.context>` returns).

    Parameters
    ----------
    store : Store
        The history store.
    period : str
        A recorded period (its current run is the one compared).
    by : str or None
        The carried column to group the trends by, when the periods have it; None for no
        grouping.

    Returns
    -------
    PeriodContext
        :class:`~assess.errors.StoreError` when ``period`` is not recorded.
    """
    label = check_period(period)
    cached = _Cached(store)
    labels = cached.periods()
    if label not in labels:
        raise StoreError(f"store {store.name} has no run recorded for period {label!r}")
    upto = [p for p in labels if p <= label]
    results = {p: cached.run_result(p) for p in upto}
    previous = upto[-2] if len(upto) > 1 else None
    changes = None if previous is None else period_changes(cached, previous, label)
    column = _grouping(by, results)
    groups = None if column is None else group_trend(cached, column, periods=upto)
    bands = band_names(list(results.values()))
    return PeriodContext(
        period=label,
        previous_period=previous,
        periods=upto,
        bands=bands,
        band_colours=_band_colours(results),
        changes=changes,
        groups=groups,
        overall=_overall(results, bands),
    )
