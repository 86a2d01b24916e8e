"""wakeups/dnd_periods/messages.addressed: by room or by guest (issue 12 point 2, R-H4)

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 23:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('wakeups', schema=None) as batch_op:
        batch_op.add_column(sa.Column('addressed', sa.String(length=10), server_default='room', nullable=False))
    with op.batch_alter_table('dnd_periods', schema=None) as batch_op:
        batch_op.add_column(sa.Column('addressed', sa.String(length=10), nullable=True))
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.add_column(sa.Column('addressed', sa.String(length=10), nullable=True))
    # Earlier guests' DND and messages were shown by the guest's name: keep them so.
    op.execute("UPDATE dnd_periods SET addressed = 'guest' WHERE guest_id IS NOT NULL")
    op.execute("UPDATE messages SET addressed = 'guest' WHERE recipient_kind = 'guest'")


def downgrade() -> None:
    with op.batch_alter_table('messages', schema=None) as batch_op:
        batch_op.drop_column('addressed')
    with op.batch_alter_table('dnd_periods', schema=None) as batch_op:
        batch_op.drop_column('addressed')
    with op.batch_alter_table('wakeups', schema=None) as batch_op:
        batch_op.drop_column('addressed')
