"""The report workbook's **Trends** sheet, when the result carries its period's history
(``result.history``, a :class:`~assess.history.context.PeriodContext`): how the period is
compared with the one before it, the band mix per period and the mean score per type per
period, each table with its native chart (the bands in their colours, the types in the
criteria's colours of the Charts sheet).

The figures are the history store's, written as values: the periods before this one are not
on the workbook's other sheets.
"""

from __future__ import annotations

from typing import Any

from ...result import Result
from ..figures import sentence
from ..page import column_width, header_height, set_page, write_note
from ..safety import clean_text
from ..sheets import Worksheet, is_missing
from .charts import criterion_colour, round_step
from .formats import CellFormats

#: The first row of the band-mix table (its header).
FIRST_ROW = 5
#: Rows between the band-mix table and the mean-score table.
GAP = 3


def write_trends_sheet(wb, f: CellFormats, result: Result) -> None:
    """Add the Trends sheet to ``wb`` (``result.history`` must be set)."""
    h = result.history
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Trends")
    means = h.mean_by_group()
    widths = _widths(h, means)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, clean_text(f"Trends to {h.period}"), f.title)
    write_note(ws, 1, widths, clean_text(sentence(h.note)), f.note_wrap)
    write_note(ws, 2, widths, clean_text(sentence(h.headline)), f.note_wrap)
    last = _write_band_mix(ws, f, h, widths)
    right = len(h.bands) + 5  # the charts, right of the tables
    ws.insert_chart(FIRST_ROW - 1, right, _band_mix_chart(wb, h, last))
    if means is None or not len(means.columns):
        ws.write_string(last + GAP - 1, 0, "No column Type to group the engagements by.", f.note)
    else:
        first = last + GAP
        _write_means(ws, f, h, means, first, widths)
        chart = _means_chart(wb, h, means, first)
        ws.insert_chart(FIRST_ROW + 17, right, chart)
    set_page(ws, f.page)


def _band_head(h: Any) -> list[str]:
    return ["Period", *h.bands, "Scored", "Insufficient evidence", "Mean score"]


def _widths(h: Any, means: Any) -> list[float]:
    """Each column's width: the words of both tables' headers fit, and so do the periods."""
    groups = [] if means is None else [str(g) for g in means.columns]
    heads = [_band_head(h), ["Period", *groups]]
    n = max(len(head) for head in heads)
    periods = [str(p) for p in h.overall["period"]]
    return [
        column_width(
            [head[j] for head in heads if j < len(head)],
            periods if j == 0 else (),
            least=12 if j == 0 else 10,
        )
        for j in range(n)
    ]


def _write_band_mix(ws: Worksheet, f: CellFormats, h: Any, widths: list[float]) -> int:
    """The band counts, scored, insufficient and mean score per period; returns the table's
    last row."""
    ws.write_string(FIRST_ROW - 1, 0, "Engagements per band, per period", f.h2)
    head = _band_head(h)
    ws.set_row(FIRST_ROW, header_height(zip(head, widths, strict=False)))
    for j, text in enumerate(head):
        ws.write_string(FIRST_ROW, j, clean_text(text), f.head)
    k = len(h.bands)
    for i, row in enumerate(h.overall.to_dict("records")):
        r = FIRST_ROW + 1 + i
        ws.write_string(r, 0, clean_text(row["period"]))
        for j, band in enumerate(h.bands):
            ws.write_number(r, 1 + j, int(row[band]))
        ws.write_number(r, 1 + k, int(row["n"]))
        ws.write_number(r, 2 + k, int(row["insufficient"]))
        if not is_missing(row["mean_score"]):
            ws.write_number(r, 3 + k, float(row["mean_score"]), f.score)
    return FIRST_ROW + len(h.overall)


def _band_mix_chart(wb, h: Any, last: int):
    """Stacked columns: the engagements in each band (in its colour) per period."""
    chart = wb.add_chart({"type": "column", "subtype": "stacked"})
    for j, band in enumerate(h.bands):
        chart.add_series(
            {
                "name": ["Trends", FIRST_ROW, 1 + j],
                "categories": ["Trends", FIRST_ROW + 1, 0, last, 0],
                "values": ["Trends", FIRST_ROW + 1, 1 + j, last, 1 + j],
                "fill": {"color": h.band_colours.get(band, "#999999")},
                "gap": 60,
            }
        )
    chart.set_title({"name": "Engagements per band, per period"})
    most = max((int(n) for n in h.overall["n"]), default=0)  # the stacks' heights
    chart.set_y_axis(
        {
            "min": 0,
            "major_unit": round_step(most, whole=True),
            "num_format": "0",
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 320})
    return chart


def _write_means(
    ws: Worksheet, f: CellFormats, h: Any, means: Any, first: int, widths: list[float]
) -> None:
    """The mean score per group (a column each) per period (a row each), from row ``first``."""
    by = h.groups.by
    ws.write_string(first - 1, 0, clean_text(f"Mean score per {by.lower()}, per period"), f.h2)
    head = ["Period", *(str(g) for g in means.columns)]
    ws.set_row(first, header_height(zip(head, widths, strict=False)))
    ws.write_string(first, 0, "Period", f.head)
    for j, group in enumerate(means.columns):
        ws.write_string(first, 1 + j, clean_text(str(group)), f.head)
    for i, period in enumerate(means.index):
        r = first + 1 + i
        ws.write_string(r, 0, clean_text(period))
        for j, value in enumerate(means.loc[period].tolist()):
            if not is_missing(value):
                ws.write_number(r, 1 + j, float(value), f.score)


def _means_chart(wb, h: Any, means: Any, first: int):
    """Lines: each group's mean score across the periods."""
    chart = wb.add_chart({"type": "line"})
    last = first + len(means.index)
    for j in range(len(means.columns)):
        colour = criterion_colour(j)
        chart.add_series(
            {
                "name": ["Trends", first, 1 + j],
                "categories": ["Trends", first + 1, 0, last, 0],
                "values": ["Trends", first + 1, 1 + j, last, 1 + j],
                "line": {"color": colour, "width": 2.25},
                "marker": {
                    "type": "circle",
                    "size": 6,
                    "fill": {"color": colour},
                    "border": {"color": colour},
                },
            }
        )
    chart.set_title({"name": f"Mean score per {h.groups.by.lower()}, per period"})
    chart.set_y_axis({"min": 0, "max": 100, "major_unit": 20, "major_gridlines": {"visible": True}})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 640, "height": 380})
    return chart
