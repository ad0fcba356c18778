"""Weight sensitivity: the matrix scorer agrees with the engine, seeds, intervals, limits."""

from __future__ import annotations

import json
import math

import numpy as np
import pandas as pd
import pytest
from conftest import CRITERIA, row, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays
from openpyxl import load_workbook

import assess
from assess.analyses.sensitivity import run_sensitivity
from assess.scoring import aggregate, aggregate_many, ranks_many

SMALL = {"draws": 300, "seed": 7}


def _result(ratings: list[tuple]) -> assess.Result:
    frame = pd.DataFrame(
        [
            {"Engagement ID": f"E{i + 1}", **dict(zip(CRITERIA, r, strict=True))}
            for i, r in enumerate(ratings)
        ]
    )
    frame.columns = ["Engagement ID", *CRITERIA]
    return assess.score(frame)


EXAMPLE = [
    (4, 4, 3, 3, 0),
    (3, 4, 2, 1, 1),
    (2, 3, 4, 2, 2),
    (1, 2, 3, 4, 1),
    (3, 1, 3, 3, 3),
    (2, 2, 2, 2, 2),
    (0, 3, 1, 2, 4),
    (4, 1, 1, 4, 2),
]
# fractional ratings with distinct scores at the rubric's weights and gaps of a point or more
DISTINCT = [(4, 3.5, 3, 2.5, 0.5), (3.5, 3, 2.5, 3, 1), (3, 2.5, 3, 2, 1.5), (2, 2.5, 1.5, 3, 2)]


# -- the matrix scorer is the engine's arithmetic ----------------------------------------------


@settings(max_examples=60, deadline=None)
@given(
    arrays(float, (6, 4), elements=st.one_of(st.just(np.nan), st.floats(0, 1))),
    arrays(float, (3, 4), elements=st.floats(0.01, 1)),
    st.booleans(),
)
def test_matrix_scores_equal_the_scorers_for_any_weights(x, weights, geometric):
    x[:, 0] = np.where(np.isnan(x[:, 0]), 0.5, x[:, 0])  # at least one rating per engagement
    method = "weighted_geometric" if geometric else "weighted_arithmetic"
    got = aggregate_many(x, weights, geometric)
    for d, w in enumerate(weights):
        w = w / w.sum()
        total, *_ = aggregate(x, w, method, 1e-9)
        np.testing.assert_allclose(got[d], total, atol=1e-8)


@settings(max_examples=60, deadline=None)
@given(arrays(float, (4, 9), elements=st.sampled_from([0.0, 1.5, 2.0, 2.0, 7.25])))
def test_ranks_are_the_engines_ties_share_the_better_rank(scores):
    best, mean = ranks_many(scores)
    for d in range(len(scores)):
        s = pd.Series(scores[d])
        assert best[d].tolist() == s.rank(method="min", ascending=False).astype(int).tolist()
        assert mean[d].tolist() == s.rank(method="average", ascending=False).tolist()


# -- the Monte Carlo ------------------------------------------------------------------------------


def test_same_seed_gives_the_same_numbers():
    result = _result(EXAMPLE)
    a = assess.sensitivity(result, **SMALL, switch_aggregation=True).sensitivity
    b = assess.sensitivity(result, **SMALL, switch_aggregation=True).sensitivity
    assert a.to_dict() == b.to_dict()
    c = assess.sensitivity(result, draws=300, seed=8, switch_aggregation=True).sensitivity
    assert c.to_dict() != a.to_dict()


@pytest.mark.parametrize("seed", [0, 7])
def test_same_seed_gives_the_same_sobol_indices_and_intervals(seed):
    """The bootstrap behind ``S1_conf`` and ``ST_conf`` follows the seed too, 0 (the default)
    included."""
    result = _result(EXAMPLE)
    a = assess.sensitivity(result, draws=300, seed=seed, switch_aggregation=True).sensitivity
    b = assess.sensitivity(result, draws=300, seed=seed, switch_aggregation=True).sensitivity
    assert (a.sobol[["S1_conf", "ST_conf"]] > 0).any().all()  # intervals that could differ
    assert a.to_dict() == b.to_dict()


@settings(max_examples=15, deadline=None)
@given(
    st.lists(
        st.tuples(*[st.sampled_from([0, 1, 2, 2.5, 3, 4, None])] * 5), min_size=2, max_size=12
    ),
    st.sampled_from([2.0, 10.0, 100.0]),
)
def test_intervals_contain_the_nominal_rank_and_band_probabilities_sum_to_1(ratings, k):
    try:
        result = _result(ratings)
    except assess.InputError:
        return
    if result.scored.empty:
        return
    s = assess.sensitivity(result, draws=120, concentration=k, seed=1, sobol=False).sensitivity
    e = s.engagements
    assert ((e["rank_low"] <= e["rank"]) & (e["rank"] <= e["rank_high"])).all()
    assert (e["rank_low"] <= e["rank_p05"]).all() and (e["rank_p95"] <= e["rank_high"]).all()
    np.testing.assert_allclose(s.band_probability.sum(axis=1), 1.0, atol=1e-12)
    assert list(s.band_probability.columns) == result.rubric.band_names


def test_infinite_concentration_gives_the_nominal_ranking():
    result = _result(EXAMPLE)
    s = assess.sensitivity(result, draws=50, concentration=math.inf).sensitivity
    e = s.engagements
    assert (e["rank_p05"] == e["rank"]).all() and (e["rank_p95"] == e["rank"]).all()
    assert s.mean_spearman == pytest.approx(1.0)
    assert s.sobol is None
    nominal = result.scored["band"]
    for eid, probs in s.band_probability.iterrows():
        assert probs[nominal[eid]] == 1.0


def test_concentration_growing_without_bound_converges_to_the_nominal_ranking():
    result = _result(DISTINCT)
    spread = []
    for k in (5.0, 1e3, 1e9):
        e = assess.sensitivity(result, draws=200, concentration=k, seed=3).sensitivity.engagements
        spread.append(int((e["rank_p95"] - e["rank_p05"]).sum()))
    assert spread[-1] == 0 and spread[0] > 0
    e = assess.sensitivity(result, draws=200, concentration=1e9, seed=3).sensitivity.engagements
    assert (e["rank_median"] == e["rank"]).all()


def test_switching_aggregation_is_a_sobol_factor():
    s = assess.sensitivity(_result(EXAMPLE), **SMALL, switch_aggregation=True).sensitivity
    assert list(s.sobol.index) == [*CRITERIA, "aggregation"]
    assert {"S1", "S1_conf", "ST", "ST_conf"} == set(s.sobol.columns)
    assert s.sobol_n >= 8 and (s.sobol_n & (s.sobol_n - 1)) == 0  # a power of two


def test_leave_one_out_is_rescored_by_the_engine():
    result = _result(EXAMPLE)
    table = assess.sensitivity(result, **SMALL).sensitivity.leave_one_out
    assert list(table.index) == CRITERIA
    dropped = assess.score_frame(
        result.scored.rename(columns={f"{c}.rating": c for c in CRITERIA})[CRITERIA],
        result.rubric.with_weights({"transparency": 0.0}),
    )
    moved = (dropped["rank"].astype(int) - result.scored["rank"].astype(int)).abs()
    assert table.loc["transparency", "max_rank_change"] == moved.max()
    assert table.loc["transparency", "mean_rank_change"] == pytest.approx(moved.mean())


def test_raters_are_resampled_for_several_raters_input(tmp_path):
    from conftest import rater_workbook

    path = rater_workbook(
        tmp_path / "r.xlsx",
        {
            "Ann": [row("E1", 4, 3, 3, 3, 1), row("E2", 2, 2, 2, 2, 2), row("E3", 3)],
            "Bo": [row("E1", 1, 3, 3, 3, 1), row("E2", 3, 2, 2, 2, 2), row("E3", 3)],
            "Cy": [row("E1", 3, 3, 3, 3, 4), row("E2", 2, 4, 2, 2, 2), row("E3", 3)],
        },
    )
    result = assess.score(path)
    on = assess.sensitivity(result, draws=200, concentration=math.inf, seed=2).sensitivity
    off = assess.sensitivity(
        result, draws=200, concentration=math.inf, seed=2, resample_raters=False
    ).sensitivity
    assert on.resample_raters and not off.resample_raters
    assert on.mean_spearman < 1.0 == pytest.approx(off.mean_spearman)


def test_resampling_raters_needs_several_raters():
    with pytest.raises(assess.InputError, match="several raters"):
        assess.sensitivity(_result(EXAMPLE), draws=10, resample_raters=True)


def test_nothing_scored_is_an_input_error():
    result = _result([(1, None, None, None, 1)])
    with pytest.raises(assess.InputError, match="no engagement was scored"):
        run_sensitivity(result, draws=10)


# -- reports and the command line ----------------------------------------------------------------


def test_cli_sensitivity_json_is_reproducible(tmp_path, cli):
    path = write_xlsx(tmp_path / "t.xlsx", [row(f"E{i}", *r) for i, r in enumerate(EXAMPLE)])
    args = ("sensitivity", path, "--draws", 200, "--seed", 5, "--format", "json")
    first, second = cli(*args), cli(*args)
    assert first.exit_code == 0 and first.stdout == second.stdout
    block = json.loads(first.stdout)["sensitivity"]
    assert block["draws"] == 200 and block["concentration"] == 50
    assert len(block["engagements"]) == len(EXAMPLE)
    one = block["engagements"][0]
    assert one["rank_interval"][0] <= one["rank"] <= one["rank_interval"][1]
    assert sum(one["band_probability"].values()) == pytest.approx(1.0)


def test_cli_sensitivity_writes_the_sheet_and_the_chart(tmp_path, cli):
    path = write_xlsx(tmp_path / "t.xlsx", [row(f"E{i}", *r) for i, r in enumerate(EXAMPLE)])
    for name in ("s.xlsx", "s.html"):
        out = cli(
            "sensitivity", path, "--draws", 100, "--switch-aggregation", "-o", tmp_path / name
        )
        assert out.exit_code == 0, out.stdout
    assert "mean Spearman rho" in out.stdout
    wb = load_workbook(tmp_path / "s.xlsx", read_only=True)
    assert wb.sheetnames[-1] == "Sensitivity"
    cells = [c for r in wb["Sensitivity"].iter_rows(values_only=True) for c in r if c is not None]
    assert "Leave one criterion out (rescored by the engine)" in cells
    html = (tmp_path / "s.html").read_text(encoding="utf-8")
    assert 'id="sensitivity"' in html and 'class="intervals"' in html
    assert html.count("<circle") == len(EXAMPLE)


@pytest.mark.parametrize(
    ("options", "message"),
    [
        ({"concentration": 0}, "the concentration must be greater than 0, not 0"),
        ({"concentration": -1.5}, "the concentration must be greater than 0, not -1.5"),
        ({"concentration": math.nan}, "the concentration must be greater than 0, not nan"),
        ({"draws": 0}, "draws must be at least 1, not 0"),
    ],
)
def test_options_out_of_range_are_one_assess_error_before_any_reading(tmp_path, options, message):
    absent = tmp_path / "absent.xlsx"  # never read: the options are checked first
    with pytest.raises(assess.OptionError, match=message) as info:
        assess.sensitivity(absent, **options)
    assert isinstance(info.value, assess.AssessError) and isinstance(info.value, ValueError)
    with pytest.raises(assess.OptionError, match=message):
        run_sensitivity(_result(EXAMPLE), **options)


def test_cli_concentration_must_be_positive(tmp_path, cli):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2", 1)])
    out = cli("sensitivity", path, "--concentration", 0)
    assert out.exit_code == 2
    assert out.stderr == "assess: error: the concentration must be greater than 0, not 0\n"


def test_cli_infinite_concentration(tmp_path, cli):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2", 1)])
    out = cli("sensitivity", path, "--concentration", "inf", "--draws", 20, "--format", "json")
    block = json.loads(out.stdout)["sensitivity"]
    assert block["concentration"] is None and block["mean_spearman"] == 1.0


def test_on_the_example_every_nominal_rank_lies_in_its_5_95_range():
    from conftest import EXAMPLE_WORKBOOK

    s = assess.sensitivity(EXAMPLE_WORKBOOK, draws=500, seed=7, sobol=False).sensitivity
    e = s.engagements
    assert s.outside == 0
    assert ((e["rank_p05"] <= e["rank"]) & (e["rank"] <= e["rank_p95"])).all()
    assert 0.9 < s.mean_spearman < 1.0
