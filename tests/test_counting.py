"""Every data row is accounted for exactly once: scored + insufficient + rejected == data rows."""

from __future__ import annotations

import tempfile
from pathlib import Path

from conftest import CRITERIA, HEADER, LABELS, MIN_SHARE, RAW_WEIGHTS, write_csv, write_xlsx
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

import assess


# A cell of a rating column, tagged with what it should be read as.
def good(criterion: str):
    label = LABELS[criterion][3]  # each criterion has its own level labels
    return st.one_of(
        st.integers(0, 4),
        st.sampled_from([0.5, 2.5, 3.5]),
        st.sampled_from(["0", "3", "2,5", "1.5", " 4 "]),
        st.sampled_from([label, f"3 - {label}"]),
    ).map(lambda v: ("good", v))


MISSING = st.sampled_from([None, "N/A", "n/a", "-", "NA"]).map(lambda v: ("missing", v))
BAD = st.one_of(
    st.sampled_from(["high", "good", "tbd", "x", "see notes; pending", "3 - wrong", "four"]),
    st.sampled_from([5, 7, -1, 4.5, 100]),
).map(lambda v: ("bad", v))
CELLS = {c: st.one_of(good(c), good(c), MISSING, BAD) for c in CRITERIA}

ID = st.one_of(
    st.integers(0, 30).map(lambda k: ("id", f"E{k}")),  # small range: duplicates happen
    st.just(("noid", None)),
)


@st.composite
def tables(draw):
    n = draw(st.integers(1, 14))
    rows = []
    for k in range(n):
        # at least one data row: a table of headers alone is unusable input (tested elsewhere)
        if k and draw(st.integers(0, 9)) == 0:
            rows.append(None)  # a blank row
            continue
        ident = draw(ID)
        cells = [draw(CELLS[c]) for c in CRITERIA]
        rows.append((ident, cells, f"Engagement {k}"))
    return rows


def _materialise(rows):
    out = []
    for r in rows:
        if r is None:
            out.append([None] * len(HEADER))
        else:
            (_, eid), cells, name = r
            out.append([eid, name, "Joint exercise", *(v for _, v in cells)])
    return out


def _expected(rows):
    """(scored, insufficient, rejected) worked out from the cell tags alone."""
    scored = insufficient = rejected = 0
    seen = set()
    for r in rows:
        if r is None:
            continue
        (kind, eid), cells, _ = r
        bad = kind == "noid" or eid in seen or any(tag == "bad" for tag, _ in cells)
        if kind == "id":
            seen.add(eid)
        if bad:
            rejected += 1
            continue
        share = sum(
            RAW_WEIGHTS[c] for c, (tag, _) in zip(CRITERIA, cells, strict=True) if tag == "good"
        )
        if share >= MIN_SHARE - 1e-9:
            scored += 1
        else:
            insufficient += 1
    return scored, insufficient, rejected


def _score(rows, kind):
    with tempfile.TemporaryDirectory() as folder:
        if kind == "xlsx":
            path = write_xlsx(Path(folder) / "t.xlsx", _materialise(rows))
        else:
            path = write_csv(Path(folder) / "t.csv", _materialise(rows))
        return assess.score(path)


FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(tables(), st.sampled_from(["xlsx", "csv"]))
def test_every_data_row_is_scored_insufficient_or_rejected(rows, kind):
    result = _score(rows, kind)
    data_rows = sum(r is not None for r in rows)
    c = result.counts
    assert c["scored"] + c["insufficient"] + c["rejected"] == data_rows
    assert c["rows"] == data_rows
    assert sum(s.data_rows for s in result.sources) == data_rows


@FAST
@given(tables(), st.sampled_from(["xlsx", "csv"]))
def test_each_row_lands_where_its_cells_say(rows, kind):
    result = _score(rows, kind)
    c = result.counts
    assert (c["scored"], c["insufficient"], c["rejected"]) == _expected(rows)


@FAST
@given(tables())
def test_no_row_is_both_kept_and_rejected(rows):
    result = _score(rows, "xlsx")
    kept = set(result.engagements["row"])
    rejected = {r.row for r in result.rejected}
    assert not kept & rejected
    assert len(kept) == len(result.engagements)
