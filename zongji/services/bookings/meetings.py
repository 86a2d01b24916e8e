"""Meeting bookings (issue 17 point 3, R-T4): take the requirements, quote, record the hotel's
answer, set the deposit deadline (``travel_deposit_working_days`` working days on the business
calendar, ``services.sla.base_calendar``) and remind the operator who took the booking and the
shift leaders once when it passes unpaid (job ``travel.deposit_reminder``, one per booking)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.bookings import meetings as rules
from zongji.errors import Conflict, Forbidden, Invalid, NotFound
from zongji.domain.bookings.hotel_booking import mask_mobile
from zongji.services import audit, notifications, sla
from zongji.services.bookings import listing
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.booking_models import Hotel
from zongji.store.models import User
from zongji.store.travel_models import MeetingBooking

REMINDER_JOB = "travel.deposit_reminder"


def _invalid(exc: rules.MeetingBookingError) -> Exception:
    if exc.code == "forbidden":
        return Forbidden(str(exc), field=exc.field, code=exc.code)
    if exc.code == "illegal":
        return Conflict(str(exc), field=exc.field, code=exc.code)
    return Invalid(str(exc), field=exc.field, code=exc.code)


def meeting_out(m: MeetingBooking, role: str | None = None, now: dt.datetime | None = None) -> dict[str, Any]:
    state = rules.MeetingState(m.status)
    now = now or dt.datetime.now(dt.UTC)
    return {
        "kind_of_booking": "meeting", "id": m.id, "hotel_name": m.hotel_name, "hotel_id": m.hotel_id,
        "kind": m.kind, "needs": m.needs, "start_date": m.start_date.isoformat(), "end_date": m.end_date.isoformat(),
        "attendees": m.attendees, "rooms": m.rooms, "budget_fen": m.budget_fen, "contact": m.contact,
        "mobile": m.mobile, "status": m.status, "quote": m.quote, "total_fen": m.total_fen,
        "deposit_fen": m.deposit_fen, "hotel_confirmation": m.hotel_confirmation,
        "confirmed_at": m.confirmed_at.isoformat() if m.confirmed_at else None,
        "deposit_due_at": m.deposit_due_at.isoformat() if m.deposit_due_at else None,
        "deposit_paid_at": m.deposit_paid_at.isoformat() if m.deposit_paid_at else None,
        "reminded_at": m.reminded_at.isoformat() if m.reminded_at else None,
        "deposit_reminder": rules.deposit_reminder_state(m.status, m.deposit_due_at, m.reminded_at, m.deposit_paid_at,
                                                         now),
        "reason": m.reason, "operator": m.operator, "created_at": m.created_at.isoformat(),
        "actions": rules.allowed_actions(state, role) if role else [],
    }


def create(session: Session, settings: Settings, *, actor: str, today: dt.date, **fields: Any) -> MeetingBooking:
    try:
        req = rules.check_request(today=today, **fields)
    except rules.MeetingBookingError as exc:
        raise _invalid(exc) from None
    if req.hotel_id is not None and session.get(Hotel, req.hotel_id) is None:
        raise Invalid("No such hotel", field="hotel_id", code="unknown_hotel")
    m = MeetingBooking(hotel_name=req.hotel_name, hotel_id=req.hotel_id, kind=req.kind, needs=req.needs,
                       start_date=req.start_date, end_date=req.end_date, attendees=req.attendees, rooms=req.rooms,
                       budget_fen=req.budget_fen, contact=req.contact, mobile=req.mobile, status=rules.REQUESTED,
                       operator=actor)
    session.add(m)
    session.flush()
    audit.record(session, actor=actor, action="create", entity="meeting_booking", entity_id=m.id)
    return m


def get(session: Session, booking_id: int) -> MeetingBooking:
    m = session.get(MeetingBooking, booking_id)
    if m is None:
        raise NotFound("No such meeting booking", field="booking_id")
    return m


def act(session: Session, settings: Settings, booking_id: int, action: str, *, user: User, actor: str,
        now: dt.datetime, lines: list[tuple[str, int, int]] | None = None, reason: str | None = None,
        confirmation: str | None = None) -> MeetingBooking:
    """One step of ``meetings.RULES`` on the booking."""
    m = session.scalar(select(MeetingBooking).where(MeetingBooking.id == booking_id).with_for_update())
    if m is None:
        raise NotFound("No such meeting booking", field="booking_id")
    state = rules.MeetingState(m.status)
    try:
        quote = rules.make_quote(lines or [], settings.travel_deposit_percent) if action == "quote" else None
        calendar = sla.base_calendar(session, settings.tz) if action == "confirm" else None
        new = rules.apply(state, action, user.role, calendar=calendar, at=now, reason=reason,
                          confirmation=confirmation, deposit_working_days=settings.travel_deposit_working_days)
    except rules.MeetingBookingError as exc:
        raise _invalid(exc) from None
    m.status = new.status
    m.updated_at = now
    if quote is not None:
        m.quote, m.total_fen, m.deposit_fen = quote.to_json(), quote.total_fen, quote.deposit_fen
    if action == "confirm":
        m.confirmed_at, m.hotel_confirmation, m.deposit_due_at = now, new.hotel_confirmation, new.deposit_due_at
        jobs.schedule(session, REMINDER_JOB, f"travel:deposit:{m.id}", new.deposit_due_at, {"booking_id": m.id})
    if action == "pay_deposit":
        m.deposit_paid_at = now
        jobs.cancel(session, f"travel:deposit:{m.id}")
    if action in ("refuse", "cancel"):
        m.reason = new.refusal_reason
    audit.record(session, actor=actor, action=action, entity="meeting_booking", entity_id=m.id,
                 detail={"status": m.status})
    return m


def remind_deposit(session: Session, booking_id: int, *, now: dt.datetime) -> bool:
    """The deposit deadline passed: notify the operator who took the booking and the shift leaders,
    once (the job runs once per booking; ``reminded_at`` guards a manual rerun)."""
    m = session.get(MeetingBooking, booking_id)
    if m is None or m.status != rules.HOTEL_CONFIRMED or m.reminded_at is not None:
        return False
    subject = f"会议预订 #{m.id} 定金到期：{m.hotel_name}，{m.contact} {m.mobile}"
    body = f"deposit_fen={m.deposit_fen or 0}; due={m.deposit_due_at.isoformat() if m.deposit_due_at else ''}"
    op = session.scalar(select(User).where(User.username == m.operator.removeprefix("user:")))
    if op is not None:
        notifications.notify(session, kind="travel_deposit_due", subject=subject, body=body, user_id=op.id, now=now,
                             external=False)
    notifications.notify(session, kind="travel_deposit_due", subject=subject, body=body, role="shift_leader",
                         now=now, external=False)
    m.reminded_at = now
    return True


def search(session: Session, *, q: str | None = None, day: dt.date | None = None, status: str | None = None,
           limit: int = 100) -> list[MeetingBooking]:
    stmt = select(MeetingBooking)
    if status:
        stmt = stmt.where(MeetingBooking.status == status)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(MeetingBooking.contact.like(like), MeetingBooking.mobile.like(like),
                              MeetingBooking.hotel_name.like(like)))
    if day is not None:
        stmt = stmt.where(MeetingBooking.start_date <= day, MeetingBooking.end_date >= day)
    return list(session.scalars(stmt.order_by(MeetingBooking.start_date, MeetingBooking.id).limit(limit)))


def figures(session: Session, tz, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Meeting bookings per operator and local day of taking, ``{kind, day, operator, count,
    confirmed, refused}`` (the shape of the hotel figures, issue 17 point 5)."""
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for m in session.scalars(select(MeetingBooking).where(MeetingBooking.created_at >= lo,
                                                          MeetingBooking.created_at < hi)):
        day = m.created_at.astimezone(tz).date().isoformat()
        row = out.setdefault((day, m.operator), {"kind": "meeting", "day": day, "operator": m.operator,
                                                 "count": 0, "confirmed": 0, "refused": 0})
        row["count"] += 1
        row["confirmed"] += m.status in (rules.HOTEL_CONFIRMED, rules.DEPOSIT_PAID)
        row["refused"] += m.status == rules.REFUSED
    return [out[k] for k in sorted(out)]


def list_rows(session: Session, settings: Settings, query: listing.Query) -> list[dict[str, Any]]:
    """Meeting bookings in the list of every kind of booking (``/bookings``), in its row shape."""
    stmt = select(MeetingBooking)
    text = (query.q or "").strip()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(MeetingBooking.contact.like(like), MeetingBooking.mobile.like(like),
                              MeetingBooking.hotel_name.like(like)))
    if query.hotel_id:
        stmt = stmt.where(MeetingBooking.hotel_id == query.hotel_id)
    if query.date_from:
        stmt = stmt.where(MeetingBooking.start_date >= query.date_from)
    if query.date_to:
        stmt = stmt.where(MeetingBooking.start_date <= query.date_to)
    if query.state:
        stmt = stmt.where(MeetingBooking.status == query.state)
    stmt = stmt.order_by(MeetingBooking.start_date.desc(), MeetingBooking.id.desc()).limit(query.limit)
    return [{"id": m.id, "kind": "meeting", "number": f"#{m.id}", "state": m.status, "customer_name": m.contact,
             "mobile_masked": mask_mobile(m.mobile), "place": m.hotel_name, "city": "",
             "first_day": m.start_date.isoformat(), "last_day": m.end_date.isoformat(), "rooms": m.rooms,
             "summary": str(m.rooms), "total_fen": m.total_fen, "created_by": m.operator.removeprefix("user:"),
             "created_at": m.created_at.astimezone(settings.tz).isoformat(), "url": f"/travel/meetings/{m.id}"}
            for m in session.scalars(stmt)]


listing.register_source("meeting", list_rows)
