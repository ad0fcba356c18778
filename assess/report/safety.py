"""Keep text from the input inert in every output."""

from __future__ import annotations

import re
from typing import Any

import numpy as np

from ..distinct import distinct_cells
from .text import inert_json, printable  # noqa: F401 - what the writers import from here

# What spreadsheet programs may treat as the start of a formula (OWASP CSV injection).
FORMULA_PREFIXES = ("=", "+", "-", "@", "\t", "\r", "\n", "\uff1d", "\uff0b", "\uff0d", "\uff20")
# C0 controls but tab, LF and CR; DEL; the C1 controls (U+0080-U+009F, which a terminal may
# read as escape sequences too)
_CONTROL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f]")
#: Excel's limit for one cell, in UTF-16 code units (what Excel counts as characters)
MAX_CELL_TEXT = 32767
#: Excel's limit of columns on one sheet
MAX_COLUMNS = 16384


def defuse(text: str) -> str:
    """Text that cannot be read as a formula: a leading apostrophe where it could be."""
    return "'" + text if text.startswith(FORMULA_PREFIXES) else text


def too_long(text: str) -> bool:
    """True when ``text`` is longer than an Excel cell holds (:data:`MAX_CELL_TEXT` UTF-16
    code units: a character beyond U+FFFF counts twice)."""
    # a text of at most half the limit cannot exceed it: skip encoding nearly every text
    return len(text) > MAX_CELL_TEXT // 2 and len(text.encode("utf-16-le")) > 2 * MAX_CELL_TEXT


def _cut(text: str) -> str:
    """``text`` cut to fit an Excel cell, ending in "…", when it is too long for one."""
    if not too_long(text):
        return text
    units = text.encode("utf-16-le")[: 2 * (MAX_CELL_TEXT - 1)]
    # never keep half of a surrogate pair
    return units.decode("utf-16-le", errors="ignore") + "…"


#: A web address in input text (evidence): http or https, up to the next space, quote or
#: bracket; a report makes it a live link only when asked (``link_evidence``).
WEB_ADDRESS = re.compile(r"https?://[^\s<>\"'()\[\]{}]+", re.IGNORECASE)
#: Punctuation that ends a sentence rather than an address.
ADDRESS_END = ".,;:!?"


def clean_text(text: str) -> str:
    """Drop control characters (XML cannot hold most of them, a terminal obeys them) and cut
    text longer than an Excel cell holds, ending it in "…" (see :func:`too_long`)."""
    return _cut(_CONTROL.sub("", text))


def safe_cell(value: Any) -> Any:
    """A carried value as written to CSV or Markdown: text cleaned and defused, and then
    still no longer than an Excel cell holds."""
    if isinstance(value, str):
        return _cut(defuse(_CONTROL.sub("", value)))
    return value


# Cells safe_cell may change: a formula prefix, a control character (the class _CONTROL
# matches), or perhaps too long.  The same syntax for Arrow's RE2 and Python's re.
_UNSAFE = (
    "^["
    + "".join(p for p in FORMULA_PREFIXES if p != "-")
    + "-]|[\\x00-\\x08\\x0b\\x0c\\x0e-\\x1f\\x7f-\\x9f]"
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
        # perhaps too long (see too_long): safe_cell decides
        pc.greater(pc.utf8_length(arr), MAX_CELL_TEXT // 2),
    ).fill_null(False)
    hits = np.flatnonzero(unsafe.to_numpy(zero_copy_only=False))
    if len(hits):
        fixed = pa.array([safe_cell(arr[int(i)].as_py()) for i in hits], type=pa.large_string())
        arr = pc.replace_with_mask(arr, unsafe, fixed)
    return arr


# -- what the reports cannot hold as it is --------------------------------------------------


def excel_carried_room(rubric) -> int:
    """How many carried columns the Excel report's Scores sheet holds: :data:`MAX_COLUMNS`
    less its own (rank and id; per criterion the rating and the points; completeness, score,
    band, gates, source file, sheet, row and the sort key)."""
    return MAX_COLUMNS - (2 + 2 * len(rubric.criteria) + 8)


def _long_texts(values) -> int:
    """How many of ``values`` (a pandas Series or Index) are text too long for a cell."""
    import pandas as pd

    if isinstance(values.dtype, pd.StringDtype):  # Arrow-backed text: lengths at once
        lengths = values.str.len().to_numpy(dtype=float, na_value=0)
        values = values[lengths > MAX_CELL_TEXT // 2]
    return sum(1 for v in values.to_numpy() if isinstance(v, str) and too_long(v))


def report_notes(result) -> list[str]:
    """Every note a report shows: what reading the inputs noted
    (:meth:`~assess.result.Result.source_notes`), then :func:`limit_notes`."""
    return result.source_notes() + limit_notes(result)


def limit_notes(result) -> list[str]:
    """Notes on what the reports cannot hold as it is, for every output to show: text longer
    than an Excel cell holds (cut in every report but JSON), and carried columns beyond the
    Excel report's room (see :func:`excel_carried_room`)."""
    eng = result.engagements
    long = _long_texts(eng.index) + sum(_long_texts(eng[c]) for c in result.carried_columns)
    long += sum(too_long(c) for c in result.carried_columns)
    long += sum(
        isinstance(v, str) and too_long(v)
        for r in result.rejected
        for p in r.problems
        for v in (p.header, p.value)
    )
    notes = []
    if long:
        notes.append(
            f"{long} cell{'s' if long > 1 else ''} of input text {'are' if long > 1 else 'is'} "
            f"longer than Excel's cell limit of {MAX_CELL_TEXT:,} characters: the Excel, CSV, "
            "Markdown and HTML reports cut such text there, ending it in “…” (the JSON report "
            "holds it whole)"
        )
    carried = result.carried_columns
    room = excel_carried_room(result.rubric)
    if len(carried) > room:
        notes.append(
            f"the Excel report leaves out the last {len(carried) - room:,} of the "
            f"{len(carried):,} carried columns, from {carried[room]!r} on: a sheet holds at most "
            f"{MAX_COLUMNS:,} columns (the CSV and JSON reports have them all)"
        )
    return notes


# Characters that Markdown (CommonMark, GitHub's and pandoc's extensions) may read as syntax
# anywhere in a line: escapes, code, emphasis, links and images, strikethrough, sub- and
# superscript, maths, table cells; and HTML (tags, entities), written as entities.
_MD_ACTIVE = re.compile(r"[\\`*_\[\]~^$|<>&]")
_MD_ENTITIES = {"<": "&lt;", ">": "&gt;", "&": "&amp;"}
# What would open a block at the start of a line (a list item's text starts one): a heading,
# a list item (- or + or 1. or 1)), a heading's underline, pandoc's example list ((@)).
_MD_LEADING = re.compile(r"^(?:[#(=+-]|\d+(?=[.)]))")


def md_text(text: str) -> str:
    """Text as written in Markdown so that it renders as written: syntax characters escaped
    with a backslash, ``<``, ``>`` and ``&`` as entities, line breaks as spaces."""
    text = _MD_ACTIVE.sub(lambda m: _MD_ENTITIES.get(m[0]) or "\\" + m[0], text)
    text = _MD_LEADING.sub(lambda m: m[0] + "\\" if m[0][0].isdigit() else "\\" + m[0], text)
    return text.replace("\r\n", " ").replace("\n", " ").replace("\r", " ")


def md_cell(value: Any) -> str:
    """A value from the input as Markdown text: defused and cleaned as in the CSV report,
    then escaped (see :func:`md_text`)."""
    if value is None or (isinstance(value, float) and value != value) or _is_na(value):
        return ""
    return md_text(str(safe_cell(value)) if isinstance(value, str) else str(value))


def _is_na(value: Any) -> bool:
    import pandas as pd

    return value is pd.NA
