"""The calibration report as a workbook: **Summary** (the recommendation, provenance and
warnings), **Weights** (expert and new weights with their bootstrap interval, and a chart),
**Comparison** (held-out metrics of every weighting, the paired comparisons, every fold) and
**Predictions** (out-of-fold predictions against observed outcomes, and a chart) when the
weights were evaluated, and **Rejected** (the cases left out).  The tables are those of
:mod:`assess.report.calibration_content`; text from the input is written as text cells.

It looks and prints like the report workbook: the same header style, frozen headers and
filters, figures in number formats (weights as percentages, scores to one decimal, metrics
and p-values to three places), the charts in the criteria palette with round axis ticks, and
every sheet set up for A4 (:func:`~assess.report.page.set_page`).
"""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

from ..._version import __version__
from ...calibration.evaluation import METRICS
from ...calibration.result import Calibration
from ...display import percent
from ...files import atomic_path, xlsx_workbook
from ..calibration_content import (
    observed_outcomes,
    predicted_vs_observed,
    provenance_rows,
    weight_rows,
)
from ..page import LINE, PageSetup, column_width, header_height, set_page, wrapped_lines
from ..provenance import CALIBRATION, mark
from ..safety import clean_text
from .charts import criterion_colour, round_step

#: The columns of the paired comparisons, as :attr:`Calibration.comparisons` names them, and
#: their headers.
COMPARISON_KEYS = (
    "a",
    "b",
    "metric",
    "mean_a",
    "mean_b",
    "improvement",
    "wins",
    "splits",
    "t",
    "p_value",
    "better",
)
COMPARISON_HEAD = (
    "Weighting A",
    "Weighting B",
    "Metric",
    "Mean A",
    "Mean B",
    "Improvement",
    "Folds won",
    "Folds",
    "t",
    "p",
    "Better",
)
#: Headers of the columns of every fold that are not metrics.
FOLD_HEAD = {
    "weighting": "Weighting",
    "split": "Split",
    "repeat": "Repeat",
    "n_train": "Training cases",
    "n_test": "Held-out cases",
}
#: The width of the Summary sheet's values, in characters.
SUMMARY_WIDTH = 100


def write_calibration_xlsx(cal: Calibration, path: Path) -> None:
    """Write the calibration workbook for ``cal`` to ``path`` (atomically).

    Parameters
    ----------
    cal : Calibration
        What :func:`assess.calibrate` returned.
    path : Path
        The workbook to write.
    """
    with atomic_path(path) as tmp:
        wb = xlsx_workbook(
            tmp,
            {
                "strings_to_formulas": False,
                "strings_to_urls": False,
                "strings_to_numbers": False,
                "nan_inf_to_errors": True,
            },
        )
        wb.set_properties(
            {"title": "assess calibration", "author": "assess", "comments": f"assess {__version__}"}
        )
        mark(wb, CALIBRATION)
        cells = _Cells(wb, PageSetup.of("Calibration report", cal.rubric, cal.date))
        _write_summary(wb, cells, cal)
        _write_weights(wb, cells, cal)
        if cal.evaluation is not None:
            _write_comparison(wb, cells, cal)
            _write_predictions(wb, cells, cal)
        _write_rejected(wb, cells, cal)
        wb.close()


class _Cells:
    """The workbook's formats, the page setup its sheets print with, and how a value goes
    into a cell (:meth:`put`) and a header row is written (:meth:`head`)."""

    def __init__(self, wb, page: PageSetup) -> None:
        add = wb.add_format
        self.page = page
        self.bold = add({"bold": True, "valign": "top"})
        self.title = add({"bold": True, "font_size": 14})
        self.h2 = add({"bold": True, "font_size": 12, "font_color": "#1F3864"})
        self.heading = add(
            {"bold": True, "bg_color": "#DDE3EA", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.num = add({"num_format": "0.000"})
        self.pct = add({"num_format": "0.0%"})
        self.score = add({"num_format": "0.0"})
        self.whole = add({"num_format": "0"})
        self.t = add({"num_format": "0.00"})
        self.wrap = add({"text_wrap": True, "valign": "top"})

    def put(self, ws, r: int, col: int, value: Any, fmt=None) -> None:
        """Text as a cleaned text cell, a boolean as a boolean, a missing or infinite figure as
        a blank, any other figure as a number (three decimals unless ``fmt`` says otherwise)."""
        if isinstance(value, str):
            ws.write_string(r, col, clean_text(value), fmt)
        elif isinstance(value, bool) or type(value).__name__ == "bool_":
            ws.write_boolean(r, col, bool(value), fmt)
        elif value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(r, col, None, fmt)
        else:
            ws.write_number(r, col, float(value), fmt or self.num)

    def head(self, ws, r: int, headers: list[str], widths: list[float], least: float = 0) -> float:
        """The header row ``r``, as tall as its wrapped headers (at least ``least`` points);
        returns its height."""
        height = max(least, header_height(zip(headers, widths, strict=False)))
        ws.set_row(r, height)
        for j, text in enumerate(headers):
            ws.write_string(r, j, clean_text(text), self.heading)
        return height


def _widths(ws, columns: list[tuple[list[str], list[Any]]], least: float = 9) -> list[float]:
    """Set and return the widths of columns given as (headers, values) pairs."""
    widths = [column_width(heads, values, least=least) for heads, values in columns]
    for j, width in enumerate(widths):
        ws.set_column(j, j, width)
    return widths


def _label(text: str) -> str:
    """A column name as a header: words, capitalised (``n_train`` -> ``N train``)."""
    text = str(text).replace("_", " ")
    return text[:1].upper() + text[1:]


def _write_summary(wb, cells: _Cells, cal: Calibration) -> None:
    """The recommendation, the provenance, then the warnings: one printed page."""
    ws = wb.add_worksheet("Summary")
    labels = [key for key, _ in provenance_rows(cal)] + ["Recommendation", "Warnings"]
    ws.set_column(0, 0, column_width(labels, least=20))  # bold labels: as wide as headers
    ws.set_column(1, 1, SUMMARY_WIDTH)
    ws.write_string(0, 0, "Calibration of rubric weights against past cases", cells.title)
    r = 2
    _write_line(ws, cells, r, "Recommendation", cal.recommendation_text)
    r += 2
    for key, value in provenance_rows(cal):
        # counts and settings as whole numbers, not with three decimals
        _write_line(ws, cells, r, key, value, None if isinstance(value, str) else cells.whole)
        r += 1
    r += 1
    ws.write_string(r, 0, "Warnings", cells.bold)
    for w in cal.warnings or ["none"]:
        _write_line(ws, cells, r, None, w)
        r += 1
    set_page(ws, cells.page, one_page=True)


def _write_line(ws, cells: _Cells, r: int, key: str | None, value: Any, fmt=None) -> None:
    """A label (if any) and its value on row ``r``; long text wraps, the row as tall as it."""
    if key is not None:
        ws.write_string(r, 0, key, cells.bold)
    if isinstance(value, str):
        text = clean_text(value)
        lines = wrapped_lines(text, SUMMARY_WIDTH, bold=False)
        if lines > 1:
            ws.set_row(r, LINE * lines)
        ws.write_string(r, 1, text, cells.wrap)
    else:
        cells.put(ws, r, 1, value, fmt)


def _write_weights(wb, cells: _Cells, cal: Calibration) -> None:
    """The weights table (:func:`weight_rows`, as percentages) and a chart of the expert and
    new weights, the new ones with their 90 % interval."""
    header, rows = weight_rows(cal)
    ws = wb.add_worksheet("Weights")
    heads = [_label(h) for h in header]
    widths = _widths(
        ws, [([h], [row[j] for row in rows] if j == 0 else []) for j, h in enumerate(heads)]
    )
    cells.head(ws, 0, heads, widths)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            cells.put(ws, i, j, v, cells.pct)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(rows), 1), len(header) - 1)
    chart = wb.add_chart({"type": "column"})
    for j, h in enumerate(header[1:3], start=1):
        series = {
            "name": heads[j],
            "categories": ["Weights", 1, 0, len(rows), 0],
            "values": ["Weights", 1, j, len(rows), j],
            "fill": {"color": criterion_colour(j - 1)},
            "border": {"none": True},
        }
        if h == cal.name and "90% low" in header:
            lo, hi = header.index("90% low"), header.index("90% high")
            series["y_error_bars"] = {
                "type": "custom",
                "plus_values": [float(row[hi] - row[2]) for row in rows],
                "minus_values": [float(row[2] - row[lo]) for row in rows],
            }
        chart.add_series(series)
    top = max([float(v) for row in rows for v in row[1:] if _finite(v)] or [1.0])
    chart.set_title({"name": "Expert and new weights (90% interval)"})
    chart.set_y_axis(
        {
            "min": 0,
            "major_unit": round_step(top, 4),
            "num_format": "0%",
            "major_gridlines": {"visible": True},
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 360})
    ws.insert_chart(len(rows) + 3, 0, chart)
    set_page(ws, cells.page)


def _finite(value: Any) -> bool:
    return isinstance(value, (int, float)) and not isinstance(value, bool) and math.isfinite(value)


def _write_comparison(wb, cells: _Cells, cal: Calibration) -> None:
    """Held-out metrics per weighting (mean and sd), the paired comparisons, every fold."""
    ev = cal.evaluation
    ws = wb.add_worksheet("Comparison")
    metrics = METRICS[ev.kind]
    folds = ev.folds
    fold_head = [FOLD_HEAD.get(c, metrics.get(c, (_label(c),))[0]) for c in folds.columns]
    metric_head = ["Weighting"]
    for label, higher in metrics.values():
        metric_head += [
            f"{label} mean ({'higher' if higher else 'lower'} is better)",
            f"{label} sd",
        ]
    names = [str(w) for w in folds["weighting"].unique()]
    n = max(len(metric_head), len(COMPARISON_HEAD), len(fold_head))
    heads = [metric_head, list(COMPARISON_HEAD), fold_head]
    widths = _widths(
        ws,
        [([h[j] for h in heads if j < len(h)], names if j < 2 else []) for j in range(n)],
    )
    ws.write_string(
        0,
        0,
        f"Held-out metrics: {ev.n_folds}-fold CV × {ev.repeats} repeats, seed {ev.seed}",
        cells.h2,
    )
    cells.head(ws, 2, metric_head, widths)
    summary = ev.summary()
    for i, w in enumerate(summary.index, start=3):
        ws.write_string(i, 0, w)
        for j, m in enumerate(metrics):
            cells.put(ws, i, 1 + 2 * j, summary.loc[w, ("mean", m)])
            cells.put(ws, i, 2 + 2 * j, summary.loc[w, ("sd", m)])
    r = _write_paired(ws, cells, cal, 4 + len(summary), widths)
    ws.write_string(r, 0, "Every fold", cells.h2)
    cells.head(ws, r + 1, fold_head, widths)
    for i, row in enumerate(folds.itertuples(index=False), start=r + 2):
        for j, v in enumerate(row):
            cells.put(ws, i, j, v, cells.whole if j < len(fold_head) - len(metrics) else None)
    ws.autofilter(r + 1, 0, r + 1 + max(len(folds), 1), len(fold_head) - 1)
    ws.freeze_panes(0, 1)
    set_page(ws, cells.page, repeat=(r + 1, r + 1))  # every fold's header on later pages


def _write_paired(ws, cells: _Cells, cal: Calibration, r: int, widths: list[float]) -> int:
    """The paired comparisons on the primary metric from row ``r``; returns the row two
    after them."""
    metrics = METRICS[cal.evaluation.kind]
    ws.write_string(r, 0, "Paired comparisons (primary metric)", cells.h2)
    cells.head(ws, r + 1, list(COMPARISON_HEAD), widths)
    formats = {"wins": cells.whole, "splits": cells.whole, "t": cells.t}
    for cmp in cal.comparisons.values():
        r += 1
        for j, k in enumerate(COMPARISON_KEYS):
            v = cmp[k]
            if k == "metric":
                v = metrics.get(v, (v,))[0]
            cells.put(ws, r + 1, j, v, formats.get(k))
    return r + 3


def _write_predictions(wb, cells: _Cells, cal: Calibration) -> None:
    """Every case's observed outcome, out-of-fold predictions and scores; beside them the
    points of the predicted-against-observed chart (:func:`predicted_vs_observed`)."""
    ev = cal.evaluation
    oof = ev.oof
    observed = observed_outcomes(cal)
    names = list(dict.fromkeys(ev.folds["weighting"]))
    ws = wb.add_worksheet("Predictions")
    header = [
        "Case ID",
        "Row",
        "Observed",
        *[f"{_label(n)} (out of fold)" for n in names],
        *[f"{_label(n)} score" for n in names],
    ]
    ids = [clean_text(str(i)) for i in oof.index]
    widths = _widths(ws, [([h], ids if j == 0 else []) for j, h in enumerate(header)])
    height = cells.head(ws, 0, header, widths)
    rows = cal.cases.rows
    outcome = cells.whole if cal.cases.kind != "numeric" else cells.score
    for i, eid in enumerate(oof.index, start=1):
        ws.write_string(i, 0, ids[i - 1])
        cells.put(ws, i, 1, int(rows[eid]), cells.whole)
        cells.put(ws, i, 2, observed[eid], outcome)
        for j, n in enumerate(names):
            cells.put(ws, i, 3 + j, oof.at[eid, n])
            cells.put(ws, i, 3 + len(names) + j, oof.at[eid, f"{n}.score"], cells.score)
    ws.freeze_panes(1, 1)
    ws.autofilter(0, 0, max(len(oof), 1), len(header) - 1)
    _write_prediction_chart(wb, ws, cells, cal, (len(header) + 1, height))
    set_page(ws, cells.page)


def _write_prediction_chart(
    wb, ws, cells: _Cells, cal: Calibration, where: tuple[int, float]
) -> None:
    """The chart's points from column ``left`` and the chart beside them; ``where`` is
    ``left`` and the height of the header row, which their headers share."""
    left, height = where
    points, x_title, y_title = predicted_vs_observed(cal)
    head = ["Chart: weighting", _label(x_title), _label(y_title), "Cases"]
    widths = [column_width([h], least=12 if j else 16) for j, h in enumerate(head)]
    ws.set_row(0, max(height, header_height(zip(head, widths, strict=True))))
    for j, h in enumerate(head):
        ws.set_column(left + j, left + j, widths[j])
        ws.write_string(0, left + j, clean_text(h), cells.heading)
    chart = wb.add_chart({"type": "scatter"})
    first = 1
    for k, (name, part) in enumerate(points.groupby("weighting", sort=False)):
        for i, row in enumerate(part.itertuples(index=False), start=first):
            ws.write_string(i, left, _label(name))
            for j, v in enumerate((row.x, row.y, row.n), start=1):
                cells.put(ws, i, left + j, v, cells.whole if j == 3 else None)
        last = first + len(part) - 1
        colour = criterion_colour(k)
        chart.add_series(
            {
                "name": _label(name),
                "categories": ["Predictions", first, left + 1, last, left + 1],
                "values": ["Predictions", first, left + 2, last, left + 2],
                "marker": {
                    "type": "circle",
                    "size": 5,
                    "fill": {"color": colour},
                    "border": {"color": colour},
                },
            }
        )
        first = last + 1
    chart.set_title({"name": "Predicted against observed (out of fold, first repeat)"})
    chart.set_x_axis({"name": x_title, **_axis(points["x"])})
    chart.set_y_axis({"name": y_title, **_axis(points["y"])})
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 760, "height": 440})
    ws.insert_chart(1, left + 5, chart)


def _axis(values: Any) -> dict[str, float]:
    """A value axis over ``values`` from and to round numbers, ticked at a round step."""
    finite = [float(v) for v in values if _finite(float(v))]
    if not finite:
        return {}
    low, high = min(finite), max(finite)
    step = round_step(high - low if high > low else abs(high) or 1.0, 5)
    return {
        "min": math.floor(low / step) * step,
        "max": math.ceil(high / step) * step,
        "major_unit": step,
        "major_gridlines": {"visible": True},
    }


def _write_rejected(wb, cells: _Cells, cal: Calibration) -> None:
    """The cases with insufficient evidence, then every problem cell of the rejected rows."""
    ws = wb.add_worksheet("Rejected")
    rows = [
        (
            f"{cal.cases.sheet} row {item['row']}",
            clean_text(str(item["id"])),
            f"insufficient evidence: {percent(item['completeness'])} of the weight rated",
        )
        for item in cal.cases.insufficient
    ]
    rows += [
        (
            f"{rej.sheet}!{p.column}{rej.row}",
            clean_text("" if p.value is None else str(p.value)),
            clean_text(p.reason),
        )
        for rej in cal.cases.rejected
        for p in rej.problems
    ]
    head = ["Cell", "Value", "Reason"]
    widths = _widths(ws, [([h], [row[j] for row in rows]) for j, h in enumerate(head)], least=12)
    cells.head(ws, 0, head, widths)
    for r, row in enumerate(rows, start=1):
        for j, text in enumerate(row):
            ws.write_string(r, j, text)
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, max(len(rows), 1), len(head) - 1)
    set_page(ws, cells.page)
