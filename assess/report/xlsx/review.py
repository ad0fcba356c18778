"""The evidence and review trail in the report workbook: the Summary's share of ratings with
evidence and rows per review status, the Rejected sheet's rows for the flags and the rows not
approved, and (when asked for) evidence that is one web address as a live link on Scores."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from ...result import Result
from ..review_content import review_summary
from ..safety import WEB_ADDRESS, clean_text
from ..sheets import Worksheet, is_missing
from .formats import CellFormats
from .layout import Layout

#: Excel's longest link.
MAX_URL = 2079
#: Excel's most links on a sheet.
MAX_LINKS = 65_530


def write_review_block(ws: Worksheet, f: CellFormats, result: Result, r: int) -> int:
    """From row ``r`` of the Summary: each criterion's ratings with evidence, the rows per
    review status and the flags (nothing when the input has none of them); returns the row
    after them."""
    summary = review_summary(result)
    if summary.empty and not result.flags:
        return r
    ws.write_string(r, 0, "Evidence and review", f.h2)
    r += 1
    if summary.shares:
        for c, h in enumerate(("Criterion", "Rated", "With evidence", "Share")):
            ws.write_string(r, c, h, f.head)
        r += 1
        for share in summary.shares:
            ws.write_string(r, 0, clean_text(share.label))
            ws.write_number(r, 1, share.rated)
            ws.write_number(r, 2, share.with_evidence)
            if not is_missing(share.share):
                ws.write_number(r, 3, share.share, f.pct)
            r += 1
    if summary.statuses:
        for c, h in enumerate(("Review status", "Rows")):
            ws.write_string(r, c, h, f.head)
        r += 1
        for status, n in summary.statuses:
            ws.write_string(r, 0, clean_text(status))
            ws.write_number(r, 1, n)
            r += 1
    if result.flags:
        ws.write_string(r, 0, "Flags (listed on the Rejected sheet)", f.label)
        ws.write_number(r, 1, len(result.flags))
        r += 1
    return r


def review_rows(result: Result) -> Iterator[list[Any]]:
    """The Rejected sheet's rows for the rows not approved and the flags: status, cell, file,
    sheet, row, column, header, value, reason."""
    for h in result.held:
        yield [
            "not approved",
            h.cell,
            h.file,
            h.sheet,
            h.row,
            h.column,
            "Status",
            h.status,
            h.reason,
        ]
    for fl in result.flags:
        yield ["flagged", fl.cell, fl.file, fl.sheet, fl.row, fl.column, fl.header, None, fl.reason]


def evidence_columns(lay: Layout, result: Result) -> set[int]:
    """The Scores sheet's columns (0-based) that hold evidence."""
    return {
        lay.c_carried + lay.carried.index(name)
        for name in result.evidence_columns
        if name in lay.carried
    }


def web_address(value: Any) -> str | None:
    """The evidence cell's ``http(s)`` address when it holds one and nothing else (and Excel
    can hold it as a link), else None."""
    if not isinstance(value, str):
        return None
    url = value.strip()
    return url if len(url) <= MAX_URL and WEB_ADDRESS.fullmatch(url) else None
