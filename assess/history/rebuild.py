"""A recorded run read back as the :class:`~assess.result.Result` it was made from.

The rubric comes from its stored YAML, the engagements frame from the ``engagements`` rows
(columns as :func:`assess.score` makes them, best first: each criterion's normalised value and
contribution recomputed from the recorded ratings with the run's rubric; the evidence and
review fields from each row's review trail), the rejected rows with every problem they had,
the flags and the rows not approved.  What a result computed beyond its engagements (several
raters' agreement, weight sensitivity) is not recorded and comes back as None.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any

import numpy as np
import pandas as pd
from sqlalchemy import Connection, select

from ..result import Result, SourceInfo, naming_column, order_best_first
from ..review import Flag, Held
from ..rubric import Rubric, parse_rubric
from ..scoring import score_arrays
from ..validation import Problem, Rejection
from . import schema
from .database import fetch_rows
from .rows import EVIDENCE_KEY, rating_keys, review_keys


@lru_cache(maxsize=32)
def stored_rubric(content: str) -> Rubric:
    """A rubric from its stored YAML (parsed once per content)."""
    return parse_rubric(content, source="<history store>")


def load_result(connection: Connection, run_id: int, *, details: bool = True) -> Result:
    """The :class:`Result` recorded as run ``run_id`` (which must exist).

    With ``details=False``, what a comparison of runs uses only: the engagements without
    their ``source``, ``sheet`` and ``row``, of the carried columns only the one naming them
    (:func:`~assess.result.naming_column`), which is then ``carried_columns``, without their
    evidence and review fields (None) and without the flags.
    """
    notes, rubric = _run_notes(connection, run_id)
    carried = list(notes.get("carried_columns", []))
    if not details:
        carried = [c for c in (naming_column(carried),) if c is not None]
    meta, inputs, cells, review = _engagement_parts(connection, run_id, rubric, carried, details)
    frame = pd.concat([meta, derived_columns(inputs, rubric), inputs, cells, review], axis=1)
    return Result(
        rubric=rubric,
        sources=_sources(connection, run_id),
        engagements=_best_first(frame),
        rejected=_rejections(connection, run_id),
        carried_columns=carried,
        flags=_flags(connection, run_id) if details else [],
        held=_held(connection, run_id),
        scored_at=notes.get("scored_at", ""),
        require_status=tuple(notes.get("require_status", ())),
    )


#: Above this many ids, a run's review trail is read whole and the ids picked from it.
MANY_IDS = 500


def read_review(connection: Connection, run_id: int, ids: list[str] | None = None) -> pd.DataFrame:
    """The review cells of run ``run_id``'s engagements as recorded (:func:`review_frame`),
    indexed by id: of every engagement that has any, or of those among ``ids``."""
    _, rubric = _run_notes(connection, run_id)
    t = schema.engagements
    query = select(t.c.engagement_id, t.c.review).where(
        t.c.run_id == run_id, t.c.review.is_not(None)
    )
    wanted = None if ids is None else [str(i) for i in ids]
    if wanted is not None and len(wanted) <= MANY_IDS:
        query = query.where(t.c.engagement_id.in_(wanted))
    found, texts = _columns(fetch_rows(connection, query), 2)
    frame = review_frame(texts, pd.Index(found, name="id", dtype=object), rubric)
    evidence, fields = review_keys(rubric)  # every column, None where none was recorded
    frame = frame.reindex(columns=[*evidence.values(), *fields.values()]).astype(object)
    frame = frame.where(frame.notna(), None)
    if wanted is not None and len(wanted) > MANY_IDS:
        frame = frame[frame.index.isin(wanted)]
    return frame


def review_frame(texts: Any, index: pd.Index, rubric: Rubric) -> pd.DataFrame:
    """Engagements' review cells from their recorded ``review`` JSON texts (None where NULL),
    on ``index``: ``<criterion>.evidence`` per criterion, then ``review.assessed_by`` ...
    ``review.status`` (text; None where the engagement had none, and for every row recorded
    before the store kept them)."""
    present = [j for j, text in enumerate(texts) if text is not None]
    if not present:
        return pd.DataFrame(index=index)
    codes, objects = _decoded([texts[j] for j in present])
    evidence, fields = review_keys(rubric)
    got = {c: [obj.get(EVIDENCE_KEY, {}).get(k) for obj in objects] for k, c in evidence.items()}
    got |= {c: [obj.get(k) for obj in objects] for k, c in fields.items()}
    cells = {}
    for column, values in got.items():
        if all(v is None for v in values):  # a column of nothing is left out, as when scored
            continue
        cells[column] = np.full(len(index), None, dtype=object)
        cells[column][present] = np.asarray(values, dtype=object)[codes]
    return pd.DataFrame(cells, index=index, dtype=object)


def recorded_engagements(connection: Connection, run_id: int) -> pd.DataFrame:
    """Run ``run_id``'s engagements as recorded, best first: ``source``, ``sheet``, ``row``,
    ``status``, ``score``, ``band``, ``rank``, ``completeness``, ``gates``, the inputs
    (``<criterion>.rating``, ``<indicator>.value``), the carried columns and the review cells
    (:func:`review_frame`); without the normalised values and contributions, which
    :func:`load_result` recomputes."""
    notes, rubric = _run_notes(connection, run_id)
    carried = list(notes.get("carried_columns", []))
    parts = _engagement_parts(connection, run_id, rubric, carried, details=True)
    return _best_first(pd.concat(parts, axis=1))


def derived_columns(inputs: pd.DataFrame, rubric: Rubric) -> pd.DataFrame:
    """``<criterion>.normalised`` then ``<criterion>.contribution`` for each engagement, from
    its inputs (columns in :func:`~assess.history.rows.rating_keys` order) and the rubric,
    as :func:`assess.scoring.score_frame` computed them when the run was scored."""
    scores = score_arrays(inputs.to_numpy(dtype=float), rubric)
    out: dict[str, np.ndarray] = {}
    for j, c in enumerate(rubric.criteria):
        out[f"{c.id}.normalised"] = scores.normalised[:, j]
    for j, c in enumerate(rubric.criteria):
        out[f"{c.id}.contribution"] = scores.contributions[:, j]
    return pd.DataFrame(out, index=inputs.index)


def _run_notes(connection: Connection, run_id: int) -> tuple[dict, Rubric]:
    """A run's notes and its rubric."""
    runs, rubrics = schema.runs, schema.rubrics
    run = connection.execute(
        select(runs.c.notes, rubrics.c.content)
        .join(rubrics, rubrics.c.hash == runs.c.rubric_hash)
        .where(runs.c.id == run_id)
    ).one()
    return json.loads(run.notes), stored_rubric(run.content)


def _best_first(table: pd.DataFrame) -> pd.DataFrame:
    return order_best_first(table) if len(table) > 1 else table


def _sources(connection: Connection, run_id: int) -> list[SourceInfo]:
    t = schema.sources
    rows = connection.execute(select(t).where(t.c.run_id == run_id).order_by(t.c.position))
    return [
        SourceInfo(
            file=r.file,
            path=r.path,
            sha256=r.sha256,
            sheet=r.sheet,
            header_row=r.header_row,
            data_rows=r.data_rows,
            scored=r.scored,
            insufficient=r.insufficient,
            rejected=r.rejected,
            blank_rows=r.blank_rows,
            notes=tuple(json.loads(r.notes)),
            columns=tuple((str(k), str(v)) for k, v in json.loads(r.columns)),
            held=r.not_approved,
            flagged=r.flagged,
        )
        for r in rows
    ]


def _flags(connection: Connection, run_id: int) -> list[Flag]:
    t = schema.flags
    names = ["file", "sheet", "row", "engagement_id", "column", "header", "kind", "criterion"]
    query = select(*(t.c[n] for n in [*names, "reason"])).where(t.c.run_id == run_id)
    return [Flag(*r) for r in fetch_rows(connection, query.order_by(t.c.position))]


def _held(connection: Connection, run_id: int) -> list[Held]:
    t = schema.held
    names = ["file", "sheet", "row", "engagement_id", "status", "column", "reason"]
    query = select(*(t.c[n] for n in names)).where(t.c.run_id == run_id)
    return [Held(*r) for r in fetch_rows(connection, query.order_by(t.c.position))]


def _rejections(connection: Connection, run_id: int) -> list[Rejection]:
    t = schema.rejections
    query = select(t.c.file, t.c.sheet, t.c.row, t.c.engagement_id, t.c.problems)
    rows = connection.execute(query.where(t.c.run_id == run_id).order_by(t.c.position))
    return [
        Rejection(
            file=r.file,
            sheet=r.sheet,
            row=r.row,
            problems=tuple(Problem(**p) for p in json.loads(r.problems)),
            id=r.engagement_id,
        )
        for r in rows
    ]


def _columns(rows: list[tuple], width: int) -> list[Any]:
    """``rows`` as ``width`` columns."""
    return list(zip(*rows, strict=True)) if rows else [()] * width


def _text(values: Any, index: pd.Index) -> pd.Series:
    """Text values as pandas' default string column (built through Arrow: much faster than
    from Python strings one at a time)."""
    import pyarrow as pa

    return pd.Series(pd.array(pa.array(values, type=pa.large_string()), dtype="str"), index=index)


def _decode_objects(texts: list[str]) -> list[dict]:
    """JSON object texts decoded in one call."""
    return json.loads("[" + ",".join(texts) + "]") if texts else []


def _decoded(texts: Any) -> tuple[np.ndarray, list[dict]]:
    """JSON object texts as a code per text into the distinct objects, each distinct text
    decoded once (ratings on short scales, and carried columns such as a type, repeat)."""
    codes, distinct = pd.factorize(np.asarray(texts, dtype=object))
    return codes, _decode_objects(list(distinct))


#: The engagements' columns read for every load, in order, and those only read with details.
_COLUMNS = ("engagement_id", "status", "score", "band", "rank", "completeness", "gate")
_DETAILS = ("source", "sheet", "row")


def _engagement_parts(
    connection: Connection, run_id: int, rubric: Rubric, carried: list[str], details: bool
) -> tuple[pd.DataFrame, pd.DataFrame, pd.DataFrame, pd.DataFrame]:
    """A run's engagements as four frames on one index (in the store's order): what was
    computed (``source`` ... ``gates``; without ``source``, ``sheet`` and ``row`` unless
    ``details``), the inputs, the ``carried`` columns and the review cells (None unless
    ``details``)."""
    t = schema.engagements
    names = [*_COLUMNS, *(_DETAILS if details else ()), "ratings"]
    names += ["review"] if details else []
    names += ["carried"] if carried else []
    rows = fetch_rows(connection, select(*(t.c[n] for n in names)).where(t.c.run_id == run_id))
    found = dict(zip(names, _columns(rows, len(names)), strict=True))
    index = pd.Index(found["engagement_id"], name="id", dtype=object)
    computed = {}
    if details:
        computed = {
            "source": _text(found["source"], index),
            "sheet": _text(found["sheet"], index),
            "row": np.asarray(found["row"], dtype="int64"),
        }
    meta = pd.DataFrame(
        computed
        | {
            "status": _text(found["status"], index),
            "score": np.asarray(found["score"], dtype=float),
            "band": pd.Series(list(found["band"]), index=index, dtype=object),
            "rank": pd.array(found["rank"], dtype="Int64"),
            "completeness": np.asarray(found["completeness"], dtype=float),
            "gates": _text(found["gate"], index),
        },
        index=index,
    )
    keys = rating_keys(rubric)
    inputs = pd.DataFrame(
        _input_matrix(found["ratings"], list(keys)), columns=list(keys.values()), index=index
    )
    if details:
        review = review_frame(found["review"], index, rubric)
    else:
        review = pd.DataFrame(index=index)
    if not carried:
        return meta, inputs, pd.DataFrame(index=index), review
    codes, objects = _decoded(found["carried"])
    cells = pd.DataFrame.from_records(objects, columns=carried).take(codes).set_axis(index)
    return meta, inputs, cells.astype(object), review


def _input_matrix(texts: Any, keys: list[str]) -> np.ndarray:
    """The ``(n, len(keys))`` float matrix of the ``ratings`` JSON texts (NaN where a value
    is null or absent), each distinct text decoded once."""
    codes, objects = _decoded(texts)
    matrix = np.full((len(objects), len(keys)), np.nan)
    for j, key in enumerate(keys):
        column = [obj.get(key) for obj in objects]
        matrix[:, j] = np.asarray(column, dtype=float)
    return matrix[codes]
