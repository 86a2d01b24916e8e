"""the booking hotline: hotels, bookings, answers, customer messages (issue 17)

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-04 23:36:58.339154
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0031'
down_revision = '0030'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('booking_members',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=60), nullable=False),
    sa.Column('created_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_members')),
    sa.UniqueConstraint('mobile', name=op.f('uq_booking_members_mobile'))
    )
    op.create_table('booking_templates',
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.Column('updated_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('kind', name=op.f('pk_booking_templates'))
    )
    op.create_table('hotels',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('city', sa.String(length=40), nullable=False),
    sa.Column('address', sa.String(length=200), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('price_low_fen', sa.Integer(), nullable=True),
    sa.Column('price_high_fen', sa.Integer(), nullable=True),
    sa.Column('search_keys', sa.String(length=500), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('created_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_hotels'))
    )
    with op.batch_alter_table('hotels', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_hotels_city'), ['city'], unique=False)

    op.create_table('bookings',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('number', sa.String(length=20), nullable=False),
    sa.Column('kind', sa.String(length=12), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('customer_name', sa.String(length=60), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('caller_number', sa.String(length=40), nullable=True),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('hotel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('check_in', sa.Date(), nullable=False),
    sa.Column('check_out', sa.Date(), nullable=False),
    sa.Column('latest_arrival', sa.String(length=5), nullable=True),
    sa.Column('hold_free', sa.Boolean(), nullable=False),
    sa.Column('breakfast', sa.String(length=12), nullable=False),
    sa.Column('special_requests', sa.Text(), nullable=False),
    sa.Column('guest_names', sa.JSON(), nullable=False),
    sa.Column('total_fen', sa.BigInteger(), nullable=False),
    sa.Column('confirmation_number', sa.String(length=40), nullable=True),
    sa.Column('refusal_reason', sa.String(length=200), nullable=True),
    sa.Column('created_by', sa.String(length=100), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_bookings_call_id_calls'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_bookings_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['hotel_id'], ['hotels.id'], name=op.f('fk_bookings_hotel_id_hotels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_bookings')),
    sa.UniqueConstraint('number', name=op.f('uq_bookings_number'))
    )
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_bookings_call_id'), ['call_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_check_in'), ['check_in'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_created_by_id'), ['created_by_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_hotel_id'), ['hotel_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_mobile'), ['mobile'], unique=False)
        batch_op.create_index(batch_op.f('ix_bookings_state'), ['state'], unique=False)

    op.create_table('booking_answers',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('booking_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('hotel_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('result', sa.String(length=12), nullable=False),
    sa.Column('confirmation_number', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.String(length=200), nullable=True),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_answers_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['hotel_id'], ['hotels.id'], name=op.f('fk_booking_answers_hotel_id_hotels')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_answers'))
    )
    with op.batch_alter_table('booking_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_answers_at'), ['at'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_answers_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_answers_hotel_id'), ['hotel_id'], unique=False)

    op.create_table('booking_events',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('booking_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('read_back', sa.Text(), nullable=True),
    sa.Column('detail', sa.JSON(), nullable=True),
    sa.Column('by', sa.String(length=100), nullable=False),
    sa.Column('at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_events_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_events'))
    )
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_events_booking_id'), ['booking_id'], unique=False)

    op.create_table('booking_messages',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('booking_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('member_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('kind', sa.String(length=24), nullable=False),
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('mobile', sa.String(length=20), nullable=False),
    sa.Column('text', sa.Text(), nullable=True),
    sa.Column('state', sa.String(length=12), nullable=False),
    sa.Column('due_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('error', sa.String(length=300), nullable=True),
    sa.Column('gateway_id', sa.String(length=64), nullable=True),
    sa.Column('sent_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_messages_booking_id_bookings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['member_id'], ['booking_members.id'], name=op.f('fk_booking_messages_member_id_booking_members'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_messages')),
    sa.UniqueConstraint('key', name=op.f('uq_booking_messages_key'))
    )
    with op.batch_alter_table('booking_messages', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_messages_booking_id'), ['booking_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_booking_messages_member_id'), ['member_id'], unique=False)
        batch_op.create_index('ix_booking_messages_state_due_at', ['state', 'due_at'], unique=False)

    op.create_table('booking_rooms',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('booking_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('room_type', sa.String(length=40), nullable=False),
    sa.Column('count', sa.Integer(), nullable=False),
    sa.Column('nightly_fen', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['booking_id'], ['bookings.id'], name=op.f('fk_booking_rooms_booking_id_bookings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_booking_rooms'))
    )
    with op.batch_alter_table('booking_rooms', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_booking_rooms_booking_id'), ['booking_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('booking_rooms', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_rooms_booking_id'))

    op.drop_table('booking_rooms')
    with op.batch_alter_table('booking_messages', schema=None) as batch_op:
        batch_op.drop_index('ix_booking_messages_state_due_at')
        batch_op.drop_index(batch_op.f('ix_booking_messages_member_id'))
        batch_op.drop_index(batch_op.f('ix_booking_messages_booking_id'))

    op.drop_table('booking_messages')
    with op.batch_alter_table('booking_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_events_booking_id'))

    op.drop_table('booking_events')
    with op.batch_alter_table('booking_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_booking_answers_hotel_id'))
        batch_op.drop_index(batch_op.f('ix_booking_answers_booking_id'))
        batch_op.drop_index(batch_op.f('ix_booking_answers_at'))

    op.drop_table('booking_answers')
    with op.batch_alter_table('bookings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_bookings_state'))
        batch_op.drop_index(batch_op.f('ix_bookings_mobile'))
        batch_op.drop_index(batch_op.f('ix_bookings_hotel_id'))
        batch_op.drop_index(batch_op.f('ix_bookings_created_by_id'))
        batch_op.drop_index(batch_op.f('ix_bookings_created_at'))
        batch_op.drop_index(batch_op.f('ix_bookings_check_in'))
        batch_op.drop_index(batch_op.f('ix_bookings_call_id'))

    op.drop_table('bookings')
    with op.batch_alter_table('hotels', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_hotels_city'))

    op.drop_table('hotels')
    op.drop_table('booking_templates')
    op.drop_table('booking_members')
