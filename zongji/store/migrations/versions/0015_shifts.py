"""shifts: the roster (issue 10, point 5)

Revision ID: 0015
Revises: 0014
Create Date: 2026-12-04 08:20:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('shifts',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('starts_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('created_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('created_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_shifts_created_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_shifts_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_shifts'))
    )
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.create_index('ix_shifts_starts_at', ['starts_at'], unique=False)
        batch_op.create_index('ix_shifts_user_starts', ['user_id', 'starts_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('shifts', schema=None) as batch_op:
        batch_op.drop_index('ix_shifts_user_starts')
        batch_op.drop_index('ix_shifts_starts_at')
    op.drop_table('shifts')
