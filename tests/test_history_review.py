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
        assert back.engagements["transparency.evidence"].isna().all()
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
