"""Criteria measured by indicators (minmax and target normalisation) instead of a rating."""

from __future__ import annotations

import pytest
from conftest import dump_rubric, indicator_rubric_data, write_csv, write_xlsx

import assess

HEADER = ["ID", "Alpha", "Beta", "Objectives met", "Personnel trained"]
OBJ_WEIGHT, TRAINED_WEIGHT, TARGET = 3, 1, 200


@pytest.fixture
def indicator_rubric(tmp_path):
    """alpha, beta rated (weight 1 each); delivery (weight 2) from two indicators."""
    data = indicator_rubric_data(OBJ_WEIGHT, TRAINED_WEIGHT, TARGET)
    return dump_rubric(tmp_path / "ind.yaml", data)


def _delivery(objectives: float, trained: float) -> float:
    """The delivery criterion on 0-1 by hand: weighted mean of the normalised indicators."""
    return (OBJ_WEIGHT * objectives + TRAINED_WEIGHT * min(trained / TARGET, 1.0)) / (
        OBJ_WEIGHT + TRAINED_WEIGHT
    )


def _score(tmp_path, rubric, rows, writer=write_xlsx, suffix="xlsx"):
    return assess.score(writer(tmp_path / f"ind.{suffix}", rows, header=HEADER), rubric=rubric)


def test_indicator_criterion_score_is_computed_by_hand(tmp_path, indicator_rubric):
    result = _score(tmp_path, indicator_rubric, [["E1", 4, 2, 0.5, 100]])
    by_hand = 100 * (0.25 * 1 + 0.25 * 0.5 + 0.5 * _delivery(0.5, 100))
    assert result.engagements.loc["E1", "score"] == pytest.approx(by_hand)


def test_percent_string_is_read_as_a_fraction(tmp_path, indicator_rubric):
    result = _score(tmp_path, indicator_rubric, [["E1", 4, 2, "85%", 100]])
    assert result.engagements.loc["E1", "objectives_met.value"] == pytest.approx(0.85)
    assert result.engagements.loc["E1", "delivery.normalised"] == pytest.approx(
        _delivery(0.85, 100)
    )


def test_target_normalisation_is_clipped_at_the_target(tmp_path, indicator_rubric):
    result = _score(tmp_path, indicator_rubric, [["E1", 4, 2, 1, 400]])
    assert result.engagements.loc["E1", "delivery.normalised"] == pytest.approx(1.0)


def test_minmax_value_outside_its_range_is_rejected_with_the_cell(tmp_path, indicator_rubric):
    result = _score(tmp_path, indicator_rubric, [["E1", 4, 2, 0.5, 100], ["E2", 4, 2, "150%", 100]])
    (rej,) = result.rejected
    assert rej.cell == "Engagements!D3"
    assert "outside" in rej.reason and "Objectives met" in rej.reason
    assert list(result.engagements.index) == ["E1"]


def test_non_numeric_indicator_is_rejected(tmp_path, indicator_rubric):
    result = _score(tmp_path, indicator_rubric, [["E1", 4, 2, "most", 100]])
    (rej,) = result.rejected
    assert rej.cell == "Engagements!D2"


def test_missing_indicator_uses_the_others(tmp_path, indicator_rubric):
    result = _score(tmp_path, indicator_rubric, [["E1", 4, 2, "N/A", 100]])
    assert result.engagements.loc["E1", "delivery.normalised"] == pytest.approx(100 / TARGET)


def test_indicator_percent_with_decimal_comma_in_semicolon_csv(tmp_path, indicator_rubric):
    result = _score(
        tmp_path,
        indicator_rubric,
        [["E1", 4, 2, "85,5%", 100]],
        writer=lambda p, rows, header: write_csv(p, rows, header=header, delimiter=";"),
        suffix="csv",
    )
    assert result.engagements.loc["E1", "objectives_met.value"] == pytest.approx(0.855)


def test_indicator_values_appear_in_json(tmp_path, indicator_rubric, cli):
    import json

    path = write_xlsx(tmp_path / "ind.xlsx", [["E1", 4, 2, "85%", 100]], header=HEADER)
    out = cli("score", path, "--rubric", indicator_rubric, "--format", "json")
    item = json.loads(out.stdout)["engagements"][0]
    assert item["criteria"]["delivery"]["indicators"] == {
        "objectives_met": pytest.approx(0.85),
        "trained": 100,
    }
