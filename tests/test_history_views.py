"""Looking back through the history store: trends and "what changed", through the Python API.

The shipped quarterly example (``examples/quarters/``, see its README) is recorded into an
SQLite store once, and the trends and changes must tell the story its README tells; property
tests check the comparison on small random results.
"""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest
from conftest import ROOT
from hypothesis import given, settings
from hypothesis import strategies as st

import assess
from assess.errors import StoreError
from assess.history import Changes, GroupTrend, open_store
from assess.history.comparison import compare_results, rescore
from assess.history.trends import TREND_COLUMNS
from assess.result import Result, engagement_rows, order_best_first
from assess.rubric import validate_rubric
from assess.scoring import input_columns, score_frame
from assess.validation import Problem, Rejection

QUARTERS = ROOT / "examples" / "quarters"
#: the built-in rubric as it was in 1.0.0, with which Q1 and Q2 were scored
ORIGINAL = QUARTERS / "military-diplomacy-v1.0.yaml"
REVISED = QUARTERS / "military-diplomacy-v1.1.yaml"
#: period -> the files recorded for it, in order (Q2's correction supersedes the original)
RECORDED = {
    "2025-Q1": [("FY2025-Q1.xlsx", ORIGINAL)],
    "2025-Q2": [
        ("FY2025-Q2.xlsx", ORIGINAL),
        ("FY2025-Q2-corrected.xlsx", ORIGINAL),
    ],
    "2025-Q3": [("FY2025-Q3.xlsx", REVISED)],
    "2025-Q4": [("FY2025-Q4.xlsx", REVISED)],
}
BAND = {"HE": "Highly effective", "E": "Effective", "PE": "Partially effective"}


@pytest.fixture(scope="module")
def store(tmp_path_factory):
    path = tmp_path_factory.mktemp("history") / "history.sqlite"
    with open_store(path) as opened:
        for period, files in RECORDED.items():
            for name, rubric in files:
                opened.record(assess.score(QUARTERS / name, rubric=rubric), period)
        yield opened


@pytest.fixture(scope="module")
def q2_q3(store):
    return store.changes("2025-Q2", "2025-Q3")


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert message and "\n" not in message
    return message


# -- changes: the story of the quarters -----------------------------------------------------


def test_like_for_like_band_moves_are_the_ones_the_readme_lists(q2_q3):
    revised = assess.load_rubric(REVISED)
    assert isinstance(q2_q3, Changes)
    assert not q2_q3.as_recorded
    assert q2_q3.rescored_under == {
        "name": "military-diplomacy",
        "version": "1.1.0",
        "hash": revised.content_hash,
    }
    assert q2_q3.from_rubric["version"] == "1.0.0"
    assert "re-scored under military-diplomacy 1.1.0" in q2_q3.note
    assert q2_q3.unrated == []
    assert (q2_q3.up, q2_q3.down) == (["DEP-010", "DEP-027"], ["DEP-002"])
    moved = q2_q3.moved
    assert moved.loc["DEP-010", ["band_from", "band_to"]].tolist() == [BAND["PE"], BAND["HE"]]
    assert moved.loc["DEP-027", ["band_from", "band_to"]].tolist() == [BAND["PE"], BAND["E"]]
    assert moved.loc["DEP-002", ["band_from", "band_to"]].tolist() == [BAND["HE"], BAND["E"]]
    # the same ratings all year: re-scored under 1.1.0, Q2 was 54.5 already
    row = q2_q3.compared.loc["DEP-023"]
    assert row["score_from"] == pytest.approx(54.5, abs=0.05)
    assert row["change"] == pytest.approx(0)
    assert row["band_from"] == row["band_to"] == BAND["PE"]


def test_as_recorded_shows_the_drop_the_rubric_made(store):
    changes = store.changes("2025-Q2", "2025-Q3", as_recorded=True)
    assert changes.as_recorded and changes.rescored_under is None
    assert "as recorded" in changes.note
    row = changes.compared.loc["DEP-023"]
    assert (row["band_from"], row["band_to"]) == (BAND["E"], BAND["PE"])
    assert (row["score_from"], row["score_to"]) == pytest.approx((57.5, 54.5), abs=0.05)
    assert {"DEP-023", "DEP-049", "DEP-004"} <= set(changes.down)
    assert {"DEP-016", "DEP-018"} <= set(changes.up)
    # like for like, none of them moves
    like = store.changes("2025-Q2", "2025-Q3")
    for eid in ("DEP-023", "DEP-049", "DEP-016", "DEP-018"):
        assert eid not in like.up + like.down


@pytest.mark.parametrize(
    ("start", "end", "new", "ended"),
    [
        ("2025-Q1", "2025-Q2", ["DEP-047", "DEP-048", "DEP-049"], ["DEP-019", "DEP-022"]),
        ("2025-Q2", "2025-Q3", ["DEP-050", "DEP-051"], ["DEP-003", "DEP-005", "DEP-026"]),
        ("2025-Q3", "2025-Q4", ["DEP-052", "DEP-053", "DEP-054"], ["DEP-001", "DEP-038"]),
    ],
)
def test_new_and_ended_engagements_are_the_readme_s(store, start, end, new, ended):
    changes = store.changes(start, end)
    assert list(changes.new.index) == new
    assert list(changes.ended.index) == ended
    assert set(changes.new.columns) == {"name", "status", "score", "band"}
    assert set(changes.new.index).isdisjoint(changes.compared.index)


def test_rejected_rows_are_not_scored_rather_than_new_or_ended(store, q2_q3):
    table = q2_q3.not_scored
    assert table["period"].to_dict() == {
        "DEP-012": "2025-Q3",  # its id left blank (A15): recorded again in Q4
        "DEP-040": "2025-Q2",  # its id copied from the row above (A43): recorded in Q1
        "DEP-046": "2025-Q3",  # political friction 30 (L46)
    }
    assert set(table["status"]) == {"rejected"}
    assert "FY2025 Q3!L46" in table.at["DEP-046", "reason"]
    assert "FY2025 Q2!A43" in table.at["DEP-040", "reason"]
    assert "duplicate engagement id" in table.at["DEP-040", "reason"]
    assert "2025-Q1" in table.at["DEP-040", "reason"]
    assert "FY2025 Q3!A15" in table.at["DEP-012", "reason"]
    assert table.at["DEP-046", "other_period"] == "2025-Q2"
    assert table.at["DEP-046", "other_band"] in BAND.values()
    q3_q4 = store.changes("2025-Q3", "2025-Q4").not_scored
    assert q3_q4["period"].to_dict() == {
        "DEP-012": "2025-Q3",
        "DEP-039": "2025-Q4",
        "DEP-043": "2025-Q4",
        "DEP-046": "2025-Q3",
    }
    q1_q2 = store.changes("2025-Q1", "2025-Q2").not_scored
    # DEP-017's rejected 'high' was corrected: the corrected Q2 is the one compared
    assert q1_q2["period"].to_dict() == {
        "DEP-020": "2025-Q1",
        "DEP-040": "2025-Q2",
        "DEP-045": "2025-Q1",
    }


def test_gates_lifted_and_applied(store, q2_q3):
    gates = q2_q3.gates
    assert gates.reset_index()[["id", "gate", "change"]].values.tolist() == [
        ["DEP-010", "friction-cap", "lifted"]
    ]
    assert q2_q3.gate_ids("lifted") == ["DEP-010"]
    q4 = store.changes("2025-Q3", "2025-Q4").gates
    assert q4.reset_index()[["id", "gate", "change"]].values.tolist() == [
        ["DEP-002", "friction-cap", "applied"]
    ]


def test_largest_changes_name_the_criteria_that_drove_them(q2_q3):
    largest = q2_q3.largest
    assert len(largest) == min(10, q2_q3.counts["changed"]) == 10
    changes = largest["change"].abs().tolist()
    assert changes == sorted(changes, reverse=True)
    # DEP-010: only political friction moved (4 -> 2), and it lifted the gate
    assert largest.at["DEP-010", "drivers"].startswith("political_friction +")
    contributions = q2_q3.contributions.loc["DEP-010"]
    assert contributions.drop("political_friction").abs().max() == pytest.approx(0)
    assert contributions.sum() == pytest.approx(q2_q3.compared.at["DEP-010", "change"])
    # DEP-004 loses transparency: its change is negative and so is its main driver
    assert largest.at["DEP-004", "change"] < 0
    assert largest.at["DEP-004", "drivers"].split(",")[0].split()[1].startswith("-")


def test_defaults_compare_the_last_two_periods(store):
    assert store.periods() == list(RECORDED)
    default = store.changes()
    assert (default.from_period, default.to_period) == ("2025-Q3", "2025-Q4")
    assert default.rescored_under is None
    assert default.note.startswith("both periods were scored with military-diplomacy 1.1.0")
    before_q3 = store.changes(to_period="2025-Q3")
    assert (before_q3.from_period, before_q3.to_period) == ("2025-Q2", "2025-Q3")
    assert store.changes(from_period="2025-Q1").to_period == "2025-Q4"


def test_the_same_period_reports_nothing(store):
    same = store.changes("2025-Q3", "2025-Q3")
    counts = same.counts
    assert counts.pop("compared") == 44
    assert set(counts.values()) == {0}
    assert same.largest.empty and same.gates.empty and same.not_scored.empty


def test_changes_to_dict_is_stable_json(store, q2_q3):
    data = q2_q3.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == [
        "from_period",
        "to_period",
        "rubrics",
        "as_recorded",
        "rescored_under",
        "note",
        "unrated",
        "counts",
        "new",
        "ended",
        "not_scored",
        "moved",
        "largest",
        "gates",
    ]
    assert data["counts"] == {
        "compared": 41,
        "changed": data["counts"]["changed"],
        "new": 2,
        "ended": 3,
        "not_scored": 3,
        "up": 2,
        "down": 1,
        "gates_applied": 0,
        "gates_lifted": 1,
    }
    assert [m["id"] for m in data["moved"]] == ["DEP-010", "DEP-027", "DEP-002"]
    assert data["moved"][0]["direction"] == "up"
    first = data["largest"][0]
    assert sum(first["contributions"].values()) == pytest.approx(first["change"])
    assert data["gates"] == [
        {
            "id": "DEP-010",
            "name": "UNIFIL maritime task force contribution",
            "gate": "friction-cap",
            "change": "lifted",
            "band_from": BAND["PE"],
            "band_to": BAND["HE"],
        }
    ]
    assert q2_q3.summary_lines()[0].startswith("2025-Q2 -> 2025-Q3: 41 compared")
    assert store.changes().to_dict() == store.changes("2025-Q3", "2025-Q4").to_dict()


def test_unknown_periods_and_a_single_period_give_one_line(store, tmp_path):
    with pytest.raises(StoreError) as err:
        store.changes("2025-Q9", "2025-Q4")
    assert "2025-Q9" in one_line(err)
    with open_store(tmp_path / "one.sqlite") as single:
        with pytest.raises(StoreError) as err:
            single.changes()
        assert "no recorded runs" in one_line(err)
        single.record(assess.score(QUARTERS / "FY2025-Q1.xlsx"), "2025-Q1")
        with pytest.raises(StoreError) as err:
            single.changes()
        assert "no period before 2025-Q1" in one_line(err)


# -- trends -----------------------------------------------------------------------------------


def test_an_engagement_s_trend_across_the_quarters(store):
    trend = store.trend(["DEP-010", "DEP-046"])
    assert list(trend.columns[: len(TREND_COLUMNS)]) == TREND_COLUMNS
    assert "political_friction.rating" in trend.columns
    gate = trend[trend["id"] == "DEP-010"]
    assert gate["period"].tolist() == list(RECORDED)
    assert gate["band"].tolist() == [BAND["PE"], BAND["PE"], BAND["HE"], BAND["HE"]]
    assert gate["gates"].tolist() == ["friction-cap", "friction-cap", "", ""]
    assert gate["political_friction.rating"].tolist() == [4, 4, 2, 1]
    assert gate["rubric_version"].tolist() == ["1.0.0", "1.0.0", "1.1.0", "1.1.0"]
    assert set(gate["name"]) == {"UNIFIL maritime task force contribution"}
    assert trend.attrs["periods"] == list(RECORDED)
    rejected = trend[trend["id"] == "DEP-046"].set_index("period")
    assert rejected.at["2025-Q3", "status"] == "rejected"
    assert pd.isna(rejected.at["2025-Q3", "score"])
    assert "FY2025 Q3!L46" in rejected.at["2025-Q3", "reason"]
    assert (rejected.drop("2025-Q3")["status"] == "scored").all()
    # a period without the engagement has no row: DEP-040's Q2 row lost its id
    assert store.trend("DEP-040")["period"].tolist() == ["2025-Q1", "2025-Q3", "2025-Q4"]
    assert store.trend(["DEP-035"], periods=["2025-Q4", "2025-Q1"])["band"].tolist() == [
        BAND["PE"],
        BAND["HE"],
    ]


def test_every_engagement_s_trend_and_unknown_ids(store):
    trend = store.trend()
    ids = list(dict.fromkeys(trend["id"]))
    assert ids == sorted(ids) and len(ids) == 54
    assert trend.groupby("period").size().to_dict() == {
        "2025-Q1": 46,  # 44 scored, two rejected with their ids
        "2025-Q2": 46,  # the copied id belongs to a scored engagement
        "2025-Q3": 45,  # the blank id has no row
        "2025-Q4": 47,
    }
    with pytest.raises(StoreError) as err:
        store.trend(["DEP-010", "DEP-999"])
    assert "DEP-999" in one_line(err) and "DEP-010" not in one_line(err)


def test_a_group_trend_by_type(store):
    trend = store.trend(by="type")  # matched ignoring case
    assert isinstance(trend, GroupTrend)
    assert trend.by == "Type" and trend.periods == list(RECORDED)
    assert trend.bands == list(BAND.values()) + ["Ineffective"]
    scores = trend.scores.set_index(["group", "period"])["mean_score"]
    post = scores["Post-conflict reconstruction"].tolist()
    assert post == sorted(post, reverse=True) and len(set(post)) == 4  # falls every quarter
    intel = scores["Intelligence sharing"]
    assert intel["2025-Q3"] > intel["2025-Q2"]
    assert (
        scores["Military assistance and training"]["2025-Q4"]
        > scores["Military assistance and training"]["2025-Q1"]
    )
    mix = trend.band_mix.set_index(["group", "period"])
    assert (mix.sum(axis=1) == trend.scores.set_index(["group", "period"])["n"]).all()
    per_period = trend.scores.groupby("period")["n"].sum().to_dict()
    assert per_period == {"2025-Q1": 44, "2025-Q2": 46, "2025-Q3": 44, "2025-Q4": 45}
    data = trend.to_dict()
    assert json.loads(json.dumps(data)) == data
    assert list(data) == ["by", "periods", "bands", "groups", "rubric_versions"]
    versions = ["1.0.0", "1.0.0", "1.1.0", "1.1.0"]
    assert data["rubric_versions"] == dict(zip(RECORDED, versions, strict=True))
    first = data["groups"][0]
    assert list(first) == ["group", "periods"]
    assert list(first["periods"][0]) == ["period", "n", "insufficient", "mean_score", "band_mix"]
    assert len(trend.summary_lines()) == 1 + len(trend.groups) * 4
    with pytest.raises(StoreError) as err:
        store.trend(by="Colour")
    assert "Colour" in one_line(err) and "Type" in one_line(err)


# -- the comparison on small results ----------------------------------------------------------


def make_result(rubric, ratings: dict[str, list], rejected: tuple[str, ...] = ()) -> Result:
    """A Result of ``ratings`` (id -> one value per input, None where not rated)."""
    ids = list(ratings)
    frame = pd.DataFrame(
        [[np.nan if v is None else v for v in ratings[i]] for i in ids],
        index=pd.Index(ids, name="id", dtype=object),
        columns=input_columns(rubric),
        dtype=float,
    )
    carried = pd.DataFrame({"Engagement": [f"Engagement {i}" for i in ids]}, index=frame.index)
    engagements = engagement_rows(
        rubric,
        frame,
        score_frame(frame, rubric),
        carried,
        source="p.csv",
        sheet="p",
        row=np.arange(2, len(ids) + 2),
    )
    problems = (Problem(column="D", header="Transparency", value="x", reason="not a rating"),)
    return Result(
        rubric=rubric,
        sources=[],
        engagements=order_best_first(engagements),
        rejected=[Rejection("p.csv", "p", 90 + j, problems, id=r) for j, r in enumerate(rejected)],
        carried_columns=["Engagement"],
    )


RATING = st.one_of(st.none(), st.integers(0, 4))
RATINGS = st.dictionaries(
    st.sampled_from([f"E{j}" for j in range(12)]),
    st.lists(RATING, min_size=5, max_size=5),
    min_size=1,
    max_size=12,
)
WEIGHTS = st.lists(st.floats(0.05, 1.0), min_size=5, max_size=5)


@settings(max_examples=40, deadline=None)
@given(RATINGS, st.sampled_from(["weighted_arithmetic", "weighted_geometric"]))
def test_a_result_compared_with_itself_reports_nothing(ratings, aggregation):
    rubric = assess.load_rubric().model_copy(update={"aggregation": aggregation})
    result = make_result(rubric, ratings)
    changes = compare_results(result, result, from_period="P", to_period="P")
    counts = changes.counts
    assert counts.pop("compared") == len(ratings)
    assert set(counts.values()) == {0}
    assert changes.rescored_under is None and changes.largest.empty


@settings(max_examples=40, deadline=None)
@given(RATINGS, RATINGS, st.one_of(st.none(), WEIGHTS), st.booleans())
def test_contribution_differences_add_up_to_the_score_change(before, after, weights, recorded):
    rubric = assess.load_rubric()
    if weights is not None:
        weights = dict(zip(rubric.ids, weights, strict=True))
    later = rubric if weights is None else rubric.with_weights(weights)
    earlier = make_result(rubric, before, rejected=tuple(i for i in after if i not in before))
    changes = compare_results(earlier, make_result(later, after), as_recorded=recorded)
    both = changes.compared.dropna(subset=["change"])
    assert list(changes.contributions.index) == list(both.index)
    sums = changes.contributions.sum(axis=1).to_numpy()
    np.testing.assert_allclose(sums, both["change"].to_numpy(), atol=1e-9)
    # the pieces never overlap, and every id is accounted for
    new, ended = set(changes.new.index), set(changes.ended.index)
    missing = set(changes.not_scored.index)
    assert new.isdisjoint(changes.compared.index) and ended.isdisjoint(changes.compared.index)
    # an engagement rejected earlier is not new; it is listed when scored now
    rejected = set(after) - set(before)
    assert new | set(changes.compared.index) | rejected == set(after)
    scored_now = set(changes_scored(changes, after, later))
    compared = changes.compared
    one_side = compared.index[
        (compared["status_from"] == "scored") ^ (compared["status_to"] == "scored")
    ]
    assert missing == (rejected & scored_now) | set(one_side)
    assert ended | set(changes.compared.index) == set(before)
    assert (changes.rescored_under is not None) == (weights is not None and not recorded)


def changes_scored(changes, ratings, rubric) -> list[str]:
    """The ids of ``ratings`` scored under ``rubric``."""
    return list(make_result(rubric, ratings).scored.index)


def test_criteria_missing_from_the_earlier_ratings_count_as_not_rated():
    data = assess.load_rubric().model_dump(mode="json")
    extra = dict(data["criteria"][0], id="cohesion", label="Cohesion", weight=0.2)
    extra.update(column="Cohesion", aliases=[])
    data["criteria"].append(extra)
    data["version"] = "2.0.0"
    later_rubric = validate_rubric(data)
    earlier = make_result(assess.load_rubric(), {"E1": [3, 3, 3, 3, 1], "E2": [2, 2, 2, 2, 2]})
    later = make_result(later_rubric, {"E1": [3, 3, 3, 3, 1, 4], "E2": [2, 2, 2, 2, 2, None]})
    changes = compare_results(earlier, later, from_period="2024", to_period="2025")
    assert changes.unrated == ["cohesion"]
    assert "counted as not rated: cohesion" in changes.note
    assert changes.rescored_under["version"] == "2.0.0"
    rescored, unrated = rescore(earlier, later_rubric)
    assert unrated == ["cohesion"]
    assert rescored["cohesion.contribution"].isna().all()
    # E2 is unchanged on the ground (cohesion not rated in either): no change
    assert changes.compared.at["E2", "change"] == pytest.approx(0)
    assert changes.compared.at["E1", "change"] > 0
    assert changes.largest.index.tolist() == ["E1"]
    assert changes.largest.at["E1", "drivers"].startswith("cohesion +")
