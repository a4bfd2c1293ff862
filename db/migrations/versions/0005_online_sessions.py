"""online sessions: one row per participant link (mirrorlab links / serve)

Revision ID: 0005_online_sessions
Revises: 0001
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_online_sessions'
down_revision = '0004_simulated_source'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('online_slots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('study', sa.String(length=200), nullable=False),
    sa.Column('slot_number', sa.Integer(), nullable=False),
    sa.Column('participant_code', sa.String(length=100), nullable=False),
    sa.Column('task', sa.String(length=50), nullable=False),
    sa.Column('stimulus_set', sa.String(length=200), nullable=True),
    sa.Column('language', sa.String(length=10), nullable=True),
    sa.Column('instruction', sa.String(length=50), nullable=True),
    sa.Column('options', sa.JSON(), nullable=True),
    sa.Column('token_sha256', sa.String(length=64), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('last_seen_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['sessions.id'], name=op.f('fk_online_slots_session_id_sessions'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_online_slots')),
    sa.UniqueConstraint('study', 'slot_number', name=op.f('uq_online_slots_study')),
    sa.UniqueConstraint('token_sha256', name=op.f('uq_online_slots_token_sha256'))
    )


def downgrade() -> None:
    op.drop_table('online_slots')
