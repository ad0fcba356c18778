"""Outcome cells read as numbers, binary outcomes or ordered levels.

:func:`parse_outcomes` reads the cells of a past-cases outcome column as one of the
:data:`KINDS`, telling the kind from the cells when it is not given, and says for each cell
that cannot be read what was wrong with it (``'maybe' is not an outcome (success/failure)``).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import InputError
from ..rubric import normalise_header
from ..validation import MISSING_MARKERS, show, to_number

KINDS = ("numeric", "binary", "ordinal")

POSITIVE = frozenset(
    {"success", "successful", "succeeded", "yes", "y", "true", "1", "pass", "passed", "met"}
)
NEGATIVE = frozenset(
    {"failure", "failed", "fail", "unsuccessful", "no", "n", "false", "0", "not met"}
)


def _missing(value: Any) -> bool:
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return True
    return isinstance(value, str) and value.strip().casefold() in MISSING_MARKERS


def _as_text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    return str(value)


def _number(value: Any) -> float | None:
    if isinstance(value, bool) or _missing(value):
        return None
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value) if math.isfinite(value) else None
    return to_number(value) if isinstance(value, str) else None


def _binary(value: Any, levels: Sequence[str] | None) -> int | None:
    if levels is not None:
        key = normalise_header(_as_text(value))
        names = [normalise_header(lv) for lv in levels]
        return names.index(key) if key in names else None
    if isinstance(value, bool):
        return int(value)
    number = _number(value)
    if number is not None:
        return int(number) if number in (0.0, 1.0) else None
    text = " ".join(str(value).casefold().split())
    return 1 if text in POSITIVE else 0 if text in NEGATIVE else None


def _level(value: Any, levels: Sequence[str]) -> int | None:
    if isinstance(value, bool):
        return None
    key = normalise_header(_as_text(value))
    for i, lv in enumerate(levels):
        if normalise_header(lv) == key:
            return i
    return None


@dataclass(frozen=True)
class Outcomes:
    """Outcome cells read for one kind: values (NaN where unusable) and per-cell problems."""

    kind: str
    levels: tuple[str, ...] | None  # binary: (negative, positive); ordinal: worst to best
    values: np.ndarray  # float: the number, 0/1, or the level index
    errors: list[str | None]


def parse_outcomes(
    cells: Sequence[Any],
    kind: str = "auto",
    levels: Sequence[str] | None = None,
    band_names: Sequence[str] = (),
) -> Outcomes:
    """Read outcome cells as ``numeric``, ``binary`` or ``ordinal`` (``auto``: the kind that
    reads the most cells; ties go to ordinal, then binary).

    Ordinal levels are ``levels`` (worst first) when given, else the rubric's ``band_names``
    (best first, as rubrics list them).  Binary outcomes are success/failure, yes/no, 1/0,
    true/false or pass/fail; with ``levels`` the two given words, negative first.

    Examples
    --------
    >>> o = parse_outcomes(["success", "failure", "maybe", None])
    >>> o.kind, o.values.tolist()[:2], o.errors[2], o.errors[3]
    ('binary', [1.0, 0.0], "'maybe' is not an outcome (success/failure)", 'missing outcome')
    """
    cells = list(cells)
    if kind not in ("auto", *KINDS):
        raise InputError(f"unknown outcome kind {kind!r}; use auto, {', '.join(KINDS)}")
    if levels is not None:
        levels = tuple(str(lv).strip() for lv in levels if str(lv).strip())
        if len(levels) < 2 or len({normalise_header(lv) for lv in levels}) != len(levels):
            raise InputError("--levels needs at least two distinct levels, worst first")
    ordinal_levels = tuple(levels) if levels else tuple(reversed(band_names))
    present = [v for v in cells if not _missing(v)]
    readers: dict[str, Callable[[Any], float | None]] = {
        "ordinal": lambda v: _level(v, ordinal_levels),
        "binary": lambda v: _binary(v, levels if levels and len(levels) == 2 else None),
        "numeric": _number,
    }
    if kind == "auto":
        counts = {k: sum(readers[k](v) is not None for v in present) for k in readers}
        if levels is not None:  # two levels are a binary outcome, more an ordinal one
            counts["ordinal" if len(levels) == 2 else "binary"] = -1
        kind = max(counts, key=lambda k: counts[k])  # dict order breaks ties
        if not present or counts[kind] < 0.5 * len(present):
            shown = ", ".join(show(v) for v in list(dict.fromkeys(map(_as_text, present)))[:4])
            raise InputError(
                f"cannot tell what kind of outcome the column holds ({shown or 'no values'}); "
                "give --kind numeric|binary|ordinal (and --levels for an ordinal order)"
            )
    if kind == "binary" and levels is not None and len(levels) != 2:
        raise InputError("a binary outcome takes exactly two --levels: negative,positive")
    reader = readers[kind]
    expect = {
        "numeric": "a number",
        "binary": "/".join(levels[::-1]) if levels else "success/failure",
        "ordinal": ", ".join(ordinal_levels),
    }[kind]
    if present and not any(reader(v) is not None for v in present):
        _refuse_kind(kind, present, readers, expect)
    values = np.full(len(cells), np.nan)
    errors: list[str | None] = []
    for i, v in enumerate(cells):
        if _missing(v):
            errors.append("missing outcome")
            continue
        x = reader(v)
        if x is None:
            errors.append(f"{show(v)} is not an outcome ({expect})")
        else:
            values[i] = x
            errors.append(None)
    out_levels = (
        ordinal_levels
        if kind == "ordinal"
        else (tuple(levels) if levels else ("failure", "success"))
        if kind == "binary"
        else None
    )
    return Outcomes(kind, out_levels, values, errors)


def _refuse_kind(
    kind: str, present: list[Any], readers: dict[str, Callable[[Any], float | None]], expect: str
) -> None:
    """No outcome cell reads as the ``kind`` asked for: one line naming the values found, what
    the kind takes, and the kind that does read them, if one does."""
    first: dict[str, Any] = {}  # each distinct value as first written
    for v in present:
        first.setdefault(_as_text(v), v)
    values = list(first.values())
    shown = ", ".join(show(v) for v in values[:4]) + (", ..." if len(values) > 4 else "")
    takes = {
        "numeric": "numbers",
        "binary": f"binary outcomes ({expect})",
        "ordinal": f"levels ({expect}, worst first)",
    }[kind]
    counts = {k: sum(r(v) is not None for v in present) for k, r in readers.items() if k != kind}
    other = max(counts, key=lambda k: counts[k])
    fix = "give --levels worst first" if kind == "ordinal" else ""
    if counts[other] >= 0.5 * len(present):
        fix = f"{fix}, or use --kind {other}" if fix else f"use --kind {other}"
    raise InputError(
        f"--kind {kind}: the outcome values {shown} are not {takes}" + (f"; {fix}" if fix else "")
    )
