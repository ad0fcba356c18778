"""Comparing groups: counts that account for every row, tests that find real differences with
the right sign and rarely invent them, intervals that cover the truth at their stated rate."""

from __future__ import annotations

import dataclasses
import gc
import json
import math

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import CRITERIA, EXAMPLE_WORKBOOK, row, write_xlsx
from hypothesis import given, settings
from hypothesis import strategies as st

import assess
from assess.analyses.groups.membership import MISSING
from assess.analyses.groups.result import NOTHING_DETECTABLE
from assess.analyses.groups.statistics import (
    bootstrap_means,
    bootstrap_medians,
    interval,
    overall_test,
    pairwise,
)
from assess.errors import OptionError

GROUP_KEYS = {
    "group",
    "n",
    "mean",
    "mean_interval",
    "median",
    "median_interval",
    "capped_share",
    "insufficient",
    "rejected",
    "small",
    "tested",
    "bands",
    "profile",
}
COMPARISON_KEYS = {
    "by",
    "split",
    "overlapping",
    "in_several_groups",
    "confidence",
    "resamples",
    "seed",
    "alpha",
    "small",
    "headline",
    "notes",
    "groups",
    "overall_profile",
    "rejected_unknown_group",
    "overall_test",
    "pairs",
    "cross",
}
PAIR_KEYS = {
    "a",
    "b",
    "n_a",
    "n_b",
    "mean_difference",
    "difference_interval",
    "u",
    "cliffs_delta",
    "p",
    "p_holm",
    "significant",
}


@pytest.fixture
def few_objects():
    """Holm's correction (statsmodels' ``multipletests``) runs a full garbage collection on
    every call; over hundreds of simulated runs in a test process holding many objects that
    is most of the time.  Freezing the objects there are makes those collections quick."""
    gc.freeze()
    try:
        yield
    finally:
        gc.unfreeze()


def _margin(p: float, runs: int) -> float:
    """Three binomial standard errors of a rate ``p`` over ``runs`` runs."""
    return 3 * math.sqrt(p * (1 - p) / runs)


def _frame(groups: dict[str, np.ndarray], column: str = "Type") -> pd.DataFrame:
    """A sheet of engagements: for each group, one row per ratings row (5 criteria)."""
    rows = []
    for name, ratings in groups.items():
        for k, r in enumerate(ratings):
            rows.append(
                {
                    "Engagement ID": f"{name}-{k}",
                    column: name,
                    **dict(zip(CRITERIA, r.tolist(), strict=True)),
                }
            )
    return pd.DataFrame(rows)


def _ratings(rng: np.random.Generator, n: int, centre: float) -> np.ndarray:
    """``n`` rows of whole ratings 0-4 around ``centre`` (political friction, a cost, mirrored
    so that a high centre is a good engagement throughout)."""
    r = np.clip(np.rint(rng.normal(centre, 0.8, size=(n, 5))), 0, 4)
    r[:, 4] = 4 - r[:, 4]
    return r


# -- the example and the row accounting ------------------------------------------------------


def test_example_by_type_counts_every_row_and_is_deterministic():
    result = assess.score(EXAMPLE_WORKBOOK)
    c = assess.compare(result, by="Type", resamples=500, seed=3)
    g = c.groups
    assert len(g) == 7 and list(g.index) == sorted(g.index, key=str.casefold)
    counts = result.counts
    assert g["n"].sum() == counts["scored"]
    assert g["insufficient"].sum() == counts["insufficient"]
    assert g["rejected"].sum() + c.unknown_rejected == counts["rejected"]
    assert c.unknown_rejected == 0  # every rejected row of the example carries its Type
    assert (c.bands.sum(axis=1) == g["n"]).all()
    assert (g["mean_low"] <= g["mean"]).all() and (g["mean"] <= g["mean_high"]).all()
    assert (g["median_low"] <= g["median"]).all() and (g["median"] <= g["median_high"]).all()
    for name, scores in result.scored.groupby("Type")["score"]:
        assert g.at[name, "mean"] == pytest.approx(scores.mean())
        assert g.at[name, "median"] == pytest.approx(scores.median())
    assert len(c.pairs) == 21 and c.overall_test is not None and c.overall_test.df == 6
    assert c.headline() == NOTHING_DETECTABLE
    again = assess.compare(EXAMPLE_WORKBOOK, by="type", resamples=500, seed=3)
    pd.testing.assert_frame_equal(again.groups, g)
    pd.testing.assert_frame_equal(again.pairs, c.pairs)
    other = assess.compare(result, by="Type", resamples=500, seed=4)
    assert not np.allclose(other.groups["mean_low"], g["mean_low"])
    pd.testing.assert_series_equal(other.groups["mean"], g["mean"])


def test_json_is_stable_finite_and_documented():
    c = assess.compare(EXAMPLE_WORKBOOK, by=["Type", "Organisation"], resamples=200)
    data = json.loads(json.dumps(c.to_dict(), allow_nan=False))
    assert set(data) == COMPARISON_KEYS
    assert all(set(item) == GROUP_KEYS for item in data["groups"])
    assert all(set(item) == PAIR_KEYS for item in data["pairs"])
    assert set(data["overall_test"]) == {"test", "statistic", "df", "p", "groups"}
    cross = data["cross"]
    assert cross["rows"] == "Type" and cross["columns"] == "Organisation"
    assert len(cross["mean"]) == len(cross["row_groups"]) == len(cross["n"])
    # an empty cell: no engagement, no mean
    cells = [
        (m, n)
        for mr, nr in zip(cross["mean"], cross["n"], strict=True)
        for m, n in zip(mr, nr, strict=True)
    ]
    assert any(n == 0 for _, n in cells)
    assert all((m is None) == (n == 0) for m, n in cells)
    assert sum(n for _, n in cells) == sum(item["n"] for item in data["groups"])


def test_insufficient_and_rejected_rows_are_counted_in_their_group(tmp_path):
    rows = [
        row("A1", kind="Dialogue"),
        row("A2", 4, 4, 4, 4, 0, kind="Dialogue"),
        row("A3", 3, None, None, None, 1, kind="Dialogue"),  # insufficient evidence
        row("B1", 1, 1, 1, 1, 3, kind="Exercise"),
        row("B2", "high", kind="Exercise"),  # rejected
        row(None, kind="Exercise"),  # rejected: no id
        row("B1", kind="Dialogue"),  # rejected: duplicate id
        row("C1", kind=None),  # no type: the group "(missing)"
        row("C2", 7, kind=None),  # rejected, no type
    ]
    path = write_xlsx(tmp_path / "t.xlsx", rows)
    c = assess.compare(path, by="Type", resamples=100)
    g = c.groups
    assert list(g.index) == ["Dialogue", "Exercise", MISSING]
    assert g["n"].tolist() == [2, 1, 1]
    assert g["insufficient"].tolist() == [1, 0, 0]
    assert g["rejected"].tolist() == [1, 2, 1]
    assert g["small"].all() and not g["tested"].any() and c.overall_test is None
    assert c.headline().startswith(NOTHING_DETECTABLE)
    # a rejected row whose cells are not known is counted, as of an unknown group
    result = c.result
    result.rejected = [dataclasses.replace(r, carried={}) for r in result.rejected]
    unknown = assess.compare(result, by="Type", resamples=100)
    assert unknown.unknown_rejected == 4 and unknown.groups["rejected"].sum() == 0
    assert any("unknown group" in note for note in unknown.notes())


def test_a_row_rejected_as_a_duplicate_across_files_keeps_its_group(tmp_path):
    first = write_xlsx(tmp_path / "a.xlsx", [row("E1", kind="Dialogue")])
    second = write_xlsx(tmp_path / "b.xlsx", [row("E1", kind="Exercise"), row("E2")])
    c = assess.compare([first, second], by="Type", resamples=50)
    assert c.groups.at["Exercise", "rejected"] == 1 and c.unknown_rejected == 0


def test_options_out_of_range_and_unknown_columns_are_one_clear_error():
    with pytest.raises(OptionError, match="no column 'Region'.*'Type'"):
        assess.compare(EXAMPLE_WORKBOOK, by="Region")
    for bad in (
        {"by": ["Type", "Organisation", "Partners"]},
        {"by": ["Type", "type"]},
        {"by": "Type", "confidence": 1.0},
        {"by": "Type", "resamples": 0},
        {"by": "Type", "split": " "},
        {"by": "Type", "alpha": 0},
    ):
        with pytest.raises(OptionError):
            assess.compare(EXAMPLE_WORKBOOK, **bad)


# -- split multi-value cells --------------------------------------------------------------------

NAMES = st.sampled_from(["Chile", "Oman", "Peru", " Oman ", ""])


@settings(max_examples=25, deadline=None)
@given(cells=st.lists(st.lists(NAMES, max_size=4).map(";".join), min_size=1, max_size=12))
def test_split_cells_count_an_engagement_in_each_of_its_groups(cells):
    frame = pd.DataFrame(
        {
            "Engagement ID": [f"E{k}" for k in range(len(cells))],
            "Partners": [cell if cell.strip(" ;") else None for cell in cells],
            **{cid: [3] * len(cells) for cid in CRITERIA},
        }
    )
    c = assess.compare(frame, by="Partners", split=";", resamples=10, small=0)
    parts = [{p.strip() for p in cell.split(";")} - {""} for cell in cells]
    expected: dict[str, int] = {}
    for names in parts:
        for name in names or {MISSING}:
            expected[name] = expected.get(name, 0) + 1
    assert c.groups["n"].to_dict() == expected
    assert c.in_several == sum(len(names) > 1 for names in parts)
    assert c.to_dict()["overlapping"] is True


def test_split_example_partners_overlap_and_say_so():
    c = assess.compare(EXAMPLE_WORKBOOK, by="Partners", split=";", resamples=50)
    scored = len(c.result.scored)
    assert c.groups["n"].sum() > scored and c.in_several > 0
    assert any("overlap" in note for note in c.notes())
    assert c.groups.at["Singapore", "n"] >= 1 and c.groups.at["Malaysia", "n"] >= 1


# -- the statistics on data with known effects --------------------------------------------------


def test_a_large_true_difference_is_found_with_the_right_sign(few_objects):
    found = 0
    for seed in range(50):
        rng = np.random.default_rng(seed)
        groups = {
            "Dialogue": _ratings(rng, 12, 3.2),
            "Exercise": _ratings(rng, 12, 1.0),
            "Training": _ratings(rng, 12, 3.2),
        }
        c = assess.compare(_frame(groups), by="Type", resamples=200, seed=seed)
        sig = c.significant
        pairs = {(r.a, r.b): r for r in c.pairs.itertuples()}
        wrong = [r for r in sig.itertuples() if "Exercise" in (r.a, r.b)]
        assert all(
            (r.cliffs_delta < 0) == (r.a == "Exercise") and r.mean_difference * r.cliffs_delta > 0
            for r in wrong
        )
        if (
            pairs[("Dialogue", "Exercise")].significant
            and pairs[("Exercise", "Training")].significant
        ):
            found += 1
            assert "Dialogue scores higher than Exercise" in c.headline()
    assert found >= 48


def test_no_true_difference_rarely_gives_a_significant_pair(few_objects):
    runs, alpha = 200, 0.05
    false_positive = 0
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        samples = {g: rng.normal(60, 15, 15) for g in ("A", "B", "C", "D")}
        boot = {g: bootstrap_means(x, 50, rng) for g, x in samples.items()}
        pairs = pairwise(samples, boot, confidence=0.9, alpha=alpha)
        false_positive += bool(pairs["significant"].any())
    # Holm holds the family-wise rate at alpha or below
    assert false_positive / runs <= alpha + _margin(alpha, runs)


def test_the_overall_test_holds_its_level():
    runs, alpha = 200, 0.05
    hits = 0
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        test = overall_test({g: rng.normal(0, 1, 10) for g in "ABCDE"})
        hits += test.p < alpha
    assert abs(hits / runs - alpha) <= _margin(alpha, runs)


def test_bootstrap_intervals_cover_the_true_mean_and_median_at_their_rate():
    runs, level, n = 200, 0.90, 40
    covered_mean = covered_median = 0
    for seed in range(runs):
        rng = np.random.default_rng(seed)
        x = rng.normal(60, 15, n)  # mean and median 60
        low, high = interval(bootstrap_means(x, 2000, rng), level, n)
        covered_mean += low <= 60 <= high
        low, high = interval(bootstrap_medians(x, 2000, rng), level, n)
        covered_median += low <= 60 <= high
    assert abs(covered_mean / runs - level) <= _margin(level, runs)
    assert abs(covered_median / runs - level) <= _margin(level, runs)


@pytest.mark.parametrize("n", [1, 2, 7, 8])
def test_bootstrap_medians_have_the_distribution_of_resampled_medians(n):
    rng = np.random.default_rng(n)
    x = np.round(rng.normal(0, 1, n), 2)
    draws = 100_000
    fast = bootstrap_medians(x, draws, rng)
    slow = np.median(x[rng.integers(0, n, (draws, n))], axis=1)
    values = np.unique(np.concatenate([fast, slow]))
    p_fast = np.array([(fast == v).mean() for v in values])
    p_slow = np.array([(slow == v).mean() for v in values])
    assert np.abs(p_fast - p_slow).max() < 0.01


def test_cliffs_delta_is_the_share_of_wins_less_losses():
    a, b = np.array([1.0, 2.0, 3.0, 3.0]), np.array([0.0, 3.0, 5.0])
    pairs = pairwise(
        {"a": a, "b": b},
        {
            "a": bootstrap_means(a, 10, np.random.default_rng(0)),
            "b": bootstrap_means(b, 10, np.random.default_rng(1)),
        },
        confidence=0.9,
        alpha=0.05,
    )
    wins = sum(int(x > y) - int(x < y) for x in a for y in b)
    assert pairs.at[0, "cliffs_delta"] == pytest.approx(wins / (len(a) * len(b)))
    assert pairs.at[0, "mean_difference"] == pytest.approx(a.mean() - b.mean())


# -- the command ---------------------------------------------------------------------------------


def test_cli_compare_prints_groups_tests_and_the_headline(cli):
    out = cli("compare", EXAMPLE_WORKBOOK, "--by", "Type", "--resamples", "300")
    assert out.exit_code == 1  # the example has rows not scored, as for score
    text = out.stdout
    assert "Scores by Type" in text and "Strategic dialogue" in text
    assert "Kruskal–Wallis over 7 groups" in text and "Holm" in text
    assert NOTHING_DETECTABLE in text
    assert "49 scored, 1 insufficient evidence, 4 rejected of 54 rows" in text


def test_cli_compare_json_is_the_comparison_with_its_context(cli):
    args = ("compare", EXAMPLE_WORKBOOK, "--by", "Type", "--by", "Organisation", "--seed", "7")
    out = cli(*args, "--resamples", "200", "--format", "json")
    assert out.exit_code == 1
    data = json.loads(out.stdout)
    assert set(data) == {"assess_version", "rubric", "summary", "comparison", "rejected"}
    assert data["comparison"]["by"] == ["Type", "Organisation"]
    assert data["comparison"]["seed"] == 7 and data["comparison"]["cross"] is not None
    assert len(data["rejected"]) == 4
    assert cli(*args, "--resamples", "200", "--format", "json").stdout == out.stdout


def test_cli_compare_exit_codes(cli, tmp_path):
    clean = write_xlsx(
        tmp_path / "clean.xlsx",
        [row(f"E{k}", kind="Dialogue" if k % 2 else "Exercise") for k in range(6)],
    )
    assert cli("compare", clean, "--by", "Type", "--resamples", "50").exit_code == 0
    bad = cli("compare", clean, "--by", "Region")
    assert bad.exit_code == 2 and "no column 'Region'" in bad.stderr
    assert "Traceback" not in bad.stderr and bad.stderr.count("\n") == 1
    assert cli("compare", clean, "--by", "Type", "--confidence", "2").exit_code == 2


def test_cli_compare_split_says_the_counts_overlap(cli):
    out = cli("compare", EXAMPLE_WORKBOOK, "--by", "Partners", "--split", ";", "--resamples", "50")
    assert out.exit_code == 1
    assert "counts overlap" in " ".join(out.stdout.split())


def test_cli_compare_without_by_is_one_clear_error(cli):
    out = cli("compare", EXAMPLE_WORKBOOK)
    assert out.exit_code == 2 and "Missing option '--by'" in out.stderr


def test_cli_compare_writes_the_report_with_the_comparison(cli, tmp_path):
    out = cli(
        "compare", EXAMPLE_WORKBOOK, "--by", "Type", "--resamples", "50", "-o", tmp_path / "c.md"
    )
    assert out.exit_code == 1 and f"wrote {tmp_path / 'c.md'}" in " ".join(out.stdout.split())
    text = (tmp_path / "c.md").read_text(encoding="utf-8")
    assert "## Comparison by Type" in text and "| Strategic dialogue | 8 |" in text


# -- the comparison with assess score --by ----------------------------------------------------


def test_score_by_gives_the_same_comparison_as_compare(cli):
    scored = cli("score", EXAMPLE_WORKBOOK, "--by", "Type", "--by", "Organisation", "-f", "json")
    compared = cli(
        "compare", EXAMPLE_WORKBOOK, "--by", "Type", "--by", "Organisation", "-f", "json"
    )
    assert scored.exit_code == compared.exit_code == 1
    got, want = json.loads(scored.stdout), json.loads(compared.stdout)
    assert got["comparison"] == want["comparison"]
    assert got["comparison"]["cross"]["columns"] == "Organisation"
    assert len(got["engagements"]) == 49  # the scores are all still there


def test_score_by_prints_the_comparison_after_the_table_once(cli):
    out = cli("score", EXAMPLE_WORKBOOK, "--by", "Type", "--limit", "3")
    text = " ".join(out.stdout.split())
    assert out.exit_code == 1
    assert text.index("(top 3 of 49 shown)") < text.index("Scores by Type")
    assert text.count("49 scored, 1 insufficient evidence, 4 rejected of 54 rows") == 1
    assert text.endswith(NOTHING_DETECTABLE)


def test_score_by_puts_the_cross_table_in_every_report_that_shows_a_comparison(cli, tmp_path):
    for name in ("r.xlsx", "r.html", "r.md", "r.json"):
        out = cli(
            "score", EXAMPLE_WORKBOOK, "--by", "Type", "--by", "Organisation", "-o", tmp_path / name
        )
        assert out.exit_code == 1, out.stderr
        assert "by Type and Organisation: no difference detectable" in " ".join(out.stdout.split())
    assert "Mean score by Type (rows) and Organisation (columns)" in [
        c.value for c in openpyxl.load_workbook(tmp_path / "r.xlsx")["Comparison"]["A"]
    ]
    assert 'class="compact cross"' in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "by Type and Organisation" in (tmp_path / "r.md").read_text(encoding="utf-8")
    cross = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))["comparison"]["cross"]
    assert cross["rows"] == "Type" and sum(map(sum, cross["n"])) == 49


def test_score_by_a_missing_column_writes_nothing(cli, tmp_path):
    out = cli("score", EXAMPLE_WORKBOOK, "--by", "Region", "-o", tmp_path / "r.xlsx")
    assert out.exit_code == 2 and "no column 'Region'" in out.stderr
    assert out.stderr.count("\n") == 1 and not (tmp_path / "r.xlsx").exists()


def test_score_split_without_by_and_dask_by_are_refused(cli, tmp_path):
    out = cli("score", EXAMPLE_WORKBOOK, "--split", ";")
    assert out.exit_code == 2 and "--split goes with --by" in out.stderr
    dask = cli(
        "score", EXAMPLE_WORKBOOK, "--engine", "dask", "--by", "Type", "-o", tmp_path / "s.csv"
    )
    assert dask.exit_code == 2 and "--engine dask compares nothing" in dask.stderr


def test_score_by_with_a_csv_output_warns_that_csv_has_no_comparison(cli, tmp_path):
    out = cli("score", EXAMPLE_WORKBOOK, "--by", "Type", "-o", tmp_path / "s.csv")
    assert out.exit_code == 1 and "warning: CSV has one row per engagement" in out.stderr
    printed = cli("score", EXAMPLE_WORKBOOK, "--by", "Type", "-f", "csv")
    assert "warning: CSV" in printed.stderr and printed.stdout.startswith('"rank"')
    quiet = cli("score", EXAMPLE_WORKBOOK, "--by", "Type", "-o", tmp_path / "s.md")
    assert "warning" not in quiet.stderr


def test_charts_draw_the_comparison_by_type_without_printing_one_not_asked_for(cli, tmp_path):
    out = cli("score", EXAMPLE_WORKBOOK, "--charts", tmp_path / "charts", "--limit", "2")
    assert out.exit_code == 1 and (tmp_path / "charts" / "comparison.svg").is_file()
    assert "Scores by Type" not in out.stdout and "Kruskal" not in out.stdout
    data = cli("score", EXAMPLE_WORKBOOK, "--charts", tmp_path / "again", "-f", "json")
    assert "comparison" not in json.loads(data.stdout)
    asked = cli(
        "score", EXAMPLE_WORKBOOK, "--charts", tmp_path / "c3", "--by", "Type", "-f", "json"
    )
    assert json.loads(asked.stdout)["comparison"]["by"] == ["Type"]
