"""A result's rows for the ``sources``, ``engagements``, ``ratings`` and ``rejections`` tables,
built as columns of Python values before the write transaction (so that its lock is brief), in
key order (engagement id, then criterion), which is what a B-tree takes fastest.
"""

from __future__ import annotations

import json
from itertools import repeat
from json.encoder import encode_basestring
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ..result import Result
from ..validation import json_value
from . import schema
from .database import insert_rows

_ENCODER = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))
_escape = encode_basestring  # text as a JSON string, UTF-8 kept


def to_json(value: Any) -> str:
    """Compact JSON text (UTF-8 kept as is)."""
    return _ENCODER.encode(value)


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
            (schema.ratings, *_rating_columns(result, ids, order)),
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
    names += ["gate", "completeness", "carried"]
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
        carried_json,
    ]
    return names, columns


def _rating_columns(
    result: Result, ids: list[str], order: np.ndarray
) -> tuple[list[str], list[list[Any]]]:
    """One row per engagement and criterion (indicator ``""``) or indicator, engagement-major
    in key order: ``value`` is the rating (None for a criterion measured by indicators, and
    for a missing rating), ``normalised`` and ``contribution`` are on the criterion rows."""
    eng = result.engagements
    n = len(ids)
    nan = np.full(n, np.nan)
    keys: list[tuple[str, str]] = []
    value, normalised, contribution = [], [], []
    for c in result.rubric.criteria:
        keys.append((c.id, ""))
        value.append(eng[f"{c.id}.rating"].to_numpy(dtype=float) if c.rated else nan)
        normalised.append(eng[f"{c.id}.normalised"].to_numpy(dtype=float))
        contribution.append(eng[f"{c.id}.contribution"].to_numpy(dtype=float))
        for ind in c.indicators:
            keys.append((c.id, ind.id))
            value.append(eng[f"{ind.id}.value"].to_numpy(dtype=float))
            normalised.append(nan)
            contribution.append(nan)
    k = len(keys)

    def flat(parts: list[np.ndarray]) -> list[Any]:  # (n, k) in key order, row-major
        return nullable(np.column_stack(parts)[order].ravel() if n else np.zeros(0))

    names = ["engagement_id", "criterion", "indicator", "value", "normalised", "contribution"]
    columns = [
        np.repeat(np.asarray(ids, dtype=object)[order], k).tolist(),
        [c for c, _ in keys] * n,
        [i for _, i in keys] * n,
        flat(value),
        flat(normalised),
        flat(contribution),
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
