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
"""

from __future__ import annotations

import html
import io
import os
import re
import stat
import zipfile
import zlib
from collections.abc import Callable
from functools import lru_cache
from pathlib import Path
from typing import BinaryIO

from .errors import InputError

KB, MB, GB = 1 << 10, 1 << 20, 1 << 30
#: what --max-input-size is unless given
DEFAULT_MAX_INPUT_SIZE = 512 * MB
#: a workbook part larger than RATIO_GRACE may expand at most this many times its stored size
MAX_RATIO = 100
RATIO_GRACE = 10 * MB
#: one cell of a table's rectangle per this many bytes of the limit
BYTES_PER_CELL = 16
#: parts a workbook may hold (each costs memory to list, whatever its size)
MAX_PARTS = 100_000
#: bytes inflated at a time
CHUNK = 1 * MB

MaxSize = int | str

_SIZE = re.compile(r"^\s*([0-9]+(?:\.[0-9]*)?)\s*([kmgt]?)(?:i?b)?\s*$", re.IGNORECASE)
_UNITS = {"": 1, "k": KB, "m": MB, "g": GB, "t": 1 << 40}


def parse_size(value: MaxSize) -> int:
    """A size in bytes from ``512MB``, ``2 GB``, ``1.5g``, ``64MiB`` or a plain number of bytes.

    Units are powers of 1024 (``MB`` and ``MiB`` mean the same).  Raises :class:`InputError`
    for anything else, or for a size below one byte.
    """
    if isinstance(value, bool):
        raise InputError(f"--max-input-size: {value!r} is not a size (e.g. 512MB, 2GB)")
    if isinstance(value, int):
        size = value
    else:
        m = _SIZE.match(str(value))
        if not m:
            raise InputError(f"--max-input-size: {str(value)!r} is not a size (e.g. 512MB, 2GB)")
        size = int(float(m.group(1)) * _UNITS[m.group(2).lower()])
    if size < 1:
        raise InputError(f"--max-input-size: {value!r} is not a positive size")
    return size


def format_size(n: int) -> str:
    """``1181116006`` -> ``'1.1 GB'``; ``536870912`` -> ``'512 MB'`` (powers of 1024)."""
    for unit, scale in (("TB", 1 << 40), ("GB", GB), ("MB", MB), ("KB", KB)):
        if n >= scale:
            value = n / scale
            text = f"{value:.1f}" if value < 10 else f"{value:.0f}"
            return f"{text.removesuffix('.0')} {unit}"
    return f"{n} bytes"


def max_cells(limit: int) -> int:
    """How many cells a table's rectangle may span under ``limit``."""
    return max(limit // BYTES_PER_CELL, 1)


def _raise_hint(limit: int) -> str:
    return f"limit {format_size(limit)}; --max-input-size to raise"


def cells_error(name: str, what: str, cells: int, limit: int) -> InputError:
    return InputError(
        f"{name}: {what}, {cells:,} cells (limit {max_cells(limit):,} cells at "
        f"--max-input-size {format_size(limit)}; --max-input-size to raise)"
    )


# -- regular files, read within the limit ---------------------------------------------------

_KINDS = (
    (stat.S_ISFIFO, "a named pipe"),
    (stat.S_ISCHR, "a character device"),
    (stat.S_ISBLK, "a block device"),
    (stat.S_ISSOCK, "a socket"),
)


def not_regular(mode: int) -> str | None:
    """What a file of this mode is, when it is neither a regular file nor a folder."""
    for test, kind in _KINDS:
        if test(mode):
            return kind
    if stat.S_ISREG(mode) or stat.S_ISDIR(mode):
        return None
    return "not a regular file"


def _refuse_special(path: Path, mode: int) -> None:
    kind = not_regular(mode)
    if kind is not None:
        via = " (through a symbolic link)" if path.is_symlink() else ""
        raise InputError(
            f"{path.name}: not a regular file but {kind}{via}; give a spreadsheet file"
        )
    if stat.S_ISDIR(mode):
        raise InputError(f"{path}: is a folder, not a spreadsheet")


def check_input(path: str | Path, limit: int) -> int:
    """The size of ``path`` after checking, without opening it, that it is a regular file
    (symbolic links followed) no larger than ``limit``; raises :class:`InputError`."""
    path = Path(path)
    try:
        st = os.stat(path)
    except FileNotFoundError:
        raise InputError(f"{path}: no such file") from None
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    _refuse_special(path, st.st_mode)
    if st.st_size > limit:
        raise InputError(
            f"{path.name}: the file is {format_size(st.st_size)} ({_raise_hint(limit)})"
        )
    return st.st_size


def open_input(path: str | Path, limit: int) -> BinaryIO:
    """``path`` opened for reading in binary, once it is known to be a regular file no larger
    than ``limit`` (see :func:`check_input`).  Opening never blocks (a file swapped for a
    named pipe meanwhile is refused, not waited on)."""
    path = Path(path)
    check_input(path, limit)
    flags = os.O_RDONLY | getattr(os, "O_NONBLOCK", 0) | getattr(os, "O_CLOEXEC", 0)
    flags |= getattr(os, "O_BINARY", 0)
    try:
        fd = os.open(path, flags)
    except OSError as exc:
        raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    try:
        st = os.fstat(fd)
        _refuse_special(path, st.st_mode)
        if st.st_size > limit:
            raise InputError(
                f"{path.name}: the file is {format_size(st.st_size)} ({_raise_hint(limit)})"
            )
        if hasattr(os, "set_blocking"):
            os.set_blocking(fd, True)  # a regular file: reads never wait anyway
        return os.fdopen(fd, "rb")
    except BaseException:
        os.close(fd)
        raise


def read_input(path: str | Path, limit: int) -> bytes:
    """All of ``path``'s bytes: a regular file no larger than ``limit`` (one that changes
    size while being read is refused too)."""
    path = Path(path)
    with open_input(path, limit) as fh:
        try:
            data = fh.read(os.fstat(fh.fileno()).st_size)
            grew = fh.read(1)
        except OSError as exc:
            raise InputError(f"{path.name}: cannot read ({exc.strerror or exc})") from None
    if grew:
        raise InputError(f"{path.name}: the file changed while it was read; try again")
    return data


# -- workbooks: the zip pre-scan ------------------------------------------------------------

#: a sheet scanner: called with each chunk of the sheet's XML, then with None at the end
Feeder = Callable[[bytes | None], None]

_SHEET_ENTRY = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_ENTRY = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')
_ODS_NAME = re.compile(rb'table:name="([^"]*)"')


class _Archive:
    """A zip archive's directory, and its parts inflated within their declared sizes."""

    def __init__(self, name: str, raw: bytes, limit: int) -> None:
        self.name, self.limit = name, limit
        if raw.count(b"PK\x01\x02") > MAX_PARTS:
            raise InputError(
                f"{name}: cannot open as a workbook (more than {MAX_PARTS:,} parts in the archive)"
            )
        try:
            self.zip = zipfile.ZipFile(io.BytesIO(raw))
        except (zipfile.BadZipFile, zipfile.LargeZipFile, ValueError, OSError, EOFError) as exc:
            raise InputError(f"{name}: cannot open as a workbook ({_short(exc)})") from None
        self.infos = [i for i in self.zip.infolist() if not i.is_dir()]
        self.by_name = {i.filename: i for i in self.infos}

    def check_declared(self, describe: Callable[[str], str]) -> None:
        """Refuse a part declared larger than the limit, a part that would expand more than
        MAX_RATIO-fold, and parts that add up to more than the limit."""
        total = 0
        for info in self.infos:
            self.check_part(info, describe)
            total += info.file_size
        if total > self.limit:
            raise InputError(
                f"{self.name}: the workbook expands to {format_size(total)} "
                f"({_raise_hint(self.limit)})"
            )

    def check_part(self, info: zipfile.ZipInfo, describe: Callable[[str], str]) -> None:
        what = describe(info.filename)
        if info.file_size > self.limit:
            raise InputError(
                f"{self.name}: {what} expands to {format_size(info.file_size)} "
                f"({_raise_hint(self.limit)})"
            )
        stored = max(info.compress_size, 1)
        if info.file_size > RATIO_GRACE and info.file_size > MAX_RATIO * stored:
            raise InputError(
                f"{self.name}: {what} expands {info.file_size // stored:,}-fold "
                f"({format_size(info.compress_size)} to {format_size(info.file_size)}); parts over "
                f"{format_size(RATIO_GRACE)} may expand at most {MAX_RATIO}-fold, so this looks "
                "like a decompression bomb"
            )

    def stream(self, info: zipfile.ZipInfo, what: str, feed: Feeder | None = None) -> None:
        """Inflate one part in chunks, handing each to ``feed``; the part must hold exactly
        the bytes its header declares (Python's zip reader stops at the declared size and
        checks the CRC, so a header that understates the size fails here)."""
        seen = 0
        try:
            with self.zip.open(info) as fh:
                while True:
                    chunk = fh.read(CHUNK)
                    if not chunk:
                        break
                    seen += len(chunk)
                    if seen > info.file_size:  # never, with Python's reader; kept as a guard
                        raise zipfile.BadZipFile("more data than its header declares")
                    if feed is not None:
                        feed(chunk)
        except (
            zipfile.BadZipFile,
            zlib.error,
            EOFError,
            OSError,
            NotImplementedError,  # a compression method Python cannot inflate
            RuntimeError,  # an encrypted part
            ValueError,  # a part's offset pointing outside the file ("negative seek value")
        ) as exc:
            raise InputError(
                f"{self.name}: the workbook is damaged ({what}: {_short(exc)})"
            ) from None
        if seen != info.file_size:
            raise InputError(
                f"{self.name}: the workbook is damaged ({what} holds {seen:,} bytes, "
                f"its header says {info.file_size:,})"
            )
        if feed is not None:
            feed(None)

    def read(self, member: str, describe: Callable[[str], str]) -> bytes | None:
        """A (small) part whole, checked as every part is; None when there is no such part."""
        info = self.by_name.get(member)
        if info is None:
            return None
        self.check_part(info, describe)
        parts: list[bytes] = []
        self.stream(info, describe(member), lambda c: parts.append(c) if c else None)
        return b"".join(parts)


def _short(exc: BaseException) -> str:
    text = " ".join(str(exc).split())
    return text[:160] if text else exc.__class__.__name__


def scan_workbook(
    name: str,
    raw: bytes,
    limit: int,
    on_sheet: Callable[[str], Feeder | None] | None = None,
) -> None:
    """Check a zip-based workbook (.xlsx/.xlsm/.xlsb/.ods) before it is parsed; see the module
    docstring.  ``on_sheet(sheet name)`` may return a feeder that also gets each .xlsx/.xlsm
    worksheet's XML, chunk by chunk.  Raises :class:`InputError` naming the file."""
    arc = _Archive(name, raw, limit)
    sheets: dict[str, str] = {}  # member, lower case -> sheet name
    plain = lambda member: f"part {member!r}"  # noqa: E731
    rels_xml = arc.read("xl/_rels/workbook.xml.rels", plain) or b""
    book_xml = arc.read("xl/workbook.xml", plain) or b""
    rels = dict(_REL_ENTRY.findall(rels_xml))
    for sheet, rid in _SHEET_ENTRY.findall(book_xml):
        # the part the parser opens: Target under xl/, matched whatever its case
        target = rels.get(rid, b"").decode("utf-8", "replace")
        if target.startswith("/xl/"):
            target = target[1:]
        elif not target.startswith("xl/"):
            target = f"xl/{target}"
        sheets[target.lower()] = html.unescape(sheet.decode("utf-8", "replace"))

    def describe(member: str) -> str:
        if member.lower() in sheets:
            return f"sheet {sheets[member.lower()]!r}"
        if member == "content.xml":
            return "the sheets (content.xml)"
        return plain(member)

    arc.check_declared(describe)
    budget = max_cells(limit)
    spent = 0
    for info in arc.infos:
        member, lower = info.filename, info.filename.lower()
        what = describe(member)
        feeders: list[Feeder] = []
        extent: _XlsxExtent | _OdsExtent | None = None
        if lower.startswith("xl/") and lower.endswith(".xml"):
            # every XML part, not only those the workbook names: cells count wherever they are
            extent = _XlsxExtent(what)
            feeders.append(extent.feed)
            if lower in sheets and on_sheet is not None:
                extra = on_sheet(sheets[lower])
                if extra is not None:
                    feeders.append(extra)
        elif member == "content.xml":
            extent = _OdsExtent()
            feeders.append(extent.feed)
        arc.stream(info, what, _fan_out(feeders) if feeders else None)
        if extent is None:
            continue
        found = extent.sheets()
        if extent.needs_exact(budget - spent):
            # a second pass over the whole part (no larger than the limit)
            data = arc.read(member, describe) or b""
            exact = _xlsx_extent(data) if extent.unusual else _plain_extent(data)
            found = [(what, *exact)]
        for where, rows, cols in found:
            spent += rows * cols
            if rows * cols > budget:
                span = f"A1:{_letters(cols)}{rows}"
                raise cells_error(name, f"{where} spans {span}", rows * cols, limit)
            if spent > budget:
                raise cells_error(name, "its sheets together span", spent, limit)


def _fan_out(feeders: list[Feeder]) -> Feeder:
    if len(feeders) == 1:
        return feeders[0]

    def feed(chunk: bytes | None) -> None:
        for f in feeders:
            f(chunk)

    return feed


def _letters(col: int) -> str:
    """1-based column number -> Excel letters."""
    out = ""
    while col > 0:
        col, rem = divmod(col - 1, 26)
        out = chr(65 + rem) + out
    return out or "A"


def _col_number(letters: bytes) -> int:
    n = 0
    for ch in letters:
        n = n * 26 + (ch - 64)
    return n


class _Extent:
    """How far a sheet's cells reach: the rectangle from A1 that the parser fills."""

    def __init__(self) -> None:
        self._carry = b""

    def feed(self, chunk: bytes | None) -> None:
        """Whole tags only: each region handed on ends just before a ``<``."""
        if chunk is None:
            if self._carry:
                self._region(self._carry)
            self._carry = b""
            return
        buf = self._carry + chunk if self._carry else chunk
        cut = buf.rfind(b"<")
        if cut < 0:  # text only: no tags to see
            self._carry = b""
            return
        self._carry = buf[cut:]
        if cut:
            self._region(buf[:cut])

    def _region(self, data: bytes) -> None:
        raise NotImplementedError

    def needs_exact(self, budget: int) -> bool:
        return False

    def sheets(self) -> list[tuple[str, int, int]]:
        raise NotImplementedError


#: a cell tag with a namespace prefix (``<x:c r=...>``)
_PREFIXED_CELL = re.compile(rb":c[\s>/]")


@lru_cache(maxsize=1024)
def _outside(col_len: int, col_lead: int, row_len: int, row_lead: int) -> re.Pattern[bytes]:
    """A cell tag that is not ``<c r="..."`` with a reference inside the given bound."""
    cols = [b"[A-%c][A-Z]{%d}" % (64 + col_lead, col_len - 1)]
    if col_len > 1:
        cols.insert(0, b"[A-Z]{1,%d}" % (col_len - 1))
    rows = [b"[0-%d][0-9]{%d}" % (row_lead, row_len - 1)]
    if row_len > 1:
        rows.insert(0, b"[0-9]{1,%d}" % (row_len - 1))
    inside = b'r="(?:%s)(?:%s)"' % (b"|".join(cols), b"|".join(rows))
    return re.compile(rb"<c(?! %s)[\s>]" % inside)


class _XlsxExtent(_Extent):
    """An upper bound on the rectangle an .xlsx sheet's cells span.

    Files written by Excel and the usual libraries give every cell as ``<c r="B7" ...>``.
    Then one search per chunk finds the cells whose reference lies outside the bound known
    so far — a longer row number or column name, or one as long with a larger first digit
    or letter — and each one found widens the bound, which so stays within twice the real
    extent.  When that bound is over the budget, or some cell is written otherwise (without
    ``r``, with a namespace prefix, ``r`` not first), :func:`_xlsx_extent` works out the
    exact extent instead.
    """

    def __init__(self, where: str) -> None:
        super().__init__()
        self.where = where
        self.unusual = False
        # the bound: (digits, leading digit) of rows, (letters, leading letter 1-26) of columns
        self.row_len, self.row_lead = 1, 1
        self.col_len, self.col_lead = 1, 1
        self.cells = False

    def _region(self, data: bytes) -> None:
        if self.unusual:
            return
        if _PREFIXED_CELL.search(data):
            self.unusual = True
            return
        if not self.cells:
            self.cells = b"<c " in data
        pos = 0
        while True:
            m = _outside(self.col_len, self.col_lead, self.row_len, self.row_lead).search(data, pos)
            if m is None:
                return
            ref = _CELL_REF.match(data, m.start())
            if ref is None:  # a cell written otherwise: follow the tags instead
                self.unusual = True
                return
            letters, digits = ref.group(1), ref.group(2)
            col, row = (len(letters), letters[0] - 64), (len(digits), digits[0] - 48)
            if col <= (self.col_len, self.col_lead) and row <= (self.row_len, self.row_lead):
                self.unusual = True  # cannot happen; never loop on it
                return
            self.col_len, self.col_lead = max((self.col_len, self.col_lead), col)
            self.row_len, self.row_lead = max((self.row_len, self.row_lead), row)
            pos = m.start()

    def _bound(self) -> tuple[int, int]:
        if not self.cells:
            return 0, 0
        rows = (self.row_lead + 1) * 10 ** (self.row_len - 1) - 1
        cols = _col_number(bytes([64 + self.col_lead]) + b"Z" * (self.col_len - 1))
        return rows, cols

    def needs_exact(self, budget: int) -> bool:
        if self.unusual:
            return True
        rows, cols = self._bound()
        return rows * cols > budget

    def sheets(self) -> list[tuple[str, int, int]]:
        rows, cols = self._bound()
        return [(self.where, rows, cols)]


#: a tag as the XML parser reads it when no attribute value holds a '<' or '>', and the
#: document has no comments, CDATA sections or declarations (then every '<' starts one)
_SIMPLE_TAG = re.compile(
    rb"""<(/?)((?:[A-Za-z_][\w.-]*:)?[A-Za-z_][\w.-]*)((?:[^<>"']|"[^"<>]*"|'[^'<>]*')*)>"""
    rb"""|<\?[^<>]*\?>"""
)
_ROW_OR_CELL = re.compile(  # a row's or cell's start, or a row's end
    rb"""<(?:(/)(?:[A-Za-z_][\w.-]*:)?(row)\s*|((?:[A-Za-z_][\w.-]*:)?(?:row|c))(?=[\s/>])"""
    rb"""((?:[^<>"']|"[^"<>]*"|'[^'<>]*')*))>"""
)
_TAG_STOP = re.compile(rb"""[>"']""")
_ATTR = re.compile(rb"""\s*([^\s=/>]+)\s*=\s*(?:"([^"]*)"|'([^']*)')""")
_REF = re.compile(rb"^([A-Za-z]*)([0-9]+)$")
_CELL_REF = re.compile(rb'<c r="([A-Z]+)([0-9]+)"')
_CELL_REFS = re.compile(rb'<c r="([A-Z]+)([0-9]+)"[\s/>]')


def _r_attribute(attrs: bytes) -> bytes | None:
    """The value of the ``r`` attribute in a tag's attribute text, read attribute by
    attribute (a value that merely contains ``r="..."`` is not one)."""
    if attrs.startswith(b' r="'):  # as nearly every writer puts it
        end = attrs.find(b'"', 4)
        return attrs[4:end] if end >= 0 else None
    pos = 0
    while True:
        m = _ATTR.match(attrs, pos)
        if m is None:
            return None
        if m.group(1) == b"r":
            return m.group(2) if m.group(2) is not None else m.group(3)
        pos = m.end()


class _Cells:
    """Where python-calamine puts each cell of an .xlsx sheet: a ``<row r=..>`` sets the row,
    ``</row>`` moves to the next, a cell's ``r`` sets its place and one without goes right
    of the previous one; empty elements (``<c/>``) are a start and an end."""

    def __init__(self) -> None:
        self.max_row = self.max_col = 0
        self.row = self.col = 0  # 0-based, as the parser counts

    def tag(self, closing: bool, name: bytes, attrs: bytes) -> None:
        local = name.rpartition(b":")[2] if b":" in name else name
        if closing:
            if local == b"row":
                self.row += 1
                self.col = 0
            return
        if local == b"c":
            empty = attrs.endswith(b"/")
            ref = _r_attribute(attrs[:-1] if empty else attrs)
            row, col = self.row, self.col
            parsed = _REF.match(ref) if ref is not None else None
            if parsed:
                row = max(int(parsed.group(2)) - 1, 0)
                if parsed.group(1):
                    col = _col_number(parsed.group(1).upper()) - 1
                self.col = col
            if row >= self.max_row:
                self.max_row = row + 1
            if col >= self.max_col:
                self.max_col = col + 1
            self.col += 1
        elif local == b"row":
            empty = attrs.endswith(b"/")
            ref = _r_attribute(attrs[:-1] if empty else attrs)
            if ref is not None and ref.isdigit():
                self.row = max(int(ref) - 1, 0)
            if empty:
                self.row += 1
                self.col = 0


def _plain_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) that an .xlsx sheet's cells span from A1, when every cell is written
    ``<c r="B7" ...>``: the largest row number and column name among the references."""
    refs = _CELL_REFS.findall(data)
    if not refs:
        return 0, 0
    letters = max((r[0] for r in refs), key=lambda text: (len(text), text))
    digits = max((r[1].lstrip(b"0") or b"0" for r in refs), key=lambda text: (len(text), text))
    return int(digits), _col_number(letters)


def _xlsx_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) that an .xlsx sheet's cells span from A1, read tag by tag as the XML
    parser does: tags end at the first '>' outside quotes; comments, CDATA sections,
    processing instructions and declarations hold no tags."""
    cells = _Cells()
    if _SIMPLE_TAG.subn(b"", data)[1] == data.count(b"<"):
        # the usual case: every '<' starts a plain tag, so a pattern finds the rows and cells
        tag = cells.tag
        for m in _ROW_OR_CELL.finditer(data):
            if m.group(1):
                tag(True, b"row", b"")
            else:
                tag(False, m.group(3), m.group(4))
        return cells.max_row, cells.max_col
    # otherwise every '<' in turn
    i = 0
    while True:
        lt = data.find(b"<", i)
        if lt < 0:
            break
        for opening, closing in ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>")):
            if data.startswith(opening, lt):
                stop = data.find(closing, lt + len(opening))
                break
        else:
            stop = None
        if stop is not None:
            if stop < 0:
                break  # never closed: the parser fails
            i = stop + 1
            continue
        if data.startswith(b"<!", lt):  # a declaration, perhaps with [...] inside
            gt = data.find(b">", lt)
            bracket = data.find(b"[", lt, gt if gt >= 0 else len(data))
            if bracket >= 0:
                gt = data.find(b">", data.find(b"]", bracket))
            if gt < 0:
                break
            i = gt + 1
            continue
        j = lt + 1
        while True:  # the first '>' outside quotes
            m = _TAG_STOP.search(data, j)
            if m is None or data[m.start()] == 62:  # '>'
                break
            q = data.find(data[m.start() : m.start() + 1], m.start() + 1)
            if q < 0:
                m = None
                break
            j = q + 1
        if m is None:
            break  # a tag never closed: the parser fails
        body = data[lt + 1 : m.start()]
        closing = body.startswith(b"/")
        name = re.match(rb"/?([^\s/>]*)", body)
        cells.tag(closing, name.group(1), body[name.end() :])
        i = m.start() + 1
    return cells.max_row, cells.max_col


_ODS_ROW_REPEAT = re.compile(rb'number-rows-repeated="([0-9]+)"')
_ODS_COL_REPEAT = re.compile(rb'number-columns-repeated="([0-9]+)"')
_ODS_ROW_END = b"</table:table-row>"
_ODS_ROW_START = re.compile(rb"<table:table-row[\s/>]")
_ODS_TAG_END = re.compile(rb"""<[^\s/>]+(?:[^>"']|"[^"]*"|'[^']*')*>""")


class _OdsExtent:
    """The rectangles an .ods file's tables span, as python-calamine fills them: rows up to
    the last one holding a value (repeated rows counted as many times as they repeat) by the
    widest such row (repeated cells counted likewise; a row's trailing empty cells, which
    spreadsheet programs write out to the last column, are not read)."""

    def __init__(self) -> None:
        self._carry = b""
        self._done: list[tuple[str, int, int]] = []
        self._table = "?"
        self._rows = self._pending = self._width = self._hidden = 0

    def feed(self, chunk: bytes | None) -> None:
        if chunk is None:
            if self._carry:
                self._region(self._carry)
            self._carry = b""
            self._close_table()
            return
        buf = self._carry + chunk if self._carry else chunk
        cut = buf.rfind(_ODS_ROW_END)
        if cut < 0:
            self._carry = buf
            return
        cut += len(_ODS_ROW_END)
        self._carry = buf[cut:]
        self._region(buf[:cut])

    def _close_table(self) -> None:
        rows, width = self._rows, self._width
        if self._hidden:  # cells outside any row as found here: as wide, below any row
            rows, width = rows + self._pending + 1, width + self._hidden
        if rows and width:
            self._done.append((f"sheet {self._table!r}", rows, width))
        self._rows = self._pending = self._width = self._hidden = 0

    def _gap(self, x: bytes, start: int, stop: int) -> None:
        """Cells between two rows as found here (which a row end inside an attribute value
        could make): each counts as a column more, in a row of its own."""
        if x.find(b"table-cell", start, stop) < 0:
            return
        self._hidden += x.count(b"<table:table-cell", start, stop)
        self._hidden += x.count(b"<table:covered-table-cell", start, stop)
        for n in _ODS_COL_REPEAT.findall(x, start, stop):
            self._hidden += int(n)

    def _region(self, x: bytes) -> None:
        pos = 0
        find, rfind, count = x.find, x.rfind, x.count
        while True:
            row = _ODS_ROW_START.search(x, pos)
            start = row.start() if row else -1
            table = find(b"<table:table ", pos, start if start >= 0 else len(x))
            self._gap(x, pos, table if table >= 0 else start if start >= 0 else len(x))
            if table >= 0:  # a new table starts before this row
                self._close_table()
                name = _ODS_NAME.search(x, table, find(b">", table))
                self._table = name.group(1).decode("utf-8", "replace") if name else "?"
                pos = table + 1
                continue
            if start < 0:
                return
            tag = _ODS_TAG_END.match(x, start)  # quotes respected: '>' may sit in a value
            if tag is None:
                return
            head_end = tag.end()
            rep = 1
            if find(b"rows-repeated", start, head_end) >= 0:
                m = _ODS_ROW_REPEAT.search(x, start, head_end)
                rep = int(m.group(1)) if m else 1
            if x[head_end - 2 : head_end] == b"/>":  # a row element with no cells
                self._pending += rep
                pos = head_end
                continue
            end = find(_ODS_ROW_END, head_end)
            if end < 0:
                return
            pos = end + len(_ODS_ROW_END)
            stop = end
            last = rfind(b"<table:table-cell", head_end, end)
            if (
                last >= 0
                and x[end - 2 : end] == b"/>"
                and find(b"value-type", last, end) < 0
                and find(b"formula", last, end) < 0
            ):
                stop = last  # the row's trailing empty cell(s): not read
            if (
                find(b"value-type", head_end, stop) < 0
                and find(b"formula", head_end, stop) < 0
                and find(b"</table:", head_end, stop) < 0
            ):
                self._pending += rep  # an empty row: counted only if a row with values follows
                continue
            width = count(b"<table:table-cell", head_end, stop) + count(
                b"<table:covered-table-cell", head_end, stop
            )
            if find(b"columns-repeated", head_end, stop) >= 0:
                for n in _ODS_COL_REPEAT.findall(x, head_end, stop):
                    width += int(n) - 1
            self._rows += self._pending + rep
            self._pending = 0
            self._width = max(self._width, width)

    def needs_exact(self, budget: int) -> bool:
        return False

    def sheets(self) -> list[tuple[str, int, int]]:
        return list(self._done)


def describe_special(path: Path) -> str | None:
    """What ``path`` is when it exists but is neither a regular file nor a folder."""
    try:
        return not_regular(os.stat(path).st_mode)
    except OSError:
        return None
