"""Raw table -> clean ratings + rejections (sheet, row, column, reason).

:func:`validate` interprets every cell the rubric reads.  A rating may be a number (fractions
within the scale are fine), a numeric string (``"2,5"`` too), a level label (``"Substantial"``),
``"N - label"`` as dropdown lists produce, or a missing marker (blank, ``N/A``, ``-``, ``NA``).
Anything else rejects the whole row with a :class:`Rejection` naming the cell; nothing is
silently turned into a missing value.  Blank rows were already dropped by the reader.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .read import CellError, Column, RawTable
from .rubric import Criterion, Indicator, Rubric

MISSING_MARKERS = frozenset(
    {"", "n/a", "na", "n.a.", "n.a", "-", "–", "—", "#n/a", "?", "not rated"}
)
_LEVEL_PREFIX = re.compile(r"^\s*(-?\d+(?:[.,]\d+)?)\s*(?:[-–—:=)]|\.\s)\s*(\S.*)$")
_NUMBER = re.compile(r"^[+-]?(\d+([.,]\d*)?|[.,]\d+)([eE][+-]?\d+)?$")
MAX_SHOWN_VALUE = 60


@dataclass(frozen=True)
class Problem:
    """One cell that cannot be used."""

    column: str  # Excel column letter (or CSV field number as a letter)
    header: str
    value: Any
    reason: str


@dataclass(frozen=True)
class Rejection:
    """A row that was not scored, and why; the first problem is the headline."""

    file: str
    sheet: str
    row: int
    problems: tuple[Problem, ...]
    #: the row's engagement id, when it has one (rows rejected for a missing id have none)
    id: str | None = None

    @property
    def column(self) -> str:
        return self.problems[0].column

    @property
    def value(self) -> Any:
        return self.problems[0].value

    @property
    def reason(self) -> str:
        return self.problems[0].reason

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}"

    def __str__(self) -> str:
        parts = [f"{self.sheet}!{p.column}{self.row}: {p.reason}" for p in self.problems]
        return "; ".join(parts)

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "id": self.id,
            "column": self.column,
            "cell": self.cell,
            "value": json_value(self.value),
            "reason": self.reason,
            "problems": [
                {
                    "column": p.column,
                    "header": p.header,
                    "value": json_value(p.value),
                    "reason": p.reason,
                }
                for p in self.problems
            ],
        }


@dataclass
class Validated:
    """The usable rows of one table, ready for the scorer.

    ``ratings`` is indexed by engagement id and holds one float column per rated criterion
    (on its own scale) and per indicator (raw value), NaN where missing.  ``carried`` holds
    the other columns as read; ``rows`` the Excel row of each engagement.
    """

    table: RawTable
    ratings: pd.DataFrame
    carried: pd.DataFrame
    rows: pd.Series
    rejected: list[Rejection] = field(default_factory=list)

    @property
    def data_rows(self) -> int:
        return len(self.ratings) + len(self.rejected)


def show(value: Any) -> str:
    """A cell value as quoted in messages, shortened and with control characters made visible."""
    if isinstance(value, str):
        text = value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"
        return repr(text)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def json_value(value: Any) -> Any:
    """A cell value in a JSON-safe form (dates as ISO text, NaN as null)."""
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return None
    if isinstance(value, (_dt.date, _dt.datetime, _dt.time)):
        return value.isoformat()
    if isinstance(value, _dt.timedelta):
        return str(value)
    if isinstance(value, (np.integer, np.floating)):
        return value.item()
    if isinstance(value, (str, int, float, bool)):
        return value
    return str(value)


# -- cell parsers: value -> (number or NaN, problem or None) ------------------------------


def _to_number(text: str) -> float | None:
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(t):
        return None
    if "," in t:
        if "." in t or t.count(",") > 1:
            return None
        t = t.replace(",", ".")
    return float(t)


class _RatingParser:
    def __init__(self, criterion: Criterion) -> None:
        self.c = criterion
        self.scale = criterion.scale
        self.labels = {lv.label.casefold().strip(): lv.value for lv in self.scale.levels}
        self.cache: dict[tuple[type, Any], tuple[float, str | None]] = {}

    def __call__(self, value: Any) -> tuple[float, str | None]:
        key = (type(value), value)
        try:
            return self.cache[key]
        except KeyError:
            out = self.cache[key] = self._parse(value)
            return out
        except TypeError:  # unhashable: never expected from a spreadsheet, parse anyway
            return self._parse(value)

    def _range(self, x: float, shown: str) -> tuple[float, str | None]:
        if not math.isfinite(x):
            return math.nan, f"{shown} is not a rating {self.scale.span}"
        if x < self.scale.min or x > self.scale.max:
            return math.nan, f"{shown} is outside the scale {self.scale.span}"
        return float(x), None

    def _parse(self, value: Any) -> tuple[float, str | None]:
        span = self.scale.span
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return math.nan, None
        if isinstance(value, bool):
            return math.nan, f"{value} is not a rating {span}"
        if isinstance(value, (int, float, np.integer, np.floating)):
            return self._range(float(value), show(value))
        if isinstance(value, CellError):
            return math.nan, f"{show(value)} is not a rating {span} (the cell's formula failed)"
        if isinstance(value, (_dt.date, _dt.datetime, _dt.time, _dt.timedelta)):
            return math.nan, f"a date ({json_value(value)}) is not a rating {span}"
        text = str(value).strip()
        folded = text.casefold()
        number = _to_number(text)
        if number is not None:  # a number is a number, even where a level is labelled with digits
            return self._range(number, show(value))
        if folded in self.labels:
            return float(self.labels[folded]), None
        if folded in MISSING_MARKERS:
            return math.nan, None
        m = _LEVEL_PREFIX.match(text)
        if m:
            number = _to_number(m.group(1))
            label = m.group(2).strip()
            if number is not None:
                x, err = self._range(number, show(value))
                if err:
                    return x, err
                # the label must be level N's (or, for a fraction, one of its two neighbours')
                near = {self.c.level(int(math.floor(x))), self.c.level(int(math.ceil(x)))} - {None}
                if any(lv.label.casefold() == label.casefold() for lv in near):
                    return x, None
                names = " or ".join(repr(lv.label) for lv in sorted(near, key=lambda lv: lv.value))
                return (
                    math.nan,
                    f"{show(value)} is ambiguous: level {x:g} is {names}, not {label!r}",
                )
        examples = ", ".join(repr(lv.label) for lv in self.scale.levels[:2])
        return (
            math.nan,
            f"{show(value)} is not a rating {span} (a number, or a level such as {examples})",
        )


class _IndicatorParser:
    def __init__(self, indicator: Indicator, decimal: str) -> None:
        self.ind = indicator
        self.decimal = decimal
        self.cache: dict[tuple[type, Any], tuple[float, str | None]] = {}

    def __call__(self, value: Any) -> tuple[float, str | None]:
        key = (type(value), value)
        if key not in self.cache:
            self.cache[key] = self._parse(value)
        return self.cache[key]

    def _check(self, x: float, shown: str) -> tuple[float, str | None]:
        norm = self.ind.normalisation
        if not math.isfinite(x):
            return math.nan, f"{shown} is not a number"
        if norm.method == "minmax" and not (norm.min <= x <= norm.max):
            return (
                math.nan,
                f"{shown} is outside {self.ind.label}'s range {norm.min:g}-{norm.max:g}",
            )
        return x, None

    def _parse(self, value: Any) -> tuple[float, str | None]:
        if value is None or (isinstance(value, float) and math.isnan(value)):
            return math.nan, None
        if isinstance(value, bool):
            return math.nan, f"{value} is not a number"
        if isinstance(value, CellError):
            return math.nan, f"{show(value)} is not a number (the cell's formula failed)"
        if isinstance(value, (int, float, np.integer, np.floating)):
            return self._check(float(value), show(value))
        text = str(value).strip()
        if text.casefold() in MISSING_MARKERS:
            return math.nan, None
        percent = text.endswith("%")
        core = text[:-1] if percent else text
        if self.decimal == "." and re.fullmatch(r"[+-]?\d{1,3}(,\d{3})+(\.\d+)?", core.strip()):
            core = core.replace(",", "")  # thousands separators
        number = _to_number(core)
        if number is None:
            return math.nan, f"{show(value)} is not a number for {self.ind.label}"
        # "75%" is 0.75 (as a percent-formatted Excel cell stores it) on an indicator measured as
        # a share (its range or target at most 1), and 75 on one measured in percentage points
        norm = self.ind.normalisation
        share = (norm.max if norm.method == "minmax" else norm.target) <= 1
        return self._check(number / 100 if percent and share else number, show(value))


def _distinct_cells(values: pd.Series) -> tuple[np.ndarray, list[Any]]:
    """``(codes, distinct values)`` of a column's cells, code -1 for a blank cell, so that
    each distinct value is interpreted once.  Text columns are factorized by Arrow.

    ``factorize`` compares with ``==``, which would merge TRUE with 1 and FALSE with 0, so a
    column holding booleans is not merged: every cell is then its own value.
    """
    text = isinstance(values.dtype, pd.StringDtype)
    cells = values if text else values.to_numpy(dtype=object)
    if not text and any(v is True or v is False for v in cells):
        return np.arange(len(cells)), list(cells)
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    return codes, list(uniques)


def _parse_column(values: pd.Series, parser) -> tuple[np.ndarray, dict[int, str]]:
    """Parse a column: its numbers (NaN where missing or bad) and ``{position: problem}``.

    Each distinct cell value is parsed once (a column of ratings holds a handful of them).
    """
    codes, uniques = _distinct_cells(values)
    parsed = [parser(u) for u in uniques] + [(np.nan, None)]  # code -1: a blank cell
    numbers = np.array([p[0] for p in parsed], dtype=float)[codes]
    bad_codes = np.array([p[1] is not None for p in parsed])
    where = np.flatnonzero(bad_codes[codes])
    return numbers, {int(i): parsed[codes[i]][1] for i in where}


def _id_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return " ".join(str(value).split())


# what str.split() splits on, other than the plain space
_OTHER_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
#: text that _id_text would change: leading, trailing or doubled spaces, or other whitespace
_UNTIDY_ID = f"^ | $|  |[{_OTHER_SPACE}]"


def _id_texts(values: pd.Series) -> np.ndarray:
    """Each cell's engagement id as text (object array), '' where there is none."""
    if isinstance(values.dtype, pd.StringDtype):
        # text cells: only the few with untidy whitespace need Python's attention
        ids = values.to_numpy(dtype=object, na_value="")
        untidy = values.str.contains(_UNTIDY_ID, regex=True).to_numpy(dtype=bool, na_value=False)
        for i in np.flatnonzero(untidy):
            ids[i] = _id_text(ids[i])
        return ids
    codes, uniques = _distinct_cells(values)
    texts = [_id_text(u) if _present_id(u) else "" for u in uniques] + [""]
    return np.array(texts, dtype=object)[codes]


def validate(table: RawTable, rubric: Rubric) -> Validated:
    """Interpret the cells the rubric reads; reject every row that cannot be used.

    Every data row of ``table`` ends up either in ``ratings`` (to be scored, or reported as
    insufficient evidence by the scorer) or in ``rejected`` with the cell that caused it.
    """
    data = table.data
    n = len(data)
    row_numbers = data.index.to_numpy()
    # {position: problems} for the rows that have any (few, even in a large table)
    problems: dict[int, list[Problem]] = {}
    by_key: dict[str, Column] = {c.key: c for c in table.columns if c.role != "carry"}

    def note(col: Column, errs: dict[int, str], values: pd.Series) -> None:
        for i, err in errs.items():
            cell = values.iloc[i]
            problems.setdefault(i, []).append(Problem(col.letter, col.header, cell, err))

    # engagement id: present, and unique (the later row is rejected, naming the first)
    id_col = by_key["id"]
    raw_ids = data["id"]
    ids = _id_texts(raw_ids)
    missing = ids == ""
    duplicate = pd.Series(ids).duplicated().to_numpy() & ~missing
    if missing.any() or duplicate.any():
        unique = ~missing & ~duplicate
        first_at = pd.Series(np.flatnonzero(unique), index=ids[unique])
        for i in np.flatnonzero(missing | duplicate):
            if missing[i]:
                reason = "missing engagement id"
            else:
                first = row_numbers[first_at[ids[i]]]
                reason = f"duplicate engagement id {ids[i]!r} (first at row {first})"
            problems.setdefault(int(i), []).append(
                Problem(id_col.letter, id_col.header, raw_ids.iloc[i], reason)
            )

    columns: dict[str, np.ndarray] = {}
    for crit in rubric.criteria:
        if crit.rated:
            col = by_key.get(crit.id)
            if col is None:
                columns[crit.id] = np.full(n, np.nan)
                continue
            values = data[crit.id]
            numbers, errs = _parse_column(values, _RatingParser(crit))
            note(col, errs, values)
            columns[crit.id] = numbers
        for ind in crit.indicators:
            col = by_key.get(ind.id)
            if col is None:
                columns[ind.id] = np.full(n, np.nan)
                continue
            values = data[ind.id]
            numbers, errs = _parse_column(values, _IndicatorParser(ind, table.decimal))
            note(col, errs, values)
            columns[ind.id] = numbers

    bad = np.zeros(n, dtype=bool)
    bad[list(problems)] = True
    rejected = [
        Rejection(table.name, table.sheet, int(row_numbers[i]), tuple(problems[i]), ids[i] or None)
        for i in np.flatnonzero(bad)
    ]
    keep = ~bad
    index = pd.Index(ids[keep], name="id", dtype=object)
    ratings = pd.DataFrame({k: v[keep] for k, v in columns.items()}, index=index)
    carry_keys = [c.key for c in table.columns if c.role == "carry"]
    carried = data.loc[keep, carry_keys].copy()
    carried.index = index
    rows = pd.Series(row_numbers[keep], index=index, name="row")
    return Validated(table=table, ratings=ratings, carried=carried, rows=rows, rejected=rejected)


def _present_id(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(str(value).strip())
