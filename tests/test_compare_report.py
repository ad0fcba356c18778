"""The comparison of groups in the reports: the Excel sheet's live counts, means and profile
agree with the engine (cached, and recalculated by LibreOffice), input text stays text."""

from __future__ import annotations

import math
import re
from pathlib import Path

import openpyxl
import pytest
from conftest import EXAMPLE_WORKBOOK, HEADER, row, write_xlsx
from libreoffice import convert, needs_libreoffice

import assess
from assess.report import write_report
from assess.report.html import to_html

HOSTILE = '=HYPERLINK("http://example.com","x")'


def _compared(source, **options) -> assess.Result:
    result = assess.score(source)
    result.comparison = assess.compare(result, resamples=200, **options)
    return result


def _sheet(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path)["Comparison"]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _values(path: Path) -> list[list]:
    ws = openpyxl.load_workbook(path, data_only=True)["Comparison"]
    return [list(r) for r in ws.iter_rows(values_only=True)]


def _profile(rows: list[list], groups: int) -> dict[str, list]:
    """The criterion profile: the second table headed "Group", and its "All" row."""
    start = [i for i, r in enumerate(rows) if r[0] == "Group"][1] + 1
    return {r[0]: r[1:] for r in rows[start : start + groups + 1]}


def _table(rows: list[list], heading: str, width: int) -> dict[str, list]:
    """The rows under the header row starting with ``heading``, by their first cell, up to a
    blank row."""
    start = next(i for i, r in enumerate(rows) if r[0] == heading) + 1
    out = {}
    for r in rows[start:]:
        if r[0] is None:
            break
        out[r[0]] = r[1 : width + 1]
    return out


def _close(got, want) -> bool:
    if want is None or (isinstance(want, float) and math.isnan(want)):
        return got in (None, "")
    return got == pytest.approx(float(want), abs=1e-6)


@pytest.fixture(scope="module")
def example(tmp_path_factory):
    result = _compared(EXAMPLE_WORKBOOK, by="Type")
    return result, write_report(result, tmp_path_factory.mktemp("cmp") / "report.xlsx")


def test_group_counts_and_means_are_formulas_over_the_scores_sheet(example):
    result, path = example
    rows = _sheet(path)
    groups = _table(rows, "Group", 2)
    cmp = result.comparison
    assert list(groups) == list(cmp.groups.index)
    scores_head = [c.value for c in openpyxl.load_workbook(path)["Scores"][1]]
    type_col = openpyxl.utils.get_column_letter(scores_head.index("Type") + 1)
    score_col = openpyxl.utils.get_column_letter(scores_head.index("Score") + 1)
    for n, mean in groups.values():
        assert n.startswith("=COUNTIFS(") and mean.startswith("=IF(")
        assert f"'Scores'!${type_col}$2" in n and f"'Scores'!${score_col}$2" in n
        assert "AVERAGEIFS(" in mean
    assert rows[1][0].startswith(cmp.headline()[0].upper())


def test_cached_values_equal_the_engine(example):
    result, path = example
    cmp = result.comparison
    rows = _values(path)
    groups = _table(rows, "Group", 12)
    for name, g in cmp.groups.iterrows():
        got = groups[name]
        assert got[0] == g["n"]
        for j, key in enumerate(["mean", "mean_low", "mean_high", "median"]):
            assert _close(got[1 + j], g[key]), (name, key)
    prof = _profile(rows, len(cmp.groups))
    for name in cmp.groups.index:
        for i, cid in enumerate(result.rubric.ids):
            assert _close(prof[name][i], cmp.profile.at[name, cid]), (name, cid)
    for i, cid in enumerate(result.rubric.ids):
        assert _close(prof["All scored engagements"][i], cmp.overall_profile[cid])
    start = next(i for i, r in enumerate(rows) if r[0] == "Group A") + 1
    pairs = {(r[0], r[1]): r[2:] for r in rows[start : start + len(cmp.pairs)]}
    assert len(pairs) == len(cmp.pairs)
    for p in cmp.pairs.to_dict("records"):
        got = pairs[p["a"], p["b"]]
        assert got[:2] == [p["n_a"], p["n_b"]]
        assert _close(got[2], p["mean_difference"]) and _close(got[6], p["cliffs_delta"])
        assert _close(got[8], p["p_holm"]) and got[9] == ("yes" if p["significant"] else "no")


def test_split_comparison_is_written_as_values_and_says_so(tmp_path):
    path = write_xlsx(
        tmp_path / "split.xlsx",
        [row(f"E{i}", kind=k) for i, k in enumerate(["A; B", "A", "B", "B; C", "C", "A"] * 2)],
    )
    result = _compared(path, by="Type", split=";")
    rows = _sheet(write_report(result, tmp_path / "report.xlsx"))
    assert any(r[0] and "value, not a formula" in r[0] for r in rows)
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r[1:])
    groups = _table(rows, "Group", 1)
    assert {k: v[0] for k, v in groups.items()} == result.comparison.groups["n"].to_dict()


def test_hostile_and_ambiguous_group_names_stay_text_and_are_values(tmp_path):
    kinds = [HOSTILE, "Joint*", "dialogue", "Dialogue", "2024", "Plain"]
    path = write_xlsx(
        tmp_path / "hostile.xlsx", [row(f"E{i}", kind=k) for i, k in enumerate(kinds * 2)]
    )
    result = _compared(path, by="Type")
    out = write_report(result, tmp_path / "report.xlsx")
    rows = _sheet(out)
    groups = _table(rows, "Group", 1)
    assert HOSTILE in groups  # the name as text, not a formula
    assert isinstance(groups["Plain"][0], str) and groups["Plain"][0].startswith("=COUNTIFS(")
    for name in (HOSTILE, "Joint*", "dialogue", "Dialogue", "2024"):
        assert groups[name][0] == 2, name  # a value: a formula would not pick them out exactly
    ws = openpyxl.load_workbook(out)["Comparison"]
    cell = next(c for r in ws.iter_rows() for c in r if c.value == HOSTILE)
    assert cell.data_type == "s"


@needs_libreoffice
def test_libreoffice_recalculates_the_engines_counts_means_and_profile(example, tmp_path):
    result, path = example
    cmp = result.comparison
    recalculated = convert(path, tmp_path / "recalc")
    rows = _values(recalculated)
    groups = _table(rows, "Group", 2)
    prof = _profile(rows, len(cmp.groups))
    for name, g in cmp.groups.iterrows():
        assert groups[name][0] == g["n"], name
        assert _close(groups[name][1], g["mean"]), name
        for i, cid in enumerate(result.rubric.ids):
            assert _close(prof[name][i], cmp.profile.at[name, cid]), (name, cid)


def test_score_cli_report_compares_by_type_when_there_is_a_type_column(cli, tmp_path):
    out = tmp_path / "report.xlsx"
    cli("score", EXAMPLE_WORKBOOK, "-o", out)
    wb = openpyxl.load_workbook(out)
    assert "Comparison" in wb.sheetnames
    assert wb["Comparison"]["A1"].value == "Comparison by Type"
    no_type = write_xlsx(
        tmp_path / "no-type.xlsx",
        [row(f"E{i}")[:2] + row(f"E{i}")[3:] for i in range(6)],
        header=[h for h in HEADER if h != "Type"],
    )
    cli("score", no_type, "-o", tmp_path / "plain.xlsx")
    assert "Comparison" not in openpyxl.load_workbook(tmp_path / "plain.xlsx").sheetnames


def test_html_report_shows_the_comparison_with_input_text_escaped(tmp_path):
    kinds = ["<script>alert(1)</script>", "Plain", "Other"]
    path = write_xlsx(
        tmp_path / "html.xlsx", [row(f"E{i}", kind=k, t=i % 5) for i, k in enumerate(kinds * 6)]
    )
    result = _compared(path, by="Type")
    page = to_html(result)
    assert 'id="comparison"' in page and 'href="#comparison"' in page
    assert "<script>alert(1)" not in page and "&lt;script&gt;alert(1)" in page
    section = page[page.index('id="comparison"') :]
    assert '<svg class="intervals"' in section and 'class="compact profile"' in section
    assert section.count("<circle") >= len(result.comparison.groups)
    assert result.comparison.headline()[1:20] in section
    cmp = result.comparison
    for p in cmp.pairs.to_dict("records"):
        assert f"{p['n_a']} / {p['n_b']}" in section
    assert " q" in section  # profile cells shaded
    assert 'id="comparison"' not in to_html(assess.score(path))


def _cross_blocks(rows: list[list], by: tuple[str, str], columns: int) -> tuple[dict, dict]:
    """The cross-table's two blocks (mean score, scored engagements), by row group."""
    heads = [i for i, r in enumerate(rows) if r[0] == by[0]]
    assert len(heads) == 2, "a mean block and a count block, each headed by the first column"
    blocks = []
    for h in heads:
        assert rows[h - 1][0].endswith(f"by {by[0]} (rows) and {by[1]} (columns)")
        names = rows[h][1 : columns + 1]
        block = {}
        for r in rows[h + 1 :]:
            if r[0] is None:
                break
            block[r[0]] = dict(zip(names, r[1 : columns + 1], strict=True))
        blocks.append(block)
    return blocks[0], blocks[1]


@pytest.fixture(scope="module")
def crossed(tmp_path_factory):
    result = _compared(EXAMPLE_WORKBOOK, by=["Type", "Organisation"])
    return result, write_report(result, tmp_path_factory.mktemp("cross") / "report.xlsx")


def _check_cross(result: assess.Result, rows: list[list], some_empty: bool = True) -> None:
    cmp = result.comparison
    means, counts = _cross_blocks(rows, cmp.by, len(cmp.cross_mean.columns))
    assert list(means) == list(cmp.cross_mean.index) == list(counts)
    empty = 0
    for name in cmp.cross_mean.index:
        for col in cmp.cross_mean.columns:
            assert counts[name][col] == cmp.cross_n.at[name, col], (name, col)
            assert _close(means[name][col], cmp.cross_mean.at[name, col]), (name, col)
            empty += cmp.cross_n.at[name, col] == 0
    assert (empty > 0) == some_empty, "an empty cell's mean must read as blank, not 0"


def test_cross_table_cells_are_live_formulas_with_the_engines_values_cached(crossed):
    result, path = crossed
    formulas = _sheet(path)
    means, counts = _cross_blocks(formulas, result.comparison.by, 3)
    first = next(iter(counts.values()))
    assert all(v.startswith("=COUNTIFS(") for v in first.values())
    assert all(v.startswith("=IFERROR(AVERAGEIFS(") for v in next(iter(means.values())).values())
    _check_cross(result, _values(path))


@needs_libreoffice
def test_libreoffice_recalculates_the_cross_table(crossed, tmp_path):
    result, path = crossed
    _check_cross(result, _values(convert(path, tmp_path / "recalc")))


def test_split_cross_table_is_written_as_values(tmp_path):
    pairs = [("A; B", "UN"), ("A", "EU"), ("B", "UN; EU")] * 4
    path = write_xlsx(
        tmp_path / "split.xlsx",
        [row(f"E{i}", kind=k) + [o] for i, (k, o) in enumerate(pairs)],
        header=[*HEADER, "Organisation"],
    )
    result = _compared(path, by=["Type", "Organisation"], split=";")
    rows = _sheet(write_report(result, tmp_path / "report.xlsx"))
    assert not any(isinstance(v, str) and v.startswith("=") for r in rows for v in r[1:])
    means, counts = _cross_blocks(rows, ("Type", "Organisation"), 2)
    assert counts == {"A": {"EU": 4, "UN": 4}, "B": {"EU": 4, "UN": 8}}
    _check_cross(result, rows, some_empty=False)


def test_html_report_shows_the_cross_table(tmp_path):
    result = _compared(EXAMPLE_WORKBOOK, by=["Type", "Organisation"])
    page = to_html(result)
    section = page[page.index('id="comparison"') :]
    table = section[section.index('class="compact cross"') : section.index("</table>")]
    cmp = result.comparison
    assert table.count("<tr>") == len(cmp.cross_mean.index) + 1
    for col in cmp.cross_mean.columns:
        assert f">{col}</th>" in table
    n = int(cmp.cross_n.to_numpy().sum())
    assert sum(int(x) for x in re.findall(r"\((\d+)\)</span>", table)) == n
    assert table.count("—") == int((cmp.cross_n.to_numpy() == 0).sum())
