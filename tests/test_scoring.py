"""Scoring: the arithmetic, by hand from the rubric's weights, through real files."""

from __future__ import annotations

import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import (
    CRITERIA,
    DEFAULT_RUBRIC_FILE,
    RAW_WEIGHTS,
    SMALL_HEADER,
    dump_rubric,
    expected_arithmetic,
    ratings_of,
    row,
    small_rubric,
    small_rubric_data,
    write_xlsx,
)
from hypothesis import given, settings
from hypothesis import strategies as st

import assess

RAW_BANDS = sorted(
    (
        (b["min"], b["name"])
        for b in yaml.safe_load(DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8"))["bands"]
    ),
    reverse=True,
)


def band_for(score: float) -> str:
    return next(name for low, name in RAW_BANDS if score >= low)


def score_one(tmp_path, t, n, i, r, f, rubric="military-diplomacy"):
    path = write_xlsx(tmp_path / "one.xlsx", [row("E1", t, n, i, r, f)])
    result = assess.score(path, rubric=rubric)
    assert result.rejected == []
    return result.engagements.loc["E1"]


# -- weighted arithmetic ------------------------------------------------------------------


def test_weighted_arithmetic_score_is_computed_from_the_weights(tmp_path):
    got = score_one(tmp_path, 4, 3, 2, 1, 1)
    w = RAW_WEIGHTS
    by_hand = 100 * (
        w["transparency"] * 1
        + w["norms_alignment"] * 0.75
        + w["interoperability"] * 0.5
        + w["resources"] * 0.25
        + w["political_friction"] * (1 - 0.25)
    )
    assert got["score"] == pytest.approx(by_hand)


def test_all_best_ratings_score_100(tmp_path):
    assert score_one(tmp_path, 4, 4, 4, 4, 0)["score"] == pytest.approx(100)


def test_all_worst_ratings_score_0(tmp_path):
    assert score_one(tmp_path, 0, 0, 0, 0, 4)["score"] == pytest.approx(0)


def test_cost_criterion_at_max_contributes_nothing(tmp_path):
    got = score_one(tmp_path, 2, 2, 2, 2, 4)
    assert got["political_friction.normalised"] == 0
    assert got["political_friction.contribution"] == 0


def test_cost_criterion_at_zero_contributes_its_full_weight(tmp_path):
    got = score_one(tmp_path, 2, 2, 2, 2, 0)
    assert got["political_friction.normalised"] == 1
    assert got["political_friction.contribution"] == pytest.approx(
        100 * RAW_WEIGHTS["political_friction"]
    )


def test_contributions_sum_to_the_score(tmp_path):
    got = score_one(tmp_path, 4, 1, 3, 2.5, 3)
    assert sum(got[f"{c}.contribution"] for c in CRITERIA) == pytest.approx(got["score"])


rating = st.one_of(st.integers(0, 4), st.sampled_from([0.5, 1.5, 2.5, 3.5]))


@settings(max_examples=50, deadline=None)
@given(st.tuples(rating, rating, rating, rating, rating))
def test_score_frame_matches_the_hand_formula(ratings):
    rubric = assess.load_rubric()
    frame = pd.DataFrame([ratings], columns=CRITERIA, index=["E1"], dtype=float)
    got = assess.score_frame(frame, rubric).loc["E1"]
    assert got["score"] == pytest.approx(expected_arithmetic(ratings_of(*ratings)), abs=1e-9)
    assert sum(got[f"{c}.contribution"] for c in CRITERIA) == pytest.approx(got["score"], abs=1e-9)


# -- weighted geometric -------------------------------------------------------------------


def _geometric(tmp_path, rows):
    rubric = dump_rubric(
        tmp_path / "geo.yaml",
        small_rubric_data(aggregation="weighted_geometric", weights=(2, 1, 1)),
    )
    path = write_xlsx(tmp_path / "geo.xlsx", rows, header=SMALL_HEADER)
    result = assess.score(path, rubric=rubric)
    assert result.rejected == []
    return result.engagements


def test_weighted_geometric_score_is_the_weighted_product(tmp_path):
    got = _geometric(tmp_path, [["E1", 3, 2, 1]]).loc["E1"]
    by_hand = 100 * (3 / 4) ** 0.5 * (2 / 4) ** 0.25 * (1 - 1 / 4) ** 0.25
    assert got["score"] == pytest.approx(by_hand)


def test_weighted_geometric_zero_criterion_gives_zero(tmp_path):
    got = _geometric(tmp_path, [["E1", 4, 0, 0]]).loc["E1"]
    assert got["score"] == 0


def test_weighted_geometric_cost_at_max_gives_zero(tmp_path):
    got = _geometric(tmp_path, [["E1", 4, 4, 4]]).loc["E1"]
    assert got["score"] == 0


def test_weighted_geometric_contributions_sum_to_the_score(tmp_path):
    got = _geometric(tmp_path, [["E1", 3, 1, 2]]).loc["E1"]
    assert got["alpha.contribution"] + got["beta.contribution"] + got[
        "gamma.contribution"
    ] == pytest.approx(got["score"])


def test_weighted_geometric_renormalises_over_present_criteria(tmp_path):
    got = _geometric(tmp_path, [["E1", 3, "N/A", 1]]).loc["E1"]
    # alpha 2/3, gamma 1/3 of the weight present
    by_hand = 100 * (3 / 4) ** (2 / 3) * (1 - 1 / 4) ** (1 / 3)
    assert got["score"] == pytest.approx(by_hand)


# -- missing data ---------------------------------------------------------------------------


def test_missing_rating_renormalises_weights_over_present_criteria(tmp_path):
    got = score_one(tmp_path, 4, None, 2, 3, 1)
    w = RAW_WEIGHTS
    present = w["transparency"] + w["interoperability"] + w["resources"] + w["political_friction"]
    by_hand = (
        100
        * (
            w["transparency"] * 1
            + w["interoperability"] * 0.5
            + w["resources"] * 0.75
            + w["political_friction"] * 0.75
        )
        / present
    )
    assert got["score"] == pytest.approx(by_hand)
    assert got["completeness"] == pytest.approx(present)


def test_below_min_weight_share_is_insufficient_not_scored(tmp_path):
    # transparency + norms = 0.5 of the weight, under 0.6
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", 4, 4, None, None, None), row("E2")])
    result = assess.score(path)
    assert list(result.insufficient.index) == ["E1"]
    assert list(result.scored.index) == ["E2"]
    got = result.engagements.loc["E1"]
    assert math.isnan(got["score"]) and pd.isna(got["rank"]) and got["band"] is None


def test_insufficient_row_has_no_score_or_rank_in_json(tmp_path, cli):
    import json

    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", 4, 4, None, None, None)])
    out = json.loads(cli("score", path, "--format", "json").stdout)
    (item,) = out["insufficient"]
    assert item["id"] == "E1" and "score" not in item and "rank" not in item
    assert item["completeness"] == pytest.approx(
        RAW_WEIGHTS["transparency"] + RAW_WEIGHTS["norms_alignment"]
    )


def test_exactly_min_weight_share_is_scored(tmp_path):
    # transparency + interoperability + resources = 0.25 + 0.20 + 0.15 = 0.60 of the weight
    w = RAW_WEIGHTS
    assert w["transparency"] + w["interoperability"] + w["resources"] == pytest.approx(0.6)
    got = score_one(tmp_path, 4, None, 2, 1, None)
    assert got["status"] == "scored"
    by_hand = (
        100 * (w["transparency"] * 1 + w["interoperability"] * 0.5 + w["resources"] * 0.25) / 0.6
    )
    assert got["score"] == pytest.approx(by_hand)


def test_exactly_min_weight_share_is_scored_in_custom_rubric(tmp_path):
    # weights 3,1,1: alpha alone is 3/5 = 0.6 of the weight, the threshold exactly
    rubric = dump_rubric(tmp_path / "r.yaml", small_rubric_data(weights=(3, 1, 1), min_share=0.6))
    path = write_xlsx(tmp_path / "t.xlsx", [["E1", 2, None, None]], header=SMALL_HEADER)
    got = assess.score(path, rubric=rubric).engagements.loc["E1"]
    assert got["status"] == "scored"
    assert got["score"] == pytest.approx(50)


# -- bands and gates ------------------------------------------------------------------------


@pytest.mark.parametrize(
    "ratings",
    [
        pytest.param((3, 3, 3, 3, 1), id="75-exactly"),
        pytest.param((3, 3, 3, 3, 1.5), id="just-under-75"),
        pytest.param((2, 2, 3, 2, 2), id="55-exactly"),
        pytest.param((1, 1, 3, 1, 3), id="35-exactly"),
        pytest.param((1, 1, 3, 1, 3.5), id="just-under-35"),
        pytest.param((0, 0, 0, 0, 4), id="zero"),
    ],
)
def test_band_is_the_highest_whose_minimum_the_score_reaches(tmp_path, ratings):
    got = score_one(tmp_path, *ratings)
    by_hand = expected_arithmetic(ratings_of(*ratings))
    assert got["score"] == pytest.approx(by_hand)
    assert got["band"] == band_for(by_hand)


def test_score_of_exactly_75_is_highly_effective(tmp_path):
    got = score_one(tmp_path, 3, 3, 3, 3, 1)
    assert expected_arithmetic(ratings_of(3, 3, 3, 3, 1)) == pytest.approx(75)
    assert got["band"] == "Highly effective"


def test_severe_friction_caps_the_band_of_an_otherwise_perfect_engagement(tmp_path):
    got = score_one(tmp_path, 4, 4, 4, 4, 4)
    assert got["score"] == pytest.approx(100 * (1 - RAW_WEIGHTS["political_friction"]))
    assert got["band"] == "Partially effective"
    assert got["gates"] == "friction-cap"


def test_gate_is_listed_in_json(tmp_path, cli):
    import json

    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", 4, 4, 4, 4, 4)])
    (item,) = json.loads(cli("score", path, "--format", "json").stdout)["engagements"]
    assert item["gates"] == ["friction-cap"]
    assert item["band"] == "Partially effective"


def test_norms_at_zero_caps_the_band(tmp_path):
    got = score_one(tmp_path, 4, 0, 4, 4, 0)
    assert got["band"] == "Partially effective"
    assert got["gates"] == "norms-floor"


def test_gate_does_not_raise_a_lower_band(tmp_path):
    got = score_one(tmp_path, 0, 1, 1, 0, 4)
    assert got["band"] == band_for(expected_arithmetic(ratings_of(0, 1, 1, 0, 4))) == "Ineffective"
    assert got["gates"] == ""


# -- ranks ----------------------------------------------------------------------------------


def test_best_score_ranks_first_and_ties_share_the_better_rank(tmp_path):
    rows = [
        row("LOW", 1, 1, 1, 1, 3),
        row("TOP-A", 4, 4, 4, 4, 0),
        row("MID", 2, 2, 2, 2, 2),
        row("TOP-B", 4, 4, 4, 4, 0),
    ]
    result = assess.score(write_xlsx(tmp_path / "t.xlsx", rows))
    assert result.engagements["rank"].to_dict() == {"TOP-A": 1, "TOP-B": 1, "MID": 3, "LOW": 4}


def test_engagements_are_ordered_best_first(tmp_path):
    rows = [row("LOW", 1, 1, 1, 1, 3), row("TOP", 4, 4, 4, 4, 0), row("MID", 2, 2, 2, 2, 2)]
    result = assess.score(write_xlsx(tmp_path / "t.xlsx", rows))
    assert list(result.scored.index) == ["TOP", "MID", "LOW"]


def test_insufficient_rows_get_no_rank(tmp_path):
    rows = [row("A", 4, 4, 4, 4, 0), row("B", 4, 4, None, None, None), row("C", 1, 1, 1, 1, 1)]
    result = assess.score(write_xlsx(tmp_path / "t.xlsx", rows))
    ranks = result.engagements["rank"]
    assert (ranks["A"], ranks["C"]) == (1, 2)
    assert pd.isna(ranks["B"])


def test_ranks_span_several_files(tmp_path):
    a = write_xlsx(tmp_path / "a.xlsx", [row("A1", 2, 2, 2, 2, 2)])
    b = write_xlsx(tmp_path / "b.xlsx", [row("B1", 4, 4, 4, 4, 0)])
    result = assess.score([a, b])
    assert result.engagements["rank"].to_dict() == {"B1": 1, "A1": 2}


def test_id_repeated_across_files_rejects_the_later_row(tmp_path):
    a = write_xlsx(tmp_path / "a.xlsx", [row("X1")])
    b = write_xlsx(tmp_path / "b.xlsx", [row("X1"), row("B2")])
    result = assess.score([a, b])
    (rej,) = result.rejected
    assert (rej.file, rej.row, rej.column) == ("b.xlsx", 2, "A")
    assert result.counts == {
        "rows": 3,
        "scored": 2,
        "insufficient": 0,
        "rejected": 1,
        "not_approved": 0,
    }


# -- score_frame is pure ----------------------------------------------------------------------


def _frame() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "transparency": [4, 2, float("nan")],
            "norms_alignment": [3, 2, 1],
            "interoperability": [2, 2, 4],
            "resources": [1, 2, 3],
            "political_friction": [0, 2, 4],
            "note": ["a", "b", "c"],
        },
        index=["E1", "E2", "E3"],
    )


def test_score_frame_leaves_its_input_unchanged(default_rubric):
    frame = _frame()
    before = frame.copy(deep=True)
    assess.score_frame(frame, default_rubric)
    pd.testing.assert_frame_equal(frame, before)


def test_score_frame_is_deterministic(default_rubric):
    first = assess.score_frame(_frame(), default_rubric)
    second = assess.score_frame(_frame(), default_rubric)
    pd.testing.assert_frame_equal(first, second)


def test_score_frame_keeps_the_index(default_rubric):
    assert list(assess.score_frame(_frame(), default_rubric).index) == ["E1", "E2", "E3"]


def test_parse_rubric_text_scores_like_the_file(tmp_path):
    rubric = assess.parse_rubric(small_rubric(weights=(2, 1, 1)))
    frame = pd.DataFrame({"alpha": [4.0], "beta": [2.0], "gamma": [1.0]}, index=["E1"])
    got = assess.score_frame(frame, rubric).loc["E1", "score"]
    assert got == pytest.approx(100 * (0.5 * 1 + 0.25 * 0.5 + 0.25 * 0.75))


# -- the numpy kernel under score_frame ---------------------------------------------------

scores_with_ties = st.lists(
    st.one_of(
        st.sampled_from([0.0, 12.5, 50.0, 50.0, 100.0]), st.floats(0, 100), st.just(math.nan)
    ),
    min_size=0,
    max_size=80,
)


@settings(max_examples=200, deadline=None)
@given(scores_with_ties, st.integers(1, 40))
def test_rank_descending_is_pandas_min_rank(values, repeat):
    # repeating the list makes few distinct values among many rows: the counting path
    from assess.scoring import rank_descending

    total = np.array(values * repeat, dtype=float)
    expected = pd.Series(total).rank(method="min", ascending=False).fillna(0).astype(int)
    assert rank_descending(total).tolist() == expected.tolist()


ratings_or_missing = st.one_of(st.integers(0, 4).map(float), st.just(math.nan))


@settings(max_examples=100, deadline=None)
@given(st.lists(st.tuples(*[ratings_or_missing] * 5), min_size=1, max_size=40))
def test_score_arrays_bands_and_gates_follow_the_rubric_row_by_row(rows):
    from assess.scoring import input_columns, score_arrays

    default_rubric = assess.load_rubric("military-diplomacy")
    values = np.array(rows, dtype=float)
    got = score_arrays(values, default_rubric)
    labels = got.gate_labels(default_rubric)
    names = default_rubric.band_names
    cols = input_columns(default_rubric)
    for i, rated in enumerate(rows):
        score = got.score[i]
        base = len(names) - 1 if math.isnan(score) else names.index(band_for(score))
        band, applied = base, []
        for gate in default_rubric.gates:
            v = rated[cols.index(gate.criterion)]
            hit = v >= gate.at_least if gate.at_least is not None else v <= gate.at_most
            if hit and base < names.index(gate.cap):
                band = max(band, names.index(gate.cap))
                applied.append(gate.id)
        assert got.band[i] == band
        assert labels[i] == ",".join(applied)
