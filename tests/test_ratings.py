"""Every accepted form of a rating, read from a real workbook or CSV file."""

from __future__ import annotations

import math

import pytest
from conftest import CRITERIA, LABELS, row, write_csv, write_xlsx

import assess


def _transparency_of(tmp_path, cell, writer=write_xlsx, suffix="xlsx"):
    path = writer(tmp_path / f"t.{suffix}", [row("E1", t=cell)])
    result = assess.score(path)
    assert result.rejected == [], [str(r) for r in result.rejected]
    return result.engagements.loc["E1", "transparency.rating"]


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        (3, 3.0),
        (0, 0.0),
        (4, 4.0),
        (2.5, 2.5),
        ("3", 3.0),
        (" 3 ", 3.0),
        ("2.5", 2.5),
        ("2,5", 2.5),
        ("Substantial", 3.0),
        ("substantial", 3.0),
        ("3 - Substantial", 3.0),
        ("1 - Minimal", 1.0),
    ],
)
def test_rating_forms_are_read_as_numbers(tmp_path, cell, expected):
    assert _transparency_of(tmp_path, cell) == expected


@pytest.mark.parametrize(
    ("cell", "expected"), [("3", 3.0), ("2,5", 2.5), ("Full", 4.0), ("2 - Partial", 2.0)]
)
def test_rating_forms_are_read_from_csv(tmp_path, cell, expected):
    assert _transparency_of(tmp_path, cell, writer=write_csv, suffix="csv") == expected


@pytest.mark.parametrize(
    ("criterion", "value"),
    [(c, v) for c in CRITERIA for v in (0, 4)] + [(c, 3) for c in CRITERIA],
)
def test_each_level_label_of_the_default_rubric_is_its_value(tmp_path, criterion, value):
    label = LABELS[criterion][value]
    ratings = {c: 2 for c in CRITERIA} | {criterion: label}
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", *(ratings[c] for c in CRITERIA))])
    result = assess.score(path)
    assert result.rejected == []
    assert result.engagements.loc["E1", f"{criterion}.rating"] == value


@pytest.mark.parametrize("marker", [None, "", "N/A", "n/a", "-", "NA"])
def test_missing_markers_are_missing_not_rejected(tmp_path, marker):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", t=marker)])
    result = assess.score(path)
    assert result.rejected == []
    assert math.isnan(result.engagements.loc["E1", "transparency.rating"])


@pytest.mark.parametrize("marker", ["", "N/A", "-", "NA"])
def test_missing_markers_in_csv_are_missing_not_rejected(tmp_path, marker):
    path = write_csv(tmp_path / "t.csv", [row("E1", t=marker)])
    result = assess.score(path)
    assert result.rejected == []
    assert math.isnan(result.engagements.loc["E1", "transparency.rating"])


def test_a_missing_rating_lowers_completeness_by_its_weight(tmp_path):
    from conftest import RAW_WEIGHTS

    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", t="N/A")])
    result = assess.score(path)
    assert result.engagements.loc["E1", "completeness"] == pytest.approx(
        1 - RAW_WEIGHTS["transparency"]
    )
