"""Keep text from the input inert in every output."""

from __future__ import annotations

import re
from typing import Any

# What spreadsheet programs may treat as the start of a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f]")
MAX_CELL_TEXT = 32767  # Excel's limit for one cell


def defuse(text: str) -> str:
    """Text that cannot be read as a formula: a leading apostrophe where it could be."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def clean_text(text: str) -> str:
    """Drop control characters that XML (xlsx) cannot hold and cap the length."""
    text = _CONTROL.sub("", text)
    return text if len(text) <= MAX_CELL_TEXT else text[: MAX_CELL_TEXT - 1] + "…"


def safe_cell(value: Any) -> Any:
    """A carried value as written to CSV or Markdown: text defused and cleaned."""
    if isinstance(value, str):
        return defuse(clean_text(value))
    return value


_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (escape sequences) become spaces."""
    return _TERMINAL_CONTROL.sub(" ", text)
