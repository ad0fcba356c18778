"""The error types users see.

Whole inputs that cannot be used raise an :class:`AssessError` subclass with a one-line
message.  Problems with single rows are *not* exceptions: they are
:class:`~assess.validation.Rejection` values carried in the result.
"""

from __future__ import annotations


class AssessError(Exception):
    """Base class: an input, rubric or output that cannot be used. Exit code 2 on the CLI."""

    exit_code = 2

    def __str__(self) -> str:  # one line, whatever the message holds
        return " ".join(str(self.args[0]).split()) if self.args else self.__class__.__name__


class RubricError(AssessError):
    """A rubric file is missing, unreadable or invalid.

    ``problems`` lists every problem found, each as ``"key.path: what is wrong"``.
    """

    def __init__(self, message: str, problems: list[str] | None = None, source: str = "") -> None:
        super().__init__(message)
        self.problems = list(problems or [])
        self.source = source

    def __str__(self) -> str:
        head = super().__str__()
        if not self.problems:
            return head
        return f"{head}: " + "; ".join(self.problems)


class InputError(AssessError):
    """An engagements file cannot be read, or holds no table the rubric can use."""


class OutputError(AssessError):
    """A report cannot be written where it was asked for (e.g. it would overwrite an input)."""


class OptionError(AssessError, ValueError):
    """An option's value is out of its range (a concentration of 0, say)."""


class MissingColumnError(InputError):
    """A table lacks the column of a criterion (or indicator) that the rubric scores."""


class StoreError(AssessError):
    """The assessment history store cannot be opened, read or written (damaged, locked, made by
    a newer assess, unreachable), or a request to it cannot be met (e.g. an unknown period).
    The message names the store."""
