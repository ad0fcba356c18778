"""The history store from the command line: ``assess score|batch --period``, ``assess history``,
``assess store delete`` and ``assess store export``, on real files and a store in tmp_path."""

from __future__ import annotations

import json
from pathlib import Path

import pandas as pd
import pytest
from conftest import ROOT, row, write_csv

from assess.cli import history as history_cli

QUARTERS = ROOT / "examples" / "quarters"
#: the built-in rubric as it was in 1.0.0, with which Q1 and Q2 were scored
ORIGINAL = QUARTERS / "military-diplomacy-v1.0.yaml"
REVISED = QUARTERS / "military-diplomacy-v1.1.yaml"

ROWS = [row("E1", 4, 4, 3, 3, 0), row("E2", 2, 3, 1, 2, 2), row("E3", 3, 3, 3, 3, 1)]


def ratings(folder: Path, name: str = "q3.csv", rows: list | None = None) -> Path:
    return write_csv(folder / name, ROWS if rows is None else rows)


def error_line(out) -> str:
    """The one error line on stderr, checked to be alone and without a traceback."""
    lines = out.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("assess: error: "), out.stderr
    return lines[0]


def runs(cli, store: Path, *extra: str) -> list[dict]:
    out = cli("history", "--store", store, "--format", "json", *extra)
    assert out.exit_code == 0, out.output
    return json.loads(out.stdout)["runs"]


@pytest.fixture
def store(tmp_path) -> Path:
    return tmp_path / "store" / "history.sqlite"


# -- recording with assess score -----------------------------------------------------------


def test_score_records_the_run_and_again_changes_nothing(cli, tmp_path, store):
    data = ratings(tmp_path)
    first = cli("score", data, "--period", "2025-Q3", "--store", store)
    assert first.exit_code == 0, first.output
    assert f"recorded period 2025-Q3 as run 1 in {store}" in first.stdout
    again = cli("score", data, "--period", "2025-Q3", "--store", store)
    assert again.exit_code == 0
    assert "2025-Q3 already holds these inputs" in again.stdout
    assert "nothing changed" in again.stdout
    assert [r["run_id"] for r in runs(cli, store, "--all")] == [1]


def test_without_period_nothing_is_recorded(cli, tmp_path, store, monkeypatch):
    monkeypatch.setenv("ASSESS_STORE", str(store))
    out = cli("score", ratings(tmp_path))
    assert out.exit_code == 0
    assert "recorded" not in out.output
    assert not store.exists()


def test_the_environment_variable_names_the_store(cli, tmp_path, store, monkeypatch):
    monkeypatch.setenv("ASSESS_STORE", str(store))
    out = cli("score", ratings(tmp_path), "--period", "2025-Q3", "--assessor", "J. Smith")
    assert out.exit_code == 0, out.output
    assert str(store) in out.stdout
    [run] = runs(cli, store)
    assert (run["period"], run["recorded_by"], run["files"]) == ("2025-Q3", "J. Smith", "q3.csv")
    out = cli("history")  # ASSESS_STORE again
    assert out.exit_code == 0 and "2025-Q3" in out.stdout and "J. Smith" in out.stdout


@pytest.mark.parametrize("given", [["--store", "x.sqlite"], ["--assessor", "me"]])
def test_store_or_assessor_without_period_is_refused(cli, tmp_path, given):
    out = cli("score", ratings(tmp_path), *given)
    assert out.exit_code == 2
    assert f"{given[0]} is used only with --period" in error_line(out)
    assert not (Path.cwd() / "x.sqlite").exists()
    out = cli("batch", ratings(tmp_path), "-o", tmp_path / "out", *given)
    assert out.exit_code == 2 and "--period" in error_line(out)
    assert not (tmp_path / "out").exists()


def test_json_gains_a_recorded_key_and_keeps_the_rest(cli, tmp_path, store):
    data = ratings(tmp_path, rows=[*ROWS, row("E4", "high")])
    plain = json.loads(cli("score", data, "--format", "json").stdout)
    out = cli("score", data, "--format", "json", "--period", "2025-Q3", "--store", store)
    assert out.exit_code == 1  # a rejected row, recorded all the same
    recorded = json.loads(out.stdout)
    assert recorded.pop("recorded") == {
        "period": "2025-Q3",
        "run_id": 1,
        "status": "recorded",
        "store": str(store),
        "superseded": None,
        "summary": f"recorded period 2025-Q3 as run 1 in {store}",
    }
    # the period's history is added (the first period: nothing to compare with), nothing else
    assert recorded.pop("history")["previous_period"] is None
    for item in recorded["engagements"] + recorded["insufficient"]:
        added = {k: item.pop(k) for k in ("previous_score", "change", "previous_band")}
        assert added == {"previous_score": None, "change": None, "previous_band": None}
    assert recorded == plain
    assert out.stderr.strip() == f"recorded period 2025-Q3 as run 1 in {store}"


def test_csv_on_stdout_stays_clean(cli, tmp_path, store):
    out = cli("score", ratings(tmp_path), "-f", "csv", "--period", "P1", "--store", store)
    assert out.exit_code == 0
    assert out.stdout.startswith('"rank","id","score"') and "recorded" not in out.stdout
    assert "recorded period P1" in out.stderr


def test_a_corrected_file_supersedes_and_history_all_shows_both(cli, tmp_path, store):
    cli("score", ratings(tmp_path), "--period", "2025-Q3", "--store", store)
    fixed = ratings(tmp_path, "q3-fixed.csv", rows=[*ROWS[:2], row("E3", 4, 4, 4, 4, 0)])
    out = cli("score", fixed, "--period", "2025-Q3", "--store", store, "-f", "json")
    assert json.loads(out.stdout)["recorded"]["superseded"] == 1
    assert "it supersedes run 1, which stays in the history" in out.stderr
    assert [(r["run_id"], r["files"]) for r in runs(cli, store)] == [(2, "q3-fixed.csv")]
    every = runs(cli, store, "--all")
    assert [(r["run_id"], r["current"], r["superseded_by"]) for r in every] == [
        (1, False, 2),
        (2, True, None),
    ]
    table = cli("history", "--all", "--store", store).stdout
    assert "superseded by 2" in table and "q3.csv" in table and "q3-fixed.csv" in table
    assert "2 run(s) of 1 period(s)" in table


def test_an_unusable_store_stops_before_the_work(cli, tmp_path):
    damaged = tmp_path / "history.sqlite"
    damaged.write_bytes(b"this is not an SQLite database\x00\xff" * 200)
    report = tmp_path / "report.xlsx"
    out = cli("score", ratings(tmp_path), "--period", "P1", "--store", damaged, "-o", report)
    assert out.exit_code == 2
    line = error_line(out)
    assert str(damaged) in line and "damaged" in line
    assert not report.exists()
    for args in (("history",), ("store", "delete", "P1", "--yes"), ("store", "export", "x")):
        out = cli(*args, "--store", damaged)
        assert out.exit_code == 2 and "damaged" in error_line(out)


@pytest.mark.parametrize("label", ["  ", "x" * 65, "a\tb"])
def test_an_unusable_period_label_is_refused_before_the_work(cli, tmp_path, store, label):
    out = cli("score", ratings(tmp_path), "--period", label, "--store", store)
    assert out.exit_code == 2 and "period label" in error_line(out)
    assert not store.exists()


def test_the_dask_engine_records_nothing(cli, tmp_path, store):
    out = cli(
        "score", ratings(tmp_path), "--engine", "dask", "-o", tmp_path / "s.csv", "--period", "P"
    )
    assert out.exit_code == 2 and "--engine dask records nothing" in error_line(out)


def test_recording_into_a_database_url(cli, tmp_path, store_url):
    out = cli("score", ratings(tmp_path), "--period", "2025-Q3", "--store", store_url)
    assert out.exit_code == 0, out.output
    history = cli("history", "--store", store_url, "-f", "json")
    [run] = json.loads(history.stdout)["runs"]
    assert (run["period"], run["scored"]) == ("2025-Q3", 3)
    assert "password" not in history.stdout


# -- assess history ---------------------------------------------------------------------------


def test_history_of_a_store_not_made_yet_creates_nothing(cli, store):
    out = cli("history", "--store", store)
    assert out.exit_code == 0
    assert out.stdout.strip() == f"no runs recorded yet in {store}"
    assert json.loads(cli("history", "--store", store, "-f", "json").stdout) == {
        "store": str(store),
        "all": False,
        "runs": [],
    }
    assert not store.exists()


def test_history_json_has_every_column(cli, tmp_path, store):
    cli("score", ratings(tmp_path), "--period", "P1", "--store", store, "--assessor", "A. B")
    [run] = runs(cli, store)
    assert set(run) == {
        "period",
        "run_id",
        "recorded_at",
        "recorded_by",
        "files",
        "rubric",
        "rubric_version",
        "rubric_hash",
        "data_rows",
        "scored",
        "insufficient",
        "rejected",
        "current",
        "superseded_by",
        "superseded_at",
    }
    assert run["recorded_at"].endswith("Z") and run["current"] is True
    assert (run["data_rows"], run["scored"], run["rubric"]) == (3, 3, "military-diplomacy")


# -- assess store delete ----------------------------------------------------------------------


def test_delete_in_a_script_needs_yes(cli, tmp_path, store):
    cli("score", ratings(tmp_path), "--period", "P1", "--store", store)
    out = cli("store", "delete", "P1", "--store", store)
    assert out.exit_code == 2
    line = error_line(out)
    assert "add --yes" in line and "period P1" in line and "run 1 (current" in line
    assert len(runs(cli, store)) == 1
    out = cli("store", "delete", "P1", "--store", store, "--yes")
    assert out.exit_code == 0
    assert out.stdout.startswith(f"deleted period P1 from {store}: 1 run(s), 3 engagement rows")
    assert runs(cli, store, "--all") == []


def test_delete_on_a_terminal_asks_naming_what_goes(runner, tmp_path, store, monkeypatch):
    from assess.cli import app

    def invoke(*args, answer):
        return runner.invoke(app, [str(a) for a in args], input=answer, catch_exceptions=False)

    data, fixed = ratings(tmp_path), ratings(tmp_path, "fixed.csv", rows=ROWS[:2])
    invoke("score", data, "--period", "P1", "--store", store, answer="")
    invoke("score", fixed, "--period", "P1", "--store", store, answer="")
    monkeypatch.setattr(history_cli, "can_ask", lambda: True)
    out = invoke("store", "delete", "P1", "--store", store, answer="n\n")
    assert out.exit_code == 0
    assert "Delete period P1" in out.stderr and "2 run(s)" in out.stderr
    assert "run 1 (superseded" in out.stderr and "run 2 (current" in out.stderr
    assert "fixed.csv" in out.stderr and "nothing deleted" in out.stderr
    assert "Delete" not in out.stdout  # the question goes to stderr (stdout may carry JSON)
    out = invoke("store", "delete", "P1", "--store", store, "-f", "json", answer="y\n")
    assert out.exit_code == 0
    deleted = json.loads(out.stdout[out.stdout.index("{") :])  # the runner echoes the answer
    assert (deleted["period"], deleted["runs"], deleted["engagements"]) == ("P1", 2, 5)


def test_deleting_what_is_not_there_is_one_line(cli, tmp_path, store):
    out = cli("store", "delete", "P1", "--store", store, "--yes")
    assert out.exit_code == 2 and "does not exist" in error_line(out)
    assert not store.exists()
    cli("score", ratings(tmp_path), "--period", "P1", "--store", store)
    out = cli("store", "delete", "P2", "--store", store, "--yes")
    assert out.exit_code == 2 and "has no period 'P2'" in error_line(out)


# -- assess store export ----------------------------------------------------------------------


def test_export_writes_a_parquet_dataset_by_period(cli, tmp_path, store):
    cli("score", ratings(tmp_path), "--period", "P1", "--store", store)
    cli("score", ratings(tmp_path, rows=ROWS[:2]), "--period", "P1", "--store", store)
    cli("score", ratings(tmp_path, "p2.csv"), "--period", "P2", "--store", store)
    folder = tmp_path / "export"
    out = cli("store", "export", folder, "--store", store, "--all")
    assert out.exit_code == 0, out.output
    assert "exported 3 run(s) of 2 period(s)" in out.stdout
    frame = pd.read_parquet(folder)
    assert sorted(frame["period"].astype(str).unique()) == ["P1", "P2"]
    assert len(frame) == 3 + 2 + 3
    again = cli("store", "export", folder, "--store", store)
    assert again.exit_code == 2 and "not a new or empty folder" in error_line(again)
    current = cli("store", "export", tmp_path / "current", "--store", store, "-f", "json")
    assert json.loads(current.stdout)["runs"] == 2
    assert len(pd.read_parquet(tmp_path / "current")) == 2 + 3


def test_exporting_an_empty_or_missing_store_is_one_line(cli, tmp_path, store):
    out = cli("store", "export", tmp_path / "x", "--store", store)
    assert out.exit_code == 2 and "does not exist" in error_line(out)
    cli("score", ratings(tmp_path), "--period", "P1", "--store", store)
    cli("store", "delete", "P1", "--store", store, "--yes")
    out = cli("store", "export", tmp_path / "x", "--store", store)
    assert out.exit_code == 2 and "no recorded runs" in error_line(out)


# -- recording with assess batch --------------------------------------------------------------


def test_a_batch_is_recorded_as_one_run_of_its_inputs(cli, tmp_path, store):
    inputs = tmp_path / "in"
    inputs.mkdir()
    ratings(inputs, "a.csv")
    ratings(inputs, "b.csv", rows=[row("F1"), row("F2"), row("E1")])  # E1 is also in a.csv
    out = cli(
        "batch", inputs, "-o", tmp_path / "out", "-j", "1", "--period", "P1", "--store", store
    )
    assert out.exit_code == 1, out.output  # the run rejects the repeated id
    assert f"recorded period P1 as run 1 in {store}" in out.stdout
    assert "2 file(s) scored together, 5 scored, 0 insufficient evidence, 1 rejected" in out.stdout
    assert "1 row(s) rejected in the run: their ids appear in an earlier file" in out.stdout
    [run] = runs(cli, store)
    assert (run["files"], run["scored"], run["rejected"]) == ("a.csv, b.csv", 5, 1)
    # the same inputs through assess score are the same run
    same = cli("score", inputs / "a.csv", inputs / "b.csv", "--period", "P1", "--store", store)
    assert "already holds these inputs" in same.stdout
    again = cli(
        "batch", inputs, "-o", tmp_path / "out", "--skip-unchanged", "-f", "json",
        "--period", "P1", "--store", store,
    )  # fmt: skip
    recorded = json.loads(again.stdout)["recorded"]
    assert (recorded["status"], recorded["run_id"]) == ("unchanged", 1)
    assert recorded["files"] == [str(inputs / "a.csv"), str(inputs / "b.csv")]
    assert recorded["counts"] == {
        "rows": 6,
        "scored": 5,
        "insufficient": 0,
        "rejected": 1,
        "not_approved": 0,
    }
    assert "already holds these inputs" in again.stderr


def test_a_batch_with_a_failed_file_records_nothing(cli, tmp_path, store):
    inputs = tmp_path / "in"
    inputs.mkdir()
    ratings(inputs, "a.csv")
    (inputs / "broken.csv").write_text("nothing to score here\n", encoding="utf-8")
    out = cli(
        "batch", inputs, "-o", tmp_path / "out", "-j", "1", "--period", "P1", "--store", store
    )
    assert out.exit_code == 2
    *progress, last = out.stderr.strip().splitlines()  # the batch's log lines, then the error
    assert last.startswith("assess: error: period P1 not recorded: 1 of 2 files failed")
    assert "1 failed" in out.stdout  # the batch itself is reported as usual
    assert runs(cli, store, "--all") == []


# -- the quarterly example, end to end --------------------------------------------------------


def test_the_quarterly_example_end_to_end(cli, tmp_path, store, monkeypatch):
    monkeypatch.setenv("ASSESS_STORE", str(store))
    quarters = [
        ("FY2025-Q1", "FY2025-Q1.xlsx", ["-r", ORIGINAL]),
        ("FY2025-Q2", "FY2025-Q2.xlsx", ["-r", ORIGINAL]),
        ("FY2025-Q2", "FY2025-Q2-corrected.xlsx", ["-r", ORIGINAL]),
        ("FY2025-Q3", "FY2025-Q3.xlsx", ["-r", REVISED]),
        ("FY2025-Q4", "FY2025-Q4.xlsx", ["-r", REVISED]),
    ]
    printed = {}
    for period, name, rubric in quarters:
        out = cli("score", QUARTERS / name, *rubric, "--period", period, "--limit", "0")
        assert out.exit_code == 1, out.output  # each quarter has rejected cells
        assert f"recorded period {period} as run" in out.stdout
        printed[name] = out.stdout
    assert "supersedes run 2, which stays" in printed["FY2025-Q2-corrected.xlsx"]
    again = cli("score", QUARTERS / "FY2025-Q3.xlsx", "-r", REVISED, "--period", "FY2025-Q3")
    assert "FY2025-Q3 already holds these inputs" in again.stdout
    every = runs(cli, store, "--all")
    assert [(r["period"], r["files"], r["rubric_version"], r["current"]) for r in every] == [
        ("FY2025-Q1", "FY2025-Q1.xlsx", "1.0.0", True),
        ("FY2025-Q2", "FY2025-Q2.xlsx", "1.0.0", False),
        ("FY2025-Q2", "FY2025-Q2-corrected.xlsx", "1.0.0", True),
        ("FY2025-Q3", "FY2025-Q3.xlsx", "1.1.0", True),
        ("FY2025-Q4", "FY2025-Q4.xlsx", "1.1.0", True),
    ]
    assert every[1]["superseded_by"] == every[2]["run_id"]
    assert [r["scored"] for r in runs(cli, store)] == [44, 46, 44, 45]
    table = cli("history", "--all").stdout
    assert "rubric military-diplomacy (5 run(s) of 4 period(s))" in table
    assert "superseded by 3" in table and "FY2025-Q2-corrected.xlsx" in table
    out = cli("store", "export", tmp_path / "archive")
    assert out.exit_code == 0 and "exported 4 run(s) of 4 period(s)" in out.stdout
    assert pd.read_parquet(tmp_path / "archive")["period"].nunique() == 4
