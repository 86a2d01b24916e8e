"""How one change to an order is stored, in the same transaction: the new state, the timeline
entry, the audit record, the columns copied from the state, the units, a
``FeedItem(topic="work_order")`` for the consoles, the notifications and the rescheduled timers."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.work_orders.state import TimelineEntry, WorkOrderState
from zongji.domain.work_orders.words import FINAL_STATUSES, SYSTEM
from zongji.services import audit, live_feed
from zongji.services.work_orders.change_notices import notify_for
from zongji.services.work_orders.sla_context import SlaContext
from zongji.services.work_orders.stored_state import state_to_json
from zongji.services.work_orders.timers import reschedule_timers
from zongji.services.work_orders.visibility import Viewer
from zongji.store.work_order_models import WorkOrder, WorkOrderEvent, WorkOrderUnit


def add_event(session: Session, row: WorkOrder, entry: TimelineEntry, actor_name: str | None, *,
              from_status: str | None | object = ...) -> WorkOrderEvent:
    ev = WorkOrderEvent(
        order_id=row.id, at=entry.at, action=entry.action, actor_role=entry.actor_role, actor_id=entry.actor_id,
        actor_name=actor_name, actor_unit_id=entry.actor_unit_id,
        from_status=str(entry.from_status) if from_status is ... else from_status,  # type: ignore[arg-type]
        to_status=str(entry.to_status), note=entry.note, data=dict(entry.data) or None,
    )
    session.add(ev)
    return ev


def save_change(session: Session, row: WorkOrder, old: WorkOrderState, new: WorkOrderState,
                entry: TimelineEntry, viewer: Viewer, sla: SlaContext, now: datetime) -> None:
    row.state = state_to_json(new)
    row.version = (row.version or 0) + 1
    add_event(session, row, entry, viewer.display_name)
    audit.record(session, actor=viewer.audit_actor if viewer.role != SYSTEM else "system",
                 user_id=viewer.user_id or None, action=entry.action, entity="work_order", entity_id=row.id,
                 detail={"number": row.number, "from": str(entry.from_status), "to": str(entry.to_status),
                         "note": entry.note[:500], **{k: v for k, v in entry.data.items() if k != "text"}})
    after_change(session, row, new, sla, now, viewer)
    notify_for(session, row, old, new, entry, now, sla.tz)


def _sync_units(session: Session, row: WorkOrder, state: WorkOrderState) -> None:
    """The order's links to its units (main, assisting), each marked open while the order is."""
    want: dict[int, str] = {}
    if state.main_unit_id is not None:
        want[state.main_unit_id] = "main"
    for u in state.assisting_unit_ids:
        want.setdefault(u, "assisting")
    still_open = state.status not in FINAL_STATUSES
    have = {u.unit_id: u for u in session.scalars(select(WorkOrderUnit).where(WorkOrderUnit.order_id == row.id))}
    for uid, link in have.items():
        if uid not in want:
            session.delete(link)
            continue
        if link.role != want[uid]:
            link.role = want[uid]
        if link.order_open != still_open:
            link.order_open = still_open
    session.flush()
    for uid, role in want.items():
        if uid not in have:
            session.add(WorkOrderUnit(order_id=row.id, unit_id=uid, role=role, order_open=still_open))


def after_change(session: Session, row: WorkOrder, state: WorkOrderState, sla: SlaContext, now: datetime,
                 viewer: Viewer | None) -> None:
    """Copy the state into the columns, sync units, push to consoles, reschedule the timers."""
    row.status = str(state.status)
    row.order_type = str(state.order_type)
    row.situation = state.situation
    row.urgency = str(state.urgency)
    row.complexity = str(state.complexity) if state.complexity else None
    row.category = state.category
    row.main_unit_id = state.main_unit_id
    row.duplicate_of_id = state.duplicate_of
    row.supervised = state.supervised
    row.closed_at = state.closed_at
    clocks = sla.clocks(session, state, now)
    worst = sla_rules.worst_state(clocks.values())
    row.sla_state = str(worst) if worst else None
    comp = clocks.get(sla_rules.ClockKind.COMPLETION)
    row.completion_deadline = comp.deadline if comp else state.completion_deadline
    cb = clocks.get(sla_rules.ClockKind.CALLBACK)
    row.callback_due_at = cb.deadline if cb and cb.stopped_at is None else None
    _sync_units(session, row, state)
    session.flush()
    live_feed.publish(session, "work_order", row.id, at=now, payload={
        "id": row.id, "number": row.number, "status": row.status, "sla_state": row.sla_state,
        "main_unit_id": row.main_unit_id, "supervised": row.supervised, "version": row.version,
        # Every unit on the order (main and assisting): the live feed sends the update to them only.
        "unit_ids": sorted({u for u in (state.main_unit_id, *state.assisting_unit_ids) if u is not None}),
    })
    reschedule_timers(session, row, state, clocks, sla.status_update_due(session, state, now), now)
