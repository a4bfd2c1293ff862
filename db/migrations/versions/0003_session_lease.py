"""session leases: one process owns a running session at a time

Revision ID: 0003_session_lease
Revises: 0001
Create Date: 2026-12-01 18:40:00
"""
from alembic import op
import sqlalchemy as sa


revision = '0003_session_lease'
down_revision = "0002_stimulus_columns"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('session_leases',
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('owner', sa.String(length=64), nullable=False),
    sa.Column('host', sa.String(length=255), nullable=False),
    sa.Column('pid', sa.Integer(), nullable=False),
    sa.Column('ttl_s', sa.Float(), nullable=False),
    sa.Column('acquired_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('heartbeat_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_session_leases_session_id_sessions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('session_id', name=op.f('pk_session_leases'))
    )


def downgrade() -> None:
    op.drop_table('session_leases')
