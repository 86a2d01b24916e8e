"""Rating ended outgoing calls (R-H10): every call that went out of the building from a room's or
a department's extension becomes one charge row, rated by ``zongji.domain.charges``.

:func:`rate_ended` is run by the charges sweep (``worker/tasks/charges``): it looks at the calls
that rang within ``charges_lookback_hours`` and ended without a charge yet, so a call is rated
once (``call_charges.call_id`` is unique) however many workers run, and a call the worker missed
while it was stopped is rated when it starts again (within the look-back).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zongji.domain.charges import destination as dest_rules
from zongji.domain.charges import rating as rate_rules
from zongji.services import live_feed
from zongji.services.charges import policies
from zongji.settings import Settings
from zongji.store.charges_models import CallCharge, CostPolicy
from zongji.store.guestsvc_models import GsItem, GsRequest
from zongji.store.models import Call, Department, Person, Room, Stay
from zongji.store.switchboard_models import LongDistanceRate

SWEEP_JOB = "charges.sweep"


def tariff(settings: Settings) -> rate_rules.Tariff:
    return rate_rules.Tariff(
        local_per_minute_fen=rate_rules.fen(settings.charges_local_per_minute),
        mobile_per_minute_fen=rate_rules.fen(settings.charges_mobile_per_minute),
        local_minimum_minutes=settings.charges_local_minimum_minutes, rounding=settings.charges_rounding,
        grace_seconds=settings.charges_grace_seconds, service_percent=settings.charges_service_percent)


def rates(session: Session, organisation_id: int | None) -> list[dest_rules.Rate]:
    stmt = select(LongDistanceRate)
    if organisation_id is not None:
        stmt = stmt.where(LongDistanceRate.organisation_id == organisation_id)
    return [dest_rules.Rate(r.id, r.kind, r.dial_code or "", r.destination, rate_rules.fen(r.per_minute),
                            r.minimum_minutes or 0) for r in session.scalars(stmt)]


def classify(session: Session, settings: Settings, dialled: str, organisation_id: int | None,
             rate_rows: list[dest_rules.Rate] | None = None) -> dest_rules.Destination:
    return dest_rules.classify(
        dialled, rates=rate_rows if rate_rows is not None else rates(session, organisation_id),
        free=dest_rules.parse_free_numbers(settings.charges_free_numbers),
        local_area_code=settings.charges_local_area_code, outside_prefix=settings.charges_outside_prefix)


def stay_at(session: Session, room_id: int, at: dt.datetime) -> Stay | None:
    """The stay of the guest who was in the room at ``at`` (in house then, or checked out later)."""
    return session.scalar(
        select(Stay).where(Stay.room_id == room_id, Stay.status != "expected", Stay.arrival <= at,
                           or_(Stay.status == "in_house", Stay.departure >= at))
        .order_by(Stay.arrival.desc(), Stay.id.desc()).limit(1))


def _payers(session: Session, extensions: set[str]) -> dict[str, tuple[str, Any]]:
    """Each extension's payer: ("room", Room), ("policy", CostPolicy) or ("department", its id)."""
    out: dict[str, tuple[str, Any]] = {}
    if not extensions:
        return out
    for room in session.scalars(select(Room).where(Room.extension.in_(extensions))):
        out[room.extension] = ("room", room)
    for number, policy in policies.payers(session, extensions).items():
        out.setdefault(number, ("policy", policy))
    for dep in session.execute(select(Department.extension, Department.id).where(Department.extension.in_(extensions))):
        out.setdefault(dep.extension, ("department", dep.id))
    for p in session.execute(select(Person.extension, Person.department_id).where(
            Person.extension.in_(extensions), Person.department_id.is_not(None))):
        out.setdefault(p.extension, ("department", p.department_id))
    return out


def rate_ended(session: Session, settings: Settings, now: dt.datetime) -> dict[str, int]:
    """Rate up to ``charges_batch`` ended outgoing calls not rated yet; returns counts by state
    (and ``more`` when a full batch was taken)."""
    since = now - dt.timedelta(hours=settings.charges_lookback_hours)
    rated = select(CallCharge.call_id).where(CallCharge.call_id == Call.id).exists()
    # Only calls from the extensions of a room, a department or a person of a department: every
    # one of them gets a row (internal and free ones too), so none is looked at twice.
    extensions = select(Room.extension).union(
        select(CostPolicy.number),
        select(Department.extension).where(Department.extension.is_not(None)),
        select(Person.extension).where(Person.extension.is_not(None), Person.department_id.is_not(None)))
    calls = list(session.scalars(
        select(Call).where(Call.ringing_at >= since, Call.direction == "out", Call.state == "ended",
                           Call.supplementary.is_(False), Call.calling_number.in_(extensions), ~rated)
        .order_by(Call.ringing_at, Call.id).limit(settings.charges_batch)))
    payers = _payers(session, {c.calling_number for c in calls})
    counts: dict[str, int] = {}
    rate_cache: dict[int | None, list[dest_rules.Rate]] = {}
    capped: set[str] = set()
    for call in calls:
        payer = payers.get(call.calling_number)
        if payer is None:
            continue  # the directory changed between the two reads: rated on the next sweep
        kind, ref = payer
        org = ref.organisation_id if kind == "room" else None
        if org not in rate_cache:
            rate_cache[org] = rates(session, org)
        dest = classify(session, settings, call.called_number, org, rate_cache[org])
        priced = rate_rules.price(dest, call.talk_seconds, tariff(settings))
        charge = CallCharge(call_id=call.id, called_at=call.ringing_at, extension=call.calling_number,
                            dialled=dest.number or (call.called_number or "")[:64], kind=dest.kind,
                            destination=dest.rate.destination if dest.rate else None,
                            rate_id=dest.rate.id if dest.rate else None, talk_seconds=int(call.talk_seconds or 0),
                            units=priced.units if priced else 0, unit=settings.charges_rounding,
                            per_minute_fen=priced.per_minute_fen if priced else 0,
                            amount_fen=priced.amount_fen if priced else 0, attempts=0)
        if kind == "room":
            charge.room_number = ref.number
            stay = stay_at(session, ref.id, call.ringing_at)
            charge.stay_id = stay.id if stay else None
        elif kind == "policy":
            policies.split_charge(charge, ref)
            capped.add(ref.number)
        else:
            charge.department_id = ref
        charge.state = _first_state(kind, dest, priced, charge.stay_id)
        if dest.kind == "unknown":
            charge.reason = "no_rate"
        session.add(charge)
        session.flush()
        live_feed.publish(session, "call_charge", charge.id, {"state": charge.state, "call_id": call.id})
        counts[charge.state] = counts.get(charge.state, 0) + 1
    if capped:
        policies.check_caps(session, settings, capped, now)
    counts["more"] = int(len(calls) >= settings.charges_batch)
    return counts


def _first_state(payer: str, dest: dest_rules.Destination, priced: rate_rules.Priced | None,
                 stay_id: int | None) -> str:
    if dest.kind == "unknown":
        return "unrated"  # no rate for that destination: a person decides
    if priced is None or priced.amount_fen == 0:
        return "free"
    if payer in ("department", "policy"):
        return "account"
    return "queued" if stay_id is not None else "no_stay"


__all__ = ["SWEEP_JOB", "classify", "rate_ended", "rate_services", "rates", "stay_at", "tariff"]


def rate_services(session: Session, settings: Settings, now: dt.datetime) -> dict[str, int]:
    """Charged requests of the guest-service centre done within the look-back and not charged yet
    (minibar, laundry, room service, an extra bed … R-G2): one charge each for the folio of the
    guest in the room — the amount given when done, else the item's price × quantity, else
    ``unrated`` (listed for a person)."""
    since = now - dt.timedelta(hours=settings.charges_lookback_hours)
    charged = select(CallCharge.request_id).where(CallCharge.request_id == GsRequest.id).exists()
    rows = list(session.execute(
        select(GsRequest, GsItem.price_fen).join(GsItem, GsItem.id == GsRequest.item_id)
        .where(GsRequest.state == "done", GsRequest.charged.is_(True), GsRequest.done_at >= since, ~charged)
        .order_by(GsRequest.done_at, GsRequest.id).limit(settings.charges_batch)).all())
    counts: dict[str, int] = {}
    for r, price in rows:
        amount = r.amount_fen if r.amount_fen is not None else (price * r.quantity if price is not None else None)
        stay = session.get(Stay, r.stay_id) if r.stay_id else stay_at(session, r.room_id, r.created_at)
        c = CallCharge(request_id=r.id, called_at=r.done_at or now, extension=r.room.extension, dialled="",
                       kind="service", destination=f"{r.item_name} ×{r.quantity}"[:100], talk_seconds=0,
                       units=r.quantity, unit="item", per_minute_fen=price or 0, amount_fen=amount or 0,
                       room_number=r.room.number, stay_id=stay.id if stay else None, attempts=0)
        if amount is None:
            c.state, c.reason = "unrated", "no_price"
        elif amount == 0:
            c.state = "free"
        else:
            c.state = "queued" if stay is not None else "no_stay"
        session.add(c)
        session.flush()
        live_feed.publish(session, "call_charge", c.id, {"state": c.state, "request_id": r.id})
        counts[c.state] = counts.get(c.state, 0) + 1
    counts["more"] = int(len(rows) >= settings.charges_batch)
    return counts
