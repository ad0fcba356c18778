"""How far an .ods file's tables reach, as python-calamine fills them, found while its
``content.xml`` is inflated."""

from __future__ import annotations

import re

_ODS_NAME = re.compile(rb'table:name="([^"]*)"')
_ODS_ROW_REPEAT = re.compile(rb'number-rows-repeated="([0-9]+)"')
_ODS_COL_REPEAT = re.compile(rb'number-columns-repeated="([0-9]+)"')
_ODS_ROW_END = b"</table:table-row>"
_ODS_ROW_START = re.compile(rb"<table:table-row[\s/>]")
_ODS_TAG_END = re.compile(rb"""<[^\s/>]+(?:[^>"']|"[^"]*"|'[^']*')*>""")


class OdsExtent:
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
