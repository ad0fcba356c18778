"""Calibrating weights against past cases: reading cases, fitting, honesty, the written rubric.

Outcomes are generated here from known weights with numpy (the rubric's arithmetic written
out by hand: rating / 4, cost criteria inverted, weighted mean), not through ``assess``.
"""

from __future__ import annotations

import hashlib
import math

import numpy as np
import pandas as pd
import pytest
import yaml
from conftest import (
    BANDS,
    CRITERIA,
    HEADER,
    PAIRWISE,
    RAW_WEIGHTS,
    TRUE,
    cases_file,
    draw,
    dump_rubric,
    inconsistent_matrix,
    ratings_frame,
    small_rubric_data,
    wide_case_files,
    write_xlsx,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess
from assess.calibration.cases import read_cases
from assess.calibration.estimator import RubricCalibrator
from assess.calibration.outcomes import parse_outcomes
from assess.calibration.rubric_out import bump_version
from assess.calibration.weighting import ahp_weights, critic_weights, entropy_weights, read_pairwise
from assess.calibration.workflow import calibrate
from assess.errors import InputError, OutputError

FAST = {"folds": 3, "repeats": 1, "bootstrap": 0}


# -- recovery and honesty -----------------------------------------------------------------


def test_recovers_known_weights_from_numeric_outcomes(tmp_path):
    ratings, y = draw(300, "numeric", seed=1)
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", **FAST)
    np.testing.assert_allclose(cal.weights["calibrated"].to_numpy(), TRUE, atol=0.05)


@pytest.mark.parametrize("kind", ["binary", "ordinal"])
def test_recovers_known_weights_from_categorical_outcomes(kind):
    ratings, y = draw(800, kind, seed=2)
    est = RubricCalibrator("military-diplomacy", kind, levels=None if kind == "binary" else BANDS)
    est.fit(ratings_frame(ratings), y)
    np.testing.assert_allclose(est.weights_, TRUE, atol=0.05)


def test_recovered_weights_are_recommended_over_the_expert_ones(tmp_path):
    ratings, y = draw(250, "numeric", seed=3)
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", folds=5, repeats=2)
    assert cal.recommendation == "use-calibrated"
    assert cal.comparisons["expert"]["better"]


@pytest.mark.parametrize("kind", ["numeric", "binary"])
def test_pure_noise_outcomes_claim_no_improvement(tmp_path, kind):
    rng = np.random.default_rng(11)
    ratings = rng.integers(0, 5, size=(200, 5))
    y = rng.normal(50, 15, 200).round(1) if kind == "numeric" else rng.choice(["yes", "no"], 200)
    cal = calibrate(
        cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", folds=5, repeats=2, bootstrap=0
    )
    assert not cal.comparisons["expert"]["better"]
    assert cal.recommendation == "keep-expert"
    assert cal.recommendation_text.startswith("Keep the expert weights")
    assert any(w.startswith("Keep the expert weights") for w in cal.warnings)
    assert cal.to_dict()["recommendation"] == "keep-expert"


def test_every_weighting_is_scored_on_the_same_folds(tmp_path):
    ratings, y = draw(120, "numeric", seed=4)
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", folds=4, repeats=2)
    folds = cal.evaluation.folds
    assert list(dict.fromkeys(folds["weighting"])) == ["calibrated", "expert", "equal"]
    sizes = folds.pivot(index="split", columns="weighting", values="n_test")
    assert len(sizes) == 8 and (sizes.nunique(axis=1) == 1).all()
    assert set(cal.metrics()["expert"]) == {"spearman", "mae"}


def test_bootstrap_intervals_hold_the_estimate_and_are_reproducible(tmp_path):
    ratings, y = draw(150, "numeric", seed=5)
    path = cases_file(tmp_path / "c.xlsx", ratings, y)
    a = calibrate(path, "Outcome", folds=3, repeats=1, bootstrap=30, seed=7).weights
    b = calibrate(path, "Outcome", folds=3, repeats=1, bootstrap=30, seed=7).weights
    pd.testing.assert_frame_equal(a, b)
    assert (a["low"] <= a["calibrated"] + 1e-9).all() and (
        a["calibrated"] <= a["high"] + 1e-9
    ).all()


# -- outcome kinds ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cells", "kind", "values"),
    [
        ([72.5, "40", 0, "55,5"], "numeric", [72.5, 40, 0, 55.5]),
        (["success", "Failure", "SUCCESS"], "binary", [1, 0, 1]),
        (["yes", "no", "y"], "binary", [1, 0, 1]),
        ([1, 0, 1.0, "0"], "binary", [1, 0, 1, 0]),
        ([True, False], "binary", [1, 0]),
        (["Effective", "highly effective", "Ineffective"], "ordinal", [2, 3, 0]),
    ],
)
def test_outcome_kind_is_detected_from_the_cells(cells, kind, values):
    out = parse_outcomes(cells, band_names=list(reversed(BANDS)))
    assert out.kind == kind
    assert out.values.tolist() == values


def test_ordinal_levels_can_be_given_worst_first():
    out = parse_outcomes(["High", "low", "Medium"], levels=["Low", "Medium", "High"])
    assert (out.kind, out.levels, out.values.tolist()) == (
        "ordinal",
        ("Low", "Medium", "High"),
        [2, 0, 1],
    )


def test_two_given_levels_read_as_a_binary_outcome_negative_first():
    out = parse_outcomes(["won", "Lost", "won"], levels=["lost", "won"])
    assert (out.kind, out.levels, out.values.tolist()) == ("binary", ("lost", "won"), [1, 0, 1])


def test_undetectable_outcome_asks_for_kind():
    with pytest.raises(InputError, match="--kind"):
        parse_outcomes(["green", "blue", "red"])


@given(st.lists(st.floats(-1e6, 1e6, allow_nan=False), min_size=1, max_size=30))
def test_numbers_read_as_numeric_outcomes(values):
    out = parse_outcomes(values, kind="numeric")
    np.testing.assert_allclose(out.values, values)
    assert out.errors == [None] * len(values)


@pytest.mark.parametrize("kind", ["numeric", "binary", "ordinal"])
def test_each_kind_calibrates_end_to_end(tmp_path, kind):
    ratings, y = draw(120, kind, seed=6)
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", **FAST)
    assert cal.cases.kind == kind
    expected = {
        "numeric": {"spearman", "mae"},
        "binary": {"auc", "brier", "log_loss"},
        "ordinal": {"exact", "within_one", "kendall_tau", "log_loss"},
    }[kind]
    assert set(cal.metrics()["calibrated"]) == expected
    assert math.isclose(cal.weights["calibrated"].sum(), 1.0)
    assert (cal.weights["calibrated"] >= 0).all()


def test_ordinal_band_outcomes_recalibrate_the_band_cut_offs(tmp_path):
    ratings, y = draw(400, "ordinal", seed=8, noise=0.5)
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", **FAST)
    assert cal.cutoffs_applied
    mins = {b.name: b.min for b in cal.calibrated.bands}
    assert mins["Ineffective"] == 0
    for name, truth in zip(BANDS[1:], (35, 55, 75), strict=True):
        assert abs(mins[name] - truth) < 4


# -- reading cases ------------------------------------------------------------------------


def test_unreadable_outcome_rejects_the_row_naming_the_cell(tmp_path):
    ratings, y = draw(30, "binary", seed=9)
    y[10] = "maybe"  # data row 11: Excel row 12; the outcome is column I
    cases = read_cases(cases_file(tmp_path / "c.xlsx", ratings, y), outcome="Outcome")
    assert [str(r) for r in cases.rejected] == [
        "Cases!I12: 'maybe' is not an outcome (success/failure)"
    ]
    assert cases.counts == {"rows": 30, "used": 29, "insufficient": 0, "rejected": 1}


def test_a_row_with_a_bad_rating_and_a_bad_outcome_lists_both(tmp_path):
    rows = [
        ["C1", "a", "t", 3, 3, 3, 3, 1, "success"],
        ["C2", "b", "t", "high", 3, 3, 3, 1, "perhaps"],
        ["C3", "c", "t", 1, 1, 1, 1, 3, "failure"],
    ]
    path = write_xlsx(tmp_path / "c.xlsx", rows, header=[*HEADER, "Outcome"], sheet="Cases")
    (rej,) = read_cases(path, outcome="Outcome").rejected
    assert [p.column for p in rej.problems] == ["D", "I"]
    assert rej.cell == "Cases!D3"
    assert rej.problems[1].reason == "'perhaps' is not an outcome (success/failure)"


def test_blank_outcome_rejects_the_row(tmp_path):
    ratings, y = draw(10, "numeric", seed=1)
    y = y.astype(object)
    y[3] = None
    (rej,) = read_cases(cases_file(tmp_path / "c.xlsx", ratings, y), outcome="Outcome").rejected
    assert str(rej) == "Cases!I5: missing outcome"


def test_insufficient_evidence_cases_are_left_out_and_counted(tmp_path):
    rows = [["C1", "a", "t", 3, None, None, None, 1, 50], ["C2", "b", "t", 3, 2, 1, 0, 2, 40]]
    path = write_xlsx(tmp_path / "c.xlsx", rows, header=[*HEADER, "Outcome"], sheet="Cases")
    cases = read_cases(path, outcome="Outcome")
    assert cases.counts == {"rows": 2, "used": 1, "insufficient": 1, "rejected": 0}
    assert cases.insufficient == [{"id": "C1", "row": 2, "completeness": 0.4}]


OUTCOME_CELL = st.one_of(
    st.sampled_from(["success", "failure", "maybe", None, "", "N/A", 1, 0, 2.5]),
    st.text(max_size=5),
)
RATING_CELL = st.one_of(
    st.integers(-1, 5), st.sampled_from(["N/A", "high", None, "3 - Substantial"])
)


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    st.lists(
        st.tuples(st.lists(RATING_CELL, min_size=5, max_size=5), OUTCOME_CELL, st.booleans()),
        min_size=1,
        max_size=25,
    )
)
def test_used_insufficient_and_rejected_add_up_to_the_rows(rows):
    frame = pd.DataFrame(
        [[f"C{i}" if has_id else None, *r, y] for i, (r, y, has_id) in enumerate(rows)],
        columns=[
            "Engagement ID",
            "Transparency",
            "Norms alignment",
            "Interoperability",
            "Resources",
            "Political friction",
            "Outcome",
        ],
    )
    try:
        cases = read_cases(frame, outcome="Outcome", kind="binary")
    except InputError:
        return
    c = cases.counts
    assert c["used"] + c["insufficient"] + c["rejected"] == c["rows"] == len(rows)
    assert len(cases.outcome) == c["used"]


def test_outcome_column_must_exist(tmp_path):
    ratings, y = draw(10, "numeric")
    with pytest.raises(InputError, match="no outcome column 'Result'.*'Outcome'"):
        read_cases(cases_file(tmp_path / "c.xlsx", ratings, y), outcome="Result")


def test_outcome_cannot_be_a_criterion_column(tmp_path):
    ratings, y = draw(10, "numeric")
    with pytest.raises(InputError, match="is the rubric's 'resources' column"):
        read_cases(cases_file(tmp_path / "c.xlsx", ratings, y), outcome="Resources")


def test_outcome_header_matches_like_any_header(tmp_path):
    ratings, y = draw(10, "numeric")
    path = cases_file(tmp_path / "c.xlsx", ratings, y, header="Observed effectiveness (0-100)")
    assert read_cases(path, outcome="observed_EFFECTIVENESS").outcome_column == (
        "Observed effectiveness (0-100)"
    )


# -- the calibrated rubric ----------------------------------------------------------------


@pytest.fixture(scope="module")
def numeric_calibration(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cal")
    ratings, y = draw(160, "numeric", seed=12)
    path = cases_file(folder / "cases.xlsx", ratings, y)
    cal = calibrate(path, "Outcome", folds=3, repeats=1, bootstrap=20)
    return cal, path, folder


def test_provenance_block_records_the_calibration(numeric_calibration):
    cal, path, folder = numeric_calibration
    out = cal.write_rubric(folder / "provenance.yaml")
    block = yaml.safe_load(out.read_text(encoding="utf-8"))["calibration"]
    assert block["source"] == {
        "file": "cases.xlsx",
        "sha256": hashlib.sha256(path.read_bytes()).hexdigest(),
        "sheet": "Cases",
    }
    assert block["cases"] == {"rows": 160, "used": 160, "insufficient": 0, "rejected": 0}
    assert block["outcome"] == {"column": "Outcome", "kind": "numeric"}
    assert block["method"] == "fit"
    assert block["prior"]["chosen_by"] == "cross-validation"
    assert block["prior"]["strength"] == cal.estimator.prior_strength_
    assert set(block["cross_validation"]["metrics"]) == {"calibrated", "expert", "equal"}
    assert block["date"] == cal.date and len(block["date"]) == 10
    assert block["base_rubric"]["hash"] == assess.load_rubric("military-diplomacy").content_hash
    assert set(block["weights"]["resources"]) == {"expert", "calibrated", "low", "high"}


def test_written_rubric_has_new_weights_and_a_bumped_version(numeric_calibration):
    cal, _, folder = numeric_calibration
    loaded = assess.load_rubric(cal.write_rubric(folder / "bumped.yaml"))
    assert loaded.version == f"2.1.0-cal.{cal.date.replace('-', '')}"
    np.testing.assert_allclose(
        [loaded.weights[c] for c in CRITERIA], cal.weights["calibrated"], atol=1e-12
    )
    assert loaded.content_hash == cal.calibrated.content_hash


def test_scoring_with_the_calibrated_rubric_reproduces_the_fitted_predictions(numeric_calibration):
    cal, path, folder = numeric_calibration
    rubric = assess.load_rubric(cal.write_rubric(folder / "reproduce.yaml"))
    scored = assess.score(path, rubric=rubric).scored.loc[cal.cases.X.index]
    est = cal.estimator
    np.testing.assert_allclose(scored["score"], est.rubric_scores(cal.cases.X), atol=1e-9)
    np.testing.assert_allclose(
        est.intercept_ + est.slope_ * scored["score"], est.predict(cal.cases.X), atol=1e-9
    )


def test_calibrated_ordinal_rubric_assigns_the_predicted_bands(tmp_path):
    ratings, y = draw(300, "ordinal", seed=13, noise=0.5)
    path = cases_file(tmp_path / "c.xlsx", ratings, y)
    cal = calibrate(path, "Outcome", **FAST)
    rubric = assess.load_rubric(cal.write_rubric(tmp_path / "ordinal.yaml"))
    scored = assess.score(path, rubric=rubric).scored.loc[cal.cases.X.index]
    ungated = (scored["gates"] == "").to_numpy()
    predicted = cal.estimator.predict(cal.cases.X)
    assert ungated.sum() > 200
    assert (scored["band"].to_numpy()[ungated] == predicted[ungated]).all()


def test_refuses_to_overwrite_the_input_rubric_even_with_force(tmp_path):
    rubric = dump_rubric(tmp_path / "mine.yaml", small_rubric_data())
    rows = [[f"C{i}", (i * 7) % 5, (i * 3) % 5, (i * 2) % 5, 40 + i] for i in range(40)]
    path = write_xlsx(tmp_path / "c.xlsx", rows, header=["ID", "Alpha", "Beta", "Gamma", "Out"])
    cal = calibrate(path, "Out", rubric, **FAST)
    with pytest.raises(OutputError, match="refusing to overwrite the input rubric"):
        cal.write_rubric(rubric, force=True)
    assert yaml.safe_load(rubric.read_text(encoding="utf-8")) == small_rubric_data()


def test_refuses_an_existing_file_unless_forced(numeric_calibration):
    cal, _, folder = numeric_calibration
    target = folder / "existing.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    with pytest.raises(OutputError, match="exists; use --force"):
        cal.write_rubric(target)
    assert target.read_text(encoding="utf-8") == "keep me\n"
    cal.write_rubric(target, force=True)
    assert assess.load_rubric(target).calibration["method"] == "fit"


def test_refuses_a_name_that_is_not_yaml(numeric_calibration):
    cal, _, folder = numeric_calibration
    with pytest.raises(OutputError, match=r"\.yaml"):
        cal.write_rubric(folder / "weights.txt")


def small_cases(folder):
    """A small rubric of its own and 40 past cases rated on it, with a numeric outcome."""
    rubric = dump_rubric(folder / "mine.yaml", small_rubric_data())
    rows = [[f"C{i}", (i * 7) % 5, (i * 3) % 5, (i * 2) % 5, 40 + i] for i in range(40)]
    path = write_xlsx(folder / "c.xlsx", rows, header=["ID", "Alpha", "Beta", "Gamma", "Out"])
    return rubric, path


def no_work(monkeypatch):
    """Make reading the cases or fitting fail the test: the output check must come first."""

    def refuse(*args, **kwargs):
        raise AssertionError("the work started before the output path was checked")

    monkeypatch.setattr("assess.calibration.workflow.read_cases", refuse)
    monkeypatch.setattr("assess.calibration.estimator.RubricCalibrator.fit", refuse)


def test_calibrate_refuses_an_existing_output_before_any_work(tmp_path, monkeypatch):
    rubric, cases = small_cases(tmp_path)
    target = tmp_path / "existing.yaml"
    target.write_text("keep me\n", encoding="utf-8")
    no_work(monkeypatch)
    with pytest.raises(OutputError, match="exists; use --force"):
        assess.calibrate(cases, "Out", rubric, output=target)
    assert target.read_text(encoding="utf-8") == "keep me\n"


@pytest.mark.parametrize(
    ("name", "force", "message"),
    [
        ("mine.yaml", True, "refusing to overwrite the input rubric"),
        ("c.xlsx", True, r"written as \.yaml or \.yml"),
        ("weights.txt", False, r"written as \.yaml or \.yml"),
        ("missing/calibrated.yaml", False, "does not exist"),
        (".", False, "is a folder"),
    ],
)
def test_calibrate_refuses_an_unusable_output_before_any_work(
    tmp_path, monkeypatch, name, force, message
):
    rubric, cases = small_cases(tmp_path)
    before = {p: p.read_bytes() for p in (rubric, cases)}
    no_work(monkeypatch)
    with pytest.raises(OutputError, match=message):
        assess.calibrate(cases, "Out", rubric, output=tmp_path / name, force=force)
    assert {p: p.read_bytes() for p in before} == before


@pytest.mark.parametrize("existing", [False, True])
def test_calibrate_writes_a_loadable_rubric_to_output(tmp_path, existing):
    rubric, cases = small_cases(tmp_path)
    target = tmp_path / "calibrated.yaml"
    if existing:
        target.write_text("replace me\n", encoding="utf-8")
    cal = assess.calibrate(cases, "Out", rubric, output=target, force=existing, **FAST)
    loaded = assess.load_rubric(target)
    assert cal.output == str(target)
    assert loaded.content_hash == cal.calibrated.content_hash
    assert loaded.calibration["method"] == "fit"
    written = {c.id: c.weight for c in loaded.criteria}
    assert written == pytest.approx(cal.weights["calibrated"].to_dict(), abs=1e-6)


@pytest.mark.parametrize(
    ("version", "bumped"),
    [("1.0.0", "1.1.0-cal.20250101"), ("2.3", "2.4.0-cal.20250101"), ("v7", "v7-cal.20250101")],
)
def test_version_is_bumped_and_tagged(version, bumped):
    assert bump_version(version, "cal.20250101") == bumped


def test_geometric_rubric_is_calibrated_with_its_own_aggregation(tmp_path):
    data = small_rubric_data(aggregation="weighted_geometric")
    rubric = assess.load_rubric(dump_rubric(tmp_path / "geo.yaml", data))
    rng = np.random.default_rng(3)
    r = rng.integers(1, 5, size=(200, 3)).astype(float)
    x = np.column_stack((r[:, 0] / 4, r[:, 1] / 4, 1 - r[:, 2] / 4 + 1e-9))
    y = 100 * np.exp(np.log(np.clip(x, 1e-9, None)) @ np.array([0.6, 0.3, 0.1]))
    X = pd.DataFrame(r, columns=["alpha", "beta", "gamma"])
    keep = x[:, 2] > 0.01
    est = RubricCalibrator(rubric, prior_strength=0).fit(X[keep], y[keep])
    np.testing.assert_allclose(est.weights_, [0.6, 0.3, 0.1], atol=0.02)
    scored = assess.score_frame(
        X[keep], rubric.with_weights(dict(zip(rubric.ids, est.weights_, strict=True)))
    )
    np.testing.assert_allclose(scored["score"], est.rubric_scores(X[keep]), atol=1e-9)


# -- warnings -----------------------------------------------------------------------------


def test_too_few_cases_are_warned(tmp_path):
    ratings, y = draw(30, "numeric")
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", **FAST)
    assert any(
        w.startswith("Only 30 usable cases for 5 criteria: at least 50") for w in cal.warnings
    )


@pytest.mark.parametrize("method", ["equal", "entropy", "critic", "ahp"])
@pytest.mark.parametrize("outcome", [None, "Outcome"])
def test_outcome_free_methods_fit_no_weights_so_warn_of_no_fitting(tmp_path, method, outcome):
    ratings, y = draw(30, "numeric")
    ratings[:, 1] = ratings[:, 0]  # collinear, and ...
    ratings[:, 3] = 2  # ... constant: both matter only to weights fitted to the cases
    pairwise = write_xlsx(tmp_path / "p.xlsx", PAIRWISE[1:], header=PAIRWISE[0])
    path = cases_file(tmp_path / "c.xlsx", ratings, y)
    cal = calibrate(path, outcome, method=method, pairwise=pairwise, **FAST)
    assert not any("usable cases for" in w or "fitted weight" in w for w in cal.warnings)
    assert not any("move together" in w or "same rating" in w for w in cal.warnings)
    fitted = calibrate(path, "Outcome", pairwise=pairwise, **FAST)
    assert any(w.startswith("Only 30 usable cases") for w in fitted.warnings)
    assert any("move together" in w for w in fitted.warnings)


def test_collinear_criteria_are_warned(tmp_path):
    ratings, y = draw(100, "numeric", seed=2)
    ratings[:, 1] = ratings[:, 0]  # norms alignment copies transparency
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", **FAST)
    assert any(
        "Transparency and Alignment with international norms move together" in w
        for w in cal.warnings
    )


def test_a_criterion_rated_the_same_everywhere_is_warned(tmp_path):
    ratings, y = draw(80, "numeric", seed=4)
    ratings[:, 3] = 2
    cal = calibrate(cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", **FAST)
    assert any(w.startswith("Resources has the same rating in every case") for w in cal.warnings)
    assert not any("predictable from the other criteria" in w for w in cal.warnings)


def test_a_weight_driven_to_zero_is_warned(tmp_path):
    weights = np.array([0.3, 0.3, 0.4, 0.0, 0.0])
    ratings, y = draw(400, "numeric", seed=3, noise=0.2, weights=weights)
    cal = calibrate(
        cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", prior_strength=0, **FAST
    )
    assert any(w.startswith("The weight of Resources was driven to zero") for w in cal.warnings)


# -- outcome-free methods -----------------------------------------------------------------


def test_entropy_weights_favour_the_criterion_that_varies():
    z = np.array([[0.0, 0.5, 0.5], [1.0, 0.5, 0.5], [0.5, 0.5, 0.75], [0.25, 0.5, 0.5]])
    w = entropy_weights(z)
    assert w[1] == 0 and w[0] > w[2] > 0 and math.isclose(w.sum(), 1.0)


def test_entropy_weights_of_resamples_match_one_by_one():
    rng = np.random.default_rng(0)
    z = rng.random((40, 4))
    z[3, 1] = np.nan
    counts = rng.multinomial(40, np.full(40, 1 / 40), size=5)
    batch = entropy_weights(z, counts)
    for c, w in zip(counts, batch, strict=True):
        np.testing.assert_allclose(w, entropy_weights(np.repeat(z, c, axis=0)), atol=1e-12)


def test_critic_weights_discount_redundant_criteria():
    rng = np.random.default_rng(1)
    a = rng.random(200)
    z = np.column_stack((a, a, rng.random(200)))
    w = critic_weights(z)
    assert w[2] > w[0] and math.isclose(w[0], w[1])


def test_ahp_weights_of_a_consistent_matrix_have_cr_zero():
    w = np.array([0.5, 0.3, 0.2])
    result = ahp_weights(w[:, None] / w[None, :])
    np.testing.assert_allclose(result.weights, w)
    assert result.cr < 1e-9 and result.consistent


def test_ahp_inconsistent_judgements_are_flagged():
    a = np.array([[1, 9, 1 / 9], [1 / 9, 1, 9], [9, 1 / 9, 1]])
    result = ahp_weights(a)
    assert result.cr > 0.1 and not result.consistent


def test_ahp_matrix_is_read_from_a_sheet_filling_the_lower_triangle(tmp_path, default_rubric):
    path = write_xlsx(tmp_path / "p.xlsx", PAIRWISE[1:], header=PAIRWISE[0], sheet="Pairwise")
    matrix, sheet = read_pairwise(path, default_rubric)
    assert sheet == "Pairwise"
    assert matrix[3, 4] == 0.5 and matrix[4, 3] == 2 and matrix[1, 0] == 1
    np.testing.assert_allclose(matrix * matrix.T, np.ones((5, 5)))


def test_ahp_sheet_with_contradicting_mirror_cells_names_them(tmp_path, default_rubric):
    rows = [list(r) for r in PAIRWISE[1:]]
    rows[1][1] = 3  # Norms vs Transparency = 3, but Transparency vs Norms = 1
    path = write_xlsx(tmp_path / "p.xlsx", rows, header=PAIRWISE[0], sheet="Pairwise")
    with pytest.raises(
        InputError, match=r"Pairwise!C2 and Pairwise!B3: 1 and 3 are not reciprocal"
    ):
        read_pairwise(path, default_rubric)


def test_ahp_sheet_must_cover_every_criterion(tmp_path, default_rubric):
    header = PAIRWISE[0][:5]
    rows = [r[:5] for r in PAIRWISE[1:5]]
    path = write_xlsx(tmp_path / "p.xlsx", rows, header=header, sheet="Pairwise")
    with pytest.raises(InputError, match="does not cover political_friction"):
        read_pairwise(path, default_rubric)


@pytest.mark.parametrize("method", ["equal", "entropy", "critic", "ahp"])
def test_outcome_free_methods_need_no_outcome(tmp_path, method, default_rubric):
    ratings, _ = draw(60, "numeric")
    path = cases_file(tmp_path / "c.xlsx", ratings, [0] * 60)
    pairwise = write_xlsx(tmp_path / "p.xlsx", PAIRWISE[1:], header=PAIRWISE[0])
    cal = calibrate(path, method=method, pairwise=pairwise if method == "ahp" else None, **FAST)
    assert cal.evaluation is None and cal.recommendation == "not-evaluated"
    assert cal.calibrated.calibration["method"] == method
    assert cal.calibrated.version.startswith(f"2.1.0-{method}.")
    np.testing.assert_allclose(
        [cal.calibrated.weights[c] for c in CRITERIA], cal.weights[method], atol=1e-12
    )


def test_outcome_free_method_with_an_outcome_is_compared_out_of_sample(tmp_path):
    ratings, y = draw(120, "numeric", seed=5)
    cal = calibrate(
        cases_file(tmp_path / "c.xlsx", ratings, y), "Outcome", method="entropy", **FAST
    )
    assert list(cal.metrics()) == ["entropy", "expert", "equal"]
    assert cal.recommendation in ("use-entropy", "keep-expert")


def test_inconsistent_ahp_sheet_is_warned(tmp_path):
    rows = [list(r) for r in PAIRWISE[1:]]
    rows[0][2], rows[0][3], rows[3][5] = 9, "1/9", 9  # Transparency >> Interop << Resources ...
    rows[2][4] = "1/9"
    pairwise = write_xlsx(tmp_path / "p.xlsx", rows, header=PAIRWISE[0])
    ratings, _ = draw(60, "numeric")
    cal = calibrate(
        cases_file(tmp_path / "c.xlsx", ratings, [0] * 60), method="ahp", pairwise=pairwise, **FAST
    )
    assert not cal.ahp.consistent
    assert any(w.startswith("The pairwise judgements contradict each other") for w in cal.warnings)


def test_fitting_needs_an_outcome(tmp_path):
    ratings, y = draw(20, "numeric")
    with pytest.raises(InputError, match="needs an outcome column"):
        calibrate(cases_file(tmp_path / "c.xlsx", ratings, y))


def test_expert_weights_are_the_rubric_ones():
    cal_weights = assess.load_rubric("military-diplomacy").weights
    assert cal_weights == pytest.approx(RAW_WEIGHTS)


# -- Saaty's random index -----------------------------------------------------------------

#: Saaty's published random consistency index for n = 1..15 criteria (written out here from
#: the literature, not read from ``assess``).
SAATY_RI = (0, 0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59)


@pytest.mark.parametrize("n", range(3, 16))
def test_consistency_ratio_divides_by_saatys_random_index(n):
    a = inconsistent_matrix(n)
    lam = max(np.linalg.eigvals(a).real)
    result = ahp_weights(a)
    assert result.ri == SAATY_RI[n - 1]
    assert result.cr == pytest.approx((lam - n) / (n - 1) / SAATY_RI[n - 1], rel=1e-9)


def test_fifteen_criteria_use_saatys_index_for_fifteen(tmp_path):
    rubric, cases, pairwise = wide_case_files(tmp_path, 15)
    cal = calibrate(cases, rubric=rubric, method="ahp", pairwise=pairwise, **FAST)
    assert cal.ahp.ri == 1.59
    assert cal.ahp.cr == pytest.approx(cal.ahp.ci / 1.59)


def test_more_criteria_than_saatys_table_are_refused(tmp_path):
    rubric, cases, pairwise = wide_case_files(tmp_path, 16)
    with pytest.raises(InputError, match=r"16 criteria.*up to 15"):
        calibrate(cases, rubric=rubric, method="ahp", pairwise=pairwise, **FAST)
