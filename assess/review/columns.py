"""Which of a table's carried columns hold evidence and the review trail, by their headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..read import RawTable
from ..rubric import Rubric, normalise_header

#: The review fields each engagement carries (``None`` when the table has no such column),
#: with the headers each is recognised by.
REVIEW_HEADERS: dict[str, tuple[str, ...]] = {
    "review.assessed_by": ("Assessed by", "Assessor", "Rated by"),
    "review.assessed_on": ("Assessed on", "Assessment date", "Date assessed"),
    "review.reviewed_by": ("Reviewed by", "Reviewer"),
    "review.status": ("Status", "Review status", "Approval status"),
}
REVIEW_FIELDS = tuple(REVIEW_HEADERS)


def evidence_field(criterion_id: str) -> str:
    """The name of a criterion's evidence among an engagement's cells: ``<id>.evidence``."""
    return f"{criterion_id}.evidence"


@dataclass(frozen=True)
class ReviewColumns:
    """The carried columns (by key) that hold evidence and the review trail in one table.

    Attributes
    ----------
    evidence : dict
        Criterion id -> the key of its own evidence column, for the criteria that have one.
    shared : str or None
        The key of the evidence column every criterion shares, if the table has one.
    fields : dict
        Review field (``review.status`` ...) -> the key of its column, for those present.
    letters : dict
        Key -> Excel column letter, of every column above.
    headers : dict
        Key -> header as written.
    """

    evidence: dict[str, str] = field(default_factory=dict)
    shared: str | None = None
    fields: dict[str, str] = field(default_factory=dict)
    letters: dict[str, str] = field(default_factory=dict)
    headers: dict[str, str] = field(default_factory=dict)

    def evidence_keys(self, criterion_id: str) -> list[str]:
        """The columns a criterion's evidence is read from, its own first."""
        own = self.evidence.get(criterion_id)
        return [k for k in (own, self.shared) if k is not None]

    @property
    def any_evidence(self) -> bool:
        return bool(self.evidence) or self.shared is not None


def find_review_columns(table: RawTable, rubric: Rubric) -> ReviewColumns:
    """The evidence and review columns among ``table``'s carried columns, matched by header
    as every other column is (:func:`~assess.rubric.normalise_header`).  A column is matched
    by the name it is carried as, so a header that collides with a computed column (a
    report's own ``status``) is not taken for the review status."""
    carried = [c for c in table.all_columns if c.role == "carry" and c.header]
    by_name: dict[str, Any] = {}
    for c in carried:
        by_name.setdefault(normalise_header(c.key), c)

    def first(names: tuple[str, ...]) -> Any:
        return next((by_name[n] for n in map(normalise_header, names) if n in by_name), None)

    found: dict[str, Any] = {}
    evidence: dict[str, str] = {}
    for crit in rubric.criteria:
        col = first(crit.evidence_names)
        if col is not None:
            evidence[crit.id] = col.key
            found[col.key] = col
    shared = first(rubric.shared_evidence.names)
    if shared is not None:
        found[shared.key] = shared
    fields = {}
    for name, headers in REVIEW_HEADERS.items():
        col = first(headers)
        if col is not None:
            fields[name] = col.key
            found[col.key] = col
    return ReviewColumns(
        evidence=evidence,
        shared=None if shared is None else shared.key,
        fields=fields,
        letters={k: c.letter for k, c in found.items()},
        headers={k: c.header for k, c in found.items()},
    )
