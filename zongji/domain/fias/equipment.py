"""RE (room equipment) for do-not-disturb (``DN``, R-H8) and the message lamp (``ML``, R-H5), both
ways: the PMS sets them (the front desk switched DND on, a message waits in the PMS), and Zongji
reports its own changes so both show the same. A field left out changes nothing.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from zongji.domain.fias.records import Record, RecordError, flag, stamp, yes


@dataclass(frozen=True)
class RoomEquipment:
    room: str
    dnd: bool | None = None
    lamp: bool | None = None


def room_equipment(rec: Record) -> RoomEquipment:
    if rec.kind != "RE":
        raise RecordError(f"{rec.kind} is not a room-equipment record")
    room = (rec.get("RN") or "").strip()
    if not room:
        raise RecordError("RE without RN")
    return RoomEquipment(room, dnd=yes(rec.get("DN")), lamp=yes(rec.get("ML")))


def equipment_record(eq: RoomEquipment, now: dt.datetime, tz: ZoneInfo) -> Record:
    return Record.build("RE", ("RN", eq.room), ("DN", None if eq.dnd is None else flag(eq.dnd)),
                        ("ML", None if eq.lamp is None else flag(eq.lamp)), *stamp(now, tz))


def changes(room: str, sent: tuple[bool | None, bool | None], now_state: tuple[bool, bool]) -> RoomEquipment | None:
    """What to tell the PMS about a room: the DND / lamp values that differ from the last ones
    the PMS has (sent by Zongji or received from it), or None when nothing changed."""
    # A room the PMS never heard about is off on both.
    dnd = now_state[0] if bool(sent[0]) != now_state[0] else None
    lamp = now_state[1] if bool(sent[1]) != now_state[1] else None
    if dnd is None and lamp is None:
        return None
    return RoomEquipment(room, dnd=dnd, lamp=lamp)
