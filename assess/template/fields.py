"""The columns of the template's Engagements sheet, in order, for a rubric."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from ..read import header_targets
from ..report.page import column_width
from ..rubric import Criterion, Indicator, Rubric, normalise_header
from .cells import level_text

Kind = Literal[
    "id",
    "name",
    "type",
    "text",
    "organisation",
    "date",
    "rating",
    "indicator",
    "evidence",
    "person",
    "status",
]

#: The review trail's columns after the ratings: header, kind, width.
REVIEW_COLUMNS: tuple[tuple[str, Kind, float], ...] = (
    ("Assessed by", "person", 18),
    ("Assessed on", "date", 13),
    ("Reviewed by", "person", 18),
    ("Status", "status", 13),
)
EVIDENCE_WIDTH = 40
EVIDENCE_PROMPT = (
    "The evidence for this rating: the after-action report, joint statement or observer's "
    "note, with its date or reference."
)


@dataclass(frozen=True)
class Field:
    """One column of the Engagements sheet."""

    header: str
    kind: Kind
    width: float
    criterion: Criterion | None = None
    indicator: Indicator | None = None
    values: tuple[str, ...] = ()  # a status column's statuses


def template_fields(rubric: Rubric) -> list[Field]:
    """The template's columns; a descriptive column is left out when the rubric reads that
    header itself (the reader would otherwise find two columns for one key)."""
    taken = set(header_targets(rubric))

    def free(header: str) -> bool:
        return normalise_header(header) not in taken

    fields = [Field(rubric.identifier.column, "id", 16)]
    fixed: list[tuple[str, Kind, float]] = [
        ("Engagement", "name", 36),
        ("Type", "type", 30),
        ("Partners", "text", 28),
        ("Organisation", "organisation", 16),
        ("Start date", "date", 13),
        ("End date", "date", 13),
    ]
    fields += [Field(h, k, w) for h, k, w in fixed if free(h)]
    for c in rubric.criteria:
        if c.rated:
            fields.append(Field(c.column, "rating", rating_width(c), criterion=c))
        for ind in c.indicators:
            fields.append(
                Field(
                    ind.column,
                    "indicator",
                    max(14, min(len(ind.column) + 4, 30)),
                    criterion=c,
                    indicator=ind,
                )
            )
        if free(c.evidence_names[0]):
            fields.append(Field(c.evidence_names[0], "evidence", EVIDENCE_WIDTH, criterion=c))
    for header, kind, width in REVIEW_COLUMNS:
        if free(header):
            fields.append(Field(header, kind, width, values=rubric.statuses))
    if free("Notes"):
        fields.append(Field("Notes", "text", 50))
    return fields


def field_width(f: Field) -> float:
    """A column's width: its own, or more if a word of its (wrapped) header needs it."""
    return max(f.width, column_width([f.header]))


def rating_width(c: Criterion) -> float:
    longest = max(len(level_text(c, lv.value)) for lv in c.scale.levels)
    return max(14, min(max(longest, len(c.column)) + 4, 40))
