"""What changes an order: create it, apply one action (``{"action": "dispatch", …}``) through the
domain state machine (``zongji.domain.work_orders.rules.apply``), correct its record."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.intake.channels import parse_channel
from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.domain.work_orders.actions import (
    AddAssistingUnit,
    CloseDirectly,
    Dispatch,
    Reclassify,
    Remind,
    RequestExtension,
    action_from_dict,
)
from zongji.domain.work_orders.errors import InvalidAction, WorkOrderError
from zongji.domain.work_orders.guidance import Guidance, guidance_for, situation_required, situations_of
from zongji.domain.work_orders.rules import apply
from zongji.domain.work_orders.state import TimelineEntry, WorkOrderState
from zongji.domain.work_orders.words import SYSTEM, Complexity, OrderType, Status, Urgency
from zongji.errors import Forbidden
from zongji.services import audit, live_feed, notifications
from zongji.services.work_orders.calls import CALLBACK_ACTIONS, add_call_link, call_for_link
from zongji.services.work_orders.categories import check_category
from zongji.services.work_orders.changes import add_event, after_change, save_change
from zongji.errors import Invalid
from zongji.services.work_orders import phrase_hits
from zongji.services.work_orders.links import link_orders, propagate_reply
from zongji.services.work_orders.numbers import next_number
from zongji.services.work_orders.sla_context import SlaContext
from zongji.services.work_orders.stored_state import row_state, state_to_json
from zongji.services.work_orders.units import check_unit
from zongji.services.work_orders.visibility import Viewer, get_visible
from zongji.store.models import Call, Line, utcnow
from zongji.store.work_order_models import WorkOrder, WorkOrderCall


TEXT_MAX = 4000


@dataclass
class NewOrder:
    order_type: str
    description: str
    situation: str | None = None
    line_code: str | None = None
    category: str | None = None
    urgency: str = "normal"
    complexity: str | None = None
    caller_name: str | None = None
    caller_number: str | None = None
    contact_consent: bool = True
    caller_unit_room: str | None = None
    product_serial: str | None = None
    channel: str = "phone"
    place: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    details: dict[str, Any] = field(default_factory=dict)
    call_id: int | None = None
    close_directly: dict[str, str] | None = None  # {"handling", "result"}
    link_to: list[dict[str, Any]] = field(default_factory=list)  # [{"order_id", "kind"}]


_DETAIL_FIELDS = {"event_time", "staff_name", "badge_number"}


def _check_required(g: Guidance, o: NewOrder) -> None:
    for name in g.required_fields:
        if name == "caller_name":
            ok = bool((o.caller_name or "").strip()) or not o.contact_consent
        elif name == "contact":
            ok = bool((o.caller_number or "").strip())
        elif name == "place":
            ok = bool((o.place or "").strip()) or (o.latitude is not None and o.longitude is not None)
        elif name == "description":
            ok = bool(o.description.strip())
        elif name == "handling":
            ok = o.close_directly is None or bool((o.close_directly.get("handling") or "").strip())
        elif name in _DETAIL_FIELDS:
            ok = bool(str(o.details.get(name) or "").strip())
        else:
            ok = True
        if not ok:
            where = {"contact": "caller_number", "handling": "close_directly.handling"}.get(name, name)
            if name in _DETAIL_FIELDS:
                where = f"details.{name}"
            raise Invalid(f"{name.replace('_', ' ')} is required for this kind of order", field=where)


def create_order(session: Session, viewer: Viewer, o: NewOrder, *, tz: ZoneInfo, now: datetime | None = None,
                 warnings: list[dict[str, Any]] | None = None) -> WorkOrder:
    """Create the order; forbidden phrases in a direct close's texts go to ``warnings``."""
    now = now or utcnow()
    if viewer.role not in {str(r) for r in CONSOLE_ROLES}:
        raise Forbidden("only the console may create work orders")
    try:
        otype = OrderType(o.order_type)
    except ValueError:
        raise Invalid(f"unknown order type {o.order_type!r}", field="order_type") from None
    try:
        urgency = Urgency(o.urgency or "normal")
    except ValueError:
        raise Invalid(f"unknown urgency {o.urgency!r}", field="urgency") from None
    try:
        complexity = Complexity(o.complexity) if o.complexity else None
    except ValueError:
        raise Invalid(f"unknown complexity {o.complexity!r}", field="complexity") from None
    try:
        channel = parse_channel(o.channel)
    except ValueError as e:
        raise Invalid(str(e), field="channel") from None
    if not o.description.strip():
        raise Invalid("the description is required", field="description")
    if (o.latitude is None) != (o.longitude is None):
        raise Invalid("give both coordinates or none", field="latitude" if o.latitude is None else "longitude")
    if o.latitude is not None and not (-90 <= o.latitude <= 90):
        raise Invalid("latitude out of range", field="latitude")
    if o.longitude is not None and not (-180 <= o.longitude <= 180):
        raise Invalid("longitude out of range", field="longitude")
    call = None
    if o.call_id is not None:
        call = session.get(Call, o.call_id)
        if call is None:
            raise Invalid("no such call", field="call_id")
    line = None
    if o.line_code:
        line = session.scalar(select(Line).where(Line.code == o.line_code))
        if line is None:
            raise Invalid(f"unknown line {o.line_code!r}", field="line_code")
    elif call is not None and call.line_id is not None:
        line = session.get(Line, call.line_id)
    if line is not None and line.organisation.kind == "hotel":
        # A hotel's switchboard takes no hotline work orders: guest requests go with the
        # guest-service work (issue 8).
        raise Invalid("a hotel's switchboard takes no work orders: guest requests go to the guest-service "
                      "centre (transfer the call or pass the request on)",
                      field="line_code" if o.line_code else "call_id", code="hotel_line")
    line_kind = line.kind if line is not None and line.kind in ("hotline_12345", "hotline_400") else None
    if line is not None and line.kind == "switchboard":
        line_kind = "switchboard"
    guidance = None
    if o.situation:
        try:
            guidance = guidance_for(otype, o.situation, line_kind)
        except KeyError:
            raise Invalid(f"unknown situation {o.situation!r} for {otype} "
                          f"({', '.join(situations_of(otype, line_kind))})", field="situation") from None
        assert isinstance(guidance, Guidance)
        _check_required(guidance, o)
    elif situation_required(otype, line_kind):
        # R-P2: the type's handling (close directly or dispatch) depends on the situation.
        raise Invalid(f"R-P2: the situation is required for a {otype} order "
                      f"({', '.join(situations_of(otype, line_kind))})", field="situation",
                      code="situation_required")
    category = check_category(session, o.category)
    try:
        state = WorkOrderState.new(otype, now, urgency=urgency, complexity=complexity, category=category,
                                   line_kind=line_kind, created_by=viewer.user_id, situation=o.situation or None)
    except InvalidAction as e:
        raise Invalid(e.message, field=e.field or "order_type", code=e.code) from None
    complexity = state.complexity  # a company complaint's situation sets it (R-S10)
    row = WorkOrder(
        number=next_number(session, now, tz), line_id=line.id if line else None, line_kind=line_kind,
        order_type=str(otype), situation=o.situation, category=category, urgency=str(urgency),
        complexity=str(complexity) if complexity else None, status=str(state.status),
        caller_name=_clip(o.caller_name, 100), caller_number=_clip(o.caller_number, 64),
        contact_consent=o.contact_consent, caller_unit_room=_clip(o.caller_unit_room, 100),
        product_serial=_clip(o.product_serial, 100), channel=str(channel),
        place=_clip(o.place, TEXT_MAX), latitude=o.latitude, longitude=o.longitude,
        description=o.description.strip()[:TEXT_MAX],
        details={k: str(v)[:200] for k, v in (o.details or {}).items() if v not in (None, "")} or None,
        created_at=now, created_by_id=viewer.user_id, state=state_to_json(state),
    )
    session.add(row)
    session.flush()
    add_event(session, row, TimelineEntry(now, "create", viewer.role, viewer.user_id, viewer.unit_id,
                                          state.status, state.status, "",
                                          {"number": row.number, "order_type": str(otype),
                                           "situation": o.situation, "call_id": o.call_id}),
              viewer.display_name, from_status=None)
    if call is not None:
        session.add(WorkOrderCall(order_id=row.id, call_id=call.id, purpose="created", linked_at=now,
                                  linked_by_id=viewer.user_id))
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="create", entity="work_order",
                 entity_id=row.id, detail={"number": row.number, "order_type": str(otype), "call_id": o.call_id})
    sla = SlaContext.load(session, tz)
    if o.close_directly is not None:
        handling = (o.close_directly.get("handling") or "").strip()
        result = (o.close_directly.get("result") or "").strip()
        try:
            new, entry = apply(state, CloseDirectly(handling=handling, result=result), viewer.actor, now)
        except WorkOrderError as e:
            where = f"close_directly.{e.field}" if e.field in ("handling", "result") else (e.field or "situation")
            raise Invalid(e.message, field=where, code=e.code) from None
        save_change(session, row, state, new, entry, viewer, sla, now)
        found = phrase_hits.record(session, viewer, row, "close_directly", {"handling": handling, "result": result})
        if warnings is not None:
            warnings.extend({**w, "field": f"close_directly.{w['field']}"} for w in found)
    else:
        after_change(session, row, state, sla, now, viewer)
    for link in o.link_to:
        link_orders(session, viewer, row.id, int(link.get("order_id") or 0), str(link.get("kind") or "related"),
                    tz=tz, now=now)
    if o.close_directly is None and row.duplicate_of_id is None:  # a duplicate follows its primary (R-P8)
        notifications.notify(session, kind="created", subject=f"新工单待派 {row.number}", body=row.description[:200],
                             order_id=row.id, order_number=row.number, role=str(Role.SHIFT_LEADER), now=now)
    return row


def _clip(v: str | None, n: int) -> str | None:
    v = (v or "").strip()
    return v[:n] or None


def act(session: Session, viewer: Viewer, order_id: int, payload: Mapping[str, Any], *, tz: ZoneInfo,
        now: datetime | None = None, warnings: list[dict[str, Any]] | None = None) -> WorkOrder:
    """Apply one action (``{"action": "dispatch", "unit_id": 3, …}``) by the viewer; forbidden
    phrases in its texts are recorded and go to ``warnings``."""
    now = now or utcnow()
    if viewer.is_unit and viewer.unit_id is None:
        raise Forbidden("this unit handler belongs to no unit")
    row = get_visible(session, viewer, order_id, lock=True)
    call = None
    if payload.get("action") in CALLBACK_ACTIONS and "call_id" in payload:
        # The callback call (R-P6) recorded from the console is linked to the order.
        payload = dict(payload)
        call = call_for_link(session, payload.pop("call_id"))
    try:
        action = action_from_dict(payload)
    except InvalidAction as e:
        raise Invalid(e.message, field=e.field or "action", code=e.code) from None
    state = row_state(row)
    sla = SlaContext.load(session, tz)
    if isinstance(action, Dispatch):
        if action.unit_id:
            check_unit(session, action.unit_id, "unit_id", row)
        for u in action.assisting_unit_ids:
            check_unit(session, u, "assisting_unit_ids", row)
        if action.completion_deadline is None and action.unit_id:
            action = replace(action, completion_deadline=_completion_deadline(session, sla, state, action.unit_id, now))
    elif isinstance(action, AddAssistingUnit) and action.unit_id:
        check_unit(session, action.unit_id, "unit_id", row)
    elif isinstance(action, RequestExtension) and action.deadline is not None:
        why = sla_rules.check_extension(sla.policy(state), sla.base, sla_rules.OrderTimes.from_state(state),
                                        action.deadline, now, unit_calendar=sla.unit_calendar(session, state.main_unit_id))
        if why and state.status in (Status.ACCEPTED, Status.IN_PROGRESS):
            raise Invalid(why, field="deadline", code="beyond_policy_limit")
    elif isinstance(action, Reclassify) and action.category:
        check_category(session, action.category)
    if isinstance(action, Remind) and action.automatic and viewer.role != SYSTEM:
        raise Invalid("automatic reminders are sent by the system", field="automatic")
    try:
        new, entry = apply(state, action, viewer.actor, now)
    except WorkOrderError as e:
        if e.status_code == 400:
            raise Invalid(e.message, field=e.field, code=e.code) from None
        raise
    save_change(session, row, state, new, entry, viewer, sla, now)
    if call is not None and session.scalar(select(WorkOrderCall.id).where(
            WorkOrderCall.order_id == row.id, WorkOrderCall.call_id == call.id)) is None:
        add_call_link(session, viewer, row, call, "callback", now)
    if new.status is not state.status:
        propagate_reply(session, row, new, viewer, sla, now)
    found = phrase_hits.record(session, viewer, row, action.kind, {f: getattr(action, f, None)
                                                                    for f in phrase_hits.TEXT_FIELDS})
    if warnings is not None:
        warnings.extend(found)
    return row


def _completion_deadline(session: Session, sla: SlaContext, state: WorkOrderState, unit_id: int,
                         now: datetime) -> datetime | None:
    policy = sla.policy(state)
    if not policy.completion.enabled:
        return None
    start = state.created_at if policy.completion_from is sla_rules.ClockStart.CREATED else now
    return sla_rules.compute_deadline(policy.completion, sla.unit_calendar(session, unit_id), start,
                                      rest_day=policy.rest_day_start)


EDITABLE = ("caller_name", "caller_number", "contact_consent", "caller_unit_room", "product_serial", "place",
            "latitude", "longitude", "description", "findings", "manager_opinion")


def edit_order(session: Session, viewer: Viewer, order_id: int, changes: Mapping[str, Any], *, tz: ZoneInfo,
               now: datetime | None = None) -> WorkOrder:
    """Correct the order's record (console roles): caller, place, description, complaint form."""
    now = now or utcnow()
    if viewer.role not in {str(r) for r in CONSOLE_ROLES}:
        raise Forbidden("only the console may edit an order's record")
    row = get_visible(session, viewer, order_id, lock=True)
    diff = {}
    for k, v in changes.items():
        if k not in EDITABLE:
            raise Invalid(f"{k} cannot be edited", field=k)
        if k == "description" and not str(v or "").strip():
            raise Invalid("the description is required", field="description")
        if isinstance(v, str):
            v = v.strip()[:TEXT_MAX]
        if getattr(row, k) != v:
            diff[k] = {"from": getattr(row, k), "to": v}
            setattr(row, k, v)
    if not diff:
        return row
    state = row_state(row)
    entry = TimelineEntry(now, "edit", viewer.role, viewer.user_id, viewer.unit_id, state.status, state.status,
                          "", {"fields": sorted(diff)})
    add_event(session, row, entry, viewer.display_name)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="update", entity="work_order",
                 entity_id=row.id, detail={"number": row.number, "changes": {k: {"from": str(d["from"]), "to": str(d["to"])} for k, d in diff.items()}})
    row.version += 1
    live_feed.publish(session, "work_order", row.id, at=now, payload={
        "id": row.id, "number": row.number, "status": row.status, "version": row.version,
        "main_unit_id": row.main_unit_id,
        "unit_ids": sorted({u for u in (row.main_unit_id, *state.assisting_unit_ids) if u is not None})})
    return row
