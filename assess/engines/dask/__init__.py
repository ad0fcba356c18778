"""Score a partitioned Parquet or CSV dataset with Dask: the same checks and scores, beyond one
machine.

:func:`score_dask` is what ``assess score "archive/*.parquet" --engine dask -o scores.parquet``
runs.  Each file of the dataset is one Dask partition, a DataFrame laid out like a sheet (its
column names are the header).  Every partition goes through assess's own path —
:func:`assess.read.read_table`, :func:`assess.validation.validate`,
:func:`assess.pipeline.combine` — with ``map_partitions``, so a row is accepted, rejected or
scored exactly as ``assess score`` would; nothing about validation or scoring is
re-implemented here.

What cannot be decided inside one partition is decided globally, in a first pass that keeps
only a slim ``(id, file, row, status, score)`` frame per partition:

* **Duplicate ids across files.**  As in :func:`assess.score` over several files, an id already
  scored in an earlier file (files in sorted order) rejects the later row, naming the first
  (``duplicate engagement id 'X' (first in a.csv row 12)``).  Within a file, validation
  already rejects the later row.
* **Ranks.**  A partition's own ranks would be ranks within that file.  The first pass counts
  every distinct score over the whole dataset; the second pass ranks each score as
  ``1 + (number of scored engagements with a higher score)``, which is pandas'
  ``rank(method="min", ascending=False)`` over the concatenated data, so ties share the better
  rank exactly as in memory.

The second pass validates and scores each partition again (memory stays bounded by one
partition; nothing is collected on the client but the distinct scores and the duplicate ids)
and writes two datasets: the scores, with the columns of the CSV report (``rank``, ``id``,
``score``, ``band``, ``status``, ``completeness``, ``gates``, ``source``, ``sheet``, ``row``,
the carried columns with their source types, then per criterion rating, normalised,
contribution), and the rejected rows (one row per problem cell, as in the CSV report's
companion).  Rows are written file by file in input order, not best first: sort by ``rank``
when reading.  ``row`` is the row the engagement would have if the file were a sheet with
its header in row 1 (for CSV: the line's record number, as ``assess score`` gives).

Requires the ``dask`` extra: ``pip install "assess[dask]"``.

The modules, one job each:

* :mod:`~assess.engines.dask.run`: :func:`score_dask` and :class:`DaskResult`;
* :mod:`~assess.engines.dask.passes`: the two passes over the dataset;
* :mod:`~assess.engines.dask.partitions`: one partition through assess's own path;
* :mod:`~assess.engines.dask.dataset`: the dataset's files (:func:`expand`) and their header;
* :mod:`~assess.engines.dask.output`: where the scores and the rejected rows are written.
"""

from __future__ import annotations

from .dataset import DATASET_SUFFIXES, PART, Dataset, expand
from .output import OUTPUT_SUFFIXES
from .partitions import KIND, NOTE, REJ, STATUS_REJECTED
from .run import DaskResult, score_dask

__all__ = [
    "DATASET_SUFFIXES",
    "KIND",
    "NOTE",
    "OUTPUT_SUFFIXES",
    "PART",
    "REJ",
    "STATUS_REJECTED",
    "DaskResult",
    "Dataset",
    "expand",
    "score_dask",
]
