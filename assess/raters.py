"""Several raters' ratings: every rating checked, and gathered per engagement and rater.

:func:`read_ratings` finds several raters' ratings in the sources, in either layout that
:mod:`assess.read.layouts` detects (one rating per row in long format, or one sheet per rater),
and checks them with the same cell checks and cell-referenced rejections as a single-rater
table (:mod:`assess.validation`): a rating row that cannot be used is rejected with its cell
(``Rater B!F12: 'high' is not a rating 0-4``), and the engagement is combined from its other
raters' rows.  :class:`Ratings` holds every usable rating by engagement, rater and input;
:func:`combine_values` combines them per engagement and criterion by the rubric's rule
(``raters: {combine: median}``; ``median`` by default, or ``mean``, ``trimmed_mean``).
"""

from __future__ import annotations

import math
import re
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .errors import InputError, MissingColumnError
from .limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from .read import (
    LONG_ROLES,
    CellError,
    Column,
    RawTable,
    Sheets,
    Source,
    Targets,
    header_targets,
    long_layout,
    long_table,
    one_rater_text,
    present,
    rater_sheet_names,
    read_table,
    source_sheets,
)
from .rubric import Rubric, normalise_header
from .scoring import input_columns
from .validation import (
    IndicatorParser,
    Problem,
    RatingParser,
    Rejection,
    Validated,
    id_key,
    id_keys,
    id_text,
    present_id,
    show,
    validate,
)

COMBINE_RULES = ("median", "mean", "trimmed_mean")
DEFAULT_COMBINE = "median"
#: share of the ratings cut from each end by ``trimmed_mean`` (at least one each end from 3 up)
TRIM_SHARE = 0.2
#: a sheet counts as another rater's when at least this share of its ids is on other sheets
RATER_OVERLAP = 0.5

#: one accepted rating: (engagement id, rater, input, value, cell)
Rating = tuple[str, str, str, float, str]


# -- the ratings cube -------------------------------------------------------------------------


@dataclass
class RaterTable:
    """One table that ratings were read from: a rater's sheet, or a long-format table."""

    table: RawTable
    layout: str  # "long" or "sheet"
    rater: str | None  # the sheet's rater; None for a long table (one rater per row)
    data_rows: int
    rejected: list[Rejection]
    #: engagement id of every row used
    used: dict[int, str] = field(default_factory=dict)


@dataclass
class Ratings:
    """Every usable rating of every rater: ``values[engagement, rater, input]``.

    ``inputs`` are the scorer's input columns (rated criterion ids and indicator ids); a cell
    is NaN where that rater gave no rating.  ``cells[(e, r, j)]`` is the cell it came from.
    """

    rubric: Rubric
    ids: list[str]
    raters: list[str]
    inputs: list[str]
    values: np.ndarray
    cells: dict[tuple[int, int, int], str]
    #: per engagement: (file, sheet, row) of its first row read
    first_row: list[tuple[str, str, int]]
    carried: pd.DataFrame
    tables: list[RaterTable]

    @property
    def layout(self) -> str:
        kinds = {t.layout for t in self.tables}
        return "long" if kinds == {"long"} else "sheet" if kinds == {"sheet"} else "mixed"

    @property
    def rejected(self) -> list[Rejection]:
        return [r for t in self.tables for r in t.rejected]

    @property
    def rows_read(self) -> int:
        return sum(t.data_rows for t in self.tables)

    def combined(self, rule: str = DEFAULT_COMBINE) -> pd.DataFrame:
        """The combined rating of each engagement and input, as the scorer takes it."""
        return pd.DataFrame(
            combine_values(self.values, rule),
            index=pd.Index(self.ids, name="id", dtype=object),
            columns=self.inputs,
        )


def combine_values(values: np.ndarray, rule: str = DEFAULT_COMBINE, axis: int = 1) -> np.ndarray:
    """Combine ratings along ``axis`` (the raters), ignoring NaN; NaN where nobody rated.

    ``median`` and ``mean`` are the usual ones; ``trimmed_mean`` drops ``floor(0.2 * n)`` of
    the ``n`` ratings from each end before averaging (with 3 or 4 raters, nothing is dropped;
    with 5 to 9, the lowest and highest).
    """
    if rule not in COMBINE_RULES:
        raise ValueError(
            f"unknown combination rule {rule!r}; use one of {', '.join(COMBINE_RULES)}"
        )
    v = np.moveaxis(np.asarray(values, dtype=float), axis, -1)
    present = ~np.isnan(v)
    n = present.sum(axis=-1)
    out = np.full(n.shape, np.nan)
    some = n > 0
    if rule == "median" or rule == "trimmed_mean":
        ordered = np.sort(v, axis=-1)  # NaN last
        if rule == "median":
            lo = np.take_along_axis(ordered, np.maximum((n - 1) // 2, 0)[..., None], -1)[..., 0]
            hi = np.take_along_axis(ordered, np.maximum(n // 2, 0)[..., None], -1)[..., 0]
            out = np.where(some, (lo + hi) / 2, np.nan)
        else:
            cut = np.floor(TRIM_SHARE * n).astype(int)
            pos = np.arange(v.shape[-1])
            keep = (pos >= cut[..., None]) & (pos < (n - cut)[..., None])
            total = np.where(keep, np.nan_to_num(ordered), 0.0).sum(axis=-1)
            with np.errstate(invalid="ignore", divide="ignore"):
                out = np.where(some, total / (n - 2 * cut), np.nan)
    else:
        with np.errstate(invalid="ignore", divide="ignore"):
            out = np.where(some, np.nan_to_num(v).sum(axis=-1) / n, np.nan)
    return out


def natural_key(text: str) -> tuple[Any, ...]:
    """Order ids as people do: E2 before E10.

    Examples
    --------
    >>> sorted(["E10", "E2", "E1"], key=natural_key)
    ['E1', 'E2', 'E10']
    """
    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


# -- reading ----------------------------------------------------------------------------------


def read_ratings(
    sources: Source | Iterable[Source],
    rubric: Rubric,
    sheet: str | int | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Ratings | None:
    """Read several raters' ratings, or return None when the input has one rater.

    Parameters
    ----------
    sources : Source or Iterable[Source]
        Files (or DataFrames laid out as a long table).  Each must hold several raters' ratings,
        in long format or one sheet per rater; files of one rater cannot be mixed in.
    rubric : Rubric
        The rubric whose criteria are rated.
    sheet : str or int, optional
        Read only this sheet (long format then); one sheet can hold only a long table.
    id_column, allow_missing, max_input_size : optional
        As for :func:`assess.score`.

    Raises
    ------
    InputError
        Some sources hold several raters and others one.
    """
    if isinstance(sources, (str, Path, pd.DataFrame)):
        sources = [sources]
    sources = list(sources)
    found: list[tuple[Source, Any]] = []
    for source in sources:
        if one_rater_text(source, rubric, id_column, max_input_size):
            continue
        path, sheets, digest, decimal = source_sheets(source, max_input_size)
        long = long_layout(sheets, rubric, id_column, sheet)
        if long is not None:
            name, rows, header = long
            table = long_table(path, name, rows, digest, decimal, header, rubric)
            found.append((source, ("long", table)))
            continue
        per_sheet = (
            None
            if sheet is not None
            else _rater_sheets(source, sheets, rubric, id_column, allow_missing, max_input_size)
        )
        if per_sheet is not None:
            found.append((source, ("sheet", per_sheet)))
    if not found:
        return None
    if len(found) < len(sources):
        single = [
            str(s if not isinstance(s, pd.DataFrame) else "<DataFrame>")
            for s in sources
            if all(s is not f[0] for f in found)
        ]
        raise InputError(
            f"{', '.join(Path(s).name for s in single)}: one rating per engagement, but the other "
            "inputs hold several raters' ratings; score them separately"
        )
    return _assemble(found, rubric)


def _rater_sheets(
    path: Path | pd.DataFrame,
    sheets: Sheets,
    rubric: Rubric,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> list[tuple[str, Validated]] | None:
    """The validated per-rater sheets of a workbook, or None when it is not laid out so."""
    candidates = rater_sheet_names(sheets, rubric, id_column)
    if len(candidates) < 2 or isinstance(path, pd.DataFrame):
        return None
    parts = []
    lacking: list[MissingColumnError] = []
    for name in candidates:
        try:
            table = read_table(
                path,
                rubric,
                sheet=name,
                id_column=id_column,
                allow_missing=allow_missing,
                max_input_size=max_input_size,
            )
        except MissingColumnError as exc:  # a rater's sheet without a criterion's column
            lacking.append(exc)
            continue
        except InputError:
            continue
        parts.append((name, validate(table, rubric)))
    if len(parts) + len(lacking) >= 2 and lacking:
        raise lacking[0]
    if len(parts) < 2:
        return None
    ids = [set(id_keys(p.ratings.index)) for _, p in parts]
    for i, own in enumerate(ids):
        others = set().union(*(s for j, s in enumerate(ids) if j != i))
        if not own or len(own & others) < RATER_OVERLAP * len(own):
            return None
    return parts


# -- checking a long table --------------------------------------------------------------------

#: records a problem in the cell of a role's column: (role, value, reason)
_AddProblem = Callable[[str, Any, str], None]


def _check_long(
    table: RawTable,
    rubric: Rubric,
    seen: dict[tuple[str, str, str], str],
    written: dict[str, str],
) -> tuple[RaterTable, list[Rating], dict[str, dict[str, Any]]]:
    """Validate a long table (as :func:`~assess.read.long_table` reads it): one rating per row.

    Returns the table, the accepted ratings as (id, rater, input, value, cell) and each
    engagement's carried values (its first row under ``"__row__"``).  Ids are compared by
    :func:`~assess.validation.id_key`; ``written`` holds each id as first written, ``seen``
    the cell of each (id, rater, input) rated so far."""
    frame, name = table.data, table.sheet
    col = {c.key: c for c in table.columns}
    targets = {
        k: v for k, v in header_targets(rubric).items() if v[0] in {"criterion", "indicator"}
    }
    parsers = _parsers(rubric, table.decimal)
    carry_keys = [c.key for c in table.columns if c.role == "carry" and c.key not in LONG_ROLES]
    accepted: list[Rating] = []
    carried: dict[str, dict[str, Any]] = {}
    rejected: list[Rejection] = []
    used: dict[int, str] = {}
    for rownum, values in zip(frame.index, frame.to_dict("records"), strict=True):
        problems: list[Problem] = []
        problem = _problem_adder(col, problems)
        eid, key_id = _long_id(values["id"], written, problem)
        rater = " ".join(str(values["rater"]).split()) if present(values["rater"]) else ""
        if not rater:
            problem("rater", values["rater"], "missing rater")
        key = _long_criterion(values["criterion"], targets, rubric, problem)
        number = math.nan
        if key:
            number, err = parsers[key](values["rating"])
            if err:
                problem("rating", values["rating"], err)
        cell = f"{name}!{col['rating'].letter}{rownum}"
        if eid and rater and key and not problems:
            first = seen.get((eid, rater, key))
            if first is not None:
                problem(
                    "rating",
                    values["rating"],
                    f"a second rating of {key} for {eid!r} by {rater!r} (first at {first})",
                )
            else:
                seen[(eid, rater, key)] = cell
        if problems:
            rejected.append(Rejection(table.name, name, int(rownum), tuple(problems), eid or None))
            continue
        written.setdefault(key_id, eid)
        used[int(rownum)] = eid
        accepted.append((eid, rater, key, number, cell))
        into = carried.setdefault(eid, {"__row__": int(rownum)})
        for k in carry_keys:
            if k not in into and present(values[k]):
                into[k] = values[k]
    rt = RaterTable(table, "long", None, len(frame), rejected, used)
    return rt, accepted, carried


def _parsers(rubric: Rubric, decimal: str) -> dict[str, Any]:
    """The cell parser of every input: each rated criterion's and each indicator's."""
    parsers: dict[str, Any] = {}
    for c in rubric.criteria:
        if c.rated:
            parsers[c.id] = RatingParser(c)
        for ind in c.indicators:
            parsers[ind.id] = IndicatorParser(ind, decimal)
    return parsers


def _problem_adder(col: dict[str, Column], problems: list[Problem]) -> _AddProblem:
    """A function recording a problem in the cell of a role's column."""

    def add(role: str, value: Any, reason: str) -> None:
        problems.append(Problem(col[role].letter, col[role].header, value, reason))

    return add


def _long_id(raw_id: Any, written: dict[str, str], problem: _AddProblem) -> tuple[str, str]:
    """A long row's engagement id (as first written; '' when it has none) and its id key."""
    eid = id_text(raw_id) if present_id(raw_id) else ""
    key_id = id_key(eid)
    if isinstance(raw_id, CellError):
        eid = ""
        problem("id", raw_id, f"the engagement id cell holds a formula error ({raw_id})")
    elif not key_id:
        eid = ""
        problem("id", raw_id, "missing engagement id")
    else:
        eid = written.get(key_id, eid)
    return eid, key_id


def _long_criterion(raw: Any, targets: Targets, rubric: Rubric, problem: _AddProblem) -> str:
    """The input a long row's criterion cell names ('' when it names none)."""
    if not present(raw):
        problem("criterion", raw, "missing criterion")
        return ""
    hit = targets.get(normalise_header(raw))
    if hit is None:
        known = ", ".join(c.id for c in rubric.criteria)
        problem(
            "criterion", raw, f"{show(raw)} is not a criterion of rubric {rubric.name} ({known})"
        )
        return ""
    return hit[1]


# -- gathering every table's ratings ----------------------------------------------------------


@dataclass
class _Gathered:
    """The ratings of every table checked so far, and what checking the next one needs."""

    inputs: list[str]
    tables: list[RaterTable] = field(default_factory=list)
    ratings: list[Rating] = field(default_factory=list)
    carried: dict[str, dict[str, Any]] = field(default_factory=dict)
    #: per engagement: (file, sheet, row) of its first row read
    first_row: dict[str, tuple[str, str, int]] = field(default_factory=dict)
    seen_long: dict[tuple[str, str, str], str] = field(default_factory=dict)
    seen_sheet: dict[tuple[str, str], str] = field(default_factory=dict)
    #: id_key -> the id as first written
    written: dict[str, str] = field(default_factory=dict)


def _assemble(found: list[tuple[Source, Any]], rubric: Rubric) -> Ratings:
    gathered = _Gathered(input_columns(rubric))
    for _, (kind, what) in found:
        if kind == "long":
            _add_long(gathered, what, rubric)
        else:
            for rater, part in what:
                _add_sheet(gathered, rater, part)
    return _cube(gathered, rubric)


def _add_long(g: _Gathered, table: RawTable, rubric: Rubric) -> None:
    rt, accepted, carry = _check_long(table, rubric, g.seen_long, g.written)
    g.tables.append(rt)
    g.ratings += accepted
    for eid, values in carry.items():
        g.first_row.setdefault(eid, (rt.table.name, table.sheet, values.pop("__row__")))
        into = g.carried.setdefault(eid, {})
        for k, v in values.items():
            into.setdefault(k, v)


def _add_sheet(g: _Gathered, rater: str, part: Validated) -> None:
    """Gather a rater's validated sheet; a second row of one engagement is rejected."""
    table = part.table
    rejected = list(part.rejected)
    used: dict[int, str] = {}
    letters = {c.key: c.letter for c in table.columns if c.role != "carry"}
    data_keys = {c.key for c in table.all_columns if c.role != "carry"}
    keys = id_keys(part.ratings.index)
    for (as_read, row), key_id in zip(part.ratings.iterrows(), keys, strict=True):
        rownum = int(part.rows[as_read])
        eid = g.written.get(key_id, as_read)
        id_col = table.column_at("id", rownum)
        first = g.seen_sheet.get((eid, rater))
        if first is not None:
            reason = f"rater {rater!r} already rated {eid!r} ({first})"
            problem = Problem(id_col.letter, id_col.header, as_read, reason)
            rejected.append(Rejection(table.name, table.sheet, rownum, (problem,), as_read))
            continue
        g.written.setdefault(key_id, eid)
        g.seen_sheet[(eid, rater)] = f"{table.name} {table.sheet} row {rownum}"
        used[rownum] = eid
        g.first_row.setdefault(eid, (table.name, table.sheet, rownum))
        into = g.carried.setdefault(eid, {})
        for k, v in part.carried.loc[as_read].items():
            if k not in into and present(v):
                into[k] = v
        for key in g.inputs:
            value = float(row[key])
            letter = letters.get(key, "")
            if table.blocks and key in data_keys:  # a table below: its own columns
                letter = table.column_at(key, rownum).letter
            cell = f"{table.sheet}!{letter}{rownum}"
            g.ratings.append((eid, rater, key, value, cell))
    rejected.sort(key=lambda r: r.row)
    g.tables.append(RaterTable(table, "sheet", rater, part.data_rows, rejected, used))


def _cube(g: _Gathered, rubric: Rubric) -> Ratings:
    """The gathered ratings as :class:`Ratings`, engagements in natural order."""
    inputs = g.inputs
    j_of = {k: j for j, k in enumerate(inputs)}
    ids = sorted({r[0] for r in g.ratings} | set(g.first_row), key=natural_key)
    raters = list(dict.fromkeys(r[1] for r in g.ratings))
    e_of = {e: i for i, e in enumerate(ids)}
    r_of = {r: i for i, r in enumerate(raters)}
    values = np.full((len(ids), len(raters), len(inputs)), np.nan)
    cells: dict[tuple[int, int, int], str] = {}
    for eid, rater, key, value, cell in g.ratings:
        idx = (e_of[eid], r_of[rater], j_of[key])
        values[idx] = value
        cells[idx] = cell
    carry_cols = list(dict.fromkeys(k for v in g.carried.values() for k in v))
    frame = pd.DataFrame(
        [[g.carried.get(e, {}).get(k) for k in carry_cols] for e in ids],
        index=pd.Index(ids, name="id", dtype=object),
        columns=carry_cols,
        dtype=object,
    )
    return Ratings(
        rubric=rubric,
        ids=ids,
        raters=raters,
        inputs=inputs,
        values=values,
        cells=cells,
        first_row=[g.first_row[e] for e in ids],
        carried=frame,
        tables=g.tables,
    )
