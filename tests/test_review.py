"""The evidence behind each rating and the review trail: required evidence flagged or
rejected with its cell, the rows not in a required status counted and never dropped, and the
evidence and review fields in the JSON contract."""

from __future__ import annotations

import json

import pytest
import yaml
from conftest import DEFAULT_RUBRIC_FILE, HEADER, ROOT, dump_rubric, row, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess
from assess.errors import InputError, OptionError

EVIDENCE_HEADER = [*HEADER, "Transparency evidence", "Evidence", "Status", "Assessed by"]
RUBRIC_1_0 = ROOT / "examples" / "quarters" / "military-diplomacy-v1.0.yaml"


def rubric_file(tmp_path, **changes) -> str:
    """The built-in rubric with ``changes`` to its top-level keys, as a file."""
    data = yaml.safe_load(DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8"))
    data.update(changes)
    return str(dump_rubric(tmp_path / "rubric.yaml", data))


def evidence_rows() -> list[list]:
    """E1: transparency 4 with its own evidence; E2: transparency 4 with only the shared
    column's; E3: transparency 4 and friction 0 with no evidence at all; E4: nothing extreme."""
    return [
        row("E1", t=4) + ["After-action report AAR-1", None, "Approved", "J. Smith"],
        row("E2", t=4) + [None, "Joint statement, 3 May", "Approved", "J. Smith"],
        row("E3", t=4, f=0) + [None, None, "Draft", "K. Lee"],
        row("E4") + [None, None, "Reviewed", None],
    ]


def test_required_evidence_is_flagged_with_its_cell_and_the_row_still_scored(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    rubric = rubric_file(tmp_path, require_evidence={"levels": [0, 4]})
    result = assess.score(path, rubric=rubric)
    assert result.counts["scored"] == 4 and result.exit_code == 0
    flagged = [(f.id, f.criterion, f.cell) for f in result.flags]
    # E3's transparency evidence would go in its own column (I); friction has none of its own,
    # so the shared Evidence column (J) is where it is missing
    assert flagged == [
        ("E3", "transparency", "Engagements!I4"),
        ("E3", "political_friction", "Engagements!J4"),
    ]
    assert "rating 4 (Full) of Transparency has no evidence" in result.flags[0].reason
    assert "ratings 0 and 4" in result.flags[0].reason
    line = result.summary_line()
    assert line.endswith("; 2 flags (2 ratings without required evidence)")
    assert any(p.startswith("flagged Engagements!I4 (E3)") for p in result.problem_lines())


def test_required_evidence_in_reject_mode_rejects_the_row_naming_the_cell(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    rubric = rubric_file(tmp_path, require_evidence={"levels": [0, 4], "action": "reject"})
    result = assess.score(path, rubric=rubric)
    assert result.counts == {
        "rows": 4,
        "scored": 3,
        "insufficient": 0,
        "rejected": 1,
        "not_approved": 0,
    }
    (rej,) = result.rejected
    assert (rej.id, rej.cell) == ("E3", "Engagements!I4")
    assert [p.column for p in rej.problems] == ["I", "J"]
    assert not result.flags and result.exit_code == 1


def test_without_an_evidence_column_one_note_counts_the_ratings_and_reject_names_cells(
    tmp_path,
):
    path = write_xlsx(tmp_path / "in.xlsx", [row("E1", t=4), row("E2", t=4), row("E3")])
    result = assess.score(path, rubric=rubric_file(tmp_path, require_evidence={"levels": [4]}))
    assert result.flags == [] and result.counts["scored"] == 3  # nowhere to cite: one note
    (note,) = result.source_notes()
    assert "no evidence column for Transparency (2)" in note and "rating 4" in note
    assert "not flagged one by one" in note
    strict = rubric_file(tmp_path, require_evidence={"levels": [4], "action": "reject"})
    result = assess.score(path, rubric=strict)
    assert [r.cell for r in result.rejected] == ["Engagements!D2", "Engagements!D3"]
    assert "rejected" in result.source_notes()[0]


def test_every_rating_can_require_evidence(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    result = assess.score(path, rubric=rubric_file(tmp_path, require_evidence={"levels": "all"}))
    by_id: dict[str, int] = {}
    for f in result.flags:
        by_id[f.id] = by_id.get(f.id, 0) + 1
    # E1 and E2 have shared or own evidence only for transparency: the shared column covers
    # every criterion for E2; E1's own column covers transparency alone
    assert by_id == {"E1": 4, "E3": 5, "E4": 5}


def test_no_rule_no_flags_and_a_rubric_without_the_new_keys_keeps_its_hash(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    result = assess.score(path, rubric=RUBRIC_1_0)  # the built-in rubric as it was in 1.0.0
    assert not result.flags
    assert result.rubric.short_hash == "ed768234629e"


def test_the_built_in_rubric_flags_extreme_ratings_without_evidence_and_scores_alike(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    result = assess.score(path)
    assert (result.rubric.version, result.rubric.require_evidence.action) == ("2.0.0", "flag")
    assert [(f.id, f.criterion, f.cell) for f in result.flags] == [
        ("E3", "transparency", "Engagements!I4"),
        ("E3", "political_friction", "Engagements!J4"),
    ]
    assert result.summary_line() == (
        "4 scored, 0 insufficient evidence, 0 rejected of 4 rows; "
        "2 flags (2 ratings without required evidence)"
    )
    before = assess.score(path, rubric=RUBRIC_1_0)
    assert result.engagements["score"].tolist() == before.engagements["score"].tolist()
    assert result.engagements["band"].tolist() == before.engagements["band"].tolist()


def test_the_json_contract_carries_evidence_and_the_review_fields(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    data = assess.score(path, rubric=rubric_file(tmp_path, require_evidence={"levels": [0, 4]}))
    data = json.loads(json.dumps(data.to_dict()))
    items = {e["id"]: e for e in data["engagements"]}
    assert items["E1"]["criteria"]["transparency"]["evidence"] == "After-action report AAR-1"
    assert items["E2"]["criteria"]["transparency"]["evidence"] == "Joint statement, 3 May"
    assert items["E2"]["criteria"]["resources"]["evidence"] == "Joint statement, 3 May"
    assert items["E3"]["criteria"]["transparency"]["evidence"] is None
    assert items["E1"]["review"] == {
        "assessed_by": "J. Smith",
        "assessed_on": None,
        "reviewed_by": None,
        "status": "Approved",
    }
    assert [f["cell"] for f in data["flags"]] == ["Engagements!I4", "Engagements!J4"]
    assert data["not_approved"] == [] and data["summary"]["not_approved"] == 0
    assert data["sources"][0]["flagged"] == 2


def test_require_status_scores_only_approved_rows_and_lists_the_others(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    result = assess.score(path, require_status="approved")
    assert result.counts == {
        "rows": 4,
        "scored": 2,
        "insufficient": 0,
        "rejected": 0,
        "not_approved": 2,
    }
    assert [(h.id, h.status, h.cell) for h in result.held] == [
        ("E3", "Draft", "Engagements!K4"),
        ("E4", "Reviewed", "Engagements!K5"),
    ]
    assert result.held[0].reason == "status Draft, not Approved"
    assert result.summary_line() == (
        "2 scored, 0 insufficient evidence, 0 rejected, 2 not approved of 4 rows"
    )
    assert result.exit_code == 1
    assert result.sources[0].data_rows == 4 and result.sources[0].held == 2
    both = assess.score(path, require_status=["Reviewed, Approved"])
    assert both.counts["scored"] == 3


def test_a_draft_row_with_a_bad_cell_is_not_approved_rather_than_rejected(tmp_path):
    rows = [row("E1") + ["Approved"], row("E2", t="high") + ["Draft"], row("E3") + [None]]
    path = write_xlsx(tmp_path / "in.xlsx", rows, header=[*HEADER, "Status"])
    result = assess.score(path, require_status="Approved")
    assert [h.reason for h in result.held] == [
        "status Draft, not Approved",
        "no status (only Approved rows are scored)",
    ]
    assert not result.rejected


def test_require_status_errors(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", [row("E1")])
    with pytest.raises(InputError, match="has no Status column"):
        assess.score(path, require_status="Approved")
    with pytest.raises(OptionError, match=r"'Aproved' is not a status .*Draft, Reviewed, Approved"):
        assess.score(path, require_status="Aproved")


def test_an_unknown_status_is_flagged_and_a_rubric_may_name_its_own(tmp_path):
    rows = [row("E1") + ["Aproved"], row("E2") + ["Signed off"]]
    path = write_xlsx(tmp_path / "in.xlsx", rows, header=[*HEADER, "Review status"])
    result = assess.score(path)
    assert [(f.kind, f.cell) for f in result.flags] == [
        ("status", "Engagements!I2"),
        ("status", "Engagements!I3"),
    ]
    own = rubric_file(tmp_path, review={"statuses": ["Draft", "Signed off"]})
    result = assess.score(path, rubric=own, require_status="signed off")
    assert result.counts["scored"] == 1 and [h.id for h in result.held] == ["E1"]


STATUSES = st.sampled_from(["Approved", "Draft", "Reviewed", "", "approved ", "Aproved", None])
RATINGS = st.sampled_from([0, 1, 2, 3, 4, "high", None])


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(cells=st.lists(st.tuples(STATUSES, RATINGS, st.booleans()), min_size=1, max_size=12))
def test_status_filtering_keeps_every_row_counted(tmp_path, cells):
    rows = []
    for i, (status, t, keep_id) in enumerate(cells):
        rows.append(row(f"E{i}" if keep_id else None, t=t) + [status])
    path = write_xlsx(tmp_path / "prop.xlsx", rows, header=[*HEADER, "Status"])
    result = assess.score(path, require_status="Approved")
    c = result.counts
    assert c["scored"] + c["insufficient"] + c["rejected"] + c["not_approved"] == len(rows)
    assert c["rows"] == len(rows) == result.sources[0].data_rows
    approved = {i for i, (s, _, _) in enumerate(cells) if s and s.strip().lower() == "approved"}
    assert c["not_approved"] == len(rows) - len(approved)
    assert {h.row - 2 for h in result.held} == set(range(len(rows))) - approved


# -- explain and the command line ----------------------------------------------------------------


def test_explain_shows_the_evidence_and_the_flag_behind_each_rating(tmp_path, cli):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    rubric = rubric_file(tmp_path, require_evidence={"levels": [0, 4]})
    data = json.loads(cli("explain", path, "E1", "-r", rubric, "-f", "json").stdout)
    transparency = data["criteria"][0]
    assert transparency["evidence"] == "After-action report AAR-1" and transparency["flag"] is None
    assert data["review"]["assessed_by"] == "J. Smith" and data["flags"] == []
    flagged = json.loads(cli("explain", path, "E3", "-r", rubric, "-f", "json").stdout)
    assert flagged["criteria"][0]["evidence"] is None
    assert "has no evidence" in flagged["criteria"][0]["flag"]
    assert [f["cell"] for f in flagged["flags"]] == ["Engagements!I4", "Engagements!J4"]
    text = " ".join(cli("explain", path, "E3", "-r", rubric).stdout.split())
    assert "none: flagged" in text and "flagged Engagements!I4 (E3)" in text
    shown = " ".join(cli("explain", path, "E1", "-r", rubric).stdout.split())
    assert "AAR-1" in shown and "After-action" in shown and "assessed by J. Smith" in shown


def test_explain_of_a_row_not_approved_says_why_it_has_no_score(tmp_path):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    result = assess.score(path, require_status="Approved")
    expl = assess.explain(result, "e3")
    assert expl.status == "not approved" and expl.exit_code == 1
    assert expl.headline() == "E3: not approved, not scored: status Draft, not Approved"
    assert expl.to_dict()["not_approved"]["cell"] == "Engagements!K4"


def test_cli_require_status_counts_and_exit_codes(tmp_path, cli):
    path = write_xlsx(tmp_path / "in.xlsx", evidence_rows(), header=EVIDENCE_HEADER)
    out = cli("score", path, "--require-status", "Approved", "--require-status", "Reviewed")
    assert out.exit_code == 1
    text = " ".join(out.stdout.split())
    assert "3 scored, 0 insufficient evidence, 0 rejected, 1 not approved of 4 rows" in text
    assert "not approved Engagements row 4 E3: status Draft, not Approved or Reviewed" in text
    bad = cli("score", path, "--require-status", "Signed")
    assert bad.exit_code == 2 and bad.stderr.count("\n") == 1
    assert "'Signed' is not a status of rubric military-diplomacy" in bad.stderr
    data = json.loads(cli("score", path, "--require-status", "Approved", "-f", "json").stdout)
    assert data["summary"]["not_approved"] == 2 and len(data["not_approved"]) == 2
    batch = cli("batch", path, "-o", tmp_path / "out", "-j", "1", "--require-status", "Approved")
    assert batch.exit_code == 1
    assert "2 scored, 0 insufficient evidence, 0 rejected, 2 not approved of 4 rows" in (
        " ".join(batch.stdout.split())
    )
    portfolio = json.loads((tmp_path / "out" / "portfolio.json").read_text(encoding="utf-8"))
    assert portfolio["require_status"] == ["Approved"]
    assert portfolio["files"][0]["not_approved"] == 2
    dask = cli(
        "score", path, "--engine", "dask", "--require-status", "Approved", "-o", tmp_path / "s.csv"
    )
    assert dask.exit_code == 2 and "leave out --require-status" in dask.stderr


# -- the input template ----------------------------------------------------------------------


def test_template_has_evidence_and_review_columns_and_reads_back_with_no_rejection(tmp_path):
    from openpyxl import load_workbook

    from assess.template import write_template

    rubric = assess.load_rubric(rubric_file(tmp_path, review={"statuses": ["Draft", "Cleared"]}))
    path = write_template(rubric, tmp_path / "t.xlsx")
    ws = load_workbook(path)["Engagements"]
    headers = [c.value for c in ws[1]]
    for c in rubric.criteria:  # each evidence column right after its rating column
        assert headers[headers.index(c.column) + 1] == f"{c.column} evidence"
    assert headers[-5:] == ["Assessed by", "Assessed on", "Reviewed by", "Status", "Notes"]
    letters = {c.value: c.column_letter for c in ws[1]}
    validations = {str(dv.sqref).split(":")[0]: dv for dv in ws.data_validations.dataValidation}
    evidence = validations[f"{letters['Transparency evidence']}2"]
    assert "after-action report" in evidence.prompt and evidence.type is None
    status = validations[f"{letters['Status']}2"]
    assert status.type == "list"
    lists = load_workbook(path)["Lists"]
    column = status.formula1.split("!")[1].split(":")[0].replace("$", "")[0]
    assert [lists[f"{column}{r}"].value for r in (2, 3)] == ["Draft", "Cleared"]
    result = assess.score(path, rubric=rubric, require_status="Draft")
    assert result.counts == {
        "rows": 1,
        "scored": 1,
        "insufficient": 0,
        "rejected": 0,
        "not_approved": 0,
    }
    item = result.to_dict()["engagements"][0]
    assert item["criteria"]["transparency"]["evidence"].startswith("After-action report")
    assert item["review"] == {
        "assessed_by": "A. Analyst",
        "assessed_on": "2024-04-02",
        "reviewed_by": None,
        "status": "Draft",
    }


def test_the_terminal_lists_twenty_flags_and_counts_the_rest(tmp_path, cli):
    rows = [row(f"E{i}", t=4) + [None] for i in range(30)]
    path = write_xlsx(tmp_path / "in.xlsx", rows, header=[*HEADER, "Evidence"])
    result = assess.score(path, rubric=rubric_file(tmp_path, require_evidence={"levels": [4]}))
    assert len(result.flags) == 30
    lines = result.problem_lines()
    assert sum(line.startswith("flagged Engagements!") for line in lines) == 20
    assert lines[-1].startswith("flagged: 10 more (every flag is in --format json")
    data = json.loads(
        cli(
            "score",
            path,
            "-r",
            rubric_file(tmp_path, require_evidence={"levels": [4]}),
            "-f",
            "json",
        ).stdout
    )
    assert len(data["flags"]) == 30
