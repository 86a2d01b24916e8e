"""flight bookings' history: taken, changed, cancelled with who, when, why (issue 17 point 4)

Revision ID: 0035
Revises: 0034
Create Date: 2026-12-06 09:00:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0035'
down_revision = '0034'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('flight_booking_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('booking_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action', sa.String(length=12), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=True),
    sa.Column('read_back', sa.Text(), nullable=True),
    sa.Column('by', sa.String(length=120), nullable=False),
    sa.Column('at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['flight_bookings.id'], name=op.f('fk_flight_booking_events_booking_id_flight_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_flight_booking_events'))
    )
    with op.batch_alter_table('flight_booking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_flight_booking_events_booking_id'), ['booking_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('flight_booking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_flight_booking_events_booking_id'))
    op.drop_table('flight_booking_events')
