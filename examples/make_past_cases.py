"""Generate ``examples/past_cases.xlsx``: past engagements with known outcomes, for calibration.

The "Past cases" sheet holds 190 engagements rated on the default rubric's five criteria, with
three outcome columns for the three outcome kinds ``assess calibrate`` takes:

* ``Effectiveness (0-100)``: an observed effectiveness score (numeric);
* ``Outcome``: ``success`` or ``failure`` (binary);
* ``Assessed band``: the band a later review assigned (ordinal, the rubric's band names).

The outcomes are drawn from *known* weights that differ from the rubric's expert weights —
interoperability and norms alignment matter more, transparency and resources less — plus
noise, so calibration has something real to find.  Five rows show validation at work (an
outcome that is not one, a rating that is not one, a missing id, a row with too little
evidence), and a "Pairwise" sheet holds expert pairwise judgements for ``--method ahp``.

Fixed seed; the file is byte-identical across runs.  Run from the repository root::

    python examples/make_past_cases.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_examples import FIXED_TIME, save_deterministic  # noqa: E402

SEED = 4
N_CASES = 190
SHEET = "Past cases"
CRITERIA = [
    "Transparency",
    "Norms alignment",
    "Interoperability",
    "Resources",
    "Political friction",
]
#: the weights the outcomes were drawn from (the rubric's expert weights: .25 .25 .20 .15 .15)
TRUE_WEIGHTS = np.array([0.10, 0.30, 0.35, 0.05, 0.20])
COST = np.array([False, False, False, False, True])
HEADERS = [
    "Engagement ID",
    "Engagement",
    "Type",
    "Fiscal year",
    *CRITERIA,
    "Effectiveness (0-100)",
    "Outcome",
    "Assessed band",
    "Notes",
]
WIDTHS = [14, 44, 30, 10, 12, 12, 12, 11, 11, 12, 10, 18, 44]
TYPES = {  # type -> kinds of engagement name
    "Joint exercise": ["Exercise {}", "Combined exercise {}"],
    "Peacekeeping contribution": ["{} peacekeeping rotation", "{} observer contribution"],
    "Strategic dialogue": ["{} staff talks", "{} defence policy dialogue"],
    "Military assistance and training": ["{} training team", "{} instructor course"],
    "Intelligence sharing": ["{} information exchange", "{} fusion cell"],
    "Capacity building": ["{} capacity programme", "{} institution building"],
}
PLACES = [
    "Baltic",
    "Sahel",
    "Gulf of Guinea",
    "Horn of Africa",
    "Balkans",
    "Black Sea",
    "Caribbean",
    "Andean",
    "Mekong",
    "Pacific Islands",
    "Maghreb",
    "Great Lakes",
    "Caucasus",
    "Nordic",
    "Levant",
    "Indian Ocean",
    "Central Asia",
    "Strait of Malacca",
    "Danube",
    "Adriatic",
]
BANDS = ["Ineffective", "Partially effective", "Effective", "Highly effective"]  # worst first
BAND_MINS = [35, 55, 75]
#: row i, column j: how much more important criterion i is than j (Saaty's 1-9 scale)
PAIRWISE = [
    [1, 1, 2, 3, 2],
    [None, 1, 2, 3, 2],
    [None, None, 1, 2, 1],
    [None, None, None, 1, "1/2"],
    [None, None, None, None, 1],
]


def true_score(ratings: np.ndarray) -> np.ndarray:
    """0-100 score under TRUE_WEIGHTS (the rubric's arithmetic, cost criterion inverted)."""
    x = ratings / 4.0
    x[:, COST] = 1.0 - x[:, COST]
    return 100.0 * x @ TRUE_WEIGHTS


def draw_cases(rng: np.random.Generator) -> list[list[Any]]:
    quality = rng.normal(0.0, 1.0, N_CASES)
    lean = np.array([0.5, 0.5, 0.5, 0.4, -0.4])
    raw = 2.0 + quality[:, None] * lean + rng.normal(0.0, 1.1, (N_CASES, 5))
    raw[:, 4] -= 0.6  # friction is usually low
    ratings = np.clip(np.rint(raw), 0, 4)
    score = true_score(ratings)
    effectiveness = np.clip(np.rint(score + rng.normal(0.0, 7.0, N_CASES)), 0, 100)
    success = score + rng.logistic(0.0, 5.0, N_CASES) > 50
    band = np.digitize(score + rng.logistic(0.0, 3.0, N_CASES), BAND_MINS)
    kinds = list(TYPES)
    rows = []
    for i in range(N_CASES):
        kind = kinds[int(rng.integers(len(kinds)))]
        pattern = TYPES[kind][int(rng.integers(2))]
        name = pattern.format(PLACES[int(rng.integers(len(PLACES)))])
        year = 2016 + int(rng.integers(0, 9))
        rows.append(
            [
                f"PC-{i + 1:04d}",
                name,
                kind,
                f"FY{year}",
                *[int(v) for v in ratings[i]],
                int(effectiveness[i]),
                "success" if success[i] else "failure",
                BANDS[int(band[i])],
                None,
            ]
        )
    rows.sort(key=lambda r: (r[3], r[0]))
    for number, row in enumerate(rows, start=1):
        row[0] = f"PC-{number:04d}"
    return rows


def plant_problems(rows: list[list[Any]]) -> None:
    """Rows that show validation at work (positions are 0-based data rows)."""
    rows[9][10] = "maybe"
    rows[9][12] = "After-action report inconclusive."
    rows[30][6] = "high"  # interoperability: not a rating
    rows[57][0] = None  # missing id
    for c in (5, 6, 7):  # only transparency and friction rated: insufficient evidence
        rows[88][c] = "N/A"
    rows[88][12] = "Records lost in the 2019 archive migration."
    rows[120][9] = "n/a"  # no effectiveness score: rejected only when that is the outcome
    rows[150][11] = "Good"  # not a band name: rejected only for the ordinal outcome


def build_workbook(rows: list[list[Any]]) -> Workbook:
    wb = Workbook()
    readme = wb.active
    readme.title = "Read me"
    notes = [
        "Past military-diplomacy engagements with known outcomes",
        "",
        "One row per engagement, rated afterwards on the 0-4 scale of the default rubric.",
        "Effectiveness (0-100): the evaluation unit's observed effectiveness score.",
        "Outcome: success or failure as recorded in the after-action review.",
        "Assessed band: the band the annual review assigned.",
        "Pairwise: the planning staff's pairwise judgements of the criteria (for AHP).",
        f"Synthetic data, seed {SEED}: outcomes drawn from known weights plus noise.",
    ]
    for r, line in enumerate(notes, start=1):
        readme.cell(row=r, column=1, value=line or None)
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 90

    ws = wb.create_sheet(SHEET)
    ws["A1"] = "Past engagements and outcomes, FY2016-FY2024"
    ws["A1"].font = Font(bold=True, size=14)
    for c, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        ws.cell(row=3, column=c, value=header).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=3, column=c).column_letter].width = width
    ws.freeze_panes = "A4"
    for r, row in enumerate(rows, start=4):
        for c, value in enumerate(row, start=1):
            if value is not None:
                ws.cell(row=r, column=c, value=value)

    pw = wb.create_sheet("Pairwise")
    pw["A1"] = "How much more important is the row criterion than the column criterion? (1-9)"
    pw["A1"].font = Font(bold=True)
    for j, name in enumerate(CRITERIA, start=2):
        pw.cell(row=3, column=j, value=name).font = Font(bold=True)
        pw.column_dimensions[pw.cell(row=3, column=j).column_letter].width = 18
    pw.column_dimensions["A"].width = 20
    for i, name in enumerate(CRITERIA):
        pw.cell(row=4 + i, column=1, value=name).font = Font(bold=True)
        for j, value in enumerate(PAIRWISE[i]):
            if value is not None:
                pw.cell(row=4 + i, column=2 + j, value=value)
    for props in (wb.properties,):
        props.creator = props.lastModifiedBy = "assess examples"
        props.created = props.modified = FIXED_TIME
    return wb


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the example past-cases workbook.")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder to write past_cases.xlsx into (default: examples/)",
    )
    args = parser.parse_args(argv)
    rows = draw_cases(np.random.default_rng(SEED))
    plant_problems(rows)
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "past_cases.xlsx"
    save_deterministic(build_workbook(rows), path)
    print(f"wrote {path} ({len(rows)} past cases)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
