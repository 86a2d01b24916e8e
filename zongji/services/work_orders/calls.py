"""The calls of an order: the creating call, repeat and callback calls linked to it (R-P6, R-P8),
recent calls with its caller not linked yet, and what "create a work order from this call"
carries over."""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.roles import CONSOLE_ROLES
from zongji.domain.work_orders.phone_digits import phone_digits
from zongji.domain.work_orders.state import TimelineEntry
from zongji.domain.work_orders.words import order_types_for_line
from zongji.errors import Conflict, Forbidden, NotFound
from zongji.services import audit, wakeups
from zongji.services.work_orders.changes import add_event
from zongji.errors import Invalid
from zongji.services.work_orders.stored_state import row_state
from zongji.services.work_orders.visibility import Viewer, get_visible
from zongji.settings import Settings
from zongji.store.models import Call, Line, utcnow
from zongji.store.work_order_models import WorkOrder, WorkOrderCall


CALL_PURPOSES = ("repeat", "callback", "other")  # "created" is set by create_order only
CALLBACK_ACTIONS = ("start_callback", "callback_attempt", "record_callback")


def call_for_link(session: Session, call_id: Any) -> Call:
    try:
        cid = int(call_id)
    except (TypeError, ValueError, OverflowError):
        raise Invalid("call_id must be a call's id", field="call_id") from None
    call = session.get(Call, cid) if 1 <= cid <= 2**62 else None
    if call is None:
        raise Invalid("no such call", field="call_id")
    return call


def _other_party(call: Call) -> str:
    """The citizen's number: the caller of an incoming call, the number dialled for an outgoing one."""
    return (call.called_number if call.direction == "out" else call.calling_number) or ""


def add_call_link(session: Session, viewer: Viewer, row: WorkOrder, call: Call, purpose: str,
                  now: datetime) -> WorkOrderCall:
    link = WorkOrderCall(order_id=row.id, call_id=call.id, purpose=purpose, linked_at=now, linked_by_id=viewer.user_id)
    session.add(link)
    st = row_state(row)
    add_event(session, row, TimelineEntry(now, "link_call", viewer.role, viewer.user_id, viewer.unit_id, st.status,
                                          st.status, "", {"call_id": call.id, "purpose": purpose,
                                                          "number": _other_party(call), "direction": call.direction}),
              viewer.display_name)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="link_call", entity="work_order",
                 entity_id=row.id, detail={"number": row.number, "call_id": call.id, "purpose": purpose})
    row.version = (row.version or 0) + 1
    session.flush()
    return link


def link_call(session: Session, viewer: Viewer, order_id: int, call_id: Any, purpose: str = "repeat", *,
              now: datetime | None = None) -> WorkOrderCall:
    """Link a further call to the order: the caller calling again (R-P8: one caller reporting it
    several times), the callback call (R-P6), or another call about it."""
    now = now or utcnow()
    if viewer.role not in {str(r) for r in CONSOLE_ROLES}:
        raise Forbidden("only the console may link calls to an order")
    if purpose not in CALL_PURPOSES:
        raise Invalid(f"purpose must be one of {', '.join(CALL_PURPOSES)}", field="purpose")
    row = get_visible(session, viewer, order_id, lock=True)
    call = call_for_link(session, call_id)
    if session.scalar(select(WorkOrderCall.id).where(WorkOrderCall.order_id == row.id,
                                                     WorkOrderCall.call_id == call.id)) is not None:
        raise Conflict("the call is already linked to this order", code="call_already_linked", field="call_id")
    return add_call_link(session, viewer, row, call, purpose, now)


def calls_out(session: Session, row: WorkOrder, tz: ZoneInfo) -> list[dict[str, Any]]:
    rows = session.execute(select(Call, WorkOrderCall).join(WorkOrderCall, WorkOrderCall.call_id == Call.id)
                           .where(WorkOrderCall.order_id == row.id)).all()
    out = [_call_out(c, tz, purpose=link.purpose or "created", linked_at=link.linked_at) for c, link in rows]
    out.sort(key=lambda c: c["at"] or "")
    return out


def _call_out(c: Call, tz: ZoneInfo, **extra: Any) -> dict[str, Any]:
    at = c.answered_at or c.ringing_at or c.created_at
    local = at.astimezone(tz) if at else None
    number = _other_party(c)
    day = local.date().isoformat() if local else ""
    return {"id": c.id, "at": local.isoformat() if local else None, "direction": c.direction, "number": number,
            "calling_number": c.calling_number, "called_number": c.called_number, "outcome": c.outcome,
            "state": c.state, "talk_seconds": c.talk_seconds, "notes": c.notes,
            "log_url": f"/calls?number={number}&date_from={day}&date_to={day}" if number else "/calls",
            **{k: (v.astimezone(tz).isoformat() if isinstance(v, datetime) else v) for k, v in extra.items()}}


def call_candidates(session: Session, row: WorkOrder, tz: ZoneInfo, now: datetime, *, days: int = 7,
                    limit: int = 5) -> list[dict[str, Any]]:
    """Recent calls with the order's caller not linked yet (to link a repeat or callback call)."""
    number = (row.caller_number or "").strip()
    if not number:
        return []
    digits = phone_digits(number)
    variants = {v for v in (number, digits) if v}
    linked = select(WorkOrderCall.call_id).where(WorkOrderCall.order_id == row.id)
    since = now - dt.timedelta(days=days)
    calls = session.scalars(select(Call).where(
        or_(Call.calling_number.in_(variants), Call.called_number.in_(variants)),
        Call.created_at >= since, Call.id.notin_(linked)).order_by(Call.created_at.desc(), Call.id.desc()).limit(limit))
    return [_call_out(c, tz) for c in calls]


def call_prefill(session: Session, viewer: Viewer, call_id: int, settings: Settings) -> dict[str, Any]:
    """What "create a work order from this call" carries over: caller, number, notes, line."""
    if viewer.role not in {str(r) for r in CONSOLE_ROLES}:
        raise Forbidden("only the console may create work orders")
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("no such call", field="call_id")
    line = session.get(Line, call.line_id) if call.line_id else None
    if line is not None and line.organisation.kind == "hotel":
        # No hotline work order on a hotel's switchboard: say where guest requests go instead.
        return {"call_id": call.id, "work_orders": False, "line_code": line.code, "line_kind": line.kind,
                "requests_to": _guest_service_unit(session, line, settings)}
    if call.caller_kind == "guest":
        audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="read", entity="guest",
                     entity_id=call.caller_ref_id, detail={"via": "work_order_prefill", "call_id": call.id})
    name = call.caller_label if call.caller_kind != "unknown" else None
    if name:
        name = name.replace("(VIP)", "").replace("(VIP)", "").strip()
    return {
        "call_id": call.id, "work_orders": True, "caller_name": name, "caller_number": call.calling_number,
        "description": call.notes or "", "line_code": line.code if line else None,
        "line_kind": line.kind if line else None,
        "order_types": [str(t) for t in order_types_for_line(line.kind if line else None)],
        "call_at": (call.answered_at or call.ringing_at or call.created_at).isoformat(),
    }


def _guest_service_unit(session: Session, line: Line, settings: Settings) -> dict[str, Any] | None:
    """The hotel's guest-service centre (the department the wake-up door tasks go to, setting
    ``wakeup_knock_unit``), which takes guests' requests; None if the hotel has none."""
    unit = wakeups.knock_unit(session, settings)
    if unit is None or unit.organisation_id != line.organisation_id:
        return None
    return {"id": unit.id, "name": unit.name, "name_en": unit.name_en, "extension": unit.extension}
