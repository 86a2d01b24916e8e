"""The customer's messages (R-T3): membership created, booking confirmed, and the day-before
care message (出行关怀) with the city's three-day forecast.

Each message is a ``BookingMessage`` row (one per kind and booking or member: a unique ``key``)
and a job ``bookings.sms`` scheduled in the same transaction (``store/jobs.py``): the worker
sends it once it is due, through the SMS gateway contract of docs/notifications.md
(``HttpSmsGateway``; the gateway's ``reference`` is ``zongji-booking-<id>``, so even a crash
between the gateway's acceptance and our commit sends no second message). The text is written
from the kind's template when the message is sent (the care message then holds the forecast of
that morning). A send the gateway refuses is recorded on the message and tried again by a new
job after ``booking_sms_retry_seconds``, up to ``booking_sms_max_attempts``, then ``failed``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.bookings import messages as texts
from zongji.domain.bookings.hotel_booking import total_fen, yuan
from zongji.domain.bookings.readback import arrival_words
from zongji.errors import Invalid
from zongji.services import audit, live_feed
from zongji.services.bookings import weather_forecast
from zongji.services.notifications import DeliveryError, HttpSmsGateway
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.booking_models import Booking, BookingMember, BookingMessage, BookingTemplate
from zongji.store.models import utcnow

SMS_JOB = "bookings.sms"


def message_out(m: BookingMessage, tz) -> dict[str, Any]:
    return {"id": m.id, "kind": m.kind, "state": m.state, "due_at": m.due_at.astimezone(tz).isoformat(),
            "sent_at": m.sent_at.astimezone(tz).isoformat() if m.sent_at else None, "text": m.text,
            "attempts": m.attempts, "error": m.error}


# --------------------------------------------------------------------------- templates


def template(session: Session, kind: str) -> str:
    row = session.get(BookingTemplate, kind)
    return row.body if row is not None else texts.DEFAULTS[kind]


def templates_out(session: Session) -> list[dict[str, Any]]:
    rows = {t.kind: t for t in session.scalars(select(BookingTemplate))}
    return [{"kind": k, "label": texts.KIND_LABELS[k], "body": rows[k].body if k in rows else texts.DEFAULTS[k],
             "default": texts.DEFAULTS[k], "custom": k in rows, "placeholders": list(texts.PLACEHOLDERS[k]),
             "updated_by": rows[k].updated_by if k in rows else None} for k in texts.KINDS]


def save_template(session: Session, kind: str, body: str | None, *, actor: str, now: dt.datetime | None = None) -> None:
    """An admin's text for a kind; ``None`` (or the default's text) goes back to the default."""
    if kind not in texts.KINDS:
        raise Invalid(f"one of {', '.join(texts.KINDS)}", field="kind")
    row = session.get(BookingTemplate, kind)
    if body is None or body.strip() == texts.DEFAULTS[kind]:
        if row is not None:
            session.delete(row)
    else:
        text = texts.check_template(kind, body)
        if row is None:
            row = BookingTemplate(kind=kind, body=text, updated_by=actor[:100])
            session.add(row)
        row.body, row.updated_by, row.updated_at = text, actor[:100], now or utcnow()
    session.flush()
    audit.record(session, actor=actor, action="booking_template.save", entity="booking_template", entity_id=kind)


# --------------------------------------------------------------------------- queueing


def queue(session: Session, *, kind: str, key: str, mobile: str, due_at: dt.datetime,
          booking_id: int | None = None, member_id: int | None = None) -> BookingMessage:
    """A message to send at ``due_at`` (once per ``key``)."""
    m = session.scalar(select(BookingMessage).where(BookingMessage.key == key))
    if m is not None:
        return m
    m = BookingMessage(kind=kind, key=key, mobile=mobile, due_at=due_at, booking_id=booking_id, member_id=member_id,
                       state="scheduled", attempts=0)
    session.add(m)
    session.flush()
    jobs.schedule(session, SMS_JOB, f"booking-sms:{m.id}:0", due_at, {"message_id": m.id})
    return m


def care_due_at(check_in: dt.date, settings: Settings) -> dt.datetime:
    """The care message's time: ``booking_care_time`` on the day before check-in (local)."""
    hh, mm = (int(x) for x in settings.booking_care_time.split(":"))
    return dt.datetime.combine(check_in - dt.timedelta(days=1), dt.time(hh, mm), tzinfo=settings.tz)


def member_joined(session: Session, *, name: str, mobile: str, now: dt.datetime) -> BookingMember | None:
    """The customer becomes a member at their first booking: the membership SMS (R-T3). None
    when the mobile is a member already."""
    if session.scalar(select(BookingMember).where(BookingMember.mobile == mobile)) is not None:
        return None
    member = BookingMember(mobile=mobile, name=name, created_at=now)
    session.add(member)
    session.flush()
    queue(session, kind="membership_created", key=f"membership_created:m{member.id}", mobile=mobile, due_at=now,
          member_id=member.id)
    return member


def booking_confirmed(session: Session, b: Booking, settings: Settings, *, now: dt.datetime, round_: int) -> None:
    """The confirmation SMS now, and the care message the day before check-in (if that is still
    to come or today; a booking for today gets none)."""
    suffix = "" if round_ <= 1 else f":{round_}"
    queue(session, kind="booking_confirmed", key=f"booking_confirmed:b{b.id}{suffix}", mobile=b.mobile, due_at=now,
          booking_id=b.id)
    local_today = now.astimezone(settings.tz).date()
    if b.check_in > local_today:
        queue(session, kind="travel_care", key=f"travel_care:b{b.id}{suffix}", mobile=b.mobile,
              due_at=max(care_due_at(b.check_in, settings), now), booking_id=b.id)


def cancel_scheduled(session: Session, booking_id: int) -> int:
    """A changed or cancelled booking: its messages not sent yet are cancelled (their job finds
    them so and does nothing)."""
    n = 0
    for m in session.scalars(select(BookingMessage).where(BookingMessage.booking_id == booking_id,
                                                          BookingMessage.state == "scheduled")):
        m.state = "cancelled"
        n += 1
    return n


# --------------------------------------------------------------------------- sending


def _values(session: Session, m: BookingMessage, settings: Settings, now: dt.datetime) -> dict[str, Any]:
    values: dict[str, Any] = {"hotline": settings.booking_hotline_number, "mobile": m.mobile}
    if m.member_id is not None:
        member = session.get(BookingMember, m.member_id)
        values["name"] = member.name if member else ""
    if m.booking_id is None:
        return values
    b = session.get(Booking, m.booking_id)
    hotel = b.hotel
    fmt = lambda d: f"{d.month}月{d.day}日"  # noqa: E731
    nights = (b.check_out - b.check_in).days
    values.update({
        "name": b.customer_name, "desk_name": b.customer_name, "number": b.number,
        "hotel": hotel.name if hotel else "", "address": hotel.address if hotel else "",
        "hotel_phone": hotel.phone if hotel else "", "city": hotel.city if hotel else "",
        "check_in": fmt(b.check_in), "check_out": fmt(b.check_out), "nights": nights,
        "rooms": "、".join(f"{r.room_type}{r.count}间" for r in b.rooms),
        "unit_price": "、".join(f"{r.room_type}每晚{yuan(r.nightly_fen)}元" for r in b.rooms),
        "total": yuan(total_fen(b.rooms, nights)),
        "arrival": arrival_words(b.hold_free, b.latest_arrival)[0], "confirmation_number": b.confirmation_number or "",
    })
    if m.kind == "travel_care":
        days = weather_forecast.forecast(session, settings, hotel.city if hotel else "", b.check_in, now=now)
        values["forecast"] = texts.forecast_text(days)
    return values


def record_sent_earlier(session: Session, m: BookingMessage, settings: Settings, now: dt.datetime) -> None:
    """Record a due message as sent at its due time without the gateway, its job cancelled: the
    history the demo loads (its invented customers are never sent an SMS when a worker starts)."""
    m.text = texts.render(m.kind, template(session, m.kind), _values(session, m, settings, now))
    m.state, m.sent_at, m.attempts, m.error = "sent", m.due_at, m.attempts + 1, None
    jobs.cancel(session, f"booking-sms:{m.id}:{m.attempts - 1}")


def send(session: Session, message_id: int, now: dt.datetime, settings: Settings) -> BookingMessage | None:
    """Send one due message (the ``bookings.sms`` job); a refusal is recorded and retried."""
    m = session.get(BookingMessage, message_id)
    if m is None or m.state != "scheduled":
        return m
    m.attempts += 1
    try:
        text = texts.render(m.kind, template(session, m.kind), _values(session, m, settings, now))
        if not settings.sms_gateway_url:
            raise DeliveryError("SMS is not configured (ZONGJI_SMS_GATEWAY_URL)")
        gateway = HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token, settings.sms_timeout_seconds)
        m.gateway_id = gateway.send(to=m.mobile, text=text, reference=f"zongji-booking-{m.id}")[:64] or None
    except (DeliveryError, Invalid) as e:
        m.error = str(getattr(e, "message", e))[:300]
        if m.attempts >= settings.booking_sms_max_attempts or isinstance(e, Invalid):
            m.state = "failed"
        else:
            jobs.schedule(session, SMS_JOB, f"booking-sms:{m.id}:{m.attempts}",
                          now + dt.timedelta(seconds=settings.booking_sms_retry_seconds), {"message_id": m.id})
    else:
        m.text, m.state, m.sent_at, m.error = text, "sent", now, None
    if m.booking_id is not None:
        live_feed.publish(session, "booking", m.booking_id, {"id": m.booking_id, "message": m.kind, "state": m.state},
                          at=now)
    return m
