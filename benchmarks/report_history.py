"""The targets and the table of the history store: recording a large CSV, following an
engagement over many periods, and what changed between two large periods."""

from __future__ import annotations

from typing import Any

from .figures import Check
from .figures import megabytes as _mb
from .figures import number as _num
from .figures import ratio as _ratio
from .figures import secs as _s
from .figures import size_note as _size_note
from .figures import times as _x

TARGET_RECORD_N = 100_000
#: scoring a CSV and recording it in the history store, against scoring it alone
TARGET_RECORD = 1.3
#: seconds: ``assess trend ID`` over 20 periods of 10,000 engagements, start-up included
TARGET_TREND = 0.5
TARGET_TREND_SIZE = (20, 10_000)
#: seconds: ``assess changes`` between two periods of 100,000 engagements, start-up included
TARGET_CHANGES = 5.0
TARGET_CHANGES_N = 100_000


def record_checks(rec: dict[str, Any] | None) -> list[Check]:
    if not rec:
        return []
    alone, recorded = _num(rec, "alone", "seconds"), _num(rec, "recorded", "seconds")
    r = _ratio(recorded, alone)
    note = _size_note(rec["n"], TARGET_RECORD_N)
    cli, added = _num(rec, "cli_json", "seconds"), _num(rec, "recorded", "record")
    if cli is not None and added is not None:
        with_cli = f"assess score -f json {_s(cli)}, +{added / cli:.0%} with the recording"
        note = "; ".join(filter(None, [note, with_cli]))
    return [
        Check(
            f"Recording a {rec['n']:,}-row CSV in the history store (SQLite) adds at most "
            f"{TARGET_RECORD - 1:.0%} to scoring it",
            f"score + record {_s(recorded)} / score alone {_s(alone)} (whole processes, "
            "start-up included, nothing written)",
            r,
            "x",
            f"<= {TARGET_RECORD}x",
            None if r is None else r <= TARGET_RECORD,
            note,
        )
    ]


def _history_command(case: dict[str, Any]) -> tuple[float | None, str]:
    """The command's wall time, and how it was run (the API when assess has no command)."""
    if "cli" in case:
        return _num(case, "cli", "seconds"), "CLI"
    return _num(case, "api", "seconds"), "API (no such command)"


def history_checks(trend: dict[str, Any] | None, changes: dict[str, Any] | None) -> list[Check]:
    out = []
    if trend and "error" not in trend:
        t, how = _history_command(trend)
        api, inside = _num(trend, "api", "seconds"), _num(trend, "inside", "trend_rows")
        size = (trend["periods"], trend["rows"])
        note = "" if size >= TARGET_TREND_SIZE else "smaller than the target"
        note = "; ".join(filter(None, [note, f"Store.trend_rows alone {_s(api)} as a process"]))
        out.append(
            Check(
                f"assess trend ID, {size[0]} periods of {size[1]:,} engagements: under "
                f"{TARGET_TREND} s",
                f"{how} wall time, start-up included (inside the process: {_s(inside)})",
                t,
                "s",
                f"< {TARGET_TREND} s",
                None if t is None else t < TARGET_TREND,
                note,
            )
        )
    if changes and "error" not in changes:
        t, how = _history_command(changes)
        api, inside = _num(changes, "api", "seconds"), _num(changes, "inside", "changes")
        note = _size_note(changes["rows"], TARGET_CHANGES_N)
        note = "; ".join(filter(None, [note, f"Store.changes alone {_s(api)} as a process"]))
        out.append(
            Check(
                f"assess changes between two periods of {changes['rows']:,} engagements: under "
                f"{TARGET_CHANGES:g} s",
                f"{how} wall time, start-up included (inside the process: {_s(inside)})",
                t,
                "s",
                f"< {TARGET_CHANGES:g} s",
                None if t is None else t < TARGET_CHANGES,
                note,
            )
        )
    return out


def record_table(rec: dict[str, Any] | None) -> list[tuple[str, list[str], list[list[str]]]]:
    if not rec or "error" in rec:
        return []
    alone, recorded = _num(rec, "alone", "seconds"), _num(rec, "recorded", "seconds")
    cli, added = _num(rec, "cli_json", "seconds"), _num(rec, "recorded", "record")
    row = [
        f"{rec['n']:,}",
        _s(alone),
        _s(recorded),
        _s(added),
        _x(_ratio(recorded, alone)),
        _s(cli),
        _x(_ratio(None if cli is None or added is None else cli + added, cli)),
    ]
    title = (
        "Recording a CSV in the history store (SQLite; whole processes, fastest of the rounds; "
        "record = opening the store and recording, inside the process)"
    )
    headers = [
        "rows",
        "score alone",
        "score + record",
        "record",
        "ratio",
        "assess score -f json",
        "(-f json + record) / -f json",
    ]
    return [(title, headers, [row])]


def history_table(
    trend: dict[str, Any] | None, changes: dict[str, Any] | None
) -> list[tuple[str, list[str], list[list[str]]]]:
    rows = []
    for name, case, inside in (("trend ID", trend, "trend_rows"), ("changes", changes, "changes")):
        if not case:
            continue
        if "error" in case:
            rows.append([f"assess {name}", case["error"], "-", "-", "-", "-"])
            continue
        size = (
            f"{case['periods']} periods x {case['rows']:,}"
            if name == "trend ID"
            else f"2 periods x {case['rows']:,}"
        )
        rows.append(
            [
                f"assess {name} ({size})",
                _s(_num(case, "build", "seconds")),
                _s(_num(case, "inside", inside)),
                _s(_num(case, "api", "seconds")),
                _s(_num(case, "cli", "seconds")) if "cli" in case else "no such command",
                _mb(_num(case, "cli", "peak_rss_mb")),
            ]
        )
    if not rows:
        return []
    title = (
        "Reading the history store (SQLite; built untimed through the API; inside = the store "
        "open, in the process; API = a process opening the store and reading; wall clock, "
        "fastest of the rounds)"
    )
    headers = ["command", "store built in", "inside", "API process", "CLI", "CLI peak RSS"]
    return [(title, headers, rows)]
