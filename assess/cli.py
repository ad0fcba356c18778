"""The ``assess`` command line: thin typer commands over the Python API.

Exit codes: 0 every row scored; 1 some rows rejected or insufficient evidence (outputs still
written); 2 unusable input, rubric or output path (one line on stderr; ``--debug`` shows the
traceback).
"""

from __future__ import annotations

import json
import sys
import traceback
from contextlib import contextmanager
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer
from rich.console import Console

from . import __version__
from .api import score as score_api
from .errors import AssessError
from .report import FORMATS as REPORT_SUFFIXES
from .report import write_report
from .report.safety import printable
from .report.tabular import to_csv, to_json, to_markdown
from .report.terminal import print_result
from .rubric import DEFAULT_RUBRIC, builtin_dir, list_rubrics, load_rubric

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE = 0, 1, 2

app = typer.Typer(
    name="assess",
    help="Score engagements from spreadsheets against a weighted, anchored rubric.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rubric_app = typer.Typer(help="List, show and validate rubrics.", no_args_is_help=True)
app.add_typer(rubric_app, name="rubric")


class ScoreFormat(str, Enum):
    table = "table"
    json = "json"
    csv = "csv"
    xlsx = "xlsx"
    md = "md"
    html = "html"


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


def _stdout() -> Console:
    return Console(soft_wrap=True, highlight=False)


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
        list[Path], typer.Argument(help="Engagement spreadsheets (.xlsx, .ods, .csv, ...).")
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
        int | None, typer.Option(help="Show only the top N rows in the table.")
    ] = None,
    debug: DebugOpt = False,
) -> None:
    """Score every engagement in FILES; print a ranked table (or JSON/CSV) and write reports.

    Several FILES are scored together as one set. Exit code 0: all rows scored; 1: some rows
    rejected or with insufficient evidence; 2: unusable input.
    """
    with _user_errors(debug):
        if fmt is ScoreFormat.xlsx and output is None:
            raise _fail("--format xlsx needs -o FILE.xlsx (a workbook cannot be printed)")
        result = score_api(files, rubric=rubric, sheet=sheet)
        if output is not None:
            known = output.suffix.lower() in REPORT_SUFFIXES
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
            console.print(result.summary_line())
            for line in result.problem_lines():
                console.print(f"  {printable(line)}", markup=False)
            console.print(f"wrote {output}", markup=False)
        else:
            print_result(result, _stdout(), limit=limit)
    raise typer.Exit(result.exit_code)


@app.command()
def template(
    output: Annotated[
        Path, typer.Option("--output", "-o", help="The blank workbook to write (.xlsx).")
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
            typer.echo(f"wrote {path} for rubric {r.name} {r.version} ({r.short_hash})")


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
        Path, typer.Option("--output", "-o", help="Folder for the reports and the portfolio.")
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
    debug: DebugOpt = False,
) -> None:
    """Score many workbooks: one report per input plus portfolio.xlsx across them all.

    A file that cannot be used is listed with its reason and does not stop the others.
    Exit code 0: everything scored; 1: some rows rejected or insufficient; 2: some files failed.
    """
    from .batch import run_batch

    with _user_errors(debug):
        err = Console(stderr=True, highlight=False, soft_wrap=True)
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
            )
        if json_out or fmt is BatchFormat.json:
            sys.stdout.write(json.dumps(result.to_dict(), indent=2, ensure_ascii=False) + "\n")
        else:
            console = _stdout()
            for f in result.failed:
                console.print(f"  failed {printable(f.error)}", markup=False)
            console.print(result.summary_line(), markup=False)
            console.print(
                f"wrote {len(result.files) - len(result.failed)} reports and {result.portfolio} "
                f"in {result.seconds:.1f} s",
                markup=False,
            )
    raise typer.Exit(result.exit_code)


@contextmanager
def _batch_progress(console: Console):
    """A live progress bar on a terminal; plain log lines otherwise."""
    if not console.is_terminal:

        def log(outcome, done, total):
            state = (
                outcome.error
                if outcome.status == "failed"
                else (
                    f"{outcome.status}: {outcome.scored} scored, "
                    f"{outcome.rejected} rejected of {outcome.rows} rows"
                )
            )
            prefix = (
                f"[{done}/{total}] "
                if outcome.status == "failed"
                else f"[{done}/{total}] {outcome.input}: "
            )
            console.print(prefix + state, markup=False)

        yield log
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    totals = {"rows": 0, "failed": 0}
    with Progress(
        TextColumn("files"),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
        console=console,
        transient=False,
    ) as progress:
        task = progress.add_task("", total=None)

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
    file: Annotated[Path, typer.Argument(help="Rubric YAML file to check.")],
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
            typer.echo(f"{file}: invalid", err=True)
            for p in exc.problems or [str(exc)]:
                typer.echo(f"  {p}", err=True)
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
            f"{file}: valid — {r.name} {r.version}, {len(r.criteria)} criteria, hash {r.short_hash}"
        )


def main() -> None:
    """Console-script entry point."""
    app()


if __name__ == "__main__":
    main()
