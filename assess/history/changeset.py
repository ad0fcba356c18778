"""The :class:`Changes` between two recorded periods: its tables, JSON form and plain text.

:mod:`assess.history.comparison` works the changes out; this module holds what it returns.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from functools import cached_property
from typing import Any

import numpy as np
import pandas as pd

from ..rubric import Rubric
from ..validation import json_value

#: Contribution differences smaller than this (points) do not count as drivers of a change.
DRIVER_MIN = 0.05
#: At most this many criteria are named as the drivers of a change.
DRIVERS_SHOWN = 3


def rubric_block(rubric: Rubric) -> dict[str, str]:
    """``{"name", "version", "hash"}`` of a rubric (the full content hash)."""
    return {"name": rubric.name, "version": rubric.version, "hash": rubric.content_hash}


def band_moves(
    compared: pd.DataFrame, names: list[str], fallback: list[str], both: np.ndarray
) -> pd.api.extensions.ExtensionArray:
    """Bands moved from ``band_from`` to ``band_to``: positive up, negative down, missing
    unless scored in both.  Bands are placed by ``names`` (best first), else by ``fallback``."""
    place = {b: j for j, b in enumerate(fallback)} | {b: j for j, b in enumerate(names)}
    start = compared["band_from"].map(place).to_numpy(dtype=float)
    end = compared["band_to"].map(place).to_numpy(dtype=float)
    steps = start - end
    valid = both & ~np.isnan(steps)
    return pd.arrays.IntegerArray(np.where(valid, steps, 0).astype("int64"), ~valid)


def driver_criteria(differences: pd.DataFrame) -> dict[Any, list[str]]:
    """Per engagement (a row of contribution changes, one column per criterion), the
    criteria that drove its change: those whose contribution changed most, at most
    :data:`DRIVERS_SHOWN`, each of at least :data:`DRIVER_MIN` points, largest first (as
    :func:`contribution_drivers` names them)."""
    values = np.abs(differences.to_numpy(dtype=float))
    if not values.size:
        return {eid: [] for eid in differences.index}
    order = np.argsort(-values, axis=1, kind="stable")[:, :DRIVERS_SHOWN]
    large = np.take_along_axis(values, order, axis=1) >= DRIVER_MIN
    columns = [str(c) for c in differences.columns]
    return {
        eid: [columns[j] for j, keep in zip(picked, kept, strict=True) if keep]
        for eid, picked, kept in zip(differences.index, order.tolist(), large.tolist(), strict=True)
    }


def contribution_drivers(differences: pd.Series) -> str:
    """The criteria whose contribution changed most, e.g. ``"political_friction +9.1,
    transparency -2.3"`` (at most :data:`DRIVERS_SHOWN`, each of at least :data:`DRIVER_MIN`
    points)."""
    values = differences.astype(float)
    order = np.argsort(-values.abs().to_numpy(), kind="stable")
    parts = []
    for j in order[:DRIVERS_SHOWN]:
        if abs(values.iloc[j]) >= DRIVER_MIN:
            parts.append(f"{values.index[j]} {values.iloc[j]:+.1f}")
    return ", ".join(parts)


#: The columns of :attr:`Changes.evidence` (indexed by ``id``).
EVIDENCE_COLUMNS = ("criterion", "from", "to")


def empty_evidence() -> pd.DataFrame:
    """An :attr:`Changes.evidence` table with no rows."""
    return pd.DataFrame(columns=list(EVIDENCE_COLUMNS), index=pd.Index([], name="id"), dtype=object)


def _json_values(values: pd.Series | pd.Index) -> list[Any]:
    """A column's values made JSON-ready by :func:`~assess.validation.json_value` (missing
    values as None), a column at a time."""
    kind = values.dtype.kind if isinstance(values.dtype, np.dtype) else ""
    items = values.tolist()
    if kind == "f":
        return [v if math.isfinite(v) else None for v in items]
    if kind in ("i", "u"):
        return items
    return [None if v is pd.NA else json_value(v) for v in items]


def _records(frame: pd.DataFrame) -> list[dict[str, Any]]:
    """One object per row: its ``id`` (the index), then its columns."""
    keys = ["id", *frame.columns]
    columns = [_json_values(frame.index), *(_json_values(frame[c]) for c in frame.columns)]
    return [dict(zip(keys, values, strict=True)) for values in zip(*columns, strict=True)]


def _rows(frame: pd.DataFrame, *columns: str) -> Any:
    """``(id, value, ...)`` per row of ``frame``: its index and the values of ``columns``."""
    return zip(frame.index.tolist(), *(frame[c].tolist() for c in columns), strict=True)


@dataclass(frozen=True)
class Changes:
    """What changed from one recorded period to another.

    Every table is indexed by engagement id (``id``).

    Attributes
    ----------
    from_period, to_period : str
        The periods compared: from the first to the second.
    from_rubric, to_rubric : dict
        The rubric each period was recorded with: ``name``, ``version``, ``hash``.
    as_recorded : bool
        True when the scores are compared as recorded, whatever the rubrics.
    rescored_under : dict or None
        The rubric (``name``, ``version``, ``hash``) that ``from_period``'s ratings were scored
        again under, because the rubrics differ; None when the scores are as recorded.
    note : str
        One sentence on how the scores are compared (same rubric, re-scored, as recorded).
    unrated : list of str
        When re-scored: the rated criteria and indicators of the later rubric that the earlier
        ratings do not have (counted as not rated).
    compared : pandas.DataFrame
        Every engagement in both periods: ``name``, ``status_from``, ``status_to``,
        ``score_from``, ``score_to``, ``change`` (points; missing unless scored in both),
        ``band_from``, ``band_to``, ``gates_from``, ``gates_to`` (gate ids, comma-separated)
        and ``move`` (bands moved: +1 one band up, -1 one down, 0 none; missing unless scored
        in both).
    contributions : pandas.DataFrame
        For the engagements scored in both: one column per criterion id, the change of its
        contribution in points (a criterion not rated contributes 0).  A row adds up to the
        score's ``change``.
    new, ended : pandas.DataFrame
        Engagements only in ``to_period`` (new) or only in ``from_period`` (ended), with
        ``name``, ``status``, ``score`` and ``band`` where they are (an ended engagement's
        re-scored, when ``from_period`` is re-scored).
    not_scored : pandas.DataFrame
        Engagements scored in one period but not in the other, because their row was rejected
        or had insufficient evidence there: ``name``, ``period`` (where not scored),
        ``status`` (``rejected`` or ``insufficient``), ``reason``, ``other_period``,
        ``other_score``, ``other_band``.
    largest : pandas.DataFrame
        The largest score changes, largest first: ``name``, ``score_from``, ``score_to``,
        ``change``, ``band_from``, ``band_to``, ``drivers`` (the criteria whose contributions
        changed most, e.g. ``"political_friction +9.1, resources -2.3"``).
    gates : pandas.DataFrame
        One row per gate newly applied or lifted: ``name``, ``gate``, ``change``
        (``applied`` or ``lifted``), ``band_from``, ``band_to``.
    evidence : pandas.DataFrame
        The evidence behind the criteria that drove each change listed in :attr:`largest`
        and :attr:`moved`, where either period recorded some: one row per engagement and
        driving criterion, ``criterion``, ``from`` and ``to`` (the evidence text in each
        period, None where there was none).
    """

    from_period: str
    to_period: str
    from_rubric: dict[str, str]
    to_rubric: dict[str, str]
    as_recorded: bool
    rescored_under: dict[str, str] | None
    note: str
    unrated: list[str]
    compared: pd.DataFrame = field(repr=False)
    contributions: pd.DataFrame = field(repr=False)
    new: pd.DataFrame = field(repr=False)
    ended: pd.DataFrame = field(repr=False)
    not_scored: pd.DataFrame = field(repr=False)
    largest: pd.DataFrame = field(repr=False)
    gates: pd.DataFrame = field(repr=False)
    evidence: pd.DataFrame = field(repr=False, default_factory=lambda: empty_evidence())

    @cached_property
    def moved(self) -> pd.DataFrame:
        """Engagements that moved up or down a band, up first (most bands first), then down:
        ``name``, ``direction`` (``up``/``down``), ``steps`` (bands moved), ``band_from``,
        ``band_to``, ``score_from``, ``score_to``, ``change``."""
        move = self.compared["move"]
        rows = self.compared[(move.fillna(0) != 0).to_numpy()]
        steps = rows["move"].astype(int)
        frame = pd.DataFrame(
            {
                "name": rows["name"],
                "direction": np.where(steps > 0, "up", "down"),
                "steps": steps.abs(),
                "band_from": rows["band_from"],
                "band_to": rows["band_to"],
                "score_from": rows["score_from"],
                "score_to": rows["score_to"],
                "change": rows["change"],
            },
            index=rows.index,
        )
        order = np.lexsort((rows.index.astype(str), -steps.to_numpy()))
        return frame.iloc[order]

    @property
    def up(self) -> list[str]:
        """Ids of the engagements that moved up a band (or more)."""
        moved = self.moved
        return list(moved.index[moved["direction"] == "up"])

    @property
    def down(self) -> list[str]:
        """Ids of the engagements that moved down a band (or more)."""
        moved = self.moved
        return list(moved.index[moved["direction"] == "down"])

    def gate_ids(self, change: str) -> list[str]:
        """Ids of the engagements with a gate ``"applied"`` or ``"lifted"``."""
        return list(dict.fromkeys(self.gates.index[self.gates["change"] == change]))

    @property
    def counts(self) -> dict[str, int]:
        """How many engagements were compared, changed score, are new, ended, not scored in
        one period, moved up or down a band, had a gate applied or lifted."""
        changed = self.compared["change"].abs() > 1e-9
        return {
            "compared": len(self.compared),
            "changed": int(changed.sum()),
            "new": len(self.new),
            "ended": len(self.ended),
            "not_scored": len(self.not_scored),
            "up": len(self.up),
            "down": len(self.down),
            "gates_applied": int((self.gates["change"] == "applied").sum()),
            "gates_lifted": int((self.gates["change"] == "lifted").sum()),
        }

    def to_dict(self) -> dict[str, Any]:
        """The changes as JSON-ready data.

        Returns
        -------
        dict
            ``from_period``, ``to_period``; ``rubrics``: ``{"from": {...}, "to": {...}}`` (each
            ``name``, ``version``, ``hash``); ``as_recorded``; ``rescored_under`` (a rubric
            block or null); ``note``; ``unrated``; ``counts`` (as :attr:`counts`); then lists
            of objects, each with the ``id`` and the columns of its table: ``new``, ``ended``,
            ``not_scored``, ``moved`` (each also with ``evidence``), ``largest`` (each also
            with ``contributions``: ``{criterion: points}``, the non-zero contribution
            changes, and ``evidence``) and ``gates``.  ``evidence`` is ``{criterion: {"from":
            text, "to": text}}`` for the criteria that drove the change where either period
            recorded evidence for it (:attr:`evidence`), ``{}`` where neither did.
        """
        evidence = self.evidence_by_id()
        largest = _records(self.largest)
        for item, eid in zip(largest, self.largest.index, strict=True):
            diffs = self.contributions.loc[eid]
            item["contributions"] = {
                str(c): float(v) for c, v in diffs.items() if abs(float(v)) > 1e-9
            }
            item["evidence"] = evidence.get(eid, {})
        moved = _records(self.moved)
        for item, eid in zip(moved, self.moved.index, strict=True):
            item["evidence"] = evidence.get(eid, {})
        return {
            "from_period": self.from_period,
            "to_period": self.to_period,
            "rubrics": {"from": dict(self.from_rubric), "to": dict(self.to_rubric)},
            "as_recorded": self.as_recorded,
            "rescored_under": None if self.rescored_under is None else dict(self.rescored_under),
            "note": self.note,
            "unrated": list(self.unrated),
            "counts": self.counts,
            "new": _records(self.new),
            "ended": _records(self.ended),
            "not_scored": _records(self.not_scored),
            "moved": moved,
            "largest": largest,
            "gates": _records(self.gates),
        }

    def evidence_by_id(self) -> dict[Any, dict[str, dict[str, Any]]]:
        """:attr:`evidence` as ``{id: {criterion: {"from": text, "to": text}}}``."""
        out: dict[Any, dict[str, dict[str, Any]]] = {}
        for eid, criterion, start, end in _rows(self.evidence, "criterion", "from", "to"):
            out.setdefault(eid, {})[str(criterion)] = {"from": start, "to": end}
        return out

    @property
    def headline(self) -> str:
        """One line of the counts (the first of :meth:`summary_lines`)."""
        c = self.counts
        return (
            f"{self.from_period} -> {self.to_period}: {c['compared']} compared, "
            f"{c['changed']} changed score, {c['new']} new, {c['ended']} ended, "
            f"{c['not_scored']} not scored in one period, {c['up']} up a band, "
            f"{c['down']} down, {c['gates_applied']} gate(s) applied, "
            f"{c['gates_lifted']} lifted"
        )

    def summary_lines(self) -> list[str]:
        """Plain text: the counts (:attr:`headline`), the note, then one line per change."""
        lines = [self.headline, self.note]
        for kind, frame in (("new", self.new), ("ended", self.ended)):
            lines += [
                f"{kind}: {eid} {_label(status, band, score)}"
                for eid, status, band, score in _rows(frame, "status", "band", "score")
            ]
        lines += [
            f"not scored in {period}: {eid} ({status}: {reason})"
            for eid, period, status, reason in _rows(self.not_scored, "period", "status", "reason")
        ]
        lines += [
            f"{direction}: {eid} {start} -> {end} ({change:+.1f})"
            for eid, direction, start, end, change in _rows(
                self.moved, "direction", "band_from", "band_to", "change"
            )
        ]
        lines += [
            f"change: {eid} {start:.1f} -> {end:.1f} ({change:+.1f})"
            + (f": {drivers}" if drivers else "")
            for eid, start, end, change, drivers in _rows(
                self.largest, "score_from", "score_to", "change", "drivers"
            )
        ]
        lines += [
            f"gate {change}: {eid} {gate}"
            for eid, change, gate in _rows(self.gates, "change", "gate")
        ]
        return lines


def _label(status: str, band: Any, score: float) -> str:
    if status != "scored":
        return f"({status})"
    return f"{band} {score:.1f}"
