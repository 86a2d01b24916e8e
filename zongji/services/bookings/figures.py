"""The bookings' figures (issue 17 point 5) for the statistics and the page: bookings per
operator and day (local days of ``created_at``), the confirmation rate of the hotels' answers,
refusals by hotel, over ``date_from``..``date_to`` (inclusive, local)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.bookings import figures as rules
from zongji.errors import Invalid
from zongji.settings import Settings
from zongji.store.booking_models import Booking, BookingAnswer, Hotel

MAX_DAYS = 366


def figures(session: Session, settings: Settings, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    if date_to < date_from:
        raise Invalid("not before date_from", field="date_to")
    if (date_to - date_from).days >= MAX_DAYS:
        raise Invalid(f"at most {MAX_DAYS} days", field="date_to")
    tz = settings.tz
    start = dt.datetime.combine(date_from, dt.time(), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(), tzinfo=tz)
    bookings = [(at.astimezone(tz).date().isoformat(), by, kind) for at, by, kind in session.execute(
        select(Booking.created_at, Booking.created_by, Booking.kind)
        .where(Booking.created_at >= start, Booking.created_at < end))]
    answers = [(result, name or "") for result, name in session.execute(
        select(BookingAnswer.result, Hotel.name).outerjoin(Hotel, BookingAnswer.hotel_id == Hotel.id)
        .where(BookingAnswer.at >= start, BookingAnswer.at < end))]
    return {"date_from": date_from.isoformat(), "date_to": date_to.isoformat()} | rules.summarise(bookings, answers)
