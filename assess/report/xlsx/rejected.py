"""The report workbook's **Rejected** sheet: every rejected or insufficient-evidence row, with
the cell to correct."""

from __future__ import annotations

from ...display import percent
from ...result import Result, missing_criteria
from ..sheets import Worksheet, write_value
from .formats import CellFormats


def write_rejected_sheet(wb, f: CellFormats, result: Result) -> None:
    """Add the Rejected sheet to ``wb``: a row per problem cell of every rejected row, then a
    row per engagement with insufficient evidence."""
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Rejected")
    headers = ["Status", "Cell", "File", "Sheet", "Row", "Column", "Header", "Value", "Reason"]
    for c, h in enumerate(headers):
        ws.write_string(0, c, h, f.head)
    r = 1
    for rej in result.rejected:
        for p in rej.problems:
            for c, v in enumerate(
                [
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
            ):
                write_value(ws, r, c, v, date_fmt=f.date)
            r += 1
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
        for c, v in enumerate(
            [
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
        ):
            write_value(ws, r, c, v)
        r += 1
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(r - 1, 1), len(headers) - 1)
    ws.set_column(0, 0, 20)
    ws.set_column(1, 1, 26)
    ws.set_column(2, 3, 18)
    ws.set_column(4, 5, 8)
    ws.set_column(6, 7, 20)
    ws.set_column(8, 8, 80)
