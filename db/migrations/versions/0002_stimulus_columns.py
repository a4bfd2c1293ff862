"""stimulus columns word_colour and distractor_category on trials

Revision ID: 0002_stimulus_columns
Revises: 0001
Create Date: 2026-12-01

Stroop trials name the colour their word names (``word_colour``) and picture–word trials the
category of their distractor (``distractor_category``). Before this revision the store kept
both in ``extras``; now they are real columns of the shared row (``db.rows.TrialRow``). The
upgrade moves the values that old databases kept in ``extras`` into the new columns (and out
of ``extras``, so that a value lives in one place); the downgrade puts them back.
"""
from alembic import op
import sqlalchemy as sa


revision = "0002_stimulus_columns"
down_revision = "0001"
branch_labels = None
depends_on = None

MOVED = ("word_colour", "distractor_category")


def _trials_table():
    return sa.table("trials", sa.column("id", sa.Integer), sa.column("extras", sa.JSON),
                    *(sa.column(name, sa.String) for name in MOVED))


def upgrade() -> None:
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.add_column(sa.Column("word_colour", sa.String(length=50), nullable=True))
        batch_op.add_column(sa.Column("distractor_category", sa.String(length=100), nullable=True))
    connection = op.get_bind()
    trials = _trials_table()
    rows = connection.execute(sa.select(trials.c.id, trials.c.extras)
                              .where(trials.c.extras.is_not(None))).fetchall()
    for trial_id, extras in rows:
        if not isinstance(extras, dict) or not any(name in extras for name in MOVED):
            continue
        remaining = {k: v for k, v in extras.items() if k not in MOVED}
        values = {name: (None if extras.get(name) is None else str(extras[name]))
                  for name in MOVED if name in extras}
        connection.execute(sa.update(trials).where(trials.c.id == trial_id)
                           .values(extras=remaining or None, **values))


def downgrade() -> None:
    connection = op.get_bind()
    trials = _trials_table()
    rows = connection.execute(sa.select(trials.c.id, trials.c.extras, *(trials.c[n] for n in MOVED))
                              .where(sa.or_(*(trials.c[n].is_not(None) for n in MOVED)))).fetchall()
    for row in rows:
        extras = dict(row.extras or {})
        for name in MOVED:
            if getattr(row, name) is not None:
                extras[name] = getattr(row, name)
        connection.execute(sa.update(trials).where(trials.c.id == row.id).values(extras=extras))
    with op.batch_alter_table("trials", schema=None) as batch_op:
        batch_op.drop_column("distractor_category")
        batch_op.drop_column("word_colour")
