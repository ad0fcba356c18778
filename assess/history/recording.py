"""Recording a scored :class:`~assess.result.Result` as a run of a period.

One transaction per run; the period's row is locked first, so two writers of the same period
queue and each sees what the other recorded.  Recording the same inputs with the same rubric
again changes nothing; different inputs supersede the period's current run, which stays in the
history.  Rows go in with one bulk insert per table.
"""

from __future__ import annotations

import datetime as dt
import getpass
import hashlib
import json
import unicodedata
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, Engine, select, update

from .._version import __version__
from ..errors import StoreError
from . import schema
from .database import write_transaction

if TYPE_CHECKING:
    from ..result import Result

STATUS_RECORDED = "recorded"
STATUS_SUPERSEDED = "superseded"
STATUS_UNCHANGED = "unchanged"


@dataclass(frozen=True)
class Recorded:
    """What recording a result did.

    Attributes
    ----------
    period : str
        The period label, as stored (surrounding blanks removed).
    run_id : int
        The period's current run: the new one, or the existing one when unchanged.
    status : str
        ``"recorded"`` (the period's first run), ``"superseded"`` (a new run replaced the
        period's current one, which stays in the history) or ``"unchanged"`` (the current run
        already holds these inputs scored with this rubric; nothing was written).
    store : str
        The store (an SQLite file's path, or its URL without password).
    superseded : int or None
        The run the new one replaced, when ``status`` is ``"superseded"``.
    """

    period: str
    run_id: int
    status: str
    store: str
    superseded: int | None = None

    @property
    def summary(self) -> str:
        """One line saying what happened."""
        if self.status == STATUS_UNCHANGED:
            return (
                f"period {self.period} already holds these inputs scored with this rubric "
                f"(run {self.run_id} in {self.store}); nothing changed"
            )
        line = f"recorded period {self.period} as run {self.run_id} in {self.store}"
        if self.superseded is not None:
            line += f"; it supersedes run {self.superseded}, which stays in the history"
        return line

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary}


def check_period(period: Any) -> str:
    """The period label to store: text, blanks around it removed, 1 to 64 characters, no
    control characters; else :class:`StoreError`."""
    if not isinstance(period, str):
        raise StoreError(f"a period is a text label such as '2025-Q3', not {period!r}")
    label = period.strip()
    if not label:
        raise StoreError("the period label is blank: give one such as '2025-Q3'")
    if len(label) > schema.PERIOD_LENGTH:
        raise StoreError(
            f"the period label {label[:20]!r}... is {len(label)} characters long; "
            f"at most {schema.PERIOD_LENGTH} are allowed"
        )
    bad = [ch for ch in label if unicodedata.category(ch) in ("Cc", "Cs", "Zl", "Zp")]
    if bad:
        raise StoreError(
            f"the period label {label!r} holds a control character ({bad[0]!r}); "
            "use letters, digits and punctuation"
        )
    return label


def fingerprint(result: Result, period: str) -> str:
    """SHA-256 of what makes a run: the period, the rubric's content hash, each source's
    content hash with the reading choices that change its results (sheet, header row, notes,
    columns read), in the order read (an id repeated across files rejects the later row), and
    the review statuses a row had to be in to be scored (``require_status``, when any: a run
    scoring every row keeps the fingerprint it had before statuses could be required)."""
    payload: dict[str, Any] = {
        "period": period,
        "rubric": result.rubric.content_hash,
        "sources": [
            [s.sha256, s.sheet, s.header_row, list(s.notes), [list(c) for c in s.columns]]
            for s in result.sources
        ],
    }
    required = list(result.require_status)
    if required:
        payload["require_status"] = required
    text = json.dumps(payload, sort_keys=True, separators=(",", ":"), ensure_ascii=False)
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def utc_timestamp() -> str:
    """Now, UTC, ISO 8601 to the second (``2025-10-01T09:30:00Z``)."""
    now = dt.datetime.now(dt.timezone.utc).replace(microsecond=0)
    return now.isoformat().replace("+00:00", "Z")


def os_user() -> str:
    try:
        return getpass.getuser() or "unknown"
    except (KeyError, OSError, ImportError):  # no login name, e.g. in some containers
        return "unknown"


def record(
    engine: Engine, result: Result, period: str, *, store: str, assessor: str | None = None
) -> Recorded:
    """Record ``result`` as a run of ``period`` (see :meth:`assess.history.Store.record`)."""
    label = check_period(period)
    stamp = fingerprint(result, label)
    with engine.connect() as connection:  # a quick look first: most re-records change nothing
        current = current_run(connection, label)
    if current is not None and current.fingerprint == stamp:
        return Recorded(label, current.id, STATUS_UNCHANGED, store)
    from .rows import RunRows  # pandas and numpy: loaded only to record

    rows = RunRows(result)
    by = (assessor or "").strip() or os_user()
    with write_transaction(engine) as connection:
        lock_period(connection, label)
        current = current_run(connection, label)
        if current is not None and current.fingerprint == stamp:
            return Recorded(label, current.id, STATUS_UNCHANGED, store)
        _keep_rubric(connection, result.rubric)
        run_id = _insert_run(connection, result, label, stamp, by)
        rows.insert(connection, run_id)
        if current is None:
            return Recorded(label, run_id, STATUS_RECORDED, store)
        connection.execute(
            update(schema.runs)
            .where(schema.runs.c.id == current.id)
            .values(superseded_by=run_id, superseded_at=utc_timestamp())
        )
    return Recorded(label, run_id, STATUS_SUPERSEDED, store, superseded=current.id)


def current_run(connection: Connection, period: str) -> Any:
    """The period's current run (``id``, ``fingerprint``), or None."""
    runs = schema.runs
    query = select(runs.c.id, runs.c.fingerprint).where(
        runs.c.period == period, runs.c.superseded_by.is_(None)
    )
    return connection.execute(query).first()


def lock_period(connection: Connection, period: str) -> bool:
    """Lock the period's row for this transaction, creating it if need be; False when the
    period was not there before."""
    periods = schema.periods
    query = select(periods.c.period).where(periods.c.period == period).with_for_update()
    if connection.execute(query).first() is not None:
        return True
    insert_if_absent(connection, periods, period=period, created_at=utc_timestamp())
    connection.execute(query).first()
    return False


def insert_if_absent(connection: Connection, table: Any, **values: Any) -> None:
    """Insert a row unless one with the same key is there (another writer may be adding it)."""
    name = connection.dialect.name
    if name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    elif name == "sqlite":
        from sqlalchemy.dialects.sqlite import insert
    else:
        key = [c.name for c in table.primary_key.columns]
        query = select(*table.primary_key.columns).where(*[table.c[k] == values[k] for k in key])
        if connection.execute(query).first() is None:
            connection.execute(table.insert().values(**values))
        return
    connection.execute(insert(table).values(**values).on_conflict_do_nothing())


def _keep_rubric(connection: Connection, rubric: Any) -> None:
    """Store the rubric unless the store has it already (by content hash)."""
    rubrics = schema.rubrics
    query = select(rubrics.c.hash).where(rubrics.c.hash == rubric.content_hash)
    if connection.execute(query).first() is None:
        insert_if_absent(
            connection,
            rubrics,
            hash=rubric.content_hash,
            name=rubric.name,
            version=rubric.version,
            content=rubric.to_yaml(),
        )


def _insert_run(connection: Connection, result: Result, period: str, stamp: str, by: str) -> int:
    from .rows import to_json

    counts = result.counts
    notes = {
        "carried_columns": list(result.carried_columns),
        "name_column": result.name_column,  # so that reading a few rows needs no rubric code
        "scored_at": result.scored_at,
    }
    if result.require_status:
        notes["require_status"] = list(result.require_status)
    inserted = connection.execute(
        schema.runs.insert().values(
            period=period,
            recorded_at=utc_timestamp(),
            recorded_by=by,
            rubric_hash=result.rubric.content_hash,
            fingerprint=stamp,
            assess_version=__version__,
            data_rows=counts["rows"],
            scored=counts["scored"],
            insufficient=counts["insufficient"],
            rejected=counts["rejected"],
            not_approved=counts["not_approved"],
            flagged=len(result.flags),
            notes=to_json(notes),
        )
    )
    return int(inserted.inserted_primary_key[0])
