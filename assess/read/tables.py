"""Finding the engagements table in a file: :func:`read_table`.

Every visible sheet is searched (a hidden one only when no visible sheet holds a table) for the
header row that best matches the rubric's columns, under a title block or on a later sheet; the
table below it, and any further tables below that repeat its header, are returned untouched.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path

import pandas as pd

from ..errors import InputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize, parse_size
from ..rubric import Rubric
from .blocks import first_header, later_tables, tables_frame, tables_notes
from .delimited import read_csv_table
from .header import (
    Targets,
    build_columns,
    check_rubric_columns,
    computed_columns,
    describe_miss,
    find_header,
    header_targets,
    missing_allowance,
    renamed_note,
    require_id,
)
from .raw import Column, RawTable, Sheets, blank_rows, column_letter, present, trailing_blank
from .sheets import TEXT_SUFFIXES, frame_sheet, read_sheets


def read_table(
    path: str | Path | pd.DataFrame,
    rubric: Rubric,
    sheet: str | int | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> RawTable:
    """Find the engagements table in a spreadsheet and return it with cell provenance.

    Parameters
    ----------
    path : str, Path or pandas.DataFrame
        ``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``, ``.csv`` or ``.tsv`` file, or a pandas
        DataFrame whose column names are the header row.
    rubric : Rubric
        The rubric whose identifier and criterion columns locate the header row.
    sheet : str or int, optional
        A sheet name (or 1-based position) to read; by default every visible sheet is
        searched and the one whose header best matches the rubric wins.
    id_column : str, optional
        The header of the column holding the engagement ids, instead of the rubric's
        identifier column and its aliases.
    allow_missing : str or Iterable[str], optional
        Criteria (or indicators) that may have no column: their ids, labels or headers, or
        ``"all"``.  Such a criterion is scored as not rated, and the table's ``notes`` say so.
        Any other criterion without a column makes the table unusable.
    max_input_size : MaxSize, optional
        The most the file may hold, in bytes or as text (``"512MB"``, ``"2GB"``): its size
        on disk and, for a workbook, once inflated; its tables may span one cell per 16
        bytes of it.  See :mod:`assess.limits`.

    Raises
    ------
    InputError
        The file cannot be read, is not a regular file, is larger than ``max_input_size``,
        holds no table with the rubric's columns, has no id column, or lacks a criterion's
        column that ``allow_missing`` does not allow.
    """
    allowed = missing_allowance(rubric, allow_missing)
    table = _find_table(path, rubric, sheet, id_column, parse_size(max_input_size))
    # every table on the sheet (see RawTable.blocks) is held to the same rule
    tables = [(table.header_row, table.columns), *((b.header_row, b.columns) for b in table.blocks)]
    where = _where(table).rsplit(" ", 1)[0]
    notes = [
        (at, check_rubric_columns(columns, rubric, allowed, f"{where} {at}"))
        for at, columns in tables
    ]
    shared = set.intersection(*(set(n) for _, n in notes))
    table.notes += [n for n in notes[0][1] if n in shared]
    for at, own in notes:
        table.notes += [f"the table at row {at}: {n}" for n in own if n not in shared]
    return table


def _place(path: Path, sheet: str, header_row: int) -> str:
    """Where a header row is, as messages name it (``header_row``: its Excel row or line)."""
    if path.suffix.lower() in TEXT_SUFFIXES:
        return f"{path.name}: header line {header_row}"
    return f"{path.name}: sheet {sheet!r}, header row {header_row}"


def _where(table: RawTable) -> str:
    return _place(table.path, table.sheet, table.header_row)


def _find_table(
    path: str | Path | pd.DataFrame,
    rubric: Rubric,
    sheet: str | int | None,
    id_column: str | None,
    limit: int = DEFAULT_MAX_INPUT_SIZE,
) -> RawTable:
    if isinstance(path, pd.DataFrame):
        sheets, digest, decimal = frame_sheet(path)
        path = Path("<DataFrame>")
    else:
        path = Path(path)
        if path.suffix.lower() in TEXT_SUFFIXES and sheet is None:
            fast = read_csv_table(path, rubric, id_column, limit)
            if fast is not None:
                return fast
        sheets, digest, decimal = read_sheets(path, max_input_size=limit)
    targets = header_targets(rubric, id_column)
    candidates = _candidate_sheets(path, sheets, sheet)
    si, ri = _best_header(path, candidates, targets, sheet is not None, rubric, id_column)
    name, visible, rows = candidates[si]
    notes = [] if visible else [f"the table was found on hidden sheet {name!r}"]
    ri = first_header(rows, ri, targets)
    where = _place(path, name, ri + 1)
    columns = build_columns(rows[ri], targets, where, computed_columns(rubric))
    notes += renamed_note(columns)
    require_id(columns, rows[ri + 1 :], where, rubric, id_column)
    blocks = later_tables(
        rows, ri, columns, targets, lambda i: _place(path, name, i + 1), rubric, id_column
    )
    if blocks:
        frame = tables_frame(rows, ri, columns, blocks)
        notes += tables_notes(columns, blocks, rows)
    else:
        frame = _one_table_frame(rows, ri, columns)
    blank = blank_rows(frame)
    n_blank = int(blank.sum())
    # Trailing blank rows are the sheet's padding, not "skipped rows" worth mentioning.
    frame = frame.loc[~blank]
    if frame.empty:
        raise InputError(f"{where}: the table has headers but no data rows")
    return RawTable(
        path=path,
        sha256=digest,
        sheet=name,
        header_row=ri + 1,
        columns=columns,
        data=frame,
        decimal=decimal,
        blank_rows=n_blank - trailing_blank(blank),
        notes=notes,
        blocks=blocks,
    )


def _candidate_sheets(path: Path, sheets: Sheets, sheet: str | int | None) -> Sheets:
    """The sheets to search: ``sheet`` alone (by name, or by 1-based position) when given,
    else every sheet, the visible ones first."""
    if sheet is None:
        visible = [s for s in sheets if s[1]]
        return visible + [s for s in sheets if not s[1]]
    chosen = [s for s in sheets if s[0] == str(sheet)]
    if not chosen and str(sheet).isdigit() and 1 <= int(sheet) <= len(sheets):
        chosen = [sheets[int(sheet) - 1]]
    if not chosen:
        names = ", ".join(repr(s[0]) for s in sheets)
        raise InputError(f"{path.name}: no sheet {sheet!r} (sheets: {names})")
    return chosen


def _best_header(
    path: Path,
    candidates: Sheets,
    targets: Targets,
    chosen: bool,
    rubric: Rubric,
    id_column: str | None,
) -> tuple[int, int]:
    """(sheet index, header row index) of the header that matches the rubric best.

    A hidden sheet only wins if no visible sheet holds a table at all (or the sheet was
    ``chosen``); :class:`InputError` says what was looked for when no sheet holds a table.
    """
    best: tuple[int, int, int] = (-1, -1, 0)  # (sheet index, header row index, matches)
    for si, (_, visible, rows) in enumerate(candidates):
        ri, n = find_header(rows, targets)
        if n > best[2] and (visible or best[2] < 2 or chosen):
            best = (si, ri, n)
    si, ri, n = best
    if si < 0 or n < 2:
        raise InputError(describe_miss(path, candidates, rubric, id_column))
    return si, ri


def _one_table_frame(rows: list[list], ri: int, columns: list[Column]) -> pd.DataFrame:
    """The rows below the header at ``ri`` (0-based), one column per entry of ``columns``
    (to which columns with no header but with data are added), indexed by Excel row."""
    header = rows[ri]
    width = max((len(r) for r in rows[ri + 1 :]), default=0)
    width = max(width, len(header))
    body = [list(r) + [""] * (width - len(r)) for r in rows[ri + 1 :]]
    # Columns with no header but with data are carried too, so nothing is lost.
    for extra in range(len(columns), width):
        if any(present(r[extra]) for r in body):
            columns.append(Column(extra, "", "carry", f"Column {column_letter(extra)}"))
    return pd.DataFrame(
        [[r[c.index] for c in columns] for r in body],
        columns=[c.key for c in columns],
        index=pd.RangeIndex(ri + 2, ri + 2 + len(body), name="row"),
        dtype=object,
    )
