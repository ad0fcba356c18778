"""The Dask engine's run: the dataset checked, both passes computed on the chosen scheduler,
the outputs written, and what was done counted."""

from __future__ import annotations

import os
import time
from collections.abc import Iterable
from concurrent.futures import ProcessPoolExecutor
from contextlib import ExitStack
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ...errors import AssessError
from ...limits import DEFAULT_MAX_INPUT_SIZE, MaxSize, parse_size
from ...rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from ...scoring import STATUS_INSUFFICIENT, STATUS_SCORED
from .dataset import dataset_files, load_part, read_header
from .output import output_targets, write_outputs
from .partitions import STATUS_REJECTED, output_dtypes
from .passes import first_pass, second_pass


@dataclass
class DaskResult:
    """What :func:`score_dask` did: counts over the whole dataset and where it wrote them."""

    files: list[Path]
    output: Path
    rejected_output: Path
    rows: int = 0
    scored: int = 0
    insufficient: int = 0
    rejected: int = 0
    seconds: float = 0.0
    notes: list[str] = field(default_factory=list)

    @property
    def exit_code(self) -> int:
        """0 when every row was scored, 1 otherwise (as for ``assess score``)."""
        return 0 if self.scored == self.rows else 1

    def summary_line(self) -> str:
        return (
            f"{self.scored} scored, {self.insufficient} insufficient evidence, "
            f"{self.rejected} rejected of {self.rows} rows in {len(self.files)} files"
        )

    def to_dict(self) -> dict[str, Any]:
        return {
            "files": [str(f) for f in self.files],
            "output": str(self.output),
            "rejected_output": str(self.rejected_output),
            "rows": self.rows,
            "scored": self.scored,
            "insufficient": self.insufficient,
            "rejected": self.rejected,
            "seconds": self.seconds,
            "notes": list(self.notes),
        }


def _require_dask():
    try:
        import dask
        import dask.dataframe as dd
    except ImportError as exc:
        raise AssessError(
            "the Dask engine needs Dask and pyarrow: pip install 'assess[dask]'"
        ) from exc
    return dask, dd


def score_dask(
    pattern: str | Path | Iterable[str | Path],
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    output: str | Path = "scores.parquet",
    *,
    rejected: str | Path | None = None,
    scheduler: Any = None,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> DaskResult:
    """Score a partitioned Parquet or CSV dataset with Dask, each file one partition.

    Parameters
    ----------
    pattern : str, Path or an iterable of them
        A glob pattern (``"archive/*.parquet"``, ``"archive/**/*.csv"``), a folder, a file, or a
        list of them; see :func:`expand` for the order of the files.  Every file must have the
        same columns; CSV files are UTF-8 with the header on the first line.
    rubric : str, Path or Rubric, optional
        A built-in rubric name, a path to a rubric YAML file, or a loaded :class:`Rubric`.
    output : str or Path, optional
        Where the scores go: ``.parquet`` (a folder of parts, one per input file) or ``.csv``
        (one file).  Written to a temporary name and moved into place when complete.
    rejected : str or Path, optional
        Where the rejected rows go (same format); by default ``<output stem>-rejected``.
    scheduler : Any, optional
        Any Dask scheduler (``"threads"``, ``"processes"``, ``"synchronous"``, a
        ``distributed.Client``).  By default: the active ``distributed.Client`` or scheduler
        set in Dask's configuration, else the cluster at ``DASK_SCHEDULER_ADDRESS`` if that is
        set, else local processes (validation is Python code, so threads would share one core).
    id_column, allow_missing : optional
        As for :func:`assess.score`; checked once against the dataset's header.
    max_input_size : MaxSize, optional
        As for :func:`assess.score`, for each file of the dataset: a file larger than this
        (or a Parquet file whose row groups decode to more) is refused before any work, as
        is anything that is not a regular file.

    Returns
    -------
    DaskResult
        Counts over the whole dataset (scored + insufficient + rejected = rows) and the paths.

    Examples
    --------
    >>> from assess.engines.dask import score_dask
    >>> done = score_dask("archive/*.parquet", output="scores.parquet")   # doctest: +SKIP
    >>> done.summary_line()                                               # doctest: +SKIP
    '99,870 scored, 30 insufficient evidence, 100 rejected of 100,000 rows in 8 files'
    """
    started = time.perf_counter()
    dask, dd = _require_dask()
    rub = load_rubric(rubric)
    limit = parse_size(max_input_size)
    files, kind = dataset_files(pattern, limit)
    target, rejected_target, out_kind = output_targets(output, rejected, files)
    ds, raw_meta, notes = read_header(files, kind, rub, id_column, allow_missing)
    dtypes = output_dtypes(rub, ds, raw_meta)
    raw = dd.from_map(
        load_part, ds.files, [kind] * len(files), range(len(files)), meta=raw_meta, label="read"
    )

    with ExitStack() as stack:
        compute_kw = _scheduler(scheduler, stack, dask)
        # pass 1: statuses, distinct scores and ids seen in more than one file
        first = first_pass(dask, raw, rub, ds, compute_kw)
        # the notes every file's header gives are said once, without a file name
        notes += [n for n in dict.fromkeys(first.said) if n.split(": ", 1)[-1] not in notes]
        # pass 2: score again with global ranks and cross-file duplicates, and write
        scores, bad = second_pass(raw, rub, ds, first, dtypes)
        write_outputs(dask, [(scores, target), (bad, rejected_target)], out_kind, compute_kw)

    statuses = first.statuses
    done = DaskResult(files=files, output=target, rejected_output=rejected_target, notes=notes)
    done.scored = int(statuses.get(STATUS_SCORED, 0))
    done.insufficient = int(statuses.get(STATUS_INSUFFICIENT, 0))
    done.rejected = int(statuses.get(STATUS_REJECTED, 0))
    done.rows = done.scored + done.insufficient + done.rejected
    done.seconds = time.perf_counter() - started
    return done


def _scheduler(scheduler: Any, stack: ExitStack, dask) -> dict[str, Any]:
    """Keyword arguments for ``dask.compute`` that pick the scheduler (see :func:`score_dask`)."""
    if scheduler is not None:
        return {"scheduler": scheduler}
    if dask.config.get("scheduler", None) is not None:
        return {}  # an active distributed.Client, or the user's own configuration
    address = os.environ.get("DASK_SCHEDULER_ADDRESS") or dask.config.get("scheduler-address", None)
    if address:
        try:
            from distributed import Client
        except ImportError as exc:
            raise AssessError(
                "DASK_SCHEDULER_ADDRESS is set but dask.distributed is not installed: "
                "pip install distributed"
            ) from exc
        return {"scheduler": stack.enter_context(Client(address))}
    import multiprocessing

    # one pool of worker processes for both passes (each would otherwise start its own)
    pool = stack.enter_context(
        ProcessPoolExecutor(os.cpu_count() or 1, mp_context=multiprocessing.get_context("spawn"))
    )
    return {"scheduler": "processes", "pool": pool}
