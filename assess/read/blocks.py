"""Further tables below the first on the same sheet.

A row below the header that names at least two of the rubric's columns, and holds no value
in a rating column, begins another table (:func:`repeats_header`); its rows are read with its
own columns, and one-cell rows just above it are its title (:class:`~assess.read.raw.Block`).
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import pandas as pd

from ..rubric import Rubric, normalise_header
from .header import Targets, build_columns, computed_columns, require_id
from .raw import Block, Column, column_letter, present

#: text that reads as a number (a header cell never does); ASCII digits, as Arrow reads them
NUMERIC_TEXT = re.compile(
    r"^[ \t]*[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*$"
)


def _value_cell(value: Any) -> bool:
    """A cell holding a value rather than a name: a number, date or TRUE/FALSE, or text that
    reads as a number."""
    if isinstance(value, str):
        return NUMERIC_TEXT.match(value) is not None
    return present(value)


def rating_indexes(columns: list[Column]) -> list[int]:
    """The sheet positions of the columns holding ratings (criteria and indicators)."""
    return [c.index for c in columns if c.role in ("criterion", "indicator")]


def repeats_header(
    row: list[Any],
    ratings: list[int],
    targets: Targets,
    seen: dict[str, str],
) -> bool:
    """Whether a row below the header is another header: its text cells name at least two of
    the rubric's columns (as header cells are matched), and none of the rating columns of the
    table above holds a value there.  ``seen`` remembers each text's key ('' for none)."""
    for i in ratings:
        if i < len(row):
            value = row[i]
            if type(value) is float and value == value or type(value) is int:
                return False  # the usual data row, decided by its first rating
            if _value_cell(value):
                return False
    keys = set()
    for value in row:
        if isinstance(value, str) and value.strip():
            key = seen.get(value)
            if key is None:
                hit = targets.get(normalise_header(value))
                key = seen[value] = hit[1] if hit else ""
            if key:
                keys.add(key)
    return len(keys) >= 2


def first_header(rows: list[list[Any]], ri: int, targets: Targets) -> int:
    """The header row of the first table on the sheet, given ``ri``, the row that matches the
    rubric best: a row above it that is a header too (as :func:`repeats_header` decides),
    with data rows under it, heads a first table whose rows would otherwise be taken for a
    title block; ``ri`` then starts the second."""
    ratings = rating_indexes(build_columns(rows[ri], targets, ""))
    seen: dict[str, str] = {}
    for k in range(ri):
        if repeats_header(rows[k], ratings, targets, seen) and any(
            sum(present(v) for v in rows[j]) >= 2 for j in range(k + 1, ri)
        ):
            return k
    return ri


def _title_rows(rows: list[list[Any]], at: int, stop: int, ratings: list[int]) -> tuple[int, ...]:
    """Rows just above a repeated header (at ``at``; blank rows between are fine) that hold one
    text cell and no rating: the next table's title, not an engagement.  0-based indexes."""
    k = at - 1
    while k > stop and not any(present(v) for v in rows[k]):
        k -= 1
    found = []
    while k > stop:
        cells = [(i, v) for i, v in enumerate(rows[k]) if present(v)]
        if len(cells) != 1:
            break
        i, v = cells[0]
        if not isinstance(v, str) or _value_cell(v) or i in ratings:
            break
        found.append(k)
        k -= 1
    return tuple(sorted(found))


def later_tables(
    rows: list[list[Any]],
    ri: int,
    columns: list[Column],
    targets: Targets,
    where_at: Callable[[int], str],
    rubric: Rubric,
    id_column: str | None,
) -> list[Block]:
    """The further tables below the table whose header is row ``ri`` (0-based): each begins
    at a row that repeats the header and is read with its own columns.  ``where_at`` names
    the header at a row index in messages."""
    blocks: list[Block] = []
    ratings = rating_indexes(columns)
    seen: dict[str, str] = {}
    previous = ri
    for j in range(ri + 1, len(rows)):
        if not repeats_header(rows[j], ratings, targets, seen):
            continue
        own = build_columns(rows[j], targets, where_at(j), computed_columns(rubric))
        below = rows[j + 1 :]
        require_id(own, below, where_at(j), rubric, id_column)
        titles = _title_rows(rows, j, previous, ratings)
        blocks.append(Block(j + 1, own, tuple(t + 1 for t in titles)))
        ratings, previous = rating_indexes(own), j
    return blocks


def tables_frame(
    rows: list[list[Any]], ri: int, columns: list[Column], blocks: list[Block]
) -> pd.DataFrame:
    """The data rows of every table on the sheet, each read with its own header's columns,
    keyed as the first table's (a key a table lacks is blank there)."""
    starts = [ri, *(b.header_row - 1 for b in blocks)]  # 0-based header indexes
    ends = [*(b.header_row - 1 for b in blocks), len(rows)]
    skipped = {t - 1 for b in blocks for t in b.title_rows}
    tables = [columns, *(b.columns for b in blocks)]
    for own, start, end in zip(tables, starts, ends, strict=True):
        # columns with no header but with data are carried too, so nothing is lost
        width = max((len(r) for r in rows[start + 1 : end]), default=0)
        for extra in range(len(rows[start]), width):
            if any(extra < len(r) and present(r[extra]) for r in rows[start + 1 : end]):
                own.append(Column(extra, "", "carry", f"Column {column_letter(extra)}"))
    keys = list(dict.fromkeys(c.key for own in tables for c in own))
    data, index = [], []
    for own, start, end in zip(tables, starts, ends, strict=True):
        at = {c.key: c.index for c in own}
        pick = [at.get(k) for k in keys]
        for j in range(start + 1, end):
            if j in skipped:
                continue
            r = rows[j]
            data.append(["" if i is None or i >= len(r) else r[i] for i in pick])
            index.append(j + 1)
    return pd.DataFrame(data, columns=keys, index=pd.Index(index, name="row"), dtype=object)


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def tables_notes(columns: list[Column], blocks: list[Block], rows: list[list[Any]]) -> list[str]:
    """What every output says about the tables below the first."""
    first = {c.key: c for c in columns if c.role != "carry"}
    notes = []
    for k, block in enumerate(blocks, start=2):
        which = f"a {_ORDINALS[k - 1]}" if k <= len(_ORDINALS) else f"table {k}"
        note = (
            f"row {block.header_row} repeats the header: the rows below it are {which} table, "
            "read with its own columns"
        )
        moved = [
            f"{c.header or c.key} in {c.letter}"
            + (f", not {first[c.key].letter}" if c.key in first else "")
            for c in block.columns
            if c.role != "carry" and (c.key not in first or first[c.key].index != c.index)
        ]
        if moved:
            note += f" ({'; '.join(moved)})"
        for t in block.title_rows:
            text = next(str(v).strip() for v in rows[t - 1] if present(v))
            note += f"; row {t} ({_quoted(text)}) is its title, not an engagement"
        notes.append(note)
    return notes


def _quoted(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")
