"""Score a partitioned Parquet or CSV dataset with Dask: the same checks and scores, beyond one
machine.

:func:`score_dask` is what ``assess score "archive/*.parquet" --engine dask -o scores.parquet``
runs.  Each file of the dataset is one Dask partition, a DataFrame laid out like a sheet (its
column names are the header).  Every partition goes through assess's own path —
:func:`assess.read.read_table`, :func:`assess.validation.validate`,
:func:`assess.pipeline.combine` — with ``map_partitions``, so a row is accepted, rejected or
scored exactly as ``assess score`` would; nothing about validation or scoring is
re-implemented here.

What cannot be decided inside one partition is decided globally, in a first pass that keeps
only a slim ``(id, file, row, status, score)`` frame per partition:

* **Duplicate ids across files.**  As in :func:`assess.score` over several files, an id already
  scored in an earlier file (files in sorted order) rejects the later row, naming the first
  (``duplicate engagement id 'X' (first in a.csv row 12)``).  Within a file, validation
  already rejects the later row.
* **Ranks.**  A partition's own ranks would be ranks within that file.  The first pass counts
  every distinct score over the whole dataset; the second pass ranks each score as
  ``1 + (number of scored engagements with a higher score)``, which is pandas'
  ``rank(method="min", ascending=False)`` over the concatenated data, so ties share the better
  rank exactly as in memory.

The second pass validates and scores each partition again (memory stays bounded by one
partition; nothing is collected on the client but the distinct scores and the duplicate ids)
and writes two datasets: the scores, with the columns of the CSV report (``rank``, ``id``,
``score``, ``band``, ``status``, ``completeness``, ``gates``, ``source``, ``sheet``, ``row``,
the carried columns with their source types, then per criterion rating, normalised,
contribution), and the rejected rows (one row per problem cell, as in the CSV report's
companion).  Rows are written file by file in input order, not best first: sort by ``rank``
when reading.  ``row`` is the row the engagement would have if the file were a sheet with
its header in row 1 (for CSV: the line's record number, as ``assess score`` gives).

Requires the ``dask`` extra: ``pip install "assess[dask]"``.
"""

from __future__ import annotations

import csv
import dataclasses
import os
import re
import shutil
import time
import uuid
from collections.abc import Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import AssessError, InputError, OutputError
from ..inputs import file_key, find_files
from ..limits import (
    DEFAULT_MAX_INPUT_SIZE,
    MaxSize,
    check_input,
    describe_special,
    format_size,
    parse_size,
)
from ..pipeline import combine
from ..read import check_header, read_table
from ..report.safety import safe_cell
from ..report.tabular import flat_table, rejected_table
from ..rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from ..scoring import STATUS_INSUFFICIENT, STATUS_SCORED, score_frame
from ..validation import Validated, id_keys, reject_seen_ids, validate

DATASET_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv"}
OUTPUT_SUFFIXES = {".parquet": "parquet", ".csv": "csv"}
STATUS_REJECTED = "rejected"
PART = "__assess_part__"  # the file number, added to each partition as it is read
KIND = "__assess_kind__"  # "score" or "rejected" in the second pass's combined frame
REJ = "__rejected__."  # prefix of the rejected-row columns in that frame
_DIGITS = re.compile(r"(\d+)")


@dataclass
class DaskResult:
    """What :func:`score_dask` did: counts over the whole dataset and where it wrote them."""

    files: list[Path]
    output: Path
    rejected_output: Path
    rows: int = 0
    scored: int = 0
    insufficient: int = 0
    rejected: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every row was scored, 1 otherwise (as for ``assess score``)."""
        return 0 if self.scored == self.rows else 1

    def summary_line(self) -> str:
        return (
            f"{self.scored} scored, {self.insufficient} insufficient evidence, "
            f"{self.rejected} rejected of {self.rows} rows in {len(self.files)} files"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [str(f) for f in self.files],
            "output": str(self.output),
            "rejected_output": str(self.rejected_output),
            "rows": self.rows,
            "scored": self.scored,
            "insufficient": self.insufficient,
            "rejected": self.rejected,
            "seconds": self.seconds,
            "notes": list(self.notes),
        }


# -- the dataset's files --------------------------------------------------------------------


def _natural(path: Path) -> list[Any]:
    """Sort key in which ``part.10`` follows ``part.9``."""
    return [int(t) if t.isdigit() else t for t in _DIGITS.split(str(path))]


def expand(patterns: str | Path | Iterable[str | Path]) -> list[Path]:
    """The dataset's files, in the order that decides which of two duplicate ids is "first":
    each pattern's matches in natural order (``part.9`` before ``part.10``), patterns in the
    order given.  A pattern may be a file, a glob (``archive/**/*.parquet``) or a folder (a
    Parquet dataset as Dask and Spark write it), which stands for the data files inside it.
    Folders and patterns are searched as ``assess batch`` searches them
    (:func:`assess.inputs.find_files`: no symlink loops, each real file once)."""
    import glob

    if isinstance(patterns, (str, Path)):
        patterns = [patterns]
    found: dict[tuple[int, int], Path] = {}
    for pattern in patterns:
        text = str(pattern)
        p = Path(text)
        if describe_special(p):
            found.setdefault(file_key(p) or (-1, len(found)), p)  # refused by score_dask
            continue
        if not (p.is_dir() or p.is_file() or glob.has_magic(text)):
            raise InputError(f"{text}: no such file, folder or matching files")
        matches = [
            m
            for m in find_files(text)
            if m.suffix.lower() in DATASET_SUFFIXES and not m.name.startswith((".", "_", "~$"))
        ]
        if not matches:
            raise InputError(
                f"{text}: no {' or '.join(sorted(set(DATASET_SUFFIXES.values())))} files match"
            )
        for m in sorted(matches, key=_natural):
            key = file_key(m)
            if key is not None:
                found.setdefault(key, m)
    return list(found.values())


def _sheet_frame(frame: pd.DataFrame) -> pd.DataFrame:
    """A Parquet file's frame as a sheet: an index that was written as data becomes a column."""
    if isinstance(frame.index, pd.RangeIndex) and frame.index.name is None:
        return frame
    return frame.reset_index()


def _check_file(path: Path, kind: str, limit: int) -> None:
    """One file of the dataset is a regular file no larger than ``limit``, and a Parquet
    file's row groups, as its footer declares them, are no larger decoded."""
    check_input(path, limit)
    if kind != "parquet":
        return
    import pyarrow.parquet as pq

    try:
        meta = pq.read_metadata(path)
    except Exception:  # reading it says what is wrong
        return
    size = sum(meta.row_group(i).total_byte_size for i in range(meta.num_row_groups))
    if size > limit:
        raise InputError(
            f"{path.name}: its data expands to {format_size(size)} "
            f"(limit {format_size(limit)}; --max-input-size to raise)"
        )


def _csv_options(path: Path) -> dict[str, Any]:
    """How to read a CSV file of the dataset: UTF-8 (BOM or not), delimiter sniffed."""
    with path.open("rb") as fh:
        sample = fh.read(65536).decode("utf-8-sig", errors="replace")
    try:
        sep = csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        sep = "\t" if path.suffix.lower() == ".tsv" else ","
    # every cell as the text written, as assess's own CSV reader gives it; blank lines kept so
    # that row numbers stay the file's record numbers
    return {
        "sep": sep,
        "dtype": str,
        "keep_default_na": False,
        "skip_blank_lines": False,
        "encoding": "utf-8-sig",
    }


def _load(path: str, kind: str, part: int, nrows: int | None = None) -> pd.DataFrame:
    """One file of the dataset as a DataFrame laid out like a sheet, tagged with its number."""
    p = Path(path)
    try:
        if kind == "parquet":
            if nrows == 0:
                import pyarrow.parquet as pq

                frame = pq.read_schema(p).empty_table().to_pandas()
            else:
                frame = pd.read_parquet(p)
            frame = _sheet_frame(frame)
        else:
            frame = pd.read_csv(p, nrows=nrows, **_csv_options(p))
    except (OSError, ValueError, UnicodeDecodeError) as exc:
        raise InputError(f"{p.name}: cannot read as {kind} ({' '.join(str(exc).split())})") from exc
    except Exception as exc:  # pyarrow's and the CSV parser's own error types
        raise InputError(f"{p.name}: cannot read as {kind} ({exc.__class__.__name__})") from exc
    frame.columns = [str(c) for c in frame.columns]
    frame[PART] = np.int64(part)
    return frame


# -- one partition: assess's own path ------------------------------------------------------


@dataclass(frozen=True)
class _Dataset:
    """What every task needs to know about the dataset (small: sent with each task)."""

    files: tuple[str, ...]
    kind: str
    decimals: tuple[str, ...]
    id_column: str | None = None
    allow_missing: tuple[str, ...] | None = None

    def name(self, part: int) -> str:
        return Path(self.files[part]).name


def _validated(raw: pd.DataFrame, rubric: Rubric, ds: _Dataset) -> tuple[Validated, int]:
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
    return validate(table, rubric), part


def _slim_partition(raw: pd.DataFrame, rubric: Rubric, ds: _Dataset) -> pd.DataFrame:
    """First pass: per data row, its id, file number, row, status and score."""
    if raw.empty:  # a file with no rows, as Dask and Spark write for empty partitions
        return pd.DataFrame(columns=list(_SLIM_DTYPES)).astype(_SLIM_DTYPES)
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
    return pd.concat([ok, bad, said], ignore_index=True).astype(_SLIM_DTYPES)


#: the status of a first-pass row that carries a note on a file rather than a data row
NOTE = "note"


def _id_keys(keys: np.ndarray) -> np.ndarray:
    return pd.util.hash_array(np.asarray(keys, dtype=object))


#: ``id`` is the engagement id's :func:`~assess.validation.id_key` and ``shown`` the id as written;
#: ``key`` is a 64-bit hash of ``id``: counting hashes needs no shuffle of the id strings, and a
#: collision only means that a few more rows are fetched and compared by their real ids
_SLIM_DTYPES = {
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
class _Ranks:
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


def _final_partition(
    raw: pd.DataFrame,
    rubric: Rubric,
    ds: _Dataset,
    ranks: _Ranks,
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


def _output_dtypes(rubric: Rubric, ds: _Dataset, raw_meta: pd.DataFrame) -> dict[str, Any]:
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
        elif col in {"id", "band", "status", "gates", "source", "sheet"}:
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


# -- output ---------------------------------------------------------------------------------


def _rejected_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}-rejected{output.suffix}")


def _check_output(target: Path, files: Sequence[Path]) -> None:
    """Refuse a target that is an input, holds an input, or is a folder we did not write."""
    resolved = target.resolve()
    for f in files:
        rf = f.resolve()
        if rf == resolved or resolved in rf.parents:
            raise OutputError(
                f"refusing to write {target.name} over the dataset's input {f.name}; "
                "choose another -o path"
            )
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")
    if target.is_dir() and any(
        p.is_dir() or (p.suffix != ".parquet" and not p.name.startswith("_"))
        for p in target.iterdir()
    ):
        raise OutputError(
            f"{target} is a folder holding other files; give a new path for the scores"
        )


def _replace(tmp: Path, target: Path) -> None:
    """Move a finished output over the target (a Parquet dataset is a folder of parts)."""
    if target.is_dir():
        shutil.rmtree(target)
    os.replace(tmp, target)


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells as the CSV report writes them: never readable as a formula."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.StringDtype) or frame[col].dtype == object:
            frame[col] = frame[col].map(safe_cell, na_action="ignore")
    return frame


def _write(frame, path: Path, kind: str):
    """A delayed write of a Dask frame (computed later, with the other output).  Every part
    has the meta's dtypes, so every Parquet part has the same schema."""
    if kind == "parquet":
        return frame.to_parquet(str(path), write_index=False, compute=False)
    defused = frame.map_partitions(_defused, meta=frame._meta)
    return defused.to_csv(
        str(path), single_file=True, index=False, lineterminator="\r\n", compute=False
    )


# -- the engine -----------------------------------------------------------------------------


def _require_dask():
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:
        raise AssessError(
            "the Dask engine needs Dask and pyarrow: pip install 'assess[dask]'"
        ) from exc
    return dask, dd


def score_dask(
    pattern: str | Path | Iterable[str | Path],
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    output: str | Path = "scores.parquet",
    *,
    rejected: str | Path | None = None,
    scheduler: Any = None,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> DaskResult:
    """Score a partitioned Parquet or CSV dataset with Dask, each file one partition.

    Parameters
    ----------
    pattern:
        A glob pattern (``"archive/*.parquet"``, ``"archive/**/*.csv"``), a folder, a file, or a
        list of them; see :func:`expand` for the order of the files.  Every file must have the
        same columns; CSV files are UTF-8 with the header on the first line.
    rubric:
        A built-in rubric name, a path to a rubric YAML file, or a loaded :class:`Rubric`.
    output:
        Where the scores go: ``.parquet`` (a folder of parts, one per input file) or ``.csv``
        (one file).  Written to a temporary name and moved into place when complete.
    rejected:
        Where the rejected rows go (same format); by default ``<output stem>-rejected``.
    scheduler:
        Any Dask scheduler (``"threads"``, ``"processes"``, ``"synchronous"``, a
        ``distributed.Client``).  By default: the active ``distributed.Client`` or scheduler
        set in Dask's configuration, else the cluster at ``DASK_SCHEDULER_ADDRESS`` if that is
        set, else local processes (validation is Python code, so threads would share one core).
    id_column, allow_missing:
        As for :func:`assess.score`; checked once against the dataset's header.
    max_input_size:
        As for :func:`assess.score`, for each file of the dataset: a file larger than this
        (or a Parquet file whose row groups decode to more) is refused before any work, as
        is anything that is not a regular file.

    Returns
    -------
    DaskResult
        Counts over the whole dataset (scored + insufficient + rejected = rows) and the paths.

    Examples
    --------
    >>> from assess.engines.dask import score_dask
    >>> done = score_dask("archive/*.parquet", output="scores.parquet")   # doctest: +SKIP
    >>> done.summary_line()                                               # doctest: +SKIP
    '99,870 scored, 30 insufficient evidence, 100 rejected of 100,000 rows in 8 files'
    """
    started = time.perf_counter()
    dask, dd = _require_dask()
    rub = load_rubric(rubric)
    limit = parse_size(max_input_size)
    files = expand(pattern)
    kinds = {DATASET_SUFFIXES[f.suffix.lower()] for f in files}
    if len(kinds) > 1:
        raise InputError("a dataset is all Parquet or all CSV files, not a mix of both")
    kind = kinds.pop()
    for f in files:
        _check_file(f, kind, limit)
    target = Path(output)
    out_kind = OUTPUT_SUFFIXES.get(target.suffix.lower())
    if out_kind is None:
        raise OutputError(
            f"cannot tell the output format from {target.name!r}; use .parquet or .csv"
        )
    rejected_target = Path(rejected) if rejected is not None else _rejected_path(target)
    if rejected_target.suffix.lower() != target.suffix.lower():
        raise OutputError("the rejected rows are written in the same format as the scores")
    for t in (target, rejected_target):
        _check_output(t, files)

    metas = [_load(str(f), kind, i, nrows=0) for i, f in enumerate(files)]
    first = list(metas[0].columns)
    for f, m in zip(files[1:], metas[1:], strict=True):
        if list(m.columns) != first:
            raise InputError(
                f"{f.name}: its columns differ from {files[0].name}'s; every file of a dataset "
                "has the same header"
            )
    # the header is every file's: a missing id or criterion column fails here, before any work
    notes = check_header(
        first, rub, id_column=id_column, allow_missing=allow_missing, where=files[0].name
    )
    allowed = [allow_missing] if isinstance(allow_missing, str) else allow_missing
    decimals = tuple("," if kind == "csv" and _csv_options(f)["sep"] == ";" else "." for f in files)
    ds = _Dataset(
        tuple(str(f) for f in files),
        kind,
        decimals,
        id_column,
        tuple(allowed) if allowed else None,
    )
    raw_meta = metas[0].iloc[:0]
    dtypes = _output_dtypes(rub, ds, raw_meta)
    raw = dd.from_map(
        _load, ds.files, [kind] * len(files), range(len(files)), meta=raw_meta, label="read"
    )

    with ExitStack() as stack:
        compute_kw = _scheduler(scheduler, stack, dask)
        # pass 1: statuses, distinct scores and ids seen in more than one file
        slim = raw.map_partitions(
            _slim_partition,
            rub,
            ds,
            meta=pd.DataFrame(columns=list(_SLIM_DTYPES)).astype(_SLIM_DTYPES),
        )
        valid = slim[slim["status"].isin([STATUS_SCORED, STATUS_INSUFFICIENT])]
        statuses, values, keys, said = dask.compute(
            slim["status"].value_counts(split_out=1),
            valid[valid["status"] == STATUS_SCORED]["score"].value_counts(split_out=1),
            valid["key"].value_counts(split_out=1),
            slim[slim["status"] == NOTE]["shown"],
            **compute_kw,
        )
        # the notes every file's header gives are said once, without a file name
        notes += [n for n in dict.fromkeys(said) if n.split(": ", 1)[-1] not in notes]
        statuses, values = statuses.to_dict(), values.copy()
        dup_ids = keys[keys > 1].index
        losers: dict[int, dict[str, tuple[str, int, str]]] = {}
        if len(dup_ids):
            rows = valid[valid["key"].isin(list(dup_ids))].compute(**compute_kw)
            rows = rows[rows["id"].duplicated(keep=False)]  # hash collisions are not repeats
            for eid, group in rows.sort_values(["part", "row"]).groupby("id", sort=False):
                first_row = group.iloc[0]
                for _, later in group.iloc[1:].iterrows():
                    losers.setdefault(int(later["part"]), {})[str(eid)] = (
                        ds.name(int(first_row["part"])),
                        int(first_row["row"]),
                        str(first_row["shown"]),
                    )
                    statuses[later["status"]] -= 1
                    statuses[STATUS_REJECTED] = statuses.get(STATUS_REJECTED, 0) + 1
                    if later["status"] == STATUS_SCORED:
                        values[later["score"]] -= 1
        values = values[values > 0].sort_index()
        ranks = _Ranks(values.index.to_numpy(dtype=float), values.to_numpy(dtype="int64"))

        # pass 2: score again with global ranks and cross-file duplicates, and write
        meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
        both = raw.map_partitions(_final_partition, rub, ds, ranks, losers, dtypes, meta=meta)
        score_cols = [c for c in dtypes if c != KIND and not c.startswith(REJ)]
        rej_cols = [c for c in dtypes if c.startswith(REJ)]
        scores = both[both[KIND] == "score"][score_cols]
        bad = both[both[KIND] == STATUS_REJECTED][rej_cols]
        bad = bad.rename(columns={c: c[len(REJ) :] for c in rej_cols})
        tmp_scores, tmp_bad = _temporary(target), _temporary(rejected_target)
        try:
            dask.compute(
                _write(scores, tmp_scores, out_kind),
                _write(bad, tmp_bad, out_kind),
                **compute_kw,
            )
            _replace(tmp_scores, target)
            _replace(tmp_bad, rejected_target)
        except OSError as exc:  # a full disk, a read-only folder ...
            where = exc.filename or target
            raise OutputError(f"cannot write {where}: {exc.strerror or exc}") from exc
        finally:
            for tmp in (tmp_scores, tmp_bad):
                if tmp.is_dir():
                    shutil.rmtree(tmp, ignore_errors=True)
                elif tmp.exists():
                    tmp.unlink()

    done = DaskResult(files=files, output=target, rejected_output=rejected_target, notes=notes)
    done.scored = int(statuses.get(STATUS_SCORED, 0))
    done.insufficient = int(statuses.get(STATUS_INSUFFICIENT, 0))
    done.rejected = int(statuses.get(STATUS_REJECTED, 0))
    done.rows = done.scored + done.insufficient + done.rejected
    done.seconds = time.perf_counter() - started
    return done


def _scheduler(scheduler: Any, stack: ExitStack, dask) -> dict[str, Any]:
    """Keyword arguments for ``dask.compute`` that pick the scheduler (see :func:`score_dask`)."""
    if scheduler is not None:
        return {"scheduler": scheduler}
    if dask.config.get("scheduler", None) is not None:
        return {}  # an active distributed.Client, or the user's own configuration
    address = os.environ.get("DASK_SCHEDULER_ADDRESS") or dask.config.get("scheduler-address", None)
    if address:
        try:
            from distributed import Client
        except ImportError as exc:
            raise AssessError(
                "DASK_SCHEDULER_ADDRESS is set but dask.distributed is not installed: "
                "pip install distributed"
            ) from exc
        return {"scheduler": stack.enter_context(Client(address))}
    import multiprocessing

    # one pool of worker processes for both passes (each would otherwise start its own)
    pool = stack.enter_context(
        ProcessPoolExecutor(os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn"))
    )
    return {"scheduler": "processes", "pool": pool}
