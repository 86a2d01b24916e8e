"""Hotel bookings taken by phone (R-T1): the read-back before saving, the booking saved with the
caller carried over from the call, changes and cancellations with the same read-back.

The customer's mobile is personal data: the booking's own page (``get``) is an audited read;
lists show it masked (listing.py)."""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping
from typing import Any

from sqlalchemy import false, or_, select
from sqlalchemy.orm import Session

from zongji.domain.bookings import hotel_booking as rules
from zongji.domain.bookings.readback import hotel_read_back
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.actors import actor, who
from zongji.services.bookings import hotels, messages
from zongji.settings import Settings
from zongji.store.booking_models import (Booking, BookingAnswer, BookingEvent, BookingMember, BookingMessage,
                                         BookingRoom, Hotel)
from zongji.store.models import Call, User, utcnow


def _local_today(settings: Settings, now: dt.datetime) -> dt.date:
    return now.astimezone(settings.tz).date()


def to_input(data: Mapping[str, Any], caller_number: str | None = None) -> rules.HotelBookingInput:
    """The API's fields as the domain's input (types already checked by the API)."""
    return rules.HotelBookingInput(
        customer_name=data.get("customer_name") or "", mobile=data.get("mobile") or "",
        check_in=data["check_in"], check_out=data["check_out"],
        rooms=tuple(rules.RoomLine(r.get("room_type") or "", int(r.get("count") or 0), int(r.get("nightly_fen") or 0))
                    for r in data.get("rooms") or ()),
        guest_names=tuple(data.get("guest_names") or ()), latest_arrival=data.get("latest_arrival"),
        hold_free=bool(data.get("hold_free")), breakfast=data.get("breakfast") or "none",
        special_requests=data.get("special_requests") or "", caller_number=caller_number)


def _input_of(b: Booking) -> rules.HotelBookingInput:
    return rules.HotelBookingInput(
        customer_name=b.customer_name, mobile=b.mobile, check_in=b.check_in, check_out=b.check_out,
        rooms=tuple(rules.RoomLine(r.room_type, r.count, r.nightly_fen) for r in b.rooms),
        guest_names=tuple(b.guest_names or ()), latest_arrival=b.latest_arrival, hold_free=b.hold_free,
        breakfast=b.breakfast, special_requests=b.special_requests, caller_number=b.caller_number)


def caller_of_call(session: Session, call_id: int) -> dict[str, Any]:
    """What a new booking takes from the call: the caller's number, name (if identified) and,
    when the caller's number is a mobile, that mobile."""
    call = session.get(Call, call_id)
    if call is None:
        raise NotFound("no such call", field="call_id")
    number = call.calling_number if call.direction != "out" else call.called_number
    try:
        mobile = rules.clean_mobile(number)
    except Invalid:
        mobile = None
    # An identified caller's name; an unknown caller's label is only their number again.
    name = call.caller_label if call.caller_kind not in (None, "unknown") and call.caller_label != number else None
    return {"call_id": call.id, "caller_number": number, "caller_name": name, "mobile": mobile}


def preview(session: Session, settings: Settings, data: Mapping[str, Any], *, hotel_id: int,
            now: dt.datetime | None = None, booking_id: int | None = None) -> dict[str, Any]:
    """The read-back of a booking (or a change) before it is saved; refuses a bad field."""
    now = now or utcnow()
    hotel = hotels.get(session, hotel_id)
    b = rules.check(to_input(data), today=_local_today(settings, now))
    number = None
    if booking_id is not None:
        current = session.get(Booking, booking_id)
        if current is None:
            raise NotFound("no such booking", field="booking_id")
        number = current.number
    rb = hotel_read_back(b, hotel_name=hotel.name, city=hotel.city, action="change" if booking_id else "book",
                         number=number)
    return {"read_back": rb.to_dict(), "nights": b.nights, "total_fen": rules.total_fen(b.rooms, b.nights),
            "mobile": b.mobile}


def _write(b: Booking, data: rules.HotelBookingInput, hotel: Hotel) -> None:
    b.hotel_id, b.customer_name, b.mobile = hotel.id, data.customer_name, data.mobile
    b.check_in, b.check_out, b.latest_arrival, b.hold_free = data.check_in, data.check_out, data.latest_arrival, data.hold_free
    b.breakfast, b.special_requests, b.guest_names = data.breakfast, data.special_requests, list(data.guest_names)
    b.total_fen = rules.total_fen(data.rooms, data.nights)
    b.rooms = [BookingRoom(position=i, room_type=r.room_type, count=r.count, nightly_fen=r.nightly_fen)
               for i, r in enumerate(data.rooms)]


def _event(session: Session, b: Booking, action: str, by: str, now: dt.datetime, read_back: str | None = None,
           detail: dict[str, Any] | None = None) -> None:
    session.add(BookingEvent(booking_id=b.id, action=action, state=b.state, read_back=read_back, detail=detail,
                             by=by, at=now))


def publish(session: Session, b: Booking, now: dt.datetime) -> None:
    live_feed.publish(session, "booking", b.id, {"id": b.id, "number": b.number, "state": b.state, "kind": b.kind},
                      at=now)


def create(session: Session, user: User | None, settings: Settings, data: Mapping[str, Any], *, hotel_id: int,
           call_id: int | None = None, read_back_heard: bool = False, now: dt.datetime | None = None) -> Booking:
    """Save a booking the customer heard read back (``read_back_heard``); ``awaiting`` the hotel."""
    now = now or utcnow()
    if not read_back_heard:
        raise Invalid("read the booking back to the customer first", field="read_back_heard")
    hotel = hotels.get(session, hotel_id)
    caller = caller_of_call(session, call_id) if call_id else None
    data_in = rules.check(to_input(data, caller["caller_number"] if caller else None),
                          today=_local_today(settings, now))
    rb = hotel_read_back(data_in, hotel_name=hotel.name, city=hotel.city)
    b = Booking(kind="hotel", state="awaiting", number=f"tmp{uuid.uuid4().hex[:16]}",
                caller_number=data_in.caller_number, call_id=call_id, created_by=who(user),
                created_by_id=user.id if user else None, created_at=now, updated_at=now)
    _write(b, data_in, hotel)
    session.add(b)
    session.flush()
    b.number = f"HB{now.astimezone(settings.tz):%y%m%d}{b.id:04d}"
    _event(session, b, "created", who(user), now, read_back=rb.zh)
    messages.member_joined(session, name=data_in.customer_name, mobile=data_in.mobile, now=now)
    audit.record(session, actor=actor(user), user_id=user.id if user else None, action="booking.create",
                 entity="booking", entity_id=b.id, detail={"number": b.number, "hotel_id": hotel.id})
    publish(session, b, now)
    return b


def _locked(session: Session, booking_id: int) -> Booking:
    q = select(Booking).where(Booking.id == booking_id)
    if session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    b = session.scalar(q)
    if b is None:
        raise NotFound("no such booking", field="booking_id")
    return b


def transition(b: Booking, action: str) -> None:
    try:
        b.state = rules.apply(b.state, action)
    except rules.NotAllowed as e:
        raise Conflict(str(e), field="state") from None


def change(session: Session, user: User | None, settings: Settings, booking_id: int, data: Mapping[str, Any], *,
           hotel_id: int | None = None, read_back_heard: bool = False, now: dt.datetime | None = None) -> Booking:
    """Change a booking (the customer heard the changed booking read back): back to ``awaiting``
    — the hotel confirms the changed booking; messages not sent yet are cancelled."""
    now = now or utcnow()
    if not read_back_heard:
        raise Invalid("read the changed booking back to the customer first", field="read_back_heard")
    b = _locked(session, booking_id)
    hotel = hotels.get(session, hotel_id or b.hotel_id)
    data_in = rules.check(to_input(data, b.caller_number), today=_local_today(settings, now))
    transition(b, "change")
    rb = hotel_read_back(data_in, hotel_name=hotel.name, city=hotel.city, action="change", number=b.number)
    _write(b, data_in, hotel)
    b.confirmation_number, b.refusal_reason, b.updated_at = None, None, now
    messages.cancel_scheduled(session, b.id)
    _event(session, b, "changed", who(user), now, read_back=rb.zh)
    audit.record(session, actor=actor(user), user_id=user.id if user else None, action="booking.change",
                 entity="booking", entity_id=b.id)
    publish(session, b, now)
    return b


def cancel_read_back(session: Session, booking_id: int) -> dict[str, str]:
    b = session.get(Booking, booking_id)
    if b is None:
        raise NotFound("no such booking", field="booking_id")
    return hotel_read_back(_input_of(b), hotel_name=b.hotel.name if b.hotel else "", city=b.hotel.city if b.hotel else "",
                           action="cancel", number=b.number).to_dict()


def cancel(session: Session, user: User | None, booking_id: int, *, reason: str = "", read_back_heard: bool = False,
           now: dt.datetime | None = None) -> Booking:
    now = now or utcnow()
    if not read_back_heard:
        raise Invalid("read the cancellation back to the customer first", field="read_back_heard")
    b = _locked(session, booking_id)
    transition(b, "cancel")
    rb = cancel_read_back(session, booking_id)
    b.updated_at = now
    messages.cancel_scheduled(session, b.id)
    _event(session, b, "cancelled", who(user), now, read_back=rb["zh"], detail={"reason": reason.strip()[:200]})
    audit.record(session, actor=actor(user), user_id=user.id if user else None, action="booking.cancel",
                 entity="booking", entity_id=b.id)
    publish(session, b, now)
    return b


def booking_out(session: Session, b: Booking, settings: Settings) -> dict[str, Any]:
    """The whole booking (mobile unmasked: callers audit the read)."""
    tz = settings.tz
    data = _input_of(b)
    hotel = b.hotel
    rb = hotel_read_back(data, hotel_name=hotel.name if hotel else "", city=hotel.city if hotel else "",
                         number=b.number)
    answers = session.scalars(select(BookingAnswer).where(BookingAnswer.booking_id == b.id).order_by(BookingAnswer.id))
    events = session.scalars(select(BookingEvent).where(BookingEvent.booking_id == b.id).order_by(BookingEvent.id))
    # The booking's messages, and the membership message of the customer's mobile (sent at their first booking).
    member = session.scalar(select(BookingMember.id).where(BookingMember.mobile == b.mobile))
    msgs = session.scalars(select(BookingMessage).where(or_(
        BookingMessage.booking_id == b.id,
        (BookingMessage.member_id == member) if member is not None else false())).order_by(BookingMessage.id))
    return {
        "id": b.id, "number": b.number, "kind": b.kind, "state": b.state, "customer_name": b.customer_name,
        "mobile": b.mobile, "caller_number": b.caller_number, "call_id": b.call_id,
        "hotel": hotels.hotel_out(hotel) if hotel else None,
        "check_in": b.check_in.isoformat(), "check_out": b.check_out.isoformat(), "nights": data.nights,
        "latest_arrival": b.latest_arrival, "hold_free": b.hold_free, "breakfast": b.breakfast,
        "special_requests": b.special_requests, "guest_names": list(b.guest_names or ()),
        "rooms": [{"room_type": r.room_type, "count": r.count, "nightly_fen": r.nightly_fen} for r in b.rooms],
        "total_fen": b.total_fen, "confirmation_number": b.confirmation_number, "refusal_reason": b.refusal_reason,
        "created_by": b.created_by, "created_at": b.created_at.astimezone(tz).isoformat(),
        "read_back": rb.to_dict(),
        "answers": [{"result": a.result, "hotel_id": a.hotel_id, "confirmation_number": a.confirmation_number,
                     "reason": a.reason, "by": a.by, "at": a.at.astimezone(tz).isoformat()} for a in answers],
        "events": [{"action": e.action, "state": e.state, "read_back": e.read_back, "detail": e.detail, "by": e.by,
                    "at": e.at.astimezone(tz).isoformat()} for e in events],
        "messages": [messages.message_out(m, tz) for m in msgs],
        "alternatives": hotels.alternatives(session, hotel) if hotel and b.state == "refused" else [],
    }


def get(session: Session, user: User, settings: Settings, booking_id: int) -> dict[str, Any]:
    """A booking with the customer's mobile: an audited read of personal data."""
    b = session.get(Booking, booking_id)
    if b is None:
        raise NotFound("no such booking", field="booking_id")
    audit.record(session, actor=actor(user), user_id=user.id, action="read", entity="booking", entity_id=b.id)
    return booking_out(session, b, settings)
