"""The evidence behind each rating: required ratings without it are flagged or rejected, as
the rubric says, and every engagement carries its evidence and review fields."""

from __future__ import annotations

import datetime as dt
from typing import Any

import numpy as np
import pandas as pd

from ..read import present
from ..rubric import Criterion, Rubric
from ..validation import Problem, Rejection, Validated
from .columns import REVIEW_FIELDS, ReviewColumns, evidence_field
from .findings import Flag


def cell_text(value: Any) -> str | None:
    """A cell as the text an output shows: dates as ISO dates, numbers as written, ``None``
    for a blank cell."""
    if not present(value):
        return None
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat()
    if isinstance(value, dt.date):
        return value.isoformat()
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value).strip()


def _texts(frame: pd.DataFrame, key: str | None) -> np.ndarray:
    if key is None or key not in frame.columns:
        return np.full(len(frame), None, dtype=object)
    return np.array([cell_text(v) for v in frame[key].tolist()], dtype=object)


def evidence_texts(part: Validated, columns: ReviewColumns, criterion_id: str) -> np.ndarray:
    """Each kept row's evidence for a criterion: its own column's text, else the shared
    column's; ``None`` where there is none."""
    out = np.full(len(part.carried), None, dtype=object)
    for key in reversed(columns.evidence_keys(criterion_id)):  # the own column wins
        text = _texts(part.carried, key)
        out = np.where(text != None, text, out)  # noqa: E711 (element-wise)
    return out


def review_cells(part: Validated, columns: ReviewColumns, rubric: Rubric) -> None:
    """Add, in place, each engagement's evidence per criterion (``<id>.evidence``) and review
    fields (``review.status`` ...) to its carried cells, ``None`` where a cell is blank.  Only
    those the table has a column for are added: every reader of an engagements frame takes a
    missing one as blank (a million rows of nothing are not worth carrying)."""
    cells = {
        evidence_field(c.id): evidence_texts(part, columns, c.id)
        for c in rubric.criteria
        if columns.evidence_keys(c.id)
    }
    for name in REVIEW_FIELDS:
        if name in columns.fields:
            cells[name] = _texts(part.carried, columns.fields[name])
    if cells:
        extra = pd.DataFrame(cells, index=part.carried.index, dtype=object)
        part.carried = pd.concat([part.carried, extra], axis=1)


def _needs(part: Validated, crit: Criterion, levels: Any) -> np.ndarray:
    """Which kept rows hold a value of ``crit`` that needs evidence under ``levels``."""
    if crit.rated:
        values = part.ratings[crit.id].to_numpy(dtype=float)
        if levels == "all":
            return ~np.isnan(values)
        return np.isin(values, np.asarray(levels, dtype=float))
    if levels != "all":  # levels are ratings; a criterion measured by indicators has none
        return np.zeros(len(part.ratings), dtype=bool)
    values = part.ratings[[i.id for i in crit.indicators]].to_numpy(dtype=float)
    return ~np.isnan(values).all(axis=1)


def _shown(value: float, crit: Criterion) -> str:
    level = crit.level(int(value)) if float(value).is_integer() else None
    return f"{value:g} ({level.label})" if level is not None else f"{value:g}"


def _cells(table: Any, key: str) -> Any:
    """Row -> ``(letter, header)`` of ``key``'s cell on that row, looked up once per table
    block (a flag per row would otherwise search the columns each time)."""
    if not table.blocks:
        col = table.column_at(key, 0)
        single = (col.letter, col.header)
        return lambda row: single
    found: dict[int, tuple[str, str]] = {}

    def cell(row: int) -> tuple[str, str]:
        col = table.column_at(key, row)
        if id(col) not in found:
            found[id(col)] = (col.letter, col.header)
        return found[id(col)]

    return cell


def apply_evidence(part: Validated, columns: ReviewColumns, rubric: Rubric) -> list[Flag]:
    """Check that every rating the rubric's ``require_evidence`` names has evidence (as
    :func:`review_cells`, run first, carries it).  With
    ``action: flag`` the rows stay and each missing piece is a :class:`Flag`; with
    ``action: reject`` the rows move, in place, to ``part.rejected``.  A table with no
    evidence column for a criterion that needs one gets one note saying so, with how many of
    its ratings need evidence: with ``action: flag`` those are not flagged one by one (the
    table has nowhere to cite evidence; a flag per row would bury the ones that matter)."""
    rule = rubric.require_evidence
    if rule is None or not len(part.ratings):
        return []
    table, wanted = part.table, rule.describe()
    name, sheet = table.name, table.sheet
    problems: dict[int, list[Problem]] = {}
    flags: list[Flag] = []
    uncovered = []
    rows = part.rows.to_numpy()
    ids = part.ratings.index.tolist()  # read once: a flag per row would index pandas each time
    for crit in rubric.criteria:
        cited = part.carried.get(evidence_field(crit.id))  # review_cells' (None: no column)
        blank = np.ones(len(part.ratings), dtype=bool) if cited is None else cited.isna()
        missing = _needs(part, crit, rule.levels) & np.asarray(blank, dtype=bool)
        if not missing.any():
            continue
        keys = columns.evidence_keys(crit.id)
        if not keys:
            uncovered.append((crit.label, int(missing.sum())))
            if rule.action == "flag":  # one note says it for the whole column, not a flag each
                continue
        values = part.ratings[crit.id].tolist() if crit.rated else []
        shown: dict[float, str] = {}
        cell = _cells(table, keys[0] if keys else crit.id)
        for i in np.flatnonzero(missing):
            letter, header = cell(int(rows[i]))
            if crit.rated:
                value = values[i]
                if value not in shown:
                    shown[value] = _shown(value, crit)
                what = f"rating {shown[value]} of {crit.label}"
            else:
                what = f"{crit.label}'s value"
            reason = f"{what} has no evidence (the rubric asks for evidence behind {wanted})"
            if rule.action == "reject":
                problem = Problem(letter, header, None, reason)
                problems.setdefault(int(i), []).append(problem)
            else:
                flags.append(
                    Flag(
                        name,
                        sheet,
                        int(rows[i]),
                        ids[i],
                        letter,
                        header,
                        "evidence",
                        crit.id,
                        reason,
                    )
                )
    if uncovered:
        counted = ", ".join(f"{label} ({n})" for label, n in uncovered)
        then = "rejected" if rule.action == "reject" else "not flagged one by one"
        table.notes.append(
            f"no evidence column for {counted}: the rubric asks for evidence behind {wanted}, "
            f"and these ratings have none ({then}; add '<criterion> evidence' columns or one "
            "'Evidence' column)"
        )
    if problems:
        _reject(part, problems)
    return flags


def _reject(part: Validated, problems: dict[int, list[Problem]]) -> None:
    """Move the rows at the positions of ``problems`` from the kept rows to ``part.rejected``."""
    positions = sorted(problems)
    for i in positions:
        eid = part.ratings.index[i]
        part.rejected.append(
            Rejection(
                part.table.name,
                part.table.sheet,
                int(part.rows.iat[i]),
                tuple(problems[i]),
                eid,
                carried=part.carried.iloc[i].to_dict(),
            )
        )
    keep = np.ones(len(part.ratings), dtype=bool)
    keep[positions] = False
    part.ratings, part.carried, part.rows = part.ratings[keep], part.carried[keep], part.rows[keep]
    part.rejected.sort(key=lambda r: r.row)
