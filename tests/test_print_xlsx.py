"""Every workbook assess writes prints fit for a briefing: A4, one page wide, header rows on
every page, a footer naming the rubric; headers wrapped at word boundaries, figures in number
formats, booleans as booleans, charts in the bands' and criteria's colours with round ticks.

The workbooks are the examples' (``examples/``), written through the command line; LibreOffice
prints them to PDF and ``pdfinfo`` counts the pages.
"""

from __future__ import annotations

import re
import shutil
import zipfile
from pathlib import Path

import openpyxl
import pytest
from conftest import ROOT
from libreoffice import needs_libreoffice, needs_pdfinfo, only_sheet, pdf_pages, to_pdf
from typer.testing import CliRunner

import assess
from assess.history import open_store
from assess.report import write_report
from assess.report.page import LINE, longest_word, wrapped_lines

EXAMPLES = ROOT / "examples"
QUARTERS = EXAMPLES / "quarters"
#: header cells are shaded: the reports' header colour, the template's rating columns' one
HEADER_FILLS = {"DDE3EA", "E8F0E0"}
SNAKE = re.compile(r"\b[a-z0-9]+_[a-z0-9_]+\b")


def _run(*args) -> None:
    from assess.cli import app

    out = CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)
    assert out.exit_code in (0, 1), out.output  # 1: some rows rejected, as in the examples


@pytest.fixture(scope="module")
def workbooks(tmp_path_factory) -> dict[str, Path]:
    """Every kind of workbook assess writes, from the examples."""
    folder = tmp_path_factory.mktemp("print")
    example = EXAMPLES / "engagements.xlsx"
    _run("score", example, "-o", folder / "report.xlsx")
    _run("agreement", EXAMPLES / "ratings_by_rater.xlsx", "-o", folder / "agreement.xlsx")
    _run("sensitivity", example, "--draws", "300", "-o", folder / "sensitivity.xlsx")
    inputs = folder / "inputs"
    inputs.mkdir()
    for name in ("a.xlsx", "b.xlsx"):
        shutil.copy(example, inputs / name)
    _run("batch", inputs, "-o", folder / "batch", "--jobs", "1")
    _run(
        "calibrate",
        EXAMPLES / "past_cases.xlsx",
        "--outcome",
        "Outcome",
        *("--folds", "3", "--repeats", "1", "--bootstrap", "10"),
        "--report",
        folder / "calibration.xlsx",
    )
    _run("template", "-o", folder / "template.xlsx")
    with open_store(folder / "history.sqlite") as store:
        for period, name in (("2025-Q1", "FY2025-Q1.xlsx"), ("2025-Q2", "FY2025-Q2.xlsx")):
            store.record(assess.score(QUARTERS / name), period)
        q3 = assess.score(QUARTERS / "FY2025-Q2-corrected.xlsx")
        store.record(q3, "2025-Q3")
        q3.history = store.context("2025-Q3")
    write_report(q3, folder / "trends.xlsx")
    return {
        "report": folder / "report.xlsx",
        "agreement": folder / "agreement.xlsx",
        "sensitivity": folder / "sensitivity.xlsx",
        "trends": folder / "trends.xlsx",
        "portfolio": folder / "batch" / "portfolio.xlsx",
        "calibration": folder / "calibration.xlsx",
        "template": folder / "template.xlsx",
    }


def _sheets(workbooks: dict[str, Path]):
    for kind, path in workbooks.items():
        for ws in openpyxl.load_workbook(path).worksheets:
            yield kind, ws


def _width(ws, col: int) -> float:
    """The width a column prints at (openpyxl keeps a run of equal columns under its first)."""
    for dim in ws.column_dimensions.values():
        if dim.min is not None and dim.min <= col <= dim.max and dim.width:
            return dim.width
    return 8.43


def _header_cells(ws):
    """The cells of the sheet's header rows: shaded, bold, of the body's size (not the
    template's shaded section headings, which run on over the row)."""
    return [
        cell
        for row in ws.iter_rows()
        for cell in row
        if isinstance(cell.value, str)
        and (cell.fill.fgColor.rgb or "")[-6:].upper() in HEADER_FILLS
        and cell.font.b
        and (cell.font.sz or 11) <= 11
    ]


# -- page setup --------------------------------------------------------------------------


def test_every_sheet_prints_a4_one_page_wide_with_its_header_rows_and_a_footer(workbooks):
    for kind, ws in _sheets(workbooks):
        where = f"{kind} {ws.title}"
        assert ws.sheet_properties.pageSetUpPr.fitToPage, where
        assert ws.page_setup.fitToWidth in (1, "1", None), where  # None: Excel's default, 1
        assert int(ws.page_setup.paperSize) == 9, where  # A4
        assert ws.print_title_rows, where  # header rows repeated on every page
        footer = ws.oddFooter
        assert "military-diplomacy" in footer.left.text, where
        assert re.search(r"\([0-9a-f]{12}\)", footer.left.text), where  # the short hash
        assert footer.center.text == "Page &P of &N", where
        if kind != "template":  # the date of the result; the template has none
            assert re.fullmatch(r"\d{4}-\d\d-\d\d", footer.right.text or ""), where


def test_summaries_print_on_one_page_and_the_rest_as_tall_as_they_need(workbooks):
    for kind, ws in _sheets(workbooks):
        one_page = ws.title == "Summary" and kind != "template"
        tall = ws.page_setup.fitToHeight
        tall = 1 if tall is None else int(tall)  # not written when 1, Excel's default
        assert tall == (1 if one_page else 0), f"{kind} {ws.title}"


def test_wide_sheets_print_landscape(workbooks):
    ws = openpyxl.load_workbook(workbooks["report"])["Scores"]
    assert ws.page_setup.orientation == "landscape"


# -- headers -----------------------------------------------------------------------------


def test_headers_wrap_at_word_boundaries_in_columns_and_rows_that_fit_them(workbooks):
    seen = 0
    for kind, ws in _sheets(workbooks):
        for cell in _header_cells(ws):
            where = f"{kind} {ws.title}!{cell.coordinate} {cell.value!r}"
            assert cell.alignment.wrap_text, where
            width = _width(ws, cell.column)
            assert width >= longest_word(cell.value), where  # no word broken mid-way
            lines = wrapped_lines(cell.value, width)
            height = ws.row_dimensions[cell.row].height
            if lines > 1:  # a wrapped header: its row is as tall as its lines
                assert height is not None and height >= LINE * lines, where
            seen += 1
    assert seen > 200


def test_the_headers_the_issue_names_fit(workbooks):
    wb = openpyxl.load_workbook(workbooks["report"])
    heads = {c.value: c for c in _header_cells(wb["Scores"])}
    for text in (
        "Interoperability rating",
        "Completeness",
        "Alignment with international norms rating",
    ):
        cell = heads[text]
        width = _width(wb["Scores"], cell.column)
        assert width >= longest_word(text)
        height = wb["Scores"].row_dimensions[1].height
        assert height >= LINE * wrapped_lines(text, width)
    weights = wb["Weights"]
    cell = {c.value: c for c in _header_cells(weights)}["Normalised weight"]
    assert LINE * wrapped_lines(cell.value, _width(weights, cell.column)) <= (
        weights.row_dimensions[cell.row].height
    )
    charts = wb["Charts"]
    table = _header_cells(charts)  # the small table of mean ratings by type
    assert table and all(charts.row_dimensions[c.row].height for c in table)
    assert max(LINE * wrapped_lines(c.value, _width(charts, c.column)) for c in table) <= (
        charts.row_dimensions[table[0].row].height
    )


def test_header_labels_are_words_not_identifiers(workbooks):
    for kind, ws in _sheets(workbooks):
        for cell in _header_cells(ws):
            assert not SNAKE.search(cell.value), f"{kind} {ws.title}: {cell.value!r}"
    portfolio = openpyxl.load_workbook(workbooks["portfolio"])
    head = [c.value for c in portfolio["Engagements"][1]]
    assert head[:8] == [
        "Portfolio rank",
        "Source file",
        "Engagement ID",
        "Score",
        "Band",
        "Rank in file",
        "Completeness",
        "Status",
    ]
    calibration = openpyxl.load_workbook(workbooks["calibration"])
    text = {c.value for row in calibration["Comparison"].iter_rows() for c in row}
    assert {"Mean A", "Mean B", "p", "Better", "Weighting A"} <= text
    assert not {"mean_a", "p_value", "weighting", "n_train"} & text


# -- figures and booleans ----------------------------------------------------------------


def _column(ws, header: str, header_row: int = 1) -> list:
    head = [c.value for c in ws[header_row]]
    col = head.index(header) + 1
    return [ws.cell(r, col) for r in range(header_row + 1, ws.max_row + 1)]


def _formats(cells) -> set[str]:
    """The number formats of the cells holding a number or a formula."""
    return {
        c.number_format
        for c in cells
        if isinstance(c.value, (int, float)) or str(c.value).startswith("=")
    }


def test_booleans_are_booleans(workbooks):
    for kind, ws in _sheets(workbooks):
        for row in ws.iter_rows():
            for cell in row:
                assert cell.value not in ("True", "False", "TRUE", "FALSE"), (kind, ws.title)
    comparison = openpyxl.load_workbook(workbooks["calibration"])["Comparison"]
    head = next(r for r in comparison.iter_rows() if r[0].value == "Weighting A")
    better = [c.value for c in next(comparison.iter_rows(min_row=head[0].row + 1))]
    assert isinstance(better[len(head) - 1], bool)


def test_scores_weights_shares_and_p_values_carry_number_formats(workbooks):
    report = openpyxl.load_workbook(workbooks["report"])
    assert _formats(_column(report["Scores"], "Score")) == {"0.0"}
    assert _formats(_column(report["Scores"], "Completeness")) == {"0%"}
    assert _formats(_column(report["Weights"], "Normalised weight", 4)[:5]) == {"0.0%"}
    pairs = report["Comparison"]
    head = next(r for r in pairs.iter_rows() if r[0].value == "Group A")[0].row
    assert _formats(_column(pairs, "p", head)) == {"0.000"}
    assert _formats(_column(pairs, "p (Holm)", head)) == {"0.000"}
    portfolio = openpyxl.load_workbook(workbooks["portfolio"])["Engagements"]
    assert _formats(_column(portfolio, "Score")) == {"0.0"}
    assert _formats(_column(portfolio, "Completeness")) == {"0%"}
    assert _formats(_column(portfolio, "Portfolio rank")) == {"0"}
    calibration = openpyxl.load_workbook(workbooks["calibration"])
    assert _formats(_column(calibration["Weights"], "Expert")) == {"0.0%"}
    assert _formats(_column(calibration["Predictions"], "Calibrated score")) == {"0.0"}
    comparison = calibration["Comparison"]
    head = next(r for r in comparison.iter_rows() if r[0].value == "Weighting A")[0].row
    assert _formats(_column(comparison, "p", head)) == {"0.000"}
    sensitivity = openpyxl.load_workbook(workbooks["sensitivity"])["Sensitivity"]
    head = next(r for r in sensitivity.iter_rows() if r[0].value == "Engagement ID")[0].row
    assert _formats(_column(sensitivity, "Score", head)) == {"0.0"}


def test_no_figure_shows_unrounded(workbooks):
    """Every fractional number the portfolio and the calibration workbook hold is shown
    through a number format, never as General (86.7647058824)."""
    for kind in ("portfolio", "calibration"):
        for ws in openpyxl.load_workbook(workbooks[kind]).worksheets:
            for row in ws.iter_rows():
                for cell in row:
                    if isinstance(cell.value, float) and not cell.value.is_integer():
                        assert cell.number_format != "General", (kind, ws.title, cell.coordinate)


def test_sibling_workbooks_freeze_their_headers_and_filter_their_tables(workbooks):
    portfolio = openpyxl.load_workbook(workbooks["portfolio"])
    for name in ("Engagements", "Files", "Failures"):
        assert portfolio[name].freeze_panes == "A2" and portfolio[name].auto_filter.ref
    calibration = openpyxl.load_workbook(workbooks["calibration"])
    for name in ("Weights", "Predictions", "Rejected"):
        assert calibration[name].freeze_panes and calibration[name].auto_filter.ref
    bands = portfolio["Engagements"].conditional_formatting
    assert any('"Highly effective"' in r.formula[0] for cf in bands for r in cf.rules)


# -- charts ------------------------------------------------------------------------------


def _charts(path: Path) -> list[str]:
    with zipfile.ZipFile(path) as z:
        return [z.read(n).decode() for n in sorted(z.namelist()) if n.startswith("xl/charts/")]


def test_charts_use_the_bands_and_criteria_colours_and_round_ticks(workbooks):
    rubric = assess.load_rubric()
    charts = {kind: _charts(path) for kind, path in workbooks.items()}
    for kind, xmls in charts.items():
        for xml in xmls:
            for series in re.findall(r"<c:ser>.*?</c:ser>", xml, re.S):
                assert "srgbClr" in series, kind  # a colour of its own, not Excel's default
            for axis in re.findall(r"<c:valAx>.*?</c:valAx>", xml, re.S):
                assert "<c:majorUnit" in axis, kind
    report = charts["report"]
    bands = next(x for x in report if "Engagements by band" in x)
    for band in rubric.bands:
        assert band.colour.lstrip("#").upper() in bands.upper()
    points = next(x for x in report if "Score by criterion" in x)
    assert '<c:majorUnit val="10"/>' in points and '<c:max val="100"/>' in points
    assert len(set(re.findall(r'srgbClr val="([0-9A-F]{6})"', points))) >= len(rubric.criteria)


# -- printed -----------------------------------------------------------------------------


@needs_libreoffice
@needs_pdfinfo
def test_the_example_report_prints_in_12_pages_at_most_its_summary_on_one(workbooks, tmp_path):
    report = workbooks["report"]
    assert pdf_pages(to_pdf(report, tmp_path / "whole")) <= 12
    summary = only_sheet(report, "Summary", tmp_path / "summary.xlsx")
    assert pdf_pages(to_pdf(summary, tmp_path / "summary")) == 1


@needs_libreoffice
@needs_pdfinfo
@pytest.mark.parametrize(("kind", "most"), [("portfolio", 8), ("calibration", 10)])
def test_the_portfolio_and_calibration_workbooks_print_compactly(workbooks, tmp_path, kind, most):
    path = workbooks[kind]
    assert pdf_pages(to_pdf(path, tmp_path / "whole")) <= most
    summary = only_sheet(path, "Summary", tmp_path / "summary.xlsx")
    assert pdf_pages(to_pdf(summary, tmp_path / "summary")) == 1
