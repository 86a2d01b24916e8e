"""catalogue_matters, dispatch model and suggestions

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-04 14:40:00
"""

from alembic import op
import sqlalchemy as sa
import zongji.store.base


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('dispatch_model_state',
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('trained_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('orders_used', sa.Integer(), nullable=False),
    sa.Column('last_order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_dispatch_model_state_organisation_id_organisations')),
    sa.PrimaryKeyConstraint('organisation_id', name=op.f('pk_dispatch_model_state'))
    )
    op.create_table('catalogue_matters',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('matter', sa.String(length=200), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('assisting_unit_ids', sa.JSON(), nullable=False),
    sa.Column('basis', sa.Text(), nullable=False),
    sa.Column('examples', sa.JSON(), nullable=False),
    sa.Column('keywords', sa.JSON(), nullable=False),
    sa.Column('category', sa.String(length=100), nullable=True),
    sa.Column('active', sa.Boolean(), nullable=False),
    sa.Column('search_terms', sa.Text(), nullable=False),
    sa.Column('updated_at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by', sa.String(length=100), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_catalogue_matters_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['unit_id'], ['departments.id'], name=op.f('fk_catalogue_matters_unit_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_catalogue_matters')),
    sa.UniqueConstraint('organisation_id', 'matter', name='uq_catalogue_matters_org_matter')
    )
    with op.batch_alter_table('catalogue_matters', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_catalogue_matters_organisation_id'), ['organisation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_catalogue_matters_unit_id'), ['unit_id'], unique=False)

    op.create_table('dispatch_model_terms',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('organisation_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('term', sa.String(length=100), nullable=False),
    sa.Column('weight', sa.Float(), nullable=False),
    sa.ForeignKeyConstraint(['organisation_id'], ['organisations.id'], name=op.f('fk_dispatch_model_terms_organisation_id_organisations')),
    sa.ForeignKeyConstraint(['unit_id'], ['departments.id'], name=op.f('fk_dispatch_model_terms_unit_id_departments')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_model_terms')),
    sa.UniqueConstraint('organisation_id', 'unit_id', 'term', name='uq_dispatch_model_terms_org_unit_term')
    )
    op.create_table('dispatch_suggestions',
    sa.Column('id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('order_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=False),
    sa.Column('at', zongji.store.base.UTCDateTime(timezone=True), nullable=False),
    sa.Column('suggested_unit_ids', sa.JSON(), nullable=False),
    sa.Column('model_revision', sa.Integer(), nullable=False),
    sa.Column('chosen_unit_id', sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True),
    sa.Column('chosen_at', zongji.store.base.UTCDateTime(timezone=True), nullable=True),
    sa.Column('rank', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['chosen_unit_id'], ['departments.id'], name=op.f('fk_dispatch_suggestions_chosen_unit_id_departments')),
    sa.ForeignKeyConstraint(['order_id'], ['work_orders.id'], name=op.f('fk_dispatch_suggestions_order_id_work_orders'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_dispatch_suggestions')),
    sa.UniqueConstraint('order_id', name=op.f('uq_dispatch_suggestions_order_id'))
    )
    with op.batch_alter_table('dispatch_suggestions', schema=None) as batch_op:
        batch_op.create_index('ix_dispatch_suggestions_at', ['at'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('dispatch_suggestions', schema=None) as batch_op:
        batch_op.drop_index('ix_dispatch_suggestions_at')

    op.drop_table('dispatch_suggestions')
    op.drop_table('dispatch_model_terms')
    with op.batch_alter_table('catalogue_matters', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_catalogue_matters_unit_id'))
        batch_op.drop_index(batch_op.f('ix_catalogue_matters_organisation_id'))

    op.drop_table('catalogue_matters')
    op.drop_table('dispatch_model_state')
