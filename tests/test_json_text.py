"""The JSON text of reports: ``indented_json`` writes what ``json.dumps(indent=2,
ensure_ascii=False, allow_nan=False)`` writes, byte for byte, and fails where it fails."""

from __future__ import annotations

import json
import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

import assess
from assess.report.json_text import _HOLE, indented_json
from assess.report.tabular import to_json


def dumps(value):
    return json.dumps(value, indent=2, ensure_ascii=False, allow_nan=False)


text = st.text(alphabet=st.characters(codec="utf-8"), max_size=12) | st.sampled_from(
    ["", "a\nb", '"quoted"', "back\\slash", "\x00\x1b[31m", "\u202e", "{}", "[1, 2]"]
)
plain = (
    st.none()
    | st.booleans()
    | st.integers(min_value=-(2**70), max_value=2**70)
    | st.floats(allow_nan=False, allow_infinity=False)
    | text
)
values = st.recursive(
    plain,
    lambda inner: (
        st.lists(inner, max_size=5)
        | st.tuples(inner, inner)
        | st.dictionaries(text, inner, max_size=5)
    ),
    max_leaves=40,
)


@settings(max_examples=300, deadline=None)
@given(values)
def test_the_text_is_json_dumps_text(value):
    assert indented_json(value) == dumps(value)


@pytest.mark.parametrize(
    "value",
    [
        {},
        [],
        {"a": []},
        [{}],
        {"a": {"b": {"c": [1, [2, [3, {}]]]}}},
        {"a": 1.5, "b": np.float64(2.5), "c": [np.float64(0.1)]},  # float subclasses
        {2: "a", 2.5: "b", None: "c", True: "d"},  # keys json.dumps converts to text
        {"x": _HOLE, "y": [1]},  # the placeholder's own text in the data
        [_HOLE, [_HOLE]],
        (1, (2, 3)),
        "alone",
        3,
        None,
    ],
)
def test_unusual_values_are_written_as_json_dumps_writes_them(value):
    assert indented_json(value) == dumps(value)


@pytest.mark.parametrize(
    "value",
    [{"a": [math.nan]}, [math.inf], {"a": {"b": np.int64(3)}}, {(1, 2): "tuple key"}, {1j}],
)
def test_what_json_dumps_refuses_is_refused_alike(value):
    with pytest.raises((ValueError, TypeError)) as expected:
        dumps(value)
    with pytest.raises(type(expected.value)) as found:
        indented_json(value)
    assert str(found.value) == str(expected.value)


def test_a_cycle_is_refused_as_json_dumps_refuses_it():
    cycle: list = [1]
    cycle.append({"again": cycle})
    with pytest.raises(ValueError, match="Circular reference"):
        indented_json(cycle)


def test_the_json_report_is_json_dumps_text():
    from conftest import EXAMPLE_WORKBOOK

    result = assess.score(EXAMPLE_WORKBOOK)
    contract = result.to_dict()
    assert to_json(result) == dumps(contract) + "\n"
    assert json.loads(to_json(result)) == contract
