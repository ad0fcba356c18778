"""Text from the input stays inert in every report: never a formula in CSV or Excel."""

from __future__ import annotations

import csv
import io

import pandas as pd
import pytest
from conftest import HEADER, row, write_xlsx
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from assess.report.safety import FORMULA_PREFIXES, MAX_CELL_TEXT, safe_cell, safe_text_column

HOSTILE = ['=HYPERLINK("http://x")', "+cmd|' /C calc'!A0", "@SUM(1)", "-2+3"]


@pytest.fixture
def hostile_input(tmp_path):
    header = [*HEADER, "Notes"]
    rows = [
        [*row(f"E{k}", name=text, kind="Joint exercise"), text] for k, text in enumerate(HOSTILE)
    ]
    rows.append([*row("E9", t=HOSTILE[0]), "rejected row"])  # hostile text as a bad rating
    return write_xlsx(tmp_path / "hostile.xlsx", rows, header=header)


@pytest.mark.parametrize("text", HOSTILE)
def test_csv_prefixes_formula_like_text_with_an_apostrophe(tmp_path, cli, hostile_input, text):
    target = tmp_path / "out.csv"
    cli("score", hostile_input, "-o", target)
    rows = list(csv.DictReader(io.StringIO(target.read_text(encoding="utf-8"))))
    by_id = {r["id"]: r for r in rows}
    k = HOSTILE.index(text)
    assert by_id[f"E{k}"]["Engagement"] == "'" + text
    assert by_id[f"E{k}"]["Notes"] == "'" + text


def test_csv_printed_to_stdout_is_defused_too(cli, hostile_input):
    out = cli("score", hostile_input, "--format", "csv").stdout
    rows = list(csv.DictReader(io.StringIO(out)))
    assert all(not r["Engagement"].startswith(("=", "+", "@", "-")) for r in rows)


def test_csv_defuses_a_formula_like_engagement_id(tmp_path, cli):
    path = write_xlsx(tmp_path / "in.xlsx", [row("=1+1"), row("E2")])
    rows = list(csv.DictReader(io.StringIO(cli("score", path, "--format", "csv").stdout)))
    assert sorted(r["id"] for r in rows) == ["'=1+1", "E2"]


def _cells_holding(wb, text):
    return [
        c
        for ws in wb.worksheets
        for r in ws.iter_rows()
        for c in r
        if isinstance(c.value, str) and text in c.value
    ]


@pytest.mark.parametrize("text", HOSTILE)
def test_xlsx_keeps_formula_like_text_as_a_text_cell(tmp_path, cli, hostile_input, text):
    target = tmp_path / "out.xlsx"
    cli("score", hostile_input, "-o", target)
    cells = _cells_holding(load_workbook(target), text)
    assert cells, "the text should appear in the report"
    assert {c.data_type for c in cells} == {"s"}


def test_xlsx_rejected_value_stays_a_text_cell(tmp_path, cli, hostile_input):
    target = tmp_path / "out.xlsx"
    cli("score", hostile_input, "-o", target)
    wb = load_workbook(target)
    cells = [c for r in wb["Rejected"].iter_rows() for c in r if c.value == HOSTILE[0]]
    assert cells and all(c.data_type == "s" for c in cells)


def test_csv_defuses_a_formula_like_sheet_name(tmp_path, cli):
    path = write_xlsx(tmp_path / "in.xlsx", [row("E1")], sheet="-FY2025")
    rows = list(csv.DictReader(io.StringIO(cli("score", path, "--format", "csv").stdout)))
    assert [r["sheet"] for r in rows] == ["'-FY2025"]


# the vectorised CSV path makes exactly the cells safe_cell makes
any_text = st.text(alphabet=st.characters(blacklist_categories=["Cs"]), max_size=20)
prefixed = st.builds(lambda p, t: p + t, st.sampled_from(list(FORMULA_PREFIXES)), any_text)


@settings(max_examples=200, deadline=None)
@given(st.lists(st.one_of(any_text, prefixed, st.none()), max_size=30), st.booleans())
def test_safe_text_column_is_safe_cell_on_every_text_cell(cells, arrow):
    values = pd.Series(cells, dtype=pd.StringDtype("pyarrow") if arrow else object)
    expected = [None if v is None else safe_cell(v) for v in cells]
    assert safe_text_column(values).to_pylist() == expected


@settings(max_examples=100, deadline=None)
@given(
    st.lists(
        st.one_of(
            any_text, prefixed, st.none(), st.floats(allow_nan=False), st.integers(), st.booleans()
        ),
        max_size=30,
    )
)
@example([0.0, 0])  # equal values of different types are written as each is
@example([0.0, -0.0])  # equal floats written differently: each as it is
@example([1, True, None, 1.0])
def test_safe_text_column_writes_other_values_as_their_text(cells):
    expected = [
        None if v is None else safe_cell(v) if isinstance(v, str) else str(v) for v in cells
    ]
    assert safe_text_column(pd.Series(cells, dtype=object)).to_pylist() == expected


def test_a_long_text_cell_is_capped_in_csv():
    long = "x" * (MAX_CELL_TEXT + 10)
    (got,) = safe_text_column(pd.Series([long], dtype=object)).to_pylist()
    assert len(got) == MAX_CELL_TEXT and got.endswith("…")
