"""Work orders (工单): create, act, list, show; duplicates, links, attachments; SLA timers (issue 4).

Every change goes through the domain state machine (``zongji.domain.work_orders.apply``) and,
in the same transaction: stores the new state, appends the timeline entry, audits, writes a
``FeedItem(topic="work_order")`` for the consoles, notifies whom it concerns and reschedules the
order's SLA timers (``zongji.store.jobs``; keys ``wo:<id>:<clock>:<phase>:<due>`` so each
reminder fires once per deadline, and stale ones are cancelled).

Visibility: console roles see every order; a unit handler sees only orders whose main or
assisting unit is their own unit (``User.department_id``) — anything else is "not found".
"""

from __future__ import annotations

import datetime as dt
import hashlib
import uuid
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from datetime import datetime
from enum import StrEnum
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain import work_orders as wo
from zongji.domain.business_calendar import BusinessCalendar
from zongji.domain.roles import CONSOLE_ROLES, Role
from zongji.errors import Forbidden, NotFound, ZongjiError
from zongji.services import audit, notifications
from zongji.services import scope as scope_service
from zongji.services import sla as sla_store
from zongji.store import jobs
from zongji.store.models import Call, Department, FeedItem, Job, Line, User, utcnow
from zongji.store.work_order_models import (
    WorkOrder,
    WorkOrderAttachment,
    WorkOrderCall,
    WorkOrderCategory,
    WorkOrderCounter,
    WorkOrderEvent,
    WorkOrderLink,
    WorkOrderUnit,
)


class Invalid(ZongjiError):
    status_code = 422

    def __init__(self, message: str, *, field: str | None = None, code: str = "validation"):
        super().__init__(message, field=field, code=code)


TEXT_MAX = 4000
PAGE_SIZE_MAX = 200

# --------------------------------------------------------------------------- state as JSON

_DT = {
    "created_at", "first_dispatched_at", "dispatched_at", "accepted_at", "started_at", "replied_at",
    "first_reply_at", "last_status_update_at", "callback_started_at", "callback_agreed_at", "closed_at",
    "completion_deadline", "bound_at", "dispatch_clock_from", "dispatch_clock_to",
}
_ENUMS: dict[str, type[StrEnum]] = {
    "order_type": wo.OrderType, "status": wo.Status, "urgency": wo.Urgency, "complexity": wo.Complexity,
}


def _iso(t: datetime | None) -> str | None:
    return t.isoformat() if t is not None else None


def _dt(v: Any) -> datetime | None:
    return datetime.fromisoformat(v) if v else None


def state_to_json(s: wo.WorkOrderState) -> dict[str, Any]:
    out: dict[str, Any] = {}
    for f in fields(s):
        v = getattr(s, f.name)
        if f.name in _DT:
            out[f.name] = _iso(v)
        elif isinstance(v, StrEnum):
            out[f.name] = str(v)
        elif f.name == "assisting_unit_ids":
            out[f.name] = sorted(v)
        elif f.name == "pauses":
            out[f.name] = [{"start": _iso(p.start), "end": _iso(p.end), "reason": p.reason} for p in v]
        elif f.name == "callback":
            out[f.name] = None if v is None else {
                "at": _iso(v.at), "outcome": str(v.outcome), "problems": [str(p) for p in v.problems],
                "caller_words": v.caller_words, "operator_id": v.operator_id,
            }
        elif f.name == "extension":
            out[f.name] = None if v is None else {
                "requested_at": _iso(v.requested_at), "requested_deadline": _iso(v.requested_deadline),
                "reason": v.reason, "status": str(v.status), "requested_by": v.requested_by, "unit_id": v.unit_id,
                "decided_at": _iso(v.decided_at), "decided_by": v.decided_by,
                "granted_deadline": _iso(v.granted_deadline), "decision_note": v.decision_note,
            }
        elif f.name == "pause_request":
            out[f.name] = None if v is None else {
                "requested_at": _iso(v.requested_at), "reason": v.reason, "status": str(v.status),
                "requested_by": v.requested_by, "unit_id": v.unit_id, "decided_at": _iso(v.decided_at),
                "decided_by": v.decided_by, "decision_note": v.decision_note,
            }
        else:
            out[f.name] = v
    return out


def state_from_json(d: Mapping[str, Any]) -> wo.WorkOrderState:
    kw: dict[str, Any] = {}
    names = {f.name for f in fields(wo.WorkOrderState)}
    for k, v in d.items():
        if k not in names:
            continue
        if k in _DT:
            kw[k] = _dt(v)
        elif k in _ENUMS:
            kw[k] = _ENUMS[k](v) if v is not None else None
        elif k == "assisting_unit_ids":
            kw[k] = frozenset(int(x) for x in v)
        elif k == "pauses":
            kw[k] = tuple(wo.Pause(_dt(p["start"]), _dt(p["end"]), p.get("reason", "")) for p in v)  # type: ignore[arg-type]
        elif k == "callback":
            kw[k] = None if v is None else wo.CallbackRecord(
                _dt(v["at"]), wo.CallbackOutcome(v["outcome"]),  # type: ignore[arg-type]
                tuple(wo.CallbackProblem(p) for p in v.get("problems", ())), v.get("caller_words", ""),
                v.get("operator_id"))
        elif k == "extension":
            kw[k] = None if v is None else wo.ExtensionRequest(
                requested_at=_dt(v["requested_at"]), requested_deadline=_dt(v["requested_deadline"]),  # type: ignore[arg-type]
                reason=v["reason"], status=wo.ExtensionStatus(v["status"]), requested_by=v.get("requested_by"),
                unit_id=v.get("unit_id"), decided_at=_dt(v.get("decided_at")), decided_by=v.get("decided_by"),
                granted_deadline=_dt(v.get("granted_deadline")), decision_note=v.get("decision_note", ""))
        elif k == "pause_request":
            kw[k] = None if v is None else wo.PauseRequest(
                requested_at=_dt(v["requested_at"]), reason=v["reason"],  # type: ignore[arg-type]
                status=wo.ExtensionStatus(v["status"]), requested_by=v.get("requested_by"), unit_id=v.get("unit_id"),
                decided_at=_dt(v.get("decided_at")), decided_by=v.get("decided_by"),
                decision_note=v.get("decision_note", ""))
        else:
            kw[k] = v
    return wo.WorkOrderState(**kw)


def row_state(row: WorkOrder) -> wo.WorkOrderState:
    """The order's domain state; orders stored before the state carried the situation take it
    from the column."""
    state = state_from_json(row.state)
    if state.situation is None and row.situation and "situation" not in row.state:
        state = replace(state, situation=row.situation)
    return state


# --------------------------------------------------------------------------- viewer


@dataclass(frozen=True)
class Viewer:
    user_id: int
    username: str
    display_name: str
    role: str
    unit_id: int | None

    @classmethod
    def of(cls, user: User) -> Viewer:
        return cls(user.id, user.username, user.display_name, user.role,
                   user.department_id if user.role == Role.UNIT_HANDLER else None)

    @property
    def is_unit(self) -> bool:
        return self.role == Role.UNIT_HANDLER

    @property
    def actor(self) -> wo.Actor:
        return wo.Actor(Role(self.role), self.user_id, self.unit_id)

    @property
    def audit_actor(self) -> str:
        return f"user:{self.username}"


def _visible_clause(viewer: Viewer):
    if not viewer.is_unit:
        return None
    if viewer.unit_id is None:
        return WorkOrder.id == -1
    return WorkOrder.id.in_(select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == viewer.unit_id))


def _line_clause(session: Session, viewer: Viewer):
    """A console user sees the orders of the lines they work for (issue 8, point 5); None: all
    (a user who works for every line, or system work with no user)."""
    me = session.get(User, viewer.user_id)
    if me is None:
        return None
    lines = scope_service.scope_of(session, me).line_filter
    if lines is None:
        return None
    return or_(WorkOrder.line_id.is_(None), WorkOrder.line_id.in_(sorted(lines)))


def get_visible(session: Session, viewer: Viewer, order_id: int, *, lock: bool = False) -> WorkOrder:
    q = select(WorkOrder).where(WorkOrder.id == order_id)
    clause = _visible_clause(viewer)
    if clause is None:
        clause = _line_clause(session, viewer)
    if clause is not None:
        q = q.where(clause)
    if lock and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    row = session.scalar(q)
    if row is None:
        raise NotFound("no such work order", field="order_id")
    return row


def find_by_number(session: Session, viewer: Viewer, number: str) -> WorkOrder:
    row = session.scalar(select(WorkOrder).where(WorkOrder.number == number.strip()))
    if row is None:
        raise NotFound("no such work order", field="number")
    return get_visible(session, viewer, row.id)


# --------------------------------------------------------------------------- SLA context


@dataclass
class SlaContext:
    """Calendar and policies loaded once per request or job."""

    tz: ZoneInfo
    base: BusinessCalendar
    policies: tuple[sla_rules.SlaPolicy, ...]
    _units: dict[int, BusinessCalendar] = field(default_factory=dict)

    @classmethod
    def load(cls, session: Session, tz: ZoneInfo | str) -> SlaContext:
        tz = ZoneInfo(tz) if isinstance(tz, str) else tz
        return cls(tz, sla_store.base_calendar(session, tz), sla_store.load_policies(session))

    def unit_calendar(self, session: Session, unit_id: int | None) -> BusinessCalendar:
        if unit_id is None:
            return self.base
        if unit_id not in self._units:
            self._units[unit_id] = sla_store.unit_calendar(session, unit_id, self.base)
        return self._units[unit_id]

    def policy(self, state: wo.WorkOrderState) -> sla_rules.ResolvedPolicy:
        return sla_rules.resolve_policy(self.policies, sla_rules.OrderContext.from_state(state))

    def clocks(self, session: Session, state: wo.WorkOrderState, now: datetime) -> dict[sla_rules.ClockKind, sla_rules.ClockReport]:
        return sla_rules.evaluate_clocks(self.policy(state), self.base, sla_rules.OrderTimes.from_state(state), now,
                                         unit_calendar=self.unit_calendar(session, state.main_unit_id))

    def status_update_due(self, session: Session, state: wo.WorkOrderState, now: datetime) -> sla_rules.StatusUpdateDue | None:
        return sla_rules.status_update_due(self.policy(state), self.base, sla_rules.OrderTimes.from_state(state), now,
                                           unit_calendar=self.unit_calendar(session, state.main_unit_id))


# --------------------------------------------------------------------------- numbers, categories


def next_number(session: Session, created_at: datetime, tz: ZoneInfo) -> str:
    """``YYYYMMDD-NNNN`` from the per-day counter: one atomic upsert, safe with concurrent
    writers on PostgreSQL (row lock on conflict) and SQLite (writers serialised)."""
    day = wo.order_number_day(created_at, tz)
    key = day.strftime("%Y%m%d")
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert
    stmt = insert(WorkOrderCounter).values(day=key, last=1)
    stmt = stmt.on_conflict_do_update(index_elements=[WorkOrderCounter.day],
                                      set_={"last": WorkOrderCounter.last + 1}).returning(WorkOrderCounter.last)
    seq = session.execute(stmt).scalar_one()
    return wo.format_order_number(day, seq)


def categories(session: Session) -> list[WorkOrderCategory]:
    return list(session.scalars(select(WorkOrderCategory).where(WorkOrderCategory.active.is_(True))
                                .order_by(WorkOrderCategory.sort, WorkOrderCategory.code)))


def category_out(c: WorkOrderCategory) -> dict[str, Any]:
    return {"code": c.code, "parent_code": c.parent_code, "name_zh": c.name_zh, "name_en": c.name_en,
            "default_unit_id": c.default_unit_id, "depth": c.code.count("/")}


def _check_category(session: Session, code: str | None, field_name: str = "category") -> str | None:
    if not code:
        return None
    if session.scalar(select(WorkOrderCategory.id).where(WorkOrderCategory.code == code)) is None:
        raise Invalid(f"unknown category {code!r}", field=field_name)
    return code


def import_categories(session: Session, rows: Iterable[Mapping[str, Any]], *, actor: str, user_id: int | None) -> int:
    """Import a category tree: rows ``{code, name_zh, name_en?, unit?}`` with ``code`` a path
    (``city/street_lights``); parents are created if missing; existing codes are updated."""
    n = 0
    units = {d.name: d.id for d in session.scalars(select(Department))}
    for i, r in enumerate(rows, 1):
        code = str(r.get("code") or "").strip().strip("/")
        name = str(r.get("name_zh") or r.get("name") or "").strip()
        if not code or not name:
            raise Invalid(f"row {i}: code and name_zh are required", field=f"rows.{i}")
        if len(code) > 200 or any(not p for p in code.split("/")):
            raise Invalid(f"row {i}: bad code {code!r}", field=f"rows.{i}.code")
        unit_name = str(r.get("unit") or "").strip()
        if unit_name and unit_name not in units:
            raise Invalid(f"row {i}: unknown unit {unit_name!r}", field=f"rows.{i}.unit")
        parts = code.split("/")
        for depth in range(1, len(parts)):
            pc = "/".join(parts[:depth])
            if session.scalar(select(WorkOrderCategory.id).where(WorkOrderCategory.code == pc)) is None:
                session.add(WorkOrderCategory(code=pc, parent_code="/".join(parts[: depth - 1]) or None,
                                              name_zh=parts[depth - 1], sort=i))
                session.flush()
        row = session.scalar(select(WorkOrderCategory).where(WorkOrderCategory.code == code))
        if row is None:
            row = WorkOrderCategory(code=code)
            session.add(row)
        row.parent_code = "/".join(parts[:-1]) or None
        row.name_zh = name[:100]
        row.name_en = (str(r.get("name_en") or "").strip() or None)
        row.default_unit_id = units.get(unit_name) if unit_name else row.default_unit_id
        row.sort = int(r.get("sort") or i)
        row.active = True
        session.flush()
        n += 1
    audit.record(session, actor=actor, user_id=user_id, action="import", entity="work_order_category",
                 detail={"rows": n})
    return n


# --------------------------------------------------------------------------- create


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


def _check_required(g: wo.Guidance, o: NewOrder) -> None:
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


def create_order(session: Session, viewer: Viewer, o: NewOrder, *, tz: ZoneInfo, now: datetime | None = None) -> WorkOrder:
    now = now or utcnow()
    if viewer.role not in {str(r) for r in wo.CONSOLE_WORK_ROLES}:
        raise Forbidden("only the console may create work orders")
    try:
        otype = wo.OrderType(o.order_type)
    except ValueError:
        raise Invalid(f"unknown order type {o.order_type!r}", field="order_type") from None
    try:
        urgency = wo.Urgency(o.urgency or "normal")
    except ValueError:
        raise Invalid(f"unknown urgency {o.urgency!r}", field="urgency") from None
    try:
        complexity = wo.Complexity(o.complexity) if o.complexity else None
    except ValueError:
        raise Invalid(f"unknown complexity {o.complexity!r}", field="complexity") from None
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
            guidance = wo.guidance_for(otype, o.situation, line_kind)
        except KeyError:
            raise Invalid(f"unknown situation {o.situation!r} for {otype} "
                          f"({', '.join(wo.situations_of(otype, line_kind))})", field="situation") from None
        assert isinstance(guidance, wo.Guidance)
        _check_required(guidance, o)
    elif wo.situation_required(otype, line_kind):
        # R-P2: the type's handling (close directly or dispatch) depends on the situation.
        raise Invalid(f"R-P2: the situation is required for a {otype} order "
                      f"({', '.join(wo.situations_of(otype, line_kind))})", field="situation",
                      code="situation_required")
    category = _check_category(session, o.category)
    try:
        state = wo.WorkOrderState.new(otype, now, urgency=urgency, complexity=complexity, category=category,
                                      line_kind=line_kind, created_by=viewer.user_id, situation=o.situation or None)
    except wo.InvalidAction as e:
        raise Invalid(e.message, field=e.field or "order_type", code=e.code) from None
    complexity = state.complexity  # a company complaint's situation sets it (R-S10)
    row = WorkOrder(
        number=next_number(session, now, tz), line_id=line.id if line else None, line_kind=line_kind,
        order_type=str(otype), situation=o.situation, category=category, urgency=str(urgency),
        complexity=str(complexity) if complexity else None, status=str(state.status),
        caller_name=_clip(o.caller_name, 100), caller_number=_clip(o.caller_number, 64),
        contact_consent=o.contact_consent, caller_unit_room=_clip(o.caller_unit_room, 100),
        product_serial=_clip(o.product_serial, 100), channel=(o.channel or "phone")[:20],
        place=_clip(o.place, TEXT_MAX), latitude=o.latitude, longitude=o.longitude,
        description=o.description.strip()[:TEXT_MAX],
        details={k: str(v)[:200] for k, v in (o.details or {}).items() if v not in (None, "")} or None,
        created_at=now, created_by_id=viewer.user_id, state=state_to_json(state),
    )
    session.add(row)
    session.flush()
    _add_event(session, row, wo.TimelineEntry(now, "create", viewer.role, viewer.user_id, viewer.unit_id,
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
            new, entry = wo.apply(state, wo.CloseDirectly(handling=handling, result=result), viewer.actor, now)
        except wo.WorkOrderError as e:
            where = f"close_directly.{e.field}" if e.field in ("handling", "result") else (e.field or "situation")
            raise Invalid(e.message, field=where, code=e.code) from None
        _save(session, row, state, new, entry, viewer, sla, now)
    else:
        _after_change(session, row, state, sla, now, viewer)
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


# --------------------------------------------------------------------------- act


def _event_out(e: WorkOrderEvent, tz: ZoneInfo, units: Mapping[int, str]) -> dict[str, Any]:
    return {
        "id": e.id, "at": e.at.astimezone(tz).isoformat(), "action": e.action, "actor_role": e.actor_role,
        "actor_id": e.actor_id, "actor_name": e.actor_name, "actor_unit_id": e.actor_unit_id,
        "actor_unit": units.get(e.actor_unit_id) if e.actor_unit_id else None,
        "from_status": e.from_status, "to_status": e.to_status, "note": e.note, "data": e.data or {},
    }


def _add_event(session: Session, row: WorkOrder, entry: wo.TimelineEntry, actor_name: str | None, *,
               from_status: str | None | object = ...) -> WorkOrderEvent:
    ev = WorkOrderEvent(
        order_id=row.id, at=entry.at, action=entry.action, actor_role=entry.actor_role, actor_id=entry.actor_id,
        actor_name=actor_name, actor_unit_id=entry.actor_unit_id,
        from_status=str(entry.from_status) if from_status is ... else from_status,  # type: ignore[arg-type]
        to_status=str(entry.to_status), note=entry.note, data=dict(entry.data) or None,
    )
    session.add(ev)
    return ev


def _check_unit(session: Session, unit_id: int, field_name: str, row: WorkOrder | None = None) -> Department:
    unit = session.get(Department, unit_id)
    if unit is None:
        raise Invalid("no such unit", field=field_name)
    line = session.get(Line, row.line_id) if row is not None and row.line_id else None
    if line is not None and not _dispatchable(unit, line):
        what = "handling units" if line.organisation.kind == "city_hotline" else "departments"
        raise Invalid(f"{unit.name} is not one of the {what} of {line.organisation.name}, whose line "
                      f"{line.name} took this order", field=field_name, code="unit_not_of_line")
    return unit


def _dispatchable(unit: Department, line: Line) -> bool:
    """Whether an order taken on ``line`` may go to ``unit``: a city hotline's handling units, a
    company's (or hotel's) own departments — never another organisation's (issue 8)."""
    if unit.organisation_id != line.organisation_id:
        return False
    return unit.kind == "handling_unit" if line.organisation.kind == "city_hotline" else True


def dispatch_units(session: Session, row: WorkOrder) -> list[Department]:
    """The units an order may be dispatched to: those of the organisation whose line took it; an
    order taken on no line (typed in by hand) offers the handling units, as before."""
    line = session.get(Line, row.line_id) if row.line_id else None
    q = select(Department).order_by(Department.id)
    if line is None:
        return list(session.scalars(q.where(Department.kind == "handling_unit")))
    q = q.where(Department.organisation_id == line.organisation_id)
    if line.organisation.kind == "city_hotline":
        q = q.where(Department.kind == "handling_unit")
    return list(session.scalars(q))


def act(session: Session, viewer: Viewer, order_id: int, payload: Mapping[str, Any], *, tz: ZoneInfo,
        now: datetime | None = None) -> WorkOrder:
    """Apply one action (``{"action": "dispatch", "unit_id": 3, …}``) by the viewer."""
    now = now or utcnow()
    if viewer.is_unit and viewer.unit_id is None:
        raise Forbidden("this unit handler belongs to no unit")
    row = get_visible(session, viewer, order_id, lock=True)
    call = None
    if payload.get("action") in CALLBACK_ACTIONS and "call_id" in payload:
        # The callback call (R-P6) recorded from the console is linked to the order.
        payload = dict(payload)
        call = _call_for_link(session, payload.pop("call_id"))
    try:
        action = wo.action_from_dict(payload)
    except wo.InvalidAction as e:
        raise Invalid(e.message, field=e.field or "action", code=e.code) from None
    state = row_state(row)
    sla = SlaContext.load(session, tz)
    if isinstance(action, wo.Dispatch):
        if action.unit_id:
            _check_unit(session, action.unit_id, "unit_id", row)
        for u in action.assisting_unit_ids:
            _check_unit(session, u, "assisting_unit_ids", row)
        if action.completion_deadline is None and action.unit_id:
            action = replace(action, completion_deadline=_completion_deadline(session, sla, state, action.unit_id, now))
    elif isinstance(action, wo.AddAssistingUnit) and action.unit_id:
        _check_unit(session, action.unit_id, "unit_id", row)
    elif isinstance(action, wo.RequestExtension) and action.deadline is not None:
        why = sla_rules.check_extension(sla.policy(state), sla.base, sla_rules.OrderTimes.from_state(state),
                                        action.deadline, now, unit_calendar=sla.unit_calendar(session, state.main_unit_id))
        if why and state.status in (wo.Status.ACCEPTED, wo.Status.IN_PROGRESS):
            raise Invalid(why, field="deadline", code="beyond_policy_limit")
    elif isinstance(action, wo.Reclassify) and action.category:
        _check_category(session, action.category)
    if isinstance(action, wo.Remind) and action.automatic and viewer.role != wo.SYSTEM:
        raise Invalid("automatic reminders are sent by the system", field="automatic")
    try:
        new, entry = wo.apply(state, action, viewer.actor, now)
    except wo.WorkOrderError as e:
        if e.status_code == 400:
            raise Invalid(e.message, field=e.field, code=e.code) from None
        raise
    _save(session, row, state, new, entry, viewer, sla, now)
    if call is not None and session.scalar(select(WorkOrderCall.id).where(
            WorkOrderCall.order_id == row.id, WorkOrderCall.call_id == call.id)) is None:
        _add_call_link(session, viewer, row, call, "callback", now)
    if new.status is not state.status:
        _propagate_reply(session, row, new, viewer, sla, now)
    return row


def _completion_deadline(session: Session, sla: SlaContext, state: wo.WorkOrderState, unit_id: int,
                         now: datetime) -> datetime | None:
    policy = sla.policy(state)
    if not policy.completion.enabled:
        return None
    start = state.created_at if policy.completion_from is sla_rules.ClockStart.CREATED else now
    return sla_rules.compute_deadline(policy.completion, sla.unit_calendar(session, unit_id), start,
                                      rest_day=policy.rest_day_start)


def _save(session: Session, row: WorkOrder, old: wo.WorkOrderState, new: wo.WorkOrderState,
          entry: wo.TimelineEntry, viewer: Viewer, sla: SlaContext, now: datetime) -> None:
    row.state = state_to_json(new)
    row.version = (row.version or 0) + 1
    _add_event(session, row, entry, viewer.display_name)
    audit.record(session, actor=viewer.audit_actor if viewer.role != wo.SYSTEM else "system",
                 user_id=viewer.user_id or None, action=entry.action, entity="work_order", entity_id=row.id,
                 detail={"number": row.number, "from": str(entry.from_status), "to": str(entry.to_status),
                         "note": entry.note[:500], **{k: v for k, v in entry.data.items() if k != "text"}})
    _after_change(session, row, new, sla, now, viewer)
    _notify_for(session, row, old, new, entry, now, sla.tz)


def _sync_units(session: Session, row: WorkOrder, state: wo.WorkOrderState) -> None:
    want: dict[int, str] = {}
    if state.main_unit_id is not None:
        want[state.main_unit_id] = "main"
    for u in state.assisting_unit_ids:
        want.setdefault(u, "assisting")
    have = {u.unit_id: u for u in session.scalars(select(WorkOrderUnit).where(WorkOrderUnit.order_id == row.id))}
    for uid, link in have.items():
        if uid not in want:
            session.delete(link)
        elif link.role != want[uid]:
            link.role = want[uid]
    session.flush()
    for uid, role in want.items():
        if uid not in have:
            session.add(WorkOrderUnit(order_id=row.id, unit_id=uid, role=role))


def _after_change(session: Session, row: WorkOrder, state: wo.WorkOrderState, sla: SlaContext, now: datetime,
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
    session.add(FeedItem(at=now, topic="work_order", entity_id=str(row.id), payload={
        "id": row.id, "number": row.number, "status": row.status, "sla_state": row.sla_state,
        "main_unit_id": row.main_unit_id, "supervised": row.supervised, "version": row.version,
        # Every unit on the order (main and assisting): the live feed sends the update to them only.
        "unit_ids": sorted({u for u in (state.main_unit_id, *state.assisting_unit_ids) if u is not None}),
    }))
    reschedule_timers(session, row, state, clocks, sla.status_update_due(session, state, now), now)


# --------------------------------------------------------------------------- timers

TIMER_KIND = "wo.timer"


def _timer_key(order_id: int, what: str, phase: str, due: datetime) -> str:
    return f"wo:{order_id}:{what}:{phase}:{int(due.timestamp())}"


def reschedule_timers(session: Session, row: WorkOrder, state: wo.WorkOrderState,
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
        if state.status is wo.Status.CALLBACK and state.callback_agreed_at is not None:
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


SYSTEM_VIEWER = Viewer(0, "system", "系统", wo.SYSTEM, None)


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
        if state.status is not wo.Status.CALLBACK or state.callback_agreed_at is None or \
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
    if kind is sla_rules.ClockKind.COMPLETION and state.status in wo.WITH_UNIT_STATUSES:
        new, entry = wo.apply(state, wo.Remind(automatic=True, reason=phase), wo.SYSTEM_ACTOR, now)
        _save(session, row, state, new, entry, SYSTEM_VIEWER, sla, now)
    else:
        _after_change(session, row, state, sla, now, None)
        if kind in (sla_rules.ClockKind.DISPATCH,) or state.status in wo.LEADER_STATUSES:
            notifications.notify(session, kind=f"{what}_{phase}", subject=subject, order_id=row.id,
                                 order_number=row.number, role=str(Role.SHIFT_LEADER), now=now, external=False)
        else:
            notifications.notify(session, kind=f"{what}_{phase}", subject=subject, order_id=row.id,
                                 order_number=row.number, user_id=creator,
                                 role=None if creator else str(Role.OPERATOR), now=now, external=False)
    return f"{what}:{phase}"


# --------------------------------------------------------------------------- notifications


def _notify_for(session: Session, row: WorkOrder, old: wo.WorkOrderState, new: wo.WorkOrderState,
                entry: wo.TimelineEntry, now: datetime, tz: ZoneInfo | None = None) -> None:
    n = row.number
    tz = tz or notifications.current_settings().tz
    a = entry.action

    def unit(uid: int | None, kind: str, subject: str, body: str = "") -> None:
        if uid is not None:
            notifications.notify(session, kind=kind, subject=subject, body=body or row.description[:300],
                                 order_id=row.id, order_number=n, unit_id=uid, now=now)

    def role(r: Role, kind: str, subject: str, body: str = "") -> None:
        notifications.notify(session, kind=kind, subject=subject, body=body, order_id=row.id, order_number=n,
                             role=str(r), now=now, external=False)

    def creator(kind: str, subject: str, body: str = "") -> None:
        notifications.notify(session, kind=kind, subject=subject, body=body, order_id=row.id, order_number=n,
                             user_id=row.created_by_id, role=None if row.created_by_id else str(Role.OPERATOR),
                             now=now, external=False)

    if a == "dispatch":
        # A notification is read by people (and sent by e-mail/SMS): local time to the minute.
        deadline = (new.completion_deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                    if new.completion_deadline else "")
        unit(new.main_unit_id, "dispatched", f"新派工单 {n}",
             f"{row.description[:300]}\n办结时限：{deadline}" if deadline else row.description[:300])
        for u in new.assisting_unit_ids:
            unit(u, "dispatched_assisting", f"协办工单 {n}")
    elif a == "add_assisting_unit":
        unit(entry.data.get("unit_id"), "dispatched_assisting", f"协办工单 {n}")
    elif a == "return":
        role(Role.SHIFT_LEADER, "returned", f"工单被退回 {n}", entry.data.get("reason", ""))
    elif a == "reply":
        creator("callback_due", f"承办单位已答复，请回访 {n}", new.reply_text[:300])
    elif a == "follow_reply":  # a bound duplicate: its own caller gets their own callback (R-P8)
        creator("callback_due", f"同一事项已答复（主工单 {entry.data.get('primary_number', '')}），请回访 {n}",
                new.reply_text[:300])
    elif a in ("record_callback", "reject_reply") and new.status is wo.Status.REVIEW:
        role(Role.SHIFT_LEADER, "review", f"回访不满意/答复有误，需复核 {n}", entry.note)
        role(Role.SUPERVISOR, "supervision", f"督办 {n}", entry.note)
    elif a == "request_extension":
        role(Role.SUPERVISOR, "extension_requested", f"延期申请 {n}", entry.data.get("reason", ""))
    elif a in ("grant_extension", "refuse_extension"):
        unit(new.main_unit_id, a, f"{'延期已批准' if a == 'grant_extension' else '延期未批准'} {n}", entry.note)
    elif a == "request_pause":
        role(Role.SUPERVISOR, "pause_requested", f"暂停计时申请 {n}", entry.data.get("reason", ""))
    elif a in ("grant_pause", "refuse_pause"):
        unit(new.main_unit_id, a, f"{'暂停计时已批准' if a == 'grant_pause' else '暂停计时未批准'} {n}", entry.note)
    elif a == "remind":
        reason = entry.data.get("reason", "")
        if not entry.note and reason in ("warning", "breach"):  # the timer's automatic reminder
            due = (new.completion_deadline.astimezone(tz).strftime("%Y-%m-%d %H:%M")
                   if new.completion_deadline else "")
            reason = (f"办结时限即将到期（{due}）" if reason == "warning" else f"办结已超期（时限 {due}）"
                      ) if due else ("办结时限即将到期" if reason == "warning" else "办结已超期")
        unit(new.main_unit_id, "reminder", f"催办 {n}", entry.note or reason)
    elif a == "send_back":
        unit(new.main_unit_id, "sent_back", f"工单退回重办 {n}", entry.note)
    elif a == "supervise":
        role(Role.SUPERVISOR, "supervision", f"督办 {n}", entry.data.get("reason", ""))
        unit(new.main_unit_id, "supervision", f"督办 {n}", entry.data.get("reason", ""))


# --------------------------------------------------------------------------- edit, links, calls


EDITABLE = ("caller_name", "caller_number", "contact_consent", "caller_unit_room", "product_serial", "place",
            "latitude", "longitude", "description", "findings", "manager_opinion")


def edit_order(session: Session, viewer: Viewer, order_id: int, changes: Mapping[str, Any], *, tz: ZoneInfo,
               now: datetime | None = None) -> WorkOrder:
    """Correct the order's record (console roles): caller, place, description, complaint form."""
    now = now or utcnow()
    if viewer.role not in {str(r) for r in wo.CONSOLE_WORK_ROLES}:
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
    entry = wo.TimelineEntry(now, "edit", viewer.role, viewer.user_id, viewer.unit_id, state.status, state.status,
                             "", {"fields": sorted(diff)})
    _add_event(session, row, entry, viewer.display_name)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="update", entity="work_order",
                 entity_id=row.id, detail={"number": row.number, "changes": {k: {"from": str(d["from"]), "to": str(d["to"])} for k, d in diff.items()}})
    row.version += 1
    session.add(FeedItem(at=now, topic="work_order", entity_id=str(row.id),
                         payload={"id": row.id, "number": row.number, "status": row.status, "version": row.version,
                                  "main_unit_id": row.main_unit_id,
                                  "unit_ids": sorted({u for u in (row.main_unit_id, *state.assisting_unit_ids) if u is not None})}))
    return row


def link_orders(session: Session, viewer: Viewer, order_id: int, other_id: int, kind: str, *, tz: ZoneInfo,
                now: datetime | None = None) -> WorkOrderLink:
    """Bind two orders as related or duplicate (R-P8). Each keeps its own caller and callback.

    ``duplicate``: ``order_id`` is a duplicate of ``other_id`` (the primary) and follows it — not
    dispatched on its own, its dispatch clock stopped, the primary's reply copied to it with its own
    callback. Changing the kind or unbinding restores its independence."""
    now = now or utcnow()
    if viewer.role not in {str(r) for r in wo.CONSOLE_WORK_ROLES}:
        raise Forbidden("only the console may bind orders")
    try:
        k = wo.LinkKind(kind)
    except ValueError:
        raise Invalid(f"unknown link kind {kind!r}", field="kind") from None
    if other_id == order_id:
        raise Invalid("an order cannot be bound to itself", field="other_id")
    a = get_visible(session, viewer, order_id)
    b = session.get(WorkOrder, other_id)
    if b is None:
        raise Invalid("no such work order", field="other_id")
    lo, hi = sorted((a.id, b.id))
    existing = session.scalar(select(WorkOrderLink).where(WorkOrderLink.order_id == lo, WorkOrderLink.other_id == hi))
    if existing is not None:
        existing.kind = str(k)
        link = existing
    else:
        link = WorkOrderLink(order_id=lo, other_id=hi, kind=str(k), created_at=now, created_by_id=viewer.user_id)
        session.add(link)
    for row, other in ((a, b), (b, a)):
        st = row_state(row)
        _add_event(session, row, wo.TimelineEntry(now, "link", viewer.role, viewer.user_id, None, st.status, st.status,
                                                  "", {"other_id": other.id, "other_number": other.number,
                                                       "kind": str(k)}), viewer.display_name)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="link", entity="work_order",
                 entity_id=a.id, detail={"other": b.number, "kind": str(k)})
    session.flush()
    # R-P8: "order_id is a duplicate of other_id" — it follows the other (the primary).
    sla = None
    for follower, primary in ((a, b), (b, a)):
        wanted = k is wo.LinkKind.DUPLICATE and follower is a
        if follower.duplicate_of_id == primary.id and not wanted:
            sla = sla or SlaContext.load(session, tz)
            _unbind(session, viewer, follower, sla, now)
    if k is wo.LinkKind.DUPLICATE and a.duplicate_of_id != b.id:
        session.flush()
        _check_can_follow(session, a, b)
        sla = sla or SlaContext.load(session, tz)
        st = row_state(a)
        try:
            new, entry = wo.bind_duplicate(st, b.id, viewer.actor, now, primary_number=b.number)
        except wo.WorkOrderError as e:
            if e.status_code == 400:
                raise Invalid(e.message, field=e.field or "kind", code=e.code) from None
            raise
        _save(session, a, st, new, entry, viewer, sla, now)
        _propagate_reply(session, b, row_state(b), viewer, sla, now)  # the primary may have replied already
    return link


def _check_can_follow(session: Session, follower: WorkOrder, primary: WorkOrder) -> None:
    """Refuse bindings that would make a chain or follow an order that never gets a reply."""
    from zongji.errors import Conflict

    if primary.duplicate_of_id is not None:
        other = session.get(WorkOrder, primary.duplicate_of_id)
        raise Conflict(f"R-P8: order {primary.number} is itself a duplicate of order {other.number if other else '?'}; "
                       "bind to that one", code="primary_is_duplicate", field="order_id")
    if primary.status == str(wo.Status.CLOSED_DIRECTLY):
        raise Conflict(f"R-P8: order {primary.number} was closed directly and gets no unit reply to follow; "
                       "bind as related", code="primary_closed_directly", field="order_id")
    if session.scalar(select(func.count()).select_from(WorkOrder).where(WorkOrder.duplicate_of_id == follower.id)):
        raise Conflict(f"R-P8: order {follower.number} has duplicates following it; it cannot follow another order",
                       code="has_duplicates", field="order_id")


def _unbind(session: Session, viewer: Viewer, row: WorkOrder, sla: SlaContext, now: datetime) -> None:
    st = row_state(row)
    new, entry = wo.unbind_duplicate(st, viewer.actor, now)
    _save(session, row, st, new, entry, viewer, sla, now)


def _propagate_reply(session: Session, primary: WorkOrder, state: wo.WorkOrderState, viewer: Viewer,
                     sla: SlaContext, now: datetime) -> None:
    """The primary has the unit's reply: every duplicate still following it gets the reply and its
    own callback for its own caller (R-P8, R-P6)."""
    if state.status not in (wo.Status.REPLIED, wo.Status.CALLBACK, wo.Status.CLOSED) or not state.reply_text:
        return
    q = select(WorkOrder).where(WorkOrder.duplicate_of_id == primary.id,
                                WorkOrder.status.in_([str(x) for x in wo.FOLLOWING_STATUSES])).order_by(WorkOrder.id)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    for f in session.scalars(q):
        st = row_state(f)
        if not st.is_following:
            continue
        new, entry = wo.follow_reply(st, primary.id, state.reply_text, viewer.actor, now, primary_number=primary.number)
        _save(session, f, st, new, entry, viewer, sla, now)


def unlink_orders(session: Session, viewer: Viewer, order_id: int, other_id: int, *, tz: ZoneInfo,
                  now: datetime | None = None) -> None:
    now = now or utcnow()
    if viewer.role not in {str(r) for r in wo.CONSOLE_WORK_ROLES}:
        raise Forbidden("only the console may unbind orders")
    a = get_visible(session, viewer, order_id, lock=True)
    lo, hi = sorted((order_id, other_id))
    link = session.scalar(select(WorkOrderLink).where(WorkOrderLink.order_id == lo, WorkOrderLink.other_id == hi))
    if link is None:
        raise NotFound("the orders are not bound", field="other_id")
    session.delete(link)
    b = session.get(WorkOrder, other_id)
    sla = None
    for follower, primary in ((a, b), (b, a)):
        if follower is not None and primary is not None and follower.duplicate_of_id == primary.id:
            sla = sla or SlaContext.load(session, tz)
            _unbind(session, viewer, follower, sla, now)  # it is on its own again (R-P8)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="unlink", entity="work_order",
                 entity_id=order_id, detail={"other_id": other_id})


CALL_PURPOSES = ("repeat", "callback", "other")  # "created" is set by create_order only
CALLBACK_ACTIONS = ("start_callback", "callback_attempt", "record_callback")


def _call_for_link(session: Session, call_id: Any) -> Call:
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


def _add_call_link(session: Session, viewer: Viewer, row: WorkOrder, call: Call, purpose: str,
                   now: datetime) -> WorkOrderCall:
    link = WorkOrderCall(order_id=row.id, call_id=call.id, purpose=purpose, linked_at=now, linked_by_id=viewer.user_id)
    session.add(link)
    st = row_state(row)
    _add_event(session, row, wo.TimelineEntry(now, "link_call", viewer.role, viewer.user_id, viewer.unit_id, st.status,
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
    if viewer.role not in {str(r) for r in wo.CONSOLE_WORK_ROLES}:
        raise Forbidden("only the console may link calls to an order")
    if purpose not in CALL_PURPOSES:
        raise Invalid(f"purpose must be one of {', '.join(CALL_PURPOSES)}", field="purpose")
    row = get_visible(session, viewer, order_id, lock=True)
    call = _call_for_link(session, call_id)
    if session.scalar(select(WorkOrderCall.id).where(WorkOrderCall.order_id == row.id,
                                                     WorkOrderCall.call_id == call.id)) is not None:
        from zongji.errors import Conflict

        raise Conflict("the call is already linked to this order", code="call_already_linked", field="call_id")
    return _add_call_link(session, viewer, row, call, purpose, now)


def _calls_out(session: Session, row: WorkOrder, tz: ZoneInfo) -> list[dict[str, Any]]:
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
    digits = wo.normalize_number(number)
    variants = {v for v in (number, digits) if v}
    linked = select(WorkOrderCall.call_id).where(WorkOrderCall.order_id == row.id)
    since = now - dt.timedelta(days=days)
    calls = session.scalars(select(Call).where(
        or_(Call.calling_number.in_(variants), Call.called_number.in_(variants)),
        Call.created_at >= since, Call.id.notin_(linked)).order_by(Call.created_at.desc(), Call.id.desc()).limit(limit))
    return [_call_out(c, tz) for c in calls]


def call_prefill(session: Session, viewer: Viewer, call_id: int) -> dict[str, Any]:
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
                "requests_to": _guest_service_unit(session, line)}
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
        "order_types": [str(t) for t in wo.order_types_for_line(line.kind if line else None)],
        "call_at": (call.answered_at or call.ringing_at or call.created_at).isoformat(),
    }


def _guest_service_unit(session: Session, line: Line) -> dict[str, Any] | None:
    """The hotel's guest-service centre (the department the wake-up door tasks go to, setting
    ``wakeup_knock_unit``), which takes guests' requests; None if the hotel has none."""
    from zongji.services import wakeups

    unit = wakeups.knock_unit(session, notifications.current_settings())
    if unit is None or unit.organisation_id != line.organisation_id:
        return None
    return {"id": unit.id, "name": unit.name, "name_en": unit.name_en, "extension": unit.extension}


# --------------------------------------------------------------------------- duplicates


def suggest_duplicates(session: Session, viewer: Viewer, *, caller_number: str | None, place: str | None,
                       category: str | None, description: str, latitude: float | None = None,
                       longitude: float | None = None, exclude_id: int | None = None, window_days: int = 7,
                       limit: int = 5, now: datetime | None = None) -> list[dict[str, Any]]:
    now = now or utcnow()
    if viewer.is_unit:
        raise Forbidden("duplicate suggestions are for the console")
    weights = wo.DuplicateWeights(window=dt.timedelta(days=window_days))
    new = wo.OrderDigest("new", now, caller_number, place, latitude, longitude, category, description or "")
    since = now - weights.window
    rows = session.execute(select(
        WorkOrder.id, WorkOrder.number, WorkOrder.created_at, WorkOrder.caller_number, WorkOrder.place,
        WorkOrder.latitude, WorkOrder.longitude, WorkOrder.category, WorkOrder.description, WorkOrder.status,
        WorkOrder.caller_name, WorkOrder.order_type,
    ).where(WorkOrder.created_at >= since).order_by(WorkOrder.created_at.desc()).limit(2000)).all()
    digests = [wo.OrderDigest(r.id, r.created_at, r.caller_number, r.place, r.latitude, r.longitude, r.category,
                              r.description or "") for r in rows if r.id != exclude_id]
    by_id = {r.id: r for r in rows}
    out = []
    for s in wo.find_likely_duplicates(new, digests, weights, limit=limit):
        r = by_id[s.ref]
        out.append({"id": r.id, "number": r.number, "created_at": r.created_at.isoformat(), "status": r.status,
                    "order_type": r.order_type, "caller_name": r.caller_name, "place": r.place,
                    "description": (r.description or "")[:140], "score": s.score, "reasons": list(s.reasons)})
    return out


# --------------------------------------------------------------------------- attachments


def attachments_dir(data_dir: Path) -> Path:
    d = Path(data_dir) / "attachments"
    d.mkdir(parents=True, exist_ok=True)
    return d


def add_attachment(session: Session, viewer: Viewer, order_id: int, *, filename: str, content_type: str,
                   chunks: Iterable[bytes], data_dir: Path, max_bytes: int, max_count: int,
                   now: datetime | None = None) -> WorkOrderAttachment:
    now = now or utcnow()
    row = get_visible(session, viewer, order_id)
    count = session.scalar(select(func.count()).select_from(WorkOrderAttachment)
                           .where(WorkOrderAttachment.order_id == row.id)) or 0
    if count >= max_count:
        raise Invalid(f"at most {max_count} attachments per order", field="file")
    name = Path(filename or "file").name[:200] or "file"
    stored = uuid.uuid4().hex
    path = attachments_dir(data_dir) / stored
    h = hashlib.sha256()
    size = 0
    try:
        with path.open("wb") as f:
            for chunk in chunks:
                size += len(chunk)
                if size > max_bytes:
                    raise Invalid(f"the file is larger than {max_bytes // 1024} KiB", field="file", code="too_large")
                h.update(chunk)
                f.write(chunk)
        if size == 0:
            raise Invalid("the file is empty", field="file")
    except BaseException:
        path.unlink(missing_ok=True)
        raise
    att = WorkOrderAttachment(order_id=row.id, filename=name, stored_name=stored,
                              content_type=(content_type or "application/octet-stream")[:100], size=size,
                              sha256=h.hexdigest(), uploaded_by_id=viewer.user_id, uploaded_at=now)
    session.add(att)
    session.flush()
    st = row_state(row)
    _add_event(session, row, wo.TimelineEntry(now, "attach", viewer.role, viewer.user_id, viewer.unit_id, st.status,
                                              st.status, "", {"attachment_id": att.id, "filename": name, "size": size}),
               viewer.display_name)
    audit.record(session, actor=viewer.audit_actor, user_id=viewer.user_id, action="attach", entity="work_order",
                 entity_id=row.id, detail={"filename": name, "size": size})
    return att


def get_attachment(session: Session, viewer: Viewer, order_id: int, attachment_id: int, data_dir: Path) -> tuple[WorkOrderAttachment, Path]:
    get_visible(session, viewer, order_id)
    att = session.get(WorkOrderAttachment, attachment_id)
    if att is None or att.order_id != order_id:
        raise NotFound("no such attachment", field="attachment_id")
    return att, attachments_dir(data_dir) / att.stored_name


# --------------------------------------------------------------------------- reading


def _units_by_id(session: Session, ids: Iterable[int | None]) -> dict[int, str]:
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
        "callback_agreed_at": _iso(state.callback_agreed_at.astimezone(tz)) if state.callback_agreed_at else None,
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
    units = _units_by_id(session, unit_ids)
    cats = {c.code: c for c in categories(session)}
    out = order_summary(session, row, sla, now, viewer, units, cats)
    clocks = sla.clocks(session, state, now)
    due = sla.status_update_due(session, state, now)
    links = session.scalars(select(WorkOrderLink).where(or_(WorkOrderLink.order_id == row.id,
                                                            WorkOrderLink.other_id == row.id))).all()
    others = {o.id: o for o in session.scalars(select(WorkOrder).where(WorkOrder.id.in_(
        [lk.other_id if lk.order_id == row.id else lk.order_id for lk in links])))} if links else {}
    clause = _visible_clause(viewer)
    visible_others = set(others)
    if clause is not None and others:
        visible_others = set(session.scalars(select(WorkOrder.id).where(WorkOrder.id.in_(list(others)), clause)))
    atts = session.scalars(select(WorkOrderAttachment).where(WorkOrderAttachment.order_id == row.id)
                           .order_by(WorkOrderAttachment.id)).all()
    creator = session.get(User, row.created_by_id) if row.created_by_id else None
    guidance = None
    if row.situation:
        try:
            g = wo.guidance_for(row.order_type, row.situation, row.line_kind)
            assert isinstance(g, wo.Guidance)
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
        "calls": _calls_out(session, row, tz) if not viewer.is_unit else [],
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


def _useful_actions(state: wo.WorkOrderState, viewer: Viewer) -> list[str]:
    """The actions the state machine allows, without buttons that cannot work now (e.g. grant
    an extension nobody asked for, resume a clock that runs)."""
    out = []
    for a in wo.allowed_actions(state, viewer.actor):
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


VIEWS = ("all", "dispatch", "callbacks", "supervision", "unit", "extensions")


def list_orders(session: Session, viewer: Viewer, *, tz: ZoneInfo, view: str = "all", status: str | None = None,
                order_type: str | None = None, sla_state: str | None = None, unit_id: int | None = None,
                q: str | None = None, supervised: bool | None = None, page: int = 1, page_size: int = 50,
                now: datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    if view not in VIEWS:
        raise Invalid(f"unknown view {view!r}", field="view")
    if page < 1:
        raise Invalid("page starts at 1", field="page")
    if not 1 <= page_size <= PAGE_SIZE_MAX:
        raise Invalid(f"page_size must be 1…{PAGE_SIZE_MAX}", field="page_size")
    conds = []
    clause = _visible_clause(viewer)
    if clause is None:
        clause = _line_clause(session, viewer)
    if clause is not None:
        conds.append(clause)
    order_by: list[Any] = [WorkOrder.created_at.desc(), WorkOrder.id.desc()]
    if view == "dispatch":
        conds.append(WorkOrder.status.in_([str(s) for s in wo.LEADER_STATUSES]))
        # Duplicates following a primary are not dispatched on their own (R-P8).
        conds.append(or_(WorkOrder.duplicate_of_id.is_(None),
                         WorkOrder.status.notin_([str(s) for s in wo.FOLLOWING_STATUSES])))
        order_by = [WorkOrder.created_at, WorkOrder.id]
    elif view == "callbacks":
        conds.append(WorkOrder.status.in_([str(wo.Status.REPLIED), str(wo.Status.CALLBACK)]))
        order_by = [WorkOrder.callback_due_at, WorkOrder.id]
    elif view == "supervision":
        conds.append(or_(WorkOrder.supervised.is_(True),
                         and_(WorkOrder.sla_state == "breached",
                              WorkOrder.status.notin_([str(s) for s in wo.FINAL_STATUSES]))))
    elif view == "extensions":
        # Orders with a pending extension or pause request, filtered in SQL (JSON path into the
        # state) so paging and the total are right however many orders are open.
        conds.append(WorkOrder.status.in_([str(wo.Status.ACCEPTED), str(wo.Status.IN_PROGRESS)]))
        conds.append(or_(
            WorkOrder.state[("extension", "status")].as_string() == str(wo.ExtensionStatus.REQUESTED),
            WorkOrder.state[("pause_request", "status")].as_string() == str(wo.ExtensionStatus.REQUESTED)))
        order_by = [WorkOrder.completion_deadline, WorkOrder.id]  # to decide before the deadline
    elif view == "unit":
        if not viewer.is_unit:
            raise Invalid("the unit view is for unit handlers", field="view")
        order_by = [WorkOrder.status.in_([str(s) for s in wo.FINAL_STATUSES]), WorkOrder.completion_deadline,
                    WorkOrder.id]
    if status:
        statuses = [s for s in status.split(",") if s]
        bad = [s for s in statuses if s not in {str(x) for x in wo.Status}]
        if bad:
            raise Invalid(f"unknown status {bad[0]!r}", field="status")
        conds.append(WorkOrder.status.in_(statuses))
    if order_type:
        if order_type not in {str(x) for x in wo.OrderType}:
            raise Invalid(f"unknown order type {order_type!r}", field="order_type")
        conds.append(WorkOrder.order_type == order_type)
    if sla_state:
        if sla_state not in {str(x) for x in sla_rules.ClockState}:
            raise Invalid(f"unknown SLA state {sla_state!r}", field="sla_state")
        conds.append(WorkOrder.sla_state == sla_state)
    if unit_id is not None:
        conds.append(WorkOrder.id.in_(select(WorkOrderUnit.order_id).where(WorkOrderUnit.unit_id == unit_id)))
    if supervised is not None:
        conds.append(WorkOrder.supervised.is_(supervised))
    if q:
        like = f"%{q.strip()[:100]}%"
        conds.append(or_(WorkOrder.number.like(like), WorkOrder.caller_name.like(like),
                         WorkOrder.caller_number.like(like), WorkOrder.description.like(like),
                         WorkOrder.place.like(like)))
    base = select(WorkOrder).where(*conds)
    total = session.scalar(select(func.count()).select_from(base.subquery())) or 0
    rows = list(session.scalars(base.order_by(*order_by).offset((page - 1) * page_size).limit(page_size)))
    sla = SlaContext.load(session, tz)
    units = _units_by_id(session, (r.main_unit_id for r in rows))
    cats = {c.code: c for c in categories(session)}
    items = [order_summary(session, r, sla, now, viewer, units, cats) for r in rows]
    return {"items": items, "total": total, "page": page, "page_size": page_size}


def guidance_out(g: wo.Guidance) -> dict[str, Any]:
    return {
        "order_type": str(g.order_type), "situation": g.situation, "situation_zh": g.situation_zh,
        "handlings": [str(h) for h in g.handlings], "required_fields": list(g.required_fields),
        "referrals": [{"key": r.key, "name_zh": r.name_zh, "name_en": r.name_en, "number": r.number}
                      for r in g.referral_entries()],
        "closes_directly": g.closes_directly, "hint_zh": g.hint_zh, "hint_en": g.hint_en,
        "complexity": str(g.complexity) if g.complexity else None,
    }


def meta(session: Session, viewer: Viewer) -> dict[str, Any]:
    """What the forms need: types per line kind, guidance, units, categories, enums."""
    units = session.scalars(select(Department).where(Department.kind == "handling_unit").order_by(Department.id)).all()
    lines = session.scalars(select(Line).order_by(Line.code)).all()
    return {
        "order_types": [str(t) for t in wo.OrderType],
        "types_by_line_kind": {k: [str(t) for t in wo.order_types_for_line(k)]
                               for k in ("hotline_12345", "hotline_400", "switchboard")},
        "guidance": {str(t): [guidance_out(g) for g in wo.GUIDANCE[t]] for t in wo.OrderType},
        # Each line kind's own situations: a 400 complaint has the company's (R-S8, R-S10).
        "guidance_by_line_kind": {k: {str(t): [guidance_out(g) for g in gs] for t, gs in wo.guidance_table(k).items()}
                                  for k in ("hotline_12345", "hotline_400", "switchboard")},
        "urgencies": [str(u) for u in wo.Urgency],
        "complexities": [str(c) for c in wo.Complexity],
        "statuses": [str(s) for s in wo.Status],
        "callback_outcomes": [str(o) for o in wo.CallbackOutcome],
        "callback_problems": [str(p) for p in wo.CallbackProblem],
        "link_kinds": [str(k) for k in wo.LinkKind],
        "units": [{"id": u.id, "name": u.name, "duties": u.duties, "phone": u.phone} for u in units],
        "lines": [{"code": ln.code, "name": ln.name, "kind": ln.kind} for ln in lines],
        "categories": [category_out(c) for c in categories(session)],
        "me": {"role": viewer.role, "unit_id": viewer.unit_id,
               "unit_name": (session.get(Department, viewer.unit_id).name if viewer.unit_id else None)},
    }
