"""wake-up tasks: addressed unit, no-response escalation to the duty manager (R-H9)

Revision ID: 0002
Revises: 0001
Create Date: 2026-12-01 15:10:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models


revision = '0002'
down_revision = '0001'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wakeup_tasks', schema=None) as batch_op:
        batch_op.add_column(sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.add_column(sa.Column('no_response_at', zongji.store.models.UTCDateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('no_response_by', sa.String(length=120), nullable=True))
        batch_op.add_column(sa.Column('no_response_minutes_late', sa.Integer(), nullable=True))
        batch_op.create_index(batch_op.f('ix_wakeup_tasks_unit_id'), ['unit_id'], unique=False)
        batch_op.create_foreign_key(batch_op.f('fk_wakeup_tasks_unit_id_departments'), 'departments', ['unit_id'], ['id'])


def downgrade() -> None:
    with op.batch_alter_table('wakeup_tasks', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_wakeup_tasks_unit_id_departments'), type_='foreignkey')
        batch_op.drop_index(batch_op.f('ix_wakeup_tasks_unit_id'))
        batch_op.drop_column('no_response_minutes_late')
        batch_op.drop_column('no_response_by')
        batch_op.drop_column('no_response_at')
        batch_op.drop_column('unit_id')
