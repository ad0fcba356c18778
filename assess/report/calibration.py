"""What ``assess calibrate`` shows: the terminal tables, and the optional report (.xlsx, .html).

Every view is fed the same :class:`~assess.calibration.core.Calibration`: the weights side by side
with their bootstrap intervals, the out-of-sample comparison of calibrated, expert and equal
weights on the same folds, predicted against observed outcomes (out-of-fold, so the chart
shows what the weights do on cases they were not fitted to), the warnings and the
recommendation.  Text from the input is written as text cells (xlsx) or escaped (HTML).
"""

from __future__ import annotations

import html
import math
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd
from rich import box
from rich.console import Console
from rich.table import Table

from .._version import __version__
from ..calibration.evaluation import METRICS
from ..calibration.result import Calibration
from ..display import fixed, percent
from ..errors import OutputError
from ..files import atomic_path, check_output_path, xlsx_workbook
from .provenance import CALIBRATION, mark
from .safety import clean_text, printable

REPORT_FORMATS = {".xlsx": "xlsx", ".html": "html", ".htm": "html"}
WEIGHT_COLUMNS = ("expert", "equal", "entropy", "critic", "ahp")


# -- shared views ---------------------------------------------------------------------


def weight_rows(cal: Calibration) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the weights table: criterion, expert, the new weights, the 90 %
    interval, then the other weightings."""
    table = cal.weights
    others = [c for c in WEIGHT_COLUMNS if c in table and c not in ("expert", cal.name)]
    header = ["criterion", "expert", cal.name]
    has_interval = "low" in table
    if has_interval:
        header += ["90% low", "90% high"]
    header += others
    rows = []
    for cid, row in table.iterrows():
        line = [cal.rubric.criterion(cid).label, row["expert"], row[cal.name]]
        if has_interval:
            line += [row["low"], row["high"]]
        rows.append(line + [row[c] for c in others])
    return header, rows


def metric_rows(cal: Calibration) -> tuple[list[str], list[list[Any]]]:
    """Header and rows of the comparison: one row per weighting, mean and sd per metric."""
    ev = cal.evaluation
    if ev is None:
        return [], []
    summary = ev.summary()
    metrics = METRICS[ev.kind]
    header = ["weighting"] + [
        f"{label} {'↑' if higher else '↓'}" for label, higher in metrics.values()
    ]
    rows = [
        [w, *[(summary.loc[w, ("mean", m)], summary.loc[w, ("sd", m)]) for m in metrics]]
        for w in summary.index
    ]
    return header, rows


def link_line(cal: Calibration) -> str:
    """The fitted link in words."""
    est = cal.estimator
    if est is None:
        return ""
    if est.kind == "numeric":
        return f"Link: {cal.cases.outcome_column} ≈ {est.intercept_:.3g} + {est.slope_:.3g} × score"
    if est.kind == "binary":
        pos = est.classes_[1]
        return (
            f"Link: P({pos}) = logistic({est.intercept_:.3g} + {est.slope_:.3g} × score); "
            f"even odds at score {fixed(est.thresholds_[0], 1)}"
        )
    cuts = ", ".join(
        f"{level} ≥ {fixed(t, 1)}"
        for level, t in zip(est.classes_[1:], est.thresholds_, strict=True)
    )
    applied = (
        "applied to the rubric's bands" if cal.cutoffs_applied else "reported, bands unchanged"
    )
    return f"Recalibrated cut-offs ({applied}): {cuts}"


def prior_line(cal: Calibration) -> str:
    est = cal.estimator
    if est is None:
        return ""
    how = (
        "given"
        if cal.prior_chosen_by == "given"
        else f"chosen by {est.inner_folds}-fold cross-validation from "
        + ", ".join(f"{g:g}" for g in cal.prior_grid)
    )
    return f"Prior strength {est.prior_strength_:g} toward the expert weights ({how})"


def _fmt(value: Any, digits: int = 3) -> str:
    if isinstance(value, tuple):
        mean, sd = value
        return f"{_fmt(mean, digits)} ± {_fmt(sd, digits)}"
    if value is None or (isinstance(value, float) and not math.isfinite(value)):
        return "–"
    return fixed(value, digits) if isinstance(value, (float, np.floating)) else str(value)


# -- terminal -------------------------------------------------------------------------


def print_calibration(cal: Calibration, console: Console) -> None:
    """The calibration in the terminal: counts, weights, comparison, warnings, advice."""
    c, rub = cal.cases, cal.rubric
    console.print(
        printable(
            f"Calibrating {rub.name} {rub.version} ({rub.short_hash}) on {c.file}, "
            f"sheet {c.sheet!r}"
        ),
        markup=False,
    )
    if c.outcome_column is not None:
        order = " < ".join(c.levels) if c.levels else "numeric"
        console.print(printable(f"Outcome {c.outcome_column!r}: {c.kind} ({order})"), markup=False)
    console.print(cal.summary_line(), markup=False)
    for line in cal.problem_lines():
        console.print(f"  {printable(line)}", markup=False)

    t = cal.weights
    others = [w for w in WEIGHT_COLUMNS if w in t and w not in ("expert", cal.name)]
    title = "Weights" + (
        f" (90% interval from {cal.bootstrap} bootstrap resamples)" if cal.bootstrap else ""
    )
    table = Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )
    table.add_column("criterion", no_wrap=True)
    for h in ["expert", cal.name, *(["90% interval"] if "low" in t else []), *others]:
        table.add_column(h, justify="right", no_wrap=True)
    for cid, row in t.iterrows():
        interval = [f"{fixed(row['low'], 3)}–{fixed(row['high'], 3)}"] if "low" in t else []
        table.add_row(
            cid,
            _fmt(row["expert"]),
            _fmt(row[cal.name]),
            *interval,
            *[_fmt(row[w]) for w in others],
        )
    console.print(table)

    if cal.evaluation is not None:
        ev = cal.evaluation
        header, rows = metric_rows(cal)
        table = Table(
            title=f"Out of sample: {ev.n_folds}-fold cross-validation × {ev.repeats} repeats "
            f"(seed {ev.seed}), mean ± sd over {ev.n_folds * ev.repeats} folds",
            title_justify="left",
            box=box.SIMPLE_HEAD,
            show_edge=False,
            padding=(0, 1),
            collapse_padding=True,
        )
        for i, h in enumerate(header):
            table.add_column(h, justify="left" if i == 0 else "right")
        for row in rows:
            table.add_row(row[0], *[_fmt(v) for v in row[1:]])
        console.print(table)
    for line in (link_line(cal), prior_line(cal)):
        if line:
            console.print(line, markup=False)
    if cal.ahp is not None:
        flag = "consistent" if cal.ahp.consistent else "INCONSISTENT (above 0.10)"
        console.print(f"AHP consistency ratio {cal.ahp.cr:.3f}: {flag}", markup=False)
    notes = [w for w in cal.warnings if w != cal.recommendation_text]
    if notes:
        console.print("Warnings:")
        for w in notes:
            console.print(printable(f"  ! {w}"), markup=False)
    console.print(printable(f"Recommendation: {cal.recommendation_text}"), markup=False)


@contextmanager
def calibration_progress(console: Console) -> Iterator[Any]:
    """A progress bar for cross-validation and resampling on a terminal; nothing otherwise."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update


# -- the report -----------------------------------------------------------------------


def write_calibration_report(cal: Calibration, path: str | Path) -> Path:
    """Write the calibration report; the format follows the extension (.xlsx or .html).

    Refuses to write over the cases file; written atomically.
    """
    target = Path(path)
    kind = check_report_path(target, [cal.cases.path])
    try:
        with atomic_path(target) as tmp:
            if kind == "xlsx":
                _write_xlsx(cal, tmp)
            else:
                tmp.write_text(to_html(cal), encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def check_report_path(target: Path, inputs: list[str]) -> str:
    """The report's format, after checking the path can be written.  Raises OutputError."""
    check_output_path(target, inputs, "--report")
    kind = REPORT_FORMATS.get(target.suffix.lower())
    if kind is None:
        raise OutputError(
            f"{target.name}: a calibration report is .xlsx or .html "
            "(the calibrated rubric itself is written with -o)"
        )
    return kind


def _provenance(cal: Calibration) -> list[tuple[str, Any]]:
    c, rub = cal.cases, cal.rubric
    rows: list[tuple[str, Any]] = [
        ("Rubric", f"{rub.name} {rub.version}"),
        ("Rubric hash", rub.content_hash),
        ("Calibrated rubric", f"{cal.calibrated.name} {cal.calibrated.version}"),
        ("Calibrated rubric hash", cal.calibrated.content_hash),
        ("Written to", cal.output or "(not written)"),
        ("Cases file", c.file),
        ("Cases SHA-256", c.sha256),
        ("Sheet", c.sheet),
        ("Outcome column", c.outcome_column or "(none)"),
        ("Outcome kind", c.kind or ""),
        ("Levels (worst first)", ", ".join(c.levels) if c.levels else ""),
        ("Method", cal.method),
    ]
    if cal.estimator is not None:
        rows += [("Prior", prior_line(cal)), ("Link", link_line(cal))]
    if cal.evaluation is not None:
        ev = cal.evaluation
        rows.append(
            ("Cross-validation", f"{ev.n_folds} folds × {ev.repeats} repeats, seed {ev.seed}")
        )
    rows += [
        ("Bootstrap resamples", cal.bootstrap),
        ("Date", cal.date),
        ("assess version", __version__),
    ]
    names = {"rows": "Data rows", "used": "Cases used", "insufficient": "Insufficient evidence"}
    for key, value in c.counts.items():
        rows.append((names.get(key, key.title()), value))
    return rows


def _observed(cal: Calibration) -> pd.Series | None:
    """Observed outcomes on the plotting scale: the value, 0/1, or the level index."""
    c = cal.cases
    return None if c.outcome is None else c.outcome.astype(float)


def predicted_vs_observed(cal: Calibration) -> tuple[pd.DataFrame, str, str]:
    """Points of the predicted-against-observed chart, out of fold (first repeat), for the new
    and the expert weights: every case for numeric and ordinal outcomes (ordinal: expected
    level against observed level), and for binary outcomes the observed share of the
    positive outcome in tenths of the cases ordered by predicted probability (a calibration
    plot).  Returns the points (weighting, x, y, n) and the axis titles."""
    ev, observed = cal.evaluation, _observed(cal)
    if ev is None or observed is None:
        return pd.DataFrame(columns=["weighting", "x", "y", "n"]), "", ""
    names = list(dict.fromkeys(ev.folds["weighting"]))[:2]
    y = observed.reindex(ev.oof.index).to_numpy(dtype=float)
    frames = []
    for name in names:
        x = ev.oof[name].to_numpy(dtype=float)
        if cal.cases.kind == "binary":
            order = np.argsort(x, kind="stable")
            bins = np.array_split(order, min(10, len(order)))
            part = pd.DataFrame(
                {
                    "x": [x[b].mean() for b in bins],
                    "y": [y[b].mean() for b in bins],
                    "n": [len(b) for b in bins],
                }
            )
        else:
            part = pd.DataFrame({"x": x, "y": y, "n": 1})
        frames.append(part.assign(weighting=name))
    points = pd.concat(frames, ignore_index=True)[["weighting", "x", "y", "n"]]
    titles = {
        "numeric": ("predicted outcome", "observed outcome"),
        "binary": ("predicted probability (mean of each tenth)", "observed share"),
        "ordinal": ("expected level (0 = worst)", "observed level"),
    }[cal.cases.kind]
    return points, *titles


# -- xlsx -----------------------------------------------------------------------------


def _write_xlsx(cal: Calibration, path: Path) -> None:
    wb = xlsx_workbook(
        path,
        {
            "strings_to_formulas": False,
            "strings_to_urls": False,
            "strings_to_numbers": False,
            "nan_inf_to_errors": True,
        },
    )
    wb.set_properties(
        {"title": "assess calibration", "author": "assess", "comments": f"assess {__version__}"}
    )
    mark(wb, CALIBRATION)
    bold = wb.add_format({"bold": True})
    title = wb.add_format({"bold": True, "font_size": 14})
    num = wb.add_format({"num_format": "0.000"})
    wrap = wb.add_format({"text_wrap": True, "valign": "top"})

    def text(ws, r, col, value, fmt=None):
        if isinstance(value, str):
            ws.write_string(r, col, clean_text(value), fmt)
        elif value is None or (isinstance(value, float) and not math.isfinite(value)):
            ws.write_blank(r, col, None, fmt)
        else:
            ws.write_number(r, col, float(value), fmt or num)

    ws = wb.add_worksheet("Summary")
    ws.set_column(0, 0, 26)
    ws.set_column(1, 1, 110)
    ws.write_string(0, 0, "Calibration of rubric weights against past cases", title)
    r = 2
    ws.write_string(r, 0, "Recommendation", bold)
    text(ws, r, 1, cal.recommendation_text, wrap)
    r += 2
    for key, value in _provenance(cal):
        ws.write_string(r, 0, key, bold)
        text(
            ws,
            r,
            1,
            value if isinstance(value, str) else value,
            None if isinstance(value, str) else wb.add_format({}),
        )
        r += 1
    r += 1
    ws.write_string(r, 0, "Warnings", bold)
    for w in cal.warnings or ["none"]:
        text(ws, r, 1, w, wrap)
        r += 1

    header, rows = weight_rows(cal)
    ws = wb.add_worksheet("Weights")
    ws.set_column(0, 0, 34)
    ws.set_column(1, len(header), 12)
    for j, h in enumerate(header):
        ws.write_string(0, j, h, bold)
    for i, row in enumerate(rows, start=1):
        for j, v in enumerate(row):
            text(ws, i, j, v)
    chart = wb.add_chart({"type": "column"})
    for j, h in enumerate(header[1:3], start=1):
        series = {
            "name": h,
            "categories": ["Weights", 1, 0, len(rows), 0],
            "values": ["Weights", 1, j, len(rows), j],
        }
        if h == cal.name and "90% low" in header:
            lo, hi = header.index("90% low"), header.index("90% high")
            series["y_error_bars"] = {
                "type": "custom",
                "plus_values": [float(row[hi] - row[2]) for row in rows],
                "minus_values": [float(row[2] - row[lo]) for row in rows],
            }
        chart.add_series(series)
    chart.set_title({"name": "Expert and new weights (90% interval)"})
    chart.set_y_axis({"min": 0, "num_format": "0.00"})
    chart.set_size({"width": 760, "height": 360})
    ws.insert_chart(len(rows) + 3, 0, chart)

    if cal.evaluation is not None:
        ev = cal.evaluation
        ws = wb.add_worksheet("Comparison")
        metrics = list(METRICS[ev.kind])
        ws.set_column(0, 0, 14)
        ws.set_column(1, 2 * len(metrics), 13)
        ws.write_string(
            0,
            0,
            f"Held-out metrics: {ev.n_folds}-fold CV × {ev.repeats} repeats, seed {ev.seed}",
            bold,
        )
        ws.write_string(2, 0, "weighting", bold)
        for j, m in enumerate(metrics):
            label, higher = METRICS[ev.kind][m]
            ws.write_string(
                2, 1 + 2 * j, f"{label} mean ({'higher' if higher else 'lower'} is better)", bold
            )
            ws.write_string(2, 2 + 2 * j, f"{label} sd", bold)
        summary = ev.summary()
        for i, w in enumerate(summary.index, start=3):
            ws.write_string(i, 0, w)
            for j, m in enumerate(metrics):
                text(ws, i, 1 + 2 * j, summary.loc[w, ("mean", m)])
                text(ws, i, 2 + 2 * j, summary.loc[w, ("sd", m)])
        r = 4 + len(summary)
        ws.write_string(r, 0, "Paired comparisons (primary metric)", bold)
        r += 1
        keys = [
            "a",
            "b",
            "metric",
            "mean_a",
            "mean_b",
            "improvement",
            "wins",
            "splits",
            "t",
            "p_value",
            "better",
        ]
        for j, k in enumerate(keys):
            ws.write_string(r, j, k, bold)
        for cmp in cal.comparisons.values():
            r += 1
            for j, k in enumerate(keys):
                v = cmp[k]
                text(ws, r, j, str(v) if isinstance(v, bool) else v)
        r += 2
        ws.write_string(r, 0, "Every fold", bold)
        folds = ev.folds
        for j, col in enumerate(folds.columns):
            ws.write_string(r + 1, j, str(col), bold)
        for i, row in enumerate(folds.itertuples(index=False), start=r + 2):
            for j, v in enumerate(row):
                text(ws, i, j, v)
        _predictions_sheet(wb, cal, bold, text)

    ws = wb.add_worksheet("Rejected")
    ws.set_column(0, 0, 22)
    ws.set_column(1, 1, 24)
    ws.set_column(2, 2, 90)
    for j, h in enumerate(("cell", "value", "reason")):
        ws.write_string(0, j, h, bold)
    r = 1
    for item in cal.cases.insufficient:
        ws.write_string(r, 0, f"{cal.cases.sheet} row {item['row']}")
        ws.write_string(r, 1, clean_text(str(item["id"])))
        ws.write_string(
            r, 2, f"insufficient evidence: {percent(item['completeness'])} of the weight rated"
        )
        r += 1
    for rej in cal.cases.rejected:
        for p in rej.problems:
            ws.write_string(r, 0, f"{rej.sheet}!{p.column}{rej.row}")
            ws.write_string(r, 1, clean_text("" if p.value is None else str(p.value)))
            ws.write_string(r, 2, clean_text(p.reason))
            r += 1
    wb.close()


def _predictions_sheet(wb, cal: Calibration, bold, text) -> None:
    ev = cal.evaluation
    oof = ev.oof
    observed = _observed(cal)
    names = list(dict.fromkeys(ev.folds["weighting"]))
    ws = wb.add_worksheet("Predictions")
    header = [
        "id",
        "row",
        "observed",
        *[f"{n} (out of fold)" for n in names],
        *[f"{n} score" for n in names],
    ]
    ws.set_column(0, 0, 16)
    ws.set_column(1, len(header), 14)
    for j, h in enumerate(header):
        ws.write_string(0, j, h, bold)
    rows = cal.cases.rows
    for i, eid in enumerate(oof.index, start=1):
        ws.write_string(i, 0, clean_text(str(eid)))
        text(ws, i, 1, int(rows[eid]))
        text(ws, i, 2, observed[eid])
        for j, n in enumerate(names):
            text(ws, i, 3 + j, oof.at[eid, n])
            text(ws, i, 3 + len(names) + j, oof.at[eid, f"{n}.score"])
    points, x_title, y_title = predicted_vs_observed(cal)
    left = len(header) + 1  # the chart's points, beside the table
    for j, h in enumerate(("chart: weighting", "x", "y", "cases")):
        ws.write_string(0, left + j, h, bold)
    chart = wb.add_chart({"type": "scatter"})
    first = 1
    for name, part in points.groupby("weighting", sort=False):
        for i, row in enumerate(part.itertuples(index=False), start=first):
            ws.write_string(i, left, str(name))
            for j, v in enumerate((row.x, row.y, row.n), start=1):
                text(ws, i, left + j, v)
        last = first + len(part) - 1
        chart.add_series(
            {
                "name": str(name),
                "categories": ["Predictions", first, left + 1, last, left + 1],
                "values": ["Predictions", first, left + 2, last, left + 2],
                "marker": {"type": "circle", "size": 5},
            }
        )
        first = last + 1
    chart.set_title({"name": "Predicted against observed (out of fold, first repeat)"})
    chart.set_x_axis({"name": x_title})
    chart.set_y_axis({"name": y_title})
    chart.set_size({"width": 760, "height": 440})
    ws.insert_chart(1, left + 5, chart)


# -- html -----------------------------------------------------------------------------

_CSS = """
body{font:14px/1.45 system-ui,sans-serif;margin:2rem auto;max-width:1100px;color:#1f2328;
padding:0 1rem}
h1{font-size:1.5rem}h2{font-size:1.15rem;margin-top:2rem;border-bottom:1px solid #d0d7de}
table{border-collapse:collapse;margin:.5rem 0}
td,th{padding:.25rem .6rem;border-bottom:1px solid #eaeef2}
th{text-align:left;background:#f6f8fa}td.n{text-align:right;font-variant-numeric:tabular-nums}
.advice{padding:.75rem 1rem;border-left:4px solid #0969da;background:#ddf4ff}
.keep{border-color:#9a6700;background:#fff8c5}.warn li{margin:.25rem 0}.muted{color:#656d76}
svg text{font:11px system-ui,sans-serif;fill:#1f2328}
@media print{body{margin:0}}
"""


def _e(value: Any) -> str:
    return html.escape(clean_text(str(value)), quote=True)


def _table(header: list[str], rows: list[list[Any]]) -> str:
    head = "".join(f"<th>{_e(h)}</th>" for h in header)
    body = "".join(
        "<tr>"
        + "".join(
            f"<td>{_e(v)}</td>" if j == 0 else f'<td class="n">{_e(_fmt(v))}</td>'
            for j, v in enumerate(row)
        )
        + "</tr>"
        for row in rows
    )
    return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _weights_svg(cal: Calibration) -> str:
    """Horizontal bars: expert (grey) and new weights (blue) with their 90 % interval."""
    t = cal.weights
    top = max(
        float(t[["expert", cal.name]].to_numpy().max()), float(t.get("high", t["expert"]).max())
    )
    scale, left, width = 380 / max(top, 1e-9), 260, 720
    parts = []
    for i, (cid, row) in enumerate(t.iterrows()):
        y = 10 + i * 46
        label = _e(cal.rubric.criterion(cid).label)
        parts.append(f'<text x="{left - 8}" y="{y + 18}" text-anchor="end">{label}</text>')
        ends = {}
        for k, (col, colour) in enumerate((("expert", "#8c959f"), (cal.name, "#0969da"))):
            ends[col] = float(row[col]) * scale
            parts.append(
                f'<rect x="{left}" y="{y + 16 * k}" width="{ends[col]:.1f}" height="13" '
                f'fill="{colour}"><title>{_e(col)}: {fixed(row[col], 3)}</title></rect>'
            )
        if "low" in t:  # the interval over the new weight's bar, its value beyond it
            lo, hi = float(row["low"]) * scale, float(row["high"]) * scale
            ends[cal.name] = max(ends[cal.name], hi)
            parts.append(
                f'<line x1="{left + lo:.1f}" x2="{left + hi:.1f}" y1="{y + 22.5}" '
                f'y2="{y + 22.5}" stroke="#1f2328" stroke-width="1.5"/>'
            )
        for k, col in enumerate(("expert", cal.name)):
            x = left + ends[col] + 5
            parts.append(f'<text x="{x:.1f}" y="{y + 16 * k + 11}">{fixed(row[col], 3)}</text>')
    height = 20 + len(t) * 46
    legend = (
        f'<text x="{left}" y="{height + 4}" class="muted">grey: expert · blue: {_e(cal.name)}'
        + (" · line: 90% bootstrap interval" if "low" in t else "")
        + "</text>"
    )
    return (
        f'<svg viewBox="0 0 {width} {height + 12}" width="{width}" role="img" '
        f'aria-label="Expert and {_e(cal.name)} weights">{"".join(parts)}{legend}</svg>'
    )


def _scatter_svg(cal: Calibration) -> str:
    """The predicted-against-observed chart (see :func:`predicted_vs_observed`)."""
    points, x_title, y_title = predicted_vs_observed(cal)
    points = points[np.isfinite(points["x"]) & np.isfinite(points["y"])]
    if points.empty:
        return ""
    y = points["y"].to_numpy(dtype=float)
    if cal.cases.kind == "ordinal":  # spread the cases at each level so that they show
        y = y + np.random.default_rng(0).uniform(-0.2, 0.2, len(y))
    lo = float(min(points["x"].min(), y.min()))
    hi = float(max(points["x"].max(), y.max()))
    hi = hi if hi > lo else lo + 1
    size, pad = 420, 48

    def px(v: float) -> float:
        return pad + (v - lo) / (hi - lo) * size

    def py(v: float) -> float:
        return pad + size - (v - lo) / (hi - lo) * size

    parts = [
        f'<rect x="{pad}" y="{pad}" width="{size}" height="{size}" fill="none" stroke="#d0d7de"/>',
        f'<line x1="{px(lo):.1f}" y1="{py(lo):.1f}" x2="{px(hi):.1f}" y2="{py(hi):.1f}" '
        'stroke="#d0d7de" stroke-dasharray="4 3"/>',
    ]
    colours = dict(zip(dict.fromkeys(points["weighting"]), ("#0969da", "#8c959f"), strict=False))
    radius = 4.0 if cal.cases.kind == "binary" else 2.4
    for k, (name, colour) in enumerate(colours.items()):
        mask = (points["weighting"] == name).to_numpy()
        for x, yy in zip(points["x"].to_numpy()[mask], y[mask], strict=True):
            parts.append(
                f'<circle cx="{px(x):.1f}" cy="{py(yy):.1f}" r="{radius}" fill="{colour}" '
                'fill-opacity="0.6"/>'
            )
        parts.append(
            f'<text x="{pad + size + 10}" y="{pad + 14 + 16 * k}" style="fill:{colour}">'
            f"● {_e(name)}</text>"
        )
    levels = cal.cases.levels if cal.cases.kind == "ordinal" else None
    for v in np.arange(len(levels)) if levels else np.linspace(lo, hi, 5):
        parts.append(
            f'<text x="{px(v):.1f}" y="{pad + size + 16}" text-anchor="middle">{v:.3g}</text>'
            f'<text x="{pad - 6}" y="{py(v) + 4:.1f}" text-anchor="end">{v:.3g}</text>'
        )
    mid = pad + size / 2
    parts.append(
        f'<text x="{mid}" y="{pad + size + 36}" text-anchor="middle">{_e(x_title)}</text>'
        f'<text x="12" y="{mid}" transform="rotate(-90 12 {mid})" text-anchor="middle">'
        f"{_e(y_title)}</text>"
    )
    width = size + 2 * pad + 120
    return (
        f'<svg viewBox="0 0 {width} {size + 2 * pad}" width="{width}" '
        f'role="img" aria-label="Predicted against observed outcomes">{"".join(parts)}</svg>'
    )


def to_html(cal: Calibration) -> str:
    """The calibration report as one self-contained HTML page (no scripts, no fetches)."""
    c = cal.cases
    keep = cal.recommendation == "keep-expert"
    sections = [
        f"<h1>Calibration of {_e(cal.rubric.name)} {_e(cal.rubric.version)}</h1>",
        f'<p class="advice{" keep" if keep else ""}"><strong>Recommendation.</strong> '
        f"{_e(cal.recommendation_text)}</p>",
        f"<p>{_e(cal.summary_line())}.</p>",
        "<h2>Weights</h2>",
        _table(*weight_rows(cal)),
        _weights_svg(cal),
    ]
    if cal.evaluation is not None:
        ev = cal.evaluation
        sections += [
            "<h2>Out of sample</h2>",
            f"<p>{ev.n_folds}-fold cross-validation × {ev.repeats} repeats (seed {ev.seed}): "
            "every weighting fitted on the same training folds and scored on the same held-out "
            "ones; mean ± sd over the folds.</p>",
            _table(*metric_rows(cal)),
            "<h2>Predicted against observed</h2>",
            '<p class="muted">Out-of-fold predictions from the first repeat.</p>',
            _scatter_svg(cal),
        ]
    extra = [line for line in (link_line(cal), prior_line(cal)) if line]
    if extra:
        sections.append("<p>" + "<br>".join(_e(x) for x in extra) + "</p>")
    if cal.warnings:
        sections.append(
            '<h2>Warnings</h2><ul class="warn">'
            + "".join(f"<li>{_e(w)}</li>" for w in cal.warnings)
            + "</ul>"
        )
    problems = cal.problem_lines()
    if problems:
        sections.append(
            "<h2>Cases left out</h2><ul>" + "".join(f"<li>{_e(p)}</li>" for p in problems) + "</ul>"
        )
    sections.append("<h2>Provenance</h2>")
    sections.append(
        "<table><tbody>"
        + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in _provenance(cal))
        + "</tbody></table>"
    )
    csp = "default-src 'none'; style-src 'unsafe-inline'; img-src data:"
    return (
        '<!DOCTYPE html>\n<html lang="en"><head><meta charset="utf-8">'
        f'<meta http-equiv="Content-Security-Policy" content="{csp}">'
        '<meta name="viewport" content="width=device-width, initial-scale=1">'
        f"<title>Calibration — {_e(c.file)}</title><style>{_CSS}</style></head><body>"
        + "\n".join(sections)
        + "</body></html>\n"
    )
