"""Each distinct cell of a column once: what reading (each distinct rating parsed once) and
the reports (each distinct value written as text once) share."""

from __future__ import annotations

import math
from typing import Any

import numpy as np
import pandas as pd

from .read import CellError


def distinct_cells(values: pd.Series, *, exact_types: bool = False) -> tuple[np.ndarray, list[Any]]:
    """``(codes, distinct values)`` of a column's cells, code -1 for a blank cell, so that
    each distinct value is interpreted (or written) once.  Text columns are factorized by Arrow.

    ``factorize`` compares with ``==``, which would merge values of different types that
    compare equal: TRUE with 1, or the text ``'#N/A'`` with a formula error cell ``#N/A``
    (whichever came first would decide how both are read).  A column holding such types is
    factorized on (type, value) instead; with ``exact_types``, any column of mixed types is
    (``0`` and ``0.0`` mean the same rating but are written differently).
    """
    if isinstance(values.dtype, pd.StringDtype):
        codes, uniques = pd.factorize(values, use_na_sentinel=True)
        return codes, list(uniques)
    cells = np.asarray(values.to_numpy(dtype=object) if isinstance(values, pd.Series) else values)
    kinds = set(map(type, cells))
    # written as text, -0.0 is not 0.0 although the two compare (and factorize) equal
    signed = exact_types and any(map(_negative_zero, cells))
    if signed or (len(kinds) > 1 and (exact_types or kinds & _LOOKALIKE_TYPES)):
        keys = np.fromiter(
            zip(map(type, cells), cells, map(_negative_zero, cells), strict=True),
            object,
            len(cells),
        )
        codes, typed = pd.factorize(keys)
        codes[pd.isna(cells)] = -1
        return codes, [value for _, value, _ in typed]
    codes, uniques = pd.factorize(cells, use_na_sentinel=True)
    return codes, list(uniques)


def _negative_zero(cell: Any) -> bool:
    return isinstance(cell, float) and cell == 0 and math.copysign(1.0, cell) < 0


#: cell types equal (``==``, same hash) to values of another type: TRUE == 1, CellError == str
_LOOKALIKE_TYPES = frozenset({bool, np.bool_, CellError})
