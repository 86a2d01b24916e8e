"""work orders: the search index holds single letters too (a one-character search through the index) (issue 18)

Revision ID: 0038
Revises: 0037
Create Date: 2026-12-05 20:40:00

``work_orders.search_terms`` held the order's character pairs only, so a search for one
character (狗, 王) or for characters apart (王 五) read every order, newest first — at millions of
orders, seconds, and all of them for a rare character. It now also holds each distinct letter of
the searched fields but digits (``domain/substring_index``; a one-digit search is a number
search). Recomputed here for every order not anonymised, in batches of 5,000, with the full-text
index dropped during the refill and rebuilt after it (faster than the triggers row by row). The
rule is copied here, frozen, as of this revision.
"""

from alembic import op
import sqlalchemy as sa

from zongji.store.full_text import FullTextIndex

# The index as of this revision (0039 tags its terms with their block of ids on PostgreSQL).
ORDER_SEARCH = FullTextIndex("work_orders")


revision = '0038'
down_revision = '0037'
branch_labels = None
depends_on = None

BATCH = 5000
SEARCHED = ("number", "caller_name", "caller_number", "description", "place")
ANON = "anon:"


def _lower(ch):
    low = ch.lower()
    return low if len(low) == 1 else ch


def _terms(values, singles):
    if (values["caller_number"] or "").startswith(ANON):
        return ""
    out = {}
    for f in SEARCHED:
        prev = ""
        for ch in values[f] or "":
            if ch.isalnum():
                ch = _lower(ch)
                if prev:
                    out[prev + ch] = None
                prev = ch
            else:
                prev = ""
    if singles:
        for f in SEARCHED:
            for ch in values[f] or "":
                if ch.isalnum() and not ch.isdigit():
                    out[_lower(ch)] = None
    return " ".join(out)


def _refill(singles: bool) -> None:
    conn = op.get_bind()
    for sql in ORDER_SEARCH.statements(conn.dialect.name, drop=True):
        conn.exec_driver_sql(sql)
    last = 0
    while True:
        rows = conn.execute(sa.text(f"SELECT id, {', '.join(SEARCHED)} FROM work_orders WHERE id > :last "
                                    f"ORDER BY id LIMIT {BATCH}"), {"last": last}).all()
        if not rows:
            break
        params = [{"id": r[0], "t": _terms(dict(zip(SEARCHED, r[1:])), singles)} for r in rows]
        conn.execute(sa.text("UPDATE work_orders SET search_terms = :t WHERE id = :id"), params)
        last = rows[-1][0]
    for sql in ORDER_SEARCH.statements(conn.dialect.name):
        conn.exec_driver_sql(sql)


def upgrade() -> None:
    _refill(singles=True)


def downgrade() -> None:
    _refill(singles=False)
