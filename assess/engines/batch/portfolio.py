"""The portfolio: every engagement of a batch with its source, a summary per file and the
failures, written as ``portfolio.xlsx`` with ``portfolio.json`` beside it.

The workbook looks and prints like the report workbook: its header style, headers in words,
scores to one decimal and completeness as a percentage, the bands in their colours, frozen
headers and filters, and every sheet set up for A4 (:func:`~assess.report.page.set_page`)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from ..._version import __version__
from ...errors import OutputError
from ...files import atomic_path, atomic_write_bytes, xlsx_workbook
from ...report.provenance import PORTFOLIO, mark
from .discovery import PORTFOLIO_JSON, PORTFOLIO_XLSX
from .outcomes import BatchResult

#: what the portfolio keeps of each engagement (with the carried columns)
PORTFOLIO_FIELDS = ("id", "score", "band", "rank", "completeness", "status")
#: The workbook's headers of the portfolio's own columns (carried columns keep their names).
HEADERS = {
    "portfolio rank": "Portfolio rank",
    "source": "Source file",
    "id": "Engagement ID",
    "score": "Score",
    "band": "Band",
    "rank in file": "Rank in file",
    "completeness": "Completeness",
    "status": "Status",
    "input": "Input file",
    "sha256": "SHA-256",
    "report": "Report",
    "rows": "Rows",
    "scored": "Scored",
    "insufficient": "Insufficient evidence",
    "rejected": "Rejected",
    "not_approved": "Not approved",
    "flagged": "Flags",
    "error": "Error",
    "seconds": "Seconds",
    "sheet": "Sheet",
    "notes": "Notes",
}
#: The columns of whole numbers.
WHOLE = (
    "portfolio rank",
    "rank in file",
    "rows",
    "scored",
    "insufficient",
    "rejected",
    "not_approved",
    "flagged",
)
#: The widest a column grows for its text (characters); longer text wraps.
TEXT_MOST = 30
#: The width of the Summary sheet's values (characters).
SUMMARY_WIDTH = 80


def _portfolio_frame(result: BatchResult) -> pd.DataFrame:
    frames = []
    for f in result.files:
        if f.engagements:
            df = pd.DataFrame(f.engagements)
            df.insert(0, "source", f.input)
            df = df.rename(columns={"rank": "rank in file"})
            frames.append(df)
    if not frames:
        return pd.DataFrame(
            columns=[
                "portfolio rank",
                "source",
                "id",
                "score",
                "band",
                "rank in file",
                "completeness",
                "status",
            ]
        )
    table = pd.concat(frames, ignore_index=True)
    table.insert(
        0, "portfolio rank", table["score"].rank(method="min", ascending=False).astype("Int64")
    )
    return table.sort_values(["portfolio rank", "source", "id"], na_position="last", kind="stable")


def _typed_cells(values: pd.Series) -> tuple[str, list[Any]]:
    """A column's cells, ready to write: ``("number", floats)`` or ``("text", cleaned text)``
    with None for a blank, or ``("other", values)`` for a column of mixed types."""
    from ...report.safety import clean_text

    kind = pd.api.types.infer_dtype(values, skipna=True)
    if pd.api.types.is_bool_dtype(values):
        kind = "other"
    if kind in {"floating", "integer", "mixed-integer-float", "decimal"}:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return "number", [None if x != x else x for x in numbers.tolist()]
    if kind in {"string", "empty"}:
        return "text", [clean_text(t) if isinstance(t, str) else None for t in values.tolist()]
    return "other", values.tolist()


def _write_table(ws, frame: pd.DataFrame, f: Any, band_fmt: dict[str, Any]) -> None:
    """A header row and the frame's rows, in row order (the workbook streams rows to disk);
    the columns as wide as their header's words and their values, long text wrapped (the row
    as tall as it), figures in number formats, bands in their colours, a filter and frozen
    headers.

    Columns of numbers or of text (nearly all) become ready-made cells stored a row at a time
    (see ``assess.report.sheets.Row``); a blank is simply not written, and anything else goes
    through :func:`~assess.report.sheets.write_value`.
    """
    from ...report.page import LINE, PADDING, column_width, header_height, text_width, wrapped_lines
    from ...report.sheets import Row, write_value

    heads = [HEADERS.get(str(col), str(col)) for col in frame.columns]
    columns = [_typed_cells(frame[col]) for col in frame.columns]
    widths, wrapped = [], {}
    formats = {"score": f.score, "completeness": f.pct, "seconds": f.points}
    formats.update(dict.fromkeys(WHOLE, f.whole))
    for c, (col, (kind, values)) in enumerate(zip(frame.columns, columns, strict=True)):
        sample = [v for v in values[:200] if v is not None]
        width = column_width([heads[c]], sample, least=8, most=TEXT_MOST)
        fmt = formats.get(col)
        if kind == "text" and any(text_width(v) > width - PADDING for v in sample):
            fmt, wrapped[c] = f.wrap_bottom, width
        widths.append(width)
        ws.set_column(c, c, width, fmt)
    ws.set_row(0, header_height(zip(heads, widths, strict=True)))
    for c, text in enumerate(heads):
        write_value(ws, 0, c, text, f.head)
    make = {"number": Row.number, "text": Row.text}
    for r in range(1, len(frame) + 1):
        cells: dict[int, tuple] = {}
        later = []
        lines = 1
        for c, (kind, values) in enumerate(columns):
            v = values[r - 1]
            if v is None and kind != "other":
                continue
            if c in wrapped and len(v) > (wrapped[c] - PADDING) / 1.5:
                lines = max(lines, wrapped_lines(v, wrapped[c], bold=False))
            cell = make[kind](v) if kind != "other" else None
            if cell is not None:
                cells[c] = cell
            else:  # a date, a bool, text too long to check cheaply, an infinite number ...
                later.append((c, v))
        if lines > 1:
            ws.set_row(r, LINE * lines)
        if cells:
            ws.put_row(r, cells)
        for c, v in later:
            write_value(ws, r, c, v, date_fmt=f.date)
    last = max(len(frame), 1)
    if "band" in frame.columns:
        c = list(frame.columns).index("band")
        for name, fmt in band_fmt.items():
            ws.conditional_format(
                1,
                c,
                last,
                c,
                {"type": "cell", "criteria": "==", "value": f'"{name}"', "format": fmt},
            )
    ws.freeze_panes(1, 0)
    ws.autofilter(0, 0, last, max(len(frame.columns) - 1, 0))


def _layered_json(value: Any, depth: int = 0, flat_from: int = 3) -> str:
    """JSON indented one space per level down to ``flat_from``; deeper values on one line.

    Each file's list of engagements (level 3) is one line, encoded by the json module's C
    encoder (which cannot indent); with full indentation the Python encoder takes several
    times as long on a large portfolio.
    """
    dump = lambda v: json.dumps(v, ensure_ascii=False, allow_nan=False)  # noqa: E731
    if depth >= flat_from or not isinstance(value, (dict, list)) or not value:
        return dump(value)
    pad = "\n" + " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{dump(str(k))}: {_layered_json(v, depth + 1)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_layered_json(v, depth + 1) for v in value]
        opening, closing = "[", "]"
    return opening + pad + ("," + pad).join(items) + "\n" + " " * depth + closing


def layout_record(layout: dict[str, Any]) -> dict[str, Any]:
    """The reading options as ``portfolio.json`` records them (JSON has no tuples)."""
    allowed = layout.get("allow_missing")
    return {
        "sheet": layout.get("sheet"),
        "id_column": layout.get("id_column"),
        "allow_missing": list(allowed) if allowed else None,
        "require_status": list(layout["require_status"]) if layout.get("require_status") else None,
    }


def write_portfolio(result: BatchResult, fmt: str, layout: dict[str, Any]) -> Path:
    """Write ``portfolio.xlsx`` and ``portfolio.json`` into the batch's output folder.

    Raises :class:`~assess.errors.OutputError` if either cannot be written (a full disk)."""
    from ...report.safety import MAX_COLUMNS

    out = result.outdir
    target = out / PORTFOLIO_XLSX
    result.portfolio = target  # portfolio.json names the workbook written beside it
    data = {
        **result.to_dict(),
        "format": fmt,
        **layout_record(layout),
        "files": [{**f.summary(), "engagements": f.engagements} for f in result.files],
    }
    try:
        atomic_write_bytes(out / PORTFOLIO_JSON, (_layered_json(data) + "\n").encode())
    except OSError as exc:
        raise OutputError(f"cannot write {out / PORTFOLIO_JSON}: {exc.strerror or exc}") from exc
    table = _portfolio_frame(result)
    notes = []
    if len(table.columns) > MAX_COLUMNS:  # carried columns beyond a sheet's room
        notes.append(
            f"the Engagements sheet leaves out the last {len(table.columns) - MAX_COLUMNS:,} of "
            f"{len(table.columns):,} columns, from {table.columns[MAX_COLUMNS]!r} on: a sheet "
            f"holds at most {MAX_COLUMNS:,} columns ({PORTFOLIO_JSON} has them all)"
        )
        table = table.iloc[:, :MAX_COLUMNS]
    files = pd.DataFrame([f.summary() for f in result.files])
    failures = files[files["status"] == "failed"][["input", "error"]] if len(files) else files
    try:
        _write_portfolio_xlsx(result, target, table, files, failures, notes)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def _write_portfolio_xlsx(
    result: BatchResult,
    target: Path,
    table: pd.DataFrame,
    files: pd.DataFrame,
    failures: pd.DataFrame,
    notes: list[str],
) -> None:
    from ...report.page import LINE, PageSetup, set_page, wrapped_lines
    from ...report.sheets import WORKBOOK_OPTIONS, Worksheet, write_value
    from ...report.xlsx.formats import CellFormats, band_formats

    with atomic_path(target) as tmp:
        wb = xlsx_workbook(tmp, WORKBOOK_OPTIONS)
        mark(wb, PORTFOLIO)
        wb.set_properties(
            {
                "title": f"Portfolio ({result.rubric.name} {result.rubric.version})",
                "author": "assess",
                "comments": f"rubric hash {result.rubric.content_hash}",
            }
        )
        f = CellFormats(wb, PageSetup.of("Portfolio", result.rubric, result.scored_at))
        ws = wb.add_worksheet("Summary")
        totals = {
            **{k: k.capitalize() for k in result.totals()},
            "insufficient": "Insufficient evidence",
        }
        rows = [
            ("Rubric", f"{result.rubric.name} {result.rubric.version}"),
            ("Rubric hash", result.rubric.content_hash),
            ("assess version", __version__),
            ("Scored at (UTC)", result.scored_at),
            *[(totals[k], v) for k, v in result.totals().items()],
            *[("Note", note) for note in notes],
        ]
        ws.set_column(0, 0, 22)
        ws.set_column(1, 1, SUMMARY_WIDTH)
        left = wb.add_format({"align": "left"})
        for r, (k, v) in enumerate(rows):
            ws.write_string(r, 0, k, f.head)
            if isinstance(v, str) and len(v) > SUMMARY_WIDTH / 1.5:  # a long note wraps
                ws.set_row(r, LINE * wrapped_lines(v, SUMMARY_WIDTH, bold=False))
            fmt = f.mono if k == "Rubric hash" else f.wrap if isinstance(v, str) else left
            write_value(ws, r, 1, v, fmt)
        set_page(ws, f.page, one_page=True)
        band_fmt = band_formats(wb, result.rubric)
        if "notes" in files.columns:  # a list per file, read as one line
            files = files.assign(notes=files["notes"].map("; ".join))
        for name, frame in (("Engagements", table), ("Files", files), ("Failures", failures)):
            ws = wb.add_worksheet(name, worksheet_class=Worksheet)
            _write_table(ws, frame, f, band_fmt)
            set_page(ws, f.page)
        wb.close()
