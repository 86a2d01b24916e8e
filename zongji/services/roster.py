"""The roster (排班; issue 10, point 5): shifts entered or imported by shift leaders and
supervisors, shown beside the staffing forecast.

- ``add``: shifts for operators and shift leaders (audited);
- ``import_xlsx``: a workbook with the columns 工号 (work number), 日期 (date), 开始 (start),
  结束 (end; before the start: the next day), one shift per row; rows that cannot be read are
  reported by row and field, the others added;
- ``scheduled``: how many shifts cover each half-hour of a range (domain/roster.py).
"""

from __future__ import annotations

import datetime as dt
from typing import Any, Iterable

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import presence as presence_rules
from zongji.domain import roster as rules
from zongji.domain.roles import STATS_ROLES
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services import audit, xlsx_upload
from zongji.store.models import User
from zongji.store.roster_models import Shift

MAX_ROWS = xlsx_upload.MAX_ROWS
HEADERS = {"工号": "number", "work number": "number", "日期": "date", "date": "date", "开始": "start",
           "start": "start", "结束": "end", "end": "end"}


def _check_viewer(viewer: User) -> None:
    if str(viewer.role) not in STATS_ROLES:
        raise Forbidden("only a shift leader, supervisor or admin keeps the roster")


def _out(s: Shift, user: User | None, tz) -> dict[str, Any]:
    return {"id": s.id, "user_id": s.user_id,
            "name": None if user is None else " ".join(x for x in (user.operator_number, user.display_name) if x),
            "starts_at": s.starts_at.astimezone(tz).isoformat(), "ends_at": s.ends_at.astimezone(tz).isoformat()}


def _phone_user(session: Session, user_id: int, field: str) -> User:
    u = session.get(User, user_id)
    if u is None or not u.active or not presence_rules.may_be_away(str(u.role)):
        raise NotFound("no such operator", field=field)
    return u


def add(session: Session, viewer: User, shifts: Iterable[dict[str, Any]], tz) -> list[dict[str, Any]]:
    _check_viewer(viewer)
    out = []
    for i, s in enumerate(shifts):
        u = _phone_user(session, s["user_id"], f"shifts.{i}.user_id")
        try:
            rules.check_shift(s["starts_at"], s["ends_at"])
        except rules.ShiftError as exc:
            raise Invalid(str(exc), field=f"shifts.{i}.{exc.field}") from None
        row = Shift(user_id=u.id, starts_at=s["starts_at"], ends_at=s["ends_at"], created_by_id=viewer.id)
        session.add(row)
        session.flush()
        out.append(_out(row, u, tz))
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="add", entity="shift",
                 detail={"count": len(out)})
    return out


def remove(session: Session, viewer: User, shift_id: int) -> None:
    _check_viewer(viewer)
    row = session.get(Shift, shift_id)
    if row is None:
        raise NotFound("no such shift", field="shift_id")
    session.delete(row)
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="delete", entity="shift",
                 entity_id=str(shift_id))


def listing(session: Session, viewer: User, start: dt.datetime, end: dt.datetime, tz) -> list[dict[str, Any]]:
    _check_viewer(viewer)
    rows = session.execute(select(Shift, User).join(User, User.id == Shift.user_id).where(
        Shift.starts_at < end, Shift.ends_at > start).order_by(Shift.starts_at, User.operator_number)).all()
    return [_out(s, u, tz) for s, u in rows]


def scheduled(session: Session, slots: list[dt.datetime]) -> list[int] | None:
    """Shifts covering each slot; None when no shift touches the range (no roster kept)."""
    if not slots:
        return None
    start, end = slots[0], slots[-1] + rules.HALF_HOUR
    shifts = [(r.starts_at, r.ends_at) for r in session.execute(
        select(Shift.starts_at, Shift.ends_at).where(Shift.starts_at < end, Shift.ends_at > start))]
    return rules.scheduled(shifts, slots) if shifts else None


def _cell_date(v: Any) -> dt.date:
    if isinstance(v, dt.datetime):
        return v.date()
    if isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v).strip().replace("/", "-"))


def _cell_time(v: Any) -> dt.time:
    if isinstance(v, dt.datetime):
        return v.time()
    if isinstance(v, dt.time):
        return v
    text = str(v).strip().replace("：", ":")
    h, _, m = text.partition(":")
    return dt.time(int(h), int(m or 0))


def import_xlsx(session: Session, viewer: User, data: bytes, tz) -> dict[str, Any]:
    _check_viewer(viewer)
    sheet = xlsx_upload.open_sheet(data, column_of=lambda h: HEADERS.get(h.lower()),
                                   required=("number", "date", "start", "end"), names="工号, 日期, 开始, 结束")
    by_number = {u.operator_number: u for u in session.scalars(select(User).where(User.active.is_(True)))
                 if u.operator_number and presence_rules.may_be_away(str(u.role))}
    added, rejected = 0, []
    for row in sheet.rows(rejected, MAX_ROWS):
        n, cell = row.number, row.get
        number = str(cell("number") or "").strip()
        user = by_number.get(number)
        if user is None:
            rejected.append({"row": n, "field": "工号", "code": "unknown_number", "value": number,
                             "reason": f"no operator with work number {number!r}"})
            continue
        try:
            day = _cell_date(cell("date"))
        except (TypeError, ValueError):
            rejected.append({"row": n, "field": "日期", "code": "bad_date", "reason": "a date, YYYY-MM-DD"})
            continue
        try:
            start_t, end_t = _cell_time(cell("start")), _cell_time(cell("end"))
        except (TypeError, ValueError):
            rejected.append({"row": n, "field": "开始/结束", "code": "bad_time", "reason": "a time, HH:MM"})
            continue
        starts = dt.datetime.combine(day, start_t, tzinfo=tz)
        ends = dt.datetime.combine(day + dt.timedelta(days=1 if end_t <= start_t else 0), end_t, tzinfo=tz)
        try:
            rules.check_shift(starts, ends)
        except rules.ShiftError as exc:
            rejected.append({"row": n, "field": "结束", "code": "too_long", "reason": str(exc)})
            continue
        session.add(Shift(user_id=user.id, starts_at=starts, ends_at=ends, created_by_id=viewer.id))
        added += 1
    session.flush()
    audit.record(session, actor=f"user:{viewer.username}", user_id=viewer.id, action="import", entity="shift",
                 detail={"added": added, "rejected": len(rejected)})
    return {"added": added, "rejected": rejected}
