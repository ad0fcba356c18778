"""assess batch: one report per input, a portfolio, failures isolated, reruns skipped."""

from __future__ import annotations

import json
from pathlib import Path

import openpyxl
from conftest import row, write_xlsx

from assess.engines.batch import output_names, run_batch


def good(path: Path, n: int = 3, prefix: str = "E") -> Path:
    return write_xlsx(path, [row(f"{prefix}{i}", 3, 3, 2, 3, 1) for i in range(n)])


def with_rejection(path: Path) -> Path:
    return write_xlsx(path, [row("R1", 3, 3, 3, 3, 1), row("R2", "high", 3, 3, 3, 1)])


def test_broken_file_is_listed_and_does_not_stop_the_others(tmp_path, cli):
    src = tmp_path / "in"
    src.mkdir()
    good(src / "one.xlsx")
    good(src / "two.xlsx", prefix="F")
    (src / "broken.xlsx").write_text("this is not a workbook")
    out = tmp_path / "out"
    result = cli("batch", src, "-o", out, "--jobs", "1")
    assert result.exit_code == 2
    assert "broken.xlsx: not a .xlsx workbook" in result.output
    assert (out / "one-report.xlsx").is_file() and (out / "two-report.xlsx").is_file()
    assert not (out / "broken-report.xlsx").exists()
    failures = list(
        openpyxl.load_workbook(out / "portfolio.xlsx")["Failures"].iter_rows(values_only=True)
    )
    assert len(failures) == 2 and "broken.xlsx" in failures[1][0]


def test_exit_code_0_when_every_row_of_every_file_is_scored(tmp_path, cli):
    good(tmp_path / "a.xlsx")
    assert cli("batch", tmp_path / "a.xlsx", "-o", tmp_path / "out").exit_code == 0


def test_exit_code_1_when_some_rows_are_rejected(tmp_path, cli):
    with_rejection(tmp_path / "a.xlsx")
    assert cli("batch", tmp_path / "a.xlsx", "-o", tmp_path / "out").exit_code == 1


def test_same_file_name_in_two_folders_gives_two_reports(tmp_path):
    (tmp_path / "a").mkdir()
    (tmp_path / "b").mkdir()
    good(tmp_path / "a" / "x.xlsx", prefix="A")
    good(tmp_path / "b" / "x.xlsx", prefix="B")
    result = run_batch([tmp_path / "a", tmp_path / "b"], tmp_path / "out", jobs=1)
    reports = sorted(f.report for f in result.files)
    assert len(set(reports)) == 2
    for f in result.files:
        ids = {e["id"][0] for e in f.engagements}
        wb = openpyxl.load_workbook(tmp_path / "out" / f.report, data_only=True)
        in_report = {r[1][0] for r in wb["Scores"].iter_rows(min_row=2, values_only=True)}
        assert in_report == ids  # each report holds its own input's engagements


def test_output_names_cannot_leave_the_output_folder(tmp_path):
    names = output_names(
        [
            Path("../../etc/passwd.xlsx"),
            Path("a/..xlsx"),
            Path("x/=cmd|calc.xlsx"),
            Path("y/ .. .csv"),
        ],
        "xlsx",
    )
    for name in names.values():
        assert "/" not in name and "\\" not in name and name not in {"..", "."}
        assert (tmp_path / name).resolve().parent == tmp_path.resolve()


def test_portfolio_holds_every_engagement_with_its_source(tmp_path):
    good(tmp_path / "a.xlsx", n=2, prefix="A")
    good(tmp_path / "b.xlsx", n=3, prefix="B")
    result = run_batch([tmp_path / "a.xlsx", tmp_path / "b.xlsx"], tmp_path / "out", jobs=1)
    ws = openpyxl.load_workbook(result.portfolio)["Engagements"]
    rows = list(ws.iter_rows(values_only=True))
    header = rows[0]
    sources = {
        r[header.index("Engagement ID")]: Path(r[header.index("Source file")]).name
        for r in rows[1:]
    }
    assert sources == {
        "A0": "a.xlsx",
        "A1": "a.xlsx",
        "B0": "b.xlsx",
        "B1": "b.xlsx",
        "B2": "b.xlsx",
    }
    files = list(openpyxl.load_workbook(result.portfolio)["Files"].iter_rows(values_only=True))
    assert {r[files[0].index("SHA-256")] for r in files[1:]} == {f.sha256 for f in result.files}


def test_skip_unchanged_rescores_only_changed_inputs(tmp_path):
    a, b = good(tmp_path / "a.xlsx", prefix="A"), good(tmp_path / "b.xlsx", prefix="B")
    out = tmp_path / "out"
    first = run_batch([a, b], out, jobs=1, skip_unchanged=True)
    assert [f.status for f in first.files] == ["scored", "scored"]
    second = run_batch([a, b], out, jobs=1, skip_unchanged=True)
    assert [f.status for f in second.files] == ["unchanged", "unchanged"]
    assert [f.scored for f in second.files] == [f.scored for f in first.files]
    good(b, n=4, prefix="B")
    third = run_batch([a, b], out, jobs=1, skip_unchanged=True)
    assert [f.status for f in third.files] == ["unchanged", "scored"]
    assert third.files[1].scored == 4
    # the portfolio still holds the unchanged file's engagements
    data = json.loads((out / "portfolio.json").read_text())
    assert sum(len(f["engagements"]) for f in data["files"]) == 3 + 4


def test_changed_rubric_rescores_everything(tmp_path):
    a = good(tmp_path / "a.xlsx")
    out = tmp_path / "out"
    run_batch([a], out, jobs=1, skip_unchanged=True)
    import assess

    rubric = assess.load_rubric().with_weights({"transparency": 0.5})
    again = run_batch([a], out, rubric=rubric, jobs=1, skip_unchanged=True)
    assert again.files[0].status == "scored"


def test_parallel_and_serial_runs_agree(tmp_path):
    inputs = [good(tmp_path / f"f{i}.xlsx", prefix=f"P{i}-") for i in range(4)]
    serial = run_batch(inputs, tmp_path / "serial", jobs=1)
    parallel = run_batch(inputs, tmp_path / "parallel", jobs=2)
    assert [f.summary() | {"seconds": 0} for f in serial.files] == [
        f.summary() | {"seconds": 0} for f in parallel.files
    ]


def test_earlier_reports_in_the_input_folder_are_not_inputs(tmp_path):
    good(tmp_path / "a.xlsx")
    first = run_batch([tmp_path], tmp_path, jobs=1)
    second = run_batch([tmp_path], tmp_path, jobs=1)
    assert [Path(f.input).name for f in first.files] == ["a.xlsx"]
    assert [Path(f.input).name for f in second.files] == ["a.xlsx"]


def test_log_lines_when_not_on_a_terminal(tmp_path, cli):
    good(tmp_path / "a.xlsx")
    result = cli("batch", tmp_path / "a.xlsx", "-o", tmp_path / "out", "--format", "csv")
    assert "[1/1]" in result.output
    assert (tmp_path / "out" / "a-report.csv").is_file()
