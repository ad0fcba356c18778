"""Builders for real spreadsheet and rubric files in a temporary folder.

Expected values in the tests are computed from ``RAW_WEIGHTS`` (read straight from the YAML
with PyYAML, not through ``assess``), so the engine's own normalisation is under test too.
"""

from __future__ import annotations

import csv
import io
import json
import textwrap
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

import numpy as np
import openpyxl
import pandas as pd
import pytest
import yaml
from openpyxl import Workbook
from typer.testing import CliRunner

import assess

ROOT = Path(__file__).resolve().parent.parent
DEFAULT_RUBRIC_FILE = ROOT / "rubrics" / "military-diplomacy.yaml"
EXAMPLE_WORKBOOK = ROOT / "examples" / "engagements.xlsx"

HEADER = [
    "Engagement ID",
    "Engagement",
    "Type",
    "Transparency",
    "Norms alignment",
    "Interoperability",
    "Resources",
    "Political friction",
]
# Excel column letter of each default-rubric column in HEADER.
COL = {
    "id": "A",
    "name": "B",
    "type": "C",
    "transparency": "D",
    "norms_alignment": "E",
    "interoperability": "F",
    "resources": "G",
    "political_friction": "H",
}
CRITERIA = [
    "transparency",
    "norms_alignment",
    "interoperability",
    "resources",
    "political_friction",
]

_RAW = yaml.safe_load(DEFAULT_RUBRIC_FILE.read_text(encoding="utf-8"))
_TOTAL = sum(c["weight"] for c in _RAW["criteria"])
#: the default rubric's weights as written in the file, normalised here by hand
RAW_WEIGHTS = {c["id"]: c["weight"] / _TOTAL for c in _RAW["criteria"]}
COST = {c["id"] for c in _RAW["criteria"] if c.get("direction") == "cost"}
LABELS = {
    c["id"]: {lv["value"]: lv["label"] for lv in c["scale"]["levels"]} for c in _RAW["criteria"]
}
MIN_SHARE = _RAW["missing"]["min_weight_share"]


def row(
    eid: Any,
    t: Any = 3,
    n: Any = 3,
    i: Any = 3,
    r: Any = 3,
    f: Any = 1,
    name: Any = "Exercise Test",
    kind: Any = "Joint exercise",
) -> list[Any]:
    """One data row in HEADER order."""
    return [eid, name, kind, t, n, i, r, f]


def expected_arithmetic(ratings: dict[str, float | None]) -> float:
    """100 * sum(w_i x_i) over the criteria present, weights renormalised; cost inverted."""
    num = den = 0.0
    for cid, v in ratings.items():
        if v is None:
            continue
        x = v / 4
        if cid in COST:
            x = 1 - x
        num += RAW_WEIGHTS[cid] * x
        den += RAW_WEIGHTS[cid]
    return 100 * num / den


def ratings_of(t, n, i, r, f) -> dict[str, float | None]:
    return dict(zip(CRITERIA, (t, n, i, r, f), strict=True))


# -- file builders ----------------------------------------------------------------------


def write_xlsx(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] = HEADER,
    sheet: str = "Engagements",
    title_rows: int = 0,
    extra_sheets_before: Sequence[str] = (),
    extra_sheets_after: Sequence[str] = (),
) -> Path:
    """An xlsx written with openpyxl.  ``title_rows`` lines of title text, then one empty row,
    then the header (so ``title_rows=3`` puts the header on row 5)."""
    from openpyxl import Workbook

    wb = Workbook()
    first = wb.active
    sheets = [*extra_sheets_before, sheet, *extra_sheets_after]
    first.title = sheets[0]
    for name in sheets[1:]:
        wb.create_sheet(name)
    for name in [*extra_sheets_before, *extra_sheets_after]:
        ws = wb[name]
        ws.append(["Notes"])
        ws.append(["This sheet explains the tracker; it holds no engagements."])
    ws = wb[sheet]
    for k in range(title_rows):
        ws.append([f"Engagement tracker, title line {k + 1}"])
    if title_rows:
        ws.append([])
    ws.append(list(header))
    for r in rows:
        ws.append(list(r))
    for cells in ws.iter_rows():
        for cell in cells:
            # openpyxl would store text starting with "=" as a formula; the file should hold text
            if isinstance(cell.value, str) and cell.data_type == "f":
                cell.data_type = "s"
    wb.save(path)
    return path


def header_row_of(title_rows: int) -> int:
    return title_rows + 2 if title_rows else 1


def write_csv(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] = HEADER,
    delimiter: str = ",",
    encoding: str = "utf-8",
    bom: bool = False,
) -> Path:
    buf = io.StringIO()
    w = csv.writer(buf, delimiter=delimiter, lineterminator="\n")
    w.writerow(header)
    for r in rows:
        w.writerow(["" if v is None else v for v in r])
    data = buf.getvalue().encode(encoding)
    path.write_bytes((b"\xef\xbb\xbf" if bom else b"") + data)
    return path


def write_ods(
    path: Path,
    rows: Iterable[Sequence[Any]],
    *,
    header: Sequence[Any] = HEADER,
    sheet: str = "Engagements",
) -> Path:
    import pandas as pd

    pd.DataFrame([list(r) for r in rows], columns=list(header)).to_excel(
        path, engine="odf", sheet_name=sheet, index=False
    )
    return path


def write_rubric(path: Path, text: str) -> Path:
    path.write_text(textwrap.dedent(text), encoding="utf-8")
    return path


def levels(
    labels: Sequence[str] = ("None", "Low", "Medium", "High", "Full"),
) -> list[dict[str, Any]]:
    return [{"value": v, "label": lab, "descriptor": f"level {v}"} for v, lab in enumerate(labels)]


def small_rubric_data(
    *,
    aggregation: str = "weighted_arithmetic",
    weights: Sequence[float] = (2, 1, 1),
    min_share: float = 0.6,
) -> dict[str, Any]:
    """A minimal three-criterion rubric: alpha and beta benefit, gamma cost, all rated 0-4."""
    criteria = [
        {
            "id": cid,
            "label": cid.title(),
            "description": f"criterion {cid}",
            "column": cid.title(),
            "weight": w,
            "direction": direction,
            "scale": {"min": 0, "max": 4, "levels": levels()},
        }
        for cid, w, direction in zip(
            ("alpha", "beta", "gamma"), weights, ("benefit", "benefit", "cost"), strict=True
        )
    ]
    return {
        "name": "small",
        "version": "1",
        "aggregation": aggregation,
        "missing": {"min_weight_share": min_share},
        "identifier": {"column": "ID", "aliases": []},
        "bands": [{"name": "Good", "min": 50}, {"name": "Poor", "min": 0}],
        "criteria": criteria,
    }


def indicator_rubric_data(
    objectives_weight: float = 1, trained_weight: float = 1, target: float = 200
) -> dict[str, Any]:
    """:func:`small_rubric_data` with gamma replaced by "delivery" (weight 2), measured by two
    indicators: objectives met (a 0-1 share) and personnel trained (against ``target``)."""
    data = small_rubric_data(weights=(1, 1, 2))
    data["criteria"][2] = {
        "id": "delivery",
        "label": "Delivery",
        "description": "measured delivery",
        "column": "Delivery",
        "weight": 2,
        "indicators": [
            {
                "id": "objectives_met",
                "label": "Objectives met",
                "column": "Objectives met",
                "unit": "%",
                "weight": objectives_weight,
                "normalisation": {"method": "minmax", "min": 0, "max": 1},
            },
            {
                "id": "trained",
                "label": "Personnel trained",
                "column": "Personnel trained",
                "weight": trained_weight,
                "normalisation": {"method": "target", "baseline": 0, "target": target},
            },
        ],
    }
    return data


def small_rubric(**kwargs: Any) -> str:
    return yaml.safe_dump(small_rubric_data(**kwargs), sort_keys=False)


def dump_rubric(path: Path, data: dict[str, Any]) -> Path:
    path.write_text(yaml.safe_dump(data, sort_keys=False), encoding="utf-8")
    return path


SMALL_HEADER = ["ID", "Alpha", "Beta", "Gamma"]


# -- helpers shared by several test modules ---------------------------------------------


def rater_workbook(path, sheets: dict[str, list[list]], readme: bool = True):
    """One sheet per rater in the usual layout (HEADER), after a notes sheet."""
    wb = Workbook()
    first = wb.active
    if readme:
        first.title = "Read me"
        first.append(["Ratings by rater"])
    for i, (name, rows) in enumerate(sheets.items()):
        ws = wb.create_sheet(name) if readme or i else first
        ws.title = name
        ws.append(HEADER)
        for r in rows:
            ws.append(r)
    wb.save(path)
    return path


TRUE = np.array([0.10, 0.30, 0.35, 0.05, 0.20])  # the expert weights are .25 .25 .20 .15 .15


BANDS = ["Ineffective", "Partially effective", "Effective", "Highly effective"]


def true_score(ratings: np.ndarray, weights: np.ndarray = TRUE) -> np.ndarray:
    x = ratings / 4.0
    x[:, 4] = 1.0 - x[:, 4]  # political friction is a cost
    return 100.0 * x @ weights


def draw(n: int, kind: str, seed: int = 0, noise: float = 1.0, weights=TRUE):
    """n cases rated 0-4 at random, with an outcome of the kind drawn from ``weights``."""
    rng = np.random.default_rng(seed)
    ratings = rng.integers(0, 5, size=(n, 5)).astype(float)
    s = true_score(ratings.copy(), weights)
    if kind == "numeric":
        y = np.round(10 + 0.8 * s + rng.normal(0, 4 * noise, n), 1)
    elif kind == "binary":
        y = np.where(s + rng.logistic(0, 3 * noise, n) > 50, "success", "failure")
    elif kind == "ordinal":
        y = np.array(BANDS, dtype=object)[
            np.digitize(s + rng.logistic(0, 3 * noise, n), [35, 55, 75])
        ]
    else:  # pure noise, unrelated to the ratings
        y = np.round(rng.normal(50, 15, n), 1)
    return ratings, y


def cases_file(path: Path, ratings, outcomes, header: str = "Outcome") -> Path:
    rows = [
        [f"C{i + 1:04d}", f"Case {i + 1}", "Joint exercise", *map(int, r), y]
        for i, (r, y) in enumerate(zip(ratings, outcomes, strict=True))
    ]
    return write_xlsx(path, rows, header=[*HEADER, header], sheet="Cases")


def ratings_frame(ratings) -> pd.DataFrame:
    return pd.DataFrame(ratings, columns=CRITERIA)


PAIRWISE = [
    ["", "Transparency", "Norms alignment", "Interoperability", "Resources", "Political friction"],
    ["Transparency", 1, 1, 2, 3, 2],
    ["Norms alignment", None, 1, 2, 3, 2],
    ["Interoperability", None, None, 1, 2, 1],
    ["Resources", None, None, None, 1, "1/2"],
    ["Political friction", None, None, None, None, 1],
]


def inconsistent_matrix(n: int) -> np.ndarray:
    """A reciprocal n x n matrix whose judgements disagree mildly (lambda_max > n)."""
    a = np.ones((n, n))
    for i in range(n):
        for j in range(i + 1, n):
            a[i, j] = 1 + (i + 2 * j) % 3  # 1, 2 or 3: not a consistent ratio scale
            a[j, i] = 1 / a[i, j]
    return a


def wide_case_files(tmp_path: Path, k: int) -> tuple[Path, Path, Path]:
    """A rubric with ``k`` criteria C01..Ck, 40 cases rated on them, and a pairwise sheet."""
    data = small_rubric_data()

    def scale() -> dict:  # a fresh copy for each criterion: rubric files allow no YAML aliases
        return {"min": 0, "max": 4, "levels": levels()}

    template = data["criteria"][0]
    names = [f"C{i + 1:02d}" for i in range(k)]
    data["criteria"] = [
        {**template, "id": n.lower(), "label": n, "column": n, "weight": 1, "scale": scale()}
        for n in names
    ]
    rubric = dump_rubric(tmp_path / f"wide{k}.yaml", data)
    rng = np.random.default_rng(k)
    rows = [[f"E{i}", *map(int, rng.integers(0, 5, k))] for i in range(40)]
    cases = write_xlsx(tmp_path / f"cases{k}.xlsx", rows, header=["ID", *names], sheet="Cases")
    a = inconsistent_matrix(k)
    table = [[names[i], *[a[i, j] if j >= i else None for j in range(k)]] for i in range(k)]
    pairwise = write_xlsx(
        tmp_path / f"pairwise{k}.xlsx", table, header=["", *names], sheet="Pairwise"
    )
    return rubric, cases, pairwise


def scores_sheet(path: Path) -> pd.DataFrame:
    """The Scores sheet as values (cached or recalculated), indexed by engagement id."""
    ws = openpyxl.load_workbook(path, data_only=True)["Scores"]
    rows = list(ws.iter_rows(values_only=True))
    df = pd.DataFrame(rows[1:], columns=rows[0]).set_index("Engagement ID")
    return df.replace("", None)


def assert_matches_engine(sheet: pd.DataFrame, result: assess.Result) -> None:
    eng = result.engagements
    assert list(sheet.index) == list(eng.index)
    for c in result.rubric.criteria:
        got = pd.to_numeric(sheet[f"{c.label} points"], errors="coerce")
        want = eng[f"{c.id}.contribution"]
        assert ((got - want).abs().fillna(0) <= 1e-9).all(), c.id
        assert (got.isna() == want.isna()).all(), c.id
    got = pd.to_numeric(sheet["Score"], errors="coerce")
    assert ((got - eng["score"]).abs().fillna(0) <= 1e-9).all()
    assert (got.isna() == eng["score"].isna()).all()
    assert ((pd.to_numeric(sheet["Completeness"]) - eng["completeness"]).abs() <= 1e-9).all()
    scored = eng["status"] == "scored"
    assert (sheet.loc[scored, "Band"] == eng.loc[scored, "band"]).all()
    assert (sheet.loc[~scored, "Band"] == "Insufficient evidence").all()
    assert (pd.to_numeric(sheet.loc[scored, "Rank"]) == eng.loc[scored, "rank"].astype(float)).all()
    gates = sheet["Gates applied"].fillna("")
    assert (gates == eng["gates"]).all()


# -- fixtures ---------------------------------------------------------------------------


@pytest.fixture
def runner() -> CliRunner:
    return CliRunner()


@pytest.fixture
def cli(runner):
    """Invoke ``assess`` with string arguments; returns the click Result."""
    from assess.cli import app

    def invoke(*args: Any):
        return runner.invoke(app, [str(a) for a in args], catch_exceptions=False)

    return invoke


@pytest.fixture
def default_rubric():
    import assess

    return assess.load_rubric("military-diplomacy")


@pytest.fixture
def small_rubric_file(tmp_path):
    def make(**kwargs) -> Path:
        return write_rubric(tmp_path / "small.yaml", small_rubric(**kwargs))

    return make


def html_criterion_means(page: str) -> dict[str, str]:
    """Criterion label -> its mean rating as the HTML report's criteria table shows it."""
    import re

    return dict(
        re.findall(
            r'aria-hidden="true"></span>([^<]+?)\s*(?:<span[^>]*>[^<]*</span>)?</td>'
            r'\s*<td class="num">([^ <]+) <span',
            page,
        )
    )


def parse_json(text: str) -> Any:
    return json.loads(text)


# -- the history store, on SQLite and on a throwaway PostgreSQL server ---------------------


@pytest.fixture(scope="session")
def postgres_server():
    """A PostgreSQL server started for this test session (``tests/pgserver.py``); the tests
    that need it skip, saying why, where it cannot be had."""
    from pgserver import start_server

    try:
        server = start_server()
    except RuntimeError as exc:
        pytest.skip(f"no PostgreSQL server for the tests: {exc}")
    yield server
    server.stop()


@pytest.fixture(params=["sqlite", "postgresql"])
def store_url(request, tmp_path) -> str:
    """Where a new, empty history store goes: an SQLite file, or a new PostgreSQL database."""
    if request.param == "sqlite":
        return str(tmp_path / "history.sqlite")
    import uuid

    server = request.getfixturevalue("postgres_server")
    return server.create_database(f"assess_{uuid.uuid4().hex[:12]}")


@pytest.fixture(params=["libyaml", "pure-python"])
def yaml_parser(request, monkeypatch):
    """Rubric YAML read by libyaml's parser (when PyYAML was built with it) and by PyYAML's
    own, which is used where libyaml is missing: both must refuse the same hostile files."""
    import yaml

    import assess.rubric.loading as loading

    if request.param == "libyaml":
        if not hasattr(yaml, "CSafeLoader"):
            pytest.skip("PyYAML was built without libyaml")
        monkeypatch.setattr(loading, "_LOADER", yaml.CSafeLoader)
    else:
        monkeypatch.setattr(loading, "_LOADER", yaml.SafeLoader)
    return request.param


#: Rows the history store's tests record: five engagements (one with too little evidence) and
#: two rows that cannot be scored (a rating that is not one, a missing id).
RECORDED_ROWS = [
    row("E1", 4, 4, 3, 3, 0),
    row("E2", 2, 3, 1, 2, 2, name="Dialogue", kind="Strategic dialogue"),
    row("E3", 3, 3, 3, 3, 1),
    row("E4", 1, 0, 2, 1, 4, kind="Peacekeeping contribution"),
    row("E5", None, None, None, 3, None),  # insufficient evidence
    row("E6", "high", 3, 3, 3, 1),  # rejected: not a rating
    row("", 3, 3, 3, 3, 1),  # rejected: no id
]
