"""Channel figures for the statistics (issue 15, point 7): per channel, the messages received in a
range of local days, how many had a first answer, how many within their channel's clock, the mean
first-response time, and the work orders made by that channel."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.intake.channels import CHANNELS
from zongji.store.intake_models import IntakeMessage
from zongji.store.work_order_models import WorkOrder


def _instant(day: dt.date, tz: ZoneInfo) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(), tz)


def channel_figures(session: Session, date_from: dt.date, date_to: dt.date, tz: ZoneInfo) -> list[dict[str, Any]]:
    """One row per channel for ``date_from`` ≤ local day < ``date_to``."""
    start, end = _instant(date_from, tz), _instant(date_to, tz)
    rows = {c: {"channel": c, "messages": 0, "answered": 0, "answered_in_time": 0,
                "mean_first_response_seconds": None, "orders": 0} for c in CHANNELS}
    msgs = session.execute(select(IntakeMessage.channel, IntakeMessage.received_at, IntakeMessage.first_responded_at,
                                  IntakeMessage.first_response_due_at)
                           .where(IntakeMessage.direction == "in", IntakeMessage.received_at >= start,
                                  IntakeMessage.outcome.is_distinct_from("automatic"),
                                  IntakeMessage.received_at < end))
    waits: dict[str, list[float]] = {}
    for ch, received, responded, due in msgs:
        r = rows.setdefault(ch, {"channel": ch, "messages": 0, "answered": 0, "answered_in_time": 0,
                                 "mean_first_response_seconds": None, "orders": 0})
        r["messages"] += 1
        if responded is not None:
            r["answered"] += 1
            r["answered_in_time"] += int(due is None or responded <= due)
            waits.setdefault(ch, []).append((responded - received).total_seconds())
    for ch, w in waits.items():
        rows[ch]["mean_first_response_seconds"] = round(sum(w) / len(w), 1)
    for ch, n in session.execute(select(WorkOrder.channel, func.count()).where(WorkOrder.created_at >= start,
                                                                              WorkOrder.created_at < end)
                                 .group_by(WorkOrder.channel)):
        rows.setdefault(ch, {"channel": ch, "messages": 0, "answered": 0, "answered_in_time": 0,
                             "mean_first_response_seconds": None, "orders": 0})["orders"] = n
    return list(rows.values())
