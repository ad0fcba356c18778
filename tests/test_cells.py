"""Odd cells: formula errors in every reader, ids that only look different, numbers in
messages, -0 ratings, and a second table below the first on one sheet."""

from __future__ import annotations

import csv
import json
import math
import re
import zipfile
from pathlib import Path

import pandas as pd
import pytest
import xlsxwriter
from conftest import (
    HEADER,
    dump_rubric,
    indicator_rubric_data,
    row,
    write_csv,
    write_xlsx,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libreoffice import convert, needs_libreoffice

import assess
from assess.errors import MissingColumnError

# -- formula error cells, in .xlsx, .xls and .ods alike ------------------------------------------

CASES_HEADER = ["ID", "Alpha", "Beta", "Objectives met", "Personnel trained"]


def cases_rubric(path: Path) -> Path:
    """alpha, beta rated 0-4; delivery measured by two indicators."""
    return dump_rubric(path, indicator_rubric_data())


def formula_workbook(path: Path) -> Path:
    """Formulas that fail in a rating, an indicator and the id column, written without cached
    values: LibreOffice computes them when it converts the file.  Row 7's Beta is the text
    '#N/A' (a missing marker), in the column whose row 4 holds the error #N/A."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Cases")
    ws.write_row(0, 0, CASES_HEADER)
    for r, eid in enumerate(["C1", "C2", "C3", "C4", "C5", "C6"], start=1):
        ws.write_row(r, 0, [eid, 3, 2, 0.5, 100])
    ws.write_formula("B3", "=1/0")
    ws.write_formula("C4", "=NA()")
    ws.write_formula("D5", "=1/0")
    ws.write_formula("A6", "=#REF!")
    ws.write_string("C7", "#N/A")
    wb.close()
    return path


#: Excel row -> the headline of its rejection, whatever the file format
FORMULA_REJECTIONS = {
    3: "Cases!B3: '#DIV/0!' is not a rating 0-4 (the cell's formula failed)",
    4: "Cases!C4: '#N/A' is not a rating 0-4 (the cell's formula failed)",
    5: "Cases!D5: '#DIV/0!' is not a number (the cell's formula failed)",
    6: "Cases!A6: the engagement id cell holds a formula error (#REF!)",
}


@pytest.fixture(scope="module")
def formula_files(tmp_path_factory):
    """The workbook recalculated and saved by LibreOffice as .ods, .xls and .xlsx (the tests
    that use it are marked needs_libreoffice: they skip, saying why, without it)."""
    folder = tmp_path_factory.mktemp("formulas")
    src = formula_workbook(folder / "cases.xlsx")
    files = {ext: convert(src, folder / ext, ext) for ext in ("ods", "xls")}
    files["xlsx"] = convert(src, folder / "xlsx")
    return files, cases_rubric(folder / "cases.yaml")


@needs_libreoffice
@pytest.mark.parametrize("ext", ["ods", "xls", "xlsx"])
def test_formula_errors_reject_their_rows_in_every_format(formula_files, ext):
    files, rubric = formula_files
    result = assess.score(files[ext], rubric=rubric)
    assert {r.row: str(r) for r in result.rejected} == FORMULA_REJECTIONS
    # the text '#N/A' below the error #N/A is a missing rating, and no engagement is '#REF!'
    assert sorted(result.engagements.index) == ["C1", "C6"]
    assert math.isnan(result.engagements.loc["C6", "beta.rating"])
    assert result.counts == {
        "rows": 6,
        "scored": 2,
        "insufficient": 0,
        "rejected": 4,
        "not_approved": 0,
    }


@needs_libreoffice
@pytest.mark.parametrize("ext", ["ods", "xls"])
def test_cli_reports_formula_errors_of_ods_and_xls(formula_files, cli, ext):
    files, rubric = formula_files
    out = cli("score", files[ext], "--rubric", rubric, "--format", "json")
    assert out.exit_code == 1
    got = json.loads(out.stdout)
    reasons = {r["cell"]: r["reason"] for r in got["rejected"]}
    assert reasons["Cases!A6"] == "the engagement id cell holds a formula error (#REF!)"
    assert reasons["Cases!D5"] == "'#DIV/0!' is not a number (the cell's formula failed)"
    assert [r["value"] for r in got["rejected"] if r["cell"] == "Cases!B3"] == ["#DIV/0!"]
    assert "#REF!" not in [e["id"] for e in got["engagements"]]


_ODS_NS = (
    'xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" '
    'xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" '
    'xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" '
    'xmlns:calcext="urn:org:documentfoundation:names:experimental:calc:xmlns:calcext:1.0"'
)


def _text(t: str, attrs: str = "") -> str:
    cell = f'<table:table-cell {attrs} office:value-type="string">'
    return f"{cell}<text:p>{t}</text:p></table:table-cell>"


def _num(v: float) -> str:
    cell = f'<table:table-cell office:value-type="float" office:value="{v}">'
    return f"{cell}<text:p>{v}</text:p></table:table-cell>"


def _error(t: str, repeat: int = 1, comment: str = "") -> str:
    note = f"<office:annotation><text:p>{comment}</text:p></office:annotation>" if comment else ""
    return (
        f'<table:table-cell table:number-columns-repeated="{repeat}" table:formula="of:=NA()" '
        'office:value-type="string" office:string-value="" calcext:value-type="error">'
        f"{note}<text:p>{t}</text:p></table:table-cell>"
    )


def ods_by_hand(path: Path, rows: list[str]) -> Path:
    """An .ods whose content.xml is written as LibreOffice writes it: rows of cells, repeats,
    merged cells, and the unused rest of the sheet as one repeated empty row."""
    body = "".join(
        r if r.startswith("<table:table-row") else f"<table:table-row>{r}</table:table-row>"
        for r in rows
    )
    content = (
        f'<?xml version="1.0" encoding="UTF-8"?><office:document-content {_ODS_NS} '
        'office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Cases">'
        f"{body}"
        '<table:table-row table:number-rows-repeated="1048570">'
        '<table:table-cell table:number-columns-repeated="16384"/></table:table-row>'
        "</table:table></office:spreadsheet></office:body></office:document-content>"
    )
    manifest = (
        '<?xml version="1.0" encoding="UTF-8"?><manifest:manifest '
        'xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" '
        'manifest:version="1.2">'
        '<manifest:file-entry manifest:full-path="/" '
        'manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/>'
        '<manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/>'
        "</manifest:manifest>"
    )
    with zipfile.ZipFile(path, "w") as z:
        z.writestr(zipfile.ZipInfo("mimetype"), "application/vnd.oasis.opendocument.spreadsheet")
        z.writestr("META-INF/manifest.xml", manifest)
        z.writestr("content.xml", content)
    return path


def test_ods_error_cells_are_placed_through_repeats_and_merged_cells(tmp_path):
    path = ods_by_hand(
        tmp_path / "repeats.ods",
        [
            "".join(_text(h) for h in CASES_HEADER),
            _text("C1") + _num(3) + _num(2) + _num(0.5) + _num(100),
            # one row written once for three identical rows, its error cell for two columns
            '<table:table-row table:number-rows-repeated="3">'
            + _text("C2")
            + _error("#N/A", 2)
            + _num(0.5)
            + _num(100)
            + "</table:table-row>",
            # the id merged over Alpha: the error cell after the covered cell is Beta's (and
            # its comment is not its text)
            _text("C5", 'table:number-columns-spanned="2"')
            + "<table:covered-table-cell/>"
            + _error("#VALUE!", comment="check the source")
            + _num(0.5)
            + _num(100),
        ],
    )
    result = assess.score(path, rubric=cases_rubric(tmp_path / "cases.yaml"))
    failed = {
        (r.row, p.column, p.value)
        for r in result.rejected
        for p in r.problems
        if "formula failed" in p.reason
    }
    assert failed == {
        *((r, c, "#N/A") for r in (3, 4, 5) for c in ("B", "C")),
        (6, "C", "#VALUE!"),
    }
    assert list(result.engagements.index) == ["C1"]


def test_a_huge_repeat_count_of_error_cells_is_not_expanded(tmp_path):
    from assess.read.error_cells import ods_error_cells

    path = ods_by_hand(
        tmp_path / "huge.ods",
        [
            '<table:table-row table:number-rows-repeated="1000000000">'
            + _error("#N/A", 16384)
            + "</table:table-row>"
        ],
    )
    # only the cells within the sheet as read (here 5 rows of 4 cells) are looked at
    found = ods_error_cells(path, {"Cases": (5, 4)})
    assert sorted(found["Cases"]) == [(r, c, "#N/A") for r in range(5) for c in range(4)]


def test_an_error_in_the_id_column_is_no_engagement(tmp_path):
    path = tmp_path / "ref.xlsx"
    wb = xlsxwriter.Workbook(str(path))
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    ws.write_row(1, 0, row("E1"))
    ws.write_row(2, 0, row(None))
    ws.write_formula("A3", "=#REF!", None, "#REF!")
    wb.close()
    result = assess.score(path)
    assert list(result.engagements.index) == ["E1"]
    assert [(str(r), r.id, r.value) for r in result.rejected] == [
        ("Engagements!A3: the engagement id cell holds a formula error (#REF!)", None, "#REF!")
    ]


def _xlsx_with_errors(path: Path, cells: list[tuple[str, bool]]) -> Path:
    """Ratings of Transparency (column D) for E1, E2, ...: (text, is_error) each; an error
    cell is a formula whose cached result is that error."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False})
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    for i, (text, is_error) in enumerate(cells, start=1):
        ws.write_row(i, 0, row(f"E{i}", t=None))
        if is_error:
            ws.write_formula(i, 3, "=NA()", None, text)
        elif text is not None:
            ws.write_string(i, 3, text)
    wb.close()
    return path


@pytest.mark.parametrize("order", ["text first", "error first"])
def test_text_na_and_an_error_na_in_one_column_are_read_apart(tmp_path, order):
    cells = [("#N/A", False), ("#N/A", True)]
    if order == "error first":
        cells.reverse()
    result = assess.score(_xlsx_with_errors(tmp_path / "na.xlsx", cells))
    error_row = 2 + [c[1] for c in cells].index(True)
    assert [str(r) for r in result.rejected] == [
        f"Engagements!D{error_row}: '#N/A' is not a rating 0-4 (the cell's formula failed)"
    ]
    text_id = f"E{1 + [c[1] for c in cells].index(False)}"
    assert math.isnan(result.engagements.loc[text_id, "transparency.rating"])


cell_kinds = st.sampled_from(
    [
        ("#N/A", False),
        ("#N/A", True),
        ("#DIV/0!", False),
        ("#DIV/0!", True),
        ("3", False),
        (None, False),
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(cell_kinds, min_size=1, max_size=12))
def test_each_cell_is_read_by_its_own_type_wherever_it_sits(tmp_path_factory, cells):
    path = _xlsx_with_errors(tmp_path_factory.mktemp("mix") / "mix.xlsx", cells)
    result = assess.score(path)
    reasons = {r.row: r.reason for r in result.rejected}
    for i, (text, is_error) in enumerate(cells, start=1):
        excel_row = i + 1
        if is_error:
            assert (
                reasons.pop(excel_row)
                == f"{text!r} is not a rating 0-4 (the cell's formula failed)"
            )
        elif text == "#DIV/0!":  # text, not a failed formula: not a rating, said as such
            assert "formula failed" not in reasons.pop(excel_row)
        else:
            got = result.engagements.loc[f"E{i}", "transparency.rating"]
            assert (got == 3.0) if text == "3" else math.isnan(got)
    assert not reasons


# -- ids that only look different ------------------------------------------------------------------


def _xlsx_ids(path: Path, ids: list) -> Path:
    """One row per id, each id written as given (text or number), ratings all 3 (friction 1)."""
    wb = xlsxwriter.Workbook(str(path), {"strings_to_formulas": False, "strings_to_numbers": False})
    ws = wb.add_worksheet("Engagements")
    ws.write_row(0, 0, HEADER)
    for i, eid in enumerate(ids, start=1):
        ws.write_row(i, 0, row(eid))
    wb.close()
    return path


def test_ids_differing_by_invisible_characters_or_number_form_are_one_engagement(tmp_path):
    ids = ["E1", "E\u200b1", 2, "2.0", " \ufeffE1 ", "Ｅ１", "e1", "007", 7, "2.50", 2.5]
    result = assess.score(_xlsx_ids(tmp_path / "ids.xlsx", ids))
    # the first of each kept as written; case and leading zeros make different ids
    assert sorted(result.engagements.index) == sorted(["E1", "2", "e1", "007", "7", "2.50"])
    assert {r.row: r.reason for r in result.rejected} == {
        3: "duplicate engagement id 'E\\u200b1' (first at row 2, written 'E1')",
        5: "duplicate engagement id '2.0' (first at row 4, written '2')",
        6: "duplicate engagement id '\\ufeffE1' (first at row 2, written 'E1')",
        7: "duplicate engagement id 'Ｅ１' (first at row 2, written 'E1')",
        12: "duplicate engagement id '2.5' (first at row 11, written '2.50')",
    }
    assert result.counts["rows"] == len(ids)


def test_an_id_of_invisible_characters_only_is_missing(tmp_path):
    result = assess.score(_xlsx_ids(tmp_path / "ids.xlsx", ["E1", "\u200b\u200b"]))
    assert [(r.row, r.reason, r.id) for r in result.rejected] == [
        (3, "missing engagement id", None)
    ]


def test_ids_are_compared_alike_across_files(tmp_path):
    a = write_csv(tmp_path / "a.csv", [row("E1"), row("2")])
    b = _xlsx_ids(tmp_path / "b.xlsx", ["E\u200b1", 2.0, "E3"])
    result = assess.score([a, b])
    assert sorted(result.engagements.index) == ["2", "E1", "E3"]
    assert [r.reason for r in result.rejected] == [
        "duplicate engagement id 'E\\u200b1' (first in a.csv row 2, written 'E1')",
        "duplicate engagement id '2' (first in a.csv row 3)",
    ]


def test_raters_writing_one_id_differently_rate_one_engagement(tmp_path):
    path = tmp_path / "long.csv"
    with path.open("w", newline="", encoding="utf-8") as fh:
        w = csv.writer(fh)
        w.writerow(["Engagement ID", "Rater", "Criterion", "Rating"])
        for eid, rater in (("2", "A"), ("2.0", "B"), ("E\u200b5", "A"), ("E5", "B")):
            for c in ("transparency", "norms_alignment", "interoperability"):
                w.writerow([eid, rater, c, 3])
    result = assess.score(path)
    assert sorted(result.engagements.index) == ["2", "E\u200b5"]
    assert result.agreement.raters == ["A", "B"]
    assert not result.rejected


def test_rater_sheets_match_ids_written_differently(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Rater A"
    wb.create_sheet("Rater B")
    for name, ids in (("Rater A", ["E1", "E2"]), ("Rater B", ["E\u200b1", " E2 "])):
        wb[name].append(HEADER)
        for eid in ids:
            wb[name].append(row(eid))
    wb.save(tmp_path / "raters.xlsx")
    result = assess.score(tmp_path / "raters.xlsx")
    assert sorted(result.engagements.index) == ["E1", "E2"]
    assert result.agreement.layout == "sheet"


def test_explain_finds_an_id_written_another_way(tmp_path):
    result = assess.score(_xlsx_ids(tmp_path / "ids.xlsx", [2, "E1"]))
    assert assess.explain(result, "2.0").id == "2"
    assert assess.explain(result, "E\u200b1").id == "E1"


def test_dask_engine_compares_ids_as_the_in_memory_path_does(tmp_path):
    pytest.importorskip("dask.dataframe", reason="the Dask engine needs: pip install '.[dask]'")
    from assess.engines.dask import score_dask

    folder = tmp_path / "archive"
    folder.mkdir()
    write_csv(folder / "part-1.csv", [row("E1"), row("2")])
    write_csv(folder / "part-2.csv", [row("E\u200b1"), row("2.0"), row("E3")])
    done = score_dask(folder, output=tmp_path / "s.csv", scheduler="synchronous")
    assert (done.scored, done.rejected) == (3, 2)
    got = pd.read_csv(done.rejected_output, dtype=str, keep_default_na=False)
    assert sorted(got["reason"]) == [
        "duplicate engagement id '2.0' (first in part-1.csv row 3, written '2')",
        "duplicate engagement id 'E\\u200b1' (first in part-1.csv row 2, written 'E1')",
    ]


#: how a person may write one id: (base, ways of writing it)
_FORMS = {
    "E1": ["E1", "E\u200b1", "\u2060E1", "E1\ufeff", "Ｅ1", "E\u200d1"],
    "e1": ["e1", "e\u200c1"],
    "A b": ["A b", "A  b", "A\u200b b", "A\u00a0b"],
    "2": ["2", "2.0", "2.00", "\u200b2"],
    "2.5": ["2.5", "2.50"],
    "02": ["02"],
}


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(sorted(_FORMS)), st.integers(0, 5), st.sampled_from(["", " ", "  "])
        ),
        min_size=1,
        max_size=15,
    )
)
def test_rows_are_one_engagement_exactly_when_their_ids_are_written_forms_of_one_id(
    tmp_path_factory, picks
):
    written = [pad + _FORMS[base][k % len(_FORMS[base])] + pad for base, k, pad in picks]
    path = write_csv(tmp_path_factory.mktemp("ids") / "ids.csv", [row(w) for w in written])
    result = assess.score(path)
    firsts: dict[str, str] = {}
    for (base, _, _), w in zip(picks, written, strict=True):
        firsts.setdefault(base, " ".join(w.split()))
    # one engagement per id, shown as first written; every later row a duplicate
    assert sorted(result.engagements.index) == sorted(firsts.values())
    assert len(result.rejected) == len(written) - len(firsts)
    assert all(r.reason.startswith("duplicate engagement id") for r in result.rejected)


# -- numbers in messages, and -0 -----------------------------------------------------------------


def test_huge_and_tiny_ratings_are_shown_as_a_person_writes_them(tmp_path, cli):
    rows = [
        row("E1", t=1e308),
        row("E2", t=-1e20),
        row("E3", t=2.0**60),
        row("E4", t=4.000000000000001),
    ]
    out = cli("score", write_xlsx(tmp_path / "big.xlsx", rows))
    assert "Engagements!D2: 1e+308 is outside the scale 0-4" in out.stdout
    assert "Engagements!D3: -1e+20 is outside the scale 0-4" in out.stdout
    assert "Engagements!D4: 1.152921504606847e+18 is outside the scale 0-4" in out.stdout
    assert "Engagements!D5: 4.000000000000001 is outside the scale 0-4" in out.stdout
    assert not re.search(r"\d{20}", out.stdout)


def test_a_rating_of_minus_zero_is_zero_in_every_output(tmp_path, cli):
    path = write_csv(tmp_path / "neg.csv", [row("E1", t="-0", f="-0.0"), row("E2")])
    result = assess.score(path)
    for col in ("transparency.rating", "transparency.normalised", "transparency.contribution"):
        assert math.copysign(1, result.engagements.loc["E1", col]) == 1
    out = cli("score", path, "--format", "csv")
    assert not re.search(r"(^|,)-0(\.0*)?(,|$)", out.stdout, re.M)
    item = next(
        e
        for e in json.loads(cli("score", path, "--format", "json").stdout)["engagements"]
        if e["id"] == "E1"
    )
    assert "-0" not in json.dumps(item)


# -- a second table below the first --------------------------------------------------------------

SWAPPED = [*HEADER[:3], HEADER[4], HEADER[3], *HEADER[5:]]  # Norms alignment before Transparency


def _two_tables(writer, path: Path, second_header=SWAPPED, title="FY2024 engagements") -> Path:
    """E1, E2 under HEADER; a blank row, a title line, then E3 and E4 under ``second_header``:
    E3 rates its first two criteria columns 1 and 2, as E1 and E2 do."""
    blank = [None] * len(HEADER)
    rows = [row("E1", 1, 2), row("E2", 1, 2), blank]
    if title:
        rows.append([title, *[None] * (len(HEADER) - 1)])
    rows += [list(second_header), row("E3", 1, 2), row("E4", 0, "high")]
    if writer is write_csv:
        return write_csv(path, rows)
    return write_xlsx(path, rows)


@pytest.mark.parametrize("writer", [write_xlsx, write_csv], ids=["xlsx", "csv"])
def test_a_second_table_is_read_with_its_own_columns(tmp_path, writer):
    ext = "xlsx" if writer is write_xlsx else "csv"
    result = assess.score(_two_tables(writer, tmp_path / f"two.{ext}"))
    got = result.engagements
    assert (got.loc["E1", "transparency.rating"], got.loc["E1", "norms_alignment.rating"]) == (1, 2)
    assert (got.loc["E3", "transparency.rating"], got.loc["E3", "norms_alignment.rating"]) == (2, 1)
    # the title is not an engagement, the repeated header not a rejected row
    assert sorted(got.index) == ["E1", "E2", "E3"]
    assert result.counts == {
        "rows": 4,
        "scored": 3,
        "insufficient": 0,
        "rejected": 1,
        "not_approved": 0,
    }
    # E4's bad rating is in column D, which is Transparency's in the second table
    sheet = "Engagements" if ext == "xlsx" else "two"
    assert str(result.rejected[0]).startswith(f"{sheet}!E8: 'high' is not a rating 0-4")
    assert result.sources[0].notes == (
        "row 6 repeats the header: the rows below it are a second table, read with its own "
        "columns (Norms alignment in D, not E; Transparency in E, not D); "
        "row 5 ('FY2024 engagements') is its title, not an engagement",
    )


def test_cli_says_what_happened_to_the_second_table(tmp_path, cli):
    path = _two_tables(write_xlsx, tmp_path / "two.xlsx")
    text = cli("score", path).stdout
    assert (
        "row 6 repeats the header" in text and "row 5 ('FY2024 engagements') is its title" in text
    )
    got = json.loads(cli("score", path, "--format", "json").stdout)
    assert got["summary"]["rows"] == 4
    assert any("second table" in n for n in got["sources"][0]["notes"])


def test_a_header_repeated_unchanged_is_not_a_row(tmp_path):
    # files joined end to end repeat their header line
    path = write_csv(tmp_path / "joined.csv", [row("E1"), HEADER, row("E2")])
    result = assess.score(path)
    assert result.counts == {
        "rows": 2,
        "scored": 2,
        "insufficient": 0,
        "rejected": 0,
        "not_approved": 0,
    }
    assert result.sources[0].notes == (
        "row 3 repeats the header: the rows below it are a second table, read with its own columns",
    )


def test_a_second_table_lacking_a_criterion_column_is_refused_or_allowed(tmp_path):
    path = write_xlsx(tmp_path / "short.xlsx", [row("E1"), HEADER[:7], row("E2")[:7]])
    with pytest.raises(
        MissingColumnError,
        match=r"header row 3: no column for criterion 'political_friction'",
    ):
        assess.score(path)
    result = assess.score(path, allow_missing="political_friction")
    assert result.counts["scored"] == 2
    assert math.isnan(result.engagements.loc["E2", "political_friction.rating"])
    assert any(
        n.startswith("the table at row 3: no column for criterion 'political_friction'")
        for n in result.sources[0].notes
    )


def test_a_second_table_without_an_id_column_is_refused(tmp_path):
    header = ["Name", *HEADER[1:]]
    path = write_xlsx(tmp_path / "noid.xlsx", [row("E1"), header, row("E2")])
    with pytest.raises(assess.InputError, match=r"header row 3: no id column 'Engagement ID'"):
        assess.score(path)


criteria_orders = st.permutations(list(range(3, 8)))


@settings(
    max_examples=30, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    criteria_orders,
    st.lists(st.tuples(*[st.integers(0, 4)] * 5), min_size=1, max_size=4),
    st.booleans(),
)
def test_every_rating_is_read_under_the_header_above_it(tmp_path_factory, order, ratings, title):
    header2 = [*HEADER[:3], *(HEADER[i] for i in order)]
    rows = [row("A0", 1, 2, 3, 4, 0)]
    if title:
        rows.append(["Second table"] + [""] * 7)
    rows.append(header2)
    for k, values in enumerate(ratings):
        rows.append([f"B{k}", "x", "y", *values])  # written in header2's column order
    result = assess.score(write_csv(tmp_path_factory.mktemp("t") / "t.csv", rows))
    assert result.counts["rows"] == 1 + len(ratings)
    names = {
        h: c
        for h, c in zip(
            HEADER[3:],
            [
                "transparency",
                "norms_alignment",
                "interoperability",
                "resources",
                "political_friction",
            ],
            strict=True,
        )
    }
    for k, values in enumerate(ratings):
        got = result.engagements.loc[f"B{k}"]
        for i, v in zip(order, values, strict=True):
            assert got[f"{names[HEADER[i]]}.rating"] == v


def _general_path(monkeypatch):
    import assess.read.tables

    monkeypatch.setattr(assess.read.tables, "read_csv_table", lambda *args: None)


layout_rows = st.sampled_from(
    [
        row("E1"),
        row("E2", 1, 2),
        row("E3", "Full", "high"),
        HEADER,
        SWAPPED,
        ["Later engagements", "", "", "", "", "", "", ""],
        ["E9", "Transparency", "Resources", "", "", "", "", ""],
        ["", "", "", "", "", "", "", ""],
    ]
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(layout_rows, min_size=1, max_size=10))
def test_csv_fast_path_reads_repeated_headers_as_the_general_path(
    tmp_path_factory, monkeypatch, rows
):
    path = write_csv(tmp_path_factory.mktemp("fast") / "t.csv", rows)

    def run():
        try:
            return assess.score(path)
        except assess.InputError as exc:
            return str(exc)

    fast = run()
    with monkeypatch.context() as m:
        _general_path(m)
        general = run()
    if isinstance(fast, str) or isinstance(general, str):
        assert fast == general
        return
    assert fast.counts == general.counts
    assert [str(r) for r in fast.rejected] == [str(r) for r in general.rejected]
    assert [s.to_dict() for s in fast.sources] == [s.to_dict() for s in general.sources]
    pd.testing.assert_frame_equal(
        fast.engagements.astype(object), general.engagements.astype(object), check_dtype=False
    )


def test_dask_engine_reads_a_second_table_and_says_so(tmp_path):
    pytest.importorskip("dask.dataframe", reason="the Dask engine needs: pip install '.[dask]'")
    from assess.engines.dask import score_dask

    folder = tmp_path / "archive"
    folder.mkdir()
    _two_tables(write_csv, folder / "part-1.csv")
    write_csv(folder / "part-2.csv", [row("E5")])
    done = score_dask(folder, output=tmp_path / "s.csv", scheduler="synchronous")
    assert (done.rows, done.scored, done.rejected) == (5, 4, 1)
    got = pd.read_csv(done.output).set_index("id")
    assert got.loc["E3", ["transparency.rating", "norms_alignment.rating"]].tolist() == [2, 1]
    assert done.notes == [
        "part-1.csv: row 6 repeats the header: the rows below it are a second table, read with "
        "its own columns (Norms alignment in D, not E; Transparency in E, not D); "
        "row 5 ('FY2024 engagements') is its title, not an engagement"
    ]


def test_a_table_above_the_best_matching_header_is_not_taken_for_a_title(tmp_path):
    # the first table lacks Political friction, so the second's header matches the rubric
    # better; the first table's rows are still engagements, read under their own header
    path = write_xlsx(
        tmp_path / "above.xlsx",
        [row("E1")[:7], row("E2")[:7], [None] * 8, HEADER, row("E3")],
        header=HEADER[:7],
    )
    with pytest.raises(MissingColumnError, match=r"header row 1: no column for criterion"):
        assess.score(path)
    result = assess.score(path, allow_missing="political_friction")
    assert sorted(result.engagements.index) == ["E1", "E2", "E3"]
    assert math.isnan(result.engagements.loc["E1", "political_friction.rating"])
    assert result.engagements.loc["E3", "political_friction.rating"] == 1
