"""The hotels the hotline books (R-T2): the directory of hotels with their phone and price
range, searched by name, pinyin or city, and the other hotels proposed when one refuses (same
city, overlapping price range)."""

from __future__ import annotations

from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.bookings import hotel_booking as rules
from zongji.domain.bookings.hotels import query_key, search_keys
from zongji.domain.chinese_text import fold
from zongji.errors import Invalid, NotFound
from zongji.services import audit
from zongji.store.booking_models import Hotel

MAX_RESULTS = 50


def hotel_out(h: Hotel) -> dict[str, Any]:
    return {"id": h.id, "name": h.name, "city": h.city, "address": h.address, "phone": h.phone,
            "price_low_fen": h.price_low_fen, "price_high_fen": h.price_high_fen, "active": h.active}


def get(session: Session, hotel_id: int) -> Hotel:
    h = session.get(Hotel, hotel_id)
    if h is None:
        raise NotFound("no such hotel", field="hotel_id")
    return h


def search(session: Session, q: str = "", city: str = "", limit: int = 20) -> list[dict[str, Any]]:
    """Hotels whose name, city or their pinyin (full or initials) hold ``q``; in ``city`` if given."""
    query = select(Hotel).where(Hotel.active.is_(True))
    key = query_key(q)
    if key:
        query = query.where(or_(Hotel.search_keys.contains(key, autoescape=True),
                                Hotel.name.contains(q.strip(), autoescape=True)))
    if city.strip():
        query = query.where(Hotel.city == city.strip())
    rows = session.scalars(query.order_by(Hotel.city, Hotel.name, Hotel.id).limit(min(limit, MAX_RESULTS)))
    return [hotel_out(h) for h in rows]


def cities(session: Session) -> list[str]:
    return list(session.scalars(select(Hotel.city).where(Hotel.active.is_(True)).distinct().order_by(Hotel.city)))


def save(session: Session, *, actor: str, name: str, city: str, address: str = "", phone: str = "",
         price_low_fen: int | None = None, price_high_fen: int | None = None, hotel_id: int | None = None,
         active: bool = True) -> Hotel:
    """Add a hotel, or correct one (``hotel_id``)."""
    name, city = (name or "").strip(), (city or "").strip()
    if not name:
        raise Invalid("the hotel's name", field="name")
    if not city:
        raise Invalid("the hotel's city", field="city")
    if price_low_fen is not None and price_high_fen is not None and price_low_fen > price_high_fen:
        raise Invalid("the low price is above the high", field="price_low_fen")
    h = get(session, hotel_id) if hotel_id else Hotel()
    h.name, h.city, h.address, h.phone = name[:100], city[:40], (address or "").strip()[:200], (phone or "").strip()[:40]
    h.price_low_fen, h.price_high_fen, h.active = price_low_fen, price_high_fen, active
    h.search_keys = search_keys(h.name, h.city)
    if hotel_id is None:
        session.add(h)
    session.flush()
    audit.record(session, actor=actor, action="hotel.save", entity="hotel", entity_id=h.id, detail={"name": h.name})
    return h


def alternatives(session: Session, hotel: Hotel, limit: int = 5) -> list[dict[str, Any]]:
    """Other hotels in the same city whose price range overlaps this one's (R-T2), closest first."""
    rows = session.scalars(select(Hotel).where(Hotel.city == hotel.city, Hotel.id != hotel.id,
                                               Hotel.active.is_(True)).order_by(Hotel.id))
    mid = ((hotel.price_low_fen or 0) + (hotel.price_high_fen or 0)) / 2
    same = [h for h in rows if rules.same_range(hotel.price_low_fen, hotel.price_high_fen,
                                                h.price_low_fen, h.price_high_fen)]
    same.sort(key=lambda h: (abs(((h.price_low_fen or 0) + (h.price_high_fen or 0)) / 2 - mid), fold(h.name)))
    return [hotel_out(h) for h in same[:limit]]
