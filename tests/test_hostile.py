"""Broken and hostile inputs: a scored result or one clear line with exit 2, never a traceback."""

from __future__ import annotations

import csv
import json
import os
import re
from html.parser import HTMLParser
from pathlib import Path

import openpyxl
import pytest
from corpus import CASES, FORMULA_TEXT, available, formula_text, huge_and_control_text, rows, xlsx

import assess
from assess.report import write_report


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_corpus_file_gives_its_expected_outcome(case, tmp_path, runner):
    if not available(case):
        pytest.skip(f"making {case.name} needs {case.needs}, which is not installed")
    from assess.cli import app

    path = tmp_path / case.name
    case.make(path)
    result = runner.invoke(app, ["score", str(path), "--limit", "3"])
    output = result.output
    assert result.exit_code == case.exit_code, output
    assert "Traceback" not in output
    assert case.says in " ".join(output.split())
    if case.exit_code == 2:
        lines = [line for line in result.stderr.splitlines() if line.strip()]
        assert len(lines) == 1 and lines[0].startswith("assess: error: ")


@pytest.mark.parametrize("fmt", ["csv", "md", "html", "json", "xlsx"])
def test_formula_text_stays_inert_in_every_output(fmt, tmp_path):
    src = tmp_path / "hostile.xlsx"
    formula_text(src)
    out = write_report(assess.score(src), tmp_path / f"report.{fmt}")
    if fmt == "xlsx":
        wb = openpyxl.load_workbook(out)
        for ws in wb.worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, str) and any(
                        t.strip() in cell.value for t in FORMULA_TEXT
                    ):
                        assert cell.data_type == "s", (ws.title, cell.coordinate)
    elif fmt == "csv":
        with out.open(newline="") as fh:
            cells = [c for r in csv.reader(fh) for c in r]
        for text in FORMULA_TEXT:
            assert text not in cells  # never as-is in a cell
            assert "'" + text in cells
    elif fmt == "json":
        # JSON is data, not a spreadsheet: the text is kept exactly, as a string
        names = {e["Engagement"] for e in json.loads(out.read_text())["engagements"]}
        assert set(FORMULA_TEXT) <= names
    elif fmt == "html":
        page = out.read_text()
        assert '=HYPERLINK("http' not in page  # quotes are escaped
        assert (
            "&#39;=HYPERLINK(&#34;http" in page
            or "&#x27;=HYPERLINK(&quot;http" in page
            or "'=HYPERLINK(&#34;http" in page
        )
    else:
        text = out.read_text()
        for line in text.splitlines():
            for cell in line.split("|"):
                assert not cell.strip().startswith(("=", "+", "@")), cell


def test_huge_strings_and_control_characters_are_written_safely(tmp_path):
    src = tmp_path / "huge.xlsx"
    huge_and_control_text(src)
    result = assess.score(src)
    for fmt in ("xlsx", "csv", "json", "html", "md"):
        write_report(result, tmp_path / f"r.{fmt}")
    wb = openpyxl.load_workbook(tmp_path / "r.xlsx")
    values = [c.value for r in wb["Scores"].iter_rows() for c in r if isinstance(c.value, str)]
    assert max(len(v) for v in values) <= 32767  # Excel's cell limit
    assert not any(re.search(r"[\x00-\x08\x0b\x0c\x0e-\x1f]", v) for v in values)
    json.loads((tmp_path / "r.json").read_text())
    page = (tmp_path / "r.html").read_text()
    assert "<script>alert" not in page


def test_terminal_output_carries_no_escape_sequences(tmp_path, runner):
    from assess.cli import app

    src = tmp_path / "ctl.xlsx"
    xlsx(
        src,
        [
            ["C\x1b[31m1", "name\x1b]0;title\x07", "x", 3, 3, 3, 3, 1],
            ["C2", "x", "x", "oops\x1b[2J", 1, 1, 1, 1],
        ],
    )
    result = runner.invoke(app, ["score", str(src)], env={"COLUMNS": "200"})
    assert "\x1b" not in result.output
    assert "Engagements!D3" in result.output


def test_output_path_equal_to_input_is_refused_and_input_untouched(tmp_path, runner):
    from assess.cli import app

    src = xlsx(tmp_path / "in.xlsx", rows(2))
    before = src.read_bytes()
    for target in (src, tmp_path / "." / "in.xlsx"):
        result = runner.invoke(app, ["score", str(src), "-o", str(target)])
        assert result.exit_code == 2
        assert "refusing to write the report over its input" in result.stderr
    assert src.read_bytes() == before


def test_interrupted_write_leaves_the_earlier_report_intact(tmp_path, monkeypatch):
    src = xlsx(tmp_path / "in.xlsx", rows(2))
    result = assess.score(src)
    target = write_report(result, tmp_path / "report.xlsx")
    before = target.read_bytes()
    import assess.report.xlsx.workbook as xlsx_writer

    def explode(*args, **kwargs):
        raise KeyboardInterrupt  # as if the user pressed Ctrl-C half way through

    monkeypatch.setattr(xlsx_writer, "write_criteria_sheet", explode)
    with pytest.raises(KeyboardInterrupt):
        write_report(result, target)
    assert target.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == ["in.xlsx", "report.xlsx"]  # no temp files


def test_report_keeps_the_file_mode_of_the_report_it_replaces(tmp_path):
    src = xlsx(tmp_path / "in.xlsx", rows(2))
    target = write_report(assess.score(src), tmp_path / "r.csv")
    os.chmod(target, 0o640)
    write_report(assess.score(src), target)
    assert target.stat().st_mode & 0o777 == 0o640


@pytest.mark.parametrize(
    "text, says",
    [
        ("a: &x [1]\nb: *x\n", "aliases"),
        ("!!python/object/apply:os.system ['echo owned > /tmp/assess-owned']\n", "not valid YAML"),
        (
            "name: x\n" + "a:\n" * 1 + "".join("  " * i + "- \n" for i in range(40)),
            "nested too deeply",
        ),
    ],
)
def test_hostile_rubric_is_refused_with_one_line(tmp_path, runner, text, says, yaml_parser):
    from assess.cli import app

    path = tmp_path / "bad.yaml"
    path.write_text(text)
    src = xlsx(tmp_path / "in.xlsx", rows(1))
    result = runner.invoke(app, ["score", str(src), "--rubric", str(path)])
    assert result.exit_code == 2
    assert says in result.stderr
    assert len(result.stderr.strip().splitlines()) == 1
    assert not Path("/tmp/assess-owned").exists()


def test_oversized_rubric_is_refused(tmp_path):
    path = tmp_path / "big.yaml"
    path.write_text("name: big\n# " + "x" * 1_100_000 + "\n")
    with pytest.raises(assess.RubricError, match="larger than"):
        assess.load_rubric(path)


class _Links(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.scripts = 0

    def handle_starttag(self, tag, attrs):
        self.scripts += tag == "script"


def test_html_report_has_only_its_own_script(tmp_path):
    src = tmp_path / "huge.xlsx"
    huge_and_control_text(src)
    page = write_report(assess.score(src), tmp_path / "r.html").read_text()
    parser = _Links()
    parser.feed(page)
    assert parser.scripts == 1
