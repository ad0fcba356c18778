"""A criterion weighted 0 is inert: every score, band and rank is what it would be without it,
on every path that scores (the scorer, sensitivity, explain and the Excel formulas)."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd
import pytest
from conftest import (
    assert_matches_engine,
    dump_rubric,
    levels,
    parse_json,
    scores_sheet,
    small_rubric_data,
    write_csv,
)
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from libreoffice import convert, needs_libreoffice

import assess
from assess.report import write_report
from assess.rubric import validate_rubric

AGGREGATIONS = ["weighted_arithmetic", "weighted_geometric"]
LABELS = ("Nil", "Low", "Some", "Good", "High", "Top")


# -- random rubrics with criteria weighted 0, and ratings for them -------------------------------


def _criterion(j: int, weight: float, lo: int, hi: int, direction: str) -> dict[str, Any]:
    return {
        "id": f"c{j}",
        "label": f"Criterion {j}",
        "description": f"criterion {j}",
        "column": f"Col {j}",
        "weight": weight,
        "direction": direction,
        "scale": {
            "min": lo,
            "max": hi,
            "levels": [
                {"value": v, "label": LABELS[v - lo], "descriptor": f"level {v}"}
                for v in range(lo, hi + 1)
            ],
        },
    }


@st.composite
def cases(draw) -> tuple[dict[str, Any], set[str], pd.DataFrame]:
    """A rubric whose criteria include at least one weighted 0, the ids of those, and a sheet
    of engagements (ratings include each scale's ends, fractions and missing cells)."""
    weights = draw(
        st.lists(
            st.one_of(st.integers(1, 9).map(float), st.floats(0.05, 5.0)), min_size=1, max_size=4
        )
    )
    weights += [0.0] * draw(st.integers(1, 2))
    weights = draw(st.permutations(weights))
    criteria = []
    for j, w in enumerate(weights):
        lo = draw(st.integers(0, 1))
        hi = lo + draw(st.integers(2, 4))
        criteria.append(_criterion(j, w, lo, hi, draw(st.sampled_from(["benefit", "cost"]))))
    cuts = draw(st.lists(st.integers(5, 95), min_size=1, max_size=3, unique=True))
    bands = [{"name": f"Band {i}", "min": m} for i, m in enumerate([*sorted(cuts)[::-1], 0])]
    data = {
        "name": "inert",
        "version": "1",
        "aggregation": draw(st.sampled_from(AGGREGATIONS)),
        "missing": {"min_weight_share": draw(st.sampled_from([0.3, 0.6, 1.0]))},
        "identifier": {"column": "ID", "aliases": []},
        "bands": bands,
        "criteria": criteria,
    }
    weighted = [c for c in criteria if c["weight"] > 0]
    if draw(st.booleans()):  # a gate, on a weighted criterion (one weighted 0 is removed below)
        c = draw(st.sampled_from(weighted))
        lo, hi = c["scale"]["min"], c["scale"]["max"]
        rule = {"at_least": hi} if c["direction"] == "cost" else {"at_most": lo}
        data["gates"] = [{"id": "floor", "criterion": c["id"], "cap": bands[-1]["name"], **rule}]
    rows = []
    for i in range(draw(st.integers(2, 7))):
        cells: dict[str, Any] = {"ID": f"E{i + 1}"}
        for c in criteria:
            lo, hi = c["scale"]["min"], c["scale"]["max"]
            cells[c["column"]] = draw(
                st.one_of(
                    st.none(),
                    st.sampled_from([lo, hi, lo + 0.5]),  # 0 after normalising at one end
                    st.integers(lo, hi),
                )
            )
        rows.append(cells)
    zero = {c["id"] for c in criteria if c["weight"] == 0}
    return data, zero, pd.DataFrame(rows, dtype=object)


def _without(data: dict[str, Any], ids: set[str]) -> dict[str, Any]:
    return {**data, "criteria": [c for c in data["criteria"] if c["id"] not in ids]}


def _both(data, zero, sheet) -> tuple[assess.Result, assess.Result]:
    """The sheet scored with the criteria weighted 0 in the rubric, and without them."""
    with_zero = assess.score(sheet, rubric=validate_rubric(data))
    without = assess.score(sheet, rubric=validate_rubric(_without(data, zero)))
    assert with_zero.rejected == [] and without.rejected == []
    return with_zero, without


def _close(a: Any, b: Any, where: str = "") -> None:
    """Equal, numbers to 1e-9."""
    if isinstance(a, dict):
        assert isinstance(b, dict) and list(a) == list(b), where
        for k in a:
            _close(a[k], b[k], f"{where}.{k}")
    elif isinstance(a, (list, tuple)):
        assert isinstance(b, (list, tuple)) and len(a) == len(b), where
        for i, (x, y) in enumerate(zip(a, b, strict=True)):
            _close(x, y, f"{where}[{i}]")
    elif isinstance(a, float) and not isinstance(b, str) and b is not None:
        assert math.isclose(a, b, rel_tol=0, abs_tol=1e-9) or (math.isnan(a) and math.isnan(b)), (
            where,
            a,
            b,
        )
    else:
        assert a == b, (where, a, b)


# -- the scorer, explain, sensitivity --------------------------------------------------------


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_a_criterion_weighted_0_changes_no_score_band_or_rank(case):
    data, zero, sheet = case
    a, b = _both(data, zero, sheet)
    ea, eb = a.engagements, b.engagements.loc[a.engagements.index]
    for col in ("status", "band", "rank", "gates"):
        assert ea[col].astype(object).tolist() == eb[col].astype(object).tolist(), col
    for col in ["score", "completeness"] + [
        f"{c['id']}.{part}"
        for c in data["criteria"]
        if c["id"] not in zero
        for part in ("normalised", "contribution")
    ]:
        np.testing.assert_allclose(ea[col].astype(float), eb[col].astype(float), atol=1e-9)
    for cid in zero:  # and it is worth no points
        assert (ea[f"{cid}.contribution"].fillna(0.0) == 0).all()


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(cases())
def test_explain_is_the_same_with_or_without_a_criterion_weighted_0(case):
    data, zero, sheet = case
    a, b = _both(data, zero, sheet)
    for eid in a.engagements.index:
        x, y = assess.explain(a, eid), assess.explain(b, eid)
        assert (x.status, x.band, x.band_by_score, x.rank, x.next_band, x.next_band_min) == (
            y.status,
            y.band,
            y.band_by_score,
            y.rank,
            y.next_band,
            y.next_band_min,
        )
        _close(x.score, y.score, "score")
        _close(
            [(m.criterion, m.rating, m.to, m.score, m.points, m.band) for m in x.improvements],
            [(m.criterion, m.rating, m.to, m.score, m.points, m.band) for m in y.improvements],
            "improvements",
        )
        parts = {p.id: p for p in y.criteria}
        for p in x.criteria:
            if p.id in zero:
                assert p.effective_weight == 0 and not p.contribution
            else:
                q = parts[p.id]
                _close(
                    (p.weight, p.effective_weight, p.contribution),
                    (q.weight, q.effective_weight, q.contribution),
                    p.id,
                )


@settings(max_examples=40, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(
    cases(),
    st.sampled_from([math.inf, 30.0]),
    st.booleans(),
)
def test_sensitivity_is_the_same_with_or_without_a_criterion_weighted_0(case, k, switch):
    """Monte Carlo (the draws, the aggregation switch), Sobol factors and leave-one-out."""
    data, zero, sheet = case
    a, b = _both(data, zero, sheet)
    if a.scored.empty:
        return
    runs = [
        assess.sensitivity(r, draws=48, concentration=k, seed=3, switch_aggregation=switch)
        for r in (a, b)
    ]
    x, y = (r.sensitivity.to_dict() for r in runs)
    _close(x, y, "sensitivity")
    loo = runs[0].sensitivity.leave_one_out
    assert not set(loo.index if len(loo) else []) & zero  # dropping it is no change: no row
    if runs[0].sensitivity.sobol is not None:
        assert not set(runs[0].sensitivity.sobol.index) & zero  # not a factor


# -- the concrete case --------------------------------------------------------------------------


def _geometric_rubric(tmp_path):
    """alpha, beta weighted 1 each; gamma weighted 0, a benefit criterion (0 is its worst)."""
    data = small_rubric_data(aggregation="weighted_geometric", weights=(1, 1, 0))
    data["criteria"][2]["direction"] = "benefit"
    return dump_rubric(tmp_path / "geo.yaml", data)


def test_geometric_criterion_weighted_0_and_rated_0_is_the_weighted_product(tmp_path, cli):
    rubric = _geometric_rubric(tmp_path)
    data = write_csv(
        tmp_path / "geo.csv",
        [["E1", 2, 4, 0], ["E2", 4, 1, 3], ["E3", 1, 1, None]],
        header=["ID", "Alpha", "Beta", "Gamma"],
    )
    # the weighted product prod(x ** w) over all three criteria, 0 ** 0 = 1
    w = np.array([1.0, 1.0, 0.0]) / 2
    x = np.array([[2, 4, 0], [4, 1, 3]]) / 4
    expected = 100 * np.prod(x**w, axis=1)
    assert expected[0] == pytest.approx(70.7107, abs=1e-4)
    eng = assess.score(data, rubric=rubric).engagements
    np.testing.assert_allclose(eng.loc[["E1", "E2"], "score"], expected, atol=1e-9)
    assert eng.loc["E1", "band"] == "Good" and eng.loc["E1", "completeness"] == 1.0
    assert eng.loc["E3", "completeness"] == 1.0  # gamma not rated: no weight missing
    assert eng.loc["E1", "gamma.contribution"] == 0
    out = parse_json(cli("score", data, "--rubric", rubric, "--format", "json").stdout)
    by_id = {e["id"]: e for e in out["engagements"]}
    assert by_id["E1"]["score"] == pytest.approx(expected[0], abs=0.01)
    assert by_id["E1"]["rank"] == 1  # 70.7 beats E2's 50 and E3's 25
    why = assess.explain(data, "E1", rubric=rubric)
    assert why.score == pytest.approx(expected[0], abs=1e-9) and why.band == "Good"
    assert all(m.criterion != "gamma" for m in why.improvements)  # it is worth nothing


def test_sensitivity_switching_to_geometric_does_not_zero_a_criterion_weighted_0(tmp_path):
    """An arithmetic rubric; every geometric draw must score E1 as the weighted product."""
    data = small_rubric_data(weights=(1, 1, 0))
    data["criteria"][2]["direction"] = "benefit"
    rubric = dump_rubric(tmp_path / "arith.yaml", data)
    sheet = write_csv(
        tmp_path / "a.csv",
        [["E1", 2, 4, 0], ["E2", 3, 3, 4]],
        header=["ID", "Alpha", "Beta", "Gamma"],
    )
    s = assess.sensitivity(
        sheet, rubric=rubric, draws=200, concentration=math.inf, switch_aggregation=True
    ).sensitivity
    lowest = 100 * np.sqrt(2 / 4 * 4 / 4)  # geometric: (0.5 * 1) ** 0.5, gamma a factor of 1
    assert s.engagements.loc["E1", "score_p05"] == pytest.approx(lowest, abs=1e-6)
    assert "gamma" not in s.leave_one_out.index


# -- the Excel formulas, recalculated by another engine ------------------------------------------


@needs_libreoffice
@pytest.mark.parametrize("aggregation", AGGREGATIONS)
def test_excel_formulas_leave_a_criterion_weighted_0_inert(tmp_path, aggregation):
    data = small_rubric_data(aggregation=aggregation, weights=(2, 1, 0))  # gamma: cost, weight 0
    data["criteria"].append(
        {
            **data["criteria"][0],
            "id": "delta",
            "label": "Delta",
            "column": "Delta",
            "weight": 0,
            "scale": {"min": 0, "max": 4, "levels": levels()},
        }
    )
    rows = [
        ["E1", 2, 4, 4, 0],  # both weighted-0 criteria at their worst (normalised 0)
        ["E2", 4, 1, 0, 4],
        ["E3", 3, 3, None, None],  # both unrated
        ["E4", 0, 2, 4, 1],  # a weighted criterion at 0
        ["E5", 3, None, 4, 0],  # a weighted criterion unrated
    ]
    sheet = write_csv(tmp_path / "data.csv", rows, header=["ID", "Alpha", "Beta", "Gamma", "Delta"])
    result = assess.score(sheet, rubric=dump_rubric(tmp_path / "r.yaml", data))
    without = assess.score(
        sheet, rubric=dump_rubric(tmp_path / "r0.yaml", _without(data, {"gamma", "delta"}))
    )
    out = write_report(result, tmp_path / "report.xlsx")
    recalculated = scores_sheet(convert(out, tmp_path / "recalc"))
    assert_matches_engine(recalculated, result)
    want = without.engagements.loc[recalculated.index]
    got = pd.to_numeric(recalculated["Score"], errors="coerce")
    np.testing.assert_allclose(got, want["score"], atol=1e-9)
    assert recalculated["Band"].tolist() == want["band"].tolist()
    assert pd.to_numeric(recalculated["Rank"]).tolist() == want["rank"].astype(float).tolist()
