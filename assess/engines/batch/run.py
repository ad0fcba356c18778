"""A batch run: every input scored on its own (in parallel processes), one report each, and the
portfolio; with ``skip_unchanged``, an input unchanged since the previous run is not scored
again."""

from __future__ import annotations

import json
import os
import time
from collections.abc import Callable, Iterable, Iterator
from concurrent.futures import ProcessPoolExecutor, as_completed
from contextlib import closing
from pathlib import Path
from typing import Any

import pandas as pd

from ..._version import __version__
from ...errors import AssessError, InputError, OutputError
from ...limits import DEFAULT_MAX_INPUT_SIZE, MaxSize, parse_size, read_input
from ...pipeline import score
from ...read import file_sha256, missing_allowance
from ...report import write_report
from ...review import check_required_statuses
from ...rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from ...validation import json_value
from .discovery import PORTFOLIO_JSON, SUFFIX, expand_inputs, output_names
from .outcomes import BatchResult, FileOutcome
from .portfolio import PORTFOLIO_FIELDS, layout_record, write_portfolio

#: what is called after each input: ``(outcome, done, total)``
OnFile = Callable[[FileOutcome, int, int], None]


def _score_one(
    path: str, rubric: Rubric, layout: dict[str, Any], out: str, fmt: str
) -> FileOutcome:
    """Worker: score one input and write its report; never raises for a bad input.

    ``layout`` holds :func:`assess.score`'s reading options (sheet, id column, the criteria
    allowed to have no column)."""
    start = time.perf_counter()
    outcome = FileOutcome(input=path)
    try:
        result = score(path, rubric=rubric, **layout)
        write_report(result, out, fmt)
        src = result.sources[0]
        c = result.counts
        outcome.sha256, outcome.sheet = src.sha256, src.sheet
        outcome.notes = list(src.notes)
        outcome.rows, outcome.scored = c["rows"], c["scored"]
        outcome.insufficient, outcome.rejected = c["insufficient"], c["rejected"]
        outcome.not_approved, outcome.flagged = c["not_approved"], len(result.flags)
        outcome.report = Path(out).name
        eng = result.engagements.reset_index()
        keep = [*PORTFOLIO_FIELDS, *result.carried_columns]
        outcome.engagements = [
            {k: json_value(None if v is pd.NA else v) for k, v in rec.items()}
            for rec in eng[keep].to_dict(orient="records")
        ]
    except AssessError as exc:
        outcome.status, outcome.error = "failed", str(exc)
    except Exception as exc:  # a bug must not stop the batch either
        outcome.status = "failed"
        detail = " ".join(str(exc).split())[:200]
        outcome.error = f"{Path(path).name}: unexpected {exc.__class__.__name__}: {detail}"
    outcome.seconds = round(time.perf_counter() - start, 3)
    return outcome


# -- previous run ------------------------------------------------------------------------


def _previous(outdir: Path, limit: int = DEFAULT_MAX_INPUT_SIZE) -> dict[str, Any]:
    path = outdir / PORTFOLIO_JSON
    try:
        data = json.loads(read_input(path, limit).decode("utf-8"))
        return data if isinstance(data, dict) else {}
    except (AssessError, ValueError):  # missing, not a regular file, too large, not JSON
        return {}


def _reusable(
    prev: dict[str, Any],
    path: Path,
    digest: str,
    rubric: Rubric,
    fmt: str,
    layout: dict[str, Any],
    outdir: Path,
) -> FileOutcome | None:
    if prev.get("rubric", {}).get("hash") != rubric.content_hash or prev.get("format") != fmt:
        return None
    if prev.get("assess_version") != __version__:
        return None
    # every reading option must match: another sheet, id column or allowance is another result
    if any(prev.get(k, None) != v for k, v in layout_record(layout).items()):
        return None
    for f in prev.get("files", []):
        if (
            f.get("input") == str(path)
            and f.get("sha256") == digest
            and f.get("status") != "failed"
        ):
            if not (outdir / f.get("report", "")).is_file():
                return None
            fields = {k: v for k, v in f.items() if k in FileOutcome.__dataclass_fields__}
            outcome = FileOutcome(**fields)
            outcome.status = "unchanged"
            return outcome
    return None


def run_batch(
    inputs: Iterable[str | Path],
    outdir: str | Path,
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    fmt: str = "xlsx",
    jobs: int | None = None,
    sheet: str | None = None,
    skip_unchanged: bool = False,
    on_file: OnFile | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
    require_status: str | Iterable[str] | None = None,
) -> BatchResult:
    """Score every input on its own, write one report each and a portfolio.

    Parameters
    ----------
    inputs : Iterable[str or Path]
        Files, folders (searched recursively for spreadsheets) or glob patterns.
    outdir : str or Path
        Output folder (created if missing).  Reports are named ``<input stem>-report.<ext>``.
    fmt : str, optional
        Report format for each input: ``xlsx`` (default), ``csv``, ``json``, ``md`` or ``html``.
    jobs : int, optional
        Worker processes; default all cores.  ``1`` runs in this process.
    skip_unchanged : bool, optional
        Reuse the previous run's results for inputs whose content, rubric and options are
        unchanged (recorded in ``portfolio.json``).
    on_file : OnFile, optional
        Called after each input with ``(outcome, done, total)``, e.g. to show progress.
    sheet, id_column, allow_missing, max_input_size, require_status : optional
        Reading options for every input, as for :func:`assess.score`.

    Returns
    -------
    BatchResult
        ``exit_code`` is 0 when every row of every file was scored, 1 when some rows were
        rejected or had insufficient evidence, 2 when some files could not be used.
    """
    start = time.perf_counter()
    rub = load_rubric(rubric)
    missing_allowance(rub, allow_missing)  # an unknown criterion fails once, not per file
    limit = parse_size(max_input_size)  # so does a size that is not one
    layout = _layout(sheet, id_column, allow_missing, limit)
    layout["require_status"] = check_required_statuses(require_status, rub) or None
    if fmt not in SUFFIX:
        raise OutputError(f"unknown report format {fmt!r}; use one of {', '.join(sorted(SUFFIX))}")
    out = Path(outdir)
    inputs = [str(i) for i in inputs]
    files, outcomes = expand_inputs(inputs, exclude=out)
    if not files:  # nothing to score: no portfolio of nothing
        skipped = sum(o.status == "skipped" for o in outcomes)
        why = f" ({skipped} skipped: written by assess)" if skipped else ""
        raise InputError(f"no input files found for {', '.join(repr(i) for i in inputs)}{why}")
    _make_folder(out)
    prev = _previous(out, limit) if skip_unchanged else None
    settled, todo = _plan(files, out, fmt, rub, layout, prev)
    outcomes += settled
    total = len(outcomes) + len(todo)
    for done, o in enumerate(outcomes, 1):
        if on_file:
            on_file(o, done, total)
    # closed as soon as the loop ends, whatever ends it: the worker pool is shut down then
    with closing(_score_all(todo, rub, layout, fmt, jobs)) as scored:
        for done, o in enumerate(scored, len(outcomes) + 1):
            outcomes.append(o)
            if on_file:
                on_file(o, done, total)
    outcomes.sort(key=lambda o: o.input)
    result = BatchResult(outdir=out, rubric=rub, files=outcomes)
    result.portfolio = write_portfolio(result, fmt=fmt, layout=layout)
    result.seconds = round(time.perf_counter() - start, 3)
    return result


def _layout(
    sheet: str | None, id_column: str | None, allow_missing: str | Iterable[str] | None, limit: int
) -> dict[str, Any]:
    """The reading options every input is scored with (see :func:`_score_one`)."""
    if isinstance(allow_missing, str):
        allow_missing = [allow_missing]
    return {
        "sheet": sheet,
        "id_column": id_column,
        "allow_missing": tuple(allow_missing) if allow_missing else None,
        "max_input_size": limit,
    }


def _make_folder(out: Path) -> None:
    """The output folder, created if missing; refused when it is a file or cannot be made."""
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; give -o a folder for the reports")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror or exc}") from exc


def _plan(
    files: list[Path],
    out: Path,
    fmt: str,
    rubric: Rubric,
    layout: dict[str, Any],
    prev: dict[str, Any] | None,
) -> tuple[list[FileOutcome], list[tuple[Path, str]]]:
    """The inputs settled without scoring (a report that would overwrite an input; unchanged
    since ``prev``, the previous run, when given), and the others with their report paths."""
    names = output_names(files, fmt)
    input_set = {str(p.resolve()) for p in files}
    settled: list[FileOutcome] = []
    todo: list[tuple[Path, str]] = []
    for p in files:
        target = out / names[p]
        if str(target.resolve()) in input_set:  # never write over an input
            settled.append(
                FileOutcome(
                    input=str(p),
                    status="failed",
                    error=f"{p.name}: its report would overwrite an input; use another -o folder",
                )
            )
            continue
        if prev is not None:
            try:
                digest = file_sha256(p, layout["max_input_size"])
            except (OSError, AssessError):
                digest = ""  # scoring it says why it cannot be read
            reused = _reusable(prev, p, digest, rubric, fmt, layout, out)
            if reused is not None:
                settled.append(reused)
                continue
        todo.append((p, str(target)))
    return settled, todo


def _score_all(
    todo: list[tuple[Path, str]],
    rubric: Rubric,
    layout: dict[str, Any],
    fmt: str,
    jobs: int | None,
) -> Iterator[FileOutcome]:
    """Each input's outcome as it is scored: in this process, or in a pool of ``jobs``
    worker processes (default: all cores) when there is more than one input to score."""
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if workers == 1:
        for p, target in todo:
            yield _score_one(str(p), rubric, layout, target, fmt)
        return
    with ProcessPoolExecutor(max_workers=workers) as pool:
        futures = [
            pool.submit(_score_one, str(p), rubric, layout, target, fmt) for p, target in todo
        ]
        for fut in as_completed(futures):
            yield fut.result()
