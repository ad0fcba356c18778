"""The calibrated rubric: its weights, version and band cut-offs, where it may be written,
and writing it.

:func:`check_rubric_output` refuses an unusable path (a folder, a name that is not ``.yaml``,
the input rubric's own file, the cases file, an existing file unless forced) before any work;
:func:`save_rubric` checks again and writes the rubric atomically.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import OutputError
from ..rubric import Rubric, normalise_header, parse_rubric


def reweighted(rubric: Rubric, weights: np.ndarray, **changes: Any) -> Rubric:
    """``rubric`` with ``weights`` (in criterion order) and any other ``changes``."""
    return rubric.with_weights(dict(zip(rubric.ids, map(float, weights), strict=True)), **changes)


def bump_version(version: str, tag: str) -> str:
    """The calibrated rubric's version: the next minor version, marked as derived from data.

    Weights change the scores but not the columns or scales, so it is a minor change; the
    pre-release tag (``-cal.YYYYMMDD``) says it is a candidate fitted to data on that date,
    and sorts before a hand-made ``1.1.0`` under semantic versioning.  An analyst adopting it
    drops the tag.  Versions that are not ``X.Y[.Z]`` get the tag appended.

    Examples
    --------
    >>> bump_version("1.0.0", "cal.20251001")
    '1.1.0-cal.20251001'
    >>> bump_version("2024a", "entropy.20251001")
    '2024a-entropy.20251001'
    """
    m = re.match(r"^(\d+)\.(\d+)(?:\.\d+)?(?:[-+].*)?$", version)
    if m:
        return f"{m.group(1)}.{int(m.group(2)) + 1}.0-{tag}"
    return f"{version}-{tag}"


def rubric_file(rubric: str | Path | Rubric) -> str | None:
    """The file a rubric argument names (a path, or a built-in name's file), if any."""
    from ..rubric import builtin_dir

    if isinstance(rubric, Rubric):
        return None
    path = Path(rubric).expanduser()
    if path.is_file():
        return str(path)
    builtin = builtin_dir() / f"{rubric}.yaml"
    return str(builtin) if builtin.is_file() else None


def recalibrated_bands(
    rubric: Rubric, levels: Sequence[Any], cutoffs: np.ndarray
) -> tuple[list | None, str | None]:
    """Bands with the ordinal cut-offs as minimums, when the levels are the rubric's bands.

    ``levels`` are the outcome levels worst first and ``cutoffs`` the scores between each
    level and the next (:attr:`RubricCalibrator.thresholds_
    <assess.calibration.estimator.RubricCalibrator>`).  Returns the bands, or ``None`` and,
    when the cut-offs cannot be used, a warning saying why.
    """
    levels = [str(v) for v in levels]
    if [normalise_header(v) for v in levels] != [
        normalise_header(b) for b in reversed(rubric.band_names)
    ]:
        return None, None
    cut = cutoffs
    if not (np.all(np.isfinite(cut)) and np.all(np.diff(cut) > 0)):
        return None, (
            "The outcome levels do not rise with the score, so no band cut-offs could be "
            "recalibrated; the rubric's bands are kept."
        )
    if cut[0] <= 0 or cut[-1] > 100:
        return None, (
            "A recalibrated band cut-off falls outside 0-100 "
            f"({', '.join(f'{c:.1f}' for c in cut)}): the cases do not pin it down, so the "
            "rubric's bands are kept."
        )
    mins = dict(zip(reversed(rubric.band_names), [0.0, *cut.tolist()], strict=True))
    return [
        {"name": b.name, "min": float(mins[b.name]), "colour": b.colour} for b in rubric.bands
    ], None


def check_rubric_output(
    path: str | Path,
    *,
    force: bool = False,
    rubric_path: str | None = None,
    cases_path: str | None = None,
) -> Path:
    """Where a calibrated rubric may be written: a new ``.yaml`` file (an existing one only
    with ``force``), never the input rubric or the cases file.  Raises :class:`OutputError`."""
    target = Path(path)
    if target.is_dir():
        raise OutputError(
            f"{target} is a folder; give -o a file name such as {target / 'calibrated.yaml'}"
        )
    if target.suffix.lower() not in (".yaml", ".yml"):
        raise OutputError(f"{target.name}: a calibrated rubric is written as .yaml or .yml")
    for protected, what in ((rubric_path, "the input rubric"), (cases_path, "the cases file")):
        if protected and Path(protected).exists() and _same_file(target, Path(protected)):
            raise OutputError(f"refusing to overwrite {what} {target.name}; choose another -o path")
    if not target.parent.is_dir():
        raise OutputError(f"the folder {target.parent} does not exist")
    if target.exists() and not force:
        raise OutputError(f"{target} exists; use --force to replace it")
    return target


def _same_file(a: Path, b: Path) -> bool:
    try:
        return a.resolve() == b.resolve() or (a.exists() and b.exists() and a.samefile(b))
    except OSError:
        return False


def save_rubric(
    text: str,
    path: str | Path,
    *,
    force: bool = False,
    rubric_path: str | None = None,
    cases_path: str | None = None,
) -> tuple[Path, Rubric]:
    """Write a rubric's YAML ``text`` to ``path``, atomically, after
    :func:`check_rubric_output`.  Returns the path and the rubric as loaded from the text."""
    from ..files import atomic_path

    target = check_rubric_output(path, force=force, rubric_path=rubric_path, cases_path=cases_path)
    loaded = parse_rubric(text, source=str(target))
    try:
        with atomic_path(target) as tmp:
            tmp.write_text(text, encoding="utf-8")
    except OSError as exc:
        raise OutputError(f"cannot write {target}: {exc.strerror or exc}") from exc
    return target, loaded
