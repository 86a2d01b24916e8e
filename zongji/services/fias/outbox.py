"""Records for the PMS, queued durably (``fias_outbox``) in the transaction of the change they
report, and sent by the link in ``id`` order, each marked ``sent`` once written."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from zongji.domain.fias.records import Record, format_record
from zongji.store.fias_models import FiasOutbox


def enqueue(session: Session, record: Record) -> FiasOutbox:
    row = FiasOutbox(kind=record.kind, record=format_record(record), state="pending")
    session.add(row)
    session.flush()
    return row


def pending(session: Session, *, limit: int = 100) -> list[tuple[int, str]]:
    """The next records to send, oldest first: (id, record text)."""
    rows = session.execute(select(FiasOutbox.id, FiasOutbox.record).where(FiasOutbox.state == "pending")
                           .order_by(FiasOutbox.id).limit(limit))
    return [(r.id, r.record) for r in rows]


def mark_sent(session: Session, ids: list[int], now: dt.datetime) -> None:
    if ids:
        session.execute(update(FiasOutbox).where(FiasOutbox.id.in_(ids), FiasOutbox.state == "pending")
                        .values(state="sent", sent_at=now))


def counts(session: Session) -> dict[str, Any]:
    rows = session.execute(select(FiasOutbox.state, func.count()).group_by(FiasOutbox.state))
    out = {state: n for state, n in rows}
    oldest = session.scalar(select(func.min(FiasOutbox.created_at)).where(FiasOutbox.state == "pending"))
    return {"pending": out.get("pending", 0), "sent": out.get("sent", 0), "oldest_pending": oldest}
