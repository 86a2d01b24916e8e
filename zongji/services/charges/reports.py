"""Reading call charges: one charge as the API shows it, the list (a room's calls for the
operator who tells the guest, the missed or skipped charges report), and the daily long-distance
statistics (R-H14: count, minutes and amount of IDD and DDD calls by room and by department) with
their XLSX workbook."""

from __future__ import annotations

import datetime as dt
import io
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from zongji.domain.charges import posting as rules
from zongji.domain import time_range
from zongji.domain.charges import special
from zongji.domain.charges.destination import LONG_DISTANCE_KINDS
from zongji.domain.room_numbers import normalize_room
from zongji.errors import Invalid
from zongji.services.local_time import iso
from zongji.settings import Settings
from zongji.store.charges_models import CallCharge
from zongji.store.models import Department, Person
from zongji.store.switchboard_models import LongDistanceRate

MAX_DAYS = 62
LIST_MAX = 500


def charge_out(c: CallCharge, settings: Settings, department: str | None = None,
               destination_en: str | None = None) -> dict[str, Any]:
    tz = settings.tz
    return {"id": c.id, "call_id": c.call_id, "request_id": c.request_id, "called_at": iso(c.called_at, tz),
            "extension": c.extension,
            "dialled": c.dialled, "kind": c.kind, "destination": c.destination,
            "destination_en": destination_en, "talk_seconds": c.talk_seconds,
            "units": c.units, "unit": c.unit, "per_minute_fen": c.per_minute_fen, "amount_fen": c.amount_fen,
            "room": c.room_number, "stay_id": c.stay_id, "department_id": c.department_id,
            "department": department, "state": c.state, "attempts": c.attempts, "adapter": c.adapter,
            "reference": c.reference, "reason": c.reason, "settled_by": c.settled_by,
            "posted_at": iso(c.posted_at, tz), "next_try_at": iso(c.next_try_at, tz)}


def _day_bounds(day_from: dt.date, day_to: dt.date, settings: Settings, *,
                fields: tuple[str, str] = ("date_from", "date_to")) -> tuple[dt.datetime, dt.datetime]:
    for day, field in zip((day_from, day_to), fields):
        if not time_range.in_range(day):
            raise Invalid(time_range.out_of_range_message(field), field=field)
    if day_to < day_from:
        raise Invalid("date_to is before date_from", field="date_to")
    if (day_to - day_from).days >= MAX_DAYS:
        raise Invalid(f"at most {MAX_DAYS} days at once", field="date_to")
    tz = settings.tz
    start = dt.datetime.combine(day_from, dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    end = dt.datetime.combine(day_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz).astimezone(dt.UTC)
    return start, end


def listing(session: Session, settings: Settings, *, view: str = "missed", room: str | None = None,
            date_from: dt.date | None = None, date_to: dt.date | None = None, limit: int = 200) -> dict[str, Any]:
    """Charges, newest first: ``view`` ``missed`` — not on a folio yet (queued, pending, refused,
    no stay, unrated), whatever their day; ``all`` — every charge of the days given; with
    ``room`` only that room's (what the operator tells a guest who asks)."""
    if not 1 <= limit <= LIST_MAX:
        raise Invalid(f"limit must be between 1 and {LIST_MAX}", field="limit")
    stmt = (select(CallCharge, Department.name, LongDistanceRate.destination_en)
            .outerjoin(Department, Department.id == CallCharge.department_id)
            .outerjoin(LongDistanceRate, LongDistanceRate.id == CallCharge.rate_id))
    if view == "missed":
        stmt = stmt.where(CallCharge.state.in_(rules.NOT_POSTED))
    elif view != "all":
        raise Invalid("view is missed or all", field="view")
    if room is not None and room.strip():
        number = normalize_room(room)
        if not any(ch.isalnum() for ch in number):
            raise Invalid("give a room number", field="room")
        stmt = stmt.where(CallCharge.room_number == number)
    if date_from or date_to:
        start, end = _day_bounds(date_from or date_to, date_to or date_from, settings)
        stmt = stmt.where(CallCharge.called_at >= start, CallCharge.called_at < end)
    rows = session.execute(stmt.order_by(CallCharge.called_at.desc(), CallCharge.id.desc()).limit(limit)).all()
    counts = dict(session.execute(select(CallCharge.state, func.count()).where(
        CallCharge.state.in_(rules.NOT_POSTED)).group_by(CallCharge.state)).all())
    missed = {s: int(counts.get(s, 0)) for s in rules.NOT_POSTED}
    return {"items": [charge_out(c, settings, dep, en) for c, dep, en in rows], "missed": missed,
            "missed_total": sum(missed.values())}


def long_distance(session: Session, settings: Settings, *, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    """IDD and DDD calls of the local days ``date_from``…``date_to`` (R-H14): per day and kind,
    per room, per department — count, minutes (talk time rounded up per call) and amount in fen.
    Every outgoing long-distance call talked counts, charged or written off."""
    start, end = _day_bounds(date_from, date_to, settings)
    rows = session.execute(
        select(CallCharge.called_at, CallCharge.kind, CallCharge.room_number, CallCharge.department_id,
               CallCharge.talk_seconds, CallCharge.amount_fen, CallCharge.state)
        .where(CallCharge.called_at >= start, CallCharge.called_at < end, CallCharge.talk_seconds > 0,
               CallCharge.kind.in_(LONG_DISTANCE_KINDS))).all()
    names = dict(session.execute(select(Department.id, Department.name)).all())
    tz = settings.tz
    days: dict[tuple[str, str], dict[str, int]] = {}
    rooms: dict[str, dict[str, int]] = {}
    deps: dict[str, dict[str, int]] = {}

    def add(bucket: dict[str, int], kind: str, seconds: int, amount: int) -> None:
        bucket[f"{kind}_count"] = bucket.get(f"{kind}_count", 0) + 1
        bucket[f"{kind}_minutes"] = bucket.get(f"{kind}_minutes", 0) + -(-seconds // 60)
        bucket[f"{kind}_amount_fen"] = bucket.get(f"{kind}_amount_fen", 0) + amount

    for r in rows:
        amount = 0 if r.state == "written_off" else int(r.amount_fen)
        day = r.called_at.astimezone(tz).date().isoformat()
        add(days.setdefault((day, ""), {}), r.kind, int(r.talk_seconds), amount)
        if r.room_number:
            add(rooms.setdefault(r.room_number, {}), r.kind, int(r.talk_seconds), amount)
        if r.department_id is not None:
            add(deps.setdefault(names.get(r.department_id, str(r.department_id)), {}), r.kind,
                int(r.talk_seconds), amount)
    zero = {f"{k}_{f}": 0 for k in LONG_DISTANCE_KINDS for f in ("count", "minutes", "amount_fen")}
    total = dict(zero)
    for b in days.values():
        for k, v in b.items():
            total[k] += v
    return {
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(),
        "days": [{"day": d, **zero, **b} for (d, _), b in sorted(days.items())],
        "rooms": [{"room": k, **zero, **b} for k, b in sorted(rooms.items(), key=lambda kv: _room_order(kv[0]))],
        "departments": [{"department": k, **zero, **b} for k, b in sorted(deps.items())],
        "total": total,
    }


def _room_order(number: str) -> tuple[int, str]:
    digits = "".join(ch for ch in number if ch.isdigit())
    return (int(digits) if digits else 0, number)


_HEAD = {
    "zh-CN": {"day": "日期", "room": "房号", "department": "部门", "idd_count": "国际长途(次)",
              "idd_minutes": "国际长途(分钟)", "idd_amount": "国际长途(元)", "ddd_count": "国内长途(次)",
              "ddd_minutes": "国内长途(分钟)", "ddd_amount": "国内长途(元)", "days": "按日", "rooms": "按房间",
              "departments": "按部门", "total": "合计"},
    "en": {"day": "Day", "room": "Room", "department": "Department", "idd_count": "IDD calls",
           "idd_minutes": "IDD minutes", "idd_amount": "IDD amount (CNY)", "ddd_count": "DDD calls",
           "ddd_minutes": "DDD minutes", "ddd_amount": "DDD amount (CNY)", "days": "By day", "rooms": "By room",
           "departments": "By department", "total": "Total"},
}


def long_distance_xlsx(data: dict[str, Any], locale: str = "zh-CN") -> bytes:
    """The statistics as a workbook: one sheet by day (with the total), by room, by department."""
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up

    h = _HEAD.get(locale, _HEAD["zh-CN"])
    figures = ("idd_count", "idd_minutes", "idd_amount", "ddd_count", "ddd_minutes", "ddd_amount")
    wb = Workbook()
    wb.remove(wb.active)
    for sheet, key in (("days", "day"), ("rooms", "room"), ("departments", "department")):
        ws = wb.create_sheet(h[sheet])
        ws.append([h[key], *(h[f] for f in figures)])
        rows = list(data[sheet]) + ([{"day": h["total"], **data["total"]}] if sheet == "days" else [])
        for row in rows:
            ws.append([row[key], *(row[f] if not f.endswith("amount") else row[f + "_fen"] / 100 for f in figures)])
        ws.column_dimensions["A"].width = 14
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def _month_bounds(month: str, settings: Settings) -> tuple[dt.datetime, dt.datetime]:
    try:
        first = dt.date.fromisoformat(f"{month}-01")
    except ValueError:
        raise Invalid("a month as YYYY-MM", field="month") from None
    if not time_range.in_range(first) or first.year == time_range.LAST_YEAR:
        raise Invalid(time_range.out_of_range_message("month"), field="month")
    nxt = (first.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
    tz = settings.tz
    return (dt.datetime.combine(first, dt.time(0), tzinfo=tz).astimezone(dt.UTC),
            dt.datetime.combine(nxt, dt.time(0), tzinfo=tz).astimezone(dt.UTC))


def statement(session: Session, settings: Settings, *, month: str) -> dict[str, Any]:
    """A month's statement of the company numbers' calls (R-C6): per person and per department,
    calls, minutes, amount and who pays what (the unit's part, the person's part), in fen."""
    start, end = _month_bounds(month, settings)
    rows = session.execute(
        select(CallCharge.department_id, CallCharge.person_id, CallCharge.talk_seconds, CallCharge.amount_fen,
               CallCharge.person_fen)
        .where(CallCharge.called_at >= start, CallCharge.called_at < end, CallCharge.state == "account",
               CallCharge.amount_fen > 0)).all()
    deps = dict(session.execute(select(Department.id, Department.name)).all())
    people = dict(session.execute(select(Person.id, Person.name)).all())
    by_person: dict[int, dict[str, Any]] = {}
    by_dep: dict[int | None, dict[str, Any]] = {}

    def add(b: dict[str, Any], r: Any) -> None:
        b["calls"] += 1
        b["minutes"] += -(-int(r.talk_seconds) // 60)
        b["amount_fen"] += int(r.amount_fen)
        b["person_fen"] += int(r.person_fen)
        b["unit_fen"] += int(r.amount_fen) - int(r.person_fen)

    def blank(**kw: Any) -> dict[str, Any]:
        return {**kw, "calls": 0, "minutes": 0, "amount_fen": 0, "unit_fen": 0, "person_fen": 0}

    for r in rows:
        add(by_dep.setdefault(r.department_id, blank(department=deps.get(r.department_id))), r)
        if r.person_id is not None:
            add(by_person.setdefault(r.person_id, blank(person=people.get(r.person_id),
                                                         department=deps.get(r.department_id))), r)
    total = blank()
    for b in by_dep.values():
        for k in ("calls", "minutes", "amount_fen", "unit_fen", "person_fen"):
            total[k] += b[k]
    return {"month": month, "people": sorted(by_person.values(), key=lambda b: (b["department"] or "", b["person"] or "")),
            "departments": sorted(by_dep.values(), key=lambda b: b["department"] or ""), "total": total}


_STATEMENT_HEAD = {
    "zh-CN": {"people": "按人员", "departments": "按部门", "person": "人员", "department": "部门", "calls": "通话(次)",
              "minutes": "分钟", "amount": "话费(元)", "unit": "单位承担(元)", "own": "个人承担(元)", "total": "合计"},
    "en": {"people": "By person", "departments": "By department", "person": "Person", "department": "Department",
           "calls": "Calls", "minutes": "Minutes", "amount": "Amount (CNY)", "unit": "Unit pays (CNY)",
           "own": "Person pays (CNY)", "total": "Total"},
}


def statement_xlsx(data: dict[str, Any], locale: str = "zh-CN") -> bytes:
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up

    h = _STATEMENT_HEAD.get(locale, _STATEMENT_HEAD["zh-CN"])
    wb = Workbook()
    wb.remove(wb.active)
    money = lambda fen: fen / 100  # noqa: E731
    ws = wb.create_sheet(h["people"])
    ws.append([h["person"], h["department"], h["calls"], h["minutes"], h["amount"], h["unit"], h["own"]])
    for b in data["people"]:
        ws.append([b["person"], b["department"], b["calls"], b["minutes"], money(b["amount_fen"]),
                   money(b["unit_fen"]), money(b["person_fen"])])
    ws = wb.create_sheet(h["departments"])
    ws.append([h["department"], h["calls"], h["minutes"], h["amount"], h["unit"], h["own"]])
    for b in [*data["departments"], {**data["total"], "department": h["total"]}]:
        ws.append([b["department"], b["calls"], b["minutes"], money(b["amount_fen"]), money(b["unit_fen"]),
                   money(b["person_fen"])])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def special_calls(session: Session, settings: Settings, *, day: dt.date) -> dict[str, Any]:
    """The week (Monday to Sunday) holding ``day``: outgoing calls a supervisor should look at
    (``domain.charges.special``), oldest first, with why."""
    if not time_range.in_range(day) or day.year == time_range.LAST_YEAR:
        raise Invalid(time_range.out_of_range_message("day"), field="day")
    first = day - dt.timedelta(days=day.weekday())
    start, end = _day_bounds(first, first + dt.timedelta(days=6), settings, fields=("day", "day"))
    limits = special.Thresholds(amount_fen=int(round(settings.charges_special_yuan * 100)),
                                talk_seconds=settings.charges_special_minutes * 60)
    cond = or_(CallCharge.dialled.in_(sorted(special.EMERGENCY)), CallCharge.kind == "unknown",
               CallCharge.amount_fen >= limits.amount_fen, CallCharge.talk_seconds >= limits.talk_seconds,
               CallCharge.state == "written_off")
    rows = session.execute(
        select(CallCharge, Department.name, LongDistanceRate.destination_en)
        .outerjoin(Department, Department.id == CallCharge.department_id)
        .outerjoin(LongDistanceRate, LongDistanceRate.id == CallCharge.rate_id)
        .where(CallCharge.called_at >= start, CallCharge.called_at < end, CallCharge.call_id.is_not(None), cond)
        .order_by(CallCharge.called_at, CallCharge.id)).all()
    items = []
    for c, dep, en in rows:
        why = special.reasons(dialled=c.dialled, kind=c.kind, amount_fen=c.amount_fen, talk_seconds=c.talk_seconds,
                              state=c.state, thresholds=limits)
        if why:
            items.append(charge_out(c, settings, dep, en) | {"reasons": why})
    return {"date_from": first.isoformat(), "date_to": (first + dt.timedelta(days=6)).isoformat(), "items": items}


_SPECIAL_HEAD = {
    "zh-CN": ("通话时间", "房号/部门", "分机", "拨打号码", "类别", "通话时长(秒)", "金额(元)", "入账状态", "原因"),
    "en": ("Call time", "Room / department", "Extension", "Number dialled", "Kind", "Talk (s)", "Amount (CNY)",
           "Posting", "Why"),
}
_REASONS = {
    "zh-CN": {"emergency": "紧急号码", "unrated": "无费率目的地", "expensive": "高额话费", "long": "超长通话",
              "written_off": "已核销"},
    "en": {"emergency": "emergency number", "unrated": "no rate", "expensive": "high charge", "long": "long call",
           "written_off": "written off"},
}


def special_calls_xlsx(data: dict[str, Any], locale: str = "zh-CN") -> bytes:
    from openpyxl import Workbook  # imported when a workbook is made: not at start-up

    loc = locale if locale in _SPECIAL_HEAD else "zh-CN"
    wb = Workbook()
    ws = wb.active
    ws.title = f"{data['date_from']}"
    ws.append(list(_SPECIAL_HEAD[loc]))
    for c in data["items"]:
        ws.append([c["called_at"], c["room"] or c["department"] or "", c["extension"], c["dialled"], c["kind"],
                   c["talk_seconds"], c["amount_fen"] / 100, c["state"],
                   "、".join(_REASONS[loc][r] for r in c["reasons"]) if loc == "zh-CN"
                   else ", ".join(_REASONS[loc][r] for r in c["reasons"])])
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()
