"""The parts of a rubric, as validated models: levels and scales, indicators and their
normalisation, criteria, bands, gates, the id column and the policies."""

from __future__ import annotations

from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, model_validator

_ID_PATTERN = r"^[a-z][a-z0-9_]*$"


class StrictModel(BaseModel):
    """The base of every part of a rubric: unknown keys are refused, values are frozen, and
    every number is finite."""

    # every number in a rubric is finite: an infinite weight or a NaN threshold would make
    # every score NaN, or a gate that never fires
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Level(StrictModel):
    """One anchored level of a rating scale."""

    value: int
    label: str = Field(min_length=1, max_length=60)
    descriptor: str = Field(min_length=1)


class Scale(StrictModel):
    """An integer rating scale; every level from ``min`` to ``max`` has an anchored descriptor."""

    min: int = 0
    max: int = 4
    levels: tuple[Level, ...] = ()

    @model_validator(mode="after")
    def _levels_cover_scale(self) -> Scale:
        if self.max <= self.min:
            raise ValueError(f"max ({self.max}) must be greater than min ({self.min})")
        if self.levels:
            seen = [lv.value for lv in self.levels]
            expected = list(range(self.min, self.max + 1))
            if sorted(seen) != expected:
                raise ValueError(
                    f"levels must give each value {self.min}..{self.max} exactly once (got {seen})"
                )
        return self

    @property
    def span(self) -> str:
        return f"{self.min}-{self.max}"


class Normalisation(StrictModel):
    """How an indicator's raw value maps onto 0-1.

    ``minmax``: (x - min) / (max - min); values outside [min, max] are rejected.
    ``target``: (x - baseline) / (target - baseline), clipped to [0, 1].
    """

    method: Literal["minmax", "target"] = "minmax"
    min: float | None = None
    max: float | None = None
    baseline: float = 0.0
    target: float | None = None

    @model_validator(mode="after")
    def _bounds(self) -> Normalisation:
        if self.method == "minmax":
            if self.min is None or self.max is None:
                raise ValueError("minmax normalisation needs both min and max")
            if self.max <= self.min:
                raise ValueError("max must be greater than min")
        else:
            if self.target is None:
                raise ValueError("target normalisation needs a target")
            if self.target == self.baseline:
                raise ValueError("target must differ from baseline")
        return self


class Indicator(StrictModel):
    """A measured quantity under a criterion (e.g. share of exercise objectives met, %)."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    description: str = ""
    column: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    unit: str = ""
    weight: float = Field(default=1.0, ge=0)
    normalisation: Normalisation


class EvidenceColumn(StrictModel):
    """The column that holds the evidence behind ratings (an after-action report, a joint
    statement, an observer's note): its header and other headers it may go by."""

    column: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.column, *self.aliases)


class EvidenceRule(StrictModel):
    """Which ratings must have evidence, and what becomes of one without it.

    ``levels`` is ``"all"`` (every rating, and every criterion measured by indicators) or the
    rating values that need it, e.g. ``[0, 4]``, the extremes.  ``action``: ``flag`` scores
    the rating and lists it as a warning with its cell; ``reject`` rejects the row like any
    other unusable cell.
    """

    levels: Literal["all"] | tuple[float, ...] = "all"
    action: Literal["flag", "reject"] = "flag"

    def describe(self) -> str:
        """``ratings 0 and 4``, or ``every rating``."""
        if self.levels == "all":
            return "every rating"
        values = [f"{v:g}" for v in self.levels]
        shown = values[0] if len(values) == 1 else ", ".join(values[:-1]) + " and " + values[-1]
        return f"rating{'s' if len(values) > 1 else ''} {shown}"


class ReviewPolicy(StrictModel):
    """The statuses a row's Status cell may hold, from the first (Draft) to the last
    (Approved); compared ignoring case."""

    statuses: tuple[str, ...] = Field(default=("Draft", "Reviewed", "Approved"), min_length=1)


class Criterion(StrictModel):
    """One weighted criterion of the rubric."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    description: str = Field(min_length=1)
    source: str = ""
    weight: float = Field(ge=0)
    direction: Literal["benefit", "cost"] = "benefit"
    column: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    scale: Scale = Scale()
    indicators: tuple[Indicator, ...] = ()
    # left out of the dump (and so of the content hash) when absent
    evidence: EvidenceColumn | None = Field(default=None, exclude_if=lambda v: v is None)

    @model_validator(mode="after")
    def _measured_somehow(self) -> Criterion:
        if not self.indicators and not self.scale.levels:
            raise ValueError(
                "a rated criterion needs scale.levels (a label and descriptor per level)"
            )
        if self.indicators and sum(i.weight for i in self.indicators) <= 0:
            raise ValueError("indicator weights must not all be zero")
        return self

    @property
    def rated(self) -> bool:
        """True when the criterion is read as a rating on its scale (not from indicators)."""
        return not self.indicators

    @property
    def evidence_names(self) -> tuple[str, ...]:
        """The headers of this criterion's evidence column: the rubric's, or by default
        ``<column> evidence``, ``<label> evidence`` and ``<id> evidence``."""
        if self.evidence is not None:
            return self.evidence.names
        return tuple(f"{name} evidence" for name in (self.column, self.label, self.id))

    def level(self, value: int) -> Level | None:
        for lv in self.scale.levels:
            if lv.value == value:
                return lv
        return None


class Band(StrictModel):
    """A named band: scores at or above ``min`` (and below the next band up) fall in it."""

    name: str = Field(min_length=1)
    min: float = Field(ge=0, le=100)
    colour: str = Field(default="#999999", pattern=r"^#[0-9a-fA-F]{6}$")


class Gate(StrictModel):
    """A rule that caps the band whatever the score (friction at 4: at most Partially effective)."""

    id: str = Field(pattern=r"^[a-z][a-z0-9_-]*$")
    criterion: str
    at_least: float | None = None
    at_most: float | None = None
    cap: str
    reason: str = ""

    @model_validator(mode="after")
    def _has_condition(self) -> Gate:
        if (self.at_least is None) == (self.at_most is None):
            raise ValueError("give exactly one of at_least or at_most")
        return self

    def describe(self) -> str:
        op, val = (">=", self.at_least) if self.at_least is not None else ("<=", self.at_most)
        return f"{self.criterion} {op} {val:g} caps the band at {self.cap}"


class Identifier(StrictModel):
    """The column holding each engagement's unique id."""

    column: str = "Engagement ID"
    aliases: tuple[str, ...] = ("ID", "Ref", "Reference")


class MissingPolicy(StrictModel):
    """Missing ratings: weights are renormalised over the criteria present.

    Below ``min_weight_share`` of the total weight present, the engagement is reported as
    *insufficient evidence* rather than scored.
    """

    min_weight_share: float = Field(default=0.6, gt=0, le=1)


class RaterPolicy(StrictModel):
    """How several raters' ratings of one engagement are combined
    (see :func:`assess.raters.combine_values`)."""

    combine: Literal["median", "mean", "trimmed_mean"] = "median"
