"""Engagements' recorded rows across the periods, read straight from the tables.

What :meth:`Store.trend_rows <assess.history.store.Store.trend_rows>` returns, and what
:meth:`Store.trend <assess.history.store.Store.trend>` puts in a DataFrame: for the engagements
asked for, only their rows are read (by key, in each period's current run), and nothing here
needs pandas or the rubric's model, so that a command following one engagement starts and
answers quickly.

Each row is a dict: :data:`TREND_COLUMNS`, then one key per input (``<criterion>.rating`` or
``<indicator>.value``), the same keys in every row.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Connection, select

from ..errors import StoreError
from . import schema
from .database import fetch_rows
from .recording import check_period

#: Status of an engagement whose row a period rejected (next to ``scored`` / ``insufficient``).
STATUS_REJECTED = "rejected"

#: The first keys of each trend row (and columns of :meth:`Store.trend`); the inputs follow.
TREND_COLUMNS = [
    "id",
    "period",
    "status",
    "score",
    "band",
    "rank",
    "gates",
    "rubric_version",
    "reason",
    "name",
]

#: At most this many ids in one query (databases limit the values bound to a statement).
IDS_PER_QUERY = 500


@dataclass(frozen=True)
class _Run:
    """A period's current run: its label, id, rubric (version and content hash) and the
    carried column naming its engagements (None if it has none)."""

    period: str
    id: int
    version: str
    rubric_hash: str
    name_column: str | None


def as_list(values: str | Iterable[Any] | None) -> list[str] | None:
    """``values`` as a list of text (one text alone as a list of one)."""
    if values is None:
        return None
    return [values] if isinstance(values, str) else [str(v) for v in values]


def input_label(key: str) -> str:
    """The engagements-frame column of a key of the stored ``ratings`` JSON:
    ``<criterion>.rating`` for a criterion's id, ``<indicator>.value`` for
    ``<criterion>/<indicator>`` (see :mod:`assess.history.schema`)."""
    if "/" in key:
        return f"{key.split('/', 1)[1]}.value"
    return f"{key}.rating"


def span(periods: Sequence[str]) -> str:
    """``period P`` or ``periods P to Q``, for messages."""
    if len(periods) == 1:
        return f"period {periods[0]}"
    return f"periods {periods[0]} to {periods[-1]}"


def read_trend_rows(
    connection: Connection,
    store: str,
    ids: str | Iterable[Any] | None = None,
    periods: Iterable[str] | None = None,
) -> tuple[list[str], list[dict[str, Any]]]:
    """The rows of :meth:`Store.trend_rows <assess.history.store.Store.trend_rows>`, and the
    input columns (``<criterion>.rating``, ``<indicator>.value``) of the periods' rubrics: the
    last period's in its order, then any only earlier ones had.

    Parameters
    ----------
    connection : sqlalchemy.Connection
        A connection to the store.
    store : str
        How messages name the store.
    ids : list of str, str or None
        The engagements; by default every one recorded.  An id no period holds raises
        :class:`~assess.errors.StoreError`.
    periods : list of str or None
        The periods; by default every period with a current run.

    Returns
    -------
    tuple of (list of str, list of dict)
        The input columns, and the rows by id (in the order asked, else sorted) then period.
    """
    runs = _current_runs(connection, store, periods)
    wanted = as_list(ids)
    run_ids = [r.id for r in runs]
    engagements = _engagement_rows(connection, run_ids, wanted)
    rejections = _rejection_rows(connection, run_ids, wanted)
    keys = _rating_keys(connection, runs, engagements)
    labels = _union_labels([keys[r.id] for r in reversed(runs)])
    rows: list[tuple[str, int, dict[str, Any]]] = []
    for position, run in enumerate(runs):
        found = _period_rows(
            run,
            engagements.get(run.id, []),
            rejections.get(run.id, []),
            keys[run.id],
            labels,
        )
        rows += [(row["id"], position, row) for row in found]
    recorded = {eid for eid, _, _ in rows}
    if wanted is not None:
        unknown = [i for i in wanted if i not in recorded]
        if unknown:
            raise StoreError(
                f"store {store} has no engagement {', '.join(unknown)} in "
                f"{span([r.period for r in runs])}"
            )
        order = {eid: j for j, eid in enumerate(dict.fromkeys(wanted))}
    else:
        order = {eid: j for j, eid in enumerate(sorted(recorded, key=str))}
    rows.sort(key=lambda item: (order[item[0]], item[1]))  # stable: rejected rows last
    return labels, [row for _, _, row in rows]


def _period_rows(
    run: _Run,
    engagements: list[tuple],
    rejections: list[tuple],
    keys: dict[str, str],
    labels: list[str],
) -> list[dict[str, Any]]:
    """One period's rows: its engagements, then its rejected rows (in the order read) whose
    id none of its engagements has."""
    key_of = {label: key for key, label in keys.items()}
    pairs = [(label, key_of.get(label)) for label in labels]
    inputs: dict[str, dict[str, float | None]] = {}  # each distinct ratings text decoded once
    out = []
    for eid, status, score, band, rank, gates, ratings, carried in engagements:
        values = inputs.get(ratings)
        if values is None:
            found = json.loads(ratings)
            values = inputs[ratings] = {
                label: None if key is None or found.get(key) is None else float(found[key])
                for label, key in pairs
            }
        row = _row(eid, run, status, score, band, rank, gates, "")
        row["name"] = None if run.name_column is None else json.loads(carried).get(run.name_column)
        row.update(values)
        out.append(row)
    present = {r[0] for r in engagements}
    for eid, sheet, column, number, reason in rejections:
        if eid not in present:
            why = f"{sheet}!{column}{number}: {reason}"
            row = _row(eid, run, STATUS_REJECTED, None, None, None, "", why)
            row.update(dict.fromkeys(labels))
            out.append(row)
    return out


def _row(
    eid: str,
    run: _Run,
    status: str,
    score: float | None,
    band: str | None,
    rank: int | None,
    gates: str,
    reason: str,
) -> dict[str, Any]:
    return {
        "id": eid,
        "period": run.period,
        "status": status,
        "score": score,
        "band": band,
        "rank": rank,
        "gates": gates,
        "rubric_version": run.version,
        "reason": reason,
        "name": None,
    }


def _union_labels(per_run: list[dict[str, str]]) -> list[str]:
    """Each run's input columns in turn, each column once, in the order first met."""
    labels: dict[str, None] = {}
    for keys in per_run:
        labels.update(dict.fromkeys(keys.values()))
    return list(labels)


def _current_runs(connection: Connection, store: str, periods: Iterable[str] | None) -> list[_Run]:
    """The current runs of ``periods`` (every period by default), in period order (as text)."""
    runs, rubrics = schema.runs, schema.rubrics
    query = (
        select(runs.c.period, runs.c.id, rubrics.c.version, runs.c.rubric_hash, runs.c.notes)
        .join(rubrics, rubrics.c.hash == runs.c.rubric_hash)
        .where(runs.c.superseded_by.is_(None))
    )
    current = {r.period: _Run(*r[:4], _name_column(r.notes)) for r in connection.execute(query)}
    chosen = as_list(periods)
    if chosen is None:
        labels = sorted(current)
        if not labels:
            raise StoreError(f"store {store} holds no recorded runs yet")
        return [current[p] for p in labels]
    labels = sorted({p.strip() for p in chosen})
    if not labels:
        raise StoreError(f"store {store} holds no recorded runs yet")
    for label in labels:
        if check_period(label) not in current:
            raise StoreError(f"store {store} has no run recorded for period {label!r}")
    return [current[p] for p in labels]


def _name_column(notes: str) -> str | None:
    """The carried column naming a run's engagements, from its notes (worked out from its
    carried columns for a run recorded before the notes named it)."""
    found = json.loads(notes)
    if "name_column" in found:
        return found["name_column"]
    from ..result import naming_column

    return naming_column(list(found.get("carried_columns", [])))


def _chunks(ids: list[str] | None) -> list[list[str] | None]:
    if ids is None:
        return [None]
    unique = list(dict.fromkeys(ids))
    return [unique[i : i + IDS_PER_QUERY] for i in range(0, len(unique), IDS_PER_QUERY)]


def _engagement_rows(
    connection: Connection, run_ids: list[int], ids: list[str] | None
) -> dict[int, list[tuple]]:
    """Per run, its engagements' (id, status, score, band, rank, gates, ratings, carried):
    those with ``ids`` (looked up by key), or all."""
    t = schema.engagements
    out: dict[int, list[tuple]] = {}
    for chunk in _chunks(ids):
        query = select(
            t.c.run_id,
            t.c.engagement_id,
            t.c.status,
            t.c.score,
            t.c.band,
            t.c.rank,
            t.c.gate,
            t.c.ratings,
            t.c.carried,
        ).where(t.c.run_id.in_(run_ids))
        if chunk is not None:
            query = query.where(t.c.engagement_id.in_(chunk))
        for run_id, *rest in fetch_rows(connection, query.order_by(t.c.run_id)):
            out.setdefault(run_id, []).append(tuple(rest))
    return out


def _rejection_rows(
    connection: Connection, run_ids: list[int], ids: list[str] | None
) -> dict[int, list[tuple]]:
    """Per run, its rejected rows' (id, sheet, column, row, reason) in the order read: those
    with ``ids``, or all that have an id."""
    t = schema.rejections
    out: dict[int, list[tuple]] = {}
    for chunk in _chunks(ids):
        query = select(
            t.c.run_id, t.c.engagement_id, t.c.sheet, t.c.column, t.c.row, t.c.reason
        ).where(t.c.run_id.in_(run_ids), t.c.engagement_id.is_not(None))
        if chunk is not None:
            query = query.where(t.c.engagement_id.in_(chunk))
        for run_id, *rest in fetch_rows(connection, query.order_by(t.c.run_id, t.c.position)):
            out.setdefault(run_id, []).append(tuple(rest))
    return out


def _rating_keys(
    connection: Connection, runs: list[_Run], engagements: dict[int, list[tuple]]
) -> dict[int, dict[str, str]]:
    """Per run, the keys of its ``ratings`` JSON (in the rubric's order), each with its input
    column: from a row already read, else from one of the run's rows, else (a run without
    engagements) from its rubric."""
    out: dict[int, dict[str, str]] = {}
    t = schema.engagements
    for run in runs:
        rows = engagements.get(run.id)
        if rows:
            text = rows[0][6]
        else:
            query = select(t.c.ratings).where(t.c.run_id == run.id).limit(1)
            text = connection.execute(query).scalar()
        if text is not None:
            out[run.id] = {key: input_label(key) for key in json.loads(text)}
        else:
            out[run.id] = _rubric_labels(connection, run.rubric_hash)
    return out


def _rubric_labels(connection: Connection, rubric_hash: str) -> dict[str, str]:
    """The ``ratings`` keys of a stored rubric, each with its input column."""
    from .rebuild import stored_rubric
    from .rows import rating_keys

    rubrics = schema.rubrics
    query = select(rubrics.c.content).where(rubrics.c.hash == rubric_hash)
    return {
        key: input_label(key)
        for key in rating_keys(stored_rubric(connection.execute(query).scalar_one()))
    }


def trend_rows_dict(rows: list[dict[str, Any]], periods: Sequence[str]) -> dict[str, Any]:
    """Trend rows (what :meth:`~assess.history.Store.trend_rows` returns, JSON-ready values) as
    the JSON of ``assess trend ID...``.

    Parameters
    ----------
    rows : list of dict
        One per engagement and period, every dict with the keys :data:`TREND_COLUMNS` and then
        one per input column.
    periods : sequence of str
        The periods read, in order.

    Returns
    -------
    dict
        ``periods``: the periods read, in order; ``engagements``: a list, in the rows' order,
        of ``{"id", "name", "periods"}`` (``name`` as in the engagement's last period that has
        one, or null), each period an object ``{"period", "status", "score", "band", "rank",
        "gates", "rubric_version", "reason", "ratings"}`` in period order, ``ratings`` mapping
        each input column (``<criterion>.rating``, ``<indicator>.value``) to its value or null.
    """
    keys = [c for c in TREND_COLUMNS if c not in ("id", "name")]
    engagements: dict[Any, dict[str, Any]] = {}
    for row in rows:
        labels = list(row)[len(TREND_COLUMNS) :]
        item = engagements.setdefault(row["id"], {"id": row["id"], "name": None, "periods": []})
        if row["name"] is not None:
            item["name"] = row["name"]
        period = {key: row[key] for key in keys}
        period["ratings"] = {label: row[label] for label in labels}
        item["periods"].append(period)
    return {"periods": list(periods), "engagements": list(engagements.values())}
