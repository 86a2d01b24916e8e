"""The business calendar and SLA policies as stored: load them for the clocks, edit them (issue 4).

* Calendar: the statutory Chinese calendar (``chinese-calendar`` data) plus explicit days in
  ``calendar_days`` — an admin's edits and imported years (``unit_id`` None), or a unit's own
  days. A unit's weekly hours are its ``Department.working_hours``.
* Policies: rows of ``sla_policies`` in ``position`` order; none stored means the requirements'
  defaults (``zongji.domain.sla.DEFAULT_POLICIES``).

Every change is audited.
"""

from __future__ import annotations

import base64
import binascii
import csv
import datetime as dt
import io
from collections.abc import Iterable, Sequence
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import delete, select
from sqlalchemy.orm import Session

from zongji.domain.business_calendar import (
    BusinessCalendar,
    CalendarEntry,
    CalendarError,
    WeeklyHours,
    entries_from_rows,
    parse_windows,
)
from zongji.domain.sla import DEFAULT_POLICIES, SlaError, SlaPolicy, policy_from_dict, policy_to_dict
from zongji.errors import NotFound, ZongjiError
from zongji.services import audit
from zongji.store.models import Department
from zongji.store.work_order_models import CalendarDay, CalendarYear, SlaPolicyRow


class CalendarInvalid(ZongjiError):
    status_code = 422


# --------------------------------------------------------------------------- calendar


def _entry(row: CalendarDay) -> CalendarEntry:
    windows = None
    if row.windows and row.windows.get("windows") is not None:
        windows = parse_windows(row.windows["windows"])
    return CalendarEntry(row.day, row.is_working, row.name or "", windows)


def base_calendar(session: Session, tz: str | ZoneInfo) -> BusinessCalendar:
    """The organisation's calendar: statutory days, admin edits and imported years."""
    rows = session.scalars(select(CalendarDay).where(CalendarDay.unit_id.is_(None))).all()
    years = frozenset(session.scalars(select(CalendarYear.year)).all())
    cal = BusinessCalendar.china(tz).with_entries(_entry(r) for r in rows)
    if years:
        cal = replace(cal, declared_years=years)
    return cal


def unit_calendar(session: Session, unit_id: int | None, base: BusinessCalendar) -> BusinessCalendar:
    """A unit's calendar: its own hours and days layered on the base calendar."""
    if unit_id is None:
        return base
    unit = session.get(Department, unit_id)
    weekly = None
    if unit is not None and unit.working_hours:
        try:
            weekly = WeeklyHours.from_json(unit.working_hours)
        except ValueError:
            weekly = None  # bad hours are reported by the directory; fall back to the base
    own = session.scalars(select(CalendarDay).where(CalendarDay.unit_id == unit_id)).all()
    if weekly is None and not own:
        return base
    return base.for_unit(weekly_hours=weekly, entries=[_entry(r) for r in own],
                         name=unit.name if unit else "")


def calendar_year(session: Session, year: int, tz: str | ZoneInfo, unit_id: int | None = None) -> dict[str, Any]:
    """Every non-ordinary day of ``year`` (holidays, adjusted working days, edits) for the admin page."""
    if not 1900 <= year <= 2200:
        raise CalendarInvalid("year out of range", field="year")
    base = base_calendar(session, tz)
    cal = unit_calendar(session, unit_id, base)
    days = []
    d = dt.date(year, 1, 1)
    while d.year == year:
        info = cal.day_info(d)
        weekly_working = bool(cal.weekly_hours.for_weekday(d.weekday()))
        if info.source != "weekly" or info.is_working != weekly_working:
            days.append({
                "day": d.isoformat(), "is_working": info.is_working, "name": info.name,
                "name_zh": info.name_zh, "source": info.source, "windows": [w.to_pair() for w in info.windows],
                "weekday": d.weekday(),
            })
        d += dt.timedelta(days=1)
    imported = session.get(CalendarYear, year) is not None
    return {"year": year, "known": cal.year_is_known(year), "provisional": cal.year_is_provisional(year),
            "imported": imported, "unit_id": unit_id, "days": days, "weekly_hours": cal.weekly_hours.to_json()}


def calendar_status(session: Session, tz: str | ZoneInfo, now: dt.datetime, remind_from: str) -> dict[str, Any]:
    """Whether next year's notice is due and missing, computed in the site's time zone: from
    ``remind_from`` (MM-DD) every admin and supervisor page says so until the year is imported
    (or the package knows it). Also the provisional years among this one and the next."""
    zone = ZoneInfo(tz) if isinstance(tz, str) else tz
    today = now.astimezone(zone).date()
    cal = base_calendar(session, zone)
    month, day = (int(x) for x in remind_from.split("-"))
    due_from = dt.date(today.year, month, min(day, 28 if month == 2 else day))
    next_year = today.year + 1
    missing = not cal.year_is_known(next_year)
    return {
        "today": today.isoformat(), "next_year": next_year, "next_year_missing": missing,
        "remind_from": due_from.isoformat(), "show_reminder": missing and today >= due_from,
        "provisional_years": [y for y in (today.year, next_year) if cal.year_is_provisional(y)],
    }


def set_day(
    session: Session, *, day: dt.date, is_working: bool, name: str = "", windows: Sequence[Sequence[str]] | None = None,
    unit_id: int | None = None, actor: str, user_id: int | None = None,
) -> CalendarDay:
    """Create or replace an explicit day (an admin's edit)."""
    try:
        parsed = parse_windows(windows) if windows else None
        CalendarEntry(day, is_working, name, parsed)
    except CalendarError as e:
        raise CalendarInvalid(str(e), field="windows") from None
    if unit_id is not None and session.get(Department, unit_id) is None:
        raise NotFound("no such unit", field="unit_id")
    row = session.scalar(select(CalendarDay).where(CalendarDay.day == day, _unit_is(unit_id)))
    if row is None:
        row = CalendarDay(day=day, unit_id=unit_id, is_working=is_working)
        session.add(row)
    row.is_working = is_working
    row.name = name
    row.windows = {"windows": [list(w) for w in windows]} if windows else None
    session.flush()
    audit.record(session, actor=actor, user_id=user_id, action="update", entity="calendar_day",
                 entity_id=day.isoformat(), detail={"is_working": is_working, "name": name, "unit_id": unit_id,
                                                    "windows": row.windows})
    return row


def delete_day(session: Session, *, day: dt.date, unit_id: int | None = None, actor: str, user_id: int | None = None) -> None:
    n = session.execute(delete(CalendarDay).where(CalendarDay.day == day, _unit_is(unit_id))).rowcount
    if not n:
        raise NotFound("no explicit entry for that day", field="day")
    audit.record(session, actor=actor, user_id=user_id, action="delete", entity="calendar_day",
                 entity_id=day.isoformat(), detail={"unit_id": unit_id})


def _unit_is(unit_id: int | None):
    return CalendarDay.unit_id.is_(None) if unit_id is None else CalendarDay.unit_id == unit_id


def parse_import(text: str) -> list[CalendarEntry]:
    """CSV lines ``date,is_working,name`` (header optional; 班/休, yes/no, 1/0 accepted)."""
    rows = [r for r in csv.reader(io.StringIO(text.lstrip("\ufeff"))) if r and any(c.strip() for c in r)]
    if rows and rows[0][0].strip().lower() in {"date", "day", "日期"}:
        rows = rows[1:]
    try:
        return entries_from_rows(rows)
    except CalendarError as e:
        raise CalendarInvalid(str(e), field="csv") from None


def parse_import_xlsx(data: str) -> list[CalendarEntry]:
    """Rows of the first sheet of an uploaded workbook (base64) as calendar entries (header row
    optional)."""
    from openpyxl import load_workbook  # imported when a workbook is read: not at start-up

    try:
        raw = base64.b64decode(data, validate=True)
        wb = load_workbook(io.BytesIO(raw), read_only=True, data_only=True)
    except (binascii.Error, ValueError, KeyError, OSError, Exception) as e:  # zipfile.BadZipFile and friends
        raise CalendarInvalid(f"not an .xlsx file: {type(e).__name__}", field="xlsx_base64") from None
    rows = []
    for r in wb.worksheets[0].iter_rows(values_only=True):
        cells = [c.date() if isinstance(c, dt.datetime) else c for c in r[:3]]
        if not cells or all(c is None or str(c).strip() == "" for c in cells):
            continue
        if not rows and str(cells[0]).strip().lower() in {"date", "day", "日期"}:
            continue
        rows.append(cells)
    try:
        return entries_from_rows(rows)
    except CalendarError as e:
        raise CalendarInvalid(str(e), field="xlsx_base64") from None


def import_year(
    session: Session, *, year: int, entries: Iterable[CalendarEntry], actor: str, user_id: int | None = None
) -> int:
    """Replace the base calendar's explicit days of ``year`` with the notice's days and mark the
    year known. Returns how many days were stored."""
    entries = list(entries)
    wrong = [e.day.isoformat() for e in entries if e.day.year != year]
    if wrong:
        raise CalendarInvalid(f"days outside {year}: {', '.join(wrong[:5])}", field="csv")
    if not entries:
        raise CalendarInvalid("no days to import", field="csv")
    session.execute(delete(CalendarDay).where(
        CalendarDay.unit_id.is_(None), CalendarDay.day >= dt.date(year, 1, 1), CalendarDay.day <= dt.date(year, 12, 31)))
    for e in entries:
        session.add(CalendarDay(day=e.day, unit_id=None, is_working=e.is_working, name=e.name, windows=None))
    if session.get(CalendarYear, year) is None:
        session.add(CalendarYear(year=year))
    session.flush()
    audit.record(session, actor=actor, user_id=user_id, action="import", entity="calendar_year", entity_id=year,
                 detail={"days": len(entries)})
    return len(entries)


def withdraw_year(session: Session, *, year: int, actor: str, user_id: int | None = None) -> int:
    """Withdraw an imported year: its base days are removed and the year is no longer known, so
    it goes back to the provisional rule (or the package's data). Returns how many days went."""
    if session.get(CalendarYear, year) is None:
        raise NotFound(f"{year} has not been imported", field="year")
    n = session.execute(delete(CalendarDay).where(
        CalendarDay.unit_id.is_(None), CalendarDay.day >= dt.date(year, 1, 1),
        CalendarDay.day <= dt.date(year, 12, 31))).rowcount or 0
    session.execute(delete(CalendarYear).where(CalendarYear.year == year))
    session.flush()
    audit.record(session, actor=actor, user_id=user_id, action="withdraw", entity="calendar_year", entity_id=year,
                 detail={"days": n})
    return n


# --------------------------------------------------------------------------- policies


def load_policies(session: Session) -> tuple[SlaPolicy, ...]:
    rows = session.scalars(select(SlaPolicyRow).order_by(SlaPolicyRow.position, SlaPolicyRow.id)).all()
    if not rows:
        return DEFAULT_POLICIES
    return tuple(policy_from_dict(r.data) for r in rows)


def policies_out(session: Session) -> dict[str, Any]:
    stored = session.scalar(select(SlaPolicyRow.id).limit(1)) is not None
    return {"stored": stored, "policies": [policy_to_dict(p) for p in load_policies(session)]}


def save_policies(session: Session, data: list[dict[str, Any]], *, actor: str, user_id: int | None = None) -> tuple[SlaPolicy, ...]:
    """Replace the stored policies (validated first; the whole list or nothing)."""
    policies = []
    for i, d in enumerate(data):
        try:
            policies.append(policy_from_dict(d))
        except (SlaError, ValueError, KeyError, TypeError) as e:
            raise CalendarInvalid(f"policy {i + 1}: {e}", field=f"policies.{i}") from None
    session.execute(delete(SlaPolicyRow))
    for i, p in enumerate(policies):
        session.add(SlaPolicyRow(position=i, data=policy_to_dict(p)))
    session.flush()
    audit.record(session, actor=actor, user_id=user_id, action="update", entity="sla_policies",
                 detail={"count": len(policies), "names": [p.name for p in policies]})
    return tuple(policies)


def reset_policies(session: Session, *, actor: str, user_id: int | None = None) -> None:
    session.execute(delete(SlaPolicyRow))
    audit.record(session, actor=actor, user_id=user_id, action="reset", entity="sla_policies")
