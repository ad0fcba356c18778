"""How the reports word an analysis's figures and settings, and draw their charts, alike in
every format.

The terminal tables and the Markdown report show a figure as :func:`figure` writes it (rounded
as the Excel report shows it, see :mod:`assess.display`); every format names a sensitivity
run's concentration as :func:`concentration` does.  Every chart colours its criteria from
:data:`CRITERION_PALETTE` and puts its axis ticks at round numbers (:func:`nice_ticks`,
:func:`nice_range`).
"""

from __future__ import annotations

import math
import re
from typing import Any

from ..display import fixed


def figure(value: Any, spec: str = ".2f", blank: str = "–") -> str:
    """A figure as the reports show it.

    Parameters
    ----------
    value : Any
        The figure; None or NaN is shown as ``blank``.
    spec : str
        ``.Nf`` for N decimals rounded as the Excel report shows them, or any other format
        specification (``g`` for an input value as written).
    blank : str
        What a missing figure shows.

    Returns
    -------
    str
        The figure's text.
    """
    if value is None:
        return blank
    v = float(value)
    if math.isnan(v):
        return blank
    places = re.fullmatch(r"\.(\d+)f", spec)
    return fixed(v, int(places.group(1))) if places else format(v, spec)


def concentration(k: float) -> str:
    """A sensitivity run's Dirichlet concentration in words: infinite keeps the rubric's
    weights.

    Parameters
    ----------
    k : float
        The concentration.

    Returns
    -------
    str
        ``"∞ (the rubric's weights)"``, or the number as written.
    """
    return "∞ (the rubric's weights)" if math.isinf(k) else f"{k:g}"


def change_text(value: Any, arrows: bool = True, blank: str = "–") -> str:
    """A change of score as the reports show it: as the Excel report's Change column shows it
    (number format ``+0.0;-0.0;0.0``: signed by the value, one decimal), after ▲ for a rise or
    ▼ for a fall.

    Parameters
    ----------
    value : Any
        The change in points; None or NaN is shown as ``blank``.
    arrows : bool
        Put ▲ before a rise and ▼ before a fall.
    blank : str
        What a missing change shows.

    Returns
    -------
    str
        E.g. ``"▲ +11.4"``, ``"▼ -5.7"``, ``"0.0"``.
    """
    try:
        v = float(value)
    except TypeError:  # None, pandas' <NA>
        return blank
    if math.isnan(v):
        return blank
    if v == 0:
        return "0.0"
    text = ("+" if v > 0 else "-") + fixed(abs(v), 1)
    if not arrows:
        return text
    return f"{'▲' if v > 0 else '▼'} {text}"


def sentence(text: str) -> str:
    """``text`` as a sentence: its first letter a capital, a full stop at the end."""
    text = text.strip()
    if not text:
        return text
    return text[0].upper() + text[1:] + ("" if text.endswith((".", "!", "?")) else ".")


#: One colour per criterion, in rubric order, in every chart (wrapping after ten); no reds or
#: greens, which the bands use.
CRITERION_PALETTE = (
    "#4e79a7",
    "#f28e2b",
    "#76b7b2",
    "#b07aa1",
    "#9c755f",
    "#edc948",
    "#ff9da7",
    "#86bcb6",
    "#a0cbe8",
    "#bab0ac",
)

#: What is neither a criterion nor a band (a group's interval, the aggregation switch): a slate
#: that no criterion or band uses.
NEUTRAL_COLOUR = "#5b6b7f"


def criterion_colours(n: int) -> list[str]:
    """The colours of ``n`` criteria in rubric order, from :data:`CRITERION_PALETTE`.

    Parameters
    ----------
    n : int
        How many criteria.

    Returns
    -------
    list of str
        ``#rrggbb`` colours.
    """
    return [CRITERION_PALETTE[i % len(CRITERION_PALETTE)] for i in range(n)]


def nice_step(span: float, intervals: int = 5, integer: bool = False) -> float:
    """The smallest round step (1, 2, 2.5 or 5 times a power of ten) that divides ``span``
    into at most ``intervals`` steps.

    Parameters
    ----------
    span : float
        The length of the axis.
    intervals : int
        The most steps wanted.
    integer : bool
        Only whole steps (an axis of ranks or counts).

    Returns
    -------
    float
        The step; 1 for an empty or unusable span.
    """
    if not (math.isfinite(span) and span > 0):
        return 1.0
    raw = span / max(1, intervals)
    power = 10.0 ** math.floor(math.log10(raw))
    for multiple in (1, 2, 2.5, 5, 10):
        step = multiple * power
        if integer and (step < 1 or not float(step).is_integer()):
            continue
        if step >= raw * (1 - 1e-9):
            return step
    return max(1.0, 10 * power)


def _tick_values(low: float, high: float, step: float) -> list[float]:
    digits = max(0, -math.floor(math.log10(step)) + 1)
    first = math.ceil(low / step - 1e-9)
    last = math.floor(high / step + 1e-9)
    return [round(k * step, digits) + 0.0 for k in range(first, last + 1)]


def nice_ticks(low: float, high: float, intervals: int = 5, integer: bool = False) -> list[float]:
    """Ticks at round numbers within ``low`` to ``high``: the multiples of
    :func:`nice_step` of the span (0, 25, 50, 75, 100 rather than 0, 33.3, 66.7, 100).

    Parameters
    ----------
    low, high : float
        The axis's ends, as drawn.
    intervals : int
        The most steps between ticks.
    integer : bool
        Only whole steps (ranks, counts).

    Returns
    -------
    list of float
        The ticks, lowest first.

    Examples
    --------
    >>> nice_ticks(0, 100, 4)
    [0.0, 25.0, 50.0, 75.0, 100.0]
    >>> nice_ticks(1, 49, integer=True)
    [10.0, 20.0, 30.0, 40.0]
    """
    if not (math.isfinite(low) and math.isfinite(high)) or high < low:
        return []
    if high == low:
        return [float(low)]
    return _tick_values(low, high, nice_step(high - low, intervals, integer))


def nice_range(
    low: float, high: float, intervals: int = 5, integer: bool = False
) -> tuple[float, float, list[float]]:
    """An axis holding ``low`` to ``high`` whose ends are ticks at round numbers.

    Parameters
    ----------
    low, high : float
        The values the axis must hold.
    intervals : int
        The most steps between ticks.
    integer : bool
        Only whole steps.

    Returns
    -------
    tuple of (float, float, list of float)
        The axis's ends and its ticks (the ends among them).

    Examples
    --------
    >>> nice_range(12, 99)
    (0.0, 100.0, [0.0, 20.0, 40.0, 60.0, 80.0, 100.0])
    """
    if not (math.isfinite(low) and math.isfinite(high)):
        return 0.0, 1.0, [0.0, 1.0]
    if high <= low:
        low, high = low - 0.5, low + 0.5
    step = nice_step(high - low, intervals, integer)
    lo = math.floor(low / step + 1e-9) * step
    hi = math.ceil(high / step - 1e-9) * step
    while (hi - lo) / step > intervals + 1e-9:  # the rounding out added a step: a longer one
        step = nice_step(step * (intervals + 1), intervals, integer)
        lo = math.floor(low / step + 1e-9) * step
        hi = math.ceil(high / step - 1e-9) * step
    ticks = _tick_values(lo, hi, step)
    return ticks[0], ticks[-1], ticks


def tick_text(value: float) -> str:
    """A tick's label: the number without trailing zeros (``25``, ``0.5``, ``2.5``)."""
    return f"{value:g}"
