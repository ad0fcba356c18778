"""Keep text from the input inert in every output."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..validate import distinct_cells

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


# Cells safe_cell would change: a formula prefix, a control character (the class _CONTROL
# matches), or too long.  The same syntax for Arrow's RE2 and Python's re.
_UNSAFE = (
    "^["
    + "".join(p for p in FORMULA_PREFIXES if p != "-")
    + "-]|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f]"
)


def safe_text_column(values):
    """A column of cells as report text: a pyarrow string array, null where blank.

    The vectorised :func:`safe_cell`: text is defused and cleaned (only the few cells that
    need it go through Python); other values become the text ``str()`` gives them.
    """
    import pandas as pd
    import pyarrow as pa
    import pyarrow.compute as pc

    if not isinstance(values.dtype, pd.StringDtype):
        if pd.api.types.infer_dtype(values, skipna=True) not in {"string", "empty"}:
            # mixed cells (numbers, dates, text) as read from a workbook: each distinct once
            codes, uniques = distinct_cells(values.astype(object), exact_types=True)
            texts = [safe_cell(u) if isinstance(u, str) else str(u) for u in uniques]
            missing = codes < 0
            indices = pa.array(np.where(missing, 0, codes), mask=missing)
            return pa.array(texts or [""], type=pa.large_string()).take(indices)
        values = values.astype(pd.StringDtype("pyarrow"))
    arr = pa.array(values.array, type=pa.large_string())
    if isinstance(arr, pa.ChunkedArray):
        arr = arr.combine_chunks()
    unsafe = pc.or_(
        pc.match_substring_regex(arr, _UNSAFE),
        pc.greater(pc.utf8_length(arr), MAX_CELL_TEXT),
    ).fill_null(False)
    hits = np.flatnonzero(unsafe.to_numpy(zero_copy_only=False))
    if len(hits):
        fixed = pa.array([safe_cell(arr[int(i)].as_py()) for i in hits], type=pa.large_string())
        arr = pc.replace_with_mask(arr, unsafe, fixed)
    return arr


_TERMINAL_CONTROL = re.compile(r"[\x00-\x1f\x7f-\x9f]")


def printable(text: str) -> str:
    """Text safe to print on a terminal: control characters (escape sequences) become spaces."""
    return _TERMINAL_CONTROL.sub(" ", text)
