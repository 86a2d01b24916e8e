"""Do-not-disturb (issue 3, R-H8): setting it on a guest, a room or a person, cancelling it, ending
it at the chosen time or at check-out, and reading who has it on (the console, the directory's
results, the handover).

A guest's DND locks the room's line (a PBX command, ``pbx``) until it ends. Guest privacy (R-H4):
the DND list carries the room number only for roles in ``ROOM_NUMBER_ROLES``; every read of guest
data is audited.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import dnd as dnd_rules
from zongji.domain import guest_privacy
from zongji.domain.room_numbers import normalize_room
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.actors import actor, sees_rooms, who
from zongji.services.directory import audit_guest_reads
from zongji.services.local_time import iso
from zongji.services.switchboard.pbx import queue_pbx
from zongji.services.switchboard.rooms import current_stay, room_addressed
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Guest, Person, Room, Stay, User, utcnow
from zongji.store.switchboard_models import DndPeriod

DND_END_JOB = "switchboard.dnd_end"


def _dnd_domain(p: DndPeriod) -> dnd_rules.DndPeriod:
    return dnd_rules.DndPeriod(
        subject_kind=dnd_rules.DndSubjectKind(p.subject_kind), subject_id=p.subject_id,
        subject_label=p.subject_label, set_at=p.set_at, set_by=p.set_by, reason=p.reason,
        guest_name=p.guest_name, room_number=p.room_number, until=p.until, until_checkout=p.until_checkout,
        checked_out_at=p.checked_out_at, cancelled_at=p.cancelled_at, cancelled_by=p.cancelled_by,
        cancel_reason=p.cancel_reason)


def active_dnd_rows(session: Session, at: dt.datetime, *, subject_kind: str | None = None,
                    subject_id: int | None = None) -> list[DndPeriod]:
    stmt = select(DndPeriod).where(DndPeriod.ended_at.is_(None), DndPeriod.set_at <= at)
    if subject_kind:
        stmt = stmt.where(DndPeriod.subject_kind == subject_kind)
    if subject_id is not None:
        stmt = stmt.where(DndPeriod.subject_id == subject_id)
    return [p for p in session.scalars(stmt.order_by(DndPeriod.set_at)) if _dnd_domain(p).active_at(at)]


def mark_dnd(session: Session, results: list[dict[str, Any]], at: dt.datetime) -> list[dict[str, Any]]:
    """Set ``dnd`` on each directory search result (guest, room or person) that has do-not-disturb
    on at ``at``, so the operator sees it in the results before putting a call through (R-H8)."""
    rows = active_dnd_rows(session, at) if results else []
    on = {("room", p.subject_id) if p.subject_kind == "room" else ("person", p.subject_id) for p in rows}
    on |= {("guest", p.guest_id) for p in rows if p.guest_id is not None}
    for r in results:
        r["dnd"] = (r.get("kind"), r.get("id")) in on
    return results


def dnd_out(p: DndPeriod, tz: ZoneInfo, *, with_room: bool) -> dict[str, Any]:
    out = {
        "id": p.id, "subject_kind": "guest" if p.guest_id else p.subject_kind,
        "subject_id": p.guest_id or p.subject_id, "label": p.subject_label, "guest_name": p.guest_name,
        "reason": p.reason, "set_at": iso(p.set_at, tz), "set_by": p.set_by, "until": iso(p.until, tz),
        "until_checkout": p.until_checkout, "cancelled_at": iso(p.cancelled_at, tz),
        "cancelled_by": p.cancelled_by, "ended_at": iso(p.ended_at, tz), "end_reason": p.end_reason,
        "active": p.ended_at is None, "addressed": p.addressed,
    }
    if with_room or p.addressed:
        # A guest's DND carries its room; zongji.domain.guest_privacy decides who sees it.
        out["room_number"] = p.room_number
    return out


def set_dnd(session: Session, user: User | None, settings: Settings, *, subject_kind: str, subject_id: int | None,
            reason: str | None, until: dt.datetime | None, until_checkout: bool,
            at: dt.datetime | None = None, room: str | None = None, by_name: str | None = None) -> dict[str, Any]:
    """``subject_kind`` "room" (``room`` = the number, or ``subject_id`` = the room's id): DND for
    whoever is in house in that room, as for the guest; the answer names only the room for roles
    outside ``ROOM_NUMBER_ROLES`` (R-H4, R-H8). ``user`` None with ``by_name``: set by a system
    (the hotel's PMS over FIAS), recorded under that name."""
    now = at or utcnow()
    stay = None
    by_room = subject_kind == "room"
    if by_room:
        stay = room_addressed(session, room=room, room_id=subject_id, at=now, id_field="subject_id")
        g, r = stay.guest, stay.room
        kind, sid, label, ext = "room", r.id, g.name, r.extension
        guest_name, room_number, guest_id = g.name, r.number, g.id
    elif subject_id is None:
        raise Invalid("give the guest or person", field="subject_id")
    elif subject_kind == "guest":
        g = session.get(Guest, subject_id)
        if g is None:
            raise NotFound("no such guest", field="subject_id")
        stay = current_stay(session, g.id, now)
        if stay is None:
            raise Invalid("the guest is not in house", field="subject_id")
        audit_guest_reads(session, [g.id], user=user, via="dnd")
        room = stay.room
        kind, sid, label, ext = "room", room.id, g.name, room.extension
        guest_name, room_number, guest_id = g.name, room.number, g.id
    elif subject_kind == "person":
        p = session.get(Person, subject_id)
        if p is None:
            raise NotFound("no such person", field="subject_id")
        kind, sid, label, ext = "person", p.id, p.name, p.extension
        guest_name = room_number = guest_id = None
        if until_checkout:
            raise Invalid("only a guest's DND can end at check-out", field="until_checkout")
    else:
        raise Invalid("expected guest, room or person", field="subject_kind")
    if active_dnd_rows(session, now, subject_kind=kind, subject_id=sid):
        raise Conflict("do-not-disturb is already on", field="room" if by_room and room else "subject_id")
    try:
        period = dnd_rules.set_dnd(subject_kind=kind, subject_id=sid, subject_label=label, at=now, by=by_name or who(user),
                                   reason=reason, until=until, until_checkout=until_checkout,
                                   guest_name=guest_name, room_number=room_number)
    except dnd_rules.DndError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    row = DndPeriod(subject_kind=kind, subject_id=sid, subject_label=period.subject_label, guest_id=guest_id,
                    stay_id=stay.id if stay else None, guest_name=guest_name, room_number=room_number, extension=ext,
                    reason=reason, set_at=now, set_by=period.set_by, until=until, until_checkout=until_checkout,
                    addressed=("room" if by_room else "guest") if guest_id else None)
    session.add(row)
    session.flush()
    if ext and period.line_lock:
        queue_pbx(session, "lock", now, extension=ext, locked=True)
    if until is not None:
        jobs.schedule(session, DND_END_JOB, f"dnd-end:{row.id}:until", until, {"dnd_id": row.id})
    if until_checkout and stay is not None:
        jobs.schedule(session, DND_END_JOB, f"dnd-end:{row.id}:checkout", max(stay.departure, now),
                      {"dnd_id": row.id})
    audit.record(session, actor=by_name or actor(user), user_id=user.id if user else None, action="create",
                 entity="dnd", entity_id=row.id,
                 detail={"subject_kind": subject_kind, "subject_id": subject_id, "until": iso(until, dt.UTC),
                         "until_checkout": until_checkout, "reason": reason, "room": room_number})
    live_feed.publish(session, "dnd", row.id, dnd_out(row, settings.tz, with_room=False))
    return _dnd_answer(row, user, settings, by_room=by_room)


def _dnd_answer(row: DndPeriod, user: User, settings: Settings, *, by_room: bool) -> dict[str, Any]:
    # The answer as the user's role may see it: zongji.api.guest_privacy (R-H4).
    return dnd_out(row, settings.tz, with_room=sees_rooms(user))


def _end_dnd(session: Session, row: DndPeriod, period: dnd_rules.DndPeriod, now: dt.datetime, tz: ZoneInfo) -> None:
    row.cancelled_at, row.cancelled_by, row.cancel_reason = period.cancelled_at, period.cancelled_by, period.cancel_reason
    row.checked_out_at = period.checked_out_at
    row.ended_at = period.ends_at() or now
    reason = period.end_reason()
    row.end_reason = str(reason) if reason else "cancelled"
    if row.extension:
        queue_pbx(session, "lock", now, extension=row.extension, locked=False)
    session.flush()
    live_feed.publish(session, "dnd", row.id, dnd_out(row, tz, with_room=False))


def cancel_dnd(session: Session, user: User | None, settings: Settings, dnd_id: int, *, reason: str | None,
               by_name: str | None = None) -> dict[str, Any]:
    row = session.get(DndPeriod, dnd_id)
    if row is None:
        raise NotFound("no such do-not-disturb", field="dnd_id")
    now = utcnow()
    if row.ended_at is not None:
        raise Conflict("this do-not-disturb has already ended", field="dnd_id")
    try:
        period = dnd_rules.cancel_dnd(_dnd_domain(row), at=now, by=by_name or who(user), reason=reason)
    except dnd_rules.DndError as exc:
        raise Conflict(str(exc), field=exc.field) from None
    _end_dnd(session, row, period, now, settings.tz)
    audit.record(session, actor=by_name or actor(user), user_id=user.id if user else None, action="cancel",
                 entity="dnd", entity_id=row.id, detail={"reason": reason})
    return dnd_out(row, settings.tz, with_room=sees_rooms(user))


def cancel_room_dnd(session: Session, user: User, settings: Settings, room: str, *,
                    reason: str | None) -> dict[str, Any]:
    """Cancel the DND of a room given by number (the room board's D key): no DND id, which the
    DND list would join to the guest's name, is needed (R-H4, R-H8)."""
    r = session.scalar(select(Room).where(Room.number == normalize_room(room)).order_by(Room.id).limit(1))
    if r is None:
        raise NotFound("no such room", field="room")
    rows = active_dnd_rows(session, utcnow(), subject_kind="room", subject_id=r.id)
    if not rows:
        raise Conflict("do-not-disturb is not on for that room", field="room")
    for row in rows[1:]:
        cancel_dnd(session, user, settings, row.id, reason=reason)
    cancel_dnd(session, user, settings, rows[0].id, reason=reason)
    return _dnd_answer(rows[0], user, settings, by_room=True)


def end_dnd_if_due(session: Session, dnd_id: int, now: dt.datetime, settings: Settings) -> None:
    """The DND timer: the chosen end time passed, or the guest checked out."""
    row = session.get(DndPeriod, dnd_id)
    if row is None or row.ended_at is not None:
        return
    period = _dnd_domain(row)
    if row.until_checkout and row.stay_id:
        stay = session.get(Stay, row.stay_id)
        if stay is not None and (stay.status == "checked_out" or stay.departure <= now):
            period = dnd_rules.on_checkout(period, at=min(now, stay.departure) if stay.status != "checked_out"
                                           else min(now, max(stay.departure, row.set_at)))
        elif stay is not None:
            jobs.schedule(session, DND_END_JOB, f"dnd-end:{row.id}:checkout:{stay.departure.isoformat()}",
                          stay.departure, {"dnd_id": row.id})
    if period.active_at(now):
        return
    _end_dnd(session, row, period, now, settings.tz)
    audit.record(session, actor="system", action="end", entity="dnd", entity_id=row.id,
                 detail={"reason": row.end_reason})


def end_at_check_out(session: Session, stay_id: int, now: dt.datetime, tz: ZoneInfo, *,
                     actor_name: str) -> list[int]:
    """The guest checked out: the DND periods of the stay end; returns their ids."""
    ended: list[int] = []
    for row in session.scalars(select(DndPeriod).where(DndPeriod.stay_id == stay_id, DndPeriod.ended_at.is_(None))):
        # The guest has left: the room's DND ends now whatever end was chosen (R-H8), so the line
        # is released for the next guest.
        period = dnd_rules.on_checkout(replace(_dnd_domain(row), until_checkout=True), at=max(now, row.set_at))
        if not period.active_at(max(now, row.set_at)):
            _end_dnd(session, row, period, now, tz)
            audit.record(session, actor=actor_name, action="end", entity="dnd", entity_id=row.id,
                         detail={"reason": "check_out"})
            ended.append(row.id)
    return ended


def list_dnd(session: Session, user: User, settings: Settings, *, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = at or utcnow()
    rows = active_dnd_rows(session, now)
    with_room = sees_rooms(user)
    guest_ids = [r.guest_id for r in rows if r.guest_id]
    if guest_ids:
        audit_guest_reads(session, guest_ids, user=user, via="dnd_list")
    return [dnd_out(r, settings.tz, with_room=with_room) for r in rows]


def dnd_rows_for_handover(session: Session, at: dt.datetime) -> list[DndPeriod]:
    return active_dnd_rows(session, at)


def dnd_domain(p: DndPeriod, *, with_room: bool) -> dnd_rules.DndPeriod:
    """For the handover: ``with_room`` for roles that see guest and room together; for the others
    a DND set on a room names the room, one set on a guest the guest (guest_privacy, R-H4)."""
    d = _dnd_domain(p)
    if with_room:
        return d
    if p.addressed == guest_privacy.ROOM:
        return replace(d, subject_label=p.room_number or "", guest_name=None, room_number=None)
    return replace(d, room_number=None)
