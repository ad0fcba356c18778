"""What ``assess calibrate`` prints in the terminal: the counts, the weights, the out-of-sample
comparison, the warnings and the recommendation (from :mod:`assess.report.calibration_content`),
and a progress bar while it works."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from rich import box
from rich.console import Console
from rich.table import Table

from ...calibration.result import Calibration
from ...display import fixed
from ..calibration_content import WEIGHT_COLUMNS, cell_text, link_line, metric_rows, prior_line
from ..safety import printable


def print_calibration(cal: Calibration, console: Console) -> None:
    """The calibration in the terminal: counts, weights, comparison, warnings, advice."""
    c, rub = cal.cases, cal.rubric
    console.print(
        printable(
            f"Calibrating {rub.name} {rub.version} ({rub.short_hash}) on {c.file}, "
            f"sheet {c.sheet!r}"
        ),
        markup=False,
    )
    if c.outcome_column is not None:
        order = " < ".join(c.levels) if c.levels else "numeric"
        console.print(printable(f"Outcome {c.outcome_column!r}: {c.kind} ({order})"), markup=False)
    console.print(cal.summary_line(), markup=False)
    for line in cal.problem_lines():
        console.print(f"  {printable(line)}", markup=False)
    console.print(_weights_table(cal))
    if cal.evaluation is not None:
        console.print(_comparison_table(cal))
    for line in (link_line(cal), prior_line(cal)):
        if line:
            console.print(line, markup=False)
    if cal.ahp is not None:
        flag = "consistent" if cal.ahp.consistent else "INCONSISTENT (above 0.10)"
        console.print(f"AHP consistency ratio {cal.ahp.cr:.3f}: {flag}", markup=False)
    notes = [w for w in cal.warnings if w != cal.recommendation_text]
    if notes:
        console.print("Warnings:")
        for w in notes:
            console.print(printable(f"  ! {w}"), markup=False)
    console.print(printable(f"Recommendation: {cal.recommendation_text}"), markup=False)


def _table(title: str) -> Table:
    return Table(
        title=title,
        title_justify="left",
        box=box.SIMPLE_HEAD,
        show_edge=False,
        padding=(0, 1),
        collapse_padding=True,
    )


def _weights_table(cal: Calibration) -> Table:
    """Expert and new weights per criterion, the interval, then the other weightings."""
    t = cal.weights
    others = [w for w in WEIGHT_COLUMNS if w in t and w not in ("expert", cal.name)]
    table = _table(
        "Weights"
        + (f" (90% interval from {cal.bootstrap} bootstrap resamples)" if cal.bootstrap else "")
    )
    table.add_column("criterion", no_wrap=True)
    for h in ["expert", cal.name, *(["90% interval"] if "low" in t else []), *others]:
        table.add_column(h, justify="right", no_wrap=True)
    for cid, row in t.iterrows():
        interval = [f"{fixed(row['low'], 3)}–{fixed(row['high'], 3)}"] if "low" in t else []
        table.add_row(
            cid,
            cell_text(row["expert"]),
            cell_text(row[cal.name]),
            *interval,
            *[cell_text(row[w]) for w in others],
        )
    return table


def _comparison_table(cal: Calibration) -> Table:
    """The held-out metrics of every weighting, mean ± sd over the folds."""
    ev = cal.evaluation
    header, rows = metric_rows(cal)
    table = _table(
        f"Out of sample: {ev.n_folds}-fold cross-validation × {ev.repeats} repeats "
        f"(seed {ev.seed}), mean ± sd over {ev.n_folds * ev.repeats} folds"
    )
    for i, h in enumerate(header):
        table.add_column(h, justify="left" if i == 0 else "right")
    for row in rows:
        table.add_row(row[0], *[cell_text(v) for v in row[1:]])
    return table


@contextmanager
def calibration_progress(console: Console) -> Iterator[Any]:
    """A progress bar for cross-validation and resampling on a terminal; nothing otherwise."""
    if not console.is_terminal:
        yield None
        return
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    with Progress(
        TextColumn("{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
    ) as progress:
        tasks: dict[str, Any] = {}

        def update(stage: str, done: int, total: int) -> None:
            if stage not in tasks:
                tasks[stage] = progress.add_task(stage, total=total)
            progress.update(tasks[stage], completed=done, total=total)

        yield update
