"""The benchmark cases: generate the data, run assess and its baselines side by side.

Every figure the targets use is a ratio of two measurements taken in the same run on the same
data, so the machine's speed cancels out.  Whole commands (``python -m assess ...``) are timed
by wall clock from launch to exit, start-up included, with their peak resident memory; the
baselines are timed inside their process, start-up excluded, which leans every ratio against
assess, never for it.
"""

from __future__ import annotations

import json
import os
import platform
import shutil
import sys
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass
from datetime import datetime, timezone
from pathlib import Path
from typing import Any

from . import data
from .history import changes_case, trend_case
from .measure import Run, best_run, python_module, run, worker

#: the shipped examples, when the suite runs from a checkout or an sdist
EXAMPLES = Path(__file__).resolve().parent.parent / "examples"
HEADER_ROW = 2  # generated workbooks: a title, a blank row, then the header (0-based)


@dataclass(frozen=True)
class Config:
    """Sizes for one run of the suite."""

    name: str
    kernel_sizes: tuple[int, ...]
    xlsx_sizes: tuple[int, ...]
    csv_sizes: tuple[int, ...]
    batch_files: int
    batch_rows: int
    sensitivity_rows: int
    sensitivity_draws: int
    calibrate_cases: int
    dask_rows: int  # 0: skip the Dask engine's (informational) run
    dask_files: int
    record_rows: int  # the CSV recorded in the history store
    trend_periods: int  # assess trend ID: periods of the store (0: skip)
    trend_rows: int  # ... and engagements per period
    changes_rows: int  # assess changes: engagements in each of two periods (0: skip)
    compare_rows: int = 0  # assess compare --by Type, 2,000 resamples (0: skip)
    #: alternated rounds of the start-up commands (the fastest of each is kept)
    startup_rounds: int = 7
    #: alternated rounds of scoring alone and scoring then recording (the fastest of each kept)
    record_rounds: int = 3
    budget: float = 2.0  # seconds of repeats for short timings
    timeout: float = 300.0  # seconds before one command is stopped and reported as a failure
    #: the informational Dask run is skipped when the run has already taken this long, so that
    #: a busy machine does not push the whole run past ten minutes
    extras_until: float = 450.0


FULL = Config(
    name="full",
    kernel_sizes=(1_000, 10_000, 100_000, 1_000_000),
    xlsx_sizes=(1_000, 10_000, 100_000),
    csv_sizes=(1_000_000,),
    batch_files=200,
    batch_rows=500,
    sensitivity_rows=1_000,
    sensitivity_draws=10_000,
    calibrate_cases=5_000,
    compare_rows=100_000,
    dask_rows=250_000,
    dask_files=8,
    record_rows=100_000,
    trend_periods=20,
    trend_rows=10_000,
    changes_rows=100_000,
)
QUICK = Config(
    name="quick",
    kernel_sizes=(1_000, 10_000, 100_000),
    xlsx_sizes=(1_000, 10_000),
    csv_sizes=(100_000,),
    batch_files=40,
    batch_rows=200,
    sensitivity_rows=200,
    sensitivity_draws=2_000,
    calibrate_cases=1_000,
    compare_rows=20_000,
    dask_rows=100_000,
    dask_files=4,
    record_rows=20_000,
    trend_periods=20,
    trend_rows=2_000,
    changes_rows=20_000,
    budget=1.0,
    timeout=120.0,
)
#: what the test suite runs so that the harness cannot rot; seconds, not minutes
SMOKE = Config(
    name="smoke",
    kernel_sizes=(1_000,),
    xlsx_sizes=(200,),
    csv_sizes=(500,),
    batch_files=2,
    batch_rows=50,
    sensitivity_rows=0,  # the analysis commands are timed as plain commands: nothing to smoke
    sensitivity_draws=0,
    calibrate_cases=0,
    dask_rows=0,
    dask_files=2,
    record_rows=500,
    trend_periods=3,
    trend_rows=200,
    changes_rows=500,
    startup_rounds=1,
    record_rounds=1,
    budget=0.0,
    timeout=60.0,
)
CONFIGS = {c.name: c for c in (FULL, QUICK, SMOKE)}


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    cpu = platform.processor() or platform.machine()
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    except OSError:
        pass
    memory_gb = None
    try:
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                memory_gb = round(int(line.split()[1]) / 1024**2, 1)
    except OSError:
        pass
    from importlib.metadata import PackageNotFoundError, version

    versions: dict[str, str | None] = {"python": platform.python_version()}
    for name in (
        "assess",
        "numpy",
        "pandas",
        "python-calamine",
        "xlsxwriter",
        "openpyxl",
        "pymcdm",
        "dask",
        "pyarrow",
    ):
        try:
            versions[name] = version(name)
        except PackageNotFoundError:
            versions[name] = None
    return {
        "cpu": cpu,
        "cores": os.cpu_count(),
        "memory_gb": memory_gb,
        "os": f"{platform.system()} {platform.release()}",
        "versions": versions,
    }


class Suite:
    """One run: a scratch folder, the configuration, and what has been measured so far."""

    def __init__(self, config: Config, workdir: Path, log: Callable[[str], None] = print) -> None:
        self.config = config
        self.dir = workdir
        self.log = log
        self.results: dict[str, Any] = {}
        self.started = time.perf_counter()

    def elapsed(self) -> float:
        return time.perf_counter() - self.started

    # -- cases -----------------------------------------------------------------------------

    def startup(self) -> None:
        """Start-up: ``assess --help``, ``assess score --help`` and scoring the shipped example,
        against ``python -c "import pandas, numpy"``, alternated and the fastest of each kept.
        Bytecode is written and a first run discarded, as after ``pip install``."""
        example = EXAMPLES / "engagements.xlsx"
        if not example.exists():  # an installed copy without the examples: the same 54 rows
            example = self.dir / "example.xlsx"
            data.write_xlsx(data.engagements(54), example)
        commands = {
            "import_pandas_numpy": [sys.executable, "-c", "import pandas, numpy"],
            "cli_framework": [sys.executable, "-c", "import typer, rich.console, pydantic"],
            "help": python_module("assess", "--help"),
            "score_help": python_module("assess", "score", "--help"),
            "score_example": python_module("assess", "score", example),
        }
        env = {k: v for k, v in os.environ.items() if k != "PYTHONDONTWRITEBYTECODE"}
        self.log(f"start-up: {', '.join(commands)} ({self.config.startup_rounds} rounds)")
        for command in commands.values():
            run(command, self.config.timeout, cwd=self.dir, env=env)  # writes the bytecode
        best: dict[str, Run] = {}
        for _ in range(self.config.startup_rounds):
            for name, command in commands.items():
                r = run(command, self.config.timeout, cwd=self.dir, env=env)
                if name not in best or (not r.timed_out and r.seconds < best[name].seconds):
                    best[name] = r
        self.results["startup"] = {
            "example": example.name,
            **{name: _run_summary(r) for name, r in best.items()},
        }

    def kernel(self) -> None:
        rows = []
        for n in self.config.kernel_sizes:
            self.log(f"kernel: {n:,} engagements x 5 criteria")
            result, _ = worker("kernel", self.config.timeout, self.dir, n=n, budget=self.budget)
            rows.append({"n": n, **result})
        self.results["kernel"] = rows

    @property
    def budget(self) -> float:
        return self.config.budget

    def xlsx(self) -> None:
        rows = []
        for n in self.config.xlsx_sizes:
            path = self.dir / f"engagements-{n}.xlsx"
            t = time.perf_counter()
            data.write_xlsx(data.engagements(n), path)
            self.log(f"xlsx: {n:,} rows (workbook made in {time.perf_counter() - t:.1f} s)")
            entry: dict[str, Any] = {"n": n}
            report = self.dir / f"stages-{n}.xlsx"
            entry["stages"], _ = worker(
                "stages",
                self.config.timeout,
                self.dir,
                path=str(path),
                report=str(report),
                budget=self.budget,
            )
            cli = best_run(
                python_module("assess", "score", path, "-o", self.dir / f"report-{n}.xlsx"),
                self.config.timeout,
                cwd=self.dir,
                budget=self.budget,
            )
            entry["cli"] = _run_summary(cli)
            if report.exists():
                entry["io_floor"], _ = worker(
                    "io_floor",
                    self.config.timeout,
                    self.dir,
                    path=str(path),
                    report=str(report),
                    out=str(self.dir / f"floor-{n}.xlsx"),
                    budget=self.budget,
                )
            else:
                entry["io_floor"] = {"error": "assess wrote no report to copy the cells of"}
            entry["naive"], _ = worker(
                "naive",
                self.config.timeout,
                self.dir,
                path=str(path),
                out=str(self.dir / f"naive-{n}.xlsx"),
                header_row=HEADER_ROW,
            )
            rows.append(entry)
            for name in ("stages", "io_floor", "naive"):
                if "error" in entry[name]:
                    self.log(f"  {name}: {entry[name]['error']}")
        self.results["xlsx"] = rows

    def csv(self) -> None:
        rows = []
        for n in self.config.csv_sizes:
            path = self.dir / f"engagements-{n}.csv"
            data.write_csv(data.engagements(n), path)
            self.log(f"csv: {n:,} rows")
            cli = best_run(
                python_module("assess", "score", path, "-o", self.dir / f"scored-{n}.csv"),
                self.config.timeout,
                cwd=self.dir,
                budget=self.budget,
            )
            baseline, _ = worker(
                "csv_baseline",
                self.config.timeout,
                self.dir,
                path=str(path),
                out=str(self.dir / f"pandas-{n}.csv"),
                budget=self.budget,
            )
            rows.append({"n": n, "cli": _run_summary(cli), "pandas": baseline})
        self.results["csv"] = rows

    def record(self) -> None:
        """Recording in the history store: a fresh process scoring a CSV file, against one
        scoring it and then recording the result as a new period of an SQLite store that holds
        an earlier one, alternated and the fastest of each kept; and, for scale, the whole
        ``assess score FILE -f json`` command."""
        c = self.config
        path = self.dir / f"record-{c.record_rows}.csv"
        data.write_csv(data.engagements(c.record_rows), path)
        seed = self.dir / "record-seed.csv"
        data.write_csv(data.engagements(min(c.record_rows, 1_000), seed=data.SEED + 1), seed)
        store = self.dir / "history.sqlite"
        for leftover in self.dir.glob("history.sqlite*"):
            leftover.unlink()
        self.log(f"record: {c.record_rows:,}-row CSV, {c.record_rounds} round(s)")
        out: dict[str, Any] = {"n": c.record_rows}
        prepared, _ = worker("new_store", c.timeout, self.dir, store=str(store), path=str(seed))
        if "error" in prepared:
            self.results["record"] = {**out, "error": prepared["error"]}
            return
        best: dict[str, tuple[dict[str, Any], Run]] = {}
        for k in range(c.record_rounds):
            for name, args in (
                ("alone", {"path": str(path)}),
                ("recorded", {"path": str(path), "store": str(store), "period": f"P{k + 1}"}),
            ):
                task = "score_alone" if name == "alone" else "score_and_record"
                timings, r = worker(task, c.timeout, self.dir, **args)
                if "error" in timings:
                    best[name] = (timings, r)
                    break
                if name not in best or r.seconds < best[name][1].seconds:
                    best[name] = (timings, r)
        for name, (timings, r) in best.items():
            out[name] = {**timings, **_run_summary(r)} if "error" not in timings else timings
        cli = run(python_module("assess", "score", path, "-f", "json"), c.timeout, cwd=self.dir)
        out["cli_json"] = _run_summary(cli)
        self.results["record"] = out

    def trend(self) -> None:
        """``assess trend ID`` over many periods (see :mod:`benchmarks.history`)."""
        trend_case(self, _run_summary, _command_available("trend"))

    def changes(self) -> None:
        """``assess changes`` between two large periods (see :mod:`benchmarks.history`)."""
        changes_case(self, _run_summary, _command_available("changes"))

    def batch(self) -> None:
        c = self.config
        folder = self.dir / "batch-in"
        folder.mkdir(exist_ok=True)
        for i in range(c.batch_files):
            frame = data.engagements(c.batch_rows, seed=data.SEED + 1000 + i)
            data.write_xlsx(frame, folder / f"q{i:03d}.xlsx")
        self.log(f"batch: {c.batch_files} workbooks of {c.batch_rows} rows, --jobs 1 and 2")
        out: dict[str, Any] = {"files": c.batch_files, "rows": c.batch_rows}
        best: dict[int, Any] = {}
        # two rounds, alternating, and the faster of each: a scaling ratio from single runs
        # moves with whatever else the machine is doing
        for _ in range(2):
            for jobs in (1, 2):
                target = self.dir / f"batch-out-{jobs}"
                shutil.rmtree(target, ignore_errors=True)
                r = run(
                    python_module("assess", "batch", folder, "-o", target, "--jobs", str(jobs)),
                    c.timeout,
                    cwd=self.dir,
                )
                if jobs not in best or (not r.timed_out and r.seconds < best[jobs].seconds):
                    best[jobs] = r
        for jobs, r in best.items():
            out[f"jobs{jobs}"] = _run_summary(r)
        out["ceiling"], _ = worker("parallel_ceiling", c.timeout, self.dir)
        self.results["batch"] = out

    def sensitivity(self) -> None:
        c = self.config
        if not c.sensitivity_rows:
            return
        if not _command_available("sensitivity"):
            self.results["sensitivity"] = {"available": False}
            self.log("sensitivity: not available")
            return
        path = self.dir / f"sensitivity-{c.sensitivity_rows}.xlsx"
        data.write_xlsx(data.engagements(c.sensitivity_rows, messy=False), path)
        self.log(f"sensitivity: {c.sensitivity_rows:,} engagements x {c.sensitivity_draws:,} draws")
        r = run(
            python_module(
                "assess", "sensitivity", path, "--draws", str(c.sensitivity_draws), "-f", "json"
            ),
            c.timeout,
            cwd=self.dir,
        )
        self.results["sensitivity"] = {
            "available": True,
            "rows": c.sensitivity_rows,
            "draws": c.sensitivity_draws,
            **_run_summary(r),
        }

    def compare(self) -> None:
        """``assess compare FILE --by Type``: seven groups, 2,000 bootstrap resamples."""
        c = self.config
        if not c.compare_rows:
            return
        if not _command_available("compare"):
            self.results["compare"] = {"available": False}
            self.log("compare: not available")
            return
        path = self.dir / f"compare-{c.compare_rows}.csv"
        data.write_csv(data.engagements(c.compare_rows), path)
        self.log(f"compare: {c.compare_rows:,} engagements by Type, 2,000 resamples")
        r = best_run(
            python_module(
                "assess", "compare", path, "--by", "Type", "--resamples", "2000", "-f", "json"
            ),
            c.timeout,
            cwd=self.dir,
            budget=self.budget,
        )
        self.results["compare"] = {"available": True, "rows": c.compare_rows, **_run_summary(r)}

    def calibrate(self) -> None:
        c = self.config
        if not c.calibrate_cases:
            return
        if not _command_available("calibrate"):
            self.results["calibrate"] = {"available": False}
            self.log("calibrate: not available")
            return
        path = self.dir / f"cases-{c.calibrate_cases}.xlsx"
        data.write_xlsx(data.past_cases(c.calibrate_cases), path)
        self.log(f"calibrate: {c.calibrate_cases:,} cases, 5-fold x 3-repeat cross-validation")
        r = run(
            python_module(
                "assess",
                "calibrate",
                path,
                "--outcome",
                "Outcome",
                "--folds",
                "5",
                "--repeats",
                "3",
                "-f",
                "json",
            ),
            c.timeout,
            cwd=self.dir,
        )
        self.results["calibrate"] = {
            "available": True,
            "cases": c.calibrate_cases,
            **_run_summary(r),
        }

    def dask(self) -> None:
        """Informational: the Dask engine on a Parquet dataset, against the pandas engine on
        the same rows as one CSV file (no target; 2 local worker processes here)."""
        c = self.config
        if not c.dask_rows:
            return
        if self.elapsed() > c.extras_until:
            self.results["dask"] = {"available": True, "skipped": "the run was already long"}
            self.log("dask engine: skipped (the run has taken long already)")
            return
        try:
            import dask  # noqa: F401
            import pyarrow  # noqa: F401
        except ImportError:
            self.results["dask"] = {"available": False}
            self.log("dask engine: not installed (pip install '.[dask]')")
            return
        folder = self.dir / "dataset"
        shutil.rmtree(folder, ignore_errors=True)
        folder.mkdir()
        frame = data.engagements(c.dask_rows)
        for col in data.CRITERIA_HEADERS:  # a typed Parquet column holds one type: ratings as text
            frame[col] = frame[col].map(lambda v: None if v is None else str(v)).astype("string")
        size = -(-len(frame) // c.dask_files)
        for i in range(c.dask_files):
            frame.iloc[i * size : (i + 1) * size].to_parquet(folder / f"part.{i}.parquet")
        csv_path = self.dir / f"dataset-{c.dask_rows}.csv"
        frame.to_csv(csv_path, index=False)
        self.log(f"dask engine: {c.dask_rows:,} rows in {c.dask_files} Parquet files")
        target = self.dir / "scores.parquet"
        shutil.rmtree(target, ignore_errors=True)
        engine = run(
            python_module(
                "assess", "score", str(folder / "*.parquet"), "--engine", "dask", "-o", target
            ),
            c.timeout,
            cwd=self.dir,
        )
        pandas_engine = run(
            python_module("assess", "score", csv_path, "-o", self.dir / "dataset-scored.csv"),
            c.timeout,
            cwd=self.dir,
        )
        self.results["dask"] = {
            "available": True,
            "rows": c.dask_rows,
            "files": c.dask_files,
            "dask": _run_summary(engine),
            "pandas": _run_summary(pandas_engine),
        }

    def run_all(self) -> dict[str, Any]:
        for case in (
            self.startup,
            self.kernel,
            self.xlsx,
            self.csv,
            self.record,
            self.trend,
            self.changes,
            self.batch,
            self.sensitivity,
            self.compare,
            self.calibrate,
            self.dask,
        ):
            case()
        return {
            "date": datetime.now(timezone.utc).strftime("%Y-%m-%d"),
            "config": asdict(self.config),
            "machine": machine(),
            "python": sys.executable,
            "seconds": self.elapsed(),
            "results": self.results,
        }


def _run_summary(r: Run) -> dict[str, Any]:
    ok = r.returncode in (0, 1)  # 1: some rows rejected, by design of the data
    out: dict[str, Any] = {"seconds": r.seconds, "peak_rss_mb": r.peak_rss_mb, "exit": r.returncode}
    if not ok:
        tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
        out["error"] = (
            f"timed out after {r.seconds:.0f} s" if r.timed_out else f"exit {r.returncode}: {tail}"
        )
    return out


def _command_available(name: str) -> bool:
    """Is ``assess NAME`` a command of this assess (not every version has every command)?"""
    from assess.cli import app

    names = {c.name or c.callback.__name__ for c in app.registered_commands if c.callback}
    return name in names


def load(path: Path) -> dict[str, Any]:
    return json.loads(path.read_text(encoding="utf-8"))
