"""How every report rounds a figure for display: the way the Excel report's cells show it.

The workbook is what analysts check figures against, so every other output (terminal, HTML,
Markdown, ``assess explain``) shows a figure exactly as a workbook cell with the number format
``0.0`` (``0.00``, ``0%`` ...) shows the same value.  The machine outputs (CSV, JSON) are not
rounded at all.

The rule
--------
A spreadsheet does not round the binary double a cell holds; it rounds the decimal number
the cell stands for, and it rounds a tie half away from zero:

* Excel works to 15 significant digits: a cell holding the double nearest 0.15
  (0.1499999999999999944...) is the number 0.150000000000000, and ``0.0`` shows it as 0.2.
  Python's own ``f"{x:.1f}"`` rounds the exact binary value, half to even, and prints 0.1;
  for 96.25 (exactly representable) it prints 96.2 where the workbook shows 96.3.
* LibreOffice shows the same for every value whose shortest decimal form has at most
  15 significant digits (checked against LibreOffice 7.4 by the tests).  It differs only
  for values a couple of units in the 16th or 17th digit away from a tie, e.g.
  96.24999999999999, where its own floating-point arithmetic decides.

So :func:`rounded` takes the value's decimal form to 15 significant digits (``format(x,
".15g")``, correctly rounded) and rounds that with :data:`decimal.ROUND_HALF_UP`, which in
:mod:`decimal` means half away from zero, as Excel does.  The engine rounds every score to
10 decimal places, so a score (at most 13 significant digits) never sits in the 16th-digit
gap where the two spreadsheet programs can disagree.  A percentage is the decimal form
times 100, rounded the same way (LibreOffice multiplies by 100 in binary first, so for a
share stored just below a half-percent tie, 0.145 = 0.14499999999999999..., it shows 14%
where the 15-digit rule gives 15%).  A figure that rounds to zero is shown without a minus
sign, as LibreOffice shows it.
"""

from __future__ import annotations

import math
from decimal import ROUND_HALF_UP, Context, Decimal
from typing import Any

#: Significant digits a spreadsheet keeps of a number (Excel's documented precision).
SIGNIFICANT_DIGITS = 15
_CONTEXT = Context(prec=60, rounding=ROUND_HALF_UP)


def _finite(value: Any) -> float | None:
    """``value`` as a float, or None when it is missing (None, NaN, <NA>) or infinite."""
    if value is None:
        return None
    try:
        v = float(value)
    except TypeError:  # pandas' <NA>
        return None
    return v if math.isfinite(v) else None


def decimal_form(value: float) -> Decimal:
    """The decimal number a spreadsheet cell holding ``value`` stands for (15 digits)."""
    return Decimal(format(value, f".{SIGNIFICANT_DIGITS}g"))


def rounded(value: float, places: int) -> Decimal:
    """``value`` rounded to ``places`` decimals as a workbook cell shows it (see above)."""
    step = Decimal(1).scaleb(-places)
    out = decimal_form(value).quantize(step, context=_CONTEXT)
    return out.copy_abs() if out.is_zero() else out


def fixed(value: Any, places: int = 1, blank: str = "") -> str:
    """``value`` as the number format ``0.0`` (``places`` zeros after the point) shows it;
    ``blank`` for a missing value."""
    v = _finite(value)
    return blank if v is None else f"{rounded(v, places):f}"


def percent(value: Any, places: int = 0, blank: str = "") -> str:
    """A share (0.5 for half) as the number format ``0%`` (``0.0%`` for ``places=1``) shows
    it; ``blank`` for a missing value."""
    v = _finite(value)
    if v is None:
        return blank
    out = (decimal_form(v).scaleb(2)).quantize(Decimal(1).scaleb(-places), context=_CONTEXT)
    return f"{out.copy_abs() if out.is_zero() else out:f}%"


def trimmed(value: Any, places: int = 2, blank: str = "") -> str:
    """``value`` rounded like :func:`fixed` to at most ``places`` decimals, without trailing
    zeros (a rating of 3 shows as 3, of 2.125 as 2.13: what ``0.0#`` shows, less its zero)."""
    v = _finite(value)
    if v is None:
        return blank
    text = f"{rounded(v, places):f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


__all__ = ["SIGNIFICANT_DIGITS", "decimal_form", "fixed", "percent", "rounded", "trimmed"]
