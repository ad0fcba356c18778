"""Explain: the parts of a score, and improvements that really reach the next band."""

from __future__ import annotations

import json
import re
from decimal import Decimal

import pandas as pd
import pytest
from conftest import COL, CRITERIA, EXAMPLE_WORKBOOK, row, write_xlsx
from excel_format import shown
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import assess
from assess.scoring import score_frame


def _frame(ratings) -> pd.DataFrame:
    return pd.DataFrame([dict(zip(CRITERIA, ratings, strict=True))], index=["E1"])


def _result(ratings) -> assess.Result:
    frame = pd.DataFrame([{"Engagement ID": "E1", **dict(zip(CRITERIA, ratings, strict=True))}])
    return assess.score(frame)


def test_each_criterion_has_rating_descriptor_weight_and_points(default_rubric):
    e = assess.explain(_result((2, 3, 4, 1, 2)), "E1")
    assert [c.id for c in e.criteria] == CRITERIA
    t = e.criteria[0]
    assert (t.rating, t.weight) == (2.0, 0.25)
    assert t.levels[0] == default_rubric.criterion("transparency").level(2)
    assert t.contribution == pytest.approx(12.5)
    assert sum(c.contribution for c in e.criteria) == pytest.approx(e.score)
    assert e.band == "Effective" and e.next_band == "Highly effective"


def test_example_improvement_in_words():
    e = assess.explain(_result((2, 3, 3, 3, 1)), "E1")  # 68.75 points, Effective
    assert e.score == pytest.approx(68.75)
    first = e.improvements[0]
    assert first.text() == "transparency 2 → 3 adds 6.2 points: Highly effective"
    assert first.points == pytest.approx(6.25) and first.score == pytest.approx(75.0)
    assert [m.steps for m in e.improvements] == sorted(m.steps for m in e.improvements)


@settings(max_examples=40, deadline=None)
@given(st.tuples(*[st.sampled_from([0, 1, 2, 2.5, 3, 4, None])] * 5))
def test_each_improvement_reaches_a_better_band_and_is_the_smallest(ratings):
    result = _result(ratings)
    if result.scored.empty:
        return
    e = assess.explain(result, "E1")
    names = result.rubric.band_names
    for m in e.improvements:
        changed = list(ratings)
        changed[CRITERIA.index(m.criterion)] = m.to
        rescored = score_frame(_frame(changed), result.rubric).loc["E1"]
        assert rescored["score"] == pytest.approx(m.score)
        assert names.index(rescored["band"]) < names.index(e.band)
        # one level less of the same change does not get there
        if m.rating is not None and m.steps > 1:
            step = -1 if result.rubric.criterion(m.criterion).direction == "cost" else 1
            changed[CRITERIA.index(m.criterion)] = m.to - step
            short = score_frame(_frame(changed), result.rubric).loc["E1"]
            assert names.index(short["band"]) >= names.index(e.band)


def test_applying_the_suggestion_to_the_file_reaches_the_next_band(tmp_path):
    ratings = (2, 2, 2, 2, 2)  # 50 points: Partially effective
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", *ratings), row("E2", 4, 4, 4, 4, 0)])
    before = assess.explain(path, "E1")
    assert before.improvements, before
    m = before.improvements[0]
    wb = load_workbook(path)
    wb.active[f"{COL[m.criterion]}2"] = m.to
    wb.save(path)
    after = assess.score(path).engagements.loc["E1"]
    names = assess.load_rubric().band_names
    assert names.index(after["band"]) < names.index(before.band)
    assert after["band"] == m.band and after["score"] == pytest.approx(m.score)


def test_a_gate_capped_engagement_is_told_to_lift_the_gate():
    e = assess.explain(_result((4, 4, 4, 4, 4)), "E1")  # friction at 4 caps the band
    assert [g.id for g in e.gates] == ["friction-cap"]
    assert e.band == "Partially effective" and e.band_by_score == "Highly effective"
    assert e.improvements[0].criterion == "political_friction"
    assert e.improvements[0].to == 3


def test_top_band_and_insufficient_evidence_have_no_improvements():
    assert assess.explain(_result((4, 4, 4, 4, 0)), "E1").improvements == []
    e = assess.explain(_result((4, None, None, None, 0)), "E1")
    assert e.status == "insufficient" and e.improvements == [] and e.score is None


def test_cli_explain_prints_the_parts_and_the_improvements(tmp_path, cli):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", 2, 3, 3, 3, 1)])
    out = cli("explain", path, "e1")
    assert out.exit_code == 0
    assert "E1" in out.stdout and "score 68.8" in out.stdout
    assert "transparency 2 → 3 adds 6.2 points: Highly effective" in out.stdout
    data = json.loads(cli("explain", path, "E1", "--format", "json").stdout)
    assert data["improvements"][0]["to"] == 3
    assert data["criteria"][0]["levels"][0]["label"] == "Partial"


def test_cli_explain_unknown_id_exits_2_with_a_suggestion(tmp_path, cli):
    path = write_xlsx(tmp_path / "t.xlsx", [row("MD-001"), row("MD-002")])
    out = cli("explain", path, "MD-003")
    assert out.exit_code == 2
    assert "no engagement 'MD-003'" in out.stderr and "'MD-001'" in out.stderr


def test_explain_several_raters_shows_each_raters_rating(tmp_path):
    from conftest import rater_workbook

    path = rater_workbook(tmp_path / "r.xlsx", {"A": [row("E1", 1)], "B": [row("E1", 3)]})
    e = assess.explain(path, "E1")
    assert e.criteria[0].raters == {"A": 1.0, "B": 3.0}
    assert e.criteria[0].rating == 2.0


def _shown(value: float) -> Decimal:
    """A score or points as the workbook's 0.0 cell shows them."""
    return Decimal(shown(value, "0.0"))


@settings(max_examples=60, deadline=None)
@given(st.tuples(*[st.sampled_from([0, 1, 2, 2.5, 3, 4, None])] * 5))
def test_points_shown_add_up_to_the_score_shown_or_a_note_says_they_are_rounded(ratings):
    result = _result(ratings)
    if result.scored.empty:
        return
    e = assess.explain(result, "E1")
    score = _shown(e.score)
    points = sum(_shown(c.contribution) for c in e.criteria if c.contribution is not None)
    assert f"score {score}," in e.headline()
    note = e.points_note()
    assert bool(note) == (points != score)
    if note:
        assert "rounded" in note and f"{points}" in note and f"{score}" in note
    # the current score as shown plus the points shown is the new score as shown
    for m in e.improvements:
        gain = Decimal(re.search(r"adds (\S+) points", m.text()).group(1))
        assert score + gain == _shown(m.score)


@pytest.mark.parametrize("eid", ["MD-2025-001", "MD-2025-003", "MD-2025-030"])
def test_cli_explain_shows_points_as_every_report_and_says_when_they_do_not_add_up(cli, eid):
    result = assess.score(EXAMPLE_WORKBOOK)
    parts = {c.label: c.contribution for c in assess.explain(result, eid).criteria}
    out = cli("explain", EXAMPLE_WORKBOOK, eid).output
    rows = {}
    header = next(line for line in out.splitlines() if "Points" in line)
    at = [c.strip() for c in header.split("┃")[1:-1]].index("Points")
    for line in out.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if cells and cells[0] and cells[at]:
            rows[cells[0]] = cells[at]
    shown_points = []
    for label, contribution in parts.items():
        cell = next(v for k, v in rows.items() if label.startswith(k) or k.startswith(label))
        assert cell == ("–" if contribution is None else shown(contribution, "0.0")), label
        if contribution is not None:
            shown_points.append(Decimal(cell))
    score = Decimal(rows["Score"])
    assert score == _shown(result.engagements.loc[eid, "score"])
    assert (sum(shown_points) != score) == ("Points are rounded" in out)
