"""Spreadsheets -> a raw table, and where every cell came from.

:func:`read_table` opens an ``.xlsx``/``.xlsm``/``.xls``/``.ods`` workbook (via python-calamine,
which also returns the cached value of formula cells) or a ``.csv``/``.tsv``/``.txt`` file
(encoding and delimiter sniffed), finds the table whose header row best matches the
rubric's columns — under a title block, on a later sheet, with headers that differ in
case, spacing, punctuation or a unit suffix — and returns it untouched as a
:class:`RawTable`.  Nothing is interpreted here; :mod:`assess.validation` does that.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

import numpy as np
import pandas as pd

from .errors import InputError, MissingColumnError
from .limits import (
    DEFAULT_MAX_INPUT_SIZE,
    MaxSize,
    cells_error,
    max_cells,
    open_input,
    parse_size,
    read_input,
    scan_workbook,
)
from .rubric import Rubric, normalise_header

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES | TEXT_SUFFIXES
HEADER_SCAN_ROWS = 50


def column_letter(index: int) -> str:
    """0-based column index -> Excel letters (0 -> A, 27 -> AB)."""
    letters = ""
    index += 1
    while index:
        index, rem = divmod(index - 1, 26)
        letters = chr(65 + rem) + letters
    return letters


Role = Literal["id", "criterion", "indicator", "carry"]


@dataclass(frozen=True)
class Column:
    """One column of the found table."""

    index: int  # 0-based position in the sheet
    header: str  # header text as written
    role: Role
    key: str  # criterion/indicator id, "id", or the carried column's name

    @property
    def letter(self) -> str:
        return column_letter(self.index)


@dataclass(frozen=True)
class Block:
    """A further table below the first on the same sheet, begun by a row that repeats the
    header (in any column order): its rows are read with its own columns."""

    header_row: int  # Excel row of its header
    columns: list[Column]
    #: Excel rows just above its header taken as its title (one text cell, no rating)
    title_rows: tuple[int, ...] = ()


@dataclass
class RawTable:
    """The table found in a file, cells as read, with their provenance.

    ``data`` has one column per :class:`Column` (named by ``Column.key``) and is indexed by
    the Excel row number of each data row (for CSV: the line's record number).  Blank rows
    are already dropped and counted in ``blank_rows``.  When rows below repeat the header,
    ``blocks`` holds each further table: the rows below its header were read with its own
    ``columns`` (``column_at`` gives the column of a key on a row); the repeated headers and
    their titles are not data rows.
    """

    path: Path
    sha256: str
    sheet: str
    header_row: int
    columns: list[Column]
    data: pd.DataFrame
    decimal: str = "."
    blank_rows: int = 0
    notes: list[str] = field(default_factory=list)
    blocks: list[Block] = field(default_factory=list)

    @property
    def name(self) -> str:
        return self.path.name

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)

    def column_at(self, key: str, row: int) -> Column:
        """The column of ``key`` on Excel row ``row``: that of the table the row is in."""
        columns = self.columns
        for block in self.blocks:
            if block.header_row < row:
                columns = block.columns
        for c in (*columns, *self.all_columns):
            if c.key == key:
                return c
        raise KeyError(key)

    @property
    def all_columns(self) -> list[Column]:
        """The columns of every table on the sheet, one per key (the first table's first)."""
        if not self.blocks:
            return self.columns
        seen: dict[str, Column] = {}
        for columns in [self.columns, *(b.columns for b in self.blocks)]:
            for c in columns:
                seen.setdefault(c.key, c)
        return list(seen.values())

    @property
    def skipped_rows(self) -> list[int]:
        """Excel rows that are neither data nor blank: repeated headers and their titles."""
        return sorted(r for b in self.blocks for r in (*b.title_rows, b.header_row))


# -- targets --------------------------------------------------------------------------


def _targets(rubric: Rubric, id_column: str | None = None) -> dict[str, tuple[Role, str, str]]:
    """normalised header -> (role, key, display name) for everything the rubric reads.

    ``id_column`` names the id column instead of the rubric's identifier and its aliases
    (which are then ordinary carried columns).
    """
    out: dict[str, tuple[Role, str, str]] = {}
    for name in id_names(rubric, id_column):
        out.setdefault(normalise_header(name), ("id", "id", id_names(rubric, id_column)[0]))
    for c in rubric.criteria:
        if c.rated:
            for name in (c.column, *c.aliases, c.label, c.id):
                out.setdefault(normalise_header(name), ("criterion", c.id, c.column))
        for ind in c.indicators:
            for name in (ind.column, *ind.aliases, ind.label, ind.id):
                out.setdefault(normalise_header(name), ("indicator", ind.id, ind.column))
    # last, the headers of assess's own CSV report, so that a report can be scored again
    for c in rubric.criteria:
        if c.rated:
            out.setdefault(normalise_header(f"{c.id}.rating"), ("criterion", c.id, c.column))
        for ind in c.indicators:
            out.setdefault(normalise_header(f"{ind.id}.value"), ("indicator", ind.id, ind.column))
    return out


#: Columns (and JSON keys) that every result computes beside the carried input columns.
COMPUTED_COLUMNS = frozenset(
    {
        "id",
        "source",
        "sheet",
        "row",
        "status",
        "score",
        "band",
        "rank",
        "completeness",
        "gates",
        "criteria",
        "missing",
        # batch's portfolio
        "portfolio rank",
        "rank in file",
    }
)
#: Prefixes of the columns an agreement or sensitivity analysis adds to the CSV report.
ANALYSIS_PREFIXES = ("agreement.", "sensitivity.")


def computed_columns(rubric: Rubric) -> frozenset[str]:
    """The names of the columns a result computes for ``rubric``: :data:`COMPUTED_COLUMNS`
    and, per criterion, ``<id>.rating`` (or ``<indicator>.value``), ``<id>.normalised`` and
    ``<id>.contribution``.  (Names starting with :data:`ANALYSIS_PREFIXES` are computed too.)"""
    names = set(COMPUTED_COLUMNS)
    for c in rubric.criteria:
        names |= {f"{c.id}.rating", f"{c.id}.normalised", f"{c.id}.contribution"}
        names |= {f"{i.id}.value" for i in c.indicators}
    return frozenset(names)


def carried_key(name: str, taken: set[str], computed: frozenset[str]) -> str:
    """The name a carried column with header ``name`` goes by, added to ``taken``.

    A header that is exactly the name of a computed column (``score``, ``rank``,
    ``transparency.rating``, ...; compared as written, so a tracker's ``Status`` keeps its
    name) or that reads as ``id`` becomes ``"<name> (input)"``; a name already taken by an
    earlier carried column gets `` (2)``, `` (3)``, ...
    """
    if name in computed or name.startswith(ANALYSIS_PREFIXES) or normalise_header(name) == "id":
        name = f"{name} (input)"
    base, n = name, 2
    while name in taken:
        name, n = f"{base} ({n})", n + 1
    taken.add(name)
    return name


def renamed_note(columns: list[Column]) -> list[str]:
    """The note that carried columns were renamed so as not to collide with computed ones."""
    renamed = [
        c
        for c in columns
        if c.role == "carry" and c.header and c.key.startswith(c.header + " (input)")
    ]
    if not renamed:
        return []
    if len(renamed) == 1:
        c = renamed[0]
        return [
            f"input column {c.header!r} is carried as {c.key!r}: the report computes a column "
            "of that name"
        ]
    shown = ", ".join(repr(c.header) for c in renamed[:6])
    more = f" and {len(renamed) - 6} more" if len(renamed) > 6 else ""
    return [
        f"input columns {shown}{more} are carried with ' (input)' added to their names: the "
        "report computes columns of those names"
    ]


def id_names(rubric: Rubric, id_column: str | None = None) -> tuple[str, ...]:
    """The headers that read as the engagement id: ``id_column`` alone when given."""
    if id_column is not None and id_column.strip():
        return (id_column.strip(),)
    return (rubric.identifier.column, *rubric.identifier.aliases)


def _expected_names(rubric: Rubric, id_column: str | None = None) -> list[str]:
    names = [id_names(rubric, id_column)[0]]
    for c in rubric.criteria:
        names += [c.column] if c.rated else [i.column for i in c.indicators]
    return names


def _row_matches(row: list[Any], targets: dict[str, tuple[Role, str, str]]) -> int:
    keys = {
        targets[n][1] for n in (normalise_header(v) for v in row if _present(v)) if n in targets
    }
    return len(keys)


def _present(value: Any) -> bool:
    if value is None:
        return False
    if isinstance(value, str):
        return bool(value.strip())
    if isinstance(value, float) and value != value:
        return False
    return True


# -- file access ----------------------------------------------------------------------


def file_sha256(path: Path, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE) -> str:
    """SHA-256 of a file's bytes, read in chunks: a regular file no larger than
    ``max_input_size`` (:class:`InputError` otherwise)."""
    h = hashlib.sha256()
    with open_input(path, parse_size(max_input_size)) as fh:
        for chunk in iter(lambda: fh.read(1 << 20), b""):
            h.update(chunk)
    return h.hexdigest()


def _sniff_kind(path: Path, head: bytes) -> str:
    suffix = path.suffix.lower()
    if head.startswith(b"PK\x03\x04"):
        return "zip"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "ole"
    if suffix in TEXT_SUFFIXES:
        return "text"
    return "unknown"


class CellError(str):
    """A formula error cell (``#DIV/0!``, ``#N/A``...): text, but never a value."""


_ERROR_CELL = re.compile(
    rb'<c r="([A-Z]+)([0-9]+)"[^>]*?t="e"[^>]*>(?:<f[^>]*>.*?</f>|<f[^>]*/>)?<v>([^<]*)</v>', re.S
)


def _column_index(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n - 1


class _ErrorCells:
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


#: What a zip package holds, by the content type of its main part ([Content_Types].xml) or
#: its OpenDocument ``mimetype``: checked in this order, the first match names it.
_PACKAGES = (
    (b"spreadsheetml.sheet.main", "excel"),
    (b"spreadsheetml.template.main", "excel"),
    (b"ms-excel.sheet.macroEnabled.main", "excel"),
    (b"ms-excel.template.macroEnabled.main", "excel"),
    (b"ms-excel.sheet.binary.macroEnabled.main", "excel"),
    (b"wordprocessingml", "a Word document"),
    (b"presentationml", "a PowerPoint presentation"),
    (b"opendocument.spreadsheet", "ods"),
    (b"opendocument.text", "an OpenDocument text document"),
    (b"opendocument.presentation", "an OpenDocument presentation"),
)
_PACKAGE_NAMES = {
    "excel": "an Excel workbook",
    "ods": "an OpenDocument spreadsheet",
    "xls": "an Excel 97-2003 workbook",  # never a zip
}


def _zip_package(path: Path) -> str:
    """What a zip file holds: ``"excel"``, ``"ods"``, or a description such as
    ``"a Word document"`` (``"a zip archive of other files"`` when it is no office file);
    ``""`` when the zip cannot be read (a damaged workbook is the workbook reader's to report)."""
    import zipfile
    import zlib

    try:
        with zipfile.ZipFile(path) as z:
            names = set(z.namelist())
            for member in ("[Content_Types].xml", "mimetype"):
                if member in names:
                    with z.open(member) as fh:
                        head = fh.read(1 << 20)
                    for marker, what in _PACKAGES:
                        if marker in head:
                            return what
            if "xl/workbook.xml" in names or "xl/workbook.bin" in names:
                return "excel"
    except (OSError, zipfile.BadZipFile, zlib.error, KeyError, RuntimeError, ValueError, EOFError):
        return ""  # damaged: the size check that reads every part says so
    return "a zip archive of other files"


def _check_package(path: Path) -> None:
    """Refuse a zip that is not the workbook its extension names (a Word document renamed
    .xlsx, an .ods renamed .xlsx, ...) with one line saying what it is instead."""
    suffix = path.suffix.lower()
    wanted = {".ods": "ods", ".xls": "xls"}.get(suffix, "excel")
    what = _zip_package(path)
    if what in (wanted, ""):
        return
    hint = ""
    if what in _PACKAGE_NAMES:  # the other kind of workbook: the extension is wrong
        hint = f"; rename it {'.ods' if what == 'ods' else '.xlsx'}"
    raise InputError(
        f"{path.name}: not {_PACKAGE_NAMES[wanted]} (it is {_PACKAGE_NAMES.get(what, what)}{hint})"
    )


ErrorCells = dict[str, list[tuple[int, int, str]]]


def _formula_error_cells(path: Path, kind: str, sheets: Sheets) -> ErrorCells:
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
        return _ods_error_cells(path, sizes)
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


def _ods_error_cells(path: Path, sizes: dict[str, tuple[int, int]]) -> ErrorCells:
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


def _open_workbook(
    path: Path, kind: str, raw: bytes, limit: int
) -> list[tuple[str, bool, list[list[Any]]]]:
    """All sheets as (name, visible, rows), from the file's bytes ``raw``.

    A zip-based workbook is checked first (:func:`assess.limits.scan_workbook`: sizes,
    compression ratio, the cells its sheets span), in the same pass that finds the .xlsx
    formula error cells; python-calamine then parses the very bytes that were checked.
    """
    from python_calamine import CalamineWorkbook, SheetTypeEnum, SheetVisibleEnum

    errors: dict[str, _ErrorCells] = {}
    if kind == "zip":
        scan_errors = path.suffix.lower() in {".xlsx", ".xlsm"}
        scan_workbook(
            path.name,
            raw,
            limit,
            on_sheet=(lambda name: errors.setdefault(name, _ErrorCells())) if scan_errors else None,
        )
        _check_package(path)  # after the check of every part: a damaged zip says so first
    try:
        wb = CalamineWorkbook.from_filelike(io.BytesIO(raw))
    except Exception as exc:  # calamine raises its own error types; all mean "cannot read"
        if kind == "ole" and path.suffix.lower() != ".xls":
            # an .xlsx/.xlsm/.ods stored as an OLE container is an encrypted workbook
            raise InputError(
                f"{path.name}: the workbook is password-protected (encrypted); "
                "save an unprotected copy and score that"
            ) from exc
        raise InputError(f"{path.name}: cannot open as a workbook ({_short(exc)})") from exc
    sheets = []
    try:
        for meta in wb.sheets_metadata:
            if meta.typ != SheetTypeEnum.WorkSheet:  # chart sheets, dialog sheets: no cells
                continue
            rows = wb.get_sheet_by_name(meta.name).to_python(skip_empty_area=False)
            sheets.append((meta.name, meta.visible == SheetVisibleEnum.Visible, rows))
    except Exception as exc:
        raise InputError(f"{path.name}: the workbook is damaged ({_short(exc)})") from exc
    finally:
        wb.close()
    # .xlsx error cells were found by the size check's pass; .xls and .ods ones here
    found = {name: e.found for name, e in errors.items()}
    if kind == "ole" or path.suffix.lower() == ".ods":
        found.update(_formula_error_cells(path, kind, sheets))
    for name, _, rows in sheets:
        for r, c, text in found.get(name, ()):
            if r < len(rows) and c < len(rows[r]):
                rows[r][c] = CellError(text or "#ERROR")
    return sheets


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] if text else exc.__class__.__name__


def _utf16_without_bom(raw: bytes) -> str | None:
    """``utf-16-le`` or ``utf-16-be`` when text without a byte-order mark looks like UTF-16:
    in its first 4 KiB, most bytes at odd (LE) or even (BE) offsets are NUL, as they are
    for Latin text, and almost none at the others."""
    sample = raw[: 4096 - 4096 % 2]
    n = len(sample) // 2
    if n < 2:
        return None
    even, odd = sample[0::2].count(0), sample[1::2].count(0)
    if odd >= 0.3 * n and even <= 0.05 * n:
        return "utf-16-le"
    if even >= 0.3 * n and odd <= 0.05 * n:
        return "utf-16-be"
    return None


def _decode(raw: bytes) -> str:
    if raw.startswith(b"\xef\xbb\xbf"):
        return raw[3:].decode("utf-8", errors="replace")
    if raw.startswith((b"\xff\xfe", b"\xfe\xff")):
        return raw.decode("utf-16", errors="replace")
    utf16 = _utf16_without_bom(raw)
    if utf16 is not None:
        return raw.decode(utf16, errors="replace")
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        pass
    try:
        return raw.decode("cp1252")
    except UnicodeDecodeError:
        return raw.decode("latin-1")


def _allow_fields(n: int) -> None:
    """Let the csv module read fields up to ``n`` characters (its default stops at 131,072;
    a field can be no longer than the text holding it).  Only ever raised, never lowered,
    so that readers in other threads are not cut short."""
    if csv.field_size_limit() < n:
        csv.field_size_limit(min(n, 2**31 - 1))


def _read_text_table(path: Path, raw: bytes, limit: int) -> tuple[list[list[Any]], str, str]:
    """CSV rows (as strings), the delimiter, and the decimal mark it implies.

    The records times the widest record (the rectangle the table is padded to) may not pass
    the cell limit of ``limit`` (:func:`assess.limits.max_cells`); reading stops there.
    """
    text = _decode(raw)
    if "\x00" in text:
        raise InputError(f"{path.name}: binary data in a text file; is it really a CSV?")
    delimiter = _sniff_delimiter(path, text[:SAMPLE_BYTES])
    _allow_fields(len(text) + 1)
    budget = max_cells(limit)
    rows: list[list[Any]] = []
    width = 0
    for row in csv.reader(io.StringIO(text, newline=""), delimiter=delimiter):
        rows.append(row)
        if len(row) > width:
            width = len(row)
        if len(rows) * width > budget:
            raise cells_error(
                path.name,
                f"{len(rows):,} records of up to {width:,} fields",
                len(rows) * width,
                limit,
            )
    # European exports separate fields with ';' because ',' is their decimal mark.
    return rows, delimiter, "," if delimiter == ";" else "."


Sheets = list[tuple[str, bool, list[list[Any]]]]
#: the last file parsed, by (resolved path, SHA-256 of its bytes, size limit)
_LAST_READ: dict[tuple[str, str, int], tuple[Sheets, str, str]] = {}


def read_sheets(
    path: str | Path, *, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE
) -> tuple[Sheets, str, str]:
    """Every sheet of a file as ``(name, visible, rows)``, plus its SHA-256 and decimal mark.

    CSV files have one sheet named after the file.  Raises :class:`InputError` for files that
    are missing, empty, not a regular file, larger than ``max_input_size`` (on disk or, for a
    workbook, once inflated; see :mod:`assess.limits`), or not a readable spreadsheet.  The
    last file parsed is remembered by its content (the SHA-256 of the bytes just read), so
    looking at a file twice in one run — first for several raters' layouts, then as a plain
    table — parses it once, and a file rewritten in between is parsed again.  Callers must
    not modify the rows they get.
    """
    return _read_sheets(Path(path), parse_size(max_input_size))


def _read_sheets(path: Path, limit: int) -> tuple[Sheets, str, str]:
    if not path.exists():
        raise InputError(f"{path}: no such file")
    if path.is_dir():
        raise InputError(f"{path}: is a folder, not a spreadsheet")
    suffix = path.suffix.lower()
    if suffix not in SUPPORTED_SUFFIXES:
        raise InputError(
            f"{path.name}: unsupported file type {suffix or '(none)'}; "
            f"use one of {', '.join(sorted(SUPPORTED_SUFFIXES))}"
        )
    raw = read_input(path, limit)
    if not raw or raw.isspace():
        raise InputError(f"{path.name}: the file is empty")
    digest = hashlib.sha256(raw).hexdigest()
    key = (str(path.resolve()), digest, limit)
    if key in _LAST_READ:
        return _LAST_READ[key]
    _LAST_READ.clear()
    kind = _sniff_kind(path, raw[:8])
    if suffix in TEXT_SUFFIXES:
        if kind in {"zip", "ole"}:
            raise InputError(
                f"{path.name}: this is a workbook saved with a {suffix} name; rename it"
            )
        rows, _, decimal = _read_text_table(path, raw, limit)
        out = [(path.stem, True, rows)], digest, decimal
    elif suffix in {".xlsx", ".xlsm", ".xlsb", ".ods"} and kind == "unknown":
        raise InputError(f"{path.name}: not a {suffix} workbook (the file is not a zip archive)")
    else:
        out = _open_workbook(path, kind, raw, limit), digest, "."
    _LAST_READ[key] = out
    return out


# -- finding the table ----------------------------------------------------------------


def _find_header(
    rows: list[list[Any]], targets: dict[str, tuple[Role, str, str]]
) -> tuple[int, int]:
    """(row index, number of rubric columns matched) of the best header row."""
    best = (-1, 0)
    for i, row in enumerate(rows[:HEADER_SCAN_ROWS]):
        n = _row_matches(row, targets)
        if n > best[1]:
            best = (i, n)
    return best


def _describe_miss(
    path: Path,
    sheets: list[tuple[str, bool, list[list[Any]]]],
    rubric: Rubric,
    id_column: str | None = None,
) -> str:
    expected = _expected_names(rubric, id_column)
    found: list[str] = []
    for _, _, rows in sheets:
        for row in rows[:HEADER_SCAN_ROWS]:
            found += [str(v).strip() for v in row if isinstance(v, str) and v.strip()]
    found = list(dict.fromkeys(found))
    hints = []
    norm_found = {normalise_header(f): f for f in found}
    for name in expected:
        close = closest_header(name, list(norm_found.values()))
        if close:
            hints.append(f"{close!r} for {name!r}?")
    shown = ", ".join(repr(f) for f in found[:12]) + (" ..." if len(found) > 12 else "")
    msg = (
        f"{path.name}: no table with the rubric's columns; looked for "
        f"{', '.join(repr(e) for e in expected)}; found {shown or 'no headers at all'}"
    )
    if hints:
        msg += "; did you mean " + " ".join(hints)
    return msg


def closest_header(name: str, headers: list[str]) -> str | None:
    """The header in ``headers`` most like ``name`` (compared as headers are), if any is close."""
    by_form: dict[str, str] = {}
    for h in headers:
        by_form.setdefault(normalise_header(h), h)
    close = difflib.get_close_matches(normalise_header(name), list(by_form), n=1, cutoff=0.6)
    return by_form[close[0]] if close else None


def _build_columns(
    header: list[Any],
    targets: dict[str, tuple[Role, str, str]],
    where: str,
    computed: frozenset[str] = COMPUTED_COLUMNS,
) -> list[Column]:
    """Each header cell's column: what the rubric reads, or carried under the name
    :func:`carried_key` gives it (``computed``: the names the result computes)."""
    columns: list[Column] = []
    claimed: dict[str, Column] = {}
    carried_names: set[str] = set()
    for idx, value in enumerate(header):
        text = str(value).strip() if _present(value) else ""
        hit = targets.get(normalise_header(text)) if text else None
        if hit is not None:
            role, key, _ = hit
            if key in claimed:
                first = claimed[key]
                raise InputError(
                    f"{where}: columns {first.letter} ({first.header!r}) and {column_letter(idx)} "
                    f"({text!r}) both read as {key!r}; rename or remove one"
                )
            col = Column(idx, text, role, key)
            claimed[key] = col
        else:
            name = carried_key(text or f"Column {column_letter(idx)}", carried_names, computed)
            col = Column(idx, text, "carry", name)
        columns.append(col)
    return columns


def _frame_sheet(df: pd.DataFrame) -> tuple[list[tuple[str, bool, list[list[Any]]]], str, str]:
    """A DataFrame laid out like a sheet: its column names are the header row."""
    rows = [list(map(str, df.columns))] + df.astype(object).where(df.notna(), None).values.tolist()
    digest = hashlib.sha256(df.to_csv(index=False).encode("utf-8")).hexdigest()
    return [("DataFrame", True, rows)], digest, "."


def read_table(
    path: str | Path | pd.DataFrame,
    rubric: Rubric,
    sheet: str | int | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> RawTable:
    """Find the engagements table in a spreadsheet and return it with cell provenance.

    Parameters
    ----------
    path:
        ``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``, ``.csv`` or ``.tsv`` file, or a pandas
        DataFrame whose column names are the header row.
    rubric:
        The rubric whose identifier and criterion columns locate the header row.
    sheet:
        A sheet name (or 1-based position) to read; by default every visible sheet is
        searched and the one whose header best matches the rubric wins.
    id_column:
        The header of the column holding the engagement ids, instead of the rubric's
        identifier column and its aliases.
    allow_missing:
        Criteria (or indicators) that may have no column: their ids, labels or headers, or
        ``"all"``.  Such a criterion is scored as not rated, and the table's ``notes`` say so.
        Any other criterion without a column makes the table unusable.
    max_input_size:
        The most the file may hold, in bytes or as text (``"512MB"``, ``"2GB"``): its size
        on disk and, for a workbook, once inflated; its tables may span one cell per 16
        bytes of it.  See :mod:`assess.limits`.

    Raises
    ------
    InputError
        The file cannot be read, is not a regular file, is larger than ``max_input_size``,
        holds no table with the rubric's columns, has no id column, or lacks a criterion's
        column that ``allow_missing`` does not allow.
    """
    allowed = missing_allowance(rubric, allow_missing)
    table = _find_table(path, rubric, sheet, id_column, parse_size(max_input_size))
    # every table on the sheet (see RawTable.blocks) is held to the same rule
    tables = [(table.header_row, table.columns), *((b.header_row, b.columns) for b in table.blocks)]
    where = _where(table).rsplit(" ", 1)[0]
    notes = [
        (at, _check_rubric_columns(columns, rubric, allowed, f"{where} {at}"))
        for at, columns in tables
    ]
    shared = set.intersection(*(set(n) for _, n in notes))
    table.notes += [n for n in notes[0][1] if n in shared]
    for at, own in notes:
        table.notes += [f"the table at row {at}: {n}" for n in own if n not in shared]
    return table


def check_header(
    header: list[Any],
    rubric: Rubric,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    where: str = "",
) -> list[str]:
    """Check a table's header row as :func:`read_table` does, before reading any data.

    Returns the notes reading the table would give (a criterion allowed to have no column);
    raises :class:`InputError` when it has no id column or lacks a criterion's column.
    """
    allowed = missing_allowance(rubric, allow_missing)
    columns = _build_columns(header, _targets(rubric, id_column), where, computed_columns(rubric))
    if not any(c.role == "id" for c in columns):
        raise InputError(
            f"{where}: no id column {id_names(rubric, id_column)[0]!r}; "
            "name the id column with --id-column"
        )
    return renamed_note(columns) + _check_rubric_columns(columns, rubric, allowed, where)


def missing_allowance(rubric: Rubric, names: str | Iterable[str] | None) -> frozenset[str]:
    """The criterion and indicator ids that ``names`` allow to have no column.

    ``names`` holds ids, labels or column headers of criteria or indicators (a criterion
    allows all its indicators), or ``"all"``; one string may list several, comma-separated.
    Raises :class:`InputError` naming any that the rubric does not have.
    """
    if names is None:
        return frozenset()
    if isinstance(names, str):
        names = [names]
    wanted = [n.strip() for name in names for n in str(name).split(",") if n.strip()]
    known: dict[str, set[str]] = {}
    for c in rubric.criteria:
        keys = {c.id} if c.rated else {i.id for i in c.indicators}
        for n in (c.id, c.label, c.column, *c.aliases):
            known.setdefault(normalise_header(n), set()).update(keys)
        for i in c.indicators:
            for n in (i.id, i.label, i.column, *i.aliases):
                known.setdefault(normalise_header(n), set()).add(i.id)
    every = {k for keys in known.values() for k in keys}
    out: set[str] = set()
    unknown = []
    for name in wanted:
        if name.casefold() == "all":
            out |= every
        elif normalise_header(name) in known:
            out |= known[normalise_header(name)]
        else:
            unknown.append(name)
    if unknown:
        ids = ", ".join(c.id for c in rubric.criteria)
        raise InputError(
            f"--allow-missing: {', '.join(repr(u) for u in unknown)} "
            f"{'is not a criterion' if len(unknown) == 1 else 'are not criteria'} "
            f"of rubric {rubric.name} ({ids}, or all)"
        )
    return frozenset(out)


def _check_rubric_columns(
    columns: list[Column], rubric: Rubric, allowed: frozenset[str], where: str
) -> list[str]:
    """Every criterion (or indicator) the rubric reads has a column, unless ``allowed``.

    A criterion without a column would be scored as unrated on every row, its weight
    silently spread over the others: unusable input unless the caller allowed it, and
    then a note (returned) on the table.
    """
    present = {c.key for c in columns if c.role != "carry"}
    carried = [c.header for c in columns if c.role == "carry" and c.header]
    absent: list[tuple[str, str, str]] = []  # (kind, id, column)
    for c in rubric.criteria:
        if c.rated:
            if c.id not in present:
                absent.append(("criterion", c.id, c.column))
        for i in c.indicators:
            if i.id not in present:
                absent.append(("indicator", i.id, i.column))
    refused = [a for a in absent if a[1] not in allowed]
    if refused:
        parts = []
        for kind, key, column in refused:
            part = f"no column for {kind} {key!r} ({column})"
            close = closest_header(column, carried)
            parts.append(part + (f"; did you mean {close!r}?" if close else ""))
        keys = ",".join(key for _, key, _ in refused)
        raise MissingColumnError(
            f"{where}: {'; '.join(parts)} "
            f"(to score without {'it' if len(refused) == 1 else 'them'}: "
            f"--allow-missing {keys})"
        )
    return [
        f"no column for {kind} {key!r} ({column}): scored as not rated on every row "
        "(--allow-missing)"
        for kind, key, column in absent
    ]


def _where(table: RawTable) -> str:
    if table.path.suffix.lower() in TEXT_SUFFIXES:
        return f"{table.name}: header line {table.header_row}"
    return f"{table.name}: sheet {table.sheet!r}, header row {table.header_row}"


ID_CANDIDATE_SHARE = 0.9
_DATE_TEXT = re.compile(r"^(\d{4}-\d{1,2}-\d{1,2}|\d{1,2}[/.]\d{1,2}[/.]\d{2,4})([ T].*)?$")


def _id_candidates(body: list[list[Any]], columns: list[Column]) -> list[str]:
    """Headers of the carried columns that could serve as ids: unique, non-blank text.

    "Unique" and "non-blank" allow a tenth of the rows to fall short, as a real id column
    may hold the very missing or repeated ids that validation would then reject.
    """
    rows = [r for r in body if any(_present(v) for v in r)]
    out = []
    for c in columns:
        if c.role != "carry" or not c.header or not rows:
            continue
        texts = [
            " ".join(r[c.index].split())
            for r in rows
            if c.index < len(r) and isinstance(r[c.index], str) and r[c.index].strip()
        ]
        texts = [t for t in texts if not _DATE_TEXT.match(t)]  # dates as text (CSV)
        enough = ID_CANDIDATE_SHARE * len(rows)
        if len(texts) >= enough and len(set(texts)) >= enough:
            out.append(c.header)
    return out


def _find_table(
    path: str | Path | pd.DataFrame,
    rubric: Rubric,
    sheet: str | int | None,
    id_column: str | None,
    limit: int = DEFAULT_MAX_INPUT_SIZE,
) -> RawTable:
    if isinstance(path, pd.DataFrame):
        sheets, digest, decimal = _frame_sheet(path)
        path = Path("<DataFrame>")
    else:
        path = Path(path)
        if path.suffix.lower() in TEXT_SUFFIXES and sheet is None:
            fast = _read_csv_table(path, rubric, id_column, limit)
            if fast is not None:
                return fast
        sheets, digest, decimal = read_sheets(path, max_input_size=limit)
    targets = _targets(rubric, id_column)
    notes: list[str] = []
    if sheet is not None:
        chosen = [s for s in sheets if s[0] == str(sheet)]
        if not chosen and str(sheet).isdigit() and 1 <= int(sheet) <= len(sheets):
            chosen = [sheets[int(sheet) - 1]]
        if not chosen:
            names = ", ".join(repr(s[0]) for s in sheets)
            raise InputError(f"{path.name}: no sheet {sheet!r} (sheets: {names})")
        candidates = chosen
    else:
        visible = [s for s in sheets if s[1]]
        candidates = visible + [s for s in sheets if not s[1]]
    best: tuple[int, int, int] = (-1, -1, 0)  # (sheet index, header row index, matches)
    for si, (_, visible, rows) in enumerate(candidates):
        ri, n = _find_header(rows, targets)
        # a hidden sheet only wins if no visible sheet holds a table at all
        if n > best[2] and (visible or best[2] < 2 or sheet is not None):
            best = (si, ri, n)
    si, ri, n = best
    if si < 0 or n < 2:
        raise InputError(_describe_miss(path, candidates, rubric, id_column))
    name, visible, rows = candidates[si]
    if not visible:
        notes.append(f"the table was found on hidden sheet {name!r}")
    ri = _first_header(rows, ri, targets)
    header = rows[ri]

    def where_at(i: int) -> str:
        if path.suffix.lower() in TEXT_SUFFIXES:
            return f"{path.name}: header line {i + 1}"
        return f"{path.name}: sheet {name!r}, header row {i + 1}"

    where = where_at(ri)
    columns = _build_columns(header, targets, where, computed_columns(rubric))
    notes += renamed_note(columns)
    _require_id(columns, rows[ri + 1 :], where, rubric, id_column)
    blocks = _later_tables(rows, ri, columns, targets, where_at, rubric, id_column)
    if blocks:
        frame = _tables_frame(rows, ri, columns, blocks)
        notes += _tables_notes(columns, blocks, rows)
    else:
        width = max((len(r) for r in rows[ri + 1 :]), default=0)
        width = max(width, len(header))
        body = [list(r) + [""] * (width - len(r)) for r in rows[ri + 1 :]]
        # Columns with no header but with data are carried too, so nothing is lost.
        for extra in range(len(columns), width):
            if any(_present(r[extra]) for r in body):
                columns.append(Column(extra, "", "carry", f"Column {column_letter(extra)}"))
        frame = pd.DataFrame(
            [[r[c.index] for c in columns] for r in body],
            columns=[c.key for c in columns],
            index=pd.RangeIndex(ri + 2, ri + 2 + len(body), name="row"),
            dtype=object,
        )
    blank = _blank_rows(frame)
    n_blank = int(blank.sum())
    # Trailing blank rows are the sheet's padding, not "skipped rows" worth mentioning.
    frame = frame.loc[~blank]
    if frame.empty:
        raise InputError(f"{where}: the table has headers but no data rows")
    return RawTable(
        path=path,
        sha256=digest,
        sheet=name,
        header_row=ri + 1,
        columns=columns,
        data=frame,
        decimal=decimal,
        blank_rows=n_blank - _trailing_blank(blank),
        notes=notes,
        blocks=blocks,
    )


def _require_id(
    columns: list[Column],
    body: list[list[Any]],
    where: str,
    rubric: Rubric,
    id_column: str | None,
) -> None:
    if any(c.role == "id" for c in columns):
        return
    serve = _id_candidates(body, columns)
    could = (
        f"; columns that could serve (unique, non-blank text): {', '.join(repr(h) for h in serve)}"
        if serve
        else "; no column holds unique, non-blank text"
    )
    raise InputError(
        f"{where}: no id column {id_names(rubric, id_column)[0]!r}{could}; "
        "name the id column with --id-column"
    )


# -- a second table below the first ----------------------------------------------------------

#: text that reads as a number (a header cell never does); ASCII digits, as Arrow reads them
_NUMERIC_TEXT = re.compile(
    r"^[ \t]*[+-]?(?:[0-9]+(?:[.,][0-9]*)?|[.,][0-9]+)(?:[eE][+-]?[0-9]+)?[ \t]*$"
)


def _value_cell(value: Any) -> bool:
    """A cell holding a value rather than a name: a number, date or TRUE/FALSE, or text that
    reads as a number."""
    if isinstance(value, str):
        return _NUMERIC_TEXT.match(value) is not None
    return _present(value)


def _rating_indexes(columns: list[Column]) -> list[int]:
    return [c.index for c in columns if c.role in ("criterion", "indicator")]


def _repeats_header(
    row: list[Any],
    ratings: list[int],
    targets: dict[str, tuple[Role, str, str]],
    seen: dict[str, str],
) -> bool:
    """Whether a row below the header is another header: its text cells name at least two of
    the rubric's columns (as header cells are matched), and none of the rating columns of the
    table above holds a value there.  ``seen`` remembers each text's key ('' for none)."""
    for i in ratings:
        if i < len(row):
            value = row[i]
            if type(value) is float and value == value or type(value) is int:
                return False  # the usual data row, decided by its first rating
            if _value_cell(value):
                return False
    keys = set()
    for value in row:
        if isinstance(value, str) and value.strip():
            key = seen.get(value)
            if key is None:
                hit = targets.get(normalise_header(value))
                key = seen[value] = hit[1] if hit else ""
            if key:
                keys.add(key)
    return len(keys) >= 2


def _first_header(rows: list[list[Any]], ri: int, targets: dict[str, tuple[Role, str, str]]) -> int:
    """The header row of the first table on the sheet, given ``ri``, the row that matches the
    rubric best: a row above it that is a header too (as :func:`_repeats_header` decides),
    with data rows under it, heads a first table whose rows would otherwise be taken for a
    title block; ``ri`` then starts the second."""
    ratings = _rating_indexes(_build_columns(rows[ri], targets, ""))
    seen: dict[str, str] = {}
    for k in range(ri):
        if _repeats_header(rows[k], ratings, targets, seen) and any(
            sum(_present(v) for v in rows[j]) >= 2 for j in range(k + 1, ri)
        ):
            return k
    return ri


def _title_rows(rows: list[list[Any]], at: int, stop: int, ratings: list[int]) -> tuple[int, ...]:
    """Rows just above a repeated header (at ``at``; blank rows between are fine) that hold one
    text cell and no rating: the next table's title, not an engagement.  0-based indexes."""
    k = at - 1
    while k > stop and not any(_present(v) for v in rows[k]):
        k -= 1
    found = []
    while k > stop:
        cells = [(i, v) for i, v in enumerate(rows[k]) if _present(v)]
        if len(cells) != 1:
            break
        i, v = cells[0]
        if not isinstance(v, str) or _value_cell(v) or i in ratings:
            break
        found.append(k)
        k -= 1
    return tuple(sorted(found))


def _later_tables(
    rows: list[list[Any]],
    ri: int,
    columns: list[Column],
    targets: dict[str, tuple[Role, str, str]],
    where_at,
    rubric: Rubric,
    id_column: str | None,
) -> list[Block]:
    """The further tables below the table whose header is row ``ri`` (0-based): each begins
    at a row that repeats the header and is read with its own columns."""
    blocks: list[Block] = []
    ratings = _rating_indexes(columns)
    seen: dict[str, str] = {}
    previous = ri
    for j in range(ri + 1, len(rows)):
        if not _repeats_header(rows[j], ratings, targets, seen):
            continue
        own = _build_columns(rows[j], targets, where_at(j), computed_columns(rubric))
        below = rows[j + 1 :]
        _require_id(own, below, where_at(j), rubric, id_column)
        titles = _title_rows(rows, j, previous, ratings)
        blocks.append(Block(j + 1, own, tuple(t + 1 for t in titles)))
        ratings, previous = _rating_indexes(own), j
    return blocks


def _tables_frame(
    rows: list[list[Any]], ri: int, columns: list[Column], blocks: list[Block]
) -> pd.DataFrame:
    """The data rows of every table on the sheet, each read with its own header's columns,
    keyed as the first table's (a key a table lacks is blank there)."""
    starts = [ri, *(b.header_row - 1 for b in blocks)]  # 0-based header indexes
    ends = [*(b.header_row - 1 for b in blocks), len(rows)]
    skipped = {t - 1 for b in blocks for t in b.title_rows}
    tables = [columns, *(b.columns for b in blocks)]
    for own, start, end in zip(tables, starts, ends, strict=True):
        # columns with no header but with data are carried too, so nothing is lost
        width = max((len(r) for r in rows[start + 1 : end]), default=0)
        for extra in range(len(rows[start]), width):
            if any(extra < len(r) and _present(r[extra]) for r in rows[start + 1 : end]):
                own.append(Column(extra, "", "carry", f"Column {column_letter(extra)}"))
    keys = list(dict.fromkeys(c.key for own in tables for c in own))
    data, index = [], []
    for own, start, end in zip(tables, starts, ends, strict=True):
        at = {c.key: c.index for c in own}
        pick = [at.get(k) for k in keys]
        for j in range(start + 1, end):
            if j in skipped:
                continue
            r = rows[j]
            data.append(["" if i is None or i >= len(r) else r[i] for i in pick])
            index.append(j + 1)
    return pd.DataFrame(data, columns=keys, index=pd.Index(index, name="row"), dtype=object)


_ORDINALS = ("first", "second", "third", "fourth", "fifth", "sixth", "seventh", "eighth")


def _tables_notes(columns: list[Column], blocks: list[Block], rows: list[list[Any]]) -> list[str]:
    """What every output says about the tables below the first."""
    first = {c.key: c for c in columns if c.role != "carry"}
    notes = []
    for k, block in enumerate(blocks, start=2):
        which = f"a {_ORDINALS[k - 1]}" if k <= len(_ORDINALS) else f"table {k}"
        note = (
            f"row {block.header_row} repeats the header: the rows below it are {which} table, "
            "read with its own columns"
        )
        moved = [
            f"{c.header or c.key} in {c.letter}"
            + (f", not {first[c.key].letter}" if c.key in first else "")
            for c in block.columns
            if c.role != "carry" and (c.key not in first or first[c.key].index != c.index)
        ]
        if moved:
            note += f" ({'; '.join(moved)})"
        for t in block.title_rows:
            text = next(str(v).strip() for v in rows[t - 1] if _present(v))
            note += f"; row {t} ({_quoted(text)}) is its title, not an engagement"
        notes.append(note)
    return notes


def _quoted(text: str, limit: int = 60) -> str:
    return repr(text if len(text) <= limit else text[: limit - 1] + "…")


# -- the fast path for large, well-formed CSV files --------------------------------------

SAMPLE_BYTES = 65536


def _sniff_delimiter(path: Path, sample: str) -> str:
    try:
        return csv.Sniffer().sniff(sample, delimiters=",;\t|").delimiter
    except csv.Error:
        return "\t" if path.suffix.lower() == ".tsv" else ","


def text_head(
    path: Path, raw: bytes | None = None, *, max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE
) -> tuple[list[list[str]], str]:
    """The first records of a text table (enough for the header scan) and its delimiter.

    Reads at most the first 64 KiB (of a regular file no larger than ``max_input_size``);
    the records are those the full read gives.
    """
    if raw is None:
        with open_input(path, parse_size(max_input_size)) as fh:
            raw = fh.read(SAMPLE_BYTES + 4)
    truncated = len(raw) > SAMPLE_BYTES
    chunk = raw[:SAMPLE_BYTES]
    sample = None
    utf16 = raw.startswith((b"\xff\xfe", b"\xfe\xff")) or _utf16_without_bom(chunk)
    for cut in range(0 if utf16 else 4):  # the sample may end inside a UTF-8 character
        try:
            sample = chunk[: len(chunk) - cut].decode("utf-8")
            break
        except UnicodeDecodeError:
            continue
    if sample is None:
        sample = _decode(chunk[: len(chunk) - len(chunk) % 2] if utf16 else chunk)
    sample = sample.removeprefix("\ufeff")
    delimiter = _sniff_delimiter(path, sample)
    _allow_fields(len(sample) + 1)
    rows = list(csv.reader(io.StringIO(sample, newline=""), delimiter=delimiter))
    if truncated and rows:
        rows = rows[:-1]  # the sample may end inside a record
    return rows[:HEADER_SCAN_ROWS], delimiter


def _string_dtype():
    """pandas' own string dtype when it is Arrow-backed (pandas 3), else the Arrow one."""
    default = pd.Series([""]).dtype
    if getattr(default, "storage", None) == "pyarrow":
        return default
    return pd.StringDtype("pyarrow")


def _read_csv_table(
    path: Path,
    rubric: Rubric,
    id_column: str | None = None,
    limit: int = DEFAULT_MAX_INPUT_SIZE,
) -> RawTable | None:
    """A UTF-8 CSV whose first record is the header, parsed by Arrow's C++ reader.

    The result is exactly what the general path (the ``csv`` module, then Python lists)
    gives, as Arrow-backed text columns, at a fraction of the cost for large files.  Returns
    None, so that the general path runs, for anything it does not handle the same way: other
    encodings, blank lines (they are counted as skipped rows), a header below the first
    line, ragged rows, or any file Arrow refuses.  A file that cannot be read at all (not a
    regular file, larger than ``limit``) is refused here, with the general path's message.
    """
    raw = read_input(path, limit)
    body = raw[3:] if raw.startswith(b"\xef\xbb\xbf") else raw
    if (
        len(body) < 2
        or b"\x00" in body
        or body.startswith((b"\n", b"\r"))
        or any(blank in body for blank in (b"\n\n", b"\n\r\n", b"\r\r"))
    ):
        return None
    head, delimiter = text_head(path, body)
    targets = _targets(rubric, id_column)
    ri, n = _find_header(head, targets)
    if ri != 0 or n < 2:
        return None  # a title block above the table, or no table: the general path explains
    header = head[0]
    if any("\n" in h or "\r" in h for h in header):
        return None  # a header cell over several lines: skipping "one row" would be ambiguous
    import pyarrow as pa
    from pyarrow import csv as pa_csv

    names = [f"f{i}" for i in range(len(header))]
    try:
        table = pa_csv.read_csv(
            pa.py_buffer(body),
            read_options=pa_csv.ReadOptions(skip_rows=1, column_names=names, use_threads=True),
            parse_options=pa_csv.ParseOptions(
                delimiter=delimiter,
                quote_char='"',
                double_quote=True,
                escape_char=False,
                newlines_in_values=True,
                ignore_empty_lines=False,
            ),
            convert_options=pa_csv.ConvertOptions(
                column_types={name: pa.string() for name in names},
                null_values=[],
                strings_can_be_null=False,
                quoted_strings_can_be_null=False,
                check_utf8=True,
            ),
        )
    except (pa.ArrowInvalid, pa.ArrowNotImplementedError, ValueError):
        return None  # ragged rows, bad UTF-8 ...: the general path reads these
    where = f"{path.name}: header line 1"
    if (table.num_rows + 1) * len(names) > max_cells(limit):
        raise cells_error(
            path.name,
            f"{table.num_rows + 1:,} records of {len(names):,} fields",
            (table.num_rows + 1) * len(names),
            limit,
        )
    columns = _build_columns(header, targets, where, computed_columns(rubric))
    if not any(c.role == "id" for c in columns):
        return None
    dtype = _string_dtype()
    frame = pd.DataFrame(
        {c.key: pd.array(table.column(c.index), dtype=dtype) for c in columns},
        index=pd.RangeIndex(2, 2 + table.num_rows, name="row"),
    )
    blank = _blank_rows(frame)
    if _may_repeat_header(frame, columns, targets, ~blank.to_numpy()):
        return None  # a second table below the first: the general path reads it
    n_blank = int(blank.sum())
    frame = frame.loc[~blank] if n_blank else frame
    if frame.empty:
        raise InputError(f"{where}: the table has headers but no data rows")
    return RawTable(
        path=path,
        sha256=hashlib.sha256(raw).hexdigest(),
        sheet=path.stem,
        header_row=1,
        columns=columns,
        data=frame,
        decimal="," if delimiter == ";" else ".",
        blank_rows=n_blank - _trailing_blank(blank),
        notes=renamed_note(columns),
    )


def _may_repeat_header(
    frame: pd.DataFrame,
    columns: list[Column],
    targets: dict[str, tuple[Role, str, str]],
    rows: np.ndarray,
) -> bool:
    """Whether a row of an Arrow-read table (among ``rows``) repeats the header, as
    :func:`_repeats_header` decides: only rows with no number in any rating column are
    looked at one by one (the Arrow test lets through every row the Python one would)."""
    import pyarrow as pa
    import pyarrow.compute as pc

    candidate = rows.copy()
    for c in columns:
        if c.role not in ("criterion", "indicator"):
            continue
        at = np.flatnonzero(candidate)
        if not len(at):
            return False
        cells = pa.array(frame[c.key].array)
        if len(at) < len(cells):
            cells = cells.take(pa.array(at))
        # plain digits first (fast), then the few other cells by the full pattern
        numeric = pc.ascii_is_decimal(cells).to_numpy(zero_copy_only=False)
        other = np.flatnonzero(~numeric)
        if len(other):
            rest = pc.match_substring_regex(cells.take(pa.array(other)), _NUMERIC_TEXT.pattern)
            numeric[other] = rest.to_numpy(zero_copy_only=False)
        candidate[at[numeric]] = False
    if not candidate.any():
        return False
    ratings = _rating_indexes(columns)
    seen: dict[str, str] = {}
    # the columns are the header's cells, in order: a frame row is the row as read
    for row in frame.iloc[np.flatnonzero(candidate)].itertuples(index=False, name=None):
        if _repeats_header(list(row), ratings, targets, seen):
            return True
    return False


def _blank_cells(col: pd.Series) -> np.ndarray:
    """Vectorised ``not _present(v)`` for one column of cells as read."""
    if isinstance(col.dtype, pd.StringDtype):  # text columns of the CSV fast path
        return (col.str.strip() == "").to_numpy(dtype=bool, na_value=True)
    values = col.to_numpy(dtype=object)
    empty = pd.isna(values)
    kind = pd.api.types.infer_dtype(values, skipna=True)
    if kind in {"string", "mixed", "mixed-integer", "empty"}:
        text = pd.Series(values, dtype=object).str.strip()
        empty |= (text == "").to_numpy(dtype=bool, na_value=False)
    return empty


def _blank_rows(frame: pd.DataFrame) -> pd.Series:
    if frame.empty:
        return pd.Series([], dtype=bool)
    blank = np.ones(len(frame), dtype=bool)
    for name in frame.columns:
        # only rows blank so far need looking at: after a column or two, very few
        rows = np.flatnonzero(blank)
        if not len(rows):
            break
        column = frame[name]
        blank[rows] = _blank_cells(column if len(rows) == len(frame) else column.iloc[rows])
    return pd.Series(blank, index=frame.index)


def _trailing_blank(blank: pd.Series) -> int:
    values = blank.to_numpy()
    n = 0
    for v in values[::-1]:
        if not v:
            break
        n += 1
    return n
