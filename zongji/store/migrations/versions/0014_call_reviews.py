"""call_reviews: quality scores of answered calls (issue 10, point 4)

Revision ID: 0014
Revises: 0013
Create Date: 2026-12-04 08:10:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('call_reviews',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('call_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('operator_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('scores', sa.JSON(), nullable=False),
    sa.Column('fatal', sa.Boolean(), nullable=False),
    sa.Column('total', sa.Integer(), nullable=False),
    sa.Column('comment', sa.Text(), nullable=False),
    sa.Column('reviewed_by_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('reviewed_by', sa.String(length=100), nullable=False),
    sa.Column('reviewed_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('call_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_reviews_call_id_calls')),
    sa.ForeignKeyConstraint(['operator_id'], ['users.id'], name=op.f('fk_call_reviews_operator_id_users')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_call_reviews_reviewed_by_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_reviews')),
    sa.UniqueConstraint('call_id', name=op.f('uq_call_reviews_call_id'))
    )
    with op.batch_alter_table('call_reviews', schema=None) as batch_op:
        batch_op.create_index('ix_call_reviews_operator_at', ['operator_id', 'call_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_reviews', schema=None) as batch_op:
        batch_op.drop_index('ix_call_reviews_operator_at')
    op.drop_table('call_reviews')
