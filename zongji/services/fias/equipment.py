"""RE (room equipment) both ways: DND (R-H8) and the message lamp (R-H5).

From the PMS: ``DN`` sets or cancels the room's do-not-disturb through the switchboard's own
service (the line is locked and released as when an operator does it); ``ML`` lights or puts out
the room's lamp for a message waiting in the PMS (kept lit while Zongji's own messages come and
go). To the PMS: :func:`report_changes` compares each room's DND and Zongji's lamp with what the
PMS last heard (``fias_rooms``) and queues an RE for what differs — so a change the PMS made
itself is never echoed back.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain.fias import equipment as rules
from zongji.domain.room_numbers import normalize_room
from zongji.errors import Invalid, NotFound
from zongji.services.fias import outbox
from zongji.services.switchboard import dnd
from zongji.services.switchboard.pbx import queue_pbx
from zongji.settings import Settings
from zongji.store.fias_models import FiasRoom
from zongji.store.models import Room
from zongji.store.switchboard_models import DndPeriod, Message

ACTOR = "pms:fias"
BY_NAME = "PMS"


def _fias_room(session: Session, number: str) -> FiasRoom:
    row = session.scalar(select(FiasRoom).where(FiasRoom.room_number == number))
    if row is None:
        row = FiasRoom(room_number=number, pms_lamp=False)
        session.add(row)
        session.flush()
    return row


def _room(session: Session, number: str) -> Room | None:
    return session.scalar(select(Room).where(Room.number == normalize_room(number)).order_by(Room.id).limit(1))


def _room_dnd_rows(session: Session, room: Room, now: dt.datetime) -> list[DndPeriod]:
    return dnd.active_dnd_rows(session, now, subject_kind="room", subject_id=room.id)


def _zongji_lamp(session: Session, extension: str) -> bool:
    return session.scalar(select(Message.id).where(
        Message.lamp_extension == extension, Message.state.not_in(("acknowledged", "void"))).limit(1)) is not None


def apply_dnd(session: Session, room_number: str, on: bool, now: dt.datetime, settings: Settings) -> str:
    """The PMS set or cancelled DND for a room. Returns what was done."""
    room = _room(session, room_number)
    if room is None:
        return "unknown_room"
    fr = _fias_room(session, room.number)
    fr.dnd = on
    rows = _room_dnd_rows(session, room, now)
    if on and not rows:
        try:
            dnd.set_dnd(session, None, settings, subject_kind="room", subject_id=None, room=room.number,
                        reason="PMS", until=None, until_checkout=True, at=now, by_name=BY_NAME)
        except (NotFound, Invalid):
            return "not_in_house"  # nobody to protect: kept as the PMS's state only
        return "set"
    if not on and rows:
        for row in rows:
            dnd.cancel_dnd(session, None, settings, row.id, reason="PMS", by_name=BY_NAME)
        return "cancelled"
    return "unchanged"


def apply_lamp(session: Session, room_number: str, on: bool, now: dt.datetime) -> str:
    room = _room(session, room_number)
    if room is None:
        return "unknown_room"
    fr = _fias_room(session, room.number)
    fr.pms_lamp = on
    if on or not _zongji_lamp(session, room.extension):
        queue_pbx(session, "lamp", now, extension=room.extension, on=on)
    return "on" if on else "off"


def apply(session: Session, eq: rules.RoomEquipment, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    out: dict[str, Any] = {"room": eq.room}
    if eq.dnd is not None:
        out["dnd"] = apply_dnd(session, eq.room, eq.dnd, now, settings)
    if eq.lamp is not None:
        out["lamp"] = apply_lamp(session, eq.room, eq.lamp, now)
    return out


def report_changes(session: Session, now: dt.datetime, settings: Settings) -> int:
    """Queue an RE for every room whose DND or Zongji lamp differs from what the PMS last heard;
    returns how many were queued. Run by the link every ``fias_poll_seconds``."""
    dnd_rooms = {p.room_number for p in dnd.active_dnd_rows(session, now, subject_kind="room") if p.room_number}
    lamp_ext = set(session.scalars(select(Message.lamp_extension).where(
        Message.lamp_extension.is_not(None), Message.state.not_in(("acknowledged", "void"))).distinct()))
    lamp_rooms = set(session.scalars(select(Room.number).where(Room.extension.in_(lamp_ext)))) if lamp_ext else set()
    known = {r.room_number: r for r in session.scalars(select(FiasRoom))}
    queued = 0
    for number in sorted(dnd_rooms | lamp_rooms | {n for n, r in known.items() if r.dnd or r.lamp}):
        fr = known.get(number)
        sent = (fr.dnd, fr.lamp) if fr is not None else (None, None)
        change = rules.changes(number, sent, (number in dnd_rooms, number in lamp_rooms))
        if change is None:
            continue
        fr = fr or _fias_room(session, number)
        if change.dnd is not None:
            fr.dnd = change.dnd
        if change.lamp is not None:
            fr.lamp = change.lamp
            if not change.lamp and fr.pms_lamp:
                # Zongji's last message was dealt with, but the PMS still has one waiting.
                room = _room(session, number)
                if room is not None:
                    queue_pbx(session, "lamp", now, extension=room.extension, on=True)
        outbox.enqueue(session, rules.equipment_record(change, now, settings.tz))
        queued += 1
    return queued
