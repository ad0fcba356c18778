"""What ``assess trend`` and ``assess changes`` print in the terminal: an engagement's periods
with a sparkline of its score, every engagement's sparkline, a group's mean score and band mix
per period, and what changed between two periods.

Every piece of input text (ids, names, group values, band and gate names, period labels,
reasons, evidence) is printed as :class:`rich.text.Text` made
:func:`~assess.report.safety.printable`: it never becomes markup and its control characters
show as escapes.
"""

from __future__ import annotations

from typing import Any

import numpy as np
import pandas as pd
from rich.cells import cell_len
from rich.console import Console
from rich.table import Table
from rich.text import Text

from ...display import fixed
from ...history.changeset import Changes
from ...history.trends import GroupTrend
from ...scoring import STATUS_SCORED
from . import inert, shown
from .timeline import (
    BLOCKS,
    NOTE_STYLE,
    plain_table,
    say,
    span,
    sparkline,
    versions_note,
)


def _signed(value: Any) -> str:
    text = fixed(value, 1, "–")
    return text if text.startswith(("-", "–")) or text == "0.0" else "+" + text


# -- tables that fit the terminal ----------------------------------------------------------

#: A name column is at most this wide (ellipsis beyond), and left out below :data:`NAME_MIN`.
NAME_MAX, NAME_MIN = 40, 10
#: A wrapped column (reasons, drivers) is kept at least this wide when there is room.
WRAP_MIN = 24


def _width(cell: Any) -> int:
    return cell.cell_len if isinstance(cell, Text) else cell_len(str(cell))


def _fitted(
    console: Console,
    title: Text | str | None,
    columns: list[tuple[Any, str]],
    rows: list[list[Any]],
    ends: set[int] = frozenset(),
) -> Table:
    """A table whose columns fit the console: each ``(heading, kind)`` column as wide as its
    cells (kind ``left`` or ``right``), wrapped (``wrap``), or a name taking the room left, up
    to :data:`NAME_MAX`, cut with an ellipsis (``name``: left out where narrower than
    :data:`NAME_MIN`; ``label``: kept at least that wide).  ``ends``: rows closing a section."""
    kinds = [kind for _, kind in columns]
    natural = [max([_width(h)] + [_width(r[j]) for r in rows]) for j, (h, _) in enumerate(columns)]
    spare = console.width - 2 * len(columns) - 1
    spare -= sum(w for w, k in zip(natural, kinds, strict=True) if k in ("left", "right"))
    if "wrap" in kinds:
        spare -= min(natural[kinds.index("wrap")], WRAP_MIN)
    keep = [not (k == "name" and min(spare, natural[j]) < NAME_MIN) for j, k in enumerate(kinds)]
    rooms = {}
    table = plain_table(title)
    for j, ((heading, kind), width, kept) in enumerate(zip(columns, natural, keep, strict=True)):
        if not kept:
            continue
        if kind in ("name", "label"):
            rooms[j] = max(min(width, NAME_MAX, spare), NAME_MIN if kind == "label" else 0)
            table.add_column(heading, no_wrap=True)
        elif kind == "wrap":
            table.add_column(heading)
        else:
            table.add_column(heading, justify=kind, no_wrap=True, min_width=width)
    for j, row in enumerate(rows):
        cells = [_cut(cell, rooms.get(k)) for k, cell in enumerate(row) if keep[k]]
        table.add_row(*cells, end_section=j in ends)
    return table


def _cut(cell: Any, room: int | None) -> Any:
    """A cell no wider than ``room`` (ending in an ellipsis when cut)."""
    if room is None or _width(cell) <= room:
        return cell
    text = cell.copy() if isinstance(cell, Text) else Text(str(cell))
    text.truncate(room, overflow="ellipsis")
    return text


# -- every engagement, one line each -----------------------------------------------------------


def _trend_versions(trend: pd.DataFrame) -> dict[str, str]:
    pairs = trend[["period", "rubric_version"]].drop_duplicates("period")
    order = {p: j for j, p in enumerate(trend.attrs.get("periods", []))}
    pairs = pairs.sort_values("period", key=lambda s: s.map(order).fillna(len(order)))
    return dict(zip(pairs["period"], pairs["rubric_version"], strict=True))


def _name(rows: pd.DataFrame) -> Any:
    names = [n for n in rows["name"] if n is not None and not pd.isna(n) and str(n).strip()]
    return names[-1] if names else None


def print_trend_overview(trend: pd.DataFrame, console: Console, store: str) -> None:
    """Every engagement on one line: its sparkline, first and last score, the change between
    them and its last band."""
    periods = list(trend.attrs.get("periods") or dict.fromkeys(trend["period"]))
    ids = list(dict.fromkeys(trend["id"]))
    say(console, f"{store}: {len(ids)} engagement(s) over {span(periods)}")
    note = versions_note(_trend_versions(trend))
    if note:
        say(console, "note: " + note, NOTE_STYLE)
    rows = []
    for eid, found in trend.groupby("id", sort=False):
        by_period = found.set_index("period")
        scores = [by_period.at[p, "score"] if p in by_period.index else None for p in periods]
        scored = by_period[by_period["status"] == STATUS_SCORED]
        first = scored["score"].iloc[0] if len(scored) else None
        last = scored["score"].iloc[-1] if len(scored) else None
        rows.append(
            [
                shown(eid),
                shown(_name(found)),
                sparkline(scores),
                fixed(first, 1, "–"),
                fixed(last, 1, "–"),
                _signed(last - first) if len(scored) > 1 else "–",
                inert(_band(scored["band"].iloc[-1]) if len(scored) else ""),
            ]
        )
    columns = [("ID", "left"), ("Name", "name"), ("Trend", "left"), ("First", "right")]
    columns += [("Last", "right"), ("Change", "right"), ("Last band", "left")]
    console.print(_fitted(console, None, columns, rows))
    say(
        console,
        f"Trend: score per period, {BLOCKS[0]} 0 to {BLOCKS[-1]} 100, a gap where not scored. "
        "First, Last: the first and last score; assess trend ID shows each period.",
    )


# -- a group's periods -----------------------------------------------------------------------


def print_group_trend(group: GroupTrend, console: Console, store: str) -> None:
    """Per group: a sparkline of its mean score, then per period the number scored, the
    number of insufficient evidence, the mean score and the band mix."""
    groups = group.groups
    say(console, f"{store}: {len(groups)} group(s) by {group.by} over {span(group.periods)}")
    note = versions_note(group.rubric_versions)
    if note:
        say(console, "note: " + note, NOTE_STYLE)
    mix = group.band_mix.set_index(["group", "period"])
    width = max([len(str(int(v))) for v in mix.to_numpy().ravel()] + [1])
    rows, ends = [], set()
    for name, found in group.scores.groupby("group", sort=False):
        line = sparkline(found["mean_score"])
        for j, row in enumerate(found.itertuples(index=False)):
            counts = mix.loc[(name, row.period)]
            rows.append(
                [
                    shown(name) if j == 0 else "",
                    line if j == 0 else "",
                    inert(row.period),
                    str(row.n),
                    str(row.insufficient),
                    fixed(row.mean_score, 1, "–"),
                    " ".join(f"{int(counts[b]):>{width}}" for b in group.bands),
                ]
            )
        ends.add(len(rows) - 1)
    columns = [(inert(group.by), "label"), ("Trend", "left"), ("Period", "left")]
    columns += [("n", "right"), ("Insuff.", "right"), ("Mean", "right"), ("Band mix", "left")]
    console.print(_fitted(console, None, columns, rows, ends))
    say(
        console,
        f"Trend: mean score per period, {BLOCKS[0]} 0 to {BLOCKS[-1]} 100, a gap where none "
        f"was scored. Band mix: the scored engagements in {', '.join(group.bands)}.",
    )


# -- what changed ----------------------------------------------------------------------------


def print_changes(changes: Changes, console: Console, store: str, limit: int | None = 20) -> None:
    """The note on how the scores are compared first, then who moved band, the largest score
    changes with their drivers, the evidence behind those drivers (when any was recorded), who
    is new, ended or not scored, the gates applied or lifted, and the counts.  Each list shows
    at most ``limit`` engagements (None: all), its heading saying how many there are."""
    say(console, "note: " + changes.note, NOTE_STYLE)
    say(console, f"{store}: what changed from {changes.from_period} to {changes.to_period}")
    moved = changes.moved
    listed = []
    for direction, heading in (("up", "Moved up a band"), ("down", "Moved down a band")):
        first = _first(moved[moved["direction"] == direction], limit)
        _moved(console, first, heading)
        listed += list(first.index)
    _largest(console, changes)
    _evidence(console, changes, [*listed, *changes.largest.index])
    _listing(console, _first(changes.new, limit), f"New: only in {changes.to_period}")
    _listing(console, _first(changes.ended, limit), f"Ended: only in {changes.from_period}")
    _not_scored(console, _first(changes.not_scored, limit))
    for change, heading in (("applied", "Gates applied"), ("lifted", "Gates lifted")):
        _gates(console, _first(changes.gates[changes.gates["change"] == change], limit), heading)
    say(console, changes.summary_lines()[0], "bold")


def _first(frame: pd.DataFrame, limit: int | None) -> pd.DataFrame:
    """The first ``limit`` rows, remembering how many there were (``attrs["of"]``)."""
    shown = frame.copy(deep=False) if limit is None else frame.iloc[:limit]
    shown.attrs = {**frame.attrs, "of": len(frame)}
    return shown


def _section(
    console: Console,
    heading: str,
    columns: list[tuple[Any, str]],
    rows: list[list[Any]],
    of: int | None = None,
) -> None:
    """A table titled with its heading and row count (``of`` a total), or the heading and
    "none" when it has no rows."""
    if not rows:
        say(console, f"{heading}: {f'none of {of} listed' if of else 'none'}", "bold")
        return
    count = f"{len(rows)} of {of}" if of is not None and of != len(rows) else str(len(rows))
    console.print(_fitted(console, inert(f"{heading} ({count})"), columns, rows))


def _band(value: Any) -> str:
    return "" if value is None or pd.isna(value) else str(value)


def _band_move(start: Any, end: Any) -> Text:
    start, end = _band(start), _band(end)
    return inert(start if start == end else f"{start} → {end}")


def _scores(start: Any, end: Any) -> str:
    return f"{fixed(start, 1, '–')} → {fixed(end, 1, '–')}"


def _moved(console: Console, moved: pd.DataFrame, heading: str) -> None:
    rows = [
        [
            shown(eid),
            shown(row["name"]),
            _band_move(row["band_from"], row["band_to"]),
            _scores(row["score_from"], row["score_to"]),
            _signed(row["change"]),
        ]
        for eid, row in moved.iterrows()
    ]
    columns = [("ID", "left"), ("Name", "name"), ("Band", "left"), ("Score", "right")]
    _section(console, heading, [*columns, ("Change", "right")], rows, moved.attrs.get("of"))


def _largest(console: Console, changes: Changes) -> None:
    move = changes.compared["move"]
    rows = []
    for eid, row in changes.largest.iterrows():
        steps = 0 if pd.isna(move.get(eid)) else int(move[eid])
        mark = " ↑" if steps > 0 else " ↓" if steps < 0 else ""
        rows.append(
            [
                shown(eid),
                shown(row["name"]),
                _scores(row["score_from"], row["score_to"]),
                _signed(row["change"]),
                inert(_band(row["band_to"]) + mark),
                inert(row["drivers"]),
            ]
        )
    columns = [("ID", "left"), ("Name", "name"), ("Score", "right"), ("Change", "right")]
    columns += [("Band", "left"), ("Driven by", "wrap")]
    _section(console, "Largest score changes", columns, rows, changes.counts["changed"])
    if rows:
        say(
            console,
            "Band: in the later period (↑ ↓ moved up or down); Driven by: the criteria whose "
            "points changed most.",
        )


#: Evidence is cut to this many characters in the terminal (the JSON output has it whole).
EVIDENCE_MAX = 120


def _evidence_cell(value: Any) -> Text:
    if value is None or (isinstance(value, float) and pd.isna(value)):
        return Text("–")
    text = inert(value)
    text.truncate(EVIDENCE_MAX, overflow="ellipsis")
    return text


def _evidence(console: Console, changes: Changes, ids: list) -> None:
    """The evidence each period recorded behind the criteria that drove the changes listed
    above (nothing at all when neither period recorded any)."""
    frame = changes.evidence
    frame = frame[frame.index.isin(ids)]
    if frame.empty:
        return
    order = {eid: j for j, eid in enumerate(dict.fromkeys(ids))}
    frame = frame.iloc[np.argsort([order[eid] for eid in frame.index], kind="stable")]
    rows = [
        [shown(eid), inert(criterion), _evidence_cell(start), _evidence_cell(end)]
        for eid, criterion, start, end in zip(
            frame.index, frame["criterion"], frame["from"], frame["to"], strict=True
        )
    ]
    columns = [("ID", "left"), ("Criterion", "left")]
    columns += [
        (inert(f"In {changes.from_period}"), "wrap"),
        (inert(f"In {changes.to_period}"), "wrap"),
    ]
    _section(console, "Evidence behind the changes", columns, rows)
    say(console, "Evidence recorded for the criteria that drove each change above (– none).")


def _listing(console: Console, frame: pd.DataFrame, heading: str) -> None:
    rows = []
    for eid, row in frame.iterrows():
        scored = row["status"] == STATUS_SCORED
        band = _band(row["band"]) if scored else "insufficient evidence"
        score = fixed(row["score"], 1, "–") if scored else "–"
        rows.append([shown(eid), shown(row["name"]), score, inert(band)])
    columns = [("ID", "left"), ("Name", "name"), ("Score", "right"), ("Band", "left")]
    _section(console, heading, columns, rows, frame.attrs.get("of"))


def _not_scored(console: Console, frame: pd.DataFrame) -> None:
    rows = [
        [
            shown(eid),
            shown(row["name"]),
            inert(row["period"]),
            inert(f"{row['other_period']}: {fixed(row['other_score'], 1)}"),
            inert(f"{row['status']}: {row['reason']}"),
        ]
        for eid, row in frame.iterrows()
    ]
    columns = [("ID", "left"), ("Name", "name"), ("Not scored in", "left")]
    columns += [("Other period", "left"), ("Why", "wrap")]
    _section(console, "Not scored in one of the periods", columns, rows, frame.attrs.get("of"))


def _gates(console: Console, frame: pd.DataFrame, heading: str) -> None:
    rows = [
        [
            shown(eid),
            shown(row["name"]),
            inert(row["gate"]),
            _band_move(row["band_from"], row["band_to"]),
        ]
        for eid, row in frame.iterrows()
    ]
    columns = [("ID", "left"), ("Name", "name"), ("Gate", "left"), ("Band", "left")]
    _section(console, heading, columns, rows, frame.attrs.get("of"))
