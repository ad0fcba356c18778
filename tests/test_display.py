"""One answer everywhere: every output shows a figure as the Excel report's cell shows it.

The workbook's text is modelled by ``excel_format.shown`` (Excel's rule, written without
``assess``) and, where LibreOffice is installed, read from LibreOffice itself.
"""

from __future__ import annotations

import html
import random
import re
from decimal import Decimal
from itertools import product
from pathlib import Path

import openpyxl
from conftest import (
    CRITERIA,
    EXAMPLE_WORKBOOK,
    HEADER,
    RAW_WEIGHTS,
    html_criterion_means,
    row,
    write_csv,
    write_xlsx,
)
from excel_format import shown
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st
from libreoffice import displayed, needs_libreoffice

import assess
from assess import display
from assess.report import write_report

# -- what each output shows ------------------------------------------------------------


def workbook_shows(path: Path) -> dict[str, tuple[int, str]]:
    """id -> (rank, score as its cell shows it) for every scored row of the Scores sheet."""
    ws = openpyxl.load_workbook(path, data_only=True)["Scores"]
    header = [c.value for c in ws[1]]
    at = {h: header.index(h) for h in ("Engagement ID", "Rank", "Score")}
    out = {}
    for cells in ws.iter_rows(min_row=2):
        score = cells[at["Score"]]
        if isinstance(score.value, (int, float)):
            out[cells[at["Engagement ID"]].value] = (
                int(cells[at["Rank"]].value),
                shown(score.value, score.number_format),
            )
    return out


def html_shows(path: Path) -> dict[str, tuple[int, str]]:
    """id -> (rank, score) from the HTML report's ranked table."""
    text = path.read_text(encoding="utf-8")
    rows = re.findall(
        r'<tr[^>]*><td class="num">(\d+)</td><td class="id">(?:<a [^>]*>)?([^<]+)(?:</a>)?</td>'
        r'.*?<td class="num score">([^<]+)</td>',
        text,
    )
    return {html.unescape(eid): (int(rank), score) for rank, eid, score in rows}


def markdown_shows(path: Path) -> dict[str, tuple[int, str]]:
    rows = re.findall(r"^\| (\d+) \| (.+?) \| ([^ |]+) \|", path.read_text("utf-8"), re.M)
    return {eid: (int(rank), score) for rank, eid, score in rows}


def terminal_shows(output: str) -> dict[str, tuple[int, str]]:
    """id -> (rank, score) from the ranked table ``assess score`` prints."""
    out = {}
    for line in output.splitlines():
        cells = [c.strip() for c in line.split("│")[1:-1]]
        if len(cells) > 3 and cells[0].isdigit():
            score = next(c for c in cells[2:] if re.fullmatch(r"\d+\.\d", c))
            out[cells[1]] = (int(cells[0]), score)
    return out


def every_output(cli, data: Path, tmp_path: Path) -> dict[str, dict]:
    result = assess.score(data)
    shows = {}
    for fmt, read in (("xlsx", workbook_shows), ("html", html_shows), ("md", markdown_shows)):
        shows[fmt] = read(write_report(result, tmp_path / f"report.{fmt}"))
    shows["terminal"] = terminal_shows(cli("score", data).output)
    return shows


def assert_all_agree(shows: dict[str, dict]) -> None:
    workbook = shows["xlsx"]
    assert workbook
    for fmt, got in shows.items():
        assert got == workbook, (
            fmt,
            {k: (v, workbook.get(k)) for k, v in got.items() if workbook.get(k) != v},
        )


# -- the example -----------------------------------------------------------------------


def test_every_output_shows_each_example_score_and_rank_as_the_workbook(cli, tmp_path):
    shows = every_output(cli, EXAMPLE_WORKBOOK, tmp_path)
    assert len(shows["xlsx"]) == 49
    assert shows["xlsx"]["MD-2025-003"] == (4, "96.3")  # 96.25: half away from zero
    assert_all_agree(shows)


# -- random engagements: scores with exact .x5 ties, computed from ratings ----------------

RATING = st.sampled_from([0, 1, 2, 3, 4, 0.5, 1.5, 2.5, 3.5])


# the cli fixture only invokes the CLI: nothing in it carries over from one example to the next
@settings(
    max_examples=25,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
)
@given(ratings=st.lists(st.tuples(*[RATING] * 5), min_size=1, max_size=12))
@example(ratings=[(4, 4, 4, 3, 0)])  # 96.25
@example(ratings=[(3, 3, 3, 3, 2), (4, 4, 4, 4, 0), (1, 1, 0.5, 2, 3.5)])  # 71.25, a tie at 100
def test_every_output_shows_random_scores_as_the_workbook(cli, tmp_path_factory, ratings):
    tmp_path = tmp_path_factory.mktemp("scores")
    data = write_csv(tmp_path / "e.csv", [row(f"E{i}", *r) for i, r in enumerate(ratings)])
    shows = every_output(cli, data, tmp_path)
    expected = {
        f"E{i}": 100
        * sum(
            RAW_WEIGHTS[c] * (1 - v / 4 if c == "political_friction" else v / 4)
            for c, v in zip(CRITERIA, r, strict=True)
        )
        for i, r in enumerate(ratings)
    }
    # the workbook shows each score computed from the ratings, rounded half away from zero
    assert {k: v[1] for k, v in shows["xlsx"].items()} == {
        k: shown(round(v, 10), "0.0") for k, v in expected.items()
    }
    assert_all_agree(shows)


# -- the rounding rule -------------------------------------------------------------------

TIES = st.integers(0, 10**7).flatmap(
    lambda n: st.sampled_from(
        [(2 * n + 1) / 2, (2 * n + 1) / 20, (2 * n + 1) / 200, (2 * n + 1) / 2000]
    )
)
VALUES = st.one_of(
    TIES,
    TIES.map(lambda v: -v),
    st.floats(-1e9, 1e9, allow_nan=False),
    st.floats(0, 1),
)


@given(VALUES, st.integers(0, 3))
@example(96.25, 1)
@example(0.15, 1)  # stored as 0.1499999999999999944...: 15 digits make it 0.150000000000000
@example(11.249999999999998, 2)  # 100 * 0.15 * 0.75: shown 11.25
@example(-0.04, 1)  # no minus sign on a zero
def test_display_rounds_as_a_workbook_cell(value, places):
    number_format = "0" if places == 0 else "0." + "0" * places
    assert display.fixed(value, places) == shown(value, number_format)
    # a rating: the workbook's 0.0# less its trailing zero (3 for 3.0)
    assert Decimal(display.trimmed(value, 2)) == Decimal(shown(value, "0.0#"))
    pct = "0%" if places == 0 else "0.0%"
    assert display.percent(value, min(places, 1)) == shown(value, pct)


def test_missing_values_show_the_blank():
    for blank in ("", "–"):
        for value in (None, float("nan"), float("inf")):
            assert display.fixed(value, 1, blank) == blank
            assert display.percent(value, 0, blank) == blank
            assert display.trimmed(value, 2, blank) == blank


# -- LibreOffice ----------------------------------------------------------------------


def _default_rubric_scores() -> list[float]:
    """Every score the default rubric gives to whole-level ratings."""
    out = set()
    for ratings in product(range(5), repeat=5):
        s = sum(
            RAW_WEIGHTS[c] * (1 - v / 4 if c == "political_friction" else v / 4)
            for c, v in zip(CRITERIA, ratings, strict=True)
        )
        out.add(round(100 * s, 10))
    return sorted(out)


@needs_libreoffice
def test_libreoffice_shows_what_display_rounds_to(tmp_path):
    """LibreOffice is the reference: the cells it shows, formatted, are display's text."""
    import xlsxwriter

    rng = random.Random(7)
    values = _default_rubric_scores()
    values += [(2 * n + 1) / d for n in range(0, 2000, 7) for d in (20, 200, 2000)]
    values += [float(f"{rng.uniform(0, 1000):.12g}") for _ in range(500)]
    values += [0.15, 1.005, 2.675, 8.675, 11.249999999999998, 15.000000000000002]
    shares = sorted({k / n for n in range(1, 31) for k in range(n + 1)})
    formats = ("0.0", "0.00", "0.000")
    path = tmp_path / "values.xlsx"
    wb = xlsxwriter.Workbook(path)
    ws = wb.add_worksheet("Values")
    cell = {f: wb.add_format({"num_format": f}) for f in (*formats, "0%", "0.0%")}
    for r, v in enumerate(values):
        for c, f in enumerate(formats):
            ws.write_number(r, c, v, cell[f])
    shares_ws = wb.add_worksheet("Shares")
    for r, v in enumerate(shares):
        shares_ws.write_number(r, 0, v, cell["0%"])
        shares_ws.write_number(r, 1, v, cell["0.0%"])
    wb.close()
    sheets = displayed(path, tmp_path / "csv")
    for v, texts in zip(values, sheets["Values"], strict=True):
        assert texts == [display.fixed(v, 1), display.fixed(v, 2), display.fixed(v, 3)], v
    for v, texts in zip(shares, sheets["Shares"], strict=True):
        assert texts == [display.percent(v, 0), display.percent(v, 1)], v


def _table(rows: list[list[str]], first: str) -> list[list[str]]:
    """The rows under the header row whose first cell is ``first``, up to a blank row."""
    start = next(i for i, r in enumerate(rows) if r and r[0] == first) + 1
    out = []
    for r in rows[start:]:
        if not r or not r[0]:
            break
        out.append(r)
    return out


@needs_libreoffice
def test_libreoffice_shows_the_example_report_as_every_other_output(cli, tmp_path):
    result = assess.score(EXAMPLE_WORKBOOK)
    out = write_report(result, tmp_path / "report.xlsx")
    sheets = displayed(out, tmp_path / "csv")
    scores = sheets["Scores"]
    head = scores[0]
    at = {h: head.index(h) for h in ("Rank", "Engagement ID", "Score")}
    libre = {
        r[at["Engagement ID"]]: (int(r[at["Rank"]]), r[at["Score"]])
        for r in scores[1:]
        if r[at["Score"]]
    }
    shows = every_output(cli, EXAMPLE_WORKBOOK, tmp_path)
    assert libre["MD-2025-003"] == (4, "96.3")
    assert_all_agree({**shows, "libreoffice": libre})

    # Summary: per-criterion figures over the scored engagements, as the HTML report's
    page = (tmp_path / "report.html").read_text("utf-8")
    html_means = html_criterion_means(page)
    summary = sheets["Summary"]
    criteria = _table(summary, "Criterion")
    assert [r[0] for r in criteria] == [c.label for c in result.rubric.criteria]
    stats = result.criterion_stats()
    for c, r in zip(result.rubric.criteria, criteria, strict=True):
        assert int(r[2]) == stats.loc[c.id, "rated"]
        assert r[3] == html_means[c.label] == display.fixed(stats.loc[c.id, "mean"], 2)
    # Bands: counts and shares as the HTML band chart shows them
    chart = dict(
        re.findall(r"<title>([^(<]+?) \(score[^<]*</title>.*?>(\d+ · \d+%)</text>", page, re.S)
    )
    bands = _table(summary, "Bands")
    assert [r[0] for r in bands] == result.rubric.band_names
    for name, count, share, *_ in bands:
        assert f"{count} · {share}" == chart[name]
    # Top and bottom engagements: each with its rank on the Scores sheet
    listed = [r for r in summary if r and r[1] in libre and r[0].isdigit()]
    assert len(listed) == 10
    for r in listed:
        assert (int(r[0]), r[3]) == libre[r[1]]


def test_every_output_finds_the_same_name_column(cli, tmp_path):
    """A name under an 'Activity' header is the engagement's name in every output."""
    header = [h if h != "Engagement" else "Activity" for h in HEADER]
    data = write_xlsx(tmp_path / "a.xlsx", [row("E1", name="Exercise Blue Anchor")], header=header)
    result = assess.score(data)
    assert result.name_column == "Activity"
    assert "Exercise Blue Anchor" in assess.explain(result, "E1").headline()
    summary = openpyxl.load_workbook(write_report(result, tmp_path / "r.xlsx"), data_only=True)
    top = [r for r in summary["Summary"].iter_rows(values_only=True) if r[1] == "E1"]
    assert top and top[0][2] == "Exercise Blue Anchor"
    terminal = cli("score", data).output  # the name is cut to the terminal's width
    assert "┃ Activity" in terminal and "│ Exercise Blue" in terminal
    assert "Exercise Blue Anchor" in write_report(result, tmp_path / "r.html").read_text("utf-8")
