"""The report workbook's **Rejected** sheet: every rejected or insufficient-evidence row, with
the cell to correct; then the rows not approved and the flags (:mod:`.review`)."""

from __future__ import annotations

from collections.abc import Iterator
from itertools import islice

from ...display import percent
from ...result import Result, missing_criteria
from ..page import LINE, PADDING, column_width, header_height, set_page, wrapped_lines
from ..sheets import Worksheet, write_value
from .formats import CellFormats
from .review import review_rows

#: The sheet's columns.
HEAD = ["Status", "Cell", "File", "Sheet", "Row", "Column", "Header", "Value", "Reason"]
#: The widest each column grows for its values; longer text wraps.
MOST = [22, 30, 24, 24, 8, 8, 24, 24, 60]


def write_rejected_sheet(wb, f: CellFormats, result: Result) -> None:
    """Add the Rejected sheet to ``wb``: a row per problem cell of every rejected row, then a
    row per engagement with insufficient evidence."""
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Rejected")
    sample = list(islice(_rows(result), 500))
    widths = [
        column_width([h], [str(row[c]) for row in sample], least=8, most=MOST[c])
        for c, h in enumerate(HEAD)
    ]
    for c, width in enumerate(widths):
        ws.set_column(c, c, width, f.wrap_bottom)
    fits = [(width - PADDING) / 1.5 for width in widths]
    ws.set_row(0, header_height(zip(HEAD, widths, strict=True)))
    for c, h in enumerate(HEAD):
        ws.write_string(0, c, h, f.head)
    r = 0
    for r, row in enumerate(_rows(result), start=1):
        lines = max(
            wrapped_lines(v, widths[c], bold=False)
            if isinstance(v, str) and len(v) > fits[c]  # text this short surely fits
            else 1
            for c, v in enumerate(row)
        )
        if lines > 1:  # a row as tall as its wrapped text
            ws.set_row(r, LINE * lines)
        for c, v in enumerate(row):
            write_value(ws, r, c, v, date_fmt=f.date)
    last = max(r, 1)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, len(HEAD) - 1)
    set_page(ws, f.page)


def _rows(result: Result) -> Iterator[list]:
    """A row per problem cell of every rejected row, then a row per engagement with
    insufficient evidence, then the rows not approved and the flags."""
    yield from _unscored(result)
    yield from review_rows(result)


def _unscored(result: Result) -> Iterator[list]:
    for rej in result.rejected:
        for p in rej.problems:
            yield [
                "rejected",
                f"{rej.sheet}!{p.column}{rej.row}",
                rej.file,
                rej.sheet,
                rej.row,
                p.column,
                p.header,
                p.value,
                p.reason,
            ]
    rubric = result.rubric
    by_file = {s.file: s for s in result.sources}
    need = percent(rubric.missing.min_weight_share)
    for eid, row in result.insufficient.iterrows():
        missing = missing_criteria(result, row)
        src = by_file.get(row["source"])
        letter = src.letter(missing[0]) if src and missing else ""
        labels = ", ".join(rubric.criterion(m).label for m in missing)
        reason = (
            f"insufficient evidence: {percent(row['completeness'])} of the weight rated "
            f"(need {need}); missing {labels}"
        )
        yield [
            "insufficient evidence",
            f"{row['sheet']}!{letter}{row['row']}",
            row["source"],
            row["sheet"],
            int(row["row"]),
            letter,
            ", ".join(missing),
            eid,
            reason,
        ]
