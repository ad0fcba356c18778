"""The public pipeline: read -> validate -> score, for files or DataFrames.

``assess.score(...)`` is what ``assess score`` runs; every report writer takes its
:class:`~assess.result.Result`.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any

import pandas as pd

from .analyses.agreement import score_ratings
from .errors import OptionError
from .limits import DEFAULT_MAX_INPUT_SIZE, MaxSize
from .raters import read_ratings
from .read import RawTable, read_table
from .result import Result, SourceInfo, engagement_rows, order_best_first, order_positions
from .review import (
    REVIEW_FIELDS,
    apply_evidence,
    check_required_statuses,
    evidence_field,
    find_review_columns,
    hold_unapproved,
    review_cells,
    status_flags,
)
from .rubric import DEFAULT_RUBRIC, Rubric, load_rubric
from .scoring import STATUS_SCORED, constant_labels, score_frame
from .validation import Validated, reject_seen_ids, validate

Source = str | Path | pd.DataFrame


def validate_file(
    source: Source,
    rubric: Rubric,
    sheet: str | int | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
    require_status: tuple[str, ...] = (),
) -> Validated:
    """Read and validate one file (or DataFrame) without scoring it (options as for
    :func:`score`; ``require_status`` as :func:`~assess.review.check_required_statuses`
    gives it), then review it: the rows not in a required status set aside, the evidence
    checked, each engagement's evidence and review fields carried."""
    table: RawTable = read_table(
        source,
        rubric,
        sheet=sheet,
        id_column=id_column,
        allow_missing=allow_missing,
        max_input_size=max_input_size,
    )
    return reviewed(table, rubric, require_status)


def reviewed(table: RawTable, rubric: Rubric, require_status: tuple[str, ...] = ()) -> Validated:
    """Validate a table read with :func:`~assess.read.read_table` and review it
    (:mod:`assess.review`): the rows not in a required status set aside first, then the
    evidence checked (flagged or rejected as the rubric says), each engagement's evidence and
    review fields carried.  What every engine scores."""
    columns = find_review_columns(table, rubric)
    held = []
    if require_status:
        table, held = hold_unapproved(table, rubric, columns, require_status)
    part = validate(table, rubric)
    part.held = held
    review_cells(part, columns, rubric)  # each engagement's evidence, read once
    part.flags = apply_evidence(part, columns, rubric) + status_flags(part, columns, rubric)
    part.flags.sort(key=lambda f: (f.row, f.column))
    part.review = columns
    return part


def _drop_cross_file_duplicates(parts: list[Validated]) -> None:
    """An id already seen in an earlier file rejects the later row, naming the first.

    Ids are compared as within a file (:func:`~assess.validation.id_key`): ``'E1'`` in one file
    and ``'E\u200b1'`` in another are the same engagement.
    """
    if len(parts) < 2:  # ids are already unique within a file
        return
    seen: dict[str, tuple[str, int, str]] = {}
    for part in parts:
        keys = reject_seen_ids(part, seen)
        rows = part.rows.to_numpy().tolist()
        for eid, key, row in zip(part.ratings.index, keys, rows, strict=True):
            seen[key] = (part.table.name, row, eid)


def score(
    sources: Source | Iterable[Source],
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    sheet: str | int | None = None,
    *,
    id_column: str | None = None,
    allow_missing: str | Iterable[str] | None = None,
    max_input_size: MaxSize = DEFAULT_MAX_INPUT_SIZE,
    require_status: str | Iterable[str] | None = None,
) -> Result:
    """Read, validate and score engagements from one or more spreadsheets.

    Parameters
    ----------
    sources : Source or Iterable[Source]
        A path (``.xlsx``, ``.xlsm``, ``.xls``, ``.ods``, ``.csv``, ``.tsv``), a pandas DataFrame
        laid out like a sheet, or a list of them.  Several sources are scored together as one
        set (one ranking); an id repeated across them rejects the later row.
    rubric : str, Path or Rubric, optional
        A built-in rubric name, a path to a rubric YAML file, or a loaded :class:`Rubric`.
    sheet : str or int, optional
        Sheet name (or 1-based position) to read; by default the best-matching sheet.
    id_column : str, optional
        Header of the column holding the engagement ids, when it is not the rubric's
        identifier column (or one of its aliases).
    allow_missing : str or Iterable[str], optional
        Criteria (ids, labels or headers; or ``"all"``) that may have no column in a table.
        By default a criterion without a column makes the table unusable (``InputError``):
        scoring without it would spread its weight over the others unnoticed.  An allowed
        one is scored as not rated, and the source's ``notes`` say so.
    max_input_size : MaxSize, optional
        The most any input may hold: bytes, or text such as ``"512MB"`` or ``"2GB"``
        (default 512 MB).  A file larger than this on disk or, for a workbook, once
        inflated is refused (``InputError``), as is a table spanning more than one cell per
        16 bytes of it; see :mod:`assess.limits`.
    require_status : str or Iterable[str], optional
        Score only the rows whose Status cell holds one of these statuses of the rubric
        (``"Approved"``; several also comma-separated); every other row is set aside in
        ``result.held`` with its status.  A table without a Status column is then unusable
        (``InputError``); a status the rubric does not have is an ``OptionError``.

    Returns
    -------
    Result
        Every input row is in exactly one of ``result.scored``, ``result.insufficient``,
        ``result.rejected`` or ``result.held``; ``result.flags`` lists the warnings on
        scored rows (a rating without the evidence the rubric requires).

    Raises
    ------
    AssessError
        ``RubricError`` or ``InputError`` when the rubric or an input cannot be used at all.

    Examples
    --------
    >>> import assess
    >>> result = assess.score("examples/engagements.xlsx")
    >>> for part in result.summary_line().split("; "):
    ...     print(part)
    49 scored, 1 insufficient evidence, 4 rejected of 54 rows
    5 flags (5 ratings without required evidence)
    """
    rub = load_rubric(rubric)
    if isinstance(sources, (str, Path, pd.DataFrame)):
        sources = [sources]
    sources = list(sources)
    # several raters (long format, or one sheet per rater): combined, scored, with agreement
    layout = {
        "sheet": sheet,
        "id_column": id_column,
        "allow_missing": allow_missing,
        "max_input_size": max_input_size,
    }
    required = check_required_statuses(require_status, rub)
    raters = read_ratings(sources, rub, **layout)
    if raters is not None:
        if required:
            raise OptionError(
                "--require-status is for one row per engagement; several raters' ratings "
                "have no review status"
            )
        return score_ratings(raters)
    parts = [validate_file(s, rub, **layout, require_status=required) for s in sources]
    _drop_cross_file_duplicates(parts)
    result = combine(parts, rub)
    result.require_status = required
    return result


def scored(
    source: Result | Source | Iterable[Source],
    rubric: str | Path | Rubric = DEFAULT_RUBRIC,
    sheet: str | int | None = None,
    **reading: Any,
) -> Result:
    """``source`` itself when it is already a scored :class:`Result`, else :func:`score` of
    it with ``rubric``, ``sheet`` and the other reading options; what the analyses take."""
    if isinstance(source, Result):
        return source
    return score(source, rubric=rubric, sheet=sheet, **reading)


def combine(parts: list[Validated], rubric: Rubric) -> Result:
    """Score validated tables together and assemble the :class:`Result`."""
    frames, infos, rejected, carried_cols, flags, held = [], [], [], [], [], []
    evidence_cols: list[str] = []
    computed = {*REVIEW_FIELDS, *(evidence_field(c) for c in rubric.ids)}
    for part in parts:
        ratings, rows, carried = part.ratings, part.rows, part.carried
        scores = score_frame(ratings, rubric)
        if len(parts) == 1 and len(ratings) > 1:
            # Put the inputs in best-first order and score them again, rather than reorder
            # every column of the result: scoring is cheaper than moving text around.
            order = order_positions(scores["status"], scores["rank"], ratings.index)
            ratings = ratings.iloc[order]
            # the same labels in the same order: share the index, so nothing is re-aligned
            rows = rows.iloc[order].set_axis(ratings.index)
            carried = carried.iloc[order].set_axis(ratings.index)
            scores = score_frame(ratings, rubric)
        n = len(ratings)
        frames.append(
            engagement_rows(
                rubric,
                ratings,
                scores,
                carried,
                source=constant_labels(part.table.name, n),
                sheet=constant_labels(part.table.sheet, n),
                row=rows.to_numpy(dtype="int64"),
            )
        )
        for col in carried.columns:
            if col not in carried_cols and col not in computed:
                carried_cols.append(col)
        n_scored = int((scores["status"] == STATUS_SCORED).sum())
        infos.append(
            SourceInfo.of_table(
                part.table,
                data_rows=part.data_rows,
                scored=n_scored,
                insufficient=len(scores) - n_scored,
                rejected=len(part.rejected),
                held=len(part.held),
                flagged=len(part.flags),
            )
        )
        rejected.extend(part.rejected)
        flags.extend(part.flags)
        held.extend(part.held)
        if part.review is not None:
            keys = [*part.review.evidence.values(), part.review.shared]
            evidence_cols += [k for k in keys if k is not None and k not in evidence_cols]
    if len(frames) > 1:
        table = pd.concat(frames, axis=0)
        # ranks are over the whole set, not per file
        table["rank"] = table["score"].rank(method="min", ascending=False).astype("Int64")
        table = order_best_first(table)
    else:
        table = frames[0]
    return Result(
        rubric=rubric,
        sources=infos,
        engagements=table,
        rejected=rejected,
        carried_columns=carried_cols,
        flags=flags,
        held=held,
        evidence_columns=[c for c in carried_cols if c in evidence_cols],
    )
