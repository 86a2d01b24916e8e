"""The information service (R-H7): common numbers by category, facilities and service hours,
world time, long-distance rates — answered from the console search in a keystroke or two.

``answer(session, q)`` looks at what the operator typed and returns every kind of answer that
fits: "纽约" or "New York time" → the time now in New York (from the time-zone database);
"早餐" → the breakfast restaurant and its hours; "美国" / "001" → the IDD rate; "医院" → the
common numbers of that category. Empty sections are left out of the console.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import world_time
from zongji.domain.working_hours import WorkingHours, WorkingHoursError
from zongji.services.calls import Invalid
from zongji.settings import Settings
from zongji.store.models import CommonNumber, utcnow
from zongji.store.switchboard_models import Facility, LongDistanceRate

MAX_QUERY = 100
_TIME_WORDS = re.compile(r"(现在|的)?(时间|几点|time|now|local time)\s*$", re.I)
_ALL_FACILITIES = {"设施", "服务时间", "营业时间", "facilities", "facility", "hours"}
_ALL_RATES = {"长途", "话费", "资费", "idd", "ddd", "rates", "rate", "长途电话"}
_ALL_NUMBERS = {"常用", "常用电话", "常用号码", "common", "numbers"}


def _hours(data: dict[str, Any] | None) -> WorkingHours | None:
    if not data:
        return None
    try:
        return WorkingHours.parse(data)
    except WorkingHoursError:
        return None


def world_time_out(city: world_time.City, at: dt.datetime, settings: Settings) -> dict[str, Any]:
    ct = world_time.time_in(city, at, settings.tz)
    home_zh, home_en = world_time.home_city(settings.tz) or (None, None)  # from the site's zone, not fixed
    return {
        "city": {"zh": city.zh, "en": city.en}, "country": {"zh": city.country_zh, "en": city.country_en},
        "zone": city.zone, "local": ct.local.isoformat(), "hm": f"{ct.local:%H:%M}",
        "date": ct.local.date().isoformat(), "dst": ct.dst, "abbreviation": ct.abbreviation,
        "difference_hours": ct.difference_hours,
        "text": {"zh": ct.describe("zh", home_zh), "en": ct.describe("en", home_en)},
    }


def facility_out(f: Facility, at: dt.datetime, settings: Settings) -> dict[str, Any]:
    h = _hours(f.working_hours)
    return {
        "id": f.id, "name": {"zh": f.name, "en": f.name_en or f.name}, "category": f.category,
        "location": {"zh": f.location, "en": f.location_en or f.location} if f.location else None,
        "extension": f.extension, "note": f.note,
        "hours": {"zh": h.describe("zh"), "en": h.describe("en")} if h else None,
        "open_now": h.is_open_at(at, settings.tz) if h else None,
    }


def rate_out(r: LongDistanceRate) -> dict[str, Any]:
    return {"id": r.id, "kind": r.kind, "destination": {"zh": r.destination, "en": r.destination_en or r.destination},
            "dial_code": r.dial_code, "per_minute": r.per_minute, "minimum_minutes": r.minimum_minutes,
            "currency": "CNY", "note": r.note}


def _matches(q: str, *fields: str | None) -> bool:
    ql = q.lower()
    return any(f and ql in f.lower() for f in fields)


def answer(session: Session, q: str, settings: Settings, *, at: dt.datetime | None = None,
           organisation_id: int | None = None) -> dict[str, Any]:
    at = at or utcnow()
    q = (q or "").replace("\x00", "").strip()
    if not q:
        raise Invalid("type what to look up", field="q")
    if len(q) > MAX_QUERY:
        raise Invalid(f"longer than {MAX_QUERY} characters", field="q")
    out: dict[str, Any] = {"q": q, "world_time": [], "facilities": [], "rates": [], "common_numbers": []}
    ql = q.lower()

    # World time: "纽约", "纽约时间", "New York time", "America/New_York".
    city_q = _TIME_WORDS.sub("", q).strip() or q
    if not city_q.isdigit():
        city = world_time.find_city(city_q)
        cities = [city] if city else (world_time.search_cities(city_q, 3) if len(city_q) >= 2 else [])
        out["world_time"] = [world_time_out(c, at, settings) for c in cities]

    fac = select(Facility).order_by(Facility.category, Facility.name)
    rates = select(LongDistanceRate).order_by(LongDistanceRate.kind.desc(), LongDistanceRate.destination)
    nums = select(CommonNumber).order_by(CommonNumber.category, CommonNumber.name)
    if organisation_id:
        fac = fac.where(Facility.organisation_id == organisation_id)
        rates = rates.where(LongDistanceRate.organisation_id == organisation_id)
        nums = nums.where(CommonNumber.organisation_id == organisation_id)
    every_fac = ql in _ALL_FACILITIES
    out["facilities"] = [facility_out(f, at, settings) for f in session.scalars(fac)
                         if every_fac or _matches(q, f.name, f.name_en, f.category, f.keywords)]
    every_rate = ql in _ALL_RATES
    out["rates"] = [rate_out(r) for r in session.scalars(rates)
                    if every_rate or _matches(q, r.destination, r.destination_en, r.keywords)
                    or (q.isdigit() and r.dial_code and r.dial_code.startswith(q) and len(q) >= 2)]
    every_num = ql in _ALL_NUMBERS
    groups: dict[str, list[dict[str, Any]]] = {}
    for n in session.scalars(nums):
        if every_num or n.category == q or (len(q) >= 2 and n.category.startswith(q)):
            groups.setdefault(n.category, []).append({"id": n.id, "name": n.name, "number": n.number, "note": n.note})
    out["common_numbers"] = [{"category": k, "items": v} for k, v in groups.items()]
    return out


def common_numbers_by_category(session: Session, *, organisation_id: int | None = None) -> list[dict[str, Any]]:
    stmt = select(CommonNumber).order_by(CommonNumber.category, CommonNumber.name)
    if organisation_id:
        stmt = stmt.where(CommonNumber.organisation_id == organisation_id)
    groups: dict[str, list[dict[str, Any]]] = {}
    for n in session.scalars(stmt):
        groups.setdefault(n.category, []).append({"id": n.id, "name": n.name, "number": n.number, "note": n.note})
    return [{"category": k, "items": v} for k, v in groups.items()]


def city_time(city: str, settings: Settings, *, at: dt.datetime | None = None) -> dict[str, Any]:
    c = world_time.find_city((city or "").strip())
    if c is None:
        raise Invalid(f"no city called {city!r} is known", field="city")
    return world_time_out(c, at or utcnow(), settings)
