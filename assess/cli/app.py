"""The ``assess`` application: its commands, each from the module of its group, and
:func:`main`, the console script."""

from __future__ import annotations

from typing import Annotated

import typer

from .._version import __version__
from . import analyses, calibration, history, rubrics, scoring
from .plain_help import Typer

app = Typer(
    name="assess",
    help="Score engagements from spreadsheets against a weighted, anchored rubric.",
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
    context_settings={"help_option_names": ["-h", "--help"]},
)
rubric_app = Typer(help="List, show and validate rubrics.", no_args_is_help=True)
store_app = Typer(
    help="Delete a period from the history store, or export the history as Parquet.",
    no_args_is_help=True,
)


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


# in the order `assess --help` lists them
for command in (
    scoring.score,
    scoring.template,
    scoring.batch,
    calibration.calibrate,
    analyses.agreement,
    analyses.sensitivity,
    analyses.explain,
    analyses.compare,
):
    app.command()(command)
app.command("history")(history.show_history)
app.command("trend")(history.show_trend)
app.command("changes")(history.show_changes)
app.add_typer(rubric_app, name="rubric")
for name, command in (
    ("list", rubrics.rubric_list),
    ("show", rubrics.rubric_show),
    ("validate", rubrics.rubric_validate),
):
    rubric_app.command(name)(command)
app.add_typer(store_app, name="store")
for name, command in (("delete", history.store_delete), ("export", history.store_export)):
    store_app.command(name)(command)


def main() -> None:
    """Console-script entry point."""
    app()
