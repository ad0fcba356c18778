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
    """A column as text, None where missing (each distinct value converted once)."""
    codes, distinct = pd.factorize(pd.Series(values, copy=False))
    texts = [v if isinstance(v, str) else str(v) for v in distinct.tolist()]
    return np.asarray([*texts, None], dtype=object)[codes].tolist()


def _number(value: float) -> str:
    """A float as JSON, a whole number without its ``.0`` (``3``, ``2.5``)."""
    if value.is_integer() and abs(value) < 2**53:
        return str(int(value))
    return to_json(value)


def _encoded_members(
    column: pd.Series, key: str, whole: bool = False
) -> tuple[np.ndarray, list[str]]:
    """One member of each row's JSON object, ``"key":value``: a code per row into the
    distinct texts (each distinct value encoded once; missing values and NaN as null;
    ``whole``: whole floats without ``.0``)."""
    prefix = to_json(key) + ":"
    kind = column.dtype.kind
    if kind in "fiub" or pd.api.types.infer_dtype(column, skipna=True) in ("string", "empty"):
        codes, distinct = pd.factorize(column)
        encode = _number if whole and kind == "f" else to_json if kind in "fiub" else _escape
        texts = [prefix + encode(v) for v in distinct.tolist()]
        codes = np.where(codes < 0, len(texts), codes)
        return codes, [*texts, prefix + "null"]
    # mixed values: keyed by type too, so that 1, 1.0 and True stay apart
    found: dict[tuple[type, Any], int] = {}
    texts = []
    codes = np.empty(len(column), dtype=np.int64)
    for j, v in enumerate(column.tolist()):
        v = json_value(v)
        k = (type(v), v)
        code = found.get(k)
        if code is None:
            code = found[k] = len(texts)
            texts.append(prefix + to_json(v))
        codes[j] = code
    return codes, texts


def _json_objects(members: list[tuple[np.ndarray, list[str]]], n: int) -> list[str]:
    """``n`` rows of JSON objects, each of the members in turn (see
    :func:`_encoded_members`).  Rows are joined once per distinct combination of codes, so
    that ratings on short scales make a few hundred texts rather than one per row."""
    row_codes = np.zeros(n, dtype=np.int64)
    row_texts = np.asarray(["{"], dtype=object)
    for j, (codes, texts) in enumerate(members):
        m = len(texts)
        combined, distinct = pd.factorize(row_codes * m + codes)
        joined = row_texts[distinct // m] + np.asarray(texts, dtype=object)[distinct % m]
        row_texts = joined + "," if j < len(members) - 1 else joined
        row_codes = combined
    return (row_texts + "}")[row_codes].tolist()


def _ratings_json(eng: pd.DataFrame, rubric: Rubric) -> list[str]:
    """Each row's inputs as a JSON object (:func:`rating_keys`)."""
    members = [
        _encoded_members(eng[column].astype(float), key, whole=True)
        for key, column in rating_keys(rubric).items()
    ]
    return _json_objects(members, len(eng))


def _carried_json(eng: pd.DataFrame, carried: list[str]) -> list[str]:
    """Each row's carried cells as a JSON object ``{header: value}`` (dates as ISO text)."""
    return _json_objects([_encoded_members(eng[col], col) for col in carried], len(eng))


class RunRows:
    """The rows a result adds, by table, as ``(table, column names, columns)``; the run id
    column is added when inserting."""

    def __init__(self, result: Result) -> None:
        index = result.engagements.index
        ids = index.tolist()
        if pd.api.types.infer_dtype(index, skipna=False) != "string":
            ids = [str(i) for i in ids]
        order = _key_order(ids)
        self.tables = [
            (schema.sources, *_source_columns(result)),
            (schema.engagements, *_engagement_columns(result, ids, order)),
            (schema.rejections, *_rejection_columns(result)),
        ]

    def insert(self, connection: Connection, run_id: int) -> None:
        for table, names, columns in self.tables:
            if columns and len(columns[0]):
                rows = zip(repeat(run_id), *columns)  # one tuple, reused row after row
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
    carried = list(result.carried_columns)
    stored = ["source", "sheet", "row", "status", "score", "band", "rank", "gates"]
    stored += ["completeness", *rating_keys(result.rubric).values(), *carried]
    eng = result.engagements[list(dict.fromkeys(stored))].iloc[order]
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
