"""The assessment history store: recorded runs per period, for history, trends and changes.

::

    import assess
    from assess.history import open_store

    with open_store() as store:                 # ASSESS_STORE, else the default SQLite file
        store.record(assess.score("FY2025-Q3.xlsx"), period="2025-Q3")
        store.history()                         # one row per current run
        previous = store.run_result("2025-Q2")  # a Result, as assess.score returned it
        store.trend(["DEP-010"])                # an engagement across the periods
        store.changes()                         # what changed between the last two periods
        store.context("2025-Q3")                # the comparison and trends a report shows

Period labels are text and sort as text: ``2025-Q3`` after ``2025-Q2``, ``2025-10`` after
``2025-09``.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import Connection, func, select, update

from ..errors import StoreError
from . import schema
from .database import (
    DEFAULT_TIMEOUT,
    create_store_engine,
    migrate,
    reporting,
    resolve_store,
    store_name,
    write_transaction,
)
from .recording import Recorded, check_period, lock_period, record

if TYPE_CHECKING:
    import pandas as pd

    from ..result import Result
    from .changeset import Changes
    from .context import PeriodContext
    from .trends import GroupTrend

#: The columns of :meth:`Store.history`, in order.
HISTORY_COLUMNS = [
    "period",
    "run_id",
    "recorded_at",
    "recorded_by",
    "files",
    "rubric",
    "rubric_version",
    "rubric_hash",
    "data_rows",
    "scored",
    "insufficient",
    "rejected",
    "current",
    "superseded_by",
    "superseded_at",
]


@dataclass(frozen=True)
class Deleted:
    """What :meth:`Store.delete_period` removed.

    Attributes
    ----------
    period : str
        The period deleted.
    runs, engagements, rejections : int
        How many runs (current and superseded), engagement rows and rejected rows were
        removed.
    ratings : int
        How many ratings went with the engagements (one per engagement and rated criterion
        or indicator, missing ones included).
    store : str
        The store they were removed from.
    """

    period: str
    runs: int
    engagements: int
    ratings: int
    rejections: int
    store: str

    @property
    def summary(self) -> str:
        return (
            f"deleted period {self.period} from {self.store}: {self.runs} run(s), "
            f"{self.engagements} engagement rows, {self.ratings} ratings, "
            f"{self.rejections} rejected rows"
        )

    def to_dict(self) -> dict[str, Any]:
        return {**asdict(self), "summary": self.summary}


class Store:
    """An open history store (SQLite file or PostgreSQL database).

    Opening creates a new store, or brings one made by an older assess up to date; a store
    made by a newer assess, a damaged file, a locked database or an unreachable server raise
    :class:`~assess.errors.StoreError`, as does any later failure of the database.

    Parameters
    ----------
    store : str, Path or None
        Path of an SQLite file, or a URL (``postgresql+psycopg://user:password@host/db``,
        ``sqlite:///path``); by default the ``ASSESS_STORE`` environment variable, else
        ``history.sqlite`` in the user's data folder (see :func:`resolve_store`).
    timeout : float
        Seconds a writer waits for another one to finish before giving up.

    Attributes
    ----------
    url : str
        The SQLAlchemy URL of the store (with its password, if it has one).
    name : str
        How messages name the store: the SQLite file's path, or the URL without password.
    engine : sqlalchemy.Engine
        The engine, for direct queries of the tables in :mod:`assess.history.schema`.
    """

    def __init__(self, store: str | Path | None = None, *, timeout: float = DEFAULT_TIMEOUT):
        self.url = resolve_store(store)
        self.name = store_name(self.url)
        self.timeout = timeout
        self.engine = create_store_engine(self.url, timeout)
        try:
            with self._reporting():
                migrate(self.engine, self.name)
        except BaseException:
            self.engine.dispose()
            raise

    def __repr__(self) -> str:
        return f"Store({self.name!r})"

    def __enter__(self) -> Store:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def close(self) -> None:
        """Release the store's connections (the store can be opened again later)."""
        self.engine.dispose()

    def _reporting(self) -> Any:
        return reporting(self.name, self.timeout)

    # -- recording -----------------------------------------------------------------------
    def record(self, result: Result, period: str, *, assessor: str | None = None) -> Recorded:
        """Record a scored result as the current run of ``period``.

        Recording the same inputs scored with the same rubric for the same period again
        changes nothing; different inputs (a corrected file, a revised rubric) supersede the
        period's current run, which stays in the history.  Nothing is deleted.

        Parameters
        ----------
        result : Result
            What :func:`assess.score` returned.
        period : str
            The period label, e.g. ``"2025-Q3"``: 1 to 64 characters, no control characters.
            Labels sort as text, so write them so that they sort in time order.
        assessor : str or None
            Who recorded it; by default the operating-system user.

        Returns
        -------
        Recorded
            The run id and whether it was recorded, superseded another or changed nothing.
        """
        with self._reporting():
            return record(self.engine, result, period, store=self.name, assessor=assessor)

    # -- looking back --------------------------------------------------------------------
    def history(self, all: bool = False) -> Any:
        """The recorded runs, one row each, by period then in the order recorded.

        Parameters
        ----------
        all : bool
            Every run, superseded ones included; by default only each period's current run.

        Returns
        -------
        pandas.DataFrame
            Columns :data:`HISTORY_COLUMNS`: ``period``, ``run_id``, ``recorded_at`` (UTC, ISO
            8601), ``recorded_by``, ``files`` (the source files' names, comma-separated),
            ``rubric``, ``rubric_version``, ``rubric_hash``, ``data_rows``, ``scored``,
            ``insufficient``, ``rejected``, ``current`` (bool), ``superseded_by`` (the run
            that replaced it, or missing) and ``superseded_at``.
        """
        import pandas as pd

        with self._reporting(), self.engine.connect() as connection:
            rows = _history_rows(connection, all)
        frame = pd.DataFrame(rows, columns=HISTORY_COLUMNS)
        frame["superseded_by"] = frame["superseded_by"].astype("Int64")
        frame["current"] = frame["current"].astype(bool)
        return frame

    def periods(self) -> list[str]:
        """The periods that have a current run, sorted (as text)."""
        runs = schema.runs
        query = select(runs.c.period).where(runs.c.superseded_by.is_(None)).distinct()
        with self._reporting(), self.engine.connect() as connection:
            return sorted(connection.execute(query).scalars())

    def run_result(
        self, period: str | None = None, run_id: int | None = None, *, details: bool = True
    ) -> Result:
        """A recorded run as the :class:`~assess.result.Result` it was made from.

        Parameters
        ----------
        period : str or None
            The period whose current run to read; by default the last period (as sorted).
        run_id : int or None
            A run by its id instead (superseded runs too).
        details : bool
            False reads only what a comparison of runs uses, which is faster for a large run:
            the engagements without their ``source``, ``sheet`` and ``row``, and of the
            carried columns only the one naming them (then the result's only
            ``carried_columns``).

        Returns
        -------
        Result
            Rubric, sources, engagements (best first) and rejected rows as recorded; several
            raters' agreement and weight sensitivity are not recorded (None).
        """
        from .rebuild import load_result

        with self._reporting(), self.engine.connect() as connection:
            found = self._find_run(connection, period, run_id)
            return load_result(connection, found, details=details)

    def review_trail(
        self,
        period: str | None = None,
        ids: list[str] | str | None = None,
        *,
        run_id: int | None = None,
    ) -> pd.DataFrame:
        """The evidence and review fields recorded with a run's engagements.

        Parameters
        ----------
        period, run_id : str, int or None
            The run, as for :meth:`run_result` (by default the last period's current run).
        ids : list of str, str or None
            The engagements to read; by default all.

        Returns
        -------
        pandas.DataFrame
            One row per engagement (of ``ids``) that has any evidence or review field
            recorded, indexed by id: ``<criterion>.evidence`` per criterion of the run's
            rubric, then ``review.assessed_by``, ``review.assessed_on``, ``review.reviewed_by``
            and ``review.status``; None where that one was not.
        """
        from .rebuild import read_review

        wanted = [ids] if isinstance(ids, str) else None if ids is None else list(ids)
        with self._reporting(), self.engine.connect() as connection:
            return read_review(connection, self._find_run(connection, period, run_id), wanted)

    def _find_run(self, connection: Connection, period: str | None, run_id: int | None) -> int:
        runs = schema.runs
        if run_id is not None:
            query = select(runs.c.id).where(runs.c.id == int(run_id))
            if connection.execute(query).first() is None:
                raise StoreError(f"store {self.name} has no run {run_id}")
            return int(run_id)
        if period is None:
            labels = sorted(
                connection.execute(
                    select(runs.c.period).where(runs.c.superseded_by.is_(None)).distinct()
                ).scalars()
            )
            if not labels:
                raise StoreError(f"store {self.name} holds no recorded runs yet")
            period = labels[-1]
        label = check_period(period)
        query = select(runs.c.id).where(runs.c.period == label, runs.c.superseded_by.is_(None))
        found = connection.execute(query).scalar()
        if found is None:
            raise StoreError(f"store {self.name} has no run recorded for period {label!r}")
        return int(found)

    def trend_rows(
        self, ids: list[str] | str | None = None, periods: list[str] | None = None
    ) -> list[dict[str, Any]]:
        """Engagements' scores, bands and ratings across the periods, as plain Python rows.

        What :meth:`trend` returns without ``by``, as a list of dicts rather than a DataFrame:
        only the rows of the engagements asked for are read, and neither pandas nor the rubric
        is loaded, so a command following a few engagements answers quickly.

        Parameters
        ----------
        ids : list of str, str or None
            The engagements to follow (one id alone will do); by default every engagement
            recorded.  An id no period holds raises :class:`~assess.errors.StoreError`.
        periods : list of str or None
            The periods to read; by default every period's current run.

        Returns
        -------
        list of dict
            One dict per engagement and period it was recorded in, by id (in the order asked,
            else sorted) then period (in order), every dict with the same keys:
            :data:`~assess.history.timeline.TREND_COLUMNS` (``id``, ``period``, ``status``
            (``scored``, ``insufficient`` or ``rejected``), ``score`` (float), ``band``,
            ``rank`` (int), ``gates`` (comma-separated, ``""`` for none), ``rubric_version``,
            ``reason`` (why a row was rejected: its cell and problem; ``""`` otherwise),
            ``name`` (from the period's carried name column)), then one key per input,
            ``<criterion>.rating`` or ``<indicator>.value`` (float): the last period's
            rubric's in its order, then any only earlier ones had.  Missing values are None
            (score, band and rank unless scored, name for a rejected row or where there is
            none, an input not rated or not in that period's rubric).
        """
        from .timeline import read_trend_rows

        with self._reporting(), self.engine.connect() as connection:
            return read_trend_rows(connection, self.name, ids, periods)[1]

    def trend(
        self,
        ids: list[str] | str | None = None,
        by: str | None = None,
        periods: list[str] | None = None,
    ) -> pd.DataFrame | GroupTrend:
        """Engagements' scores, bands and ratings across the periods, or a group's.

        Parameters
        ----------
        ids : list of str, str or None
            The engagements to follow; by default all.
        by : str or None
            A carried column (e.g. ``"Type"``) to group the engagements by.
        periods : list of str or None
            The periods to read; by default every period's current run.

        Returns
        -------
        pandas.DataFrame or GroupTrend
            Without ``by``, one row per engagement and period (see
            :func:`~assess.history.trends.engagement_trend` for the columns); with ``by``, a
            :class:`~assess.history.trends.GroupTrend`: the number scored, mean score and band
            mix per group and period.
        """
        from .trends import engagement_trend, group_trend

        if by is None:
            return engagement_trend(self, ids, periods)
        return group_trend(self, by, ids=ids, periods=periods)

    def changes(
        self,
        from_period: str | None = None,
        to_period: str | None = None,
        as_recorded: bool = False,
        *,
        top: int = 10,
    ) -> Changes:
        """What changed from one period to another: engagements new, ended or not scored,
        band moves, the largest score changes with the criteria that drove them, and gates
        applied or lifted.

        Parameters
        ----------
        from_period : str or None
            The period to compare from; by default the one before ``to_period``.
        to_period : str or None
            The period to compare to; by default the last.
        as_recorded : bool
            Compare the scores as recorded.  By default, when the two periods were scored
            with different rubrics, ``from_period``'s ratings are scored again under
            ``to_period``'s rubric, so that a change in score is a change in the ratings.
        top : int
            How many of the largest score changes to list.

        Returns
        -------
        Changes
            See :class:`~assess.history.changeset.Changes`.
        """
        from .comparison import period_changes

        return period_changes(self, from_period, to_period, as_recorded, top=top)

    def context(self, period: str, *, by: str | None = "Type") -> PeriodContext:
        """The comparison of ``period`` with the recorded period before it, and the trends up
        to it: what a report of the period shows when ``result.history`` holds it.

        Parameters
        ----------
        period : str
            A recorded period.
        by : str or None
            The carried column to group the trends by (matched ignoring case), when the
            periods have it; None for no grouping.

        Returns
        -------
        PeriodContext
            See :class:`~assess.history.context.PeriodContext`: the previous period (or None),
            the like-for-like :class:`Changes`, each engagement's previous score, change and
            previous band, the band mix per period and the mean score per group per period.
        """
        from .context import period_context

        return period_context(self, period, by=by)

    # -- deleting and exporting ----------------------------------------------------------
    def delete_period(self, period: str) -> Deleted:
        """Remove every run of ``period`` (current and superseded) with all their rows.

        Returns
        -------
        Deleted
            What was removed; :class:`~assess.errors.StoreError` if the store has no such
            period.
        """
        label = check_period(period)
        runs = schema.runs
        with self._reporting(), write_transaction(self.engine) as connection:
            if not lock_period(connection, label):
                raise StoreError(f"store {self.name} has no period {label!r}")
            query = select(runs.c.id).where(runs.c.period == label)
            ids = list(connection.execute(query).scalars())
            counts = {t.name: _count(connection, t, ids) for t in RUN_ROWS}
            counts["ratings"] = _count_ratings(connection, ids)
            if ids:
                connection.execute(
                    update(runs).where(runs.c.id.in_(ids)).values(superseded_by=None)
                )
                for table in schema.RUN_TABLES:
                    connection.execute(table.delete().where(table.c.run_id.in_(ids)))
                connection.execute(runs.delete().where(runs.c.id.in_(ids)))
            connection.execute(schema.periods.delete().where(schema.periods.c.period == label))
        return Deleted(
            period=label,
            runs=len(ids),
            engagements=counts["engagements"],
            ratings=counts["ratings"],
            rejections=counts["rejections"],
            store=self.name,
        )

    def export(self, folder: str | Path, *, all: bool = False) -> Path:
        """Write the history as one Parquet dataset partitioned by period.

        Parameters
        ----------
        folder : str or Path
            A new or empty folder; it holds ``period=<label>/`` folders when done.
        all : bool
            Superseded runs too (``current`` tells them apart); by default each period's
            current run.

        Returns
        -------
        Path
            ``folder``; ``pandas.read_parquet(folder)`` reads it back with a ``period``
            column.  See :mod:`assess.history.export` for the columns.
        """
        from .export import run_frame, write_dataset

        with self._reporting(), self.engine.connect() as connection:
            runs = _history_rows(connection, all)
            if not runs:
                raise StoreError(f"store {self.name} holds no recorded runs to export")
            frames = [run_frame(connection, _Row(run)) for run in runs]
        return write_dataset(frames, Path(folder))


class _Row:
    """A history row by column name."""

    def __init__(self, values: tuple) -> None:
        self.__dict__.update(zip(HISTORY_COLUMNS, values, strict=True))


#: The tables whose rows :meth:`Store.delete_period` counts.
RUN_ROWS = (schema.engagements, schema.rejections)


def _count_ratings(connection: Connection, ids: list[int]) -> int:
    """How many ratings the engagements of runs ``ids`` hold: per run, its engagements times
    its rubric's rated criteria and indicators."""
    from .rebuild import stored_rubric
    from .rows import rating_keys

    if not ids:
        return 0
    runs, rubrics, eng = schema.runs, schema.rubrics, schema.engagements
    per_run = (
        select(rubrics.c.content, func.count())
        .select_from(eng)
        .join(runs, runs.c.id == eng.c.run_id)
        .join(rubrics, rubrics.c.hash == runs.c.rubric_hash)
        .where(eng.c.run_id.in_(ids))
        .group_by(eng.c.run_id, rubrics.c.content)
    )
    return sum(
        n * len(rating_keys(stored_rubric(content))) for content, n in connection.execute(per_run)
    )


def _count(connection: Connection, table: Any, ids: list[int]) -> int:
    if not ids:
        return 0
    query = select(func.count()).select_from(table).where(table.c.run_id.in_(ids))
    return int(connection.execute(query).scalar_one())


def _history_rows(connection: Connection, every: bool) -> list[tuple]:
    runs, rubrics, sources = schema.runs, schema.rubrics, schema.sources
    query = select(
        runs.c.period,
        runs.c.id,
        runs.c.recorded_at,
        runs.c.recorded_by,
        rubrics.c.name,
        rubrics.c.version,
        runs.c.rubric_hash,
        runs.c.data_rows,
        runs.c.scored,
        runs.c.insufficient,
        runs.c.rejected,
        runs.c.superseded_by,
        runs.c.superseded_at,
    ).join(rubrics, rubrics.c.hash == runs.c.rubric_hash)
    if not every:
        query = query.where(runs.c.superseded_by.is_(None))
    found = connection.execute(query).all()
    files: dict[int, list[str]] = {}
    listed = select(sources.c.run_id, sources.c.file).order_by(sources.c.run_id, sources.c.position)
    if not every:
        listed = listed.join(runs, runs.c.id == sources.c.run_id).where(
            runs.c.superseded_by.is_(None)
        )
    for run_id, file in connection.execute(listed):
        files.setdefault(run_id, []).append(file)
    rows = [
        (
            r.period,
            r.id,
            r.recorded_at,
            r.recorded_by,
            ", ".join(files.get(r.id, [])),
            r.name,
            r.version,
            r.rubric_hash,
            r.data_rows,
            r.scored,
            r.insufficient,
            r.rejected,
            r.superseded_by is None,
            r.superseded_by,
            r.superseded_at,
        )
        for r in found
    ]
    return sorted(rows, key=lambda row: (row[0], row[1]))


def open_store(store: str | Path | None = None, *, timeout: float = DEFAULT_TIMEOUT) -> Store:
    """Open (creating or upgrading if need be) the history store; see :class:`Store`.

    Parameters
    ----------
    store : str, Path or None
        Path of an SQLite file or a database URL; by default ``ASSESS_STORE``, else the
        default SQLite file (:func:`assess.history.database.default_store_path`).
    timeout : float
        Seconds a writer waits for another one before giving up.

    Returns
    -------
    Store
        Use it as a context manager, or call :meth:`Store.close` when done.
    """
    return Store(store, timeout=timeout)
