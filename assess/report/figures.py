"""How the reports word an analysis's figures and settings, alike in every format.

The terminal tables and the Markdown report show a figure as :func:`figure` writes it (rounded
as the Excel report shows it, see :mod:`assess.display`); every format names a sensitivity
run's concentration as :func:`concentration` does.
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
