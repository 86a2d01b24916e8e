"""Planner statistics kept current (issue 18, point 2).

Without statistics SQLite's planner guesses: at 10 M calls a month's call log filtered by line and
outcome took 14 s, 0.35 s after one ANALYZE. PostgreSQL's autovacuum analyses on its own, but only
once a fifth of a table changed — a month of new calls in a table of three years never reaches it.

One job, exactly once whatever the number of workers (the job key is its due time):

* every ``db_optimize_minutes``: SQLite ``PRAGMA optimize`` (it analyses the tables whose row
  count changed tenfold or that have no statistics) and an ANALYZE of each big table that grew by
  more than a tenth since its statistics were gathered; PostgreSQL ``ANALYZE`` of each big table
  that changed by more than a tenth since its last analysis (pg_stat_user_tables);
* nightly at ``db_analyze_hour`` local time: ANALYZE of every big table.

On SQLite ``PRAGMA analysis_limit`` bounds the rows read per index, so an ANALYZE takes
milliseconds on any size; the statistics of a sample are as good for the planner.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import delete, text
from sqlalchemy.orm import Session

from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Job

log = logging.getLogger("zongji.planner_stats")

PLANNER_JOB = "db.planner_stats"
# The tables that grow with history and that the lists and reports filter.
BIG_TABLES = ("calls", "call_events", "work_orders", "work_order_events", "work_order_calls", "feed",
              "audit_log", "call_stats", "order_stats", "jobs", "messages", "people", "notifications")
GROWTH = 0.1  # re-analyse a table once it changed by this share of its rows


def _sqlite_rows(session: Session, table: str) -> int:
    # max(rowid) is read from the b-tree's right edge: O(log n), unlike count(*).
    return int(session.execute(text(f'SELECT coalesce(max(rowid), 0) FROM "{table}"')).scalar() or 0)


def _sqlite_analysed_rows(session: Session) -> dict[str, int]:
    try:
        rows = session.execute(text("SELECT tbl, max(CAST(stat AS INTEGER)) FROM sqlite_stat1 GROUP BY tbl"))
    except Exception:  # noqa: BLE001 - no sqlite_stat1 yet: nothing analysed
        return {}
    return {tbl: int(n or 0) for tbl, n in rows}


def _existing(session: Session, names: tuple[str, ...]) -> list[str]:
    dialect = session.get_bind().dialect.name
    if dialect == "postgresql":
        found = set(session.execute(text(
            "SELECT relname FROM pg_stat_user_tables WHERE schemaname = current_schema()")).scalars())
    else:
        found = set(session.execute(text("SELECT name FROM sqlite_master WHERE type = 'table'")).scalars())
    return [t for t in names if t in found]


def gather(session: Session, settings: Settings, *, full: bool = False) -> dict[str, Any]:
    """Bring the planner's statistics up to date; returns what was analysed."""
    dialect = session.get_bind().dialect.name
    tables = _existing(session, BIG_TABLES)
    analysed: list[str] = []
    if dialect == "postgresql":
        if full:
            todo = tables
        else:
            todo = [r.relname for r in session.execute(text(
                "SELECT relname, n_live_tup, n_mod_since_analyze, last_analyze, last_autoanalyze "
                "FROM pg_stat_user_tables WHERE schemaname = current_schema()"))
                if r.relname in tables and (
                    (r.last_analyze is None and r.last_autoanalyze is None)
                    or r.n_mod_since_analyze > GROWTH * max(r.n_live_tup, 1000))]
        for t in todo:
            session.execute(text(f'ANALYZE "{t}"'))
            analysed.append(t)
        return {"analysed": analysed, "optimized": False}
    session.execute(text(f"PRAGMA analysis_limit={int(settings.db_analyze_rows)}"))
    known = _sqlite_analysed_rows(session)
    for t in tables:
        rows = _sqlite_rows(session, t)
        before = known.get(t)
        if full or before is None or abs(rows - before) > GROWTH * max(before, 1000):
            session.execute(text(f'ANALYZE "{t}"'))
            analysed.append(t)
    session.execute(text("PRAGMA optimize"))
    return {"analysed": analysed, "optimized": True}


def _next_runs(now: dt.datetime, settings: Settings) -> tuple[dt.datetime, dt.datetime]:
    period = max(5, settings.db_optimize_minutes) * 60
    hourly = dt.datetime.fromtimestamp((now.timestamp() // period + 1) * period, dt.UTC)
    local = now.astimezone(settings.tz)
    nightly = local.replace(hour=settings.db_analyze_hour, minute=0, second=0, microsecond=0)
    if nightly <= local:
        nightly = (local + dt.timedelta(days=1)).replace(hour=settings.db_analyze_hour, minute=0, second=0,
                                                         microsecond=0)
    return hourly, nightly.astimezone(dt.UTC)


def ensure_scheduled(session: Session, now: dt.datetime, settings: Settings) -> None:
    """Keep the next periodic run and the next nightly run scheduled (once per due time)."""
    hourly, nightly = _next_runs(now, settings)
    jobs.schedule(session, PLANNER_JOB, f"planner-stats:{hourly.isoformat()}", hourly, {"full": False})
    jobs.schedule(session, PLANNER_JOB, f"planner-stats-full:{nightly.isoformat()}", nightly, {"full": True})
    session.execute(delete(Job).where(Job.kind == PLANNER_JOB, Job.state == "done",
                                      Job.finished_at < now - dt.timedelta(days=7)))
