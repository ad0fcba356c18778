"""`assess score`: exit codes, one-line errors, reports written with -o, the JSON contract."""

from __future__ import annotations

import csv
import io
import json

import pytest
from conftest import CRITERIA, EXAMPLE_WORKBOOK, dump_rubric, row, small_rubric_data, write_xlsx
from openpyxl import load_workbook

import assess
from assess.report import write_report

# -- exit codes -------------------------------------------------------------------------------


def test_exit_0_when_every_row_is_scored(tmp_path, cli):
    out = cli("score", write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2")]))
    assert out.exit_code == 0


def test_exit_1_when_a_row_is_rejected(tmp_path, cli):
    out = cli("score", write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2", t="high")]))
    assert out.exit_code == 1


def test_exit_1_when_a_row_has_insufficient_evidence(tmp_path, cli):
    out = cli(
        "score", write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2", n=None, i=None, r=None)])
    )
    assert out.exit_code == 1


def test_summary_line_is_printed(tmp_path, cli):
    path = write_xlsx(
        tmp_path / "t.xlsx", [row("E1"), row("E2", t="high"), row("E3", n=None, i=None, r=None)]
    )
    out = cli("score", path)
    assert "1 scored, 1 insufficient evidence, 1 rejected of 3 rows" in out.stdout


def _not_a_spreadsheet(tmp_path):
    path = tmp_path / "notes.xlsx"
    path.write_text("this is not a workbook\n", encoding="utf-8")
    return [path]


def _missing_file(tmp_path):
    return [tmp_path / "absent.xlsx"]


def _unsupported_type(tmp_path):
    path = tmp_path / "data.pdf"
    path.write_bytes(b"%PDF-1.4\n")
    return [path]


def _empty_csv(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"")
    return [path]


def _no_table(tmp_path):
    return [write_xlsx(tmp_path / "t.xlsx", [["a", "b"]], header=["Foo", "Bar"])]


def _invalid_rubric(tmp_path):
    data = small_rubric_data()
    data["criteria"][0]["weight"] = -1
    rubric = dump_rubric(tmp_path / "bad.yaml", data)
    return [write_xlsx(tmp_path / "t.xlsx", [row("E1")]), "--rubric", rubric]


def _unsafe_rubric(tmp_path):
    rubric = tmp_path / "evil.yaml"
    rubric.write_text("!!python/object/apply:os.system ['echo hi']\n", encoding="utf-8")
    return [write_xlsx(tmp_path / "t.xlsx", [row("E1")]), "--rubric", rubric]


def _unknown_rubric(tmp_path):
    return [write_xlsx(tmp_path / "t.xlsx", [row("E1")]), "--rubric", "no-such-rubric"]


UNUSABLE = [
    pytest.param(_missing_file, id="missing-file"),
    pytest.param(_not_a_spreadsheet, id="not-a-spreadsheet"),
    pytest.param(_unsupported_type, id="unsupported-type"),
    pytest.param(_empty_csv, id="empty-csv"),
    pytest.param(_no_table, id="no-table"),
    pytest.param(_invalid_rubric, id="invalid-rubric"),
    pytest.param(_unsafe_rubric, id="unsafe-rubric"),
    pytest.param(_unknown_rubric, id="unknown-rubric"),
]


@pytest.mark.parametrize("make", UNUSABLE)
def test_unusable_input_exits_2(tmp_path, cli, make):
    assert cli("score", *make(tmp_path)).exit_code == 2


@pytest.mark.parametrize("make", UNUSABLE)
def test_unusable_input_gives_one_error_line_and_no_traceback(tmp_path, cli, make):
    out = cli("score", *make(tmp_path))
    lines = out.stderr.splitlines()
    assert len(lines) == 1
    assert lines[0].startswith("assess: error:")
    assert "Traceback" not in out.output


@pytest.mark.parametrize("make", UNUSABLE)
def test_debug_shows_the_traceback(tmp_path, cli, make):
    out = cli("score", *make(tmp_path), "--debug")
    assert out.exit_code == 2
    assert "Traceback" in out.stderr


# -- reports written with -o ---------------------------------------------------------------


@pytest.fixture
def two_rows(tmp_path):
    return write_xlsx(tmp_path / "in.xlsx", [row("E1", 4, 4, 4, 4, 0), row("E2", t="high")])


def test_output_csv_is_written(tmp_path, cli, two_rows):
    target = tmp_path / "out.csv"
    out = cli("score", two_rows, "-o", target)
    assert out.exit_code == 1
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    assert [(r["id"], float(r["score"])) for r in rows] == [("E1", 100.0)]


def test_output_json_is_written(tmp_path, cli, two_rows):
    target = tmp_path / "out.json"
    cli("score", two_rows, "-o", target)
    data = json.loads(target.read_text(encoding="utf-8"))
    assert [e["id"] for e in data["engagements"]] == ["E1"]
    assert [r["cell"] for r in data["rejected"]] == ["Engagements!D3"]


def test_output_xlsx_is_written(tmp_path, cli, two_rows):
    target = tmp_path / "out.xlsx"
    cli("score", two_rows, "-o", target)
    wb = load_workbook(target)
    scored_ids = {c.value for r in wb["Scores"].iter_rows(min_row=2) for c in r} & {"E1", "E2"}
    assert scored_ids == {"E1"}
    rejected_text = " ".join(str(c.value) for r in wb["Rejected"].iter_rows() for c in r)
    assert "D3" in rejected_text


def test_output_md_is_written(tmp_path, cli, two_rows):
    target = tmp_path / "out.md"
    cli("score", two_rows, "-o", target)
    text = target.read_text(encoding="utf-8")
    assert "| E1 |" in text
    assert "Engagements!D3" in text


def test_output_over_the_input_is_refused(tmp_path, cli, two_rows):
    before = two_rows.read_bytes()
    out = cli("score", two_rows, "-o", two_rows)
    assert out.exit_code == 2
    assert out.stderr.startswith("assess: error:")
    assert two_rows.read_bytes() == before


def test_output_over_the_input_by_another_spelling_is_refused(tmp_path, cli, two_rows):
    (tmp_path / "sub").mkdir()
    before = two_rows.read_bytes()
    out = cli("score", two_rows, "-o", tmp_path / "sub" / ".." / "in.xlsx")
    assert out.exit_code == 2
    assert two_rows.read_bytes() == before


def test_write_report_over_the_input_raises_output_error(two_rows):
    result = assess.score(two_rows)
    with pytest.raises(assess.OutputError):
        write_report(result, two_rows)


def test_output_with_unknown_extension_exits_2(tmp_path, cli, two_rows):
    out = cli("score", two_rows, "-o", tmp_path / "out.docx")
    assert out.exit_code == 2
    assert out.stderr.startswith("assess: error:")


def test_output_into_a_missing_folder_exits_2(tmp_path, cli, two_rows):
    out = cli("score", two_rows, "-o", tmp_path / "absent" / "out.csv")
    assert out.exit_code == 2
    assert out.stderr.startswith("assess: error:")
    assert not (tmp_path / "absent").exists()


def test_format_xlsx_without_output_exits_2(cli, two_rows):
    out = cli("score", two_rows, "--format", "xlsx")
    assert out.exit_code == 2
    assert out.stderr.startswith("assess: error:")


# -- the JSON contract -------------------------------------------------------------------------


def test_json_output_has_the_documented_keys(tmp_path, cli):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [row("E1", 4, 3, 2, 1, 0), row("E2", t="high"), row("E3", n=None, i=None, r=None)],
    )
    data = json.loads(cli("score", path, "--format", "json").stdout)
    assert {"rubric", "summary", "engagements", "insufficient", "rejected"} <= set(data)
    assert {"name", "version", "hash", "criteria"} <= set(data["rubric"])
    (item,) = data["engagements"]
    assert {"id", "score", "band", "rank", "completeness", "criteria"} <= set(item)
    assert set(item["criteria"]) == set(CRITERIA)
    for entry in item["criteria"].values():
        assert {"rating", "normalised", "contribution"} <= set(entry)
    assert [i["id"] for i in data["insufficient"]] == ["E3"]
    (rej,) = data["rejected"]
    assert {"sheet", "row", "column", "value", "reason"} <= set(rej)


def test_json_criterion_entry_holds_rating_normalised_and_contribution(tmp_path, cli):
    from conftest import RAW_WEIGHTS

    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", 4, 3, 2, 1, 1)])
    item = json.loads(cli("score", path, "--format", "json").stdout)["engagements"][0]
    entry = item["criteria"]["political_friction"]
    assert entry["rating"] == 1
    assert entry["normalised"] == pytest.approx(0.75)
    assert entry["contribution"] == pytest.approx(100 * RAW_WEIGHTS["political_friction"] * 0.75)


def test_json_summary_counts_add_up(tmp_path, cli):
    path = write_xlsx(
        tmp_path / "t.xlsx", [row("E1"), row("E2", t="high"), row("E3", n=None, i=None, r=None)]
    )
    summary = json.loads(cli("score", path, "--format", "json").stdout)["summary"]
    assert (summary["scored"], summary["insufficient"], summary["rejected"], summary["rows"]) == (
        1,
        1,
        1,
        3,
    )


def test_csv_format_prints_one_line_per_valid_engagement(tmp_path, cli):
    path = write_xlsx(
        tmp_path / "t.xlsx", [row("E1"), row("E2", t="high"), row("E3", n=None, i=None, r=None)]
    )
    rows = list(csv.DictReader(io.StringIO(cli("score", path, "--format", "csv").stdout)))
    assert sorted(r["id"] for r in rows) == ["E1", "E3"]


# -- the example workbook -------------------------------------------------------------------------


@pytest.fixture(scope="module")
def example_json():
    from typer.testing import CliRunner

    from assess.cli import app

    out = CliRunner().invoke(app, ["score", str(EXAMPLE_WORKBOOK), "--format", "json"])
    return out.exit_code, json.loads(out.stdout)


def test_example_workbook_summary_line(cli):
    out = cli("score", EXAMPLE_WORKBOOK)
    assert "49 scored, 1 insufficient evidence, 4 rejected of 54 rows" in out.stdout
    assert out.exit_code == 1


def test_example_workbook_counts_add_up_to_rows(example_json):
    _, data = example_json
    s = data["summary"]
    assert s["scored"] + s["insufficient"] + s["rejected"] == s["rows"] == 54


def test_example_workbook_rejected_cells(example_json):
    _, data = example_json
    cells = [(r["sheet"], f"{r['column']}{r['row']}") for r in data["rejected"]]
    assert cells == [
        ("FY2025 Engagements", "A16"),
        ("FY2025 Engagements", "J24"),
        ("FY2025 Engagements", "K38"),
        ("FY2025 Engagements", "A43"),
    ]
