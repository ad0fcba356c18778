"""Generate ``examples/quarters/``: four quarterly reviews of one programme, with a correction.

The FY2025 defence engagement programme is reviewed every quarter, one workbook a quarter in
the main example's layout ("Read me" sheet, then the data sheet with its header on row 5):

* ``FY2025-Q1.xlsx`` ... ``FY2025-Q4.xlsx``: most engagements recur with ratings that drift.
  Three improve, three decline, one runs into a gate in Q4 and one leaves the gate it was under
  in Q1; post-conflict reconstruction loses resources in the second half of the year while
  intelligence sharing grows more open.  A few engagements start or end each quarter, and each
  file holds two cells the checks reject.
* ``FY2025-Q2-corrected.xlsx``: Q2 again as corrected in May: three ratings fixed and one of
  the two rejected cells given its rating.
* ``military-diplomacy-v1.1.yaml``: the rubric revised before Q3, political friction weighing
  0.25 instead of 0.15 (version 1.1.0), made from ``military-diplomacy-v1.0.yaml``.

``military-diplomacy-v1.0.yaml`` is an input, not an output: the built-in rubric as it was in
version 1.0.0, with which Q1 and Q2 were scored, kept in the folder so that the story does not
change when the built-in rubric is revised.

Ratings come from a fixed seed around each type's profile in ``make_examples.py``; the files are
byte-identical across runs.  Run from the repository root::

    python examples/make_quarters.py [--out DIR]
"""

from __future__ import annotations

import argparse
import sys
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

sys.path.insert(0, str(Path(__file__).resolve().parent))
from make_examples import (  # noqa: E402
    CATALOGUE,
    HEADERS,
    LEANS,
    PROFILES,
    R0,
    WIDTHS,
    save_deterministic,
)

SEED = 2125
QUARTERS = ("Q1", "Q2", "Q3", "Q4")
QUARTER_START = (date(2024, 10, 1), date(2025, 1, 1), date(2025, 4, 1), date(2025, 7, 1))
#: file stem -> (quarter index, when the file was saved)
FILES = {
    "FY2025-Q1": (0, datetime(2025, 1, 10, 9, 0)),
    "FY2025-Q2": (1, datetime(2025, 4, 10, 9, 0)),
    "FY2025-Q2-corrected": (1, datetime(2025, 5, 14, 9, 0)),
    "FY2025-Q3": (2, datetime(2025, 7, 10, 9, 0)),
    "FY2025-Q4": (3, datetime(2025, 10, 10, 9, 0)),
}
RUBRIC_FILE = "military-diplomacy-v1.1.yaml"
BASE_RUBRIC = Path(__file__).resolve().parent / "quarters" / "military-diplomacy-v1.0.yaml"
FRICTION_WEIGHT = ("0.15", "0.25")  # political friction's weight in 1.0.0 and in 1.1.0
#: rating offsets in a row's five ratings
TRANSPARENCY, NORMS, INTEROP, RESOURCES, FRICTION = range(5)

#: engagements that start after Q1 (name -> first quarter) or end before Q4 (-> last quarter)
STARTS = {
    "Exercise Coral Sentinel": 1,
    "Women, Peace and Security adviser programme": 1,
    "Mine action training for national authority": 1,
    "Black Sea situational awareness working group": 2,
    "EUMAM rapid reaction force training": 2,
    "Peace and Security Council briefing series": 3,
    "Cyber defence capacity project": 3,
    "AUSSOM mentoring and training team": 3,
}
ENDS = {
    "Exercise Desert Falcon": 0,
    "Shangri-La Dialogue bilateral meetings": 0,
    "Explosive remnants of war clearance": 1,
    "Officer cadet exchange programme": 1,
    "Exercise Monsoon Guard": 1,
    "UNFICYP staff officer secondments": 2,
    "Border security information exchange": 2,
}
#: engagements whose ratings follow a script, Q1 to Q4, with a note per quarter
SCRIPTED: dict[str, tuple[list[list[int]], list[str | None]]] = {
    "Maritime domain awareness training": (
        [[2, 2, 1, 2, 2], [2, 3, 2, 2, 2], [3, 3, 2, 3, 1], [3, 3, 3, 4, 1]],
        [None, "Partner navies joined the reporting net.", None, "Partner now runs the course."],
    ),
    "Cyber threat indicator exchange": (
        [[1, 2, 2, 2, 2], [2, 3, 2, 2, 2], [2, 3, 3, 3, 1], [3, 3, 4, 3, 1]],
        [None, None, "Two-way reporting now routine.", None],
    ),
    "Defence institution building, procurement governance": (
        [[2, 2, 2, 1, 2], [2, 2, 2, 2, 2], [3, 2, 2, 2, 1], [3, 3, 2, 3, 1]],
        ["Ministry counterpart newly appointed.", None, None, "Funding extended to FY2026."],
    ),
    "Sahel counter-terrorism liaison cell": (
        [[2, 3, 3, 3, 1], [2, 3, 3, 2, 3], [1, 2, 3, 2, 3], [1, 2, 2, 2, 3]],
        [None, None, "Caveats limit onward sharing.", "Host government reviewing the cell."],
    ),
    "Bridge reconstruction engineering detachment": (
        [[3, 3, 2, 3, 1], [3, 3, 2, 2, 1], [3, 3, 2, 1, 1], [2, 3, 2, 0, 2]],
        [None, "Spare parts delayed.", "Equipment shortfalls.", "Plant withdrawn; work paused."],
    ),
    "Military justice reform support": (
        [[3, 3, 2, 3, 1], [3, 3, 2, 2, 2], [2, 3, 2, 2, 2], [2, 2, 2, 1, 2]],
        [None, "Ministry turnover stalled the plan.", None, None],
    ),
    "UNIFIL maritime task force contribution": (
        [[4, 4, 3, 3, 4], [4, 4, 3, 3, 4], [4, 4, 3, 3, 2], [4, 4, 4, 3, 1]],
        [
            "Well run, but host-nation consent for the follow-on phase was withdrawn.",
            None,
            "Consent restored in April.",
            None,
        ],
    ),
    "Gulf security dialogue": (
        [[4, 3, 2, 3, 1], [4, 3, 2, 3, 1], [4, 3, 2, 3, 2], [4, 3, 2, 3, 4]],
        [None, None, None, "Partner suspended the talks over a basing dispute."],
    ),
    "Counter-proliferation analytic exchange": (
        [[3, 2, 3, 2, 3]] * 4,
        [None, None, None, None],
    ),
}
#: type-wide changes from a quarter on: (type, first quarter, rating offset, step)
TYPE_EVENTS = (
    ("Post-conflict reconstruction", 2, RESOURCES, -1),  # programme funding cut from Q3
    ("Intelligence sharing", 2, TRANSPARENCY, +1),  # information-sharing arrangement signed in Q2
)
STEP_CHANCE = 0.02  # chance a background rating moves one level in a quarter
#: cells the checks reject: quarter -> [(engagement, rating offset or "id", value)]
INVALID: dict[int, list[tuple[str, int | str, Any]]] = {
    0: [
        ("Armoured vehicle maintenance training", RESOURCES, "tbc"),
        ("Exercise Northern Tern", TRANSPARENCY, 5),
    ],
    1: [
        ("Counter-piracy information fusion cell", INTEROP, "high"),
        ("Annual defence staff talks", "id", -1),
    ],
    2: [
        ("Coastal patrol boat crew training", "id", None),
        ("Regional maritime security centre support", FRICTION, 30),
    ],
    3: [("Exercise Southern Cross", NORMS, "Good"), ("Defence policy dialogue", INTEROP, 34)],
}
#: Q2 ratings entered wrongly and corrected in May: engagement -> (rating offset, value entered)
Q2_SLIPS = {
    "Exercise Baltic Shield": (INTEROP, 0),
    "Sahel counter-terrorism liaison cell": (FRICTION, 1),
    "Demining and explosive ordnance clearance support": (TRANSPARENCY, 2),
}
Q2_FIXED_CELL = "Counter-piracy information fusion cell"  # its rejected cell is given its rating


@dataclass
class Engagement:
    """One engagement of the programme and its true ratings each quarter it runs."""

    name: str
    kind: str
    partners: str
    org: str
    first: int
    last: int
    start: date
    end: date
    id: str = ""
    ratings: dict[int, list[int]] = field(default_factory=dict)
    notes: dict[int, str | None] = field(default_factory=dict)


def _day(rng: np.random.Generator, lo: date, hi: date) -> date:
    return lo + timedelta(days=int(rng.integers(0, (hi - lo).days + 1)))


def draw_programme(rng: np.random.Generator) -> list[Engagement]:
    """Every engagement with its dates, id and ratings, numbered by first quarter and start."""
    programme = []
    for kind, entries in CATALOGUE.items():
        for name, partners, org in entries:
            first, last = STARTS.get(name, 0), ENDS.get(name, 3)
            if last < 3:  # ends within its last quarter
                end = _day(rng, QUARTER_START[last] + timedelta(days=20), QUARTER_START[last + 1])
                end -= timedelta(days=1)
            else:
                end = _day(rng, date(2025, 10, 31), date(2027, 3, 31))
            lo = QUARTER_START[first] if first else date(2023, 10, 1)
            hi = min(QUARTER_START[first] + timedelta(days=80), end - timedelta(days=14))
            start = _day(rng, lo, hi)
            programme.append(Engagement(name, kind, partners, org, first, last, start, end))
    programme.sort(key=lambda e: (e.first, e.start, e.name))
    for number, engagement in enumerate(programme, start=1):
        engagement.id = f"DEP-{number:03d}"
        draw_ratings(engagement, rng)
    return programme


def draw_ratings(engagement: Engagement, rng: np.random.Generator) -> None:
    """Script or draw the engagement's ratings for each quarter it runs."""
    means, _ = PROFILES[engagement.kind]
    raw = np.array(means) + LEANS * rng.normal(0.0, 1.0) + rng.normal(0.0, 0.5, size=5)
    ratings = np.clip(np.rint(raw), 0, 4).astype(int)
    steps = rng.random((4, 5)) < STEP_CHANCE
    signs = np.where(rng.random((4, 5)) < 0.5, -1, 1)
    for q in range(engagement.first, engagement.last + 1):
        if q > engagement.first:
            ratings = np.clip(ratings + steps[q] * signs[q], 0, 4)
        engagement.ratings[q] = [int(v) for v in ratings]
        engagement.notes[q] = None
    if engagement.name in SCRIPTED:
        script, notes = SCRIPTED[engagement.name]
        engagement.ratings = {q: list(script[q]) for q in engagement.ratings}
        engagement.notes = {q: notes[q] for q in engagement.ratings}
        return
    for kind, since, offset, step in TYPE_EVENTS:
        if kind != engagement.kind:
            continue
        for q in range(max(since, engagement.first), engagement.last + 1):
            rating = engagement.ratings[q][offset] + step
            engagement.ratings[q][offset] = min(4, max(0, rating))


def quarter_rows(programme: list[Engagement], q: int, corrected: bool = False) -> list[list[Any]]:
    """The data rows of quarter ``q``'s review, by id, with its slips and rejected cells."""
    rows: list[list[Any]] = []
    for e in programme:
        if e.first <= q <= e.last:
            note = e.notes[q] or ("New this quarter." if q == e.first and q else None)
            if q == e.last and q < 3:
                note = note or "Ends this quarter."
            rows.append([e.id, e.name, e.kind, e.partners, e.org, e.start, e.end, *e.ratings[q]])
            rows[-1].append(note)
    by_name = {row[1]: row for row in rows}
    for name, (offset, entered) in Q2_SLIPS.items() if q == 1 else ():
        row = by_name[name]
        if row[R0 + offset] == entered:
            raise SystemExit(f"the Q2 slip for {name!r} enters the true rating")
        if corrected:
            row[12] = correction_note(offset, entered)
        else:
            row[R0 + offset] = entered
    for name, where, value in INVALID[q]:
        row = by_name[name]
        if corrected and name == Q2_FIXED_CELL:
            row[12] = correction_note(int(where), value)
        elif where == "id":  # -1: the id of the row above (a copy-paste slip); None: left blank
            row[0] = rows[rows.index(row) - 1][0] if value == -1 else value
        else:
            row[R0 + int(where)] = value
    return rows


def correction_note(offset: int, entered: Any) -> str:
    """What the corrected Q2 file says about a rating it fixed."""
    return f"Corrected 14 May 2025: {HEADERS[R0 + offset]} was entered as {entered!r}."


def readme_lines(q: int, sheet: str, corrected: bool) -> list[str]:
    """The "Read me" sheet's notes."""
    lines = [
        f"Defence engagement programme — FY2025 {QUARTERS[q]} review",
        "",
        "Purpose: one row per engagement of the programme, rated for the quarterly review.",
        "Ratings use a 0-4 scale: 0 None, 1 Minimal, 2 Partial, 3 Substantial, 4 Full.",
        "Political friction is how much friction the engagement caused, so higher is worse.",
        "Engagement IDs stay the same from quarter to quarter; new engagements get new IDs.",
        f"Data are on the '{sheet}' sheet; the table header is on row 5.",
        "Rubric: military-diplomacy " + ("1.1.0" if q >= 2 else "1.0.0") + ".",
    ]
    if corrected:
        lines += [
            "",
            "Corrected 14 May 2025: three ratings entered wrongly were fixed (see Notes), and",
            "the Interoperability rating typed as 'high' was replaced by the rating meant.",
        ]
    return lines


def build_workbook(rows: list[list[Any]], q: int, saved: datetime, corrected: bool) -> Workbook:
    """Lay out the "Read me" and data sheets."""
    sheet = f"FY2025 {QUARTERS[q]}"
    wb = Workbook()
    readme = wb.active
    readme.title = "Read me"
    for r, line in enumerate(readme_lines(q, sheet, corrected), start=1):
        readme.cell(row=r, column=1, value=line or None)
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 95

    ws = wb.create_sheet(sheet)
    ws["A1"] = f"Defence engagement programme — FY2025 {QUARTERS[q]} review"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Prepared by: Strategy & Policy Unit"
    ws["A3"] = "Status: " + ("corrected " + saved.strftime("%d %B %Y") if corrected else "final")
    for c, (header, width) in enumerate(zip(HEADERS, WIDTHS, strict=True), start=1):
        ws.cell(row=5, column=c, value=header).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=5, column=c).column_letter].width = width
    ws.freeze_panes = "A6"
    for r, row in enumerate(rows, start=6):
        for c, value in enumerate(row, start=1):
            if value is None:
                continue
            ref = ws.cell(row=r, column=c, value=value)
            if isinstance(value, date):
                ref.number_format = "dd mmm yyyy"
    wb.properties.creator = "assess examples"
    wb.properties.lastModifiedBy = "assess examples"
    wb.properties.created = saved
    wb.properties.modified = saved
    return wb


def revised_rubric(text: str) -> str:
    """Rubric 1.0.0's text (``BASE_RUBRIC``) as version 1.1.0, political friction weighing 0.25."""
    old, new = FRICTION_WEIGHT
    edits = (
        (
            "# Default rubric for `assess`: scores military-diplomacy engagements.\n",
            "# Revision 1.1.0 of the built-in rubric, used from Q3 on in the quarterly example.\n"
            f"# Changed from 1.0.0: political_friction weight {old} -> {new}, so friction with\n"
            "# mandates counts for more; nothing else changed.\n",
        ),
        ('version: "1.0.0"', 'version: "1.1.0"'),
        (
            f"    weight: {old}\n    direction: cost",
            f"    weight: {new}  # 1.0.0: {old}\n    direction: cost",
        ),
    )
    for before, after in edits:
        if text.count(before) != 1:
            raise SystemExit(f"{BASE_RUBRIC.name} no longer holds {before!r} once")
        text = text.replace(before, after)
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the quarterly example workbooks.")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent / "quarters",
        help="folder to write the workbooks and rubric into (default: examples/quarters/)",
    )
    args = parser.parse_args(argv)
    programme = draw_programme(np.random.default_rng(SEED))
    args.out.mkdir(parents=True, exist_ok=True)
    for stem, (q, saved) in FILES.items():
        corrected = stem.endswith("corrected")
        rows = quarter_rows(programme, q, corrected)
        path = args.out / f"{stem}.xlsx"
        save_deterministic(build_workbook(rows, q, saved, corrected), path, saved)
        print(f"wrote {path} ({len(rows)} engagement rows)")
    source = BASE_RUBRIC.read_text(encoding="utf-8")
    path = args.out / RUBRIC_FILE
    path.write_text(revised_rubric(source), encoding="utf-8", newline="\n")
    print(f"wrote {path}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
