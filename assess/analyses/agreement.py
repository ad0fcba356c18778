"""Several raters: read their ratings, combine them per engagement, and measure agreement.

Two layouts are read, with the same cell checks and cell-referenced rejections as a
single-rater table (:mod:`assess.validation`):

* **long format**: one row per rating, with an engagement id column, a rater column
  (``Rater``, ``Assessor``, ``Reviewer``, ...), a criterion column naming the criterion by its
  id, label, column name or alias, and a rating column (``Rating``, ``Score``, ``Level``);
* **one sheet per rater**: several visible sheets laid out as the usual engagements table,
  each named after its rater, rating (mostly) the same engagements.

A rating row that cannot be used is rejected with its cell (``Rater B!F12: 'high' is not a
rating 0-4``); the engagement is combined from its other raters' rows.  Ratings are combined
per engagement and criterion with the rubric's rule (``raters: {combine: median}``; ``median``
by default, or ``mean``, ``trimmed_mean``), and the combined table is scored by the ordinary
scorer.  Agreement is Krippendorff's alpha (ordinal) per criterion and over all rated criteria,
computed by the ``krippendorff`` package, plus a flag on every engagement and criterion whose
raters differ by two levels or more.
"""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, NamedTuple

import numpy as np
import pandas as pd

from ..display import rounded
from ..errors import InputError, MissingColumnError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..read import (
    HEADER_SCAN_ROWS,
    TEXT_SUFFIXES,
    CellError,
    Column,
    RawTable,
    _find_header,
    _frame_sheet,
    _present,
    _targets,
    _trailing_blank,
    carried_key,
    column_letter,
    computed_columns,
    id_names,
    normalise_header,
    read_sheets,
    read_table,
    renamed_note,
    text_head,
)
from ..result import Result, SourceInfo, input_labels, order_best_first
from ..rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from ..scoring import STATUS_SCORED, input_columns, score_frame
from ..validation import (
    Problem,
    Rejection,
    _id_text,
    _IndicatorParser,
    _present_id,
    _RatingParser,
    id_key,
    id_keys,
    show,
    validate,
)

#: Krippendorff's guide to alpha: >= 0.8 reliable, >= 0.667 tentative conclusions only, below
#: that unreliable.  Alpha is shown to three decimals (the precision of 0.667) and read on the
#: value shown, so that the reading beside a number is the one the legend gives for it.
ALPHA_RELIABLE, ALPHA_TENTATIVE, ALPHA_DECIMALS = 0.8, 0.667, 3
ALPHA_LEGEND = (
    "α ≥ 0.800: reliable; 0.667 to 0.799: tentative conclusions only; below 0.667: unreliable "
    "(Krippendorff)."
)
COMBINE_RULES = ("median", "mean", "trimmed_mean")
DEFAULT_COMBINE = "median"
#: share of the ratings cut from each end by ``trimmed_mean`` (at least one each end from 3 up)
TRIM_SHARE = 0.2
#: raters differing by this many levels or more on a criterion are flagged for review
DEFAULT_FLAG_AT = 2.0
#: a sheet counts as another rater's when at least this share of its ids is on other sheets
RATER_OVERLAP = 0.5

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

Source = str | Path | pd.DataFrame


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


# -- detection and reading --------------------------------------------------------------------


def _sheets(
    source: Source, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE
) -> tuple[Path, list[tuple[str, bool, list[list[Any]]]], str, str]:
    if isinstance(source, pd.DataFrame):
        sheets, digest, decimal = _frame_sheet(source)
        return Path("<DataFrame>"), sheets, digest, decimal
    path = Path(source)
    sheets, digest, decimal = read_sheets(path, max_input_size=max_input_size)
    return path, sheets, digest, decimal


def _one_rater_text(
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
    return _long_header(head, rubric, id_column) is None


def _long_header(
    rows: list[list[Any]], rubric: Rubric, id_column: str | None = None
) -> tuple[int, dict[str, int]] | None:
    """(header row index, role -> column index) of a long-format header, or None."""
    ids = {normalise_header(n) for n in id_names(rubric, id_column)}
    targets = _targets(rubric, id_column)
    for ri, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        roles: dict[str, int] = {}
        criteria = 0
        for ci, value in enumerate(row):
            if not _present(value):
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


def _read_long(
    path: Path,
    name: str,
    rows: list[list[Any]],
    digest: str,
    decimal: str,
    header: tuple[int, dict[str, int]],
    rubric: Rubric,
    seen: dict[tuple[str, str, str], str],
    written: dict[str, str],
) -> tuple[RaterTable, list[tuple[str, str, str, float, str]], dict[str, dict[str, Any]]]:
    """Validate a long table: one rating per row.  Returns the table, the accepted ratings
    as (id, rater, input, value, cell) and each engagement's carried values.  Ids are
    compared by :func:`~assess.validation.id_key`; ``written`` holds each id as first written."""
    ri, roles = header
    head = rows[ri]
    width = max([len(head)] + [len(r) for r in rows[ri + 1 :]])
    columns: list[Column] = []
    role_of = {ci: role for role, ci in roles.items()}
    taken, computed = set(roles), computed_columns(rubric)
    for ci in range(width):
        text = str(head[ci]).strip() if ci < len(head) and _present(head[ci]) else ""
        if ci in role_of:
            columns.append(Column(ci, text, "id" if role_of[ci] == "id" else "carry", role_of[ci]))
        elif text or any(_present(r[ci]) for r in rows[ri + 1 :] if ci < len(r)):
            key = carried_key(text or f"Column {column_letter(ci)}", taken, computed)
            columns.append(Column(ci, text, "carry", key))
    body = [list(r) + [None] * (width - len(r)) for r in rows[ri + 1 :]]
    blank = [not any(_present(v) for v in r) for r in body]
    frame = pd.DataFrame(
        [[r[c.index] for c in columns] for r, b in zip(body, blank, strict=True) if not b],
        columns=[c.key for c in columns],
        index=pd.Index([ri + 2 + i for i, b in enumerate(blank) if not b], name="row"),
        dtype=object,
    )
    table = RawTable(
        path=path,
        sha256=digest,
        sheet=name,
        header_row=ri + 1,
        columns=columns,
        data=frame,
        decimal=decimal,
        blank_rows=sum(blank) - _trailing_blank(pd.Series(blank, dtype=bool)),
        notes=["long format: one rating per row", *renamed_note(columns)],
    )
    col = {c.key: c for c in columns}
    targets = {k: v for k, v in _targets(rubric).items() if v[0] in {"criterion", "indicator"}}
    parsers: dict[str, Any] = {}
    for c in rubric.criteria:
        if c.rated:
            parsers[c.id] = _RatingParser(c)
        for ind in c.indicators:
            parsers[ind.id] = _IndicatorParser(ind, decimal)
    carry_keys = [c.key for c in columns if c.role == "carry" and c.key not in roles]
    accepted: list[tuple[str, str, str, float, str]] = []
    carried: dict[str, dict[str, Any]] = {}
    rejected: list[Rejection] = []
    used: dict[int, str] = {}
    known = ", ".join(c.id for c in rubric.criteria)
    for rownum, values in zip(frame.index, frame.to_dict("records"), strict=True):
        problems: list[Problem] = []
        problem = _problem_adder(col, problems)

        raw_id, raw_rater = values["id"], values["rater"]
        eid = _id_text(raw_id) if _present_id(raw_id) else ""
        key_id = id_key(eid)
        if isinstance(raw_id, CellError):
            eid = ""
            problem("id", raw_id, f"the engagement id cell holds a formula error ({raw_id})")
        elif not key_id:
            eid = ""
            problem("id", raw_id, "missing engagement id")
        else:
            eid = written.get(key_id, eid)
        rater = " ".join(str(raw_rater).split()) if _present(raw_rater) else ""
        if not rater:
            problem("rater", raw_rater, "missing rater")
        raw_crit = values["criterion"]
        hit = targets.get(normalise_header(raw_crit)) if _present(raw_crit) else None
        key = hit[1] if hit else ""
        if not _present(raw_crit):
            problem("criterion", raw_crit, "missing criterion")
        elif hit is None:
            problem(
                "criterion",
                raw_crit,
                f"{show(raw_crit)} is not a criterion of rubric {rubric.name} ({known})",
            )
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
            if k not in into and _present(values[k]):
                into[k] = values[k]
    rt = RaterTable(table, "long", None, len(frame), rejected, used)
    return rt, accepted, carried


def _problem_adder(col: dict[str, Column], problems: list[Problem]):
    """A function recording a problem in the cell of a role's column."""

    def add(role: str, value: Any, reason: str) -> None:
        problems.append(Problem(col[role].letter, col[role].header, value, reason))

    return add


def _rater_sheets(
    path: Path | pd.DataFrame,
    sheets: list[tuple[str, bool, list[list[Any]]]],
    rubric: Rubric,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> list[tuple[str, Any]] | None:
    """The validated per-rater sheets of a workbook, or None when it is not laid out so."""
    targets = _targets(rubric, id_column)
    candidates = [
        name for name, visible, rows in sheets if visible and _find_header(rows, targets)[1] >= 2
    ]
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
    sources:
        Files (or DataFrames laid out as a long table).  Each must hold several raters' ratings,
        in long format or one sheet per rater; files of one rater cannot be mixed in.
    rubric:
        The rubric whose criteria are rated.
    sheet:
        Read only this sheet (long format then); one sheet can hold only a long table.
    id_column, allow_missing, max_input_size:
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
        if _one_rater_text(source, rubric, id_column, max_input_size):
            continue
        path, sheets, digest, decimal = _sheets(source, max_input_size)
        if sheet is not None:
            sheets = [
                s
                for i, s in enumerate(sheets)
                if s[0] == str(sheet) or (str(sheet).isdigit() and int(sheet) == i + 1)
            ]
        long = None
        for name, visible, rows in sheets:
            if visible or sheet is not None:
                header = _long_header(rows, rubric, id_column)
                if header is not None:
                    long = (name, rows, header)
                    break
        if long is not None:
            found.append((source, ("long", path, digest, decimal, long)))
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


def _assemble(found: list[tuple[Source, Any]], rubric: Rubric) -> Ratings:
    inputs = input_columns(rubric)
    j_of = {k: j for j, k in enumerate(inputs)}
    tables: list[RaterTable] = []
    ratings: list[tuple[str, str, str, float, str]] = []
    carried: dict[str, dict[str, Any]] = {}
    first_row: dict[str, tuple[str, str, int]] = {}
    seen_long: dict[tuple[str, str, str], str] = {}
    seen_sheet: dict[tuple[str, str], str] = {}
    written: dict[str, str] = {}  # id_key -> the id as first written
    for _, (kind, *info) in found:
        if kind == "long":
            path, digest, decimal, (name, rows, header) = info
            rt, accepted, carry = _read_long(
                path, name, rows, digest, decimal, header, rubric, seen_long, written
            )
            tables.append(rt)
            ratings += accepted
            for eid, values in carry.items():
                first_row.setdefault(eid, (rt.table.name, name, values.pop("__row__")))
                into = carried.setdefault(eid, {})
                for k, v in values.items():
                    into.setdefault(k, v)
            continue
        for rater, part in info[0]:
            table = part.table
            rejected = list(part.rejected)
            used: dict[int, str] = {}
            letters = {c.key: c.letter for c in table.columns if c.role != "carry"}
            data_keys = {c.key for c in table.all_columns if c.role != "carry"}
            keys = id_keys(part.ratings.index)
            for (as_read, row), key_id in zip(part.ratings.iterrows(), keys, strict=True):
                rownum = int(part.rows[as_read])
                eid = written.get(key_id, as_read)
                id_col = table.column_at("id", rownum)
                first = seen_sheet.get((eid, rater))
                if first is not None:
                    rejected.append(
                        Rejection(
                            table.name,
                            table.sheet,
                            rownum,
                            (
                                Problem(
                                    id_col.letter,
                                    id_col.header,
                                    as_read,
                                    f"rater {rater!r} already rated {eid!r} ({first})",
                                ),
                            ),
                            as_read,
                        )
                    )
                    continue
                written.setdefault(key_id, eid)
                seen_sheet[(eid, rater)] = f"{table.name} {table.sheet} row {rownum}"
                used[rownum] = eid
                first_row.setdefault(eid, (table.name, table.sheet, rownum))
                into = carried.setdefault(eid, {})
                for k, v in part.carried.loc[as_read].items():
                    if k not in into and _present(v):
                        into[k] = v
                for key in inputs:
                    value = float(row[key])
                    letter = letters.get(key, "")
                    if table.blocks and key in data_keys:  # a table below: its own columns
                        letter = table.column_at(key, rownum).letter
                    cell = f"{table.sheet}!{letter}{rownum}"
                    ratings.append((eid, rater, key, value, cell))
            rejected.sort(key=lambda r: r.row)
            tables.append(RaterTable(table, "sheet", rater, part.data_rows, rejected, used))
    ids = sorted({r[0] for r in ratings} | set(first_row), key=_natural)
    raters = list(dict.fromkeys(r[1] for r in ratings))
    e_of = {e: i for i, e in enumerate(ids)}
    r_of = {r: i for i, r in enumerate(raters)}
    values = np.full((len(ids), len(raters), len(inputs)), np.nan)
    cells: dict[tuple[int, int, int], str] = {}
    for eid, rater, key, value, cell in ratings:
        idx = (e_of[eid], r_of[rater], j_of[key])
        values[idx] = value
        cells[idx] = cell
    carry_cols = list(dict.fromkeys(k for v in carried.values() for k in v))
    frame = pd.DataFrame(
        [[carried.get(e, {}).get(k) for k in carry_cols] for e in ids],
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
        first_row=[first_row[e] for e in ids],
        carried=frame,
        tables=tables,
    )


def _natural(text: str) -> tuple[Any, ...]:
    """Order ids as people do: E2 before E10."""
    import re

    return tuple(int(p) if p.isdigit() else p for p in re.split(r"(\d+)", text))


# -- agreement ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Flag:
    """An engagement and criterion on which the raters differ by ``flag_at`` levels or more."""

    id: str
    criterion: str
    spread: float
    ratings: dict[str, float]
    cells: tuple[str, ...]

    def to_dict(self) -> dict[str, Any]:
        return {
            "id": self.id,
            "criterion": self.criterion,
            "spread": self.spread,
            "ratings": self.ratings,
            "cells": list(self.cells),
        }


@dataclass
class Agreement:
    """How far several raters agree, and how their ratings were combined.

    ``alpha`` is Krippendorff's alpha (ordinal) per rated criterion and ``overall`` over every
    rated criterion together; NaN where it is not defined (fewer than two ratings of any unit,
    or one value only).  ``spread`` has one row per engagement and criterion: each rater's
    rating, the number of raters, min, max, range (max - min), standard deviation and the
    combined rating.  ``flags`` lists the cells where the range reaches ``flag_at`` levels.
    """

    combine: str
    flag_at: float
    raters: list[str]
    layout: str
    alpha: dict[str, float]
    overall: float
    units: dict[str, int]
    spread: pd.DataFrame
    flags: list[Flag]
    rows_read: int
    rows_rejected: int
    ratings: Ratings = field(repr=False)

    @property
    def rows_used(self) -> int:
        return self.rows_read - self.rows_rejected

    def summary_line(self) -> str:
        a = shown_alpha(self.overall).text("n/a")
        return (
            f"{len(self.raters)} raters, combined by {self.combine.replace('_', ' ')}; "
            f"Krippendorff's alpha (ordinal) {a}; {len(self.flags)} ratings flagged "
            f"(raters {self.flag_at:g}+ levels apart)"
        )

    def to_dict(self) -> dict[str, Any]:
        """The ``agreement`` block of the JSON contract."""
        spread = {}
        for (eid, cid), row in self.spread.iterrows():
            spread.setdefault(eid, {})[cid] = {
                "ratings": {r: _num(row[f"rater:{r}"]) for r in self.raters},
                "n": int(row["n"]),
                "min": _num(row["min"]),
                "max": _num(row["max"]),
                "range": _num(row["range"]),
                "sd": _num(row["sd"]),
                "combined": _num(row["combined"]),
            }
        return {
            "layout": self.layout,
            "raters": list(self.raters),
            "combine": self.combine,
            "flag_at": self.flag_at,
            "rows": {
                "read": self.rows_read,
                "used": self.rows_used,
                "rejected": self.rows_rejected,
            },
            "alpha": {
                "level": "ordinal",
                "overall": _num(self.overall),
                "criteria": {k: _num(v) for k, v in self.alpha.items()},
                "units": dict(self.units),
            },
            "flags": [f.to_dict() for f in self.flags],
            "spread": spread,
        }


def _num(value: Any) -> float | None:
    v = float(value)
    return v if math.isfinite(v) else None


class ShownAlpha(NamedTuple):
    """Alpha as every output shows it: rounded once, and read on that rounded value."""

    value: float  #: rounded to ALPHA_DECIMALS; NaN when alpha is not defined
    reading: str  #: reliable, tentative, unreliable or not defined

    def text(self, blank: str = "–") -> str:
        return blank if math.isnan(self.value) else f"{self.value:.{ALPHA_DECIMALS}f}"


def shown_alpha(alpha: float | None) -> ShownAlpha:
    """Alpha rounded to the decimals shown, with Krippendorff's reading of that value.

    Examples
    --------
    >>> shown_alpha(0.6654)
    ShownAlpha(value=0.665, reading='unreliable')
    >>> shown_alpha(0.7996).text(), shown_alpha(0.7996).reading
    ('0.800', 'reliable')
    """
    if alpha is None or math.isnan(alpha):
        return ShownAlpha(math.nan, "not defined")
    # rounded as every output shows numbers (half away from zero, as the workbook does)
    value = float(rounded(float(alpha), ALPHA_DECIMALS)) + 0.0  # + 0.0: no "-0.000"
    if value >= ALPHA_RELIABLE:
        reading = "reliable"
    elif value >= ALPHA_TENTATIVE:
        reading = "tentative"
    else:
        reading = "unreliable"
    return ShownAlpha(value, reading)


def krippendorff_alpha(data: np.ndarray, domain: Iterable[float] = ()) -> float:
    """Krippendorff's alpha, ordinal, of ``data`` (raters x units, NaN = not rated).

    NaN when it is not defined: no unit rated twice, or a single value throughout.
    """
    import krippendorff

    data = np.asarray(data, dtype=float)
    pairable = (~np.isnan(data)).sum(axis=0) >= 2
    data = data[:, pairable]
    values = np.unique(data[~np.isnan(data)])
    if data.shape[1] == 0 or len(values) < 2:
        return math.nan
    full = np.union1d(values, np.asarray(list(domain), dtype=float))
    with np.errstate(invalid="ignore", divide="ignore"):
        return float(krippendorff.alpha(data, level_of_measurement="ordinal", value_domain=full))


def measure_agreement(
    ratings: Ratings, combine: str | None = None, flag_at: float = DEFAULT_FLAG_AT
) -> Agreement:
    """Alpha per criterion and overall, the spread of every cell, and the flags.

    Parameters
    ----------
    ratings:
        As read by :func:`read_ratings`.
    combine:
        ``median``, ``mean`` or ``trimmed_mean``; by default the rubric's rule (median).
    flag_at:
        Flag an engagement and criterion when its raters' ratings span this many levels.
    """
    rubric = ratings.rubric
    rule = combine or rubric_rule(rubric)
    if rule not in COMBINE_RULES:
        raise ValueError(
            f"unknown combination rule {rule!r}; use one of {', '.join(COMBINE_RULES)}"
        )
    v = ratings.values
    combined = combine_values(v, rule)
    alpha: dict[str, float] = {}
    units: dict[str, int] = {}
    pooled, pooled_domain = [], []
    same_scale = len({(c.scale.min, c.scale.max) for c in rubric.criteria if c.rated}) <= 1
    rows = []
    flags: list[Flag] = []
    for c in rubric.criteria:
        if not c.rated:
            continue
        j = ratings.inputs.index(c.id)
        data = v[:, :, j].T  # raters x units
        domain = [lv.value for lv in c.scale.levels]
        alpha[c.id] = krippendorff_alpha(data, domain)
        units[c.id] = int(((~np.isnan(data)).sum(axis=0) >= 2).sum())
        span = c.scale.max - c.scale.min
        pooled.append(data if same_scale else (data - c.scale.min) / span)
        pooled_domain += domain if same_scale else [(d - c.scale.min) / span for d in domain]
        cell = v[:, :, j]
        n = (~np.isnan(cell)).sum(axis=1)
        with np.errstate(invalid="ignore"):
            lo = np.where(n > 0, np.nanmin(np.where(n[:, None] > 0, cell, 0), axis=1), np.nan)
            hi = np.where(n > 0, np.nanmax(np.where(n[:, None] > 0, cell, 0), axis=1), np.nan)
        for e, eid in enumerate(ratings.ids):
            if n[e] == 0:
                continue
            present = cell[e][~np.isnan(cell[e])]
            sd = float(np.std(present, ddof=1)) if n[e] > 1 else math.nan
            row = {"id": eid, "criterion": c.id}
            row.update({f"rater:{r}": cell[e, k] for k, r in enumerate(ratings.raters)})
            row.update(
                n=int(n[e]),
                min=lo[e],
                max=hi[e],
                range=hi[e] - lo[e],
                sd=sd,
                combined=combined[e, j],
                flag=bool(n[e] > 1 and hi[e] - lo[e] >= flag_at - 1e-9),
            )
            rows.append(row)
            if row["flag"]:
                flags.append(
                    Flag(
                        eid,
                        c.id,
                        float(hi[e] - lo[e]),
                        {
                            r: float(cell[e, k])
                            for k, r in enumerate(ratings.raters)
                            if not math.isnan(cell[e, k])
                        },
                        tuple(
                            ratings.cells[(e, k, j)]
                            for k in range(len(ratings.raters))
                            if (e, k, j) in ratings.cells and not math.isnan(cell[e, k])
                        ),
                    )
                )
    overall = (
        krippendorff_alpha(np.concatenate(pooled, axis=1), pooled_domain) if pooled else math.nan
    )
    columns = (
        ["id", "criterion"]
        + [f"rater:{r}" for r in ratings.raters]
        + ["n", "min", "max", "range", "sd", "combined", "flag"]
    )
    spread = pd.DataFrame(rows, columns=columns).set_index(["id", "criterion"])
    flags.sort(key=lambda f: (-f.spread, _natural(f.id), f.criterion))
    n_rejected = len(ratings.rejected)
    return Agreement(
        combine=rule,
        flag_at=float(flag_at),
        raters=list(ratings.raters),
        layout=ratings.layout,
        alpha=alpha,
        overall=overall,
        units=units,
        spread=spread,
        flags=flags,
        rows_read=ratings.rows_read,
        rows_rejected=n_rejected,
        ratings=ratings,
    )


def rubric_rule(rubric: Rubric) -> str:
    """The rubric's rule for combining raters (``median`` unless it names another)."""
    policy = getattr(rubric, "raters", None)
    return getattr(policy, "combine", None) or DEFAULT_COMBINE


# -- scoring several raters ----------------------------------------------------------------------


def score_ratings(
    ratings: Ratings, combine: str | None = None, flag_at: float = DEFAULT_FLAG_AT
) -> Result:
    """Score the combined ratings and return a :class:`~assess.result.Result` that carries the
    :class:`Agreement` (``result.agreement``).

    Scored and insufficient-evidence counts are of engagements; ``result.rejected`` lists the
    rating rows that could not be used, each with its cell.
    """

    rubric = ratings.rubric
    agreement = measure_agreement(ratings, combine, flag_at)
    frame = ratings.combined(agreement.combine)
    scores = score_frame(frame, rubric)
    inputs = frame[input_columns(rubric)].rename(columns=input_labels(rubric))
    meta = pd.DataFrame(
        {
            "source": [f[0] for f in ratings.first_row],
            "sheet": [f[1] for f in ratings.first_row],
            "row": np.array([f[2] for f in ratings.first_row], dtype="int64"),
        },
        index=frame.index,
    )
    carried = ratings.carried
    table = order_best_first(pd.concat([meta, scores, inputs, carried], axis=1))
    status = scores["status"].to_dict()
    infos = []
    for t in ratings.tables:
        used = [status[e] for e in t.used.values()]
        n_scored = sum(s == STATUS_SCORED for s in used)
        notes = list(t.table.notes)
        if t.rater is not None:
            notes.append(f"ratings of {t.rater}")
        infos.append(
            SourceInfo.of_table(
                t.table,
                data_rows=t.data_rows,
                scored=n_scored,
                insufficient=len(used) - n_scored,
                rejected=len(t.rejected),
                notes=tuple(notes),
                also_columns=frozenset({"rater", "criterion", "rating"}),
            )
        )
    return Result(
        rubric=rubric,
        sources=infos,
        engagements=table,
        rejected=ratings.rejected,
        carried_columns=list(carried.columns),
        agreement=agreement,
    )


def agreement(
    sources: Source | Iterable[Source],
    rubric: str | Path | Rubric | None = None,
    sheet: str | int | None = None,
    combine: str | None = None,
    flag_at: float = DEFAULT_FLAG_AT,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Result:
    """Read several raters' ratings, combine and score them, and measure their agreement.

    Parameters
    ----------
    sources:
        Files in long format or with one sheet per rater (see the module docstring).
    rubric:
        A built-in rubric name, a rubric YAML path or a loaded rubric (default
        ``military-diplomacy``).
    sheet:
        Read this sheet only (a long-format table).
    combine:
        ``median``, ``mean`` or ``trimmed_mean``; by default the rubric's rule.
    flag_at:
        Flag engagements and criteria whose raters are this many levels apart or more.
    id_column, allow_missing, max_input_size:
        As for :func:`assess.score`.

    Returns
    -------
    Result
        The scored result; ``result.agreement`` holds alpha, the spread and the flags.

    Raises
    ------
    InputError
        The input has one rating per engagement (nothing to agree on), or cannot be read.

    Examples
    --------
    >>> import assess
    >>> result = assess.agreement("examples/ratings_by_rater.xlsx")
    >>> round(result.agreement.overall, 2)
    0.73
    """

    rub = load_rubric(rubric if rubric is not None else DEFAULT_RUBRIC)
    ratings = read_ratings(
        sources,
        rub,
        sheet=sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    if ratings is None:
        srcs = [sources] if isinstance(sources, (str, Path, pd.DataFrame)) else list(sources)
        names = ", ".join(
            "<DataFrame>" if isinstance(s, pd.DataFrame) else Path(s).name for s in srcs
        )
        raise InputError(
            f"{names}: one rating per engagement, so there is no agreement to measure; give "
            "several raters' ratings in long format (engagement id, rater, criterion, rating "
            "columns) or on one sheet per rater"
        )
    if len(ratings.raters) < 2:
        raise InputError(
            f"only one rater ({ratings.raters[0] if ratings.raters else 'none'}) in the input; "
            "agreement needs two or more"
        )
    return score_ratings(ratings, combine, flag_at)


__all__ = [
    "ALPHA_LEGEND",
    "COMBINE_RULES",
    "Agreement",
    "Flag",
    "RaterTable",
    "Ratings",
    "ShownAlpha",
    "agreement",
    "combine_values",
    "krippendorff_alpha",
    "measure_agreement",
    "read_ratings",
    "score_ratings",
    "shown_alpha",
]
