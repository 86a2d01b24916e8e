"""A guest's check-out from the hotel's PMS (issue 3), and finding the stay in a room by its
number (the PMS's check-out by room)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.room_numbers import normalize_room
from zongji.errors import NotFound
from zongji.services import audit, wakeups
from zongji.services.switchboard import dnd
from zongji.services.switchboard.pbx import queue_pbx
from zongji.services.switchboard.rooms import room_occupant
from zongji.settings import Settings
from zongji.store.models import Room, Stay, utcnow
from zongji.store.switchboard_models import Message


def check_out(session: Session, stay_id: int, settings: Settings, *, at: dt.datetime | None = None,
              actor_name: str = "system") -> dict[str, Any]:
    """A guest checked out (from the hotel's PMS): the stay ends, DND ends (R-H8), the stay's
    wake-ups still to come are cancelled, and the room's message lamp goes out when no message
    is waiting for it. A repeated check-out changes nothing (``already_checked_out``)."""
    now = at or utcnow()
    stay = session.get(Stay, stay_id)
    if stay is None:
        raise NotFound("no such stay", field="stay_id")
    result: dict[str, Any] = {"stay_id": stay.id, "guest_id": stay.guest_id, "already_checked_out": False,
                              "dnd_ended": [], "wakeups_cancelled": [], "lamp_off": False}
    if stay.status == "checked_out":
        result["already_checked_out"] = True
        return result
    stay.status = "checked_out"
    stay.departure = min(stay.departure, now) if stay.departure > now else stay.departure
    audit.record(session, actor=actor_name, action="check_out", entity="stay", entity_id=stay.id)
    result["dnd_ended"] = dnd.end_at_check_out(session, stay.id, now, settings.tz, actor_name=actor_name)
    result["wakeups_cancelled"] = [w.id for w in wakeups.cancel_for_stay(
        session, stay.id, actor=actor_name, now=now, settings=settings)]
    ext = stay.room.extension
    waiting = session.scalar(select(func.count()).select_from(Message).where(
        Message.lamp_extension == ext, Message.state.not_in(("acknowledged", "void"))))
    if not waiting:
        queue_pbx(session, "lamp", now, extension=ext, on=False)
        result["lamp_off"] = True
    return result


def find_stay_by_room(session: Session, room_number: str, at: dt.datetime) -> Stay:
    room = session.scalar(select(Room).where(Room.number == normalize_room(room_number)))
    if room is None:
        raise NotFound("no such room", field="room")
    stay = room_occupant(session, room.id, at)
    if stay is None:
        raise NotFound("nobody is staying in that room", field="room")
    return stay
