"""The Rubric: weighted criteria on anchored scales, bands and gates, validated as a whole
(every problem at once) and hashed."""

from __future__ import annotations

import hashlib
import json
from functools import cached_property
from typing import Any, Literal

import yaml
from pydantic import Field, ValidationError, field_validator

from ..errors import RubricError
from .parts import (
    Band,
    Criterion,
    EvidenceColumn,
    EvidenceRule,
    Gate,
    Identifier,
    MissingPolicy,
    RaterPolicy,
    ReviewPolicy,
    StrictModel,
)
from .problems import (
    MAX_NESTING,
    RubricProblem,
    cross_reference_problems,
    nesting_depth,
    problem_from_error,
)

#: The headers of the evidence column shared by every criterion, unless the rubric names one.
SHARED_EVIDENCE = EvidenceColumn(column="Evidence", aliases=("Evidence and sources",))


class Rubric(StrictModel):
    """A validated rubric: weighted criteria on anchored scales, bands and gates.

    Made by :func:`assess.load_rubric` (a built-in name or a YAML file) or
    :func:`parse_rubric`; immutable.  Weights are normalised to sum to 1 at load.

    Attributes
    ----------
    name : str
        Identifier: lower-case letters, digits, ``_``, ``.`` and ``-``.
    version : str
        The rubric's version, shown with its name and hash in every output.
    title, description : str
        Human-readable title and description (may be empty).
    identifier : Identifier
        The engagement id column's header and its aliases.
    aggregation : {"weighted_arithmetic", "weighted_geometric"}
        How the normalised ratings are combined into a 0-100 score.
    missing : MissingPolicy
        How much of the weight must be rated (``min_weight_share``) for a score.
    bands : tuple of Band
        Score bands, highest threshold first.
    gates : tuple of Gate
        Rules that cap the band whatever the score (e.g. political friction rated 4).
    criteria : tuple of Criterion
        The criteria with their normalised weights, scales and column aliases.
    calibration : dict or None
        Provenance written by ``assess calibrate`` into a calibrated rubric.
    raters : RaterPolicy or None
        How several raters' ratings are combined, when the rubric says.
    evidence : EvidenceColumn or None
        The evidence column every criterion shares (a criterion's own ``evidence`` column
        comes first); by default ``Evidence``.
    require_evidence : EvidenceRule or None
        Which ratings must have evidence, and whether one without is flagged or rejected;
        None: evidence is carried to the reports but never required.
    review : ReviewPolicy or None
        The statuses of the review trail (default Draft, Reviewed, Approved).

    Notes
    -----
    :attr:`content_hash` is the SHA-256 of the rubric's canonical content; two rubrics with
    the same hash score identically.
    """

    name: str = Field(pattern=r"^[a-z0-9][a-z0-9_.-]*$")
    version: str = Field(min_length=1)
    title: str = ""
    description: str = ""
    identifier: Identifier = Identifier()
    aggregation: Literal["weighted_arithmetic", "weighted_geometric"] = "weighted_arithmetic"
    missing: MissingPolicy = MissingPolicy()
    bands: tuple[Band, ...] = Field(min_length=1)
    gates: tuple[Gate, ...] = ()
    criteria: tuple[Criterion, ...] = Field(min_length=1)
    calibration: dict[str, Any] | None = None
    # left out of the dump (and so of the content hash) when absent
    raters: RaterPolicy | None = Field(default=None, exclude_if=lambda v: v is None)
    evidence: EvidenceColumn | None = Field(default=None, exclude_if=lambda v: v is None)
    require_evidence: EvidenceRule | None = Field(default=None, exclude_if=lambda v: v is None)
    review: ReviewPolicy | None = Field(default=None, exclude_if=lambda v: v is None)

    @field_validator("version", mode="before")
    @classmethod
    def _version_as_text(cls, v: Any) -> Any:
        return str(v) if isinstance(v, (int, float)) else v

    @field_validator("bands")
    @classmethod
    def _bands_descending(cls, bands: tuple[Band, ...]) -> tuple[Band, ...]:
        return tuple(sorted(bands, key=lambda b: -b.min))

    @field_validator("criteria")
    @classmethod
    def _normalise_weights(cls, criteria: tuple[Criterion, ...]) -> tuple[Criterion, ...]:
        total = sum(c.weight for c in criteria)
        if total <= 0:
            raise ValueError("criterion weights must not all be zero")
        return tuple(c.model_copy(update={"weight": c.weight / total}) for c in criteria)

    # -- derived views ---------------------------------------------------------------
    @property
    def ids(self) -> list[str]:
        return [c.id for c in self.criteria]

    @property
    def weights(self) -> dict[str, float]:
        return {c.id: c.weight for c in self.criteria}

    def criterion(self, cid: str) -> Criterion:
        for c in self.criteria:
            if c.id == cid:
                return c
        raise KeyError(cid)

    @property
    def band_names(self) -> list[str]:
        """Band names from best to worst."""
        return [b.name for b in self.bands]

    @property
    def shared_evidence(self) -> EvidenceColumn:
        """The evidence column every criterion shares (the rubric's, else ``Evidence``)."""
        return self.evidence if self.evidence is not None else SHARED_EVIDENCE

    @property
    def statuses(self) -> tuple[str, ...]:
        """The review statuses a Status cell may hold (the rubric's, else the default)."""
        return (self.review or ReviewPolicy()).statuses

    @cached_property
    def content_hash(self) -> str:
        """SHA-256 of the rubric's canonical content (formatting and comments do not count)."""
        payload = json.dumps(self.model_dump(mode="json"), sort_keys=True, separators=(",", ":"))
        return hashlib.sha256(payload.encode("utf-8")).hexdigest()

    @property
    def short_hash(self) -> str:
        return self.content_hash[:12]

    def with_weights(self, weights: dict[str, float], **changes: Any) -> Rubric:
        """A copy with new (re-normalised) weights; other fields may be changed too."""
        unknown = set(weights) - set(self.ids)
        if unknown:
            raise KeyError(f"unknown criteria: {sorted(unknown)}")
        data = self.model_dump(mode="json")
        for c in data["criteria"]:
            c["weight"] = float(weights.get(c["id"], c["weight"]))
        data.update(changes)
        return validate_rubric(data, source="<in memory>")

    def to_yaml(self) -> str:
        return yaml.safe_dump(
            self.model_dump(mode="json", exclude_none=True),
            sort_keys=False,
            allow_unicode=True,
            width=100,
        )

    def describe(self) -> dict[str, Any]:
        """The rubric block every output records."""
        return {
            "name": self.name,
            "version": self.version,
            "hash": self.content_hash,
            "aggregation": self.aggregation,
            "criteria": [
                {"id": c.id, "label": c.label, "weight": c.weight, "direction": c.direction}
                for c in self.criteria
            ],
        }


def checked_rubric(data: Any, source: str) -> tuple[Rubric | None, list[RubricProblem]]:
    """The rubric, or None and every problem with it.  Raises :class:`RubricError` when the
    data is not shaped like a rubric at all (not a mapping, nested too deeply)."""
    if not isinstance(data, dict):
        raise RubricError(
            f"rubric {source} must be a mapping of keys", ["(top level): not a mapping"]
        )
    if nesting_depth(data) > MAX_NESTING:
        raise RubricError(f"rubric {source} is nested too deeply (more than {MAX_NESTING} levels)")
    problems: list[RubricProblem] = []
    rubric: Rubric | None = None
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        problems += [problem_from_error(e) for e in exc.errors()]
    problems += [p for p in cross_reference_problems(data) if p not in problems]
    return (None if problems else rubric), problems


def validate_rubric(data: Any, source: str = "<data>") -> Rubric:
    """Validate plain data (as loaded from YAML) into a :class:`Rubric`.

    Raises :class:`RubricError` listing every problem with its key path.
    """
    rubric, problems = checked_rubric(data, source)
    if rubric is None:
        raise RubricError(f"rubric {source} is invalid", [str(p) for p in problems], source=source)
    return rubric
