"""Spreadsheets -> a raw table, and where every cell came from.

:func:`read_table` opens an ``.xlsx``/``.xlsm``/``.xls``/``.ods`` workbook (via python-calamine,
which also returns the cached value of formula cells) or a ``.csv``/``.tsv``/``.txt`` file
(encoding and delimiter sniffed), finds the table whose header row best matches the
rubric's columns — under a title block, on a later sheet, with headers that differ in
case, spacing, punctuation or a unit suffix — and returns it untouched as a
:class:`RawTable`.  Nothing is interpreted here; :mod:`assess.validate` does that.
"""

from __future__ import annotations

import csv
import difflib
import hashlib
import io
import re
import unicodedata
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
from .rubric import Rubric

WORKBOOK_SUFFIXES = {".xlsx", ".xlsm", ".xlsb", ".xls", ".ods"}
TEXT_SUFFIXES = {".csv", ".tsv", ".txt"}
SUPPORTED_SUFFIXES = WORKBOOK_SUFFIXES | TEXT_SUFFIXES
HEADER_SCAN_ROWS = 50

_BRACKETED = re.compile(r"[\(\[\{][^\)\]\}]*[\)\]\}]")
_NON_ALNUM = re.compile(r"[^0-9a-z]+")


def normalise_header(text: Any) -> str:
    """The form in which headers are compared: case, spacing, punctuation and a bracketed
    unit suffix do not matter (``'Transparency (0-4)'`` -> ``'transparency'``)."""
    s = unicodedata.normalize("NFKD", str(text)).encode("ascii", "ignore").decode().casefold()
    s = _BRACKETED.sub(" ", s)
    return _NON_ALNUM.sub(" ", s).strip()


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


@dataclass
class RawTable:
    """The table found in a file, cells as read, with their provenance.

    ``data`` has one column per :class:`Column` (named by ``Column.key``) and is indexed by
    the Excel row number of each data row (for CSV: the line's record number).  Blank rows
    are already dropped and counted in ``blank_rows``.
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

    @property
    def name(self) -> str:
        return self.path.name

    def column(self, key: str) -> Column:
        for c in self.columns:
            if c.key == key:
                return c
        raise KeyError(key)


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
    return out


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
    for name, _, rows in sheets:
        for r, c, text in errors[name].found if name in errors else ():
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
    header: list[Any], targets: dict[str, tuple[Role, str, str]], where: str
) -> list[Column]:
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
            name = text or f"Column {column_letter(idx)}"
            base, n = name, 2
            while name in carried_names or normalise_header(name) in {"id"}:
                name, n = f"{base} ({n})", n + 1
            carried_names.add(name)
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
    table.notes += _check_rubric_columns(table.columns, rubric, allowed, _where(table))
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
    columns = _build_columns(header, _targets(rubric, id_column), where)
    if not any(c.role == "id" for c in columns):
        raise InputError(
            f"{where}: no id column {id_names(rubric, id_column)[0]!r}; "
            "name the id column with --id-column"
        )
    return _check_rubric_columns(columns, rubric, allowed, where)


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
    header = rows[ri]
    where = (
        f"{path.name}: sheet {name!r}, header row {ri + 1}"
        if path.suffix.lower() not in TEXT_SUFFIXES
        else f"{path.name}: header line {ri + 1}"
    )
    columns = _build_columns(header, targets, where)
    if not any(c.role == "id" for c in columns):
        serve = _id_candidates(rows[ri + 1 :], columns)
        could = (
            f"; columns that could serve (unique, non-blank text): "
            f"{', '.join(repr(h) for h in serve)}"
            if serve
            else "; no column holds unique, non-blank text"
        )
        raise InputError(
            f"{where}: no id column {id_names(rubric, id_column)[0]!r}{could}; "
            "name the id column with --id-column"
        )
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
    )


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
    columns = _build_columns(header, targets, where)
    if not any(c.role == "id" for c in columns):
        return None
    dtype = _string_dtype()
    frame = pd.DataFrame(
        {c.key: pd.array(table.column(c.index), dtype=dtype) for c in columns},
        index=pd.RangeIndex(2, 2 + table.num_rows, name="row"),
    )
    blank = _blank_rows(frame)
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
    )


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
