"""Opening a database: SQLite by default, any SQLAlchemy URL (e.g. PostgreSQL) on request.

The URL comes from, in order: the ``url`` argument (``--db`` on the command line), the
``MIRRORLAB_DB`` environment variable, then ``sqlite:///mirrorlab.db`` in the current folder.

SQLite is opened in WAL mode with foreign keys on and a busy timeout, so that several
processes (testing rooms, a model run beside a session) can write to one file at once and a
killed process leaves every committed trial intact.

Someone else's file is never changed: before any pragma is set, an existing SQLite file is
looked at read-only (``inspect_sqlite_file``). A file that is not SQLite, or an SQLite
database with tables but no mirrorlab schema, or one at a schema revision this mirrorlab does
not know, is refused in one line and stays byte for byte as it was (its journal mode too).
A file on read-only media (or in a folder this user cannot write) is opened read-only and
immutable, so it can still be read.
"""

from __future__ import annotations

import os
import sqlite3
from dataclasses import dataclass, field
from urllib.parse import quote

from sqlalchemy import create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import ArgumentError, OperationalError, SQLAlchemyError

from db.errors import DatabaseUnreachableError, StoreError

DEFAULT_URL = "sqlite:///mirrorlab.db"
SQLITE_BUSY_TIMEOUT_MS = 30_000
SQLITE_MAGIC = b"SQLite format 3\x00"
#: The table Alembic keeps mirrorlab's schema revision in.
VERSION_TABLE = "alembic_version"


def resolve_url(url: str | None = None) -> str:
    """The database URL to use; a bare file path is taken as an SQLite file."""
    chosen = url or os.environ.get("MIRRORLAB_DB") or DEFAULT_URL
    if "://" not in chosen:
        chosen = f"sqlite:///{chosen}"
    return chosen


@dataclass
class SqliteFileInfo:
    """What an SQLite file is, found without changing it."""

    path: str
    exists: bool = False
    read_only: bool = False
    tables: list[str] = field(default_factory=list)
    revision: str | None = None

    @property
    def is_new(self) -> bool:
        """No file yet, an empty file, or an SQLite database without any table."""
        return not self.tables

    @property
    def is_mirrorlab(self) -> bool:
        return VERSION_TABLE in self.tables and self.revision is not None


def _read_only_uri(path: str, *, immutable: bool) -> str:
    uri = f"file:{quote(os.path.abspath(path))}?mode=ro"
    return uri + "&immutable=1" if immutable else uri


def inspect_sqlite_file(path: str) -> SqliteFileInfo:
    """Look at an SQLite file without writing to it (no pragma, no journal, no WAL files
    created for a file in rollback-journal mode). Raises ``StoreError`` for a path that is a
    folder or a file that is not an SQLite database."""
    info = SqliteFileInfo(path=path)
    if os.path.isdir(path):
        raise StoreError(f"database {path} is a folder, not an SQLite file")
    if not os.path.exists(path):
        return info
    info.exists = True
    folder = os.path.dirname(os.path.abspath(path))
    info.read_only = not (os.access(path, os.W_OK) and os.access(folder, os.W_OK))
    try:
        with open(path, "rb") as handle:
            header = handle.read(100)
    except OSError as exc:
        raise DatabaseUnreachableError(f"database {path} cannot be read: {exc.strerror}") from None
    if not header:
        return info                                   # an empty file: SQLite makes it a database
    if not header.startswith(SQLITE_MAGIC):
        shown = header[:16].decode("utf-8", errors="replace").splitlines()[0][:16] if header.strip() else ""
        raise StoreError(f"database {path} is not an SQLite database file (it starts with "
                         f"{shown!r}); give a mirrorlab database or a new file name with --db")
    wal_mode = len(header) > 18 and header[18] == 2
    # A file in rollback-journal mode is read with a shared lock and nothing else. A file in
    # WAL mode without a -wal file beside it is complete in itself: read it as immutable, so
    # no -wal/-shm files appear beside someone else's database; with a -wal file (a database
    # in use) the files exist already and it is read through them.
    immutable = info.read_only or (wal_mode and not os.path.exists(path + "-wal"))
    try:
        connection = sqlite3.connect(_read_only_uri(path, immutable=immutable), uri=True,
                                     timeout=SQLITE_BUSY_TIMEOUT_MS / 1000)
        try:
            info.tables = sorted(r[0] for r in connection.execute(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"))
            if VERSION_TABLE in info.tables:
                row = connection.execute(f"SELECT version_num FROM {VERSION_TABLE}").fetchone()
                info.revision = row[0] if row else None
        finally:
            connection.close()
    except sqlite3.DatabaseError as exc:
        raise StoreError(f"database {path} cannot be read as SQLite ({exc})") from None
    return info


def check_sqlite_file_is_ours(info: SqliteFileInfo, *, adopt: bool = False) -> None:
    """Refuse, in one line, a file that holds someone else's tables (unless ``adopt``) or a
    schema revision this mirrorlab does not know (a newer mirrorlab's, or another program's
    Alembic history)."""
    from db.migrate import known_revisions

    if info.is_new:
        return
    if VERSION_TABLE not in info.tables:
        if adopt:
            return
        shown = ", ".join(info.tables[:5]) + (", …" if len(info.tables) > 5 else "")
        raise StoreError(
            f"database {info.path} has tables ({shown}) but no mirrorlab schema version; it is "
            "not a mirrorlab database and is left untouched (choose another --db, or add "
            "mirrorlab's tables to it with `mirrorlab db upgrade --adopt`)")
    if info.revision is not None and info.revision not in known_revisions():
        raise StoreError(
            f"database {info.path} is at schema revision {info.revision}, which this mirrorlab "
            "does not know (made by a newer mirrorlab, or not a mirrorlab database); it is left "
            "untouched: use a newer mirrorlab")


def _sqlite_pragmas(*, set_wal: bool, read_only: bool):
    def set_pragmas(dbapi_connection, _record) -> None:
        # Let SQLAlchemy's "begin" event (below) issue BEGIN itself, so writers can ask for
        # BEGIN IMMEDIATE instead of pysqlite's deferred transactions.
        dbapi_connection.isolation_level = None
        cursor = dbapi_connection.cursor()
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
        if set_wal and not read_only:
            cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        if not read_only:
            cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()
    return set_pragmas


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


def is_read_only(engine: Engine) -> bool:
    """True for an SQLite file opened read-only (read-only media)."""
    return bool(getattr(engine, "info_read_only", False))


def make_engine(url: str | None = None, *, check: bool = True, adopt: bool = False) -> Engine:
    """Create an engine for ``url`` and (with ``check``) make sure it can be reached.

    Raises ``DatabaseUnreachableError`` with a one-line message when the server is down, the
    credentials are wrong, or an SQLite file's folder does not exist; ``StoreError`` when an
    SQLite file is not mirrorlab's (see the module docstring; ``adopt`` accepts one with
    foreign tables, for ``mirrorlab db upgrade --adopt``).
    """
    resolved = resolve_url(url)
    try:
        parsed = make_url(resolved)
    except (ArgumentError, ValueError):
        raise StoreError(f"database URL {resolved!r} is not a valid SQLAlchemy URL "
                         "(expected e.g. sqlite:///mirrorlab.db or postgresql+psycopg://user@host/db)") from None
    read_only = False
    if parsed.get_backend_name() == "sqlite":
        database = parsed.database or ""
        set_wal = True
        if database and database != ":memory:" and not database.startswith("file:"):
            folder = os.path.dirname(os.path.abspath(database))
            if not os.path.isdir(folder):
                raise DatabaseUnreachableError(
                    f"database {resolved}: folder {folder} does not exist")
            info = inspect_sqlite_file(database)
            check_sqlite_file_is_ours(info, adopt=adopt)
            set_wal = info.is_new or info.is_mirrorlab     # an adopted file keeps its journal mode
            read_only = info.read_only
            if read_only:
                if not info.exists:
                    raise DatabaseUnreachableError(
                        f"database {resolved}: folder {folder} is not writable")
                resolved = "sqlite:///" + _read_only_uri(database, immutable=True) + "&uri=true"
        engine = create_engine(resolved, connect_args={"timeout": SQLITE_BUSY_TIMEOUT_MS / 1000})
        event.listen(engine, "connect", _sqlite_pragmas(set_wal=set_wal, read_only=read_only))
        event.listen(engine, "begin", _begin_sqlite_transaction)
    else:
        connect_args = {"connect_timeout": 5} if parsed.get_backend_name() == "postgresql" else {}
        try:
            engine = create_engine(resolved, pool_pre_ping=True, connect_args=connect_args)
        except (ImportError, SQLAlchemyError) as exc:
            raise StoreError(f"database {_redacted(resolved)}: cannot use this URL ({exc})") from None
    engine.info_read_only = read_only        # type: ignore[attr-defined]
    if check:
        try:
            with engine.connect() as connection:
                connection.execute(text("SELECT 1"))
        except OperationalError as exc:
            reason = str(exc.orig).strip().splitlines()[0] if exc.orig else str(exc)
            raise DatabaseUnreachableError(
                f"database {_redacted(resolved)} is unreachable: {reason}") from None
    return engine
