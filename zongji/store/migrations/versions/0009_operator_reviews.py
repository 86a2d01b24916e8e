"""operator_reviews: a supervisor's comment on an operator's period (issue 10, R-C4)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-04 04:50:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('operator_reviews',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('user_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('period_from', sa.Date(), nullable=False),
    sa.Column('period_to', sa.Date(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_by', sa.String(length=100), nullable=False),
    sa.Column('reviewed_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_operator_reviews_reviewed_by_id_users')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_operator_reviews_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_operator_reviews')),
    sa.UniqueConstraint('user_id', 'period_from', 'period_to', name='uq_operator_reviews_user_period')
    )
    with op.batch_alter_table('operator_reviews', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_operator_reviews_user_id'), ['user_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('operator_reviews', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_operator_reviews_user_id'))
    op.drop_table('operator_reviews')
