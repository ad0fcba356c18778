"""Recording what ``assess score`` and ``assess batch`` scored as a run of a period in the
history store (``--period``, ``--store``, ``--assessor``).

The period label is checked and the store opened before any work, so a label or a store that
cannot be used stops the command at once (exit code 2) instead of after the scoring; the run is
recorded once scored, and one line says what was recorded: on stdout after the table, on stderr
when stdout carries JSON, CSV, Markdown or HTML.  Python does the same with
``assess.open_store(store).record(assess.score(files), period, assessor=...)``.

A report of a recorded run (``-o``, or data on stdout) is written after the recording, with the
period's history attached (:meth:`Recorder.context`): the comparison with the recorded period
before it, like for like, and the trends (``result.history = store.context(period)`` in
Python).

A batch is recorded as **one run** of the period: its inputs (those scored, or unchanged since
the last batch) scored together, exactly as ``assess score`` of the same files would score and
record them, so the period holds the whole portfolio and re-recording it changes nothing.  A
period has one current run, so recording each file on its own would leave only the last one
current.  When some file of the batch failed nothing is recorded: the period keeps the run it
had rather than lose the failed file's engagements.
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from typing import Any

from . import api
from .output import EXIT_UNUSABLE, console, fail, say

#: The batch statuses whose inputs a batch's run records.
RECORDED_STATUSES = ("scored", "unchanged")


@dataclass
class Recorder:
    """An open history store and the period to record in it."""

    store: Any
    period: str
    assessor: str | None = None

    def record(self, result: Any) -> Any:
        """Record ``result`` (what :func:`assess.score` returned) as the period's run; returns
        the :class:`~assess.history.Recorded`."""
        return self.store.record(result, self.period, assessor=self.assessor)

    def context(self) -> Any:
        """The period's comparison with the one before it and the trends, as recorded now
        (a :class:`~assess.history.PeriodContext`, for ``result.history``)."""
        return self.store.context(self.period)


@contextmanager
def recording(
    period: str | None, store: str | None, assessor: str | None
) -> Iterator[Recorder | None]:
    """The store, open, with the period to record; None without ``--period``.  ``--store`` or
    ``--assessor`` without ``--period`` is an error: they would be ignored unnoticed."""
    if period is None:
        given = [n for n, v in (("--store", store), ("--assessor", assessor)) if v is not None]
        if given:
            raise fail(
                f"{' and '.join(given)} {'is' if len(given) == 1 else 'are'} used only with "
                "--period PERIOD, which records the run; without --period nothing is recorded"
            )
        yield None
        return
    label = api.check_period(period)
    with api.open_store(store) as opened:
        yield Recorder(opened, label, assessor)


def say_recorded(recorded: Any, stderr: bool) -> None:
    """The line saying what was recorded (on stderr when stdout carries data)."""
    say(console(stderr=stderr), recorded.summary)


@dataclass
class BatchRun:
    """What recording a batch did: the run recorded (and the result it holds), or why nothing
    was recorded."""

    period: str
    files: list[str]
    recorded: Any = None
    result: Any = None
    refused: str = ""
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        return EXIT_UNUSABLE if self.refused else self.result.exit_code

    def to_dict(self) -> dict[str, Any] | None:
        """The ``recorded`` key of ``assess batch --format json``: None when nothing was."""
        if self.recorded is None:
            return None
        return {**self.recorded.to_dict(), "files": self.files, "counts": self.result.counts}

    def report(self, stderr: bool) -> None:
        """Say what was recorded; the error line (to raise) when nothing was."""
        if self.refused:
            raise fail(self.refused)
        run = f"  the run: {len(self.files)} file(s) scored together, {self.result.summary_line()}"
        say(console(stderr=stderr), self.recorded.summary, run, *self.notes)


def record_batch(recorder: Recorder, batch: Any, reading: dict[str, Any]) -> BatchRun:
    """Record the batch's inputs, scored together with its rubric and ``reading`` options, as
    one run of the period (see the module docstring)."""
    files = [f.input for f in batch.files if f.status in RECORDED_STATUSES]
    run = BatchRun(recorder.period, files)
    if batch.failed:
        run.refused = (
            f"period {recorder.period} not recorded: {len(batch.failed)} of "
            f"{len(batch.files)} files failed and a batch's run holds all its inputs; "
            "fix or leave out the failed files and run again"
        )
        return run
    run.result = api.score(files, rubric=batch.rubric, **reading)
    run.recorded = recorder.record(run.result)
    alone = sum(f.rejected for f in batch.files if f.status in RECORDED_STATUSES)
    repeated = run.result.counts["rejected"] - alone
    if repeated > 0:
        run.notes.append(
            f"  note: {repeated} row(s) rejected in the run: their ids appear in an earlier "
            "file of the batch (each file's report scores it on its own)"
        )
    return run
