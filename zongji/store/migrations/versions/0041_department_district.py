"""departments.district; the district governments' shared dispatch weights (issue 11)

A handling unit that is the local government of a district (属地) names it. The dispatch model
learns the district governments' matters under one label and hands it to the government of the
order's district; its weights are stored with no unit (``dispatch_model_terms.unit_id`` NULL).
No data changes: a centre names its district governments (import or API), and the next
retraining learns them together.

Revision ID: 0041
Revises: 0040
Create Date: 2026-12-06 06:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0041'
down_revision = '0040'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('departments') as batch:
        batch.add_column(sa.Column('district', sa.String(length=40), nullable=True))
    with op.batch_alter_table('dispatch_model_terms') as batch:
        batch.alter_column('unit_id', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                           nullable=True)


def downgrade() -> None:
    op.execute("DELETE FROM dispatch_model_terms WHERE unit_id IS NULL")
    with op.batch_alter_table('dispatch_model_terms') as batch:
        batch.alter_column('unit_id', existing_type=sa.BigInteger().with_variant(sa.Integer(), 'sqlite'),
                           nullable=False)
    with op.batch_alter_table('departments') as batch:
        batch.drop_column('district')
