"""CSV and JSON reports, with what an attached agreement or sensitivity analysis adds to them:
per-engagement columns in the CSV report (:func:`analysis_columns`).  The Markdown report is
:mod:`assess.report.markdown`."""

from __future__ import annotations

from pathlib import Path

import pandas as pd

from ..files import atomic_path, atomic_write_bytes
from ..result import Result
from .json_text import indented_json
from .provenance import SCORES_HEADER
from .safety import inert_json, safe_cell, safe_text_column

LEAD_COLUMNS = list(SCORES_HEADER)


def flat_table(result: Result) -> pd.DataFrame:
    """One row per valid engagement (best first), in the column order every tabular report
    uses: lead columns, carried columns, then per criterion rating, normalised, contribution;
    then ``flags`` (each engagement's warnings with their cells, "" for none); last, the
    columns of an attached agreement or sensitivity analysis (:func:`analysis_columns`)."""
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
    notes: dict[str, list[str]] = {}  # the warnings on each engagement, with their cells
    for f in result.flags:
        notes.setdefault(f.id, []).append(f"{f.cell}: {f.reason}")
    flags = [" | ".join(notes[eid]) if eid in notes else "" for eid in table["id"].tolist()]
    table = table.assign(flags=flags)
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


def analysis_columns(result: Result) -> pd.DataFrame | None:
    """The columns an attached analysis adds to the CSV report, indexed by engagement id.

    Several raters: per rated criterion each rater's rating, the range and the review flag
    (``agreement.<criterion>.rater:<name>``, ``.range``, ``.flag``).  A sensitivity run: each
    engagement's rank and score intervals and band probabilities (``sensitivity.<key>``, the
    keys of the JSON report).  A recorded period's history: ``previous_score``, ``change`` and
    ``previous_band`` (as in the JSON report).  None when the result carries none of them.
    """
    parts = []
    if result.history is not None:
        parts.append(result.history.previous(result.engagements.index))
    a = result.agreement
    if a is not None and len(a.spread):
        for cid in dict.fromkeys(a.spread.index.get_level_values("criterion")):
            sub = a.spread.xs(cid, level="criterion")
            cols = {f"agreement.{cid}.rater:{r}": sub[f"rater:{r}"] for r in a.raters}
            cols[f"agreement.{cid}.range"] = sub["range"].where(sub["n"] > 1)
            cols[f"agreement.{cid}.flag"] = sub["flag"].map({True: "review", False: ""})
            parts.append(pd.DataFrame(cols))
    s = result.sensitivity
    if s is not None:
        keys = ["rank_median", "rank_p05", "rank_p95", "rank_low", "rank_high"]
        keys += ["score_p05", "score_p95"]
        cols = {f"sensitivity.{k}": s.engagements[k] for k in keys}
        cols.update({f"sensitivity.P({b})": s.band_probability[b] for b in s.band_probability})
        parts.append(pd.DataFrame(cols))
    if not parts:
        return None
    return pd.concat(parts, axis=1)


def to_json(result: Result) -> str:
    return inert_json(indented_json(result.to_dict())) + "\n"


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
