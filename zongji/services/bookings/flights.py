"""Flight bookings (issue 17 point 4, R-T5). Passenger ID numbers are personal data: every
answer and export shows them as ``domain.bookings.id_numbers.shown`` decides for the reader's
role, each unmasked read is audited (action ``read``, entity ``flight_booking``), and a job
(``travel.erase_ids``, one per booking, due at ``ids_erase_at`` = the last flight date +
``flight_id_retention_days``) erases them exactly once.

A booking, a change and a cancellation are saved only after the customer heard them read back
(``read_back_heard``; the words from ``domain.bookings.flight_readback``); each is a row of the
booking's history (``FlightBookingEvent``: who, when, why, the read-back) and an audit entry. A
role that sees masked ID numbers may change a booking: a masked number sent back unchanged keeps
the stored one (``id_numbers.is_mask_of``)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from zongji.domain.bookings import flights as rules
from zongji.domain.bookings import id_numbers
from zongji.domain.bookings.flight_readback import flight_read_back
from zongji.errors import Conflict, Forbidden, Invalid, NotFound
from zongji.services import audit
from zongji.domain.bookings.hotel_booking import mask_mobile
from zongji.services.actors import who
from zongji.services.bookings import listing
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import User
from zongji.store.travel_models import FlightBooking, FlightBookingEvent, FlightPassenger

ERASE_JOB = "travel.erase_ids"


def _hhmm(t: dt.time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def _refusal(exc: rules.FlightBookingError) -> Exception:
    if exc.code == "forbidden":
        return Forbidden(str(exc), field=exc.field, code=exc.code)
    if exc.code in ("illegal", "flown"):
        return Conflict(str(exc), field=exc.field, code=exc.code)
    return Invalid(str(exc), field=exc.field, code=exc.code)


def _checked(today: dt.date, fields: dict[str, Any]) -> rules.FlightBooking:
    try:
        return rules.check_booking(today=today, **fields)
    except rules.FlightBookingError as exc:
        raise _refusal(exc) from None


def number_of(b: FlightBooking) -> str:
    """How a flight booking is named to the customer and on its page."""
    return f"FB{b.id:04d}"


def _time(text: str | None) -> dt.time | None:
    return dt.time.fromisoformat(text) if text else None


def booking_of(b: FlightBooking) -> rules.FlightBooking:
    """The stored booking as the domain's (for its read-back)."""
    return rules.FlightBooking(
        customer=b.customer, mobile=b.mobile,
        passengers=tuple(rules.Passenger(p.name, p.id_kind, p.id_number or "") for p in b.passengers),
        from_city=b.from_city, to_city=b.to_city, departure_date=b.departure_date,
        departure_time=_time(b.departure_time), trip=b.trip, return_date=b.return_date,
        return_time=_time(b.return_time), payment=b.payment, delivery_address=b.delivery_address,
        flight_number=b.flight_number)


def _keep_masked(b: FlightBooking, fields: dict[str, Any]) -> dict[str, Any]:
    """A passenger's ID number sent back as the masked form of the number stored at the same
    position keeps the stored number (a role that sees masked numbers changes other fields)."""
    stored = {p.position: p for p in b.passengers}
    out = []
    for i, (name, kind, number) in enumerate(fields.get("passengers") or []):
        old = stored.get(i)
        if old is not None and old.id_kind == kind and id_numbers.is_mask_of(number, old.id_number):
            number = old.id_number
        out.append((name, kind, number))
    return fields | {"passengers": out}


def _event(b: FlightBooking, action: str, by: str, now: dt.datetime, read_back: str | None,
           reason: str | None = None) -> None:
    b.events.append(FlightBookingEvent(action=action, status=b.status, reason=reason, read_back=read_back,
                                       by=by, at=now))


def _write(b: FlightBooking, checked: rules.FlightBooking, settings: Settings) -> None:
    b.customer, b.mobile = checked.customer, checked.mobile
    b.from_city, b.to_city, b.flight_number = checked.from_city, checked.to_city, checked.flight_number
    b.departure_date, b.departure_time, b.trip = checked.departure_date, _hhmm(checked.departure_time), checked.trip
    b.return_date, b.return_time = checked.return_date, _hhmm(checked.return_time)
    b.payment, b.delivery_address = checked.payment, checked.delivery_address
    b.ids_erase_at = rules.erase_ids_at(rules.last_flight_date(checked.departure_date, checked.return_date),
                                        settings.flight_id_retention_days, settings.tz)
    b.passengers = [FlightPassenger(position=i, name=p.name, id_kind=p.id_kind, id_number=p.id_number)
                    for i, p in enumerate(checked.passengers)]


def read_back(session: Session, *, today: dt.date, booking_id: int | None = None, reason: str | None = None,
              **fields: Any) -> dict[str, str]:
    """The read-back of a new booking, or of ``booking_id`` changed to ``fields`` (with the
    customer's ``reason``, said back), before it is saved; refuses a bad field as saving would."""
    if booking_id is None:
        return flight_read_back(_checked(today, fields)).to_dict()
    b = get(session, booking_id)
    checked = _checked(today, _keep_masked(b, fields))
    return flight_read_back(checked, action="change", number=number_of(b),
                            reason=(reason or "").strip()[:500]).to_dict()


def create(session: Session, settings: Settings, *, actor: str, today: dt.date, read_back_heard: bool = False,
           user: User | None = None, now: dt.datetime | None = None, **fields: Any) -> FlightBooking:
    """Save a booking the customer heard read back (``read_back_heard``, else 422 naming it)."""
    if not read_back_heard:
        raise Invalid("read the booking back to the customer first", field="read_back_heard", code="required")
    checked = _checked(today, fields)
    row = FlightBooking(operator=actor, status=rules.BOOKED)
    _write(row, checked, settings)
    session.add(row)
    session.flush()
    jobs.schedule(session, ERASE_JOB, f"travel:erase:{row.id}", row.ids_erase_at, {"booking_id": row.id})
    _event(row, "created", who(user) if user else actor, now or dt.datetime.now(dt.UTC),
           flight_read_back(checked).zh)
    audit.record(session, actor=actor, action="create", entity="flight_booking", entity_id=row.id,
                 detail={"passengers": len(checked.passengers)})
    return row


def _locked(session: Session, booking_id: int) -> FlightBooking:
    b = session.scalar(select(FlightBooking).where(FlightBooking.id == booking_id).with_for_update())
    if b is None:
        raise NotFound("No such flight booking", field="booking_id")
    return b


def _step(b: FlightBooking, action: str, user: User, reason: str | None, today: dt.date) -> str:
    try:
        return rules.apply(b.status, action, user.role, reason=reason, today=today,
                           last_date=rules.last_flight_date(b.departure_date, b.return_date))
    except rules.FlightBookingError as exc:
        raise _refusal(exc) from None


def change(session: Session, settings: Settings, booking_id: int, *, user: User, actor: str, now: dt.datetime,
           reason: str | None, read_back_heard: bool = False, **fields: Any) -> FlightBooking:
    """Change a booking the customer heard read back changed; the ID numbers' erasure moves with
    the new last flight date."""
    if not read_back_heard:
        raise Invalid("read the changed booking back to the customer first", field="read_back_heard",
                      code="required")
    today = now.astimezone(settings.tz).date()
    b = _locked(session, booking_id)
    b.status = _step(b, "change", user, reason, today)
    checked = _checked(today, _keep_masked(b, fields))
    before = {"departure_date": b.departure_date.isoformat(), "from_city": b.from_city, "to_city": b.to_city}
    _write(b, checked, settings)
    why = (reason or "").strip()[:500]
    _event(b, "changed", who(user), now, flight_read_back(checked, action="change", number=number_of(b),
                                                          reason=why).zh, why)
    jobs.schedule(session, ERASE_JOB, f"travel:erase:{b.id}", b.ids_erase_at, {"booking_id": b.id}, reschedule=True)
    audit.record(session, actor=actor, user_id=user.id, action="change", entity="flight_booking", entity_id=b.id,
                 detail={"reason": why, "before": before})
    return b


def cancel_read_back(session: Session, booking_id: int, reason: str | None = None) -> dict[str, str]:
    b = get(session, booking_id)
    return flight_read_back(booking_of(b), action="cancel", number=number_of(b), reason=reason).to_dict()


def cancel(session: Session, settings: Settings, booking_id: int, *, user: User, actor: str, now: dt.datetime,
           reason: str | None, read_back_heard: bool = False) -> FlightBooking:
    """Cancel a booking the customer heard the cancellation read back for. The ID numbers stay
    until their erasure as set (the booking and its cancellation remain a record)."""
    if not read_back_heard:
        raise Invalid("read the cancellation back to the customer first", field="read_back_heard", code="required")
    b = _locked(session, booking_id)
    b.status = _step(b, "cancel", user, reason, now.astimezone(settings.tz).date())
    why = (reason or "").strip()[:500]
    _event(b, "cancelled", who(user), now, flight_read_back(booking_of(b), action="cancel", number=number_of(b),
                                                          reason=why).zh, why)
    audit.record(session, actor=actor, user_id=user.id, action="cancel", entity="flight_booking", entity_id=b.id,
                 detail={"reason": why})
    return b


def flight_out(session: Session, b: FlightBooking, *, role: str, actor: str, user_id: int | None = None,
               purpose: str = "read", today: dt.date | None = None, tz=None, history: bool = False) -> dict[str, Any]:
    """The booking as ``role`` may see it; an unmasked ID number read is audited."""
    unmasked = id_numbers.may_read_unmasked(role) and any(p.id_number for p in b.passengers)
    if unmasked:
        audit.record(session, actor=actor, user_id=user_id, action="read", entity="flight_booking", entity_id=b.id,
                     detail={"fields": ["id_number"], "purpose": purpose})
    out = {
        "kind_of_booking": "flight", "id": b.id, "number": number_of(b), "customer": b.customer, "mobile": b.mobile,
        "from_city": b.from_city, "to_city": b.to_city, "flight_number": b.flight_number,
        "departure_date": b.departure_date.isoformat(), "departure_time": b.departure_time, "trip": b.trip,
        "return_date": b.return_date.isoformat() if b.return_date else None, "return_time": b.return_time,
        "payment": b.payment, "delivery_address": b.delivery_address, "status": b.status,
        "operator": b.operator, "created_at": b.created_at.isoformat(), "ids_erase_at": b.ids_erase_at.isoformat(),
        "ids_masked": not id_numbers.may_read_unmasked(role),
        "passengers": [{"name": p.name, "id_kind": p.id_kind, "id_number": id_numbers.shown(p.id_number, role),
                        "id_erased": p.id_erased_at is not None} for p in b.passengers],
        "actions": rules.allowed_actions(b.status, role, today=today,
                                         last_date=rules.last_flight_date(b.departure_date, b.return_date)),
    }
    if history:
        out["events"] = [{"action": e.action, "status": e.status, "reason": e.reason, "read_back": e.read_back,
                          "by": e.by, "at": (e.at.astimezone(tz) if tz else e.at).isoformat()} for e in b.events]
        out["read_back"] = flight_read_back(booking_of(b), number=number_of(b)).to_dict()
    return out


def get(session: Session, booking_id: int) -> FlightBooking:
    b = session.get(FlightBooking, booking_id)
    if b is None:
        raise NotFound("No such flight booking", field="booking_id")
    return b


def search(session: Session, *, q: str | None = None, day: dt.date | None = None, status: str | None = None,
           limit: int = 100) -> list[FlightBooking]:
    stmt = select(FlightBooking).options(selectinload(FlightBooking.passengers))
    if status:
        stmt = stmt.where(FlightBooking.status == status)
    if q:
        like = f"%{q.strip()}%"
        stmt = stmt.where(or_(FlightBooking.customer.like(like), FlightBooking.mobile.like(like),
                              FlightBooking.passengers.any(FlightPassenger.name.like(like))))
    if day is not None:
        stmt = stmt.where(or_(FlightBooking.departure_date == day, FlightBooking.return_date == day))
    return list(session.scalars(stmt.order_by(FlightBooking.departure_date, FlightBooking.id).limit(limit)))


def erase_ids(session: Session, booking_id: int, *, now: dt.datetime) -> int:
    """Erase the passengers' ID numbers of one booking (the retention job); returns how many.
    Idempotent: an erased number stays NULL and is not counted again."""
    b = session.get(FlightBooking, booking_id)
    if b is None:
        return 0
    erased = 0
    for p in b.passengers:
        if p.id_number is not None:
            p.id_number, p.id_erased_at = None, now
            erased += 1
    if erased:
        audit.record(session, actor="system", action="erase", entity="flight_booking", entity_id=b.id,
                     detail={"fields": ["id_number"], "passengers": erased})
    return erased


def figures(session: Session, tz, start: dt.date, end: dt.date) -> list[dict[str, Any]]:
    """Flight bookings per operator and local day of taking, in the shape of the hotel figures
    ``{kind, day, operator, count, confirmed, refused}``: a flight booking is confirmed when taken
    (no hotel to ask), so ``confirmed`` counts those not cancelled and ``refused`` is 0."""
    lo = dt.datetime.combine(start, dt.time(0), tzinfo=tz)
    hi = dt.datetime.combine(end + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    out: dict[tuple[str, str], dict[str, Any]] = {}
    for b in session.scalars(select(FlightBooking).where(FlightBooking.created_at >= lo, FlightBooking.created_at < hi)):
        day = b.created_at.astimezone(tz).date().isoformat()
        row = out.setdefault((day, b.operator), {"kind": "flight", "day": day, "operator": b.operator,
                                                 "count": 0, "confirmed": 0, "refused": 0})
        row["count"] += 1
        row["confirmed"] += b.status != "cancelled"
    return [out[k] for k in sorted(out)]


def list_rows(session: Session, settings: Settings, query: listing.Query) -> list[dict[str, Any]]:
    """Flight bookings in the list of every kind of booking (``/bookings``), in its row shape (no
    ID numbers: the booking's own page shows them as the role may see them)."""
    if query.hotel_id:
        return []
    stmt = select(FlightBooking).options(selectinload(FlightBooking.passengers))
    text = (query.q or "").strip()
    if text:
        like = f"%{text}%"
        stmt = stmt.where(or_(FlightBooking.customer.like(like), FlightBooking.mobile.like(like),
                              FlightBooking.passengers.any(FlightPassenger.name.like(like))))
    if query.date_from:
        stmt = stmt.where(FlightBooking.departure_date >= query.date_from)
    if query.date_to:
        stmt = stmt.where(FlightBooking.departure_date <= query.date_to)
    if query.state:
        stmt = stmt.where(FlightBooking.status == query.state)
    stmt = stmt.order_by(FlightBooking.departure_date.desc(), FlightBooking.id.desc()).limit(query.limit)
    return [{"id": b.id, "kind": "flight", "number": number_of(b), "state": b.status, "customer_name": b.customer,
             "mobile_masked": mask_mobile(b.mobile), "place": f"{b.from_city} → {b.to_city}", "city": "",
             "first_day": b.departure_date.isoformat(), "last_day": (b.return_date or b.departure_date).isoformat(),
             "rooms": 0, "summary": "", "total_fen": None,
             "created_by": b.operator.removeprefix("user:"), "created_at": b.created_at.astimezone(settings.tz).isoformat(),
             "url": f"/travel/flights/{b.id}"} for b in session.scalars(stmt)]


listing.register_source("flight", list_rows)
