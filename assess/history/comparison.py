"""What changed between two recorded periods, like for like.

::

    from assess.history import open_store

    with open_store() as store:
        changes = store.changes()                    # the last two periods
        changes.moved                                # who moved up or down a band
        store.changes("2025-Q2", "2025-Q3", as_recorded=True)

When the two periods were scored with different rubrics (their content hashes differ), the
earlier period's ratings are scored again under the later rubric (:func:`rescore`), so that a
change in score is a change in the ratings rather than in the rubric; ``as_recorded=True``
compares the scores as they were recorded instead.  Either way :attr:`Changes.note` says which.

An engagement missing from one period because its row was rejected there is reported as not
scored in that period (with the reason), not as new or ended.  A row rejected without an id of
its own (a blank or duplicated id) cannot be matched by id: an engagement missing from such a
period but recorded on its other side (the period before it, or after it) is taken to be that
row.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import numpy as np
import pandas as pd

from ..display import percent
from ..errors import StoreError
from ..result import Result, input_labels
from ..rubric import Rubric
from ..scoring import STATUS_INSUFFICIENT, STATUS_SCORED, input_columns, score_frame
from ..validation import Rejection
from .changeset import (
    EVIDENCE_COLUMNS,
    Changes,
    band_moves,
    contribution_drivers,
    driver_criteria,
    empty_evidence,
    rubric_block,
)
from .trends import RecordedRuns

#: Status, in :attr:`Changes.not_scored`, of an engagement whose row a period rejected.
STATUS_REJECTED = "rejected"

#: Score changes smaller than this (in points) are no change: float rounding.
TOLERANCE = 1e-9


def rescore(result: Result, rubric: Rubric) -> tuple[pd.DataFrame, list[str]]:
    """Score a recorded result's ratings again under another rubric.

    Parameters
    ----------
    result : Result
        A result (e.g. an earlier period's, from :meth:`Store.run_result`).
    rubric : Rubric
        The rubric to score its ratings under.

    Returns
    -------
    tuple of (pandas.DataFrame, list of str)
        What :func:`~assess.scoring.score_frame` gives for the result's engagements (same
        index), and the ids of the rubric's rated criteria and indicators that the result has
        no ratings for: they count as not rated.
    """
    eng = result.engagements
    labels = input_labels(rubric)
    inputs = {}
    unrated = []
    for column in input_columns(rubric):
        label = labels[column]
        if label in eng:
            inputs[column] = eng[label].to_numpy(dtype=float)
        else:
            inputs[column] = np.full(len(eng), np.nan)
            unrated.append(column)
    frame = pd.DataFrame(inputs, index=eng.index, columns=input_columns(rubric))
    return score_frame(frame, rubric), unrated


def _names(result: Result) -> pd.Series:
    column = result.name_column
    eng = result.engagements
    if column is None:
        return pd.Series([None] * len(eng), index=eng.index, dtype=object)
    return eng[column].astype(object)


def _side(result: Result, scores: pd.DataFrame, criteria: list[str]) -> pd.DataFrame:
    """One period's engagements: status, score, band, gates, completeness, name and each
    criterion's contribution (0 where not rated), indexed by id."""
    side = pd.DataFrame(
        {
            "status": scores["status"].to_numpy(dtype=object),
            "score": scores["score"].to_numpy(dtype=float),
            "band": scores["band"].to_numpy(dtype=object),
            "gates": scores["gates"].to_numpy(dtype=object),
            "completeness": scores["completeness"].to_numpy(dtype=float),
        },
        index=scores.index,
    )
    side["name"] = _names(result).reindex(scores.index).to_numpy(dtype=object)
    for c in criteria:
        column = f"{c}.contribution"
        values = scores[column].to_numpy(dtype=float) if column in scores else 0.0
        side[c] = np.nan_to_num(values, nan=0.0)
    return side


def _criteria(earlier: Rubric, later: Rubric) -> list[str]:
    return list(dict.fromkeys(later.ids + earlier.ids))


def _attributed(result: Result) -> tuple[dict[str, Rejection], list[Rejection]]:
    """The rejected rows by the id they stand for, and those without an id of their own (a
    missing id, or one that another, scored row of the period has)."""
    present = result.engagements.index  # its hash table is built once, and kept
    own: dict[str, Rejection] = {}
    orphans: list[Rejection] = []
    for r in result.rejected:
        if r.id is not None and r.id not in present:
            own.setdefault(r.id, r)
        else:
            orphans.append(r)
    return own, orphans


def _recorded_ids(result: Result) -> set:
    return set(result.engagements.index) | {r.id for r in result.rejected if r.id is not None}


class _Period:
    """One side of a comparison: its label, result and rejected rows."""

    def __init__(self, label: str, result: Result, side: pd.DataFrame) -> None:
        self.label = label
        self.result = result
        self.side = side
        self.own, self.orphans = _attributed(result)

    def orphan_reason(self, eid: str, seen_in: str) -> str:
        rows = "; ".join(f"{r.cell}: {r.reason}" for r in self.orphans)
        return (
            f"no row with this id; {len(self.orphans)} row(s) rejected without an id of their "
            f"own ({rows}), and {eid} is recorded in {seen_in}"
        )


def _between(a: str, middle: str, b: str) -> bool:
    return a < middle < b or b < middle < a


def _seen_across(eid: str, gap: _Period, present: _Period, others: Mapping[str, Result]):
    """The period on the far side of ``gap`` (from ``present``) that records ``eid``, if any."""
    if not gap.orphans:
        return None
    for label, result in others.items():
        if _between(present.label, gap.label, label) and eid in _recorded_ids(result):
            return label
    return None


def _not_scored_row(eid: str, gap: _Period, present: _Period, reason: str, status: str):
    row = present.side.loc[eid]
    return {
        "id": eid,
        "name": row["name"],
        "period": gap.label,
        "status": status,
        "reason": reason,
        "other_period": present.label,
        "other_score": row["score"],
        "other_band": row["band"],
    }


def _one_sided(
    ids: list, gap: _Period, present: _Period, others: Mapping[str, Result]
) -> tuple[list, list[dict[str, Any]]]:
    """Ids ``present`` has and ``gap`` does not: those that are simply there (new or ended),
    and the rows saying that ``gap`` did not score them (their row was rejected)."""
    alone, missing = [], []
    for eid in ids:
        if eid in gap.own:
            rejection = gap.own[eid]
            reason = f"{rejection.cell}: {rejection.reason}"
        else:
            seen = _seen_across(eid, gap, present, others)
            if seen is None:
                alone.append(eid)
                continue
            reason = gap.orphan_reason(eid, seen)
        if present.side.at[eid, "status"] == STATUS_SCORED:
            missing.append(_not_scored_row(eid, gap, present, reason, STATUS_REJECTED))
    return alone, missing


def _insufficient_rows(
    x: pd.DataFrame, y: pd.DataFrame, a: _Period, b: _Period
) -> list[dict[str, Any]]:
    """Engagements scored in one period and of insufficient evidence in the other (``x`` and
    ``y``: the sides of ``a`` and ``b``, on the same rows)."""
    rows = []
    for gap, present, first, second in ((a, b, x, y), (b, a, y, x)):
        status = first["status"].to_numpy() == STATUS_INSUFFICIENT
        status &= second["status"].to_numpy() == STATUS_SCORED
        for eid in first.index[status]:
            share = percent(gap.side.at[eid, "completeness"])
            reason = f"insufficient evidence: {share} of the weight rated"
            rows.append(_not_scored_row(eid, gap, present, reason, STATUS_INSUFFICIENT))
    return rows


def _listing(side: pd.DataFrame, ids: list) -> pd.DataFrame:
    """New or ended engagements: ``name``, ``status``, ``score``, ``band``."""
    frame = side.loc[ids, ["name", "status", "score", "band"]]
    return frame.sort_index(key=lambda index: index.astype(str))


def _compared(
    x: pd.DataFrame, y: pd.DataFrame, a: _Period, b: _Period, criteria: list[str]
) -> tuple[pd.DataFrame, pd.DataFrame]:
    """Engagements in both periods, side by side (``x`` and ``y``: the sides of ``a`` and
    ``b``, on the same rows); and the contribution differences of those scored in both."""
    name = y["name"].where(y["name"].notna(), x["name"])
    both = (x["status"] == STATUS_SCORED).to_numpy() & (y["status"] == STATUS_SCORED).to_numpy()
    change = np.where(both, y["score"].to_numpy() - x["score"].to_numpy(), np.nan)
    frame = pd.DataFrame(
        {
            "name": name.to_numpy(dtype=object),
            "status_from": x["status"].to_numpy(dtype=object),
            "status_to": y["status"].to_numpy(dtype=object),
            "score_from": x["score"].to_numpy(dtype=float),
            "score_to": y["score"].to_numpy(dtype=float),
            "change": change,
            "band_from": x["band"].to_numpy(dtype=object),
            "band_to": y["band"].to_numpy(dtype=object),
            "gates_from": x["gates"].to_numpy(dtype=object),
            "gates_to": y["gates"].to_numpy(dtype=object),
        },
        index=y.index.rename("id"),
    )
    frame["move"] = band_moves(frame, b.result.rubric.band_names, a.result.rubric.band_names, both)
    contributions = pd.DataFrame(
        y[criteria].to_numpy() - x[criteria].to_numpy(), index=frame.index, columns=criteria
    )
    return frame, contributions[both]


def _gate_changes(compared: pd.DataFrame) -> pd.DataFrame:
    """One row per gate newly applied or lifted: ``name``, ``gate``, ``change``, bands."""
    rows = []
    differ = compared["gates_from"].fillna("").to_numpy() != compared["gates_to"].fillna("")
    compared = compared[np.asarray(differ, dtype=bool)]
    columns = ("name", "gates_from", "gates_to", "band_from", "band_to")
    for eid, name, start, end, band_from, band_to in zip(
        compared.index.tolist(), *(compared[c].tolist() for c in columns), strict=True
    ):
        before = {g for g in str(start or "").split(",") if g}
        after = {g for g in str(end or "").split(",") if g}
        for change, gates in (("applied", after - before), ("lifted", before - after)):
            for gate in sorted(gates):
                rows.append((eid, name, gate, change, band_from, band_to))
    frame = pd.DataFrame(rows, columns=["id", "name", "gate", "change", "band_from", "band_to"])
    return frame.set_index("id")


def _largest(compared: pd.DataFrame, contributions: pd.DataFrame, top: int) -> pd.DataFrame:
    """The ``top`` largest score changes, with the criteria that drove them."""
    magnitude = compared["change"].abs().to_numpy()
    changed = np.flatnonzero(magnitude > TOLERANCE)
    count = min(max(int(top), 0), len(changed))
    if 0 < count < len(changed):  # only those as large as the top ones can be among them
        least = np.partition(magnitude[changed], len(changed) - count)[len(changed) - count]
        changed = changed[magnitude[changed] >= least]
    ids = compared.index[changed].astype(str)
    order = np.lexsort((ids, -magnitude[changed]))[:count]
    picked = compared.iloc[changed[order]]
    frame = picked[["name", "score_from", "score_to", "change", "band_from", "band_to"]].copy()
    frame["drivers"] = [contribution_drivers(contributions.loc[eid]) for eid in picked.index]
    return frame


#: Reads the review cells (``<criterion>.evidence`` ...) of engagements by id: those of the
#: period compared from, and of the period compared to (frames indexed by id).
EvidenceReader = Callable[[list], tuple[pd.DataFrame, pd.DataFrame]]


def _evidence_text(frame: pd.DataFrame, eid: Any, criterion: str) -> Any:
    column = f"{criterion}.evidence"
    if column not in frame.columns or eid not in frame.index:
        return None
    value = frame.at[eid, column]
    return None if value is None or (isinstance(value, float) and np.isnan(value)) else value


def _has_evidence(frame: pd.DataFrame) -> bool:
    columns = [c for c in frame.columns if str(c).endswith(".evidence")]
    return bool(columns) and bool(frame[columns].notna().to_numpy().any())


def _driver_evidence(ids: list, contributions: pd.DataFrame, read: EvidenceReader) -> pd.DataFrame:
    """For the engagements ``ids`` (scored in both periods), the evidence behind each criterion
    that drove their change, where either period has some (:attr:`Changes.evidence`)."""
    if not ids:
        return empty_evidence()
    before, after = read(ids)
    if not (_has_evidence(before) or _has_evidence(after)):
        return empty_evidence()
    rows = []
    for eid, criteria in driver_criteria(contributions.loc[ids]).items():
        for criterion in criteria:
            start = _evidence_text(before, eid, criterion)
            end = _evidence_text(after, eid, criterion)
            if start is not None or end is not None:
                rows.append((eid, criterion, start, end))
    frame = pd.DataFrame(rows, columns=["id", *EVIDENCE_COLUMNS], dtype=object)
    return frame.set_index("id")


def _not_scored(rows: list[dict[str, Any]]) -> pd.DataFrame:
    columns = [
        "id",
        "name",
        "period",
        "status",
        "reason",
        "other_period",
        "other_score",
        "other_band",
    ]
    frame = pd.DataFrame(rows, columns=columns).set_index("id")
    return frame.sort_index(key=lambda index: index.astype(str))


def _note(a: _Period, b: _Period, as_recorded: bool, unrated: list[str]) -> str:
    ra, rb = a.result.rubric, b.result.rubric
    if ra.content_hash == rb.content_hash:
        return f"both periods were scored with {_rubric_text(rb)}"
    if as_recorded:
        return (
            f"scores as recorded: {a.label} under {_rubric_text(ra)}, {b.label} under "
            f"{_rubric_text(rb)}; part of a change may be the rubric's"
        )
    text = (
        f"like for like: {a.label} was scored with {_rubric_text(ra)} and {b.label} with "
        f"{_rubric_text(rb)}, so {a.label}'s ratings are re-scored under {_rubric_text(rb)}"
    )
    if unrated:
        text += f"; not in {a.label}'s ratings, so counted as not rated: {', '.join(unrated)}"
    return text


def _rubric_text(rubric: Rubric) -> str:
    return f"{rubric.name} {rubric.version} ({rubric.short_hash})"


def compare_results(
    earlier: Result,
    later: Result,
    *,
    from_period: str = "from",
    to_period: str = "to",
    as_recorded: bool = False,
    top: int = 10,
    others: Mapping[str, Result] | None = None,
    evidence: EvidenceReader | None = None,
) -> Changes:
    """What changed from one result to another (see :meth:`Store.changes`).

    Parameters
    ----------
    earlier, later : Result
        The results of the period compared from and of the period compared to.
    from_period, to_period : str
        Their period labels.
    as_recorded : bool
        Compare the scores as recorded even if the rubrics differ; by default ``earlier``'s
        ratings are re-scored under ``later``'s rubric when the two differ.
    top : int
        How many of the largest score changes to list.
    others : mapping of str to Result, or None
        Other periods' results by label: where a period has rows rejected without an id of
        their own, an engagement missing from it but recorded in a period on its far side is
        taken to be one of those rows (not new, not ended).
    evidence : callable or None
        Given the ids of the engagements whose changes are listed, their review cells in
        ``earlier`` and in ``later`` (two frames indexed by id, with ``<criterion>.evidence``
        columns); by default the results' own engagements.

    Returns
    -------
    Changes
        The comparison.
    """
    rescored = not as_recorded and earlier.rubric.content_hash != later.rubric.content_hash
    criteria = _criteria(earlier.rubric, later.rubric)
    unrated: list[str] = []
    if rescored:
        earlier_scores, unrated = rescore(earlier, later.rubric)
    else:
        earlier_scores = earlier.engagements
    a = _Period(str(from_period), earlier, _side(earlier, earlier_scores, criteria))
    b = _Period(str(to_period), later, _side(later, later.engagements, criteria))
    in_a = b.side.index.isin(a.side.index)
    in_b = a.side.index.isin(b.side.index)
    y = b.side[in_a]
    x = a.side.take(a.side.index.get_indexer(y.index))
    others = dict(others or {})
    new, missing_a = _one_sided(list(b.side.index[~in_a]), a, b, others)
    ended, missing_b = _one_sided(list(a.side.index[~in_b]), b, a, others)
    compared, contributions = _compared(x, y, a, b, criteria)
    largest = _largest(compared, contributions, top)
    moved = compared.index[(compared["move"].fillna(0) != 0).to_numpy()]
    listed = list(dict.fromkeys([*largest.index, *moved]))
    if evidence is None:
        evidence = lambda ids: (earlier.engagements, later.engagements)  # noqa: E731
    return Changes(
        from_period=a.label,
        to_period=b.label,
        from_rubric=rubric_block(earlier.rubric),
        to_rubric=rubric_block(later.rubric),
        as_recorded=bool(as_recorded),
        rescored_under=rubric_block(later.rubric) if rescored else None,
        note=_note(a, b, bool(as_recorded), unrated),
        unrated=unrated,
        compared=compared,
        contributions=contributions,
        new=_listing(b.side, new),
        ended=_listing(a.side, ended),
        not_scored=_not_scored(missing_a + missing_b + _insufficient_rows(x, y, a, b)),
        largest=largest,
        gates=_gate_changes(compared),
        evidence=_driver_evidence(listed, contributions, evidence),
    )


def _default_periods(
    labels: list[str], from_period: str | None, to_period: str | None, store: RecordedRuns
) -> tuple[str, str]:
    """The periods to compare: by default the last one, and the one before the other."""
    if not labels:
        raise StoreError(f"store {store.name} holds no recorded runs yet")
    to = labels[-1] if to_period is None else str(to_period).strip()
    if from_period is not None:
        return str(from_period).strip(), to
    earlier = [p for p in labels if p < to]
    if not earlier:
        raise StoreError(
            f"store {store.name} has no period before {to} to compare it with "
            f"(recorded: {', '.join(labels)})"
        )
    return earlier[-1], to


def _far_side(labels: list[str], gap: str, present: str) -> list[str]:
    """The period next to ``gap`` on its far side from ``present`` (none if there is none)."""
    if gap < present:
        return [p for p in labels if p < gap][-1:]
    if gap > present:
        return [p for p in labels if p > gap][:1]
    return []


def period_changes(
    store: RecordedRuns,
    from_period: str | None = None,
    to_period: str | None = None,
    as_recorded: bool = False,
    *,
    top: int = 10,
) -> Changes:
    """What changed between two recorded periods (what :meth:`Store.changes` returns).

    Parameters
    ----------
    store : Store
        The history store.
    from_period : str or None
        The period to compare from; by default the one before ``to_period``.
    to_period : str or None
        The period to compare to; by default the last.
    as_recorded : bool
        Compare the scores as recorded rather than like for like.
    top : int
        How many of the largest score changes to list.

    Returns
    -------
    Changes
        The comparison; :class:`~assess.errors.StoreError` when a period is not recorded, or
        there is no period to compare with.
    """
    labels = store.periods()
    a, b = _default_periods(labels, from_period, to_period, store)
    earlier = store.run_result(a, details=False)
    later = earlier if b == a else store.run_result(b, details=False)
    others = {}
    for gap, present, result in ((a, b, earlier), (b, a, later)):
        if _attributed(result)[1]:  # rows rejected without an id of their own
            for label in _far_side(labels, gap, present):
                others[label] = store.run_result(label, details=False)
    return compare_results(
        earlier,
        later,
        from_period=a,
        to_period=b,
        as_recorded=as_recorded,
        top=top,
        others=others,
        evidence=lambda ids: (store.review_trail(a, ids), store.review_trail(b, ids)),
    )
