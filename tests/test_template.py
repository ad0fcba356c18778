"""The input template: what it holds, and that a filled-in template scores with no rejections."""

from __future__ import annotations

import csv
import datetime as dt
import re
import zipfile
from pathlib import Path

import pytest
from conftest import dump_rubric, levels, small_rubric_data, write_rubric
from libreoffice import convert, needs_libreoffice
from openpyxl import load_workbook

import assess
from assess.template import (
    CRITERIA_SHEET,
    ENGAGEMENT_TYPES,
    EXAMPLE_ID,
    LISTS_SHEET,
    ORGANISATIONS,
    PROMPT_MAX,
    SHEET,
    TITLE_MAX,
    write_template,
)

FIXED = ["Engagement", "Type", "Partners", "Organisation", "Start date", "End date"]
REVIEW = ["Assessed by", "Assessed on", "Reviewed by", "Status"]

EVIDENCE = "Evidence in the after-action report, meeting minutes and correspondence. "
# A 1-5 scale with long, comma-holding labels and descriptors, and a measured criterion.
CUSTOM_RUBRIC = """\
name: custom
version: "2"
title: Custom rubric for template tests
identifier:
  column: Ref
  aliases: []
bands:
  - {name: Good, min: 50}
  - {name: Poor, min: 0}
criteria:
  - id: cooperation
    label: Cooperation with partners and the international organisation concerned
    column: Cooperation
    weight: 2
    description: How well the partners worked together.
    scale:
      min: 1
      max: 5
      levels:
        - value: 1
          label: "Poor, with open disputes"
          descriptor: "Partners disputed the plan in public. {EVIDENCE}"
        - value: 2
          label: "Weak"
          descriptor: "Cooperation broke down at times. {EVIDENCE}"
        - value: 3
          label: "Fair, but uneven"
          descriptor: "Cooperation held on most tasks. {EVIDENCE}"
        - value: 4
          label: "Good"
          descriptor: "Cooperation held on all tasks. {EVIDENCE}"
        - value: 5
          label: "Excellent, with joint planning from the outset"
          descriptor: "Joint planning cell. {EVIDENCE}"
  - id: burden
    label: Burden
    column: Burden
    weight: 1
    direction: cost
    description: Cost to the host.
    scale:
      min: 1
      max: 5
      levels:
        - {value: 1, label: Light, descriptor: Hardly noticed.}
        - {value: 2, label: Modest, descriptor: Some cost.}
        - {value: 3, label: Notable, descriptor: Clear cost.}
        - {value: 4, label: Heavy, descriptor: Heavy cost.}
        - {value: 5, label: Crushing, descriptor: Unsustainable.}
  - id: delivery
    label: Delivery
    column: Delivery
    weight: 1
    description: Measured delivery of the engagement's objectives.
    indicators:
      - id: objectives_met
        label: Objectives met
        column: Objectives met (%)
        unit: "%"
        normalisation: {method: minmax, min: 0, max: 100}
      - id: trainees
        label: Trainees certified
        column: Trainees certified
        description: People who passed the final assessment.
        normalisation: {method: target, baseline: 0, target: 200}
""".replace("{EVIDENCE}", EVIDENCE * 3)


@pytest.fixture
def template(tmp_path, default_rubric) -> Path:
    return write_template(default_rubric, tmp_path / "engagements.xlsx")


@pytest.fixture
def custom_rubric(tmp_path):
    return assess.load_rubric(write_rubric(tmp_path / "custom.yaml", CUSTOM_RUBRIC))


def _list_values(wb, formula: str) -> list[str]:
    """The cell values a list validation's source range names (``'Lists'!$C$2:$C$6``)."""
    sheet, ref = formula.lstrip("=").rsplit("!", 1)
    ws = wb[sheet.strip("'")]
    return [c.value for row in ws[ref.replace("$", "")] for c in row]


def _validations_by_column(ws) -> dict[str, object]:
    """Header text -> the data validation covering rows 2..1001 of its column."""
    headers = {c.column_letter: c.value for c in ws[1]}
    out = {}
    for dv in ws.data_validations.dataValidation:
        for rng in dv.sqref.ranges:
            letter = rng.coord.split(":")[0].rstrip("0123456789")
            assert rng.coord == f"{letter}2:{letter}1001"
            out[headers[letter]] = dv
    return out


def _rated(rubric):
    return [c for c in rubric.criteria if c.rated]


def _fill_rows(path: Path, rubric, n: int) -> None:
    """Add ``n`` rows below the example, every rating picked from its dropdown's source."""
    measured = {i.column for c in rubric.criteria for i in c.indicators}
    wb = load_workbook(path)
    ws = wb[SHEET]
    dvs = _validations_by_column(ws)
    headers = [c.value for c in ws[1]]
    for k in range(n):
        r = 3 + k
        for col, header in enumerate(headers, start=1):
            dv = dvs.get(header)
            if header == rubric.identifier.column:
                value = f"E-{k + 1:03d}"
            elif dv is not None and dv.type == "list":
                options = _list_values(wb, dv.formula1)
                value = options[(k + col) % len(options)]
            elif dv is not None and dv.type == "date":
                value = dt.date(2023, 1, 1) + dt.timedelta(days=30 * k)
            elif dv is not None and dv.type == "decimal":
                value = float(dv.formula1) + (float(dv.formula2) - float(dv.formula1)) * k / n
            elif header in measured:
                value = 25 * k
            else:
                value = f"text {k}"
            ws.cell(row=r, column=col, value=value)
    wb.save(path)


# -- reads back cleanly ---------------------------------------------------------------------


def test_template_example_row_scores_with_no_rejections(template):
    result = assess.score(template)
    assert result.counts["scored"] == 1
    assert result.counts["rejected"] == 0
    assert result.counts["insufficient"] == 0
    assert list(result.scored.index) == [EXAMPLE_ID]


def test_rows_filled_from_the_dropdowns_all_score(template, default_rubric):
    _fill_rows(template, default_rubric, 10)
    result = assess.score(template)
    assert result.rejected == []
    assert result.counts["scored"] == 11


def test_reader_finds_the_table_on_the_engagements_sheet(template, default_rubric):
    table = assess.read_table(template, default_rubric)
    assert (table.sheet, table.header_row) == (SHEET, 1)
    roles = {c.key: c.role for c in table.columns}
    assert roles["id"] == "id"
    assert all(roles[c.id] == "criterion" for c in _rated(default_rubric))
    assert table.notes == []


def test_header_row_holds_the_id_descriptive_rating_and_notes_columns(template, default_rubric):
    ws = load_workbook(template)[SHEET]
    headers = [c.value for c in ws[1]]
    expected = [
        default_rubric.identifier.column,
        *FIXED,
        *(h for c in _rated(default_rubric) for h in (c.column, f"{c.column} evidence")),
        *REVIEW,
        "Notes",
    ]
    assert headers == expected


def test_header_is_bold_frozen_and_filtered(template):
    ws = load_workbook(template)[SHEET]
    assert all(c.font.bold for c in ws[1])
    assert ws.freeze_panes == "B2"
    assert ws.auto_filter.ref.startswith("A1:")
    assert all(ws.column_dimensions[c.column_letter].width >= 12 for c in ws[1])


def test_without_example_row_the_table_is_empty(tmp_path, default_rubric):
    path = write_template(default_rubric, tmp_path / "t.xlsx", example_row=False)
    ws = load_workbook(path)[SHEET]
    assert all(c.value is None for c in ws[2])
    with pytest.raises(assess.InputError, match="headers but no data rows"):
        assess.read_table(path, default_rubric)


def test_example_row_ratings_are_level_texts(template, default_rubric):
    ws = load_workbook(template)[SHEET]
    row = {h.value: c.value for h, c in zip(ws[1], ws[2], strict=True)}
    assert row[default_rubric.identifier.column] == EXAMPLE_ID
    assert row["Notes"] == "Example row: replace or delete"
    assert row["Type"] in ENGAGEMENT_TYPES and row["Organisation"] in ORGANISATIONS
    assert row["Start date"] <= row["End date"]
    for c in _rated(default_rubric):
        value, label = row[c.column].split(" - ", 1)
        assert c.level(int(value)).label == label


# -- dropdowns and guidance -----------------------------------------------------------------


def test_every_rating_column_lists_exactly_its_levels(template, default_rubric):
    wb = load_workbook(template)
    dvs = _validations_by_column(wb[SHEET])
    for c in _rated(default_rubric):
        dv = dvs[c.column]
        assert dv.type == "list"
        assert dv.formula1.startswith(f"'{LISTS_SHEET}'!")
        assert _list_values(wb, dv.formula1) == [
            f"{lv.value} - {lv.label}" for lv in c.scale.levels
        ]


def test_rating_validation_allows_blank_and_explains_the_error(template, default_rubric):
    dvs = _validations_by_column(load_workbook(template)[SHEET])
    for c in _rated(default_rubric):
        dv = dvs[c.column]
        assert dv.allow_blank and dv.showErrorMessage and dv.errorStyle == "stop"
        assert dv.error == "Pick a level 0-4 from the list, or leave blank if not assessed."
        assert dv.showInputMessage
        assert len(dv.promptTitle) <= TITLE_MAX and len(dv.prompt) <= PROMPT_MAX
        assert all(lv.label in dv.prompt for lv in c.scale.levels)


def test_lists_sheet_is_hidden_and_engagements_comes_first(template):
    wb = load_workbook(template)
    assert wb.sheetnames[0] == SHEET
    assert wb[LISTS_SHEET].sheet_state == "hidden"
    assert wb.active.title == SHEET


def test_type_and_organisation_dropdowns_accept_other_values(template, default_rubric):
    wb = load_workbook(template)
    dvs = _validations_by_column(wb[SHEET])
    assert _list_values(wb, dvs["Type"].formula1) == list(ENGAGEMENT_TYPES)
    assert _list_values(wb, dvs["Organisation"].formula1) == list(ORGANISATIONS)
    for name in ("Type", "Organisation"):
        dv = dvs[name]
        assert dv.type == "list"
        assert not dv.showErrorMessage or dv.errorStyle in ("warning", "information")


def test_date_columns_have_date_validation_and_format(template):
    ws = load_workbook(template)[SHEET]
    dvs = _validations_by_column(ws)
    headers = {c.value: c.column_letter for c in ws[1]}
    for name in ("Start date", "End date"):
        assert dvs[name].type == "date"
        assert ws[f"{headers[name]}2"].number_format == "yyyy-mm-dd"
        assert ws[f"{headers[name]}1001"].number_format == "yyyy-mm-dd"


def test_rating_header_comments_hold_description_and_every_descriptor(template, default_rubric):
    ws = load_workbook(template)[SHEET]
    cells = {c.value: c for c in ws[1]}
    for c in _rated(default_rubric):
        comment = cells[c.column].comment
        assert comment is not None
        text = " ".join(comment.text.split())
        assert " ".join(c.description.split()) in text
        for lv in c.scale.levels:
            assert f"{lv.value} - {lv.label}: {' '.join(lv.descriptor.split())}" in text


def test_rating_header_comments_are_sized_to_their_text(template, default_rubric):
    # openpyxl does not read comment sizes back, so look at the VML drawing itself
    with zipfile.ZipFile(template) as zf:
        vml = "".join(zf.read(n).decode() for n in zf.namelist() if n.endswith(".vml"))
    sizes = [(int(w), int(h)) for w, h in re.findall(r"width:(\d+)px;height:(\d+)px", vml)]
    assert len(sizes) == len(_rated(default_rubric))
    assert all(w >= 400 and h >= 250 for w, h in sizes)


def test_criteria_sheet_lists_every_criterion_and_level(template, default_rubric):
    ws = load_workbook(template)[CRITERIA_SHEET]
    texts = [str(c.value) for row in ws.iter_rows() for c in row if c.value is not None]
    joined = "\n".join(texts)
    assert default_rubric.short_hash in joined
    assert f"{default_rubric.name} version {default_rubric.version}" in joined
    assert "cost: more of it lowers the score" in joined
    weights = [c.value for row in ws.iter_rows() for c in row if c.number_format == "0.0%"]
    assert weights == pytest.approx([c.weight for c in default_rubric.criteria])
    for c in default_rubric.criteria:
        assert c.label in texts
        for lv in c.scale.levels:
            assert lv.descriptor.strip() in texts


def test_workbook_properties_name_the_rubric(template, default_rubric):
    props = load_workbook(template).properties
    assert props.creator == "assess"
    assert props.title
    assert default_rubric.short_hash in props.subject


# -- writing --------------------------------------------------------------------------------


def test_existing_file_is_not_overwritten(tmp_path, default_rubric):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"precious")
    with pytest.raises(assess.OutputError, match="already exists"):
        write_template(default_rubric, path)
    assert path.read_bytes() == b"precious"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


def test_overwrite_replaces_an_existing_file(tmp_path, default_rubric):
    path = tmp_path / "t.xlsx"
    path.write_bytes(b"old")
    write_template(default_rubric, path, overwrite=True)
    assert assess.score(path).counts["scored"] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ["t.xlsx"]


@pytest.mark.parametrize("name", ["t.csv", "t.xls", "missing-folder/t.xlsx"])
def test_unusable_paths_raise_output_error(tmp_path, default_rubric, name):
    with pytest.raises(assess.OutputError):
        write_template(default_rubric, tmp_path / name)


def test_rubric_may_be_given_by_name(tmp_path):
    path = write_template("military-diplomacy", tmp_path / "t.xlsx")
    assert assess.score(path).counts["scored"] == 1


# -- other rubrics --------------------------------------------------------------------------


def test_custom_rubric_with_1_to_5_scale_and_indicators_scores_cleanly(tmp_path, custom_rubric):
    path = write_template(custom_rubric, tmp_path / "t.xlsx")
    _fill_rows(path, custom_rubric, 6)
    result = assess.score(path, rubric=custom_rubric)
    assert result.rejected == []
    assert result.counts["scored"] == 7


def test_custom_rubric_has_a_column_per_indicator(tmp_path, custom_rubric):
    path = write_template(custom_rubric, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    ws = wb[SHEET]
    headers = [c.value for c in ws[1]]
    assert headers == [
        "Ref",
        *FIXED,
        "Cooperation",
        "Cooperation evidence",
        "Burden",
        "Burden evidence",
        "Objectives met (%)",
        "Trainees certified",
        "Delivery evidence",
        *REVIEW,
        "Notes",
    ]
    dvs = _validations_by_column(ws)
    assert (
        dvs["Objectives met (%)"].type,
        dvs["Objectives met (%)"].formula1,
        dvs["Objectives met (%)"].formula2,
    ) == ("decimal", "0", "100")
    assert dvs["Trainees certified"].type is None  # a target has no upper bound: guidance only
    assert "People who passed" in {c.value: c for c in ws[1]}["Trainees certified"].comment.text


def test_long_labels_fit_excel_limits_and_commas_survive(tmp_path, custom_rubric):
    path = write_template(custom_rubric, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    dv = _validations_by_column(wb[SHEET])["Cooperation"]
    assert dv.promptTitle == "Cooperation"  # the label is too long for a title; the column is not
    assert _list_values(wb, dv.formula1)[0] == "1 - Poor, with open disputes"
    assert dv.error == "Pick a level 1-5 from the list, or leave blank if not assessed."
    comment = {c.value: c for c in wb[SHEET][1]}["Cooperation"].comment
    levels = custom_rubric.criterion("cooperation").scale.levels
    assert all(lv.descriptor.strip() in comment.text for lv in levels)


def test_many_long_level_labels_are_clipped_to_excel_limits(tmp_path):
    data = small_rubric_data()
    labels = [f"{'Long level label number ' * 3}{v}"[-60:] for v in range(10)]
    data["criteria"][0]["label"] = "A criterion label far longer than thirty-two characters"
    data["criteria"][0]["column"] = "A column name also longer than thirty-two characters"
    data["criteria"][0]["scale"] = {"min": 0, "max": 9, "levels": levels(labels)}
    rubric = assess.load_rubric(dump_rubric(tmp_path / "r.yaml", data))
    path = write_template(rubric, tmp_path / "t.xlsx")
    wb = load_workbook(path)
    dv = _validations_by_column(wb[SHEET])[data["criteria"][0]["column"]]
    assert len(dv.promptTitle) <= TITLE_MAX and dv.promptTitle.endswith("…")
    assert len(dv.prompt) <= PROMPT_MAX and dv.prompt.endswith("…")
    assert len(_list_values(wb, dv.formula1)) == 10
    assert assess.score(path, rubric=rubric).counts["scored"] == 1


def test_descriptive_column_the_rubric_reads_is_not_repeated(tmp_path):
    data = small_rubric_data()
    data["criteria"][2]["column"] = "Notes"
    rubric = assess.load_rubric(dump_rubric(tmp_path / "r.yaml", data))
    path = write_template(rubric, tmp_path / "t.xlsx")
    headers = [c.value for c in load_workbook(path)[SHEET][1]]
    assert headers.count("Notes") == 1
    assert assess.score(path, rubric=rubric).counts["scored"] == 1


# -- other programs -------------------------------------------------------------------------


@needs_libreoffice
def test_libreoffice_opens_the_template(template, tmp_path, default_rubric):
    produced = convert(template, tmp_path / "lo", "csv")
    with produced.open(encoding="utf-8", newline="") as fh:
        rows = list(csv.reader(fh))
    assert rows[0][0] == default_rubric.identifier.column
    ratings = [h for c in _rated(default_rubric) for h in (c.column, f"{c.column} evidence")]
    assert ratings + REVIEW == rows[0][7:-1]
    assert rows[1][0] == EXAMPLE_ID
