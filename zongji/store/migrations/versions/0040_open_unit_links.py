"""work order units: each link marked while its order is open, with a partial index (issue 18)

A unit's portal starts with its open orders and their count. They were found by joining all of
the unit's links with the open orders: for the busiest unit of a 10 M-order centre that is a
hash join over some 970,000 links on PostgreSQL (180–245 ms, growing with every year of
history) to find a few hundred open orders. Each link now carries ``order_open`` (a copy of its
order's status, written with it by ``services/work_orders/changes``), and a partial index holds
the open links only, so the open orders are read from the few hundred links that are open.

The upgrade marks the links of the orders open now (read through the open orders' partial
index, ``ix_work_orders_open_deadline``), then builds the index.

Revision ID: 0040
Revises: 0039
Create Date: 2026-12-06 02:30:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0040'
down_revision = '0039'
branch_labels = None
depends_on = None

# Frozen as of this revision.
OPEN_ORDERS_SQL = "status NOT IN ('closed', 'closed_directly')"


def upgrade() -> None:
    with op.batch_alter_table("work_order_units") as batch:
        batch.add_column(sa.Column("order_open", sa.Boolean(), server_default=sa.text("false"), nullable=False))
    op.execute("UPDATE work_order_units SET order_open = true "
               f"WHERE order_id IN (SELECT id FROM work_orders WHERE {OPEN_ORDERS_SQL})")
    op.create_index("ix_work_order_units_open", "work_order_units", ["unit_id", "order_id"], unique=False,
                    sqlite_where=sa.text("order_open"), postgresql_where=sa.text("order_open"))


def downgrade() -> None:
    op.drop_index("ix_work_order_units_open", table_name="work_order_units",
                  sqlite_where=sa.text("order_open"), postgresql_where=sa.text("order_open"))
    with op.batch_alter_table("work_order_units") as batch:
        batch.drop_column("order_open")
