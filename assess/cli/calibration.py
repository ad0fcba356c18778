"""``assess calibrate``: fit a rubric's weights to past cases and test them out of sample."""

from __future__ import annotations

import time
from enum import Enum
from pathlib import Path
from typing import Annotated, Any

import typer

from ..defaults import DEFAULT_RUBRIC
from . import api
from .options import (
    MAX_INPUT_SIZE,
    AllowMissingOpt,
    DebugOpt,
    FormatOpt,
    IdColumnOpt,
    MaxInputSizeOpt,
    RubricOpt,
    SheetOpt,
    TableOrJson,
    reading,
)
from .output import console, print_json, say, user_errors


class OutcomeKind(str, Enum):
    auto = "auto"
    numeric = "numeric"
    binary = "binary"
    ordinal = "ordinal"


class WeightMethod(str, Enum):
    fit = "fit"
    equal = "equal"
    entropy = "entropy"
    critic = "critic"
    ahp = "ahp"


CasesArg = Annotated[
    Path,
    typer.Argument(
        help="Past cases: a spreadsheet read like engagements, plus outcomes.", readable=False
    ),
]
OutcomeOpt = Annotated[
    str | None,
    typer.Option("--outcome", "-y", help="Header of the outcome column (needed to fit)."),
]
KindOpt = Annotated[OutcomeKind, typer.Option(help="Outcome kind; auto detects it from the cells.")]
LevelsOpt = Annotated[
    str | None,
    typer.Option(
        help='Outcome levels worst first, comma-separated: "Low,Medium,High" (ordinal; '
        'default the rubric\'s bands) or "failure,success" (binary).'
    ),
]
MethodOpt = Annotated[
    WeightMethod,
    typer.Option(help="fit: weights fitted to the outcome; or outcome-free weights."),
]
PairwiseOpt = Annotated[
    Path | None,
    typer.Option(
        help="AHP: workbook with the pairwise-comparison table (default: CASES).",
        readable=False,
    ),
]
PairwiseSheetOpt = Annotated[
    str | None, typer.Option(help="AHP: the sheet holding the pairwise table.")
]
PriorStrengthOpt = Annotated[
    float | None,
    typer.Option(
        min=0, help="Pull toward the expert weights (default: chosen by cross-validation)."
    ),
]
BootstrapOpt = Annotated[
    int, typer.Option(min=0, help="Bootstrap resamples for the weights' 90% intervals.")
]
RubricOutputOpt = Annotated[
    Path | None,
    typer.Option(
        "--output",
        "-o",
        help="Write the calibrated rubric (a new .yaml file).",
        readable=False,
    ),
]
CalibrationReportOpt = Annotated[
    Path | None,
    typer.Option("--report", help="Also write a report (.xlsx or .html).", readable=False),
]


def calibrate(
    cases: CasesArg,
    outcome: OutcomeOpt = None,
    rubric: RubricOpt = DEFAULT_RUBRIC,
    sheet: SheetOpt = None,
    kind: KindOpt = OutcomeKind.auto,
    levels: LevelsOpt = None,
    method: MethodOpt = WeightMethod.fit,
    pairwise: PairwiseOpt = None,
    pairwise_sheet: PairwiseSheetOpt = None,
    prior_strength: PriorStrengthOpt = None,
    folds: Annotated[int, typer.Option(min=2, help="Cross-validation folds.")] = 5,
    repeats: Annotated[int, typer.Option(min=1, help="Cross-validation repeats.")] = 3,
    seed: Annotated[int, typer.Option(help="Seed for the folds and the bootstrap.")] = 0,
    bootstrap: BootstrapOpt = 200,
    output: RubricOutputOpt = None,
    force: Annotated[bool, typer.Option("--force", help="Replace an existing -o file.")] = False,
    report: CalibrationReportOpt = None,
    fmt: FormatOpt = TableOrJson.table,
    id_column: IdColumnOpt = None,
    allow_missing: AllowMissingOpt = None,
    max_input_size: MaxInputSizeOpt = MAX_INPUT_SIZE,
    debug: DebugOpt = False,
) -> None:
    """Fit the rubric's weights to past cases with known outcomes, and test honestly whether
    they beat the expert weights on cases they were not fitted to.

    Exit code 0: every row used; 1: some rows rejected or with insufficient evidence; 2:
    unusable input, rubric or output path.
    """
    with user_errors(debug):
        started = time.perf_counter()
        if report is not None:  # refuse an unusable path before the work, not after it
            api.check_calibration_report(report, [str(cases)])
        with api.calibration_progress(console(stderr=True)) as on_progress:
            cal = api.calibrate(
                cases,
                rubric=rubric,
                output=output,
                force=force,
                outcome=outcome,
                kind=kind.value,
                levels=levels.split(",") if levels else None,
                method=method.value,
                prior_strength=prior_strength,
                folds=folds,
                repeats=repeats,
                seed=seed,
                bootstrap=bootstrap,
                pairwise=pairwise,
                pairwise_sheet=pairwise_sheet,
                on_progress=on_progress,
                **reading(id_column, allow_missing, max_input_size, sheet),
            )
        if report is not None:
            api.write_report(cal, report)
        _print_calibration(cal, fmt, output, report, time.perf_counter() - started)
    raise typer.Exit(cal.exit_code)


def _print_calibration(
    cal: Any, fmt: TableOrJson, output: Path | None, report: Path | None, seconds: float
) -> None:
    """The calibration (as JSON, or a summary and what was written where)."""
    if fmt is TableOrJson.json:
        print_json(cal.to_dict())
        return
    out = console()
    api.print_calibration(cal, out)
    r = cal.calibrated
    if output is not None:
        say(out, f"wrote {output}: {r.name} {r.version} ({r.short_hash})")
    if report is not None:
        say(out, f"wrote {report}")
    say(out, f"in {seconds:.1f} s")
