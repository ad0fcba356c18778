"""Where the history store is, how it is opened and upgraded, and what its failures say.

A store is an SQLAlchemy URL: an SQLite file by default, or a PostgreSQL database shared by a
team (``postgresql+psycopg://user@host/db``; ``postgresql://`` means the same).  Every failure
of the database becomes one :class:`~assess.errors.StoreError` line naming the store (the URL
with its password masked, or the SQLite file's path).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from pathlib import Path
from typing import Any

from sqlalchemy import Connection, Engine, Table, create_engine, event, inspect
from sqlalchemy.engine import URL, make_url
from sqlalchemy.exc import (
    ArgumentError,
    DBAPIError,
    NoSuchModuleError,
    OperationalError,
    SQLAlchemyError,
)
from sqlalchemy.sql import Executable

from ..errors import StoreError

#: The environment variable naming the store when none is given.
ENV_VAR = "ASSESS_STORE"
#: The newest schema revision this assess knows: the head of ``migrations/versions``.
SCHEMA_REVISION = "0002"
#: How long (seconds) a writer waits for another one to finish before giving up.
DEFAULT_TIMEOUT = 30.0
#: The page size (bytes) of a new SQLite store.
SQLITE_PAGE_SIZE = 16384
#: Seconds to wait for a PostgreSQL server to answer.
CONNECT_TIMEOUT = 10
MIGRATIONS = Path(__file__).with_name("migrations")
# any constant: the advisory lock PostgreSQL writers take while creating or upgrading tables
_PG_MIGRATION_LOCK = 0x61737365


def default_store_path() -> Path:
    """The SQLite file used when no store is named: ``history.sqlite`` in the user's data
    folder (e.g. ``~/.local/share/assess`` on Linux)."""
    import platformdirs

    return platformdirs.user_data_path("assess", appauthor=False) / "history.sqlite"


def resolve_store(store: str | Path | None = None) -> str:
    """The SQLAlchemy URL of a store.

    Parameters
    ----------
    store : str, Path or None
        A URL (anything containing ``://``, e.g. ``postgresql+psycopg://user@host/db`` or
        ``sqlite:///path``) or a path to an SQLite file.  ``None``: the ``ASSESS_STORE``
        environment variable, else :func:`default_store_path`.

    Returns
    -------
    str
        The URL; a path becomes ``sqlite:///<absolute path>``.
    """
    if store is None:
        store = os.environ.get(ENV_VAR, "").strip() or None
    if store is None:
        path = default_store_path()
    elif isinstance(store, Path):
        path = store
    else:
        text = store.strip()
        if not text:
            raise StoreError("the store is blank: give a path to an SQLite file or a URL")
        if "://" in text:
            return text
        path = Path(text)
    return f"sqlite:///{path.expanduser().absolute()}"


def store_file(store: str | Path | None = None) -> Path | None:
    """The SQLite file a store is kept in, whether or not it exists yet.

    Parameters
    ----------
    store : str, Path or None
        As for :func:`resolve_store`.

    Returns
    -------
    Path or None
        The file's path; None for a server database (PostgreSQL), an in-memory SQLite
        database, or a URL that does not parse (opening it says why).
    """
    try:
        u = make_url(resolve_store(store))
    except (ArgumentError, ValueError):
        return None
    database = u.database or ""
    if u.get_backend_name() != "sqlite" or database in ("", ":memory:"):
        return None
    if database.startswith("file:"):
        return None
    return Path(database)


def store_name(url: str) -> str:
    """How messages name the store: an SQLite file's path, else the URL without password."""
    try:
        u = make_url(url)
    except (ArgumentError, ValueError):
        return url
    if u.get_backend_name() == "sqlite" and u.database not in (None, "", ":memory:"):
        return str(u.database)
    return u.render_as_string(hide_password=True)


def create_store_engine(url: str, timeout: float = DEFAULT_TIMEOUT) -> Engine:
    """An engine for the store at ``url``: SQLite in WAL mode with foreign keys on and writers
    that wait up to ``timeout`` seconds; PostgreSQL through psycopg 3 with the same lock
    timeout.  Folders on the way to a new SQLite file are created."""
    name = store_name(url)
    try:
        u = make_url(url)
    except (ArgumentError, ValueError) as exc:
        raise StoreError(f"store {name} is not a URL or a path: {exc}") from exc
    backend = u.get_backend_name()
    if backend == "sqlite":
        if u.database not in (None, "", ":memory:") and not u.database.startswith("file:"):
            try:
                Path(u.database).parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise StoreError(f"cannot create the folder of store {name}: {exc}") from exc
        engine = create_engine(u, connect_args={"timeout": timeout})
        _sqlite_events(engine, timeout)
        return engine
    if backend == "postgresql":
        return _postgresql_engine(u, name, timeout)
    try:
        return create_engine(u)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(f"store {name}: unsupported database ({exc})") from exc


def _postgresql_engine(u: URL, name: str, timeout: float) -> Engine:
    if u.drivername == "postgresql":
        u = u.set(drivername="postgresql+psycopg")
    args: dict[str, Any] = {}
    if "connect_timeout" not in u.query:
        args["connect_timeout"] = CONNECT_TIMEOUT
    if "options" not in u.query:  # writers queue for the period lock as long as on SQLite
        args["options"] = f"-c lock_timeout={max(1, int(timeout * 1000))}"
    try:
        return create_engine(u, connect_args=args)
    except (NoSuchModuleError, ImportError) as exc:
        raise StoreError(
            f"store {name} is a PostgreSQL database, which needs psycopg 3: "
            "pip install 'assess[postgres]'"
        ) from exc


def _sqlite_events(engine: Engine, timeout: float) -> None:
    """SQLite: WAL journal, a busy timeout, foreign keys, 16 KiB pages in a new file;
    transactions begun by SQLAlchemy (the pysqlite driver would begin them late), ``BEGIN
    IMMEDIATE`` for writers."""

    @event.listens_for(engine, "connect")
    def _connect(dbapi_connection: Any, _record: Any) -> None:
        dbapi_connection.isolation_level = None  # the driver begins nothing by itself
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout = {max(0, int(timeout * 1000))}")
        cursor.execute("PRAGMA foreign_keys = ON")
        # a new file only (an existing one keeps its own): runs of thousands of rows of a few
        # hundred bytes each go in and come out faster in larger pages than the default 4 KiB
        cursor.execute(f"PRAGMA page_size = {SQLITE_PAGE_SIZE}")
        cursor.execute("PRAGMA journal_mode = WAL")
        # with WAL, a power cut may lose the last commits but cannot damage the file
        cursor.execute("PRAGMA synchronous = NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _begin(connection: Connection) -> None:
        mode = connection.get_execution_options().get("assess_begin", "")
        connection.exec_driver_sql(f"BEGIN {mode}".strip())


@contextmanager
def write_transaction(engine: Engine) -> Iterator[Connection]:
    """A transaction for writing: on SQLite it takes the write lock at once (``BEGIN
    IMMEDIATE``), so concurrent writers queue instead of failing halfway."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection.execution_options(assess_begin="IMMEDIATE")
        with connection.begin():
            yield connection


@contextmanager
def reporting(name: str, timeout: float = DEFAULT_TIMEOUT) -> Iterator[None]:
    """Turn a database failure inside the block into one :class:`StoreError` line."""
    try:
        yield
    except StoreError:
        raise
    except (SQLAlchemyError, OSError) as exc:
        raise store_error(exc, name, timeout) from exc


def store_error(exc: BaseException, name: str, timeout: float = DEFAULT_TIMEOUT) -> StoreError:
    """The one line a failure of the store at ``name`` gives."""
    cause = getattr(exc, "orig", None) or exc
    detail = " ".join(str(cause).strip().splitlines()[0].split()) if str(cause).strip() else ""
    detail = detail or type(cause).__name__
    low = detail.lower()
    if "file is not a database" in low or "malformed" in low:
        return StoreError(f"store {name} is damaged or is not an assess history store ({detail})")
    if "database is locked" in low or "lock timeout" in low or "database is busy" in low:
        return StoreError(
            f"store {name} is locked by another writer (waited {timeout:g} s); try again when "
            "they are done"
        )
    if "unable to open database" in low or "readonly" in low or "permission denied" in low:
        return StoreError(f"cannot open store {name}: {detail} (check the path and permissions)")
    reach = ("connect", "timeout", "resolve", "refused", "unreachable")
    if isinstance(exc, OperationalError) and any(word in low for word in reach):
        return StoreError(f"cannot reach store {name}: {detail}")
    return StoreError(f"store {name}: {detail}")


def insert_rows(
    connection: Connection, table: Table, columns: Sequence[str], rows: Iterable[Sequence[Any]]
) -> None:
    """Insert ``rows`` (in the order of ``columns``; any iterable, consumed once) in bulk,
    straight through the driver: one prepared statement run over all of them on SQLite,
    ``COPY`` on PostgreSQL (psycopg)."""
    quote = connection.dialect.identifier_preparer.quote
    names = ", ".join(quote(c) for c in columns)
    if connection.dialect.name == "sqlite":
        marks = ", ".join("?" * len(columns))
        sql = f"INSERT INTO {quote(table.name)} ({names}) VALUES ({marks})"
        with _driver_cursor(connection, sql) as cursor:
            cursor.executemany(sql, rows)
        return
    if connection.dialect.driver == "psycopg":
        sql = f"COPY {quote(table.name)} ({names}) FROM STDIN"
        with _driver_cursor(connection, sql) as cursor, cursor.copy(sql) as copy:
            for row in rows:
                copy.write_row(row)
        return
    connection.execute(table.insert(), [dict(zip(columns, r, strict=True)) for r in rows])


@contextmanager
def _driver_cursor(connection: Connection, statement: str) -> Iterator[Any]:
    """A cursor of the driver's connection; its errors raised as SQLAlchemy's."""
    dbapi = connection.dialect.loaded_dbapi
    cursor = connection.connection.cursor()
    try:
        yield cursor
    except dbapi.Error as exc:
        raise DBAPIError.instance(statement, None, exc, dbapi.Error) from exc
    finally:
        cursor.close()


def fetch_rows(connection: Connection, query: Executable) -> list[tuple]:
    """All rows of ``query`` as plain tuples, straight from the driver (for the large reads
    of a run's engagements, where result-row objects would double the time)."""
    compiled = query.compile(
        dialect=connection.dialect, compile_kwargs={"render_postcompile": True}
    )
    params: Any = compiled.params
    if compiled.positional:
        params = tuple(params[name] for name in compiled.positiontup or ())
    with _driver_cursor(connection, str(compiled)) as cursor:
        cursor.execute(str(compiled), params)
        return cursor.fetchall()


# -- schema revision: open what this assess knows, upgrade what is older ----------------------


def schema_revisions(connection: Connection) -> list[str]:
    """The store's schema revision(s); empty for a store with no tables of ours yet."""
    if not inspect(connection).has_table("alembic_version"):
        return []
    found = connection.exec_driver_sql("SELECT version_num FROM alembic_version").scalars()
    return [str(r) for r in found]


def migrate(engine: Engine, name: str) -> None:
    """Bring the store to :data:`SCHEMA_REVISION`: create it when new, upgrade it when an
    older assess made it, refuse it when a newer one did."""
    with engine.connect() as connection:
        if schema_revisions(connection) == [SCHEMA_REVISION]:
            return
    with write_transaction(engine) as connection:
        if connection.dialect.name == "postgresql":  # one creator at a time
            connection.exec_driver_sql(f"SELECT pg_advisory_xact_lock({_PG_MIGRATION_LOCK})")
        found = schema_revisions(connection)
        if found == [SCHEMA_REVISION]:
            return
        from alembic import command
        from alembic.config import Config
        from alembic.script import ScriptDirectory

        config = Config()
        config.set_main_option("script_location", str(MIGRATIONS).replace("%", "%%"))
        known = {s.revision for s in ScriptDirectory.from_config(config).walk_revisions()}
        for revision in found:
            if revision not in known:
                raise StoreError(
                    f"store {name} was made by a newer version of assess (schema revision "
                    f"{revision!r}); upgrade assess to read it"
                )
        config.attributes["connection"] = connection
        command.upgrade(config, "head")
