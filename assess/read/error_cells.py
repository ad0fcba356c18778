"""Formula error cells (``#DIV/0!``, ``#N/A``...) of a workbook, found in the file itself.

python-calamine reads an error cell as an empty string, which would turn a broken formula into
a missing rating without a word.  This finds them instead: in an .xlsx/.xlsm's sheet XML as its
size check inflates it (:class:`XlsxErrorCells`), in an .xls's BIFF records (by xlrd), and in an
.ods's content.xml (:func:`ods_error_cells`).
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

from ..errors import InputError
from .raw import Sheets

#: Formula error cells by sheet name as (row, column, text), 0-based.
ErrorCells = dict[str, list[tuple[int, int, str]]]

_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)([0-9]+)"[^>]*?t="e"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>', re.S
)


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


class XlsxErrorCells:
    """Formula error cells of one .xlsx/.xlsm sheet as (row, column, text), 0-based, found
    in the sheet's XML chunk by chunk as the workbook's pre-scan inflates it.

    python-calamine reads error cells as empty strings, which would turn a broken formula
    into a missing rating without a word; this finds them in the sheet XML instead.  Each
    chunk is searched up to its last ``</c>`` (a cell never spans that cut); what follows
    waits for the next chunk, keeping at most its last :data:`CARRY` bytes (far more than
    any error cell's XML, whose formula Excel limits to 8,192 characters).
    """

    CARRY = 1 << 20

    def __init__(self) -> None:
        self.found: list[tuple[int, int, str]] = []
        self._carry = b""

    def __call__(self, chunk: bytes | None) -> None:
        if chunk is None:
            data, self._carry = self._carry, b""
        else:
            buf = self._carry + chunk if self._carry else chunk
            cut = buf.rfind(b"</c>")
            if cut < 0:
                self._carry = buf[-self.CARRY :]
                return
            cut += 4
            data, self._carry = buf[:cut], buf[cut:][-self.CARRY :]
        if b't="e"' not in data:
            return
        import html

        self.found += [
            (int(r) - 1, _column_index(c), html.unescape(v.decode("utf-8", "replace")))
            for c, r, v in _ERROR_CELL.findall(data)
        ]


def formula_error_cells(path: Path, kind: str, sheets: Sheets) -> ErrorCells:
    """Formula error cells by sheet name as (row, column, text), 0-based, for any workbook.

    python-calamine reads an error cell as an empty string, as if it were blank; this looks
    them up in the file itself: the BIFF records of an .xls (by xlrd), the content.xml of an
    .ods (an .xlsx's are found by the pass that checks its size).  Only cells within each
    sheet's rows as read count.
    """
    if kind == "ole":
        return _xls_error_cells(path)
    if kind == "zip" and path.suffix.lower() == ".ods":
        sizes = {name: (len(rows), max(map(len, rows), default=0)) for name, _, rows in sheets}
        return ods_error_cells(path, sizes)
    return {}  # .xlsx: found while its size is checked (assess.limits.scan_workbook)


def _xls_error_cells(path: Path) -> ErrorCells:
    """Formula error cells of a BIFF (.xls) workbook, read by xlrd."""
    try:
        import xlrd
    except ImportError as exc:  # a dependency: only a broken installation lacks it
        raise InputError(f"{path.name}: .xls workbooks need xlrd: pip install xlrd") from exc

    found: ErrorCells = {}
    try:
        book = xlrd.open_workbook(str(path), on_demand=True, logfile=io.StringIO())
    except Exception:  # xlrd raises its own and struct errors; calamine has read the file
        return {}
    try:
        for index in range(book.nsheets):
            sheet = book.sheet_by_index(index)
            cells = []
            for r in range(sheet.nrows):
                types = sheet.row_types(r)
                if xlrd.XL_CELL_ERROR not in types:
                    continue
                for c in (c for c, t in enumerate(types) if t == xlrd.XL_CELL_ERROR):
                    code = sheet.cell_value(r, c)
                    cells.append((r, c, xlrd.error_text_from_code.get(code, "#ERROR")))
            if cells:
                found[sheet.name] = cells
            book.unload_sheet(index)
    except Exception:
        return {}
    finally:
        book.release_resources()
    return found


_ODS_TABLE = "{urn:oasis:names:tc:opendocument:xmlns:table:1.0}"
_ODS_TEXT_P = "{urn:oasis:names:tc:opendocument:xmlns:text:1.0}p"
_ODS_CALCEXT = "{urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0}"
_ODS_CELLS = {_ODS_TABLE + "table-cell", _ODS_TABLE + "covered-table-cell"}


def ods_error_cells(path: Path, sizes: dict[str, tuple[int, int]]) -> ErrorCells:
    """Formula error cells of an .ods, from a streaming parse of its content.xml.

    LibreOffice marks a formula's error result with ``calcext:value-type="error"``.  Positions
    follow ``number-columns-repeated``/``number-rows-repeated`` and covered (merged) cells; a
    repeat is counted in full but expanded only within the sheet's ``sizes`` (rows, columns)
    as read, so a huge repeat count costs nothing.
    """
    import xml.etree.ElementTree as ET
    import zipfile

    found: ErrorCells = {}
    needle = b'value-type="error"'
    try:
        with zipfile.ZipFile(path) as z:
            with z.open("content.xml") as fh:  # most workbooks have no error cell: look first
                tail, seen = b"", False
                for chunk in iter(lambda: fh.read(1 << 20), b""):
                    if needle in tail + chunk:
                        seen = True
                        break
                    tail = chunk[-len(needle) :]
            if not seen:
                return {}
            with z.open("content.xml") as fh:
                _ods_scan(ET.iterparse(fh, events=("start", "end")), sizes, found)
    except (KeyError, OSError, zipfile.BadZipFile, ET.ParseError, ValueError):
        return {}  # calamine has read the file; this extra look is best effort
    return found


def _ods_scan(events, sizes: dict[str, tuple[int, int]], found: ErrorCells) -> None:
    table, row_tag = _ODS_TABLE + "table", _ODS_TABLE + "table-row"
    error_type = _ODS_CALCEXT + "value-type"
    stack: list[Any] = []  # the open elements
    sheet: str | None = None
    limit = (0, 0)
    row = col = 0
    in_cell = 0  # depth of open cells: what is inside a cell (a note, a sub-table) is skipped
    for event, elem in events:
        tag = elem.tag
        if event == "start":
            stack.append(elem)
            if tag in _ODS_CELLS:
                in_cell += 1
            elif tag == table and sheet is None:
                sheet = elem.get(_ODS_TABLE + "name", "")
                limit, row = sizes.get(sheet, (0, 0)), 0
            elif tag == row_tag and not in_cell:
                col = 0
            continue
        stack.pop()
        if tag in _ODS_CELLS:
            in_cell -= 1
            if not in_cell and sheet is not None:
                span = _ods_repeat(elem, "number-columns-repeated")
                if elem.get(error_type) == "error" and tag != _ODS_TABLE + "covered-table-cell":
                    # the cell's own paragraphs (a comment on it has its own, deeper down)
                    text = "".join("".join(p.itertext()) for p in elem.findall(_ODS_TEXT_P))
                    repeated = _ods_repeat(stack[-1], "number-rows-repeated")
                    cells = found.setdefault(sheet, [])
                    for r in range(row, min(row + repeated, limit[0])):
                        for c in range(col, min(col + span, limit[1])):
                            cells.append((r, c, text.strip() or "#ERROR"))
                col += span
        elif tag == row_tag and not in_cell and sheet is not None:
            row += _ods_repeat(elem, "number-rows-repeated")
        elif tag == table and not in_cell:
            sheet = None
        if in_cell:
            continue  # a cell's content is read when the cell ends
        if stack:
            stack[-1].remove(elem)  # keep only the open elements in memory
        else:
            elem.clear()


def _ods_repeat(elem: Any, name: str) -> int:
    try:
        return max(1, int(elem.get(_ODS_TABLE + name, "1")))
    except ValueError:
        return 1
