"""What a due SLA timer does (the worker's job): notify whom it concerns, or remind the unit (催办)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.roles import Role
from zongji.domain.work_orders.actions import Remind
from zongji.domain.work_orders.rules import apply
from zongji.domain.work_orders.state import SYSTEM_ACTOR
from zongji.domain.work_orders.words import LEADER_STATUSES, WITH_UNIT_STATUSES, Status
from zongji.services import notifications
from zongji.services.work_orders.changes import after_change, save_change
from zongji.services.work_orders.sla_context import SlaContext
from zongji.services.work_orders.stored_state import row_state
from zongji.services.work_orders.visibility import SYSTEM_VIEWER
from zongji.store.work_order_models import WorkOrder


def run_timer(session: Session, payload: Mapping[str, Any], now: datetime, tz: ZoneInfo) -> str:
    """A due reminder (worker). Re-checks the order: if the clock stopped or its deadline moved,
    nothing happens (the order's current timers are already scheduled). Returns what it did."""
    row = session.get(WorkOrder, int(payload["order_id"]))
    if row is None:
        return "gone"
    state = row_state(row)
    if not state.is_open:
        return "closed"
    sla = SlaContext.load(session, tz)
    what, phase = str(payload["what"]), str(payload["phase"])
    due = datetime.fromisoformat(str(payload["due"]))
    creator = row.created_by_id
    if what == "status_update":
        cur = sla.status_update_due(session, state, now)
        if cur is None or abs((cur.due_at - due).total_seconds()) > 1:
            return "stale"
        notifications.notify(session, kind="status_update_due", subject=f"请告知来电人办理进展 {row.number}",
                             body=row.description[:200], order_id=row.id, order_number=row.number,
                             user_id=creator, role=None if creator else str(Role.OPERATOR), now=now, external=False)
        return "status_update"
    if what == "callback_booked":
        if state.status is not Status.CALLBACK or state.callback_agreed_at is None or \
                abs((state.callback_agreed_at - due).total_seconds()) > 1:
            return "stale"
        notifications.notify(session, kind="callback_booked", subject=f"约定的回访时间到 {row.number}",
                             body=row.caller_name or "", order_id=row.id, order_number=row.number,
                             user_id=creator, role=None if creator else str(Role.OPERATOR), now=now, external=False)
        return "callback_booked"
    kind = sla_rules.ClockKind(what)
    clocks = sla.clocks(session, state, now)
    r = clocks.get(kind)
    if r is None or r.stopped_at is not None:
        return "stale"
    target = r.warning_at if phase == "warning" else r.deadline
    if abs((target - due).total_seconds()) > 1:
        return "stale"
    if phase == "warning" and now >= r.deadline:
        return "superseded"  # a worker catching up: the breach reminder says it all
    zh = {"dispatch": "派单", "first_reply": "首次答复", "completion": "办结", "callback": "回访"}[what]
    subject = (f"{zh}即将到期 {row.number}" if phase == "warning" else f"{zh}已超期 {row.number}")
    if kind is sla_rules.ClockKind.COMPLETION and state.status in WITH_UNIT_STATUSES:
        new, entry = apply(state, Remind(automatic=True, reason=phase), SYSTEM_ACTOR, now)
        save_change(session, row, state, new, entry, SYSTEM_VIEWER, sla, now)
    else:
        after_change(session, row, state, sla, now, None)
        if kind in (sla_rules.ClockKind.DISPATCH,) or state.status in LEADER_STATUSES:
            notifications.notify(session, kind=f"{what}_{phase}", subject=subject, order_id=row.id,
                                 order_number=row.number, role=str(Role.SHIFT_LEADER), now=now, external=False)
        else:
            notifications.notify(session, kind=f"{what}_{phase}", subject=subject, order_id=row.id,
                                 order_number=row.number, user_id=creator,
                                 role=None if creator else str(Role.OPERATOR), now=now, external=False)
    return f"{what}:{phase}"
