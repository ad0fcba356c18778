"""Several raters: both layouts, cell-referenced rejections, combination, alpha and flags."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from conftest import CRITERIA, rater_workbook, row, write_csv
from hypothesis import example, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import assess
from assess.analyses.agreement import krippendorff_alpha, measure_agreement
from assess.raters import combine_values, read_ratings

LONG_HEADER = ["Engagement ID", "Rater", "Criterion", "Rating"]


def long_rows(ratings: dict[tuple[str, str], dict[str, float]]) -> list[list]:
    """(engagement, rater) -> {criterion: rating} as long-format rows."""
    return [
        [eid, rater, cid, value]
        for (eid, rater), values in ratings.items()
        for cid, value in values.items()
    ]


# -- Krippendorff's alpha -----------------------------------------------------------------------


def test_alpha_matches_a_hand_worked_example():
    """Two raters, four units: (1,1) (2,2) (3,3) (1,2).

    Coincidences: o11 = o22 = o33 = 2, o12 = o21 = 1; n1 = 3, n2 = 3, n3 = 2, n = 8.
    Ordinal distances d(c,k) = (sum of n_g from c to k - (n_c + n_k) / 2)^2:
    d12 = (6 - 3)^2 = 9, d13 = (8 - 2.5)^2 = 30.25, d23 = (5 - 2.5)^2 = 6.25.
    sum o d = 2 * 9 = 18; sum n_c n_k d = 2 * (9 * 9 + 6 * 30.25 + 6 * 6.25) = 600.
    alpha = 1 - (n - 1) * 18 / 600 = 1 - 126 / 600 = 0.79.
    """
    data = np.array([[1, 2, 3, 1], [1, 2, 3, 2]], dtype=float)
    assert krippendorff_alpha(data, domain=range(5)) == pytest.approx(0.79, abs=1e-12)


def test_alpha_ignores_units_rated_once_and_missing_ratings():
    data = np.array([[1, 2, 3, 1, 4], [1, 2, 3, 2, np.nan]], dtype=float)
    assert krippendorff_alpha(data, domain=range(5)) == pytest.approx(0.79, abs=1e-12)


def test_alpha_is_undefined_when_every_rating_is_the_same():
    assert math.isnan(krippendorff_alpha(np.full((2, 3), 2.0)))


def test_hand_worked_example_read_from_a_long_file(tmp_path):
    values = {"E1": (1, 1), "E2": (2, 2), "E3": (3, 3), "E4": (1, 2)}
    rows = [
        [eid, rater, "transparency", v[k]]
        for eid, v in values.items()
        for k, rater in enumerate(("Ann", "Bo"))
    ]
    rows += [[eid, r, c, 2] for eid in values for r in ("Ann", "Bo") for c in CRITERIA[1:]]
    result = assess.agreement(write_csv(tmp_path / "long.csv", rows, header=LONG_HEADER))
    assert result.agreement.alpha["transparency"] == pytest.approx(0.79, abs=1e-12)
    assert result.agreement.units["transparency"] == 4


# -- both layouts -------------------------------------------------------------------------------


def test_one_sheet_per_rater_is_read_with_sheet_names_as_raters(tmp_path):
    path = rater_workbook(
        tmp_path / "raters.xlsx",
        {
            "Ann": [row("E1", 1, 3, 3, 3, 1), row("E2", 2, 2, 2, 2, 2)],
            "Bo": [row("E1", 2, 3, 3, 3, 1), row("E2", 2, 2, 2, 2, 2)],
            "Cy": [row("E1", 4, 3, 3, 3, 1), row("E2", 3, 2, 2, 2, 2)],
        },
    )
    result = assess.score(path)
    assert result.agreement.raters == ["Ann", "Bo", "Cy"]
    assert result.agreement.layout == "sheet"
    assert result.engagements.loc["E1", "transparency.rating"] == 2  # median of 1, 2, 4
    assert result.engagements.loc["E2", "transparency.rating"] == 2
    assert result.summary_line().startswith("2 scored, 0 insufficient evidence of 2 engagements")


def test_long_format_names_criteria_by_id_label_column_or_alias(tmp_path):
    names = {
        "transparency": "Openness",  # alias
        "norms_alignment": "Alignment with international norms",  # label
        "interoperability": "interoperability",  # id
        "resources": "RESOURCES",  # column, another case
        "political_friction": "Political friction",
    }
    rows = [
        ["E1", rater, names[c], v]
        for rater in ("Ann", "Bo")
        for c, v in zip(CRITERIA, (4, 3, 2, 1, 0), strict=True)
    ]
    result = assess.score(write_csv(tmp_path / "long.csv", rows, header=LONG_HEADER))
    assert not result.rejected
    got = [result.engagements.loc["E1", f"{c}.rating"] for c in CRITERIA]
    assert got == [4, 3, 2, 1, 0]


def test_both_layouts_give_the_same_scores(tmp_path):
    ratings = {
        ("E1", "Ann"): (4, 3, 2, 1, 0),
        ("E1", "Bo"): (3, 3, 2, 2, 1),
        ("E2", "Ann"): (1, 1, 2, 3, 4),
        ("E2", "Bo"): (2, 0, 2, 3, 3),
        ("E3", "Ann"): (2, 2, 2, 2, 2),
        ("E3", "Bo"): (4, 4, 4, 4, 0),
    }
    sheets: dict[str, list[list]] = {"Ann": [], "Bo": []}
    long = []
    for (eid, rater), values in ratings.items():
        sheets[rater].append(row(eid, *values))
        long += [[eid, rater, c, v] for c, v in zip(CRITERIA, values, strict=True)]
    wide = assess.score(rater_workbook(tmp_path / "wide.xlsx", sheets))
    lng = assess.score(write_csv(tmp_path / "long.csv", long, header=LONG_HEADER))
    assert wide.engagements["score"].to_dict() == lng.engagements["score"].to_dict()
    assert wide.agreement.alpha == pytest.approx(lng.agreement.alpha, nan_ok=True)


def test_workbook_with_two_years_on_two_sheets_is_not_read_as_raters(tmp_path):
    path = rater_workbook(
        tmp_path / "years.xlsx", {"FY2024": [row("OLD-1")], "FY2025": [row("NEW-1")]}
    )
    result = assess.score(path)
    assert result.agreement is None
    assert len(result.engagements) == 1  # the best-matching sheet only, as before


def test_single_rater_file_is_scored_as_before(tmp_path):
    from conftest import write_xlsx

    path = write_xlsx(tmp_path / "one.xlsx", [row("E1"), row("E2", 1, 1, 1, 1, 1)])
    result = assess.score(path)
    assert result.agreement is None
    assert "agreement" not in result.to_dict()
    assert result.summary_line() == "2 scored, 0 insufficient evidence, 0 rejected of 2 rows"


# -- rejections carry their cell ------------------------------------------------------------------


def test_bad_rating_in_long_format_rejects_that_row_with_its_cell(tmp_path):
    rows = [["E1", "Ann", c, 3] for c in CRITERIA] + [["E1", "Bo", c, 3] for c in CRITERIA]
    rows[6][3] = "high"  # Bo's norms_alignment, line 8 of the file
    result = assess.score(write_csv(tmp_path / "long.csv", rows, header=LONG_HEADER))
    (rej,) = result.rejected
    assert rej.cell == "long!D8"
    assert "'high' is not a rating 0-4" in rej.reason
    assert result.engagements.loc["E1", "status"] == "scored"  # from the other rows
    assert result.agreement.rows_read == 10 and result.agreement.rows_rejected == 1


def test_bad_cell_on_a_rater_sheet_rejects_that_raters_row(tmp_path):
    path = rater_workbook(
        tmp_path / "raters.xlsx",
        {"Ann": [row("E1"), row("E2")], "Bo": [row("E1"), row("E2", i="high")]},
    )
    result = assess.score(path)
    (rej,) = result.rejected
    assert (rej.file, rej.sheet, rej.row, rej.column) == ("raters.xlsx", "Bo", 3, "F")
    assert str(rej).startswith("Bo!F3: 'high' is not a rating 0-4")
    assert result.agreement.spread.loc[("E2", "interoperability"), "n"] == 1


def test_unknown_criterion_is_rejected_naming_the_rubrics_criteria(tmp_path):
    rows = [["E1", "Ann", "Courage", 3], ["E1", "Ann", "transparency", 3]]
    rows += [["E1", "Bo", c, 3] for c in CRITERIA]
    result = assess.score(write_csv(tmp_path / "long.csv", rows, header=LONG_HEADER))
    (rej,) = result.rejected
    assert rej.cell == "long!C2"
    assert "'Courage' is not a criterion of rubric military-diplomacy" in rej.reason


def test_second_rating_of_the_same_cell_rejects_the_later_row(tmp_path):
    rows = [["E1", "Ann", "transparency", 3], ["E1", "Ann", "Transparency", 1]]
    rows += [["E1", "Bo", c, 3] for c in CRITERIA]
    result = assess.score(write_csv(tmp_path / "long.csv", rows, header=LONG_HEADER))
    (rej,) = result.rejected
    assert rej.row == 3
    assert "first at long!D2" in rej.reason
    assert result.agreement.spread.loc[("E1", "transparency"), "rater:Ann"] == 3


def test_missing_rater_or_id_is_rejected(tmp_path):
    rows = [["E1", "", "transparency", 3], [None, "Ann", "transparency", 3]]
    rows += [["E1", r, c, 3] for r in ("Ann", "Bo") for c in CRITERIA]
    result = assess.score(write_csv(tmp_path / "long.csv", rows, header=LONG_HEADER))
    assert [(r.cell, r.reason) for r in result.rejected] == [
        ("long!B2", "missing rater"),
        ("long!A3", "missing engagement id"),
    ]


@settings(max_examples=25, deadline=None)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["E1", "E2", "E3", ""]),
            st.sampled_from(["Ann", "Bo", "Cy"]),
            st.sampled_from([*CRITERIA, "courage"]),
            st.sampled_from([0, 1, 2, 3, 4, 2.5, "N/A", "high", 7]),
        ),
        min_size=1,
        max_size=30,
    )
)
def test_every_rating_row_is_used_or_rejected(tmp_path_factory, rows):
    path = write_csv(tmp_path_factory.mktemp("long") / "long.csv", rows, header=LONG_HEADER)
    ratings = read_ratings(path, assess.load_rubric())
    assert ratings is not None
    used = sum(len(t.used) for t in ratings.tables)
    assert used + len(ratings.rejected) == len(rows) == ratings.rows_read


# -- combining and flagging ---------------------------------------------------------------------


@settings(max_examples=60, deadline=None)
@given(st.lists(st.one_of(st.none(), st.floats(0, 4, allow_nan=False)), min_size=1, max_size=9))
def test_combination_rules_stay_within_the_raters_ratings(values):
    v = np.array([[np.nan if x is None else x for x in values]])
    present = v[~np.isnan(v)]
    for rule in ("median", "mean", "trimmed_mean"):
        got = combine_values(v, rule)[0]
        if not len(present):
            assert math.isnan(got)
            continue
        assert present.min() - 1e-12 <= got <= present.max() + 1e-12
    if len(present):
        assert combine_values(v, "median")[0] == pytest.approx(np.median(present))
        assert combine_values(v, "mean")[0] == pytest.approx(np.mean(present))


def test_trimmed_mean_drops_the_extremes_from_five_raters():
    assert combine_values(np.array([[0, 3, 3, 3, 4]], dtype=float), "trimmed_mean")[0] == 3


def test_rubric_may_name_the_combination_rule(tmp_path):
    import yaml
    from conftest import DEFAULT_RUBRIC_FILE

    data = yaml.safe_load(DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8"))
    data["raters"] = {"combine": "mean"}
    rubric = tmp_path / "mean.yaml"
    rubric.write_text(yaml.safe_dump(data), encoding="utf-8")
    path = rater_workbook(
        tmp_path / "r.xlsx",
        {"A": [row("E1", 1)], "B": [row("E1", 2)], "C": [row("E1", 4)]},
    )
    result = assess.score(path, rubric=rubric)
    assert result.agreement.combine == "mean"
    assert result.engagements.loc["E1", "transparency.rating"] == pytest.approx(7 / 3)
    assert assess.load_rubric(rubric).content_hash != assess.load_rubric().content_hash


def test_raters_two_levels_apart_are_flagged_and_one_level_is_not(tmp_path):
    path = rater_workbook(
        tmp_path / "r.xlsx",
        {
            "Ann": [row("E1", 4, 3, 3, 3, 1), row("E2", 3, 3, 3, 3, 1)],
            "Bo": [row("E1", 2, 2, 3, 3, 1), row("E2", 2, 3, 3, 3, 1)],
        },
    )
    result = assess.score(path)
    (flag,) = result.agreement.flags
    assert (flag.id, flag.criterion, flag.spread) == ("E1", "transparency", 2.0)
    assert flag.ratings == {"Ann": 4.0, "Bo": 2.0}
    assert flag.cells == ("Ann!D2", "Bo!D2")
    assert measure_agreement(result.agreement.ratings, flag_at=1).flags[0].id == "E1"
    assert len(measure_agreement(result.agreement.ratings, flag_at=1).flags) == 3


# -- reports and the command line --------------------------------------------------------------


def _example(tmp_path):
    return rater_workbook(
        tmp_path / "raters.xlsx",
        {
            "Ann": [row("E1", 4, 3, 2, 3, 1), row("E2", 1, 2, 2, 2, 3), row("E3", 3)],
            "Bo": [row("E1", 2, 3, 2, 3, 1), row("E2", 1, 1, 2, 2, "x"), row("E3", 3)],
        },
    )


def test_cli_agreement_prints_alpha_flags_and_rejections(tmp_path, cli):
    out = cli("agreement", _example(tmp_path))
    assert out.exit_code == 1  # a rating row was rejected
    assert "Krippendorff's α" in out.stdout
    assert "Bo!H3" in out.stdout
    assert "review these (1)" in out.stdout


def test_cli_agreement_json(tmp_path, cli):
    out = cli("agreement", _example(tmp_path), "--format", "json", "--combine", "mean")
    data = json.loads(out.stdout)
    block = data["agreement"]
    assert block["raters"] == ["Ann", "Bo"] and block["combine"] == "mean"
    assert block["rows"] == {"read": 6, "used": 5, "rejected": 1}
    assert block["flags"][0]["cells"] == ["Ann!D2", "Bo!D2"]
    assert set(block["alpha"]["criteria"]) == set(CRITERIA)
    assert block["spread"]["E1"]["transparency"]["ratings"] == {"Ann": 4.0, "Bo": 2.0}


def test_cli_agreement_on_one_raters_file_exits_2(tmp_path, cli):
    from conftest import write_xlsx

    out = cli("agreement", write_xlsx(tmp_path / "one.xlsx", [row("E1")]))
    assert out.exit_code == 2
    assert "no agreement to measure" in out.stderr


def test_score_on_several_raters_includes_agreement_in_every_report(tmp_path, cli):
    path = _example(tmp_path)
    for name in ("r.xlsx", "r.html", "r.json"):
        assert cli("score", path, "-o", tmp_path / name).exit_code == 1
    wb = load_workbook(tmp_path / "r.xlsx", read_only=True)
    assert wb.sheetnames[-1] == "Agreement"
    cells = [c for r in wb["Agreement"].iter_rows(values_only=True) for c in r if c is not None]
    assert "Krippendorff's alpha (ordinal)" in cells and "review" in cells
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    assert 'id="agreement"' in html and "Bo!H3" not in html.split('id="agreement"')[0][-50:]
    data = json.loads((tmp_path / "r.json").read_text(encoding="utf-8"))
    assert data["agreement"]["rows"]["rejected"] == 1
    assert data["summary"]["rows"] == data["summary"]["scored"] + data["summary"]["rejected"]


def test_reports_without_raters_have_no_agreement_section(tmp_path, cli):
    from conftest import write_xlsx

    path = write_xlsx(tmp_path / "one.xlsx", [row("E1")])
    cli("score", path, "-o", tmp_path / "r.html")
    cli("score", path, "-o", tmp_path / "r.xlsx")
    assert 'id="agreement"' not in (tmp_path / "r.html").read_text(encoding="utf-8")
    assert "Agreement" not in load_workbook(tmp_path / "r.xlsx", read_only=True).sheetnames


# -- the reading beside alpha ------------------------------------------------------------------
#
# Every output shows alpha beside Krippendorff's reading of it, under a legend (>= 0.8 reliable,
# >= 0.667 tentative, below unreliable).  The reading must be the legend's for the number shown.


def legend_reading(shown: str) -> str:
    """The legend every report prints, applied to the number it shows."""
    v = float(shown)
    return "reliable" if v >= 0.8 else "tentative" if v >= 0.667 else "unreliable"


def excel_shows(value: float, number_format: str) -> str:
    """What a spreadsheet displays for ``value`` in a ``0.000``-style format: its 15 significant
    digits rounded half away from zero to the format's decimals."""
    from decimal import ROUND_HALF_UP, Decimal

    decimals = len(number_format.split(".")[1]) if "." in number_format else 0
    step = Decimal(1).scaleb(-decimals)
    return str(Decimal(f"{value:.15g}").quantize(step, rounding=ROUND_HALF_UP))


READING = r"(unreliable|tentative|reliable|not defined)"


def alpha_as_shown(cli, path, folder) -> dict[str, list[tuple[str, str]]]:
    """(alpha as shown, reading beside it) in the terminal table, the Excel sheet and the HTML."""
    import re

    shown: dict[str, list[tuple[str, str]]] = {}
    out = cli("agreement", path)
    table = out.stdout.split("Reading")[1].split("Rating rows")[0]
    shown["terminal"] = re.findall(r"(-?\d+\.\d+)[\s│]+(?:\d+[\s│]+)?" + READING, table)
    cli("score", path, "-o", folder / "r.xlsx")
    ws = load_workbook(folder / "r.xlsx")["Agreement"]
    rows = list(ws.iter_rows(min_row=6))
    shown["xlsx"] = []
    for r in rows:
        if r[1].value is None and r[3].value is None:
            break
        if isinstance(r[1].value, (int, float)):
            shown["xlsx"].append((excel_shows(r[1].value, r[1].number_format), r[3].value))
    cli("score", path, "-o", folder / "r.html")
    html = (folder / "r.html").read_text(encoding="utf-8")
    section = html.split('id="agreement"')[1].split("Flagged for review")[0]
    shown["html"] = re.findall(
        r'<td class="num">(-?\d+\.\d+)</td>\s*<td><span class="meter">.*?</td>\s*'
        r'<td class="num">\d+</td>\s*<td>' + READING + "</td>",
        section,
        flags=re.S,
    )
    shown["html"] += re.findall(r"over all criteria: (-?\d+\.\d+) — " + READING, section)
    return shown


def assert_readings_follow_the_legend(shown: dict[str, list[tuple[str, str]]]) -> None:
    for where, pairs in shown.items():
        assert pairs, f"no alpha found in the {where} output"
        for number, reading in pairs:
            assert reading == legend_reading(number), f"{where}: {number} read as {reading}"


#: Two raters' transparency ratings whose alpha lies just below 0.667, just below 0.667 but
#: 0.667 to three decimals, and just below 0.8 (found by a seeded search over small tables).
NEAR_THRESHOLDS = [
    ((2, 2, 3, 2, 2, 2, 4, 2, 3, 1, 2), (2, 2, 3, 1, 1, 2, 4, 2, 2, 1, 3), 0.6660, 0.6665),
    ((2, 3, 2, 3, 2, 1, 1), (1, 3, 3, 3, 1, 0, 2), 0.6665, 0.6667),
    ((2, 1, 2, 2, 1, 0, 0, 1), (2, 1, 2, 2, 2, 0, 1, 1), 0.7995, 0.8),
]


@pytest.mark.parametrize(("ann", "bo", "low", "high"), NEAR_THRESHOLDS)
def test_alpha_near_a_threshold_is_read_as_the_legend_reads_the_number_shown(
    tmp_path, cli, ann, bo, low, high
):
    path = rater_workbook(
        tmp_path / "raters.xlsx",
        {
            rater: [row(f"E{i + 1}", t, 2, 3, 2, 1) for i, t in enumerate(ratings)]
            for rater, ratings in (("Ann", ann), ("Bo", bo))
        },
    )
    assert low < assess.agreement(path).agreement.alpha["transparency"] < high
    assert_readings_follow_the_legend(alpha_as_shown(cli, path, tmp_path))


@settings(max_examples=15, deadline=None)
@given(
    alpha=st.one_of(
        st.floats(-1, 1),
        st.sampled_from([0.667, 0.8]).flatmap(lambda t: st.floats(t - 0.001, t + 0.001)),
    )
)
@example(alpha=0.6654)
@example(alpha=0.6665)
@example(alpha=0.66649)
@example(alpha=0.6669999)
@example(alpha=0.7996)
@example(alpha=0.79949)
@example(alpha=0.8)
def test_every_output_reads_alpha_as_the_legend_reads_the_number_it_shows(alpha):
    """Whatever alpha the raters reach, each output's reading matches the number it shows."""
    import sys
    import tempfile
    from pathlib import Path

    from typer.testing import CliRunner

    from assess.cli import app

    def cli(*args):
        return CliRunner().invoke(app, [str(a) for a in args], catch_exceptions=False)

    with tempfile.TemporaryDirectory() as folder, pytest.MonkeyPatch.context() as mp:
        module = sys.modules["assess.analyses.agreement"]  # assess.agreement is also the function
        mp.setattr(module, "krippendorff_alpha", lambda data, domain=(): alpha)
        path = _example(Path(folder))
        shown = alpha_as_shown(cli, path, Path(folder))
    assert_readings_follow_the_legend(shown)
    assert len(shown["terminal"]) == len(CRITERIA) + 1  # every criterion and all together
    if alpha in (0.6654, 0.7996):  # shown to three decimals, as the 0.667 threshold is
        assert shown["terminal"][0][0] == {0.6654: "0.665", 0.7996: "0.800"}[alpha]
