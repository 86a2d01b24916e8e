"""fias_links, fias_outbox, fias_reservations, fias_wakeups, fias_rooms, fias_postings: the PMS link (issue 16)

Revision ID: 0023
Revises: 0022
Create Date: 2026-12-04 16:30:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')
TS = zongji.store.base.UTCDateTime(timezone=True)


def upgrade() -> None:
    op.create_table('fias_links',
    sa.Column('id', ID, nullable=False),
    sa.Column('name', sa.String(length=40), nullable=False),
    sa.Column('state', sa.String(length=20), nullable=False),
    sa.Column('mode', sa.String(length=10), nullable=False),
    sa.Column('peer', sa.String(length=200), nullable=True),
    sa.Column('up_since', TS, nullable=True),
    sa.Column('down_since', TS, nullable=True),
    sa.Column('last_received_at', TS, nullable=True),
    sa.Column('last_sent_at', TS, nullable=True),
    sa.Column('last_error', sa.Text(), nullable=True),
    sa.Column('resync_started_at', TS, nullable=True),
    sa.Column('resync_done_at', TS, nullable=True),
    sa.Column('alerted_at', TS, nullable=True),
    sa.Column('updated_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fias_links')),
    sa.UniqueConstraint('name', name=op.f('uq_fias_links_name'))
    )
    op.create_table('fias_outbox',
    sa.Column('id', ID, nullable=False),
    sa.Column('kind', sa.String(length=2), nullable=False),
    sa.Column('record', sa.Text(), nullable=False),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('sent_at', TS, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fias_outbox'))
    )
    op.create_index('ix_fias_outbox_state_id', 'fias_outbox', ['state', 'id'])
    op.create_table('fias_reservations',
    sa.Column('id', ID, nullable=False),
    sa.Column('reservation', sa.String(length=40), nullable=False),
    sa.Column('stay_id', ID, nullable=False),
    sa.Column('guest_id', ID, nullable=False),
    sa.Column('room_number', sa.String(length=20), nullable=False),
    sa.Column('seen_at', TS, nullable=False),
    sa.ForeignKeyConstraint(['stay_id'], ['stays.id'], name=op.f('fk_fias_reservations_stay_id_stays')),
    sa.ForeignKeyConstraint(['guest_id'], ['guests.id'], name=op.f('fk_fias_reservations_guest_id_guests')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fias_reservations')),
    sa.UniqueConstraint('reservation', name=op.f('uq_fias_reservations_reservation'))
    )
    op.create_index('ix_fias_reservations_stay_id', 'fias_reservations', ['stay_id'])
    op.create_table('fias_wakeups',
    sa.Column('id', ID, nullable=False),
    sa.Column('wakeup_id', ID, nullable=False),
    sa.Column('origin', sa.String(length=10), nullable=False),
    sa.Column('room_number', sa.String(length=20), nullable=False),
    sa.Column('wake_at', TS, nullable=False),
    sa.Column('answer', sa.String(length=2), nullable=True),
    sa.Column('answered_at', TS, nullable=True),
    sa.ForeignKeyConstraint(['wakeup_id'], ['wakeups.id'], name=op.f('fk_fias_wakeups_wakeup_id_wakeups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fias_wakeups')),
    sa.UniqueConstraint('wakeup_id', name=op.f('uq_fias_wakeups_wakeup_id'))
    )
    op.create_index('ix_fias_wakeups_open', 'fias_wakeups', ['answer', 'wakeup_id'])
    op.create_table('fias_rooms',
    sa.Column('id', ID, nullable=False),
    sa.Column('room_number', sa.String(length=20), nullable=False),
    sa.Column('dnd', sa.Boolean(), nullable=True),
    sa.Column('lamp', sa.Boolean(), nullable=True),
    sa.Column('pms_lamp', sa.Boolean(), nullable=False),
    sa.Column('updated_at', TS, nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fias_rooms')),
    sa.UniqueConstraint('room_number', name=op.f('uq_fias_rooms_room_number'))
    )
    op.create_table('fias_postings',
    sa.Column('id', ID, nullable=False),
    sa.Column('source', sa.String(length=100), nullable=False),
    sa.Column('room_number', sa.String(length=20), nullable=False),
    sa.Column('reservation', sa.String(length=40), nullable=True),
    sa.Column('amount_minor', sa.BigInteger(), nullable=False),
    sa.Column('text', sa.String(length=200), nullable=True),
    sa.Column('dialled', sa.String(length=40), nullable=True),
    sa.Column('duration_seconds', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=10), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('next_try_at', TS, nullable=True),
    sa.Column('answer', sa.String(length=4), nullable=True),
    sa.Column('answer_text', sa.String(length=200), nullable=True),
    sa.Column('created_at', TS, nullable=False),
    sa.Column('sent_at', TS, nullable=True),
    sa.Column('answered_at', TS, nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_fias_postings')),
    sa.UniqueConstraint('source', name=op.f('uq_fias_postings_source'))
    )
    op.create_index('ix_fias_postings_state_id', 'fias_postings', ['state', 'id'])


def downgrade() -> None:
    op.drop_index('ix_fias_postings_state_id', table_name='fias_postings')
    op.drop_table('fias_postings')
    op.drop_table('fias_rooms')
    op.drop_index('ix_fias_wakeups_open', table_name='fias_wakeups')
    op.drop_table('fias_wakeups')
    op.drop_index('ix_fias_reservations_stay_id', table_name='fias_reservations')
    op.drop_table('fias_reservations')
    op.drop_index('ix_fias_outbox_state_id', table_name='fias_outbox')
    op.drop_table('fias_outbox')
    op.drop_table('fias_links')
