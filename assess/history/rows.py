"""A result's rows for the ``sources``, ``engagements``, ``rejections``, ``flags`` and
``held`` tables, built as columns of Python values before the write transaction (so that its
lock is brief), engagements in key order (by id), which is what a B-tree takes fastest.

Each engagement's inputs go in its row as one JSON object (see :mod:`assess.history.schema`
and :func:`rating_keys`), and so does its review trail (:func:`review_keys`), each encoded a
column at a time.
"""

from __future__ import annotations

import json
from itertools import repeat
from json.encoder import encode_basestring
from operator import attrgetter
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection

from ..result import Result, input_labels
from ..review import REVIEW_FIELDS, evidence_field
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


#: The member of an engagement's ``review`` JSON that holds its evidence, by criterion id.
EVIDENCE_KEY = "evidence"


def review_keys(rubric: Rubric) -> tuple[dict[str, str], dict[str, str]]:
    """The members of an engagement's ``review`` JSON, each with the column of an engagements
    frame that holds its value: the evidence by criterion id (column ``<criterion>.evidence``),
    inside the :data:`EVIDENCE_KEY` object, and the review fields (``status`` for column
    ``review.status`` ...).

    Parameters
    ----------
    rubric : Rubric
        The rubric of the run.

    Returns
    -------
    tuple of (dict, dict)
        Criterion id -> column, and review key -> column.
    """
    evidence = {c: evidence_field(c) for c in rubric.ids}
    return evidence, {name.removeprefix("review."): name for name in REVIEW_FIELDS}


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


def _present_members(column: pd.Series, key: str) -> tuple[np.ndarray, list[str]] | None:
    """``,"key":value`` for each row that has a value, ``""`` for one that has none, as a code
    per row into the distinct texts; None when no row has a value."""
    codes, distinct = pd.factorize(column)
    if not len(distinct):
        return None
    prefix = "," + to_json(key) + ":"
    texts = [
        prefix + (_escape(v) if isinstance(v, str) else to_json(json_value(v))) for v in distinct
    ]
    return np.where(codes < 0, len(texts), codes), [*texts, ""]


def _joined(members: list[tuple[np.ndarray, list[str]]], n: int) -> tuple[np.ndarray, np.ndarray]:
    """Each row's member texts one after the other, as a code per row into the distinct
    joined texts (joined once per distinct combination, as in :func:`_json_objects`)."""
    row_codes = np.zeros(n, dtype=np.int64)
    row_texts = np.asarray([""], dtype=object)
    for codes, texts in members:
        m = len(texts)
        combined, distinct = pd.factorize(row_codes * m + codes)
        row_texts = row_texts[distinct // m] + np.asarray(texts, dtype=object)[distinct % m]
        row_codes = combined
    return row_codes, row_texts


def _review_json(eng: pd.DataFrame, rubric: Rubric) -> list[str | None]:
    """Each row's review trail as a JSON object of what it has (:func:`review_keys`): its
    evidence by criterion, then its review fields; None for a row that has none of them."""
    evidence, fields = review_keys(rubric)
    n = len(eng)
    found = [_present_members(eng[col], key) for key, col in evidence.items() if col in eng]
    members = [m for m in found if m is not None]
    if members:
        codes, texts = _joined(members, n)
        prefix = "," + to_json(EVIDENCE_KEY) + ":{"
        wrapped = [prefix + s[1:] + "}" if s else "" for s in texts.tolist()]
        members = [(codes, wrapped)]
    found = [_present_members(eng[col], key) for key, col in fields.items() if col in eng]
    members += [m for m in found if m is not None]
    if not members:
        return [None] * n
    codes, texts = _joined(members, n)
    objects = np.asarray(["{" + s[1:] + "}" if s else None for s in texts.tolist()], dtype=object)
    return objects[codes].tolist()


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
            (schema.flags, *_flag_columns(result)),
            (schema.held, *_held_columns(result)),
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
    names += ["not_approved", "flagged"]
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
            int(s.held),
            int(s.flagged),
        )
        for i, s in enumerate(result.sources)
    ]
    return names, _columns(rows)


def _engagement_columns(
    result: Result, ids: list[str], order: np.ndarray
) -> tuple[list[str], list[list[Any]]]:
    carried = list(result.carried_columns)
    evidence, fields = review_keys(result.rubric)
    review = [c for c in (*evidence.values(), *fields.values()) if c in result.engagements]
    stored = ["source", "sheet", "row", "status", "score", "band", "rank", "gates"]
    stored += ["completeness", *rating_keys(result.rubric).values(), *carried, *review]
    eng = result.engagements[list(dict.fromkeys(stored))].iloc[order]
    carried_json = _carried_json(eng, carried)
    rank = eng["rank"]
    ranks = rank.fillna(0).to_numpy(dtype="int64").astype(object)
    ranks[rank.isna().to_numpy()] = None
    names = ["engagement_id", "source", "sheet", "row", "status", "score", "band", "rank"]
    names += ["gate", "completeness", "ratings", "carried", "review"]
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
        _review_json(eng, result.rubric),
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


def _attribute_columns(items: list[Any], attributes: list[str]) -> list[list[Any]]:
    """The position of each of ``items``, then its ``attributes``, a column each (none when
    there are no items)."""
    if not items:
        return []
    return [list(range(len(items))), *(list(map(attrgetter(a), items)) for a in attributes)]


def _flag_columns(result: Result) -> tuple[list[str], list[list[Any]]]:
    names = ["position", "file", "sheet", "row", "engagement_id", "column", "header", "kind"]
    names += ["criterion", "reason"]
    attributes = ["file", "sheet", "row", "id", "column", "header", "kind", "criterion"]
    columns = _attribute_columns(list(result.flags), [*attributes, "reason"])
    if columns:
        columns[3] = [int(r) for r in columns[3]]
        columns[4] = [str(i) for i in columns[4]]
        columns[6] = [str(h) for h in columns[6]]
    return names, columns


def _held_columns(result: Result) -> tuple[list[str], list[list[Any]]]:
    names = ["position", "file", "sheet", "row", "engagement_id", "status", "column", "reason"]
    attributes = ["file", "sheet", "row", "id", "status", "column", "reason"]
    columns = _attribute_columns(list(result.held), attributes)
    if columns:
        columns[3] = [int(r) for r in columns[3]]
        columns[4] = [None if i is None else str(i) for i in columns[4]]
    return names, columns
