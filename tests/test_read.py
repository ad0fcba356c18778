"""Reading: finding the table in real workbooks and CSV files, whatever their layout."""

from __future__ import annotations

import json

import pandas as pd
import pytest
import xlsxwriter
from conftest import HEADER, header_row_of, row, write_csv, write_ods, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess


def test_header_under_a_title_block_is_found(tmp_path, default_rubric):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2")], title_rows=3)
    table = assess.read_table(path, default_rubric)
    assert table.header_row == 5 == header_row_of(3)


def test_rows_under_a_title_block_keep_their_excel_row_numbers(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1"), row("E2")], title_rows=3)
    result = assess.score(path)
    assert result.engagements.loc["E1", "row"] == 6
    assert result.engagements.loc["E2", "row"] == 7


def test_table_on_second_sheet_behind_a_notes_sheet_is_found(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", [row("E1")], sheet="Data", extra_sheets_before=["Read me"]
    )
    result = assess.score(path)
    assert result.sources[0].sheet == "Data"
    assert list(result.engagements.index) == ["E1"]


@pytest.mark.parametrize(
    ("position", "written"),
    [
        (0, "Engagement_ID"),
        (0, "engagement id"),
        (3, "TRANSPARENCY (0-4)"),
        (4, "norms-alignment"),
        (5, " Interoperability "),
        (6, "Resources [0-4]"),
        (7, "POLITICAL   FRICTION"),
    ],
)
def test_header_variants_match_the_rubric_column(tmp_path, position, written):
    header = list(HEADER)
    header[position] = written
    ratings = [0, 1, 2, 3, 4]  # a distinct rating per criterion shows which column was read
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1", *ratings)], header=header)
    result = assess.score(path)
    got = result.engagements.loc["E1"]
    assert [
        got[f"{c}.rating"]
        for c in (
            "transparency",
            "norms_alignment",
            "interoperability",
            "resources",
            "political_friction",
        )
    ] == ratings


def _two_tables(tmp_path):
    """FY2025 (first, holding NEW-1) and FY2024 (holding OLD-1), both full tables."""
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "FY2025"
    wb.create_sheet("FY2024")
    for name, eid in (("FY2025", "NEW-1"), ("FY2024", "OLD-1")):
        wb[name].append(HEADER)
        wb[name].append(row(eid))
    path = tmp_path / "two.xlsx"
    wb.save(path)
    return path


def test_sheet_option_picks_the_named_sheet(tmp_path):
    result = assess.score(_two_tables(tmp_path), sheet="FY2024")
    assert list(result.engagements.index) == ["OLD-1"]
    assert result.sources[0].sheet == "FY2024"


def test_cli_sheet_option_picks_the_named_sheet(tmp_path, cli):
    out = cli("score", _two_tables(tmp_path), "--sheet", "FY2024", "--format", "json")
    assert [e["id"] for e in json.loads(out.stdout)["engagements"]] == ["OLD-1"]


def test_unknown_sheet_is_an_input_error(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1")])
    with pytest.raises(assess.InputError, match="Nope"):
        assess.score(path, sheet="Nope")


def test_blank_rows_are_skipped_and_not_counted(tmp_path):
    blank = [None] * len(HEADER)
    path = write_xlsx(tmp_path / "t.xlsx", [row("E1"), blank, row("E2"), blank, blank, row("E3")])
    result = assess.score(path)
    assert result.counts["rows"] == 3
    assert result.counts["scored"] == 3
    assert result.summary()["blank_rows_skipped"] == 3


def test_whitespace_only_row_counts_as_blank(tmp_path):
    path = write_xlsx(
        tmp_path / "t.xlsx", [row("E1"), ["  ", None, " ", None, None, None, None, None], row("E2")]
    )
    assert assess.score(path).counts["rows"] == 2


def test_csv_with_semicolons_decimal_commas_and_bom(tmp_path):
    path = write_csv(
        tmp_path / "eu.csv", [row("E1", t="2,5", n="1,5"), row("E2")], delimiter=";", bom=True
    )
    result = assess.score(path)
    assert result.counts == {
        "rows": 2,
        "scored": 2,
        "insufficient": 0,
        "rejected": 0,
        "not_approved": 0,
    }
    assert result.engagements.loc["E1", "transparency.rating"] == 2.5
    assert result.engagements.loc["E1", "norms_alignment.rating"] == 1.5


def test_csv_in_cp1252_keeps_accented_names(tmp_path):
    names = ["Opération Côte d'Ivoire", "Übung Zürich", "Misión Perú"]
    rows = [row(f"E{k}", name=n) for k, n in enumerate(names)]
    path = write_csv(tmp_path / "latin.csv", rows, encoding="cp1252")
    result = assess.score(path)
    assert sorted(result.engagements["Engagement"]) == sorted(names)


def test_ods_file_is_scored(tmp_path):
    path = write_ods(tmp_path / "t.ods", [row("E1", 4, 4, 4, 4, 0), row("E2", 2, 2, 2, 2, 2)])
    result = assess.score(path)
    assert result.counts["scored"] == 2
    assert result.engagements.loc["E1", "transparency.rating"] == 4
    assert result.engagements.loc["E2", "political_friction.rating"] == 2


def test_formula_cell_cached_value_is_used(tmp_path):
    path = tmp_path / "formula.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, row("E1", t=0, n=1))
    ws.write_formula("D2", "=1+2", None, 3)
    ws.write_formula("E2", "=2*2", None, 4)
    wb.close()
    result = assess.score(path)
    assert result.engagements.loc["E1", "transparency.rating"] == 3
    assert result.engagements.loc["E1", "norms_alignment.rating"] == 4


CARRIED = {
    "Engagement": "Exercise Blue",
    "Type": "Joint exercise",
    "Partners": "Norway; Finland",
    "Notes": "AAR shared",
}


def _with_carried(tmp_path):
    body = [
        *row("E1", name=CARRIED["Engagement"], kind=CARRIED["Type"]),
        CARRIED["Partners"],
        CARRIED["Notes"],
    ]
    return write_xlsx(tmp_path / "t.xlsx", [body], header=[*HEADER, "Partners", "Notes"])


def test_carried_columns_come_through_to_the_result(tmp_path):
    got = assess.score(_with_carried(tmp_path)).engagements.loc["E1"]
    assert {k: got[k] for k in CARRIED} == CARRIED


def test_carried_columns_come_through_to_json(tmp_path, cli):
    out = cli("score", _with_carried(tmp_path), "--format", "json")
    item = json.loads(out.stdout)["engagements"][0]
    assert {k: item[k] for k in CARRIED} == CARRIED


def test_file_without_the_rubric_columns_is_an_input_error(tmp_path):
    path = write_xlsx(tmp_path / "t.xlsx", [["x", "y"]], header=["Foo", "Bar"])
    with pytest.raises(assess.InputError, match="no table"):
        assess.score(path)


# -- the Arrow fast path for CSV gives what the general csv-module path gives ---------------

cell_text = st.one_of(
    st.sampled_from(["", " ", "N/A", "3", "2,5", "4.0", "high", "Full", "3 - Substantial", "-1"]),
    st.text(
        alphabet=st.characters(blacklist_categories=["Cs"], blacklist_characters="\x00"),
        max_size=12,
    ),
)
ids = st.one_of(
    st.sampled_from(["E1", "E2", " E1", "E1 ", "E 1", "", "=cmd", "é", "E\t2"]),
    # ids that only look different: invisible characters, full-width letters, number forms
    st.sampled_from(["E\u200b1", "\ufeffE1", "Ｅ1", "2", "2.0", "2.50", "-0", "0", "\u200b"]),
    st.text(alphabet="AEX 0123-", max_size=5),
)


def _general_path(monkeypatch):
    import assess.read.tables

    monkeypatch.setattr(assess.read.tables, "read_csv_table", lambda *args: None)


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(ids, cell_text, cell_text, cell_text), min_size=1, max_size=25))
def test_csv_fast_path_matches_the_general_path(tmp_path_factory, monkeypatch, rows):
    # ids with stray spaces, duplicates, formula prefixes; ratings and names of any text
    path = tmp_path_factory.mktemp("fast") / "t.csv"
    write_csv(path, [(i, name, "Joint exercise", t, t, 2, 3, f) for i, name, t, f in rows])
    fast = path.read_bytes()
    try:
        got = assess.score(path)
    except assess.InputError as exc:
        got = str(exc)
    with monkeypatch.context() as m:
        _general_path(m)
        try:
            want = assess.score(path)
        except assess.InputError as exc:
            want = str(exc)
    assert path.read_bytes() == fast
    if isinstance(want, str) or isinstance(got, str):
        assert got == want
        return
    assert got.counts == want.counts
    assert [str(r) for r in got.rejected] == [str(r) for r in want.rejected]
    assert [s.to_dict() for s in got.sources] == [s.to_dict() for s in want.sources]
    pd.testing.assert_frame_equal(
        got.engagements.astype(object), want.engagements.astype(object), check_dtype=False
    )


def test_csv_with_a_blank_line_keeps_its_row_numbers(tmp_path):
    # a blank line is a skipped row: the rows after it keep their line numbers
    path = tmp_path / "gap.csv"
    write_csv(path, [row("E1"), row("E2", t="high")])
    text = path.read_text(encoding="utf-8").splitlines()
    path.write_text("\n".join([text[0], text[1], "", text[2]]) + "\n", encoding="utf-8")
    result = assess.score(path)
    assert [str(r).split(" (")[0] for r in result.rejected] == [
        "gap!D4: 'high' is not a rating 0-4"
    ]
    assert result.sources[0].blank_rows == 1
