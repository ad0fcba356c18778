"""The report workbook's **Weights** sheet: the editable weights, band cut-offs and gate
thresholds (yellow cells) every formula on the Scores sheet reads, by the workbook-level names
:meth:`~assess.report.xlsx.layout.Layout.defined_names` gives them."""

from __future__ import annotations

from xlsxwriter.utility import xl_col_to_name

from ..page import LINE, column_width, header_height, set_page, wrapped_lines
from ..safety import clean_text
from ..sheets import Worksheet
from .formats import CellFormats
from .layout import Layout, scale_of

#: The headers of the criteria, bands and gates tables.
CRITERIA_HEAD = [
    "Criterion",
    "Label",
    "Direction",
    "Scale min",
    "Scale max",
    "Weight",
    "Normalised weight",
]
BANDS_HEAD = ["Band", "From score", "Position"]
GATES_HEAD = ["Gate", "Criterion", "Condition", "Threshold", "Caps at", "Cap position", "Reason"]
#: The width of the last column, where the gates' reasons wrap.
REASON_WIDTH = 44


def write_weights_sheet(wb, f: CellFormats, lay: Layout) -> None:
    """Add the Weights sheet to ``wb``: criteria and weights, bands, then gates."""
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Weights")
    widths = _widths(lay)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, "Weights, band cut-offs and gates", f.title)
    ws.write_string(
        1,
        0,
        "Change the yellow cells: every score, band and rank on the Scores sheet "
        "updates. Weights need not add up to 1; they are normalised.",
        f.note,
    )
    _write_criteria_weights(ws, f, lay, widths)
    _write_bands(ws, f, lay, widths)
    _write_gates(ws, f, lay, widths)
    set_page(ws, f.page)


def _widths(lay: Layout) -> list[float]:
    """Each column's width: every table's header words fit, and so do the names and labels;
    the gates' reasons wrap in the last."""
    rubric = lay.rubric
    values = {
        0: [*rubric.ids, *(b.name for b in rubric.bands), *(g.id for g in rubric.gates)],
        1: [*(c.label for c in rubric.criteria), *(g.criterion for g in rubric.gates)],
        2: ["benefit", "at least", rubric.aggregation],
        4: [g.cap for g in rubric.gates],
    }
    out = []
    for col, head in enumerate(CRITERIA_HEAD):
        heads = [head, *BANDS_HEAD[col : col + 1], *GATES_HEAD[col : col + 1]]
        out.append(column_width(heads, values.get(col, ()), least=10))
    out[-1] = max(out[-1], REASON_WIDTH)
    return out


def _head(ws: Worksheet, f: CellFormats, r: int, head: list[str], widths: list[float]) -> None:
    """A table's header row ``r``, as tall as its wrapped headers."""
    ws.set_row(r, header_height(zip(head, widths, strict=False)))
    for c, text in enumerate(head):
        ws.write_string(r, c, text, f.head)


def _write_criteria_weights(ws: Worksheet, f: CellFormats, lay: Layout, widths: list) -> None:
    """One row per criterion: its scale, its weight (an input) and the normalised weight; then
    the minimum share of weight rated and the aggregation."""
    rubric = lay.rubric
    _head(ws, f, lay.w_first - 1, CRITERIA_HEAD, widths)
    last = lay.w_first + lay.k - 1
    raw_col = xl_col_to_name(lay.w_col_raw)
    raw_range = f"${raw_col}${lay.w_first + 1}:${raw_col}${last + 1}"
    for i, c in enumerate(rubric.criteria):
        r = lay.w_first + i
        lo, hi = scale_of(rubric, i)
        ws.write_string(r, 0, c.id)
        ws.write_string(r, 1, c.label)
        ws.write_string(r, 2, c.direction)
        ws.write_number(r, 3, lo)
        ws.write_number(r, 4, hi)
        ws.write_number(r, lay.w_col_raw, c.weight, f.input)
        cell = f"{xl_col_to_name(lay.w_col_raw)}{r + 1}"
        ws.write_formula(
            r,
            lay.w_col_norm,
            f"=IF(SUM({raw_range})>0,{cell}/SUM({raw_range}),0)",
            f.pct1,
            c.weight,
        )
    ws.data_validation(
        lay.w_first,
        lay.w_col_raw,
        last,
        lay.w_col_raw,
        {
            "validate": "decimal",
            "criteria": ">=",
            "value": 0,
            "error_title": "Weight",
            "error_message": "A weight is a number >= 0.",
        },
    )
    ws.write_string(lay.minshare_row, 0, "Minimum share of weight rated", f.label)
    ws.write_number(lay.minshare_row, 2, rubric.missing.min_weight_share, f.input)
    ws.write_string(lay.minshare_row + 1, 0, "Aggregation", f.label)
    ws.write_string(lay.minshare_row + 1, 2, rubric.aggregation)


def _write_bands(ws: Worksheet, f: CellFormats, lay: Layout, widths: list) -> None:
    """The bands, lowest first, each with its cut-off (an input) and position."""
    ws.write_string(
        lay.bands_first - 2, 0, "Bands (a score at or above 'From score' falls in the band)", f.h2
    )
    _head(ws, f, lay.bands_first - 1, BANDS_HEAD, widths)
    for p, b in enumerate(reversed(lay.rubric.bands)):
        r = lay.bands_first + p
        ws.write_string(r, 0, b.name)
        ws.write_number(r, 1, b.min, f.input_num)
        ws.write_number(r, 2, p + 1)


def _write_gates(ws: Worksheet, f: CellFormats, lay: Layout, widths: list) -> None:
    """The gates, each with its threshold (an input) and the band position it caps at."""
    rubric = lay.rubric
    ws.write_string(lay.gates_first - 2, 0, "Gates (cap the band whatever the score)", f.h2)
    _head(ws, f, lay.gates_first - 1, GATES_HEAD, widths)
    names_asc = [b.name for b in reversed(rubric.bands)]
    for g, gate in enumerate(rubric.gates):
        r = lay.gates_first + g
        crit = rubric.criterion(gate.criterion)
        thr = gate.at_least if gate.at_least is not None else gate.at_most
        if not crit.rated:  # indicator criteria are shown on 0-1 on the Scores sheet
            thr = (thr - crit.scale.min) / (crit.scale.max - crit.scale.min)
        ws.write_string(r, 0, gate.id)
        ws.write_string(r, 1, gate.criterion)
        ws.write_string(r, 2, "at least" if gate.at_least is not None else "at most")
        ws.write_number(r, 3, thr, f.input_num)
        ws.write_string(r, 4, gate.cap)
        ws.write_number(r, 5, names_asc.index(gate.cap) + 1)
        reason = clean_text(" ".join(gate.reason.split()))
        ws.set_row(r, LINE * wrapped_lines(reason, widths[6], bold=False))
        ws.write_string(r, 6, reason, f.wrap_bottom)
