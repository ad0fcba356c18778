"""``assess score``, ``assess template`` and ``assess batch``: score engagements, or write the
workbook to fill in; with ``--period``, record what was scored in the history store
(:mod:`.recording`)."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterator
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from ..defaults import DEFAULT_RUBRIC
from . import api
from .options import (
    MAX_INPUT_SIZE,
    AllowMissingOpt,
    AssessorOpt,
    ByOpt,
    DebugOpt,
    FormatOpt,
    IdColumnOpt,
    MaxInputSizeOpt,
    PeriodOpt,
    RequireStatusOpt,
    RubricOpt,
    SheetOpt,
    SplitOpt,
    StoreOpt,
    TableOrJson,
    reading,
)
from .output import console, fail, print_json, progress_bar, say, user_errors
from .recording import record_batch, recording, say_recorded

if TYPE_CHECKING:
    from rich.console import Console


class ScoreFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    md = "md"
    html = "html"


class Engine(str, Enum):
    pandas = "pandas"
    dask = "dask"


ChartsOpt = Annotated[
    Path | None,
    typer.Option(
        "--charts",
        metavar="DIR",
        help="Also write the report's charts into DIR as SVG and PNG files at slide size "
        "(bands, contributions, criteria, and comparison when there is one).",
        readable=False,
    ),
]


class BatchFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    md = "md"
    html = "html"


def score(
    files: Annotated[
        list[Path],
        typer.Argument(help="Engagement spreadsheets (.xlsx, .ods, .csv, ...).", readable=False),
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: SheetOpt = None,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write a report; the format follows the extension "
            "(.xlsx, .html, .csv, .json, .md).",
            readable=False,
        ),
    ] = None,
    fmt: Annotated[
        ScoreFormat | None,
        typer.Option(
            "--format",
            "-f",
            help="What to print: table (default), json, csv, md; "
            "or the report format for -o when its extension is not enough.",
        ),
    ] = None,
    limit: Annotated[
        int | None, typer.Option(min=0, help="Show only the top N rows in the table.")
    ] = None,
    engine: Annotated[
        Engine,
        typer.Option(
            help="pandas: in memory (default). dask: FILES are a partitioned Parquet or CSV "
            "dataset (glob patterns, folders), one partition per file, written to "
            "-o scores.parquet|scores.csv; needs pip install 'assess[dask]'.",
        ),
    ] = Engine.pandas,
    by: ByOpt = None,
    split: SplitOpt = None,
    require_status: RequireStatusOpt = None,
    charts: ChartsOpt = None,
    link_evidence: Annotated[
        bool,
        typer.Option(
            "--link-evidence",
            help="In an .html or .xlsx report (-o), make evidence that is an http(s) "
            "address a live link; by default all evidence is plain text.",
        ),
    ] = False,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    period: PeriodOpt = None,
    store: StoreOpt = None,
    assessor: AssessorOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Score every engagement in FILES; print a ranked table (or JSON/CSV) and write reports.

    Several FILES are scored together as one set. With --period the run is recorded in the
    history store as that period: recording the same files and rubric again changes nothing,
    other ones supersede the period's run (see assess history); a report (-o, or --format
    json/csv/md/html) then compares each engagement with the period before (like for like)
    and shows the trends. With --by the scores are also compared across that column's groups
    (as assess compare does), shown after the table and in the report; an Excel or HTML
    report compares by Type anyway when there is a Type column. Exit code 0: all rows scored;
    1: some rows rejected or with insufficient evidence; 2: unusable input or store.
    """
    if engine is Engine.dask:
        _score_dask(
            files,
            rubric,
            output,
            fmt,
            debug,
            reading(id_column, allow_missing, max_input_size),
            recording_asked=any(v is not None for v in (period, store, assessor)),
            comparing=bool(by) or split is not None,
            filtering=bool(require_status),
            charting=charts is not None,
        )
    with user_errors(debug):
        as_asked = _checked_outputs(files, output, fmt, charts, link_evidence)
        if split is not None and not by:
            raise fail("--split goes with --by COLUMN (the column whose cells to split)")
        with recording(period, store, assessor) as recorder:
            if recorder is not None and output is not None:  # refused before anything is recorded
                api.check_report_target(output, files, as_asked)
            result = api.score(
                files,
                rubric=rubric,
                require_status=require_status,
                **reading(id_column, allow_missing, max_input_size, sheet),
            )
            if by:
                result.comparison = api.compare(result, by, split=split)
                _warn_no_comparison(output, as_asked, fmt)
            recorded = _record(recorder, result, output is not None or fmt in DATA_FORMATS)
            drawn = _write_outputs(
                result, output, as_asked, charts, compared=bool(by), link_evidence=link_evidence
            )
        _print_scores(result, fmt, output, limit, recorded)
        if charts is not None:
            say(console(stderr=fmt in DATA_FORMATS), _charts_line(drawn, charts))
    raise typer.Exit(result.exit_code)


def _checked_outputs(
    files: list[Path],
    output: Path | None,
    fmt: ScoreFormat | None,
    charts: Path | None,
    link_evidence: bool,
) -> str | None:
    """Refuse, before any work, outputs that cannot be written as asked; the format to write
    ``-o`` in when its extension does not say (:func:`_report_format`)."""
    if fmt is ScoreFormat.xlsx and output is None:
        raise fail("--format xlsx needs -o FILE.xlsx (a workbook cannot be printed)")
    as_asked = _report_format(output, fmt)
    if link_evidence and _report_kind(output, as_asked) not in ("html", "xlsx"):
        raise fail("--link-evidence goes with -o REPORT.html or -o REPORT.xlsx")
    if charts is not None:
        api.check_charts_folder(charts, files)
    return as_asked


def _write_outputs(
    result: Any,
    output: Path | None,
    as_asked: str | None,
    charts: Path | None,
    compared: bool,
    link_evidence: bool = False,
) -> list[Path]:
    """Write the report (``-o``) and the charts (``--charts``), with the comparison by Type
    when they show one and no ``--by`` asked for another; the chart files written."""
    by_type = False
    if not compared and (output is not None or charts is not None):
        by_type = _compare_by_type(result, output, as_asked, charted=charts is not None)
    if output is not None:
        api.write_report(result, output, as_asked, link_evidence=link_evidence)
    drawn = api.write_charts(result, charts) if charts is not None else []
    if by_type and _report_kind(output, as_asked) not in COMPARED_FORMATS:
        result.comparison = None  # drawn only: what is printed stays what was asked for
    return drawn


def _charts_line(drawn: list[Path], folder: Path) -> str:
    """What ``--charts`` wrote, in one line."""
    names = sorted({p.stem for p in drawn}, key=[p.stem for p in drawn].index)
    return f"wrote {len(drawn)} charts in {folder}: {', '.join(names)} (.svg, .png)"


def _warn_no_comparison(output: Path | None, as_asked: str | None, fmt: Any) -> None:
    """Say so when ``--by`` asks for a comparison that a CSV report or printout cannot show."""
    kind = _report_kind(output, as_asked)
    if kind == "csv" or (output is None and fmt is ScoreFormat.csv):
        say(
            console(stderr=True),
            "warning: CSV has one row per engagement and no comparison: --by shows in the "
            "table, JSON, Markdown, HTML and Excel outputs (or run assess compare)",
        )


#: What ``--format`` prints as data on stdout (the scores, not the table).
DATA_FORMATS = (ScoreFormat.json, ScoreFormat.csv, ScoreFormat.md, ScoreFormat.html)


def _record(recorder: Any, result: Any, reported: bool) -> Any:
    """Record ``result`` as the period's run (None without ``--period``); when it is
    ``reported``, attach the period's history for the report: the comparison with the period
    before it and the trends, as now recorded."""
    if recorder is None:
        return None
    recorded = recorder.record(result)
    if reported:
        result.history = recorder.context()
    return recorded


#: The reports that show the comparison by Type, and the most groups they compare.
COMPARED_FORMATS = ("xlsx", "html")
MAX_COMPARED_GROUPS = 50


def _report_kind(output: Path | None, as_asked: str | None) -> str | None:
    """The format of the report ``-o`` writes (None without one)."""
    if output is None:
        return None
    return as_asked or api.report_formats().get(output.suffix.lower())


def _compare_by_type(
    result: Any, output: Path | None, as_asked: str | None, charted: bool = False
) -> bool:
    """For an Excel or HTML report, or the charts (``charted``), of input with a Type column
    (of at most :data:`MAX_COMPARED_GROUPS` types), attach the comparison of the scores by
    type; whether it was attached."""
    column = next((c for c in result.carried_columns if c.strip().casefold() == "type"), None)
    if not (_report_kind(output, as_asked) in COMPARED_FORMATS or charted) or column is None:
        return False
    if not result.counts["scored"]:
        return False
    if result.engagements[column].nunique(dropna=False) > MAX_COMPARED_GROUPS:
        return False
    result.comparison = api.compare(result, by=column)
    return True


def _report_format(output: Path | None, fmt: ScoreFormat | None) -> str | None:
    """The format to write ``-o`` in when its extension does not say (``--format``)."""
    if output is None or output.suffix.lower() in api.report_formats():
        return None
    return None if fmt in (None, ScoreFormat.table) else fmt.value


def _print_scores(
    result: Any, fmt: ScoreFormat | None, output: Path | None, limit: int | None, recorded: Any
) -> None:
    """The scores in the format asked for; after a report, its summary and where it went; then
    what was recorded (on stderr when stdout carries the scores as data)."""
    printers = {
        ScoreFormat.csv: api.to_csv,
        ScoreFormat.md: api.to_markdown,
        ScoreFormat.html: api.to_html,
    }
    if fmt is ScoreFormat.json and recorded is not None:
        print_json({**result.to_dict(), "recorded": recorded.to_dict()}, allow_nan=False)
    elif fmt is ScoreFormat.json:
        sys.stdout.write(api.to_json(result))
    elif fmt in printers:
        sys.stdout.write(printers[fmt](result))
    elif output is not None:
        notes = [f"note: {note}" for note in api.report_notes(result)]
        problems = [f"  {line}" for line in result.problem_lines()]
        since = [] if result.history is None else [f"  {result.history.headline}"]
        cmp = result.comparison
        compared = [] if cmp is None else [f"  by {' and '.join(cmp.by)}: {cmp.headline()}"]
        say(
            console(),
            *notes,
            result.summary_line(),
            *problems,
            f"wrote {output}",
            *since,
            *compared,
        )
    else:
        api.print_result(result, console(), limit=limit)
        if result.comparison is not None:
            api.print_comparison(result.comparison, console(), summary=False)
    if recorded is not None:
        say_recorded(recorded, stderr=fmt in (ScoreFormat.json, *printers))


def _score_dask(
    files, rubric, output, fmt, debug, options, recording_asked, comparing, filtering, charting
) -> None:
    """``assess score --engine dask``: a dataset scored with Dask (assess.engines.dask)."""
    with user_errors(debug):
        if filtering:
            raise fail("--engine dask scores every row; leave out --require-status")
        if charting:
            raise fail("--engine dask draws no charts (its scores go to files); leave out --charts")
        if comparing:
            raise fail(
                "--engine dask compares nothing (its scores go to files); leave out --by and "
                "--split, and run assess compare on the scores"
            )
        if recording_asked:
            raise fail(
                "--engine dask records nothing (its scores go to files); "
                "leave out --period, --store and --assessor"
            )
        if output is None:
            raise fail("--engine dask needs -o scores.parquet or -o scores.csv")
        if fmt not in (None, ScoreFormat.table, ScoreFormat.json):
            raise fail("--engine dask prints a summary (table or json); the scores go to -o")
        done = api.score_dask([str(f) for f in files], rubric=rubric, output=output, **options)
        if fmt is ScoreFormat.json:
            typer.echo(json.dumps(done.to_dict(), indent=2))
        else:
            notes = [f"note: {note}" for note in done.notes]
            wrote = f"wrote {done.output} and {done.rejected_output}"
            say(console(), *notes, done.summary_line(), wrote)
    raise typer.Exit(done.exit_code)


def template(
    output: Annotated[
        Path,
        typer.Option("--output", "-o", help="The blank workbook to write (.xlsx).", readable=False),
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    no_example: Annotated[
        bool, typer.Option("--no-example", help="Leave out the example row.")
    ] = False,
    force: Annotated[bool, typer.Option("--force", help="Overwrite an existing file.")] = False,
    fmt: FormatOpt = TableOrJson.table,
    debug: DebugOpt = False,
) -> None:
    """Write a blank engagements workbook for a rubric: its columns, a dropdown of levels on
    every rating column, each level's descriptor on the header, and a Criteria sheet."""
    with user_errors(debug):
        r = api.load_rubric(rubric)
        path = api.write_template(r, output, example_row=not no_example, overwrite=force)
        if fmt is TableOrJson.json:
            typer.echo(json.dumps({"template": str(path), "rubric": r.describe()}, indent=2))
        else:
            typer.echo(
                api.printable(f"wrote {path} for rubric {r.name} {r.version} ({r.short_hash})")
            )


def batch(
    inputs: Annotated[
        list[str], typer.Argument(help="Files, folders (searched recursively) or glob patterns.")
    ],
    outdir: Annotated[
        Path,
        typer.Option(
            "--output", "-o", help="Folder for the reports and the portfolio.", readable=False
        ),
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: Annotated[
        str | None, typer.Option("--sheet", "-s", help="Sheet name to read in every file.")
    ] = None,
    fmt: Annotated[
        BatchFormat, typer.Option("--format", "-f", help="Report format for each input.")
    ] = BatchFormat.xlsx,
    jobs: Annotated[
        int | None,
        typer.Option("--jobs", "-j", min=1, help="Worker processes (default: all cores)."),
    ] = None,
    skip_unchanged: Annotated[
        bool,
        typer.Option(
            "--skip-unchanged",
            help="Reuse results for inputs whose "
            "content and rubric have not changed since the last run.",
        ),
    ] = False,
    json_out: Annotated[
        bool,
        typer.Option(
            "--json", help="Print the batch summary as JSON on stdout (implied by --format json)."
        ),
    ] = False,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    require_status: RequireStatusOpt = None,
    period: PeriodOpt = None,
    store: StoreOpt = None,
    assessor: AssessorOpt = None,
    debug: DebugOpt = False,
) -> None:
    """Score many workbooks: one report per input plus portfolio.xlsx across them all.

    A file that cannot be used is listed with its reason and does not stop the others. With
    --period the batch's inputs are recorded as one run of that period, scored together as
    assess score would score them (nothing is recorded when some file failed). Exit code 0:
    everything scored; 1: some rows rejected or insufficient; 2: some files failed, or an
    unusable store.
    """
    options = reading(id_column, allow_missing, max_input_size, sheet)
    with user_errors(debug):
        with recording(period, store, assessor) as recorder:
            with _batch_progress(console(stderr=True)) as on_file:
                result = api.run_batch(
                    inputs,
                    outdir,
                    rubric=rubric,
                    fmt=fmt.value,
                    jobs=jobs,
                    skip_unchanged=skip_unchanged,
                    on_file=on_file,
                    require_status=require_status,
                    **options,
                )
            recorded_with = {**options, "require_status": require_status}
            run = record_batch(recorder, result, recorded_with) if recorder is not None else None
        _print_batch(result, json_out or fmt is BatchFormat.json, run)
    raise typer.Exit(max(result.exit_code, run.exit_code if run is not None else 0))


def _print_batch(result: Any, as_json: bool, run: Any) -> None:
    """The batch summary (as JSON on stdout, or lines); then what was recorded."""
    if as_json:
        extra = {"recorded": run.to_dict()} if run is not None else {}
        print_json({**result.to_dict(), **extra})
    else:
        written = len(result.files) - len(result.failed) - len(result.skipped)
        say(
            console(),
            *(f"  skipped {f.input}: {f.summary_line()}" for f in result.skipped),
            *(f"  failed {f.error}" for f in result.failed),
            result.summary_line(),
            f"wrote {written} reports and {result.portfolio} in {result.seconds:.1f} s",
        )
    if run is not None:
        run.report(stderr=as_json)


@contextmanager
def _batch_progress(out: Console) -> Iterator[Any]:
    """A live progress bar on a terminal; plain log lines otherwise."""
    if not out.is_terminal:

        def log(outcome, done, total):
            what = "" if outcome.status == "failed" else f"{outcome.input}: {outcome.status}: "
            say(out, f"[{done}/{total}] {what}{outcome.summary_line()}")

        yield log
        return
    totals = {"rows": 0, "failed": 0}
    with progress_bar(out, "files", transient=False) as (progress, task):

        def update(outcome, done, total):
            totals["rows"] += outcome.scored
            totals["failed"] += outcome.status == "failed"
            progress.update(
                task,
                completed=done,
                total=total,
                description=f"{totals['rows']} rows scored, {totals['failed']} failed",
            )

        yield update
