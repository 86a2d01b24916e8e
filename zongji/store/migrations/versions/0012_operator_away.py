"""operator_away: operators' away periods (issue 10, point 2)

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-04 07:40:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operator_away',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('reason', sa.String(length=20), nullable=False),
    sa.Column('started_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', zongji.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_operator_away_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_away'))
    )
    with op.batch_alter_table('operator_away', schema=None) as batch_op:
        batch_op.create_index('ix_operator_away_open', ['ended_at', 'user_id'], unique=False)
        batch_op.create_index('ix_operator_away_user_started', ['user_id', 'started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('operator_away', schema=None) as batch_op:
        batch_op.drop_index('ix_operator_away_user_started')
        batch_op.drop_index('ix_operator_away_open')
    op.drop_table('operator_away')
