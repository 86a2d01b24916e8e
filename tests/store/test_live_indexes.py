"""The wallboard's "now" reads the few live calls and open orders through partial indexes, never
the whole tables: with years of ended calls and closed orders, and planner statistics gathered
(ANALYZE), the plans still use them (issue 10, point 7)."""

from __future__ import annotations

from sqlalchemy import text

from zongji.domain.work_orders.words import FINAL_STATUSES, LEADER_STATUSES
from zongji.store.models import LIVE_CALL_STATES, LIVE_CALLS_SQL
from zongji.store.work_order_models import LEADER_QUEUE_SQL, OPEN_ORDERS_SQL


def test_the_index_predicates_say_what_the_domain_says():
    assert OPEN_ORDERS_SQL == "status NOT IN (" + ", ".join(f"'{s}'" for s in sorted(FINAL_STATUSES)) + ")"
    assert LEADER_QUEUE_SQL == "status IN (" + ", ".join(f"'{s}'" for s in sorted(LEADER_STATUSES)) + ")"
    assert LIVE_CALLS_SQL == "state IN (" + ", ".join(f"'{s}'" for s in LIVE_CALL_STATES) + ")"


def test_live_calls_and_open_orders_are_found_by_their_partial_indexes(write, backend):
    with write() as s:
        s.execute(text("INSERT INTO calls (direction, calling_number, called_number, state, caller_kind, caller_vip, "
                       "supplementary, created_at, updated_at, ringing_at) "
                       "SELECT 'in', '1', '2', 'ended', 'unknown', false, false, :t, :t, :t FROM "
                       + ("generate_series(1, 3000)" if backend == "postgresql" else
                          "(WITH RECURSIVE n(i) AS (SELECT 1 UNION ALL SELECT i + 1 FROM n WHERE i < 3000) SELECT i FROM n)")),
                  {"t": "2026-12-01 00:00:00.000000" if backend == "sqlite" else "2026-12-01 00:00:00+00"})
        s.execute(text("ANALYZE"))
        explain = "EXPLAIN QUERY PLAN " if backend == "sqlite" else "EXPLAIN "
        if backend == "postgresql":
            s.execute(text("SET LOCAL enable_seqscan = off"))
        live = " ".join(str(r[-1]) for r in s.execute(text(
            f"{explain}SELECT state FROM calls WHERE {LIVE_CALLS_SQL} AND direction != 'out'")))
        late = " ".join(str(r[-1]) for r in s.execute(text(
            f"{explain}SELECT count(*) FROM work_orders WHERE {OPEN_ORDERS_SQL} "
            "AND completion_deadline < '2026-12-01'")))
    assert "ix_calls_live" in live, live
    # Open orders past their deadline: through an index, never the whole table. With no order in
    # the table the planner may take the partial index or the deadline index (equal costs on
    # PostgreSQL); either serves the query without reading the closed orders of years.
    assert "ix_work_orders_open_deadline" in late or "ix_work_orders_completion_deadline" in late, late
