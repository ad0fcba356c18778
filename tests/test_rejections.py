"""Rows that cannot be used are rejected with the exact cell, in Excel terms."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from conftest import COL, LABELS, row, write_csv, write_xlsx

import assess

# Each case: the row (the bad one is the 6th data row, so Excel row 7), the bad column,
# and the start of the message after "Engagements!<cell>: ".
CASES = [
    pytest.param(row("E6", t="high"), "transparency", "'high' is not a rating 0-4", id="junk-text"),
    pytest.param(row("E6", n=7), "norms_alignment", "7 is outside the scale 0-4", id="above-scale"),
    pytest.param(
        row("E6", i=-1), "interoperability", "-1 is outside the scale 0-4", id="below-scale"
    ),
    pytest.param(
        row("E6", t="3 - Minimal"),
        "transparency",
        f"'3 - Minimal' is ambiguous: level 3 is {LABELS['transparency'][3]!r}, not 'Minimal'",
        id="label-mismatch",
    ),
    pytest.param(row("E6", f=True), "political_friction", "True is not a rating 0-4", id="boolean"),
    pytest.param(
        row("E6", t=dt.datetime(2025, 3, 1)), "transparency", "a date (2025-03-01", id="date"
    ),
    pytest.param(row(None), "id", "missing engagement id", id="missing-id"),
]


def _workbook(tmp_path, bad_row):
    rows = [row(f"E{k}") for k in range(1, 6)] + [bad_row, row("E7")]
    return write_xlsx(tmp_path / "t.xlsx", rows)


@pytest.mark.parametrize(("bad_row", "key", "message"), CASES)
def test_rejection_names_the_cell(tmp_path, bad_row, key, message):
    result = assess.score(_workbook(tmp_path, bad_row))
    assert len(result.rejected) == 1
    rej = result.rejected[0]
    assert (rej.sheet, rej.row, rej.column) == ("Engagements", 7, COL[key])


@pytest.mark.parametrize(("bad_row", "key", "message"), CASES)
def test_rejection_message_starts_with_the_cell_reference(tmp_path, bad_row, key, message):
    result = assess.score(_workbook(tmp_path, bad_row))
    assert str(result.rejected[0]).startswith(f"Engagements!{COL[key]}7: {message}")


@pytest.mark.parametrize(("bad_row", "key", "message"), CASES)
def test_rejected_row_is_not_scored(tmp_path, bad_row, key, message):
    result = assess.score(_workbook(tmp_path, bad_row))
    assert result.counts == {
        "rows": 7,
        "scored": 6,
        "insufficient": 0,
        "rejected": 1,
        "not_approved": 0,
    }
    assert 7 not in set(result.engagements["row"])


@pytest.mark.parametrize(("bad_row", "key", "message"), CASES)
def test_cli_prints_the_rejection(tmp_path, cli, bad_row, key, message):
    out = cli("score", _workbook(tmp_path, bad_row))
    assert out.exit_code == 1
    assert f"Engagements!{COL[key]}7: {message}" in out.stdout


@pytest.mark.parametrize(("bad_row", "key", "message"), CASES)
def test_json_rejected_entry_has_sheet_row_column_value_reason(
    tmp_path, cli, bad_row, key, message
):
    out = cli("score", _workbook(tmp_path, bad_row), "--format", "json")
    (entry,) = json.loads(out.stdout)["rejected"]
    assert (entry["sheet"], entry["row"], entry["column"]) == ("Engagements", 7, COL[key])
    assert entry["reason"].startswith(message)
    assert "value" in entry


def test_json_rejected_value_is_the_cell_as_written(tmp_path, cli):
    out = cli("score", _workbook(tmp_path, row("E6", t="high")), "--format", "json")
    assert json.loads(out.stdout)["rejected"][0]["value"] == "high"


def test_json_rejected_date_value_is_iso_text(tmp_path, cli):
    out = cli(
        "score", _workbook(tmp_path, row("E6", t=dt.datetime(2025, 3, 1))), "--format", "json"
    )
    assert json.loads(out.stdout)["rejected"][0]["value"].startswith("2025-03-01")


def test_duplicate_id_rejects_later_row(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", t=4), row("E2"), row("E1", t=0)])
    result = assess.score(path)
    assert [r.row for r in result.rejected] == [4]
    assert result.engagements.loc["E1", "transparency.rating"] == 4


def test_duplicate_id_message_names_the_first_row(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2"), row("E1")])
    (rej,) = assess.score(path).rejected
    assert str(rej) == "Engagements!A4: duplicate engagement id 'E1' (first at row 2)"


def test_duplicate_id_ignores_surrounding_spaces(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1"), row(" E1 ")])
    assert [r.row for r in assess.score(path).rejected] == [3]


def test_every_bad_cell_of_a_row_is_listed(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", t="high", f=9)])
    (rej,) = assess.score(path).rejected
    assert [p.column for p in rej.problems] == ["D", "H"]


def test_csv_rejection_uses_the_file_record_as_row(tmp_path):
    path = write_csv(tmp_path / "t.csv", [row("E1"), row("E2", t="high")])
    (rej,) = assess.score(path).rejected
    assert (rej.sheet, rej.row, rej.column) == ("t", 3, "D")


def test_rejection_under_title_block_uses_excel_row(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [row("E1"), row("E2", i="lots")],
        title_rows=3,
        extra_sheets_before=["Read me"],
    )
    (rej,) = assess.score(path).rejected
    assert rej.cell == "Engagements!F7"
