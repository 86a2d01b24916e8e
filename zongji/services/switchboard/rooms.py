"""Who is in house, and in which room: a guest's current stay, a room's occupant, and the stay
in the room an operator typed (the room board's DND and messages address the room, R-H4)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.caller_id import stay_in_house
from zongji.domain.room_numbers import normalize_room
from zongji.errors import NotFound
from zongji.errors import Invalid
from zongji.store.models import Room, Stay


def current_stay(session: Session, guest_id: int, at: dt.datetime) -> Stay | None:
    stays = session.scalars(select(Stay).where(Stay.guest_id == guest_id, Stay.arrival <= at,
                                               Stay.status != "expected").order_by(Stay.arrival.desc()))
    for s in stays:
        if stay_in_house(s.status, s.arrival, s.departure, at):
            return s
    return None


def room_occupant(session: Session, room_id: int, at: dt.datetime) -> Stay | None:
    stays = session.scalars(select(Stay).where(Stay.room_id == room_id, Stay.arrival <= at,
                                               Stay.status != "expected").order_by(Stay.arrival.desc()))
    occupants = [s for s in stays if stay_in_house(s.status, s.arrival, s.departure, at)]
    occupants.sort(key=lambda s: (not s.guest.vip, -s.arrival.timestamp()))
    return occupants[0] if occupants else None


def room_addressed(session: Session, *, room: str | None, room_id: int | None, at: dt.datetime,
                   id_field: str) -> Stay:
    """The stay in house in a room given by number (``room``) or id: the room board's DND and
    messages address the room and the server finds its occupant, so an operator never needs the
    guest's id (R-H4)."""
    if room is not None and normalize_room(room):
        r = session.scalar(select(Room).where(Room.number == normalize_room(room)).order_by(Room.id).limit(1))
        field = "room"
    elif room_id is not None:
        r, field = session.get(Room, room_id), id_field
    else:
        raise Invalid("give the room number", field="room")
    if r is None:
        raise NotFound("no such room", field=field)
    stay = room_occupant(session, r.id, at)
    if stay is None:
        raise Invalid("nobody is staying in that room", field=field)
    return stay
