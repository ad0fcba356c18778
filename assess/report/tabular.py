"""CSV, JSON and Markdown reports."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd

from ..display import fixed, percent, trimmed
from ..files import atomic_path, atomic_write_bytes
from ..result import Result
from .provenance import SCORES_HEADER
from .safety import inert_json, md_cell, report_notes, safe_cell, safe_text_column
from .sections import analysis_columns, analysis_markdown

LEAD_COLUMNS = list(SCORES_HEADER)


def flat_table(result: Result) -> pd.DataFrame:
    """One row per valid engagement (best first), in the column order every tabular report
    uses: lead columns, carried columns, then per criterion rating, normalised, contribution;
    last, the columns of an attached agreement or sensitivity analysis
    (:func:`~assess.report.sections.analysis_columns`)."""
    eng = result.engagements.reset_index()
    per_criterion: list[str] = []
    for c in result.rubric.criteria:
        if c.rated:
            per_criterion.append(f"{c.id}.rating")
        else:
            per_criterion += [f"{i.id}.value" for i in c.indicators]
        per_criterion += [f"{c.id}.normalised", f"{c.id}.contribution"]
    carried = [c for c in result.carried_columns if c not in LEAD_COLUMNS]
    table = eng[LEAD_COLUMNS + carried + per_criterion]
    analysis = analysis_columns(result)
    if analysis is None:
        return table
    extra = analysis.reindex(table["id"].to_numpy()).set_axis(table.index)
    return pd.concat([table, extra], axis=1)


def rejected_table(result: Result) -> pd.DataFrame:
    """One row per problem cell of every rejected row."""
    rows = [
        {
            "file": r.file,
            "sheet": r.sheet,
            "row": r.row,
            "column": p.column,
            "cell": f"{r.sheet}!{p.column}{r.row}",
            "header": p.header,
            "value": p.value,
            "reason": p.reason,
        }
        for r in result.rejected
        for p in r.problems
    ]
    return pd.DataFrame(
        rows, columns=["file", "sheet", "row", "column", "cell", "header", "value", "reason"]
    )


def to_json(result: Result) -> str:
    text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False, allow_nan=False)
    return inert_json(text) + "\n"


def write_json(result: Result, path: Path) -> None:
    atomic_write_bytes(path, to_json(result).encode("utf-8"))


def _csv_table(result: Result):
    """The flat table as an Arrow table: numbers as numbers, every text cell made safe."""
    import pyarrow as pa

    table = flat_table(result)
    arrays = []
    for col in table.columns:
        values = table[col]
        if pd.api.types.is_float_dtype(values) or pd.api.types.is_integer_dtype(values):
            arrays.append(pa.array(values, from_pandas=True))  # NaN and <NA> become blanks
        else:
            arrays.append(safe_text_column(values))
    # headers come from the input too: defused and cleaned as the cells are
    return pa.table(arrays, names=[safe_cell(str(c)) for c in table.columns])


#: Rows per slice when a large CSV is formatted on several cores.
CSV_SLICE_ROWS = 250_000


def _csv_bytes(table) -> list:
    """The CSV text of ``table`` as Arrow buffers, in order.

    Formatting numbers is the costly part and Arrow does it without holding the GIL, so a
    large table is cut into slices formatted on as many threads as there are cores; the
    header goes with the first slice.  The bytes are those of one ``write_csv`` call.
    """
    import os
    from concurrent.futures import ThreadPoolExecutor

    import pyarrow as pa
    from pyarrow import csv as pa_csv

    def text(i: int, part) -> pa.Buffer:
        out = pa.BufferOutputStream()
        # CRLF line ends (RFC 4180); text is always quoted, so a CR or LF in a cell is safe
        pa_csv.write_csv(part, out, pa_csv.WriteOptions(include_header=i == 0, eol="\r\n"))
        return out.getvalue()

    n = max(1, -(-table.num_rows // CSV_SLICE_ROWS))
    parts = [table.slice(i * CSV_SLICE_ROWS, CSV_SLICE_ROWS) for i in range(n)]
    workers = min(n, os.cpu_count() or 1)
    if workers == 1:
        return [text(i, part) for i, part in enumerate(parts)]
    with ThreadPoolExecutor(workers) as pool:
        return list(pool.map(text, range(n), parts))


def _write_csv_to(result: Result, sink) -> None:
    for chunk in _csv_bytes(_csv_table(result)):
        sink.write(memoryview(chunk))


def to_csv(result: Result) -> str:
    """The CSV report as text (see :func:`write_csv`)."""
    import io

    buffer = io.BytesIO()
    _write_csv_to(result, buffer)
    return buffer.getvalue().decode("utf-8")


def write_csv(result: Result, path: Path) -> None:
    """One row per valid engagement in :func:`flat_table`'s columns, written by Arrow's C++
    CSV writer: text quoted, blanks empty, numbers in their shortest exact form."""
    with atomic_path(path) as tmp, tmp.open("wb") as fh:
        _write_csv_to(result, fh)


def to_markdown(result: Result) -> str:
    r = result.rubric
    lines = [
        f"# Effectiveness report: {', '.join(md_cell(s.file) for s in result.sources)}",
        "",
        f"Rubric **{r.name}** {r.version} (hash `{r.short_hash}`), aggregation {r.aggregation}.",
        "",
        *[f"> **Note:** {md_cell(n)}\n" for n in report_notes(result)],
        f"**{result.summary_line()}.**",
        "",
        "| Rank | ID | Score | Band | " + " | ".join(c.label for c in r.criteria) + " |",
        "|---:|---|---:|---|" + "---:|" * len(r.criteria),
    ]
    for eid, row in result.scored.iterrows():
        ratings = [
            trimmed(row[f"{c.id}.rating"], 2) if c.rated else fixed(row[f"{c.id}.normalised"], 2)
            for c in r.criteria
        ]
        lines.append(
            f"| {row['rank']} | {md_cell(eid)} | {fixed(row['score'], 1)} | {row['band']} | "
            + " | ".join(ratings)
            + " |"
        )
    if len(result.insufficient):
        lines += ["", "## Insufficient evidence", ""]
        for eid, row in result.insufficient.iterrows():
            lines.append(
                f"- {md_cell(eid)} ({md_cell(row['sheet'])} row {row['row']}): "
                f"{percent(row['completeness'])} of the weight rated"
            )
    if result.rejected:
        lines += ["", "## Rejected rows", ""]
        lines += [f"- {md_cell(str(rej))}" for rej in result.rejected]
    lines += analysis_markdown(result)
    return "\n".join(lines) + "\n"


def write_markdown(result: Result, path: Path) -> None:
    with atomic_path(path) as tmp:
        tmp.write_text(to_markdown(result), encoding="utf-8")
