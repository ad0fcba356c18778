"""The Rubric: load, validate and hash a rubric (plain YAML in, typed objects out).

A rubric is plain data.  :func:`load_rubric` takes a built-in name (``military-diplomacy``)
or a path to a YAML file, validates everything in one pass and returns a frozen
:class:`Rubric`.  Every problem is reported with its key path
(``criteria[2].weight: must be >= 0``) in a single :class:`~assess.errors.RubricError`;
:func:`check_rubric` returns the same problems as :class:`RubricProblem` values instead.

The modules, one job each:

* :mod:`~assess.rubric.loading`: rubrics by name or from a file, read as safe YAML
  (:func:`load_rubric`, :func:`parse_rubric`, :func:`check_rubric`, :func:`list_rubrics`);
* :mod:`~assess.rubric.model`: the :class:`Rubric` and :func:`validate_rubric`;
* :mod:`~assess.rubric.problems`: :class:`RubricProblem`, and the checks that span several
  parts of a rubric;
* :mod:`~assess.rubric.parts`: the parts of a rubric (:class:`Criterion`, :class:`Scale`,
  :class:`Band`, :class:`Gate`, ...);
* :mod:`~assess.rubric.names`: how headers are compared (:func:`normalise_header`).
"""

from __future__ import annotations

from ..defaults import DEFAULT_RUBRIC
from .loading import (
    MAX_RUBRIC_BYTES,
    builtin_dir,
    check_rubric,
    list_rubrics,
    load_rubric,
    parse_rubric,
)
from .model import Rubric, validate_rubric
from .names import normalise_header, slug
from .parts import (
    Band,
    Criterion,
    EvidenceColumn,
    EvidenceRule,
    Gate,
    Identifier,
    Indicator,
    Level,
    MissingPolicy,
    Normalisation,
    RaterPolicy,
    ReviewPolicy,
    Scale,
)
from .problems import MAX_NESTING, RubricProblem

__all__ = [
    "DEFAULT_RUBRIC",
    "MAX_NESTING",
    "MAX_RUBRIC_BYTES",
    "Band",
    "Criterion",
    "EvidenceColumn",
    "EvidenceRule",
    "Gate",
    "Identifier",
    "Indicator",
    "Level",
    "MissingPolicy",
    "Normalisation",
    "RaterPolicy",
    "ReviewPolicy",
    "Rubric",
    "RubricProblem",
    "Scale",
    "builtin_dir",
    "check_rubric",
    "list_rubrics",
    "load_rubric",
    "normalise_header",
    "parse_rubric",
    "slug",
    "validate_rubric",
]
