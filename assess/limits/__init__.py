"""Bounded reading: every input is checked, and read within one documented size limit.

``--max-input-size`` (``max_input_size=`` in Python; 512 MB by default) bounds the work that
any input can cause:

* **Only regular files are read.**  A named pipe, a device (``/dev/zero``, also through a
  symbolic link), a socket or a folder is refused before it is opened, and a file is opened
  without blocking, so nothing waits on a writer that never comes.
* **A file larger than the limit is refused** before it is read; no more than the limit is
  ever read from one.
* **Workbooks (zip archives: .xlsx, .xlsm, .xlsb, .ods) are checked before they are parsed.**
  The parts' declared sizes must add up to no more than the limit, and a part above
  :data:`RATIO_GRACE` must not expand more than :data:`MAX_RATIO`-fold (Apache POI's bound
  for decompression bombs); then every part is inflated once, in chunks of
  :data:`CHUNK` bytes, and must hold exactly what its header declares (Python's zip reader
  stops at the declared size and checks the CRC; python-calamine, which parses the same
  bytes afterwards, refuses a part longer than declared too).  The same pass measures how far
  each sheet's cells reach — every XML part under ``xl/`` is looked at as a sheet, and an
  .ods's ``content.xml`` with its repeated rows and columns, since the parser sets aside
  memory for every cell of that rectangle, however empty — and lets the reader look for
  formula errors.  At most :data:`MAX_PARTS` parts are listed.
* **The cells of a table are limited** to one per :data:`BYTES_PER_CELL` bytes of the limit
  (33,554,432 at the default), counted over the rectangle a sheet spans (``A1`` to its
  farthest cell) or over a CSV file's records times its widest record.  (.xls sheets are
  at most 65,536 x 256 cells by format; .xlsb sheets are checked for size only.)

Each refusal is one line naming the file, what was found and the limit.

The modules, one job each:

* :mod:`~assess.limits.sizes`: the limit itself (:func:`parse_size`, :func:`format_size`) and
  the cells it allows a table;
* :mod:`~assess.limits.regular`: regular files only, opened and read within the limit;
* :mod:`~assess.limits.archive`: a workbook's zip archive, its parts checked and inflated;
* :mod:`~assess.limits.workbook`: :func:`scan_workbook`, every check on a workbook before it
  is parsed;
* :mod:`~assess.limits.xlsx_extent` and :mod:`~assess.limits.ods_extent`: how far an .xlsx
  sheet's or an .ods table's cells reach.
"""

from __future__ import annotations

from .archive import CHUNK, MAX_PARTS, MAX_RATIO, RATIO_GRACE, Feeder
from .regular import check_input, describe_special, not_regular, open_input, read_input
from .sizes import (
    BYTES_PER_CELL,
    DEFAULT_MAX_INPUT_SIZE,
    GB,
    KB,
    MB,
    MaxSize,
    cells_error,
    format_size,
    max_cells,
    parse_size,
)
from .workbook import scan_workbook

__all__ = [
    "BYTES_PER_CELL",
    "CHUNK",
    "DEFAULT_MAX_INPUT_SIZE",
    "GB",
    "KB",
    "MAX_PARTS",
    "MAX_RATIO",
    "MB",
    "RATIO_GRACE",
    "Feeder",
    "MaxSize",
    "cells_error",
    "check_input",
    "describe_special",
    "format_size",
    "max_cells",
    "not_regular",
    "open_input",
    "parse_size",
    "read_input",
    "scan_workbook",
]
