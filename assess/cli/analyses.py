"""``assess agreement``, ``assess sensitivity``, ``assess explain`` and ``assess compare``: how
far raters agree, how sure the ranking is, why one engagement scored what it did, and which
kinds of engagement score better."""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import ExitStack, contextmanager
from enum import Enum
from pathlib import Path
from typing import TYPE_CHECKING, Annotated, Any

import typer

from .._version import __version__
from ..defaults import DEFAULT_RUBRIC
from . import api
from .options import (
    MAX_INPUT_SIZE,
    AllowMissingOpt,
    ByOpt,
    DebugOpt,
    FormatOpt,
    IdColumnOpt,
    MaxInputSizeOpt,
    ReportOpt,
    RubricOpt,
    SheetOpt,
    SplitOpt,
    TableOrJson,
    reading,
)
from .output import Progress, console, fail, print_json, progress_bar, say, user_errors

if TYPE_CHECKING:
    from rich.console import Console

#: a run shows a progress bar (on a terminal) once its draws have taken this long
PROGRESS_AFTER_SECONDS = 1.0


class CombineRule(str, Enum):
    median = "median"
    mean = "mean"
    trimmed_mean = "trimmed_mean"


def _print_analysis_json(result: Any, key: str) -> None:
    print_json(
        {
            "assess_version": __version__,
            "rubric": result.rubric.describe(),
            "summary": result.summary(),
            key: getattr(result, key).to_dict(),
            "rejected": [r.to_dict() for r in result.rejected],
        },
        allow_nan=False,
    )


def agreement(
    files: Annotated[
        list[Path],
        typer.Argument(
            help="Ratings in long format, or a workbook with one sheet per rater.", readable=False
        ),
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: Annotated[
        str | None, typer.Option("--sheet", "-s", help="Read this sheet only (long format).")
    ] = None,
    combine: Annotated[
        CombineRule | None,
        typer.Option(help="How to combine raters (default: the rubric's rule, else median)."),
    ] = None,
    flag_at: Annotated[
        float, typer.Option(min=0, help="Flag ratings whose raters are this many levels apart.")
    ] = 2.0,
    output: ReportOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    limit: Annotated[int | None, typer.Option(min=0, help="Show only N flagged ratings.")] = 20,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """How far do several raters agree? Krippendorff's alpha (ordinal) per criterion and overall,
    and every engagement and criterion whose raters are two levels apart or more.

    Exit code 0: every rating row used; 1: some rows rejected (or engagements with insufficient
    evidence); 2: unusable input, or only one rater.
    """
    with user_errors(debug):
        if output is not None:  # refuse an unusable path before the work, not after it
            api.check_report_target(output, files)
        result = api.agreement(
            files,
            rubric=rubric,
            combine=combine.value if combine else None,
            flag_at=flag_at,
            **reading(id_column, allow_missing, max_input_size, sheet),
        )
        if output is not None:
            api.write_report(result, output)
        if fmt is TableOrJson.json:
            _print_analysis_json(result, "agreement")
        else:
            out = console()
            api.print_agreement(result, out, limit=limit)
            if output is not None:
                say(out, f"wrote {output}")
    raise typer.Exit(result.exit_code)


def sensitivity(
    files: Annotated[
        list[Path], typer.Argument(help="Engagement spreadsheets, as for score.", readable=False)
    ],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: SheetOpt = None,
    draws: Annotated[int, typer.Option(min=1, help="Monte Carlo draws of the weights.")] = 10_000,
    concentration: Annotated[
        float,
        typer.Option(
            help="Dirichlet concentration K: larger keeps weights nearer the rubric's; "
            "'inf' is the rubric's weights exactly."
        ),
    ] = 50.0,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same numbers.")
    ] = 0,
    switch_aggregation: Annotated[
        bool,
        typer.Option(
            "--switch-aggregation", help="Also draw the aggregation (arithmetic or geometric)."
        ),
    ] = False,
    resample_raters: Annotated[
        bool | None,
        typer.Option(
            "--resample-raters/--no-resample-raters",
            help="Bootstrap the raters in each draw (default: on for several raters' input).",
        ),
    ] = None,
    sobol: Annotated[
        bool, typer.Option("--sobol/--no-sobol", help="Compute Sobol indices (SALib).")
    ] = True,
    output: ReportOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    limit: Annotated[int | None, typer.Option(min=0, help="Show only the top N engagements.")] = 20,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Would the ranking change under other reasonable weights? Rank intervals, band
    probabilities, mean Spearman rho, Sobol indices and a leave-one-criterion-out table.

    Exit code 0: every row scored; 1: some rows rejected or insufficient (the analysis covers
    the scored ones); 2: unusable input.
    """
    with user_errors(debug):
        if output is not None:  # refuse an unusable path before the work, not after it
            api.check_report_target(output, files)
        with _draw_progress(console(stderr=True)) as progress:
            result = api.sensitivity(
                files,
                rubric=rubric,
                draws=draws,
                concentration=concentration,
                seed=seed,
                switch_aggregation=switch_aggregation,
                resample_raters=resample_raters,
                sobol=sobol,
                progress=progress,
                **reading(id_column, allow_missing, max_input_size, sheet),
            )
        if output is not None:
            api.write_report(result, output)
        if fmt is TableOrJson.json:
            _print_analysis_json(result, "sensitivity")
        else:
            out = console()
            api.print_sensitivity(result, out, limit=limit)
            say(out, f"in {result.sensitivity.seconds:.1f} s")
            if output is not None:
                say(out, f"wrote {output}")
    raise typer.Exit(result.exit_code)


@contextmanager
def _draw_progress(out: Console) -> Iterator[Progress | None]:
    """On a terminal, a progress bar over the draws once they have run for
    :data:`PROGRESS_AFTER_SECONDS` (a quick run shows none); nothing otherwise."""
    if not out.is_terminal:
        yield None
        return
    bar: dict[str, Any] = {}
    with ExitStack() as stack:

        def update(done: int, total: int) -> None:
            started = bar.setdefault("started", time.perf_counter())
            if "task" not in bar:
                if done >= total or time.perf_counter() - started < PROGRESS_AFTER_SECONDS:
                    return
                bar["progress"], bar["task"] = stack.enter_context(
                    progress_bar(out, "evaluations", transient=True)
                )
            bar["progress"].update(bar["task"], completed=done, total=total)

        yield update


def explain(
    file: Annotated[Path, typer.Argument(help="The engagement spreadsheet.", readable=False)],
    engagement_id: Annotated[str, typer.Argument(metavar="ID", help="The engagement's id.")],
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: SheetOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Why did engagement ID score what it did? Each criterion's rating, level descriptor,
    weight and points, the gates that applied, and the smallest single-criterion improvements
    that would lift it into the next band.

    Exit code 0: explained; 1: the row was rejected or has too little evidence (said why);
    2: no such engagement, or unusable input.
    """
    with user_errors(debug):
        expl = api.explain(
            file,
            engagement_id,
            rubric=rubric,
            **reading(id_column, allow_missing, max_input_size, sheet),
        )
        if fmt is TableOrJson.json:
            print_json(expl.to_dict())
        else:
            api.print_explanation(expl, console())
    raise typer.Exit(expl.exit_code)


def compare(
    files: Annotated[
        list[Path], typer.Argument(help="Engagement spreadsheets, as for score.", readable=False)
    ],
    by: ByOpt,
    split: SplitOpt = None,
    resamples: Annotated[int, typer.Option(min=1, help="Bootstrap resamples per group.")] = 2000,
    seed: Annotated[
        int, typer.Option(help="Random seed: the same seed gives the same intervals.")
    ] = 0,
    confidence: Annotated[
        float, typer.Option(help="Confidence of the bootstrap intervals (0.9: 90 %).")
    ] = 0.90,
    alpha: Annotated[
        float, typer.Option(help="Level at which a Holm-corrected pair counts as different.")
    ] = 0.05,
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: SheetOpt = None,
    output: ReportOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    limit: Annotated[int | None, typer.Option(min=0, help="Show only N pairs.")] = 10,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Which kinds of engagement score better? Per group: n, mean and median with bootstrap
    intervals, band mix, criterion profile and share capped; Kruskal-Wallis, then each pair's
    Mann-Whitney test, Cliff's delta and difference in means, Holm-corrected.

    Exit code 0: every row scored; 1: some rows rejected or insufficient (counted in their
    groups); 2: unusable input, or no such column.
    """
    with user_errors(debug):
        if not by:
            raise fail("compare needs --by COLUMN (the column whose groups to compare)")
        if output is not None:  # refuse an unusable path before the work, not after it
            api.check_report_target(output, files)
        comparison = api.compare(
            files,
            by,
            split=split,
            confidence=confidence,
            resamples=resamples,
            seed=seed,
            alpha=alpha,
            rubric=rubric,
            **reading(id_column, allow_missing, max_input_size, sheet),
        )
        result = comparison.result
        result.comparison = comparison
        if output is not None:
            api.write_report(result, output)
        if fmt is TableOrJson.json:
            _print_analysis_json(result, "comparison")
        else:
            out = console()
            api.print_comparison(comparison, out, limit=limit)
            if output is not None:
                say(out, f"wrote {output}")
    raise typer.Exit(result.exit_code)
