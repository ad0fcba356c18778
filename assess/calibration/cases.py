"""Past cases read for calibration: ratings validated as engagements are, plus the outcome.

:func:`read_cases` reads past cases exactly like engagements (:func:`assess.validate_file`:
same header finding, validation and rejections) plus an outcome column, found by its header
among the carried columns.  An outcome cell that cannot be read for the outcome's kind rejects
its row with the cell named (``Cases!K12: 'maybe' is not an outcome (success/failure)``);
cases with insufficient evidence under the rubric are left out and counted.  used +
insufficient + rejected = data rows.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..errors import InputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..pipeline import validate_file
from ..read import Column, RawTable
from ..rubric import DEFAULT_RUBRIC, Rubric, load_rubric, normalise_header
from ..scoring import STATUS_INSUFFICIENT, input_columns, score_frame
from ..validation import Problem, Rejection
from .outcomes import parse_outcomes


@dataclass
class Cases:
    """Past cases ready for calibration: ratings, outcomes, and how every row was used.

    ``ratings`` (indexed by case id, one column per rated criterion and per indicator) and
    ``outcome`` hold the cases used; ``rows`` their Excel rows.  ``insufficient`` lists the
    ids left out for insufficient evidence and ``rejected`` every rejected row.
    """

    rubric: Rubric
    file: str
    path: str
    sha256: str
    sheet: str
    header_row: int
    ratings: pd.DataFrame
    rows: pd.Series
    outcome: pd.Series | None
    outcome_column: str | None
    kind: str | None
    levels: tuple[str, ...] | None
    #: cases left out for insufficient evidence: id, Excel row, share of the weight rated
    insufficient: list[dict[str, Any]] = field(default_factory=list)
    rejected: list[Rejection] = field(default_factory=list)
    #: what reading the table noted (a criterion allowed to have no column, a hidden sheet)
    notes: list[str] = field(default_factory=list)

    @property
    def counts(self) -> dict[str, int]:
        used, ins, rej = len(self.ratings), len(self.insufficient), len(self.rejected)
        return {"rows": used + ins + rej, "used": used, "insufficient": ins, "rejected": rej}

    def summary_line(self) -> str:
        c = self.counts
        return (
            f"{c['used']} used, {c['insufficient']} insufficient evidence, "
            f"{c['rejected']} rejected of {c['rows']} rows"
        )

    @property
    def X(self) -> pd.DataFrame:  # noqa: N802 - the estimator's conventional name
        return self.ratings[input_columns(self.rubric)]

    @property
    def y(self) -> np.ndarray:
        """Outcomes as the estimator takes them: numbers, or level names."""
        if self.outcome is None:
            raise ValueError("these cases were read without an outcome column")
        values = self.outcome.to_numpy()
        if self.kind == "numeric":
            return values.astype(float)
        return np.asarray(self.levels, dtype=object)[values.astype(int)]


def _outcome_column(table: RawTable, outcome: str, rubric: Rubric) -> Column:
    key = normalise_header(outcome)
    for col in table.columns:
        if normalise_header(col.header) == key:
            if col.role != "carry":
                raise InputError(
                    f"{table.name}: {outcome!r} is the rubric's {col.key!r} column, not an outcome"
                )
            return col
    carried = [c.header for c in table.columns if c.role == "carry" and c.header]
    raise InputError(
        f"{table.name}: no outcome column {outcome!r} on sheet {table.sheet!r}; "
        f"other columns: {', '.join(repr(h) for h in carried) or 'none'}"
    )


def _with_outcome_problems(
    part_rejected: list[Rejection],
    table: RawTable,
    col: Column,
    errors: list[str | None],
    rows: pd.Series,
) -> list[Rejection]:
    """The rejected rows with every unreadable outcome cell added: to the row's rejection when
    the row is already rejected, else as a rejection of its own; in row order."""
    by_row = {
        int(r): Problem(
            table.column_at(col.key, int(r)).letter,
            col.header,
            table.data[col.key].iloc[i],
            err,
        )
        for i, (r, err) in enumerate(zip(table.data.index, errors, strict=True))
        if err is not None
    }
    rejected = [
        dataclasses.replace(r, problems=(*r.problems, by_row.pop(r.row))) if r.row in by_row else r
        for r in part_rejected
    ]
    row_ids = dict(zip(rows.to_numpy().tolist(), rows.index, strict=True))
    rejected += [
        Rejection(table.name, table.sheet, row, (p,), row_ids.get(row)) for row, p in by_row.items()
    ]
    rejected.sort(key=lambda r: r.row)
    return rejected


def read_cases(
    source: str | Path | pd.DataFrame,
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    outcome: str | None = None,
    *,
    sheet: str | int | None = None,
    kind: str = "auto",
    levels: Sequence[str] | None = None,
    id_column: str | None = None,
    allow_missing: str | Sequence[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> Cases:
    """Read past cases: ratings validated as engagements are, and the outcome column.

    Parameters
    ----------
    source : str, Path or pandas.DataFrame
        A spreadsheet path or a DataFrame laid out like a sheet.
    rubric : str, Path or Rubric, optional
        A built-in rubric name, a path, or a :class:`~assess.rubric.Rubric`.
    outcome : str, optional
        The outcome column's header (matched like any header); ``None`` reads ratings only.
    sheet, kind, levels : optional
        ``kind`` and ``levels`` as for :func:`~assess.calibration.outcomes.parse_outcomes`;
        ``sheet`` as for :func:`assess.score`.
    id_column, allow_missing, max_input_size : optional
        As for :func:`assess.score`.

    Examples
    --------
    >>> cases = read_cases("examples/past_cases.xlsx", outcome="Outcome")
    >>> cases.summary_line()
    '186 used, 1 insufficient evidence, 3 rejected of 190 rows'
    """
    rub = load_rubric(rubric)
    part = validate_file(
        source,
        rub,
        sheet=sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    table = part.table
    rejected = list(part.rejected)
    kept = pd.Series(True, index=part.ratings.index)
    parsed = col = None
    if outcome is not None:
        col = _outcome_column(table, outcome, rub)
        parsed = parse_outcomes(table.data[col.key].tolist(), kind, levels, rub.band_names)
        rejected = _with_outcome_problems(rejected, table, col, parsed.errors, part.rows)
        kept = ~part.rows.isin({r.row for r in rejected})
    ratings, rows = part.ratings[kept.to_numpy()], part.rows[kept.to_numpy()]
    scored = score_frame(ratings, rub)
    enough = (scored["status"] != STATUS_INSUFFICIENT).to_numpy()
    insufficient = [
        {"id": eid, "row": int(rows[eid]), "completeness": float(scored.at[eid, "completeness"])}
        for eid in scored.index[~enough]
    ]
    y = None
    if parsed is not None:
        values = pd.Series(parsed.values, index=table.data.index)
        y = pd.Series(values.loc[rows.to_numpy()].to_numpy(), index=rows.index)[enough]
    return Cases(
        rubric=rub,
        file=table.name,
        path=str(table.path),
        sha256=table.sha256,
        sheet=table.sheet,
        header_row=table.header_row,
        ratings=ratings[enough],
        rows=rows[enough],
        outcome=y,
        outcome_column=col.header if col is not None else None,
        kind=parsed.kind if parsed else None,
        levels=parsed.levels if parsed else None,
        insufficient=insufficient,
        rejected=rejected,
        notes=[f"{table.name}: {n}" for n in table.notes],
    )
