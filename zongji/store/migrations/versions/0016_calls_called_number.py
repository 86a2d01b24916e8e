"""calls.called_number indexed: callbacks of abandoned calls (the 24-hour answer rate) and the
caller's history (issue 10, point 1)

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-04 08:40:00
"""

from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_calls_called_number'), ['called_number'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_called_number'))
