"""The Excel report: a workbook analysts can keep working in.

Sheets: **Summary** (counts, bands, per-criterion statistics, top and bottom engagements,
provenance), **Scores** (one row per engagement; normalised values, contributions, score,
band and rank are live formulas reading the **Weights** sheet, with the engine's values
stored as cached results), **Charts** (native charts), **Weights** (editable weights, band
cut-offs and gate thresholds), **Criteria** (the rubric, every level's descriptor) and
**Rejected** (every rejected or insufficient-evidence row, with its cell).

Text from the input is always written as a text cell, never as a formula.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import (
    CellFormulaTuple,
    CellNumberTuple,
)

from .._version import __version__
from ..display import percent
from ..errors import OutputError
from ..files import atomic_path, xlsx_workbook
from ..result import Result, missing_criteria
from ..rubric import Rubric, normalise_header
from .provenance import REPORT, mark
from .safety import clean_text, excel_carried_room, limit_notes
from .sheets import ROW, WORKBOOK_OPTIONS, Row, Worksheet, is_missing, write_value

INSUFFICIENT = "Insufficient evidence"
MAX_ROWS = 1_048_575  # Excel's row limit, less the header
TOP_N = 5
CHART_ENGAGEMENTS = 30
MAX_TYPES = 12
EPS = "1E-9"
DESCRIPTOR_WIDTH = 100

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


def _abs(sheet: str, col: int, row: int) -> str:
    """An absolute reference like 'Weights'!$G$5 (row is 0-based)."""
    return f"'{sheet}'!${xl_col_to_name(col)}${row + 1}"


def _rng(sheet: str, col: int, first: int, last: int) -> str:
    c = xl_col_to_name(col)
    return f"'{sheet}'!${c}${first + 1}:${c}${last + 1}"


@dataclass
class _Layout:
    """Where everything lives, so that formulas on one sheet can point into another."""

    rubric: Rubric
    n: int  # engagements on Scores
    carried: list[str]
    # Weights sheet (0-based rows/cols)
    w_first: int = 4  # first criterion row
    w_col_min: int = 3
    w_col_max: int = 4
    w_col_raw: int = 5
    w_col_norm: int = 6

    @property
    def k(self) -> int:
        return len(self.rubric.criteria)

    @property
    def minshare_row(self) -> int:
        return self.w_first + self.k + 1

    @property
    def bands_first(self) -> int:
        return self.minshare_row + 4

    @property
    def gates_first(self) -> int:
        return self.bands_first + len(self.rubric.bands) + 3

    # The cells of the Weights sheet that formulas read go by workbook-level names
    # (``weight_1``, ``scale_min_1``, ``band_mins`` ...): formulas an analyst can read, and a
    # third of the length of 'Weights'!$G$5-style references on every row of Scores.
    def defined_names(self) -> dict[str, str]:
        """Each name the formulas use -> the absolute reference it stands for."""
        last_band = self.bands_first + len(self.rubric.bands) - 1
        names = {
            "min_share": _abs("Weights", 2, self.minshare_row),
            "band_mins": _rng("Weights", 1, self.bands_first, last_band),
            "band_names": _rng("Weights", 0, self.bands_first, last_band),
        }
        for i in range(self.k):
            names[f"weight_{i + 1}"] = _abs("Weights", self.w_col_norm, self.w_first + i)
            names[f"scale_min_{i + 1}"] = _abs("Weights", self.w_col_min, self.w_first + i)
            names[f"scale_max_{i + 1}"] = _abs("Weights", self.w_col_max, self.w_first + i)
        for g in range(len(self.rubric.gates)):
            names[f"gate_at_{g + 1}"] = _abs("Weights", 3, self.gates_first + g)
            names[f"gate_cap_{g + 1}"] = _abs("Weights", 5, self.gates_first + g)
        return names

    def weight(self, i: int) -> str:
        return f"weight_{i + 1}"

    def smin(self, i: int) -> str:
        return f"scale_min_{i + 1}"

    def smax(self, i: int) -> str:
        return f"scale_max_{i + 1}"

    @property
    def minshare(self) -> str:
        return "min_share"

    @property
    def band_mins(self) -> str:
        return "band_mins"

    @property
    def band_names(self) -> str:
        return "band_names"

    def gate_threshold(self, g: int) -> str:
        return f"gate_at_{g + 1}"

    def gate_cap_position(self, g: int) -> str:
        return f"gate_cap_{g + 1}"

    # Scores sheet columns
    @property
    def c_rank(self) -> int:
        return 0

    @property
    def c_id(self) -> int:
        return 1

    @property
    def c_carried(self) -> int:
        return 2

    @property
    def c_rating(self) -> int:
        return self.c_carried + len(self.carried)

    @property
    def c_contrib(self) -> int:
        return self.c_rating + self.k

    @property
    def c_completeness(self) -> int:
        return self.c_contrib + self.k

    @property
    def c_score(self) -> int:
        return self.c_completeness + 1

    @property
    def c_band(self) -> int:
        return self.c_score + 1

    @property
    def c_gates(self) -> int:
        return self.c_score + 2

    @property
    def c_source(self) -> int:
        return self.c_score + 3

    @property
    def c_key(self) -> int:
        return self.c_source + 3

    def scores_col(self, col: int) -> str:
        return _rng("Scores", col, 1, max(self.n, 1))


def _scale(rubric: Rubric, i: int) -> tuple[float, float]:
    c = rubric.criteria[i]
    return (c.scale.min, c.scale.max) if c.rated else (0.0, 1.0)


class _Formats:
    def __init__(self, wb) -> None:
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.h2 = add({"bold": True, "font_size": 12, "font_color": "#1F3864"})
        self.head = add(
            {"bold": True, "bg_color": "#DDE3EA", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.label = add({"bold": True})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.score = add({"num_format": "0.0"})
        self.points = add({"num_format": "0.00"})
        self.norm = add({"num_format": "0.000"})
        self.rating = add({"num_format": "0.0#"})
        self.pct = add({"num_format": "0%"})
        self.pct1 = add({"num_format": "0.0%"})
        self.input = add({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.000"})
        self.input_num = add({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.##"})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.mono = add({"font_name": "Consolas"})
        self.band = {}


def _band_formats(wb, rubric: Rubric) -> dict[str, Any]:
    out = {}
    for b in rubric.bands:
        rgb = b.colour.lstrip("#")
        r, g, bl = int(rgb[:2], 16), int(rgb[2:4], 16), int(rgb[4:], 16)
        dark = (0.299 * r + 0.587 * g + 0.114 * bl) < 140
        out[b.name] = wb.add_format(
            {"bg_color": b.colour, "font_color": "#FFFFFF" if dark else "#000000"}
        )
    out[INSUFFICIENT] = wb.add_format({"bg_color": "#D9D9D9", "font_color": "#404040"})
    return out


# -- Weights ---------------------------------------------------------------------------


def _write_weights(wb, f: _Formats, lay: _Layout) -> None:
    rubric = lay.rubric
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Weights")
    ws.write_string(0, 0, "Weights, band cut-offs and gates", f.title)
    ws.write_string(
        1,
        0,
        "Change the yellow cells: every score, band and rank on the Scores sheet "
        "updates. Weights need not add up to 1; they are normalised.",
        f.note,
    )
    hdr = [
        "Criterion",
        "Label",
        "Direction",
        "Scale min",
        "Scale max",
        "Weight",
        "Normalised weight",
    ]
    for c, h in enumerate(hdr):
        ws.write_string(lay.w_first - 1, c, h, f.head)
    last = lay.w_first + lay.k - 1
    raw_col = xl_col_to_name(lay.w_col_raw)
    raw_range = f"${raw_col}${lay.w_first + 1}:${raw_col}${last + 1}"
    for i, c in enumerate(rubric.criteria):
        r = lay.w_first + i
        lo, hi = _scale(rubric, i)
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
    ws.write_string(
        lay.bands_first - 2, 0, "Bands (a score at or above 'From score' falls in the band)", f.h2
    )
    for c, h in enumerate(["Band", "From score", "Position"]):
        ws.write_string(lay.bands_first - 1, c, h, f.head)
    ascending = list(reversed(rubric.bands))
    for p, b in enumerate(ascending):
        r = lay.bands_first + p
        ws.write_string(r, 0, b.name)
        ws.write_number(r, 1, b.min, f.input_num)
        ws.write_number(r, 2, p + 1)
    ws.write_string(lay.gates_first - 2, 0, "Gates (cap the band whatever the score)", f.h2)
    for c, h in enumerate(
        ["Gate", "Criterion", "Condition", "Threshold", "Caps at", "Cap position", "Reason"]
    ):
        ws.write_string(lay.gates_first - 1, c, h, f.head)
    names_asc = [b.name for b in ascending]
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
        ws.write_string(r, 6, clean_text(" ".join(gate.reason.split())))
    ws.set_column(0, 0, 28)
    ws.set_column(1, 1, 34)
    ws.set_column(2, 6, 14)


# -- Scores ----------------------------------------------------------------------------


def _row_templates(lay: _Layout) -> dict[int, str]:
    """Formulas of a Scores row keyed by column, with ``ROW`` where the row number goes.

    Built once; each row's formulas are then one ``str.replace`` away.
    """
    rubric = lay.rubric
    k = lay.k
    ref = {col: f"{xl_col_to_name(col)}{ROW}" for col in range(lay.c_rating, lay.c_key + 1)}
    R = [ref[lay.c_rating + i] for i in range(k)]
    C, S = ref[lay.c_completeness], ref[lay.c_score]
    # each criterion's normalised value (0-1, cost inverted) as an expression of its rating
    N = []
    for i, c in enumerate(rubric.criteria):
        amount = f"({R[i]}-{lay.smin(i)})/({lay.smax(i)}-{lay.smin(i)})"
        N.append(f"(1-{amount})" if c.direction == "cost" else amount)
    out: dict[int, str] = {}
    out[lay.c_completeness] = "=" + "+".join(
        f"IF(ISNUMBER({R[i]}),{lay.weight(i)},0)" for i in range(k)
    )
    sufficient = f"{C}>={lay.minshare}-1E-12"
    if rubric.aggregation == "weighted_arithmetic":
        for i in range(k):
            out[lay.c_contrib + i] = (
                f'=IF(AND(ISNUMBER({R[i]}),{sufficient}),100*{lay.weight(i)}*{N[i]}/{C},"")'
            )
        first, last = ref[lay.c_contrib], ref[lay.c_contrib + k - 1]
        out[lay.c_score] = f'=IF({sufficient},ROUND(SUM({first}:{last}),10),"")'
    else:
        terms = ",".join(
            f"IF(AND(ISNUMBER({R[i]}),{lay.weight(i)}>0),POWER({N[i]},{lay.weight(i)}/{C}),1)"
            for i in range(k)
        )
        out[lay.c_score] = f'=IF({sufficient},ROUND(100*PRODUCT({terms}),10),"")'
        linear = "+".join(f"IF(ISNUMBER({R[i]}),{lay.weight(i)}*{N[i]},0)" for i in range(k))
        for i in range(k):
            out[lay.c_contrib + i] = (
                f"=IF(AND(ISNUMBER({R[i]}),ISNUMBER({S})),"
                f'IF(({linear})>0,{S}*{lay.weight(i)}*{N[i]}/({linear}),0),"")'
            )
    position = f"MATCH({S}+{EPS},{lay.band_mins},1)"
    caps, labels = [], []
    for g, gate in enumerate(rubric.gates):
        j = rubric.ids.index(gate.criterion)
        op = ">=" if gate.at_least is not None else "<="
        cond = f"AND(ISNUMBER({R[j]}),{R[j]}{op}{lay.gate_threshold(g)})"
        caps.append(f"IF({cond},{lay.gate_cap_position(g)},{len(rubric.bands)})")
        labels.append(f'IF(AND({cond},{position}>{lay.gate_cap_position(g)}),"{gate.id} ","")')
    band_position = f"MIN({position},{','.join(caps)})" if caps else position
    out[lay.c_band] = f'=IF(ISNUMBER({S}),INDEX({lay.band_names},{band_position}),"{INSUFFICIENT}")'
    out[lay.c_gates] = (
        f'=IF(ISNUMBER({S}),SUBSTITUTE(TRIM({"&".join(labels)})," ",","),"")' if labels else '=""'
    )
    out[lay.c_rank] = f'=IF(ISNUMBER({S}),RANK({S},{lay.scores_col(lay.c_score)},0),"")'
    # a tie-free sort key for the Summary's top and bottom lists (earlier row wins a tie)
    out[lay.c_key] = f'=IF(ISNUMBER({S}),{S}-ROW()*1E-12,"")'
    return out


def _headers(lay: _Layout) -> dict[int, str]:
    rubric = lay.rubric
    h = {lay.c_rank: "Rank", lay.c_id: "Engagement ID"}
    for j, name in enumerate(lay.carried):
        h[lay.c_carried + j] = name
    for i, c in enumerate(rubric.criteria):
        h[lay.c_rating + i] = f"{c.label} rating" if c.rated else f"{c.label} (0-1 from indicators)"
        h[lay.c_contrib + i] = f"{c.label} points"
    h.update(
        {
            lay.c_completeness: "Completeness",
            lay.c_score: "Score",
            lay.c_band: "Band",
            lay.c_gates: "Gates applied",
            lay.c_source: "Source file",
            lay.c_source + 1: "Sheet",
            lay.c_source + 2: "Row",
            lay.c_key: "Sort key",
        }
    )
    return h


def _cached(result: Result, lay: _Layout) -> dict[int, list[Any]]:
    """The engine's value for every formula column, row by row."""
    eng = result.engagements
    rubric = result.rubric
    scored = (eng["status"] == "scored").to_numpy()
    score = eng["score"].to_numpy(dtype=float)
    band = eng["band"].to_numpy(dtype=object)
    rows = np.arange(1, len(eng) + 1) + 1  # Excel row numbers on the Scores sheet
    out: dict[int, Any] = {
        lay.c_rank: eng["rank"].to_numpy(dtype=object),
        lay.c_completeness: eng["completeness"].to_numpy(dtype=float),
        lay.c_score: score,
        lay.c_band: np.where(scored, band, INSUFFICIENT),
        lay.c_gates: eng["gates"].fillna("").to_numpy(dtype=object),
        lay.c_key: np.where(scored, score - rows * 1e-12, np.nan),
    }
    for i, c in enumerate(rubric.criteria):
        out[lay.c_contrib + i] = eng[f"{c.id}.contribution"].to_numpy(dtype=float)
    # plain Python values, "" where a formula shows nothing
    return {col: _plain(values) for col, values in out.items()}


def _plain(values: np.ndarray) -> list[Any]:
    """``values`` as Python objects with "" for missing ones: for a float array, the NaNs
    (all ``is_missing`` can find there) are located at once rather than value by value."""
    if values.dtype.kind != "f":
        return ["" if is_missing(v) else v for v in values.tolist()]
    out = values.tolist()
    for at in np.flatnonzero(np.isnan(values)).tolist():
        out[at] = ""
    return out


def _write_scores(wb, f: _Formats, lay: _Layout, result: Result, band_fmt: dict[str, Any]) -> None:
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Scores")
    eng = result.engagements
    headers = _headers(lay)
    for col in range(lay.c_key + 1):
        ws.write_string(0, col, clean_text(headers[col]), f.head)
    ws.set_row(0, 45)
    _write_score_rows(ws, f, lay, result)
    last = max(lay.n, 1)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, last, lay.c_source + 2)
    for name, fmt in band_fmt.items():
        ws.conditional_format(
            1,
            lay.c_band,
            last,
            lay.c_band,
            {"type": "cell", "criteria": "==", "value": f'"{name}"', "format": fmt},
        )
    for i, c in enumerate(lay.rubric.criteria):
        lo, hi = _scale(lay.rubric, i)
        ws.data_validation(
            1,
            lay.c_rating + i,
            last,
            lay.c_rating + i,
            {
                "validate": "decimal",
                "criteria": "between",
                "minimum": lo,
                "maximum": hi,
                "ignore_blank": True,
                "input_title": c.label[:32],
                "input_message": f"A rating {lo:g}-{hi:g}; leave blank if not assessed."[:255],
                "error_title": "Rating",
                "error_message": f"A rating is a number from {lo:g} to {hi:g}.",
            },
        )
    ws.set_column(lay.c_rank, lay.c_rank, 6)
    ws.set_column(lay.c_id, lay.c_id, 16)
    for j, name in enumerate(lay.carried):
        width = _width(name, eng[name])
        ws.set_column(
            lay.c_carried + j, lay.c_carried + j, width, f.date if _is_date(eng[name]) else None
        )
    ws.set_column(lay.c_rating, lay.c_contrib + lay.k - 1, 12)
    ws.set_column(lay.c_completeness, lay.c_score, 11)
    ws.set_column(lay.c_band, lay.c_band, 20)
    ws.set_column(lay.c_gates, lay.c_gates, 14)
    ws.set_column(lay.c_source, lay.c_source + 1, 18)
    ws.set_column(lay.c_source + 2, lay.c_source + 2, 6)
    ws.set_column(lay.c_key, lay.c_key, 12, None, {"hidden": True})


def _write_score_rows(ws: Worksheet, f: _Formats, lay: _Layout, result: Result) -> None:
    """One row per engagement: id, carried input values, ratings, the formulas (the engine's
    values cached) and where the row came from.

    Columns are turned into Python lists and formulas checked once; each row's cells are then
    made by ``Row`` and stored together with ``put_row``. A value ``Row`` does not make
    (a date, NaN or infinity, very long text, a formula XlsxWriter must rewrite) is written
    with XlsxWriter's public methods, as every cell used to be.
    """
    eng = result.engagements
    cached = _cached(result, lay)
    ratings = result.criterion_inputs().to_numpy(dtype=float)
    ids = eng.index.to_numpy(dtype=object).tolist()
    carried = [
        (lay.c_carried + j, eng[c].to_numpy(dtype=object).tolist())
        for j, c in enumerate(lay.carried)
    ]
    files = eng["source"].to_numpy(dtype=object).tolist()
    sheets = eng["sheet"].to_numpy(dtype=object).tolist()
    rows = eng["row"].to_numpy(dtype=object).tolist()
    col_fmt = {lay.c_score: f.score, lay.c_completeness: f.pct, lay.c_rank: None}
    for i in range(lay.k):
        col_fmt[lay.c_contrib + i] = f.points
    formulas, other_formulas = [], []
    for col, template in _row_templates(lay).items():
        parts = Row.formula_parts(ws, template)
        if parts is not None:
            formulas.append((col, parts, col_fmt.get(col), cached[col]))
        else:
            other_formulas.append((col, template, col_fmt.get(col), cached[col]))
    c_id, c_file, c_sheet, c_row = lay.c_id, lay.c_source, lay.c_source + 1, lay.c_source + 2
    rating_cols = list(range(lay.c_rating, lay.c_rating + lay.k))
    fmt_rating = f.rating
    # ratings are finite or NaN (blank); an infinite one would need write_number's handling
    finite_ratings = not np.isinf(ratings).any()
    text, number = Row.text, Row.number
    # file and sheet names repeat: clean each once (clean_text depends only on the text)
    cleaned_names = {v: clean_text(str(v)) for v in {*files, *sheets}}
    names = {v: (cleaned, text(cleaned)) for v, cleaned in cleaned_names.items()}

    def write_input(r: int, col: int, value: Any, _fmt: Any = None) -> None:
        write_value(ws, r, col, value, date_fmt=f.date)

    for n in range(lay.n):
        r = n + 1
        cells: dict[int, tuple] = {}
        later: list[tuple] = []  # (write, col, value, format) for XlsxWriter to convert
        value = clean_text(str(ids[n]))
        if (cell := text(value)) is not None:
            cells[c_id] = cell
        else:
            later.append((ws.write_string, c_id, value, None))
        for col, values in carried:
            value = values[n]
            cell = None
            if value.__class__ is str:
                cell = text(clean_text(value))
            elif value.__class__ is float or value.__class__ is int:
                cell = number(float(value))  # as write_value: every number as a float
            if cell is not None:
                cells[col] = cell
            else:  # missing (write_value writes nothing), a date, a bool, ...
                later.append((write_input, col, value, None))
        for col, value in zip(rating_cols, ratings[n].tolist(), strict=True):
            if value == value:  # a NaN rating is left blank
                if finite_ratings or math.isfinite(value):
                    cells[col] = CellNumberTuple(value, fmt_rating)
                else:
                    later.append((ws.write_number, col, value, fmt_rating))
        row_number = str(r + 1)
        for col, parts, fmt, values in formulas:
            # what write_formula stores, the formula checked and prepared once per column
            cells[col] = CellFormulaTuple(row_number.join(parts), fmt, values[n])
        for col, template, fmt, values in other_formulas:
            later.append((ws.write_formula, col, template.replace(ROW, row_number), fmt, values[n]))
        for col, value in ((c_file, files[n]), (c_sheet, sheets[n])):
            cleaned, cell = names[value]
            if cell is not None:
                cells[col] = cell
            else:
                later.append((ws.write_string, col, cleaned, None))
        cells[c_row] = CellNumberTuple(int(rows[n]), None)  # a row number: finite
        if cells:
            ws.put_row(r, cells)
        for write, col, *args in later:
            write(r, col, *args)


def _is_date(series: pd.Series) -> bool:
    sample = series.dropna().head(20)
    return len(sample) > 0 and all(isinstance(v, (dt.date, dt.datetime)) for v in sample)


def _width(name: str, series: pd.Series) -> float:
    sample = series.dropna().head(200).map(lambda v: len(str(v)))
    longest = int(sample.quantile(0.9)) if len(sample) else 0
    return float(min(max(len(name) + 2, longest + 2, 8), 48))


# -- Summary ---------------------------------------------------------------------------


def _carried_column(lay: _Layout, names: tuple[str, ...]) -> int | None:
    for j, col in enumerate(lay.carried):
        if normalise_header(col) in names:
            return j
    return None


def _write_summary(
    wb, f: _Formats, lay: _Layout, result: Result, band_fmt: dict[str, Any]
) -> dict[str, int]:
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Summary")
    rubric = result.rubric
    counts = result.counts
    band_col = lay.scores_col(lay.c_band)
    score_col = lay.scores_col(lay.c_score)
    r = 0
    ws.write_string(r, 0, rubric.title or "Effectiveness report", f.title)
    r += 2
    provenance = [
        ("Rubric", f"{rubric.name} {rubric.version}"),
        ("Rubric hash (SHA-256)", rubric.content_hash),
        ("Aggregation", rubric.aggregation),
        ("Scored at (UTC)", result.scored_at),
        ("assess version", __version__),
    ]
    for s in result.sources:
        provenance.append(("Source file", s.file))
        provenance.append(("  SHA-256", s.sha256))
        provenance.append(("  Sheet, header row", f"{s.sheet}, row {s.header_row}"))
        provenance += [("  Note", note) for note in s.notes]
    provenance += [("Note", note) for note in limit_notes(result)]
    for label, value in provenance:
        ws.write_string(r, 0, label, f.label)
        ws.write_string(
            r, 1, clean_text(value), f.mono if "SHA" in label or "hash" in label else None
        )
        r += 1
    r += 1
    ws.write_string(r, 0, "Rows", f.h2)
    r += 1
    n_rows = r
    count_rows = [
        ("Scored", f"=COUNT({score_col})", counts["scored"]),
        ("Insufficient evidence", f'=COUNTIF({band_col},"{INSUFFICIENT}")', counts["insufficient"]),
        ("Rejected", None, counts["rejected"]),
    ]
    for label, formula, value in count_rows:
        ws.write_string(r, 0, label)
        if formula:
            ws.write_formula(r, 1, formula, None, value)
        else:
            ws.write_number(r, 1, value)
        r += 1
    ws.write_string(r, 0, "Data rows", f.label)
    ws.write_formula(r, 1, f"=SUM(B{n_rows + 1}:B{r})", None, counts["rows"])
    r += 2
    ws.write_string(r, 0, "Bands", f.h2)
    r += 1
    bands_first = r
    band_counts = result.band_counts()  # once: each call filters every engagement
    band_shares = result.band_shares()
    for b in rubric.bands:
        ws.write_string(r, 0, b.name, band_fmt[b.name])
        ws.write_formula(r, 1, f'=COUNTIF({band_col},"{b.name}")', None, band_counts[b.name])
        ws.write_formula(
            r,
            2,
            f"=IF(B{n_rows + 1}>0,B{r + 1}/B{n_rows + 1},0)",
            f.pct,
            band_shares[b.name],
        )
        r += 1
    bands_last = r - 1
    r += 1
    # Over the scored engagements only, like every other report (Result.criterion_stats): a
    # row counts while its Score is a number, so the figures follow edits on the Scores sheet.
    ws.write_string(r, 0, "Criteria (ratings of the scored engagements, on the Scores sheet)", f.h2)
    r += 1
    for c, h in enumerate(["Criterion", "Weight", "Rated", "Mean", "Std. dev.", "Min", "Max"]):
        ws.write_string(r, c, h, f.head)
    r += 1
    stats = result.criterion_stats()
    for i, c in enumerate(rubric.criteria):
        col = lay.scores_col(lay.c_rating + i)
        st = {k: ("" if is_missing(v) else v) for k, v in stats.loc[c.id].items()}
        scored_value = f"IF(ISNUMBER({score_col})*ISNUMBER({col}),{col})"
        rated = f"C{r + 1}"
        ws.write_string(r, 0, c.label)
        ws.write_formula(r, 1, f"={lay.weight(i)}", f.pct1, c.weight)
        ws.write_formula(
            r, 2, f"=SUMPRODUCT(ISNUMBER({score_col})*ISNUMBER({col}))", None, int(st["rated"])
        )
        for j, (fn, least, fmt, key) in enumerate(
            (
                ("AVERAGE", 0, f.points, "mean"),
                ("STDEV", 1, f.points, "std"),
                ("MIN", 0, f.rating, "min"),
                ("MAX", 0, f.rating, "max"),
            )
        ):
            formula = f'{{=IF({rated}>{least},{fn}({scored_value}),"")}}'
            ws.write_array_formula(r, 3 + j, r, 3 + j, formula, fmt, st[key])
        r += 1
    r += 1
    name_col = result.name_column
    name_j = lay.carried.index(name_col) if name_col in lay.carried else None
    rank_col = lay.scores_col(lay.c_rank)
    scored = result.scored
    key = lay.scores_col(lay.c_key)
    for title, fn, order in (
        ("Top engagements", "LARGE", scored),
        ("Bottom engagements", "SMALL", scored.iloc[::-1]),
    ):
        ws.write_string(r, 0, title, f.h2)
        r += 1
        for c, h in enumerate(["Rank", "Engagement ID", "Engagement", "Score", "Band"]):
            ws.write_string(r, c, h, f.head)
        r += 1
        for k in range(TOP_N):
            match = f"MATCH({fn}({key},{k + 1}),{key},0)"
            have = k < len(order)
            row = order.iloc[k] if have else None
            # the engagement's rank (tied engagements share it), not the line's number
            ws.write_formula(
                r,
                0,
                f'=IFERROR(INDEX({rank_col},{match}),"")',
                None,
                int(row["rank"]) if have else "",
            )
            ws.write_formula(
                r,
                1,
                f'=IFERROR(INDEX({lay.scores_col(lay.c_id)},{match}),"")',
                None,
                clean_text(str(order.index[k])) if have else "",
            )
            if name_j is not None:
                name_value = row[lay.carried[name_j]] if have else ""
                ws.write_formula(
                    r,
                    2,
                    f'=IFERROR(INDEX({lay.scores_col(lay.c_carried + name_j)},{match}),"")',
                    None,
                    "" if is_missing(name_value) else clean_text(str(name_value)),
                )
            ws.write_formula(
                r,
                3,
                f'=IFERROR(INDEX({score_col},{match}),"")',
                f.score,
                float(row["score"]) if have else "",
            )
            ws.write_formula(
                r,
                4,
                f'=IFERROR(INDEX({band_col},{match}),"")',
                None,
                str(row["band"]) if have else "",
            )
            r += 1
        r += 1
    for name, fmt in band_fmt.items():
        ws.conditional_format(
            0, 4, r, 4, {"type": "cell", "criteria": "==", "value": f'"{name}"', "format": fmt}
        )
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 20)
    ws.set_column(2, 2, 40)
    ws.set_column(3, 6, 12)
    ws.activate()
    return {"bands_first": bands_first, "bands_last": bands_last}


# -- Charts ----------------------------------------------------------------------------


def _write_charts(wb, f: _Formats, lay: _Layout, result: Result, where: dict[str, int]) -> None:
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Charts")
    rubric = result.rubric
    ws.write_string(0, 0, "Charts", f.title)
    n_chart = min(len(result.scored), CHART_ENGAGEMENTS)
    if n_chart:
        chart = wb.add_chart({"type": "bar", "subtype": "stacked"})
        for i, c in enumerate(rubric.criteria):
            col = lay.c_contrib + i
            chart.add_series(
                {
                    "name": c.label,
                    "categories": ["Scores", 1, lay.c_id, n_chart, lay.c_id],
                    "values": ["Scores", 1, col, n_chart, col],
                    "fill": {"color": CRITERION_COLOURS[i % len(CRITERION_COLOURS)]},
                    "gap": 40,
                }
            )
        chart.set_title({"name": f"Score by criterion: top {n_chart} engagements (points)"})
        chart.set_x_axis({"min": 0, "max": 100, "major_gridlines": {"visible": True}})
        chart.set_y_axis({"reverse": True})  # rank 1 at the top
        chart.set_legend({"position": "bottom"})
        chart.set_size({"width": 900, "height": max(360, 22 * n_chart + 120)})
        ws.insert_chart(2, 0, chart)
    bands = wb.add_chart({"type": "column"})
    bands.add_series(
        {
            "name": "Engagements",
            "categories": ["Summary", where["bands_first"], 0, where["bands_last"], 0],
            "values": ["Summary", where["bands_first"], 1, where["bands_last"], 1],
            "points": [{"fill": {"color": b.colour}} for b in rubric.bands],
            "data_labels": {"value": True},
        }
    )
    bands.set_title({"name": "Engagements by band"})
    bands.set_legend({"none": True})
    bands.set_size({"width": 560, "height": 320})
    ws.insert_chart(2, 15, bands)
    type_j = _carried_column(lay, ("type", "engagement type", "category"))
    if type_j is None or not len(result.scored):
        return
    type_name = lay.carried[type_j]
    # over the scored engagements, as every other per-criterion figure
    scored = (result.engagements["status"] == "scored").to_numpy()
    eng = result.engagements[scored]
    types = eng[type_name].dropna().map(lambda v: " ".join(str(v).split()))
    top_types = [t for t in types.value_counts().index[:MAX_TYPES] if t]
    if not top_types:
        return
    ratings = result.criterion_inputs()[scored]
    means = ratings.groupby(types).mean()
    first = 24 + max(0, (22 * n_chart + 120 - 360) // 20)
    ws.write_string(first - 1, 15, f"Mean rating per criterion by {type_name.lower()}", f.h2)
    ws.write_string(first, 15, type_name, f.head)
    for i, c in enumerate(rubric.criteria):
        ws.write_string(first, 16 + i, c.label, f.head)
    type_range = lay.scores_col(lay.c_carried + type_j)
    score_col = lay.scores_col(lay.c_score)
    for t_i, t in enumerate(top_types):
        r = first + 1 + t_i
        ws.write_string(r, 15, clean_text(t))
        for i, c in enumerate(rubric.criteria):
            col = lay.scores_col(lay.c_rating + i)
            cell = f"${xl_col_to_name(15)}${r + 1}"
            value = means.loc[t, c.id] if t in means.index else float("nan")
            ws.write_formula(
                r,
                16 + i,
                f'=IFERROR(AVERAGEIFS({col},{type_range},{cell},{score_col},">=0"),"")',
                f.points,
                "" if is_missing(value) else float(value),
            )
    last = first + len(top_types)
    chart = wb.add_chart({"type": "column"})
    for i in range(lay.k):
        chart.add_series(
            {
                "name": ["Charts", first, 16 + i],
                "categories": ["Charts", first + 1, 15, last, 15],
                "values": ["Charts", first + 1, 16 + i, last, 16 + i],
                "fill": {"color": CRITERION_COLOURS[i % len(CRITERION_COLOURS)]},
            }
        )
    chart.set_title({"name": f"Mean rating per criterion by {type_name.lower()}"})
    chart.set_y_axis(
        {
            "min": min(_scale(rubric, i)[0] for i in range(lay.k)),
            "max": max(_scale(rubric, i)[1] for i in range(lay.k)),
        }
    )
    chart.set_legend({"position": "bottom"})
    chart.set_size({"width": 900, "height": 380})
    ws.insert_chart(last + 2, 15, chart)
    ws.set_column(15, 15, 30)
    ws.set_column(16, 16 + lay.k, 12)


# -- Criteria and Rejected ---------------------------------------------------------------


def _lines(text: str, width: int) -> int:
    return max(1, math.ceil(len(text) / max(width - 4, 1)))


def _write_criteria(wb, f: _Formats, rubric: Rubric) -> None:
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Criteria")
    ws.write_string(0, 0, f"Rubric {rubric.name} {rubric.version}", f.title)
    ws.write_string(1, 0, clean_text(" ".join(rubric.description.split())), f.note)
    r = 3
    for c, h in enumerate(["Criterion", "Weight", "Direction", "Level", "Label", "Descriptor"]):
        ws.write_string(r, c, h, f.head)
    r += 1
    for crit in rubric.criteria:
        ws.write_string(r, 0, crit.label, f.label)
        ws.write_number(r, 1, crit.weight, f.pct1)
        ws.write_string(
            r, 2, "cost: more of it lowers the score" if crit.direction == "cost" else "benefit"
        )
        text = clean_text(" ".join(crit.description.split()))
        ws.set_row(r, 15 * _lines(text, DESCRIPTOR_WIDTH))
        ws.write_string(r, 5, text, f.wrap)
        r += 1
        if crit.source:
            text = clean_text("“" + " ".join(crit.source.split()) + "”")
            ws.set_row(r, 15 * _lines(text, DESCRIPTOR_WIDTH))
            ws.write_string(r, 4, "Source", f.note)
            ws.write_string(r, 5, text, f.wrap)
            r += 1
        for lv in crit.scale.levels if crit.rated else ():
            text = clean_text(" ".join(lv.descriptor.split()))
            ws.set_row(r, 15 * _lines(text, DESCRIPTOR_WIDTH))
            ws.write_number(r, 3, lv.value, f.wrap)
            ws.write_string(r, 4, lv.label, f.wrap)
            ws.write_string(r, 5, text, f.wrap)
            r += 1
        for ind in crit.indicators:
            n = ind.normalisation
            how = (
                f"min-max {n.min:g} to {n.max:g}"
                if n.method == "minmax"
                else f"target {n.target:g} from baseline {n.baseline:g}"
            )
            ws.write_string(r, 3, "indicator")
            ws.write_string(r, 4, ind.label)
            ws.write_string(
                r,
                5,
                clean_text(
                    f"{ind.description} Column '{ind.column}', weight {ind.weight:g}, "
                    f"normalised by {how}.".strip()
                ),
                f.wrap,
            )
            r += 1
        r += 1
    ws.write_string(r, 0, "Bands", f.h2)
    r += 1
    for b in rubric.bands:
        ws.write_string(r, 0, b.name)
        ws.write_string(r, 5, f"score from {b.min:g}")
        r += 1
    if rubric.gates:
        r += 1
        ws.write_string(r, 0, "Gates", f.h2)
        r += 1
        for g in rubric.gates:
            ws.write_string(r, 0, g.id)
            text = clean_text(f"{g.describe()}. {' '.join(g.reason.split())}")
            ws.set_row(r, 15 * _lines(text, DESCRIPTOR_WIDTH))
            ws.write_string(r, 5, text, f.wrap)
            r += 1
    ws.set_column(0, 0, 32)
    ws.set_column(1, 1, 9)
    ws.set_column(2, 2, 16)
    ws.set_column(3, 3, 9)
    ws.set_column(4, 4, 20)
    ws.set_column(5, 5, DESCRIPTOR_WIDTH)


def _write_rejected(wb, f: _Formats, result: Result) -> None:
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


# -- entry point -----------------------------------------------------------------------


def write_xlsx(result: Result, path: Path) -> None:
    """Write the analyst workbook for ``result`` to ``path`` (atomically)."""
    if len(result.engagements) > MAX_ROWS:
        raise OutputError(
            f"{len(result.engagements)} engagements do not fit in one Excel sheet; "
            "write .csv instead"
        )
    # carried columns beyond a sheet's room are left out (limit_notes says so)
    carried = list(result.carried_columns)[: excel_carried_room(result.rubric)]
    lay = _Layout(rubric=result.rubric, n=len(result.engagements), carried=carried)
    with atomic_path(path) as tmp:
        wb = xlsx_workbook(tmp, WORKBOOK_OPTIONS)
        mark(wb, REPORT)
        wb.set_properties(
            {
                "title": f"Effectiveness report ({result.rubric.name} {result.rubric.version})",
                "subject": ", ".join(s.file for s in result.sources),
                "author": "assess",
                "comments": f"rubric hash {result.rubric.content_hash}",
                "created": dt.datetime.fromisoformat(
                    result.scored_at.replace("Z", "+00:00")
                ).replace(tzinfo=None),
            }
        )
        for name, reference in lay.defined_names().items():
            wb.define_name(name, f"={reference}")
        f = _Formats(wb)
        band_fmt = _band_formats(wb, result.rubric)
        where = _write_summary(wb, f, lay, result, band_fmt)
        _write_scores(wb, f, lay, result, band_fmt)
        _write_charts(wb, f, lay, result, where)
        _write_weights(wb, f, lay)
        _write_criteria(wb, f, result.rubric)
        _write_rejected(wb, f, result)
        if result.agreement is not None or result.sensitivity is not None:
            from .sections import write_agreement_sheet, write_sensitivity_sheet

            if result.agreement is not None:
                write_agreement_sheet(wb, f, result)
            if result.sensitivity is not None:
                write_sensitivity_sheet(wb, f, result)
        wb.close()
