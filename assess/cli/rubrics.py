"""``assess rubric list|show|validate``: the rubrics there are, one rubric as loaded, and every
problem with a rubric file."""

from __future__ import annotations

import json
from enum import Enum
from pathlib import Path
from typing import Annotated

import typer

from . import api
from .options import DebugOpt, FormatOpt, TableOrJson
from .output import EXIT_UNUSABLE, console, user_errors


class ShowFormat(str, Enum):
    yaml = "yaml"
    json = "json"


def rubric_list(fmt: FormatOpt = TableOrJson.table, debug: DebugOpt = False) -> None:
    """List the built-in rubrics."""
    with user_errors(debug):
        rubrics = [api.load_rubric(name) for name in api.list_rubrics()]
        if fmt is TableOrJson.json:
            items = [{**r.describe(), "title": r.title} for r in rubrics]
            typer.echo(json.dumps({"rubrics": items, "folder": str(api.builtin_dir())}, indent=2))
            return
        out = console()
        for r in rubrics:
            out.print(f"{r.name:<24} {r.version:<8} {r.short_hash}  {r.title}", markup=False)


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
    with user_errors(debug):
        r = api.load_rubric(name)
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


def rubric_validate(
    file: Annotated[Path, typer.Argument(help="Rubric YAML file to check.", readable=False)],
    fmt: FormatOpt = TableOrJson.table,
    debug: DebugOpt = False,
) -> None:
    """Check a rubric file and list every problem with its key path. Exit 0 valid, 2 invalid."""
    with user_errors(debug):
        problems = api.check_rubric(file)
        if problems:
            _print_invalid(file, problems, fmt)
            raise typer.Exit(EXIT_UNUSABLE)
        r = api.load_rubric(file)
        if fmt is TableOrJson.json:
            valid = {"valid": True, "file": str(file), "name": r.name, "version": r.version}
            typer.echo(json.dumps({**valid, "hash": r.content_hash, "problems": []}, indent=2))
        else:
            typer.echo(
                api.printable(
                    f"{file}: valid — {r.name} {r.version}, {len(r.criteria)} criteria, "
                    f"hash {r.short_hash}"
                )
            )


def _print_invalid(file: Path, problems: list, fmt: TableOrJson) -> None:
    """Every problem (as JSON on stdout, else on stderr under ``FILE: invalid``)."""
    if fmt is TableOrJson.json:
        whole = [p.message for p in problems if not p.key]  # the file as a whole is unusable
        error = whole[0] if whole else f"rubric {file} is invalid"
        payload = {"valid": False, "file": str(file), "error": error}
        typer.echo(json.dumps({**payload, "problems": [str(p) for p in problems]}, indent=2))
        return
    typer.echo(api.printable(f"{file}: invalid"), err=True)
    for p in problems:
        typer.echo(api.printable(f"  {p}"), err=True)
