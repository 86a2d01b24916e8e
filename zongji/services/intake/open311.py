"""Open311 GeoReport v2 (issue 15, point 5): client applications with their ``api_key`` (issued
by an admin or supervisor, only the SHA-256 stored), the services (the active work-order
categories), requests filed into the intake queue with a token (the specification's asynchronous
creation: an operator makes the order, then ``tokens/{token}`` names it), and requests followed.

Only what the specification defines leaves here: no caller's name, number or e-mail, no operator,
no note, no unit's internal remark (a request's ``status_notes`` is its public stage). Listed are
the orders filed by a public channel (Open311, web, app): a phone caller never agreed to publish."""

from __future__ import annotations

import datetime as dt
import secrets
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.intake import open311 as spec
from zongji.domain.intake import public_status
from zongji.domain.intake.channels import Channel
from zongji.domain.roles import Role
from zongji.domain.work_orders.words import FINAL_STATUSES, OrderType
from zongji.errors import Forbidden, Invalid, NotFound, TooMany, ZongjiError
from zongji.services import audit
from zongji.services.auth import hash_token
from zongji.services.intake import queue
from zongji.services.intake.sms import PUBLIC_CHANNELS
from zongji.services import live_feed
from zongji.services.intake import replies
from zongji.services.work_orders import commands
from zongji.services.work_orders.categories import categories
from zongji.services.work_orders.visibility import Viewer
from zongji.settings import Settings
from zongji.store.intake_models import IntakeMessage, Open311Client
from zongji.store.models import Department, User, utcnow
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory

ISSUERS = {str(Role.ADMIN), str(Role.SUPERVISOR)}
DEFAULT_DAYS = 90
MAX_RESULTS = 1000
SERVICE_NOTICE = "已收到，话务员将尽快受理并生成工单编号。Received: an operator will register it and give it a number."


# --------------------------------------------------------------------------- client applications


def issue_client(session: Session, user: User, name: str) -> tuple[Open311Client, str]:
    """A new client application and its api_key (shown once)."""
    if user.role not in ISSUERS:
        raise Forbidden("only an admin or a supervisor issues Open311 api keys")
    name = (name or "").strip()
    if not name:
        raise Invalid("the application's name is required", field="name")
    key = "o311_" + secrets.token_urlsafe(24)
    c = Open311Client(name=name[:100], api_key_hash=hash_token(key), created_by_id=user.id)
    session.add(c)
    session.flush()
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="create", entity="open311_client",
                 entity_id=c.id, detail={"name": c.name})
    return c, key


def revoke_client(session: Session, user: User, client_id: int, now: dt.datetime | None = None) -> Open311Client:
    if user.role not in ISSUERS:
        raise Forbidden("only an admin or a supervisor revokes Open311 api keys")
    c = session.get(Open311Client, client_id)
    if c is None:
        raise NotFound("no such client application", field="client_id")
    if c.revoked_at is None:
        c.revoked_at = now or utcnow()
        audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="revoke",
                     entity="open311_client", entity_id=c.id)
    return c


def clients(session: Session, user: User) -> list[dict[str, Any]]:
    if user.role not in ISSUERS:
        raise Forbidden("only an admin or a supervisor sees Open311 client applications")
    return [client_out(c) for c in session.scalars(select(Open311Client).order_by(Open311Client.id))]


def client_out(c: Open311Client) -> dict[str, Any]:
    return {"id": c.id, "name": c.name, "created_at": c.created_at.isoformat(),
            "revoked_at": c.revoked_at.isoformat() if c.revoked_at else None}


def client_for_key(session: Session, api_key: str | None) -> Open311Client:
    if not api_key:
        raise spec.SpecError(403, "api_key is required to create a request")
    c = session.scalar(select(Open311Client).where(Open311Client.api_key_hash == hash_token(api_key)))
    if c is None or c.revoked_at is not None:
        raise spec.SpecError(403, "invalid api_key")
    return c


def check_jurisdiction(settings: Settings, jurisdiction_id: str | None) -> None:
    if jurisdiction_id and settings.open311_jurisdiction_id and jurisdiction_id != settings.open311_jurisdiction_id:
        raise spec.SpecError(404, "jurisdiction_id not found")


# --------------------------------------------------------------------------- services


def _category_names(session: Session) -> dict[str, WorkOrderCategory]:
    return {c.code: c for c in session.scalars(select(WorkOrderCategory))}


def services(session: Session) -> list[dict[str, Any]]:
    cats = categories(session)
    by_code = {c.code: c for c in cats}
    parents = {c.parent_code for c in cats if c.parent_code}
    out = []
    for c in cats:
        if c.code in parents:
            continue  # a group, not a service
        group = by_code.get(c.parent_code or "")
        out.append({"service_code": spec.service_code(c.code), "service_name": c.name_zh,
                    "description": c.name_en or c.name_zh, "metadata": True, "type": "batch",
                    "keywords": ", ".join(x for x in (c.name_zh, c.name_en) if x),
                    "group": group.name_zh if group else None})
    return out


def _category_of(session: Session, code: str) -> WorkOrderCategory:
    for c in categories(session):
        if spec.service_code(c.code) == code:
            return c
    raise spec.SpecError(404, f"service_code {code!r} not found")


def service_definition(session: Session, code: str) -> dict[str, Any]:
    c = _category_of(session, code)
    return {"service_code": spec.service_code(c.code), "attributes": [{
        "variable": True, "code": spec.ORDER_TYPE_ATTRIBUTE, "datatype": "singlevaluelist", "required": False,
        "datatype_description": "诉求类型；不填为一般诉求 (default: request)", "order": 1,
        "description": "诉求类型 Kind of request",
        "values": [{"key": str(t), "name": spec.ORDER_TYPE_NAMES[t]} for t in OrderType]}]}


# --------------------------------------------------------------------------- requests


def file_request(session: Session, settings: Settings, form: dict[str, str], *, now: dt.datetime | None = None
                 ) -> dict[str, Any]:
    """POST requests: into the intake queue; answers the token (asynchronous creation)."""
    now = now or utcnow()
    client = client_for_key(session, form.get("api_key"))
    try:
        queue.check_rate(session, now=now, limit=settings.intake_open311_max_per_hour, field="api_key",
                         client_id=client.id)
    except TooMany as e:
        raise spec.SpecError(429, str(e)) from None
    code = (form.get("service_code") or "").strip()
    if not code:
        raise spec.SpecError(400, "service_code is required")
    try:
        cat = _category_of(session, code)
    except spec.SpecError:
        raise spec.SpecError(400, f"service_code {code!r} not found") from None
    loc = spec.location(form.get("lat"), form.get("long"), form.get("address_string"), form.get("address_id"))
    media = spec.media_url(form.get("media_url"))
    otype = spec.order_type(form.get(f"attribute[{spec.ORDER_TYPE_ATTRIBUTE}]"))
    description = (form.get("description") or "").strip()
    if len(description) > 4000:
        raise spec.SpecError(400, "description is longer than 4000 characters")
    for name, limit in (("first_name", 50), ("last_name", 50), ("phone", 32), ("email", 200),
                        ("device_id", 100), ("account_id", 100), ("address_string", 500), ("address_id", 100)):
        if len(form.get(name) or "") > limit:
            raise spec.SpecError(400, f"{name} is longer than {limit} characters")
    name = " ".join(x for x in ((form.get("last_name") or "").strip(), (form.get("first_name") or "").strip()) if x)
    sender = (form.get("phone") or "").strip() or (form.get("email") or "").strip() or client.name
    text = description or f"{cat.name_zh}（{loc.address_string or ''}）"
    token = secrets.token_hex(16)
    meta = {"service_code": code, "category": cat.code, "order_type": otype, "lat": loc.lat, "long": loc.long,
            "address_string": loc.address_string, "address_id": loc.address_id, "media_url": media,
            "name": name or None, "phone": (form.get("phone") or "").strip() or None,
            "email": (form.get("email") or "").strip() or None, "device_id": form.get("device_id") or None,
            "account_id": form.get("account_id") or None}
    try:
        m, _ = queue.receive(session, settings, channel=Channel.OPEN311, sender=sender, text=text, now=now,
                             meta=meta, client_id=client.id, token=token)
    except Invalid as e:
        raise spec.SpecError(400, f"{e.field or 'request'}: {e}") from None
    out = {"token": m.token, "service_notice": SERVICE_NOTICE}
    order = None
    if settings.open311_create_directly and (loc.lat is not None or loc.address_string):
        # Synchronous creation (follow-up point 5): the specification lets a POST answer either
        # the service_request_id at once or a token to ask later; with a valid service and a
        # place the order is made now, the message done, and the answer carries both.
        # Registered as the console would, in the client application's name (no user: no id). What
        # the order rules refuse (R-P2 …) leaves the request in the queue, answered with its token.
        viewer = Viewer(None, f"open311-{client.id}", client.name[:100], str(Role.OPERATOR), None)  # type: ignore[arg-type]
        try:
            with session.begin_nested():
                order = commands.create_order(session, viewer, commands.NewOrder(
                    order_type=otype or "request", description=text, channel=str(Channel.OPEN311),
                    situation="general" if (otype or "request") == "request" else None, category=cat.code,
                    place=loc.address_string or None, latitude=loc.lat, longitude=loc.long,
                    caller_name=name or f"市民（{client.name}）"[:100], caller_number=meta["phone"]),
                    tz=settings.tz, now=now)
        except ZongjiError:
            order = None
    if order is not None:
        m.state, m.outcome, m.order_id, m.first_responded_at = "done", "order", order.id, now
        audit.record(session, actor=f"open311:{client.name}", action="intake_order", entity="intake_message",
                     entity_id=m.id, detail={"order_id": order.id, "synchronous": True})
        live_feed.publish(session, "intake", m.id, replies.message_out(m, now), at=now)
        out = {"service_request_id": order.number, "token": m.token, "service_notice": SERVICE_NOTICE}
    if meta["account_id"]:
        out["account_id"] = meta["account_id"]
    return out


def token_status(session: Session, token: str) -> dict[str, Any]:
    m = session.scalar(select(IntakeMessage).where(IntakeMessage.token == token))
    if m is None:
        raise spec.SpecError(404, "token not found")
    if m.order_id is None:  # not registered yet: the token alone, as the specification allows
        return {"token": token}
    number = session.scalar(select(WorkOrder.number).where(WorkOrder.id == m.order_id))
    return {"service_request_id": number, "token": token}


def _iso(t: dt.datetime | None, tz: ZoneInfo) -> str | None:
    return t.astimezone(tz).isoformat(timespec="seconds") if t else None


def _media_of(session: Session, order_ids: list[int]) -> dict[int, str]:
    out: dict[int, str] = {}
    for oid, meta in session.execute(select(IntakeMessage.order_id, IntakeMessage.meta).where(
            IntakeMessage.order_id.in_(order_ids), IntakeMessage.channel == str(Channel.OPEN311))):
        if isinstance(meta, dict) and meta.get("media_url") and oid not in out:
            out[oid] = meta["media_url"]
    return out


def request_out(o: WorkOrder, cats: dict[str, WorkOrderCategory], units: dict[int, str], media: dict[int, str],
                tz: ZoneInfo) -> dict[str, Any]:
    cat = cats.get(o.category or "")
    return {
        "service_request_id": o.number, "status": spec.request_status(o.status),
        "status_notes": public_status.stage(o.status), "service_name": cat.name_zh if cat else None,
        "service_code": spec.service_code(o.category) if o.category else "",
        "description": o.description or None, "agency_responsible": units.get(o.main_unit_id or 0),
        "service_notice": None, "requested_datetime": _iso(o.created_at, tz),
        "updated_datetime": _iso(o.closed_at or o.updated_at, tz), "expected_datetime": _iso(o.completion_deadline, tz),
        "address": o.place or None, "address_id": None, "zipcode": None, "lat": o.latitude, "long": o.longitude,
        "media_url": media.get(o.id),
    }


def _split(raw: str | None) -> list[str]:
    return [x.strip() for x in (raw or "").split(",") if x.strip()]


def _when(raw: str | None, name: str) -> dt.datetime | None:
    if not raw:
        return None
    try:
        t = dt.datetime.fromisoformat(raw.strip().replace("Z", "+00:00"))
    except ValueError:
        raise spec.SpecError(400, f"{name} must be a w3c date-time with a time zone") from None
    if t.tzinfo is None:
        raise spec.SpecError(400, f"{name} must carry a time zone (Z or ±hh:mm)")
    return t


def requests(session: Session, tz: ZoneInfo, *, service_request_id: str | None = None,
             service_code: str | None = None, start_date: str | None = None, end_date: str | None = None,
             status: str | None = None, now: dt.datetime | None = None) -> list[dict[str, Any]]:
    """GET requests: by ids (overriding every other filter), else by service codes, a range of
    requested times (default: the last 90 days, at most 90 days) and open/closed; at most 1000,
    newest first."""
    now = now or utcnow()
    q = select(WorkOrder).where(WorkOrder.channel.in_([str(c) for c in PUBLIC_CHANNELS]))
    ids = _split(service_request_id)
    if ids:
        q = q.where(WorkOrder.number.in_(ids[:MAX_RESULTS]))
    else:
        start, end = _when(start_date, "start_date"), _when(end_date, "end_date")
        if start and end and end < start:
            raise spec.SpecError(400, "end_date is before start_date")
        if start and end and end - start > dt.timedelta(days=DEFAULT_DAYS):
            raise spec.SpecError(400, "start_date and end_date may not span more than 90 days")
        if start is None:
            start = (end or now) - dt.timedelta(days=DEFAULT_DAYS)
        q = q.where(WorkOrder.created_at >= start)
        if end is not None:
            q = q.where(WorkOrder.created_at <= end)
        codes = _split(service_code)
        if codes:
            q = q.where(WorkOrder.category.in_([c.replace(".", "/") for c in codes] + codes))
        statuses = _split(status)
        if any(s not in ("open", "closed") for s in statuses):
            raise spec.SpecError(400, "status must be open or closed")
        finals = [str(s) for s in FINAL_STATUSES]
        if statuses == ["open"]:
            q = q.where(WorkOrder.status.not_in(finals))
        elif statuses == ["closed"]:
            q = q.where(WorkOrder.status.in_(finals))
    rows = list(session.scalars(q.order_by(WorkOrder.created_at.desc(), WorkOrder.id.desc()).limit(MAX_RESULTS)))
    cats = _category_names(session)
    unit_ids = {o.main_unit_id for o in rows if o.main_unit_id}
    units = {d.id: d.name for d in session.scalars(select(Department).where(Department.id.in_(unit_ids)))} if unit_ids else {}
    media = _media_of(session, [o.id for o in rows]) if rows else {}
    return [request_out(o, cats, units, media, tz) for o in rows]


def request(session: Session, tz: ZoneInfo, service_request_id: str) -> list[dict[str, Any]]:
    found = requests(session, tz, service_request_id=service_request_id)
    if len(_split(service_request_id)) != 1 or not found:
        raise spec.SpecError(404, f"service_request_id {service_request_id!r} not found")
    return found
