"""What a workbook cell shows for a number under the number formats the reports use.

A model of Excel, written independently of ``assess.display`` (integer arithmetic on the
digits, no ``decimal``): the number is taken to 15 significant digits, then rounded half away
from zero to the format's decimals.  LibreOffice is the reference the LibreOffice tests check
this model against.
"""

from __future__ import annotations

#: number format -> (fewest decimals, most decimals, percentage)
FORMATS = {
    "0": (0, 0, False),
    "0.0": (1, 1, False),
    "0.00": (2, 2, False),
    "0.000": (3, 3, False),
    "0.0#": (1, 2, False),
    "0%": (0, 0, True),
    "0.0%": (1, 1, True),
}


def shown(value: float, number_format: str) -> str:
    """The text a cell holding ``value`` shows under ``number_format``."""
    least, most, pct = FORMATS[number_format]
    mantissa, exponent = f"{abs(value):.14e}".split("e")
    digits = int(mantissa.replace(".", ""))  # 15 significant digits
    # |value| = digits * 10**power, then in units of the last decimal shown
    power = int(exponent) - 14 + (2 if pct else 0) + most
    if power >= 0:
        units = digits * 10**power
    else:
        quotient, remainder = divmod(digits, 10**-power)
        units = quotient + (1 if 2 * remainder >= 10**-power else 0)  # half away from zero
    text = str(units).rjust(most + 1, "0")
    whole, frac = (text[:-most], text[-most:]) if most else (text, "")
    while len(frac) > least and frac.endswith("0"):
        frac = frac[:-1]
    sign = "-" if value < 0 and units else ""
    return sign + whole + ("." + frac if frac else "") + ("%" if pct else "")
