"""The report workbook's **Sensitivity** sheet, added with a sensitivity run: its settings, the
Sobol indices (with a chart), leave one criterion out, and per engagement the rank interval
and band probabilities."""

from __future__ import annotations

from ...result import Result
from ..figures import concentration
from ..page import PADDING, column_width, header_height, set_page, text_width, write_note
from ..safety import clean_text
from ..sheets import Worksheet, write_figure
from .charts import criterion_colour, round_step
from .formats import CellFormats

#: The headers of the Sobol and leave-one-out tables, and the first of the engagements'.
SOBOL_HEAD = ["Factor", "First-order S1", "S1 ±", "Total ST", "ST ±"]
LOO_HEAD = [
    "Criterion dropped",
    "Its weight",
    "Spearman rho",
    "Mean |rank change|",
    "Max |rank change|",
    "Most moved",
    "Band changes",
    "Now insufficient",
]
ENGAGEMENTS_HEAD = [
    "Engagement ID",
    "Rank",
    "Score",
    "Band",
    "Median rank",
    "5 % rank",
    "95 % rank",
    "Interval from",
    "Interval to",
    "Score 5 %",
    "Score 95 %",
]


def write_sensitivity_sheet(wb, f: CellFormats, result: Result) -> None:
    """Add the Sensitivity sheet to ``wb`` (``result.sensitivity``)."""
    s = result.sensitivity
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Sensitivity")
    widths = _widths(result)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "Sensitivity of the ranking to the weights", f.title)
    write_note(
        ws,
        1,
        widths[:7],
        "Weights drawn from a Dirichlet centred on the rubric's weights; larger K keeps them "
        "closer. Each engagement's rank and band are counted over the draws.",
        f.note_wrap,
    )
    r = _write_settings(ws, f, result, 3) + 1
    if s.sobol is not None:
        r = _write_sobol(wb, ws, f, result, r, widths) + 1
    if len(s.leave_one_out):
        r = _write_leave_one_out(ws, f, result, r, widths) + 1
    _write_engagements(ws, f, result, r, widths)
    # the engagements' header on each page after the one it starts on
    set_page(ws, f.page, repeat=(r + 1, r + 1))


def _head(ws: Worksheet, f: CellFormats, r: int, head: list[str], widths: list[float]) -> None:
    """A table's header row ``r``, as tall as its wrapped headers."""
    ws.set_row(r, header_height(zip(head, widths, strict=False)))
    for c, text in enumerate(head):
        ws.write_string(r, c, clean_text(text), f.head)


def _widths(result: Result) -> list[float]:
    """Each column's width: the words of every table's header in it fit, and so do the
    settings' labels, the criteria's labels and the engagements' ids and bands."""
    s = result.sensitivity
    heads = [SOBOL_HEAD, LOO_HEAD, _engagements_head(result)]
    n = max(len(head) for head in heads)
    labels = [c.label for c in result.rubric.criteria]
    values = {
        0: [*labels, *(clean_text(str(i)) for i in s.engagements.index[:500])],
        3: [b.name for b in result.rubric.bands],
        5: [clean_text(str(v)) for v in s.leave_one_out.get("most_moved", [])],
    }
    # the settings' labels are bold, and stay on one line
    labels = max(text_width(label, bold=True) for label, _ in _settings(result)) + PADDING
    return [
        column_width(
            [head[j] for head in heads if j < len(head)],
            values.get(j, ()),
            least=labels if j == 0 else 9,
        )
        for j in range(n)
    ]


def _engagements_head(result: Result) -> list[str]:
    return [*ENGAGEMENTS_HEAD, *(f"P({b})" for b in result.sensitivity.band_probability.columns)]


def _settings(result: Result) -> list[tuple[str, object]]:
    """The run's settings and its agreement with the nominal ranking, as (label, value)."""
    s = result.sensitivity
    return [
        ("Draws", s.draws),
        ("Concentration K", concentration(s.concentration)),
        ("Seed", s.seed),
        ("Aggregation", s.aggregation + (", switched at random" if s.switch_aggregation else "")),
        ("Raters resampled", "yes" if s.resample_raters else "no"),
        ("Mean Spearman rho with the nominal ranking", round(s.mean_spearman, 6)),
        ("5th percentile of Spearman rho", round(s.spearman_p05, 6)),
    ]


def _write_settings(ws: Worksheet, f: CellFormats, result: Result, r: int) -> int:
    """The run's settings and its agreement with the nominal ranking, from row ``r``; returns
    the row after them."""
    for label, value in _settings(result):
        ws.write_string(r, 0, label, f.label)
        if isinstance(value, float):
            ws.write_number(r, 1, value, f.norm)
        elif isinstance(value, int) and not isinstance(value, bool):
            ws.write_number(r, 1, value)
        else:
            ws.write_string(r, 1, str(value))
        r += 1
    return r


def _write_sobol(wb, ws: Worksheet, f: CellFormats, result: Result, r: int, widths: list) -> int:
    """The Sobol indices from row ``r``, and their chart beside the settings; returns the row
    after them."""
    s = result.sensitivity
    rubric = result.rubric
    ws.write_string(r, 0, f"Sobol indices of the mean absolute rank change (N = {s.sobol_n})", f.h2)
    r += 1
    _head(ws, f, r, SOBOL_HEAD, widths)
    r += 1
    top = r
    for factor, row in s.sobol.iterrows():
        label = rubric.criterion(factor).label if factor in rubric.ids else "Aggregation"
        ws.write_string(r, 0, label)
        for i, key in enumerate(["S1", "S1_conf", "ST", "ST_conf"]):
            write_figure(ws, r, 1 + i, row[key], f.norm)
        r += 1
    chart = wb.add_chart({"type": "bar"})
    for i, (col, name) in enumerate(((1, "First-order S1"), (3, "Total ST"))):
        chart.add_series(
            {
                "name": name,
                "categories": ["Sensitivity", top, 0, r - 1, 0],
                "values": ["Sensitivity", top, col, r - 1, col],
                "fill": {"color": criterion_colour(i)},
                "border": {"none": True},
            }
        )
    chart.set_title({"name": "What moves the ranking most"})
    most = max([float(v) for v in s.sobol[["S1", "ST"]].to_numpy().ravel() if v == v] or [1.0])
    chart.set_x_axis(
        {
            "min": 0,
            "major_unit": round_step(max(most, 0.1), 4),
            "num_format": "0.0#",
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_y_axis({"reverse": True})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 560, "height": 300})
    ws.insert_chart(3, 7, chart)
    return r


def _write_leave_one_out(
    ws: Worksheet, f: CellFormats, result: Result, r: int, widths: list
) -> int:
    """How the ranking changes with each criterion left out, from row ``r``; returns the row
    after them."""
    ws.write_string(r, 0, "Leave one criterion out (rescored by the engine)", f.h2)
    r += 1
    _head(ws, f, r, LOO_HEAD, widths)
    r += 1
    for cid, row in result.sensitivity.leave_one_out.iterrows():
        ws.write_string(r, 0, result.rubric.criterion(cid).label)
        ws.write_number(r, 1, float(row["weight"]), f.pct1)
        write_figure(ws, r, 2, row["spearman"], f.norm)
        write_figure(ws, r, 3, row["mean_rank_change"], f.points)
        ws.write_number(r, 4, int(row["max_rank_change"]))
        ws.write_string(r, 5, clean_text(str(row["most_moved"])))
        ws.write_number(r, 6, int(row["band_changes"]))
        ws.write_number(r, 7, int(row["now_insufficient"]))
        r += 1
    return r


def _write_engagements(ws: Worksheet, f: CellFormats, result: Result, r: int, widths: list) -> None:
    """Per engagement its rank and score intervals and band probabilities (with data bars in
    the band's colour), from row ``r``, filtered."""
    s = result.sensitivity
    ws.write_string(r, 0, "Rank interval and band probabilities per engagement", f.h2)
    r += 1
    bands = list(s.band_probability.columns)
    head = _engagements_head(result)
    first = r
    _head(ws, f, r, head, widths)
    r += 1
    for eid, row in s.engagements.iterrows():
        ws.write_string(r, 0, clean_text(str(eid)))
        ws.write_number(r, 1, int(row["rank"]))
        ws.write_number(r, 2, float(row["score"]), f.score)
        ws.write_string(r, 3, str(row["band"]))
        ws.write_number(r, 4, float(row["rank_median"]))
        for i, key in enumerate(["rank_p05", "rank_p95", "rank_low", "rank_high"]):
            ws.write_number(r, 5 + i, int(row[key]))
        ws.write_number(r, 9, float(row["score_p05"]), f.score)
        ws.write_number(r, 10, float(row["score_p95"]), f.score)
        for i, b in enumerate(bands):
            ws.write_number(r, 11 + i, float(s.band_probability.loc[eid, b]), f.pct)
        r += 1
    last = max(r - 1, first + 1)
    ws.autofilter(first, 0, last, len(head) - 1)
    for i, b in enumerate(result.rubric.bands):
        ws.conditional_format(
            first + 1,
            11 + i,
            last,
            11 + i,
            {
                "type": "data_bar",
                "bar_color": b.colour,
                "min_type": "num",
                "min_value": 0,
                "max_type": "num",
                "max_value": 1,
            },
        )
