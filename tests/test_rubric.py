"""The rubric: loading, weights, content hash, validation and the `assess rubric` commands."""

from __future__ import annotations

import json
import math

import pytest
import yaml
from conftest import (
    DEFAULT_RUBRIC_FILE,
    RAW_WEIGHTS,
    dump_rubric,
    small_rubric,
    small_rubric_data,
)

import assess

# -- loading and weights ----------------------------------------------------------------


def test_default_rubric_loads_by_name():
    rubric = assess.load_rubric("military-diplomacy")
    assert rubric.name == "military-diplomacy"
    assert rubric.ids == list(RAW_WEIGHTS)


def test_default_rubric_is_the_default_argument():
    assert assess.load_rubric().content_hash == assess.load_rubric(DEFAULT_RUBRIC_FILE).content_hash


def test_default_rubric_weights_sum_to_one(default_rubric):
    assert math.isclose(sum(c.weight for c in default_rubric.criteria), 1.0, abs_tol=1e-12)


def test_default_rubric_weights_match_the_file(default_rubric):
    assert default_rubric.weights == pytest.approx(RAW_WEIGHTS)


def test_weights_are_normalised_at_load():
    rubric = assess.parse_rubric(small_rubric(weights=(2, 1, 1)))
    assert rubric.weights == pytest.approx({"alpha": 0.5, "beta": 0.25, "gamma": 0.25})


def test_unknown_builtin_name_is_a_rubric_error():
    with pytest.raises(assess.RubricError, match="no-such-rubric"):
        assess.load_rubric("no-such-rubric")


def test_missing_rubric_file_is_a_rubric_error(tmp_path):
    with pytest.raises(assess.RubricError, match="not found"):
        assess.load_rubric(tmp_path / "absent.yaml")


# -- content hash -----------------------------------------------------------------------


def test_content_hash_ignores_comments_and_formatting(tmp_path):
    plain = assess.parse_rubric(small_rubric())
    data = small_rubric_data()
    restyled = (
        "# a comment at the top\n"
        + yaml.safe_dump(data, sort_keys=True, default_flow_style=True, width=60)
        + "\n# and one at the end\n"
    )
    assert assess.parse_rubric(restyled).content_hash == plain.content_hash


def test_content_hash_of_default_survives_reformatting(tmp_path, default_rubric):
    data = yaml.safe_load(DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8"))
    copy = tmp_path / "copy.yaml"
    copy.write_text(
        "# reformatted copy\n" + yaml.safe_dump(data, sort_keys=True, indent=4), encoding="utf-8"
    )
    assert assess.load_rubric(copy).content_hash == default_rubric.content_hash


def test_content_hash_changes_when_a_weight_changes():
    before = assess.parse_rubric(small_rubric(weights=(2, 1, 1)))
    after = assess.parse_rubric(small_rubric(weights=(3, 1, 1)))
    assert before.content_hash != after.content_hash


# -- validation -------------------------------------------------------------------------


def _three_problems() -> dict:
    data = small_rubric_data()
    data["criteria"][1]["weight"] = -1
    data["criteria"][2]["scale"]["levels"].pop()  # level 4 missing
    data["gates"] = [{"id": "cap", "criterion": "no_such", "at_least": 3, "cap": "Poor"}]
    return data


def test_validation_reports_every_problem_with_its_key_path():
    with pytest.raises(assess.RubricError) as info:
        assess.parse_rubric(yaml.safe_dump(_three_problems()))
    problems = info.value.problems
    assert len(problems) == 3
    assert any(p.startswith("criteria[1].weight: must be >= 0") for p in problems)
    assert any(p.startswith("criteria[2].scale") and "0..4" in p for p in problems)
    assert any(p.startswith("gates[0].criterion") and "no_such" in p for p in problems)


def test_negative_weight_message_shows_the_bound_as_documented():
    # assess.rubric documents the message as "criteria[2].weight: must be >= 0"
    with pytest.raises(assess.RubricError) as info:
        assess.parse_rubric(yaml.safe_dump(_three_problems()))
    assert "criteria[1].weight: must be >= 0" in info.value.problems


def test_rubric_error_message_names_every_problem():
    with pytest.raises(assess.RubricError) as info:
        assess.parse_rubric(yaml.safe_dump(_three_problems()))
    text = str(info.value)
    assert (
        "criteria[1].weight" in text
        and "criteria[2].scale" in text
        and "gates[0].criterion" in text
    )
    assert "\n" not in text


@pytest.mark.parametrize(
    "payload",
    [
        "!!python/object/apply:os.system ['touch {marker}']",
        "name: !!python/object/apply:os.system ['touch {marker}']\n",
        "name: !!python/object/new:os.system ['touch {marker}']\n",
        "name: !!python/name:os.system\n",
    ],
)
def test_unsafe_yaml_is_refused_and_nothing_runs(tmp_path, payload):
    marker = tmp_path / "pwned"
    path = tmp_path / "evil.yaml"
    path.write_text(payload.format(marker=marker), encoding="utf-8")
    with pytest.raises(assess.RubricError):
        assess.load_rubric(path)
    assert not marker.exists()


def test_yaml_aliases_are_refused(tmp_path, yaml_parser):
    text = small_rubric()
    data = yaml.safe_load(text)
    # the same levels block shared by an anchor and two aliases, as a user might write it
    body = yaml.safe_dump({k: v for k, v in data.items() if k != "criteria"}, sort_keys=False)
    crit = (
        "criteria:\n"
        "  - {id: alpha, label: A, description: a, column: Alpha, weight: 1,\n"
        "     scale: {min: 0, max: 4, levels: &lv [{value: 0, label: N, descriptor: d},"
        " {value: 1, label: L, descriptor: d}, {value: 2, label: M, descriptor: d},"
        " {value: 3, label: H, descriptor: d}, {value: 4, label: F, descriptor: d}]}}\n"
        "  - {id: beta, label: B, description: b, column: Beta, weight: 1,\n"
        "     scale: {min: 0, max: 4, levels: *lv}}\n"
    )
    path = tmp_path / "alias.yaml"
    path.write_text(body + crit, encoding="utf-8")
    with pytest.raises(assess.RubricError, match="alias"):
        assess.load_rubric(path)


@pytest.mark.parametrize(
    "change",
    [
        pytest.param(lambda lv: lv.pop(), id="top-level-missing"),
        pytest.param(lambda lv: lv.pop(0), id="bottom-level-missing"),
        pytest.param(lambda lv: lv[4].update(value=5), id="level-outside-scale"),
        pytest.param(lambda lv: lv[4].update(value=3), id="level-repeated"),
    ],
)
def test_levels_must_cover_the_scale(change):
    data = small_rubric_data()
    change(data["criteria"][0]["scale"]["levels"])
    with pytest.raises(assess.RubricError) as info:
        assess.parse_rubric(yaml.safe_dump(data))
    assert any(p.startswith("criteria[0].scale") for p in info.value.problems)


def test_bands_without_a_zero_band_are_rejected():
    data = small_rubric_data()
    data["bands"] = [{"name": "Good", "min": 50}, {"name": "Poor", "min": 10}]
    with pytest.raises(assess.RubricError) as info:
        assess.parse_rubric(yaml.safe_dump(data))
    assert any(p.startswith("bands") and "0" in p for p in info.value.problems)


def test_gate_cap_must_name_a_band():
    data = small_rubric_data()
    data["gates"] = [{"id": "cap", "criterion": "gamma", "at_least": 4, "cap": "Mediocre"}]
    with pytest.raises(assess.RubricError) as info:
        assess.parse_rubric(yaml.safe_dump(data))
    assert any(p.startswith("gates[0].cap") for p in info.value.problems)


def test_rubric_that_is_not_a_mapping_is_a_rubric_error():
    with pytest.raises(assess.RubricError):
        assess.parse_rubric("- just\n- a list\n")


# -- the `assess rubric` commands ---------------------------------------------------------


def test_cli_rubric_list_names_the_default(cli):
    out = cli("rubric", "list")
    assert out.exit_code == 0
    assert "military-diplomacy" in out.stdout


def test_cli_rubric_list_json_gives_name_version_and_hash(cli, default_rubric):
    out = cli("rubric", "list", "--format", "json")
    assert out.exit_code == 0
    items = {r["name"]: r for r in json.loads(out.stdout)["rubrics"]}
    assert items["military-diplomacy"] == {
        **default_rubric.describe(),
        "title": default_rubric.title,
    }
    assert (
        items["military-diplomacy"]["version"]
        == yaml.safe_load(DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8"))["version"]
    )
    assert items["military-diplomacy"]["hash"] == default_rubric.content_hash


def test_cli_rubric_show_json_has_normalised_weights(cli):
    out = cli("rubric", "show", "military-diplomacy", "--format", "json")
    assert out.exit_code == 0
    shown = json.loads(out.stdout)
    assert {c["id"]: c["weight"] for c in shown["criteria"]} == pytest.approx(RAW_WEIGHTS)
    assert len(shown["hash"]) == 64


def test_cli_rubric_show_yaml_loads_back_to_the_same_rubric(cli, default_rubric):
    out = cli("rubric", "show", "military-diplomacy")
    assert out.exit_code == 0
    assert assess.parse_rubric(out.stdout).content_hash == default_rubric.content_hash


def test_cli_rubric_show_unknown_name_exits_2(cli):
    out = cli("rubric", "show", "no-such-rubric")
    assert out.exit_code == 2
    assert out.stderr.startswith("assess: error:")
    assert "Traceback" not in out.output


def test_cli_rubric_validate_valid_file_exits_0(cli):
    out = cli("rubric", "validate", DEFAULT_RUBRIC_FILE)
    assert out.exit_code == 0
    assert "valid" in out.stdout


def test_cli_rubric_validate_invalid_file_lists_every_problem_and_exits_2(cli, tmp_path):
    path = dump_rubric(tmp_path / "bad.yaml", _three_problems())
    out = cli("rubric", "validate", path)
    assert out.exit_code == 2
    for key in ("criteria[1].weight", "criteria[2].scale", "gates[0].criterion"):
        assert key in out.stderr
    assert "Traceback" not in out.output


def test_cli_rubric_validate_json_reports_problems(cli, tmp_path):
    path = dump_rubric(tmp_path / "bad.yaml", _three_problems())
    out = cli("rubric", "validate", path, "--format", "json")
    assert out.exit_code == 2
    report = json.loads(out.stdout)
    assert report["valid"] is False
    assert len(report["problems"]) == 3


def test_check_rubric_lists_every_problem_with_its_key_path(tmp_path):
    problems = assess.check_rubric(dump_rubric(tmp_path / "bad.yaml", _three_problems()))
    assert all(isinstance(p, assess.RubricProblem) for p in problems)
    assert [p.key for p in problems][:1] == ["criteria[1].weight"]
    assert {p.key for p in problems} == {
        "criteria[1].weight",
        "criteria[2].scale",
        "gates[0].criterion",
    }
    assert assess.RubricProblem("criteria[1].weight", "must be >= 0") in problems
    assert str(problems[0]) == "criteria[1].weight: must be >= 0"


def test_check_rubric_gives_the_same_problems_as_the_error(tmp_path):
    path = dump_rubric(tmp_path / "bad.yaml", _three_problems())
    with pytest.raises(assess.RubricError) as info:
        assess.load_rubric(path)
    assert [str(p) for p in assess.check_rubric(path)] == info.value.problems


def test_check_rubric_finds_nothing_wrong_with_a_valid_rubric():
    assert assess.check_rubric(DEFAULT_RUBRIC_FILE) == []
    assert assess.check_rubric("military-diplomacy") == []


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        (None, "rubric file not found"),
        ("name: [unclosed\n", "is not valid YAML at line"),
        ("- just\n- a list\n", "must be a mapping of keys"),
    ],
    ids=["missing", "not YAML", "not a mapping"],
)
def test_check_rubric_reports_an_unusable_file_as_one_problem_without_a_key(
    tmp_path, text, expected
):
    path = tmp_path / "r.yaml"
    if text is not None:
        path.write_text(text, encoding="utf-8")
    (problem,) = assess.check_rubric(path)
    assert problem.key == "" and expected in problem.message
    assert str(problem) == problem.message


def test_cli_rubric_validate_json_names_an_unusable_file_whole(cli, tmp_path):
    path = tmp_path / "absent.yaml"
    report = json.loads(cli("rubric", "validate", path, "--format", "json").stdout)
    assert report["valid"] is False
    assert report["error"] == f"rubric file not found: {path}"
    assert report["problems"] == [report["error"]]


def test_cli_rubric_validate_json_headline_for_keyed_problems(cli, tmp_path):
    path = dump_rubric(tmp_path / "bad.yaml", _three_problems())
    report = json.loads(cli("rubric", "validate", path, "--format", "json").stdout)
    assert report["error"] == f"rubric {path} is invalid"
    assert "criteria[1].weight: must be >= 0" in report["problems"]


def test_cli_rubric_validate_json_valid_file(cli, default_rubric):
    out = cli("rubric", "validate", DEFAULT_RUBRIC_FILE, "--format", "json")
    assert out.exit_code == 0
    report = json.loads(out.stdout)
    assert report["valid"] is True and report["problems"] == []
    assert report["hash"] == default_rubric.content_hash


# -- hostile rubrics: depth and non-finite numbers ------------------------------------------


@pytest.mark.parametrize("depth", [30, 5000])
@pytest.mark.parametrize("opener", ["[", "{a: "])
def test_deep_nesting_is_refused_before_the_parser_recurses(
    cli, tmp_path, depth, opener, yaml_parser
):
    closer = "]" if opener == "[" else "}"
    path = tmp_path / "deep.yaml"
    path.write_text("name: deep\nx: " + opener * depth + "1" + closer * depth + "\n")
    with pytest.raises(assess.RubricError, match="nested too deeply"):
        assess.load_rubric(path)
    for args in (["rubric", "validate", path], ["score", DEFAULT_RUBRIC_FILE, "-r", path]):
        out = cli(*args)
        assert out.exit_code == 2
        assert "Traceback" not in out.output and "RecursionError" not in out.output
        assert "nested too deeply" in out.output


NUMBERS = [
    (("criteria", 0, "weight"), "criteria[0].weight"),
    (("missing", "min_weight_share"), "missing.min_weight_share"),
    (("bands", 0, "min"), "bands[0].min"),
]


@pytest.mark.parametrize("value", [math.inf, -math.inf, math.nan])
@pytest.mark.parametrize(("where", "key_path"), NUMBERS)
def test_every_number_in_a_rubric_is_finite(tmp_path, value, where, key_path):
    data = small_rubric_data()
    node = data
    for part in where[:-1]:
        node = node[part]
    node[where[-1]] = value
    with pytest.raises(assess.RubricError, match="must be a finite number") as err:
        assess.load_rubric(dump_rubric(tmp_path / "r.yaml", data))
    assert key_path in str(err.value)


@pytest.mark.parametrize("value", [".nan", ".inf", "-.inf"])
def test_gate_threshold_must_be_finite(tmp_path, value):
    text = DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8").replace(
        "at_least: 4", f"at_least: {value}", 1
    )
    assert text != DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8")
    with pytest.raises(assess.RubricError, match=r"gates\[0\]\.at_least: must be a finite number"):
        assess.parse_rubric(text)


@pytest.mark.parametrize("make", ["fifo", "devzero"])
def test_a_rubric_that_is_not_a_regular_file_is_refused_without_opening_it(cli, tmp_path, make):
    import os

    path = tmp_path / "r.yaml"
    if make == "fifo":
        os.mkfifo(path)  # opening it for reading would wait for a writer forever
    else:
        path.symlink_to("/dev/zero")
    with pytest.raises(assess.RubricError, match="is not a regular file"):
        assess.load_rubric(path)
    out = cli("rubric", "validate", path)
    assert out.exit_code == 2 and "is not a regular file" in out.output
