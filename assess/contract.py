"""The JSON contract of a scoring result (what ``--format json`` prints and ``.json`` reports
hold): built a column at a time, so that a hundred thousand engagements serialise quickly.

The keys are documented in the README and stable: keys are added, never renamed.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from ._version import __version__
from .read import COMPUTED_COLUMNS
from .review import REVIEW_FIELDS
from .scoring import STATUS_INSUFFICIENT, STATUS_SCORED
from .validation import json_value

#: The keys an attached history (``Result.history``) adds to each engagement object of the JSON
#: contract, with their values for an engagement it has nothing on.
HISTORY_BLANK: dict[str, Any] = {"previous_score": None, "change": None, "previous_band": None}

#: The keys of each engagement's ``review`` object: its review fields without ``review.``.
REVIEW_KEYS = tuple(name.removeprefix("review.") for name in REVIEW_FIELDS)

#: Keys of an engagement object in the JSON contract; carried columns never replace them (the
#: reader already carries a column of such a name as ``"<name> (input)"``: see
#: :func:`assess.read.carried_key`).
RESERVED_KEYS = COMPUTED_COLUMNS


def engagement_items(
    result: Any, eng: pd.DataFrame, scored: bool, since: dict[str, Any] | None = None
) -> list[dict[str, Any]]:
    """The JSON objects of engagements (``eng``: rows of :attr:`engagements`, all scored
    or all of insufficient evidence), built a column at a time; with ``since``, each one's
    comparison with the previous period (:func:`since_items`)."""
    ids = [c.id for c in result.rubric.criteria]
    entries = [_criterion_entries(eng, c, scored) for c in result.rubric.criteria]
    criteria = [dict(zip(ids, row, strict=True)) for row in zip(*entries, strict=True)]
    base = (eng.index.tolist(), eng["source"].tolist(), eng["sheet"].tolist())
    if scored:
        items = [
            {
                "id": eid,
                "source": source,
                "sheet": sheet,
                "row": int(row),
                "score": score,
                "band": band,
                "rank": int(rank),
                "completeness": completeness,
                "gates": [g for g in str(gates).split(",") if g],
                "criteria": entry,
            }
            for eid, source, sheet, row, score, band, rank, completeness, gates, entry in zip(
                *base,
                eng["row"].tolist(),
                _numbers(eng["score"]),
                eng["band"].tolist(),
                eng["rank"].tolist(),
                _numbers(eng["completeness"]),
                eng["gates"].tolist(),
                criteria,
                strict=True,
            )
        ]
    else:
        items = [
            {
                "id": eid,
                "source": source,
                "sheet": sheet,
                "row": int(row),
                "completeness": completeness,
                "missing": missing,
                "criteria": entry,
            }
            for eid, source, sheet, row, completeness, missing, entry in zip(
                *base,
                eng["row"].tolist(),
                _numbers(eng["completeness"]),
                _missing(result, eng),
                criteria,
                strict=True,
            )
        ]
    if since is not None:  # the comparison with the previous period (result.history)
        for item in items:
            item.update(since.get(item["id"], HISTORY_BLANK))
    review = [_texts(eng, name) for name in REVIEW_FIELDS]
    for item, values in zip(items, zip(*review, strict=True), strict=True):
        item["review"] = dict(zip(REVIEW_KEYS, values, strict=True))
    for col in result.carried_columns:
        taken = col in RESERVED_KEYS or (since is not None and col in HISTORY_BLANK)
        key = col if not taken else f"{col} (input)"
        for item, value in zip(items, eng[col].tolist(), strict=True):
            item[key] = json_value(value)
    return items


def since_items(result: Any) -> dict[str, dict[str, Any]] | None:
    """Each engagement's ``previous_score``, ``change`` and ``previous_band`` from the
    attached history (None without one)."""
    if result.history is None:
        return None
    frame = result.history.previous(result.engagements.index)
    return {
        eid: {
            "previous_score": _num(prev),
            "change": _num(change),
            "previous_band": None if band is None or band is pd.NA else str(band),
        }
        for eid, prev, change, band in zip(
            frame.index,
            frame["previous_score"].tolist(),
            frame["change"].tolist(),
            frame["previous_band"].tolist(),
            strict=True,
        )
    }


def result_contract(result: Any) -> dict[str, Any]:
    """The JSON contract of a :class:`~assess.result.Result` (``--format json``; see the
    README): the summary, every engagement, the rows not scored and what is attached."""
    eng = result.engagements
    since = since_items(result)
    scored = engagement_items(result, eng[(eng["status"] == STATUS_SCORED).to_numpy()], True, since)
    insufficient = engagement_items(
        result, eng[(eng["status"] == STATUS_INSUFFICIENT).to_numpy()], False, since
    )
    out = {
        "assess_version": __version__,
        "rubric": result.rubric.describe(),
        "sources": [s.to_dict() for s in result.sources],
        "summary": result.summary(),
        "engagements": scored,
        "insufficient": insufficient,
        "rejected": [r.to_dict() for r in result.rejected],
        "not_approved": [h.to_dict() for h in result.held],
        "flags": [f.to_dict() for f in result.flags],
    }
    for key in ("agreement", "sensitivity", "history", "comparison"):  # when attached
        if getattr(result, key) is not None:
            out[key] = getattr(result, key).to_dict()
    return out


def _num(value: Any) -> float | None:
    if value is None or value is pd.NA:
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def _numbers(values: pd.Series) -> list[float | None]:
    """:func:`_num` of each value of a column."""
    if values.dtype == np.float64:
        return [v if math.isfinite(v) else None for v in values.tolist()]
    return [_num(v) for v in values.tolist()]


def _missing(result: Any, eng: pd.DataFrame) -> list[list[str]]:
    """:func:`missing_criteria` of each row of ``eng``."""
    ids = [c.id for c in result.rubric.criteria]
    unrated = [eng[f"{cid}.normalised"].isna().to_numpy().tolist() for cid in ids]
    if not unrated:
        return [[] for _ in range(len(eng))]
    return [
        [cid for cid, m in zip(ids, row, strict=True) if m] for row in zip(*unrated, strict=True)
    ]


def _criterion_entries(eng: pd.DataFrame, c: Any, scored: bool) -> list[dict[str, Any]]:
    """Each engagement's JSON entry for criterion ``c``: its ``rating`` (or ``indicators``),
    ``normalised`` and, if scored, ``contribution``."""
    if c.rated:
        entries = [{"rating": v} for v in _numbers(eng[f"{c.id}.rating"])]
    else:
        iids = [i.id for i in c.indicators]
        values = [_numbers(eng[f"{iid}.value"]) for iid in iids]
        entries = [
            {"indicators": dict(zip(iids, row, strict=True))} for row in zip(*values, strict=True)
        ]
    for entry, value in zip(entries, _numbers(eng[f"{c.id}.normalised"]), strict=True):
        entry["normalised"] = value
    if scored:
        for entry, value in zip(entries, _numbers(eng[f"{c.id}.contribution"]), strict=True):
            entry["contribution"] = value
    for entry, text in zip(entries, _texts(eng, f"{c.id}.evidence"), strict=True):
        entry["evidence"] = text
    return entries


def _texts(eng: pd.DataFrame, column: str) -> list[Any]:
    """The text cells of ``column`` (``None`` where blank, or when there is no such column:
    several raters' engagements carry no evidence or review fields)."""
    if column not in eng.columns:
        return [None] * len(eng)
    return [None if v is None or v is pd.NA or v != v else str(v) for v in eng[column].tolist()]
