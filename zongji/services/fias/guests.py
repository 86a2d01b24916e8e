"""GI / GC / GO from the PMS → Zongji's guests and stays (issue 16 point 2), and the database
resync (DS … DE) that reconciles them after the link was down.

A stay the PMS made is found again by its reservation number (``fias_reservations``), so a GI
sent twice (a resend after a broken link, every GI of a resync) updates the stay instead of
making a second one. Check-out goes through the same service as the HTTP check-out
(``switchboard.check_out``): DND ends, wake-ups still to come are cancelled, the lamp goes out.
Privacy flags (R-H4) become the guest's ``privacy_level``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zongji.domain.fias import guests as rules
from zongji.domain.room_numbers import normalize_room
from zongji.errors import Invalid
from zongji.services import audit
from zongji.services.fias import equipment, link_status
from zongji.services.switchboard import check_out as checkout
from zongji.services.switchboard import dnd
from zongji.services.switchboard.rooms import room_occupant
from zongji.settings import Settings
from zongji.store.fias_models import FiasReservation
from zongji.store.models import Guest, Room, Stay
from zongji.store.wakeup_models import Wakeup

WAKEUPS_TO_RING = ("due", "retrying", "snoozed")
ACTOR = "pms:fias"


def _room(session: Session, number: str | None) -> Room:
    room = session.scalar(select(Room).where(Room.number == normalize_room(number or "")).order_by(Room.id).limit(1))
    if room is None:
        raise Invalid(f"no room {number!r}", field="RN")
    return room


def _reservation_key(change: rules.GuestChange) -> str:
    # A PMS that sends no G# names the stay by its room.
    return change.reservation or f"room:{normalize_room(change.room or '')}"


def _reservation(session: Session, change: rules.GuestChange) -> FiasReservation | None:
    return session.scalar(select(FiasReservation).where(FiasReservation.reservation == _reservation_key(change)))


def _update_guest(g: Guest, change: rules.GuestChange) -> list[str]:
    changed = []
    for attr, value in (("name", change.name), ("language", change.language), ("vip", change.vip),
                        ("privacy_level", change.privacy)):
        if value is not None and getattr(g, attr) != value:
            setattr(g, attr, value)
            changed.append(attr)
    if change.vip and change.vip_level and not g.vip_title:
        g.vip_title = f"VIP {change.vip_level}"
        changed.append("vip_title")
    return changed


def check_in(session: Session, change: rules.GuestChange, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    room = _room(session, change.room)
    res = _reservation(session, change)
    if res is not None:
        stay = session.get(Stay, res.stay_id)
        if stay is not None and stay.status != "checked_out":
            # Known and in house: a resend or a resync's GI. Update, never duplicate.
            return change_stay(session, change, now, settings)
    arrival, departure = rules.stay_times(change, now, settings.tz, settings.fias_checkout_hour)
    # No name from the PMS: never the room number in its place (a guest's room is private, R-H4).
    g = Guest(organisation_id=room.organisation_id, name=change.name or (f"PMS {change.reservation}" if change.reservation else "PMS guest"),
              vip=bool(change.vip),
              language=change.language, privacy_level=change.privacy or rules.PRIVACY_NORMAL)
    if change.vip and change.vip_level:
        g.vip_title = f"VIP {change.vip_level}"
    session.add(g)
    session.flush()
    stay = Stay(guest_id=g.id, room_id=room.id, arrival=arrival, departure=departure, status="in_house")
    session.add(stay)
    session.flush()
    if res is None:
        res = FiasReservation(reservation=_reservation_key(change), stay_id=stay.id, guest_id=g.id,
                              room_number=room.number, seen_at=now)
        session.add(res)
    else:
        res.stay_id, res.guest_id, res.room_number, res.seen_at = stay.id, g.id, room.number, now
    session.flush()
    audit.record(session, actor=ACTOR, action="check_in", entity="stay", entity_id=stay.id,
                 detail={"reservation": res.reservation, "room": room.number})
    if change.dnd is not None:
        equipment.apply_dnd(session, room.number, change.dnd, now, settings)
    return {"stay_id": stay.id, "guest_id": g.id, "created": True}


def change_stay(session: Session, change: rules.GuestChange, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    res = _reservation(session, change)
    stay = session.get(Stay, res.stay_id) if res is not None else None
    if stay is None or stay.status == "checked_out":
        # A change for a guest Zongji never heard of (the GI was missed): the guest is in house.
        return check_in(session, change, now, settings)
    res.seen_at = now
    changed = _update_guest(session.get(Guest, stay.guest_id), change)
    if change.room and normalize_room(change.room) != stay.room.number:
        new_room = _room(session, change.room)
        old = stay.room.number
        # DND follows the guest: the old room's line is released, the new one's locked (R-H8).
        moved_dnd = dnd.end_at_check_out(session, stay.id, now, settings.tz, actor_name=ACTOR)
        stay.room_id = new_room.id
        session.flush()
        session.expire(stay, ["room"])
        res.room_number = new_room.number
        changed.append("room")
        # The guest's wake-ups still to ring follow them to the new room (R-H9).
        moved_wakeups = session.execute(
            update(Wakeup).where(Wakeup.stay_id == stay.id, Wakeup.status.in_(WAKEUPS_TO_RING))
            .values(room_id=new_room.id, room_number=new_room.number)).rowcount
        audit.record(session, actor=ACTOR, action="room_move", entity="stay", entity_id=stay.id,
                     detail={"from": old, "to": new_room.number, "dnd_moved": bool(moved_dnd),
                             "wakeups_moved": moved_wakeups})
        if moved_dnd and change.dnd is None:
            equipment.apply_dnd(session, new_room.number, True, now, settings)
    if change.departure is not None:
        _, departure = rules.stay_times(change, now, settings.tz, settings.fias_checkout_hour)
        if departure != stay.departure:
            stay.departure = departure
            changed.append("departure")
    if changed:
        audit.record(session, actor=ACTOR, action="change", entity="stay", entity_id=stay.id,
                     detail={"reservation": res.reservation, "fields": changed})
    if change.dnd is not None:
        equipment.apply_dnd(session, stay.room.number, change.dnd, now, settings)
    return {"stay_id": stay.id, "guest_id": stay.guest_id, "created": False, "changed": changed}


def check_out(session: Session, change: rules.GuestChange, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    res = _reservation(session, change) if change.reservation else None
    stay_id = res.stay_id if res is not None else None
    if stay_id is None and change.room:
        room = _room(session, change.room)
        stay = room_occupant(session, room.id, now)
        stay_id = stay.id if stay is not None else None
    if stay_id is None:
        return {"stay_id": None, "already_checked_out": True}
    return checkout.check_out(session, stay_id, settings, at=now, actor_name=ACTOR)


# --------------------------------------------------------------------------- resync


def resync_start(session: Session, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    row = link_status.link_row(session, lock=True)
    row.resync_started_at, row.resync_done_at = now, None
    return {"resync_started_at": now.isoformat()}


def resync_end(session: Session, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """DE: the PMS has named every in-house guest since DS; the PMS's stays it did not name have
    left (their GO was lost while the link was down) and are checked out. Stays Zongji made
    itself (not from the PMS) are left alone."""
    row = link_status.link_row(session, lock=True)
    started = row.resync_started_at
    if started is None or row.resync_done_at is not None:
        return {"checked_out": []}
    gone = session.execute(select(FiasReservation.stay_id).join(Stay, Stay.id == FiasReservation.stay_id).where(
        Stay.status != "checked_out", FiasReservation.seen_at < started)).scalars().all()
    for stay_id in gone:
        checkout.check_out(session, stay_id, settings, at=now, actor_name=ACTOR)
    row.resync_done_at = now
    audit.record(session, actor=ACTOR, action="resync", entity="fias_link", entity_id=row.id,
                 detail={"checked_out": list(gone)})
    return {"checked_out": list(gone)}
