"""The report workbook's **Scores** sheet: one row per engagement, its ratings as input cells
and its normalised values, contributions, score, band and rank as live formulas reading the
Weights sheet, with the engine's values stored as cached results."""

from __future__ import annotations

import datetime as dt
import math
from typing import Any

import numpy as np
import pandas as pd
from xlsxwriter.utility import xl_col_to_name
from xlsxwriter.worksheet import CellFormulaTuple, CellNumberTuple

from ...result import Result
from ..page import (
    LINE,
    PADDING,
    column_width,
    header_height,
    set_page,
    text_width,
    wrapped_lines,
)
from ..safety import clean_text
from ..sheets import ROW, Row, Worksheet, is_missing, write_value
from .formats import CellFormats
from .layout import EPS, INSUFFICIENT, Layout, scale_of
from .review import MAX_LINKS, evidence_columns, web_address


def _row_templates(lay: Layout) -> dict[int, str]:
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
    if lay.history:  # the change since the previous period: this score less the previous one
        P = ref[lay.c_previous]
        out[lay.c_change] = f'=IF(AND(ISNUMBER({P}),ISNUMBER({S})),{S}-{P},"")'
    out[lay.c_rank] = f'=IF(ISNUMBER({S}),RANK({S},{lay.scores_col(lay.c_score)},0),"")'
    # a tie-free sort key for the Summary's top and bottom lists (earlier row wins a tie)
    out[lay.c_key] = f'=IF(ISNUMBER({S}),{S}-ROW()*1E-12,"")'
    return out


def _headers(lay: Layout, history: Any = None) -> dict[int, str]:
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
    if lay.history:
        since = f" ({history.previous_period})" if history.previous_period else ""
        h[lay.c_previous] = f"Previous score{since}"
        h[lay.c_change] = f"Change since {history.previous_period}" if since else "Change"
        h[lay.c_previous_band] = f"Previous band{since}"
    return h


def _cached(result: Result, lay: Layout) -> dict[int, list[Any]]:
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
    if lay.history:
        out[lay.c_change] = result.history.previous(eng.index)["change"].to_numpy(dtype=float)
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


def write_scores_sheet(
    wb,
    f: CellFormats,
    lay: Layout,
    result: Result,
    band_fmt: dict[str, Any],
    link_evidence: bool = False,
) -> None:
    """Add the Scores sheet to ``wb``: a header row, one row per engagement, then the filter,
    the bands' colours, the ratings' validation and the column widths.  With
    ``link_evidence`` an evidence cell that is one ``http(s)`` address is a live link."""
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Scores")
    headers = {col: clean_text(text) for col, text in _headers(lay, result.history).items()}
    widths = _column_widths(lay, result, headers)
    shown = [(headers[col], widths[col]) for col in range(lay.c_key)]  # the sort key is hidden
    ws.set_row(0, header_height(shown))
    for col in range(lay.c_key + 1):
        ws.write_string(0, col, headers[col], f.head)
    wrapped = _set_columns(ws, f, lay, result, widths)
    _write_score_rows(ws, f, lay, result, wrapped, link_evidence)
    last = max(lay.n, 1)
    ws.freeze_panes(1, 2)
    ws.autofilter(0, 0, last, lay.c_source + 2)
    band_cols = [lay.c_band, lay.c_previous_band] if lay.history else [lay.c_band]
    for name, fmt in band_fmt.items():
        for col in band_cols:
            ws.conditional_format(
                1,
                col,
                last,
                col,
                {"type": "cell", "criteria": "==", "value": f'"{name}"', "format": fmt},
            )
    for i, c in enumerate(lay.rubric.criteria):
        lo, hi = scale_of(lay.rubric, i)
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
    set_page(ws, f.page)


#: The widest a column of input text grows (characters); longer text wraps.
CARRIED_MOST = 30


def _column_widths(lay: Layout, result: Result, headers: dict[int, str]) -> dict[int, float]:
    """Each column's width: its header's longest word fits on a line, and so do its values
    (input text up to :data:`CARRIED_MOST`)."""
    eng = result.engagements
    widths = {col: column_width([text], least=7) for col, text in headers.items()}
    bands = [*(b.name for b in lay.rubric.bands), INSUFFICIENT]
    values = {
        lay.c_id: _sample(eng.index.to_series()),
        lay.c_band: bands,
        lay.c_gates: _sample(eng["gates"]),
        lay.c_source: _sample(eng["source"]),
        lay.c_source + 1: _sample(eng["sheet"]),
    }
    if lay.history:
        values[lay.c_previous_band] = bands
    for j, name in enumerate(lay.carried):
        values[lay.c_carried + j] = _sample(eng[name])
    for col, shown in values.items():
        most = CARRIED_MOST if lay.c_carried <= col < lay.c_rating else 40
        widths[col] = column_width([headers[col]], shown, least=7, most=most)
    return widths


def _sample(series: pd.Series) -> list[str]:
    """The text of up to 200 values of ``series``, dates as a date cell shows them."""
    return [
        v.strftime("%Y-%m-%d") if isinstance(v, (dt.date, dt.datetime)) else str(v)
        for v in series.dropna().head(200)
    ]


def _set_columns(
    ws: Worksheet, f: CellFormats, lay: Layout, result: Result, widths: dict[int, float]
) -> dict[int, float]:
    """The columns' widths; input dates in the date format, input text too long for its
    column wrapped; the sort key hidden.  Returns the wrapped columns' widths."""
    eng = result.engagements
    wrapped = {}
    for col, width in widths.items():
        fmt = None
        j = col - lay.c_carried
        if 0 <= j < len(lay.carried):
            values = eng[lay.carried[j]]
            if _is_date(values):
                fmt = f.date
            elif any(text_width(v) > width - PADDING for v in _sample(values)):
                fmt = f.wrap_bottom
                wrapped[col] = width
        ws.set_column(col, col, width, fmt, {"hidden": True} if col == lay.c_key else None)
    return wrapped


def _write_score_rows(
    ws: Worksheet,
    f: CellFormats,
    lay: Layout,
    result: Result,
    wrapped: dict[int, float],
    link_evidence: bool = False,
) -> None:
    """One row per engagement: id, carried input values, ratings, the formulas (the engine's
    values cached) and where the row came from; a row whose text wraps in the ``wrapped``
    columns (column -> width) as tall as its lines.

    Columns are turned into Python lists and formulas checked once (:class:`_ScoreRows`);
    each row's cells are then made by ``Row`` and stored together with ``put_row``. A value
    ``Row`` does not make (a date, NaN or infinity, very long text, a formula XlsxWriter must
    rewrite) is written with XlsxWriter's public methods, as every cell used to be.
    """
    rows = _ScoreRows(ws, f, lay, result, wrapped)
    if link_evidence:
        rows.links = evidence_columns(lay, result)
    for n in range(lay.n):
        rows.write(n)


class _ScoreRows:
    """The Scores sheet's columns, prepared once, and the writing of one row from them."""

    def __init__(
        self, ws: Worksheet, f: CellFormats, lay: Layout, result: Result, wrapped: dict
    ) -> None:
        eng = result.engagements
        self.ws, self.date_fmt, self.rating_fmt = ws, f.date, f.rating
        self.ratings = result.criterion_inputs().to_numpy(dtype=float)
        # ratings are finite or NaN (blank); an infinite one would need write_number's handling
        self.finite_ratings = not np.isinf(self.ratings).any()
        self.rating_cols = list(range(lay.c_rating, lay.c_rating + lay.k))
        self.ids = eng.index.to_numpy(dtype=object).tolist()
        self.carried = [
            (lay.c_carried + j, eng[c].to_numpy(dtype=object).tolist())
            for j, c in enumerate(lay.carried)
        ]
        # the wrapped columns' values and widths, and the characters a line surely holds
        self.wrapped = [
            (values, width, (width - PADDING) / 1.5)
            for col, values in self.carried
            if (width := wrapped.get(col))
        ]
        self.files = eng["source"].to_numpy(dtype=object).tolist()
        self.sheets = eng["sheet"].to_numpy(dtype=object).tolist()
        self.rows = eng["row"].to_numpy(dtype=object).tolist()
        self.c_id, self.c_file = lay.c_id, lay.c_source
        self.c_sheet, self.c_row = lay.c_source + 1, lay.c_source + 2
        # file and sheet names repeat: clean each once (clean_text depends only on the text)
        cleaned_names = {v: clean_text(str(v)) for v in {*self.files, *self.sheets}}
        self.names = {v: (cleaned, Row.text(cleaned)) for v, cleaned in cleaned_names.items()}
        self.formulas, self.other_formulas = self._formula_columns(f, lay, result)
        self.previous = _previous_cells(f, lay, result)
        self.links: set[int] = set()  # evidence columns whose web addresses are links
        self.linked = 0

    def _formula_columns(self, f: CellFormats, lay: Layout, result: Result) -> tuple[list, list]:
        """(column, prepared parts, format, cached values) of the formulas ``Row`` can store,
        and (column, template, format, cached values) of those XlsxWriter must write."""
        cached = _cached(result, lay)
        col_fmt = {lay.c_score: f.score, lay.c_completeness: f.pct, lay.c_rank: None}
        if lay.history:
            col_fmt[lay.c_change] = f.change
        for i in range(lay.k):
            col_fmt[lay.c_contrib + i] = f.points
        formulas, other_formulas = [], []
        for col, template in _row_templates(lay).items():
            parts = Row.formula_parts(self.ws, template)
            if parts is not None:
                formulas.append((col, parts, col_fmt.get(col), cached[col]))
            else:
                other_formulas.append((col, template, col_fmt.get(col), cached[col]))
        return formulas, other_formulas

    def write(self, n: int) -> None:
        """Write engagement ``n``'s row (row ``n + 1`` of the sheet)."""
        ws = self.ws
        r = n + 1
        cells: dict[int, tuple] = {}
        later: list[tuple] = []  # (write, col, value, format) for XlsxWriter to convert
        value = clean_text(str(self.ids[n]))
        if (cell := Row.text(value)) is not None:
            cells[self.c_id] = cell
        else:
            later.append((ws.write_string, self.c_id, value, None))
        self._carried_cells(n, cells, later)
        self._rating_cells(n, cells, later)
        row_number = str(r + 1)
        for col, parts, fmt, values in self.formulas:
            # what write_formula stores, the formula checked and prepared once per column
            cells[col] = CellFormulaTuple(row_number.join(parts), fmt, values[n])
        for col, template, fmt, values in self.other_formulas:
            later.append((ws.write_formula, col, template.replace(ROW, row_number), fmt, values[n]))
        for col, value in ((self.c_file, self.files[n]), (self.c_sheet, self.sheets[n])):
            cleaned, cell = self.names[value]
            if cell is not None:
                cells[col] = cell
            else:
                later.append((ws.write_string, col, cleaned, None))
        cells[self.c_row] = CellNumberTuple(int(self.rows[n]), None)  # a row number: finite
        for col, values in self.previous:
            if values[n] is not None:
                cells[col] = values[n]
        lines = 1
        for values, width, fits in self.wrapped:
            value = values[n]
            if value.__class__ is str and len(value) > fits:
                lines = max(lines, wrapped_lines(value, width, bold=False))
        if lines > 1:
            ws.set_row(r, LINE * lines)
        ws.put_row(r, cells)
        for write, col, *args in later:
            write(r, col, *args)

    def _write_input(self, r: int, col: int, value: Any, _fmt: Any = None) -> None:
        write_value(self.ws, r, col, value, date_fmt=self.date_fmt)

    def _carried_cells(self, n: int, cells: dict[int, tuple], later: list[tuple]) -> None:
        """Row ``n``'s carried input values: text and numbers as cells, the rest for later."""
        text, number = Row.text, Row.number
        for col, values in self.carried:
            value = values[n]
            cell = None
            if col in self.links and self.linked < MAX_LINKS and (url := web_address(value)):
                later.append((self.ws.write_url, col, url, None, clean_text(url)))
                self.linked += 1
                continue
            if value.__class__ is str:
                cell = text(clean_text(value))
            elif value.__class__ is float or value.__class__ is int:
                cell = number(float(value))  # as write_value: every number as a float
            if cell is not None:
                cells[col] = cell
            else:  # missing (write_value writes nothing), a date, a bool, ...
                later.append((self._write_input, col, value, None))

    def _rating_cells(self, n: int, cells: dict[int, tuple], later: list[tuple]) -> None:
        """Row ``n``'s ratings as number cells; a NaN rating is left blank."""
        fmt_rating = self.rating_fmt
        for col, value in zip(self.rating_cols, self.ratings[n].tolist(), strict=True):
            if value == value:  # a NaN rating is left blank
                if self.finite_ratings or math.isfinite(value):
                    cells[col] = CellNumberTuple(value, fmt_rating)
                else:
                    later.append((self.ws.write_number, col, value, fmt_rating))


def _previous_cells(f: CellFormats, lay: Layout, result: Result) -> list[tuple[int, list]]:
    """(column, cells) of the previous period's score and band, a cell per engagement (None
    where it has none: left blank); nothing without a history."""
    if not lay.history:
        return []
    previous = result.history.previous(result.engagements.index)
    scores = [
        None if v != v else CellNumberTuple(v, f.score)
        for v in previous["previous_score"].to_numpy(dtype=float).tolist()
    ]
    bands = [
        None if b is None else Row.text(clean_text(str(b)))
        for b in previous["previous_band"].tolist()
    ]
    return [(lay.c_previous, scores), (lay.c_previous_band, bands)]


def _is_date(series: pd.Series) -> bool:
    sample = series.dropna().head(20)
    return len(sample) > 0 and all(isinstance(v, (dt.date, dt.datetime)) for v in sample)
