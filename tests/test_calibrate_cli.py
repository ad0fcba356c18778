"""`assess calibrate`: exit codes, the printed comparison, JSON, the rubric and report files."""

from __future__ import annotations

import html
import json
import re
import subprocess
import sys

import numpy as np
import pytest
import yaml
from conftest import PAIRWISE, ROOT, cases_file, draw, write_xlsx
from openpyxl import load_workbook

import assess
from assess.calibration.cases import read_cases
from assess.report.provenance import written_by_assess

EXAMPLE = ROOT / "examples" / "past_cases.xlsx"
QUICK = ["--folds", "3", "--repeats", "1", "--bootstrap", "10"]


@pytest.fixture(scope="module")
def cases(tmp_path_factory):
    folder = tmp_path_factory.mktemp("cli")
    ratings, y = draw(120, "binary", seed=3)
    y = y.astype(object)
    y[5] = "maybe"
    return cases_file(folder / "cases.xlsx", ratings, y)


def test_prints_the_comparison_and_a_recommendation(cli, cases):
    out = cli("calibrate", cases, "--outcome", "Outcome", *QUICK)
    assert out.exit_code == 1  # one row rejected
    text = out.stdout
    assert "119 used, 0 insufficient evidence, 1 rejected of 120 rows" in text
    assert "rejected Cases!I7: 'maybe' is not an outcome (success/failure)" in text
    for needle in ("AUC ↑", "Brier ↓", "log-loss ↓", "calibrated", "expert", "equal"):
        assert needle in text
    assert "Recommendation: " in text


def test_exit_0_when_every_row_is_used(cli, tmp_path):
    ratings, y = draw(60, "numeric")
    out = cli("calibrate", cases_file(tmp_path / "c.xlsx", ratings, y), "-y", "Outcome", *QUICK)
    assert out.exit_code == 0, out.stdout


def test_json_contract(cli, cases):
    out = cli("calibrate", cases, "-y", "Outcome", "--format", "json", *QUICK)
    data = json.loads(out.stdout)
    json.dumps(data, allow_nan=False)  # strict JSON: no NaN anywhere
    assert data["summary"] == {"rows": 120, "used": 119, "insufficient": 0, "rejected": 1}
    assert data["recommendation"] in ("use-calibrated", "keep-expert")
    assert data["outcome"] == {
        "column": "Outcome",
        "kind": "binary",
        "levels": ["failure", "success"],
    }
    assert [w["id"] for w in data["weights"]][0] == "transparency"
    assert set(data["cross_validation"]["metrics"]) == {"calibrated", "expert", "equal"}
    assert data["rejected"][0]["cell"] == "Cases!I7"
    assert data["output"] is None


def test_writes_the_calibrated_rubric(cli, cases, tmp_path):
    target = tmp_path / "calibrated.yaml"
    out = cli("calibrate", cases, "-y", "Outcome", "-o", target, *QUICK)
    assert out.exit_code == 1
    rubric = assess.load_rubric(target)
    assert (
        f"wrote {target}: military-diplomacy {rubric.version} ({rubric.short_hash})" in out.stdout
    )
    assert rubric.calibration["cases"]["rejected"] == 1


def test_refuses_an_existing_output_before_doing_the_work(cli, cases, tmp_path):
    target = tmp_path / "exists.yaml"
    target.write_text("x: 1\n", encoding="utf-8")
    out = cli("calibrate", cases, "-y", "Outcome", "-o", target)
    assert out.exit_code == 2
    assert out.stderr.strip() == f"assess: error: {target} exists; use --force to replace it"
    assert target.read_text(encoding="utf-8") == "x: 1\n"


def test_refuses_the_input_rubric_even_with_force(cli, cases, tmp_path):
    rubric = tmp_path / "mine.yaml"
    rubric.write_text(assess.load_rubric("military-diplomacy").to_yaml(), encoding="utf-8")
    before = rubric.read_bytes()
    out = cli("calibrate", cases, "-y", "Outcome", "-r", rubric, "-o", rubric, "--force")
    assert out.exit_code == 2
    assert "refusing to overwrite the input rubric" in out.stderr
    assert rubric.read_bytes() == before


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (["-y", "Nope"], "no outcome column 'Nope'"),
        ([], "needs an outcome column"),
        (["-y", "Outcome", "--report", "r.pdf"], "a calibration report is .xlsx or .html"),
        (["-y", "Outcome", "--kind", "numeric"], "'maybe' are not numbers; use --kind binary"),
    ],
)
def test_unusable_requests_exit_2_with_one_line(cli, cases, tmp_path, args, message):
    args = [a if a != "r.pdf" else str(tmp_path / "r.pdf") for a in args]
    out = cli("calibrate", cases, *args, *QUICK)
    assert out.exit_code == 2
    assert out.stderr.count("\n") == 1 and message in out.stderr


def test_xlsx_report(cli, cases, tmp_path):
    report = tmp_path / "calibration.xlsx"
    cli("calibrate", cases, "-y", "Outcome", "--report", report, *QUICK)
    wb = load_workbook(report)
    assert wb.sheetnames == ["Summary", "Weights", "Comparison", "Predictions", "Rejected"]
    assert wb["Weights"]["A2"].value == "Transparency"
    assert wb["Rejected"]["A2"].value == "Cases!I7"
    assert wb["Predictions"].max_row == 120  # header + the 119 cases used
    assert wb["Weights"]._charts and wb["Predictions"]._charts
    assert wb.properties.creator == "assess"  # provenance, as every workbook assess writes


def test_html_report_is_self_contained(cli, cases, tmp_path):
    report = tmp_path / "calibration.html"
    cli("calibrate", cases, "-y", "Outcome", "--report", report, *QUICK)
    page = report.read_text(encoding="utf-8")
    assert "Content-Security-Policy" in page and "default-src 'none'" in page
    assert "<script" not in page and "http" not in page.replace("http-equiv", "")
    assert "Predicted against observed" in page and "<svg" in page
    assert "&#39;maybe&#39; is not an outcome" in page


@pytest.fixture(scope="module")
def calibration(cases):
    return assess.calibrate(cases, "Outcome", folds=3, repeats=1, bootstrap=10)


def test_write_report_writes_the_calibration_workbook(calibration, tmp_path):
    report = assess.write_report(calibration, tmp_path / "calibration.xlsx")
    assert report == tmp_path / "calibration.xlsx"
    wb = load_workbook(report)
    assert wb.sheetnames == ["Summary", "Weights", "Comparison", "Predictions", "Rejected"]
    assert wb["Weights"]["A2"].value == "Transparency"
    assert wb["Predictions"].max_row == 120  # header + the 119 cases used
    assert written_by_assess(report) == "calibration report"


def test_write_report_writes_the_calibration_page(calibration, tmp_path):
    report = assess.write_report(calibration, tmp_path / "calibration.html")
    page = report.read_text(encoding="utf-8")
    assert "<h1>Calibration of" in page and "Predicted against observed" in page
    assert "Content-Security-Policy" in page and "<script" not in page


def test_calibration_page_has_the_report_look_every_fold_and_the_paired_tests(
    calibration, tmp_path
):
    page = assess.write_report(calibration, tmp_path / "c.html").read_text(encoding="utf-8")
    assert '<header class="masthead">' in page and "section.card" in page  # the report's CSS
    assert "@media print" in page
    text = " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())
    # every fold: one row per split (3 folds x 1 repeat), each weighting's log-loss in it
    folds = page[page.index('<table class="compact folds">') :]
    folds = folds[: folds.index("</table>")]
    ev = calibration.evaluation
    assert folds.count("<tr><td") == len(ev.folds["split"].unique()) == 3
    for value in ev.folds["log_loss"]:
        assert f">{value:.3f}<" in folds
    # the paired tests: the new weights against the expert and the equal ones
    assert "Paired tests" in text
    for other, c in calibration.comparisons.items():
        assert re.search(
            rf"{other} {c['mean_a']:.3f} {c['mean_b']:.3f} .*?{c['wins']} of {c['splits']} folds",
            text,
        )
        assert f"{c['p_value']:.3f}" in text


def test_calibration_page_without_an_outcome(cli, cases, tmp_path):
    report = tmp_path / "entropy.html"
    out = cli("calibrate", cases, "--method", "entropy", "--report", report, *QUICK)
    assert out.exit_code in (0, 1), out.output
    page = report.read_text(encoding="utf-8")
    assert "<h1>Calibration of" in page and "Weights" in page
    assert "Every fold" not in page and "Predicted against observed" not in page


def test_calibration_charts_have_round_ticks(cli, tmp_path):
    ratings, y = draw(60, "numeric", seed=5)
    path = cases_file(tmp_path / "numeric.xlsx", ratings, y)
    report = tmp_path / "r.html"
    cli("calibrate", path, "-y", "Outcome", "--report", report, *QUICK)
    page = report.read_text(encoding="utf-8")
    scatter = page[page.index('<svg class="scatter"') :]
    scatter = scatter[: scatter.index("</svg>")]
    ticks = [float(t) for t in re.findall(r'text-anchor="middle">(-?[\d.]+)</text>', scatter)]
    assert len(ticks) >= 3
    steps = {round(b - a, 9) for a, b in zip(ticks, ticks[1:], strict=False)}
    assert len(steps) == 1
    step = steps.pop()
    assert any(abs(step - m * 10**k) < 1e-9 for m in (1, 2, 2.5, 5) for k in range(-3, 4))
    assert all(abs(t / step - round(t / step)) < 1e-9 for t in ticks)


@pytest.mark.parametrize(
    ("name", "message"),
    [
        (None, "refusing to write the report over its input"),
        ("calibration.pdf", "a calibration report is .xlsx or .html"),
        ("calibration.csv", "a calibration report is .xlsx or .html"),
    ],
)
def test_write_report_refuses_what_a_calibration_report_cannot_be(
    calibration, cases, tmp_path, name, message
):
    before = cases.read_bytes()
    with pytest.raises(assess.OutputError, match=message):
        assess.write_report(calibration, cases if name is None else tmp_path / name)
    assert cases.read_bytes() == before and not list(tmp_path.iterdir())


def test_input_text_stays_inert_in_the_html_report(cli, tmp_path):
    ratings, y = draw(40, "numeric")
    y = y.astype(object)
    y[0] = "<script>alert(1)</script>"
    path = cases_file(tmp_path / "c.xlsx", ratings, y)
    report = tmp_path / "r.html"
    cli("calibrate", path, "-y", "Outcome", "--report", report, *QUICK)
    page = report.read_text(encoding="utf-8")
    assert "<script>" not in page and "&lt;script&gt;" in page


def test_ahp_method_from_a_pairwise_sheet(cli, tmp_path):
    ratings, y = draw(60, "numeric")
    path = cases_file(tmp_path / "c.xlsx", ratings, y)
    pairwise = write_xlsx(tmp_path / "p.xlsx", PAIRWISE[1:], header=PAIRWISE[0])
    out = cli(
        "calibrate", path, "--method", "ahp", "--pairwise", pairwise, "--format", "json", *QUICK
    )
    data = json.loads(out.stdout)
    assert data["method"] == "ahp" and data["ahp"]["consistent"]
    assert data["recommendation"] == "not-evaluated"
    assert data["ahp"]["consistency_ratio"] < 0.1


def test_example_calibrates_and_its_rubric_reproduces(cli, tmp_path):
    target = tmp_path / "calibrated.yaml"
    out = cli("calibrate", EXAMPLE, "-y", "Effectiveness (0-100)", "-o", target, *QUICK)
    assert out.exit_code == 1  # the example plants rejected and insufficient rows
    assert "186 used, 1 insufficient evidence, 3 rejected of 190 rows" in out.stdout
    block = yaml.safe_load(target.read_text(encoding="utf-8"))["calibration"]
    assert block["outcome"]["kind"] == "numeric"


def test_example_workbook_is_regenerated_byte_identically(tmp_path):
    subprocess.run(
        [sys.executable, str(ROOT / "examples" / "make_past_cases.py"), "--out", str(tmp_path)],
        check=True,
        capture_output=True,
    )
    assert (tmp_path / "past_cases.xlsx").read_bytes() == EXAMPLE.read_bytes()


def test_example_holds_at_least_150_cases_with_three_outcome_kinds():
    for column, kind in (
        ("Outcome", "binary"),
        ("Effectiveness (0-100)", "numeric"),
        ("Assessed band", "ordinal"),
    ):
        cases = read_cases(EXAMPLE, outcome=column)
        assert cases.kind == kind and cases.counts["used"] >= 150
    assert np.isclose(sum(assess.load_rubric("military-diplomacy").weights.values()), 1)


@pytest.mark.parametrize("method", ["ahp", "entropy", "critic", "equal"])
def test_too_few_cases_are_warned_only_when_weights_are_fitted(cli, tmp_path, method):
    ratings, y = draw(30, "numeric")
    path = cases_file(tmp_path / "c.xlsx", ratings, y)
    pairwise = write_xlsx(tmp_path / "p.xlsx", PAIRWISE[1:], header=PAIRWISE[0])
    out = cli("calibrate", path, "--method", method, "--pairwise", pairwise, *QUICK)
    assert out.exit_code == 0, out.stdout
    assert "usable cases" not in out.stdout and "fitted" not in out.stdout
    fit = cli("calibrate", path, "-y", "Outcome", *QUICK)
    assert "Only 30 usable cases for 5 criteria: at least 50" in fit.stdout


def test_ahp_beyond_saatys_table_exits_2_with_one_line(cli, tmp_path):
    from conftest import wide_case_files

    rubric, cases, pairwise = wide_case_files(tmp_path, 16)
    out = cli("calibrate", cases, "-r", rubric, "--method", "ahp", "--pairwise", pairwise, *QUICK)
    assert out.exit_code == 2
    assert out.stderr.count("\n") == 1 and "up to 15" in out.stderr
