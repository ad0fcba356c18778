"""The reports of a recorded period: the comparison with the previous period (previous score,
change, previous band per engagement) and the trends, in every format.

The shipped quarterly example (``examples/quarters/``, see its README) is recorded into an
SQLite store in tmp_path; Q3 was scored with the revised rubric, so its comparison with Q2 is
like for like (Q2 re-scored): DEP-023 keeps its ratings and its change is 0.0.
"""

from __future__ import annotations

import csv
import io
import json
import re
import zipfile
from pathlib import Path

import numpy as np
import openpyxl
import pandas as pd
import pytest
from conftest import ROOT, assert_matches_engine, row, scores_sheet, write_xlsx
from libreoffice import convert, needs_libreoffice

import assess
from assess.errors import StoreError
from assess.history import PeriodContext, open_store
from assess.report import write_report
from assess.report.figures import change_text
from assess.report.html import to_html
from assess.report.markdown import to_markdown
from assess.report.tabular import to_csv

QUARTERS = ROOT / "examples" / "quarters"
#: the built-in rubric as it was in 1.0.0, with which Q1 and Q2 were scored
ORIGINAL = QUARTERS / "military-diplomacy-v1.0.yaml"
REVISED = QUARTERS / "military-diplomacy-v1.1.yaml"
#: period -> (file, rubric) recorded in order (the corrected Q2 supersedes the original)
RECORDED = [
    ("2025-Q1", "FY2025-Q1.xlsx", ORIGINAL),
    ("2025-Q2", "FY2025-Q2.xlsx", ORIGINAL),
    ("2025-Q2", "FY2025-Q2-corrected.xlsx", ORIGINAL),
    ("2025-Q3", "FY2025-Q3.xlsx", REVISED),
    ("2025-Q4", "FY2025-Q4.xlsx", REVISED),
]
PREVIOUS = "Previous score (2025-Q2)"
CHANGE = "Change since 2025-Q2"
PREVIOUS_BAND = "Previous band (2025-Q2)"


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    with open_store(path) as opened:
        for period, name, rubric in RECORDED:
            opened.record(assess.score(QUARTERS / name, rubric=rubric), period)
        yield opened


def scored_with_history(store, period: str, name: str, rubric) -> assess.Result:
    result = assess.score(QUARTERS / name, rubric=rubric)
    result.history = store.context(period)
    return result


@pytest.fixture(scope="module")
def q3(store) -> assess.Result:
    return scored_with_history(store, "2025-Q3", "FY2025-Q3.xlsx", REVISED)


@pytest.fixture(scope="module")
def q1(store) -> assess.Result:
    return scored_with_history(store, "2025-Q1", "FY2025-Q1.xlsx", ORIGINAL)


@pytest.fixture(scope="module")
def q3_xlsx(q3, tmp_path_factory) -> Path:
    return write_report(q3, tmp_path_factory.mktemp("q3") / "q3.xlsx")


# -- the context: what every report shows ----------------------------------------------------


def test_q3_is_compared_with_q2_like_for_like(q3, store):
    h = q3.history
    assert isinstance(h, PeriodContext)
    assert (h.period, h.previous_period) == ("2025-Q3", "2025-Q2")
    assert h.periods == ["2025-Q1", "2025-Q2", "2025-Q3"]  # the trends stop at the period
    assert "re-scored under military-diplomacy 1.1.0" in h.note
    previous = h.previous(q3.engagements.index)
    dep023 = previous.loc["DEP-023"]
    assert dep023["change"] == 0.0
    assert dep023["previous_score"] == pytest.approx(54.5, abs=0.05)  # re-scored: not 57.5
    assert dep023["previous_band"] == "Partially effective"
    # the band moves like for like are DEP-002, DEP-010 and DEP-027 alone (the README's story)
    eng = q3.engagements
    both = previous["previous_band"].notna() & (eng["status"] == "scored")
    moved = sorted(eng.index[both & (previous["previous_band"] != eng["band"])])
    assert moved == ["DEP-002", "DEP-010", "DEP-027"]
    # the numbers are the store's own comparison
    compared = store.changes("2025-Q2", "2025-Q3").compared
    assert np.allclose(
        previous.loc[compared.index, "change"], compared["change"], equal_nan=True, atol=0
    )
    # and this score less the previous one
    change = eng["score"] - previous["previous_score"]
    assert ((change - previous["change"]).abs().fillna(0) <= 1e-9).all()


def test_an_engagement_new_this_period_has_no_previous_values(q3):
    previous = q3.history.previous(q3.engagements.index)
    for eid in ("DEP-050", "DEP-051"):  # new in Q3
        assert np.isnan(previous.at[eid, "previous_score"])
        assert np.isnan(previous.at[eid, "change"])
        assert previous.at[eid, "previous_band"] is None


def test_the_first_period_has_nothing_to_compare_with(q1):
    h = q1.history
    assert h.previous_period is None and h.changes is None
    assert "no period before 2025-Q1" in h.note
    previous = h.previous(q1.engagements.index)
    assert previous["previous_score"].isna().all() and previous["change"].isna().all()
    assert list(h.overall["period"]) == ["2025-Q1"]


def test_trends_are_the_stores(q3, store):
    h = q3.history
    trend = store.trend(by="Type", periods=h.periods)
    pd.testing.assert_frame_equal(h.groups.scores, trend.scores)
    pd.testing.assert_frame_equal(h.groups.band_mix, trend.band_mix)
    # the overall band mix per period adds up the groups', and is this period's band counts
    summed = trend.band_mix.groupby("period")[h.bands].sum().reindex(h.periods)
    assert (h.overall.set_index("period")[h.bands] == summed).all().all()
    last = h.overall.set_index("period").loc["2025-Q3"]
    assert {b: int(last[b]) for b in h.bands} == q3.band_counts()
    assert last["mean_score"] == pytest.approx(q3.scored["score"].mean(), abs=1e-9)


def test_context_of_an_unknown_period_is_one_clear_line(store):
    with pytest.raises(StoreError, match="no run recorded for period '2026-Q1'"):
        store.context("2026-Q1")


def test_without_the_grouping_column_there_is_no_group_trend(store):
    assert store.context("2025-Q2", by=None).groups is None
    assert store.context("2025-Q2", by="No such column").groups is None
    assert store.context("2025-Q2", by="type").groups.by == "Type"


def test_context_to_dict_is_json(q3):
    data = json.loads(json.dumps(q3.history.to_dict(), allow_nan=False))
    assert data["previous_period"] == "2025-Q2"
    assert data["changes"]["rescored_under"]["version"] == "1.1.0"
    assert [p["period"] for p in data["overall"]] == ["2025-Q1", "2025-Q2", "2025-Q3"]
    assert data["groups"]["by"] == "Type"


# -- the Excel report ----------------------------------------------------------------------


def test_scores_sheet_has_previous_score_change_and_previous_band(q3, q3_xlsx):
    sheet = scores_sheet(q3_xlsx)
    head = list(sheet.columns)
    assert head[head.index("Band") + 1 : head.index("Band") + 4] == [
        PREVIOUS,
        CHANGE,
        PREVIOUS_BAND,
    ]
    assert_matches_engine(sheet, q3)  # every other column still reads as before
    previous = q3.history.previous(sheet.index)
    got = pd.to_numeric(sheet[PREVIOUS], errors="coerce")
    assert ((got - previous["previous_score"]).abs().fillna(0) == 0).all()
    assert (got.isna() == previous["previous_score"].isna()).all()
    got = pd.to_numeric(sheet[CHANGE], errors="coerce")
    assert ((got - previous["change"]).abs().fillna(0) == 0).all()
    assert (got.isna() == previous["change"].isna()).all()
    assert sheet.at["DEP-023", CHANGE] == 0
    assert pd.isna(sheet.at["DEP-050", PREVIOUS]) and pd.isna(sheet.at["DEP-050", CHANGE])
    bands = [None if pd.isna(b) else b for b in sheet[PREVIOUS_BAND]]
    assert bands == list(previous["previous_band"])


def test_change_is_a_live_formula_of_the_score_and_the_previous_score(q3_xlsx):
    ws = openpyxl.load_workbook(q3_xlsx)["Scores"]
    letter = {cell.value: cell.column_letter for cell in ws[1]}
    s, p = letter["Score"], letter[PREVIOUS]
    for r in (2, 30):
        formula = ws[f"{letter[CHANGE]}{r}"].value
        assert formula == f'=IF(AND(ISNUMBER({p}{r}),ISNUMBER({s}{r})),{s}{r}-{p}{r},"")'
        assert isinstance(ws[f"{p}{r}"].value, (float, int, type(None)))  # an input, not a formula


def trends_tables(path: Path) -> tuple[pd.DataFrame, pd.DataFrame]:
    """The Trends sheet's band-mix and mean-score tables, indexed by period."""
    rows = list(openpyxl.load_workbook(path, data_only=True)["Trends"].iter_rows(values_only=True))
    starts = [i for i, r in enumerate(rows) if r[0] == "Period"]
    tables = []
    for start in starts:
        head = [c for c in rows[start] if c is not None]
        body = []
        for r in rows[start + 1 :]:
            if r[0] is None:
                break
            body.append(r[: len(head)])
        tables.append(pd.DataFrame(body, columns=head).set_index("Period"))
    return tables[0], tables[1]


def test_trends_sheet_numbers_are_the_stores_trend(q3, q3_xlsx, store):
    h = q3.history
    mix, means = trends_tables(q3_xlsx)
    overall = h.overall.set_index("period")
    assert list(mix.index) == h.periods
    for band in h.bands:
        assert list(mix[band]) == list(overall[band])
    assert list(mix["Scored"]) == list(overall["n"])
    assert np.allclose(mix["Mean score"].astype(float), overall["mean_score"], atol=0)
    trend = store.trend(by="Type", periods=h.periods).scores
    for group, part in trend.groupby("group"):
        assert np.allclose(
            means[group].astype(float).to_numpy(), part["mean_score"].to_numpy(), atol=0
        ), group


def test_trends_sheet_has_a_band_chart_and_a_type_chart_in_the_workbooks_colours(q3, q3_xlsx):
    with zipfile.ZipFile(q3_xlsx) as z:
        charts = [
            z.read(n).decode()
            for n in z.namelist()
            if n.startswith("xl/charts/chart") and "Trends!" in z.read(n).decode()
        ]
    assert len(charts) == 2
    mix = next(c for c in charts if "<c:barChart>" in c)
    line = next(c for c in charts if "<c:lineChart>" in c)
    assert '<c:grouping val="stacked"/>' in mix
    for band in q3.rubric.bands:
        assert band.colour.lstrip("#").upper() in mix
    assert "1F77B4" in line  # the first criterion colour of the Charts sheet


def test_first_period_workbook_leaves_the_previous_columns_blank(q1, tmp_path):
    out = write_report(q1, tmp_path / "q1.xlsx")
    sheet = scores_sheet(out)
    for col in ("Previous score", "Change", "Previous band"):
        assert sheet[col].isna().all(), col  # blank, not zero
    mix, means = trends_tables(out)
    assert list(mix.index) == ["2025-Q1"] and list(means.index) == ["2025-Q1"]


def test_without_history_the_workbook_is_as_before(tmp_path):
    result = assess.score(QUARTERS / "FY2025-Q3.xlsx", rubric=REVISED)
    out = write_report(result, tmp_path / "plain.xlsx")
    assert "Trends" not in openpyxl.load_workbook(out).sheetnames
    head = list(scores_sheet(out).columns)
    assert head[head.index("Band") + 1] == "Gates applied"


@needs_libreoffice
def test_libreoffice_recalculation_keeps_the_change_values(q3, q3_xlsx, tmp_path):
    recalculated = scores_sheet(convert(q3_xlsx, tmp_path / "recalc"))
    assert_matches_engine(recalculated, q3)
    previous = q3.history.previous(recalculated.index)
    got = pd.to_numeric(recalculated[CHANGE], errors="coerce")
    assert ((got - previous["change"]).abs().fillna(0) <= 1e-9).all()
    assert (got.isna() == previous["change"].isna()).all()  # blank stays blank
    # live: a previous score typed in changes the change
    wb = openpyxl.load_workbook(q3_xlsx)
    ws = wb["Scores"]
    letter = {cell.value: cell.column_letter for cell in ws[1]}
    r = next(c.row for c in ws[letter["Engagement ID"]] if c.value == "DEP-023")
    ws[f"{letter[PREVIOUS]}{r}"] = 50.0
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    again = scores_sheet(convert(edited, tmp_path / "recalc2"))
    score = q3.engagements.at["DEP-023", "score"]
    assert float(again.at["DEP-023", CHANGE]) == pytest.approx(score - 50.0, abs=1e-9)


# -- HTML, JSON, CSV, Markdown: the same numbers ---------------------------------------------


def test_html_ranking_has_since_columns_and_a_trends_section(q3):
    page = to_html(q3)
    assert '<th scope="col" class="num" data-sort title="Change in score since 2025-Q2">' in page
    assert 'id="trends"' in page and "Trends since 2025-Q2" in page
    assert "re-scored under military-diplomacy 1.1.0" in page
    row10 = re.search(r">DEP-010</a></td>.*?</tr>", page).group(0)
    assert '<td class="num change up" data-v="' in row10 and "▲ +11.4" in row10
    row23 = re.search(r">DEP-023</a></td>.*?</tr>", page).group(0)
    assert '<td class="num change " data-v="0.0">0.0</td>' in row23
    assert page.count('<svg class="trend-') == 2


def test_first_period_html_has_no_since_columns(q1):
    page = to_html(q1)
    assert "Change in score since" not in page
    assert 'id="trends"' in page and "No period before 2025-Q1 is recorded" in page


def test_every_format_shows_the_same_previous_score_and_change(q3, q3_xlsx):
    previous = q3.history.previous(q3.engagements.index)
    data = json.loads(assess.report.tabular.to_json(q3))
    engagements = {e["id"]: e for e in data["engagements"] + data["insufficient"]}
    table = list(csv.DictReader(io.StringIO(to_csv(q3))))
    by_id = {r["id"]: r for r in table}
    sheet = scores_sheet(q3_xlsx)
    page = to_html(q3)
    for eid, want in previous.iterrows():
        item = engagements[eid]
        blank = pd.isna(want["change"])
        assert item["change"] is None if blank else item["change"] == want["change"], eid
        prev = want["previous_score"]
        assert item["previous_score"] is None if pd.isna(prev) else item["previous_score"] == prev
        assert item["previous_band"] == want["previous_band"]
        text = by_id[eid]["change"]
        assert text == "" if blank else float(text) == want["change"], eid  # exact round trip
        assert pd.isna(sheet.at[eid, CHANGE]) if blank else sheet.at[eid, CHANGE] == want["change"]
        assert (by_id[eid]["previous_band"] or None) == want["previous_band"]
        if not blank and q3.engagements.at[eid, "status"] == "scored":
            cell = re.search(rf">{eid}</a></td>.*?</tr>", page).group(0)
            assert f">{change_text(want['change'])}</td>" in cell, eid
    assert data["history"]["note"] == q3.history.note


def test_markdown_has_a_since_section(q3, q1):
    text = to_markdown(q3)
    assert "## Since 2025-Q2" in text and "re-scored under military-diplomacy 1.1.0" in text
    moved = text.split("### Moved a band")[1].split("###")[0]
    assert "| DEP-010 | Partially effective | Highly effective | 69.3 | 80.7 | ▲ +11.4 |" in moved
    assert "### Mean score per type per period" in text
    first = to_markdown(q1)
    assert "## History to 2025-Q1" in first and "### Moved a band" not in first


def test_without_history_the_json_has_no_history_keys():
    data = assess.score(QUARTERS / "FY2025-Q1.xlsx").to_dict()
    assert "history" not in data
    assert "previous_score" not in data["engagements"][0]


# -- hostile text ----------------------------------------------------------------------------


def test_period_labels_and_types_from_the_input_stay_text(tmp_path):
    hostile = "<script>alert(1)</script>"
    rows = [row("E1", kind=hostile), row("E2", 2, 2, 2, 2, 2, kind='=HYPERLINK("x")')]
    data = write_xlsx(tmp_path / "a.xlsx", rows)
    with open_store(tmp_path / "h.sqlite") as s:
        s.record(assess.score(data), "<b>P1</b>")
        result = assess.score(write_xlsx(tmp_path / "b.xlsx", rows[:1] + [row("E2", kind="x")]))
        s.record(result, "<b>P2</b>")
        result.history = s.context("<b>P2</b>")
    page = to_html(result)
    assert "<script>alert" not in page and "<b>P1" not in page
    assert "&lt;b&gt;P1&lt;/b&gt;" in page
    text = to_markdown(result)
    assert "<script>" not in text and "<b>" not in text
    out = write_report(result, tmp_path / "r.xlsx")
    ws = openpyxl.load_workbook(out)["Trends"]
    values = [c.value for r in ws.iter_rows() for c in r if isinstance(c.value, str)]
    assert '=HYPERLINK("x")' in values  # a text cell
    assert all(c.data_type != "f" for r in ws.iter_rows() for c in r)


# -- the command line ------------------------------------------------------------------------


def test_cli_report_of_a_recorded_period_compares_with_the_previous_one(cli, tmp_path):
    store = tmp_path / "h.sqlite"
    first = cli(
        "score",
        QUARTERS / "FY2025-Q1.xlsx",
        "--period",
        "2025-Q1",
        "--store",
        store,
        "-o",
        tmp_path / "q1.xlsx",
    )
    assert first.exit_code == 1, first.output
    assert scores_sheet(tmp_path / "q1.xlsx")["Change"].isna().all()
    for period, name in (("2025-Q2", "FY2025-Q2-corrected.xlsx"),):
        cli("score", QUARTERS / name, "--period", period, "--store", store)
    out = cli(
        "score",
        QUARTERS / "FY2025-Q3.xlsx",
        "-r",
        REVISED,
        "--period",
        "2025-Q3",
        "--store",
        store,
        "-o",
        tmp_path / "q3.xlsx",
    )
    assert out.exit_code == 1, out.output
    assert "since 2025-Q2:" in out.stdout and "recorded period 2025-Q3" in out.stdout
    sheet = scores_sheet(tmp_path / "q3.xlsx")
    assert sheet.at["DEP-023", CHANGE] == 0
    assert sheet.at["DEP-010", PREVIOUS_BAND] == "Partially effective"
    page = cli(
        "score",
        QUARTERS / "FY2025-Q3.xlsx",
        "-r",
        REVISED,
        "--period",
        "2025-Q3",
        "--store",
        store,
        "-o",
        tmp_path / "q3.html",
    )
    assert "already holds these inputs" in page.stdout
    assert "Since 2025-Q2" in (tmp_path / "q3.html").read_text(encoding="utf-8")
    data = cli(
        "score",
        QUARTERS / "FY2025-Q3.xlsx",
        "-r",
        REVISED,
        "--period",
        "2025-Q3",
        "--store",
        store,
        "--format",
        "json",
    )
    parsed = json.loads(data.stdout)
    dep023 = next(e for e in parsed["engagements"] if e["id"] == "DEP-023")
    assert dep023["change"] == 0.0 and parsed["history"]["previous_period"] == "2025-Q2"
    assert parsed["recorded"]["status"] == "unchanged"


def test_cli_bad_report_path_is_refused_before_anything_is_recorded(cli, tmp_path):
    store = tmp_path / "h.sqlite"
    out = cli(
        "score",
        QUARTERS / "FY2025-Q1.xlsx",
        "--period",
        "2025-Q1",
        "--store",
        store,
        "-o",
        tmp_path / "missing" / "q1.xlsx",
    )
    assert out.exit_code == 2
    with open_store(store) as s:
        assert s.periods() == []
