"""Weights that need no outcome: equal, entropy, CRITIC and AHP (pairwise comparisons).

These are the outcome-free methods ``assess calibrate --method`` offers beside weights fitted
to past outcomes, so that analysts can compare them side by side.  Entropy and CRITIC read the
criterion values as the scorer sees them: :func:`assess.scoring.normalise` (0-1, cost criteria
inverted, NaN where missing).

The AHP pairwise-comparison sheet
---------------------------------
A square table anywhere in the first 50 rows of a sheet::

                        Transparency  Norms alignment  Interoperability  Resources  Friction
    Transparency             1              1                 2              3          2
    Norms alignment                         1                 2              3          2
    Interoperability                                          1              2          1
    Resources                                                                1         1/2
    Political friction                                                                  1

* The header row names every criterion once; the first column below it names them again, in
  any order.  Names match like engagement headers: the criterion's column name, an alias, its
  label or its id, whatever the case, spacing or punctuation.
* The cell in row *i*, column *j* says how much more important criterion *i* is than *j* on
  Saaty's 1-9 scale (1 equal, 3 moderately, 5 strongly, 7 very strongly, 9 extremely more
  important; reciprocals such as ``1/3`` or 0.333 for less important).
* Only one triangle is needed: a blank cell is the reciprocal of its mirror; the diagonal is 1
  (blank is fine).  Where both mirror cells are filled they must agree within 5 %.

The consistency ratio ``CR = CI / RI`` (``CI = (lambda_max - n) / (n - 1)``, ``RI`` Saaty's
random index) is reported; CR above 0.1 means the judgements contradict each other enough
that they should be revisited.  Saaty's index is published for up to 15 criteria, so AHP
compares at most 15.
"""

from __future__ import annotations

import math
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import InputError
from ..limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from ..read import HEADER_SCAN_ROWS, column_letter, read_sheets
from ..rubric import Rubric, normalise_header

OUTCOME_FREE_METHODS = ("equal", "entropy", "critic", "ahp")
#: Saaty's random consistency index for n = 1..15 criteria: the mean consistency index of
#: random reciprocal matrices, as published in T. L. Saaty, *The Analytic Hierarchy Process*
#: (McGraw-Hill, 1980), and used unchanged by e.g. the CRAN package AHPWR (``CR.R``).  (The
#: dip at n = 12 is in the published table.)  Saaty's table stops at 15 criteria, so
#: :func:`ahp_weights` refuses larger matrices rather than extrapolate an index.
RANDOM_INDEX = (
    0.0, 0.0, 0.58, 0.90, 1.12, 1.24, 1.32, 1.41, 1.45, 1.49, 1.51, 1.48, 1.56, 1.57, 1.59
)  # fmt: skip
CR_LIMIT = 0.1
_FRACTION = re.compile(r"^\s*(\d+(?:[.,]\d+)?)\s*/\s*(\d+(?:[.,]\d+)?)\s*$")


def _normalised(d: np.ndarray) -> np.ndarray:
    """Non-negative scores -> weights summing to 1 (equal weights when all are zero)."""
    d = np.where(np.isfinite(d) & (d > 0), d, 0.0)
    total = d.sum(axis=-1, keepdims=True)
    k = d.shape[-1]
    return np.where(total > 0, d / np.where(total > 0, total, 1.0), 1.0 / k)


def equal_weights(k: int) -> np.ndarray:
    """``k`` equal weights.

    Examples
    --------
    >>> equal_weights(4).tolist()
    [0.25, 0.25, 0.25, 0.25]
    """
    return np.full(k, 1.0 / k)


def entropy_weights(z: np.ndarray, counts: np.ndarray | None = None) -> np.ndarray:
    """Shannon-entropy weights: criteria whose values vary more across cases weigh more.

    With ``p_ij = z_ij / sum_i z_ij`` over the cases where criterion *j* is present,
    ``E_j = -sum_i p_ij ln p_ij / ln n_j`` and ``w_j`` is proportional to ``1 - E_j``.

    Parameters
    ----------
    z : numpy.ndarray
        (n, k) criterion values on 0-1 (as :func:`assess.scoring.normalise` gives), NaN where
        missing.
    counts : numpy.ndarray, optional
        Optional (B, n) case multiplicities, one row per bootstrap resample: the weights of all
        B resamples are computed at once, without copying the data.

    Returns
    -------
    numpy.ndarray
        (k,) weights, or (B, k) with ``counts``.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[0.0, 0.5], [1.0, 0.5], [0.5, 0.5]])
    >>> entropy_weights(z).round(3).tolist()        # the constant criterion carries no weight
    [1.0, 0.0]
    """
    z = np.asarray(z, dtype=float)
    present = ~np.isnan(z)
    x = np.where(present, np.clip(z, 0.0, None), 0.0)
    xlogx = np.where(x > 0, x * np.log(np.where(x > 0, x, 1.0)), 0.0)
    c = np.ones((1, len(z))) if counts is None else np.atleast_2d(counts).astype(float)
    total = c @ x  # (B, k)
    n_present = c @ present
    with np.errstate(divide="ignore", invalid="ignore"):
        # sum_i c_i p_ij ln p_ij = (sum_i c_i x ln x) / T - ln T
        plogp = (c @ xlogx) / total - np.log(total)
        entropy = -plogp / np.log(n_present)
    d = np.where((total > 0) & (n_present > 1), 1.0 - entropy, 0.0)
    w = _normalised(np.clip(d, 0.0, None))
    return w[0] if counts is None else w


def critic_weights(z: np.ndarray) -> np.ndarray:
    """CRITIC weights (Diakoulaki et al. 1995): contrast times conflict.

    ``C_j = sigma_j * sum_k (1 - r_jk)`` with ``sigma_j`` the standard deviation of criterion
    *j* and ``r_jk`` the correlation between criteria (each over the cases where both are
    present); ``w_j`` is proportional to ``C_j``.  A criterion that varies and tells something
    the others do not weighs more.

    Examples
    --------
    >>> import numpy as np
    >>> z = np.array([[0.0, 0.0, 1.0], [0.5, 0.5, 0.0], [1.0, 1.0, 0.5], [0.25, 0.25, 0.25]])
    >>> critic_weights(z).round(3).tolist()
    [0.25, 0.25, 0.5]
    """
    import pandas as pd

    frame = pd.DataFrame(np.asarray(z, dtype=float))
    sigma = frame.std(ddof=1).fillna(0.0).to_numpy()
    r = frame.corr().fillna(0.0).to_numpy(copy=True)
    np.fill_diagonal(r, 1.0)
    return _normalised(sigma * (1.0 - r).sum(axis=1))


@dataclass(frozen=True)
class AHPResult:
    """Weights from a pairwise-comparison matrix, and how consistent the judgements are."""

    criteria: tuple[str, ...]
    matrix: np.ndarray
    weights: np.ndarray
    lambda_max: float
    ci: float
    ri: float
    cr: float

    @property
    def consistent(self) -> bool:
        """False when CR > 0.1: the judgements contradict each other and should be revisited."""
        return self.cr <= CR_LIMIT

    def to_dict(self) -> dict[str, Any]:
        return {
            "criteria": list(self.criteria),
            "matrix": [[float(v) for v in row] for row in self.matrix],
            "weights": dict(zip(self.criteria, map(float, self.weights), strict=True)),
            "lambda_max": self.lambda_max,
            "consistency_index": self.ci,
            "random_index": self.ri,
            "consistency_ratio": self.cr,
            "consistent": self.consistent,
        }


def ahp_weights(matrix: np.ndarray, criteria: tuple[str, ...] | None = None) -> AHPResult:
    """AHP weights: the principal eigenvector of a reciprocal pairwise matrix, with its CR.

    Raises
    ------
    InputError
        More than 15 criteria: Saaty's random index, which the CR needs, stops at 15.

    Examples
    --------
    >>> import numpy as np
    >>> a = np.array([[1, 3, 5], [1 / 3, 1, 3], [1 / 5, 1 / 3, 1]])
    >>> r = ahp_weights(a)
    >>> r.weights.round(3).tolist(), round(r.cr, 3), r.consistent
    ([0.637, 0.258, 0.105], 0.033, True)
    """
    a = np.asarray(matrix, dtype=float)
    n = a.shape[0]
    if a.shape != (n, n) or n < 1:
        raise ValueError("the pairwise matrix must be square")
    if n > len(RANDOM_INDEX):
        raise InputError(
            f"AHP cannot check the consistency of {n} criteria: Saaty's random index is "
            f"published for up to {len(RANDOM_INDEX)} criteria only"
        )
    if not np.all(np.isfinite(a)) or np.any(a <= 0):
        raise ValueError("pairwise judgements must be positive numbers")
    values, vectors = np.linalg.eig(a)
    i = int(np.argmax(values.real))
    lam = float(values[i].real)
    w = np.abs(vectors[:, i].real)
    w = w / w.sum()
    ci = (lam - n) / (n - 1) if n > 2 else 0.0
    ri = RANDOM_INDEX[n - 1]
    cr = ci / ri if ri > 0 else 0.0
    names = criteria or tuple(f"c{j}" for j in range(n))
    return AHPResult(tuple(names), a, w, lam, max(ci, 0.0), ri, max(cr, 0.0))


def _judgement(value: Any) -> float | None:
    """A pairwise cell as a number: 3, 0.333, "3", "1/3"; None when blank."""
    if value is None or (isinstance(value, float) and math.isnan(value)):
        return None
    if isinstance(value, bool):
        return math.nan
    if isinstance(value, (int, float, np.integer, np.floating)):
        return float(value)
    text = str(value).strip()
    if not text:
        return None
    m = _FRACTION.match(text)
    try:
        if m:
            return float(m.group(1).replace(",", ".")) / float(m.group(2).replace(",", "."))
        return float(text.replace(",", "."))
    except (ValueError, ZeroDivisionError):
        return math.nan


def _criterion_names(rubric: Rubric) -> dict[str, str]:
    names: dict[str, str] = {}
    for c in rubric.criteria:
        for name in (c.column, *c.aliases, c.label, c.id):
            names.setdefault(normalise_header(name), c.id)
    return names


def _matrix_in(rows: list[list[Any]], names: dict[str, str], ids: list[str], where: str):
    """The pairwise matrix in one sheet's rows, or None when the sheet holds none."""
    for hi, header in enumerate(rows[:HEADER_SCAN_ROWS]):
        cols = {}
        for j, v in enumerate(header):
            cid = names.get(normalise_header(v)) if isinstance(v, str) and v.strip() else None
            if cid is not None and cid not in cols.values():
                cols[j] = cid
        if len(cols) < 2:
            continue
        label_col = min(cols) - 1
        if label_col < 0:
            continue
        found: dict[str, tuple[int, list[Any]]] = {}
        for ri in range(hi + 1, len(rows)):
            row = rows[ri]
            label = row[label_col] if label_col < len(row) else None
            cid = names.get(normalise_header(label)) if isinstance(label, str) else None
            if cid is not None and cid not in found:
                found[cid] = (ri, row)
        if not found:  # a header naming criteria but no rows naming them: not this table
            continue
        missing = [c for c in ids if c not in cols.values() or c not in found]
        if missing:
            raise InputError(
                f"{where}: the pairwise table (header row {hi + 1}) does not cover "
                f"{', '.join(missing)}; it needs a row and a column for every criterion"
            )
        return _fill(cols, found, ids, where)
    return None


def _fill(cols, found, ids: list[str], where: str) -> np.ndarray:
    k = len(ids)
    pos = {cid: i for i, cid in enumerate(ids)}
    given = np.full((k, k), np.nan)
    cell: dict[tuple[int, int], str] = {}
    for j, cid_col in cols.items():
        for cid_row, (ri, row) in found.items():
            raw = row[j] if j < len(row) else None
            value = _judgement(raw)
            ref = f"{where}!{column_letter(j)}{ri + 1}"
            if value is None:
                continue
            if not (math.isfinite(value) and value > 0):
                raise InputError(f"{ref}: {raw!r} is not a pairwise judgement (e.g. 3 or 1/3)")
            a, b = pos[cid_row], pos[cid_col]
            given[a, b] = value
            cell[(a, b)] = ref
    m = np.ones((k, k))
    for a in range(k):
        for b in range(k):
            if a == b:
                if not np.isnan(given[a, b]) and abs(given[a, b] - 1) > 1e-9:
                    raise InputError(f"{cell[(a, b)]}: a criterion compared with itself must be 1")
                continue
            x, y = given[a, b], given[b, a]
            if np.isnan(x) and np.isnan(y):
                raise InputError(f"{where}: no judgement between {ids[a]} and {ids[b]}")
            if not np.isnan(x) and not np.isnan(y) and abs(x * y - 1) > 0.05:
                raise InputError(
                    f"{cell[(a, b)]} and {cell[(b, a)]}: {x:g} and {y:g} are not reciprocal "
                    "(fill one triangle, or make each cell 1 / its mirror)"
                )
            m[a, b] = x if not np.isnan(x) else 1.0 / y
    return m


def read_pairwise(
    path: str | Path,
    rubric: Rubric,
    sheet: str | None = None,
    *,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
) -> tuple[np.ndarray, str]:
    """Read an AHP pairwise-comparison matrix (layout in the module docstring) from a file.

    Returns the (k, k) matrix in rubric order and the name of the sheet it came from.

    Raises
    ------
    InputError
        No sheet holds the table, a criterion is missing, or a judgement cannot be read.
    """
    sheets, _, _ = read_sheets(path, max_input_size=max_input_size)
    if sheet is not None:
        sheets = [s for s in sheets if s[0] == sheet]
        if not sheets:
            raise InputError(f"{Path(path).name}: no sheet {sheet!r}")
    names, ids = _criterion_names(rubric), rubric.ids
    for name, _, rows in sheets:
        m = _matrix_in(rows, names, ids, name)
        if m is not None:
            return m, name
    raise InputError(
        f"{Path(path).name}: no pairwise-comparison table (a header row and a first column "
        "naming every criterion) was found"
    )
