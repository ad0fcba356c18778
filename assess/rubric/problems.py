"""What can be wrong with a rubric: each problem with its key path, from the models' own
checks and from the checks that span several parts (ids, column names, bands, gates)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .names import normalise_header
from .parts import Identifier

#: how deeply a rubric's data may nest (no rubric needs more)
MAX_NESTING = 24


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


def nesting_depth(obj: Any, level: int = 0) -> int:
    """How deeply ``obj`` (data as loaded from YAML) nests, counted no further than just past
    :data:`MAX_NESTING`."""
    if level > MAX_NESTING:
        return level
    if isinstance(obj, dict):
        return max((nesting_depth(v, level + 1) for v in obj.values()), default=level + 1)
    if isinstance(obj, list):
        return max((nesting_depth(v, level + 1) for v in obj), default=level + 1)
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


def problem_from_error(err: dict[str, Any]) -> RubricProblem:
    """One of pydantic's validation errors as a problem: its key path, and what is wrong in
    plain words."""
    fmt = _MESSAGES.get(err["type"])
    msg = fmt(err) if fmt else err["msg"].removeprefix("Value error, ")
    return RubricProblem(_path(tuple(err["loc"])), msg)


def cross_reference_problems(data: dict[str, Any]) -> list[RubricProblem]:
    """Checks that span several parts of the rubric, done on the raw data so that they are
    reported together with the per-field problems."""
    crits, bands, gates = (
        data.get(k) if isinstance(data.get(k), list) else [] for k in ("criteria", "bands", "gates")
    )
    ident = data.get("identifier") if isinstance(data.get("identifier"), dict) else {}
    ids, problems = _criterion_problems(crits, ident)
    problems += _band_problems(bands)
    band_names = [b.get("name") for b in bands if isinstance(b, dict)]
    problems += _evidence_level_problems(data.get("require_evidence"), crits)
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
    its indicators' and its evidence column's (so they must not clash either)."""
    parts = [criterion, *(i for i in criterion.get("indicators") or [] if isinstance(i, dict))]
    names = [
        n
        for p in parts
        for n in (p.get("column"), *(p.get("aliases") or []), p.get("label"), p.get("id"))
    ]
    evidence = criterion.get("evidence")
    if isinstance(evidence, dict):
        names += [evidence.get("column"), *(evidence.get("aliases") or [])]
    return [n for n in names if isinstance(n, str) and n.strip()]


def _evidence_level_problems(rule: Any, crits: list[Any]) -> list[tuple[str, str]]:
    """(key path, problem) for a ``require_evidence`` level that is on no criterion's scale."""
    if not isinstance(rule, dict) or not isinstance(rule.get("levels"), list):
        return []
    values = set()
    for c in crits:
        scale = c.get("scale") if isinstance(c, dict) else None
        if isinstance(scale, dict) and not c.get("indicators"):
            lo, hi = scale.get("min", 0), scale.get("max", 4)
            if isinstance(lo, int) and isinstance(hi, int):
                values |= set(range(lo, hi + 1))
    return [
        (f"require_evidence.levels[{i}]", f"{v!r} is a level of no criterion's scale")
        for i, v in enumerate(rule["levels"])
        if isinstance(v, (int, float)) and values and v not in values
    ]


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
