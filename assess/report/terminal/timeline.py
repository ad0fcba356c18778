"""What ``assess trend ID...`` prints: each engagement's periods under a sparkline of its score,
from the store's plain trend rows (:meth:`assess.history.Store.trend_rows`).

Light on purpose: neither pandas nor the rubric is loaded, so following a few engagements
answers quickly.  The sparkline and the small table helpers here are shared with the other
history views (:mod:`assess.report.terminal.history`).  Every piece of input text is printed
as :class:`rich.text.Text` made printable: never markup, control characters shown as escapes.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Sequence
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...display import fixed, trimmed
from ...history.timeline import STATUS_REJECTED, TREND_COLUMNS
from . import inert, shown

#: The sparkline's blocks, lowest first: a score of 0 to 100 in eight steps of 12.5 points.
BLOCKS = "▁▂▃▄▅▆▇█"
#: What a sparkline shows for a period where the engagement (or group) was not scored.
GAP = " "
#: Notes print in this style, above what they qualify.
NOTE_STYLE = "bold yellow"
#: A trend row's status when the engagement was scored with too little of the weight rated.
STATUS_INSUFFICIENT = "insufficient"


def sparkline(scores: Iterable[Any]) -> str:
    """Scores (0 to 100) as a line of blocks, one per period: ``▁`` below 12.5 up to ``█`` from
    87.5; a :data:`GAP` where a score is missing (None, NaN, <NA>).

    Parameters
    ----------
    scores : iterable
        One score per period, in order.

    Returns
    -------
    str
        As many characters as scores, e.g. ``"▆▆▇█"`` or ``"▇▇ ▇"``.
    """
    out = []
    for value in scores:
        v = number(value)
        if v is None:
            out.append(GAP)
            continue
        step = int(min(max(v, 0.0), 100.0) * len(BLOCKS) / 100)
        out.append(BLOCKS[min(step, len(BLOCKS) - 1)])
    return "".join(out)


def number(value: Any) -> float | None:
    """A finite float, or None for a missing value (None, NaN, pandas' NA)."""
    if value is None or type(value).__name__ == "NAType":
        return None
    v = float(value)
    return v if math.isfinite(v) else None


def plain_table(title: Text | str | None = None) -> Table:
    """The history views' table: a bold title on the left, a simple head, no outer edge."""
    return Table(
        title=Text(title) if isinstance(title, str) else title,
        title_justify="left",
        title_style="bold",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )


def span(periods: Sequence[str]) -> str:
    """``period P`` or ``N periods, P1 to PN``."""
    if len(periods) == 1:
        return f"period {periods[0]}"
    return f"{len(periods)} periods, {periods[0]} to {periods[-1]}"


def say(console: Console, text: str, style: str = "") -> None:
    """A line of text that may hold input text: printable, never markup."""
    console.print(inert(text), style=style or None, soft_wrap=True)


def versions_note(versions: dict[str, str]) -> str | None:
    """The note a trend needs when its periods were scored with different rubric versions
    (``{period: version}``); None when they were all scored with one."""
    by_version: dict[str, list[str]] = {}
    for period, version in versions.items():
        by_version.setdefault(version, []).append(period)
    if len(by_version) < 2:
        return None
    parts = "; ".join(f"{v} in {', '.join(p)}" for v, p in by_version.items())
    return (
        f"scores as recorded, under rubric {parts}: part of a change across a revision may be "
        "the rubric's (assess changes --from P --to P compares two periods like for like)"
    )


def ratings_legend(labels: list[str]) -> str:
    """``Ratings: transparency, ...`` for the rating columns ``<criterion>.rating``."""
    names = [label.rsplit(".", 1)[0] for label in labels]
    return "Ratings: " + ", ".join(names) + "."


def print_trend_rows(
    rows: list[dict[str, Any]], periods: Sequence[str], console: Console, store: str
) -> None:
    """Per engagement: its sparkline, then one row per period (score, band, rank, ratings and
    rubric version), and under it why a period has no score or a capped band.

    Parameters
    ----------
    rows : list of dict
        What :meth:`assess.history.Store.trend_rows` returns.
    periods : sequence of str
        The periods read, in order (a period where an engagement was not recorded shows as
        such).
    console : rich.console.Console
        Where to print.
    store : str
        The store's name, for the first line.
    """
    by_id: dict[Any, dict[str, dict[str, Any]]] = {}
    for row in rows:
        by_id.setdefault(row["id"], {})[row["period"]] = row
    say(console, f"{store}: {len(by_id)} engagement(s) over {span(list(periods))}")
    versions = {
        p: row["rubric_version"] for p in periods for r in by_id.values() if (row := r.get(p))
    }
    note = versions_note(versions)
    if note:
        say(console, "note: " + note, NOTE_STYLE)
    labels = list(rows[0])[len(TREND_COLUMNS) :] if rows else []
    gated = False
    for eid, by_period in by_id.items():
        console.print(_engagement_table(eid, by_period, list(periods), labels))
        for period, row in by_period.items():
            why = _status_note(row)
            gated |= bool(row["gates"])
            if why:
                console.print(inert(f"  {period}: {why}"), soft_wrap=True)
    legend = [f"Score per period: {BLOCKS[0]} 0 to {BLOCKS[-1]} 100, a gap where not scored."]
    if labels:
        legend.append(ratings_legend(labels))
    if gated:
        legend.append("* band capped by a gate.")
    for line in legend:
        say(console, line)


def _engagement_table(
    eid: Any, by_period: dict[str, dict[str, Any]], periods: list[str], labels: list[str]
) -> Table:
    """One engagement's table: a row per period."""
    title = shown(eid)
    title.stylize("bold")
    names = [
        r["name"] for r in by_period.values() if r["name"] is not None and str(r["name"]).strip()
    ]
    if names:
        title.append("  ").append(shown(names[-1]))
    title.append(
        "  " + sparkline(by_period[p]["score"] if p in by_period else None for p in periods)
    )
    table = plain_table(title)
    for column in ("Period", "Score", "Band", "Rank", *(["Ratings"] if labels else []), "Rubric"):
        right = column in ("Score", "Rank")
        table.add_column(column, justify="right" if right else "left", no_wrap=True)
    values = {p: [trimmed(r[label], 2, "-") for label in labels] for p, r in by_period.items()}
    width = max([len(v) for vs in values.values() for v in vs] + [1])
    for period in periods:
        row = by_period.get(period)
        if row is None:
            cells = [inert(period), "–", Text("not recorded", style="dim"), ""]
            table.add_row(*cells, *([""] if labels else []), "")
            continue
        ratings = [" ".join(v.rjust(width) for v in values[period])] if labels else []
        table.add_row(
            inert(period),
            fixed(row["score"], 1, "–"),
            _band(row),
            "" if row["rank"] is None else str(int(row["rank"])),
            *ratings,
            inert(row["rubric_version"]),
        )
    return table


def _band(row: dict[str, Any]) -> Text:
    if row["status"] == STATUS_REJECTED:
        return Text("row rejected", style="dim")
    if row["status"] == STATUS_INSUFFICIENT:
        return Text("insufficient evidence", style="dim")
    band = "" if row["band"] is None else str(row["band"])
    return inert(band + (" *" if row["gates"] else ""))


def _status_note(row: dict[str, Any]) -> str:
    if row["status"] == STATUS_REJECTED:
        return f"row rejected: {row['reason']}"
    gates = str(row["gates"] or "")
    return f"band capped by {gates.replace(',', ', ')}" if gates else ""
