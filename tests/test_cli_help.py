"""`assess COMMAND --help` reads cleanly at 80 columns, for every command and option declared."""

from __future__ import annotations

import re

import pytest
from typer.main import get_command
from typer.testing import CliRunner

from assess.cli import app

WIDTH = 80


def _paths(group, path=()):
    """Every command and group under ``group`` as the words typed to reach it."""
    yield path
    for name, cmd in group.commands.items():
        if hasattr(cmd, "commands"):
            yield from _paths(cmd, (*path, name))
        else:
            yield (*path, name)


ROOT = get_command(app)
PATHS = list(_paths(ROOT))


def _command(path):
    cmd = ROOT
    for name in path:
        cmd = cmd.commands[name]
    return cmd


def _help(path) -> str:
    out = CliRunner().invoke(
        app, [*path, "--help"], terminal_width=WIDTH, env={"COLUMNS": str(WIDTH)}
    )
    assert out.exit_code == 0, out.output
    return out.output


def _squeezed(text: str) -> str:
    return "".join(text.split())


def test_every_command_is_covered():
    names = {" ".join(p) for p in PATHS}
    assert {"score", "batch", "sensitivity", "rubric list", "rubric show"} <= names
    assert "rubric validate" in names and "" in names


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "assess")
def test_help_fits_80_columns_and_names_every_option_whole(path):
    text = _help(path)
    wide = [line for line in text.splitlines() if len(line) > WIDTH]
    assert not wide, wide
    assert "…" not in text
    for param in _command(path).params:
        if param.param_type_name != "option" or param.hidden:
            continue
        for name in (*param.opts, *param.secondary_opts):
            assert re.search(rf"(?<![\w-]){re.escape(name)}(?![\w-])", text), name


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "assess")
def test_help_shows_no_python_types_and_every_help_text_whole(path):
    text = _help(path)
    assert not re.search(r"<\w[^>\n]*>", text), "a Python type name in the help"
    assert not re.search(r"\{\w+\}", text), "an argument shown as {name}"
    assert "[OPTIONS]" in text.splitlines()[0]
    for param in _command(path).params:
        help_text = getattr(param, "help", None)
        if help_text and not getattr(param, "hidden", False):
            # whole, brackets included (rich markup would eat "[dask]"), wherever it wraps
            assert _squeezed(help_text) in _squeezed(text), help_text


def test_dask_extra_survives_in_the_help():
    assert "pip install 'assess[dask]'" in " ".join(_help(("score",)).split())


@pytest.mark.parametrize("path", [p for p in PATHS if p], ids=" ".join)
def test_description_paragraphs_are_filled_not_ragged(path):
    """A paragraph's line ends only where the next word would not fit."""
    lines = [line.rstrip() for line in _help(path).splitlines()]
    start = next(i for i, line in enumerate(lines) if "Usage:" in line) + 1
    body = []
    for line in lines[start:]:
        if line and (not line.startswith(" ") or "─" in line):  # the first section
            break
        body.append(line)
    assert any(body), "no description"
    for line, following in zip(body, body[1:], strict=False):
        if line.strip() and following.strip():
            assert len(line) + 1 + len(following.split()[0]) > WIDTH, (line, following)


@pytest.mark.parametrize("path", [p for p in PATHS if p], ids=" ".join)
def test_arguments_are_shown_in_capitals(path):
    usage = _help(path).splitlines()[0]
    for param in _command(path).params:
        if param.param_type_name == "argument":
            name = param.metavar or param.name.upper()
            assert re.search(rf"\b{re.escape(name)}\b", usage), (name, usage)


HEAVY = ("pandas", "numpy", "pydantic", "rich", "yaml", "sqlalchemy")


@pytest.mark.parametrize("path", PATHS, ids=lambda p: " ".join(p) or "assess")
def test_help_starts_without_the_pipeline_or_its_libraries(path):
    """``--help`` imports none of the libraries a command needs only to run (pydantic too:
    typer would build an adapter with it to read an unset help option)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from assess.cli import main\n"
        "sys.argv = ['assess', *sys.argv[1:]]\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        f"print([m for m in {HEAVY!r} if m in sys.modules], file=sys.stderr)\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", script, *path, "--help"], capture_output=True, text=True, check=True
    )
    assert done.stderr.strip().splitlines()[-1] == "[]", done.stderr
