"""The Dask engine gives the in-memory path's results on a partitioned dataset.

Run on a local Dask cluster (two in-process workers) when ``dask.distributed`` is installed,
else on Dask's synchronous scheduler; skipped, saying why, without Dask and pyarrow (the
``dask`` extra).
"""

from __future__ import annotations

import contextlib
from pathlib import Path

import pandas as pd
import pytest

dd = pytest.importorskip("dask.dataframe", reason="the Dask engine needs: pip install '.[dask]'")
pytest.importorskip("pyarrow", reason="the Dask engine needs: pip install '.[dask]'")

import dask  # noqa: E402
from conftest import HEADER  # noqa: E402

import assess  # noqa: E402
from assess.engines.dask import expand, score_dask  # noqa: E402
from assess.errors import InputError, OutputError  # noqa: E402
from assess.report.tabular import flat_table, rejected_table  # noqa: E402

# Three files of one dataset.  Between them: ties across files, a rating that rejects its row,
# an engagement with too little evidence, an id repeated within a file and one repeated across
# files (both later rows rejected, naming the first).
FILES = {
    "part-1.csv": [
        ["E1", "Exercise Baltic", "Joint exercise", 4, 4, 3, 2, 1],
        ["E2", "Sahel rotation", "Peacekeeping contribution", 2, 3, 2, 1, 2],
        ["E3", "Staff talks", "Strategic dialogue", "3 - Substantial", 4, "N/A", 3, 0],
        ["E4", "Fusion cell", "Intelligence sharing", "high", 2, 2, 2, 2],
    ],
    "part-2.csv": [
        ["E5", "Training team", "Military assistance and training", 4, 4, 3, 2, 1],
        ["E6", "Capacity programme", "Capacity building", 1, "", "", "", 3],
        ["E2", "Sahel rotation (again)", "Peacekeeping contribution", 1, 1, 1, 1, 1],
        ["E7", "Observer mission", "Peacekeeping contribution", 2.5, 3, 2, 1, 4],
    ],
    "part-10.csv": [
        ["E8", "Black Sea exercise", "Joint exercise", 0, 1, 0, 1, 4],
        ["E9", "Mekong dialogue", "Strategic dialogue", 2, 3, 2, 1, 2],
        ["E9", "Mekong dialogue (copy)", "Strategic dialogue", 2, 3, 2, 1, 2],
        ["E10", "Andean course", "Military assistance and training", 4, 4, 4, 4, 0],
    ],
}


def _write_dataset(folder: Path, fmt: str) -> list[Path]:
    folder.mkdir(exist_ok=True)
    paths = []
    for name, rows in FILES.items():
        frame = pd.DataFrame(rows, columns=HEADER)
        if fmt == "csv":
            path = folder / name
            frame.to_csv(path, index=False)
        else:
            path = folder / name.replace(".csv", ".parquet")
            # a typed file: text columns as text, ratings as text where any cell is text
            for col in frame.columns:
                if frame[col].map(type).nunique() > 1:
                    frame[col] = frame[col].map(lambda v: None if v == "" else str(v))
            frame.to_parquet(path, index=False)
        paths.append(path)
    return paths


@pytest.fixture(scope="module")
def scheduler():
    """Two in-process workers of a local Dask cluster, or the synchronous scheduler."""
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        with dask.config.set(scheduler="synchronous"):
            yield "synchronous"
        return
    with contextlib.ExitStack() as stack:
        cluster = stack.enter_context(
            LocalCluster(n_workers=2, threads_per_worker=1, processes=False, dashboard_address=None)
        )
        yield stack.enter_context(Client(cluster, set_as_default=False))


def _in_memory(paths: list[Path]) -> assess.Result:
    return assess.score(paths)


def _by_id(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.sort_values("id").reset_index(drop=True)


def test_csv_dataset_gives_the_in_memory_report_row_for_row(tmp_path, scheduler):
    paths = _write_dataset(tmp_path / "archive", "csv")
    done = score_dask(
        tmp_path / "archive" / "*.csv", output=tmp_path / "s.csv", scheduler=scheduler
    )
    got = pd.read_csv(done.output, dtype=str, keep_default_na=False)
    expected_result = _in_memory(expand(tmp_path / "archive" / "*.csv"))
    expected = flat_table(expected_result)
    expected.to_csv(tmp_path / "ref.csv", index=False)
    expected = pd.read_csv(tmp_path / "ref.csv", dtype=str, keep_default_na=False)
    pd.testing.assert_frame_equal(_by_id(got), _by_id(expected))
    assert len(paths) == 3


def test_rejected_rows_match_the_in_memory_path(tmp_path, scheduler):
    _write_dataset(tmp_path / "archive", "csv")
    done = score_dask(tmp_path / "archive", output=tmp_path / "s.csv", scheduler=scheduler)
    got = pd.read_csv(done.rejected_output, dtype=str, keep_default_na=False)
    expected = rejected_table(_in_memory(expand(tmp_path / "archive"))).astype(str)
    key = ["file", "row", "column"]
    pd.testing.assert_frame_equal(
        got.sort_values(key).reset_index(drop=True),
        expected.sort_values(key).reset_index(drop=True),
    )
    reasons = set(got["reason"])
    assert "duplicate engagement id 'E2' (first in part-1.csv row 3)" in reasons
    assert "duplicate engagement id 'E9' (first at row 3)" in reasons


def test_ids_whose_hashes_collide_are_not_taken_for_repeats(tmp_path, monkeypatch):
    import numpy as np

    import assess.engines.dask.partitions

    _write_dataset(tmp_path / "archive", "csv")
    monkeypatch.setattr(
        assess.engines.dask.partitions, "_id_keys", lambda ids: np.zeros(len(ids), "uint64")
    )
    done = score_dask(tmp_path / "archive", output=tmp_path / "s.csv", scheduler="synchronous")
    got = pd.read_csv(done.rejected_output, dtype=str, keep_default_na=False)
    assert done.rejected == 3
    assert got["reason"].str.startswith("duplicate").sum() == 2


def test_files_are_taken_in_natural_order(tmp_path):
    _write_dataset(tmp_path / "archive", "csv")
    names = [p.name for p in expand(str(tmp_path / "archive" / "*.csv"))]
    assert names == ["part-1.csv", "part-2.csv", "part-10.csv"]


def test_ranks_are_over_the_whole_dataset_and_ties_share_the_better_rank(tmp_path, scheduler):
    _write_dataset(tmp_path / "archive", "parquet")
    done = score_dask(
        tmp_path / "archive" / "*.parquet", output=tmp_path / "s.parquet", scheduler=scheduler
    )
    got = pd.read_parquet(done.output).set_index("id")
    expected = got["score"].rank(method="min", ascending=False).astype("Int64")
    pd.testing.assert_series_equal(got["rank"], expected, check_names=False)
    # E10 (file 3) scores 100 and E3 (file 1) 87.5; E1 (file 1) and E5 (file 2) have the same
    # ratings (83.75): one shared rank, the better one, and the next rank is 5
    assert got.loc[["E10", "E3", "E1", "E5"], "rank"].tolist() == [1, 2, 3, 3]
    assert 4 not in set(got["rank"].dropna())


def test_parquet_dataset_scores_equal_the_in_memory_scores(tmp_path, scheduler):
    paths = _write_dataset(tmp_path / "archive", "parquet")
    done = score_dask(
        tmp_path / "archive" / "*.parquet", output=tmp_path / "s.parquet", scheduler=scheduler
    )
    got = _by_id(pd.read_parquet(done.output))
    frames = [pd.read_parquet(p) for p in expand(tmp_path / "archive" / "*.parquet")]
    expected = _by_id(flat_table(assess.score(frames)))
    assert list(got.columns) == list(expected.columns)
    provenance = {"source", "sheet"}
    for col in got.columns:
        if col in provenance:
            continue
        left, right = got[col], expected[col]
        if col == "flags":  # each flag names its cell on its sheet: a file, or "DataFrame"
            left, right = (c.str.replace(r"[^ |]+!", "!", regex=True) for c in (left, right))
        if pd.api.types.is_float_dtype(right):
            pd.testing.assert_series_equal(
                left.astype(float), right.astype(float), check_names=False, rtol=0, atol=0
            )
        else:
            assert left.astype(object).where(left.notna(), None).tolist() == (
                right.astype(object).where(right.notna(), None).tolist()
            ), col
    assert set(got["source"]) == {p.name for p in paths}


def test_counts_add_up_to_the_rows_read(tmp_path, scheduler):
    _write_dataset(tmp_path / "archive", "csv")
    done = score_dask(tmp_path / "archive", output=tmp_path / "s.parquet", scheduler=scheduler)
    counts = _in_memory(expand(tmp_path / "archive")).counts
    assert (done.rows, done.scored, done.insufficient, done.rejected) == (
        counts["rows"],
        counts["scored"],
        counts["insufficient"],
        counts["rejected"],
    )
    assert done.rows == 12
    assert done.exit_code == 1


def test_an_empty_file_adds_no_rows(tmp_path, scheduler):
    _write_dataset(tmp_path / "archive", "parquet")
    pd.DataFrame({h: pd.Series(dtype="string") for h in HEADER}).to_parquet(
        tmp_path / "archive" / "part-11.parquet", index=False
    )
    done = score_dask(tmp_path / "archive", output=tmp_path / "s.parquet", scheduler=scheduler)
    assert (done.rows, len(done.files)) == (12, 4)


def test_files_with_different_headers_are_refused(tmp_path):
    paths = _write_dataset(tmp_path / "archive", "csv")
    frame = pd.read_csv(paths[1]).rename(columns={"Type": "Kind"})
    frame.to_csv(paths[1], index=False)
    with pytest.raises(InputError, match="columns differ"):
        score_dask(tmp_path / "archive", output=tmp_path / "s.csv", scheduler="synchronous")


def test_a_pattern_that_matches_nothing_is_an_input_error(tmp_path):
    with pytest.raises(InputError, match="no csv or parquet files match"):
        score_dask(tmp_path / "*.parquet", output=tmp_path / "s.parquet")


def test_output_inside_the_dataset_is_refused(tmp_path):
    _write_dataset(tmp_path / "archive", "parquet")
    target = tmp_path / "archive" / "part-1.parquet"
    with pytest.raises(OutputError, match="refusing"):
        score_dask(tmp_path / "archive" / "*.parquet", output=target)


def test_cli_engine_dask_writes_scores_and_rejected_rows(tmp_path, cli):
    _write_dataset(tmp_path / "archive", "csv")
    out = tmp_path / "scores.parquet"
    with dask.config.set(scheduler="synchronous"):
        res = cli("score", tmp_path / "archive" / "*.csv", "--engine", "dask", "-o", out)
    assert res.exit_code == 1, res.output
    assert "8 scored, 1 insufficient evidence, 3 rejected of 12 rows in 3 files" in res.output
    assert len(pd.read_parquet(out)) == 9
    assert len(pd.read_parquet(tmp_path / "scores-rejected.parquet")) == 3


def test_cli_engine_dask_needs_an_output(tmp_path, cli):
    _write_dataset(tmp_path / "archive", "csv")
    res = cli("score", tmp_path / "archive" / "*.csv", "--engine", "dask")
    assert res.exit_code == 2
    assert "-o" in res.output
