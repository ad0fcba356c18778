"""The two passes over the dataset.  The first keeps a slim frame per partition and collects
what no partition can decide alone — the statuses, every distinct score (for ranks over the
whole dataset) and the ids scored in more than one file; the second scores each partition
again with those, into the scores and the rejected rows."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import pandas as pd

from ...rubric import Rubric
from ...scoring import STATUS_INSUFFICIENT, STATUS_SCORED
from .dataset import Dataset
from .partitions import (
    KIND,
    NOTE,
    REJ,
    SLIM_DTYPES,
    STATUS_REJECTED,
    Ranks,
    final_partition,
    slim_partition,
)

#: per file number, the ids it repeats from an earlier file: id -> (that file's name, its row,
#: the id as written there)
Losers = dict[int, dict[str, tuple[str, int, str]]]


@dataclass
class FirstPass:
    """What the first pass found over the whole dataset."""

    #: rows per status, once the later repeats of an id are counted as rejected
    statuses: dict[str, int]
    ranks: Ranks
    losers: Losers
    #: what reading the files noted, each as ``<file name>: <note>``
    said: list[str]


def first_pass(dask: Any, raw: Any, rubric: Rubric, ds: Dataset, compute_kw: dict) -> FirstPass:
    """Statuses, distinct scores and ids seen in more than one file (see the module docstring)."""
    slim = raw.map_partitions(
        slim_partition,
        rubric,
        ds,
        meta=pd.DataFrame(columns=list(SLIM_DTYPES)).astype(SLIM_DTYPES),
    )
    valid = slim[slim["status"].isin([STATUS_SCORED, STATUS_INSUFFICIENT])]
    statuses, values, keys, said = dask.compute(
        slim["status"].value_counts(split_out=1),
        valid[valid["status"] == STATUS_SCORED]["score"].value_counts(split_out=1),
        valid["key"].value_counts(split_out=1),
        slim[slim["status"] == NOTE]["shown"],
        **compute_kw,
    )
    statuses, values = statuses.to_dict(), values.copy()
    dup_ids = keys[keys > 1].index
    losers: Losers = {}
    if len(dup_ids):
        rows = valid[valid["key"].isin(list(dup_ids))].compute(**compute_kw)
        rows = rows[rows["id"].duplicated(keep=False)]  # hash collisions are not repeats
        losers = _later_repeats(rows, ds, statuses, values)
    values = values[values > 0].sort_index()
    ranks = Ranks(values.index.to_numpy(dtype=float), values.to_numpy(dtype="int64"))
    return FirstPass(statuses, ranks, losers, list(said))


def _later_repeats(
    rows: pd.DataFrame, ds: Dataset, statuses: dict[str, int], values: pd.Series
) -> Losers:
    """The rows of ids in more than one file, after the first: each rejected, naming the first
    (``statuses`` and the score counts ``values`` are corrected to match)."""
    losers: Losers = {}
    for eid, group in rows.sort_values(["part", "row"]).groupby("id", sort=False):
        first_row = group.iloc[0]
        for _, later in group.iloc[1:].iterrows():
            losers.setdefault(int(later["part"]), {})[str(eid)] = (
                ds.name(int(first_row["part"])),
                int(first_row["row"]),
                str(first_row["shown"]),
            )
            statuses[later["status"]] -= 1
            statuses[STATUS_REJECTED] = statuses.get(STATUS_REJECTED, 0) + 1
            if later["status"] == STATUS_SCORED:
                values[later["score"]] -= 1
    return losers


def second_pass(
    raw: Any, rubric: Rubric, ds: Dataset, first: FirstPass, dtypes: dict[str, Any]
) -> tuple[Any, Any]:
    """The scores (with the dataset's ranks) and the rejected rows, as two Dask frames."""
    meta = pd.DataFrame({c: pd.Series(dtype=t) for c, t in dtypes.items()})
    both = raw.map_partitions(
        final_partition, rubric, ds, first.ranks, first.losers, dtypes, meta=meta
    )
    score_cols = [c for c in dtypes if c != KIND and not c.startswith(REJ)]
    rej_cols = [c for c in dtypes if c.startswith(REJ)]
    scores = both[both[KIND] == "score"][score_cols]
    bad = both[both[KIND] == STATUS_REJECTED][rej_cols]
    bad = bad.rename(columns={c: c[len(REJ) :] for c in rej_cols})
    return scores, bad
