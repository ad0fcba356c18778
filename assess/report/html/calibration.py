"""The calibration report as an HTML page: one self-contained document (inline CSS and SVG
charts, no scripts, no fetches) showing the recommendation, the weights with their bootstrap
intervals, the out-of-sample comparison, predicted against observed outcomes, the warnings
and the provenance (from :mod:`assess.report.calibration_content`).  Text from the input is
escaped.
"""

from __future__ import annotations

import html
from pathlib import Path
from typing import Any

import numpy as np

from ...calibration.result import Calibration
from ...display import fixed
from ...files import atomic_path
from ..calibration_content import (
    cell_text,
    link_line,
    metric_rows,
    predicted_vs_observed,
    prior_line,
    provenance_rows,
    weight_rows,
)
from ..safety import clean_text


def write_calibration_html(cal: Calibration, path: Path) -> None:
    """Write :func:`calibration_html` to ``path`` atomically.

    Parameters
    ----------
    cal : Calibration
        What :func:`assess.calibrate` returned.
    path : Path
        The page to write.
    """
    with atomic_path(path) as tmp:
        tmp.write_text(calibration_html(cal), encoding="utf-8")


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
            f"<td>{_e(v)}</td>" if j == 0 else f'<td class="n">{_e(cell_text(v))}</td>'
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


def calibration_html(cal: Calibration) -> str:
    """The calibration report as one self-contained HTML page (no scripts, no fetches).

    Parameters
    ----------
    cal : Calibration
        What :func:`assess.calibrate` returned.

    Returns
    -------
    str
        The HTML document.
    """
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
        + "".join(f"<tr><th>{_e(k)}</th><td>{_e(v)}</td></tr>" for k, v in provenance_rows(cal))
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
