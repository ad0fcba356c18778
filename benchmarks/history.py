"""The history store's reading cases: ``assess trend ID`` over many periods, and ``assess
changes`` between two large ones.

Each store is made once, untimed, by a worker process that scores the generated files and
records them through the API.  The commands are then timed whole, start-up included, as a user
runs them (their output going to a pipe); an assess without the command is timed through the
API instead, in a process of its own.  Figures from inside a process (the store opened, then
read) go beside them, so that the command's own share shows.
"""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from . import data
from .measure import Run, python_module, run, worker

if TYPE_CHECKING:
    from .suite import Suite

#: Following engagements through the API, start-up included: what ``assess trend ID`` runs.
TREND_API = (
    "import sys, assess\n"
    "with assess.open_store(sys.argv[1]) as store:\n"
    "    rows = store.trend_rows(sys.argv[2:])\n"
    "print(len(rows))\n"
)
#: What changed between the last two periods through the API: what ``assess changes`` runs.
CHANGES_API = (
    "import sys, assess\n"
    "with assess.open_store(sys.argv[1]) as store:\n"
    "    print(store.changes().headline)\n"
)
#: A command taking longer than this (seconds) is not run again for a faster round.
ONE_ROUND_BEYOND = 10.0


def _fresh_store(folder: Path, name: str) -> Path:
    store = folder / name
    for leftover in folder.glob(f"{name}*"):
        leftover.unlink()
    return store


def _period_files(suite: Suite, stem: str, count: int, rows: int, seed: int) -> list[str]:
    """``count`` generated CSV files of ``rows`` engagements each, the same ids in all of them
    (ratings drawn with a seed of their own)."""
    files = []
    for k in range(count):
        path = suite.dir / f"{stem}-{k + 1:02d}.csv"
        data.write_csv(data.engagements(rows, seed=seed + k), path)
        files.append(str(path))
    return files


def _fastest(command: list[str], rounds: int, suite: Suite) -> Run:
    """The fastest of ``rounds`` runs of ``command`` (one, when a run takes long)."""
    best: Run | None = None
    for _ in range(max(rounds, 1)):
        r = run(command, suite.config.timeout, cwd=suite.dir)
        if best is None or (not r.timed_out and r.seconds < best.seconds):
            best = r
        if r.timed_out or r.returncode not in (0, 1) or r.seconds > ONE_ROUND_BEYOND:
            break
    assert best is not None
    return best


def _prepared(suite: Suite, store: Path, files: list[str], **reads: Any) -> dict[str, Any]:
    """The store built from ``files`` (periods ``P01``, ``P02`` ...), then read inside the
    same process (see :func:`benchmarks.worker.build_store`)."""
    periods = [f"P{k + 1:02d}" for k in range(len(files))]
    built, _ = worker(
        "build_store", suite.config.timeout, suite.dir, store=str(store), files=files,
        periods=periods, **reads,
    )  # fmt: skip
    return built


def trend_case(suite: Suite, summary: Any, available: bool) -> None:
    """``assess trend ID`` over ``trend_periods`` periods of ``trend_rows`` engagements."""
    c = suite.config
    if not c.trend_periods:
        return
    store = _fresh_store(suite.dir, "trend.sqlite")
    suite.log(f"trend: {c.trend_periods} periods of {c.trend_rows:,} engagements")
    files = _period_files(suite, "trend", c.trend_periods, c.trend_rows, data.SEED + 100)
    out: dict[str, Any] = {"periods": c.trend_periods, "rows": c.trend_rows}
    eid = f"MD-{c.trend_rows // 2:07d}"  # an engagement recorded in every period
    built = _prepared(suite, store, files, ids=[eid])
    if "error" in built:
        suite.results["trend"] = {**out, "error": built["error"]}
        return
    api = _fastest([sys.executable, "-c", TREND_API, str(store), eid], c.startup_rounds, suite)
    out |= {"id": eid, "build": built, "inside": built.pop("inside"), "api": summary(api)}
    if available:
        cli = _fastest(
            python_module("assess", "trend", eid, "--store", store), c.startup_rounds, suite
        )
        out["cli"] = summary(cli)
    suite.results["trend"] = out


def changes_case(suite: Suite, summary: Any, available: bool) -> None:
    """``assess changes`` between two periods of ``changes_rows`` engagements."""
    c = suite.config
    if not c.changes_rows:
        return
    store = _fresh_store(suite.dir, "changes.sqlite")
    suite.log(f"changes: two periods of {c.changes_rows:,} engagements")
    files = _period_files(suite, "changes", 2, c.changes_rows, data.SEED + 200)
    out: dict[str, Any] = {"rows": c.changes_rows}
    built = _prepared(suite, store, files, changes=True)
    if "error" in built:
        suite.results["changes"] = {**out, "error": built["error"]}
        return
    api = _fastest([sys.executable, "-c", CHANGES_API, str(store)], 2, suite)
    out |= {"build": built, "inside": built.pop("inside"), "api": summary(api)}
    if available:
        cli = _fastest(python_module("assess", "changes", "--store", store), 2, suite)
        out["cli"] = summary(cli)
    suite.results["changes"] = out
