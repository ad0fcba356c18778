"""A result's rows for the ``sources``, ``engagements`` and ``rejections`` tables, built as
columns of Python values before the write transaction (so that its lock is brief), engagements
in key order (by id), which is what a B-tree takes fastest.

Each engagement's inputs go in its row as one JSON object (see :mod:`assess.history.schema`
and :func:`rating_keys`), encoded a column at a time.
"""

from __future__ import annotations

import json
from itertools import repeat
from json.encoder import encode_basestring
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ..result import Result, input_labels
from ..rubric import Rubric
from ..validation import json_value
from . import schema
from .database import insert_rows

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_escape = encode_basestring  # text as a JSON string, UTF-8 kept


def to_json(value: Any) -> str:
    """Compact JSON text (UTF-8 kept as is)."""
    return _ENCODER.encode(value)


def rating_keys(rubric: Rubric) -> dict[str, str]:
    """The keys of an engagement's ``ratings`` JSON, in order, each with the column of an
    engagements frame (:attr:`assess.result.Result.engagements`) that holds its value.

    A rated criterion's key is its id (column ``<criterion>.rating``); an indicator's is
    ``<criterion>/<indicator>`` (column ``<indicator>.value``).  The order is the scorer's
    (:func:`assess.scoring.input_columns`).

    Parameters
    ----------
    rubric : Rubric
        The rubric of the run.

    Returns
    -------
    dict
        Key -> column name.
    """
    labels = input_labels(rubric)
    keys: dict[str, str] = {}
    for c in rubric.criteria:
        if c.rated:
            keys[c.id] = labels[c.id]
        else:
            keys.update((f"{c.id}/{ind.id}", labels[ind.id]) for ind in c.indicators)
    return keys


def nullable(values: Any) -> list[Any]:
    """Floats as a list of Python floats with None where missing (PostgreSQL would keep a NaN
    as a number)."""
    array = np.asarray(values, dtype=float)
    missing = np.isnan(array)
    if not missing.any():
        return array.tolist()
    out = array.astype(object)
    out[missing] = None
    return out.tolist()


def _texts(values: Any) -> list[Any]:
    """A column as text, None where missing."""
    series = pd.Series(values, copy=False)
    out = series.astype(object).where(series.notna(), None).tolist()
    return [v if v is None or isinstance(v, str) else str(v) for v in out]


def _json_cells(column: pd.Series) -> list[Any]:
    """A carried column's cells as JSON values (dates as ISO text, missing as None)."""
    kind = pd.api.types.infer_dtype(column, skipna=True)
    if kind in ("string", "empty"):
        return column.astype(object).where(column.notna(), None).tolist()
    if column.dtype.kind == "f":
        return nullable(column)
    return [json_value(v) for v in column.tolist()]


def _number_codes(values: np.ndarray) -> np.ndarray:
    """Floats as JSON texts (``null`` where missing), each distinct value encoded once."""
    distinct, at = np.unique(values, return_inverse=True)
    codes = ["null" if v != v else to_json(v) for v in distinct.tolist()]
    return np.asarray(codes, dtype=object)[at.reshape(-1)]


def _ratings_json(eng: pd.DataFrame, rubric: Rubric) -> list[str]:
    """Each row's inputs as a JSON object (:func:`rating_keys`), built a key at a time."""
    joined: Any = None
    for key, column in rating_keys(rubric).items():
        encoded = to_json(key) + ":" + _number_codes(eng[column].to_numpy(dtype=float))
        joined = encoded if joined is None else joined + "," + encoded
    if joined is None:
        return ["{}"] * len(eng)
    return ("{" + joined + "}").tolist()


def _carried_json(eng: pd.DataFrame, carried: list[str]) -> list[str]:
    """Each row's carried cells as a JSON object ``{header: value}``, built a column at a time
    (text escaped by the JSON module's C function; any other value encoded once)."""
    joined: Any = None
    for col in carried:
        prefix = to_json(col) + ":"
        cells = _json_cells(eng[col])
        encoded = np.empty(len(cells), dtype=object)
        if all(v is None or type(v) is str for v in cells):
            encoded[:] = [prefix + ("null" if v is None else _escape(v)) for v in cells]
        else:
            codes: dict[tuple[type, Any], str] = {}
            for j, v in enumerate(cells):
                key = (type(v), v)
                code = codes.get(key)
                if code is None:
                    code = codes[key] = prefix + to_json(v)
                encoded[j] = code
        joined = encoded if joined is None else joined + "," + encoded
    if joined is None:
        return ["{}"] * len(eng)
    return ("{" + joined + "}").tolist()


class RunRows:
    """The rows a result adds, by table, as ``(table, column names, columns)``; the run id
    column is added when inserting."""

    def __init__(self, result: Result) -> None:
        eng = result.engagements
        ids = [str(i) for i in eng.index.tolist()]
        order = _key_order(ids)
        self.tables = [
            (schema.sources, *_source_columns(result)),
            (schema.engagements, *_engagement_columns(result, ids, order)),
            (schema.rejections, *_rejection_columns(result)),
        ]

    def insert(self, connection: Connection, run_id: int) -> None:
        for table, names, columns in self.tables:
            n = len(columns[0]) if columns else 0
            rows = list(zip(repeat(run_id, n), *columns, strict=True))
            insert_rows(connection, table, ["run_id", *names], rows)


def _key_order(ids: list[str]) -> np.ndarray:
    """Positions of ``ids`` sorted as the store's keys sort (UTF-8 bytes)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    if not ids:
        return np.zeros(0, dtype="int64")
    return pc.sort_indices(pa.array(ids, type=pa.large_string())).to_numpy()


def _columns(rows: list[tuple]) -> list[list[Any]]:
    return [list(col) for col in zip(*rows, strict=True)] if rows else []


def _source_columns(result: Result) -> tuple[list[str], list[list[Any]]]:
    names = ["position", "file", "path", "sha256", "sheet", "header_row", "data_rows"]
    names += ["scored", "insufficient", "rejected", "blank_rows", "notes", "columns"]
    rows = [
        (
            i,
            s.file,
            s.path,
            s.sha256,
            s.sheet,
            int(s.header_row),
            int(s.data_rows),
            int(s.scored),
            int(s.insufficient),
            int(s.rejected),
            int(s.blank_rows),
            to_json(list(s.notes)),
            to_json([list(c) for c in s.columns]),
        )
        for i, s in enumerate(result.sources)
    ]
    return names, _columns(rows)


def _engagement_columns(
    result: Result, ids: list[str], order: np.ndarray
) -> tuple[list[str], list[list[Any]]]:
    eng = result.engagements.iloc[order]
    carried = list(result.carried_columns)
    carried_json = _carried_json(eng, carried)
    rank = eng["rank"]
    ranks = rank.fillna(0).to_numpy(dtype="int64").astype(object)
    ranks[rank.isna().to_numpy()] = None
    names = ["engagement_id", "source", "sheet", "row", "status", "score", "band", "rank"]
    names += ["gate", "completeness", "ratings", "carried"]
    columns = [
        np.asarray(ids, dtype=object)[order].tolist(),
        _texts(eng["source"]),
        _texts(eng["sheet"]),
        eng["row"].to_numpy(dtype="int64").tolist(),
        _texts(eng["status"]),
        nullable(eng["score"]),
        _texts(eng["band"]),
        ranks.tolist(),
        [v or "" for v in _texts(eng["gates"])],
        nullable(eng["completeness"]),
        _ratings_json(eng, result.rubric),
        carried_json,
    ]
    return names, columns


def _rejection_columns(result: Result) -> tuple[list[str], list[list[Any]]]:
    names = ["position", "file", "sheet", "row", "engagement_id", "column", "header", "value"]
    names += ["reason", "problems"]
    rows = []
    for i, rej in enumerate(result.rejected):
        first = rej.problems[0]
        value = json_value(first.value)
        problems = [
            {
                "column": p.column,
                "header": json_value(p.header),
                "value": json_value(p.value),
                "reason": p.reason,
            }
            for p in rej.problems
        ]
        rows.append(
            (
                i,
                rej.file,
                rej.sheet,
                int(rej.row),
                None if rej.id is None else str(rej.id),
                first.column,
                str(first.header),
                None if value is None else str(value),
                first.reason,
                to_json(problems),
            )
        )
    return names, _columns(rows)
