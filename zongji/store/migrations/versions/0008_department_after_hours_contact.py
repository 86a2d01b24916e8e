"""departments.after_hours_person_id: who takes a closed department's calls (issue 8)

Revision ID: 0008
Revises: 0007
Create Date: 2026-12-04 00:35:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('after_hours_person_id',
                                      sa.BigInteger().with_variant(sa.Integer(), 'sqlite'), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_departments_after_hours_person_id_people'), 'people',
                                    ['after_hours_person_id'], ['id'], ondelete='SET NULL', use_alter=True)


def downgrade() -> None:
    with op.batch_alter_table('departments', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_departments_after_hours_person_id_people'), type_='foreignkey')
        batch_op.drop_column('after_hours_person_id')
