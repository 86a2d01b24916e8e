"""forbidden_phrases, phrase_hits, call_holds: service quality (issue 11, points 7 and 8)

Revision ID: 0019
Revises: 0016
Create Date: 2026-12-04 14:20:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.models


revision = '0019'
down_revision = '0016'
branch_labels = None
depends_on = None

ID = sa.BigInteger().with_variant(sa.Integer(), 'sqlite')


def upgrade() -> None:
    op.create_table('forbidden_phrases',
    sa.Column('id', ID, nullable=False),
    sa.Column('line_id', ID, nullable=True),
    sa.Column('phrase', sa.String(length=60), nullable=False),
    sa.Column('suggestion', sa.Text(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('exceptions', sa.JSON(), nullable=False),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('updated_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['line_id'], ['lines.id'], name=op.f('fk_forbidden_phrases_line_id_lines')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_forbidden_phrases'))
    )
    with op.batch_alter_table('forbidden_phrases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_forbidden_phrases_line_id'), ['line_id'], unique=False)
    op.create_table('phrase_hits',
    sa.Column('id', ID, nullable=False),
    sa.Column('at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('user_id', ID, nullable=True),
    sa.Column('department_id', ID, nullable=True),
    sa.Column('line_id', ID, nullable=True),
    sa.Column('call_id', ID, nullable=True),
    sa.Column('text_kind', sa.String(length=30), nullable=False),
    sa.Column('phrase', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_phrase_hits_call_id_calls')),
    sa.ForeignKeyConstraint(['department_id'], ['departments.id'], name=op.f('fk_phrase_hits_department_id_departments')),
    sa.ForeignKeyConstraint(['line_id'], ['lines.id'], name=op.f('fk_phrase_hits_line_id_lines')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_phrase_hits_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phrase_hits'))
    )
    with op.batch_alter_table('phrase_hits', schema=None) as batch_op:
        batch_op.create_index('ix_phrase_hits_call', ['call_id'], unique=False)
        batch_op.create_index('ix_phrase_hits_user_at', ['user_id', 'at'], unique=False)
    op.create_table('call_holds',
    sa.Column('id', ID, nullable=False),
    sa.Column('call_id', ID, nullable=False),
    sa.Column('user_id', ID, nullable=True),
    sa.Column('consent', sa.Boolean(), nullable=False),
    sa.Column('started_at', zongji.store.models.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ended_at', zongji.store.models.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['call_id'], ['calls.id'], name=op.f('fk_call_holds_call_id_calls')),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_call_holds_user_id_users')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_call_holds'))
    )
    with op.batch_alter_table('call_holds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_call_holds_call_id'), ['call_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('call_holds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_call_holds_call_id'))
    op.drop_table('call_holds')
    with op.batch_alter_table('phrase_hits', schema=None) as batch_op:
        batch_op.drop_index('ix_phrase_hits_user_at')
        batch_op.drop_index('ix_phrase_hits_call')
    op.drop_table('phrase_hits')
    with op.batch_alter_table('forbidden_phrases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_forbidden_phrases_line_id'))
    op.drop_table('forbidden_phrases')
