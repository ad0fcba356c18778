"""Figures of a run: what each target is checked as, and how numbers are shown."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass
class Check:
    """One target: what was compared, the figure, the goal, and whether it was met."""

    target: str
    compared: str
    value: float | None
    unit: str  # "x" for a ratio, "s", "MB"
    goal: str
    passed: bool | None  # None: not measured in this run
    note: str = ""

    @property
    def shown(self) -> str:
        if self.value is None:
            return "-"
        if self.unit == "x":
            return f"{self.value:.2f}x"
        if self.unit == "s":
            return f"{self.value:.2f} s" if self.value < 10 else f"{self.value:.1f} s"
        return f"{self.value:,.0f} {self.unit}"

    @property
    def verdict(self) -> str:
        return {True: "PASS", False: "FAIL", None: "n/a"}[self.passed]


def largest(rows: list[dict[str, Any]] | None) -> dict[str, Any] | None:
    """The row of the largest size ``n``, if any."""
    return max(rows, key=lambda r: r["n"]) if rows else None


def size_note(n: int, wanted: int) -> str:
    """A note when a figure was measured at fewer rows than its target names."""
    return "" if n >= wanted else f"measured at {n:,} rows (target is at {wanted:,})"


def number(d: dict[str, Any] | None, *keys: str) -> float | None:
    """``d[keys[0]][keys[1]]...`` as a float; None where missing or failed."""
    for k in keys:
        if not isinstance(d, dict) or d.get(k) is None or "error" in d:
            return None
        d = d[k]
    return float(d) if isinstance(d, (int, float)) else None


def ratio(a: float | None, b: float | None) -> float | None:
    """``a / b``, None when either is missing."""
    return a / b if a is not None and b else None


def secs(t: float | None) -> str:
    """Seconds as shown: milliseconds below 0.1 s."""
    if t is None:
        return "(failed)"
    return f"{t * 1000:.1f} ms" if t < 0.1 else f"{t:.2f} s"


def megabytes(v: float | None) -> str:
    """Megabytes as shown."""
    return "-" if v is None else f"{v:,.0f} MB"


def times(v: float | None) -> str:
    """A ratio as shown (``1.23x``)."""
    return "-" if v is None else f"{v:.2f}x"
