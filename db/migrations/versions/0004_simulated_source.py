"""simulated participants' trials get source "simulated"

Until now a session answered by a simulated participant (``mirrorlab run --simulate``, or a
scripted agent) stored its trials with ``source = "human"``, so they were analysed as people.
Such a session records who answered in ``sessions.parameters["simulated_participant"]`` (a
description, or null for a person); this migration relabels the trials of those sessions.
No other row changes; downgrade gives them ``human`` back.

Revision ID: 0004_simulated_source
Revises: 0001
Create Date: 2026-12-01
"""
from alembic import op
import sqlalchemy as sa


revision = "0004_simulated_source"
down_revision = "0003_session_lease"
branch_labels = None
depends_on = None

_sessions = sa.table("sessions", sa.column("id", sa.Integer), sa.column("parameters", sa.JSON))
_trials = sa.table("trials", sa.column("session_id", sa.Integer), sa.column("source", sa.String))


def simulated_session_ids(connection) -> list[int]:
    """Sessions whose stored parameters name a simulated participant."""
    ids = []
    for session_id, parameters in connection.execute(sa.select(_sessions.c.id, _sessions.c.parameters)):
        if isinstance(parameters, dict) and parameters.get("simulated_participant"):
            ids.append(session_id)
    return ids


def _relabel(old: str, new: str) -> None:
    connection = op.get_bind()
    ids = simulated_session_ids(connection)
    for start in range(0, len(ids), 500):
        chunk = ids[start:start + 500]
        connection.execute(_trials.update()
                           .where(_trials.c.session_id.in_(chunk), _trials.c.source == old)
                           .values(source=new))


def upgrade() -> None:
    _relabel("human", "simulated")


def downgrade() -> None:
    _relabel("simulated", "human")
