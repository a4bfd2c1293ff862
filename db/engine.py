"""Opening a database: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL) on request.

The URL comes from, in order: the ``url`` argument (``--db`` on the command line), the
``MIRRORLAB_DB`` environment variable, then ``sqlite:///mirrorlab.db`` in the current folder.

SQLite is opened in WAL mode with foreign keys on and a busy timeout, so that several
processes (testing rooms, a model run beside a session) can write to one file at once and a
killed process leaves every committed trial intact.
"""

from __future__ import annotations

import os

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from db.errors import DatabaseUnreachableError, StoreError

DEFAULT_URL = "sqlite:///mirrorlab.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000


def resolve_url(url: str | None = None) -> str:
    """The database URL to use; a bare file path is taken as an SQLite file."""
    chosen = url or os.environ.get("MIRRORLAB_DB") or DEFAULT_URL
    if "://" not in chosen:
        chosen = f"sqlite:///{chosen}"
    return chosen


def _set_sqlite_pragmas(dbapi_connection, _record) -> None:
    # Let SQLAlchemy's "begin" event (below) issue BEGIN itself, so writers can ask for
    # BEGIN IMMEDIATE instead of pysqlite's deferred transactions.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.close()


def _begin_sqlite_transaction(connection) -> None:
    """Writers take SQLite's write lock at BEGIN (``sqlite_begin="IMMEDIATE"``): a deferred
    transaction that reads first and writes later fails at once with "database is locked"
    when another process committed in between, instead of waiting for the busy timeout."""
    mode = connection.get_execution_options().get("sqlite_begin", "DEFERRED")
    connection.exec_driver_sql(f"BEGIN {mode}")


def _redacted(url: str) -> str:
    try:
        return make_url(url).render_as_string(hide_password=True)
    except (ArgumentError, ValueError):
        return url


def make_engine(url: str | None = None, *, check: bool = True) -> Engine:
    """Create an engine for ``url`` and (with ``check``) make sure it can be reached.

    Raises ``DatabaseUnreachableError`` with a one-line message when the server is down, the
    credentials are wrong, or an SQLite file's folder does not exist.
    """
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except (ArgumentError, ValueError):
        raise StoreError(f"database URL {resolved!r} is not a valid SQLAlchemy URL "
                         "(expected e.g. sqlite:///mirrorlab.db or postgresql+psycopg://user@host/db)") from None
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        if database and database != ":memory:":
            folder = os.path.dirname(os.path.abspath(database))
            if not os.path.isdir(folder):
                raise DatabaseUnreachableError(
                    f"database {resolved}: folder {folder} does not exist")
        # SQLite connections are cheap; a NullPool-like behaviour is not needed, but a
        # connection must not be shared across threads without care.
        engine = create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _set_sqlite_pragmas)
        event.listen(engine, "begin", _begin_sqlite_transaction)
    else:
        connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
        try:
            engine = create_engine(resolved, pool_pre_ping=True, connect_args=connect_args)
        except (ImportError, SQLAlchemyError) as exc:
            raise StoreError(f"database {_redacted(resolved)}: cannot use this URL ({exc})") from None
    if check:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnreachableError(
                f"database {_redacted(resolved)} is unreachable: {reason}") from None
    return engine

