"""The room board (/rooms): every room by floor with its markers (occupied / vacant, arriving or
departing today, VIP, DND, wake-up booked, message lamp, wake-up escalated).

Operators book wake-ups by room, so room numbers are on the board for every console role; the
guest's name stands next to the room number only for ``ROOM_NUMBER_ROLES`` (R-H4). For the other
roles the board carries nothing that joins a room to a guest found elsewhere (the directory search
gives guests' ids, the DND list DND ids with guests' names): no guest id, no DND id. DND and
messages are set from the board by ROOM (``subject_kind`` / ``recipient_kind`` "room"); the server
finds the occupant. Each load audits the read of every occupant's data.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import guest_privacy
from zongji.domain import room_board as rules
from zongji.domain.roles import ROOM_NUMBER_ROLES
from zongji.domain.room_numbers import room_sort_key
from zongji.services import audit
from zongji.services.actors import actor
from zongji.services.directory import audit_guest_reads
from zongji.services.switchboard.dnd import active_dnd_rows
from zongji.settings import Settings
from zongji.store.models import Room, Stay, User
from zongji.store.switchboard_models import DndPeriod, Message
from zongji.store.wakeup_models import Wakeup


def shows_names(user: User) -> bool:
    return user.role in ROOM_NUMBER_ROLES


def board(session: Session, user: User, settings: Settings, *, now: dt.datetime) -> dict[str, Any]:
    tz = settings.tz
    horizon = dt.timedelta(hours=settings.room_board_wakeup_hours)
    rooms = sorted(session.scalars(select(Room).order_by(Room.floor, Room.id)),
                   key=lambda r: (r.floor, room_sort_key(r.number)))  # A3 before A12, 201 before 1001
    day_start = dt.datetime.combine(now.astimezone(tz).date(), dt.time(), tzinfo=tz)
    stays: dict[int, list[Stay]] = defaultdict(list)
    for s in session.scalars(select(Stay).where(
            Stay.status.in_(("in_house", "expected")), Stay.arrival < day_start + dt.timedelta(days=1))):
        stays[s.room_id].append(s)
    dnd: dict[int, DndPeriod] = {p.subject_id: p for p in active_dnd_rows(session, now, subject_kind="room")}
    wakeups: dict[int, list[Wakeup]] = defaultdict(list)
    for w in session.scalars(select(Wakeup).where(
            Wakeup.status.in_(rules.OPEN_WAKEUP_STATUSES), Wakeup.wake_at <= now + horizon)
            .order_by(Wakeup.wake_at)):
        wakeups[w.room_id].append(w)
    lamp_rows = session.execute(select(Message.lamp_extension, Message.addressed).where(
        Message.lamp_extension.is_not(None), Message.state.not_in(("acknowledged", "void")))).all()
    names = shows_names(user)
    # R-H4: for an operator a guest's record addressed by name never marks its room.
    dnd = {k: p for k, p in dnd.items() if guest_privacy.marks_room(user.role, p.addressed)}
    for room_id in list(wakeups):
        wakeups[room_id] = [w for w in wakeups[room_id] if guest_privacy.marks_room(user.role, w.addressed)]
    lamps = {ext for ext, addressed in lamp_rows if guest_privacy.marks_room(user.role, addressed)}
    floors: dict[int, list[dict[str, Any]]] = defaultdict(list)
    shown_guests: list[int] = []
    by_id = {s.id: s for ss in stays.values() for s in ss}
    for room in rooms:
        facts = [rules.StayFact(stay_id=s.id, guest_id=s.guest_id, status=s.status, arrival=s.arrival,
                                departure=s.departure, vip=bool(s.guest.vip)) for s in stays.get(room.id, [])]
        p = dnd.get(room.id)
        state = rules.room_state(
            facts, now=now, tz=tz, dnd=p is not None, message_lamp=room.extension in lamps,
            wakeups=[rules.WakeupFact(w.id, w.wake_at, w.status) for w in wakeups.get(room.id, [])],
            wakeup_horizon=horizon)
        out: dict[str, Any] = {
            "room": room.number, "floor": room.floor, "room_type": room.room_type,
            "occupied": state.occupied, "arriving": state.arriving is not None,
            "departing": state.departing_today, "vip": state.vip,
            "dnd": state.dnd,
            "wakeup": None if state.wakeup is None else {
                "status": state.wakeup.status,
                "time": state.wakeup.wake_at.astimezone(tz).strftime("%H:%M"),
                "wake_at": state.wakeup.wake_at.astimezone(tz).isoformat()},
            "wakeup_escalated": state.wakeup_escalated, "message_lamp": state.message_lamp,
        }
        for fact in (state.occupant, state.arriving):
            if fact is not None:
                shown_guests.append(fact.guest_id)
        if names:
            # Roles that may join guests to rooms (R-H4) also get the ids the switchboard API uses.
            out["guest_ref"] = state.occupant.guest_id if state.occupant else None
            out["dnd_id"] = p.id if p is not None else None
            occ = by_id[state.occupant.stay_id] if state.occupant else None
            arr = by_id[state.arriving.stay_id] if state.arriving else None
            out["guest_name"] = occ.guest.name if occ else None
            out["arriving_name"] = arr.guest.name if arr else None
        floors[room.floor].append(out)
    if shown_guests:
        audit_guest_reads(session, shown_guests, user=user, via="room_board", detail={"names": names})
    audit.record(session, actor=actor(user), user_id=user.id, action="read", entity="room_board",
                 entity_id=None, detail={"rooms": len(rooms), "names": names})
    all_rooms = [r for f in floors.values() for r in f]
    counts = {k: sum(1 for r in all_rooms if r[k]) for k in
              ("occupied", "arriving", "departing", "vip", "dnd", "message_lamp", "wakeup_escalated")}
    counts["wakeup"] = sum(1 for r in all_rooms if r["wakeup"])
    counts["rooms"] = len(all_rooms)
    return {"floors": [{"floor": f, "rooms": rs} for f, rs in sorted(floors.items())], "counts": counts,
            "names": names, "at": now.astimezone(tz).isoformat()}


__all__ = ["board", "shows_names"]
