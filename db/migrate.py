"""Alembic migrations, run from code (``mirrorlab db upgrade``) rather than an alembic.ini.

A new, empty database is brought to the newest schema automatically when it is opened; an
existing database at an older revision is never changed silently: the user is told to run
``mirrorlab db upgrade`` (on a shared lab server, someone should decide when that happens).

Creating or migrating the schema is safe when several processes open a new database at the
same moment (four testing rooms starting at once): the schema is built inside one
transaction that first takes the database's write lock (SQLite: ``BEGIN IMMEDIATE``;
PostgreSQL: a transaction-scoped advisory lock), and the revision is read again under the
lock, so exactly one process builds it and the others find it built.

A database that is not mirrorlab's is never altered: one with tables but no mirrorlab
revision is refused unless ``adopt`` (``mirrorlab db upgrade --adopt``) says to add
mirrorlab's tables beside them; one at a revision this mirrorlab does not know (a newer
mirrorlab's, or another program's Alembic history) is refused.
"""

from __future__ import annotations

import contextlib
from functools import lru_cache
from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from alembic.util.exc import CommandError
from sqlalchemy import inspect, text
from sqlalchemy.engine import Connection, Engine

from db.engine import is_read_only
from db.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")
#: Key of PostgreSQL's advisory lock held while the schema is created or migrated.
SCHEMA_LOCK_KEY = 0x6D69_7272           # "mirr"


def alembic_config(engine: Engine | None, connection: Connection | None = None) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    config.attributes["connection"] = connection
    return config


def _script() -> ScriptDirectory:
    return ScriptDirectory.from_config(alembic_config(None))


def head_revision() -> str:
    heads = _script().get_heads()
    if len(heads) != 1:
        raise StoreError(f"mirrorlab's migrations have {len(heads)} heads ({', '.join(heads)}); "
                         "they must form one chain")
    return heads[0]


@lru_cache(maxsize=1)
def known_revisions() -> frozenset[str]:
    """Every revision id of mirrorlab's migration history."""
    return frozenset(r.revision for r in _script().walk_revisions())


def _where(engine: Engine) -> str:
    return f"database {engine.url.render_as_string(hide_password=True)}"


def current_revision(engine_or_connection) -> str | None:
    if isinstance(engine_or_connection, Connection):
        return MigrationContext.configure(engine_or_connection).get_current_revision()
    with engine_or_connection.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


@contextlib.contextmanager
def schema_lock(engine: Engine):
    """A connection inside a transaction that holds the database's write lock (see the
    module docstring); committed when the block ends, rolled back on an error."""
    with engine.connect() as connection:
        if connection.dialect.name == "sqlite":
            connection = connection.execution_options(sqlite_begin="IMMEDIATE")
        with connection.begin():
            if connection.dialect.name == "postgresql":
                connection.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": SCHEMA_LOCK_KEY})
            yield connection


def _check_known(engine: Engine, current: str | None) -> None:
    if current is not None and current not in known_revisions():
        raise StoreError(
            f"{_where(engine)} is at schema revision {current}, which this mirrorlab does not "
            "know (made by a newer mirrorlab, or another program's Alembic history); it is left "
            "untouched: use a newer mirrorlab")


def _check_not_foreign(engine: Engine, connection: Connection, adopt: bool) -> None:
    existing = set(inspect(connection).get_table_names()) - {"alembic_version"}
    if existing and not adopt:
        shown = ", ".join(sorted(existing)[:5]) + (", …" if len(existing) > 5 else "")
        raise StoreError(
            f"{_where(engine)} has tables ({shown}) but no mirrorlab schema version; it is not "
            "a mirrorlab database and is left untouched (choose another --db, or add "
            "mirrorlab's tables beside them with `mirrorlab db upgrade --adopt`)")
    ours = {t for t in existing if t in _mirrorlab_tables()}
    if ours:
        raise StoreError(f"{_where(engine)} already has tables named like mirrorlab's "
                         f"({', '.join(sorted(ours))}) but no mirrorlab schema version; "
                         "mirrorlab will not adopt them")


def _mirrorlab_tables() -> set[str]:
    from db.schema import Base

    return set(Base.metadata.tables)


def _check_target(revision: str) -> None:
    if revision in ("head", "heads"):
        return
    try:
        found = _script().get_revision(revision)
    except CommandError:
        found = None
    if found is None:
        known = ", ".join(sorted(known_revisions()))
        raise StoreError(f"db upgrade --revision {revision!r}: no such revision (known: {known}, head)")


def upgrade(engine: Engine, revision: str = "head", *, adopt: bool = False) -> tuple[str | None, str]:
    """Upgrade the database to ``revision``; returns (revision before, revision after).

    Runs under ``schema_lock``; refuses a database that is not mirrorlab's unless ``adopt``.
    """
    _check_target(revision)
    if is_read_only(engine):
        raise StoreError(f"{_where(engine)} is read-only (read-only media?): it can be read, "
                         "not upgraded")
    with schema_lock(engine) as connection:
        before = current_revision(connection)
        _check_known(engine, before)
        if before is None:
            _check_not_foreign(engine, connection, adopt)
        try:
            command.upgrade(alembic_config(engine, connection), revision)
        except CommandError as exc:
            raise StoreError(f"{_where(engine)}: cannot upgrade to {revision!r} ({exc})") from None
        after = current_revision(connection) or ""
    return before, after


def ensure_current(engine: Engine) -> None:
    """Create the schema in an empty database; refuse to work on an outdated one."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    _check_known(engine, current)
    if current is None:
        if is_read_only(engine):
            raise StoreError(f"{_where(engine)} is read-only and has no mirrorlab schema")
        with schema_lock(engine) as connection:
            current = current_revision(connection)
            if current is None:                       # nobody built it while we waited
                _check_not_foreign(engine, connection, adopt=False)
                command.upgrade(alembic_config(engine, connection), "head")
                return
        if current == head:
            return
    raise StoreError(
        f"{_where(engine)} is at schema revision {current}, this mirrorlab needs {head}: "
        "run `mirrorlab db upgrade --db ...` first")
