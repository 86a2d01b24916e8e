"""the directory's version, bumped by triggers on the directory's number columns (issue 18)

Revision ID: 0029
Revises: 0028
Create Date: 2026-12-04 20:40:00

The CTI writer reloads its cache of known numbers when this version changes instead of every
five seconds inside its write transaction (see ``zongji.store.directory_version_models``).
"""

from alembic import op
import sqlalchemy as sa

from zongji.store import directory_version_models as dv


revision = '0029'
down_revision = '0028'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('directory_version',
    sa.Column('id', sa.Integer(), autoincrement=False, nullable=False),
    sa.Column('version', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_directory_version'))
    )
    op.execute("INSERT INTO directory_version (id, version) VALUES (1, 0)")
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in (dv.SQLITE_TRIGGERS if sqlite else dv.POSTGRES_TRIGGERS):
        op.execute(sql)


def downgrade() -> None:
    sqlite = op.get_bind().dialect.name == "sqlite"
    for sql in (dv.SQLITE_DROP if sqlite else dv.POSTGRES_DROP):
        op.execute(sql)
    op.drop_table('directory_version')
