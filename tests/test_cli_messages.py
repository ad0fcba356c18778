"""Messages that name what the user typed, and the batch command's files, log and summary."""

from __future__ import annotations

import json
import shutil
import zipfile

import pytest
from conftest import EXAMPLE_WORKBOOK, ROOT, row, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from typer.main import get_command

import assess
from assess.calibration.outcomes import parse_outcomes
from assess.cli import app

PAST_CASES = ROOT / "examples" / "past_cases.xlsx"


def one_line_error(out) -> str:
    assert out.exit_code == 2, out.output
    assert out.stderr.count("\n") == 1 and out.stderr.startswith("assess: error: "), out.stderr
    return out.stderr


def mixed(path):
    """Three rows: one scored, one with insufficient evidence, one rejected."""
    return write_xlsx(path, [row("E1"), row("E2", n=None, i=None, r=None), row("E3", t="high")])


# -- output paths: the option typed, a folder, an existing file ------------------------------------


def test_report_over_the_cases_file_names_report(tmp_path, cli):
    cases = shutil.copy(PAST_CASES, tmp_path / "cases.xlsx")
    err = one_line_error(cli("calibrate", cases, "-y", "Outcome", "--report", cases))
    assert "choose another --report path" in err and "-o" not in err


def test_template_over_an_existing_file_names_force(tmp_path, cli):
    target = tmp_path / "t.xlsx"
    target.write_bytes(b"precious")
    err = one_line_error(cli("template", "-o", target))
    assert "--force" in err
    assert target.read_bytes() == b"precious"
    assert cli("template", "-o", target, "--force").exit_code == 0


@pytest.mark.parametrize(
    "args",
    [
        ["score", "{input}", "-o", "{folder}"],
        ["template", "-o", "{folder}"],
        ["calibrate", "{input}", "-y", "Outcome", "-o", "{folder}"],
        ["calibrate", "{input}", "-y", "Outcome", "--report", "{folder}"],
        ["sensitivity", "{input}", "--draws", "10", "-o", "{folder}"],
        ["agreement", "{input}", "-o", "{folder}"],
    ],
    ids=lambda a: " ".join(x for x in a if not x.startswith("{")),
)
@pytest.mark.parametrize("folder_name", ["out", "out.xlsx", "out.yaml"])
def test_an_existing_folder_is_called_a_folder(tmp_path, cli, args, folder_name):
    folder = tmp_path / folder_name
    folder.mkdir()
    source = mixed(tmp_path / "in.xlsx")
    args = [a.format(input=source, folder=folder) for a in args]
    err = one_line_error(cli(*args))
    assert f"{folder} is a folder" in err
    assert list(folder.iterdir()) == []


# -- inputs that are not what their extension says -------------------------------------------------


def _zip(path, members: dict[str, str]):
    with zipfile.ZipFile(path, "w") as z:
        for name, text in members.items():
            z.writestr(name, text)
    return path


WORD_TYPES = (
    '<?xml version="1.0"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/'
    'content-types"><Override PartName="/word/document.xml" ContentType="application/'
    'vnd.openxmlformats-officedocument.wordprocessingml.document.main+xml"/></Types>'
)


def test_word_document_renamed_xlsx_is_not_an_excel_workbook(tmp_path, cli):
    path = _zip(
        tmp_path / "report.xlsx",
        {"[Content_Types].xml": WORD_TYPES, "word/document.xml": "<w:document/>"},
    )
    with pytest.raises(assess.InputError, match=r"not an Excel workbook \(it is a Word document"):
        assess.score(path)
    err = one_line_error(cli("score", path))
    assert "report.xlsx: not an Excel workbook" in err and "File not found" not in err


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.dictionaries(
        st.from_regex(r"[a-z]{1,8}(/[a-z]{1,8})?\.(txt|xml|bin)", fullmatch=True),
        st.text(max_size=40),
        min_size=1,
        max_size=4,
    )
)
def test_any_zip_that_holds_no_workbook_is_not_an_excel_workbook(tmp_path, members):
    path = _zip(tmp_path / "data.xlsx", members)
    with pytest.raises(assess.InputError, match=r"^data\.xlsx: not an Excel workbook \(it is a"):
        assess.score(path)


def test_workbook_and_spreadsheet_with_each_others_extension(tmp_path):
    ods = shutil.copy(EXAMPLE_WORKBOOK, tmp_path / "book.ods")
    with pytest.raises(assess.InputError, match="it is an Excel workbook; rename it .xlsx"):
        assess.score(ods)
    import pandas as pd

    pd.DataFrame({"ID": ["E1"]}).to_excel(tmp_path / "s.ods", engine="odf", index=False)
    xlsx = shutil.copy(tmp_path / "s.ods", tmp_path / "s.xlsx")
    with pytest.raises(assess.InputError, match="OpenDocument spreadsheet; rename it .ods"):
        assess.score(xlsx)


# -- calibrate: outcomes that are not of the kind asked for ----------------------------------------


def test_ordinal_kind_on_success_failure_outcomes_names_the_values(cli):
    err = one_line_error(cli("calibrate", PAST_CASES, "-y", "Outcome", "--kind", "ordinal"))
    assert "--kind ordinal" in err
    assert "'success'" in err and "'failure'" in err and "are not levels" in err
    assert "Ineffective" in err and "--kind binary" in err


@settings(max_examples=40, deadline=None)
@given(
    st.lists(
        st.sampled_from(["success", "failure", "yes", "no", "pass", "fail", "maybe"]),
        min_size=1,
        max_size=12,
    )
)
def test_no_outcome_read_as_the_kind_asked_for_is_one_error_naming_them(cells):
    with pytest.raises(assess.InputError) as info:
        parse_outcomes(cells, kind="ordinal", band_names=["High", "Low"])
    message = str(info.value)
    for value in list(dict.fromkeys(cells))[:4]:
        assert repr(value) in message
    assert "are not levels (Low, High, worst first)" in message


# -- --limit ---------------------------------------------------------------------------------------

LIMITED = sorted(
    name
    for name, cmd in get_command(app).commands.items()
    if any("--limit" in p.opts for p in cmd.params)
)


def test_limit_is_declared_where_expected():
    assert {"score", "agreement", "sensitivity"} <= set(LIMITED)


@pytest.mark.parametrize("command", LIMITED)
def test_negative_limit_is_refused(tmp_path, cli, command):
    path = mixed(tmp_path / "t.xlsx")
    out = cli(command, path, "--limit", "-1")
    assert out.exit_code == 2
    assert "Invalid value for '--limit'" in out.stderr and out.stdout == ""


# -- sensitivity: why exit code 1 ------------------------------------------------------------------


def test_sensitivity_says_why_it_exits_1(tmp_path, cli):
    path = write_xlsx(
        tmp_path / "t.xlsx",
        [row("E1"), row("E2", 1), row("E3", 2, 2), row("E4", n=None, i=None, r=None)]
        + [row("E5", t="high")],
    )
    out = cli("sensitivity", path, "--draws", 50, "--no-sobol")
    assert out.exit_code == 1
    assert "3 scored, 1 insufficient evidence, 1 rejected of 5 rows" in out.stdout
    assert "insufficient Engagements row 5 E4" in out.stdout
    assert "rejected Engagements!D6: 'high' is not a rating" in out.stdout


# -- batch -----------------------------------------------------------------------------------------


def test_batch_html_reports_end_in_html(tmp_path, cli):
    write_xlsx(tmp_path / "a.xlsx", [row("E1"), row("E2", 1)])
    out = cli("batch", tmp_path / "a.xlsx", "-o", tmp_path / "out", "--format", "html")
    assert out.exit_code == 0
    assert sorted(p.name for p in (tmp_path / "out").iterdir()) == [
        "a-report.html",
        "portfolio.json",
        "portfolio.xlsx",
    ]


def test_batch_log_line_counts_insufficient_rows(tmp_path, cli):
    mixed(tmp_path / "a.xlsx")
    out = cli("batch", tmp_path / "a.xlsx", "-o", tmp_path / "out", "--jobs", 1)
    assert out.exit_code == 1
    line = next(x for x in out.output.splitlines() if x.startswith("[1/1]"))
    assert line.endswith("scored: 1 scored, 1 insufficient evidence, 1 rejected of 3 rows")


def test_portfolio_json_names_the_portfolio(tmp_path, cli):
    write_xlsx(tmp_path / "a.xlsx", [row("E1")])
    out = tmp_path / "out"
    printed = json.loads(cli("batch", tmp_path / "a.xlsx", "-o", out, "--json").stdout)
    written = json.loads((out / "portfolio.json").read_text(encoding="utf-8"))
    assert written["portfolio"] == printed["portfolio"] == str(out / "portfolio.xlsx")


def test_batch_with_no_input_files_is_one_error_and_writes_nothing(tmp_path, cli, monkeypatch):
    monkeypatch.chdir(tmp_path)
    (tmp_path / "empty").mkdir()
    for args in (["nosuch/"], ["empty"], ["nosuch/", "*.xlsx"]):
        out = cli("batch", *args, "-o", "out")
        shown = ", ".join(repr(a) for a in args)
        assert one_line_error(out) == f"assess: error: no input files found for {shown}\n"
        assert not (tmp_path / "out").exists()


def test_batch_output_that_is_a_file_is_refused(tmp_path, cli):
    source = write_xlsx(tmp_path / "a.xlsx", [row("E1")])
    err = one_line_error(cli("batch", source, "-o", source))
    assert "a.xlsx is a file; give -o a folder" in err
