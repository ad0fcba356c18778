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
import unicodedata
from dataclasses import dataclass, field
from typing import Any

import numpy as np
import pandas as pd

from .distinct import distinct_cells
from .read import CellError, RawTable, string_dtype
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
    """A row that was not scored, and why; the first problem is the headline.

    Attributes
    ----------
    file : str
        The source file's name.
    sheet : str
        The sheet the row is on.
    row : int
        The 1-based spreadsheet row (the line number in a CSV file).
    problems : tuple of Problem
        Every problem found in the row, each naming its column; never empty.
    id : str or None
        The row's engagement id, when it has one (rows rejected for a missing id have none).
    carried : dict
        The row's carried cells by header (Type ...), for an analysis to count the row in its
        group; empty when not known.  Not in :meth:`to_dict`, and not compared.
    """

    file: str
    sheet: str
    row: int
    problems: tuple[Problem, ...]
    id: str | None = None
    carried: dict[str, Any] = field(default_factory=dict, compare=False, repr=False)

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
    the other columns as read; ``rows`` the Excel row of each engagement.  ``flags`` and
    ``held`` are the review's findings (:mod:`assess.review`): warnings on kept rows, and rows
    set aside as not in a required status.
    """

    table: RawTable
    ratings: pd.DataFrame
    carried: pd.DataFrame
    rows: pd.Series
    rejected: list[Rejection] = field(default_factory=list)
    flags: list[Any] = field(default_factory=list)
    held: list[Any] = field(default_factory=list)
    review: Any = None  # the table's evidence and review columns (assess.review.ReviewColumns)

    @property
    def data_rows(self) -> int:
        return len(self.ratings) + len(self.rejected) + len(self.held)


def show(value: Any) -> str:
    """A cell value as quoted in messages, shortened and with control characters made visible."""
    if isinstance(value, str):
        text = value if len(value) <= MAX_SHOWN_VALUE else value[: MAX_SHOWN_VALUE - 1] + "…"
        return repr(text)
    if isinstance(value, (bool, np.bool_)):
        return str(bool(value))
    if isinstance(value, (int, np.integer)):
        value = int(value)
        return str(value) if abs(value) < SHOWN_INTEGER_LIMIT else _float_text(float(value))
    if isinstance(value, (float, np.floating)):
        return _float_text(float(value))
    return str(value)


#: numbers at least this large are shown with an exponent (1e+20), as a person would write them
SHOWN_INTEGER_LIMIT = 10**15


def _float_text(x: float) -> str:
    """A float as a person writes it: 3, 2.5, 7.000000000000001, 1e+308, 2.5e-30; never 309
    digits.  Exact: the text reads back as the same number."""
    if x == 0 or not math.isfinite(x):
        return "0" if x == 0 else str(x)
    if 1e-4 <= abs(x) < SHOWN_INTEGER_LIMIT:
        return str(int(x)) if x.is_integer() else repr(x)
    for digits in range(17):  # the fewest digits that give x back
        text = f"{x:.{digits}e}"
        if float(text) == x:
            return text
    return repr(x)


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


def to_number(text: str) -> float | None:
    """The number a text writes (``"2,5"`` and ``" 3 "`` too), or None when it is no number.

    Spaces (also non-breaking) are ignored; a single comma with no point is a decimal comma.

    Examples
    --------
    >>> to_number("2,5"), to_number("1e3"), to_number("1,000.5")
    (2.5, 1000.0, None)
    """
    t = text.strip().replace("\u00a0", "").replace(" ", "")
    if not _NUMBER.match(t):
        return None
    if "," in t:
        if "." in t or t.count(",") > 1:
            return None
        t = t.replace(",", ".")
    return float(t)


class RatingParser:
    """Reads a criterion's rating cells: ``parser(value)`` is ``(rating, problem)``.

    ``rating`` is a number on the criterion's scale (NaN when the cell is missing or bad);
    ``problem`` says why a cell cannot be used, or is None.  Each distinct cell is read once.

    Parameters
    ----------
    criterion : Criterion
        The rated criterion whose scale and level labels the cells are read by.
    """

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
        return float(x) + 0.0, None  # + 0.0: a rating of -0 is 0

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
        number = to_number(text)
        if number is not None:  # a number is a number, even where a level is labelled with digits
            return self._range(number, show(value))
        if folded in self.labels:
            return float(self.labels[folded]), None
        if folded in MISSING_MARKERS:
            return math.nan, None
        m = _LEVEL_PREFIX.match(text)
        if m:
            number = to_number(m.group(1))
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


class IndicatorParser:
    """Reads an indicator's value cells: ``parser(value)`` is ``(value, problem)``.

    ``value`` is the raw number (NaN when the cell is missing or bad; ``"75%"`` is 0.75 on an
    indicator measured as a share); ``problem`` says why a cell cannot be used, or is None.

    Parameters
    ----------
    indicator : Indicator
        The indicator whose range the values are checked against.
    decimal : str
        The table's decimal mark (``","`` for a semicolon-separated CSV).
    """

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
        return x + 0.0, None  # + 0.0: a value of -0 is 0

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
        number = to_number(core)
        if number is None:
            return math.nan, f"{show(value)} is not a number for {self.ind.label}"
        # "75%" is 0.75 (as a percent-formatted Excel cell stores it) on an indicator measured as
        # a share (its range or target at most 1), and 75 on one measured in percentage points
        norm = self.ind.normalisation
        share = (norm.max if norm.method == "minmax" else norm.target) <= 1
        return self._check(number / 100 if percent and share else number, show(value))


def _parse_column(values: pd.Series, parser) -> tuple[np.ndarray, dict[int, str]]:
    """Parse a column: its numbers (NaN where missing or bad) and ``{position: problem}``.

    Each distinct cell value is parsed once (a column of ratings holds a handful of them).
    """
    codes, uniques = distinct_cells(values)
    parsed = [parser(u) for u in uniques] + [(np.nan, None)]  # code -1: a blank cell
    numbers = np.array([p[0] for p in parsed], dtype=float)[codes]
    bad_codes = np.array([p[1] is not None for p in parsed])
    where = np.flatnonzero(bad_codes[codes])
    return numbers, {int(i): parsed[codes[i]][1] for i in where}


def id_text(value: Any) -> str:
    """A cell's engagement id as written (spaces tidied), as every output shows it."""
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, (_dt.date, _dt.datetime)):
        return value.isoformat()
    return " ".join(str(value).split())


#: invisible characters that never make one id differ from another: zero-width space,
#: non-joiner and joiner, word joiner, byte-order mark (zero-width no-break space), soft hyphen
INVISIBLE_ID_CHARACTERS = "\u200b\u200c\u200d\u2060\ufeff\u00ad"
_INVISIBLE = dict.fromkeys(map(ord, INVISIBLE_ID_CHARACTERS))
_DECIMAL_ID = re.compile(r"-?(?:0|[1-9][0-9]*)(\.[0-9]+)?")


def id_key(text: str) -> str:
    """The form in which engagement ids are compared: two ids are the same engagement when
    their keys are equal.

    Unicode NFKC normalisation (full-width ``Ｅ１`` is ``E1``), invisible characters removed,
    spaces collapsed and stripped, and a decimal number in its shortest form (``2.0`` and
    ``2.50`` read as ``2`` and ``2.5``, as the numbers 2 and 2.5 do; ``007`` stays as it is).
    Case is kept: ``e1`` and ``E1`` are different ids.  ``''`` means no id at all.
    """
    key = " ".join(unicodedata.normalize("NFKC", text.translate(_INVISIBLE)).split())
    key = key.translate(_INVISIBLE)
    m = _DECIMAL_ID.fullmatch(key)
    if m is not None:
        if m.group(1):
            key = key.rstrip("0").rstrip(".")
        if key == "-0":
            key = "0"
    return key


# what str.split() splits on, other than the plain space
_OTHER_SPACE = (
    "\t\n\x0b\x0c\r\x1c\x1d\x1e\x1f\x85\xa0\u1680"
    + "".join(chr(c) for c in range(0x2000, 0x200B))
    + "\u2028\u2029\u202f\u205f\u3000"
)
#: text that id_text would change: leading, trailing or doubled spaces, or other whitespace
_UNTIDY_ID = f"^ | $|  |[{_OTHER_SPACE}]"
#: text whose id_key may differ from it: anything but printable ASCII (invisible characters,
#: what NFKC changes), or a decimal number not in its shortest form
_ODD_ID = r"[^ -~]|^-?(?:0|[1-9][0-9]*)\.[0-9]*0$|^-0$"


def id_keys(ids: Any) -> np.ndarray:
    """:func:`id_key` of each id (text as :func:`id_text` gives it), vectorised: plain ids
    are their own key, and only the others go through Python."""
    texts = np.asarray(ids, dtype=object)
    keys = texts.copy()
    if len(texts):
        arr = pd.Series(texts, dtype=string_dtype())
        odd = arr.str.contains(_ODD_ID, regex=True).to_numpy(dtype=bool, na_value=False)
        for i in np.flatnonzero(odd):
            keys[i] = id_key(texts[i])
    return keys


def _id_texts(values: pd.Series) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Each cell's engagement id as written and its :func:`id_key` (object arrays, '' where
    there is none), and which cells hold a formula error."""
    if isinstance(values.dtype, pd.StringDtype):
        # text cells: only the few with untidy spaces or odd characters need Python
        ids = values.to_numpy(dtype=object, na_value="")
        keys = ids.copy()
        odd = values.str.contains(f"{_UNTIDY_ID}|{_ODD_ID}", regex=True)
        for i in np.flatnonzero(odd.to_numpy(dtype=bool, na_value=False)):
            ids[i] = id_text(ids[i])
            keys[i] = id_key(ids[i])
        return ids, keys, np.zeros(len(ids), dtype=bool)
    codes, uniques = distinct_cells(values)
    failed = [isinstance(u, CellError) for u in uniques]
    texts = [
        id_text(u) if present_id(u) and not bad else ""
        for u, bad in zip(uniques, failed, strict=True)
    ]
    texts.append("")  # code -1, a blank cell, picks this: no id
    keys = id_keys(texts)
    return np.array(texts, dtype=object)[codes], keys[codes], np.array([*failed, False])[codes]


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

    def note(key: str, errs: dict[int, str], values: pd.Series) -> None:
        for i, err in errs.items():
            cell = values.iloc[i]
            col = table.column_at(key, int(row_numbers[i]))  # tables below may move columns
            problems.setdefault(i, []).append(Problem(col.letter, col.header, cell, err))

    # engagement id: present, and unique (the later row is rejected, naming the first);
    # ids are compared by id_key, so 'E1' and 'E\u200b1', or 2 and '2.0', are one engagement
    raw_ids = data["id"]
    ids, keys, failed = _id_texts(raw_ids)
    missing = keys == ""
    duplicate = pd.Series(keys).duplicated().to_numpy() & ~missing
    if missing.any() or duplicate.any():
        unique = ~missing & ~duplicate
        first_at = pd.Series(np.flatnonzero(unique), index=keys[unique])
        for i in np.flatnonzero(missing | duplicate):
            cell = raw_ids.iloc[i]
            if failed[i]:
                reason = f"the engagement id cell holds a formula error ({cell})"
            elif missing[i]:
                reason = "missing engagement id"
            else:
                first = first_at[keys[i]]
                reason = f"duplicate engagement id {ids[i]!r} (first at row {row_numbers[first]}"
                reason += f", written {ids[first]!r})" if ids[first] != ids[i] else ")"
            col = table.column_at("id", int(row_numbers[i]))
            problems.setdefault(int(i), []).append(Problem(col.letter, col.header, cell, reason))
        ids = np.where(missing, "", ids)

    columns: dict[str, np.ndarray] = {}
    read = {c.key for c in table.all_columns if c.role != "carry"}
    for crit in rubric.criteria:
        if crit.rated:
            if crit.id not in read:
                columns[crit.id] = np.full(n, np.nan)
                continue
            values = data[crit.id]
            numbers, errs = _parse_column(values, RatingParser(crit))
            note(crit.id, errs, values)
            columns[crit.id] = numbers
        for ind in crit.indicators:
            if ind.id not in read:
                columns[ind.id] = np.full(n, np.nan)
                continue
            values = data[ind.id]
            numbers, errs = _parse_column(values, IndicatorParser(ind, table.decimal))
            note(ind.id, errs, values)
            columns[ind.id] = numbers

    bad = np.zeros(n, dtype=bool)
    bad[list(problems)] = True
    carry_keys = [c.key for c in table.all_columns if c.role == "carry"]
    cells = zip(np.flatnonzero(bad), data.loc[bad, carry_keys].to_dict("records"), strict=True)
    rejected = [
        Rejection(
            table.name, table.sheet, int(row_numbers[i]), tuple(problems[i]), ids[i] or None, c
        )
        for i, c in cells
    ]
    keep = ~bad
    index = pd.Index(ids[keep], name="id", dtype=object)
    ratings = pd.DataFrame({k: v[keep] for k, v in columns.items()}, index=index)
    carried = data.loc[keep, carry_keys].copy()
    carried.index = index
    rows = pd.Series(row_numbers[keep], index=index, name="row")
    return Validated(table=table, ratings=ratings, carried=carried, rows=rows, rejected=rejected)


def present_id(value: Any) -> bool:
    """Whether a cell holds an engagement id at all (not None, NaN or blank text)."""
    if value is None:
        return False
    if isinstance(value, float) and math.isnan(value):
        return False
    return bool(str(value).strip())


def reject_seen_ids(
    part: Validated, seen: dict[str, tuple[str, int, str]], file_name: str | None = None
) -> np.ndarray:
    """Reject, in place, the rows of ``part`` whose id was already seen in an earlier file.

    ``seen`` maps an id's :func:`id_key` to where it was first read (file, row, the id as
    written there); each later row is rejected naming it.  Returns the id keys of the rows
    kept, in order.
    """
    keys = id_keys(part.ratings.index)
    later = np.array([key in seen for key in keys], dtype=bool)
    for eid, key in zip(part.ratings.index[later], keys[later], strict=True):
        first_file, first_row, written = seen[key]
        row = int(part.rows[eid])
        id_col = part.table.column_at("id", row)
        as_written = f", written {written!r}" if written != eid else ""
        reason = (
            f"duplicate engagement id {eid!r} (first in {first_file} row {first_row}{as_written})"
        )
        part.rejected.append(
            Rejection(
                file_name or part.table.name,
                part.table.sheet,
                row,
                (Problem(id_col.letter, id_col.header, eid, reason),),
                eid,
                carried=part.carried.loc[eid].to_dict(),
            )
        )
    if later.any():
        keep = ~later
        part.ratings, part.carried, part.rows = (
            part.ratings[keep],
            part.carried[keep],
            part.rows[keep],
        )
        part.rejected.sort(key=lambda r: r.row)
        keys = keys[keep]
    return keys
