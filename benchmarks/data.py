"""The benchmark's own data: engagement tables of any size from a fixed seed.

A table is laid out like an analyst's sheet (``Engagement ID``, ``Engagement``, ``Type``, then
the default rubric's five criteria) and is mostly clean, as real archives are, with the forms
``assess`` accepts sprinkled in so that validation does real work: dropdown labels
(``3 - Substantial``), missing markers (``N/A``, blanks), fractions, and about one row in a
thousand that must be rejected (``'high'``, a rating off the scale).  The same ``n`` and seed
always give the same table, and a smaller table is not a prefix of a larger one (each size is
drawn on its own), so no size benefits from another's cache.
"""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pandas as pd

SEED = 20251
CRITERIA_HEADERS = [
    "Transparency",
    "Norms alignment",
    "Interoperability",
    "Resources",
    "Political friction",
]
HEADERS = ["Engagement ID", "Engagement", "Type", *CRITERIA_HEADERS]
#: the default rubric (``military-diplomacy``): weight, scale, cost criterion
WEIGHTS = np.array([0.25, 0.25, 0.20, 0.15, 0.15])
COST = np.array([False, False, False, False, True])
SCALE_MIN, SCALE_MAX = 0.0, 4.0
TYPES = [
    "Joint exercise",
    "Peacekeeping contribution",
    "Strategic dialogue",
    "Military assistance and training",
    "Intelligence sharing",
    "Capacity building",
]
PLACES = ["Baltic", "Sahel", "Balkans", "Black Sea", "Caribbean", "Mekong", "Maghreb", "Andean"]


def ratings_matrix(n: int, seed: int = SEED) -> np.ndarray:
    """``(n, 5)`` complete ratings on 0-4 in steps of 0.5: the scoring kernels' input."""
    rng = np.random.default_rng(seed)
    return rng.integers(0, 9, size=(n, len(CRITERIA_HEADERS))).astype(float) / 2.0


def engagements(n: int, seed: int = SEED, messy: bool = True) -> pd.DataFrame:
    """An engagements sheet of ``n`` data rows as a DataFrame (column names = headers).

    Rating columns are ``object``: numbers, with (when ``messy``) about 3 % of cells in
    another accepted form, about 0.2 % of rows with too little evidence to score and about
    0.1 % of rows holding a value that rejects the row.
    """
    rng = np.random.default_rng(seed + n)
    ids = np.char.add("MD-", np.char.zfill(np.arange(1, n + 1).astype(str), 7))
    kind = rng.integers(0, len(TYPES), n)
    place = rng.integers(0, len(PLACES), n)
    name = [
        f"{PLACES[p]} {TYPES[k].lower()} {i % 97}"
        for i, (p, k) in enumerate(zip(place, kind, strict=True))
    ]
    frame = pd.DataFrame(
        {"Engagement ID": ids.astype(object), "Engagement": name, "Type": np.array(TYPES)[kind]}
    )
    ratings = rng.integers(0, 5, size=(n, len(CRITERIA_HEADERS))).astype(object)
    if messy:
        labels = _level_labels()
        u = rng.random((n, len(CRITERIA_HEADERS)))
        labelled = u < 0.01
        for r, c in zip(*np.nonzero(labelled), strict=True):
            v = int(ratings[r, c])
            ratings[r, c] = f"{v} - {labels[c][v]}"
        for r, c in zip(*np.nonzero((u >= 0.01) & (u < 0.015)), strict=True):
            ratings[r, c] = "N/A"
        for r, c in zip(*np.nonzero((u >= 0.015) & (u < 0.02)), strict=True):
            ratings[r, c] = None
        for r, c in zip(*np.nonzero((u >= 0.02) & (u < 0.03)), strict=True):
            ratings[r, c] = float(ratings[r, c]) + 0.5 if ratings[r, c] < 4 else 3.5
        sparse = rng.random(n) < 0.002  # too little evidence: three criteria not rated
        for r in np.flatnonzero(sparse):
            ratings[r, 1:4] = None
        bad = rng.random(n) < 0.001
        for r in np.flatnonzero(bad):
            ratings[r, rng.integers(0, len(CRITERIA_HEADERS))] = "high" if r % 2 else 7
    for j, header in enumerate(CRITERIA_HEADERS):
        frame[header] = ratings[:, j]
    return frame


def _level_labels() -> list[dict[int, str]]:
    """The default rubric's level labels per criterion, as a dropdown would offer them."""
    from assess import load_rubric

    rubric = load_rubric("military-diplomacy")
    return [
        {int(lv.value): lv.label for lv in rubric.criterion(c.id).scale.levels}
        for c in rubric.criteria
    ]


def write_xlsx(frame: pd.DataFrame, path: Path, sheet: str = "Engagements") -> Path:
    """Write ``frame`` as a plain workbook: a title row, a blank row, then the table.

    Written with XlsxWriter's shared-strings mode, as Excel itself saves workbooks.
    """
    import xlsxwriter

    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet(sheet)
    ws.write(0, 0, "Engagement tracker (generated for benchmarks)")
    ws.write_row(2, 0, list(frame.columns))
    for r, row in enumerate(frame.to_numpy(dtype=object).tolist(), start=3):
        for c, value in enumerate(row):
            if isinstance(value, str):
                ws.write_string(r, c, value)
            elif value is not None and value == value:  # NaN and None stay blank
                ws.write_number(r, c, value)
    wb.close()
    return path


def write_csv(frame: pd.DataFrame, path: Path) -> Path:
    frame.to_csv(path, index=False)
    return path


def past_cases(n: int, seed: int = SEED) -> pd.DataFrame:
    """``n`` past cases: clean ratings and a binary ``Outcome`` drawn from known weights."""
    rng = np.random.default_rng(seed + 7 * n)
    frame = engagements(n, seed=seed + 1, messy=False)
    m = frame[CRITERIA_HEADERS].to_numpy(dtype=float)
    x = (m - SCALE_MIN) / (SCALE_MAX - SCALE_MIN)
    x[:, COST] = 1.0 - x[:, COST]
    true_w = np.array([0.10, 0.30, 0.35, 0.05, 0.20])
    p = 1.0 / (1.0 + np.exp(-(8.0 * (x @ true_w) - 4.0)))
    frame["Outcome"] = np.where(rng.random(n) < p, "success", "failure")
    return frame
