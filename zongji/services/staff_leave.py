"""A person's leave with a named deputy (issue 3, R-S5).

Operators (console roles) record leave periods — from, to, deputy, note — for anyone in the
directory. While a period is on, a transfer to that person (and a line whose responsible person
it is) goes to the deputy with the deputy script (``zongji.domain.transfer``, reason
``on_leave_deputy``); without a reachable deputy the operator offers a message. Every change is
audited and pushed to consoles (``FeedItem(topic="leave")``).
"""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit
from zongji.services import live_feed
from zongji.services.local_time import iso
from zongji.store.models import Person, User, utcnow
from zongji.store.switchboard_models import StaffLeave

MAX_LEAVE_DAYS = 366


def _who(user: User | None) -> str:
    if user is None:
        return "system"
    return f"{user.display_name}({user.operator_number})" if user.operator_number else user.display_name


def leave_out(row: StaffLeave, tz: ZoneInfo) -> dict[str, Any]:
    d = row.deputy
    return {
        "id": row.id, "person": {"id": row.person.id, "name": row.person.name, "title": row.person.title},
        "starts_at": iso(row.starts_at, tz), "ends_at": iso(row.ends_at, tz),
        "deputy": {"id": d.id, "name": d.name, "title": d.title, "extension": d.extension} if d else None,
        "note": row.note, "created_by": row.created_by, "cancelled_at": iso(row.cancelled_at, tz),
        "active": row.cancelled_at is None,
    }


def current_leave(session: Session, person_id: int, at: dt.datetime) -> StaffLeave | None:
    """The leave period on at ``at`` (the latest started, if several overlap)."""
    return session.scalar(select(StaffLeave).where(
        StaffLeave.person_id == person_id, StaffLeave.cancelled_at.is_(None),
        StaffLeave.starts_at <= at, StaffLeave.ends_at > at).order_by(StaffLeave.starts_at.desc()).limit(1))


def on_leave(session: Session, person_id: int | None, at: dt.datetime) -> bool:
    return person_id is not None and current_leave(session, person_id, at) is not None


def list_leaves(session: Session, tz: ZoneInfo, *, person_id: int | None = None, current_only: bool = True,
                at: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = at or utcnow()
    stmt = select(StaffLeave).where(StaffLeave.cancelled_at.is_(None)).order_by(StaffLeave.starts_at)
    if person_id is not None:
        stmt = stmt.where(StaffLeave.person_id == person_id)
    if current_only:
        stmt = stmt.where(StaffLeave.ends_at > now)
    return [leave_out(r, tz) for r in session.scalars(stmt.limit(500))]


def set_leave(session: Session, user: User, tz: ZoneInfo, *, person_id: int, starts_at: dt.datetime | None,
              ends_at: dt.datetime, deputy_id: int | None, note: str | None,
              at: dt.datetime | None = None) -> dict[str, Any]:
    now = at or utcnow()
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound("no such person", field="person_id")
    start = starts_at or now
    if ends_at <= start:
        raise Invalid("the leave must end after it starts", field="ends_at")
    if ends_at <= now:
        raise Invalid("the leave has already ended", field="ends_at")
    if ends_at - start > dt.timedelta(days=MAX_LEAVE_DAYS):
        raise Invalid(f"a leave period is at most {MAX_LEAVE_DAYS} days", field="ends_at")
    if deputy_id is not None:
        if deputy_id == person_id:
            raise Invalid("the deputy must be someone else", field="deputy_id")
        if session.get(Person, deputy_id) is None:
            raise NotFound("no such person", field="deputy_id")
    overlap = session.scalar(select(StaffLeave.id).where(
        StaffLeave.person_id == person_id, StaffLeave.cancelled_at.is_(None),
        StaffLeave.starts_at < ends_at, StaffLeave.ends_at > start).limit(1))
    if overlap:
        raise Conflict("this person already has leave in that period", field="starts_at")
    row = StaffLeave(person_id=person_id, starts_at=start, ends_at=ends_at, deputy_id=deputy_id,
                     note=(note or "").strip() or None, created_at=now, created_by=_who(user))
    session.add(row)
    session.flush()
    session.refresh(row)
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="create", entity="staff_leave",
                 entity_id=row.id, detail={"person_id": person_id, "deputy_id": deputy_id,
                                           "starts_at": start.isoformat(), "ends_at": ends_at.isoformat()})
    out = leave_out(row, tz)
    live_feed.publish(session, "leave", row.id, out)
    return out


def cancel_leave(session: Session, user: User, tz: ZoneInfo, leave_id: int) -> dict[str, Any]:
    row = session.get(StaffLeave, leave_id)
    if row is None:
        raise NotFound("no such leave", field="leave_id")
    if row.cancelled_at is not None:
        raise Conflict("this leave was already cancelled", field="leave_id")
    row.cancelled_at, row.cancelled_by = utcnow(), _who(user)
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="cancel", entity="staff_leave",
                 entity_id=row.id)
    session.flush()
    out = leave_out(row, tz)
    live_feed.publish(session, "leave", row.id, out)
    return out
