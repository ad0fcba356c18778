"""Spreadsheets -> a raw table, and where every cell came from.

:func:`read_table` opens an ``.xlsx``/``.xlsm``/``.xls``/``.ods`` workbook (via python-calamine,
which also returns the cached value of formula cells) or a ``.csv``/``.tsv``/``.txt`` file
(encoding and delimiter sniffed), finds the table whose header row best matches the
rubric's columns — under a title block, on a later sheet, with headers that differ in
case, spacing, punctuation or a unit suffix — and returns it untouched as a
:class:`RawTable`.  Nothing is interpreted here; :mod:`assess.validation` does that.

The modules, one job each:

* :mod:`~assess.read.raw`: the table as read (:class:`RawTable`, its columns and cells);
* :mod:`~assess.read.sheets`: a file (or DataFrame) -> its sheets, each as rows of cells;
* :mod:`~assess.read.workbook` and :mod:`~assess.read.error_cells`: opening workbooks, and
  their formula error cells;
* :mod:`~assess.read.delimited`: CSV and TSV files, with the Arrow fast path;
* :mod:`~assess.read.header`: finding the header row and matching its cells to the rubric;
* :mod:`~assess.read.blocks`: further tables below the first on a sheet;
* :mod:`~assess.read.tables`: :func:`read_table`, which finds the table in a file;
* :mod:`~assess.read.layouts`: several raters' layouts (long format, one sheet per rater).
"""

from __future__ import annotations

from .delimited import SAMPLE_BYTES, string_dtype, text_head
from .header import (
    ANALYSIS_PREFIXES,
    COMPUTED_COLUMNS,
    HEADER_SCAN_ROWS,
    Targets,
    carried_key,
    check_header,
    closest_header,
    computed_columns,
    find_header,
    header_targets,
    id_names,
    missing_allowance,
    renamed_note,
)
from .layouts import (
    LONG_ROLES,
    LongHeader,
    Source,
    long_layout,
    long_table,
    one_rater_text,
    rater_sheet_names,
    source_sheets,
)
from .raw import (
    Block,
    CellError,
    Column,
    RawTable,
    Role,
    Sheets,
    column_letter,
    present,
    trailing_blank,
)
from .sheets import (
    SUPPORTED_SUFFIXES,
    TEXT_SUFFIXES,
    WORKBOOK_SUFFIXES,
    file_sha256,
    frame_sheet,
    read_sheets,
)
from .tables import read_table

__all__ = [
    "ANALYSIS_PREFIXES",
    "COMPUTED_COLUMNS",
    "HEADER_SCAN_ROWS",
    "LONG_ROLES",
    "SAMPLE_BYTES",
    "SUPPORTED_SUFFIXES",
    "TEXT_SUFFIXES",
    "WORKBOOK_SUFFIXES",
    "Block",
    "CellError",
    "Column",
    "LongHeader",
    "RawTable",
    "Role",
    "Sheets",
    "Source",
    "Targets",
    "carried_key",
    "check_header",
    "closest_header",
    "column_letter",
    "computed_columns",
    "file_sha256",
    "find_header",
    "frame_sheet",
    "header_targets",
    "id_names",
    "long_layout",
    "long_table",
    "missing_allowance",
    "one_rater_text",
    "present",
    "rater_sheet_names",
    "read_sheets",
    "read_table",
    "renamed_note",
    "source_sheets",
    "string_dtype",
    "text_head",
    "trailing_blank",
]
