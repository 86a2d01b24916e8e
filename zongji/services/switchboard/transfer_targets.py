"""A directory entry as the transfer rules' target (issue 3): a person (with their department's
hours, office, superior, leave and deputy), a department, a guest or the guest in a room, or a
line — and the facts the transfer keeps (who a message would be for, the guest's id …)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import transfer as tr
from zongji.errors import NotFound
from zongji.errors import Invalid
from zongji.services.staff_leave import current_leave, on_leave
from zongji.services.switchboard.contacts import after_hours_contact, contact
from zongji.services.switchboard.dnd import active_dnd_rows
from zongji.services.switchboard.hours import working_hours
from zongji.services.switchboard.line_config import line_config
from zongji.services.switchboard.rooms import current_stay, room_occupant
from zongji.store.models import Department, Guest, Line, Person, Room


def build_target(session: Session, kind: str, target_id: int, at: dt.datetime, *,
                 guest_name: str | None = None) -> tuple[tr.Target, dict[str, Any]]:
    """The domain target for a directory entry, and facts the service keeps (guest id, stay …)."""
    facts: dict[str, Any] = {"kind": kind, "id": target_id}
    if kind == "person":
        p = session.get(Person, target_id)
        if p is None:
            raise NotFound("no such person", field="target_id")
        dept = p.department
        hours = working_hours(dept.working_hours) if dept else None
        superior = None
        if dept is not None:
            superior = session.scalar(select(Person).where(
                Person.department_id == dept.id, Person.is_manager.is_(True), Person.id != p.id)
                .order_by(Person.id))
        office = (tr.Contact(name=dept.name, number=dept.extension or dept.phone or "", name_en=dept.name_en)
                  if dept is not None else None)
        leave = current_leave(session, p.id, at)  # R-S5: on leave → the named deputy
        deputy = leave.deputy if leave is not None else None
        target = tr.Target(
            kind=tr.TargetKind.PERSON, name=p.name, number=p.extension or p.mobile, title=p.title,
            title_en=p.title_en, department=dept.name if dept else None,
            department_en=dept.name_en if dept else None, hours=hours,
            dnd=bool(active_dnd_rows(session, at, subject_kind="person", subject_id=p.id)),
            department_office=office, superior=contact(superior, mobile_first=False),
            on_leave=leave is not None,
            deputy=contact(deputy, on_leave=on_leave(session, deputy.id, at)) if deputy is not None else None,
            # Their department's after-hours contact: for urgent calls while they are closed.
            department_after_hours=after_hours_contact(session, dept, at, exclude=p.id),
        )
        facts.update(recipient_kind="staff", recipient_label=p.name)
        return target, facts
    if kind == "department":
        d = session.get(Department, target_id)
        if d is None:
            raise NotFound("no such department", field="target_id")
        target = tr.Target(kind=tr.TargetKind.DEPARTMENT, name=d.name, name_en=d.name_en,
                           number=d.extension or d.phone, hours=working_hours(d.working_hours),
                           after_hours=after_hours_contact(session, d, at))
        facts.update(recipient_kind="department", recipient_label=d.name)
        return target, facts
    if kind in ("guest", "room"):
        if kind == "guest":
            g = session.get(Guest, target_id)
            if g is None:
                raise NotFound("no such guest", field="target_id")
            stay = current_stay(session, g.id, at)
            name_matches = None
        else:
            room = session.get(Room, target_id)
            if room is None:
                raise NotFound("no such room", field="target_id")
            stay = room_occupant(session, room.id, at)
            g = stay.guest if stay is not None else None
            # R-H4: the guest in the room must be the person the caller asked for.
            name_matches = tr.guest_name_matches(guest_name, g.name if g is not None else None)
        room = stay.room if stay is not None else None
        dnd_on = bool(room is not None and active_dnd_rows(session, at, subject_kind="room", subject_id=room.id))
        target = tr.Target(
            kind=tr.TargetKind(kind), name=g.name if g is not None else "", number=room.extension if room else None,
            in_house=stay is not None, privacy_level=(g.privacy_level if g is not None else "normal"),
            vip=bool(g and g.vip), vip_title=g.vip_title if g is not None else None, dnd=dnd_on,
            room_number=room.number if room else None,
        )
        facts.update(recipient_kind="guest", guest_id=g.id if g is not None else None,
                     recipient_label=g.name if g is not None else "", name_matches=name_matches,
                     recipient_id=g.id if g is not None else None)
        return target, facts
    if kind == "line":
        line = session.get(Line, target_id)
        if line is None:
            raise NotFound("no such line", field="target_id")
        facts.update(recipient_kind=None, recipient_label=line.name)
        return line_config(session, line, at).as_target(), facts
    raise Invalid("expected person, department, guest, room or line", field="target_kind")
