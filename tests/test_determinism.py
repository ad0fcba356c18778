"""The same input gives the same output, byte for byte."""

from __future__ import annotations

from conftest import row, write_csv, write_xlsx


def _mixed(tmp_path):
    rows = [
        row("E3", 2, 2, 2, 2, 2),
        row("E1", 4, 4, 4, 4, 0),
        row("E2", 4, 4, 4, 4, 0),
        row("E4", t="high"),
        row("E5", n=None, i=None, r=None),
        row("E6", 2.5, "3", "2,5", "Full", "N/A"),
    ]
    return write_xlsx(tmp_path / "mixed.xlsx", rows, title_rows=2, extra_sheets_before=["Read me"])


def test_json_output_is_byte_identical_across_runs(tmp_path, cli):
    path = _mixed(tmp_path)
    first = cli("score", path, "--format", "json").stdout_bytes
    second = cli("score", path, "--format", "json").stdout_bytes
    assert first == second


def test_csv_output_is_byte_identical_across_runs(tmp_path, cli):
    path = _mixed(tmp_path)
    assert (
        cli("score", path, "--format", "csv").stdout_bytes
        == cli("score", path, "--format", "csv").stdout_bytes
    )


def test_json_report_files_are_byte_identical_across_runs(tmp_path, cli):
    path = _mixed(tmp_path)
    cli("score", path, "-o", tmp_path / "a.json")
    cli("score", path, "-o", tmp_path / "b.json")
    assert (tmp_path / "a.json").read_bytes() == (tmp_path / "b.json").read_bytes()


def test_csv_report_files_are_byte_identical_across_runs(tmp_path, cli):
    path = write_csv(tmp_path / "in.csv", [row("B"), row("A", 1, 1, 1, 1, 1), row("C", t="x")])
    cli("score", path, "-o", tmp_path / "a.csv")
    cli("score", path, "-o", tmp_path / "b.csv")
    assert (tmp_path / "a.csv").read_bytes() == (tmp_path / "b.csv").read_bytes()


def test_json_does_not_depend_on_the_input_folder(tmp_path, cli):
    (tmp_path / "one").mkdir()
    (tmp_path / "two").mkdir()
    a = _mixed(tmp_path / "one")
    # the same bytes in another folder (two writes could straddle a second of zip time stamps)
    b = tmp_path / "two" / a.name
    b.write_bytes(a.read_bytes())
    assert cli("score", a, "--format", "json").stdout == cli("score", b, "--format", "json").stdout
