"""The cell formats of the report workbook: titles, headers, figures, input cells and bands;
and the page setup every sheet prints with."""

from __future__ import annotations

from typing import Any

from ...rubric import Rubric
from ..page import PageSetup
from .layout import INSUFFICIENT


class CellFormats:
    """The cell formats every sheet of the report workbook uses, made once per workbook, and
    ``page``, the page setup every sheet prints with (:func:`~assess.report.page.set_page`)."""

    def __init__(self, wb, page: PageSetup) -> None:
        self.page = page
        add = wb.add_format
        self.title = add({"bold": True, "font_size": 14})
        self.h2 = add({"bold": True, "font_size": 12, "font_color": "#1F3864"})
        self.head = add(
            {"bold": True, "bg_color": "#DDE3EA", "border": 1, "text_wrap": True, "valign": "top"}
        )
        self.label = add({"bold": True})
        self.label_top = add({"bold": True, "valign": "top"})
        self.wrap = add({"text_wrap": True, "valign": "top"})
        self.wrap_bottom = add({"text_wrap": True})
        self.date = add({"num_format": "yyyy-mm-dd"})
        self.score = add({"num_format": "0.0"})
        self.whole = add({"num_format": "0"})
        self.change = add({"num_format": "+0.0;-0.0;0.0"})
        self.points = add({"num_format": "0.00"})
        self.norm = add({"num_format": "0.000"})
        self.rating = add({"num_format": "0.0#"})
        self.pct = add({"num_format": "0%"})
        self.pct1 = add({"num_format": "0.0%"})
        self.pct1_top = add({"num_format": "0.0%", "valign": "top"})
        self.input = add({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.000"})
        self.input_num = add({"bg_color": "#FFF2CC", "border": 1, "num_format": "0.##"})
        self.note = add({"italic": True, "font_color": "#595959"})
        self.note_wrap = add(
            {"italic": True, "font_color": "#595959", "text_wrap": True, "valign": "top"}
        )
        self.mono = add({"font_name": "Consolas"})
        self.band = {}


def band_formats(wb, rubric: Rubric) -> dict[str, Any]:
    """Each band's fill (with black or white text, whichever reads on it), and one for
    :data:`~assess.report.xlsx.layout.INSUFFICIENT`."""
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
