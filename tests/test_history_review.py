"""The review trail in the history store: a store made before it is upgraded in place with
nothing lost, a run scored with required statuses is a run of its own, the export carries the
evidence and review fields, and "what changed" names the evidence behind a change, on SQLite
and on PostgreSQL (``store_url``, tests/conftest.py)."""

from __future__ import annotations

import hashlib
import json

import pandas as pd
import pytest
from conftest import HEADER, RECORDED_ROWS, ROOT, row, write_csv
from sqlalchemy import select, text

import assess
from assess.history import open_store, resolve_store, schema
from assess.history.database import SCHEMA_REVISION, create_store_engine, write_transaction
from assess.history.recording import fingerprint
from assess.history.rows import RunRows

#: The built-in rubric as it was in 1.0.0: no evidence asked for, so no flags.
RUBRIC_1_0 = ROOT / "examples" / "quarters" / "military-diplomacy-v1.0.yaml"
REVIEW_HEADER = [*HEADER, "Transparency evidence", "Political friction evidence", "Status"]

#: What each table of the first store (schema revision 0001) had: the columns added since
#: are left out of a run recorded as that store would have recorded it.
FIRST_TABLES = ("sources", "engagements", "rejections")
ADDED = {"review", "not_approved", "flagged"}


def _upgrade_to(connection, revision: str) -> None:
    from alembic import command
    from alembic.config import Config

    from assess.history.database import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["connection"] = connection
    command.upgrade(config, revision)


def record_in_a_first_store(url: str, result: assess.Result, period: str) -> None:
    """A store at schema revision 0001 holding ``result`` as the current run of ``period``,
    its rows as the first store kept them."""
    engine = create_store_engine(resolve_store(url))
    try:
        with write_transaction(engine) as c:
            _upgrade_to(c, "0001")
        with write_transaction(engine) as c:
            c.execute(
                schema.periods.insert().values(period=period, created_at="2025-01-01T00:00:00Z")
            )
            rubric = result.rubric
            c.execute(
                schema.rubrics.insert().values(
                    hash=rubric.content_hash,
                    name=rubric.name,
                    version=rubric.version,
                    content=rubric.to_yaml(),
                )
            )
            counts = result.counts
            notes = {
                "carried_columns": list(result.carried_columns),
                "name_column": result.name_column,
                "scored_at": result.scored_at,
            }
            run_id = c.execute(
                schema.runs.insert().values(
                    period=period,
                    recorded_at="2025-01-01T00:00:00Z",
                    recorded_by="first",
                    rubric_hash=rubric.content_hash,
                    fingerprint=_first_fingerprint(result, period),
                    assess_version="0.1.0",
                    data_rows=counts["rows"],
                    scored=counts["scored"],
                    insufficient=counts["insufficient"],
                    rejected=counts["rejected"],
                    notes=json.dumps(notes),
                )
            ).inserted_primary_key[0]
            for table, names, columns in RunRows(result).tables:
                if table.name not in FIRST_TABLES or not columns or not len(columns[0]):
                    continue
                kept = [j for j, name in enumerate(names) if name not in ADDED]
                rows = [
                    {"run_id": run_id, **{names[j]: values[j] for j in kept}}
                    for values in zip(*columns, strict=True)
                ]
                c.execute(table.insert(), rows)
    finally:
        engine.dispose()


def _first_fingerprint(result: assess.Result, period: str) -> str:
    """The fingerprint as the first store computed it (before statuses could be required)."""
    payload = {
        "period": period,
        "rubric": result.rubric.content_hash,
        "sources": [
            [s.sha256, s.sheet, s.header_row, list(s.notes), [list(c) for c in s.columns]]
            for s in result.sources
        ],
    }
    text_ = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text_.encode("utf-8")).hexdigest()


# -- an older store upgraded in place -----------------------------------------------------


def test_a_store_made_before_the_review_trail_is_upgraded_with_nothing_lost(store_url, tmp_path):
    path = write_csv(tmp_path / "q1.csv", RECORDED_ROWS)
    before = assess.score(path, rubric=RUBRIC_1_0)
    record_in_a_first_store(store_url, before, "2025-Q1")
    with open_store(store_url) as store:  # opening upgrades it
        with store.engine.connect() as c:
            assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == "0002"
            assert SCHEMA_REVISION == "0002"
            runs = c.execute(select(schema.runs.c.not_approved, schema.runs.c.flagged)).all()
            reviews = c.execute(select(schema.engagements.c.review)).scalars().all()
        assert runs == [(0, 0)] and set(reviews) == {None}
        back = store.run_result("2025-Q1")
        assert back.to_dict() == before.to_dict()
        # recorded before the store kept the review trail: no evidence to read back
        assert "transparency.evidence" not in back.engagements.columns
        assert {
            c["evidence"] for e in back.to_dict()["engagements"] for c in e["criteria"].values()
        } == {None}
        # the same inputs recorded again change nothing: the run keeps its fingerprint
        assert store.record(assess.score(path, rubric=RUBRIC_1_0), "2025-Q1").status == (
            "unchanged"
        )
        # and a later run is recorded with its review trail
        rows = [r + ["AAR-1", None, "Approved"] for r in RECORDED_ROWS[:4]]
        later = assess.score(write_csv(tmp_path / "q2.csv", rows, header=REVIEW_HEADER))
        store.record(later, "2025-Q2")
        assert store.run_result("2025-Q2").to_dict() == later.to_dict()
        assert store.history()["run_id"].tolist() == [1, 2]
    with open_store(store_url) as store:  # opened again: nothing more to do
        assert store.run_result("2025-Q1").to_dict() == before.to_dict()


def test_the_fingerprint_of_a_run_scoring_every_row_is_the_first_store_s(tmp_path):
    result = assess.score(write_csv(tmp_path / "q1.csv", RECORDED_ROWS))
    assert fingerprint(result, "P") == _first_fingerprint(result, "P")


# -- required statuses make a run of their own -----------------------------------------------


def status_rows(last: str = "Approved") -> list[list]:
    return [
        row("E1") + [None, None, "Approved"],
        row("E2", t=2) + [None, None, "Approved"],
        row("E3", t=1) + [None, None, last],
    ]


@pytest.mark.parametrize("last", ["Approved", "Draft"])
def test_scoring_with_required_statuses_is_not_the_same_run(store_url, tmp_path, last):
    path = write_csv(tmp_path / "q1.csv", status_rows(last), header=REVIEW_HEADER)
    every = assess.score(path)
    approved = assess.score(path, require_status="approved")
    assert approved.require_status == ("Approved",) and every.require_status == ()
    assert len(approved.held) == (last == "Draft")
    with open_store(store_url) as store:
        first = store.record(every, "P")
        second = store.record(approved, "P")
        assert (second.status, second.superseded) == ("superseded", first.run_id)
        assert store.record(assess.score(path, require_status="Approved"), "P").status == (
            "unchanged"
        )
        back = store.run_result("P")
        assert back.require_status == ("Approved",)
        assert back.to_dict() == approved.to_dict()
        assert back.summary_line() == approved.summary_line()
        assert store.record(assess.score(path), "P").status == "superseded"


# -- the export -------------------------------------------------------------------------------


def test_the_export_carries_the_evidence_and_review_fields(store_url, tmp_path):
    rows = [
        row("E1", t=4) + ["AAR-1 =SUM(1)", None, "Approved"],
        row("E2", f=0) + [None, "Minutes, 3 May", "Draft"],
        row("E3") + [None, None, None],
    ]
    result = assess.score(write_csv(tmp_path / "q1.csv", rows, header=REVIEW_HEADER))
    with open_store(store_url) as store:
        store.record(result, "2025-Q1")
        folder = store.export(tmp_path / "archive")
    frame = pd.read_parquet(folder).set_index("engagement_id")
    assert frame.loc["E1", "transparency.evidence"] == "AAR-1 =SUM(1)"
    assert frame.loc["E2", "political_friction.evidence"] == "Minutes, 3 May"
    statuses = frame["review.status"].fillna("").to_dict()
    assert statuses == {"E1": "Approved", "E2": "Draft", "E3": ""}
    assert frame.loc["E3"][[c for c in frame.columns if c.endswith(".evidence")]].isna().all()


# -- what changed, traced to the evidence ----------------------------------------------------

CHANGE_HEADER = [*HEADER, "Transparency evidence", "Political friction evidence", "Evidence"]


def change_rows(later: bool) -> list[list]:
    """E1: friction from 1 to 4 (the gate caps it), with new evidence for it; E2: transparency
    from 2 to 4, evidenced only later; E3: resources down, no evidence either time; E4: the
    same ratings and evidence; E5: norms from 3 to 1 with the same shared evidence."""
    if not later:
        return [
            row("E1", f=1) + ["AAR-1", "Minutes, 3 May", None],
            row("E2", t=2) + [None, None, None],
            row("E3", r=4) + [None, None, None],
            row("E4") + ["AAR-4", None, None],
            row("E5", n=3) + [None, None, "Observer's note"],
        ]
    return [
        row("E1", f=4) + ["AAR-1", 'UNSC statement =HYPERLINK("x") \x1b[31m', None],
        row("E2", t=4) + ["AAR-2 published in full", None, None],
        row("E3", r=1) + [None, None, None],
        row("E4") + ["AAR-4", None, None],
        row("E5", n=1) + [None, None, "Observer's note"],
    ]


@pytest.fixture
def two_periods(store_url, tmp_path):
    results = {}
    with open_store(store_url) as store:
        for period, later in (("P1", False), ("P2", True)):
            path = write_csv(tmp_path / f"{period}.csv", change_rows(later), header=CHANGE_HEADER)
            results[period] = assess.score(path, rubric=RUBRIC_1_0)
            store.record(results[period], period)
        yield store, results


def test_what_changed_names_the_evidence_behind_each_driver(two_periods):
    store, results = two_periods
    changes = store.changes("P1", "P2")
    data = json.loads(json.dumps(changes.to_dict()))
    largest = {item["id"]: item for item in data["largest"]}
    assert largest["E1"]["drivers"].startswith("political_friction")
    assert largest["E1"]["evidence"] == {
        "political_friction": {
            "from": "Minutes, 3 May",
            "to": 'UNSC statement =HYPERLINK("x") \x1b[31m',
        }
    }
    assert largest["E2"]["evidence"] == {
        "transparency": {"from": None, "to": "AAR-2 published in full"}
    }
    assert largest["E3"]["evidence"] == {}  # no evidence either time: nothing to show
    # the shared Evidence column stands for every criterion without its own
    assert largest["E5"]["evidence"] == {
        "norms_alignment": {"from": "Observer's note", "to": "Observer's note"}
    }
    assert "E4" not in largest  # unchanged
    moved = {item["id"]: item for item in data["moved"]}
    assert moved["E1"]["evidence"] == largest["E1"]["evidence"]
    assert all("evidence" in item for item in data["moved"])
    # the store reads only the review trail of the engagements listed; the same comparison
    # of the results as scored gives the same answer
    from assess.history.comparison import compare_results

    direct = compare_results(results["P1"], results["P2"], from_period="P1", to_period="P2")
    assert direct.to_dict() == changes.to_dict()
    trail = store.review_trail("P2", ["E2", "E9"])
    assert list(trail.index) == ["E2"]
    assert trail.loc["E2", "transparency.evidence"] == "AAR-2 published in full"
    assert trail.loc["E2", "review.status"] is None


def test_what_changed_without_any_evidence_lists_none(store_url, tmp_path):
    with open_store(store_url) as store:
        for period, rows in (("P1", RECORDED_ROWS), ("P2", [row("E1", 1, 1, 1, 1, 1)])):
            store.record(assess.score(write_csv(tmp_path / f"{period}.csv", rows)), period)
        data = store.changes("P1", "P2").to_dict()
    assert [item["evidence"] for item in data["largest"]] == [{}]
    assert [item["evidence"] for item in data["moved"]] == [{}]


def test_assess_changes_prints_the_evidence_inert(cli, two_periods, monkeypatch):
    store, _ = two_periods
    monkeypatch.setenv("COLUMNS", "200")
    out = cli("changes", "--from", "P1", "--to", "P2", "--store", store.url)
    assert out.exit_code == 0, out.output
    text = out.stdout
    assert "Evidence behind the changes (3)" in text
    line = next(line for line in text.splitlines() if "Minutes, 3 May" in line)
    assert line.split()[:2] == ["E1", "political_friction"]
    assert 'UNSC statement =HYPERLINK("x") \\x1b[31m' in line
    assert "\x1b" not in text  # the escape character shows as text, never acts
    assert "AAR-2 published in full" in text
    as_json = json.loads(cli("changes", "--store", store.url, "--format", "json").stdout)
    assert as_json["largest"][0]["evidence"]


def test_assess_changes_prints_no_evidence_section_when_none_was_recorded(cli, tmp_path):
    store = tmp_path / "h.sqlite"
    with open_store(store) as opened:
        for period, rows in (("P1", RECORDED_ROWS), ("P2", [row("E1", 1, 1, 1, 1, 1)])):
            opened.record(assess.score(write_csv(tmp_path / f"{period}.csv", rows)), period)
    out = cli("changes", "--store", store)
    assert out.exit_code == 0, out.output
    assert "Evidence behind" not in out.stdout
