"""The history as one Parquet dataset, partitioned by period (``period=2025-Q3/…``).

One row per engagement of each run exported, with the run's metadata (``run_id``,
``recorded_at``, ``recorded_by``, ``rubric_name``, ``rubric_version``, ``rubric_hash``,
``current``), the engagement's recorded columns (``engagement_id``, ``source``, ``sheet``,
``row``, ``status``, ``score``, ``band``, ``rank``, ``completeness``, ``gates``), one column per
input (``<criterion>.rating`` for a rated criterion, ``<indicator>.value`` for an indicator),
its carried columns, then its review trail: the evidence behind each criterion's rating
(``<criterion>.evidence``) and ``review.assessed_by``, ``review.assessed_on``,
``review.reviewed_by``, ``review.status`` (text, missing where there was none).
``pandas.read_parquet(folder)`` reads it back, the period as a column.
"""

from __future__ import annotations

import os
import shutil
import tempfile
from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd
from sqlalchemy import Connection

from ..errors import OutputError
from .rebuild import recorded_engagements

#: The run metadata columns, first in every row.
RUN_COLUMNS = (
    "period",
    "run_id",
    "recorded_at",
    "recorded_by",
    "rubric_name",
    "rubric_version",
    "rubric_hash",
    "current",
)


def run_frame(connection: Connection, run: Any) -> pd.DataFrame:
    """The engagements of one run (a row of the store's history) with its metadata."""
    frame = recorded_engagements(connection, int(run.run_id)).reset_index(names="engagement_id")
    taken = set(RUN_COLUMNS)
    frame = frame.rename(columns={c: f"{c} (input)" for c in frame.columns if c in taken})
    meta = {
        "period": run.period,
        "run_id": int(run.run_id),
        "recorded_at": run.recorded_at,
        "recorded_by": run.recorded_by,
        "rubric_name": run.rubric,
        "rubric_version": run.rubric_version,
        "rubric_hash": run.rubric_hash,
        "current": bool(run.current),
    }
    for position, (name, value) in enumerate(meta.items()):
        frame.insert(position, name, value)
    return frame


def _arrow_ready(frame: pd.DataFrame) -> pd.DataFrame:
    """Carried columns hold what the input cells held: a column mixing numbers and text
    becomes text, so that Arrow can type it."""
    for col in frame.columns:
        if frame[col].dtype != object:
            continue
        values = frame[col].dropna()
        kinds = {type(v) for v in values}
        if kinds <= {str} or kinds <= {int, float} or kinds <= {bool}:
            continue
        frame[col] = frame[col].map(lambda v: v if v is None or v != v else str(v))
    return frame


def write_dataset(frames: Iterable[pd.DataFrame], folder: Path) -> Path:
    """Write ``frames`` (one per run) as a Parquet dataset partitioned by period, in a
    temporary folder moved to ``folder`` when complete.  ``folder`` must be new or empty."""
    import pyarrow as pa
    import pyarrow.dataset as ds

    folder = Path(folder)
    if folder.exists() and (not folder.is_dir() or any(folder.iterdir())):
        raise OutputError(f"cannot export to {folder}: it is not a new or empty folder")
    table = pa.Table.from_pandas(
        _arrow_ready(pd.concat(list(frames), ignore_index=True)), preserve_index=False
    )
    try:
        folder.parent.mkdir(parents=True, exist_ok=True)
        partial = Path(tempfile.mkdtemp(prefix=f".{folder.name}.", dir=folder.parent))
    except OSError as exc:
        raise OutputError(f"cannot export to {folder}: {exc.strerror or exc}") from exc
    try:
        ds.write_dataset(
            table,
            partial,
            format="parquet",
            partitioning=["period"],
            partitioning_flavor="hive",
            existing_data_behavior="overwrite_or_ignore",
        )
        if folder.exists():
            folder.rmdir()
        os.replace(partial, folder)
    except OSError as exc:
        shutil.rmtree(partial, ignore_errors=True)
        raise OutputError(f"cannot export to {folder}: {exc.strerror or exc}") from exc
    except BaseException:
        shutil.rmtree(partial, ignore_errors=True)
        raise
    return folder
