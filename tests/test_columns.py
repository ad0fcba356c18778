"""Columns the rubric reads: a criterion without a column is refused unless allowed (and
then every output says so); the id column can be named; nothing is dropped silently."""

from __future__ import annotations

import json

import pytest
from conftest import (
    CRITERIA,
    HEADER,
    dump_rubric,
    indicator_rubric_data,
    row,
    write_csv,
    write_xlsx,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

import assess

ROWS = [
    row("E1", 4, 4, 4, 0, 0, name="Exercise North"),
    row("E2", 3, 3, 3, 4, 1, name="Exercise South"),
    row("E3", 1, 2, 2, 4, 2, name="Dialogue East"),
    row("E4", 2, 2, 1, 1, 3, name="Training West"),
]
ALLOWED_NOTE = "no column for criterion 'resources' (Resources)"


def _without(column: str, rows=ROWS, rename: str | None = None):
    """HEADER and rows with one column dropped (or renamed)."""
    i = HEADER.index(column)
    if rename is not None:
        return [*HEADER[:i], rename, *HEADER[i + 1 :]], rows
    return [*HEADER[:i], *HEADER[i + 1 :]], [[*r[:i], *r[i + 1 :]] for r in rows]


# -- a criterion without a column ---------------------------------------------------------


def test_misspelled_criterion_header_is_unusable_input_with_a_suggestion(cli, tmp_path):
    header, rows = _without("Transparency", rename="Transparancy")
    path = write_csv(tmp_path / "typo.csv", rows, header=header)
    out = cli("score", path)
    assert out.exit_code == 2
    line = out.stderr.strip()
    assert "\n" not in line
    assert "no column for criterion 'transparency' (Transparency)" in line
    assert "did you mean 'Transparancy'?" in line
    assert "--allow-missing transparency" in line


@pytest.mark.parametrize("suffix", ["xlsx", "csv"])
def test_a_missing_criterion_column_raises_in_the_api(tmp_path, suffix):
    header, rows = _without("Resources")
    writer = write_xlsx if suffix == "xlsx" else write_csv
    path = writer(tmp_path / f"t.{suffix}", rows, header=header)
    with pytest.raises(assess.InputError, match="no column for criterion 'resources'"):
        assess.score(path)


def test_every_missing_criterion_is_named_at_once(tmp_path):
    header, rows = _without("Resources")
    i = header.index("Interoperability")
    header = [*header[:i], *header[i + 1 :]]
    rows = [[*r[:i], *r[i + 1 :]] for r in rows]
    with pytest.raises(assess.InputError) as err:
        assess.score(write_csv(tmp_path / "t.csv", rows, header=header))
    assert "'interoperability'" in str(err.value) and "'resources'" in str(err.value)
    assert "--allow-missing interoperability,resources" in str(err.value)


def test_allowed_missing_criterion_scores_without_it_as_before(tmp_path):
    header, rows = _without("Resources")
    path = write_xlsx(tmp_path / "t.xlsx", rows, header=header)
    result = assess.score(path, allow_missing=["resources"])
    # the same as a table whose Resources column is there but blank
    blank = write_xlsx(tmp_path / "b.xlsx", [[*r[:6], None, r[7]] for r in ROWS])
    want = assess.score(blank)
    assert result.engagements["score"].to_dict() == want.engagements["score"].to_dict()
    assert result.engagements["rank"].to_dict() == want.engagements["rank"].to_dict()
    assert any(ALLOWED_NOTE in n for n in result.sources[0].notes)


@pytest.mark.parametrize(
    "names", [["resources"], ["Resources"], ["all"], ["transparency,resources"]]
)
def test_allow_missing_takes_ids_labels_headers_or_all(tmp_path, names):
    header, rows = _without("Resources")
    result = assess.score(write_csv(tmp_path / "t.csv", rows, header=header), allow_missing=names)
    assert result.counts["scored"] == len(ROWS)
    # a criterion that is present is still read: allowing it changes nothing
    assert result.engagements.loc["E1", "transparency.rating"] == 4


def test_unknown_allow_missing_name_is_one_line_exit_2(cli, tmp_path):
    path = write_csv(tmp_path / "t.csv", ROWS)
    out = cli("score", path, "--allow-missing", "resourcez")
    assert out.exit_code == 2
    assert "'resourcez' is not a criterion of rubric military-diplomacy" in out.stderr
    assert len(out.stderr.strip().splitlines()) == 1


def test_every_output_says_a_criterion_was_scored_without_its_column(cli, tmp_path):
    header, rows = _without("Resources")
    path = write_xlsx(tmp_path / "t.xlsx", rows, header=header)
    allow = ["--allow-missing", "resources"]
    terminal = cli("score", path, *allow)
    assert terminal.exit_code == 0
    first = terminal.stdout.splitlines()[0]
    assert first.startswith("note: t.xlsx: " + ALLOWED_NOTE)  # a banner above the table

    as_json = json.loads(cli("score", path, *allow, "--format", "json").stdout)
    assert any(ALLOWED_NOTE in n for n in as_json["sources"][0]["notes"])

    cli("score", path, *allow, "-o", tmp_path / "r.html")
    html = (tmp_path / "r.html").read_text(encoding="utf-8")
    masthead = html[html.index('<header class="masthead">') : html.index("</header>")]
    assert ALLOWED_NOTE.replace("'", "&#39;") in masthead

    cli("score", path, *allow, "-o", tmp_path / "r.md")
    assert ALLOWED_NOTE in (tmp_path / "r.md").read_text(encoding="utf-8")

    out = cli("score", path, *allow, "-o", tmp_path / "r.xlsx")
    assert "note: t.xlsx: " + ALLOWED_NOTE in out.stdout
    ws = load_workbook(tmp_path / "r.xlsx")["Summary"]
    cells = [str(c.value) for r in ws.iter_rows() for c in r if c.value is not None]
    assert any(ALLOWED_NOTE in c for c in cells)


def test_missing_indicator_column_follows_the_same_rule(tmp_path):
    data = indicator_rubric_data(target=100)
    rubric = dump_rubric(tmp_path / "ind.yaml", data)
    path = write_csv(
        tmp_path / "t.csv", [["E1", 4, 2, 0.5]], header=["ID", "Alpha", "Beta", "Objectives met"]
    )
    with pytest.raises(assess.InputError, match="no column for indicator 'trained'"):
        assess.score(path, rubric=rubric)
    # the indicator by id, or its criterion (all its indicators)
    for allow in ("trained", "delivery"):
        result = assess.score(path, rubric=rubric, allow_missing=allow)
        assert "no column for indicator 'trained'" in result.sources[0].notes[0]


cell = st.sampled_from([0, 1, 2, 3, 4, None])


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    dropped=st.sets(st.sampled_from(CRITERIA), max_size=4),
    ratings=st.lists(st.tuples(cell, cell, cell, cell, cell), min_size=1, max_size=6),
    allow=st.booleans(),
)
def test_a_dropped_criterion_column_is_never_silently_ignored(
    tmp_path_factory, dropped, ratings, allow
):
    rows = [row(f"E{i}", *r) for i, r in enumerate(ratings)]
    keep = [i for i, h in enumerate(HEADER) if i < 3 or CRITERIA[i - 3] not in dropped]
    path = write_csv(
        tmp_path_factory.mktemp("drop") / "t.csv",
        [[r[i] for i in keep] for r in rows],
        header=[HEADER[i] for i in keep],
    )
    if dropped and not allow:
        with pytest.raises(assess.InputError) as err:
            assess.score(path)
        for cid in dropped:
            assert f"no column for criterion {cid!r}" in str(err.value)
        return
    result = assess.score(path, allow_missing=sorted(dropped) if allow else None)
    noted = {
        cid for cid in CRITERIA if any(f"criterion {cid!r}" in n for n in result.source_notes())
    }
    assert noted == set(dropped)
    assert result.counts["rows"] == len(rows)


def test_a_rater_sheet_without_a_criterion_column_is_not_dropped_silently(tmp_path):
    from openpyxl import Workbook

    wb = Workbook()
    wb.active.title = "Ann"
    wb.active.append(HEADER)
    wb.active.append(row("E1", 1, 2, 3, 4, 1))
    for name in ("Bo", "Cy"):
        ws = wb.create_sheet(name)
        header, rows = (
            (HEADER, [row("E1", 2, 2, 3, 4, 1)])
            if name == "Bo"
            else _without("Resources", [row("E1", 3, 2, 3, 4, 1)])
        )
        ws.append(header)
        for r in rows:
            ws.append(r)
    wb.save(tmp_path / "raters.xlsx")
    with pytest.raises(assess.InputError, match="no column for criterion 'resources'"):
        assess.score(tmp_path / "raters.xlsx")
    result = assess.score(tmp_path / "raters.xlsx", allow_missing="resources")
    assert result.agreement.raters == ["Ann", "Bo", "Cy"]


# -- naming the id column -----------------------------------------------------------------


def _case_file(tmp_path, suffix="csv"):
    header, rows = _without("Engagement ID", rename="Case")
    writer = write_csv if suffix == "csv" else write_xlsx
    return writer(tmp_path / f"cases.{suffix}", rows, header=header)


@pytest.mark.parametrize("suffix", ["csv", "xlsx"])
def test_without_the_rubrics_id_column_the_refusal_lists_what_could_serve(cli, tmp_path, suffix):
    out = cli("score", _case_file(tmp_path, suffix))
    assert out.exit_code == 2
    line = out.stderr.strip()
    assert "no id column 'Engagement ID'" in line
    assert "could serve" in line and "'Case'" in line and "'Engagement'" in line
    assert "'Type'" not in line  # repeated values: not an id
    assert "--id-column" in line


def test_id_column_names_the_id_column(cli, tmp_path):
    path = _case_file(tmp_path)
    out = cli("score", path, "--id-column", "Case", "--format", "json")
    assert out.exit_code == 0, out.stderr
    data = json.loads(out.stdout)
    assert [e["id"] for e in data["engagements"]] == ["E1", "E2", "E3", "E4"]


def test_id_column_replaces_the_rubrics_id_names(tmp_path):
    # with --id-column, the rubric's own id header is an ordinary carried column
    header = ["Ref", *HEADER]
    rows = [[f"R{i}", *r] for i, r in enumerate(ROWS)]
    result = assess.score(write_csv(tmp_path / "t.csv", rows, header=header), id_column="Ref")
    assert sorted(result.engagements.index) == ["R0", "R1", "R2", "R3"]
    assert "Engagement ID" in result.carried_columns


def test_id_column_that_is_not_there_is_one_line_exit_2(cli, tmp_path):
    out = cli("score", _case_file(tmp_path), "--id-column", "Reference number")
    assert out.exit_code == 2
    assert "no id column 'Reference number'" in out.stderr


def test_every_reading_command_takes_id_column(cli, tmp_path):
    path = _case_file(tmp_path, "xlsx")
    assert cli("explain", path, "E2", "--id-column", "Case").exit_code == 0
    assert (
        cli("sensitivity", path, "--id-column", "Case", "--draws", "50", "--no-sobol").exit_code
        == 0
    )
    out = cli("batch", path, "-o", tmp_path / "out", "--id-column", "Case", "--jobs", "1")
    assert out.exit_code == 0, out.stdout


def test_calibrate_reads_past_cases_with_a_named_id_column(cli, tmp_path):
    from conftest import draw

    ratings, y = draw(60, "binary", seed=5)
    rows = [[f"K{i}", *map(int, r), o] for i, (r, o) in enumerate(zip(ratings, y, strict=True))]
    path = write_xlsx(tmp_path / "past.xlsx", rows, header=["Case", *HEADER[3:], "Outcome"])
    refused = cli("calibrate", path, "-y", "Outcome", "--folds", "3", "--repeats", "1")
    assert refused.exit_code == 2 and "'Case'" in refused.stderr
    out = cli(
        "calibrate", path, "-y", "Outcome", "--id-column", "Case",
        "--folds", "3", "--repeats", "1", "--bootstrap", "5", "--format", "json",
    )  # fmt: skip
    assert out.exit_code == 0, out.stderr
    assert json.loads(out.stdout)["summary"]["used"] == 60


# -- explain for rows that were not scored --------------------------------------------------


def test_explain_a_rejected_row_says_where_and_why_exit_1(cli, tmp_path):
    rows = [*ROWS, row("E5", 3, "high", 2, 2, 2)]
    path = write_xlsx(tmp_path / "t.xlsx", rows)
    out = cli("explain", path, "E5")
    assert out.exit_code == 1
    assert "E5: rejected" in out.stdout
    assert "Engagements!E6: 'high' is not a rating 0-4" in out.stdout
    data = json.loads(cli("explain", path, "e5", "--format", "json").stdout)
    assert data["status"] == "rejected"
    assert data["rejection"]["cell"] == "Engagements!E6"


def test_explain_an_insufficient_row_exits_1(cli, tmp_path):
    rows = [*ROWS, row("E5", 3, None, None, None, 2)]
    out = cli("explain", write_xlsx(tmp_path / "t.xlsx", rows), "E5")
    assert out.exit_code == 1
    assert "insufficient evidence" in out.stdout


def test_explain_an_unknown_id_is_still_exit_2(cli, tmp_path):
    out = cli("explain", write_xlsx(tmp_path / "t.xlsx", ROWS), "E9")
    assert out.exit_code == 2
    assert "no engagement 'E9'" in out.stderr


# -- batch: reading options are part of what "unchanged" means ------------------------------


def test_skip_unchanged_does_not_reuse_a_result_read_with_other_options(cli, tmp_path):
    header, rows = _without("Resources")
    path = write_csv(tmp_path / "t.csv", rows, header=header)
    out_dir = tmp_path / "out"
    first = cli("batch", path, "-o", out_dir, "--allow-missing", "resources", "--jobs", "1")
    assert first.exit_code == 0, first.stdout
    again = cli("batch", path, "-o", out_dir, "--skip-unchanged", "--jobs", "1", "--json")
    data = json.loads(again.stdout)
    assert data["files"][0]["status"] == "failed"  # read again, and refused: not reused
    assert "no column for criterion 'resources'" in data["files"][0]["error"]


def test_the_sensitivity_function_takes_the_reading_options_as_score_does(tmp_path):
    path = _case_file(tmp_path)
    with pytest.raises(assess.InputError, match="no id column"):
        assess.sensitivity(path, draws=20, sobol=False)
    result = assess.sensitivity(path, draws=20, sobol=False, id_column="Case")
    assert sorted(result.sensitivity.engagements.index) == ["E1", "E2", "E3", "E4"]
