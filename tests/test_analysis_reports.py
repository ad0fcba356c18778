"""`assess sensitivity -o` and `assess agreement -o` write the analysis in every report format."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import rater_workbook, row, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess
from assess.report import write_report

RATINGS = [(4, 4, 3, 4, 0), (3, 2, 3, 2, 1), (2, 2, 1, 3, 2), (1, 1, 2, 1, 3), (3, 3, 3, 3, 1)]


def engagements(tmp_path):
    rows = [row(f"E{i}", *r) for i, r in enumerate(RATINGS)]
    rows.append(row("E9", n=None, i=None, r=None))  # insufficient evidence: not in the analysis
    return write_xlsx(tmp_path / "t.xlsx", rows)


def raters(tmp_path):
    return rater_workbook(
        tmp_path / "raters.xlsx",
        {
            "Ann": [row("E1", 4, 3, 2, 3, 1), row("E2", 1, 2, 2, 2, 3), row("E3", 3)],
            "Bo": [row("E1", 2, 3, 2, 3, 1), row("E2", 1, 1, 2, 2, 2), row("E3", 3)],
        },
    )


def read_csv(path):
    return list(csv.DictReader(io.StringIO(path.read_text(encoding="utf-8"))))


def number(cell: str) -> float | None:
    return float(cell) if cell else None


# -- sensitivity -----------------------------------------------------------------------------------


def test_sensitivity_csv_adds_each_engagements_intervals_and_band_probabilities(tmp_path, cli):
    out = cli(
        "sensitivity", engagements(tmp_path), "--draws", 200, "-o", tmp_path / "s.csv", "-f", "json"
    )
    assert out.exit_code == 1  # E9 has insufficient evidence
    block = {e["id"]: e for e in json.loads(out.stdout)["sensitivity"]["engagements"]}
    table = {r["id"]: r for r in read_csv(tmp_path / "s.csv")}
    assert set(table) == {*block, "E9"}
    for eid, e in block.items():
        r = table[eid]
        assert float(r["score"]) == pytest.approx(e["score"])  # the score columns stay
        for key in ("rank_median", "rank_p05", "rank_p95", "score_p05", "score_p95"):
            assert number(r[f"sensitivity.{key}"]) == pytest.approx(e[key]), key
        interval = [number(r["sensitivity.rank_low"]), number(r["sensitivity.rank_high"])]
        assert interval == e["rank_interval"]
        for band, p in e["band_probability"].items():
            assert number(r[f"sensitivity.P({band})"]) == pytest.approx(p)
    assert all(v == "" for k, v in table["E9"].items() if k.startswith("sensitivity."))


def test_sensitivity_markdown_holds_every_table_of_the_analysis(tmp_path, cli):
    target = tmp_path / "s.md"
    out = cli(
        "sensitivity", engagements(tmp_path), "--draws", 100, "--switch-aggregation", "-o", target
    )
    assert out.exit_code == 1 and f"wrote {target}" in out.stdout
    text = target.read_text(encoding="utf-8")
    assert "## Sensitivity of the ranking to the weights" in text
    assert "100 draws (concentration 50, seed 0, aggregation switched)" in text
    section = text.split("## Sensitivity")[1]
    for i in range(len(RATINGS)):
        assert f"| E{i} |" in section
    assert "| E9 |" not in section
    assert "### What moves the ranking most" in text and "| Aggregation |" in text
    assert "### Leave one criterion out" in text
    # every table row has as many cells as its header
    for block in section.split("\n\n"):
        lines = [x for x in block.splitlines() if x.startswith("|")]
        if lines:
            cells = {len(x.replace("\\|", "").split("|")) for x in lines}
            assert len(cells) == 1, block


def test_sensitivity_json_report_holds_the_analysis(tmp_path, cli):
    target = tmp_path / "s.json"
    out = cli("sensitivity", engagements(tmp_path), "--draws", 100, "-o", target, "-f", "json")
    written = json.loads(target.read_text(encoding="utf-8"))
    assert written["sensitivity"] == json.loads(out.stdout)["sensitivity"]
    assert written["summary"]["insufficient"] == 1


def test_unusable_report_path_is_refused_before_the_analysis(tmp_path, cli, monkeypatch):
    ran = []

    def no_work(*args, **kwargs):
        ran.append(args)
        raise RuntimeError("the analysis ran before the path was checked")

    monkeypatch.setattr(assess, "sensitivity", no_work)  # what the commands call
    monkeypatch.setattr(assess, "agreement", no_work)
    for command, source in (
        ("sensitivity", engagements(tmp_path)),
        ("agreement", raters(tmp_path)),
    ):
        for name in ("s.txt", "missing/s.csv", "t.xlsx"):
            target = source if name == "t.xlsx" else tmp_path / name
            out = cli(command, source, "-o", target)
            assert out.exit_code == 2 and out.stderr.count("\n") == 1, out.stderr
            assert "unexpected" not in out.stderr and not ran, out.stderr
    assert not (tmp_path / "s.txt").exists()


# -- agreement ------------------------------------------------------------------------------------


def test_agreement_csv_adds_each_raters_rating_the_range_and_the_flag(tmp_path, cli):
    out = cli("agreement", raters(tmp_path), "-o", tmp_path / "a.csv", "-f", "json")
    assert out.exit_code == 0, out.output
    block = json.loads(out.stdout)["agreement"]
    table = {r["id"]: r for r in read_csv(tmp_path / "a.csv")}
    flagged = {(f["id"], f["criterion"]) for f in block["flags"]}
    assert flagged == {("E1", "transparency")}
    for eid, criteria in block["spread"].items():
        for cid, cell in criteria.items():
            r = table[eid]
            for rater, rating in cell["ratings"].items():
                assert number(r[f"agreement.{cid}.rater:{rater}"]) == rating
            assert number(r[f"agreement.{cid}.range"]) == cell["range"]
            assert r[f"agreement.{cid}.flag"] == ("review" if (eid, cid) in flagged else "")


def test_agreement_markdown_holds_alpha_and_the_flags(tmp_path, cli):
    target = tmp_path / "a.md"
    assert cli("agreement", raters(tmp_path), "-o", target).exit_code == 0
    text = target.read_text(encoding="utf-8")
    assert "## Agreement between raters" in text
    assert "2 raters (Ann, Bo), combined by median" in text
    assert "| **All criteria** |" in text
    assert "### Raters 2+ levels apart: review these (1)" in text
    assert "| E1 | Transparency | 4 | 2 | 2 | Ann!D2, Bo!D2 |" in text


def test_agreement_lists_engagements_with_insufficient_evidence(tmp_path, cli):
    path = rater_workbook(
        tmp_path / "raters.xlsx",
        {
            "Ann": [row("E1", 4, 3, 2, 3, 1), row("E2", 1, n=None, i=None, r=None)],
            "Bo": [row("E1", 2, 3, 2, 3, 1), row("E2", 1, n=None, i=None, r=None)],
        },
    )
    out = cli("agreement", path)
    assert out.exit_code == 1
    assert "insufficient" in out.stdout and " E2: " in out.stdout


@settings(
    max_examples=15, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(*[st.integers(0, 4)] * 5), min_size=2, max_size=8, unique=True).filter(
        lambda rs: len({sum(r) for r in rs}) > 1
    )
)
def test_csv_of_a_sensitivity_run_is_the_score_csv_plus_its_columns(tmp_path, ratings):
    path = write_xlsx(tmp_path / "p.xlsx", [row(f"P{i}", *r) for i, r in enumerate(ratings)])
    plain = assess.score(path)
    analysed = assess.sensitivity(plain, draws=30, sobol=False)
    write_report(plain, tmp_path / "plain.csv")
    write_report(analysed, tmp_path / "analysed.csv")
    before, after = read_csv(tmp_path / "plain.csv"), read_csv(tmp_path / "analysed.csv")
    assert [list(r)[: len(before[0])] for r in after] == [list(r) for r in before]
    assert [{k: r[k] for k in before[0]} for r in after] == before
    extra = [k for k in after[0] if k not in before[0]]
    assert extra and all(k.startswith("sensitivity.") for k in extra)
