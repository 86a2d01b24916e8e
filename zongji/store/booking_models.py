"""The booking hotline's tables (issue 17, R-T1..R-T3). Listed in ``zongji.store.schema``.

- ``Hotel``: the hotels the hotline books (name, city, address, phone, price range in fen;
  ``search_keys`` holds the name and city folded with their pinyin, domain.bookings.hotels).
- ``Booking``: one booking of any kind (``kind``: ``hotel`` here; meeting and flight bookings
  come with their own tables and may list themselves beside it). The hotel booking's fields
  are on the row; its room lines in ``BookingRoom``. ``state`` follows
  ``zongji.domain.bookings.hotel_booking``.
- ``BookingAnswer``: each answer of a hotel (confirmed with its number / refused with its reason)
  and the call made to it (R-T2).
- ``BookingEvent``: the booking's history (created, changed, cancelled, answered), with the
  read-back the customer heard.
- ``BookingMember``: a customer who became a member (by mobile; membership SMS, R-T3).
- ``BookingMessage``: each SMS to the customer (R-T3), sent once by the job ``bookings.sms``.
- ``BookingTemplate``: an admin's text replacing a message kind's default.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, Date, ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zongji.store.models import Base, BigId, utcnow


class Hotel(Base):
    __tablename__ = "hotels"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    city: Mapped[str] = mapped_column(String(40), index=True)
    address: Mapped[str] = mapped_column(String(200), default="")
    phone: Mapped[str] = mapped_column(String(40), default="")
    price_low_fen: Mapped[int | None] = mapped_column(Integer)
    price_high_fen: Mapped[int | None] = mapped_column(Integer)
    search_keys: Mapped[str] = mapped_column(String(500), default="")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Booking(Base):
    __tablename__ = "bookings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    kind: Mapped[str] = mapped_column(String(12), default="hotel")
    state: Mapped[str] = mapped_column(String(12), index=True)
    # The customer: who booked (the name given at the desk), their mobile, the number they called from.
    customer_name: Mapped[str] = mapped_column(String(60))
    mobile: Mapped[str] = mapped_column(String(20), index=True)
    caller_number: Mapped[str | None] = mapped_column(String(40))
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id", ondelete="SET NULL"), index=True)
    hotel_id: Mapped[int | None] = mapped_column(ForeignKey("hotels.id"), index=True)
    check_in: Mapped[dt.date] = mapped_column(Date, index=True)
    check_out: Mapped[dt.date] = mapped_column(Date)
    latest_arrival: Mapped[str | None] = mapped_column(String(5))
    hold_free: Mapped[bool] = mapped_column(Boolean, default=False)
    breakfast: Mapped[str] = mapped_column(String(12), default="none")
    special_requests: Mapped[str] = mapped_column(Text, default="")
    guest_names: Mapped[list[Any]] = mapped_column(JSON, default=list)
    total_fen: Mapped[int] = mapped_column(BigInteger, default=0)
    confirmation_number: Mapped[str | None] = mapped_column(String(40))
    refusal_reason: Mapped[str | None] = mapped_column(String(200))
    created_by: Mapped[str] = mapped_column(String(100))
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id", ondelete="SET NULL"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    rooms: Mapped[list[BookingRoom]] = relationship(order_by="BookingRoom.position", cascade="all, delete-orphan")
    hotel: Mapped[Hotel | None] = relationship()


class BookingRoom(Base):
    __tablename__ = "booking_rooms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    room_type: Mapped[str] = mapped_column(String(40))
    count: Mapped[int] = mapped_column(Integer)
    nightly_fen: Mapped[int] = mapped_column(Integer)


class BookingAnswer(Base):
    __tablename__ = "booking_answers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    hotel_id: Mapped[int | None] = mapped_column(ForeignKey("hotels.id"), index=True)
    result: Mapped[str] = mapped_column(String(12))  # confirmed | refused
    confirmation_number: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str | None] = mapped_column(String(200))
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)


class BookingEvent(Base):
    __tablename__ = "booking_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(20))  # created | changed | cancelled | confirmed | refused | dialled
    state: Mapped[str] = mapped_column(String(12))
    read_back: Mapped[str | None] = mapped_column(Text)
    detail: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    by: Mapped[str] = mapped_column(String(100))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BookingMember(Base):
    __tablename__ = "booking_members"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    mobile: Mapped[str] = mapped_column(String(20), unique=True)
    name: Mapped[str] = mapped_column(String(60))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class BookingMessage(Base):
    __tablename__ = "booking_messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int | None] = mapped_column(ForeignKey("bookings.id", ondelete="CASCADE"), index=True)
    member_id: Mapped[int | None] = mapped_column(ForeignKey("booking_members.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(24))
    # One message per kind and booking (or member): "<kind>:b<id>" / "<kind>:m<id>"; a booking
    # confirmed again after a change gets "<kind>:b<id>:<n>".
    key: Mapped[str] = mapped_column(String(60), unique=True)
    mobile: Mapped[str] = mapped_column(String(20))
    text: Mapped[str | None] = mapped_column(Text)  # written when sent (the care message's forecast then)
    state: Mapped[str] = mapped_column(String(12))  # scheduled | sent | failed | cancelled
    due_at: Mapped[dt.datetime]
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    error: Mapped[str | None] = mapped_column(String(300))
    gateway_id: Mapped[str | None] = mapped_column(String(64))
    sent_at: Mapped[dt.datetime | None]
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_booking_messages_state_due_at", "state", "due_at"),)


class BookingTemplate(Base):
    __tablename__ = "booking_templates"

    kind: Mapped[str] = mapped_column(String(24), primary_key=True)
    body: Mapped[str] = mapped_column(Text)
    updated_by: Mapped[str] = mapped_column(String(100))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
