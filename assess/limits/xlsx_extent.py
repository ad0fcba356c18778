"""How far an .xlsx sheet's cells reach: a bound found while the sheet is inflated, and the exact
extent, read as the XML parser reads it, when the bound is not enough."""

from __future__ import annotations

import re
from functools import lru_cache


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


class XlsxExtent(_Extent):
    """An upper bound on the rectangle an .xlsx sheet's cells span.

    Files written by Excel and the usual libraries give every cell as ``<c r="B7" ...>``.
    Then one search per chunk finds the cells whose reference lies outside the bound known
    so far — a longer row number or column name, or one as long with a larger first digit
    or letter — and each one found widens the bound, which so stays within twice the real
    extent.  When that bound is over the budget, or some cell is written otherwise (without
    ``r``, with a namespace prefix, ``r`` not first), :func:`exact_extent` works out the
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


def plain_extent(data: bytes) -> tuple[int, int]:
    """(rows, columns) that an .xlsx sheet's cells span from A1, when every cell is written
    ``<c r="B7" ...>``: the largest row number and column name among the references."""
    refs = _CELL_REFS.findall(data)
    if not refs:
        return 0, 0
    letters = max((r[0] for r in refs), key=lambda text: (len(text), text))
    digits = max((r[1].lstrip(b"0") or b"0" for r in refs), key=lambda text: (len(text), text))
    return int(digits), _col_number(letters)


def exact_extent(data: bytes) -> tuple[int, int]:
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
    _follow_tags(data, cells)
    return cells.max_row, cells.max_col


#: what holds no tags: (its start, its end)
_NOT_TAGS = ((b"<!--", b"-->"), (b"<![CDATA[", b"]]>"), (b"<?", b"?>"))


def _follow_tags(data: bytes, cells: _Cells) -> None:
    """Every '<' in turn: the tags it starts handed to ``cells``, the rest skipped."""
    i = 0
    while True:
        lt = data.find(b"<", i)
        if lt < 0:
            return
        after = _skip_not_tag(data, lt)
        if after is not None:
            if after < 0:
                return  # never closed: the parser fails
            i = after
            continue
        gt = _tag_end(data, lt)
        if gt < 0:
            return  # a tag never closed: the parser fails
        body = data[lt + 1 : gt]
        closing = body.startswith(b"/")
        name = re.match(rb"/?([^\s/>]*)", body)
        cells.tag(closing, name.group(1), body[name.end() :])
        i = gt + 1


def _skip_not_tag(data: bytes, lt: int) -> int | None:
    """Where to read on after the comment, CDATA section, processing instruction or declaration
    (perhaps with [...] inside) that starts at ``lt``; -1 when it never ends; None when ``lt``
    starts a tag."""
    for opening, closing in _NOT_TAGS:
        if data.startswith(opening, lt):
            stop = data.find(closing, lt + len(opening))
            return stop + 1 if stop >= 0 else -1
    if not data.startswith(b"<!", lt):
        return None
    gt = data.find(b">", lt)
    bracket = data.find(b"[", lt, gt if gt >= 0 else len(data))
    if bracket >= 0:
        gt = data.find(b">", data.find(b"]", bracket))
    return gt + 1 if gt >= 0 else -1


def _tag_end(data: bytes, lt: int) -> int:
    """Where the tag that starts at ``lt`` ends: its first '>' outside quotes; -1 if none."""
    j = lt + 1
    while True:
        m = _TAG_STOP.search(data, j)
        if m is None:
            return -1
        if data[m.start()] == 62:  # '>'
            return m.start()
        q = data.find(data[m.start() : m.start() + 1], m.start() + 1)
        if q < 0:
            return -1
        j = q + 1
