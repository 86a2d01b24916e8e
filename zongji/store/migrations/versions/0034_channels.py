"""status look-ups counted for their rate limits (issue 15 follow-up, point 3)

Revision ID: 0034
Revises: 0033
Create Date: 2026-12-05 00:20:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0034'
down_revision = '0033'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('intake_lookups',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('key_hash', sa.String(length=64), nullable=False),
    sa.Column('at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_intake_lookups'))
    )
    with op.batch_alter_table('intake_lookups', schema=None) as batch_op:
        batch_op.create_index('ix_intake_lookups_scope_key_at', ['scope', 'key_hash', 'at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('intake_lookups', schema=None) as batch_op:
        batch_op.drop_index('ix_intake_lookups_scope_key_at')
    op.drop_table('intake_lookups')
