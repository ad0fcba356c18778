"""A zip-based workbook (.xlsx/.xlsm/.xlsb/.ods) checked before it is parsed: its parts' sizes,
and how far each sheet's cells reach."""

from __future__ import annotations

import html
import re
import zipfile
from collections.abc import Callable

from .archive import Archive, Feeder
from .ods_extent import OdsExtent
from .sizes import cells_error, max_cells
from .xlsx_extent import XlsxExtent, exact_extent, plain_extent

_SHEET_ENTRY = re.compile(rb'<sheet [^>]*?name="([^"]*)"[^>]*?r:id="([^"]*)"')
_REL_ENTRY = re.compile(rb'<Relationship [^>]*?Id="([^"]*)"[^>]*?Target="([^"]*)"')

#: a sheet's name and the rectangle (rows, columns) its cells span
Extent = tuple[str, int, int]


def scan_workbook(
    name: str,
    raw: bytes,
    limit: int,
    on_sheet: Callable[[str], Feeder | None] | None = None,
) -> None:
    """Check a zip-based workbook (.xlsx/.xlsm/.xlsb/.ods) before it is parsed; see
    :mod:`assess.limits`.  ``on_sheet(sheet name)`` may return a feeder that also gets each
    .xlsx/.xlsm worksheet's XML, chunk by chunk.  Raises :class:`InputError` naming the file."""
    scan = _Scan(Archive(name, raw, limit), on_sheet)
    scan.arc.check_declared(scan.describe)
    budget = max_cells(limit)
    spent = 0
    for info in scan.arc.infos:
        for where, rows, cols in scan.part(info, budget - spent):
            spent += rows * cols
            if rows * cols > budget:
                span = f"A1:{_letters(cols)}{rows}"
                raise cells_error(name, f"{where} spans {span}", rows * cols, limit)
            if spent > budget:
                raise cells_error(name, "its sheets together span", spent, limit)


def _plain(member: str) -> str:
    return f"part {member!r}"


class _Scan:
    """One workbook's parts, with the sheets its workbook part names."""

    def __init__(self, arc: Archive, on_sheet: Callable[[str], Feeder | None] | None) -> None:
        self.arc, self.on_sheet = arc, on_sheet
        self.sheets: dict[str, str] = {}  # member, lower case -> sheet name
        rels_xml = arc.read("xl/_rels/workbook.xml.rels", _plain) or b""
        book_xml = arc.read("xl/workbook.xml", _plain) or b""
        rels = dict(_REL_ENTRY.findall(rels_xml))
        for sheet, rid in _SHEET_ENTRY.findall(book_xml):
            # the part the parser opens: Target under xl/, matched whatever its case
            target = rels.get(rid, b"").decode("utf-8", "replace")
            if target.startswith("/xl/"):
                target = target[1:]
            elif not target.startswith("xl/"):
                target = f"xl/{target}"
            self.sheets[target.lower()] = html.unescape(sheet.decode("utf-8", "replace"))

    def describe(self, member: str) -> str:
        if member.lower() in self.sheets:
            return f"sheet {self.sheets[member.lower()]!r}"
        if member == "content.xml":
            return "the sheets (content.xml)"
        return _plain(member)

    def part(self, info: zipfile.ZipInfo, budget: int) -> list[Extent]:
        """Inflate one part (checking it holds what its header declares); the sheets in it
        and their extents, exact when the bound found on the way exceeds ``budget``."""
        member, lower = info.filename, info.filename.lower()
        what = self.describe(member)
        feeders: list[Feeder] = []
        extent: XlsxExtent | OdsExtent | None = None
        if lower.startswith("xl/") and lower.endswith(".xml"):
            # every XML part, not only those the workbook names: cells count wherever they are
            extent = XlsxExtent(what)
            feeders.append(extent.feed)
            if lower in self.sheets and self.on_sheet is not None:
                extra = self.on_sheet(self.sheets[lower])
                if extra is not None:
                    feeders.append(extra)
        elif member == "content.xml":
            extent = OdsExtent()
            feeders.append(extent.feed)
        self.arc.stream(info, what, _fan_out(feeders) if feeders else None)
        if extent is None:
            return []
        if not extent.needs_exact(budget):
            return extent.sheets()
        # a second pass over the whole part (no larger than the limit)
        data = self.arc.read(member, self.describe) or b""
        exact = exact_extent(data) if extent.unusual else plain_extent(data)
        return [(what, *exact)]


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
