"""Trends over the recorded periods: each engagement's score, band and ratings, or a group's.

::

    from assess.history import open_store

    with open_store() as store:
        store.trend(["DEP-010"])        # one row per engagement and period (a DataFrame)
        store.trend(by="Type")          # a GroupTrend: n, mean score and band mix per group

Each period's current run is read, so a trend always shows what the history holds now: only
the engagements asked for (:meth:`Store.trend_rows <assess.history.store.Store.trend_rows>`), or
for a group trend the whole run (:meth:`Store.run_result
<assess.history.store.Store.run_result>`).  Scores are as recorded:
when the rubric was revised between periods, :meth:`Store.changes
<assess.history.store.Store.changes>` compares two periods like for like.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any, Protocol

import numpy as np
import pandas as pd

from ..errors import StoreError
from ..result import Result, input_labels
from ..scoring import STATUS_SCORED
from ..validation import json_value
from .timeline import STATUS_REJECTED as STATUS_REJECTED
from .timeline import TREND_COLUMNS, as_list, trend_rows_dict


class RecordedRuns(Protocol):
    """What the trends and changes read of a :class:`~assess.history.store.Store`: its public
    reading methods only."""

    name: str

    def periods(self) -> list[str]: ...

    def run_result(
        self, period: str | None = None, run_id: int | None = None, *, details: bool = True
    ) -> Result: ...

    def trend_rows(
        self, ids: list[str] | str | None = None, periods: list[str] | None = None
    ) -> list[dict[str, Any]]: ...

    def review_trail(
        self,
        period: str | None = None,
        ids: list[str] | str | None = None,
        *,
        run_id: int | None = None,
    ) -> pd.DataFrame: ...


#: The label of engagements that have no value in the grouping column.
MISSING_GROUP = "(missing)"


def period_results(store: RecordedRuns, periods: list[str] | None) -> dict[str, Result]:
    """Each period's current run as a Result, in period order (every period by default)."""
    chosen = as_list(periods)
    labels = store.periods() if chosen is None else sorted({p.strip() for p in chosen})
    if not labels:
        raise StoreError(f"store {store.name} holds no recorded runs yet")
    return {label: store.run_result(label) for label in labels}


def rating_labels(results: list[Result]) -> list[str]:
    """The input columns (``<criterion>.rating``, ``<indicator>.value``) of the results'
    rubrics: the last rubric's in its order, then any only earlier ones had."""
    labels: list[str] = []
    for result in reversed(results):
        for label in input_labels(result.rubric).values():
            if label not in labels:
                labels.append(label)
    return labels


def engagement_trend(
    store: RecordedRuns, ids: list[str] | str | None = None, periods: list[str] | None = None
):
    """Each engagement's status, score, band, rank and ratings in every recorded period.

    Parameters
    ----------
    store : Store
        The history store.
    ids : list of str, str or None
        The engagements to follow (one id alone will do); by default every engagement
        recorded.  An id no period holds raises :class:`~assess.errors.StoreError`.
    periods : list of str or None
        The periods to read; by default all of them (each period's current run).

    Returns
    -------
    pandas.DataFrame
        One row per engagement and period it was recorded in (scored, insufficient evidence,
        or its row rejected), by id (in the order asked, else sorted) then period (in order).
        Columns :data:`TREND_COLUMNS`: ``id``, ``period``, ``status`` (``scored``,
        ``insufficient`` or ``rejected``), ``score``, ``band`` and ``rank`` (missing unless
        scored), ``gates`` (the gates that capped the band, comma-separated), ``rubric_version``
        (the rubric the period was scored with), ``reason`` (why a row was rejected: its cell
        and problem), ``name`` (the engagement's name in that period, from its carried name
        column; missing for a rejected row); then one column per input, ``<criterion>.rating``
        or ``<indicator>.value`` (missing where not rated, or not in that period's rubric).
        ``attrs["periods"]`` lists the periods read, in order (those where none of the
        engagements was recorded too).
    """
    rows = store.trend_rows(ids, periods)
    if rows:
        labels = list(rows[0])[len(TREND_COLUMNS) :]
    else:  # nothing recorded in these periods: the inputs of their rubrics
        labels = rating_labels(list(period_results(store, periods).values()))
    table = pd.DataFrame(rows, columns=TREND_COLUMNS + labels)
    table = table.astype({"score": float} | dict.fromkeys(labels, float))
    for column in ("band", "name"):  # text or None, as in an engagements frame
        table[column] = table[column].astype(object).where(table[column].notna(), None)
    table["rank"] = pd.array(table["rank"], dtype="Int64")
    chosen = as_list(periods)
    table.attrs["periods"] = (
        store.periods() if chosen is None else sorted(set(map(str.strip, chosen)))
    )
    return table


def engagement_trend_dict(trend: pd.DataFrame) -> dict[str, Any]:
    """An engagement trend (what :func:`engagement_trend` returns) as JSON-ready data.

    Parameters
    ----------
    trend : pandas.DataFrame
        The trend, one row per engagement and period.

    Returns
    -------
    dict
        ``periods``: the periods read, in order (``trend.attrs["periods"]``, else those in
        the rows); ``engagements``: a list, in the trend's order, of ``{"id", "name",
        "periods"}`` (``name`` as in the engagement's last period that has one, or null), each
        period an object ``{"period", "status", "score", "band", "rank", "gates",
        "rubric_version", "reason", "ratings"}`` in period order, ``ratings`` mapping each
        input column (``<criterion>.rating``, ``<indicator>.value``) to its value or null.
        Missing values are null.
    """
    labels = [c for c in trend.columns if c not in TREND_COLUMNS]
    rows = [
        {key: json_value(row[key]) if key == "id" else _json(row[key]) for key in row}
        for row in trend[TREND_COLUMNS + labels].to_dict("records")
    ]
    periods = trend.attrs.get("periods") or list(dict.fromkeys(trend["period"]))
    return trend_rows_dict(rows, periods)


def _json(value: Any) -> Any:
    return None if value is pd.NA else json_value(value)


@dataclass(frozen=True)
class GroupTrend:
    """Per group of engagements (by a carried column) and period: how many were scored, their
    mean score and how many fell in each band.

    Attributes
    ----------
    by : str
        The carried column the engagements are grouped by (e.g. ``"Type"``).
    periods : list of str
        The periods, in order.
    bands : list of str
        The band names, best first (the last period's rubric, then any only earlier ones had).
    scores : pandas.DataFrame
        One row per group and period (groups sorted, periods in order): ``group``, ``period``,
        ``n`` (engagements scored), ``insufficient`` (insufficient evidence) and
        ``mean_score`` (of the scored ones; missing when none was).  Engagements without a
        value in the column form the group ``"(missing)"``; rejected rows are in no group.
    band_mix : pandas.DataFrame
        The same rows: ``group``, ``period``, then one column per band (in :attr:`bands`
        order) counting the scored engagements in it.
    rubric_versions : dict of str to str
        Each period's rubric version (the rubric its current run was scored with): the mean
        scores of periods scored with different versions are as recorded, not like for like.
    """

    by: str
    periods: list[str]
    bands: list[str]
    scores: pd.DataFrame = field(repr=False)
    band_mix: pd.DataFrame = field(repr=False)
    rubric_versions: dict[str, str] = field(default_factory=dict)

    @property
    def groups(self) -> list[str]:
        """The groups, sorted."""
        return list(dict.fromkeys(self.scores["group"]))

    def to_dict(self) -> dict[str, Any]:
        """The trend as JSON-ready data.

        Returns
        -------
        dict
            ``by``, ``periods`` and ``bands`` as the attributes; ``groups``: a list (sorted by
            group) of ``{"group": str, "periods": [...]}``, each period an object
            ``{"period": str, "n": int, "insufficient": int, "mean_score": float or None,
            "band_mix": {band: int, ...}}`` in period order; ``rubric_versions``:
            ``{period: version}``.
        """
        mix = self.band_mix.set_index(["group", "period"])
        groups: dict[str, list[dict[str, Any]]] = {}
        for row in self.scores.itertuples(index=False):
            counts = mix.loc[(row.group, row.period)]
            groups.setdefault(row.group, []).append(
                {
                    "period": row.period,
                    "n": int(row.n),
                    "insufficient": int(row.insufficient),
                    "mean_score": None if pd.isna(row.mean_score) else float(row.mean_score),
                    "band_mix": {band: int(counts[band]) for band in self.bands},
                }
            )
        return {
            "by": self.by,
            "periods": list(self.periods),
            "bands": list(self.bands),
            "groups": [{"group": g, "periods": rows} for g, rows in groups.items()],
            "rubric_versions": dict(self.rubric_versions),
        }

    def summary_lines(self) -> list[str]:
        """Plain text: one line per group and period (n, mean score, band mix)."""
        lines = [f"by {self.by}, periods {', '.join(self.periods)}"]
        mix = self.band_mix.set_index(["group", "period"])
        for row in self.scores.itertuples(index=False):
            counts = mix.loc[(row.group, row.period)]
            bands = ", ".join(f"{b} {int(counts[b])}" for b in self.bands if counts[b])
            mean = "-" if pd.isna(row.mean_score) else f"{row.mean_score:.1f}"
            lines.append(f"{row.group} {row.period}: n {row.n}, mean {mean}; {bands or 'none'}")
        return lines


def _find_column(by: str, results: dict[str, Result], store: RecordedRuns) -> str:
    carried = list(dict.fromkeys(c for r in results.values() for c in r.carried_columns))
    if by in carried:
        return by
    folded = [c for c in carried if c.casefold() == by.strip().casefold()]
    if folded:
        return folded[0]
    shown = ", ".join(carried) if carried else "none"
    raise StoreError(
        f"store {store.name}: no recorded period has a column {by!r} to group by "
        f"(carried columns: {shown})"
    )


def _group_labels(values: pd.Series) -> np.ndarray:
    out = np.empty(len(values), dtype=object)
    for j, value in enumerate(values.to_numpy(dtype=object)):
        missing = value is None or (isinstance(value, float) and math.isnan(value))
        missing = missing or value is pd.NA or str(value).strip() == ""
        out[j] = MISSING_GROUP if missing else str(value)
    return out


def _period_groups(result: Result, column: str, ids: set | None) -> pd.DataFrame:
    eng = result.engagements
    if ids is not None:
        eng = eng[eng.index.isin(list(ids))]
    values = eng[column] if column in eng else pd.Series([None] * len(eng), dtype=object)
    return pd.DataFrame(
        {
            "group": _group_labels(values),
            "scored": (eng["status"] == STATUS_SCORED).to_numpy(),
            "score": eng["score"].to_numpy(dtype=float),
            "band": eng["band"].to_numpy(dtype=object),
        }
    )


def band_names(results: list[Result]) -> list[str]:
    """The band names of the results' rubrics, best first: the last rubric's, then any only
    earlier ones had."""
    names: list[str] = []
    for result in reversed(results):
        names += [b for b in result.rubric.band_names if b not in names]
    return names


def group_trend(
    store: RecordedRuns,
    by: str,
    ids: list[str] | str | None = None,
    periods: list[str] | None = None,
) -> GroupTrend:
    """The number scored, mean score and band mix per group of engagements and period.

    Parameters
    ----------
    store : Store
        The history store.
    by : str
        A carried column to group by, e.g. ``"Type"`` (matched exactly, else ignoring case);
        :class:`~assess.errors.StoreError` when no period carries it.
    ids : list of str, str or None
        Only these engagements; by default all.
    periods : list of str or None
        The periods to read; by default all of them.

    Returns
    -------
    GroupTrend
        ``scores`` and ``band_mix`` DataFrames, and ``to_dict()``.
    """
    results = period_results(store, periods)
    column = _find_column(by, results, store)
    bands = band_names(list(results.values()))
    chosen = None if ids is None else set(as_list(ids))
    score_rows, mix_rows = [], []
    frames = {p: _period_groups(r, column, chosen) for p, r in results.items()}
    groups = sorted({g for f in frames.values() for g in f["group"]})
    for group in groups:
        for period, frame in frames.items():
            mine = frame[frame["group"].to_numpy() == group]
            scored = mine[mine["scored"].to_numpy()]
            mean = float(scored["score"].mean()) if len(scored) else math.nan
            score_rows.append((group, period, len(scored), len(mine) - len(scored), mean))
            counts = scored["band"].value_counts()
            mix_rows.append([group, period] + [int(counts.get(b, 0)) for b in bands])
    scores = pd.DataFrame(
        score_rows, columns=["group", "period", "n", "insufficient", "mean_score"]
    ).astype({"n": "int64", "insufficient": "int64", "mean_score": float})
    band_mix = pd.DataFrame(mix_rows, columns=["group", "period", *bands])
    return GroupTrend(
        by=column,
        periods=list(results),
        bands=bands,
        scores=scores,
        band_mix=band_mix,
        rubric_versions={p: r.rubric.version for p, r in results.items()},
    )
