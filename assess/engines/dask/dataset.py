"""A dataset's files: found in natural order, checked against the size limit, each read as one
partition laid out like a sheet; and the header every file shares, checked once."""

from __future__ import annotations

import csv
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ...errors import InputError
from ...inputs import file_key, find_files
from ...limits import check_input, describe_special, format_size
from ...read import check_header
from ...rubric import Rubric

DATASET_SUFFIXES = {".parquet": "parquet", ".pq": "parquet", ".csv": "csv", ".tsv": "csv"}
PART = "__assess_part__"  # the file number, added to each partition as it is read
_DIGITS = re.compile(r"(\d+)")


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


def load_part(path: str, kind: str, part: int, nrows: int | None = None) -> pd.DataFrame:
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


@dataclass(frozen=True)
class Dataset:
    """What every task needs to know about the dataset (small: sent with each task)."""

    files: tuple[str, ...]
    kind: str
    decimals: tuple[str, ...]
    id_column: str | None = None
    allow_missing: tuple[str, ...] | None = None

    def name(self, part: int) -> str:
        return Path(self.files[part]).name


def dataset_files(
    patterns: str | Path | Iterable[str | Path], limit: int
) -> tuple[list[Path], str]:
    """The dataset's files (see :func:`expand`) and their kind, ``parquet`` or ``csv``; each
    checked against ``limit`` before any is read."""
    files = expand(patterns)
    kinds = {DATASET_SUFFIXES[f.suffix.lower()] for f in files}
    if len(kinds) > 1:
        raise InputError("a dataset is all Parquet or all CSV files, not a mix of both")
    kind = kinds.pop()
    for f in files:
        _check_file(f, kind, limit)
    return files, kind


def read_header(
    files: list[Path],
    kind: str,
    rubric: Rubric,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
) -> tuple[Dataset, pd.DataFrame, list[str]]:
    """The dataset as every task sees it, an empty frame with its columns (the partitions'
    meta), and what checking the header noted.  Every file must have the same header, and a
    missing id or criterion column fails here, before any work."""
    metas = [load_part(str(f), kind, i, nrows=0) for i, f in enumerate(files)]
    first = list(metas[0].columns)
    for f, m in zip(files[1:], metas[1:], strict=True):
        if list(m.columns) != first:
            raise InputError(
                f"{f.name}: its columns differ from {files[0].name}'s; every file of a dataset "
                "has the same header"
            )
    notes = check_header(
        first, rubric, id_column=id_column, allow_missing=allow_missing, where=files[0].name
    )
    allowed = [allow_missing] if isinstance(allow_missing, str) else allow_missing
    decimals = tuple("," if kind == "csv" and _csv_options(f)["sep"] == ";" else "." for f in files)
    ds = Dataset(
        tuple(str(f) for f in files),
        kind,
        decimals,
        id_column,
        tuple(allowed) if allowed else None,
    )
    return ds, metas[0].iloc[:0], notes
