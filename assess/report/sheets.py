"""The worksheet every workbook assess writes uses, and how input values go into cells.

:class:`Worksheet` is XlsxWriter's worksheet with faster paths for the cells assess generates
itself; :class:`Row` makes those cells; :func:`write_value` writes a value from the input
with its own type, text always as a text cell (never a formula, URL or number).
"""

from __future__ import annotations

import datetime as dt
import math
import re
from typing import Any

import numpy as np
import pandas as pd
import xlsxwriter.worksheet
from xlsxwriter.worksheet import (
    CellNumberTuple,
    CellStringTuple,
    re_dynamic_function,
)
from xlsxwriter.xmlwriter import XMLwriter, xml_escapes

from .safety import clean_text

WORKBOOK_OPTIONS = {
    # Input text must stay text: never a formula, URL or number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
    # Rows are streamed to disk as they are written: memory stays flat for large reports.
    "constant_memory": True,
}
ROW = "\x00"  # stands for the row number in a formula template


# Functions our formulas use; all are in Excel 2007 and LibreOffice, none needs a _xlfn. prefix.
CLASSIC_FUNCTIONS = frozenset(
    "IF AND OR ISNUMBER ROUND SUM SUMPRODUCT PRODUCT POWER N MATCH INDEX MIN MAX SUBSTITUTE TRIM "
    "RANK ROW COUNT COUNTIF AVERAGE STDEV LARGE SMALL IFERROR AVERAGEIFS COUNTIFS".split()
)
_FUNCTION = re.compile(r"([A-Z][A-Z0-9.]*)\(")


#: What XlsxWriter's _escape_control_characters changes: text like its own _xHHHH_ escapes,
#: control characters, and the two non-characters U+FFFE and U+FFFF.
_NEEDS_CONTROL_ESCAPE = re.compile("_x[0-9a-fA-F]{4}_|[\x00-\x08\x0b-\x1f\ufffe\uffff]")


class RowBuffer(list):
    """Stands in for a worksheet's file while one row is written: collects the text."""

    write = list.append


class Worksheet(xlsxwriter.worksheet.Worksheet):
    """A worksheet with faster paths for the cells we generate ourselves.

    XlsxWriter checks every formula against ~300 newer function names with one regular
    expression each; ours use only classic functions, so that is skipped when it is safe.
    ``put_row`` stores a whole row of ready-made cells at once (see ``Row``), and the XML
    escaping helpers decide "nothing to escape" for numbers without raising an exception.
    """

    def _prepare_formula(self, formula, expand_future_functions=False):
        if set(_FUNCTION.findall(formula)) <= CLASSIC_FUNCTIONS:
            # what the base class strips too: an array formula's braces and the leading =
            if formula.startswith("{") and formula.endswith("}"):
                formula = formula[1:-1]
            return formula[1:] if formula.startswith("=") else formula
        return super()._prepare_formula(formula, expand_future_functions)

    # XlsxWriter's escaping helpers return anything that is not text unchanged, but find that
    # out by catching the TypeError their regular expression raises: slow for every number
    # and format index written. Text still takes exactly XlsxWriter's own path.
    def _escape_data(self, data, _escape=XMLwriter._escape_data):
        return _escape(self, data) if isinstance(data, str) else data

    def _escape_attributes(
        self, attribute, _escape=XMLwriter._escape_attributes, _search=xml_escapes.search
    ):
        # attributes (cell references, style numbers) almost never need escaping: look first
        return (
            _escape(self, attribute)
            if isinstance(attribute, str) and _search(attribute)
            else attribute
        )

    # Inline text is searched twice (with a substitution each time) for control characters and
    # for text that looks like their _xHHHH_ escapes; nearly all text has neither, which one
    # search over both finds out. Text that has either takes XlsxWriter's own path.
    @staticmethod
    def _escape_control_characters(
        data, _escape=XMLwriter._escape_control_characters, _search=_NEEDS_CONTROL_ESCAPE.search
    ):
        if isinstance(data, str) and not _search(data):
            return data
        return _escape(data)

    def _write_single_row(self, current_row_num=0) -> None:
        # In constant-memory mode XlsxWriter streams each finished row to a temporary file
        # opened for reading too, where every small write() also resets a text decoder. The
        # row's XML is unchanged; it is collected and written to that file in one piece.
        fh, self.fh = self.fh, RowBuffer()
        try:
            super()._write_single_row(current_row_num)
        finally:
            row_xml, self.fh = self.fh, fh
        if row_xml:
            fh.write("".join(row_xml))

    def put_row(self, row: int, cells: dict[int, tuple]) -> None:
        """Store a row of cells made by ``Row``: what ``write_string``, ``write_number`` and
        ``write_formula`` store one cell at a time, with their checks done once per column.

        Constant-memory mode only: rows must come in order, as they are streamed to disk.
        """
        if not self.constant_memory:
            raise ValueError("put_row needs constant_memory mode")
        if self._check_dimensions(row, min(cells)) or self._check_dimensions(row, max(cells)):
            raise ValueError(f"row {row} cannot be written (out of range or out of order)")
        if row > self.previous_row:
            self._write_single_row(row)  # streams the previous row to disk
        self.table[row].update(cells)


class Row:
    """Cells for ``Worksheet.put_row``, each exactly what XlsxWriter's own method stores.

    Values these cannot represent exactly (text too long to check cheaply, NaN or infinite
    numbers) are for the caller to write with XlsxWriter's public methods instead.
    """

    #: write_string checks (and may cut) the UTF-16 length of text longer than this: half of
    #: Worksheet.xls_strmax, Excel's 32767. Shorter text is stored as it is in constant_memory
    #: mode (no shared-string index).
    TEXT_CHECKED = 32767 // 2

    @staticmethod
    def text(text: str, fmt=None) -> tuple | None:
        return CellStringTuple(text, fmt) if len(text) <= Row.TEXT_CHECKED else None

    @staticmethod
    def number(number: float, fmt=None) -> tuple | None:
        # write_number turns NaN and infinities into error formulas: leave those to it
        return CellNumberTuple(number, fmt) if math.isfinite(number) else None

    @staticmethod
    def formula_parts(ws: Worksheet, template: str) -> list[str] | None:
        """``template`` (with ``ROW`` for the row number) split at ``ROW``, prepared as
        ``write_formula`` would prepare it, or None if a row's formula needs XlsxWriter's
        full handling. Only digits replace ``ROW``, so one check covers every row."""
        formula = template.replace(ROW, "1")
        if (
            not formula.startswith("=")
            or ROW + "(" in template
            or re_dynamic_function.search(formula)
            or not set(_FUNCTION.findall(formula)) <= CLASSIC_FUNCTIONS
        ):
            return None
        return ws._prepare_formula(template).split(ROW)


def is_missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def write_value(ws, r: int, c: int, value: Any, fmt=None, date_fmt=None) -> None:
    """Write a value from the input with its own type; text is always a text cell."""
    if is_missing(value):
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, clean_text(value), fmt)
    elif isinstance(value, (bool, np.bool_)):
        ws.write_boolean(r, c, bool(value), fmt)
    elif isinstance(value, (int, float, np.integer, np.floating)):
        ws.write_number(r, c, float(value), fmt)
    elif isinstance(value, (dt.datetime, dt.date)):
        ws.write_datetime(r, c, value, date_fmt or fmt)
    else:
        ws.write_string(r, c, clean_text(str(value)), fmt)


def write_figure(ws, r: int, c: int, value: Any, fmt=None) -> None:
    """Write a computed figure as a number cell; a missing one (None or NaN) as a blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(r, c, None, fmt)
    else:
        v = float(value)
        if math.isnan(v):
            ws.write_blank(r, c, None, fmt)
        else:
            ws.write_number(r, c, v, fmt)
