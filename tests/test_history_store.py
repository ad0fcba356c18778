"""The assessment history store, through its Python API, on SQLite and on PostgreSQL.

``store_url`` (tests/conftest.py) gives each test a new store: an SQLite file, or a new
database on a PostgreSQL server the session starts itself (skipped, saying why, where it
cannot be had).
"""

from __future__ import annotations

import json
import multiprocessing
import os
import sqlite3
import subprocess
import sys
from pathlib import Path

import pandas as pd
import pytest
from conftest import HEADER, ROOT, indicator_rubric_data, row, write_csv
from conftest import RECORDED_ROWS as ROWS
from hypothesis import given, settings
from hypothesis import strategies as st
from sqlalchemy import func, select, text

import assess
from assess.errors import OutputError, StoreError
from assess.history import open_store, resolve_store, schema
from assess.history.database import SCHEMA_REVISION

# -- inputs ---------------------------------------------------------------------------------

#: Five engagements, one with too little evidence, and two rows that cannot be scored.


def ratings_file(folder: Path, name: str = "q3.csv", rows: list | None = None) -> Path:
    return write_csv(folder / name, ROWS if rows is None else rows)


def corrected(rows: list, eid: str, column: int, value) -> list:
    """``rows`` with one cell of engagement ``eid`` changed (column: position in HEADER)."""
    out = [list(r) for r in rows]
    for r in out:
        if r[0] == eid:
            r[column] = value
    return out


def table_counts(store) -> dict[str, int]:
    with store.engine.connect() as connection:
        return {
            t.name: connection.execute(select(func.count()).select_from(t)).scalar_one()
            for t in schema.metadata.sorted_tables
        }


def one_line(err: pytest.ExceptionInfo) -> str:
    message = str(err.value)
    assert message and "\n" not in message
    return message


# -- recording and reading back -------------------------------------------------------------


def test_recorded_run_reads_back_as_the_result(store_url, tmp_path):
    result = assess.score(ratings_file(tmp_path))
    with open_store(store_url) as store:
        recorded = store.record(result, "2025-Q3", assessor="A. Analyst")
        assert (recorded.status, recorded.superseded) == ("recorded", None)
        assert recorded.summary.startswith(f"recorded period 2025-Q3 as run {recorded.run_id}")
        back = store.run_result("2025-Q3")
        assert back.to_dict() == result.to_dict()
        assert back.summary_line() == result.summary_line()
        assert back.rubric.content_hash == result.rubric.content_hash
        assert list(back.engagements.index) == list(result.engagements.index)
        computed = [c for c in result.engagements.columns if c not in result.carried_columns]
        pd.testing.assert_frame_equal(
            back.engagements[computed], result.engagements[computed], check_dtype=False
        )
        history = store.history()
        assert history.to_dict("records") == [
            {
                "period": "2025-Q3",
                "run_id": recorded.run_id,
                "recorded_at": history.loc[0, "recorded_at"],
                "recorded_by": "A. Analyst",
                "files": "q3.csv",
                "rubric": "military-diplomacy",
                "rubric_version": result.rubric.version,
                "rubric_hash": result.rubric.content_hash,
                "data_rows": 7,
                "scored": 4,
                "insufficient": 1,
                "rejected": 2,
                "current": True,
                "superseded_by": None,
                "superseded_at": None,
            }
        ]
        assert history.loc[0, "recorded_at"].endswith("Z")
        assert store.periods() == ["2025-Q3"]


#: The review trail's columns after the ratings: evidence (per criterion and shared) and review.
REVIEW_HEADER = [*HEADER, "Transparency evidence", "Evidence", "Status", "Assessed by"]
REVIEW_HEADER += ["Assessed on", "Reviewed by"]


def review_rows() -> list[list]:
    """Rows with evidence, review fields, extreme ratings without evidence (flagged by the
    built-in rubric), rows in draft or an unknown status, a rejected row and evidence text
    that must come back exactly (formula prefix, markup, control characters, any script)."""
    return [
        row("E1", t=4)
        + ["After-action report AAR-1", None, "Approved", "J. Smith", "2025-03-01", "K. Lee"],
        row("E2", t=4) + [None, "Joint statement, 3 May", "Approved", "J. Smith", None, None],
        row("E3", t=4, f=0) + [None, None, "Approved", "K. Lee", None, None],
        row("E4") + [None, "Observer's note", "Draft", "K. Lee", None, None],
        row("E5") + [None, None, "Pending", None, None, None],
        row("E6", t="high") + ["AAR-6", None, "Approved", None, None, None],
        row("E7", None, None, None, 3, None) + [None, None, "Approved", None, None, None],
        row("E8", n=4) + [None, '=HYPERLINK("http://x")<b>\x07 "q"', "Approved", None, None, None],
        row("E9") + ["ünï — 証拠 \u202e", None, "Reviewed", "Ø. Ås", "2025-04-01", None],
    ]


@pytest.mark.parametrize("require_status", [None, "Approved, Reviewed"])
def test_a_run_with_evidence_flags_and_rows_not_approved_reads_back(
    store_url, tmp_path, require_status
):
    path = write_csv(tmp_path / "review.csv", review_rows(), header=REVIEW_HEADER)
    result = assess.score(path, require_status=require_status)
    # what this input is meant to hold: flags always, rows not approved when asked
    assert {f.kind for f in result.flags} == (
        {"evidence", "status"} if not require_status else {"evidence"}
    )
    assert len(result.held) == (0 if require_status is None else 2)
    assert result.engagements.loc["E1", "transparency.evidence"] == "After-action report AAR-1"
    with open_store(store_url) as store:
        store.record(result, "P")
        back = store.run_result("P")
        assert back.to_dict() == result.to_dict()
        assert (back.flags, back.held, back.sources) == (result.flags, result.held, result.sources)
        assert back.require_status == result.require_status
        assert back.summary_line() == result.summary_line()
        assert back.problem_lines() == result.problem_lines()
        review = [c for c in result.engagements.columns if c.endswith(".evidence")]
        review += [c for c in result.engagements.columns if c.startswith("review.")]
        assert len(review) == 9
        pd.testing.assert_frame_equal(
            back.engagements.loc[result.engagements.index, review], result.engagements[review]
        )
        with store.engine.connect() as c:
            runs = c.execute(select(schema.runs.c.not_approved, schema.runs.c.flagged)).one()
            eng = schema.engagements
            stored = dict(c.execute(select(eng.c.engagement_id, eng.c.review)).all())
        assert tuple(runs) == (len(result.held), len(result.flags))
        # only what a row has, evidence by criterion id; NULL for a row with none of it
        assert json.loads(stored["E1"]) == {
            "evidence": {"transparency": "After-action report AAR-1"},
            "assessed_by": "J. Smith",
            "assessed_on": "2025-03-01",
            "reviewed_by": "K. Lee",
            "status": "Approved",
        }
        assert json.loads(stored["E2"])["evidence"] == {
            c: "Joint statement, 3 May" for c in result.rubric.ids
        }
        assert "evidence" not in json.loads(stored["E3"])
        if require_status is None:
            assert json.loads(stored["E5"]) == {"status": "Pending"}
        # deleting the period removes its flags and rows not approved with it
        store.delete_period("P")
        assert table_counts(store)["flags"] == table_counts(store)["held"] == 0


def test_recording_the_same_inputs_again_changes_nothing(store_url, tmp_path):
    path = ratings_file(tmp_path)
    with open_store(store_url) as store:
        first = store.record(assess.score(path), "2025-Q3")
        before = table_counts(store)
        history = store.history(all=True)
        # scored again (a new Result, a later scored_at), and recorded by someone else
        again = store.record(assess.score(path), " 2025-Q3 ", assessor="someone else")
        assert (again.status, again.run_id) == ("unchanged", first.run_id)
        assert "nothing changed" in again.summary
        assert table_counts(store) == before
        pd.testing.assert_frame_equal(store.history(all=True), history)


def test_a_corrected_file_supersedes_and_the_old_run_stays(store_url, tmp_path):
    first_file = ratings_file(tmp_path, "q3.csv")
    fixed_rows = corrected(ROWS, "E6", 3, 2)  # the rejected rating corrected
    fixed_rows = corrected(fixed_rows, "E2", 4, 4)  # and another rating revised
    second_file = ratings_file(tmp_path, "q3-corrected.csv", fixed_rows)
    first, second = assess.score(first_file), assess.score(second_file)
    with open_store(store_url) as store:
        old = store.record(first, "2025-Q3")
        new = store.record(second, "2025-Q3")
        assert new.status == "superseded" and new.superseded == old.run_id
        assert f"supersedes run {old.run_id}" in new.summary
        current = store.history()
        assert current["run_id"].tolist() == [new.run_id]
        every = store.history(all=True)
        assert every["run_id"].tolist() == [old.run_id, new.run_id]
        assert every["current"].tolist() == [False, True]
        assert every["superseded_by"].tolist() == [new.run_id, pd.NA]
        assert every["files"].tolist() == ["q3.csv", "q3-corrected.csv"]
        assert every.loc[0, "superseded_at"] is not None
        # the period's result is the corrected one; the old one is still there by id
        now = store.run_result("2025-Q3")
        assert now.to_dict() == second.to_dict()
        assert now.engagements.loc["E6", "score"] == second.engagements.loc["E6", "score"]
        assert now.engagements.loc["E2", "score"] > first.engagements.loc["E2", "score"]
        assert store.run_result(run_id=old.run_id).to_dict() == first.to_dict()
        assert store.periods() == ["2025-Q3"]
        # recording the corrected file again changes nothing
        assert store.record(assess.score(second_file), "2025-Q3").status == "unchanged"
        assert len(store.history(all=True)) == 2


def test_a_revised_rubric_is_a_new_run(store_url, tmp_path, small_rubric_file):
    rows = [["A", 4, 2, 1], ["B", 1, 1, 3], ["C", 2, None, None]]
    path = write_csv(tmp_path / "small.csv", rows, header=["ID", "Alpha", "Beta", "Gamma"])
    before = assess.score(path, rubric=small_rubric_file(weights=(2, 1, 1)))
    after = assess.score(path, rubric=small_rubric_file(weights=(1, 1, 2)))
    with open_store(store_url) as store:
        store.record(before, "P")
        assert store.record(after, "P").status == "superseded"
        hashes = store.history(all=True)["rubric_hash"].tolist()
        assert hashes == [before.rubric.content_hash, after.rubric.content_hash]
        assert store.run_result("P").rubric.weights == after.rubric.weights


def test_counts_add_up(store_url, tmp_path):
    first = assess.score(ratings_file(tmp_path, "a.csv"))
    more = [row(f"F{i}", i % 5, (i + 1) % 5, 2, 3, i % 3) for i in range(30)]
    more += [row("F99", "n/a?", 2, 2, 2, 2), row("F1", 1, 1, 1, 1, 1)]  # bad rating; repeated id
    second = assess.score([ratings_file(tmp_path, "b.csv", more), ratings_file(tmp_path, "c.csv")])
    with open_store(store_url) as store:
        for period, result in (("P1", first), ("P2", second)):
            run_id = store.record(result, period).run_id
            with store.engine.connect() as c:

                def count(table, run_id=run_id, c=c):
                    query = select(func.count()).select_from(table)
                    return c.execute(query.where(table.c.run_id == run_id)).scalar_one()

                run = c.execute(select(schema.runs).where(schema.runs.c.id == run_id)).one()
                n_engagements, n_rejected = count(schema.engagements), count(schema.rejections)
                stored = c.execute(
                    select(schema.engagements.c.ratings).where(
                        schema.engagements.c.run_id == run_id
                    )
                ).scalars()
                n_ratings = sum(len(json.loads(text)) for text in stored)
                sources = c.execute(
                    select(schema.sources).where(schema.sources.c.run_id == run_id)
                ).all()
            data_rows = sum(s.data_rows for s in result.sources)
            assert n_engagements + n_rejected == run.data_rows == data_rows
            assert (run.scored, run.insufficient, run.rejected) == (
                result.counts["scored"],
                result.counts["insufficient"],
                result.counts["rejected"],
            )
            assert n_ratings == n_engagements * len(result.rubric.criteria)

            def accounting(s):
                return (s.file, s.data_rows, s.scored, s.insufficient, s.rejected)

            assert [accounting(s) for s in sources] == [accounting(s) for s in result.sources]
            for s in sources:
                assert s.scored + s.insufficient + s.rejected == s.data_rows
            assert store.run_result(period).to_dict() == result.to_dict()


def test_indicator_criteria_are_recorded_and_read_back(store_url, tmp_path):
    data = indicator_rubric_data()
    data["criteria"][2]["indicators"][1]["id"] = "delivery"  # an indicator named as its criterion
    import yaml

    rubric = tmp_path / "indicators.yaml"
    rubric.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    header = ["ID", "Alpha", "Beta", "Objectives met", "Personnel trained"]
    rows = [["A", 4, 3, 0.5, 120], ["B", 2, None, 1, None], ["C", 1, 1, None, None]]
    result = assess.score(write_csv(tmp_path / "ind.csv", rows, header=header), rubric=rubric)
    with open_store(store_url) as store:
        run_id = store.record(result, "P").run_id
        back = store.run_result("P")
        assert back.to_dict() == result.to_dict()
        assert list(back.engagements.columns) == list(result.engagements.columns)
        eng = schema.engagements
        with store.engine.connect() as c:
            stored = c.execute(
                select(eng.c.ratings).where(eng.c.run_id == run_id, eng.c.engagement_id == "A")
            ).scalar_one()
        # the inputs in the rubric's order; an indicator's key names its criterion
        assert list(json.loads(stored).items()) == [
            ("alpha", 4),
            ("beta", 3),
            ("delivery/objectives_met", 0.5),
            ("delivery/delivery", 120),
        ]


def test_the_example_workbook_reads_back(store_url):
    result = assess.score(ROOT / "examples" / "engagements.xlsx")
    with open_store(store_url) as store:
        store.record(result, "FY2025")
        back = store.run_result()
    assert back.to_dict() == result.to_dict()
    assert back.problem_lines() == result.problem_lines()


def test_periods_sort_as_text_and_delete_is_explicit(store_url, tmp_path):
    result = assess.score(ratings_file(tmp_path))
    other = assess.score(ratings_file(tmp_path, "b.csv", corrected(ROWS, "E1", 3, 0)))
    with open_store(store_url) as store:
        empty = table_counts(store)
        for period in ("2025-Q3", "2024-Q4", "2025-Q1"):
            store.record(result, period)
        store.record(other, "2025-Q1")  # a superseded run in the period deleted below
        assert store.periods() == ["2024-Q4", "2025-Q1", "2025-Q3"]
        assert store.history()["period"].tolist() == ["2024-Q4", "2025-Q1", "2025-Q3"]
        assert store.run_result().to_dict() == store.run_result("2025-Q3").to_dict()
        deleted = store.delete_period("2025-Q1")
        assert (deleted.runs, deleted.engagements, deleted.ratings, deleted.rejections) == (
            2,
            10,
            50,
            4,
        )
        assert deleted.summary.startswith("deleted period 2025-Q1 from")
        assert store.periods() == ["2024-Q4", "2025-Q3"]
        with pytest.raises(StoreError) as err:
            store.run_result("2025-Q1")
        assert "no run recorded for period '2025-Q1'" in one_line(err)
        with pytest.raises(StoreError) as err:
            store.delete_period("2025-Q1")
        assert "has no period '2025-Q1'" in one_line(err)
        store.delete_period("2024-Q4")
        store.delete_period("2025-Q3")
        counts = table_counts(store)
        assert {k: v for k, v in counts.items() if k != "rubrics"} == {
            k: v for k, v in empty.items() if k != "rubrics"
        }
        with pytest.raises(StoreError, match="holds no recorded runs"):
            store.run_result()


def test_export_is_a_parquet_dataset_by_period(store_url, tmp_path):
    labels = ["2025-Q3", "FY 2025/26", "a=b", "ünï cödé", "50%", "x?y#z"]
    results = {}
    with open_store(store_url) as store:
        for k, label in enumerate(labels):
            rows = corrected(ROWS, "E1", 3, k % 5)
            results[label] = assess.score(ratings_file(tmp_path, f"p{k}.csv", rows))
            store.record(results[label], label)
        store.record(assess.score(ratings_file(tmp_path)), "2025-Q3")  # supersedes
        results["2025-Q3"] = assess.score(ratings_file(tmp_path))
        out = store.export(tmp_path / "archive")
        every = store.export(tmp_path / "everything", all=True)
        with pytest.raises(OutputError, match="not a new or empty folder"):
            store.export(tmp_path / "archive")
    assert out == tmp_path / "archive"
    frame = pd.read_parquet(out)
    assert sorted(frame["period"].astype(str).unique()) == sorted(labels)
    for label, result in results.items():
        part = frame[frame["period"].astype(str) == label].set_index("engagement_id")
        eng = result.engagements
        assert sorted(part.index) == sorted(eng.index)
        part = part.loc[eng.index]
        assert part["score"].tolist() == pytest.approx(eng["score"].tolist(), nan_ok=True)
        assert part["band"].fillna("").tolist() == eng["band"].fillna("").tolist()
        assert part["transparency.rating"].tolist() == pytest.approx(
            eng["transparency.rating"].tolist(), nan_ok=True
        )
        assert part["Type"].tolist() == eng["Type"].tolist()
        assert part["current"].all() and part["run_id"].nunique() == 1
    everything = pd.read_parquet(every)
    assert len(everything) == len(frame) + len(results["2025-Q3"].engagements)
    assert (~everything["current"]).sum() == len(results["2025-Q3"].engagements)


# -- period labels --------------------------------------------------------------------------

LABEL_CHARACTERS = st.characters(blacklist_categories=("Cc", "Cs", "Zl", "Zp"))


def test_any_period_label_round_trips(tmp_path):
    result = assess.score(ratings_file(tmp_path))
    seen = set()
    with open_store(tmp_path / "labels.sqlite") as store:

        @settings(max_examples=40, deadline=None)
        @given(
            st.text(LABEL_CHARACTERS, min_size=1, max_size=64).filter(lambda s: s.strip()),
            st.sampled_from(["", " ", "\t", "  \n"]),
        )
        def check(label, padding):
            recorded = store.record(result, padding + label + padding)
            assert recorded.period == label.strip()
            seen.add(label.strip())
            assert store.periods() == sorted(seen)
            again = store.record(result, label.strip())
            assert again.status == "unchanged" and again.run_id == recorded.run_id
            assert store.run_result(label).counts == result.counts

        check()


@given(
    st.one_of(
        st.text(st.sampled_from(" \t\n\r\u3000"), max_size=5),  # blank
        st.text(LABEL_CHARACTERS, min_size=65, max_size=80).filter(lambda s: len(s.strip()) > 64),
        st.tuples(
            st.text(LABEL_CHARACTERS, min_size=1, max_size=10).filter(lambda s: s.strip()),
            st.sampled_from(["\x00", "\x07", "\x1b", "\u2028", "\u2029", "\x7f"]),
            st.text(LABEL_CHARACTERS, min_size=1, max_size=10).filter(lambda s: s.strip()),
        ).map("".join),
        st.integers(),
    )
)
def test_unusable_period_labels_are_refused(label):
    from assess.history.recording import check_period

    with pytest.raises(StoreError) as err:
        check_period(label)
    assert "period" in one_line(err)


# -- several writers at once ----------------------------------------------------------------


def _record_in_another_process(url, jobs, barrier, queue):
    """A worker: score its files, open the store, wait for the others, then record each
    ``(path, period)`` of ``jobs`` in turn."""
    try:
        results = {path: assess.score(path) for path, _ in jobs}
        store = open_store(url)
        barrier.wait(timeout=120)
        done = [(str(path), store.record(results[path], period).to_dict()) for path, period in jobs]
        store.close()
        queue.put((done, None))
    except Exception as exc:  # reported to the test, which fails on it
        queue.put(([], f"{type(exc).__name__}: {exc}"))


def many_rows(k: int) -> list:
    return [row(f"E{i:04d}", (i + k) % 5, i % 5, (i * k) % 5, 2, i % 3) for i in range(400)]


def test_concurrent_writers_all_succeed(store_url, tmp_path):
    """Four processes open a new store at once, then each records a period of its own and,
    four times, one shared period (two files in turn): every call succeeds, the shared
    period's runs form one chain, and nothing is lost."""
    files = [ratings_file(tmp_path, f"f{k}.csv", many_rows(k)) for k in range(6)]
    plans = [
        [(files[w], f"P{w}")] + [(files[4 + (w + j) % 2], "shared") for j in range(4)]
        for w in range(4)
    ]
    context = multiprocessing.get_context("spawn")
    barrier = context.Barrier(len(plans))
    queue = context.Queue()
    workers = [
        context.Process(target=_record_in_another_process, args=(store_url, plan, barrier, queue))
        for plan in plans
    ]
    for w in workers:
        w.start()
    reports = [queue.get(timeout=600) for _ in workers]
    for w in workers:
        w.join(timeout=60)
    assert [error for _, error in reports if error] == []
    assert all(w.exitcode == 0 for w in workers)
    by_period: dict[str, list] = {}
    for done, _ in reports:
        for path, recorded in done:
            by_period.setdefault(recorded["period"], []).append((path, recorded))
    assert sorted(by_period) == ["P0", "P1", "P2", "P3", "shared"]
    assert len(by_period["shared"]) == 16
    with open_store(store_url) as store:
        every = store.history(all=True)
        assert store.periods() == sorted(by_period)
        for period, done in by_period.items():
            runs = every[every["period"] == period].sort_values("run_id")
            written = [r for _, r in done if r["status"] != "unchanged"]
            assert runs["run_id"].tolist() == sorted(r["run_id"] for r in written)
            assert [r["status"] for r in written].count("recorded") == 1
            # writers queued: each run superseded the one before it, the last is current
            assert runs["current"].tolist() == [False] * (len(runs) - 1) + [True]
            assert runs["superseded_by"].tolist()[:-1] == runs["run_id"].tolist()[1:]
            for r in written:
                if r["superseded"] is not None:
                    assert r["superseded"] in runs["run_id"].tolist()
        expected = {str(p): assess.score(p).to_dict()["engagements"] for p in files}
        for done in by_period.values():
            for path, recorded in done:
                back = store.run_result(run_id=recorded["run_id"])
                assert back.to_dict()["engagements"] == expected[path]
        if store.engine.dialect.name == "sqlite":
            with store.engine.connect() as c:
                assert c.exec_driver_sql("PRAGMA integrity_check").scalar() == "ok"
                assert c.exec_driver_sql("PRAGMA foreign_key_check").all() == []


# -- stores that cannot be used -------------------------------------------------------------


def test_a_damaged_file_is_one_clear_line(tmp_path):
    damaged = tmp_path / "history.sqlite"
    damaged.write_bytes(b"this is not an SQLite database\x00\xff" * 200)
    with pytest.raises(StoreError) as err:
        open_store(damaged)
    message = one_line(err)
    assert str(damaged) in message and "damaged" in message


def test_a_store_from_a_newer_assess_is_refused(store_url):
    with open_store(store_url) as store, store.engine.begin() as c:
        c.execute(text("UPDATE alembic_version SET version_num = '9999_from_the_future'"))
    with pytest.raises(StoreError) as err:
        open_store(store_url)
    message = one_line(err)
    assert "newer version of assess" in message and "9999_from_the_future" in message
    assert "upgrade assess" in message


def test_a_locked_store_gives_up_after_the_timeout(store_url, tmp_path):
    result = assess.score(ratings_file(tmp_path))
    with open_store(store_url) as store:
        store.record(result, "P1")
        name = store.name
        if store.engine.dialect.name == "sqlite":
            holder = sqlite3.connect(store_url, isolation_level=None)
            holder.execute("BEGIN EXCLUSIVE")
        else:
            import psycopg

            holder = psycopg.connect(store_url.replace("postgresql+psycopg://", "postgresql://"))
            holder.execute("LOCK TABLE periods IN ACCESS EXCLUSIVE MODE")
    try:
        with open_store(store_url, timeout=0.2) as store:
            with pytest.raises(StoreError) as err:
                store.record(assess.score(ratings_file(tmp_path, "b.csv", ROWS[:3])), "P2")
    finally:
        holder.rollback()
        holder.close()
    message = one_line(err)
    assert name in message and "locked by another writer" in message


def test_an_unreachable_server_is_one_clear_line():
    pytest.importorskip("psycopg", reason="psycopg is not installed")
    import socket

    with socket.socket() as s:  # a port nobody listens on
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    url = f"postgresql://analyst:s3cret@127.0.0.1:{port}/history"
    with pytest.raises(StoreError) as err:
        open_store(url)
    message = one_line(err)
    assert message.startswith(f"cannot reach store postgresql://analyst:***@127.0.0.1:{port}/")
    assert "s3cret" not in message


@pytest.mark.skipif(os.name != "posix" or os.geteuid() == 0, reason="root may write anywhere")
def test_a_store_in_a_read_only_folder_is_one_clear_line(tmp_path):
    folder = tmp_path / "locked"
    folder.mkdir()
    folder.chmod(0o500)
    try:
        with pytest.raises(StoreError) as err:
            open_store(folder / "history.sqlite")
    finally:
        folder.chmod(0o700)
    assert "cannot open store" in one_line(err)


def test_unknown_runs_and_urls_are_store_errors(tmp_path):
    with open_store(tmp_path / "h.sqlite") as store:
        with pytest.raises(StoreError, match="has no run 42"):
            store.run_result(run_id=42)
    with pytest.raises(StoreError, match="not a URL or a path"):
        open_store("nonsense://::")
    with pytest.raises(StoreError, match="blank"):
        open_store("  ")
    (tmp_path / "a-file").write_text("not a folder")
    with pytest.raises(StoreError) as err:
        open_store(tmp_path / "a-file" / "history.sqlite")
    assert "cannot create the folder of store" in one_line(err)
    with pytest.raises(StoreError) as err:  # a folder where the file should be
        open_store(tmp_path)
    assert one_line(err).startswith(f"cannot open store {tmp_path}:")


# -- where the store is, its schema, and start-up ------------------------------------------


def test_resolving_the_store(tmp_path, monkeypatch):
    monkeypatch.delenv("ASSESS_STORE", raising=False)
    monkeypatch.setenv("XDG_DATA_HOME", str(tmp_path / "data"))
    default = f"sqlite:///{tmp_path / 'data' / 'assess' / 'history.sqlite'}"
    assert resolve_store() == default
    monkeypatch.setenv("ASSESS_STORE", "  ")
    assert resolve_store() == default
    monkeypatch.setenv("ASSESS_STORE", "postgresql+psycopg://u@db/h")
    assert resolve_store() == "postgresql+psycopg://u@db/h"
    assert resolve_store(tmp_path / "x.sqlite") == f"sqlite:///{tmp_path / 'x.sqlite'}"
    monkeypatch.chdir(tmp_path)
    assert resolve_store("rel/h.sqlite") == f"sqlite:///{tmp_path / 'rel' / 'h.sqlite'}"
    monkeypatch.delenv("ASSESS_STORE")
    with open_store() as store:  # the default file, folders created
        assert Path(store.name) == tmp_path / "data" / "assess" / "history.sqlite"
        assert Path(store.name).exists()
        with store.engine.connect() as c:
            assert c.exec_driver_sql("PRAGMA journal_mode").scalar() == "wal"
            assert c.exec_driver_sql("PRAGMA foreign_keys").scalar() == 1


def test_a_new_store_matches_the_schema(store_url):
    from alembic.autogenerate import compare_metadata
    from alembic.config import Config
    from alembic.runtime.migration import MigrationContext
    from alembic.script import ScriptDirectory

    from assess.history.database import MIGRATIONS

    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    assert ScriptDirectory.from_config(config).get_current_head() == SCHEMA_REVISION
    with open_store(store_url) as store, store.engine.connect() as c:
        assert compare_metadata(MigrationContext.configure(c), schema.metadata) == []
        assert c.execute(text("SELECT version_num FROM alembic_version")).scalar() == (
            SCHEMA_REVISION
        )


def test_importing_assess_loads_no_database_library():
    code = (
        "import sys, assess, assess.history, assess.cli; "
        "print(sorted(m for m in sys.modules if m.split('.')[0] in "
        "('sqlalchemy', 'alembic', 'psycopg', 'platformdirs')))"
    )
    done = subprocess.run(
        [sys.executable, "-c", code], capture_output=True, text=True, check=True, cwd=ROOT
    )
    assert done.stdout.strip() == "[]"
