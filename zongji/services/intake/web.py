"""The citizens' web form (issue 15, point 4): a request filed without login into the intake
queue with its photos, a tracking number in return, and the status page by number and telephone.

Protected by a honeypot field (a form that fills it is answered as if accepted and nothing is
stored), rate limits per client address and per telephone number, size limits on text and
photos. The status page shows the public stage (``domain.intake.public_status``), the order's
number once an operator made it, the handling unit's reply to the citizen and the operators'
answers — never an operator's name, a note or a unit's internal remark."""

from __future__ import annotations

import datetime as dt
import secrets
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.intake import public_status
from zongji.domain.intake.channels import Channel
from zongji.domain.work_orders.phone_digits import phone_digits
from zongji.domain.work_orders.words import OrderType, Status
from zongji.errors import Invalid, NotFound
from zongji.services.intake import queue
from zongji.services.intake.mail import attachments_dir
from zongji.services.work_orders.categories import categories
from zongji.services.work_orders.stored_state import row_state
from zongji.settings import Settings
from zongji.store.intake_models import IntakeMessage
from zongji.store.work_order_models import WorkOrder

IMAGE_TYPES = {"image/jpeg", "image/png", "image/webp", "image/gif", "image/heic", "image/heif"}
REPLIED = {Status.REPLIED, Status.CALLBACK, Status.CLOSED}


@dataclass(frozen=True)
class Photo:
    filename: str
    content_type: str
    data: bytes


def choices(session: Session) -> dict[str, Any]:
    """What the form offers: the order types and the categories citizens pick from."""
    cats = categories(session)
    parents = {c.parent_code for c in cats if c.parent_code}
    return {"order_types": [str(t) for t in OrderType],
            "categories": [{"code": c.code, "name_zh": c.name_zh, "name_en": c.name_en or c.name_zh}
                           for c in cats if c.code not in parents]}


def submit(session: Session, settings: Settings, data: dict[str, str], photos: list[Photo], *, address: str,
           now: dt.datetime) -> dict[str, Any]:
    """File one request; ``{"tracking_number"}``."""
    if (data.get("website") or "").strip():  # the honeypot: only a robot fills it
        return {"tracking_number": "WEB-" + secrets.token_hex(5).upper()}
    phone = (data.get("phone") or "").strip()
    digits = phone_digits(phone)
    if not (7 <= len(digits) <= 15):
        raise Invalid("a telephone number to be called back and to follow the request", field="phone")
    description = (data.get("description") or "").strip()
    if len(description) < 5:
        raise Invalid("say what happened (at least 5 characters)", field="description")
    if len(description) > 2000:
        raise Invalid("at most 2000 characters", field="description", code="too_long")
    otype = (data.get("order_type") or "request").strip()
    if otype not in {str(t) for t in OrderType}:
        raise Invalid("one of the request types", field="order_type")
    category = (data.get("category") or "").strip() or None
    if category and category not in {c["code"] for c in choices(session)["categories"]}:
        raise Invalid("one of the listed kinds of matter", field="category")
    place = (data.get("place") or "").strip()
    lat, lng = (data.get("latitude") or "").strip(), (data.get("longitude") or "").strip()
    point = None
    if lat or lng:
        try:
            point = (float(lat), float(lng))
        except ValueError:
            raise Invalid("a map point is two numbers", field="latitude" if not _is_number(lat) else "longitude") from None
        if not (-90 <= point[0] <= 90):
            raise Invalid("latitude out of range", field="latitude")
        if not (-180 <= point[1] <= 180):
            raise Invalid("longitude out of range", field="longitude")
    if not place and point is None:
        raise Invalid("where it is: an address or a point on the map", field="place")
    if len(place) > 300:
        raise Invalid("at most 300 characters", field="place", code="too_long")
    name = (data.get("name") or "").strip()[:50]
    if len(photos) > settings.intake_web_photos_max:
        raise Invalid(f"at most {settings.intake_web_photos_max} photos", field="photos")
    for p in photos:
        if p.content_type not in IMAGE_TYPES:
            raise Invalid("photos only (JPEG, PNG, WebP, GIF, HEIC)", field="photos")
        if len(p.data) > settings.attachment_max_bytes:
            raise Invalid(f"a photo is larger than {settings.attachment_max_bytes // 1024} KiB", field="photos",
                          code="too_large")
    queue.check_rate(session, now=now, limit=settings.intake_web_max_per_hour_address, field="request",
                     client_address=address or "unknown", channel=Channel.WEB)
    queue.check_rate(session, now=now, limit=settings.intake_web_max_per_hour_number, field="phone",
                     sender_digits=digits, channel=Channel.WEB)
    kept = []
    for p in photos:
        if not p.data:
            continue
        stored = uuid.uuid4().hex
        (attachments_dir(settings.data_dir) / stored).write_bytes(p.data)
        kept.append({"filename": Path(p.filename or "photo").name[:200] or "photo", "content_type": p.content_type,
                     "size": len(p.data), "stored": stored})
    number = "WEB-" + secrets.token_hex(5).upper()
    meta = {"order_type": otype, "category": category, "address_string": place or None,
            "lat": point[0] if point else None, "long": point[1] if point else None, "name": name or None,
            "phone": phone, "attachments": kept}
    queue.receive(session, settings, channel=Channel.WEB, sender=phone, text=description, now=now, meta=meta,
                  token=number, client_address=address or "unknown")
    return {"tracking_number": number}


def _is_number(v: str) -> bool:
    try:
        float(v)
        return True
    except ValueError:
        return False


def status(session: Session, number: str, phone: str) -> dict[str, Any]:
    """The request's public state for its tracking number (or order number) and the telephone
    it was filed with; the same "not found" for a wrong number or a wrong telephone."""
    number, digits = (number or "").strip().upper(), phone_digits(phone)
    missing = NotFound("no request with this number and telephone", field="number")
    if not number or not digits:
        raise missing
    m = session.scalar(select(IntakeMessage).where(IntakeMessage.token == number,
                                                   IntakeMessage.channel == str(Channel.WEB)))
    order = None
    if m is not None:
        if m.sender_digits != digits:
            raise missing
        order = session.get(WorkOrder, m.order_id) if m.order_id else None
    else:
        order = session.scalar(select(WorkOrder).where(WorkOrder.number == number))
        if order is None or phone_digits(order.caller_number) != digits:
            raise missing
    out: dict[str, Any] = {"tracking_number": m.token if m else None, "received_at": None, "order_number": None,
                           "stage_zh": "已收到，等待受理", "stage_en": "received, waiting to be registered",
                           "open": True, "reply": None, "answers": []}
    if m is not None:
        out["received_at"] = m.received_at.isoformat()
        out["answers"] = [{"at": a.received_at.isoformat(), "text": a.text} for a in session.scalars(
            select(IntakeMessage).where(IntakeMessage.in_reply_to_id == m.id, IntakeMessage.direction == "out")
            .order_by(IntakeMessage.received_at))]
    if order is not None:
        out.update(order_number=order.number, stage_zh=public_status.stage(order.status),
                   stage_en=public_status.stage(order.status, "en"), open=public_status.is_open(order.status))
        if Status(order.status) in REPLIED:
            out["reply"] = row_state(order).reply_text or None
    return out
