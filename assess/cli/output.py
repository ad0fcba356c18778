"""What every command shares to talk to the user: the exit codes, the consoles, one error line
for every failure, and progress bars.

Exit codes: 0 every row scored; 1 some rows rejected or insufficient evidence (outputs still
written); 2 unusable input, rubric, output path or history store (one line on stderr;
``--debug`` shows the traceback); 130 interrupted.
"""

from __future__ import annotations

import json
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import typer

from ..errors import AssessError
from . import api

if TYPE_CHECKING:
    from rich.console import Console

EXIT_OK, EXIT_REJECTED, EXIT_UNUSABLE, EXIT_INTERRUPTED = 0, 1, 2, 130


def console(stderr: bool = False) -> Console:
    """A console for stdout (or stderr) that never reads text as markup: input text such as
    ``[/]`` or ``[bold]`` shows as written (its control characters made visible first by
    :func:`~assess.report.safety.printable`)."""
    from rich.console import Console

    return Console(stderr=stderr, soft_wrap=True, highlight=False, markup=False)


def say(out: Console, *lines: str) -> None:
    """Print ``lines`` as plain text (control characters made visible), in one call: rich's
    per-call work dominates when a large file has thousands of lines."""
    out.print("\n".join(api.printable(line) for line in lines), markup=False, highlight=False)


def print_json(payload: Any, allow_nan: bool = True) -> None:
    """``payload`` as indented JSON on stdout, every character a terminal could act on
    escaped (:func:`~assess.report.safety.inert_json`)."""
    text = json.dumps(payload, indent=2, ensure_ascii=False, allow_nan=allow_nan)
    sys.stdout.write(api.inert_json(text) + "\n")


def fail(message: str, code: int = EXIT_UNUSABLE) -> typer.Exit:
    """Print ``assess: error: message`` on stderr; the exit to raise."""
    typer.echo(f"assess: error: {api.printable(message)}", err=True)
    return typer.Exit(code)


@contextmanager
def user_errors(debug: bool) -> Iterator[None]:
    """Turn every failure into one line on stderr and exit code 2 (traceback with --debug)."""
    try:
        yield
    except typer.Exit:
        raise
    except AssessError as exc:
        if debug:
            _traceback()
        raise fail(str(exc)) from None
    except KeyboardInterrupt:
        raise fail("interrupted", EXIT_INTERRUPTED) from None
    except Exception as exc:  # a bug, but the user still gets one line, not a traceback
        if debug:
            _traceback()
        detail = " ".join(str(exc).split())[:200]
        raise fail(
            f"unexpected {exc.__class__.__name__}: {detail} (run again with --debug and report it)"
        ) from None


def _traceback() -> None:
    import traceback

    traceback.print_exc()


@contextmanager
def progress_bar(out: Console, what: str, transient: bool) -> Iterator[tuple[Any, Any]]:
    """One rich progress bar (label, bar, done/total, note, elapsed) and its task."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    columns = (
        TextColumn(what),
        BarColumn(),
        MofNCompleteColumn(),
        TextColumn("{task.description}"),
        TimeElapsedColumn(),
    )
    with Progress(*columns, console=out, transient=transient) as progress:
        yield progress, progress.add_task("", total=None)


Progress = Callable[[int, int], None]
