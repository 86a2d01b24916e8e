"""call log: number search keys, indexes for every list (issue 18)

Revision ID: 0027
Revises: 0026
Create Date: 2026-12-04 20:20:00

Four search-key columns on ``calls`` (digits of the calling and called numbers without China's
country code, forwards and reversed: a number search is a prefix search on one of them, served by
a btree on both databases), filled for the existing calls in batches of 5,000 (a 30 M-call
database takes a while: run ``zongji db upgrade`` in a quiet hour). The call log's lists are read
from indexes whose leading columns are their filter and then (ringing_at, id): these replace the
single-column indexes on ``line_id`` and ``ringing_at``. Work orders: (status, created_at, id) for
the lists by status and the digits of the caller's number for the search by number.

The key function is copied here, frozen, from ``zongji.domain.caller_id.search_digits`` as of this
revision; later changes of that rule need their own migration.
"""

import unicodedata

from alembic import op
import sqlalchemy as sa


revision = '0027'
down_revision = '0026'
branch_labels = None
depends_on = None

BATCH = 5000
KEY = sa.String(length=64).with_variant(sa.String(length=64, collation="C"), "postgresql")


def _digits(raw):
    text = unicodedata.normalize("NFKC", raw or "").strip()
    lowered = text.lower()
    for scheme in ("sip:", "sips:", "tel:"):
        if lowered.startswith(scheme):
            text = text[len(scheme):]
            break
    text = text.split("@", 1)[0].split(";", 1)[0].strip()
    plus = text.startswith("+")
    digits = "".join(ch for ch in text if "0" <= ch <= "9")
    if digits.startswith("0086") and len(digits) > 4:
        digits = digits[4:]
    elif plus and digits.startswith("86") and len(digits) > 2:
        digits = digits[2:]
    elif (digits.startswith("86") and len(digits) == 13 and digits[2] == "1"
          and digits[3] in "3456789"):
        digits = digits[2:]
    return digits[:64]


def _backfill(conn, table, columns):
    """Fill ``{key: source}`` columns of ``table`` by id batches."""
    sources = sorted(set(columns.values()))
    last = 0
    while True:
        rows = conn.execute(sa.text(
            f"SELECT id, {', '.join(sources)} FROM {table} WHERE id > :last ORDER BY id LIMIT {BATCH}"),
            {"last": last}).all()
        if not rows:
            return
        params = []
        for r in rows:
            values = dict(zip(sources, r[1:]))
            p = {"id": r[0]}
            for key, source in columns.items():
                d = _digits(values[source])
                p[key] = d[::-1] if key.endswith("_rev") else d
            params.append(p)
        conn.execute(sa.text(f"UPDATE {table} SET " + ", ".join(f"{k} = :{k}" for k in columns)
                             + " WHERE id = :id"), params)
        last = rows[-1][0]


CALL_KEYS = {"calling_digits": "calling_number", "calling_digits_rev": "calling_number",
             "called_digits": "called_number", "called_digits_rev": "called_number"}
ORDER_KEYS = {"caller_digits": "caller_number", "caller_digits_rev": "caller_number"}


def upgrade() -> None:
    with op.batch_alter_table('calls', schema=None) as batch_op:
        for name in CALL_KEYS:
            batch_op.add_column(sa.Column(name, KEY, nullable=True))
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        for name in ORDER_KEYS:
            batch_op.add_column(sa.Column(name, KEY, nullable=True))
    conn = op.get_bind()
    _backfill(conn, "calls", CALL_KEYS)
    _backfill(conn, "work_orders", ORDER_KEYS)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_calls_line_id'))
        batch_op.drop_index(batch_op.f('ix_calls_ringing_at'))
        batch_op.create_index('ix_calls_ringing_at_id', ['ringing_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_line_ringing_at', ['line_id', 'ringing_at', 'id'], unique=False)
        batch_op.create_index('ix_calls_line_outcome_ringing_at', ['line_id', 'outcome', 'ringing_at', 'id'],
                              unique=False)
        for name in CALL_KEYS:
            batch_op.create_index(f'ix_calls_{name}', [name], unique=False)
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        batch_op.create_index('ix_work_orders_status_created_at', ['status', 'created_at', 'id'], unique=False)
        for name in ORDER_KEYS:
            batch_op.create_index(f'ix_work_orders_{name}', [name], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('work_orders', schema=None) as batch_op:
        for name in ORDER_KEYS:
            batch_op.drop_index(f'ix_work_orders_{name}')
        batch_op.drop_index('ix_work_orders_status_created_at')
        for name in ORDER_KEYS:
            batch_op.drop_column(name)
    with op.batch_alter_table('calls', schema=None) as batch_op:
        for name in CALL_KEYS:
            batch_op.drop_index(f'ix_calls_{name}')
        batch_op.drop_index('ix_calls_line_outcome_ringing_at')
        batch_op.drop_index('ix_calls_line_ringing_at')
        batch_op.drop_index('ix_calls_ringing_at_id')
        batch_op.create_index(batch_op.f('ix_calls_ringing_at'), ['ringing_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_calls_line_id'), ['line_id'], unique=False)
        for name in CALL_KEYS:
            batch_op.drop_column(name)
