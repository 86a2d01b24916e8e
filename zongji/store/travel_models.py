"""Meeting and flight bookings of the booking hotline (issue 17 points 3, 4; R-T4, R-T5).
Listed in ``zongji.store.schema``.

``MeetingBooking``: the requirements form, the quote (``quote`` JSON, amounts in fen, computed
by ``zongji.domain.bookings.meetings``), the hotel's confirmation and the deposit deadline;
``status`` follows ``meetings.RULES``. The hotel is free text plus an optional ``hotel_id``
of the hotel bookings' hotel list. ``FlightBooking`` with its ``FlightPassenger`` rows: the passengers' ID numbers are
personal data, erased (``id_number`` set to NULL, ``id_erased_at`` set) at ``ids_erase_at``.
``FlightBookingEvent``: the flight booking's history — taken, changed, cancelled — with who, when,
why and the read-back the customer heard (ID numbers only by their last four characters).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import BigInteger, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zongji.store.models import Base, BigId, utcnow


class MeetingBooking(Base):
    __tablename__ = "meeting_bookings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    hotel_name: Mapped[str] = mapped_column(String(120))
    hotel_id: Mapped[int | None] = mapped_column(ForeignKey("hotels.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    needs: Mapped[str] = mapped_column(Text, default="")
    start_date: Mapped[dt.date] = mapped_column(index=True)
    end_date: Mapped[dt.date]
    attendees: Mapped[int] = mapped_column(Integer)
    rooms: Mapped[int] = mapped_column(Integer)
    budget_fen: Mapped[int | None] = mapped_column(BigInteger)
    contact: Mapped[str] = mapped_column(String(60), index=True)
    mobile: Mapped[str] = mapped_column(String(30), index=True)
    status: Mapped[str] = mapped_column(String(20), index=True)
    quote: Mapped[dict[str, Any] | None]
    total_fen: Mapped[int | None] = mapped_column(BigInteger)
    deposit_fen: Mapped[int | None] = mapped_column(BigInteger)
    hotel_confirmation: Mapped[str | None] = mapped_column(String(60))
    confirmed_at: Mapped[dt.datetime | None]
    deposit_due_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    deposit_paid_at: Mapped[dt.datetime | None]
    reminded_at: Mapped[dt.datetime | None]
    reason: Mapped[str | None] = mapped_column(String(500))
    operator: Mapped[str] = mapped_column(String(120), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class FlightBooking(Base):
    __tablename__ = "flight_bookings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    customer: Mapped[str] = mapped_column(String(60), index=True)
    mobile: Mapped[str] = mapped_column(String(30), index=True)
    from_city: Mapped[str] = mapped_column(String(40))
    to_city: Mapped[str] = mapped_column(String(40))
    flight_number: Mapped[str | None] = mapped_column(String(20))
    departure_date: Mapped[dt.date] = mapped_column(index=True)
    departure_time: Mapped[str | None] = mapped_column(String(5))
    trip: Mapped[str] = mapped_column(String(10))
    return_date: Mapped[dt.date | None]
    return_time: Mapped[str | None] = mapped_column(String(5))
    payment: Mapped[str] = mapped_column(String(12))
    delivery_address: Mapped[str | None] = mapped_column(String(200))
    status: Mapped[str] = mapped_column(String(20), default="booked")
    operator: Mapped[str] = mapped_column(String(120), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    ids_erase_at: Mapped[dt.datetime] = mapped_column(index=True)
    passengers: Mapped[list[FlightPassenger]] = relationship(
        back_populates="booking", order_by="FlightPassenger.position", cascade="all, delete-orphan")
    events: Mapped[list[FlightBookingEvent]] = relationship(
        order_by="FlightBookingEvent.id", cascade="all, delete-orphan")


class FlightPassenger(Base):
    __tablename__ = "flight_passengers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("flight_bookings.id", ondelete="CASCADE"), index=True)
    position: Mapped[int] = mapped_column(Integer)
    name: Mapped[str] = mapped_column(String(60))
    id_kind: Mapped[str] = mapped_column(String(12))
    # Personal data (R-T5): NULL once erased.
    id_number: Mapped[str | None] = mapped_column(String(20))
    id_erased_at: Mapped[dt.datetime | None]
    booking: Mapped[FlightBooking] = relationship(back_populates="passengers")


class FlightBookingEvent(Base):
    __tablename__ = "flight_booking_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    booking_id: Mapped[int] = mapped_column(ForeignKey("flight_bookings.id", ondelete="CASCADE"), index=True)
    action: Mapped[str] = mapped_column(String(12))  # created | changed | cancelled
    status: Mapped[str] = mapped_column(String(20))  # the booking's status after it
    reason: Mapped[str | None] = mapped_column(String(500))
    read_back: Mapped[str | None] = mapped_column(Text)
    by: Mapped[str] = mapped_column(String(120))
    at: Mapped[dt.datetime] = mapped_column(default=utcnow)
