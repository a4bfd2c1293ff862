"""Alembic environment: uses the connection (inside the caller's locked transaction) or the
engine handed over by ``db.migrate`` (no alembic.ini)."""

import contextlib

from alembic import context

from db.schema import Base

connection_given = context.config.attributes.get("connection")
engine = context.config.attributes["engine"]

with (contextlib.nullcontext(connection_given) if connection_given is not None
      else engine.begin()) as connection:
    context.configure(
        connection=connection,
        target_metadata=Base.metadata,
        render_as_batch=connection.dialect.name == "sqlite",
        compare_type=True,
    )
    with context.begin_transaction():
        context.run_migrations()
