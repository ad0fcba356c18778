"""The Excel report: live formulas that agree with the engine, and a workbook that opens."""

from __future__ import annotations

import zipfile
from pathlib import Path

import openpyxl
import pandas as pd
import pytest
from conftest import (
    EXAMPLE_WORKBOOK,
    assert_matches_engine,
    dump_rubric,
    html_criterion_means,
    row,
    scores_sheet,
    small_rubric_data,
    write_xlsx,
)
from excel_format import shown
from libreoffice import convert, needs_libreoffice

import assess
from assess.report import write_report
from assess.report.html import to_html

HOSTILE = [
    '=HYPERLINK("http://example.com","x")',
    "+cmd|' /C calc'!A0",
    "@SUM(1,2)",
    "-2+3",
    "\tleading tab",
    "\rleading CR",
]


@pytest.fixture
def mixed_workbook(tmp_path) -> Path:
    """Gated, missing-data, insufficient, tied and rejected rows together."""
    return write_xlsx(
        tmp_path / "mixed.xlsx",
        [
            row("E1", 4, 4, 4, 4, 0),
            row("E2", 4, 4, 3, 3, 4),  # strong, but the friction gate caps it
            row("E3", 3, None, 2, 3, 1),  # one criterion missing: weights renormalised
            row("E4", 2, "N/A", "N/A", "N/A", 2),  # insufficient evidence
            row("E5", 3, 0, 3, 3, 1),  # the norms gate
            row("E6", 2, 2, 2, 2, 2),
            row("E7", 2, 2, 2, 2, 2),  # a tie
            row("E8", "high", 2, 2, 2, 2),  # rejected
            row("E9", 1.5, 2.5, 0, 1, 3),
        ],
    )


def _formulas(path: Path) -> dict[str, str]:
    """Row 2 of the Scores sheet: each formula cell's formula by its header, and the letter of
    every column by its header (under ``"col:<header>"``)."""
    ws = openpyxl.load_workbook(path)["Scores"]
    out = {}
    for head, cell in zip((c.value for c in ws[1]), ws[2], strict=True):
        out[f"col:{head}"] = cell.column_letter
        if isinstance(cell.value, str) and cell.value.startswith("="):
            out[head] = cell.value
    return out


def test_each_formula_reads_its_own_criterion_weight_and_scale(mixed_workbook, tmp_path):
    # What every Scores formula must read, from the rubric: a formula that took another
    # criterion's rating, weight or scale, forgot a cost criterion's inversion, or left a
    # criterion out of the score or the completeness fails here (the values themselves are
    # checked by recalculating in LibreOffice, below).
    import re

    result = assess.score(mixed_workbook)
    f = _formulas(write_report(result, tmp_path / "report.xlsx"))
    complete = f["col:Completeness"]
    points_cols = []
    for i, c in enumerate(result.rubric.criteria, start=1):
        rating = f[f"col:{c.label} rating"]
        formula = f[f"{c.label} points"]
        refs = set(re.findall(r"\b([A-Z]{1,3})2\b", formula))
        assert refs == {rating, complete}, (c.id, formula)
        names = set(re.findall(r"\b(weight|scale_min|scale_max)_(\d+)\b", formula))
        assert names == {("weight", str(i)), ("scale_min", str(i)), ("scale_max", str(i))}
        assert ("(1-(" in formula) == (c.direction == "cost"), (c.id, formula)
        assert f"ISNUMBER({rating}2),weight_{i},0)" in f["Completeness"]
        points_cols.append(f[f"col:{c.label} points"])
    first, last = points_cols[0], points_cols[-1]
    assert f"SUM({first}2:{last}2)" in f["Score"]
    assert [chr(ord(first) + k) for k in range(len(points_cols))] == points_cols


@needs_libreoffice
def test_formulas_recalculated_by_libreoffice_equal_engine_scores(mixed_workbook, tmp_path):
    result = assess.score(mixed_workbook)
    out = write_report(result, tmp_path / "report.xlsx")
    recalculated = convert(out, tmp_path / "recalc")
    assert_matches_engine(scores_sheet(recalculated), result)


@needs_libreoffice
def test_example_workbook_report_recalculates_to_engine_scores(tmp_path):
    result = assess.score(EXAMPLE_WORKBOOK)
    out = write_report(result, tmp_path / "report.xlsx")
    assert_matches_engine(scores_sheet(convert(out, tmp_path / "recalc")), result)


@needs_libreoffice
def test_geometric_rubric_formulas_recalculate_to_engine_scores(tmp_path):
    rubric = dump_rubric(tmp_path / "geo.yaml", small_rubric_data(aggregation="weighted_geometric"))
    data = write_xlsx(
        tmp_path / "geo.xlsx",
        [["A", 4, 2, 1], ["B", 0, 4, 0], ["C", 3, None, 2], ["D", 2.5, 1, 4]],
        header=["ID", "Alpha", "Beta", "Gamma"],
    )
    result = assess.score(data, rubric=rubric)
    out = write_report(result, tmp_path / "geo-report.xlsx")
    assert_matches_engine(scores_sheet(convert(out, tmp_path / "recalc")), result)


@needs_libreoffice
def test_changing_a_weight_cell_rescores_like_the_engine(mixed_workbook, tmp_path):
    rubric = assess.load_rubric("military-diplomacy")
    out = write_report(assess.score(mixed_workbook), tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(out)
    ws = wb["Weights"]
    row_of = {ws.cell(r, 1).value: r for r in range(1, ws.max_row + 1)}
    ws.cell(row_of["transparency"], 6).value = 3.0  # raw weight; others stay as normalised
    edited = tmp_path / "edited.xlsx"
    wb.save(edited)
    new_weights = {**rubric.weights, "transparency": 3.0}
    expected = assess.score(mixed_workbook, rubric=rubric.with_weights(new_weights))
    recalculated = scores_sheet(convert(edited, tmp_path / "recalc"))
    # the sheet keeps its row order; compare engagement by engagement
    eng = expected.engagements.loc[recalculated.index]
    got = pd.to_numeric(recalculated["Score"], errors="coerce")
    assert ((got - eng["score"]).abs().fillna(0) <= 1e-9).all()
    assert (got.isna() == eng["score"].isna()).all()
    assert (
        recalculated["Band"].where(eng["status"] == "scored").dropna() == eng["band"].dropna()
    ).all()
    assert not got.equals(pd.to_numeric(scores_sheet(out)["Score"], errors="coerce"))


def test_input_text_is_written_as_text_never_as_formula(tmp_path):
    rows = [row(f"E{i}", name=text, kind=text) for i, text in enumerate(HOSTILE)]
    result = assess.score(write_xlsx(tmp_path / "hostile.xlsx", rows))
    out = write_report(result, tmp_path / "report.xlsx")
    ws = openpyxl.load_workbook(out)["Scores"]
    header = [c.value for c in ws[1]]
    col = header.index("Engagement") + 1
    cells = [ws.cell(r, col) for r in range(2, ws.max_row + 1)]
    assert sorted(c.value.strip() for c in cells) == sorted(t.strip() for t in HOSTILE)
    assert all(c.data_type == "s" for c in cells)


def test_report_records_provenance_and_every_rejection(mixed_workbook, tmp_path):
    result = assess.score(mixed_workbook)
    out = write_report(result, tmp_path / "report.xlsx")
    wb = openpyxl.load_workbook(out, data_only=True)
    assert wb.sheetnames == ["Summary", "Scores", "Charts", "Weights", "Criteria", "Rejected"]
    summary = [v for r in wb["Summary"].iter_rows(values_only=True) for v in r if v is not None]
    assert result.rubric.content_hash in summary
    assert result.sources[0].sha256 in summary
    assert f"{result.rubric.name} {result.rubric.version}" in summary
    rejected = [r for r in wb["Rejected"].iter_rows(min_row=2, values_only=True)]
    assert ("rejected", "Engagements!D9") in [(r[0], r[1]) for r in rejected]
    insufficient = [r for r in rejected if r[0] == "insufficient evidence"]
    assert [r[7] for r in insufficient] == ["E4"]


def test_criteria_sheet_shows_every_level_descriptor(tmp_path, mixed_workbook):
    result = assess.score(mixed_workbook)
    out = write_report(result, tmp_path / "report.xlsx")
    text = {
        v
        for r in openpyxl.load_workbook(out)["Criteria"].iter_rows(values_only=True)
        for v in r
        if v
    }
    for c in result.rubric.criteria:
        assert c.label in text
        for lv in c.scale.levels:
            assert " ".join(lv.descriptor.split()) in text


def test_report_has_native_charts(mixed_workbook, tmp_path):
    out = write_report(assess.score(mixed_workbook), tmp_path / "report.xlsx")
    with zipfile.ZipFile(out) as z:
        charts = [n for n in z.namelist() if n.startswith("xl/charts/chart")]
    assert len(charts) == 3  # contributions, bands, mean rating by type


def test_pandas_reads_numbers_from_the_scores_sheet(mixed_workbook, tmp_path):
    result = assess.score(mixed_workbook)
    out = write_report(result, tmp_path / "report.xlsx")
    df = pd.read_excel(out, sheet_name="Scores", index_col="Engagement ID", engine="openpyxl")
    scored = result.scored
    assert (df.loc[scored.index, "Score"] - scored["score"]).abs().max() <= 1e-9


@needs_libreoffice
def test_report_opens_in_libreoffice_without_errors(mixed_workbook, tmp_path):
    out = write_report(assess.score(mixed_workbook), tmp_path / "report.xlsx")
    pdf = convert(out, tmp_path / "pdf", target="pdf")
    assert pdf.stat().st_size > 10_000


def _sheet_xml(path: Path) -> str:
    with zipfile.ZipFile(path) as z:
        return z.read("xl/worksheets/sheet1.xml").decode()


def test_fast_row_path_writes_what_xlsxwriter_methods_write(tmp_path):
    """The Scores sheet's fast path (cells made once per column, stored a row at a time,
    quicker escaping helpers) must give the XML XlsxWriter's own methods give."""
    import xlsxwriter
    from xlsxwriter.worksheet import CellFormulaTuple

    from assess.report.sheets import ROW, WORKBOOK_OPTIONS, Row, Worksheet

    template = f'=IF(AND(ISNUMBER(B{ROW}),B{ROW}>=0),"a&b"&B{ROW}*2<3,"")'
    # the last text is over Excel's 32767 UTF-16 units: XlsxWriter cuts it
    texts = ["plain", ' <tag> & "quoted" ', "\x01ctl_x0041_", "=1+1", "é😀" * 12000]
    numbers = [0, 1.5, -2, 1e-300, float("nan"), float("inf")]
    cached = [12.5, "", "text <&>", True, 3]

    def write(path: Path, fast: bool) -> None:
        wb = xlsxwriter.Workbook(str(path), WORKBOOK_OPTIONS)
        fmt = wb.add_format({"num_format": "0.00"})
        ws = wb.add_worksheet(
            "S", worksheet_class=Worksheet if fast else xlsxwriter.worksheet.Worksheet
        )
        ws.write_string(0, 0, "head", fmt)
        parts = Row.formula_parts(ws, template) if fast else None
        assert (parts is not None) == fast
        for r in range(1, 6):
            values = [texts[r - 1], numbers[r - 1], numbers[r % 6], cached[r - 1]]
            if not fast:
                ws.write_string(r, 0, values[0])
                ws.write_number(r, 1, values[1], fmt)
                ws.write_number(r, 3, values[2])
                ws.write_formula(r, 2, template.replace(ROW, str(r + 1)), fmt, values[3])
                continue
            cells, later = {}, []
            for col, cell, write_args in (
                (0, Row.text(values[0]), (ws.write_string, values[0], None)),
                (1, Row.number(values[1], fmt), (ws.write_number, values[1], fmt)),
                (3, Row.number(values[2]), (ws.write_number, values[2], None)),
            ):
                if cell is not None:
                    cells[col] = cell
                else:
                    later.append((col, *write_args))
            cells[2] = CellFormulaTuple(str(r + 1).join(parts), fmt, values[3])
            ws.put_row(r, cells)
            for col, method, value, cell_format in later:
                method(r, col, value, cell_format)
        wb.close()

    write(tmp_path / "slow.xlsx", fast=False)
    write(tmp_path / "fast.xlsx", fast=True)
    assert _sheet_xml(tmp_path / "fast.xlsx") == _sheet_xml(tmp_path / "slow.xlsx")


def test_formula_templates_needing_xlsxwriter_rewriting_are_not_fast_pathed(tmp_path):
    import xlsxwriter

    from assess.report.sheets import ROW, Row, Worksheet

    wb = xlsxwriter.Workbook(str(tmp_path / "t.xlsx"), {"constant_memory": True})
    ws = wb.add_worksheet(worksheet_class=Worksheet)
    assert Row.formula_parts(ws, f"=SUM(A{ROW}:B{ROW})") == ["SUM(A", ":B", ")"]
    assert Row.formula_parts(ws, f"=UNIQUE(A{ROW}:B{ROW})") is None  # dynamic array
    assert Row.formula_parts(ws, f"=STDEV.S(A{ROW}:B{ROW})") is None  # needs _xlfn.
    assert Row.formula_parts(ws, "{=SUM(A1:B1)}") is None  # array formula
    wb.close()


def test_carried_values_of_every_type_keep_their_type(tmp_path):
    """Carried columns: text, numbers, dates, booleans and blanks, as the input had them."""
    import datetime as dt

    values = ["text", 7, 2.5, dt.datetime(2024, 5, 1), True, None, "=1+2"]
    rows = [row(f"E{i}", name=v, kind="Joint exercise") for i, v in enumerate(values)]
    result = assess.score(write_xlsx(tmp_path / "types.xlsx", rows))
    out = write_report(result, tmp_path / "report.xlsx")
    ws = openpyxl.load_workbook(out)["Scores"]
    header = [c.value for c in ws[1]]
    ids = [ws.cell(r, header.index("Engagement ID") + 1).value for r in range(2, ws.max_row + 1)]
    col = header.index("Engagement") + 1
    got = {ids[r - 2]: ws.cell(r, col) for r in range(2, ws.max_row + 1)}
    eng = result.engagements["Engagement"]
    for eid, cell in got.items():
        want = eng[eid]
        if want is None or (isinstance(want, float) and want != want):
            assert cell.value is None
        elif isinstance(want, str):
            assert cell.data_type == "s" and cell.value == want
        elif isinstance(want, bool):
            assert cell.data_type == "b" and cell.value is want
        elif isinstance(want, (dt.date, dt.datetime)):
            assert cell.is_date and cell.value == pd.Timestamp(want).to_pydatetime()
        else:
            assert cell.data_type == "n" and cell.value == float(want)


def _summary_rows(path: Path) -> list[tuple]:
    ws = openpyxl.load_workbook(path, data_only=True)["Summary"]
    return [tuple(c.value for c in r) for r in ws.iter_rows()]


def test_summary_criterion_figures_are_over_the_scored_engagements_like_the_html(tmp_path):
    result = assess.score(EXAMPLE_WORKBOOK)
    assert len(result.insufficient) == 1  # its ratings are in no mean
    out = write_report(result, tmp_path / "report.xlsx")
    ws = openpyxl.load_workbook(out, data_only=True)["Summary"]
    rows = list(ws.iter_rows())
    at = next(i for i, r in enumerate(rows) if r[0].value == "Criterion")
    assert "scored engagements" in rows[at - 1][0].value
    html_means = html_criterion_means(to_html(result))
    for c, cells in zip(result.rubric.criteria, rows[at + 1 :], strict=False):
        ratings = result.scored[f"{c.id}.rating"].dropna()
        assert cells[0].value == c.label
        assert cells[2].value == len(ratings)
        assert cells[3].value == pytest.approx(ratings.mean())
        assert cells[4].value == pytest.approx(ratings.std())
        assert (cells[5].value, cells[6].value) == (ratings.min(), ratings.max())
        # the mean as the cell shows it is the mean the HTML report shows
        assert shown(cells[3].value, cells[3].number_format) == html_means[c.label]
    transparency = rows[at + 1]
    assert shown(transparency[3].value, transparency[3].number_format) == "2.53"


def test_summary_top_and_bottom_lists_show_each_engagements_shared_rank(tmp_path):
    result = assess.score(EXAMPLE_WORKBOOK)  # three engagements share rank 1 at 100
    out = write_report(result, tmp_path / "report.xlsx")
    rows = _summary_rows(out)
    heads = [r for r in rows if r[1] == "Engagement ID"]
    assert [h[0] for h in heads] == ["Rank", "Rank"]
    ranks = result.scored["rank"]
    listed = [(r[0], r[1]) for r in rows if r[1] in ranks.index]
    assert len(listed) == 10
    assert listed[:4] == [
        (1, "MD-2025-020"),
        (1, "MD-2025-026"),
        (1, "MD-2025-033"),
        (4, "MD-2025-003"),
    ]
    assert all(rank == ranks[eid] for rank, eid in listed)


def test_charts_mean_rating_by_type_is_over_the_scored_engagements(tmp_path):
    data = write_xlsx(
        tmp_path / "typed.xlsx",
        [
            row("E1", 4, 4, 4, 4, 0, kind="Exercise"),
            row("E2", 2, 2, 2, 2, 2, kind="Exercise"),
            row("E3", 0, "N/A", "N/A", "N/A", 2, kind="Exercise"),  # insufficient evidence
        ],
    )
    result = assess.score(data)
    assert list(result.insufficient.index) == ["E3"]
    out = write_report(result, tmp_path / "report.xlsx")
    ws = openpyxl.load_workbook(out, data_only=True)["Charts"]
    cells = {c.value: c for r in ws.iter_rows() for c in r if c.value == "Exercise"}
    first = cells["Exercise"]
    transparency = ws.cell(first.row, first.column + 1).value
    assert transparency == pytest.approx(3.0)  # (4 + 2) / 2: E3's 0 is not counted
