"""Timing: best of N for short work, whole commands with their peak memory."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

#: repeat short timings until this many seconds have been spent (at least once, at most 5)
REPEAT_BUDGET = 2.0
MAX_REPEATS = 5


def best_of(
    fn: Callable[[], Any],
    budget: float = REPEAT_BUDGET,
    max_repeats: int = MAX_REPEATS,
    min_repeats: int = 1,
) -> tuple[float, Any]:
    """The fastest of ``min_repeats`` to ``max_repeats`` runs of ``fn`` (no more once another
    run would pass ``budget`` seconds in all), and the last run's return value.  The minimum is
    the figure least disturbed by the rest of the machine and by first-call costs."""
    times: list[float] = []
    value = None
    spent = 0.0
    while len(times) < max_repeats and (len(times) < min_repeats or spent + min(times) <= budget):
        started = time.perf_counter()
        value = fn()
        times.append(time.perf_counter() - started)
        spent += times[-1]
    return min(times), value


@dataclass
class Run:
    """One command: wall time, the largest resident set of it and its children, exit code."""

    command: list[str]
    seconds: float
    peak_rss_mb: float
    returncode: int | None  # None: killed at the timeout
    stdout: str = ""
    stderr: str = ""

    @property
    def timed_out(self) -> bool:
        return self.returncode is None

    def summary(self) -> dict[str, Any]:
        d = asdict(self)
        d["stdout"] = d["stdout"][-400:]
        d["stderr"] = d["stderr"][-400:]
        return d


# A few lines of Python between the harness and each measured command.  ``ru_maxrss`` as
# ``wait4`` reports it starts from the resident set of the process that forked the child (the
# harness, which holds generated data), so the command is forked from this small process
# instead; it reports the command's wall time, peak resident set (KiB) and exit code.
_WRAPPER = """
import os, sys, time
report, cmd = sys.argv[1], sys.argv[2:]
started = time.perf_counter()
pid = os.fork()
if pid == 0:
    try:
        os.execvp(cmd[0], cmd)
    finally:
        os._exit(127)
_, status, usage = os.wait4(pid, 0)
seconds = time.perf_counter() - started
with open(report, "w") as fh:
    fh.write(f"{seconds} {usage.ru_maxrss} {os.waitstatus_to_exitcode(status)}")
"""


def run(
    command: Sequence[str | Path], timeout: float, cwd: Path | None = None, env: dict | None = None
) -> Run:
    """Run ``command`` to completion (or kill it after ``timeout`` s) and measure it.

    Peak memory is the command's ``ru_maxrss`` as ``wait4`` returns it: the largest resident
    set of the command or of any descendant it waited for (the worker processes of
    ``assess batch``), so one measurement never leaks into the next.
    """
    cmd = [str(c) for c in command]
    with (
        tempfile.TemporaryFile() as out,
        tempfile.TemporaryFile() as err,
        tempfile.TemporaryDirectory() as tmp,
    ):
        report = Path(tmp) / "usage"
        wrapper = [sys.executable, "-S", "-c", _WRAPPER, str(report), *cmd]
        started = time.perf_counter()
        proc = subprocess.Popen(
            wrapper, stdout=out, stderr=err, cwd=cwd, env=env, start_new_session=True
        )
        try:
            proc.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)  # the wrapper and the command with it
            proc.wait()
        seconds, rss_kib, returncode = time.perf_counter() - started, 0.0, None
        if report.exists():
            text = report.read_text().split()
            seconds, rss_kib, returncode = float(text[0]), float(text[1]), int(text[2])
        out.seek(0)
        err.seek(0)
        stdout = out.read().decode("utf-8", "replace")
        stderr = err.read().decode("utf-8", "replace")
    return Run(cmd, seconds, rss_kib / 1024, returncode, stdout, stderr)  # Linux: KiB


def best_run(
    command: Sequence[str | Path],
    timeout: float,
    cwd: Path | None = None,
    budget: float = REPEAT_BUDGET,
    max_repeats: int = 3,
    env: dict | None = None,
) -> Run:
    """The fastest of a few runs of a short command; the peak memory is the largest seen."""
    runs: list[Run] = []
    while len(runs) < max_repeats:
        r = run(command, timeout, cwd=cwd, env=env)
        runs.append(r)
        if r.timed_out or r.returncode not in (0, 1) or sum(x.seconds for x in runs) > budget:
            break
    best = min(runs, key=lambda r: r.seconds if not r.timed_out else float("inf"))
    best.peak_rss_mb = max(r.peak_rss_mb for r in runs)
    return best


def python_module(module: str, *args: str | Path) -> list[str]:
    """``python -m module args`` with the interpreter running the benchmark."""
    return [sys.executable, "-m", module, *[str(a) for a in args]]


def worker(task: str, timeout: float, cwd: Path, **kwargs: Any) -> tuple[dict[str, Any], Run]:
    """Run one task of :mod:`benchmarks.worker` in a fresh interpreter; its JSON and the run."""
    # the worker imports this package: make it importable wherever the run's folder is
    root = str(Path(__file__).resolve().parent.parent)
    env = {
        **os.environ,
        "PYTHONPATH": os.pathsep.join(filter(None, [root, os.environ.get("PYTHONPATH")])),
    }
    r = run(python_module("benchmarks.worker", task, json.dumps(kwargs)), timeout, cwd=cwd, env=env)
    if r.timed_out:
        return {"error": f"timed out after {timeout:.0f} s"}, r
    lines = [line for line in r.stdout.splitlines() if line.startswith("{")]
    if r.returncode != 0 or not lines:
        tail = (r.stderr.strip().splitlines() or ["no output"])[-1]
        return {"error": f"exit {r.returncode}: {tail}"}, r
    return json.loads(lines[-1]), r
