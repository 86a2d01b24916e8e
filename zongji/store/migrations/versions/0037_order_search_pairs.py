"""work orders: the search box through an index of character pairs; the dispatch queue's index; anonymised numbers unsearchable (issue 18)

Revision ID: 0037
Revises: 0036
Create Date: 2026-12-05 17:20:00

``work_orders.search_terms``: the distinct pairs of adjacent letters or digits of the order's
number, caller's name and number, description and place (``domain/substring_index``), indexed
by the FTS5 table ``work_orders_fts`` kept by triggers on SQLite and by a GIN index on
``to_tsvector('simple', search_terms)`` on PostgreSQL; the search box's text search reads its
candidates there instead of every order. Filled here for the existing orders in batches of 5,000
(a 10 M-order database takes a while: run ``zongji db upgrade`` in a quiet hour). The pair rule
is copied here, frozen, as of this revision.

``ix_work_orders_leader_queue``: the dispatch queue (orders waiting for the shift leader, oldest
first) through a partial index over the few waiting orders, where PostgreSQL walked the
creation-time index from the oldest order through all of history.

``ix_work_order_units_unit_order`` (unit, order) replaces the index on the unit alone: a unit's
orders newest first are read from it backwards (the unit's portal, the list filtered by unit).

Records anonymised by the retention job (numbers replaced by ``anon:`` stand-ins) kept the
search keys of the real number (``calls.calling_digits`` …, ``work_orders.caller_digits`` …):
they are cleared, and such orders get no search terms, as the job now does.
"""

from alembic import op
import sqlalchemy as sa

from zongji.store.full_text import FullTextIndex
from zongji.store.work_order_models import LEADER_QUEUE_SQL

# The index as of this revision (0039 tags its terms with their block of ids on PostgreSQL).
ORDER_SEARCH = FullTextIndex("work_orders")


revision = '0037'
down_revision = '0036'
branch_labels = None
depends_on = None

BATCH = 5000
SEARCHED = ("number", "caller_name", "caller_number", "description", "place")
ANON = "anon:"


def _pairs(text, out):
    prev = ""
    for ch in text or "":
        if ch.isalnum():
            low = ch.lower()
            ch = low if len(low) == 1 else ch
            if prev:
                out[prev + ch] = None
            prev = ch
        else:
            prev = ""


def _terms(values):
    if (values["caller_number"] or "").startswith(ANON):
        return ""
    out = {}
    for f in SEARCHED:
        _pairs(values[f], out)
    return " ".join(out)


def upgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('search_terms', sa.Text(), nullable=False, server_default=''))
    conn = op.get_bind()
    last = 0
    while True:
        rows = conn.execute(sa.text(f"SELECT id, {', '.join(SEARCHED)} FROM work_orders WHERE id > :last "
                                    f"ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not rows:
            break
        params = [{"id": r[0], "t": _terms(dict(zip(SEARCHED, r[1:])))} for r in rows]
        conn.execute(sa.text("UPDATE work_orders SET search_terms = :t WHERE id = :id"), params)
        last = rows[-1][0]
    for sql in ORDER_SEARCH.statements(conn.dialect.name):
        conn.exec_driver_sql(sql)
    op.create_index('ix_work_orders_leader_queue', 'work_orders', ['created_at', 'id'], unique=False,
                    sqlite_where=sa.text(LEADER_QUEUE_SQL), postgresql_where=sa.text(LEADER_QUEUE_SQL))
    op.create_index('ix_work_order_units_unit_order', 'work_order_units', ['unit_id', 'order_id'], unique=False)
    op.drop_index('ix_work_order_units_unit_id', table_name='work_order_units')
    anon = {"anon": ANON + "%"}
    conn.execute(sa.text("UPDATE calls SET calling_digits = NULL, calling_digits_rev = NULL "
                         "WHERE calling_number LIKE :anon AND calling_digits IS NOT NULL"), anon)
    conn.execute(sa.text("UPDATE calls SET called_digits = NULL, called_digits_rev = NULL "
                         "WHERE called_number LIKE :anon AND called_digits IS NOT NULL"), anon)
    conn.execute(sa.text("UPDATE work_orders SET caller_digits = NULL, caller_digits_rev = NULL "
                         "WHERE caller_number LIKE :anon AND caller_digits IS NOT NULL"), anon)


def downgrade() -> None:
    op.create_index('ix_work_order_units_unit_id', 'work_order_units', ['unit_id'], unique=False)
    op.drop_index('ix_work_order_units_unit_order', table_name='work_order_units')
    op.drop_index('ix_work_orders_leader_queue', table_name='work_orders')
    conn = op.get_bind()
    for sql in ORDER_SEARCH.statements(conn.dialect.name, drop=True):
        conn.exec_driver_sql(sql)
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.drop_column('search_terms')
