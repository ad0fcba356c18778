"""``assess history``, ``assess trend``, ``assess changes``, ``assess store delete`` and
``assess store export``: the runs recorded in the history store, engagements and groups across
the periods, what changed between two periods, removing a period, and the history as a Parquet
dataset.

Each is one method of :class:`assess.history.Store` (``history``, ``trend``, ``changes``,
``delete_period``, ``export``), the trends and changes shown by
:mod:`assess.report.terminal.history`; runs are recorded by ``assess score`` and ``assess
batch`` with ``--period`` (:mod:`.recording`).  None of them creates a store: an SQLite file
that is not there yet is reported as such.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Annotated, Any

import typer

from . import api
from .options import DebugOpt, FormatOpt, StoreOpt, TableOrJson
from .output import console, fail, print_json, say, user_errors

AllRunsOpt = Annotated[
    bool,
    typer.Option("--all", help="Superseded runs too; by default each period's current run."),
]

#: The columns of ``assess history``'s table: (column of Store.history, heading, on the right).
TABLE_COLUMNS = (
    ("period", "Period", False),
    ("run_id", "Run", True),
    ("recorded_at", "Recorded (UTC)", False),
    ("recorded_by", "By", False),
    ("rubric", "Rubric", False),
    ("scored", "Scored", True),
    ("insufficient", "Insuff.", True),
    ("rejected", "Rejected", True),
    ("status", "Status", False),
    ("files", "Files", False),
)


@contextmanager
def _opened(store: str | None, must_exist: bool) -> Iterator[Any]:
    """The store, open; None (or an error, with ``must_exist``) for an SQLite file that is
    not there yet, which is left uncreated."""
    path = api.store_file(store)
    if path is not None and not path.exists():
        if must_exist:
            raise fail(
                f"store {path} does not exist: nothing has been recorded there "
                "(assess score FILE --period PERIOD records a run)"
            )
        yield None
        return
    with api.open_store(store) as opened:
        yield opened


def show_history(
    all_runs: AllRunsOpt = False,
    store: StoreOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    debug: DebugOpt = False,
) -> None:
    """List the runs recorded in the history store, period by period.

    Each run with when and by whom it was recorded, its files, the rubric and its version, the
    row counts, and whether it is current or was superseded by a later run (--all).
    """
    with user_errors(debug):
        with _opened(store, must_exist=False) as opened:
            name = str(api.store_file(store)) if opened is None else opened.name
            frame = None if opened is None else opened.history(all=all_runs)
        if fmt is TableOrJson.json:
            runs = [] if frame is None else json.loads(frame.to_json(orient="records"))
            print_json({"store": name, "all": all_runs, "runs": runs})
        elif frame is None or frame.empty:
            say(console(), f"no runs recorded yet in {name}")
        else:
            _print_history(frame, name, all_runs)


def _print_history(frame: Any, name: str, all_runs: bool) -> None:
    """One line per run in aligned columns (the files last, as long as they are), under a line
    naming the store and the rubric when every run has one of the same name."""
    names = set(frame["rubric"])
    rubric = f", rubric {next(iter(names))}" if len(names) == 1 else ""
    # the status tells runs apart only when superseded ones are listed too
    columns = [c for c in TABLE_COLUMNS if all_runs or c[0] != "status"]
    rows = [[heading for _, heading, _ in columns]]
    for run in frame.itertuples(index=False):
        cells = {
            **run._asdict(),
            "recorded_at": str(run.recorded_at)[:16].replace("T", " "),
            "rubric": f"{run.rubric} {run.rubric_version}" if rubric == "" else run.rubric_version,
            "status": "current" if run.current else f"superseded by {run.superseded_by}",
        }
        rows.append([" ".join(str(cells[key]).split()) for key, _, _ in columns])
    widths = [max(len(row[i]) for row in rows) for i in range(len(columns) - 1)]
    lines = []
    for row in rows:
        aligned = [
            cell.rjust(width) if right else cell.ljust(width)
            for cell, width, (_, _, right) in zip(row[:-1], widths, columns[:-1], strict=True)
        ]
        lines.append("  ".join([*aligned, row[-1]]))
    which = "every run" if all_runs else "each period's current run"
    count = f"{len(frame)} run(s) of {frame['period'].nunique()} period(s)"
    say(console(), f"{name}: {which}{rubric} ({count})", *lines)


def store_delete(
    period: Annotated[
        str, typer.Argument(help="The period to delete: its current run and every earlier one.")
    ],
    store: StoreOpt = None,
    yes: Annotated[
        bool,
        typer.Option(
            "--yes", "-y", help="Delete without asking (needed where there is no terminal)."
        ),
    ] = False,
    fmt: FormatOpt = TableOrJson.table,
    debug: DebugOpt = False,
) -> None:
    """Delete a period, every run of it, from the history store.

    Removes the period's current run and the runs it superseded, with all their rows. Asks
    first, naming the runs, unless --yes is given; with no terminal to ask on (a script) it
    deletes nothing without --yes (exit code 2).
    """
    with user_errors(debug):
        with _opened(store, must_exist=True) as opened:
            label = api.check_period(period)
            runs = opened.history(all=True)
            runs = runs[runs["period"] == label]
            if len(runs) and not yes:
                _confirm(label, runs, opened.name)
            deleted = opened.delete_period(label)
        if fmt is TableOrJson.json:
            print_json(deleted.to_dict())
        else:
            say(console(), deleted.summary)


def can_ask() -> bool:
    """Whether there is someone to ask: input comes from a terminal."""
    return sys.stdin is not None and sys.stdin.isatty()


def _confirm(label: str, runs: Any, name: str) -> None:
    """Ask before deleting the period's runs; exit when the answer is no or nobody can answer."""
    listed = "; ".join(
        f"run {r.run_id} ({'current' if r.current else 'superseded'}, recorded "
        f"{r.recorded_at} by {r.recorded_by}: {r.files})"
        for r in runs.itertuples(index=False)
    )
    what = f"period {label} from {name}, {len(runs)} run(s): {listed}"
    if not can_ask():
        raise fail(
            f"nothing deleted: there is no terminal to ask on, so add --yes to delete {what}"
        )
    question = api.printable(f"Delete {what}? This cannot be undone.")
    if not typer.confirm(question, default=False, err=True):
        say(console(stderr=True), f"nothing deleted: period {label} is kept")
        raise typer.Exit(0)


def store_export(
    folder: Annotated[
        Path,
        typer.Argument(help="A new or empty folder for the Parquet dataset.", readable=False),
    ],
    store: StoreOpt = None,
    all_runs: AllRunsOpt = False,
    fmt: FormatOpt = TableOrJson.table,
    debug: DebugOpt = False,
) -> None:
    """Write the history as a Parquet dataset, one folder per period.

    FOLDER/period=LABEL/ holds one row per engagement of each run, with the run's metadata,
    score, band, rank, gates, ratings and carried columns; pandas.read_parquet(FOLDER) reads
    it back with a period column.
    """
    with user_errors(debug):
        with _opened(store, must_exist=True) as opened:
            runs = opened.history(all=all_runs)
            path = opened.export(folder, all=all_runs)
            name = opened.name
        periods = sorted(set(runs["period"]))
        summary = (
            f"exported {len(runs)} run(s) of {len(periods)} period(s) from {name} to {path} "
            "(Parquet, one folder per period)"
        )
        if fmt is TableOrJson.json:
            print_json(
                {
                    "folder": str(path),
                    "store": name,
                    "all": all_runs,
                    "periods": periods,
                    "runs": len(runs),
                    "summary": summary,
                }
            )
        else:
            say(console(), summary)


# -- looking back: trends and what changed ------------------------------------------------------

ReadPeriodsOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--period",
        metavar="PERIOD",
        help="Only this period (repeat for several); by default every recorded period.",
    ),
]


def show_trend(
    ids: Annotated[
        list[str] | None,
        typer.Argument(
            metavar="ID",
            help="Engagements to follow, each period by period; without any, every engagement "
            "on one line (or every group, with --by).",
            show_default=False,
        ),
    ] = None,
    by: Annotated[
        str | None,
        typer.Option(
            "--by",
            metavar="COLUMN",
            help="Group the engagements by this carried column (e.g. Type): n, mean score and "
            "band mix per group and period.",
        ),
    ] = None,
    periods: ReadPeriodsOpt = None,
    store: StoreOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    debug: DebugOpt = False,
) -> None:
    """Follow engagements, or groups of them, across the recorded periods.

    With IDs, one table per engagement: each period's score, band, rank, ratings and rubric
    version, under a sparkline of its score (a gap where it was not scored). With --by, per
    group and period: how many were scored, their mean score and band mix, under a sparkline
    of the mean. With neither, every engagement on one line: its sparkline, first and last
    score and last band. Scores are as recorded (assess changes compares like for like).
    """
    with user_errors(debug):
        if ids and by is None:  # a few engagements: plain rows, without pandas
            _trend_rows(ids, periods, store, fmt)
            return
        with _opened(store, must_exist=True) as opened:
            name = opened.name
            trend = opened.trend(ids or None, by=by, periods=periods or None)
        if fmt is TableOrJson.json:
            data = trend.to_dict() if by is not None else {"by": None, **api.trend_dict(trend)}
            print_json({"store": name, **data})
        elif by is not None:
            api.print_group_trend(trend, console(), name)
        else:
            api.print_trend_overview(trend, console(), name)


def _trend_rows(ids: list[str], periods: list[str] | None, store: Any, fmt: TableOrJson) -> None:
    """``assess trend ID...``: the engagements' rows read by key, printed or as JSON."""
    with _opened(store, must_exist=True) as opened:
        name = opened.name
        rows = opened.trend_rows(ids, periods or None)
        read = opened.periods() if not periods else sorted({p.strip() for p in periods})
    if fmt is TableOrJson.json:
        print_json({"store": name, "by": None, **api.trend_rows_dict(rows, read)})
    else:
        api.print_trend_rows(rows, read, console(), name)


def show_changes(
    from_period: Annotated[
        str | None,
        typer.Option(
            "--from",
            metavar="PERIOD",
            help="The period to compare from (default: the one before --to).",
        ),
    ] = None,
    to_period: Annotated[
        str | None,
        typer.Option(
            "--to", metavar="PERIOD", help="The period to compare to (default: the last recorded)."
        ),
    ] = None,
    as_recorded: Annotated[
        bool,
        typer.Option(
            "--as-recorded",
            help="Compare the scores as recorded, even when the rubric was revised between "
            "the periods.",
        ),
    ] = False,
    top: Annotated[
        int,
        typer.Option(
            "--top", metavar="N", min=0, help="How many of the largest score changes to list."
        ),
    ] = 10,
    limit: Annotated[
        int | None,
        typer.Option(
            min=0, help="Show at most N engagements in each list of the table (the JSON has all)."
        ),
    ] = 20,
    store: StoreOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    debug: DebugOpt = False,
) -> None:
    """What changed from one recorded period to another.

    Who moved up or down a band, the largest score changes with the criteria that drove them,
    who is new, ended or not scored in one of the periods (and why), the gates applied or
    lifted, and the counts. When the rubric was revised between the periods, the earlier
    period's ratings are scored again under the later rubric, so that a change is a change on
    the ground (like for like); --as-recorded compares the scores as recorded. A note first
    says which.
    """
    with user_errors(debug):
        with _opened(store, must_exist=True) as opened:
            name = opened.name
            changes = opened.changes(from_period, to_period, as_recorded, top=top)
        if fmt is TableOrJson.json:
            print_json({"store": name, **changes.to_dict()})
        else:
            api.print_changes(changes, console(), name, limit=limit)
