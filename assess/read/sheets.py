"""A file (or a DataFrame) -> its sheets, each as rows of cells as read.

:func:`read_sheets` refuses what cannot be read (missing, empty, too large, an unsupported or
mislabelled file) with one line, and hands a workbook to :mod:`assess.read.workbook` and a text
file to :mod:`assess.read.delimited`.
"""

from __future__ import annotations

import hashlib
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize, open_input, parse_size, read_input
from .delimited import read_text_rows
from .raw import Sheets
from .workbook import open_workbook

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES | TEXT_SUFFIXES


def file_sha256(path: Path, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE) -> str:
    """SHA-256 of a file's bytes, read in chunks: a regular file no larger than
    ``max_input_size`` (:class:`InputError` otherwise)."""
    h = hashlib.sha256()
    with open_input(path, parse_size(max_input_size)) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sniff_kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "unknown"


#: the last file parsed, by (resolved path, SHA-256 of its bytes, size limit)
_LAST_READ: dict[tuple[str, str, int], tuple[Sheets, str, str]] = {}


def read_sheets(
    path: str | Path, *, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE
) -> tuple[Sheets, str, str]:
    """Every sheet of a file as ``(name, visible, rows)``, plus its SHA-256 and decimal mark.

    CSV files have one sheet named after the file.  Raises :class:`InputError` for files that
    are missing, empty, not a regular file, larger than ``max_input_size`` (on disk or, for a
    workbook, once inflated; see :mod:`assess.limits`), or not a readable spreadsheet.  The
    last file parsed is remembered by its content (the SHA-256 of the bytes just read), so
    looking at a file twice in one run — first for several raters' layouts, then as a plain
    table — parses it once, and a file rewritten in between is parsed again.  Callers must
    not modify the rows they get.
    """
    return _read_sheets(Path(path), parse_size(max_input_size))


def _read_sheets(path: Path, limit: int) -> tuple[Sheets, str, str]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a spreadsheet")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    raw = read_input(path, limit)
    if not raw or raw.isspace():
        raise InputError(f"{path.name}: the file is empty")
    digest = hashlib.sha256(raw).hexdigest()
    key = (str(path.resolve()), digest, limit)
    if key in _LAST_READ:
        return _LAST_READ[key]
    _LAST_READ.clear()
    kind = _sniff_kind(path, raw[:8])
    if suffix in TEXT_SUFFIXES:
        if kind in {"zip", "ole"}:
            raise InputError(
                f"{path.name}: this is a workbook saved with a {suffix} name; rename it"
            )
        rows, _, decimal = read_text_rows(path, raw, limit)
        out = [(path.stem, True, rows)], digest, decimal
    elif suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"} and kind == "unknown":
        raise InputError(f"{path.name}: not a {suffix} workbook (the file is not a zip archive)")
    else:
        out = open_workbook(path, kind, raw, limit), digest, "."
    _LAST_READ[key] = out
    return out


def frame_sheet(df: pd.DataFrame) -> tuple[Sheets, str, str]:
    """A DataFrame laid out like a sheet: its column names are the header row."""
    rows = [list(map(str, df.columns))] + df.astype(object).where(df.notna(), None).values.tolist()
    digest = hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()
    return [("DataFrame", True, rows)], digest, "."
