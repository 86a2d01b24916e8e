"""call_stats, call_stats_dirty and the triggers that mark changed calls (issue 10, point 6)

Revision ID: 0010
Revises: 0009
Create Date: 2026-12-04 07:10:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models
from zongji.store import stats_models


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('call_stats',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('slot_start', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('line_key', sa.BigInteger(), nullable=False),
    sa.Column('dim', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=64), nullable=False),
    sa.Column('policy', sa.String(length=80), nullable=False),
    sa.Column('offered', sa.Integer(), nullable=False),
    sa.Column('answered', sa.Integer(), nullable=False),
    sa.Column('abandoned', sa.Integer(), nullable=False),
    sa.Column('short_abandoned', sa.Integer(), nullable=False),
    sa.Column('answered_within', sa.Integer(), nullable=False),
    sa.Column('abandoned_within', sa.Integer(), nullable=False),
    sa.Column('answered_within_24h', sa.Integer(), nullable=False),
    sa.Column('transferred', sa.Integer(), nullable=False),
    sa.Column('waiting', sa.Integer(), nullable=False),
    sa.Column('wait_seconds', sa.Float(), nullable=False),
    sa.Column('longest_wait_seconds', sa.Float(), nullable=False),
    sa.Column('talk_seconds', sa.Float(), nullable=False),
    sa.Column('wrap_seconds', sa.Float(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_stats')),
    sa.UniqueConstraint('slot_start', 'line_key', 'dim', 'value', name='uq_call_stats_slot')
    )
    with op.batch_alter_table('call_stats', schema=None) as batch_op:
        batch_op.create_index('ix_call_stats_dim_slot', ['dim', 'slot_start'], unique=False)

    op.create_table('call_stats_dirty',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('ringing_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('line_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_stats_dirty'))
    )
    with op.batch_alter_table('call_stats_dirty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_stats_dirty_ringing_at'), ['ringing_at'], unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in (stats_models.SQLITE_TRIGGERS if sqlite else stats_models.POSTGRES_TRIGGERS):
        op.execute(sql)
    # The calls already recorded: one mark at the first and the last call of every hour and line
    # covers both half-hours of it; the statistics job counts them.
    hour = "substr(ringing_at, 1, 13)" if sqlite else "date_trunc('hour', ringing_at)"
    for agg in ("MIN", "MAX"):
        op.execute(f"INSERT INTO call_stats_dirty (ringing_at, line_id) SELECT {agg}(ringing_at), line_id "
                   f"FROM calls WHERE ringing_at IS NOT NULL GROUP BY {hour}, line_id")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in (stats_models.SQLITE_DROP if sqlite else stats_models.POSTGRES_DROP):
        op.execute(sql)
    with op.batch_alter_table('call_stats_dirty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_stats_dirty_ringing_at'))
    op.drop_table('call_stats_dirty')
    with op.batch_alter_table('call_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_call_stats_dim_slot')
    op.drop_table('call_stats')
