"""The bookings list (issue 17 point 5): search by customer, mobile, booking number, hotel and
dates; the day's arrivals. Every row has its ``kind`` (``hotel`` here): the list is of every
kind of booking, and the page shows the kind's own columns where a row has them.

Meeting and flight bookings keep their own tables; their area lists itself here by
``register_source(kind, fn)`` — ``fn(session, settings, query) -> list of rows`` with the same
keys as ``row_out`` — without changing this module.

Mobiles are masked in the list (personal data: the whole number is on the booking's own page,
an audited read)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session, selectinload

from zongji.domain.bookings.hotel_booking import mask_mobile
from zongji.errors import Invalid
from zongji.settings import Settings
from zongji.store.booking_models import Booking, Hotel

LIST_MAX = 500
MAX_DAYS = 366


@dataclass(frozen=True)
class Query:
    q: str = ""  # customer name, mobile (digits), booking number or hotel name
    hotel_id: int | None = None
    date_from: dt.date | None = None  # check-in on or after
    date_to: dt.date | None = None  # check-in on or before
    state: str | None = None
    kind: str | None = None
    limit: int = 200


Source = Callable[[Session, Settings, Query], list[dict[str, Any]]]
_SOURCES: dict[str, Source] = {}


def register_source(kind: str, fn: Source) -> None:
    """Another kind of booking lists itself here (meeting, flight)."""
    _SOURCES[kind] = fn


def row_out(b: Booking, tz) -> dict[str, Any]:
    hotel = b.hotel
    return {"id": b.id, "kind": b.kind, "number": b.number, "state": b.state, "customer_name": b.customer_name,
            "mobile_masked": mask_mobile(b.mobile), "place": hotel.name if hotel else "",
            "city": hotel.city if hotel else "", "first_day": b.check_in.isoformat(),
            "last_day": b.check_out.isoformat(), "rooms": sum(r.count for r in b.rooms),
            "summary": "、".join(f"{r.room_type}×{r.count}" for r in b.rooms), "total_fen": b.total_fen,
            "created_by": b.created_by, "created_at": b.created_at.astimezone(tz).isoformat(),
            "url": f"/bookings/{b.id}"}


def search(session: Session, settings: Settings, query: Query) -> dict[str, Any]:
    if query.date_from and query.date_to:
        if query.date_to < query.date_from:
            raise Invalid("not before date_from", field="date_to")
        if (query.date_to - query.date_from).days > MAX_DAYS:
            raise Invalid(f"at most {MAX_DAYS} days", field="date_to")
    rows: list[dict[str, Any]] = []
    if query.kind in (None, "", "hotel"):
        rows.extend(_hotel_rows(session, settings, query))
    for kind, fn in _SOURCES.items():
        if query.kind in (None, "", kind):
            rows.extend(fn(session, settings, query))
    rows.sort(key=lambda r: (r["first_day"], r["created_at"]), reverse=True)
    return {"items": rows[:query.limit], "total": len(rows)}


def _hotel_rows(session: Session, settings: Settings, query: Query) -> list[dict[str, Any]]:
    sel = select(Booking).outerjoin(Hotel, Booking.hotel_id == Hotel.id).options(
        selectinload(Booking.rooms), selectinload(Booking.hotel)).where(Booking.kind == "hotel")
    text = (query.q or "").strip()
    if text:
        digits = "".join(ch for ch in text if ch.isdigit())
        conds = [Booking.customer_name.contains(text, autoescape=True), Booking.number.contains(text.upper(), autoescape=True),
                 Hotel.name.contains(text, autoescape=True)]
        if len(digits) >= 4 and len(digits) == len(text.replace(" ", "").replace("-", "")):
            conds.append(Booking.mobile.contains(digits, autoescape=True))
        sel = sel.where(or_(*conds))
    if query.hotel_id:
        sel = sel.where(Booking.hotel_id == query.hotel_id)
    if query.date_from:
        sel = sel.where(Booking.check_in >= query.date_from)
    if query.date_to:
        sel = sel.where(Booking.check_in <= query.date_to)
    if query.state:
        sel = sel.where(Booking.state == query.state)
    sel = sel.order_by(Booking.check_in.desc(), Booking.id.desc()).limit(query.limit)
    return [row_out(b, settings.tz) for b in session.scalars(sel)]


def arrivals(session: Session, settings: Settings, day: dt.date) -> dict[str, Any]:
    """The day's arrivals: bookings checking in that day that are confirmed or awaiting the hotel."""
    sel = (select(Booking).options(selectinload(Booking.rooms), selectinload(Booking.hotel))
           .where(Booking.check_in == day, Booking.state.in_(("confirmed", "awaiting")))
           .order_by(Booking.id))
    rows = [row_out(b, settings.tz) | {"latest_arrival": b.latest_arrival, "hold_free": b.hold_free,
                                       "confirmation_number": b.confirmation_number}
            for b in session.scalars(sel)]
    return {"day": day.isoformat(), "items": rows}
