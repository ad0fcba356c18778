"""Delimited text (.csv, .tsv, .txt): encoding and delimiter sniffed, records as text.

:func:`read_text_rows` reads any such file through the ``csv`` module; :func:`read_csv_table`
is the fast path for large, well-formed UTF-8 files, parsed by Arrow's C++ reader into the
very table the general path gives.
"""

from __future__ import annotations

import csv
import hashlib
import io
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..limits import (
    DEFAULT_MAX_INPUT_SIZE,
    MaxSize,
    cells_error,
    max_cells,
    open_input,
    parse_size,
    read_input,
)
from ..rubric import Rubric
from .blocks import NUMERIC_TEXT, rating_indexes, repeats_header
from .header import (
    HEADER_SCAN_ROWS,
    Targets,
    build_columns,
    computed_columns,
    find_header,
    header_targets,
    renamed_note,
)
from .raw import Column, RawTable, blank_rows, trailing_blank

SAMPLE_BYTES = 65536


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when text without a byte-order mark looks like UTF-16:
    in its first 4 KiB, most bytes at odd (LE) or even (BE) offsets are NUL, as they are
    for Latin text, and almost none at the others."""
    sample = raw[: 4096 - 4096 % 2]
    n = len(sample) // 2
    if n < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * n and even <= 0.05 * n:
        return "utf-16-le"
    if even >= 0.3 * n and odd <= 0.05 * n:
        return "utf-16-be"
    return None


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        return raw.decode(utf16, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _allow_fields(n: int) -> None:
    """Let the csv module read fields up to ``n`` characters (its default stops at 131,072;
    a field can be no longer than the text holding it).  Only ever raised, never lowered,
    so that readers in other threads are not cut short."""
    if csv.field_size_limit() < n:
        csv.field_size_limit(min(n, 2**31 - 1))


def read_text_rows(path: Path, raw: bytes, limit: int) -> tuple[list[list[Any]], str, str]:
    """CSV rows (as strings), the delimiter, and the decimal mark it implies.

    The records times the widest record (the rectangle the table is padded to) may not pass
    the cell limit of ``limit`` (:func:`assess.limits.max_cells`); reading stops there.
    """
    text = _decode(raw)
    if "\x00" in text:
        raise InputError(f"{path.name}: binary data in a text file; is it really a CSV?")
    delimiter = _sniff_delimiter(path, text[:SAMPLE_BYTES])
    _allow_fields(len(text) + 1)
    budget = max_cells(limit)
    rows: list[list[Any]] = []
    width = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(row)
        if len(row) > width:
            width = len(row)
        if len(rows) * width > budget:
            raise cells_error(
                path.name,
                f"{len(rows):,} records of up to {width:,} fields",
                len(rows) * width,
                limit,
            )
    # European exports separate fields with ';' because ',' is their decimal mark.
    return rows, delimiter, "," if delimiter == ";" else "."


def _sniff_delimiter(path: Path, sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return "\t" if path.suffix.lower() == ".tsv" else ","


def text_head(
    path: Path, raw: bytes | None = None, *, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE
) -> tuple[list[list[str]], str]:
    """The first records of a text table (enough for the header scan) and its delimiter.

    Reads at most the first 64 KiB (of a regular file no larger than ``max_input_size``);
    the records are those the full read gives.
    """
    if raw is None:
        with open_input(path, parse_size(max_input_size)) as fh:
            raw = fh.read(SAMPLE_BYTES + 4)
    truncated = len(raw) > SAMPLE_BYTES
    chunk = raw[:SAMPLE_BYTES]
    sample = None
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(chunk)
    for cut in range(0 if utf16 else 4):  # the sample may end inside a UTF-8 character
        try:
            sample = chunk[: len(chunk) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    if sample is None:
        sample = _decode(chunk[: len(chunk) - len(chunk) % 2] if utf16 else chunk)
    sample = sample.removeprefix("\ufeff")
    delimiter = _sniff_delimiter(path, sample)
    _allow_fields(len(sample) + 1)
    rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    if truncated and rows:
        rows = rows[:-1]  # the sample may end inside a record
    return rows[:HEADER_SCAN_ROWS], delimiter


def string_dtype():
    """pandas' own string dtype when it is Arrow-backed (pandas 3), else the Arrow one."""
    default = pd.Series([""]).dtype
    if getattr(default, "storage", None) == "pyarrow":
        return default
    return pd.StringDtype("pyarrow")


def read_csv_table(
    path: Path,
    rubric: Rubric,
    id_column: str | None = None,
    limit: int = DEFAULT_MAX_INPUT_SIZE,
) -> RawTable | None:
    """A UTF-8 CSV whose first record is the header, parsed by Arrow's C++ reader.

    The result is exactly what the general path (the ``csv`` module, then Python lists)
    gives, as Arrow-backed text columns, at a fraction of the cost for large files.  Returns
    None, so that the general path runs, for anything it does not handle the same way: other
    encodings, blank lines (they are counted as skipped rows), a header below the first
    line, ragged rows, or any file Arrow refuses.  A file that cannot be read at all (not a
    regular file, larger than ``limit``) is refused here, with the general path's message.
    """
    raw = read_input(path, limit)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if (
        len(body) < 2
        or b"\x00" in body
        or body.startswith((b"\n", b"\r"))
        or any(blank in body for blank in (b"\n\n", b"\n\r\n", b"\r\r"))
    ):
        return None
    head, delimiter = text_head(path, body)
    targets = header_targets(rubric, id_column)
    ri, n = find_header(head, targets)
    if ri != 0 or n < 2:
        return None  # a title block above the table, or no table: the general path explains
    header = head[0]
    if any("\n" in h or "\r" in h for h in header):
        return None  # a header cell over several lines: skipping "one row" would be ambiguous
    names = [f"f{i}" for i in range(len(header))]
    table = _arrow_records(body, delimiter, names)
    if table is None:
        return None  # ragged rows, bad UTF-8 ...: the general path reads these
    where = f"{path.name}: header line 1"
    if (table.num_rows + 1) * len(names) > max_cells(limit):
        raise cells_error(
            path.name,
            f"{table.num_rows + 1:,} records of {len(names):,} fields",
            (table.num_rows + 1) * len(names),
            limit,
        )
    columns = build_columns(header, targets, where, computed_columns(rubric))
    if not any(c.role == "id" for c in columns):
        return None
    dtype = string_dtype()
    frame = pd.DataFrame(
        {c.key: pd.array(table.column(c.index), dtype=dtype) for c in columns},
        index=pd.RangeIndex(2, 2 + table.num_rows, name="row"),
    )
    blank = blank_rows(frame)
    if _may_repeat_header(frame, columns, targets, ~blank.to_numpy()):
        return None  # a second table below the first: the general path reads it
    n_blank = int(blank.sum())
    frame = frame.loc[~blank] if n_blank else frame
    if frame.empty:
        raise InputError(f"{where}: the table has headers but no data rows")
    return RawTable(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        sheet=path.stem,
        header_row=1,
        columns=columns,
        data=frame,
        decimal="," if delimiter == ";" else ".",
        blank_rows=n_blank - trailing_blank(blank),
        notes=renamed_note(columns),
    )


def _arrow_records(body: bytes, delimiter: str, names: list[str]) -> Any:
    """The records after the first of a CSV's bytes as an Arrow table of text columns
    ``names``, or None when Arrow refuses them (ragged rows, bad UTF-8, ...)."""
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    try:
        return pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names, use_threads=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None


def _may_repeat_header(
    frame: pd.DataFrame,
    columns: list[Column],
    targets: Targets,
    rows: np.ndarray,
) -> bool:
    """Whether a row of an Arrow-read table (among ``rows``) repeats the header, as
    :func:`repeats_header` decides: only rows with no number in any rating column are
    looked at one by one (the Arrow test lets through every row the Python one would)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    candidate = rows.copy()
    for c in columns:
        if c.role not in ("criterion", "indicator"):
            continue
        at = np.flatnonzero(candidate)
        if not len(at):
            return False
        cells = pa.array(frame[c.key].array)
        if len(at) < len(cells):
            cells = cells.take(pa.array(at))
        # plain digits first (fast), then the few other cells by the full pattern
        numeric = pc.ascii_is_decimal(cells).to_numpy(zero_copy_only=False)
        other = np.flatnonzero(~numeric)
        if len(other):
            rest = pc.match_substring_regex(cells.take(pa.array(other)), NUMERIC_TEXT.pattern)
            numeric[other] = rest.to_numpy(zero_copy_only=False)
        candidate[at[numeric]] = False
    if not candidate.any():
        return False
    ratings = rating_indexes(columns)
    seen: dict[str, str] = {}
    # the columns are the header's cells, in order: a frame row is the row as read
    for row in frame.iloc[np.flatnonzero(candidate)].itertuples(index=False, name=None):
        if repeats_header(list(row), ratings, targets, seen):
            return True
    return False
