"""Reading the history store quickly, through the API, on SQLite and on PostgreSQL.

An engagement's trend read straight from the store (``Store.trend_rows``): the same values as
the runs read back whole, and as ``Store.trend``, read without loading pandas; and a run read
back without its details (``Store.run_result(details=False)``) for comparisons.
"""

from __future__ import annotations

import json
import math
import subprocess
import sys

import pandas as pd
import pytest
import yaml
from conftest import RECORDED_ROWS, ROOT, indicator_rubric_data, row, write_csv
from sqlalchemy import select, update

import assess
from assess.errors import StoreError
from assess.history import open_store, schema, timeline
from assess.history.comparison import compare_results
from assess.history.timeline import TREND_COLUMNS

#: Q1: five engagements, one with too little evidence, two rows that cannot be scored.
Q1 = RECORDED_ROWS
#: Q2: E2 rejected, E4 ended, E6 scored, E7 new.
Q2 = [
    row("E1", 3, 4, 3, 3, 1),
    row("E2", 2, 3, 9, 2, 2),  # rejected: off the scale
    row("E3", 3, 3, 3, 3, 1),
    row("E5", 2, 2, 2, 3, 1),
    row("E6", 3, 3, 3, 3, 1),
    row("E7", 0, 1, 0, 1, 4),
]


def record_quarters(store, folder) -> None:
    """Q1 and Q2 with the default rubric; Q3 with a rubric measuring one criterion by two
    indicators, so that the periods' inputs differ."""
    store.record(assess.score(write_csv(folder / "q1.csv", Q1)), "Q1")
    store.record(assess.score(write_csv(folder / "q2.csv", Q2)), "Q2")
    rubric = folder / "indicators.yaml"
    rubric.write_text(yaml.safe_dump(indicator_rubric_data(), sort_keys=False), encoding="utf-8")
    header = ["ID", "Alpha", "Beta", "Objectives met", "Personnel trained"]
    rows = [["E1", 4, 3, 0.5, 120], ["E3", 2, None, 1, None], ["E8", "x", 1, None, None]]
    store.record(
        assess.score(write_csv(folder / "q3.csv", rows, header=header), rubric=rubric), "Q3"
    )


@pytest.fixture
def quarters(store_url, tmp_path):
    with open_store(store_url) as store:
        record_quarters(store, tmp_path)
        yield store


def expected_rows(store, ids: list[str]) -> list[dict]:
    """The trend rows of ``ids`` worked out from each period's run read back whole."""
    results = {p: store.run_result(p) for p in store.periods()}
    labels: list[str] = []
    for result in reversed(results.values()):
        labels += [c for c in result.engagements.columns if c.endswith((".rating", ".value"))]
    labels = list(dict.fromkeys(labels))
    rows = []
    for eid in dict.fromkeys(ids):
        for period, result in results.items():
            eng = result.engagements
            common = {"id": eid, "period": period, "rubric_version": result.rubric.version}
            if eid in eng.index:
                e = eng.loc[eid]
                rows.append(
                    common
                    | {
                        "status": e["status"],
                        "score": None if math.isnan(e["score"]) else float(e["score"]),
                        "band": e["band"],
                        "rank": None if pd.isna(e["rank"]) else int(e["rank"]),
                        "gates": e["gates"],
                        "reason": "",
                        "name": None if result.name_column is None else e[result.name_column],
                    }
                    | {c: None if c not in e or pd.isna(e[c]) else float(e[c]) for c in labels}
                )
                continue
            for r in result.rejected:
                if r.id == eid:
                    rows.append(
                        common
                        | {"status": "rejected", "score": None, "band": None, "rank": None}
                        | {"gates": "", "reason": f"{r.cell}: {r.reason}", "name": None}
                        | dict.fromkeys(labels)
                    )
    return [{k: r[k] for k in TREND_COLUMNS + labels} for r in rows]


def test_trend_rows_are_the_runs_as_recorded(quarters):
    ids = ["E1", "E2", "E4", "E5", "E6", "E7", "E8", "E3"]
    rows = quarters.trend_rows(ids)
    assert rows == expected_rows(quarters, ids)
    assert [(r["id"], r["period"], r["status"]) for r in rows[:6]] == [
        ("E1", "Q1", "scored"),
        ("E1", "Q2", "scored"),
        ("E1", "Q3", "scored"),
        ("E2", "Q1", "scored"),
        ("E2", "Q2", "rejected"),
        ("E4", "Q1", "scored"),
    ]
    # the last period's inputs first (its indicators by name), then the earlier ones'
    assert list(rows[0])[len(TREND_COLUMNS) :] == [
        "alpha.rating",
        "beta.rating",
        "objectives_met.value",
        "trained.value",
        "transparency.rating",
        "norms_alignment.rating",
        "interoperability.rating",
        "resources.rating",
        "political_friction.rating",
    ]
    assert rows[2]["objectives_met.value"] == 0.5 and rows[2]["transparency.rating"] is None
    assert "!" in rows[4]["reason"] and rows[4]["score"] is None
    assert [r["name"] for r in rows[:5]] == [
        "Exercise Test",
        "Exercise Test",
        None,
        "Dialogue",
        None,
    ]


def test_trend_rows_of_runs_whose_notes_do_not_name_the_name_column(quarters):
    """Runs recorded before a run's notes named its name column: worked out again."""
    runs = schema.runs
    with quarters.engine.begin() as c:
        for run_id, notes in c.execute(select(runs.c.id, runs.c.notes)).all():
            older = {k: v for k, v in json.loads(notes).items() if k != "name_column"}
            c.execute(update(runs).where(runs.c.id == run_id).values(notes=json.dumps(older)))
    rows = quarters.trend_rows(["E2", "E1"])
    assert [r["name"] for r in rows] == ["Dialogue", None, "Exercise Test", "Exercise Test", None]
    assert rows == expected_rows(quarters, ["E2", "E1"])


def test_trend_rows_are_the_trend_s_rows(quarters):
    for ids in (["E5", "E1", "E5"], "E8", None):
        frame = quarters.trend(ids)
        rows = quarters.trend_rows(ids)
        assert list(frame.columns) == list(rows[0])
        plain = frame.astype(object).where(frame.notna(), None).to_dict("records")
        assert plain == rows
    everything = quarters.trend_rows()
    assert [r["id"] for r in everything] == sorted(r["id"] for r in everything)
    assert {r["id"] for r in everything} == {f"E{i}" for i in range(1, 9)}


def test_trend_rows_of_chosen_periods_and_unknown_ones(quarters, monkeypatch):
    rows = quarters.trend_rows(["E1", "E3"], periods=[" Q3", "Q1"])
    assert [(r["id"], r["period"]) for r in rows] == [
        ("E1", "Q1"),
        ("E1", "Q3"),
        ("E3", "Q1"),
        ("E3", "Q3"),
    ]
    monkeypatch.setattr(timeline, "IDS_PER_QUERY", 2)  # several queries, the same rows
    assert quarters.trend_rows(["E7", "E1", "E2", "E5", "E6"]) == expected_rows(
        quarters, ["E7", "E1", "E2", "E5", "E6"]
    )
    with pytest.raises(StoreError, match="no engagement E9, E0 in periods Q1 to Q3"):
        quarters.trend_rows(["E1", "E9", "E0"])
    with pytest.raises(StoreError, match="no engagement E4 in period Q3"):
        quarters.trend_rows("E4", periods=["Q3"])
    with pytest.raises(StoreError, match="no run recorded for period 'Q9'"):
        quarters.trend_rows("E1", periods=["Q1", "Q9"])


def test_trend_rows_of_an_empty_store(tmp_path):
    with open_store(tmp_path / "empty.sqlite") as store:
        with pytest.raises(StoreError, match="holds no recorded runs yet"):
            store.trend_rows("E1")


def test_trend_rows_load_neither_pandas_nor_the_rubric(tmp_path):
    path = tmp_path / "history.sqlite"
    with open_store(path) as store:
        record_quarters(store, tmp_path)
    code = (
        "import sys, assess\n"
        f"with assess.open_store({str(path)!r}) as store:\n"
        "    rows = store.trend_rows(['E1'])\n"
        "print(len(rows), sorted(m for m in ('pandas', 'numpy', 'yaml', 'pydantic', 'alembic') "
        "if m in sys.modules))\n"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "3 []"


def test_a_run_without_its_details_is_the_run_for_comparisons(quarters):
    full, slim = quarters.run_result("Q1"), quarters.run_result("Q1", details=False)
    assert slim.carried_columns == [full.name_column] == ["Engagement"]
    assert not {"source", "sheet", "row", "Type"} & set(slim.engagements.columns)
    pd.testing.assert_frame_equal(slim.engagements, full.engagements[slim.engagements.columns])
    assert slim.rejected == full.rejected and slim.sources == full.sources
    later = quarters.run_result("Q2")
    changes = compare_results(slim, quarters.run_result("Q2", details=False))
    assert changes.to_dict() == compare_results(full, later).to_dict()
    assert changes.headline == changes.summary_lines()[0]
    assert changes.headline.startswith("from -> to: 3 compared, 1 changed score, 1 new, 1 ended")
    unnamed = quarters.run_result("Q3", details=False)
    assert unnamed.carried_columns == [] and unnamed.name_column is None
