"""Batch reports: many workbooks, one report each, plus a portfolio across all of them.

:func:`run_batch` expands files, folders (recursed) and glob patterns, scores each input on
its own (in parallel processes), writes one report per input named after it, and a combined
``portfolio.xlsx`` (every engagement with its source, a per-file summary with content hashes,
and the failures) with a machine-readable ``portfolio.json`` beside it.  A file that cannot
be used is listed with its one-line reason and never stops the others; a file assess wrote
(an earlier report or portfolio, wherever it is) is listed as skipped, never scored.  With
``skip_unchanged`` an input whose content hash, rubric hash and options match the previous
run is not scored again.
"""

from __future__ import annotations

import json
import os
import re
import time
from collections.abc import Callable, Iterable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

from .._version import __version__
from ..errors import AssessError, InputError, OutputError
from ..files import atomic_path, atomic_write_bytes, xlsx_workbook
from ..inputs import file_key, find_files
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize, describe_special, parse_size, read_input
from ..pipeline import score
from ..read import SUPPORTED_SUFFIXES, file_sha256, missing_allowance
from ..report import EXTENSIONS, write_report
from ..report.provenance import PORTFOLIO, mark, written_by_assess
from ..rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from ..validation import json_value

PORTFOLIO_XLSX = "portfolio.xlsx"
PORTFOLIO_JSON = "portfolio.json"
SUFFIX = EXTENSIONS
_UNSAFE = re.compile(r"[^A-Za-z0-9._ -]+")


@dataclass
class FileOutcome:
    """What happened to one input of a batch."""

    input: str
    sha256: str = ""
    status: str = "scored"  # scored | unchanged | failed | skipped (assess wrote it)
    report: str = ""
    rows: int = 0
    scored: int = 0
    insufficient: int = 0
    rejected: int = 0
    error: str = ""
    seconds: float = 0.0
    sheet: str = ""
    #: what reading the file noted (e.g. a criterion allowed to have no column)
    notes: list[str] = field(default_factory=list)
    engagements: list[dict[str, Any]] = field(default_factory=list, repr=False)

    @property
    def clean(self) -> bool:
        return self.status != "failed" and self.scored == self.rows

    def summary_line(self) -> str:
        """How the file's rows were accounted for, or why it failed."""
        if self.status == "failed":
            return self.error
        if self.status == "skipped":
            return "; ".join(self.notes)
        return (
            f"{self.scored} scored, {self.insufficient} insufficient evidence, "
            f"{self.rejected} rejected of {self.rows} rows"
        )

    def summary(self) -> dict[str, Any]:
        # not dataclasses.asdict: it would deep-copy every engagement only to drop them
        return {f.name: getattr(self, f.name) for f in fields(self) if f.name != "engagements"}


@dataclass
class BatchResult:
    """Every input's outcome, and where the portfolio was written."""

    outdir: Path
    rubric: Rubric
    files: list[FileOutcome]
    portfolio: Path | None = None
    seconds: float = 0.0

    @property
    def failed(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "failed"]

    @property
    def skipped(self) -> list[FileOutcome]:
        return [f for f in self.files if f.status == "skipped"]

    @property
    def exit_code(self) -> int:
        if self.failed:
            return 2
        return 0 if all(f.clean for f in self.files) else 1

    def totals(self) -> dict[str, int]:
        ok = [f for f in self.files if f.status != "failed"]
        return {
            "files": len(self.files),
            "failed": len(self.failed),
            "unchanged": sum(f.status == "unchanged" for f in self.files),
            "skipped": sum(f.status == "skipped" for f in self.files),
            "rows": sum(f.rows for f in ok),
            "scored": sum(f.scored for f in ok),
            "insufficient": sum(f.insufficient for f in ok),
            "rejected": sum(f.rejected for f in ok),
        }

    def summary_line(self) -> str:
        t = self.totals()
        return (
            f"{t['files']} files ({t['failed']} failed, {t['unchanged']} unchanged, "
            f"{t['skipped']} skipped): "
            f"{t['scored']} scored, {t['insufficient']} insufficient evidence, "
            f"{t['rejected']} rejected of {t['rows']} rows"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "assess_version": __version__,
            "rubric": self.rubric.describe(),
            "outdir": str(self.outdir),
            "portfolio": str(self.portfolio) if self.portfolio else None,
            "totals": self.totals(),
            "files": [f.summary() for f in self.files],
        }


# -- inputs and output names -------------------------------------------------------------


def _wanted(path: Path) -> bool:
    name = path.name
    # Excel's lock files (~$book.xlsx) and hidden files are never inputs
    return path.suffix.lower() in SUPPORTED_SUFFIXES and not name.startswith(("~$", "."))


def expand_inputs(
    inputs: Iterable[str | Path], exclude: Path | None = None
) -> tuple[list[Path], list[FileOutcome]]:
    """Files, folders (recursed) and glob patterns -> sorted input files, each real file once
    (see :func:`assess.inputs.find_files`), plus outcomes for the arguments that matched
    nothing (failed) and for the files assess wrote (skipped, with what they are).  Earlier
    reports in ``exclude`` (the output folder: ``*-report.*`` and the portfolio) found by
    searching a folder or a pattern are left out without a word: they are about to be
    replaced."""
    found: dict[tuple[int, int], Path] = {}
    outcomes: list[FileOutcome] = []
    for item in inputs:
        text = str(item)
        p = Path(text)
        special = describe_special(p)
        explicit = p.is_file() or special is not None
        # a named pipe or device named outright is refused, with its reason, when read
        matches = [p] if special else [q for q in find_files(text) if explicit or _wanted(q)]
        if exclude is not None and not explicit:
            matches = [q for q in matches if not _is_report(q, exclude)]
        if not matches:
            outcomes.append(
                FileOutcome(
                    input=text,
                    status="failed",
                    error=f"{text}: no such file, or no spreadsheets in it",
                )
            )
        for q in matches:
            key = file_key(q)
            if key is not None and key not in found:
                found[key] = q
    files = []
    for q in sorted(found.values(), key=str):
        kind = written_by_assess(q)
        if kind is None:
            files.append(q)
        else:
            note = f"written by assess (a {kind}), not an input"
            outcomes.append(FileOutcome(input=str(q), status="skipped", notes=[note]))
    return files, outcomes


def _is_report(path: Path, outdir: Path) -> bool:
    if not path.resolve().is_relative_to(outdir.resolve()):
        return False
    return path.stem.endswith("-report") or path.name in {PORTFOLIO_XLSX, PORTFOLIO_JSON}


def _safe_stem(path: Path) -> str:
    stem = _UNSAFE.sub("_", path.stem).strip(" .") or "input"
    return stem[:120]


def output_names(inputs: list[Path], fmt: str) -> dict[Path, str]:
    """A report file name per input: ``<stem>-report.<ext>``, made unique when two inputs share
    a stem (``a/x.xlsx``, ``b/x.xlsx`` -> ``x-report.xlsx``, ``b_x-report.xlsx``).  Names hold
    no path separators, so they cannot leave the output folder."""
    ext = SUFFIX[fmt]
    names: dict[Path, str] = {}
    taken: set[str] = {PORTFOLIO_XLSX.lower(), PORTFOLIO_JSON.lower()}
    for p in inputs:
        base = _safe_stem(p)
        candidates = [f"{base}-report{ext}"]
        parent = _UNSAFE.sub("_", p.parent.name).strip(" .")
        if parent:
            candidates.append(f"{parent}_{base}-report{ext}")
        candidates += [f"{base}-{n}-report{ext}" for n in range(2, 10_000)]
        name = next(c for c in candidates if c.lower() not in taken)
        taken.add(name.lower())
        names[p] = name
    return names


# -- one file --------------------------------------------------------------------------


PORTFOLIO_FIELDS = ("id", "score", "band", "rank", "completeness", "status")


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
    if any(prev.get(k, None) != v for k, v in _layout_record(layout).items()):
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


# -- the batch ---------------------------------------------------------------------------


def run_batch(
    inputs: Iterable[str | Path],
    outdir: str | Path,
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    fmt: str = "xlsx",
    jobs: int | None = None,
    sheet: str | None = None,
    skip_unchanged: bool = False,
    on_file: Callable[[FileOutcome, int, int], None] | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> BatchResult:
    """Score every input on its own, write one report each and a portfolio.

    Parameters
    ----------
    inputs:
        Files, folders (searched recursively for spreadsheets) or glob patterns.
    outdir:
        Output folder (created if missing).  Reports are named ``<input stem>-report.<ext>``.
    fmt:
        Report format for each input: ``xlsx`` (default), ``csv``, ``json``, ``md`` or ``html``.
    jobs:
        Worker processes; default all cores.  ``1`` runs in this process.
    skip_unchanged:
        Reuse the previous run's results for inputs whose content, rubric and options are
        unchanged (recorded in ``portfolio.json``).
    on_file:
        Called after each input with ``(outcome, done, total)``, e.g. to show progress.
    sheet, id_column, allow_missing, max_input_size:
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
    if isinstance(allow_missing, str):
        allow_missing = [allow_missing]
    layout = {
        "sheet": sheet,
        "id_column": id_column,
        "allow_missing": tuple(allow_missing) if allow_missing else None,
        "max_input_size": limit,
    }
    if fmt not in SUFFIX:
        raise OutputError(f"unknown report format {fmt!r}; use one of {', '.join(sorted(SUFFIX))}")
    out = Path(outdir)
    inputs = [str(i) for i in inputs]
    files, outcomes = expand_inputs(inputs, exclude=out)
    if not files:  # nothing to score: no portfolio of nothing
        skipped = sum(o.status == "skipped" for o in outcomes)
        why = f" ({skipped} skipped: written by assess)" if skipped else ""
        raise InputError(f"no input files found for {', '.join(repr(i) for i in inputs)}{why}")
    if out.exists() and not out.is_dir():
        raise OutputError(f"{out} is a file; give -o a folder for the reports")
    try:
        out.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise OutputError(f"cannot create the output folder {out}: {exc.strerror or exc}") from exc
    names = output_names(files, fmt)
    input_set = {str(p.resolve()) for p in files}
    prev = _previous(out, limit) if skip_unchanged else {}
    todo: list[tuple[Path, str]] = []
    for p in files:
        target = out / names[p]
        if str(target.resolve()) in input_set:  # never write over an input
            outcomes.append(
                FileOutcome(
                    input=str(p),
                    status="failed",
                    error=f"{p.name}: its report would overwrite an input; use another -o folder",
                )
            )
            continue
        if skip_unchanged:
            try:
                digest = file_sha256(p, limit)
            except (OSError, AssessError):
                digest = ""  # scoring it says why it cannot be read
            reused = _reusable(prev, p, digest, rub, fmt, layout, out)
            if reused is not None:
                outcomes.append(reused)
                continue
        todo.append((p, str(target)))
    total = len(outcomes) + len(todo)
    done = 0
    for o in outcomes:
        done += 1
        if on_file:
            on_file(o, done, total)
    workers = max(1, min(jobs or os.cpu_count() or 1, len(todo) or 1))
    if workers == 1:
        for p, target in todo:
            o = _score_one(str(p), rub, layout, target, fmt)
            outcomes.append(o)
            done += 1
            if on_file:
                on_file(o, done, total)
    else:
        with ProcessPoolExecutor(max_workers=workers) as pool:
            futures = [
                pool.submit(_score_one, str(p), rub, layout, target, fmt) for p, target in todo
            ]
            for fut in as_completed(futures):
                o = fut.result()
                outcomes.append(o)
                done += 1
                if on_file:
                    on_file(o, done, total)
    outcomes.sort(key=lambda o: o.input)
    result = BatchResult(outdir=out, rubric=rub, files=outcomes)
    result.portfolio = write_portfolio(result, fmt=fmt, layout=layout)
    result.seconds = round(time.perf_counter() - start, 3)
    return result


def _portfolio_frame(result: BatchResult) -> pd.DataFrame:
    frames = []
    for f in result.files:
        if f.engagements:
            df = pd.DataFrame(f.engagements)
            df.insert(0, "source", f.input)
            df = df.rename(columns={"rank": "rank in file"})
            frames.append(df)
    if not frames:
        return pd.DataFrame(
            columns=[
                "portfolio rank",
                "source",
                "id",
                "score",
                "band",
                "rank in file",
                "completeness",
                "status",
            ]
        )
    table = pd.concat(frames, ignore_index=True)
    table.insert(
        0, "portfolio rank", table["score"].rank(method="min", ascending=False).astype("Int64")
    )
    return table.sort_values(["portfolio rank", "source", "id"], na_position="last", kind="stable")


def _typed_cells(values: pd.Series) -> tuple[str, list[Any]]:
    """A column's cells, ready to write: ``("number", floats)`` or ``("text", cleaned text)``
    with None for a blank, or ``("other", values)`` for a column of mixed types."""
    from ..report.safety import clean_text

    kind = pd.api.types.infer_dtype(values, skipna=True)
    if pd.api.types.is_bool_dtype(values):
        kind = "other"
    if kind in {"floating", "integer", "mixed-integer-float", "decimal"}:
        numbers = pd.to_numeric(values, errors="coerce").to_numpy(dtype=float, na_value=np.nan)
        return "number", [None if x != x else x for x in numbers.tolist()]
    if kind in {"string", "empty"}:
        return "text", [clean_text(t) if isinstance(t, str) else None for t in values.tolist()]
    return "other", values.tolist()


def _write_table(ws, frame: pd.DataFrame, head, date_fmt) -> None:
    """A header row and the frame's rows, in row order (the workbook streams rows to disk).

    Columns of numbers or of text (nearly all) become ready-made cells stored a row at a time
    (see ``assess.report.sheets.Row``); a blank is simply not written, and anything else goes
    through :func:`~assess.report.sheets.write_value`.
    """
    from ..report.sheets import Row, write_value

    for c, col in enumerate(frame.columns):
        write_value(ws, 0, c, str(col), head)
    columns = [_typed_cells(frame[col]) for col in frame.columns]
    make = {"number": Row.number, "text": Row.text}
    for r in range(1, len(frame) + 1):
        cells: dict[int, tuple] = {}
        later = []
        for c, (kind, values) in enumerate(columns):
            v = values[r - 1]
            if v is None and kind != "other":
                continue
            cell = make[kind](v) if kind != "other" else None
            if cell is not None:
                cells[c] = cell
            else:  # a date, a bool, text too long to check cheaply, an infinite number ...
                later.append((c, v))
        if cells:
            ws.put_row(r, cells)
        for c, v in later:
            write_value(ws, r, c, v, date_fmt=date_fmt)


def _layered_json(value: Any, depth: int = 0, flat_from: int = 3) -> str:
    """JSON indented one space per level down to ``flat_from``; deeper values on one line.

    Each file's list of engagements (level 3) is one line, encoded by the json module's C
    encoder (which cannot indent); with full indentation the Python encoder takes several
    times as long on a large portfolio.
    """
    dump = lambda v: json.dumps(v, ensure_ascii=False, allow_nan=False)  # noqa: E731
    if depth >= flat_from or not isinstance(value, (dict, list)) or not value:
        return dump(value)
    pad = "\n" + " " * (depth + 1)
    if isinstance(value, dict):
        items = [f"{dump(str(k))}: {_layered_json(v, depth + 1)}" for k, v in value.items()]
        opening, closing = "{", "}"
    else:
        items = [_layered_json(v, depth + 1) for v in value]
        opening, closing = "[", "]"
    return opening + pad + ("," + pad).join(items) + "\n" + " " * depth + closing


def _layout_record(layout: dict[str, Any]) -> dict[str, Any]:
    """The reading options as ``portfolio.json`` records them (JSON has no tuples)."""
    allowed = layout.get("allow_missing")
    return {
        "sheet": layout.get("sheet"),
        "id_column": layout.get("id_column"),
        "allow_missing": list(allowed) if allowed else None,
    }


def write_portfolio(result: BatchResult, fmt: str, layout: dict[str, Any]) -> Path:
    """Write ``portfolio.xlsx`` and ``portfolio.json`` into the batch's output folder.

    Raises :class:`~assess.errors.OutputError` if either cannot be written (a full disk)."""
    from ..report.safety import MAX_COLUMNS

    out = result.outdir
    target = out / PORTFOLIO_XLSX
    result.portfolio = target  # portfolio.json names the workbook written beside it
    data = {
        **result.to_dict(),
        "format": fmt,
        **_layout_record(layout),
        "files": [{**f.summary(), "engagements": f.engagements} for f in result.files],
    }
    try:
        atomic_write_bytes(out / PORTFOLIO_JSON, (_layered_json(data) + "\n").encode())
    except OSError as exc:
        raise OutputError(f"cannot write {out / PORTFOLIO_JSON}: {exc.strerror or exc}") from exc
    table = _portfolio_frame(result)
    notes = []
    if len(table.columns) > MAX_COLUMNS:  # carried columns beyond a sheet's room
        notes.append(
            f"the Engagements sheet leaves out the last {len(table.columns) - MAX_COLUMNS:,} of "
            f"{len(table.columns):,} columns, from {table.columns[MAX_COLUMNS]!r} on: a sheet "
            f"holds at most {MAX_COLUMNS:,} columns ({PORTFOLIO_JSON} has them all)"
        )
        table = table.iloc[:, :MAX_COLUMNS]
    files = pd.DataFrame([f.summary() for f in result.files])
    failures = files[files["status"] == "failed"][["input", "error"]] if len(files) else files
    try:
        _write_portfolio_xlsx(result, target, table, files, failures, notes)
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target


def _write_portfolio_xlsx(
    result: BatchResult,
    target: Path,
    table: pd.DataFrame,
    files: pd.DataFrame,
    failures: pd.DataFrame,
    notes: list[str],
) -> None:
    from ..report.sheets import WORKBOOK_OPTIONS, Worksheet, write_value

    with atomic_path(target) as tmp:
        wb = xlsx_workbook(tmp, WORKBOOK_OPTIONS)
        mark(wb, PORTFOLIO)
        wb.set_properties(
            {
                "title": f"Portfolio ({result.rubric.name} {result.rubric.version})",
                "author": "assess",
                "comments": f"rubric hash {result.rubric.content_hash}",
            }
        )
        head = wb.add_format({"bold": True, "bg_color": "#DDE3EA", "border": 1})
        date_fmt = wb.add_format({"num_format": "yyyy-mm-dd"})
        ws = wb.add_worksheet("Summary")
        rows = [
            ("Rubric", f"{result.rubric.name} {result.rubric.version}"),
            ("Rubric hash", result.rubric.content_hash),
            ("assess version", __version__),
            *[(k.capitalize(), v) for k, v in result.totals().items()],
            *[("Note", note) for note in notes],
        ]
        for r, (k, v) in enumerate(rows):
            ws.write_string(r, 0, k, head)
            write_value(ws, r, 1, v)
        ws.set_column(0, 0, 16)
        ws.set_column(1, 1, 70)
        for name, frame in (("Engagements", table), ("Files", files), ("Failures", failures)):
            ws = wb.add_worksheet(name, worksheet_class=Worksheet)
            _write_table(ws, frame, head, date_fmt)
            ws.freeze_panes(1, 0)
            ws.autofilter(0, 0, max(len(frame), 1), max(len(frame.columns) - 1, 0))
            ws.set_column(0, max(len(frame.columns) - 1, 0), 16)
        wb.close()
