"""Several raters' layouts: finding them, and reading a long-format table.

Two layouts hold several raters' ratings:

* **long format**: one row per rating, with an engagement id column, a rater column
  (``Rater``, ``Assessor``, ``Reviewer``, ...), a criterion column and a rating column
  (:func:`long_header` finds its header; :func:`long_table` reads it);
* **one sheet per rater**: several visible sheets laid out as the usual engagements table,
  each named after its rater (:func:`rater_sheet_names` lists the sheets that could be).

Nothing is interpreted here: :mod:`assess.raters` checks the ratings and gathers them.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pandas as pd

from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..rubric import Rubric, normalise_header
from .delimited import text_head
from .header import (
    HEADER_SCAN_ROWS,
    carried_key,
    computed_columns,
    find_header,
    header_targets,
    id_names,
    renamed_note,
)
from .raw import Column, RawTable, Sheets, column_letter, present, trailing_blank
from .sheets import TEXT_SUFFIXES, frame_sheet, read_sheets

#: A source of ratings: a file, or a DataFrame laid out like a sheet.
Source = str | Path | pd.DataFrame

RATER_HEADERS = frozenset(
    normalise_header(h)
    for h in (
        "Rater",
        "Rater name",
        "Assessor",
        "Assessor name",
        "Reviewer",
        "Evaluator",
        "Analyst",
        "Rated by",
        "Assessed by",
        "Scorer",
    )
)
CRITERION_HEADERS = frozenset(
    normalise_header(h) for h in ("Criterion", "Criteria", "Criterion ID", "Dimension")
)
RATING_HEADERS = frozenset(
    normalise_header(h) for h in ("Rating", "Score", "Level", "Value", "Rating value")
)
#: The keys of a long table's own columns (see :func:`long_table`).
LONG_ROLES = ("id", "rater", "criterion", "rating")

#: (header row index, role -> column index) of a long-format table's header
LongHeader = tuple[int, dict[str, int]]


def source_sheets(
    source: Source, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE
) -> tuple[Path, Sheets, str, str]:
    """A source's path (``<DataFrame>`` for a DataFrame), sheets, SHA-256 and decimal mark."""
    if isinstance(source, pd.DataFrame):
        sheets, digest, decimal = frame_sheet(source)
        return Path("<DataFrame>"), sheets, digest, decimal
    path = Path(source)
    sheets, digest, decimal = read_sheets(path, max_input_size=max_input_size)
    return path, sheets, digest, decimal


def one_rater_text(
    source: Source,
    rubric: Rubric,
    id_column: str | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> bool:
    """A CSV (one sheet) whose first records hold no long-format header: one rater.

    Decided from the file's first 64 KiB, without reading it all.
    """
    if isinstance(source, pd.DataFrame):
        return False
    path = Path(source)
    if path.suffix.lower() not in TEXT_SUFFIXES or not path.is_file():
        return False
    try:
        head, _ = text_head(path, max_input_size=max_input_size)
    except (OSError, UnicodeDecodeError):
        return False  # the full read reports it
    return long_header(head, rubric, id_column) is None


def long_header(
    rows: list[list[Any]], rubric: Rubric, id_column: str | None = None
) -> LongHeader | None:
    """(header row index, role -> column index) of a long-format header, or None.

    The roles are :data:`LONG_ROLES`: the engagement id, rater, criterion and rating columns.
    """
    ids = {normalise_header(n) for n in id_names(rubric, id_column)}
    targets = header_targets(rubric, id_column)
    for ri, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        roles: dict[str, int] = {}
        criteria = 0
        for ci, value in enumerate(row):
            if not present(value):
                continue
            name = normalise_header(value)
            for role, names in (
                ("id", ids),
                ("rater", RATER_HEADERS),
                ("criterion", CRITERION_HEADERS),
                ("rating", RATING_HEADERS),
            ):
                if name in names and role not in roles:
                    roles[role] = ci
                    break
            else:
                hit = targets.get(name)
                criteria += hit is not None and hit[0] in {"criterion", "indicator"}
        # a wide table with a "Rater" column is not long format: its criteria are columns
        if len(roles) == 4 and criteria < 2:
            return ri, roles
    return None


def long_layout(
    sheets: Sheets, rubric: Rubric, id_column: str | None = None, sheet: str | int | None = None
) -> tuple[str, list[list[Any]], LongHeader] | None:
    """(sheet name, rows, header) of the first visible sheet holding a long-format table, or
    None; with ``sheet`` (a name, or a 1-based position), that sheet only, visible or not."""
    if sheet is not None:
        sheets = [
            s
            for i, s in enumerate(sheets)
            if s[0] == str(sheet) or (str(sheet).isdigit() and int(sheet) == i + 1)
        ]
    for name, visible, rows in sheets:
        if visible or sheet is not None:
            header = long_header(rows, rubric, id_column)
            if header is not None:
                return name, rows, header
    return None


def long_table(
    path: Path,
    name: str,
    rows: list[list[Any]],
    digest: str,
    decimal: str,
    header: LongHeader,
    rubric: Rubric,
) -> RawTable:
    """The long-format table of sheet ``name`` under ``header``, cells as read.

    Its id column has role ``id``; the rater, criterion and rating columns are carried under
    the keys ``rater``, ``criterion`` and ``rating``; every other column (with a header, or
    with data) is carried under the name :func:`~assess.read.header.carried_key` gives it.
    Blank rows are dropped and counted.
    """
    ri, roles = header
    head = rows[ri]
    width = max([len(head)] + [len(r) for r in rows[ri + 1 :]])
    columns: list[Column] = []
    role_of = {ci: role for role, ci in roles.items()}
    taken, computed = set(roles), computed_columns(rubric)
    for ci in range(width):
        text = str(head[ci]).strip() if ci < len(head) and present(head[ci]) else ""
        if ci in role_of:
            columns.append(Column(ci, text, "id" if role_of[ci] == "id" else "carry", role_of[ci]))
        elif text or any(present(r[ci]) for r in rows[ri + 1 :] if ci < len(r)):
            key = carried_key(text or f"Column {column_letter(ci)}", taken, computed)
            columns.append(Column(ci, text, "carry", key))
    body = [list(r) + [None] * (width - len(r)) for r in rows[ri + 1 :]]
    blank = [not any(present(v) for v in r) for r in body]
    frame = pd.DataFrame(
        [[r[c.index] for c in columns] for r, b in zip(body, blank, strict=True) if not b],
        columns=[c.key for c in columns],
        index=pd.Index([ri + 2 + i for i, b in enumerate(blank) if not b], name="row"),
        dtype=object,
    )
    return RawTable(
        path=path,
        sha256=digest,
        sheet=name,
        header_row=ri + 1,
        columns=columns,
        data=frame,
        decimal=decimal,
        blank_rows=sum(blank) - trailing_blank(pd.Series(blank, dtype=bool)),
        notes=["long format: one rating per row", *renamed_note(columns)],
    )


def rater_sheet_names(sheets: Sheets, rubric: Rubric, id_column: str | None = None) -> list[str]:
    """The visible sheets whose header matches at least two of the rubric's columns: each
    could be one rater's table."""
    targets = header_targets(rubric, id_column)
    return [
        name for name, visible, rows in sheets if visible and find_header(rows, targets)[1] >= 2
    ]
