"""Partial indexes for the few live calls and open orders among millions (issue 10, point 7:
the wallboard's refresh stays fast with years of data)

Revision ID: 0013
Revises: 0012
Create Date: 2026-12-04 08:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None

LIVE = "state IN ('ringing', 'answered')"
OPEN = "status NOT IN ('closed', 'closed_directly')"


def upgrade() -> None:
    op.create_index('ix_calls_live', 'calls', ['state'], unique=False, sqlite_where=sa.text(LIVE),
                    postgresql_where=sa.text(LIVE))
    op.create_index('ix_work_orders_open_deadline', 'work_orders', ['completion_deadline'], unique=False,
                    sqlite_where=sa.text(OPEN), postgresql_where=sa.text(OPEN))


def downgrade() -> None:
    op.drop_index('ix_work_orders_open_deadline', table_name='work_orders')
    op.drop_index('ix_calls_live', table_name='calls')
