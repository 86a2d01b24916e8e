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
from collections.abc import Mapping
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import world_time
from zongji.domain.working_hours import WorkingHours, WorkingHoursError
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit, weather
from zongji.settings import Settings
from zongji.store.models import CommonNumber, Department, Organisation, User, utcnow
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
    out: dict[str, Any] = {"q": q, "world_time": [], "facilities": [], "rates": [], "common_numbers": [],
                           "weather": weather.days(session, settings, count=3, now=at) if weather.asked(q) else []}
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


# --------------------------------------------------------------------------- maintenance
# Facilities and service hours, long-distance rates: kept up to date by supervisors and admins
# (R-H7 "a directory kept up to date"). Every change is audited. Errors name the field.

FACILITY_FIELDS = ("name", "name_en", "category", "location", "location_en", "working_hours", "extension",
                   "note", "keywords")
RATE_FIELDS = ("kind", "destination", "destination_en", "dial_code", "per_minute", "minimum_minutes", "note",
               "keywords")
_DIGITS = re.compile(r"^[0-9]{1,20}$")
_EXTENSION = re.compile(r"^[0-9*#]{1,20}$")


def facility_row_out(f: Facility, at: dt.datetime, settings: Settings) -> dict[str, Any]:
    """``facility_out`` plus the stored fields, for the maintenance screen."""
    return facility_out(f, at, settings) | {
        "organisation_id": f.organisation_id, "name_zh": f.name, "name_en": f.name_en,
        "location_zh": f.location, "location_en": f.location_en, "working_hours": f.working_hours,
        "keywords": f.keywords}


def rate_row_out(r: LongDistanceRate) -> dict[str, Any]:
    return rate_out(r) | {"organisation_id": r.organisation_id, "destination_zh": r.destination,
                          "destination_en": r.destination_en, "keywords": r.keywords}


def _organisation_for(session: Session, user: User, organisation_id: int | None) -> int:
    """The organisation a new entry belongs to: the one given, else the user's department's, else
    the only hotel, else the only organisation."""
    if organisation_id is not None:
        if session.get(Organisation, organisation_id) is None:
            raise NotFound("no such organisation", field="organisation_id")
        return organisation_id
    if user.department_id is not None:
        dept = session.get(Department, user.department_id)
        if dept is not None:
            return dept.organisation_id
    for stmt in (select(Organisation.id).where(Organisation.kind == "hotel"), select(Organisation.id)):
        ids = list(session.scalars(stmt.limit(2)))
        if len(ids) == 1:
            return ids[0]
    raise Invalid("several organisations: say which one", field="organisation_id")


def _text(values: Mapping[str, Any], key: str, *, required: bool = False) -> str | None:
    v = values.get(key)
    v = v.replace("\x00", "").strip() if isinstance(v, str) else v
    if required and not v:
        raise Invalid("required", field=key)
    return v or None


def _check_facility(values: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: _text(values, k, required=k in ("name", "category"))
           for k in FACILITY_FIELDS if k != "working_hours"}
    if out["extension"] and not _EXTENSION.match(out["extension"]):
        raise Invalid("an extension: digits (and * #) only", field="extension")
    wh = values.get("working_hours")
    if wh:
        try:
            WorkingHours.parse(wh)
        except WorkingHoursError as exc:
            raise Invalid(exc.message, field=exc.field) from None
    out["working_hours"] = wh or None
    return out


def _check_rate(session: Session, values: Mapping[str, Any], organisation_id: int, rate_id: int | None) -> dict[str, Any]:
    out = {k: _text(values, k, required=k in ("kind", "destination"))
           for k in RATE_FIELDS if k not in ("per_minute", "minimum_minutes")}
    if out["kind"] not in ("idd", "ddd"):
        raise Invalid("kind: idd (international) or ddd (domestic)", field="kind")
    if out["dial_code"] and not _DIGITS.match(out["dial_code"]):
        raise Invalid("a dialling code: digits only, e.g. 001 or 010", field="dial_code")
    price = values.get("per_minute")
    if not isinstance(price, (int, float)) or isinstance(price, bool) or not 0 < price <= 1000:
        raise Invalid("the price per minute in CNY: more than 0, at most 1000", field="per_minute")
    minimum = values.get("minimum_minutes", 1)
    if not isinstance(minimum, int) or isinstance(minimum, bool) or not 1 <= minimum <= 60:
        raise Invalid("the minimum charge in minutes: 1 to 60", field="minimum_minutes")
    out["per_minute"], out["minimum_minutes"] = float(price), minimum
    same = select(LongDistanceRate.id).where(LongDistanceRate.organisation_id == organisation_id,
                                             LongDistanceRate.kind == out["kind"],
                                             LongDistanceRate.destination == out["destination"])
    if rate_id is not None:
        same = same.where(LongDistanceRate.id != rate_id)
    if session.scalar(same) is not None:
        raise Conflict(f"a rate for {out['destination']} is already listed", field="destination")
    return out


def _audit(session: Session, user: User, action: str, entity: str, entity_id: int, detail: dict[str, Any]) -> None:

    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action=action, entity=entity,
                 entity_id=entity_id, detail=detail)


def list_facilities(session: Session, settings: Settings) -> list[dict[str, Any]]:
    at = utcnow()
    return [facility_row_out(f, at, settings)
            for f in session.scalars(select(Facility).order_by(Facility.category, Facility.name, Facility.id))]


def _facility(session: Session, facility_id: int) -> Facility:
    f = session.get(Facility, facility_id)
    if f is None:
        raise NotFound("no such facility", field="facility_id")
    return f


def save_facility(session: Session, user: User, settings: Settings, values: Mapping[str, Any], *,
                  facility_id: int | None = None) -> dict[str, Any]:
    """Create (``facility_id`` None) or replace a facility."""
    data = _check_facility(values)
    if facility_id is None:
        f = Facility(organisation_id=_organisation_for(session, user, values.get("organisation_id")), **data)
        session.add(f)
        action = "create"
    else:
        f = _facility(session, facility_id)
        for k, v in data.items():
            setattr(f, k, v)
        action = "update"
    session.flush()
    _audit(session, user, action, "facility", f.id, {k: v for k, v in data.items() if v is not None})
    return facility_row_out(f, utcnow(), settings)


def delete_facility(session: Session, user: User, facility_id: int) -> None:
    f = _facility(session, facility_id)
    _audit(session, user, "delete", "facility", f.id, {"name": f.name})
    session.delete(f)


def list_rates(session: Session) -> list[dict[str, Any]]:
    stmt = select(LongDistanceRate).order_by(LongDistanceRate.kind.desc(), LongDistanceRate.destination,
                                             LongDistanceRate.id)
    return [rate_row_out(r) for r in session.scalars(stmt)]


def _rate(session: Session, rate_id: int) -> LongDistanceRate:
    r = session.get(LongDistanceRate, rate_id)
    if r is None:
        raise NotFound("no such rate", field="rate_id")
    return r


def save_rate(session: Session, user: User, values: Mapping[str, Any], *, rate_id: int | None = None) -> dict[str, Any]:
    """Create (``rate_id`` None) or replace a long-distance rate."""
    if rate_id is None:
        org = _organisation_for(session, user, values.get("organisation_id"))
        data = _check_rate(session, values, org, None)
        r = LongDistanceRate(organisation_id=org, **data)
        session.add(r)
        action = "create"
    else:
        r = _rate(session, rate_id)
        data = _check_rate(session, values, r.organisation_id, rate_id)
        for k, v in data.items():
            setattr(r, k, v)
        action = "update"
    session.flush()
    _audit(session, user, action, "long_distance_rate", r.id, {k: v for k, v in data.items() if v is not None})
    return rate_row_out(r)


def delete_rate(session: Session, user: User, rate_id: int) -> None:
    r = _rate(session, rate_id)
    _audit(session, user, "delete", "long_distance_rate", r.id, {"destination": r.destination})
    session.delete(r)
