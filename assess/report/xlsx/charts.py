"""The report workbook's **Charts** sheet: native charts of the top engagements' points by
criterion, of the engagements by band, and of the mean rating per criterion by engagement type
(when the input has a type column), all reading the other sheets' cells.

Every chart assess writes draws the bands in their rubric colours and the criteria (or groups)
in :data:`CRITERION_COLOURS`, its value axis ticked at round numbers (:func:`round_step`).
"""

from __future__ import annotations

import math

from xlsxwriter.utility import xl_col_to_name

from ...result import Result
from ..page import column_width, header_height, set_page
from ..safety import clean_text
from ..sheets import Worksheet, is_missing
from .formats import CellFormats
from .layout import Layout, carried_column, scale_of

#: Engagements in the points-by-criterion chart (the best first).
CHART_ENGAGEMENTS = 30
#: Engagement types in the mean-rating chart (the most frequent first).
MAX_TYPES = 12
#: The column of the mean-rating table, beside the charts.
TYPE_COLUMN = 15
CRITERION_COLOURS = [
    "#1F77B4",
    "#FF7F0E",
    "#2CA02C",
    "#9467BD",
    "#8C564B",
    "#E377C2",
    "#17BECF",
    "#BCBD22",
    "#7F7F7F",
    "#D62728",
]


def round_step(span: float, ticks: int = 5, whole: bool = False) -> float:
    """A round distance between the ticks of an axis ``span`` long: 1, 2, 2.5 or 5 times a
    power of ten, giving about ``ticks`` intervals (1 for an empty span); ``whole`` for counts,
    a whole number (1, 2 or 5 times a power of ten)."""
    if not span > 0 or not math.isfinite(span):
        return 1.0
    raw = span / ticks
    power = 10.0 ** math.floor(math.log10(raw))
    multiples = (1, 2, 5, 10) if whole else (1, 2, 2.5, 5, 10)
    step = next(m for m in multiples if m * power >= raw) * power
    return max(1.0, round(step)) if whole else float(f"{step:.12g}")


def criterion_colour(i: int) -> str:
    """The colour of the ``i``-th criterion (or group) in every chart."""
    return CRITERION_COLOURS[i % len(CRITERION_COLOURS)]


def write_charts_sheet(
    wb, f: CellFormats, lay: Layout, result: Result, where: dict[str, int]
) -> None:
    """Add the Charts sheet to ``wb``; ``where`` is what
    :func:`~assess.report.xlsx.summary.write_summary_sheet` returned."""
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Charts")
    ws.write_string(0, 0, "Charts", f.title)
    n_chart = min(len(result.scored), CHART_ENGAGEMENTS)
    if n_chart:
        ws.insert_chart(2, 0, _points_chart(wb, lay, result, n_chart))
    ws.insert_chart(2, 15, _bands_chart(wb, result, where))
    type_j = carried_column(lay, ("type", "engagement type", "category"))
    if type_j is not None and len(result.scored):
        _write_type_means(wb, ws, f, lay, result, type_j, n_chart)
    set_page(ws, f.page)


def _points_chart(wb, lay: Layout, result: Result, n_chart: int):
    """Stacked bars: the points of each criterion for the top ``n_chart`` engagements."""
    chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
    for i, c in enumerate(result.rubric.criteria):
        col = lay.c_contrib + i
        chart.add_series(
            {
                "name": c.label,
                "categories": ["Scores", 1, lay.c_id, n_chart, lay.c_id],
                "values": ["Scores", 1, col, n_chart, col],
                "fill": {"color": criterion_colour(i)},
                "border": {"none": True},
                "gap": 40,
            }
        )
    chart.set_title({"name": f"Score by criterion: top {n_chart} engagements (points)"})
    chart.set_x_axis({"min": 0, "max": 100, "major_unit": 10, "major_gridlines": {"visible": True}})
    chart.set_y_axis({"reverse": True})  # rank 1 at the top
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": max(360, 22 * n_chart + 120)})
    return chart


def _bands_chart(wb, result: Result, where: dict[str, int]):
    """Columns: the engagements in each band, from the Summary sheet's counts."""
    bands = wb.add_chart({"type": "column"})
    bands.add_series(
        {
            "name": "Engagements",
            "categories": ["Summary", where["bands_first"], 0, where["bands_last"], 0],
            "values": ["Summary", where["bands_first"], 1, where["bands_last"], 1],
            "points": [{"fill": {"color": b.colour}} for b in result.rubric.bands],
            "data_labels": {"value": True},
        }
    )
    most = max(result.band_counts().values(), default=0)
    bands.set_y_axis(
        {
            "min": 0,
            "major_unit": round_step(most, whole=True),
            "num_format": "0",
            "major_gridlines": {"visible": True},
        }
    )
    bands.set_title({"name": "Engagements by band"})
    bands.set_legend({"none": True})
    bands.set_size({"width": 560, "height": 320})
    return bands


def _write_type_means(
    wb, ws: Worksheet, f: CellFormats, lay: Layout, result: Result, type_j: int, n_chart: int
) -> None:
    """A table of the mean rating per criterion for the most frequent engagement types
    (formulas over the Scores sheet) and its chart, below the band chart."""
    rubric = result.rubric
    type_name = lay.carried[type_j]
    # over the scored engagements, as every other per-criterion figure
    scored = (result.engagements["status"] == "scored").to_numpy()
    eng = result.engagements[scored]
    types = eng[type_name].dropna().map(lambda v: " ".join(str(v).split()))
    top_types = [t for t in types.value_counts().index[:MAX_TYPES] if t]
    if not top_types:
        return
    means = result.criterion_inputs()[scored].groupby(types).mean()
    left = TYPE_COLUMN
    first = 24 + max(0, (22 * n_chart + 120 - 360) // 20)
    ws.write_string(first - 1, left, f"Mean rating per criterion by {type_name.lower()}", f.h2)
    head = [clean_text(type_name), *(c.label for c in rubric.criteria)]
    widths = [column_width(head[:1], [clean_text(t) for t in top_types], least=16)]
    widths += [column_width([h], least=9) for h in head[1:]]
    ws.set_row(first, header_height(zip(head, widths, strict=True)))
    for j, text in enumerate(head):
        ws.write_string(first, left + j, text, f.head)
        ws.set_column(left + j, left + j, widths[j])
    type_range = lay.scores_col(lay.c_carried + type_j)
    score_col = lay.scores_col(lay.c_score)
    for t_i, t in enumerate(top_types):
        r = first + 1 + t_i
        ws.write_string(r, left, clean_text(t))
        for i, c in enumerate(rubric.criteria):
            col = lay.scores_col(lay.c_rating + i)
            cell = f"${xl_col_to_name(left)}${r + 1}"
            value = means.loc[t, c.id] if t in means.index else float("nan")
            ws.write_formula(
                r,
                left + 1 + i,
                f'=IFERROR(AVERAGEIFS({col},{type_range},{cell},{score_col},">=0"),"")',
                f.points,
                "" if is_missing(value) else float(value),
            )
    last = first + len(top_types)
    ws.insert_chart(last + 2, left, _type_means_chart(wb, lay, result, type_name, first, last))


def _type_means_chart(wb, lay: Layout, result: Result, type_name: str, first: int, last: int):
    """Columns: the mean rating of each criterion per type, from the table at rows
    ``first`` (its header) to ``last``."""
    left = TYPE_COLUMN
    chart = wb.add_chart({"type": "column"})
    for i in range(lay.k):
        chart.add_series(
            {
                "name": ["Charts", first, left + 1 + i],
                "categories": ["Charts", first + 1, left, last, left],
                "values": ["Charts", first + 1, left + 1 + i, last, left + 1 + i],
                "fill": {"color": criterion_colour(i)},
                "border": {"none": True},
            }
        )
    chart.set_title({"name": f"Mean rating per criterion by {type_name.lower()}"})
    low = min(scale_of(result.rubric, i)[0] for i in range(lay.k))
    high = max(scale_of(result.rubric, i)[1] for i in range(lay.k))
    chart.set_y_axis(
        {
            "min": low,
            "max": high,
            "major_unit": round_step(high - low, 4),
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 380})
    return chart
