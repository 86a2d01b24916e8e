"""evaluation_items; call_reviews keep the items they were scored on (issue 11 point 7, R-O5)

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 14:40:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('evaluation_items',
    sa.Column('id', ID, nullable=False),
    sa.Column('key', sa.String(length=30), nullable=False),
    sa.Column('label_zh', sa.String(length=60), nullable=False),
    sa.Column('label_en', sa.String(length=60), nullable=False),
    sa.Column('points', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evaluation_items')),
    sa.UniqueConstraint('key', name=op.f('uq_evaluation_items_key'))
    )
    with op.batch_alter_table('call_reviews', schema=None) as batch_op:
        batch_op.add_column(sa.Column('items', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('max_points', sa.Integer(), server_default='100', nullable=False))
        batch_op.add_column(sa.Column('item_comments', sa.JSON(), nullable=True))
    op.execute("UPDATE call_reviews SET item_comments = '{}'")
    with op.batch_alter_table('call_reviews', schema=None) as batch_op:
        batch_op.alter_column('item_comments', existing_type=sa.JSON(), nullable=False)


def downgrade() -> None:
    with op.batch_alter_table('call_reviews', schema=None) as batch_op:
        batch_op.drop_column('item_comments')
        batch_op.drop_column('max_points')
        batch_op.drop_column('items')
    op.drop_table('evaluation_items')
