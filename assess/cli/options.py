"""The options several commands share, declared once: their names, values and help.

The recording options (``--period``, ``--store``, ``--assessor``) are those of ``assess score``
and ``assess batch``; ``--store`` is also that of the history commands.

The reading options (``--sheet``, ``--id-column``, ``--allow-missing``, ``--max-input-size``)
go to the API as they are: :func:`reading` gives them as its keyword arguments.
"""

from __future__ import annotations

from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

#: what --max-input-size is when not given (the API's own default, written as typed)
MAX_INPUT_SIZE = "512MB"


class TableOrJson(str, Enum):
    table = "table"
    json = "json"


RubricOpt = Annotated[
    str, typer.Option("--rubric", "-r", help="Built-in rubric name or path to a rubric YAML file.")
]
DebugOpt = Annotated[bool, typer.Option("--debug", help="Show the traceback when something fails.")]
FormatOpt = Annotated[TableOrJson, typer.Option("--format", "-f", help="table or json.")]
SheetOpt = Annotated[
    str | None, typer.Option("--sheet", "-s", help="Sheet name (or 1-based number) to read.")
]
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
ReportOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Also write the full report with this analysis (.xlsx, .html, .json, .md; "
        ".csv adds its per-engagement columns to the scores).",
        readable=False,
    ),
]

ByOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--by",
        metavar="COLUMN",
        help="The column to compare by (Type, Organisation ...); a second --by adds a "
        "cross-table of mean score per cell.",
    ),
]
SplitOpt = Annotated[
    str | None,
    typer.Option(
        metavar="SEP",
        help="Split cells listing several values at SEP (e.g. ';'): an engagement then "
        "counts in each of its groups.",
    ),
]

RequireStatusOpt = Annotated[
    list[str] | None,
    typer.Option(
        "--require-status",
        metavar="STATUS",
        help="Score only the rows whose Status is this (e.g. Approved; repeat or "
        "comma-separate for several); every other row is listed as not approved.",
    ),
]

PeriodOpt = Annotated[
    str | None,
    typer.Option(
        "--period",
        metavar="PERIOD",
        help="Record the run in the history store as this period (e.g. 2025-Q3); "
        "without it nothing is recorded.",
    ),
]
StoreOpt = Annotated[
    str | None,
    typer.Option(
        "--store",
        metavar="URL|PATH",
        help="The history store: an SQLite file or a database URL (default: the ASSESS_STORE "
        "environment variable, else history.sqlite in your user data folder).",
    ),
]
AssessorOpt = Annotated[
    str | None,
    typer.Option(
        "--assessor",
        metavar="NAME",
        help="Who is recording the run (default: your login name).",
    ),
]


def reading(
    id_column: str | None,
    allow_missing: list[str] | None,
    max_input_size: str,
    sheet: str | None = None,
) -> dict[str, Any]:
    """The reading options as the API's keyword arguments (``sheet`` only when given, for the
    engines that read no sheets)."""
    options: dict[str, Any] = {
        "id_column": id_column,
        "allow_missing": allow_missing,
        "max_input_size": max_input_size,
    }
    if sheet is not None:
        options["sheet"] = sheet
    return options
