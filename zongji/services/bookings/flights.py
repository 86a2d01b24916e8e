"""Flight bookings (issue 17 point 4, R-T5). Passenger ID numbers are personal data: every
answer and export shows them as ``domain.bookings.id_numbers.shown`` decides for the reader's
role, each unmasked read is audited (action ``read``, entity ``flight_booking``), and a job
(``travel.erase_ids``, one per booking, due at ``ids_erase_at`` = the last flight date +
``flight_id_retention_days``) erases them exactly once."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from zongji.domain.bookings import flights as rules
from zongji.domain.bookings import id_numbers
from zongji.errors import Invalid, NotFound
from zongji.services import audit
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.travel_models import FlightBooking, FlightPassenger

ERASE_JOB = "travel.erase_ids"


def _hhmm(t: dt.time | None) -> str | None:
    return t.strftime("%H:%M") if t else None


def create(session: Session, settings: Settings, *, actor: str, today: dt.date, **fields: Any) -> FlightBooking:
    try:
        b = rules.check_booking(today=today, **fields)
    except rules.FlightBookingError as exc:
        raise Invalid(str(exc), field=exc.field, code=exc.code) from None
    last = b.return_date or b.departure_date
    row = FlightBooking(
        customer=b.customer, mobile=b.mobile, from_city=b.from_city, to_city=b.to_city, flight_number=b.flight_number,
        departure_date=b.departure_date, departure_time=_hhmm(b.departure_time), trip=b.trip,
        return_date=b.return_date, return_time=_hhmm(b.return_time), payment=b.payment,
        delivery_address=b.delivery_address, operator=actor,
        ids_erase_at=rules.erase_ids_at(last, settings.flight_id_retention_days, settings.tz),
        passengers=[FlightPassenger(position=i, name=p.name, id_kind=p.id_kind, id_number=p.id_number)
                    for i, p in enumerate(b.passengers)])
    session.add(row)
    session.flush()
    jobs.schedule(session, ERASE_JOB, f"travel:erase:{row.id}", row.ids_erase_at, {"booking_id": row.id})
    audit.record(session, actor=actor, action="create", entity="flight_booking", entity_id=row.id,
                 detail={"passengers": len(b.passengers)})
    return row


def flight_out(session: Session, b: FlightBooking, *, role: str, actor: str, user_id: int | None = None,
               purpose: str = "read") -> dict[str, Any]:
    """The booking as ``role`` may see it; an unmasked ID number read is audited."""
    unmasked = id_numbers.may_read_unmasked(role) and any(p.id_number for p in b.passengers)
    if unmasked:
        audit.record(session, actor=actor, user_id=user_id, action="read", entity="flight_booking", entity_id=b.id,
                     detail={"fields": ["id_number"], "purpose": purpose})
    return {
        "kind_of_booking": "flight", "id": b.id, "customer": b.customer, "mobile": b.mobile,
        "from_city": b.from_city, "to_city": b.to_city, "flight_number": b.flight_number,
        "departure_date": b.departure_date.isoformat(), "departure_time": b.departure_time, "trip": b.trip,
        "return_date": b.return_date.isoformat() if b.return_date else None, "return_time": b.return_time,
        "payment": b.payment, "delivery_address": b.delivery_address, "status": b.status,
        "operator": b.operator, "created_at": b.created_at.isoformat(), "ids_erase_at": b.ids_erase_at.isoformat(),
        "ids_masked": not id_numbers.may_read_unmasked(role),
        "passengers": [{"name": p.name, "id_kind": p.id_kind, "id_number": id_numbers.shown(p.id_number, role),
                        "id_erased": p.id_erased_at is not None} for p in b.passengers],
    }


def get(session: Session, booking_id: int) -> FlightBooking:
    b = session.get(FlightBooking, booking_id)
    if b is None:
        raise NotFound("No such flight booking", field="booking_id")
    return b


def search(session: Session, *, q: str | None = None, day: dt.date | None = None, limit: int = 100) -> list[FlightBooking]:
    stmt = select(FlightBooking).options(selectinload(FlightBooking.passengers))
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
