"""Which group each engagement (and each rejected row) belongs to, by one carried column.

A cell's group is its text; a blank or missing cell is the group :data:`MISSING`.  With a
separator (``split=";"``) a cell listing several values (``Singapore; Malaysia``) puts the
engagement in each of them, so group counts can overlap.  A rejected row is grouped by the
cells it carried (:attr:`assess.validation.Rejection.carried`); when those are not known it is
in no group, and counted as of an unknown group.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import pandas as pd

from ...errors import OptionError
from ...rubric import normalise_header
from ...validation import Rejection

#: the group of an engagement whose cell is blank
MISSING = "(missing)"


def group_column(by: str, columns: Sequence[str]) -> str:
    """The carried column ``by`` names: exactly, else compared as headers are (case, spacing
    and punctuation aside); ``OptionError`` naming the columns there are when none matches."""
    if by in columns:
        return by
    wanted = normalise_header(by)
    for col in columns:
        if normalise_header(col) == wanted:
            return col
    there = ", ".join(repr(c) for c in columns) or "none"
    raise OptionError(f"no column {by!r} to compare by; the carried columns are: {there}")


def cell_text(value: Any) -> str | None:
    """A cell as a group's name: its text stripped, a whole number without ``.0``, a date
    without a midnight time; None when it is blank or missing."""
    if value is None or value is pd.NA or value is pd.NaT:
        return None
    if isinstance(value, float):
        if math.isnan(value):
            return None
        return str(int(value)) if value.is_integer() and abs(value) < 1e15 else repr(value)
    if isinstance(value, dt.datetime) and value.time() == dt.time(0):
        return value.date().isoformat()
    text = str(value).strip()
    return text or None


def cell_groups(value: Any, split: str | None) -> list[str]:
    """The groups a cell puts its row in: one, or with ``split`` each distinct non-blank part
    (in order); :data:`MISSING` when there is none."""
    text = cell_text(value)
    if text is None:
        return [MISSING]
    if split is None:
        return [text]
    parts = [p.strip() for p in text.split(split)]
    return list(dict.fromkeys(p for p in parts if p)) or [MISSING]


def group_order(names: set[str]) -> list[str]:
    """Groups in the order every output lists them: by name (case aside), :data:`MISSING`
    last; never by score, which would rank noise."""
    return sorted(names - {MISSING}, key=lambda s: (s.casefold(), s)) + (
        [MISSING] if MISSING in names else []
    )


@dataclass(frozen=True)
class Membership:
    """Engagement-group pairs: row ``rows[i]`` (a position in the engagements frame) is in
    group ``codes[i]`` of ``names``; a row is in at least one group."""

    rows: np.ndarray
    codes: np.ndarray
    names: list[str]

    @property
    def in_several(self) -> int:
        """Rows counted in more than one group."""
        counts = np.bincount(self.rows) if len(self.rows) else np.zeros(0, dtype=int)
        return int((counts > 1).sum())


def memberships(values: pd.Series, split: str | None) -> tuple[np.ndarray, list[list[str]]]:
    """Each row's position repeated once per group, and the distinct cells' groups: the work
    is done once per distinct cell, not per row."""
    codes, uniques = pd.factorize(values.to_numpy(dtype=object), use_na_sentinel=True)
    per_unique = [cell_groups(u, split) for u in uniques] + [[MISSING]]  # code -1: blank
    return codes, per_unique


def assign(values: pd.Series, split: str | None, names: list[str]) -> Membership:
    """The membership of every row of ``values`` in ``names`` (which must hold every group
    the cells name)."""
    codes, per_unique = memberships(values, split)
    index = {name: i for i, name in enumerate(names)}
    lengths = np.array([len(g) for g in per_unique], dtype=np.int64)
    # the blank cell's entry is last; its group is absent when no cell is blank
    flat = np.array([index.get(g, -1) for groups in per_unique for g in groups], dtype=np.int64)
    offsets = np.concatenate([[0], np.cumsum(lengths)[:-1]])
    counts = lengths[codes]  # code -1 is the last entry: the blank cell's
    rows = np.repeat(np.arange(len(codes)), counts)
    starts = np.repeat(offsets[codes], counts)
    within = np.arange(len(rows)) - np.repeat(np.cumsum(counts) - counts, counts)
    return Membership(rows=rows, codes=flat[starts + within], names=names)


def cell_names(values: pd.Series, split: str | None) -> set[str]:
    """Every group the cells of ``values`` name."""
    codes, per_unique = memberships(values, split)
    names = {g for groups in per_unique[:-1] for g in groups}
    if (codes == -1).any():
        names.add(MISSING)
    return names


def rejected_groups(
    rejected: Sequence[Rejection], column: str, split: str | None
) -> tuple[list[list[str]], int]:
    """Each rejected row's groups, from the cells it carried, and how many rows carried none
    (of an unknown group: their cells were not kept by the reader that rejected them).  A row
    whose cells are known but lack ``column`` (its file has no such column) is in
    :data:`MISSING`."""
    groups: list[list[str]] = []
    unknown = 0
    for rejection in rejected:
        if not rejection.carried:
            unknown += 1
            groups.append([])
            continue
        groups.append(cell_groups(rejection.carried.get(column), split))
    return groups, unknown
