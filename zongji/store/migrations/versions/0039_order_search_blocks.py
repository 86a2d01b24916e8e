"""work orders: PostgreSQL's search index tags each term with its block of order ids (issue 18)

Revision ID: 0039
Revises: 0038
Create Date: 2026-12-06 00:10:00

A text search lists the newest matches first. PostgreSQL's GIN index on
``to_tsvector('simple', search_terms)`` can only hand over the whole list of orders holding a
term: a look-up of the newest matches of a place (幸福路: two pairs each in a few per cent of the
orders) read lists that grow with every year of history (227 ms at 1 M orders, 624 ms at 3 M),
and for a rare letter the planner, misled by the statistics of the commonest terms, walked the
orders instead (164 → 868 ms). The index now holds each term tagged with the order's block of
65,536 ids (``幸福#152``, ``store/full_text``), and a search reads the newest blocks first
(``services/work_orders/listing._newest_matches``): what it reads is bounded by the blocks it
needs, not by the years behind them.

Only the index changes (PostgreSQL): built anew from ``search_terms``; a 10 M-order database
takes a while (run ``zongji db upgrade`` in a quiet hour). SQLite's FTS5 index already reads its
matches newest first and stays as it is.
"""

from alembic import op

from zongji.store.full_text import FullTextIndex


revision = '0039'
down_revision = '0038'
branch_labels = None
depends_on = None

# Frozen as of this revision.
PLAIN = FullTextIndex("work_orders")
BLOCKS = FullTextIndex("work_orders", block_bits=16)


def _swap(old: FullTextIndex, new: FullTextIndex) -> None:
    conn = op.get_bind()
    if conn.dialect.name == "sqlite":
        return
    for sql in old.statements(conn.dialect.name, drop=True) + new.statements(conn.dialect.name):
        conn.exec_driver_sql(sql)


def upgrade() -> None:
    _swap(PLAIN, BLOCKS)


def downgrade() -> None:
    _swap(BLOCKS, PLAIN)
