"""A recorded run read back as the :class:`~assess.result.Result` it was made from.

The rubric comes from its stored YAML, the engagements frame from the ``engagements`` and
``ratings`` rows (columns as :func:`assess.score` makes them, best first), the rejected rows
with every problem they had.  What a result computed beyond its engagements (several raters'
agreement, weight sensitivity) is not recorded and comes back as None.
"""

from __future__ import annotations

import json
from functools import lru_cache

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from ..result import Result, SourceInfo, input_labels, order_best_first
from ..rubric import Rubric, parse_rubric
from ..validation import Problem, Rejection
from . import schema
from .database import fetch_rows


@lru_cache(maxsize=32)
def stored_rubric(content: str) -> Rubric:
    """A rubric from its stored YAML (parsed once per content)."""
    return parse_rubric(content, source="<history store>")


def load_result(connection: Connection, run_id: int) -> Result:
    """The :class:`Result` recorded as run ``run_id`` (which must exist)."""
    runs, rubrics = schema.runs, schema.rubrics
    run = connection.execute(
        select(runs.c.notes, rubrics.c.content)
        .join(rubrics, rubrics.c.hash == runs.c.rubric_hash)
        .where(runs.c.id == run_id)
    ).one()
    notes = json.loads(run.notes)
    rubric = stored_rubric(run.content)
    carried = list(notes.get("carried_columns", []))
    frame = _engagements_frame(connection, run_id, rubric, carried)
    return Result(
        rubric=rubric,
        sources=_sources(connection, run_id),
        engagements=frame,
        rejected=_rejections(connection, run_id),
        carried_columns=carried,
        scored_at=notes.get("scored_at", ""),
    )


def _sources(connection: Connection, run_id: int) -> list[SourceInfo]:
    t = schema.sources
    rows = connection.execute(select(t).where(t.c.run_id == run_id).order_by(t.c.position))
    return [
        SourceInfo(
            file=r.file,
            path=r.path,
            sha256=r.sha256,
            sheet=r.sheet,
            header_row=r.header_row,
            data_rows=r.data_rows,
            scored=r.scored,
            insufficient=r.insufficient,
            rejected=r.rejected,
            blank_rows=r.blank_rows,
            notes=tuple(json.loads(r.notes)),
            columns=tuple((str(k), str(v)) for k, v in json.loads(r.columns)),
        )
        for r in rows
    ]


def _rejections(connection: Connection, run_id: int) -> list[Rejection]:
    t = schema.rejections
    query = select(t.c.file, t.c.sheet, t.c.row, t.c.engagement_id, t.c.problems)
    rows = connection.execute(query.where(t.c.run_id == run_id).order_by(t.c.position))
    return [
        Rejection(
            file=r.file,
            sheet=r.sheet,
            row=r.row,
            problems=tuple(Problem(**p) for p in json.loads(r.problems)),
            id=r.engagement_id,
        )
        for r in rows
    ]


def _columns(rows: list[tuple], width: int) -> list[list]:
    """``rows`` as ``width`` columns."""
    return [[row[j] for row in rows] for j in range(width)]


def _engagements_frame(
    connection: Connection, run_id: int, rubric: Rubric, carried: list[str]
) -> pd.DataFrame:
    t = schema.engagements
    query = select(
        t.c.engagement_id,
        t.c.source,
        t.c.sheet,
        t.c.row,
        t.c.status,
        t.c.score,
        t.c.band,
        t.c.rank,
        t.c.completeness,
        t.c.gate,
        t.c.carried,
    ).where(t.c.run_id == run_id)
    rows = fetch_rows(connection, query)
    (ids, source, sheet, row, status, score, band, rank, completeness, gates, extra) = _columns(
        rows, 11
    )
    index = pd.Index(ids, name="id", dtype=object)
    frame = pd.DataFrame(
        {
            "source": pd.Series(source, index=index, dtype="str"),
            "sheet": pd.Series(sheet, index=index, dtype="str"),
            "row": np.asarray(row, dtype="int64"),
            "status": pd.Series(status, index=index, dtype="str"),
            "score": np.asarray(score, dtype=float),
            "band": pd.Series(band, index=index, dtype=object),
            "rank": pd.array(rank, dtype="Int64"),
            "completeness": np.asarray(completeness, dtype=float),
            "gates": pd.Series(gates, index=index, dtype="str"),
        },
        index=index,
    )
    ratings = _ratings_columns(connection, run_id, rubric, index)
    cells = pd.DataFrame.from_records(
        [json.loads(text) for text in extra], columns=carried, index=index
    ).astype(object)
    table = pd.concat([frame, ratings, cells], axis=1)
    return order_best_first(table) if len(table) > 1 else table


def _ratings_columns(
    connection: Connection, run_id: int, rubric: Rubric, index: pd.Index
) -> pd.DataFrame:
    """``<criterion>.normalised``, ``<criterion>.contribution``, then the inputs
    (``<criterion>.rating``, ``<indicator>.value``), as the scorer lays them out."""
    keys = []
    for c in rubric.criteria:
        keys += [(c.id, "")] + [(c.id, i.id) for i in c.indicators]
    position = {key: j for j, key in enumerate(keys)}
    t = schema.ratings
    query = select(
        t.c.engagement_id, t.c.criterion, t.c.indicator, t.c.value, t.c.normalised, t.c.contribution
    ).where(t.c.run_id == run_id)
    rows = fetch_rows(connection, query)
    n, k = len(index), len(keys)
    measures = {m: np.full((n, k), np.nan) for m in ("value", "normalised", "contribution")}
    if rows:
        ids, criteria, indicators, value, normalised, contribution = _columns(rows, 6)
        at = index.get_indexer(pd.Index(ids, dtype=object))
        key_at = np.fromiter(
            (position.get(key, -1) for key in zip(criteria, indicators, strict=True)),
            dtype=np.int64,
            count=len(rows),
        )
        ok = (at >= 0) & (key_at >= 0)
        for name, values in zip(measures, (value, normalised, contribution), strict=True):
            measures[name][at[ok], key_at[ok]] = np.asarray(values, dtype=float)[ok]
    out: dict[str, np.ndarray] = {}
    for c in rubric.criteria:
        out[f"{c.id}.normalised"] = measures["normalised"][:, position[(c.id, "")]]
    for c in rubric.criteria:
        out[f"{c.id}.contribution"] = measures["contribution"][:, position[(c.id, "")]]
    labels = input_labels(rubric)
    for c in rubric.criteria:
        if c.rated:
            out[labels[c.id]] = measures["value"][:, position[(c.id, "")]]
        for ind in c.indicators:
            out[labels[ind.id]] = measures["value"][:, position[(c.id, ind.id)]]
    return pd.DataFrame(out, index=index)
