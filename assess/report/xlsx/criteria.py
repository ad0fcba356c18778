"""The report workbook's **Criteria** sheet: the rubric as the analyst reads it, every level's
descriptor, every indicator's normalisation, the bands and the gates."""

from __future__ import annotations

from ...rubric import Criterion, Rubric
from ..page import (
    PADDING,
    column_width,
    header_height,
    set_page,
    text_width,
    wrapped_lines,
    write_note,
)
from ..safety import clean_text
from ..sheets import Worksheet
from .formats import CellFormats

#: Width of the descriptor column, in characters.
DESCRIPTOR_WIDTH = 90
#: The table's header, on row 4.
HEAD = ["Criterion", "Weight", "Direction", "Level", "Label", "Descriptor"]
HEAD_ROW = 3


def _lines(text: str, width: float) -> int:
    return wrapped_lines(text, width, bold=False)


def _widths(rubric: Rubric) -> list[float]:
    """Each column's width: the header's words and the names and labels fit."""
    levels = [lv.label for c in rubric.criteria if c.rated for lv in c.scale.levels]
    values = {
        0: [c.label for c in rubric.criteria] + [b.name for b in rubric.bands],
        2: ["benefit", "cost: more of it"],
        4: levels + [ind.label for c in rubric.criteria for ind in c.indicators] + ["indicator"],
    }
    # the criteria's labels are bold, and stay on one line
    bold = max((text_width(c.label, bold=True) for c in rubric.criteria), default=0) + PADDING
    least = {0: min(bold, 40)}
    out = [
        column_width([head], values.get(col, ()), least=least.get(col, 9), most=32)
        for col, head in enumerate(HEAD)
    ]
    out[-1] = DESCRIPTOR_WIDTH
    return out


def write_criteria_sheet(wb, f: CellFormats, rubric: Rubric) -> None:
    """Add the Criteria sheet to ``wb``: every criterion with its levels' descriptors or its
    indicators, then the bands and the gates."""
    ws = wb.add_worksheet(worksheet_class=Worksheet, name="Criteria")
    widths = _widths(rubric)
    for col, width in enumerate(widths):
        ws.set_column(col, col, width)
    ws.write_string(0, 0, f"Rubric {rubric.name} {rubric.version}", f.title)
    about = clean_text(" ".join(rubric.description.split()))
    if about:
        write_note(ws, 1, widths, about, f.note_wrap)
    ws.set_row(HEAD_ROW, header_height(zip(HEAD, widths, strict=True)))
    for c, h in enumerate(HEAD):
        ws.write_string(HEAD_ROW, c, h, f.head)
    r = HEAD_ROW + 1
    for crit in rubric.criteria:
        r = _write_criterion(ws, f, crit, r) + 1
    _write_bands_and_gates(ws, f, rubric, r)
    set_page(ws, f.page, repeat=(HEAD_ROW, HEAD_ROW))


def _write_descriptor(ws: Worksheet, f: CellFormats, r: int, text: str) -> None:
    """``text`` in the descriptor column of row ``r``, the row tall enough to show it."""
    ws.set_row(r, 15 * _lines(text, DESCRIPTOR_WIDTH))
    ws.write_string(r, 5, text, f.wrap)


def _write_criterion(ws: Worksheet, f: CellFormats, crit: Criterion, r: int) -> int:
    """One criterion from row ``r``: its weight and description, its source, then its levels
    or its indicators; returns the row after them."""
    ws.write_string(r, 0, crit.label, f.label_top)
    ws.write_number(r, 1, crit.weight, f.pct1_top)
    ws.write_string(
        r,
        2,
        "cost: more of it lowers the score" if crit.direction == "cost" else "benefit",
        f.wrap,
    )
    _write_descriptor(ws, f, r, clean_text(" ".join(crit.description.split())))
    r += 1
    if crit.source:
        text = clean_text("“" + " ".join(crit.source.split()) + "”")
        ws.set_row(r, 15 * _lines(text, DESCRIPTOR_WIDTH))
        ws.write_string(r, 4, "Source", f.note_wrap)
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
    return r


def _write_bands_and_gates(ws: Worksheet, f: CellFormats, rubric: Rubric, r: int) -> None:
    """The bands with their cut-offs, then the gates with their reasons, from row ``r``."""
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
            _write_descriptor(ws, f, r, clean_text(f"{g.describe()}. {' '.join(g.reason.split())}"))
            r += 1
