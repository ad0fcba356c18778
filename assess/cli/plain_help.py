"""Plain help for every ``assess`` command, readable at any terminal width.

typer's rich help panels cut long option names to fit a narrow terminal, keep the
docstrings' line breaks (ragged paragraphs), read ``[dask]`` in a help text as markup and show
each value as a Python type (``<list[Path]>``, ``<str>``).  Here every command is built with
:class:`Command`: click's own formatter rewraps each paragraph to the terminal and writes a long
option name on a line of its own rather than cut it; an option's value is shown as its name
(``--sheet SHEET``) or its choices (``--format [table|json]``) and an argument as
``FILES...``, never a Python type.  :class:`Typer` gives every command it registers this class
and turns rich markup off, so a command or option added later gets the same help.

Help stays quick to show: the help option's value is a plain ``False`` until it is given, which
typer passes through as it is, rather than a ``None`` it converts with a pydantic adapter it
builds first (importing pydantic for ``assess COMMAND --help``, a good part of its time).
"""

from __future__ import annotations

from typing import Any

import typer
from typer.core import TyperCommand, TyperGroup


def _choices(param: Any) -> list[str] | None:
    """The values a choice parameter takes, as typed on the command line; else None."""
    desc = getattr(param, "type_descriptor", None)  # typer's own parameter types
    choices = getattr(desc, "choices", None) if getattr(desc, "is_choice", False) else None
    if choices is None:  # click's Choice (older typer)
        choices = getattr(getattr(param, "type", None), "choices", None)
    if not choices:
        return None
    return [str(getattr(c, "value", c)) for c in choices]


def value_name(param: Any) -> str:
    """What an option's value or an argument is called in the help: its declared metavar, its
    choices in brackets, or its name in capitals (``--prior-strength PRIOR_STRENGTH``)."""
    if param.metavar:
        return param.metavar
    choices = _choices(param)
    if choices and param.param_type_name == "option":
        return "[" + "|".join(choices) + "]"
    longest = max([*param.opts, param.name or ""], key=len)
    return longest.lstrip("-").replace("-", "_").upper()


def argument_name(param: Any) -> str:
    """``FILES...`` for an argument that takes several values, ``FILE`` for one."""
    return value_name(param) + ("..." if param.nargs != 1 else "")


def option_names(param: Any) -> str:
    """``-o, --output OUTPUT``; a flag pair as ``--sobol / --no-sobol``."""

    def names(opts: list[str]) -> str:
        text = ", ".join(sorted(opts, key=lambda o: o.startswith("--")))  # short names first
        return text if param.is_flag or param.count else f"{text} {value_name(param)}"

    return " / ".join(names(o) for o in (param.opts, param.secondary_opts) if o)


def _quick_help_option(option: Any) -> Any:
    """The help option with ``False`` as its default (see the module docstring)."""
    if option is not None and option.default is None:
        option.default = False
    return option


class Group(TyperGroup):
    """A typer group whose help option costs nothing until it is given."""

    def get_help_option(self, ctx: Any) -> Any:
        return _quick_help_option(super().get_help_option(ctx))


class Command(TyperCommand):
    """A typer command whose help names values in words (see the module docstring)."""

    def get_help_option(self, ctx: Any) -> Any:
        return _quick_help_option(super().get_help_option(ctx))

    def collect_usage_pieces(self, ctx: Any) -> list[str]:
        pieces = [self.options_metavar] if self.options_metavar else []
        for param in self.get_params(ctx):
            if param.param_type_name == "argument":
                name = argument_name(param)
                pieces.append(name if param.required else f"[{name}]")
        return pieces

    def format_options(self, ctx: Any, formatter: Any) -> None:
        arguments, options = [], []
        for param in self.get_params(ctx):
            record = param.get_help_record(ctx)
            if record is None:  # hidden
                continue
            if param.param_type_name == "argument":
                arguments.append((argument_name(param), record[1]))
            else:
                options.append((option_names(param), record[1]))
        for title, rows in (("Arguments", arguments), ("Options", options)):
            if rows:
                with formatter.section(title):
                    formatter.write_dl(rows)


class Typer(typer.Typer):
    """A ``typer.Typer`` whose help is plain text, whose commands are :class:`Command` and whose
    groups are :class:`Group`."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        kwargs.setdefault("rich_markup_mode", None)
        kwargs.setdefault("cls", Group)
        super().__init__(*args, **kwargs)

    def command(self, *args: Any, **kwargs: Any) -> Any:
        if kwargs.get("cls") is None:
            kwargs["cls"] = Command
        return super().command(*args, **kwargs)
