"""The calibration report as a workbook: **Summary** (the recommendation, provenance and
warnings), **Weights** (expert and new weights with their bootstrap interval, and a chart),
**Comparison** (held-out metrics of every weighting, the paired comparisons, every fold) and
**Predictions** (out-of-fold predictions against observed outcomes, and a chart) when the
weights were evaluated, and **Rejected** (the cases left out).  The tables are those of
:mod:`assess.report.calibration_content`; text from the input is written as text cells.
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
from ..provenance import CALIBRATION, mark
from ..safety import clean_text

#: The columns of the paired comparisons, as :attr:`Calibration.comparisons` names them.
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
        cells = _Cells(wb)
        _write_summary(wb, cells, cal)
        _write_weights(wb, cells, cal)
        if cal.evaluation is not None:
            _write_comparison(wb, cells, cal)
            _write_predictions(wb, cells, cal)
        _write_rejected(wb, cells, cal)
        wb.close()


class _Cells:
    """The workbook's formats, and how a value goes into a cell (:meth:`put`)."""

    def __init__(self, wb) -> None:
        self.bold = wb.add_format({"bold": True})
        self.title = wb.add_format({"bold": True, "font_size": 14})
        self.num = wb.add_format({"num_format": "0.000"})
        self.wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    def put(self, ws, r: int, col: int, value: Any, fmt=None) -> None:
        """Text as a cleaned text cell, a missing or infinite figure as a blank, any other
        figure as a number (three decimals unless ``fmt`` says otherwise)."""
        if isinstance(value, str):
            ws.write_string(r, col, clean_text(value), fmt)
        elif value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(r, col, None, fmt)
        else:
            ws.write_number(r, col, float(value), fmt or self.num)


def _write_summary(wb, cells: _Cells, cal: Calibration) -> None:
    """The recommendation, the provenance, then the warnings."""
    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 110)
    ws.write_string(0, 0, "Calibration of rubric weights against past cases", cells.title)
    r = 2
    ws.write_string(r, 0, "Recommendation", cells.bold)
    cells.put(ws, r, 1, cal.recommendation_text, cells.wrap)
    r += 2
    for key, value in provenance_rows(cal):
        ws.write_string(r, 0, key, cells.bold)
        # counts and settings as plain numbers, not with three decimals
        cells.put(ws, r, 1, value, None if isinstance(value, str) else wb.add_format({}))
        r += 1
    r += 1
    ws.write_string(r, 0, "Warnings", cells.bold)
    for w in cal.warnings or ["none"]:
        cells.put(ws, r, 1, w, cells.wrap)
        r += 1


def _write_weights(wb, cells: _Cells, cal: Calibration) -> None:
    """The weights table (:func:`weight_rows`) and a chart of the expert and new weights, the
    new ones with their 90 % interval."""
    header, rows = weight_rows(cal)
    ws = wb.add_worksheet("Weights")
    ws.set_column(0, 0, 34)
    ws.set_column(1, len(header), 12)
    for j, h in enumerate(header):
        ws.write_string(0, j, h, cells.bold)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            cells.put(ws, i, j, v)
    chart = wb.add_chart({"type": "column"})
    for j, h in enumerate(header[1:3], start=1):
        series = {
            "name": h,
            "categories": ["Weights", 1, 0, len(rows), 0],
            "values": ["Weights", 1, j, len(rows), j],
        }
        if h == cal.name and "90% low" in header:
            lo, hi = header.index("90% low"), header.index("90% high")
            series["y_error_bars"] = {
                "type": "custom",
                "plus_values": [float(row[hi] - row[2]) for row in rows],
                "minus_values": [float(row[2] - row[lo]) for row in rows],
            }
        chart.add_series(series)
    chart.set_title({"name": "Expert and new weights (90% interval)"})
    chart.set_y_axis({"min": 0, "num_format": "0.00"})
    chart.set_size({"width": 760, "height": 360})
    ws.insert_chart(len(rows) + 3, 0, chart)


def _write_comparison(wb, cells: _Cells, cal: Calibration) -> None:
    """Held-out metrics per weighting (mean and sd), the paired comparisons, every fold."""
    ev = cal.evaluation
    ws = wb.add_worksheet("Comparison")
    metrics = list(METRICS[ev.kind])
    ws.set_column(0, 0, 14)
    ws.set_column(1, 2 * len(metrics), 13)
    ws.write_string(
        0,
        0,
        f"Held-out metrics: {ev.n_folds}-fold CV × {ev.repeats} repeats, seed {ev.seed}",
        cells.bold,
    )
    ws.write_string(2, 0, "weighting", cells.bold)
    for j, m in enumerate(metrics):
        label, higher = METRICS[ev.kind][m]
        ws.write_string(
            2, 1 + 2 * j, f"{label} mean ({'higher' if higher else 'lower'} is better)", cells.bold
        )
        ws.write_string(2, 2 + 2 * j, f"{label} sd", cells.bold)
    summary = ev.summary()
    for i, w in enumerate(summary.index, start=3):
        ws.write_string(i, 0, w)
        for j, m in enumerate(metrics):
            cells.put(ws, i, 1 + 2 * j, summary.loc[w, ("mean", m)])
            cells.put(ws, i, 2 + 2 * j, summary.loc[w, ("sd", m)])
    r = 4 + len(summary)
    ws.write_string(r, 0, "Paired comparisons (primary metric)", cells.bold)
    r += 1
    for j, k in enumerate(COMPARISON_KEYS):
        ws.write_string(r, j, k, cells.bold)
    for cmp in cal.comparisons.values():
        r += 1
        for j, k in enumerate(COMPARISON_KEYS):
            v = cmp[k]
            cells.put(ws, r, j, str(v) if isinstance(v, bool) else v)
    r += 2
    ws.write_string(r, 0, "Every fold", cells.bold)
    folds = ev.folds
    for j, col in enumerate(folds.columns):
        ws.write_string(r + 1, j, str(col), cells.bold)
    for i, row in enumerate(folds.itertuples(index=False), start=r + 2):
        for j, v in enumerate(row):
            cells.put(ws, i, j, v)


def _write_predictions(wb, cells: _Cells, cal: Calibration) -> None:
    """Every case's observed outcome, out-of-fold predictions and scores; beside them the
    points of the predicted-against-observed chart (:func:`predicted_vs_observed`)."""
    ev = cal.evaluation
    oof = ev.oof
    observed = observed_outcomes(cal)
    names = list(dict.fromkeys(ev.folds["weighting"]))
    ws = wb.add_worksheet("Predictions")
    header = [
        "id",
        "row",
        "observed",
        *[f"{n} (out of fold)" for n in names],
        *[f"{n} score" for n in names],
    ]
    ws.set_column(0, 0, 16)
    ws.set_column(1, len(header), 14)
    for j, h in enumerate(header):
        ws.write_string(0, j, h, cells.bold)
    rows = cal.cases.rows
    for i, eid in enumerate(oof.index, start=1):
        ws.write_string(i, 0, clean_text(str(eid)))
        cells.put(ws, i, 1, int(rows[eid]))
        cells.put(ws, i, 2, observed[eid])
        for j, n in enumerate(names):
            cells.put(ws, i, 3 + j, oof.at[eid, n])
            cells.put(ws, i, 3 + len(names) + j, oof.at[eid, f"{n}.score"])
    _write_prediction_chart(wb, ws, cells, cal, len(header) + 1)


def _write_prediction_chart(wb, ws, cells: _Cells, cal: Calibration, left: int) -> None:
    """The chart's points from column ``left``, and the chart beside them."""
    points, x_title, y_title = predicted_vs_observed(cal)
    for j, h in enumerate(("chart: weighting", "x", "y", "cases")):
        ws.write_string(0, left + j, h, cells.bold)
    chart = wb.add_chart({"type": "scatter"})
    first = 1
    for name, part in points.groupby("weighting", sort=False):
        for i, row in enumerate(part.itertuples(index=False), start=first):
            ws.write_string(i, left, str(name))
            for j, v in enumerate((row.x, row.y, row.n), start=1):
                cells.put(ws, i, left + j, v)
        last = first + len(part) - 1
        chart.add_series(
            {
                "name": str(name),
                "categories": ["Predictions", first, left + 1, last, left + 1],
                "values": ["Predictions", first, left + 2, last, left + 2],
                "marker": {"type": "circle", "size": 5},
            }
        )
        first = last + 1
    chart.set_title({"name": "Predicted against observed (out of fold, first repeat)"})
    chart.set_x_axis({"name": x_title})
    chart.set_y_axis({"name": y_title})
    chart.set_size({"width": 760, "height": 440})
    ws.insert_chart(1, left + 5, chart)


def _write_rejected(wb, cells: _Cells, cal: Calibration) -> None:
    """The cases with insufficient evidence, then every problem cell of the rejected rows."""
    ws = wb.add_worksheet("Rejected")
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 90)
    for j, h in enumerate(("cell", "value", "reason")):
        ws.write_string(0, j, h, cells.bold)
    r = 1
    for item in cal.cases.insufficient:
        ws.write_string(r, 0, f"{cal.cases.sheet} row {item['row']}")
        ws.write_string(r, 1, clean_text(str(item["id"])))
        ws.write_string(
            r, 2, f"insufficient evidence: {percent(item['completeness'])} of the weight rated"
        )
        r += 1
    for rej in cal.cases.rejected:
        for p in rej.problems:
            ws.write_string(r, 0, f"{rej.sheet}!{p.column}{rej.row}")
            ws.write_string(r, 1, clean_text("" if p.value is None else str(p.value)))
            ws.write_string(r, 2, clean_text(p.reason))
            r += 1
