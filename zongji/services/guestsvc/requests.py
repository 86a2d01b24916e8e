"""Service requests (R-G1, R-G2): recorded by the centre — from a guest's call on the console or on
the centre's page —, routed to the floor's attendant on duty, accepted and done on the attendant's
page, followed up by the centre. The timers: the centre alerted before a request is late (R-G6),
loans due back, dishes to collect after room service.

Live feed: topic ``guest_request`` with the request's id, its state, its attendant and the centre's
unit — never a room — so that the centre's page and the attendants' reload (``domain.live_feed``);
with ``alert`` (``due_soon``, ``loan_due``, ``dishes``) the pages also tell it aloud."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import guest_privacy
from zongji.domain.guestsvc import catalogue as cat
from zongji.domain.guestsvc import loans as loan_rules
from zongji.domain.guestsvc import privacy
from zongji.domain.guestsvc import requests as rules
from zongji.domain.room_numbers import normalize_room
from zongji.errors import Forbidden, Invalid, NotFound
from zongji.services import audit, live_feed
from zongji.services.caller_wakeup import caller_room
from zongji.services.guestsvc import centre
from zongji.services.local_time import iso
from zongji.services.switchboard.rooms import room_occupant
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.guestsvc_models import GsItem, GsRequest
from zongji.store.models import Room, Stay, User

ALERT_JOB = "guestsvc.alert"  # before a request is late
LOAN_JOB = "guestsvc.loan_due"
DISHES_JOB = "guestsvc.dishes"
TOPIC = "guest_request"


def _invalid(err: Exception) -> Invalid:
    return Invalid(str(err), field=getattr(err, "field", None), code=getattr(err, "code", None))


# --------------------------------------------------------------------------- read side


def request_out(session: Session, r: GsRequest, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """The whole record (room included): pass it through ``shown`` before it leaves."""
    tz = settings.tz
    att = session.get(User, r.attendant_id) if r.attendant_id else None
    done_at = r.done_at if r.state == rules.State.DONE else None
    timing = (rules.timing(r.created_at, r.target_minutes, settings.guestsvc_alert_before_minutes, now, done_at)
              if r.state != rules.State.CANCELLED else rules.Timing.OK)
    dishes_due = (rules.dishes_due(r.done_at, settings.guestsvc_dishes_minutes)
                  if r.kind == cat.Kind.ROOM_SERVICE and r.done_at else None)
    return {
        "id": r.id, "item_id": r.item_id, "item": r.item_name, "team": r.team, "kind": r.kind,
        "charged": r.charged, "amount_fen": r.amount_fen, "quantity": r.quantity, "note": r.note,
        "room": r.room.number, "floor": r.room.floor, "addressed": r.addressed, "stay_id": r.stay_id,
        "state": r.state, "attendant_id": r.attendant_id, "attendant": att.display_name if att else None,
        "created_at": iso(r.created_at, tz), "created_by": r.created_by,
        "age_minutes": rules.age_minutes(r.created_at, done_at or now),
        "target_minutes": r.target_minutes, "due_at": iso(rules.due_at(r.created_at, r.target_minutes), tz),
        "timing": timing.value,
        "accepted_at": iso(r.accepted_at, tz), "done_at": iso(r.done_at, tz), "done_by": r.done_by,
        "followed_up_at": iso(r.followed_up_at, tz), "follow_up_result": r.follow_up_result,
        "follow_up_note": r.follow_up_note,
        "due_back_at": iso(r.due_back_at, tz), "returned_at": iso(r.returned_at, tz),
        "return_check": r.return_check, "checkout_flagged_at": iso(r.checkout_flagged_at, tz),
        "overdue": bool(r.kind == cat.Kind.LOAN and r.returned_at is None and r.due_back_at
                        and r.due_back_at <= now and r.state == rules.State.DONE),
        "deliver_by": iso(r.deliver_by, tz),
        "dishes_due_at": iso(dishes_due, tz), "dishes_collected_at": iso(r.dishes_collected_at, tz),
    }


def shown(session: Session, user: User, settings: Settings, record: dict[str, Any]) -> dict[str, Any]:
    return privacy.view(user.role, centre.is_centre_staff(session, user, settings), record)


def get(session: Session, request_id: int, *, lock: bool = False) -> GsRequest:
    q = select(GsRequest).where(GsRequest.id == request_id)
    if lock:
        q = q.with_for_update(of=GsRequest)  # not the eagerly joined room (PostgreSQL refuses FOR UPDATE on an outer join)
    r = session.scalar(q)
    if r is None:
        raise NotFound(f"no request {request_id}", field="request_id")
    return r


def open_requests(session: Session) -> list[GsRequest]:
    """What the centre watches: requests not done yet, oldest first; then loans still out and room
    service whose dishes are not collected."""
    q = select(GsRequest).where(GsRequest.state.in_(sorted(rules.OPEN_STATES))).order_by(GsRequest.created_at)
    return list(session.scalars(q))


def follow_ups_due(session: Session, limit: int = 50) -> list[GsRequest]:
    """Done requests the centre has not called back about yet, latest first."""
    q = (select(GsRequest).where(GsRequest.state == rules.State.DONE, GsRequest.followed_up_at.is_(None))
         .order_by(GsRequest.done_at.desc()).limit(limit))
    return list(session.scalars(q))


def loans_out(session: Session) -> list[GsRequest]:
    q = (select(GsRequest).where(GsRequest.kind == cat.Kind.LOAN, GsRequest.state == rules.State.DONE,
                                 GsRequest.returned_at.is_(None)).order_by(GsRequest.due_back_at))
    return list(session.scalars(q))


def dishes_out(session: Session) -> list[GsRequest]:
    q = (select(GsRequest).where(GsRequest.kind == cat.Kind.ROOM_SERVICE, GsRequest.state == rules.State.DONE,
                                 GsRequest.dishes_collected_at.is_(None)).order_by(GsRequest.done_at))
    return list(session.scalars(q))


def for_attendant(session: Session, user_id: int) -> list[GsRequest]:
    """An attendant's page: their open requests, then loans to collect back, dishes to collect."""
    open_q = (select(GsRequest).where(GsRequest.attendant_id == user_id,
                                      GsRequest.state.in_(sorted(rules.OPEN_STATES)))
              .order_by(GsRequest.created_at))
    return list(session.scalars(open_q))


# --------------------------------------------------------------------------- making a request


def _publish(session: Session, r: GsRequest, settings: Settings, **extra: Any) -> None:
    session.flush()
    live_feed.publish(session, TOPIC, r.id, {"id": r.id, "state": r.state, "attendant_id": r.attendant_id,
                                             "unit_id": centre.centre_unit_id(session, settings), **extra})


def _room_by_number(session: Session, number: str) -> Room:
    room = session.scalar(select(Room).where(Room.number == normalize_room(number)).order_by(Room.id).limit(1))
    if room is None:
        raise Invalid(f"no room {number}", field="room", code="no_such_room")
    return room


def create(session: Session, user: User, settings: Settings, *, item_id: int, now: dt.datetime,
           room: str | None = None, call_id: int | None = None, quantity: int = 1,
           note: str = "") -> GsRequest:
    """Record a request: the room is typed (the centre's page) or taken from the guest's call
    (``call_id``: the room they call from, or their stay's — then addressed by guest and its room
    never shown to operators, R-H4). Routed to the floor's attendant on duty when its team is
    housekeeping or laundry."""
    item = session.get(GsItem, item_id)
    if item is None or not item.active:
        raise Invalid("an item of the catalogue", field="item_id")
    if call_id is not None:
        found = caller_room(session, call_id, at=now)
        target, addressed = _room_by_number(session, found.room), (guest_privacy.ROOM if found.shown
                                                                    else guest_privacy.GUEST)
    elif room and room.strip():
        target, addressed = _room_by_number(session, room.strip()), guest_privacy.ROOM
    else:
        raise Invalid("the room, or the guest's call", field="room")
    stay = room_occupant(session, target.id, now)
    if stay is None:
        raise Invalid(f"nobody is staying in room {target.number}", field="room", code="room_empty")
    r = GsRequest(item_id=item.id, item_name=item.name_zh, team=item.team, kind=item.kind, charged=item.charged,
                  target_minutes=item.target_minutes, quantity=quantity, note=note.strip(), room_id=target.id,
                  stay_id=stay.id, call_id=call_id, addressed=addressed, state=rules.State.OPEN,
                  created_at=now, created_by=f"user:{user.username}")
    r.room = target
    if cat.routed_to_attendant(item.team):
        r.attendant_id = centre.attendant_on_duty(session, target.floor, now, settings)
    if item.kind == cat.Kind.LAUNDRY:
        r.deliver_by = rules.laundry_deliver_by(
            now.astimezone(settings.tz), dt.time.fromisoformat(settings.guestsvc_laundry_cutoff),
            dt.time.fromisoformat(settings.guestsvc_laundry_deliver))
    session.add(r)
    session.flush()
    jobs.schedule(session, ALERT_JOB, f"guestsvc-alert:{r.id}",
                  rules.alert_at(now, r.target_minutes, settings.guestsvc_alert_before_minutes), {"request_id": r.id})
    audit.record(session, actor=r.created_by, user_id=user.id, action="guestsvc.request_created",
                 entity="gs_request", entity_id=r.id,
                 detail={"item": item.name_zh, "room": target.number, "call_id": call_id,
                         "attendant_id": r.attendant_id})
    _publish(session, r, settings)
    return r


# --------------------------------------------------------------------------- acting on it


def _may_act(session: Session, r: GsRequest, user: User, settings: Settings) -> None:
    """The attendant it went to, or the centre (which may act for any)."""
    if r.attendant_id == user.id or centre.may_run_centre(session, user, settings):
        return
    raise Forbidden("the request's attendant or the centre only")


def act(session: Session, request_id: int, action: str, user: User, settings: Settings, *,
        now: dt.datetime, amount_fen: int | None = None) -> GsRequest:
    """accept / done / cancel. Done on a loan sets its due time; on room service schedules the
    dishes' collection reminder; on a charged request takes what it costs (``amount_fen``; else
    the item's price × quantity), which the charges sweep posts to the guest's folio."""
    if amount_fen is not None and action != "done":
        raise Invalid("an amount is given when the request is done", field="amount_yuan")
    r = get(session, request_id, lock=True)
    _may_act(session, r, user, settings)
    try:
        state = rules.next_state(r.state, action)
    except rules.RequestError as err:
        raise _invalid(err) from None
    actor = f"user:{user.username}"
    r.state = state
    if state == rules.State.ACCEPTED:
        r.accepted_at = now
        if r.attendant_id is None and user.role == "unit_handler":
            r.attendant_id = user.id
    if state == rules.State.DONE:
        r.done_at, r.done_by = now, actor
        if amount_fen is not None:
            if not r.charged:
                raise Invalid("this request is not charged", field="amount_yuan")
            r.amount_fen = amount_fen
        r.accepted_at = r.accepted_at or now
        if r.kind == cat.Kind.LOAN:
            departure = _departure(session, r)
            r.due_back_at = loan_rules.due_back(now, settings.guestsvc_loan_hours, departure)
            jobs.schedule(session, LOAN_JOB, f"guestsvc-loan:{r.id}", r.due_back_at, {"request_id": r.id})
        if r.kind == cat.Kind.ROOM_SERVICE:
            jobs.schedule(session, DISHES_JOB, f"guestsvc-dishes:{r.id}",
                          rules.dishes_due(now, settings.guestsvc_dishes_minutes), {"request_id": r.id})
    if state in (rules.State.DONE, rules.State.CANCELLED):
        jobs.cancel(session, f"guestsvc-alert:{r.id}")
    audit.record(session, actor=actor, user_id=user.id, action=f"guestsvc.request_{action}",
                 entity="gs_request", entity_id=r.id)
    _publish(session, r, settings)
    return r


def _departure(session: Session, r: GsRequest) -> dt.datetime | None:
    stay = session.get(Stay, r.stay_id) if r.stay_id else None
    return stay.departure if stay is not None else None


def follow_up(session: Session, request_id: int, user: User, settings: Settings, *, result: str, note: str,
              now: dt.datetime) -> GsRequest:
    """The centre called the guest back: the answer on speed and quality (R-G1)."""
    centre.require_centre(session, user, settings)
    r = get(session, request_id, lock=True)
    try:
        answer = rules.check_follow_up(r.state, result, r.followed_up_at is not None)
    except rules.RequestError as err:
        raise _invalid(err) from None
    r.followed_up_at, r.follow_up_result = now, answer.value
    r.follow_up_note, r.followed_up_by = note.strip(), f"user:{user.username}"
    audit.record(session, actor=r.followed_up_by, user_id=user.id, action="guestsvc.follow_up",
                 entity="gs_request", entity_id=r.id, detail={"result": answer.value, "note": r.follow_up_note})
    _publish(session, r, settings)
    return r


def return_loan(session: Session, request_id: int, user: User, settings: Settings, *, check: str,
                now: dt.datetime) -> GsRequest:
    """A borrowed item is back, checked (ok, damaged, incomplete)."""
    r = get(session, request_id, lock=True)
    _may_act(session, r, user, settings)
    if r.kind != cat.Kind.LOAN or r.state != rules.State.DONE:
        raise Invalid("only an item lent out comes back", field="request_id", code="not_a_loan")
    try:
        result = loan_rules.check_return(r.returned_at, check)
    except loan_rules.LoanError as err:
        raise _invalid(err) from None
    r.returned_at, r.return_check = now, result.value
    jobs.cancel(session, f"guestsvc-loan:{r.id}")
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="guestsvc.loan_returned",
                 entity="gs_request", entity_id=r.id, detail={"check": result.value})
    _publish(session, r, settings)
    return r


def dishes_collected(session: Session, request_id: int, user: User, settings: Settings, *,
                     now: dt.datetime) -> GsRequest:
    r = get(session, request_id, lock=True)
    _may_act(session, r, user, settings)
    if r.kind != cat.Kind.ROOM_SERVICE or r.state != rules.State.DONE:
        raise Invalid("only served room service has dishes to collect", field="request_id", code="not_room_service")
    if r.dishes_collected_at is not None:
        raise Invalid("the dishes are already collected", field="request_id", code="already_collected")
    r.dishes_collected_at = now
    jobs.cancel(session, f"guestsvc-dishes:{r.id}")
    audit.record(session, actor=f"user:{user.username}", user_id=user.id, action="guestsvc.dishes_collected",
                 entity="gs_request", entity_id=r.id)
    _publish(session, r, settings)
    return r


# --------------------------------------------------------------------------- timers


def _alert(session: Session, r: GsRequest, settings: Settings, now: dt.datetime, kind: str) -> None:
    """The centre's pages and the attendant's are alerted through the live feed (the message names
    the request, never its room: every console receives it too); the pages show the room."""
    _publish(session, r, settings, alert=kind)


def alert_due(session: Session, request_id: int, settings: Settings, now: dt.datetime) -> bool:
    """The job at the alert time: a request still not done alerts the centre (and its attendant)
    before it is late — once."""
    r = session.get(GsRequest, request_id)
    if r is None or r.state not in rules.OPEN_STATES or r.alerted_at is not None:
        return False
    r.alerted_at = now
    _alert(session, r, settings, now, "due_soon")
    audit.record(session, actor="system", action="guestsvc.alerted", entity="gs_request", entity_id=r.id)
    return True


def remind_loan(session: Session, request_id: int, settings: Settings, now: dt.datetime) -> bool:
    r = session.get(GsRequest, request_id)
    if r is None or r.returned_at is not None or r.state != rules.State.DONE:
        return False
    _alert(session, r, settings, now, "loan_due")
    return True


def remind_dishes(session: Session, request_id: int, settings: Settings, now: dt.datetime) -> bool:
    r = session.get(GsRequest, request_id)
    if r is None or r.dishes_collected_at is not None or r.state != rules.State.DONE:
        return False
    _alert(session, r, settings, now, "dishes")
    return True
