"""The order's SLA timers (``zongji.store.jobs``; keys ``wo:<id>:<clock>:<phase>:<due>`` so each
reminder fires once per deadline, and stale ones are cancelled). What a due timer does is
``reminders.run_timer``."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import Status
from zongji.store import jobs
from zongji.store.models import Job
from zongji.store.work_order_models import WorkOrder


TIMER_KIND = "wo.timer"


def _timer_key(order_id: int, what: str, phase: str, due: datetime) -> str:
    return f"wo:{order_id}:{what}:{phase}:{int(due.timestamp())}"


def reschedule_timers(session: Session, row: WorkOrder, state: WorkOrderState,
                      clocks: Mapping[sla_rules.ClockKind, sla_rules.ClockReport],
                      status_due: sla_rules.StatusUpdateDue | None, now: datetime) -> list[str]:
    """Schedule the reminders the order needs now and cancel the ones it no longer needs."""
    wanted: list[tuple[str, str, str, datetime]] = []
    if state.is_open:
        for kind, r in clocks.items():
            if r.stopped_at is not None or r.paused:
                continue
            if r.state is sla_rules.ClockState.ON_TIME and r.warning_at < r.deadline:
                wanted.append((_timer_key(row.id, str(kind), "warning", r.warning_at), str(kind), "warning", r.warning_at))
            wanted.append((_timer_key(row.id, str(kind), "breach", r.deadline), str(kind), "breach", r.deadline))
        if status_due is not None:
            wanted.append((_timer_key(row.id, "status_update", status_due.reason, status_due.due_at), "status_update",
                           status_due.reason, status_due.due_at))
        if state.status is Status.CALLBACK and state.callback_agreed_at is not None:
            wanted.append((_timer_key(row.id, "callback_booked", "due", state.callback_agreed_at), "callback_booked",
                           "due", state.callback_agreed_at))
    keys = []
    for key, what, phase, due in wanted:
        jobs.schedule(session, TIMER_KIND, key, due, {"order_id": row.id, "what": what, "phase": phase,
                                                      "due": due.isoformat()})
        keys.append(key)
    stale = select(Job).where(Job.key.like(f"wo:{row.id}:%"), Job.state == "pending")
    for job in session.scalars(stale):
        if job.key not in keys:
            jobs.cancel(session, job.key)
    return keys
