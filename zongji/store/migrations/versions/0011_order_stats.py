"""order_stats, order_stats_dirty and their triggers; work_orders.completion_deadline indexed
(issue 10, point 6)

Revision ID: 0011
Revises: 0010
Create Date: 2026-12-04 07:20:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models
from zongji.store import stats_models


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('order_stats',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('day', sa.Date(), nullable=False),
    sa.Column('line_key', sa.BigInteger(), nullable=False),
    sa.Column('dim', sa.String(length=8), nullable=False),
    sa.Column('value', sa.String(length=200), nullable=False),
    sa.Column('policy', sa.String(length=80), nullable=False),
    *[sa.Column(c, sa.Integer(), nullable=False) for c in stats_models.ORDER_COUNT_COLUMNS],
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_stats')),
    sa.UniqueConstraint('day', 'line_key', 'dim', 'value', name='uq_order_stats_day')
    )
    with op.batch_alter_table('order_stats', schema=None) as batch_op:
        batch_op.create_index('ix_order_stats_dim_day', ['dim', 'day'], unique=False)

    op.create_table('order_stats_dirty',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('created_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('completion_deadline', zongji.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('line_id', sa.BigInteger(), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_order_stats_dirty'))
    )
    with op.batch_alter_table('order_stats_dirty', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_order_stats_dirty_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_order_stats_dirty_completion_deadline'), ['completion_deadline'],
                              unique=False)
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_work_orders_completion_deadline'), ['completion_deadline'], unique=False)

    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in (stats_models.SQLITE_ORDER_TRIGGERS if sqlite else stats_models.POSTGRES_ORDER_TRIGGERS):
        op.execute(sql)
    # The orders already recorded: one mark per order is too many on a large site; the first and
    # last order of each hour and line mark their creation days, and the same for deadlines.
    hour = (lambda c: f"substr({c}, 1, 13)") if sqlite else (lambda c: f"date_trunc('hour', {c})")
    op.execute("INSERT INTO order_stats_dirty (created_at, completion_deadline, line_id) "
               f"SELECT MIN(created_at), NULL, line_id FROM work_orders GROUP BY {hour('created_at')}, line_id")
    op.execute("INSERT INTO order_stats_dirty (created_at, completion_deadline, line_id) "
               "SELECT MIN(completion_deadline), MIN(completion_deadline), line_id FROM work_orders "
               f"WHERE completion_deadline IS NOT NULL GROUP BY {hour('completion_deadline')}, line_id")


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in (stats_models.SQLITE_ORDER_DROP if sqlite else stats_models.POSTGRES_ORDER_DROP):
        op.execute(sql)
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_work_orders_completion_deadline'))
    with op.batch_alter_table('order_stats_dirty', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_order_stats_dirty_completion_deadline'))
        batch_op.drop_index(batch_op.f('ix_order_stats_dirty_created_at'))
    op.drop_table('order_stats_dirty')
    with op.batch_alter_table('order_stats', schema=None) as batch_op:
        batch_op.drop_index('ix_order_stats_dim_day')
    op.drop_table('order_stats')
