"""The table as read: its columns, its cells and the blank rows among them.

A :class:`RawTable` is what :func:`~assess.read.read_table` returns: the cells of the table it
found, untouched, with the Excel row and column each came from.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

#: A file's sheets as ``(name, visible, rows)``, each row a list of cells as read.
Sheets = list[tuple[str, bool, list[list[Any]]]]


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


Role = Literal["id", "criterion", "indicator", "carry"]


@dataclass(frozen=True)
class Column:
    """One column of the found table."""

    index: int  # 0-based position in the sheet
    header: str  # header text as written
    role: Role
    key: str  # criterion/indicator id, "id", or the carried column's name

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class Block:
    """A further table below the first on the same sheet, begun by a row that repeats the
    header (in any column order): its rows are read with its own columns."""

    header_row: int  # Excel row of its header
    columns: list[Column]
    #: Excel rows just above its header taken as its title (one text cell, no rating)
    title_rows: tuple[int, ...] = ()


@dataclass
class RawTable:
    """The table found in a file, cells as read, with their provenance.

    ``data`` has one column per :class:`Column` (named by ``Column.key``) and is indexed by
    the Excel row number of each data row (for CSV: the line's record number).  Blank rows
    are already dropped and counted in ``blank_rows``.  When rows below repeat the header,
    ``blocks`` holds each further table: the rows below its header were read with its own
    ``columns`` (``column_at`` gives the column of a key on a row); the repeated headers and
    their titles are not data rows.
    """

    path: Path
    sha256: str
    sheet: str
    header_row: int
    columns: list[Column]
    data: pd.DataFrame
    decimal: str = "."
    blank_rows: int = 0
    notes: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def column_at(self, key: str, row: int) -> Column:
        """The column of ``key`` on Excel row ``row``: that of the table the row is in."""
        columns = self.columns
        for block in self.blocks:
            if block.header_row < row:
                columns = block.columns
        for c in (*columns, *self.all_columns):
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def all_columns(self) -> list[Column]:
        """The columns of every table on the sheet, one per key (the first table's first)."""
        if not self.blocks:
            return self.columns
        seen: dict[str, Column] = {}
        for columns in [self.columns, *(b.columns for b in self.blocks)]:
            for c in columns:
                seen.setdefault(c.key, c)
        return list(seen.values())

    @property
    def skipped_rows(self) -> list[int]:
        """Excel rows that are neither data nor blank: repeated headers and their titles."""
        return sorted(r for b in self.blocks for r in (*b.title_rows, b.header_row))


class CellError(str):
    """A formula error cell (``#DIV/0!``, ``#N/A``...): text, but never a value."""


def present(value: Any) -> bool:
    """Whether a cell holds anything: it is not None, NaN, or text of spaces only."""
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, float) and value != value:
        return False
    return True


def _blank_cells(col: pd.Series) -> np.ndarray:
    """Vectorised ``not present(v)`` for one column of cells as read."""
    if isinstance(col.dtype, pd.StringDtype):  # text columns of the CSV fast path
        return (col.str.strip() == "").to_numpy(dtype=bool, na_value=True)
    values = col.to_numpy(dtype=object)
    empty = pd.isna(values)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"string", "mixed", "mixed-integer", "empty"}:
        text = pd.Series(values, dtype=object).str.strip()
        empty |= (text == "").to_numpy(dtype=bool, na_value=False)
    return empty


def blank_rows(frame: pd.DataFrame) -> pd.Series:
    """Which rows of ``frame`` (cells as read) hold nothing in any column."""
    if frame.empty:
        return pd.Series([], dtype=bool)
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        # only rows blank so far need looking at: after a column or two, very few
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        column = frame[name]
        blank[rows] = _blank_cells(column if len(rows) == len(frame) else column.iloc[rows])
    return pd.Series(blank, index=frame.index)


def trailing_blank(blank: pd.Series) -> int:
    """How many of the last rows are blank (``blank``: as :func:`blank_rows` gives): the
    sheet's padding, not skipped rows worth mentioning."""
    values = blank.to_numpy()
    n = 0
    for v in values[::-1]:
        if not v:
            break
        n += 1
    return n
