"""The review status of each row: the rows not in a required status are set aside before
they are validated (a draft is work in progress, not an error), and a status the rubric does
not know is flagged."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any

import numpy as np

from ..errors import InputError, OptionError
from ..read import RawTable, present
from ..rubric import Rubric
from ..validation import Validated, id_text, show
from .columns import ReviewColumns
from .findings import Flag, Held

STATUS_FIELD = "review.status"


def check_required_statuses(
    required: str | Iterable[str] | None, rubric: Rubric
) -> tuple[str, ...]:
    """The statuses asked for (``"Approved"``, or several, also comma-separated), each as the
    rubric spells it; ``()`` when none is.  Raises :class:`OptionError` for one the rubric
    does not have, naming those it has."""
    if required is None:
        return ()
    asked = [required] if isinstance(required, str) else list(required)
    known = {s.casefold(): s for s in rubric.statuses}
    out = []
    for text in asked:
        for part in str(text).split(","):
            name = " ".join(part.split())
            if name.casefold() not in known:
                raise OptionError(
                    f"--require-status {name!r} is not a status of rubric {rubric.name} "
                    f"({', '.join(rubric.statuses)})"
                )
            out.append(known[name.casefold()])
    if not out:
        raise OptionError("--require-status needs a status, such as Approved")
    return tuple(dict.fromkeys(out))


def status_text(value: Any) -> str:
    """A Status cell as text, spaces tidied (``""`` when blank)."""
    return " ".join(str(value).split()) if present(value) else ""


def _canonical(texts: list[str], rubric: Rubric) -> list[str | None]:
    known = {s.casefold(): s for s in rubric.statuses}
    return [known.get(t.casefold()) for t in texts]


def hold_unapproved(
    table: RawTable, rubric: Rubric, columns: ReviewColumns, required: tuple[str, ...]
) -> tuple[RawTable, list[Held]]:
    """``table`` without its rows whose status is not one of ``required``, and those rows as
    :class:`Held`.  Raises :class:`InputError` when the table has no Status column."""
    key = columns.fields.get(STATUS_FIELD)
    wanted = " or ".join(required)
    if key is None:
        raise InputError(
            f"{table.name} ({table.sheet}) has no Status column, so no row can be shown to be "
            f"{wanted}; add one (Status, Review status or Approval status) or leave out "
            "--require-status"
        )
    data = table.data
    texts = [status_text(v) for v in data[key].tolist()]
    statuses = _canonical(texts, rubric)
    keep = np.array([s in required for s in statuses], dtype=bool)
    if keep.all():
        return table, []
    held = []
    rows = data.index.to_numpy()
    ids = data["id"].tolist() if "id" in data.columns else [None] * len(data)
    for i in np.flatnonzero(~keep):
        text, row = texts[i], int(rows[i])
        if not text:
            reason = f"no status (only {wanted} rows are scored)"
        elif statuses[i] is None:
            reason = (
                f"status {show(text)} is not one of {', '.join(rubric.statuses)} "
                f"(only {wanted} rows are scored)"
            )
        else:
            reason = f"status {statuses[i]}, not {wanted}"
        eid = id_text(ids[i]) if present(ids[i]) else None
        letter = table.column_at(key, row).letter
        held.append(Held(table.name, table.sheet, row, eid, text, letter, reason))
    return dataclasses.replace(table, data=data[keep]), held


def status_flags(part: Validated, columns: ReviewColumns, rubric: Rubric) -> list[Flag]:
    """A flag for each kept row whose Status the rubric does not know (a blank one is not
    flagged: a status is optional unless ``--require-status`` asks for one)."""
    key = columns.fields.get(STATUS_FIELD)
    if key is None or not len(part.carried):
        return []
    texts = [status_text(v) for v in part.carried[key].tolist()]
    flags = []
    for eid, text, status, row in zip(
        part.carried.index, texts, _canonical(texts, rubric), part.rows.tolist(), strict=True
    ):
        if text and status is None:
            col = part.table.column_at(key, int(row))
            reason = f"status {show(text)} is not one of {', '.join(rubric.statuses)}"
            flags.append(
                Flag(
                    part.table.name,
                    part.table.sheet,
                    int(row),
                    eid,
                    col.letter,
                    col.header,
                    "status",
                    None,
                    reason,
                )
            )
    return flags
