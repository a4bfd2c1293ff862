"""Alembic migrations, run from code (``mirrorlab db upgrade``) rather than an alembic.ini.

A new, empty database is brought to the newest schema automatically when it is opened; an
existing database at an older revision is never changed silently: the user is told to run
``mirrorlab db upgrade`` (on a shared lab server, someone should decide when that happens).
"""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import inspect
from sqlalchemy.engine import Engine

from db.errors import StoreError

MIGRATIONS_DIR = Path(__file__).with_name("migrations")


def alembic_config(engine: Engine) -> Config:
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS_DIR))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    script = ScriptDirectory.from_config(alembic_config(None))  # type: ignore[arg-type]
    return script.get_current_head()


def current_revision(engine: Engine) -> str | None:
    with engine.connect() as connection:
        return MigrationContext.configure(connection).get_current_revision()


def upgrade(engine: Engine, revision: str = "head") -> tuple[str | None, str]:
    """Upgrade the database to ``revision``; returns (revision before, revision after)."""
    before = current_revision(engine)
    command.upgrade(alembic_config(engine), revision)
    return before, current_revision(engine) or ""


def ensure_current(engine: Engine) -> None:
    """Create the schema in an empty database; refuse to work on an outdated one."""
    current = current_revision(engine)
    head = head_revision()
    if current == head:
        return
    if current is None:
        existing = set(inspect(engine).get_table_names())
        if existing - {"alembic_version"}:
            raise StoreError(
                f"database {engine.url.render_as_string(hide_password=True)} has tables but no "
                "mirrorlab schema version; it is not a mirrorlab database")
        upgrade(engine)
        return
    raise StoreError(
        f"database {engine.url.render_as_string(hide_password=True)} is at schema revision "
        f"{current}, this mirrorlab needs {head}: run `mirrorlab db upgrade --db ...` first")
