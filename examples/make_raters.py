"""Generate the multi-rater examples: three analysts rating the same 24 engagements.

* ``ratings_by_rater.xlsx``: a "Read me" sheet, then one sheet per rater ("Rater A", "Rater B",
  "Rater C") in the usual engagements layout;
* ``ratings_long.csv``: the same ratings in long format, one row per engagement, rater and
  criterion (``Engagement ID, Engagement, Rater, Criterion, Rating``).

Each rater sees the engagement's underlying quality through their own habits: Rater A is close
to it, Rater B a little generous, Rater C harsher on political friction and noisier.  A few
cells show the checks at work: one rating that is no level ('high', rejected with its cell), one
rating left N/A, one engagement Rater C did not rate, and two engagements on which the raters
are far apart (flagged for review).  Both files are byte-identical across runs::

    python examples/make_raters.py [--out DIR]
"""

from __future__ import annotations

import argparse
import csv
import io
import sys
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_examples import CATALOGUE, FIXED_TIME, PROFILES, save_deterministic  # noqa: E402

SEED = 2026
RATERS = ("Rater A", "Rater B", "Rater C")
#: per rater: (bias on each criterion, noise sd); friction is the last criterion
HABITS = {
    "Rater A": (np.array([0.0, 0.0, 0.0, 0.0, 0.0]), 0.25),
    "Rater B": (np.array([0.3, 0.2, 0.2, 0.2, -0.2]), 0.3),
    "Rater C": (np.array([-0.2, -0.1, 0.0, -0.2, 0.4]), 0.4),
}
CRITERIA = (
    "Transparency",
    "Norms alignment",
    "Interoperability",
    "Resources",
    "Political friction",
)
HEADERS = ["Engagement ID", "Engagement", "Type", *CRITERIA]
LEANS = np.array([1.0, 1.0, 1.0, 1.0, -0.8])
PER_TYPE = 4  # engagements taken from each type of the main example's catalogue


def draw(rng: np.random.Generator) -> tuple[list[list[Any]], dict[str, list[list[Any]]]]:
    """The engagements (id, name, type) and each rater's rows in HEADERS order."""
    engagements: list[list[Any]] = []
    truth = []
    for kind, entries in list(CATALOGUE.items())[:6]:
        means, _ = PROFILES[kind]
        for name, _, _ in entries[:PER_TYPE]:
            quality = rng.normal(0.0, 1.0)
            truth.append(np.array(means) + LEANS * quality)
            engagements.append([f"MR-{len(engagements) + 1:03d}", name, kind])
    by_rater: dict[str, list[list[Any]]] = {}
    for rater in RATERS:
        bias, sd = HABITS[rater]
        rows = []
        for base, (eid, name, kind) in zip(truth, engagements, strict=True):
            raw = base + bias + rng.normal(0.0, sd, size=5)
            rows.append([eid, name, kind, *(int(v) for v in np.clip(np.rint(raw), 0, 4))])
        by_rater[rater] = rows
    # the checks at work, and two real disagreements
    by_rater["Rater B"][6][3 + 2] = "high"  # not a rating: the row is rejected
    by_rater["Rater C"][10][3 + 3] = "N/A"  # no evidence yet for resources
    del by_rater["Rater C"][15]  # Rater C did not rate this engagement
    by_rater["Rater A"][3][3 + 0], by_rater["Rater C"][3][3 + 0] = 4, 1  # transparency 3 apart
    by_rater["Rater B"][12][3 + 4], by_rater["Rater C"][12][3 + 4] = 0, 3  # friction 3 apart
    return engagements, by_rater


def workbook(by_rater: dict[str, list[list[Any]]]) -> Workbook:
    wb = Workbook()
    readme = wb.active
    readme.title = "Read me"
    for r, line in enumerate(
        [
            "Engagement ratings by three analysts — FY2025 moderation round",
            "",
            "Each analyst rated the engagements independently on their own sheet (0-4 scale).",
            "assess combines them per engagement and criterion (median) and measures agreement.",
        ],
        start=1,
    ):
        readme.cell(row=r, column=1, value=line or None)
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 90
    for rater in RATERS:
        ws = wb.create_sheet(rater)
        ws.append(HEADERS)
        for c in range(1, len(HEADERS) + 1):
            ws.cell(row=1, column=c).font = Font(bold=True)
        for row in by_rater[rater]:
            ws.append(row)
        ws.column_dimensions["B"].width = 48
        ws.column_dimensions["C"].width = 32
        ws.freeze_panes = "A2"
    wb.properties.creator = wb.properties.lastModifiedBy = "assess examples"
    wb.properties.created = wb.properties.modified = FIXED_TIME
    return wb


def long_csv(by_rater: dict[str, list[list[Any]]]) -> bytes:
    buf = io.StringIO()
    out = csv.writer(buf, lineterminator="\n")
    out.writerow(["Engagement ID", "Engagement", "Rater", "Criterion", "Rating"])
    for rater in RATERS:
        for row in by_rater[rater]:
            for criterion, rating in zip(CRITERIA, row[3:], strict=True):
                out.writerow([row[0], row[1], rater, criterion, rating])
    return buf.getvalue().encode("utf-8")


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the multi-rater example files.")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder to write into (default: examples/)",
    )
    args = parser.parse_args(argv)
    _, by_rater = draw(np.random.default_rng(SEED))
    args.out.mkdir(parents=True, exist_ok=True)
    save_deterministic(workbook(by_rater), args.out / "ratings_by_rater.xlsx")
    (args.out / "ratings_long.csv").write_bytes(long_csv(by_rater))
    print(f"wrote {args.out / 'ratings_by_rater.xlsx'} and {args.out / 'ratings_long.csv'}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
