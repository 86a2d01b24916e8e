"""Order numbers from the per-day counter."""

from __future__ import annotations

from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.dialects.postgresql import insert as postgresql_insert
from sqlalchemy.dialects.sqlite import insert as sqlite_insert
from sqlalchemy.orm import Session

from zongji.domain.work_orders.numbering import format_order_number, order_number_day
from zongji.store.work_order_models import WorkOrderCounter


def next_number(session: Session, created_at: datetime, tz: ZoneInfo) -> str:
    """``YYYYMMDD-NNNN`` from the per-day counter: one atomic upsert, safe with concurrent
    writers on PostgreSQL (row lock on conflict) and SQLite (writers serialised)."""
    day = order_number_day(created_at, tz)
    key = day.strftime("%Y%m%d")
    insert = postgresql_insert if session.get_bind().dialect.name == "postgresql" else sqlite_insert
    stmt = insert(WorkOrderCounter).values(day=key, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=[WorkOrderCounter.day],
                                      set_={"last": WorkOrderCounter.last + 1}).returning(WorkOrderCounter.last)
    seq = session.execute(stmt).scalar_one()
    return format_order_number(day, seq)
