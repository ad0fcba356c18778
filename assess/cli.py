"""The ``assess`` command line: thin typer commands over the Python API.

Exit codes: 0 every row scored; 1 some rows rejected or insufficient evidence (outputs still
written); 2 unusable input, rubric or output path (one line on stderr; ``--debug`` shows the
traceback).
"""

from __future__ import annotations

import importlib
import json
import sys
import traceback
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from ._version import __version__
from .cli_help import Typer
from .defaults import DEFAULT_RUBRIC
from .errors import AssessError


def _lazy(module: str, name: str):
    """``module.name``, imported when first called: ``assess --help`` then starts without
    pandas and the rest of the pipeline."""

    def call(*args, **kwargs):
        return getattr(importlib.import_module(module, __package__), name)(*args, **kwargs)

    call.__name__ = call.__qualname__ = name
    return call


score_api = _lazy(".pipeline", "score")
check_report_target = _lazy(".report", "check_report_target")
write_report = _lazy(".report", "write_report")
inert_json = _lazy(".report.safety", "inert_json")
printable = _lazy(".report.safety", "printable")
report_notes = _lazy(".report.safety", "report_notes")
to_csv = _lazy(".report.tabular", "to_csv")
to_json = _lazy(".report.tabular", "to_json")
to_markdown = _lazy(".report.tabular", "to_markdown")
print_result = _lazy(".report.terminal", "print_result")
load_rubric = _lazy(".rubric", "load_rubric")
list_rubrics = _lazy(".rubric", "list_rubrics")
builtin_dir = _lazy(".rubric", "builtin_dir")


def _report_suffixes() -> dict[str, str]:
    from .report import FORMATS

    return FORMATS


EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2

app = Typer(
    name="assess",
    help="Score engagements from spreadsheets against a weighted, anchored rubric.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rubric_app = Typer(help="List, show and validate rubrics.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")


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


class ListFormat(str, Enum):
    table = "table"
    json = "json"


class ShowFormat(str, Enum):
    yaml = "yaml"
    json = "json"


RubricOpt = Annotated[
    str, typer.Option("--rubric", "-r", help="Built-in rubric name or path to a rubric YAML file.")
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback when something fails.")]
IdColumnOpt = Annotated[
    str | None,
    typer.Option(
        "--id-column",
        metavar="HEADER",
        help="Header of the column holding the engagement ids, when it is not the rubric's.",
    ),
]
AllowMissingOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--allow-missing",
        metavar="CRITERION",
        help="Score even though this criterion has no column (an id, a label, or 'all'; "
        "repeat or comma-separate for several). Without it a missing column is an error.",
    ),
]

MaxInputSizeOpt = Annotated[
    str,
    typer.Option(
        "--max-input-size",
        metavar="SIZE",
        help="Refuse an input larger than this, on disk or decompressed (e.g. 512MB, 2GB); "
        "a table may span one cell per 16 bytes of it.",
    ),
]
MAX_INPUT_SIZE = "512MB"


def _console(stderr: bool = False) -> Console:
    """A console for stdout (or stderr) that never reads text as markup: input text such as
    ``[/]`` or ``[bold]`` shows as written (its control characters made visible first by
    :func:`~assess.report.safety.printable`)."""
    return Console(stderr=stderr, soft_wrap=True, highlight=False, markup=False)


def _stdout() -> Console:
    return _console()


def _fail(message: str, code: int = EXIT_UNUSABLE) -> typer.Exit:
    typer.echo(f"assess: error: {printable(message)}", err=True)
    return typer.Exit(code)


@contextmanager
def _user_errors(debug: bool):
    """Turn every failure into one line on stderr and exit code 2 (traceback with --debug)."""
    try:
        yield
    except typer.Exit:
        raise
    except AssessError as exc:
        if debug:
            traceback.print_exc()
        raise _fail(str(exc)) from None
    except KeyboardInterrupt:
        raise _fail("interrupted", 130) from None
    except Exception as exc:  # a bug, but the user still gets one line, not a traceback
        if debug:
            traceback.print_exc()
        detail = " ".join(str(exc).split())[:200]
        raise _fail(
            f"unexpected {exc.__class__.__name__}: {detail} (run again with --debug and report it)"
        ) from None


def _version(value: bool) -> None:
    if value:
        typer.echo(f"assess {__version__}")
        raise typer.Exit()


@app.callback()
def _main(
    version: Annotated[
        bool, typer.Option("--version", callback=_version, is_eager=True, help="Show the version.")
    ] = False,
) -> None:
    """Score engagements from spreadsheets against a weighted, anchored rubric."""


@app.command()
def score(
    files: Annotated[
        list[Path],
        typer.Argument(help="Engagement spreadsheets (.xlsx, .ods, .csv, ...).", readable=False),
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: Annotated[
        str | None, typer.Option("--sheet", "-s", help="Sheet name (or 1-based number) to read.")
    ] = None,
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
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Score every engagement in FILES; print a ranked table (or JSON/CSV) and write reports.

    Several FILES are scored together as one set. Exit code 0: all rows scored; 1: some rows
    rejected or with insufficient evidence; 2: unusable input.
    """
    if engine is Engine.dask:
        _score_dask(files, rubric, output, fmt, debug, id_column, allow_missing, max_input_size)
    with _user_errors(debug):
        if fmt is ScoreFormat.xlsx and output is None:
            raise _fail("--format xlsx needs -o FILE.xlsx (a workbook cannot be printed)")
        result = score_api(
            files,
            rubric=rubric,
            sheet=sheet,
            id_column=id_column,
            allow_missing=allow_missing,
            max_input_size=max_input_size,
        )
        if output is not None:
            known = output.suffix.lower() in _report_suffixes()
            write_report(
                result, output, None if known or fmt in (None, ScoreFormat.table) else fmt.value
            )
        from .report.html import to_html

        printers = {
            ScoreFormat.json: to_json,
            ScoreFormat.csv: to_csv,
            ScoreFormat.md: to_markdown,
            ScoreFormat.html: to_html,
        }
        if fmt in printers:
            sys.stdout.write(printers[fmt](result))
        elif output is not None:
            console = _stdout()
            for note in report_notes(result):
                console.print(f"note: {printable(note)}", markup=False, highlight=False)
            console.print(result.summary_line())
            lines = [f"  {printable(line)}" for line in result.problem_lines()]
            # one call: rich's per-call work dominates when a large file has thousands of lines
            console.print(
                "\n".join([*lines, f"wrote {printable(str(output))}"]),
                markup=False,
                highlight=False,
            )
        else:
            print_result(result, _stdout(), limit=limit)
    raise typer.Exit(result.exit_code)


def _score_dask(
    files, rubric, output, fmt, debug, id_column, allow_missing, max_input_size
) -> None:
    """``assess score --engine dask``: a dataset scored with Dask (assess.engines.dask)."""
    with _user_errors(debug):
        if output is None:
            raise _fail("--engine dask needs -o scores.parquet or -o scores.csv")
        if fmt not in (None, ScoreFormat.table, ScoreFormat.json):
            raise _fail("--engine dask prints a summary (table or json); the scores go to -o")
        from .engines.dask import score_dask

        done = score_dask(
            [str(f) for f in files],
            rubric=rubric,
            output=output,
            id_column=id_column,
            allow_missing=allow_missing,
            max_input_size=max_input_size,
        )
        if fmt is ScoreFormat.json:
            typer.echo(json.dumps(done.to_dict(), indent=2))
        else:
            console = _stdout()
            for note in done.notes:
                console.print(f"note: {printable(note)}", markup=False, highlight=False)
            console.print(done.summary_line(), markup=False)
            console.print(
                printable(f"wrote {done.output} and {done.rejected_output}"), markup=False
            )
    raise typer.Exit(done.exit_code)


@app.command()
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
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    debug: DebugOpt = False,
) -> None:
    """Write a blank engagements workbook for a rubric: its columns, a dropdown of levels on
    every rating column, each level's descriptor on the header, and a Criteria sheet."""
    from .template import write_template

    with _user_errors(debug):
        r = load_rubric(rubric)
        path = write_template(r, output, example_row=not no_example, overwrite=force)
        if fmt is ListFormat.json:
            typer.echo(json.dumps({"template": str(path), "rubric": r.describe()}, indent=2))
        else:
            typer.echo(printable(f"wrote {path} for rubric {r.name} {r.version} ({r.short_hash})"))


class BatchFormat(str, Enum):
    xlsx = "xlsx"
    csv = "csv"
    json = "json"
    md = "md"
    html = "html"


@app.command()
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
    debug: DebugOpt = False,
) -> None:
    """Score many workbooks: one report per input plus portfolio.xlsx across them all.

    A file that cannot be used is listed with its reason and does not stop the others.
    Exit code 0: everything scored; 1: some rows rejected or insufficient; 2: some files failed.
    """
    from .engines.batch import run_batch

    with _user_errors(debug):
        err = _console(stderr=True)
        with _batch_progress(err) as on_file:
            result = run_batch(
                inputs,
                outdir,
                rubric=rubric,
                fmt=fmt.value,
                jobs=jobs,
                sheet=sheet,
                skip_unchanged=skip_unchanged,
                on_file=on_file,
                id_column=id_column,
                allow_missing=allow_missing,
                max_input_size=max_input_size,
            )
        if json_out or fmt is BatchFormat.json:
            text = json.dumps(result.to_dict(), indent=2, ensure_ascii=False)
            sys.stdout.write(inert_json(text) + "\n")
        else:
            console = _stdout()
            for f in result.skipped:
                console.print(
                    f"  skipped {printable(f.input)}: {printable(f.summary_line())}", markup=False
                )
            for f in result.failed:
                console.print(f"  failed {printable(f.error)}", markup=False)
            console.print(result.summary_line(), markup=False)
            written = len(result.files) - len(result.failed) - len(result.skipped)
            console.print(
                printable(
                    f"wrote {written} reports and {result.portfolio} in {result.seconds:.1f} s"
                ),
                markup=False,
            )
    raise typer.Exit(result.exit_code)


@contextmanager
def _progress_bar(console: Console, what: str, transient: bool):
    """One rich progress bar (label, bar, done/total, note, elapsed) and its task."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=console, transient=transient) as progress:
        yield progress, progress.add_task("", total=None)


@contextmanager
def _batch_progress(console: Console):
    """A live progress bar on a terminal; plain log lines otherwise."""
    if not console.is_terminal:

        def log(outcome, done, total):
            what = "" if outcome.status == "failed" else f"{outcome.input}: {outcome.status}: "
            line = f"[{done}/{total}] {what}{outcome.summary_line()}"
            console.print(printable(line), markup=False)

        yield log
        return
    totals = {"rows": 0, "failed": 0}
    with _progress_bar(console, "files", transient=False) as (progress, task):

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


class OutcomeKind(str, Enum):
    auto = "auto"
    numeric = "numeric"
    binary = "binary"
    ordinal = "ordinal"


class WeightMethod(str, Enum):
    fit = "fit"
    equal = "equal"
    entropy = "entropy"
    critic = "critic"
    ahp = "ahp"


@app.command()
def calibrate(
    cases: Annotated[
        Path,
        typer.Argument(
            help="Past cases: a spreadsheet read like engagements, plus outcomes.", readable=False
        ),
    ],
    outcome: Annotated[
        str | None,
        typer.Option("--outcome", "-y", help="Header of the outcome column (needed to fit)."),
    ] = None,
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: Annotated[
        str | None, typer.Option("--sheet", "-s", help="Sheet name (or 1-based number) to read.")
    ] = None,
    kind: Annotated[
        OutcomeKind, typer.Option(help="Outcome kind; auto detects it from the cells.")
    ] = OutcomeKind.auto,
    levels: Annotated[
        str | None,
        typer.Option(
            help='Outcome levels worst first, comma-separated: "Low,Medium,High" (ordinal; '
            'default the rubric\'s bands) or "failure,success" (binary).'
        ),
    ] = None,
    method: Annotated[
        WeightMethod,
        typer.Option(help="fit: weights fitted to the outcome; or outcome-free weights."),
    ] = WeightMethod.fit,
    pairwise: Annotated[
        Path | None,
        typer.Option(
            help="AHP: workbook with the pairwise-comparison table (default: CASES).",
            readable=False,
        ),
    ] = None,
    pairwise_sheet: Annotated[
        str | None, typer.Option(help="AHP: the sheet holding the pairwise table.")
    ] = None,
    prior_strength: Annotated[
        float | None,
        typer.Option(
            min=0, help="Pull toward the expert weights (default: chosen by cross-validation)."
        ),
    ] = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 5,
    repeats: Annotated[int, typer.Option(min=1, help="Cross-validation repeats.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for the folds and the bootstrap.")] = 0,
    bootstrap: Annotated[
        int, typer.Option(min=0, help="Bootstrap resamples for the weights' 90% intervals.")
    ] = 200,
    output: Annotated[
        Path | None,
        typer.Option(
            "--output",
            "-o",
            help="Write the calibrated rubric (a new .yaml file).",
            readable=False,
        ),
    ] = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing -o file.")] = False,
    report: Annotated[
        Path | None,
        typer.Option("--report", help="Also write a report (.xlsx or .html).", readable=False),
    ] = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Fit the rubric's weights to past cases with known outcomes, and test honestly whether
    they beat the expert weights on cases they were not fitted to.

    Exit code 0: every row used; 1: some rows rejected or with insufficient evidence; 2:
    unusable input, rubric or output path.
    """
    import time

    from .calibration.core import calibrate as calibrate_api
    from .calibration.core import check_rubric_output, rubric_file
    from .report import check_calibration_report_target as check_report_path
    from .report import write_calibration_report
    from .report.terminal.calibration import calibration_progress, print_calibration

    with _user_errors(debug):
        started = time.perf_counter()
        # refuse unusable output paths before the work, not after it
        if output is not None:
            check_rubric_output(
                output, force=force, rubric_path=rubric_file(rubric), cases_path=str(cases)
            )
        if report is not None:
            check_report_path(report, [str(cases)])
        err = _console(stderr=True)
        with calibration_progress(err) as on_progress:
            cal = calibrate_api(
                cases,
                outcome,
                rubric,
                sheet=sheet,
                kind=kind.value,
                levels=levels.split(",") if levels else None,
                method=method.value,
                prior_strength=prior_strength,
                folds=folds,
                repeats=repeats,
                seed=seed,
                bootstrap=bootstrap,
                pairwise=pairwise,
                pairwise_sheet=pairwise_sheet,
                on_progress=on_progress,
                id_column=id_column,
                allow_missing=allow_missing,
                max_input_size=max_input_size,
            )
        if output is not None:
            cal.write_rubric(output, force=force)
        if report is not None:
            write_calibration_report(cal, report)
        if fmt is ListFormat.json:
            text = json.dumps(cal.to_dict(), indent=2, ensure_ascii=False)
            sys.stdout.write(inert_json(text) + "\n")
        else:
            console = _stdout()
            print_calibration(cal, console)
            r = cal.calibrated
            if output is not None:
                console.print(
                    printable(f"wrote {output}: {r.name} {r.version} ({r.short_hash})"),
                    markup=False,
                )
            if report is not None:
                console.print(f"wrote {printable(str(report))}", markup=False)
            console.print(f"in {time.perf_counter() - started:.1f} s", markup=False)
    raise typer.Exit(cal.exit_code)


@rubric_app.command("list")
def rubric_list(
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    debug: DebugOpt = False,
) -> None:
    """List the built-in rubrics."""
    with _user_errors(debug):
        items = []
        for name in list_rubrics():
            r = load_rubric(name)
            items.append(
                {
                    "name": r.name,
                    "version": r.version,
                    "hash": r.content_hash,
                    "title": r.title,
                    "criteria": len(r.criteria),
                }
            )
        if fmt is ListFormat.json:
            typer.echo(json.dumps({"rubrics": items, "folder": str(builtin_dir())}, indent=2))
            return
        console = _stdout()
        for it in items:
            console.print(
                f"{it['name']:<24} {it['version']:<8} {it['hash'][:12]}  {it['title']}",
                markup=False,
            )


@rubric_app.command("show")
def rubric_show(
    name: Annotated[
        str, typer.Argument(help="Built-in rubric name or path to a rubric YAML file.")
    ],
    fmt: Annotated[
        ShowFormat, typer.Option("--format", "-f", help="yaml or json.")
    ] = ShowFormat.yaml,
    debug: DebugOpt = False,
) -> None:
    """Print a rubric as loaded (weights normalised), with its content hash."""
    with _user_errors(debug):
        r = load_rubric(name)
        if fmt is ShowFormat.json:
            typer.echo(
                json.dumps(
                    {"hash": r.content_hash, **r.model_dump(mode="json")},
                    indent=2,
                    ensure_ascii=False,
                )
            )
        else:
            typer.echo(f"# {r.name} {r.version}  hash {r.content_hash}")
            typer.echo(r.to_yaml(), nl=False)


@rubric_app.command("validate")
def rubric_validate(
    file: Annotated[Path, typer.Argument(help="Rubric YAML file to check.", readable=False)],
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    debug: DebugOpt = False,
) -> None:
    """Check a rubric file and list every problem with its key path. Exit 0 valid, 2 invalid."""
    from .errors import RubricError

    try:
        r = load_rubric(file)
    except RubricError as exc:
        if debug:
            traceback.print_exc()
        if fmt is ListFormat.json:
            typer.echo(
                json.dumps(
                    {
                        "valid": False,
                        "file": str(file),
                        "error": str(exc).split(": ")[0],
                        "problems": exc.problems,
                    },
                    indent=2,
                )
            )
        else:
            typer.echo(printable(f"{file}: invalid"), err=True)
            for p in exc.problems or [str(exc)]:
                typer.echo(printable(f"  {p}"), err=True)
        raise typer.Exit(EXIT_UNUSABLE) from None
    if fmt is ListFormat.json:
        typer.echo(
            json.dumps(
                {
                    "valid": True,
                    "file": str(file),
                    "name": r.name,
                    "version": r.version,
                    "hash": r.content_hash,
                    "problems": [],
                },
                indent=2,
            )
        )
    else:
        typer.echo(
            printable(
                f"{file}: valid — {r.name} {r.version}, {len(r.criteria)} criteria, "
                f"hash {r.short_hash}"
            )
        )


class CombineRule(str, Enum):
    median = "median"
    mean = "mean"
    trimmed_mean = "trimmed_mean"


OutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Also write the full report with this analysis (.xlsx, .html, .json, .md; "
        ".csv adds its per-engagement columns to the scores).",
        readable=False,
    ),
]


def _analysis_json(result, key: str) -> str:
    payload = {
        "assess_version": __version__,
        "rubric": result.rubric.describe(),
        "summary": result.summary(),
        key: getattr(result, key).to_dict(),
        "rejected": [r.to_dict() for r in result.rejected],
    }
    return inert_json(json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=False)) + "\n"


@app.command()
def agreement(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Ratings in long format, or a workbook with one sheet per rater.", readable=False
        ),
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: Annotated[
        str | None, typer.Option("--sheet", "-s", help="Read this sheet only (long format).")
    ] = None,
    combine: Annotated[
        CombineRule | None,
        typer.Option(help="How to combine raters (default: the rubric's rule, else median)."),
    ] = None,
    flag_at: Annotated[
        float, typer.Option(min=0, help="Flag ratings whose raters are this many levels apart.")
    ] = 2.0,
    output: OutputOpt = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    limit: Annotated[int | None, typer.Option(min=0, help="Show only N flagged ratings.")] = 20,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """How far do several raters agree? Krippendorff's alpha (ordinal) per criterion and overall,
    and every engagement and criterion whose raters are two levels apart or more.

    Exit code 0: every rating row used; 1: some rows rejected (or engagements with insufficient
    evidence); 2: unusable input, or only one rater.
    """
    from .analyses.agreement import agreement as agreement_api
    from .report.terminal.analyses import print_agreement

    with _user_errors(debug):
        if output is not None:  # refuse an unusable path before the work, not after it
            check_report_target(output, files)
        result = agreement_api(
            files,
            rubric=rubric,
            sheet=sheet,
            combine=combine.value if combine else None,
            flag_at=flag_at,
            id_column=id_column,
            allow_missing=allow_missing,
            max_input_size=max_input_size,
        )
        if output is not None:
            write_report(result, output)
        if fmt is ListFormat.json:
            sys.stdout.write(_analysis_json(result, "agreement"))
        else:
            console = _stdout()
            print_agreement(result, console, limit=limit)
            if output is not None:
                console.print(f"wrote {printable(str(output))}", markup=False)
    raise typer.Exit(result.exit_code)


@contextmanager
def _draw_progress(console: Console, enabled: bool):
    """A progress bar over the draws on a terminal, for long runs; nothing otherwise."""
    if not (enabled and console.is_terminal):
        yield None
        return
    with _progress_bar(console, "evaluations", transient=True) as (progress, task):

        def update(done: int, total: int) -> None:
            progress.update(task, completed=done, total=total)

        yield update


@app.command()
def sensitivity(
    files: Annotated[
        list[Path], typer.Argument(help="Engagement spreadsheets, as for score.", readable=False)
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: Annotated[
        str | None, typer.Option("--sheet", "-s", help="Sheet name (or 1-based number) to read.")
    ] = None,
    draws: Annotated[int, typer.Option(min=1, help="Monte Carlo draws of the weights.")] = 10_000,
    concentration: Annotated[
        float,
        typer.Option(
            help="Dirichlet concentration K: larger keeps weights nearer the rubric's; "
            "'inf' is the rubric's weights exactly."
        ),
    ] = 50.0,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same numbers.")
    ] = 0,
    switch_aggregation: Annotated[
        bool,
        typer.Option(
            "--switch-aggregation", help="Also draw the aggregation (arithmetic or geometric)."
        ),
    ] = False,
    resample_raters: Annotated[
        bool | None,
        typer.Option(
            "--resample-raters/--no-resample-raters",
            help="Bootstrap the raters in each draw (default: on for several raters' input).",
        ),
    ] = None,
    sobol: Annotated[
        bool, typer.Option("--sobol/--no-sobol", help="Compute Sobol indices (SALib).")
    ] = True,
    output: OutputOpt = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    limit: Annotated[int | None, typer.Option(min=0, help="Show only the top N engagements.")] = 20,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Would the ranking change under other reasonable weights? Rank intervals, band
    probabilities, mean Spearman rho, Sobol indices and a leave-one-criterion-out table.

    Exit code 0: every row scored; 1: some rows rejected or insufficient (the analysis covers
    the scored ones); 2: unusable input.
    """
    from .analyses.sensitivity import sensitivity as sensitivity_api
    from .report.terminal.analyses import print_sensitivity

    with _user_errors(debug):
        if not concentration > 0:
            raise _fail("--concentration must be greater than 0")
        if output is not None:  # refuse an unusable path before the work, not after it
            check_report_target(output, files)
        result = score_api(
            files,
            rubric=rubric,
            sheet=sheet,
            id_column=id_column,
            allow_missing=allow_missing,
            max_input_size=max_input_size,
        )
        err = _console(stderr=True)
        with _draw_progress(err, draws * len(result.scored) >= 2_000_000) as progress:
            result = sensitivity_api(
                result,
                draws=draws,
                concentration=concentration,
                seed=seed,
                switch_aggregation=switch_aggregation,
                resample_raters=resample_raters,
                sobol=sobol,
                progress=progress,
            )
        if output is not None:
            write_report(result, output)
        if fmt is ListFormat.json:
            sys.stdout.write(_analysis_json(result, "sensitivity"))
        else:
            console = _stdout()
            print_sensitivity(result, console, limit=limit)
            console.print(f"in {result.sensitivity.seconds:.1f} s", markup=False)
            if output is not None:
                console.print(f"wrote {printable(str(output))}", markup=False)
    raise typer.Exit(result.exit_code)


@app.command()
def explain(
    file: Annotated[Path, typer.Argument(help="The engagement spreadsheet.", readable=False)],
    engagement_id: Annotated[str, typer.Argument(metavar="ID", help="The engagement's id.")],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: Annotated[
        str | None, typer.Option("--sheet", "-s", help="Sheet name (or 1-based number) to read.")
    ] = None,
    fmt: Annotated[
        ListFormat, typer.Option("--format", "-f", help="table or json.")
    ] = ListFormat.table,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Why did engagement ID score what it did? Each criterion's rating, level descriptor,
    weight and points, the gates that applied, and the smallest single-criterion improvements
    that would lift it into the next band.

    Exit code 0: explained; 1: the row was rejected or has too little evidence (said why);
    2: no such engagement, or unusable input.
    """
    from .analyses.explain import explain as explain_api
    from .report.terminal.analyses import print_explanation

    with _user_errors(debug):
        expl = explain_api(
            file,
            engagement_id,
            rubric=rubric,
            sheet=sheet,
            id_column=id_column,
            allow_missing=allow_missing,
            max_input_size=max_input_size,
        )
        if fmt is ListFormat.json:
            typer.echo(inert_json(json.dumps(expl.to_dict(), indent=2, ensure_ascii=False)))
        else:
            print_explanation(expl, _stdout())
    raise typer.Exit(expl.exit_code)


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
