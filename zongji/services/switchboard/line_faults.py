"""Line faults (issue 3, R-S3): opening one (from the lines page, or a failed test call),
closing it with its resolution, and listing them (the lines page, the handover). Faults are
published on the live feed (topic ``fault``)."""

from __future__ import annotations

import datetime as dt
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import lines as line_rules
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.actors import actor, who
from zongji.services.local_time import iso
from zongji.services.switchboard.line_config import line_by_code
from zongji.settings import Settings
from zongji.store.models import User, utcnow
from zongji.store.switchboard_models import LineFault


def fault_out(f: LineFault, tz: ZoneInfo) -> dict[str, Any]:
    return {"id": f.id, "line": {"code": f.line.code, "name": f.line.name}, "cause": f.cause,
            "started_at": iso(f.started_at, tz), "reported_at": iso(f.reported_at, tz),
            "reported_by": f.reported_by, "reported_to": f.reported_to, "ended_at": iso(f.ended_at, tz),
            "resolution": f.resolution, "closed_by": f.closed_by, "open": f.ended_at is None}


def open_fault(session: Session, user: User | None, settings: Settings, code: str, *, cause: str,
               started_at: dt.datetime | None, reported_to: str | None) -> dict[str, Any]:
    line = line_by_code(session, code)
    now = utcnow()
    try:
        f = line_rules.open_fault(line_code=line.code, cause=cause, started_at=started_at or now, reported_at=now,
                                  reported_by=who(user), reported_to=reported_to or "技术部")
    except line_rules.FaultError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    if f.started_at > now + dt.timedelta(minutes=1):
        raise Invalid("a fault cannot start in the future", field="started_at")
    row = LineFault(line_id=line.id, cause=f.cause, started_at=f.started_at, reported_at=f.reported_at,
                    reported_by=f.reported_by, reported_to=f.reported_to)
    session.add(row)
    session.flush()
    audit.record(session, actor=actor(user), user_id=user.id if user else None, action="create",
                 entity="line_fault", entity_id=row.id, detail={"line": line.code, "cause": f.cause})
    out = fault_out(row, settings.tz)
    live_feed.publish(session, "fault", row.id, out)
    return out


def close_fault(session: Session, user: User, settings: Settings, fault_id: int, *, resolution: str | None,
                ended_at: dt.datetime | None) -> dict[str, Any]:
    row = session.get(LineFault, fault_id)
    if row is None:
        raise NotFound("no such fault", field="fault_id")
    dom = line_rules.FaultRecord(line_code=row.line.code, cause=row.cause, started_at=row.started_at,
                                 reported_at=row.reported_at, reported_by=row.reported_by,
                                 reported_to=row.reported_to, ended_at=row.ended_at)
    try:
        done = line_rules.close_fault(dom, ended_at=ended_at or utcnow(), by=who(user), resolution=resolution)
    except line_rules.FaultError as exc:
        err = Conflict if "already" in str(exc) else Invalid
        raise err(str(exc), field=exc.field) from None
    row.ended_at, row.resolution, row.closed_by = done.ended_at, done.resolution, done.closed_by
    audit.record(session, actor=actor(user), user_id=user.id, action="close", entity="line_fault",
                 entity_id=row.id, detail={"resolution": resolution})
    session.flush()
    out = fault_out(row, settings.tz)
    live_feed.publish(session, "fault", row.id, out)
    return out


def list_faults(session: Session, settings: Settings, *, open_only: bool) -> list[dict[str, Any]]:
    stmt = select(LineFault).order_by(LineFault.started_at.desc()).limit(200)
    if open_only:
        stmt = stmt.where(LineFault.ended_at.is_(None))
    return [fault_out(f, settings.tz) for f in session.scalars(stmt)]


def open_fault_rows(session: Session) -> list[LineFault]:
    return list(session.scalars(select(LineFault).where(LineFault.ended_at.is_(None)).order_by(LineFault.started_at)))
