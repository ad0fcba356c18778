"""Where the Dask engine writes: the scores and the rejected rows, each as Parquet (a folder of
parts) or CSV, written under a temporary name and moved into place when complete."""

from __future__ import annotations

import os
import shutil
import uuid
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import pandas as pd

from ...errors import OutputError
from ...report.safety import safe_cell

OUTPUT_SUFFIXES = {".parquet": "parquet", ".csv": "csv"}


def output_targets(
    output: str | Path, rejected: str | Path | None, files: Sequence[Path]
) -> tuple[Path, Path, str]:
    """Where the scores and the rejected rows go (by default ``<output stem>-rejected``), and
    their format; refused before any work when that cannot be."""
    target = Path(output)
    out_kind = OUTPUT_SUFFIXES.get(target.suffix.lower())
    if out_kind is None:
        raise OutputError(
            f"cannot tell the output format from {target.name!r}; use .parquet or .csv"
        )
    rejected_target = Path(rejected) if rejected is not None else _rejected_path(target)
    if rejected_target.suffix.lower() != target.suffix.lower():
        raise OutputError("the rejected rows are written in the same format as the scores")
    for t in (target, rejected_target):
        _check_output(t, files)
    return target, rejected_target, out_kind


def write_outputs(
    dask: Any, outputs: Sequence[tuple[Any, Path]], kind: str, compute_kw: dict[str, Any]
) -> None:
    """Compute and write Dask frames, each to its target, together; each is moved into place
    once all are written, and nothing is left behind when writing fails."""
    temporary = [_temporary(target) for _, target in outputs]
    try:
        dask.compute(
            *(_write(frame, tmp, kind) for (frame, _), tmp in zip(outputs, temporary, strict=True)),
            **compute_kw,
        )
        for (_, target), tmp in zip(outputs, temporary, strict=True):
            _replace(tmp, target)
    except OSError as exc:  # a full disk, a read-only folder ...
        where = exc.filename or outputs[0][1]
        raise OutputError(f"cannot write {where}: {exc.strerror or exc}") from exc
    finally:
        for tmp in temporary:
            if tmp.is_dir():
                shutil.rmtree(tmp, ignore_errors=True)
            elif tmp.exists():
                tmp.unlink()


def _rejected_path(output: Path) -> Path:
    return output.with_name(f"{output.stem}-rejected{output.suffix}")


def _check_output(target: Path, files: Sequence[Path]) -> None:
    """Refuse a target that is an input, holds an input, or is a folder we did not write."""
    resolved = target.resolve()
    for f in files:
        rf = f.resolve()
        if rf == resolved or resolved in rf.parents:
            raise OutputError(
                f"refusing to write {target.name} over the dataset's input {f.name}; "
                "choose another -o path"
            )
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")
    if target.is_dir() and any(
        p.is_dir() or (p.suffix != ".parquet" and not p.name.startswith("_"))
        for p in target.iterdir()
    ):
        raise OutputError(
            f"{target} is a folder holding other files; give a new path for the scores"
        )


def _replace(tmp: Path, target: Path) -> None:
    """Move a finished output over the target (a Parquet dataset is a folder of parts)."""
    if target.is_dir():
        shutil.rmtree(target)
    os.replace(tmp, target)


def _temporary(target: Path) -> Path:
    return target.with_name(f".{target.name}.{uuid.uuid4().hex[:8]}.tmp")


def _defused(frame: pd.DataFrame) -> pd.DataFrame:
    """Text cells as the CSV report writes them: never readable as a formula."""
    frame = frame.copy()
    for col in frame.columns:
        if isinstance(frame[col].dtype, pd.StringDtype) or frame[col].dtype == object:
            frame[col] = frame[col].map(safe_cell, na_action="ignore")
    return frame


def _write(frame, path: Path, kind: str):
    """A delayed write of a Dask frame (computed later, with the other output).  Every part
    has the meta's dtypes, so every Parquet part has the same schema."""
    if kind == "parquet":
        return frame.to_parquet(str(path), write_index=False, compute=False)
    defused = frame.map_partitions(_defused, meta=frame._meta)
    return defused.to_csv(
        str(path), single_file=True, index=False, lineterminator="\r\n", compute=False
    )
