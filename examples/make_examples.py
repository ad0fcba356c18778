"""Generate ``examples/engagements.xlsx``, a sample FY2025 military-diplomacy tracker.

It imitates an analyst's workbook: a "Read me" sheet of notes, then "FY2025 Engagements" with a
title block and the header on row 5.  Ratings come from a fixed seed and lean by engagement type,
so every band appears.  Some cells use other accepted forms (fractions, numeric strings, dropdown
labels, missing markers), a blank row sits mid-table, and five rows show validation at work.
Most rows cite the evidence behind their ratings (a column for transparency, one shared by every
criterion), a few extreme ratings have none, and a review trail (assessed by, status) shows some
rows still in draft.  The file is byte-identical across runs.  Run from the repository root::

    python examples/make_examples.py [--out DIR]
"""

from __future__ import annotations

import argparse
import io
import re
import zipfile
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import numpy as np
from openpyxl import Workbook
from openpyxl.styles import Font

SEED = 2025
FIXED_TIME = datetime(2025, 10, 1)
ZIP_TIME = (1980, 1, 1, 0, 0, 0)
SHEET = "FY2025 Engagements"
HEADERS = [
    "Engagement ID",
    "Engagement",
    "Type",
    "Partners",
    "Organisation",
    "Start date",
    "End date",
    "Transparency (0-4)",
    "Norms alignment",
    "Interoperability",
    "Resources",
    "Political friction",
    "Notes",
]
WIDTHS = [15, 50, 32, 36, 13, 12, 12, 12, 12, 12, 11, 11, 48]
#: the review trail's columns, inserted before Notes once the rows are drawn
REVIEW_HEADERS = ["Transparency evidence", "Evidence", "Assessed by", "Status"]
REVIEW_WIDTHS = [40, 48, 14, 11]
NOTES_AT = HEADERS.index("Notes")
ANALYSTS = ("R. Okafor", "M. Lindqvist", "S. Haddad")
#: the evidence an engagement of each type cites for its ratings
SOURCES: dict[str, tuple[str, ...]] = {
    "Joint exercise": ("exercise after-action report", "partner debrief minutes"),
    "Peacekeeping contribution": ("mission end-of-rotation report", "Force HQ assessment"),
    "Strategic dialogue": ("joint statement", "record of discussion"),
    "Military assistance and training": ("course completion report", "partner evaluation"),
    "Intelligence sharing": ("liaison officer report", "quarterly exchange log"),
    "Capacity building": ("programme progress report", "donor review"),
    "Post-conflict reconstruction": ("project handover report", "field monitoring visit"),
}
#: data rows (0-based, before the blank row) whose extreme ratings are left without evidence
UNEVIDENCED = (5, 22, 33)
#: data rows still in draft, and rows reviewed but not yet approved
DRAFTS = (41, 44, 46, 47)
REVIEWED = (30, 39)
LABELS = ["None", "Minimal", "Partial", "Substantial", "Full"]
FY_START = date(2024, 10, 1)

# type -> (mean transparency, norms, interoperability, resources, friction; duration days lo, hi)
PROFILES: dict[str, tuple[tuple[float, ...], tuple[int, int]]] = {
    "Joint exercise": ((2.5, 2.6, 3.4, 2.0, 1.6), (6, 21)),
    "Peacekeeping contribution": ((2.8, 3.6, 2.4, 2.0, 1.4), (180, 365)),
    "Strategic dialogue": ((3.4, 2.8, 1.8, 3.4, 1.2), (1, 3)),
    "Military assistance and training": ((2.6, 2.6, 2.6, 2.2, 1.6), (20, 120)),
    "Intelligence sharing": ((1.4, 2.4, 2.8, 2.6, 2.0), (90, 365)),
    "Capacity building": ((2.6, 2.8, 2.2, 2.0, 1.6), (60, 300)),
    "Post-conflict reconstruction": ((2.4, 3.0, 1.8, 1.4, 2.4), (120, 365)),
}
CATALOGUE: dict[str, list[tuple[str, str, str]]] = {
    "Joint exercise": [
        ("Exercise Steadfast Horizon", "Poland; Lithuania; Latvia", "NATO"),
        ("Exercise Baltic Shield", "Estonia; Latvia; Lithuania", "NATO"),
        ("Exercise Northern Tern", "Norway; Finland", "NATO"),
        ("Exercise Pacific Reach", "Japan", "Bilateral"),
        ("Exercise Southern Cross", "Australia; New Zealand", "Bilateral"),
        ("Exercise Monsoon Guard", "India", "Bilateral"),
        ("Exercise Coral Sentinel", "Indonesia; Malaysia; Philippines", "ASEAN"),
        ("Exercise Desert Falcon", "Jordan", "Bilateral"),
    ],
    "Peacekeeping contribution": [
        ("UNMISS engineering company rotation", "South Sudan", "UN"),
        ("UNIFIL maritime task force contribution", "Lebanon", "UN"),
        ("MINUSCA level 2 field hospital rotation", "Central African Republic", "UN"),
        ("UNFICYP staff officer secondments", "Cyprus", "UN"),
        ("UNMOGIP military observer contribution", "India; Pakistan", "UN"),
        ("EUFOR Althea liaison and observation team", "Bosnia and Herzegovina", "EU"),
        ("UNISFA military observer contribution", "Sudan; South Sudan", "UN"),
        ("AUSSOM mentoring and training team", "Somalia", "AU"),
    ],
    "Strategic dialogue": [
        ("Annual defence staff talks", "Japan", "Bilateral"),
        ("Defence policy dialogue", "Indonesia", "Bilateral"),
        ("ADMM-Plus maritime security working group", "Singapore; Thailand; Vietnam", "ASEAN"),
        ("Vienna Document implementation consultations", "Austria; Slovakia; Czechia", "OSCE"),
        ("Gulf security dialogue", "United Arab Emirates; Oman", "Bilateral"),
        ("Nordic-Baltic defence chiefs roundtable", "Sweden; Denmark; Estonia", "NATO"),
        ("Peace and Security Council briefing series", "Ethiopia; Kenya", "AU"),
        ("Shangri-La Dialogue bilateral meetings", "Singapore", "Bilateral"),
    ],
    "Military assistance and training": [
        ("Maritime domain awareness training", "Ghana; Nigeria", "Bilateral"),
        ("Short-term training team, infantry skills", "Kenya", "Bilateral"),
        ("Peace support operations instructor course", "Rwanda; Uganda", "AU"),
        ("Armoured vehicle maintenance training", "Ukraine", "Bilateral"),
        ("Coastal patrol boat crew training", "Philippines", "Bilateral"),
        ("EUMAM rapid reaction force training", "Mozambique", "EU"),
        ("Military medical skills course", "Senegal; Côte d'Ivoire", "Bilateral"),
        ("Officer cadet exchange programme", "Chile", "Bilateral"),
    ],
    "Intelligence sharing": [
        ("Counter-piracy information fusion cell", "Kenya; Seychelles", "EU"),
        ("Cyber threat indicator exchange", "Estonia", "NATO"),
        ("Malacca Strait maritime picture sharing", "Singapore; Malaysia", "ASEAN"),
        ("Sahel counter-terrorism liaison cell", "Mauritania; Senegal", "Bilateral"),
        ("Counter-proliferation analytic exchange", "Australia; Canada", "Bilateral"),
        ("Black Sea situational awareness working group", "Romania; Bulgaria", "NATO"),
        ("Border security information exchange", "Jordan; Iraq", "Bilateral"),
    ],
    "Capacity building": [
        ("Counter-IED capacity programme", "Iraq", "NATO"),
        ("Defence institution building, procurement governance", "Georgia", "NATO"),
        ("Military justice reform support", "Moldova", "EU"),
        ("Small arms and ammunition stockpile management", "Bosnia and Herzegovina", "OSCE"),
        ("Regional maritime security centre support", "Djibouti; Kenya; Tanzania", "Bilateral"),
        ("Women, Peace and Security adviser programme", "Liberia; Sierra Leone", "UN"),
        ("Cyber defence capacity project", "Montenegro; North Macedonia", "NATO"),
        ("Defence education enhancement programme", "Tunisia", "NATO"),
    ],
    "Post-conflict reconstruction": [
        ("Demining and explosive ordnance clearance support", "Ukraine", "Bilateral"),
        ("Security sector reform advisory team", "Somalia", "AU"),
        ("Bridge reconstruction engineering detachment", "Mozambique", "Bilateral"),
        ("Reintegration of former combatants support", "Colombia", "UN"),
        ("Military hospital rehabilitation project", "Iraq", "Bilateral"),
        ("Explosive remnants of war clearance", "Laos", "Bilateral"),
        ("Mine action training for national authority", "Cambodia", "ASEAN"),
    ],
}
NOTES: dict[str, tuple[str, str]] = {  # type -> (remark when it went well, when it went badly)
    "Joint exercise": ("AAR shared with all partners.", "Scaled back after visa delays."),
    "Peacekeeping contribution": ("Commended by Force HQ.", "Delayed by host-nation clearances."),
    "Strategic dialogue": ("Agreed joint statement.", "Talks postponed twice."),
    "Military assistance and training": ("Partner now runs the course.", "Trainees redeployed."),
    "Intelligence sharing": ("Two-way reporting now routine.", "Caveats limit onward sharing."),
    "Capacity building": ("Funding extended to FY2026.", "Ministry turnover stalled the plan."),
    "Post-conflict reconstruction": ("Handed over ahead of plan.", "Equipment shortfalls."),
}
LEANS = np.array([1.0, 1.0, 1.0, 1.0, -0.8])  # how each rating follows overall quality
R0 = 7  # index of the first rating column (Transparency) in a row list


def draw_rows(rng: np.random.Generator) -> list[list[Any]]:
    """Draw one row per catalogue entry, sorted by start date and numbered in order."""
    rows: list[list[Any]] = []
    for kind, entries in CATALOGUE.items():
        means, (lo, hi) = PROFILES[kind]
        for name, partners, org in entries:
            quality = rng.normal(0.0, 1.0)
            raw = np.array(means) + LEANS * quality + rng.normal(0.0, 0.5, size=5)
            ratings = [int(v) for v in np.clip(np.rint(raw), 0, 4)]
            start = FY_START + timedelta(days=int(rng.integers(0, 350)))
            end = start + timedelta(days=int(rng.integers(lo, hi + 1)))
            rows.append(["", name, kind, partners, org, start, end, *ratings, quality])
    rows.sort(key=lambda r: (r[5], r[1]))
    remarked: set[tuple[str, bool]] = set()
    for number, row in enumerate(rows, start=1):
        row[0] = f"MD-2025-{number:03d}"
        quality, key = row[-1], (row[2], row[-1] > 0)
        row[-1] = None  # one remark per type and outcome, on clearly good or bad engagements
        if abs(quality) > 0.9 and key not in remarked:
            remarked.add(key)
            row[-1] = NOTES[row[2]][0 if quality > 0 else 1]
    return rows


def apply_forms(rows: list[list[Any]]) -> None:
    """Rewrite chosen cells into other accepted forms, plant validation cases, add a blank row.

    Positions are data-row indices (0-based, before the blank row is inserted); the rating
    column offsets are 0 transparency, 1 norms, 2 interoperability, 3 resources, 4 friction.
    """
    for i, c in ((3, 3), (20, 1), (45, 1)):  # fractions
        rows[i][R0 + c] = rows[i][R0 + c] - 0.5 if rows[i][R0 + c] >= 1 else 0.5
    for i, c in ((7, 2), (26, 0), (40, 4)):  # numeric strings
        rows[i][R0 + c] = str(rows[i][R0 + c])
    for i, c in ((12, 0), (28, 2), (49, 3)):  # dropdown labels
        rows[i][R0 + c] = f"{rows[i][R0 + c]} - {LABELS[rows[i][R0 + c]]}"
    for i, c, marker in ((15, 2, "N/A"), (29, 3, "-"), (38, 1, None)):  # one criterion missing
        rows[i][R0 + c] = marker
        rows[i][12] = rows[i][12] or "Rating held until partner after-action report arrives."
    rows[10][0] = None  # missing Engagement ID
    rows[18][R0 + 2] = "high"  # not a rating
    rows[31][R0 + 3] = 7  # outside the 0-4 scale
    rows[36][0] = rows[8][0]  # duplicate of an earlier id (copy-paste slip)
    for c in (1, 2, 3):  # insufficient evidence: only transparency and friction present
        rows[43][R0 + c] = "N/A"
    rows[43][12] = "New arrangement; most criteria not yet assessable."
    rows[5][R0 : R0 + 5] = [4, 4, 3, 3, 4]  # a strong engagement whose band a gate caps
    rows[5][12] = "Well run, but the host government withdrew consent for the follow-on phase."
    rows.insert(25, [None] * len(HEADERS))  # a stray blank row mid-table


def add_review(rows: list[list[Any]], rng: np.random.Generator) -> None:
    """Insert the evidence and review columns before Notes (``rows`` as drawn, blank row
    included; the blank row stays blank).  Transparency rated 0 or 4 cites its own source; every
    other row cites its type's sources in the shared column, but for the rows of
    :data:`UNEVIDENCED`; rows of :data:`DRAFTS` and :data:`REVIEWED` are not yet approved."""
    data = [r for r in rows if any(v not in (None, "") for v in r)]
    for i, row in enumerate(data):
        kind, month = row[2], row[5].strftime("%b %Y")
        first, second = SOURCES[kind]
        shared = f"{first.capitalize()}, {month}; {second}"
        own = None
        if row[R0] in (0, 4):
            own = (
                f"{first.capitalize()} published to partners, {month}"
                if row[R0] == 4
                else f"Information request of {month} unanswered"
            )
        if i in UNEVIDENCED:
            shared = own = None
        status = "Draft" if i in DRAFTS else "Reviewed" if i in REVIEWED else "Approved"
        analyst = ANALYSTS[int(rng.integers(0, len(ANALYSTS)))]
        row[NOTES_AT:NOTES_AT] = [own, shared, analyst, status]
    for row in rows:
        if row not in data:
            row[NOTES_AT:NOTES_AT] = [None] * len(REVIEW_HEADERS)


def build_workbook(rows: list[list[Any]]) -> Workbook:
    """Lay out the "Read me" and data sheets."""
    wb = Workbook()
    readme = wb.active
    readme.title = "Read me"
    notes = [
        "Military diplomacy engagements — FY2025 tracker",
        "",
        "Purpose: one row per defence engagement, rated for the quarterly effectiveness review.",
        "Ratings use a 0-4 scale: 0 None, 1 Minimal, 2 Partial, 3 Substantial, 4 Full.",
        "Political friction is how much friction the engagement caused, so higher is worse.",
        "Enter N/A where there is no evidence yet rather than guessing a rating.",
        f"Data are on the '{SHEET}' sheet; the table header is on row 5.",
        "Maintained by the Strategy & Policy Unit engagements desk; corrections by the 15th.",
    ]
    for r, line in enumerate(notes, start=1):
        readme.cell(row=r, column=1, value=line or None)
    readme["A1"].font = Font(bold=True, size=14)
    readme.column_dimensions["A"].width = 95

    ws = wb.create_sheet(SHEET)
    ws["A1"] = "Military diplomacy engagements — FY2025 tracker"
    ws["A1"].font = Font(bold=True, size=14)
    ws["A2"] = "Prepared by: Strategy & Policy Unit"
    ws["A3"] = "Status: draft for quarterly review"
    headers = HEADERS[:NOTES_AT] + REVIEW_HEADERS + HEADERS[NOTES_AT:]
    widths = WIDTHS[:NOTES_AT] + REVIEW_WIDTHS + WIDTHS[NOTES_AT:]
    for c, (header, width) in enumerate(zip(headers, widths, strict=True), start=1):
        ws.cell(row=5, column=c, value=header).font = Font(bold=True)
        ws.column_dimensions[ws.cell(row=5, column=c).column_letter].width = width
    ws.freeze_panes = "A6"
    for r, row in enumerate(rows, start=6):
        for c, value in enumerate(row, start=1):
            if value is None or value == "":
                continue
            ref = ws.cell(row=r, column=c, value=value)
            if isinstance(value, date):
                ref.number_format = "dd mmm yyyy"
    wb.properties.creator = "assess examples"
    wb.properties.lastModifiedBy = "assess examples"
    wb.properties.created = FIXED_TIME
    wb.properties.modified = FIXED_TIME
    return wb


def save_deterministic(wb: Workbook, path: Path, saved: datetime = FIXED_TIME) -> None:
    """Save, then rewrite the zip with fixed entry times, sorted entries and ``saved`` as the
    workbook's modification time."""
    buffer = io.BytesIO()
    wb.save(buffer)  # openpyxl stamps the current time as "modified"; pinned again below
    stamp = saved.strftime("%Y-%m-%dT%H:%M:%SZ")
    with zipfile.ZipFile(buffer) as src, zipfile.ZipFile(path, "w") as dst:
        for name in sorted(src.namelist()):
            data = src.read(name)
            if name == "docProps/core.xml":
                text = re.sub(
                    r"(<dcterms:modified[^>]*>)[^<]*(<)",
                    rf"\g<1>{stamp}\g<2>",
                    data.decode("utf-8"),
                )
                data = text.encode("utf-8")
            info = zipfile.ZipInfo(name, date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            info.create_system = 3
            info.external_attr = 0o644 << 16
            dst.writestr(info, data)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description="Generate the example engagements workbook.")
    parser.add_argument(
        "--out",
        type=Path,
        default=Path(__file__).resolve().parent,
        help="folder to write engagements.xlsx into (default: examples/)",
    )
    args = parser.parse_args(argv)
    rows = draw_rows(np.random.default_rng(SEED))
    apply_forms(rows)
    add_review(rows, np.random.default_rng(SEED + 1))
    args.out.mkdir(parents=True, exist_ok=True)
    path = args.out / "engagements.xlsx"
    save_deterministic(build_workbook(rows), path)
    print(f"wrote {path} ({len(rows) - 1} engagement rows and 1 blank row)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
