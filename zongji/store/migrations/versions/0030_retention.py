"""the retention runs' report (issue 18 point 3)

Revision ID: 0030
Revises: 0029
Create Date: 2026-12-04 21:00:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0030'
down_revision = '0029'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('retention_runs',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('run_key', sa.String(length=60), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('action', sa.String(length=20), nullable=False),
    sa.Column('cutoff', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('rows', sa.Integer(), nullable=False),
    sa.Column('batches', sa.Integer(), nullable=False),
    sa.Column('resume_from', sa.BigInteger(), nullable=False),
    sa.Column('started_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('finished_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_retention_runs')),
    sa.UniqueConstraint('run_key', 'kind', name='uq_retention_runs_run_kind')
    )
    with op.batch_alter_table('retention_runs', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_retention_runs_started_at'), ['started_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('retention_runs', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_retention_runs_started_at'))
    op.drop_table('retention_runs')
