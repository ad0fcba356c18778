"""The timed work, each task run in a fresh interpreter by the harness.

``python -m benchmarks.worker TASK '{"json": "arguments"}'`` prints one JSON line of timings.
A fresh process per task keeps one task's memory and caches out of the next one's figures.
Only the work named in a figure is inside its timer; preparing inputs is not.
"""

from __future__ import annotations

import json
import math
import sys
from typing import Any

import numpy as np
import pandas as pd

from .data import ratings_matrix
from .measure import best_of


def _rubric():
    from assess import load_rubric

    return load_rubric("military-diplomacy")


def _kernel_inputs(rubric) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Weights, scale minima and maxima, and the cost mask, straight from the rubric."""
    crits = rubric.criteria
    w = np.array([c.weight for c in crits], dtype=float)
    lo = np.array([c.scale.min for c in crits], dtype=float)
    hi = np.array([c.scale.max for c in crits], dtype=float)
    cost = np.array([c.direction == "cost" for c in crits])
    return w, lo, hi, cost


def kernel(n: int, budget: float) -> dict[str, Any]:
    """The scoring kernel on an ``(n, 5)`` matrix: assess, a bare numpy floor, pymcdm's WSM.

    ``assess`` is :func:`assess.scoring.score_arrays` (normalise, weight, aggregate, band and
    gate, as numpy arrays); ``frame`` is :func:`assess.score_frame`, which adds ranks and
    builds the labelled DataFrame the pipeline uses.
    """
    from assess.scoring import score_arrays, score_frame

    rubric = _rubric()
    m = ratings_matrix(n)
    ids = pd.Index([f"E{i:07d}" for i in range(n)], name="id")
    frame = pd.DataFrame(m, columns=[c.id for c in rubric.criteria], index=ids)
    w, lo, hi, cost = _kernel_inputs(rubric)

    def floor() -> np.ndarray:
        x = (m - lo) / (hi - lo)
        x[:, cost] = 1.0 - x[:, cost]
        return 100.0 * (x @ w)

    # short and central to two targets: always the best of at least three (first calls pay
    # for page faults and lazy imports)
    t_assess, kernel_out = best_of(lambda: score_arrays(m, rubric), budget, min_repeats=3)
    t_frame, scored = best_of(lambda: score_frame(frame, rubric), budget, min_repeats=3)
    t_floor, expected = best_of(floor, budget, min_repeats=3)
    out: dict[str, Any] = {
        "n": n,
        "assess": t_assess,
        "frame": t_frame,
        "floor": t_floor,
        "max_abs_diff_assess": float(np.max(np.abs(kernel_out.score - expected))),
        "max_abs_diff_frame": float(np.max(np.abs(scored["score"].to_numpy() - expected))),
    }
    try:
        from pymcdm.methods import WSM
        from pymcdm.normalizations import minmax_normalization
    except ImportError:
        out["peer"] = None
        out["peer_name"] = "pymcdm (not installed: pip install '.[bench]')"
        return out
    types = np.where(cost, -1, 1)
    wsm = WSM(minmax_normalization)
    t_peer, peer = best_of(lambda: wsm(m, w, types), budget, min_repeats=2)
    # pymcdm's min-max uses the data's range; every level occurs at these sizes, so the
    # two normalisations agree and so must the scores
    out.update(
        peer=t_peer,
        peer_name="pymcdm WSM",
        max_abs_diff_peer=float(np.max(np.abs(100.0 * peer - expected))),
    )
    return out


def stages(path: str, report: str, budget: float) -> dict[str, Any]:
    """assess's stages on one workbook, each timed on its own (best of N)."""
    from assess.pipeline import combine
    from assess.read import read_table
    from assess.report import write_report
    from assess.scoring import score_frame
    from assess.validation import validate

    rubric = _rubric()
    t_read, table = best_of(lambda: read_table(path, rubric), budget)
    t_validate, validated = best_of(lambda: validate(table, rubric), budget)
    t_score, _ = best_of(lambda: score_frame(validated.ratings, rubric), budget)
    t_assemble, result = best_of(lambda: combine([validated], rubric), budget)
    t_write, _ = best_of(lambda: write_report(result, report), budget)
    counts = result.counts
    return {
        "read": t_read,
        "validate": t_validate,
        "score": t_score,
        "assemble": t_assemble,
        "write": t_write,
        "total": t_read + t_validate + t_assemble + t_write,
        "counts": counts,
    }


def _sheet_rows(path: str, sheet: str) -> list[list[Any]]:
    from python_calamine import CalamineWorkbook

    wb = CalamineWorkbook.from_path(path)
    try:
        return wb.get_sheet_by_name(sheet).to_python(skip_empty_area=False)
    finally:
        wb.close()


def io_floor(path: str, report: str, out: str, budget: float) -> dict[str, Any]:
    """The fastest read of the workbook and the fastest plain write of the report's cells.

    The cells are the values on assess's Scores sheet (read back from its report beforehand,
    untimed): the same rows and columns, written with XlsxWriter in constant-memory mode, with
    no formulas, formats, other sheets or validation.
    """
    import xlsxwriter
    from python_calamine import CalamineWorkbook

    cells = [[None if v == "" else v for v in row] for row in _sheet_rows(report, "Scores")]

    def read() -> int:
        wb = CalamineWorkbook.from_path(path)
        try:
            return sum(len(wb.get_sheet_by_name(n).to_python()) for n in wb.sheet_names)
        finally:
            wb.close()

    def write() -> None:
        wb = xlsxwriter.Workbook(out, {"constant_memory": True})
        ws = wb.add_worksheet("Scores")
        for r, row in enumerate(cells):
            ws.write_row(r, 0, row)
        wb.close()

    t_read, _ = best_of(read, budget)
    t_write, _ = best_of(write, budget)
    return {
        "read": t_read,
        "write": t_write,
        "total": t_read + t_write,
        "cells": [len(cells), max((len(r) for r in cells), default=0)],
    }


def naive(path: str, out: str, header_row: int) -> dict[str, Any]:
    """What an analyst writes by hand: pandas with openpyxl, a row-wise weighted score."""
    import time

    rubric = _rubric()
    spec = [(c.column, c.weight, c.scale.min, c.scale.max, c.direction) for c in rubric.criteria]

    def weighted(row: pd.Series) -> float:
        total = weight = 0.0
        for column, w, lo, hi, direction in spec:
            try:
                x = float(row[column])
            except (TypeError, ValueError):
                continue
            if math.isnan(x):
                continue
            x = (x - lo) / (hi - lo)
            total += w * (1.0 - x if direction == "cost" else x)
            weight += w
        return 100.0 * total / weight if weight else math.nan

    t0 = time.perf_counter()
    df = pd.read_excel(path, engine="openpyxl", header=header_row)
    t1 = time.perf_counter()
    df["Score"] = df.apply(weighted, axis=1)
    t2 = time.perf_counter()
    df.to_excel(out, engine="openpyxl", index=False)
    t3 = time.perf_counter()
    return {"read": t1 - t0, "score": t2 - t1, "write": t3 - t2, "total": t3 - t0}


def csv_baseline(path: str, out: str, budget: float) -> dict[str, Any]:
    """pandas reading the CSV and writing it straight back: the CSV path's yardstick."""
    t, _ = best_of(lambda: pd.read_csv(path).to_csv(out, index=False), budget, max_repeats=3)
    return {"total": t}


def score_alone(path: str) -> dict[str, Any]:
    """``assess.score`` of a file, once, in a fresh process: what ``assess score`` does before
    it writes anything (the harness times the whole process)."""
    import time

    import assess

    started = time.perf_counter()
    result = assess.score(path)
    return {"score": time.perf_counter() - started, "rows": result.counts["rows"]}


def score_and_record(path: str, store: str, period: str = "P1") -> dict[str, Any]:
    """:func:`score_alone`, then the result recorded as ``period`` in the history store at
    ``store`` (an SQLite file): opening the store (its database library loaded on first
    use) and recording, timed together."""
    import time

    import assess

    started = time.perf_counter()
    result = assess.score(path)
    scored = time.perf_counter()
    from assess.history import open_store

    with open_store(store) as history:
        recorded = history.record(result, period)
    return {
        "score": scored - started,
        "record": time.perf_counter() - scored,
        "status": recorded.status,
        "rows": result.counts["rows"],
    }


def new_store(store: str, path: str) -> dict[str, Any]:
    """Create a history store holding one earlier period (``P0``: the file at ``path``
    scored with the same rubric), as a store is when a quarter is recorded (untimed)."""
    import assess
    from assess.history import open_store

    with open_store(store) as history:
        recorded = history.record(assess.score(path), "P0")
    return {"store": store, "status": recorded.status}


def build_store(
    store: str,
    files: list[str],
    periods: list[str],
    ids: list[str] | None = None,
    changes: bool = False,
) -> dict[str, Any]:
    """A history store holding each of ``files`` scored and recorded as the period of the
    same position (the harness's preparation: timed only for its log); then, the store open,
    following ``ids`` (:meth:`Store.trend_rows`, best of three) or what changed between the
    last two periods (:meth:`Store.changes`, once), timed."""
    import time

    import assess
    from assess.history import open_store

    started = time.perf_counter()
    with open_store(store) as history:
        for path, period in zip(files, periods, strict=True):
            history.record(assess.score(path), period)
        out: dict[str, Any] = {"periods": len(periods), "seconds": time.perf_counter() - started}
        if ids:
            seconds, rows = best_of(lambda: history.trend_rows(ids), 1.0, min_repeats=3)
            out["inside"] = {"trend_rows": seconds, "rows": len(rows)}
        if changes:
            started = time.perf_counter()
            found = history.changes()
            out["inside"] = {"changes": time.perf_counter() - started, "counts": found.counts}
    return out


def _spin(loops: int) -> int:
    total = 0
    for i in range(loops):
        total += i
    return total


def parallel_ceiling(loops: int = 20_000_000) -> dict[str, Any]:
    """How much faster two processes finish two pieces of CPU-bound Python than one process
    does, one after the other: what two processes gain on this machine at the time (a virtual
    machine's two cores may share a physical one, or its host).  Best of three of each."""
    import multiprocessing
    import time

    ctx = multiprocessing.get_context("fork" if sys.platform != "win32" else "spawn")
    with ctx.Pool(2) as pool:
        pool.map(_spin, [1000, 1000])  # both workers started before anything is timed
        alone, together = [], []
        for _ in range(3):
            t = time.perf_counter()
            pool.apply(_spin, (loops,))
            pool.apply(_spin, (loops,))
            alone.append(time.perf_counter() - t)
            t = time.perf_counter()
            pool.map(_spin, [loops, loops], chunksize=1)
            together.append(time.perf_counter() - t)
    return {"one_process": min(alone), "two_processes": min(together)}


TASKS = {
    "kernel": kernel,
    "stages": stages,
    "io_floor": io_floor,
    "naive": naive,
    "csv_baseline": csv_baseline,
    "score_alone": score_alone,
    "score_and_record": score_and_record,
    "new_store": new_store,
    "build_store": build_store,
    "parallel_ceiling": parallel_ceiling,
}


def main(argv: list[str]) -> int:
    task, args = argv[0], json.loads(argv[1]) if len(argv) > 1 else {}
    result = TASKS[task](**args)
    print(json.dumps(result))
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
