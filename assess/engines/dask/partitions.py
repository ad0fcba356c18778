"""One partition through assess's own path — read, validated, scored — as the two passes need
it: slim rows for the first, the scores and rejected rows (with the dataset's ranks) for the
second; and the columns and dtypes of the second pass's frame."""

from __future__ import annotations

import dataclasses
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import AssessError, InputError
from ...pipeline import combine, reviewed
from ...read import read_table
from ...report.tabular import flat_table, rejected_table
from ...rubric import Rubric
from ...scoring import score_frame
from ...validation import Validated, id_keys, reject_seen_ids
from .dataset import PART, Dataset

STATUS_REJECTED = "rejected"
KIND = "__assess_kind__"  # "score" or "rejected" in the second pass's combined frame
REJ = "__rejected__."  # prefix of the rejected-row columns in that frame


def _validated(raw: pd.DataFrame, rubric: Rubric, ds: Dataset) -> tuple[Validated, int]:
    """Read and validate one (non-empty) partition with assess's own reader and validator."""
    part = int(raw[PART].iat[0])
    path = Path(ds.files[part])
    sheet = raw.drop(columns=PART)
    try:
        table = read_table(sheet, rubric, id_column=ds.id_column, allow_missing=ds.allow_missing)
    except AssessError as exc:
        raise InputError(str(exc).replace("<DataFrame>", path.name)) from None
    # names and decimal mark as assess's reader gives them for this file (CSV: the sheet is
    # named after the file)
    table = dataclasses.replace(table, path=path, sheet=path.stem, decimal=ds.decimals[part])
    return reviewed(table, rubric), part


def slim_partition(raw: pd.DataFrame, rubric: Rubric, ds: Dataset) -> pd.DataFrame:
    """First pass: per data row, its id, file number, row, status and score."""
    if raw.empty:  # a file with no rows, as Dask and Spark write for empty partitions
        return pd.DataFrame(columns=list(SLIM_DTYPES)).astype(SLIM_DTYPES)
    v, part = _validated(raw, rubric, ds)
    scores = score_frame(v.ratings, rubric)
    keys = id_keys(v.ratings.index)  # ids are compared as within a file
    ok = pd.DataFrame(
        {
            "id": keys,
            "shown": v.ratings.index.astype(object),
            "key": _id_keys(keys),
            "part": np.int64(part),
            "row": v.rows.to_numpy(dtype="int64"),
            "status": scores["status"].to_numpy(dtype=object),
            "score": scores["score"].to_numpy(dtype=float),
        }
    )
    bad = pd.DataFrame(
        {
            "id": pd.Series([""] * len(v.rejected), dtype=object),
            "shown": pd.Series([""] * len(v.rejected), dtype=object),
            "key": np.zeros(len(v.rejected), dtype="uint64"),
            "part": np.int64(part),
            "row": np.array([r.row for r in v.rejected], dtype="int64"),
            "status": STATUS_REJECTED,
            "score": np.nan,
        }
    )
    # what reading the file had to say (a second table below the first): a row each, its text
    # in ``shown``
    said = pd.DataFrame(
        {
            "id": "",
            "shown": pd.Series([f"{ds.name(part)}: {n}" for n in v.table.notes], dtype=object),
            "key": np.uint64(0),
            "part": np.int64(part),
            "row": np.int64(0),
            "status": NOTE,
            "score": np.nan,
        }
    )
    return pd.concat([ok, bad, said], ignore_index=True).astype(SLIM_DTYPES)


#: the status of a first-pass row that carries a note on a file rather than a data row
NOTE = "note"


def _id_keys(keys: np.ndarray) -> np.ndarray:
    return pd.util.hash_array(np.asarray(keys, dtype=object))


#: ``id`` is the engagement id's :func:`~assess.validation.id_key` and ``shown`` the id as written;
#: ``key`` is a 64-bit hash of ``id``: counting hashes needs no shuffle of the id strings, and a
#: collision only means that a few more rows are fetched and compared by their real ids
SLIM_DTYPES = {
    "id": object,
    "shown": object,
    "key": "uint64",
    "part": "int64",
    "row": "int64",
    "status": object,
    "score": float,
}


def _reject_later_duplicates(
    v: Validated, losers: dict[str, tuple[str, int, str]], file_name: str
) -> None:
    """Reject rows whose id (by its id_key) was scored in an earlier file, naming the first
    (as :func:`assess.score` does across files)."""
    if losers:
        reject_seen_ids(v, losers, file_name)


@dataclass(frozen=True)
class Ranks:
    """Every distinct score of the dataset (ascending) and how many engagements have it."""

    values: np.ndarray
    counts: np.ndarray

    def rank(self, score: np.ndarray) -> pd.api.extensions.ExtensionArray:
        """``1 + number of higher scores``: ``rank(method="min", ascending=False)`` over all."""
        at_or_below = np.concatenate([[0], np.cumsum(self.counts)])
        total = at_or_below[-1]
        le = at_or_below[np.searchsorted(self.values, np.nan_to_num(score, nan=-1.0), "right")]
        rank = pd.array(1 + total - le, dtype="Int64")
        rank[np.isnan(score)] = pd.NA
        return rank


def final_partition(
    raw: pd.DataFrame,
    rubric: Rubric,
    ds: Dataset,
    ranks: Ranks,
    losers: dict[int, dict[str, tuple[str, int, str]]],
    dtypes: dict[str, Any],
) -> pd.DataFrame:
    """Second pass: the partition's scores (global ranks) and rejected rows, in one frame."""
    if raw.empty:
        return _conform(pd.DataFrame(), dtypes)
    v, part = _validated(raw, rubric, ds)
    _reject_later_duplicates(v, losers.get(part, {}), ds.name(part))
    result = combine([v], rubric)
    scores = flat_table(result).sort_values("row", kind="stable")
    scores["rank"] = ranks.rank(scores["score"].to_numpy(dtype=float))
    # carried columns keep their source types (read_table hands them over as Python objects)
    sheet = raw.drop(columns=PART)
    positions = scores["row"].to_numpy(dtype="int64") - 2  # the header is row 1
    for col in v.table.columns if not v.table.blocks else ():  # tables below: as read
        if col.role == "carry" and col.key in scores:
            scores[col.key] = sheet.iloc[positions, col.index].to_numpy()
    rejected = rejected_table(result).add_prefix(REJ)
    rejected[REJ + "value"] = rejected[REJ + "value"].map(_text)
    scores[KIND] = "score"
    rejected[KIND] = STATUS_REJECTED
    out = pd.concat([scores, rejected], ignore_index=True)
    return _conform(out, dtypes)


def _text(value: Any) -> Any:
    if value is None or (isinstance(value, float) and value != value):
        return None
    return value if isinstance(value, str) else str(value)


def _conform(frame: pd.DataFrame, dtypes: dict[str, Any]) -> pd.DataFrame:
    """The frame with exactly the meta's columns and dtypes (Dask expects it of every part)."""
    frame = frame.reindex(columns=list(dtypes))
    for col, dtype in dtypes.items():
        if frame[col].dtype != dtype:
            if dtype == "int64":
                frame[col] = frame[col].fillna(0)
            frame[col] = frame[col].astype(dtype)
    return frame


# -- the meta: columns and dtypes of the second pass ----------------------------------------


_TEXT = pd.StringDtype()


def output_dtypes(rubric: Rubric, ds: Dataset, raw_meta: pd.DataFrame) -> dict[str, Any]:
    """Columns and dtypes of the combined frame, from the header of the first file: the
    carried columns are whatever assess's reader makes of that header."""
    header = raw_meta.drop(columns=PART)
    probe = pd.DataFrame([["x"] * len(header.columns)], columns=list(header.columns))
    probe[PART] = np.int64(0)
    v, _ = _validated(probe, rubric, ds)
    result = combine([v], rubric)
    carried_source = {
        c.key: header.dtypes.iloc[c.index] for c in v.table.columns if c.role == "carry"
    }
    dtypes: dict[str, Any] = {}
    for col in flat_table(result).columns:
        if col in carried_source:
            dtypes[col] = _carried_dtype(carried_source[col])
        elif col == "rank":
            dtypes[col] = "Int64"
        elif col == "row":
            dtypes[col] = "int64"
        elif col in {"id", "band", "status", "gates", "source", "sheet", "flags"}:
            dtypes[col] = _TEXT
        else:
            dtypes[col] = "float64"
    for col in rejected_table(result).columns:
        dtypes[REJ + col] = "int64" if col == "row" else _TEXT
    dtypes[KIND] = _TEXT
    return dtypes


def _carried_dtype(dtype: Any) -> Any:
    """A carried column's output dtype: its source type, nullable (a file may leave it blank)."""
    if pd.api.types.is_object_dtype(dtype) or pd.api.types.is_string_dtype(dtype):
        return _TEXT
    if pd.api.types.is_bool_dtype(dtype):
        return "boolean"
    if pd.api.types.is_integer_dtype(dtype):
        return "Int64"
    return dtype
