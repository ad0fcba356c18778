"""The review trail of each row: the evidence behind its ratings and its review status.

Evidence is text beside a rating (an after-action report, a joint statement, an observer's
note), in a column per criterion (``Transparency evidence``) or one shared column
(``Evidence``); the review trail is the optional ``Assessed by``, ``Assessed on``,
``Reviewed by`` and ``Status`` columns.  They are read like any carried column and:

* :mod:`~assess.review.columns` finds them among a table's columns;
* :mod:`~assess.review.status` sets aside the rows not in a required status (before they are
  validated) and flags a status the rubric does not know;
* :mod:`~assess.review.evidence` flags, or rejects, a rating without the evidence the rubric
  requires, and adds each engagement's evidence and review fields to its carried cells;
* :mod:`~assess.review.findings` holds what they find: a :class:`Flag` (scored, with a
  warning naming its cell) and a :class:`Held` row (not in the required status: counted,
  not scored).
"""

from __future__ import annotations

from .columns import REVIEW_FIELDS, ReviewColumns, evidence_field, find_review_columns
from .evidence import apply_evidence, review_cells
from .findings import Flag, Held
from .status import check_required_statuses, hold_unapproved, status_flags

__all__ = [
    "REVIEW_FIELDS",
    "Flag",
    "Held",
    "ReviewColumns",
    "apply_evidence",
    "check_required_statuses",
    "evidence_field",
    "find_review_columns",
    "hold_unapproved",
    "review_cells",
    "status_flags",
]
