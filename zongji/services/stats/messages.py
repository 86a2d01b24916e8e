"""Messages taken and delivered on time (issue 10, point 1; R-H5, R-C4): the facts of the
messages of a range, read once, counted by the domain (``kpi.count_messages``)."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict

from sqlalchemy import func, or_, select, true
from sqlalchemy.orm import Session

from zongji.domain.stats import kpi
from zongji.settings import Settings
from zongji.store.models import Call
from zongji.store.switchboard_models import Message, MessageDelivery


def within(settings: Settings) -> dt.timedelta:
    return dt.timedelta(minutes=settings.stats_message_delivery_minutes)


def facts_by_taker(session: Session, start: dt.datetime, end: dt.datetime, *, taken_by: list[int] | None = None,
                   line_filter: frozenset[int] | None = None) -> dict[int, list[kpi.MessageFacts]]:
    """The messages taken in ``[start, end)`` (voided ones left out), by who took them; narrowed to
    some takers, and to the lines of the calls they were taken on (a message without a call, or
    on a call without a line, always counts)."""
    first = (select(MessageDelivery.message_id, func.min(MessageDelivery.at).label("at"))
             .group_by(MessageDelivery.message_id).subquery())
    q = (select(Message.taken_by_id, Message.taken_at, Message.caller_name, Message.caller_number, Message.content,
                Message.read_back_at, first.c.at)
         .outerjoin(first, first.c.message_id == Message.id)
         .where(Message.taken_at >= start, Message.taken_at < end, Message.state != "void"))
    if taken_by is not None:
        q = q.where(Message.taken_by_id.in_(taken_by))
    if line_filter is not None:
        q = q.outerjoin(Call, Call.id == Message.call_id).where(
            or_(Call.id.is_(None), Call.line_id.is_(None), Call.line_id.in_(sorted(line_filter))))
    else:
        q = q.where(true())
    out: dict[int, list[kpi.MessageFacts]] = defaultdict(list)
    # In a fixed order: the same messages give the same lists whatever order the database finds
    # them in (on PostgreSQL an update moves a row; the retention test compares these lists).
    for m in session.execute(q.order_by(Message.taken_at, Message.id)):
        complete = all((v or "").strip() for v in (m.caller_name, m.caller_number, m.content)) \
            and m.read_back_at is not None
        out[m.taken_by_id or 0].append(kpi.MessageFacts(complete=bool(complete), first_delivered_at=m.at,
                                                        taken_at=m.taken_at))
    return out


def figures(c: kpi.MessageCounts) -> dict[str, float | int | None]:
    return {"messages_taken": c.taken, "message_completeness": kpi.message_completeness(c),
            "messages_delivered_on_time": kpi.delivered_on_time_rate(c)}
