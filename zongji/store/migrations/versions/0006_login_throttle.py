"""login_throttle: failed logins and locks per account name and client address (issue 12, point 4)

Revision ID: 0006
Revises: 0004
Create Date: 2026-12-03 23:45:00.000000

Written while 0005 was under way elsewhere: if a 0005 revision exists, ``down_revision`` must be
re-chained onto it.
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models


revision = '0006'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('login_throttle',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('scope', sa.String(length=10), nullable=False),
    sa.Column('subject', sa.String(length=100), nullable=False),
    sa.Column('failures', sa.Integer(), nullable=False),
    sa.Column('window_start', zongji.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locked_until', zongji.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.Column('locks', sa.Integer(), nullable=False),
    sa.Column('last_failure_at', zongji.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_login_throttle')),
    sa.UniqueConstraint('scope', 'subject', name='uq_login_throttle_scope_subject')
    )


def downgrade() -> None:
    op.drop_table('login_throttle')
