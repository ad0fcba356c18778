"""The HTML report: one self-contained page (inline CSS, JS and SVG charts; no network requests),
rendered from the Jinja2 templates in ``templates/``, with the sections of an attached
agreement or sensitivity analysis (:mod:`assess.report.html.analyses`) and of a recorded
period's history (:mod:`assess.report.html.history`).

Everything from the input reaches the page through Jinja2 with autoescaping on, and carried
text is defused as in the CSV and Markdown reports, so a cell such as ``<script>...`` or
``=HYPERLINK(...)`` stays inert text.  A Content-Security-Policy allows no fetches at all and
only the page's own script (by hash), so nothing injected could run or call out either.
"""

from __future__ import annotations

import base64
import datetime as dt
import hashlib
import math
import os
import re
from functools import cache
from importlib import resources
from pathlib import Path
from typing import Any

import pandas as pd
from jinja2 import Environment, PackageLoader, StrictUndefined, Template
from markupsafe import Markup

from ..._version import __version__
from ...display import fixed, percent, trimmed
from ...files import atomic_path
from ...result import Result
from ...rubric import Criterion, Gate, Level, normalise_header
from ...validation import show
from ..figures import CRITERION_PALETTE, criterion_colours, nice_ticks
from ..safety import clean_text, report_notes, safe_cell
from .analyses import agreement_context, sensitivity_context
from .comparison import comparison_context
from .history import history_context, since_rows
from .review import criterion_evidence, flag_index, review_context, shared_evidence

#: Per-engagement breakdowns are rendered for this many engagements (best first) at most.
BREAKDOWN_LIMIT = 500
TYPE_HEADERS = ("type", "engagement type")
ORGANISATION_HEADERS = ("organisation", "organization")
#: One colour per criterion, in rubric order (the palette of every chart)
PALETTE = CRITERION_PALETTE
#: The ticks of every 0-100 score axis
SCORE_TICKS = [int(t) for t in nice_ticks(0, 100, 4)]
BAR_WIDTH = 400  # SVG units of the 0-100 axis in the contribution bars


def to_html(result: Result, generated_at: str | None = None, *, link_evidence: bool = False) -> str:
    """The report as one HTML5 document.

    ``generated_at`` is printed as the generation time; by default the current UTC time, or
    ``SOURCE_DATE_EPOCH`` when that is set (for reproducible output).  With ``link_evidence``
    the ``http(s)`` addresses in evidence are live links (opened in a new tab, no referrer);
    by default every piece of evidence is plain text.
    """
    script = _static("report.js")
    context = _context(result, link_evidence)
    context.update(
        generated_at=generated_at or generated_timestamp(),
        version=__version__,
        css=stylesheet(),
        script=Markup(script),
        script_hash=base64.b64encode(hashlib.sha256(script.encode("utf-8")).digest()).decode(),
    )
    return _environment().get_template("report.html.j2").render(context)


def write_html(result: Result, path: Path, link_evidence: bool = False) -> None:
    """Write :func:`to_html` to ``path`` atomically."""
    with atomic_path(path) as tmp:
        tmp.write_text(to_html(result, link_evidence=link_evidence), encoding="utf-8")


def template(name: str) -> Template:
    """A page template of ``templates/`` with the report's filters (``num``, ``pct``, ``text``)
    and autoescaping on.

    Parameters
    ----------
    name : str
        The template's file name (``calibration.html.j2``).

    Returns
    -------
    jinja2.Template
        The template.
    """
    return _environment().get_template(name)


def stylesheet() -> Markup:
    """The report's stylesheet (``templates/report.css``), which every HTML page shares."""
    return Markup(_static("report.css"))


def generated_timestamp() -> str:
    """Now in UTC, or ``SOURCE_DATE_EPOCH`` when set, as ``YYYY-MM-DD HH:MM:SS UTC``."""
    epoch = os.environ.get("SOURCE_DATE_EPOCH", "").strip()
    moment = (
        dt.datetime.fromtimestamp(int(epoch), dt.timezone.utc)
        if epoch.isdigit()
        else dt.datetime.now(dt.timezone.utc)
    )
    return moment.strftime("%Y-%m-%d %H:%M:%S UTC")


# -- template machinery ------------------------------------------------------------------


@cache
def _environment() -> Environment:
    env = Environment(
        loader=PackageLoader("assess.report.html", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
    )
    env.filters.update(num=_num, pct=_pct, text=_text)
    return env


@cache
def _static(name: str) -> str:
    return (
        resources.files("assess.report.html")
        .joinpath("templates", name)
        .read_text(encoding="utf-8")
    )


def _missing(value: Any) -> bool:
    return value is None or value is pd.NA or (isinstance(value, float) and math.isnan(value))


def _num(value: Any, spec: str = ".1f", blank: str = "–") -> str:
    """A figure with ``.Nf`` decimals, rounded as the Excel report shows it
    (:mod:`assess.display`); ``g`` for a rubric constant or an input value as written."""
    if _missing(value):
        return blank
    fixed_places = re.fullmatch(r"\.(\d+)f", spec)
    if fixed_places:
        return fixed(value, int(fixed_places.group(1)), blank)
    return format(float(value), spec)


def _pct(value: Any, digits: int = 0) -> str:
    return percent(value, digits, "–")


def _text(value: Any) -> str:
    """Input text as shown: dates as ISO, defused and cleaned like the CSV report."""
    if _missing(value):
        return ""
    if isinstance(value, (dt.datetime, dt.date, pd.Timestamp)):
        return value.isoformat().removesuffix("T00:00:00")
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(safe_cell(value if isinstance(value, str) else str(value)))


def _ink(colour: str) -> str:
    """Black or white, whichever reads better on ``colour`` (WCAG contrast)."""

    def channel(c: int) -> float:
        s = c / 255
        return s / 12.92 if s <= 0.04045 else ((s + 0.055) / 1.055) ** 2.4

    r, g, b = (channel(int(colour[i : i + 2], 16)) for i in (1, 3, 5))
    lum = 0.2126 * r + 0.7152 * g + 0.0722 * b
    return "#111111" if (lum + 0.05) / 0.05 >= 1.05 / (lum + 0.05) else "#ffffff"


# -- the page's content ------------------------------------------------------------------


def _records(frame: pd.DataFrame) -> list[tuple[Any, dict[str, Any]]]:
    """(engagement id, row as a dict) pairs: much faster than iterrows on 10,000 rows."""
    return list(zip(frame.index, frame.to_dict("records"), strict=True))


def _carried(result: Result, candidates: tuple[str, ...]) -> str | None:
    for col in result.carried_columns:
        if normalise_header(col) in candidates:
            return col
    return None


def _levels(c: Criterion, rating: Any) -> list[Level]:
    """The level a rating sits on, or both neighbours of a fractional rating."""
    if _missing(rating) or not c.rated:
        return []
    r = float(rating)
    values = [int(r)] if r.is_integer() else [math.floor(r), math.ceil(r)]
    return [lv for lv in (c.level(v) for v in values) if lv is not None]


def _rating_text(c: Criterion, row: dict[str, Any]) -> str:
    if c.rated:
        return trimmed(row[f"{c.id}.rating"], 2, "–")
    parts = [f"{i.label}: {_num(row[f'{i.id}.value'], 'g')}" for i in c.indicators]
    return "; ".join(parts)


def _shade(normalised: Any) -> int | None:
    """0-4: how good a normalised value is, for the rating cells' background."""
    return None if _missing(normalised) else int(round(float(normalised) * 4))


def _band_spans(result: Result) -> list[dict[str, Any]]:
    """Each band's [min, max) on 0-100, best first, with its colour."""
    spans, top = [], 100.0
    for i, b in enumerate(result.rubric.bands):
        spans.append(
            {
                "name": b.name,
                "index": i,
                "min": b.min,
                "max": top,
                "colour": b.colour,
                "ink": _ink(b.colour),
            }
        )
        top = b.min
    return spans


def _segments(result: Result, row: dict[str, Any], colours: list[str]) -> list[dict[str, Any]]:
    """Stacked contribution bar: one segment per criterion with points > 0."""
    out, x = [], 0.0
    for c, colour in zip(result.rubric.criteria, colours, strict=True):
        pts = row[f"{c.id}.contribution"]
        if _missing(pts) or pts <= 0:
            continue
        width = BAR_WIDTH * float(pts) / 100
        out.append(
            {
                "x": x,
                "w": width,
                "colour": colour,
                "ink": _ink(colour),
                "points": float(pts),
                "label": c.label,
            }
        )
        x += width
    return out


def gate_text(result: Result, gate: Gate) -> str:
    """A gate's rule in words, naming the criterion by its label."""
    op, value = ("≥", gate.at_least) if gate.at_least is not None else ("≤", gate.at_most)
    label = result.rubric.criterion(gate.criterion).label
    return f"{label} {op} {value:g} caps the band at {gate.cap}"


def _engagement(
    result: Result,
    eid: str,
    row: dict[str, Any],
    colours: list[str],
    name_col: str | None,
    evidence: tuple[dict[tuple[Any, str], str], bool] = ({}, False),
) -> dict[str, Any]:
    """One engagement's breakdown; ``evidence``: the flags by engagement and criterion
    (:func:`~assess.report.html.review.flag_index`), and whether to link web addresses."""
    rubric = result.rubric
    gates = [g for g in str(row["gates"]).split(",") if g]
    flags, link = evidence
    criteria = []
    for c, colour in zip(rubric.criteria, colours, strict=True):
        rating = row[f"{c.id}.rating"] if c.rated else None
        criteria.append(
            {
                "criterion": c,
                "colour": colour,
                "rating": _rating_text(c, row),
                "levels": _levels(c, rating),
                "normalised": row[f"{c.id}.normalised"],
                "contribution": row.get(f"{c.id}.contribution"),
                "missing": _missing(row[f"{c.id}.normalised"]),
                **criterion_evidence(flags, eid, row, c.id, link),
            }
        )
    return {
        "id": _text(eid),
        "row": row,
        "gates": [g for g in rubric.gates if g.id in gates],
        "criteria": criteria,
        "carried": [
            (_text(col), _text(row[col]))  # a header is input text too
            for col in result.carried_columns
            if col != name_col and col not in result.evidence_columns and _text(row[col])
        ],
        "segments": _segments(result, row, colours) if row["status"] == "scored" else [],
        "evidence": shared_evidence(criteria),
    }


def _ranking(
    result: Result, columns: dict[str, str | None], since: dict[Any, dict[str, Any]] | None
) -> list[dict[str, Any]]:
    """One compact entry per scored engagement, best first (the ranked table's rows), with
    its previous score, change and previous band when ``since`` has them."""
    rubric = result.rubric
    band_index = {b.name: i for i, b in enumerate(rubric.bands)}
    rows = []
    for n, (eid, row) in enumerate(_records(result.scored)):
        cells = []
        for c in rubric.criteria:
            norm = row[f"{c.id}.normalised"]
            rating = row[f"{c.id}.rating"] if c.rated else None
            cells.append(
                {
                    "text": _rating_text(c, row) if c.rated else _num(norm, ".2f"),
                    "shade": _shade(norm),
                    "label": " / ".join(lv.label for lv in _levels(c, rating)),
                }
            )
        rows.append(
            {
                "n": n,
                "id": _text(eid),
                "rank": int(row["rank"]),
                "score": float(row["score"]),
                "band": row["band"],
                "band_index": band_index[row["band"]],
                "gates": [g for g in str(row["gates"]).split(",") if g],
                "carried": {k: _text(row[col]) if col else "" for k, col in columns.items()},
                "cells": cells,
                "since": since[eid] if since is not None else None,
            }
        )
    return rows


def _band_chart(result: Result) -> list[dict[str, Any]]:
    counts = result.band_counts()
    shares = result.band_shares()
    peak = max(counts.values(), default=0) or 1
    return [
        {
            **span,
            "count": counts[span["name"]],
            "share": shares[span["name"]],
            "width": 360 * counts[span["name"]] / peak,
        }
        for span in _band_spans(result)
    ]


def _means(result: Result, colours: list[str]) -> list[dict[str, Any]]:
    """Mean rating (or 0-1 amount, for indicator criteria) and points per criterion, over the
    scored engagements: :meth:`Result.criterion_stats`, as on the Excel report's Summary."""
    stats = result.criterion_stats()
    out = []
    for c, colour in zip(result.rubric.criteria, colours, strict=True):
        s = stats.loc[c.id]
        lo, hi = (c.scale.min, c.scale.max) if c.rated else (0.0, 1.0)
        mean = s["mean"]
        out.append(
            {
                "criterion": c,
                "colour": colour,
                "mean": mean,
                "max": hi,
                "rated": int(s["rated"]),
                "share": 0.0 if _missing(mean) else (mean - lo) / (hi - lo),
                "contribution": s["points"],
            }
        )
    return out


def _rejected(result: Result) -> list[dict[str, Any]]:
    """Each rejected row with every problem cell, in spreadsheet terms."""
    return [
        {
            "rejection": r,
            "problems": [
                {
                    "cell": _text(f"{r.sheet}!{p.column}{r.row}"),
                    "header": _text(p.header),
                    "value": "(blank)"
                    if _missing(p.value) or p.value == ""
                    else clean_text(show(p.value)),
                    "reason": clean_text(p.reason),
                }
                for p in r.problems
            ],
        }
        for r in result.rejected
    ]


def _context(result: Result, link_evidence: bool = False) -> dict[str, Any]:
    rubric = result.rubric
    evidence = (flag_index(result), link_evidence)
    colours = criterion_colours(len(rubric.criteria))
    columns = {
        "name": result.name_column,
        "type": _carried(result, TYPE_HEADERS),
        "organisation": _carried(result, ORGANISATION_HEADERS),
    }
    band_index_of = {b.name: i for i, b in enumerate(rubric.bands)}
    since = since_rows(result, band_index_of)
    return {
        "result": result,
        "rubric": rubric,
        "title": rubric.title or "Effectiveness report",
        "counts": result.counts,
        "blank_rows": result.blank_rows,
        "summary_line": result.summary_line(),
        "notes": report_notes(result),
        "columns": columns,
        "colours": colours,
        "band_chart": _band_chart(result),
        "gated": int(result.scored["gates"].astype(bool).sum()),
        "band_spans": _band_spans(result),
        "band_index_of": band_index_of,
        "means": _means(result, colours),
        "ranking": _ranking(result, columns, since),
        "since": since is not None,
        "breakdown": [
            _engagement(result, eid, row, colours, columns["name"], evidence)
            for eid, row in _records(result.scored.head(BREAKDOWN_LIMIT))
        ],
        "breakdown_limit": BREAKDOWN_LIMIT,
        "insufficient": [
            _engagement(result, eid, row, colours, columns["name"])
            for eid, row in _records(result.insufficient)
        ],
        "rejected": _rejected(result),
        "many_sources": len(result.sources) > 1,
        "bar_width": BAR_WIDTH,
        "score_ticks": SCORE_TICKS,
        "gate_text": {g.id: gate_text(result, g) for g in rubric.gates},
        "levels_sorted": {
            c.id: sorted(c.scale.levels, key=lambda lv: lv.value) for c in rubric.criteria
        },
        # several raters' agreement and the weight-sensitivity run, when the result has them
        "agreement": agreement_context(result),
        "sensitivity": sensitivity_context(result),
        # the recorded period's comparison with the previous one, and the trends
        "history": history_context(result, list(PALETTE)),
        # the scores compared across groups (by Type ...)
        "comparison": comparison_context(result),
        # the evidence behind the ratings and the review trail: shares, flags, not approved
        "review": review_context(result),
    }
