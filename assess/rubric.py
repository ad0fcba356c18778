"""The Rubric: load, validate and hash a rubric (plain YAML in, typed objects out).

A rubric is plain data.  :func:`load_rubric` takes a built-in name (``military-diplomacy``)
or a path to a YAML file, validates everything in one pass and returns a frozen
:class:`Rubric`.  Every problem is reported with its key path
(``criteria[2].weight: must be >= 0``) in a single :class:`~assess.errors.RubricError`;
:func:`check_rubric` returns the same problems as :class:`RubricProblem` values instead.
"""

from __future__ import annotations

import hashlib
import json
import re
import unicodedata
from dataclasses import dataclass
from functools import cached_property
from importlib import resources
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from .defaults import DEFAULT_RUBRIC
from .errors import RubricError

MAX_RUBRIC_BYTES = 1_000_000
MAX_NESTING = 24

_ID_PATTERN = r"^[a-z][a-z0-9_]*$"

_BRACKETED = re.compile(r"[\(\[\{][^\)\]\}]*[\)\]\}]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(text: Any) -> str:
    """The form in which headers are compared: case, spacing, punctuation and a bracketed
    unit suffix do not matter (``'Transparency (0-4)'`` -> ``'transparency'``)."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()
    s = _BRACKETED.sub(" ", s)
    return _NON_ALNUM.sub(" ", s).strip()


class _Model(BaseModel):
    # every number in a rubric is finite: an infinite weight or a NaN threshold would make
    # every score NaN, or a gate that never fires
    model_config = ConfigDict(extra="forbid", frozen=True, allow_inf_nan=False)


class Level(_Model):
    """One anchored level of a rating scale."""

    value: int
    label: str = Field(min_length=1, max_length=60)
    descriptor: str = Field(min_length=1)


class Scale(_Model):
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


class Normalisation(_Model):
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


class Indicator(_Model):
    """A measured quantity under a criterion (e.g. share of exercise objectives met, %)."""

    id: str = Field(pattern=_ID_PATTERN)
    label: str = Field(min_length=1)
    description: str = ""
    column: str = Field(min_length=1)
    aliases: tuple[str, ...] = ()
    unit: str = ""
    weight: float = Field(default=1.0, ge=0)
    normalisation: Normalisation


class Criterion(_Model):
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

    def level(self, value: int) -> Level | None:
        for lv in self.scale.levels:
            if lv.value == value:
                return lv
        return None


class Band(_Model):
    """A named band: scores at or above ``min`` (and below the next band up) fall in it."""

    name: str = Field(min_length=1)
    min: float = Field(ge=0, le=100)
    colour: str = Field(default="#999999", pattern=r"^#[0-9a-fA-F]{6}$")


class Gate(_Model):
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


class Identifier(_Model):
    """The column holding each engagement's unique id."""

    column: str = "Engagement ID"
    aliases: tuple[str, ...] = ("ID", "Ref", "Reference")


class MissingPolicy(_Model):
    """Missing ratings: weights are renormalised over the criteria present.

    Below ``min_weight_share`` of the total weight present, the engagement is reported as
    *insufficient evidence* rather than scored.
    """

    min_weight_share: float = Field(default=0.6, gt=0, le=1)


class RaterPolicy(_Model):
    """How several raters' ratings of one engagement are combined
    (see :func:`assess.raters.combine_values`)."""

    combine: Literal["median", "mean", "trimmed_mean"] = "median"


class Rubric(_Model):
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


# -- problems -------------------------------------------------------------------------


@dataclass(frozen=True)
class RubricProblem:
    """One thing wrong with a rubric: where it is (a key path) and what is wrong.

    Attributes
    ----------
    key : str
        The key path, as ``criteria[1].weight`` or ``bands``; ``""`` when the file as a whole
        cannot be used (not found, not YAML, nested too deeply).
    message : str
        What is wrong, as one line (``must be >= 0``).
    """

    key: str
    message: str

    def __str__(self) -> str:
        return f"{self.key}: {self.message}" if self.key else self.message


# -- loading --------------------------------------------------------------------------


class _NoAliasLoader(yaml.SafeLoader):
    """Safe YAML that also refuses anchors/aliases (no exponential expansion) and nesting
    deeper than :data:`MAX_NESTING`, before the (recursive) composer goes deeper."""

    _nesting = 0

    def compose_node(self, parent, index):  # type: ignore[override]
        if self.check_event(yaml.AliasEvent):
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None, None, "aliases (*name) are not allowed in rubric files", event.start_mark
            )
        if self._nesting >= MAX_NESTING:
            event = self.peek_event()
            raise yaml.composer.ComposerError(
                None,
                None,
                f"nested too deeply (more than {MAX_NESTING} levels), which no rubric needs",
                event.start_mark,
            )
        self._nesting += 1
        try:
            return super().compose_node(parent, index)
        finally:
            self._nesting -= 1


def _depth(obj: Any, level: int = 0) -> int:
    if level > MAX_NESTING:
        return level
    if isinstance(obj, dict):
        return max((_depth(v, level + 1) for v in obj.values()), default=level + 1)
    if isinstance(obj, list):
        return max((_depth(v, level + 1) for v in obj), default=level + 1)
    return level


_MESSAGES = {
    "missing": lambda e: "is required",
    "extra_forbidden": lambda e: "is not a known key",
    "greater_than_equal": lambda e: f"must be >= {e['ctx']['ge']:g}",
    "greater_than": lambda e: f"must be > {e['ctx']['gt']:g}",
    "less_than_equal": lambda e: f"must be <= {e['ctx']['le']:g}",
    "string_too_short": lambda e: "must not be empty",
    "too_short": lambda e: "must not be empty",
    "string_pattern_mismatch": lambda e: f"{e.get('input')!r} does not match {e['ctx']['pattern']}",
    "literal_error": lambda e: f"{e.get('input')!r} is not one of {e['ctx']['expected']}",
    "finite_number": lambda e: f"must be a finite number, not {e.get('input')!r}",
}


def _path(loc: tuple[Any, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        else:
            out += ("." if out else "") + str(part)
    return out or "(top level)"


def _problem(err: dict[str, Any]) -> RubricProblem:
    fmt = _MESSAGES.get(err["type"])
    msg = fmt(err) if fmt else err["msg"].removeprefix("Value error, ")
    return RubricProblem(_path(tuple(err["loc"])), msg)


def _cross_reference_problems(data: dict[str, Any]) -> list[RubricProblem]:
    """Checks that span several parts of the rubric, done on the raw data so that they are
    reported together with the per-field problems."""
    crits, bands, gates = (
        data.get(k) if isinstance(data.get(k), list) else [] for k in ("criteria", "bands", "gates")
    )
    ident = data.get("identifier") if isinstance(data.get("identifier"), dict) else {}
    ids, problems = _criterion_problems(crits, ident)
    problems += _band_problems(bands)
    band_names = [b.get("name") for b in bands if isinstance(b, dict)]
    for i, g in enumerate(gates):
        if not isinstance(g, dict):
            continue
        if g.get("criterion") not in ids:
            problems.append(
                (f"gates[{i}].criterion", f"{g.get('criterion')!r} is not a criterion id")
            )
        if g.get("cap") not in band_names:
            problems.append((f"gates[{i}].cap", f"{g.get('cap')!r} is not a band name"))
    return [RubricProblem(key, message) for key, message in problems]


def _criterion_problems(
    crits: list[Any], ident: dict[str, Any]
) -> tuple[dict[str, int], list[tuple[str, str]]]:
    """Each criterion id's position, and (key path, problem) for repeated ids and for column
    names that two criteria (or a criterion and the identifier) share."""
    problems: list[tuple[str, str]] = []
    ids: dict[str, int] = {}
    headers: dict[str, str] = {}
    for name in [
        ident.get("column", Identifier().column),
        *ident.get("aliases", Identifier().aliases),
    ]:
        if isinstance(name, str):
            headers.setdefault(normalise_header(name), "identifier")
    for i, c in enumerate(crits):
        if not isinstance(c, dict):
            continue
        cid = c.get("id")
        if isinstance(cid, str):
            if cid in ids:
                problems.append((f"criteria[{i}].id", f"{cid!r} repeats criteria[{ids[cid]}].id"))
            ids.setdefault(cid, i)
        for name in _names(c):
            key = normalise_header(name)
            owner = headers.get(key)
            if owner is not None and owner != f"criteria[{i}]":
                problems.append((f"criteria[{i}]", f"column name {name!r} is also used by {owner}"))
            headers.setdefault(key, f"criteria[{i}]")
    return ids, problems


def _names(criterion: dict[str, Any]) -> list[str]:
    """Every name the reader matches a criterion's column by: its column, aliases, label and id,
    and its indicators' (so they must not clash either)."""
    parts = [criterion, *(i for i in criterion.get("indicators") or [] if isinstance(i, dict))]
    names = [
        n
        for p in parts
        for n in (p.get("column"), *(p.get("aliases") or []), p.get("label"), p.get("id"))
    ]
    return [n for n in names if isinstance(n, str) and n.strip()]


def _band_problems(bands: list[Any]) -> list[tuple[str, str]]:
    """(key path, problem) for a band name used twice, no band starting at 0, or two bands
    starting at the same score."""
    problems: list[tuple[str, str]] = []
    names = [b.get("name") for b in bands if isinstance(b, dict)]
    for i, name in enumerate(names):
        if name in names[:i]:
            problems.append((f"bands[{i}].name", f"{name!r} is used twice"))
    mins = [b.get("min") for b in bands if isinstance(b, dict)]
    if bands and all(isinstance(m, (int, float)) for m in mins):
        if 0 not in mins:
            problems.append(
                ("bands", "the lowest band must start at 0 so that every score has a band")
            )
        if len(set(mins)) != len(mins):
            problems.append(("bands", "two bands start at the same score"))
    return problems


def _checked(data: Any, source: str) -> tuple[Rubric | None, list[RubricProblem]]:
    """The rubric, or None and every problem with it.  Raises :class:`RubricError` when the
    data is not shaped like a rubric at all (not a mapping, nested too deeply)."""
    if not isinstance(data, dict):
        raise RubricError(
            f"rubric {source} must be a mapping of keys", ["(top level): not a mapping"]
        )
    if _depth(data) > MAX_NESTING:
        raise RubricError(f"rubric {source} is nested too deeply (more than {MAX_NESTING} levels)")
    problems: list[RubricProblem] = []
    rubric: Rubric | None = None
    try:
        rubric = Rubric.model_validate(data)
    except ValidationError as exc:
        problems += [_problem(e) for e in exc.errors()]
    problems += [p for p in _cross_reference_problems(data) if p not in problems]
    return (None if problems else rubric), problems


def validate_rubric(data: Any, source: str = "<data>") -> Rubric:
    """Validate plain data (as loaded from YAML) into a :class:`Rubric`.

    Raises :class:`RubricError` listing every problem with its key path.
    """
    rubric, problems = _checked(data, source)
    if rubric is None:
        raise RubricError(f"rubric {source} is invalid", [str(p) for p in problems], source=source)
    return rubric


def builtin_dir() -> Path:
    """Where the rubrics shipped with assess live (installed package, or the source tree)."""
    packaged = resources.files("assess").joinpath("_rubrics")
    if packaged.is_dir():
        return Path(str(packaged))
    return Path(__file__).resolve().parent.parent / "rubrics"


def list_rubrics() -> list[str]:
    """Names of the built-in rubrics."""
    folder = builtin_dir()
    return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []


def _resolve(name_or_path: str | Path) -> Path:
    text = str(name_or_path)
    path = Path(text).expanduser()
    if path.suffix.lower() in {".yaml", ".yml"} or path.exists() or "/" in text or "\\" in text:
        if path.is_dir():
            raise RubricError(f"rubric {text} is a folder, not a rubric file")
        if path.exists() and not path.is_file():  # a named pipe or device: never opened
            raise RubricError(f"rubric {text} is not a regular file")
        if not path.is_file():
            raise RubricError(f"rubric file not found: {text}")
        return path
    candidate = builtin_dir() / f"{text}.yaml"
    if not candidate.is_file():
        known = ", ".join(list_rubrics()) or "none"
        raise RubricError(f"no built-in rubric named {text!r} (built-in: {known})")
    return candidate


def load_rubric(name_or_path: str | Path | Rubric = DEFAULT_RUBRIC) -> Rubric:
    """Load a rubric by built-in name or from a YAML file, validating everything.

    Examples
    --------
    >>> from assess import load_rubric
    >>> r = load_rubric("military-diplomacy")
    >>> round(sum(c.weight for c in r.criteria), 9)
    1.0
    """
    if isinstance(name_or_path, Rubric):
        return name_or_path
    path = _resolve(name_or_path)
    return parse_rubric(_read_text(path), source=str(path))


def check_rubric(path: str | Path) -> list[RubricProblem]:
    """Every problem with a rubric file, each with its key path; empty when it is valid.

    Unlike :func:`load_rubric` this raises nothing for a rubric that cannot be used: a file that
    is missing, unreadable or not YAML is one problem whose ``key`` is ``""``.

    Parameters
    ----------
    path : str or Path
        A rubric YAML file (or a built-in rubric's name).

    Returns
    -------
    list of RubricProblem
        In the order found: each field's problems, then those that span several parts.

    Examples
    --------
    >>> from assess import check_rubric
    >>> check_rubric("military-diplomacy")
    []
    """
    try:
        resolved = _resolve(path)
        source = str(resolved)
        return _checked(_parse_yaml(_read_text(resolved), source), source)[1]
    except RubricError as exc:
        return [RubricProblem("", str(exc))]


def _read_text(path: Path) -> str:
    try:
        if path.stat().st_size > MAX_RUBRIC_BYTES:
            raise RubricError(f"rubric {path} is larger than {MAX_RUBRIC_BYTES // 1000} kB")
        return path.read_text(encoding="utf-8-sig")
    except UnicodeDecodeError as exc:
        raise RubricError(f"rubric {path} is not UTF-8 text ({exc.reason})") from exc
    except OSError as exc:
        raise RubricError(f"cannot read rubric {path}: {exc.strerror or exc}") from exc


def _parse_yaml(text: str, source: str) -> Any:
    try:
        return yaml.load(text, Loader=_NoAliasLoader)  # noqa: S506 - a SafeLoader subclass
    except yaml.YAMLError as exc:
        mark = getattr(exc, "problem_mark", None)
        where = f" at line {mark.line + 1}, column {mark.column + 1}" if mark else ""
        problem = getattr(exc, "problem", None) or str(exc)
        raise RubricError(f"rubric {source} is not valid YAML{where}: {problem}") from exc


def parse_rubric(text: str, source: str = "<text>") -> Rubric:
    """Parse and validate rubric YAML text."""
    return validate_rubric(_parse_yaml(text, source), source=source)


_SLUG = re.compile(r"[^a-z0-9]+")


def slug(text: str) -> str:
    return _SLUG.sub("_", text.lower()).strip("_")
