"""An order as the API shows it: the summary a list shows and the full detail (timeline, clocks,
links, calls, attachments, guidance, the actions the viewer may take)."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.work_orders.guidance import Guidance, guidance_for
from zongji.domain.work_orders.rules import allowed_actions
from zongji.domain.work_orders.state import WorkOrderState
from zongji.services.work_orders.calls import call_candidates, calls_out
from zongji.services.work_orders.categories import categories
from zongji.services.work_orders.form_meta import guidance_out
from zongji.services.work_orders.sla_context import SlaContext
from zongji.services.work_orders.stored_state import row_state
from zongji.services.work_orders.units import dispatch_units
from zongji.services.work_orders.visibility import Viewer, visible_clause
from zongji.store.models import Department, User, utcnow
from zongji.store.work_order_models import (
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderCategory,
    WorkOrderEvent,
    WorkOrderLink,
)


def _event_out(e: WorkOrderEvent, tz: ZoneInfo, units: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": e.id, "at": e.at.astimezone(tz).isoformat(), "action": e.action, "actor_role": e.actor_role,
        "actor_id": e.actor_id, "actor_name": e.actor_name, "actor_unit_id": e.actor_unit_id,
        "actor_unit": units.get(e.actor_unit_id) if e.actor_unit_id else None,
        "from_status": e.from_status, "to_status": e.to_status, "note": e.note, "data": e.data or {},
    }


def units_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
    ids = {i for i in ids if i}
    if not ids:
        return {}
    return {d.id: d.name for d in session.scalars(select(Department).where(Department.id.in_(ids)))}


def _clock_summary(r: sla_rules.ClockReport, tz: ZoneInfo) -> dict[str, Any]:
    d = r.to_dict()
    for k in ("started_at", "deadline", "warning_at", "stopped_at", "max_deadline"):
        if d.get(k):
            d[k] = datetime.fromisoformat(d[k]).astimezone(tz).isoformat()  # type: ignore[arg-type]
    return d


def order_summary(session: Session, row: WorkOrder, sla: SlaContext, now: datetime, viewer: Viewer,
                  units: Mapping[int, str], cats: Mapping[str, WorkOrderCategory]) -> dict[str, Any]:
    tz = sla.tz
    state = row_state(row)
    clocks = sla.clocks(session, state, now)
    worst = sla_rules.worst_state(clocks.values())
    cat = cats.get(row.category or "")
    return {
        "id": row.id, "number": row.number, "order_type": row.order_type, "situation": row.situation,
        "category": row.category, "category_label": ({"zh": cat.name_zh, "en": cat.name_en or cat.name_zh} if cat else None),
        "urgency": row.urgency, "complexity": row.complexity, "status": row.status,
        "caller_name": row.caller_name,
        "caller_number": row.caller_number if (not viewer.is_unit or row.contact_consent) else None,
        "contact_consent": row.contact_consent, "place": row.place,
        "description": row.description, "created_at": row.created_at.astimezone(tz).isoformat(),
        "main_unit": {"id": row.main_unit_id, "name": units.get(row.main_unit_id, "")} if row.main_unit_id else None,
        "supervised": row.supervised, "supervision_reason": state.supervision_reason,
        "duplicate_of_id": row.duplicate_of_id, "following": state.is_following,
        "sla_state": str(worst) if worst else None,
        "clocks": {str(k): {"state": str(r.state), "deadline": r.deadline.astimezone(tz).isoformat(),
                            "paused": r.paused, "provisional_years": list(r.provisional_years)}
                   for k, r in clocks.items()},
        "completion_deadline": row.completion_deadline.astimezone(tz).isoformat() if row.completion_deadline else None,
        # The completion deadline was counted over a year whose holiday notice is not imported
        # (its holidays computed by rule): it may still move (issue 8).
        "deadline_provisional_years": (list(clocks[sla_rules.ClockKind.COMPLETION].provisional_years)
                                       if sla_rules.ClockKind.COMPLETION in clocks else []),
        "callback_due_at": row.callback_due_at.astimezone(tz).isoformat() if row.callback_due_at else None,
        "callback_agreed_at": state.callback_agreed_at.astimezone(tz).isoformat() if state.callback_agreed_at else None,
        "callback_outcome": str(state.callback.outcome) if state.callback else None,
        "extension_pending": state.pending_extension is not None,
        "pause_pending": state.pending_pause is not None,
        "pause_request": ({"reason": state.pending_pause.reason,
                           "requested_at": state.pending_pause.requested_at.astimezone(tz).isoformat()}
                          if state.pending_pause is not None else None),
        "extension_request": ({"requested_deadline": state.pending_extension.requested_deadline.astimezone(tz).isoformat(),
                               "reason": state.pending_extension.reason,
                               "requested_at": state.pending_extension.requested_at.astimezone(tz).isoformat()}
                              if state.pending_extension is not None else None),
        "reply_text": state.reply_text,
        "reminder_count": state.reminder_count,
        "by_phone": state.by_phone,
        "version": row.version,
    }


def order_detail(session: Session, row: WorkOrder, viewer: Viewer, *, tz: ZoneInfo, now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    sla = SlaContext.load(session, tz)
    state = row_state(row)
    events = list(session.scalars(select(WorkOrderEvent).where(WorkOrderEvent.order_id == row.id)
                                  .order_by(WorkOrderEvent.at, WorkOrderEvent.id)))
    unit_ids = {row.main_unit_id, *state.assisting_unit_ids, *(e.actor_unit_id for e in events),
                *(e.data.get("unit_id") for e in events if e.data and isinstance(e.data.get("unit_id"), int))}
    units = units_by_id(session, unit_ids)
    cats = {c.code: c for c in categories(session)}
    out = order_summary(session, row, sla, now, viewer, units, cats)
    clocks = sla.clocks(session, state, now)
    due = sla.status_update_due(session, state, now)
    links = session.scalars(select(WorkOrderLink).where(or_(WorkOrderLink.order_id == row.id,
                                                            WorkOrderLink.other_id == row.id))).all()
    others = {o.id: o for o in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(
        [lk.other_id if lk.order_id == row.id else lk.order_id for lk in links])))} if links else {}
    clause = visible_clause(viewer)
    visible_others = set(others)
    if clause is not None and others:
        visible_others = set(session.scalars(select(WorkOrder.id).where(WorkOrder.id.in_(list(others)), clause)))
    atts = session.scalars(select(WorkOrderAttachment).where(WorkOrderAttachment.order_id == row.id)
                           .order_by(WorkOrderAttachment.id)).all()
    creator = session.get(User, row.created_by_id) if row.created_by_id else None
    guidance = None
    if row.situation:
        try:
            g = guidance_for(row.order_type, row.situation, row.line_kind)
            assert isinstance(g, Guidance)
            guidance = guidance_out(g)
        except KeyError:
            guidance = None
    ext = state.extension
    out.update({
        "line_kind": row.line_kind, "details": row.details or {}, "caller_unit_room": row.caller_unit_room,
        "product_serial": row.product_serial, "channel": row.channel,
        "latitude": row.latitude, "longitude": row.longitude,
        "created_by": {"id": creator.id, "display_name": creator.display_name,
                       "operator_number": creator.operator_number} if creator else None,
        "assisting_units": [{"id": u, "name": units.get(u, "")} for u in sorted(state.assisting_unit_ids)],
        "timeline": [_event_out(e, tz, units) for e in events],
        "clock_reports": [_clock_summary(r, tz) for r in clocks.values()],
        "status_update_due": ({"due_at": due.due_at.astimezone(tz).isoformat(), "reason": due.reason} if due else None),
        "allowed_actions": _useful_actions(state, viewer),
        "direct_handling": state.direct_handling, "direct_result": state.direct_result,
        "last_return_reason": state.last_return_reason, "return_count": state.return_count,
        "reopen_count": state.reopen_count, "paused": state.is_paused,
        "pauses": [{"start": p.start.astimezone(tz).isoformat(), "end": p.end.astimezone(tz).isoformat() if p.end else None,
                    "reason": p.reason} for p in state.pauses],
        "pause_request": None if state.pause_request is None else {
            "status": str(state.pause_request.status), "reason": state.pause_request.reason,
            "requested_at": state.pause_request.requested_at.astimezone(tz).isoformat(),
            "decision_note": state.pause_request.decision_note},
        "extension": None if ext is None else {
            "status": str(ext.status), "reason": ext.reason, "requested_at": ext.requested_at.astimezone(tz).isoformat(),
            "requested_deadline": ext.requested_deadline.astimezone(tz).isoformat(),
            "granted_deadline": ext.granted_deadline.astimezone(tz).isoformat() if ext.granted_deadline else None,
            "decision_note": ext.decision_note},
        "callback": None if state.callback is None else {
            "at": state.callback.at.astimezone(tz).isoformat(), "outcome": str(state.callback.outcome),
            "problems": [str(p) for p in state.callback.problems], "caller_words": state.callback.caller_words},
        "callback_attempts": state.callback_attempts,
        "replied_at": state.replied_at.astimezone(tz).isoformat() if state.replied_at else None,
        "findings": row.findings, "manager_opinion": row.manager_opinion,
        "links": [{"id": o.id, "number": o.number, "status": o.status, "caller_name": o.caller_name,
                   "kind": lk.kind, "description": (o.description or "")[:140],
                   # R-P8: "primary" — this order follows that one; "follower" — that one follows this.
                   "role": ("primary" if row.duplicate_of_id == o.id else
                            "follower" if o.duplicate_of_id == row.id else None)}
                  for lk in links for o in [others.get(lk.other_id if lk.order_id == row.id else lk.order_id)]
                  if o is not None and o.id in visible_others],
        # Linked calls (the creating call, repeat calls, callback calls) with a link to the call log;
        # console only, like the caller's number.
        "calls": calls_out(session, row, tz) if not viewer.is_unit else [],
        "call_candidates": call_candidates(session, row, tz, now) if not viewer.is_unit else [],
        "attachments": [{"id": a.id, "filename": a.filename, "size": a.size, "content_type": a.content_type,
                         "uploaded_at": a.uploaded_at.astimezone(tz).isoformat(),
                         "url": f"/api/work-orders/{row.id}/attachments/{a.id}"} for a in atts],
        "guidance": guidance,
        # Where this order may be dispatched: the units of the organisation whose line took it.
        "dispatch_units": ([{"id": u.id, "name": u.name, "duties": u.duties, "phone": u.phone}
                            for u in dispatch_units(session, row)] if not viewer.is_unit else []),
    })
    return out


def _useful_actions(state: WorkOrderState, viewer: Viewer) -> list[str]:
    """The actions the state machine allows, without buttons that cannot work now (e.g. grant
    an extension nobody asked for, resume a clock that runs)."""
    out = []
    for a in allowed_actions(state, viewer.actor):
        if a in ("grant_extension", "refuse_extension") and state.pending_extension is None:
            continue
        if a == "request_extension" and state.pending_extension is not None:
            continue
        if a in ("grant_pause", "refuse_pause") and state.pending_pause is None:
            continue
        if a == "request_pause" and (state.pending_pause is not None or state.is_paused):
            continue
        if (a == "resume") != state.is_paused and a in ("pause", "resume"):
            continue
        if a == "remove_assisting_unit" and not state.assisting_unit_ids:
            continue
        if (a == "supervise" and state.supervised) or (a == "unsupervise" and not state.supervised):
            continue
        out.append(a)
    return out
