"""What the review checks find: a :class:`Flag` on a scored row, a :class:`Held` row."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Flag:
    """A warning on a row that is still scored: a rating without the evidence the rubric asks
    for, or a status the rubric does not know.

    Attributes
    ----------
    file, sheet : str
        Where the row was read.
    row : int
        Its 1-based spreadsheet row.
    id : str
        The engagement's id.
    column : str
        The letter of the cell the warning is about (the evidence cell, or the rating's when
        the table has no evidence column for it; the Status cell).
    header : str
        That column's header.
    kind : {"evidence", "status"}
        What is wrong.
    criterion : str or None
        The criterion's id, for an ``evidence`` flag.
    reason : str
        What is wrong, as one line.
    """

    file: str
    sheet: str
    row: int
    id: str
    column: str
    header: str
    kind: str
    criterion: str | None
    reason: str

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}"

    def __str__(self) -> str:
        return f"{self.cell} ({self.id}): {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "id": self.id,
            "column": self.column,
            "cell": self.cell,
            "header": self.header,
            "kind": self.kind,
            "criterion": self.criterion,
            "reason": self.reason,
        }


@dataclass(frozen=True)
class Held:
    """A row set aside because its status is not one the run requires (``--require-status``):
    counted, never scored, never dropped.

    Attributes
    ----------
    file, sheet : str
        Where the row was read.
    row : int
        Its 1-based spreadsheet row.
    id : str or None
        Its engagement id as written, when it has one.
    status : str
        Its Status cell as written (``""`` when blank).
    column : str
        The Status column's letter.
    reason : str
        Why it was set aside, as one line.
    """

    file: str
    sheet: str
    row: int
    id: str | None
    status: str
    column: str
    reason: str

    @property
    def cell(self) -> str:
        return f"{self.sheet}!{self.column}{self.row}"

    def __str__(self) -> str:
        named = f" {self.id}" if self.id else ""
        return f"{self.sheet} row {self.row}{named}: {self.reason}"

    def to_dict(self) -> dict[str, Any]:
        return {
            "file": self.file,
            "sheet": self.sheet,
            "row": self.row,
            "id": self.id,
            "status": self.status,
            "cell": self.cell,
            "reason": self.reason,
        }
