"""Confirming a booking with the hotel (R-T2): the hotel's number from the directory of hotels,
a click-to-call through the PBX, the hotel's answer recorded — confirmed with its confirmation
number, or refused with its reason, and then other hotels of the same city and price range
proposed to the customer (with an apology: the console shows the words to say).

Click-to-call: the job ``bookings.dial`` (queued in the transaction that asks for it, an
outbox like ``switchboard.pbx``) calls the PBX adapter's optional ``dial(extension, number,
ref=)``: ring the operator's extension, then connect it to the hotel. A PBX adapter without it
(or a PBX that is down past the retries) leaves the number on the screen to dial by hand; the
booking's history says which.
"""

from __future__ import annotations

import datetime as dt
import logging
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.errors import Conflict, Invalid
from zongji.services import audit
from zongji.services.actors import actor, who
from zongji.services.bookings import hotel_bookings, hotels, messages
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.booking_models import BookingAnswer, BookingEvent
from zongji.store.models import User, utcnow
from zongji.telephony.adapter import SwitchboardAdapter

log = logging.getLogger(__name__)
DIAL_JOB = "bookings.dial"
DIAL_RETRY = dt.timedelta(seconds=5)
APOLOGY = {"zh": "非常抱歉，{hotel}这几天已经满房了。同一城市、相近价位还有这些酒店，您看可以吗？",
           "en": "I am very sorry, {hotel} is full on those days. These hotels in the same city and price range "
                 "have rooms; would one of them suit you?"}


def dial(session: Session, user: User, booking_id: int, *, extension: str | None = None,
         now: dt.datetime | None = None) -> dict[str, Any]:
    """Ask the PBX to connect the operator to the booking's hotel; the number to dial by hand
    in any case."""
    now = now or utcnow()
    b = hotel_bookings._locked(session, booking_id)
    hotel = b.hotel
    if hotel is None or not hotel.phone.strip():
        raise Invalid("the hotel has no phone number in the directory: look it up and add it", field="phone")
    ext = (extension or user.operator_number or "").strip()
    if not ext:
        raise Invalid("your extension (the phone to ring first)", field="extension")
    n = session.scalar(select(func.count()).select_from(BookingEvent).where(
        BookingEvent.booking_id == b.id, BookingEvent.action == "dialled")) or 0
    jobs.schedule(session, DIAL_JOB, f"booking-dial:{b.id}:{n}", now,
                  {"booking_id": b.id, "extension": ext, "number": hotel.phone, "attempt": n})
    session.add(BookingEvent(booking_id=b.id, action="dialled", state=b.state, by=who(user), at=now,
                             detail={"number": hotel.phone, "extension": ext, "result": "queued"}))
    return {"number": hotel.phone, "extension": ext, "queued": True}


def run_dial(session: Session, payload: dict[str, Any], adapter: SwitchboardAdapter, now: dt.datetime) -> str:
    """The job: ``dialled`` (the PBX took it) or ``by_hand`` (the adapter cannot dial).
    TelephonyUnavailable propagates (the job retries)."""
    place = getattr(adapter, "dial", None)
    result = "by_hand"
    if place is not None:
        place(payload["extension"], payload["number"], ref=f"booking-{payload['booking_id']}")
        result = "dialled"
    mark_dial(session, int(payload["booking_id"]), result)
    return result


def mark_dial(session: Session, booking_id: int, result: str) -> None:
    """The latest click-to-call's result on the booking's history (``dialled``, ``by_hand``,
    ``unavailable``)."""
    ev = session.scalar(select(BookingEvent).where(BookingEvent.booking_id == booking_id,
                                                   BookingEvent.action == "dialled")
                        .order_by(BookingEvent.id.desc()))
    if ev is not None:
        ev.detail = {**(ev.detail or {}), "result": result}


def record_answer(session: Session, user: User | None, settings: Settings, booking_id: int, *, result: str,
                  confirmation_number: str | None = None, reason: str | None = None,
                  now: dt.datetime | None = None) -> dict[str, Any]:
    """The hotel's answer: ``confirmed`` (its confirmation number required) — the customer's SMS
    and the day-before care message are queued; ``refused`` (the reason required) — the answer
    holds the hotels to propose and the apology."""
    now = now or utcnow()
    b = hotel_bookings._locked(session, booking_id)
    if result == "confirmed":
        number = (confirmation_number or "").strip()
        if not number:
            raise Invalid("the hotel's confirmation number", field="confirmation_number")
        hotel_bookings.transition(b, "confirm")
        b.confirmation_number, b.refusal_reason = number[:40], None
    elif result == "refused":
        why = (reason or "").strip()
        if not why:
            raise Invalid("why the hotel refused", field="reason")
        hotel_bookings.transition(b, "refuse")
        b.refusal_reason, b.confirmation_number = why[:200], None
    else:
        raise Invalid("confirmed or refused", field="result")
    if b.hotel_id is None:
        raise Conflict("the booking has no hotel", field="hotel_id")
    b.updated_at = now
    session.add(BookingAnswer(booking_id=b.id, hotel_id=b.hotel_id, result=result,
                              confirmation_number=b.confirmation_number, reason=b.refusal_reason, by=who(user), at=now))
    session.add(BookingEvent(booking_id=b.id, action=result, state=b.state, by=who(user), at=now,
                             detail={"confirmation_number": b.confirmation_number, "reason": b.refusal_reason}))
    out: dict[str, Any] = {"state": b.state}
    if result == "confirmed":
        rounds = session.scalar(select(func.count()).select_from(BookingAnswer).where(
            BookingAnswer.booking_id == b.id, BookingAnswer.result == "confirmed")) or 0
        messages.booking_confirmed(session, b, settings, now=now, round_=rounds)
    else:
        out["alternatives"] = hotels.alternatives(session, b.hotel)
        out["apology"] = {k: v.format(hotel=b.hotel.name) for k, v in APOLOGY.items()}
    audit.record(session, actor=actor(user), user_id=user.id if user else None, action=f"booking.{result}",
                 entity="booking", entity_id=b.id)
    hotel_bookings.publish(session, b, now)
    return out
