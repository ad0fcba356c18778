"""The Excel report."""

from __future__ import annotations

import math
from pathlib import Path
from typing import Any

import pandas as pd
import xlsxwriter

from ..result import Result
from . import atomic_path
from .safety import clean_text
from .tabular import flat_table, rejected_table

WORKBOOK_OPTIONS = {
    # Input text must stay text: never a formula, URL or number.
    "strings_to_formulas": False,
    "strings_to_urls": False,
    "strings_to_numbers": False,
    "nan_inf_to_errors": True,
}


def _write_cell(ws, r: int, c: int, value: Any, fmt=None) -> None:
    if value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value)):
        ws.write_blank(r, c, None, fmt)
    elif isinstance(value, str):
        ws.write_string(r, c, clean_text(value), fmt)
    elif isinstance(value, bool):
        ws.write_boolean(r, c, value, fmt)
    elif isinstance(value, (int, float)):
        ws.write_number(r, c, value, fmt)
    elif hasattr(value, "isoformat"):
        ws.write_datetime(r, c, value, fmt)
    else:
        ws.write_string(r, c, clean_text(str(value)), fmt)


def _write_frame(wb, ws, frame: pd.DataFrame) -> None:
    head = wb.add_format({"bold": True, "bg_color": "#DDE3EA", "border": 1, "text_wrap": True})
    date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
    for c, name in enumerate(frame.columns):
        ws.write_string(0, c, str(name), head)
    for r, row in enumerate(frame.itertuples(index=False), start=1):
        for c, value in enumerate(row):
            _write_cell(ws, r, c, value, date_fmt if hasattr(value, "isoformat") else None)
    ws.freeze_panes(1, 0)
    if len(frame.columns):
        ws.autofilter(0, 0, max(len(frame), 1), len(frame.columns) - 1)
    ws.set_column(0, max(len(frame.columns) - 1, 0), 14)


def write_xlsx(result: Result, path: Path) -> None:
    with atomic_path(path) as tmp:
        wb = xlsxwriter.Workbook(str(tmp), WORKBOOK_OPTIONS)
        summary = wb.add_worksheet("Summary")
        r = result.rubric
        info = [
            ("Rubric", f"{r.name} {r.version}"), ("Rubric hash", r.content_hash),
            *[(f"Source {i + 1}", f"{s.file} (sha256 {s.sha256})") for i, s in enumerate(result.sources)],
            *[(k.capitalize(), v) for k, v in result.counts.items()],
        ]
        for i, (k, v) in enumerate(info):
            summary.write_string(i, 0, k)
            _write_cell(summary, i, 1, v)
        summary.set_column(0, 0, 18)
        summary.set_column(1, 1, 90)
        _write_frame(wb, wb.add_worksheet("Scores"), flat_table(result))
        _write_frame(wb, wb.add_worksheet("Rejected"), rejected_table(result))
        wb.close()
