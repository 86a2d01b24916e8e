"""Switchboard operations (issue 3): transfers, messages, do-not-disturb, lines, faults, alerts.

Rules come from ``zongji.domain`` (transfer, messages, dnd, lines); this module loads what they
need, stores what they decide, audits every change, and writes a FeedItem in the same transaction
for everything operators must see at once (topics ``transfer``, ``message``, ``dnd``, ``alert``,
``fault``).

Telephony commands (transfer, message lamp, line lock) are queued as jobs (kind
``switchboard.pbx``) in the same transaction as the change that needs them — an outbox: the
worker sends them once the change is committed, retrying while the PBX is unavailable.

Guest privacy (R-H4): nothing served from here carries a guest's room number or room extension,
except the DND list for roles in ``ROOM_NUMBER_ROLES``. Every read of guest data is audited.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
import threading
import uuid
from collections.abc import Mapping
from dataclasses import replace
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.orm import Session, object_session, sessionmaker

from zongji.domain import guest_privacy
from zongji.domain.room_numbers import normalize_room
from zongji.domain import dnd as dnd_rules
from zongji.domain import lines as line_rules
from zongji.domain import messages as msg_rules
from zongji.domain import transfer as tr
from zongji.domain.business_calendar import china_statutory
from zongji.domain.caller_id import stay_in_house
from zongji.domain.roles import ROOM_NUMBER_ROLES
from zongji.domain.working_hours import HoursExceptions, WorkingHours, WorkingHoursError
from zongji.errors import Conflict, NotFound, ZongjiError
from zongji.services import audit
from zongji.services.calls import Invalid, iso, publish
from zongji.services.directory import audit_guest_reads
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.db import transaction
from zongji.store.models import (
    Call,
    Department,
    FeedItem,
    Guest,
    Line,
    Person,
    Room,
    Stay,
    User,
    utcnow,
)
from zongji.store.switchboard_models import (
    DndPeriod,
    LineFault,
    LineSettings,
    Message,
    MessageDelivery,
    SilenceAlert,
    TransferAttempt,
)
from zongji.telephony.adapter import SwitchboardAdapter, TelephonyUnavailable

log = logging.getLogger(__name__)

PBX_JOB = "switchboard.pbx"
NO_ANSWER_JOB = "switchboard.transfer_no_answer"
MESSAGE_RAISE_JOB = "switchboard.message_raise"
DND_END_JOB = "switchboard.dnd_end"
SILENCE_JOB = "switchboard.silence_check"
PBX_RETRY = dt.timedelta(seconds=5)


def actor(user: User | None) -> str:
    return f"user:{user.username}" if user is not None else "system"


def who(user: User | None) -> str:
    """How a person is written on records (name and operator number)."""
    if user is None:
        return "system"
    return f"{user.display_name}({user.operator_number})" if user.operator_number else user.display_name


def sees_rooms(user: User | None) -> bool:
    return user is not None and user.role in ROOM_NUMBER_ROLES


def _feed(session: Session, topic: str, entity_id: Any, payload: dict[str, Any]) -> None:
    session.add(FeedItem(topic=topic, entity_id=str(entity_id), payload=payload))


# =========================================================================== the adapter

_ADAPTERS: dict[str, SwitchboardAdapter] = {}
_SETTINGS: dict[str, Settings] = {}
_ADAPTERS_LOCK = threading.Lock()


def use_settings(settings: Settings) -> None:
    """Tell this process's timers which settings go with a database (the app does it per request;
    ``zongji worker`` processes fall back to the environment's settings)."""
    _SETTINGS[settings.resolved_database_url] = settings


def settings_for(database_url: str) -> Settings:
    from zongji.settings import get_settings

    return _SETTINGS.get(database_url) or get_settings()


def adapter_for(settings: Settings, database_url: str | None = None) -> SwitchboardAdapter:
    """This process's switchboard adapter for a database (one per database), chosen by
    ``settings.switchboard_adapter``:

    * ``simulated``: the built-in :class:`zongji.telephony.simulated_pbx.SimulatedPbx`;
    * ``package.module:ClassName``: a real PBX's adapter, constructed as
      ``ClassName(settings=settings, report=report)``.

    ``report`` takes one result event (``{"event": "transferAnswered" | "transferFailed", "ref",
    "cause", "at"}``) and ends the attempt through :func:`on_pbx_report`. A real PBX may instead
    post its results as CTI events (:func:`on_cti_reports`).
    """
    url = database_url or settings.resolved_database_url
    with _ADAPTERS_LOCK:
        found = _ADAPTERS.get(url)
        if found is not None:
            return found
        spec = (settings.switchboard_adapter or "").strip()
        cls = None
        if spec != "simulated":
            from zongji.telephony.adapter import load_switchboard_adapter

            try:
                cls = load_switchboard_adapter(spec)
            except ValueError as exc:
                raise ZongjiError(f"ZONGJI_SWITCHBOARD_ADAPTER: {exc}", field="switchboard_adapter") from None
        from zongji.store.db import make_engine, make_session_factory
        from zongji.telephony.simulated_pbx import SimulatedPbx

        factory_box: dict[str, sessionmaker] = {}

        def report(event: dict[str, Any]) -> None:
            if "f" not in factory_box:
                factory_box["f"] = make_session_factory(make_engine(url, pool_size=2))
            on_pbx_report(factory_box["f"], event, tz=settings.tz)

        if cls is not None:
            pbx = cls(settings=settings, report=report)
        else:
            pbx = SimulatedPbx(answer_seconds=settings.simulated_pbx_answer_seconds,
                               silent_numbers=settings.simulated_pbx_silent_numbers.split(","), report=report)
        _ADAPTERS[url] = pbx
        return pbx


def reset_adapter(database_url: str) -> None:
    """Forget the adapter of a database (tests start each with a fresh simulated PBX)."""
    with _ADAPTERS_LOCK:
        pbx = _ADAPTERS.pop(database_url, None)
    if pbx is not None and hasattr(pbx, "close"):
        pbx.close()


def queue_pbx(session: Session, command: str, now: dt.datetime, **args: Any) -> None:
    """Queue a telephony command to be sent once this transaction commits (outbox)."""
    jobs.schedule(session, PBX_JOB, f"pbx:{command}:{uuid.uuid4().hex}", now, {"command": command, **args})


def run_pbx_command(session: Session, payload: Mapping[str, Any], now: dt.datetime,
                    adapter: SwitchboardAdapter, tz: ZoneInfo) -> None:
    """Send one queued command (the ``switchboard.pbx`` job). Raises TelephonyUnavailable to retry."""
    cmd = payload.get("command")
    if cmd == "transfer":
        attempt = session.get(TransferAttempt, payload["attempt_id"])
        if attempt is None or attempt.result != tr.AttemptResult.RINGING:
            return  # already ended (no answer, hung up): nothing to ring
        adapter.transfer(payload.get("call_external_id"), payload["number"], ref=str(attempt.id))
    elif cmd == "lamp":
        adapter.set_message_lamp(payload["extension"], bool(payload["on"]))
        message_id = payload.get("message_id")
        if payload["on"] and message_id is not None:
            msg = session.get(Message, message_id)
            if msg is not None and msg.state not in ("acknowledged", "void"):
                _deliver(session, msg, "lamp", now, by="system", detail="lamp on")
                _publish_message(session, msg, tz)
    elif cmd == "lock":
        adapter.lock_line(payload["extension"], bool(payload["locked"]))
    else:
        log.warning("unknown switchboard command %r", cmd)


def on_pbx_report(factory: sessionmaker[Session], event: Mapping[str, Any], *, tz: ZoneInfo) -> None:
    """A transfer result reported by the PBX: answered, or failed (busy, locked, …)."""
    kind = event.get("event")
    try:
        attempt_id = int(event.get("ref") or 0)
    except (TypeError, ValueError):
        return
    at = dt.datetime.fromisoformat(event["at"]) if event.get("at") else utcnow()
    with transaction(factory) as s:
        attempt = s.get(TransferAttempt, attempt_id)
        if attempt is None or attempt.result != tr.AttemptResult.RINGING:
            return
        if kind == "transferAnswered":
            _settle(s, attempt, tr.AttemptResult.ANSWERED, at, tz)
        elif kind == "transferFailed":
            result = tr.AttemptResult.BUSY if event.get("cause") == "busy" else tr.AttemptResult.FAILED
            _settle(s, attempt, result, at, tz)


def _settle(s: Session, attempt: TransferAttempt, result: tr.AttemptResult, at: dt.datetime, tz: ZoneInfo) -> None:
    """End a ringing attempt with the PBX's result; an answered one is the call's transfer."""
    _finish_attempt(s, attempt, result, at, tz)
    if result is tr.AttemptResult.ANSWERED:
        call = s.get(Call, attempt.call_id) if attempt.call_id else None
        if call is not None:
            call.transfer_target = attempt.target_label[:100]  # a label, never a room extension
            call.transferred_at = at
            publish(s, call, tz)


# Zammad / PBX hang-up causes on the transfer leg → the attempt's result. Other causes
# (normalClearing, cancel …) say nothing about the transfer and leave it to the no-answer timer.
_HANGUP_RESULTS = {
    "busy": tr.AttemptResult.BUSY, "noanswer": tr.AttemptResult.NO_ANSWER,
    "congestion": tr.AttemptResult.FAILED, "notfound": tr.AttemptResult.FAILED,
    "failed": tr.AttemptResult.FAILED, "rejected": tr.AttemptResult.DECLINED,
}


def on_cti_reports(factory: sessionmaker[Session], reports: list[Mapping[str, Any]], *, tz: ZoneInfo) -> int:
    """A real PBX's transfer results, as CTI events (called by the CTI writer after its batch
    commits): ``transfer`` with ``transferTo``, or ``answer`` with ``answeringNumber``, equal to a
    ringing attempt's number on the same call → answered; ``hangup`` with that
    ``answeringNumber`` and cause busy / noAnswer / congestion … → busy / no answer / failed.
    One query finds the ringing attempts of all the calls; returns how many attempts ended."""
    from zongji.services.cti import number_key

    call_ids = sorted({int(r["call_id"]) for r in reports})
    done = 0
    with transaction(factory) as s:
        ringing = s.scalars(select(TransferAttempt).where(
            TransferAttempt.call_id.in_(call_ids), TransferAttempt.result == tr.AttemptResult.RINGING)
            .order_by(TransferAttempt.id)).all()
        if not ringing:
            return 0
        by_call: dict[int, list[TransferAttempt]] = {}
        for a in ringing:
            by_call.setdefault(a.call_id, []).append(a)
        for r in sorted(reports, key=lambda r: r["at"]):
            key = number_key(r.get("number"))
            match = next((a for a in by_call.get(int(r["call_id"]), ())
                          if a.result == tr.AttemptResult.RINGING and key and number_key(a.dial) == key), None)
            if match is None:
                continue
            if r["event"] in ("transfer", "answer"):
                result = tr.AttemptResult.ANSWERED
            else:
                result = _HANGUP_RESULTS.get((r.get("cause") or "").replace("_", "").lower())
                if result is None:
                    continue
            _settle(s, match, result, dt.datetime.fromisoformat(r["at"]), tz)
            done += 1
    return done


# =========================================================================== transfer targets


def _hours(data: dict[str, Any] | None) -> WorkingHours | None:
    if not data:
        return None
    try:
        return WorkingHours.parse(data)
    except WorkingHoursError:
        log.warning("ignoring invalid working hours %r", data)
        return None


def statutory_exceptions(hours: WorkingHours | None, at: dt.datetime, tz: dt.tzinfo,
                         session: Session | None = None) -> HoursExceptions | None:
    """Public holidays and adjusted working days for office hours (closed every weekend);
    round-the-clock and seven-day departments are not affected by the holiday notice.

    With a session, the organisation's business calendar is used (the statutory notice plus the
    admin's edits and imported years, ``zongji.services.sla.base_calendar``)."""
    if hours is None or hours.days[5] or hours.days[6]:
        return None
    today = at.astimezone(tz).date()
    closed, working_as = set(), {}
    if session is not None:
        from zongji.services.sla import base_calendar

        bcal = base_calendar(session, tz)  # type: ignore[arg-type]
        for i in range(-3, 40):
            d = today + dt.timedelta(days=i)
            day = bcal.day_info(d)
            if day.source == "weekly":
                continue
            if day.is_working:
                working_as[d] = "mon"
            else:
                closed.add(d)
        return HoursExceptions(closed=frozenset(closed), working_as=working_as)
    cal = china_statutory()
    for i in range(-3, 40):
        d = today + dt.timedelta(days=i)
        info = cal.lookup(d)
        if info is None:
            continue
        if info.is_working:
            working_as[d] = "mon"
        else:
            closed.add(d)
    return HoursExceptions(closed=frozenset(closed), working_as=working_as)


def active_dnd_rows(session: Session, at: dt.datetime, *, subject_kind: str | None = None,
                    subject_id: int | None = None) -> list[DndPeriod]:
    stmt = select(DndPeriod).where(DndPeriod.ended_at.is_(None), DndPeriod.set_at <= at)
    if subject_kind:
        stmt = stmt.where(DndPeriod.subject_kind == subject_kind)
    if subject_id is not None:
        stmt = stmt.where(DndPeriod.subject_id == subject_id)
    return [p for p in session.scalars(stmt.order_by(DndPeriod.set_at)) if _dnd_domain(p).active_at(at)]


def mark_dnd(session: Session, results: list[dict[str, Any]], at: dt.datetime) -> list[dict[str, Any]]:
    """Set ``dnd`` on each directory search result (guest, room or person) that has do-not-disturb
    on at ``at``, so the operator sees it in the results before putting a call through (R-H8)."""
    rows = active_dnd_rows(session, at) if results else []
    on = {("room", p.subject_id) if p.subject_kind == "room" else ("person", p.subject_id) for p in rows}
    on |= {("guest", p.guest_id) for p in rows if p.guest_id is not None}
    for r in results:
        r["dnd"] = (r.get("kind"), r.get("id")) in on
    return results


def _contact(p: Person | None, *, on_leave: bool = False, mobile_first: bool = True) -> tr.Contact | None:
    if p is None:
        return None
    number = (p.mobile or p.extension) if mobile_first else (p.extension or p.mobile)
    return tr.Contact(name=p.name, number=number or "", title=p.title, title_en=p.title_en, on_leave=on_leave)


def current_stay(session: Session, guest_id: int, at: dt.datetime) -> Stay | None:
    stays = session.scalars(select(Stay).where(Stay.guest_id == guest_id, Stay.arrival <= at,
                                               Stay.status != "expected").order_by(Stay.arrival.desc()))
    for s in stays:
        if stay_in_house(s.status, s.arrival, s.departure, at):
            return s
    return None


def room_occupant(session: Session, room_id: int, at: dt.datetime) -> Stay | None:
    stays = session.scalars(select(Stay).where(Stay.room_id == room_id, Stay.arrival <= at,
                                               Stay.status != "expected").order_by(Stay.arrival.desc()))
    occupants = [s for s in stays if stay_in_house(s.status, s.arrival, s.departure, at)]
    occupants.sort(key=lambda s: (not s.guest.vip, -s.arrival.timestamp()))
    return occupants[0] if occupants else None


def room_addressed(session: Session, *, room: str | None, room_id: int | None, at: dt.datetime,
                   id_field: str) -> Stay:
    """The stay in house in a room given by number (``room``) or id: the room board's DND and
    messages address the room and the server finds its occupant, so an operator never needs the
    guest's id (R-H4)."""
    if room is not None and normalize_room(room):
        r = session.scalar(select(Room).where(Room.number == normalize_room(room)).order_by(Room.id).limit(1))
        field = "room"
    elif room_id is not None:
        r, field = session.get(Room, room_id), id_field
    else:
        raise Invalid("give the room number", field="room")
    if r is None:
        raise NotFound("no such room", field=field)
    stay = room_occupant(session, r.id, at)
    if stay is None:
        raise Invalid("nobody is staying in that room", field=field)
    return stay


def _line_settings(session: Session, line: Line) -> LineSettings | None:
    return session.scalar(select(LineSettings).where(LineSettings.line_id == line.id))


def line_config(session: Session, line: Line, at: dt.datetime) -> line_rules.LineConfig:
    from zongji.services.staff_leave import current_leave
    from zongji.services.staff_leave import on_leave as person_on_leave

    ls = _line_settings(session, line)
    on_leave = False
    if ls is not None and ls.responsible_on_leave:
        on_leave = ls.leave_until is None or ls.leave_until > at
    deputy = ls.deputy if ls is not None else None
    if ls is not None and ls.responsible_id is not None:
        leave = current_leave(session, ls.responsible_id, at)  # the person's own leave (R-S5)
        if leave is not None:
            on_leave = True
            deputy = deputy or leave.deputy
    return line_rules.LineConfig(
        code=line.code, name=line.name, kind=line_rules.LineKind(line.kind), number=line.number,
        inbound_only=line.inbound_only, hours=_hours(ls.working_hours) if ls else None,
        responsible=_contact(ls.responsible, on_leave=on_leave, mobile_first=False) if ls else None,
        deputy=_contact(deputy, on_leave=person_on_leave(session, deputy.id, at)) if deputy else None,
        after_hours=(_contact(ls.after_hours, on_leave=person_on_leave(session, ls.after_hours_id, at))
                     if ls else None),
    )


def _after_hours_contact(session: Session, dept: Department | None, at: dt.datetime, *,
                         exclude: int | None = None) -> tr.Contact | None:
    """Who takes a closed department's calls (on their mobile), unless that is ``exclude``."""
    if dept is None or dept.after_hours_person_id is None or dept.after_hours_person_id == exclude:
        return None
    from zongji.services.staff_leave import on_leave

    p = dept.after_hours_person
    return _contact(p, on_leave=on_leave(session, p.id, at)) if p is not None else None


def set_after_hours_contact(session: Session, user: User, department_id: int,
                            person_id: int | None) -> Department:
    """Name (or clear) who takes a department's calls when it is closed (supervisor, admin)."""
    d = session.get(Department, department_id)
    if d is None:
        raise NotFound("no such department", field="department_id")
    if person_id is not None:
        p = session.get(Person, person_id)
        if p is None:
            raise NotFound("no such person", field="person_id")
        if p.organisation_id != d.organisation_id:
            raise Invalid("the person is not of the department's organisation", field="person_id")
        if not (p.mobile or p.extension):
            raise Invalid("the person has no mobile or extension to ring", field="person_id")
    before = d.after_hours_person_id
    d.after_hours_person_id = person_id
    session.flush()
    session.refresh(d)
    audit.record(session, actor=actor(user), user_id=user.id, action="update", entity="department",
                 entity_id=d.id, detail={"after_hours_person_id": [before, person_id]})
    return d


def build_target(session: Session, kind: str, target_id: int, at: dt.datetime, *,
                 guest_name: str | None = None) -> tuple[tr.Target, dict[str, Any]]:
    """The domain target for a directory entry, and facts the service keeps (guest id, stay …)."""
    facts: dict[str, Any] = {"kind": kind, "id": target_id}
    if kind == "person":
        p = session.get(Person, target_id)
        if p is None:
            raise NotFound("no such person", field="target_id")
        dept = p.department
        hours = _hours(dept.working_hours) if dept else None
        superior = None
        if dept is not None:
            superior = session.scalar(select(Person).where(
                Person.department_id == dept.id, Person.is_manager.is_(True), Person.id != p.id)
                .order_by(Person.id))
        office = (tr.Contact(name=dept.name, number=dept.extension or dept.phone or "", name_en=dept.name_en)
                  if dept is not None else None)
        from zongji.services.staff_leave import current_leave, on_leave

        leave = current_leave(session, p.id, at)  # R-S5: on leave → the named deputy
        deputy = leave.deputy if leave is not None else None
        target = tr.Target(
            kind=tr.TargetKind.PERSON, name=p.name, number=p.extension or p.mobile, title=p.title,
            title_en=p.title_en, department=dept.name if dept else None,
            department_en=dept.name_en if dept else None, hours=hours,
            dnd=bool(active_dnd_rows(session, at, subject_kind="person", subject_id=p.id)),
            department_office=office, superior=_contact(superior, mobile_first=False),
            on_leave=leave is not None,
            deputy=_contact(deputy, on_leave=on_leave(session, deputy.id, at)) if deputy is not None else None,
            # Their department's after-hours contact: for urgent calls while they are closed.
            department_after_hours=_after_hours_contact(session, dept, at, exclude=p.id),
        )
        facts.update(recipient_kind="staff", recipient_label=p.name)
        return target, facts
    if kind == "department":
        d = session.get(Department, target_id)
        if d is None:
            raise NotFound("no such department", field="target_id")
        target = tr.Target(kind=tr.TargetKind.DEPARTMENT, name=d.name, name_en=d.name_en,
                           number=d.extension or d.phone, hours=_hours(d.working_hours),
                           after_hours=_after_hours_contact(session, d, at))
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


def _caller_for(call: Call | None, caller_name: str | None, purpose: str | None) -> tr.Caller:
    if call is None:
        return tr.Caller(internal=False, kind="unknown", name=caller_name, purpose=purpose)
    internal = call.direction == "internal" or call.caller_kind in ("staff", "department", "room")
    name = caller_name or (call.caller_label if call.caller_kind not in ("unknown", None) else None)
    return tr.Caller(internal=internal, kind=call.caller_kind or "unknown", name=name,
                     number=call.calling_number, vip=bool(call.caller_vip), title=call.caller_title,
                     purpose=purpose)


def decide(session: Session, user: User, *, target_kind: str, target_id: int, call_id: int | None,
           caller_name: str | None, purpose: str | None, call_purpose: str, urgent: bool,
           guest_consent: bool | None, callee_accepts: bool | None, guest_name: str | None,
           emergency: bool, settings: Settings, at: dt.datetime | None = None,
           ) -> tuple[tr.TransferDecision, dict[str, Any], Call | None]:
    at = at or utcnow()
    call = None
    if call_id is not None:
        call = session.get(Call, call_id)
        if call is None:
            raise NotFound("no such call", field="call_id")
    target, facts = build_target(session, target_kind, target_id, at, guest_name=guest_name)
    if target_kind in ("guest", "room") and facts.get("guest_id"):
        audit_guest_reads(session, [facts["guest_id"]], user=user, via="transfer",
                          detail={"call_id": call_id})
    req = tr.TransferRequest(
        target=target, caller=_caller_for(call, caller_name, purpose), at=at, tz=settings.tz,
        exceptions=statutory_exceptions(target.hours, at, settings.tz, session),
        direction="in" if call is None else ("internal" if call.direction == "internal" else call.direction),
        line_inbound_only=bool(call and call.line and call.line.inbound_only),
        line_name=call.line.name if call and call.line else None,
        purpose=call_purpose or "unknown", urgent=urgent, guest_consent=guest_consent,
        callee_accepts=callee_accepts, emergency=emergency,
        guest_name_matches=facts.get("name_matches"),
    )
    return tr.decide_transfer(req), facts, call


def decision_out(d: tr.TransferDecision, facts: Mapping[str, Any], settings: Settings) -> dict[str, Any]:
    out = d.to_dict()  # never the private dial
    out["message_recipient"] = (
        {"kind": facts.get("recipient_kind"), "id": facts.get("recipient_id", facts.get("id")),
         "label": facts.get("recipient_label")}
        if d.offer_message and facts.get("recipient_kind") else None)
    out["no_answer_seconds"] = settings.transfer_no_answer_seconds
    return out


def attempt_out(a: TransferAttempt, tz: ZoneInfo, settings: Settings | None = None) -> dict[str, Any]:
    out = {
        "id": a.id, "call_id": a.call_id, "target_kind": a.target_kind, "target_id": a.target_id,
        "target_label": {"zh": a.target_label, "en": a.target_label_en or a.target_label},
        "outcome": a.outcome, "reason_code": a.reason_code, "result": a.result,
        "started_at": iso(a.started_at, tz), "ended_at": iso(a.ended_at, tz), "ring_seconds": a.ring_seconds,
        "dial": None if a.dial_private else a.dial,
        "decision": a.decision,
    }
    if a.result == tr.AttemptResult.NO_ANSWER:
        out["prompt"] = tr.script("no_answer").to_dict()
        out["offer_message"] = True
    if settings is not None:
        out["no_answer_seconds"] = settings.transfer_no_answer_seconds
    return out


def _domain_attempt(a: TransferAttempt) -> tr.TransferAttempt:
    return tr.TransferAttempt(
        target_kind=tr.TargetKind(a.target_kind), target_label=tr.Text(a.target_label, a.target_label_en or ""),
        outcome=tr.TransferOutcome(a.outcome), started_at=a.started_at, dial=a.dial,
        dial_private=a.dial_private, result=tr.AttemptResult(a.result), ended_at=a.ended_at,
        ring_seconds=a.ring_seconds)


def _finish_attempt(session: Session, a: TransferAttempt, result: tr.AttemptResult, at: dt.datetime,
                    tz: ZoneInfo) -> None:
    done = tr.finish_attempt(_domain_attempt(a), result, max(at, a.started_at))
    a.result, a.ended_at, a.ring_seconds = str(done.result), done.ended_at, done.ring_seconds
    audit.record(session, actor="system", action="transfer_" + str(done.result), entity="transfer_attempt",
                 entity_id=a.id, detail={"ring_seconds": a.ring_seconds})
    session.flush()
    _feed(session, "transfer", a.id, attempt_out(a, tz))


def start_transfer(session: Session, user: User, settings: Settings, **kw: Any) -> dict[str, Any]:
    """Decide and record the attempt; when it rings, queue the PBX transfer and the no-answer timer."""
    now = kw.pop("at", None) or utcnow()
    d, facts, call = decide(session, user, settings=settings, at=now, **kw)
    return record_attempt(session, user, settings, d, facts, call, target_id=kw["target_id"], at=now)


def decide_and_record_refusal(session: Session, user: User, settings: Settings, **kw: Any) -> dict[str, Any]:
    """The decision as shown in the console; a refusal on a call is recorded at once as an attempt
    (R-H3, R-C3: every attempt on the call, refused ones too). A decision that would ring or ask
    first records nothing: the operator's Enter / Y / N does (``start_transfer``)."""
    now = kw.pop("at", None) or utcnow()
    d, facts, call = decide(session, user, settings=settings, at=now, **kw)
    if call is not None and d.refused and d.outcome is not tr.TransferOutcome.CONNECT_AFTER_ASKING:
        return record_attempt(session, user, settings, d, facts, call, target_id=kw["target_id"], at=now)
    return {"decision": decision_out(d, facts, settings), "attempt": None}


def _same_refusal(session: Session, call: Call | None, d: tr.TransferDecision, target_id: int) -> TransferAttempt | None:
    """The call's latest attempt when it is this same refusal (the operator asked again): one row, not two."""
    if call is None:
        return None
    last = session.scalar(select(TransferAttempt).where(TransferAttempt.call_id == call.id)
                          .order_by(TransferAttempt.id.desc()).limit(1))
    if (last is not None and last.result == tr.AttemptResult.REFUSED and last.target_kind == str(d.target_kind)
            and last.target_id == target_id and last.outcome == str(d.outcome)
            and last.reason_code == d.reason.code):
        return last
    return None


def record_attempt(session: Session, user: User, settings: Settings, d: tr.TransferDecision,
                   facts: Mapping[str, Any], call: Call | None, *, target_id: int,
                   at: dt.datetime) -> dict[str, Any]:
    """Record one attempt on the call (target, decision, result, ring seconds — R-H3, R-C3)."""
    now = at
    rec = tr.start_attempt(d, now)
    if rec.result is tr.AttemptResult.REFUSED:
        same = _same_refusal(session, call, d, target_id)
        if same is not None:
            return {"decision": same.decision, "attempt": attempt_out(same, settings.tz, settings), "repeated": True}
    a = TransferAttempt(
        call_id=call.id if call else None, target_kind=str(d.target_kind), target_id=target_id,
        target_label=d.target_label.zh[:200], target_label_en=d.target_label.en[:200], outcome=str(d.outcome),
        reason_code=d.reason.code, dial=rec.dial, dial_private=rec.dial_private, result=str(rec.result),
        started_at=rec.started_at, ended_at=rec.ended_at, ring_seconds=rec.ring_seconds, operator_id=user.id,
        decision=decision_out(d, facts, settings),
    )
    session.add(a)
    session.flush()
    if rec.result is tr.AttemptResult.RINGING:
        if not rec.dial:
            raise Conflict("nothing to ring for this target", field="target_id")
        queue_pbx(session, "transfer", now, attempt_id=a.id, number=rec.dial,
                  call_external_id=call.external_id if call else None)
        jobs.schedule(session, NO_ANSWER_JOB, f"transfer-no-answer:{a.id}",
                      now + dt.timedelta(seconds=settings.transfer_no_answer_seconds), {"attempt_id": a.id})
    audit.record(session, actor=actor(user), user_id=user.id, action="transfer", entity="transfer_attempt",
                 entity_id=a.id, detail={"call_id": a.call_id, "target_kind": a.target_kind,
                                         "target_id": a.target_id, "outcome": a.outcome, "reason": a.reason_code})
    _note_vip_transfer(session, user, settings, d, facts, call, now)
    out = attempt_out(a, settings.tz, settings)
    _feed(session, "transfer", a.id, out)
    return {"decision": a.decision, "attempt": out}


_CHANNEL_ZH = {"lamp": "留言灯", "sms": "短信", "email": "电子邮件", "pager": "寻呼", "console": "控制台",
               "phone": "电话告知"}


def _vip_guest_label(name: str | None, title: str | None) -> str:
    return f"VIP客人{title or ''}{name or ''}"


def _note_vip_transfer(session: Session, user: User, settings: Settings, d: tr.TransferDecision,
                       facts: Mapping[str, Any], call: Call | None, at: dt.datetime) -> None:
    """R-H12, R-H13: how a call for or from a VIP guest was handled goes into the handover.
    Never the room number: the decision's texts are redacted and the labels are names."""
    from zongji.services import handover

    texts = []
    if d.handover_note:  # the target is a VIP guest
        g = session.get(Guest, facts["guest_id"]) if facts.get("guest_id") else None
        caller = (call.caller_label or call.calling_number or "来电人") if call is not None else "来电人"
        texts.append(f"{_vip_guest_label(g.name if g else facts.get('recipient_label'), g.vip_title if g else None)}"
                     f"：{caller}来电找客人。{d.reason.zh}")
    if call is not None and call.caller_vip and call.caller_kind == "guest":
        texts.append(f"{_vip_guest_label(call.caller_label, call.caller_title)}来电，转接{d.target_label.zh}。"
                     f"{d.reason.zh}")
    for text in texts:
        handover.note_vip_handling(session, user, settings, f"{text}（{who(user)}）", at=at)


def transfer_no_answer(session: Session, attempt_id: int, now: dt.datetime, settings: Settings) -> None:
    """The no-answer timer (R-H3): still ringing → back to the operator with the message prompt."""
    a = session.get(TransferAttempt, attempt_id)
    if a is None or a.result != tr.AttemptResult.RINGING:
        return
    res = tr.on_no_answer(_domain_attempt(a), (now - a.started_at).total_seconds(), settings)
    if not res.back_to_operator:
        jobs.schedule(session, NO_ANSWER_JOB, f"transfer-no-answer:{a.id}:{now.timestamp()}",
                      now + dt.timedelta(seconds=res.seconds_left), {"attempt_id": a.id})
        return
    _finish_attempt(session, a, tr.AttemptResult.NO_ANSWER, now, settings.tz)


def list_attempts(session: Session, *, call_id: int | None, tz: ZoneInfo, limit: int = 50) -> list[dict[str, Any]]:
    stmt = select(TransferAttempt).order_by(TransferAttempt.id.desc()).limit(limit)
    if call_id is not None:
        stmt = stmt.where(TransferAttempt.call_id == call_id)
    return [attempt_out(a, tz) for a in session.scalars(stmt)]


def get_attempt(session: Session, attempt_id: int, tz: ZoneInfo, settings: Settings) -> dict[str, Any]:
    a = session.get(TransferAttempt, attempt_id)
    if a is None:
        raise NotFound("no such transfer attempt", field="attempt_id")
    return attempt_out(a, tz, settings)


# =========================================================================== messages


def message_policy(settings: Settings) -> msg_rules.MessagePolicy:
    remind = settings.message_remind_unacknowledged_minutes
    return msg_rules.MessagePolicy(require_read_back=settings.message_require_read_back,
                                   raise_again_after_minutes=settings.message_raise_again_minutes,
                                   remind_unacknowledged_after_minutes=remind if remind > 0 else None)


def _msg_domain(m: Message) -> msg_rules.Message:
    return msg_rules.Message(
        recipient_kind=msg_rules.RecipientKind(m.recipient_kind), recipient_id=m.recipient_id,
        recipient_label=m.recipient_label, caller_name=m.caller_name, caller_number=m.caller_number,
        content=m.content, taken_by=m.taken_by, taken_at=m.taken_at, state=msg_rules.MessageState(m.state),
        urgent=m.urgent, call_id=m.call_id, read_back_at=m.read_back_at,
        deliveries=tuple(msg_rules.Delivery(msg_rules.Channel(d.channel), d.at, d.by, d.detail) for d in m.deliveries),
        acknowledged_at=m.acknowledged_at, acknowledged_by=m.acknowledged_by, raised_count=m.raised_count,
        last_raised_at=m.last_raised_at, void_at=m.void_at, void_by=m.void_by, void_reason=m.void_reason, id=m.id)


def message_out(m: Message, tz: ZoneInfo) -> dict[str, Any]:
    return {
        "id": m.id, "recipient": {"kind": m.recipient_kind, "id": m.recipient_id, "label": m.recipient_label},
        "addressed": m.addressed, "room": _message_room(m),
        "caller_name": m.caller_name, "caller_number": m.caller_number, "content": m.content,
        "urgent": m.urgent, "call_id": m.call_id, "taken_by": m.taken_by, "taken_at": iso(m.taken_at, tz),
        "read_back": m.read_back_at is not None, "read_back_at": iso(m.read_back_at, tz), "state": m.state,
        "deliveries": [{"channel": d.channel, "at": iso(d.at, tz), "by": d.by, "detail": d.detail}
                       for d in m.deliveries],
        "lamp": bool(m.lamp_extension) and m.state not in ("acknowledged", "void"),
        "acknowledged_at": iso(m.acknowledged_at, tz), "acknowledged_by": m.acknowledged_by,
        "raised_count": m.raised_count, "last_raised_at": iso(m.last_raised_at, tz),
        "void_at": iso(m.void_at, tz), "void_reason": m.void_reason,
        "open": m.state not in ("acknowledged", "void"),
        "sends": _sends_out(m, tz),
    }


def _message_room(m: Message) -> str | None:
    """The room a message was taken for (found by its lamp's extension): what an operator sees
    in place of the guest (zongji.domain.guest_privacy). None for messages taken by name."""
    if m.addressed != "room" or not m.lamp_extension:
        return None
    from zongji.store.models import Room

    session = object_session(m)
    if session is None:
        return None
    return session.scalar(select(Room.number).where(Room.extension == m.lamp_extension).limit(1))


def _sends_out(m: Message, tz: ZoneInfo) -> list[dict[str, Any]]:
    from zongji.services.message_sending import send_out

    return [send_out(s, tz, guest=m.recipient_kind == "guest") for s in m.sends]


def _msg_error(exc: msg_rules.MessageError) -> Invalid:
    return Invalid(str(exc), field=exc.field)


def _schedule_raise(session: Session, m: Message, policy: msg_rules.MessagePolicy) -> None:
    due = msg_rules.raise_due_at(_msg_domain(m), policy)
    if due is not None:
        jobs.schedule(session, MESSAGE_RAISE_JOB, f"message-raise:{m.id}:{m.raised_count}:{len(m.deliveries)}",
                      due, {"message_id": m.id})


def _publish_message(session: Session, m: Message, tz: ZoneInfo, **extra: Any) -> dict[str, Any]:
    session.flush()
    out = message_out(m, tz)
    _feed(session, "message", m.id, {**out, **extra})
    return out


def take_message(session: Session, user: User, settings: Settings, *, recipient_kind: str,
                 recipient_id: int | None, caller_name: str, caller_number: str, content: str, read_back: bool,
                 urgent: bool = False, call_id: int | None = None, deliver_by: list[str] | None = None,
                 send_to: Mapping[str, str] | None = None, at: dt.datetime | None = None,
                 room: str | None = None) -> dict[str, Any]:
    """``recipient_kind`` "room" (``room`` = the number, or ``recipient_id`` = the room's id): a
    message for whoever is in house in that room; it is stored as the occupant's (a guest
    message), but the answer names only the room for roles outside ``ROOM_NUMBER_ROLES`` (R-H4)."""
    now = at or utcnow()
    policy = message_policy(settings)
    lamp_ext = None
    by_room: Stay | None = None
    if recipient_kind == "room":
        by_room = room_addressed(session, room=room, room_id=recipient_id, at=now, id_field="recipient_id")
        g = by_room.guest
        recipient_kind, recipient_id, label, lamp_ext = "guest", g.id, g.name, by_room.room.extension
        channels = deliver_by if deliver_by is not None else ["lamp"]
    elif recipient_id is None:
        raise Invalid("give the recipient", field="recipient_id")
    elif recipient_kind == "guest":
        g = session.get(Guest, recipient_id)
        if g is None:
            raise NotFound("no such guest", field="recipient_id")
        stay = current_stay(session, g.id, now)
        if stay is None or g.privacy_level == "not_staying":
            # The same answer as for anyone not in house: a message is not taken (R-H4).
            raise Invalid("no guest of that name is in house", field="recipient_id")
        label = g.name
        lamp_ext = stay.room.extension
        audit_guest_reads(session, [g.id], user=user, via="message")
        channels = deliver_by if deliver_by is not None else ["lamp"]
    elif recipient_kind == "staff":
        p = session.get(Person, recipient_id)
        if p is None:
            raise NotFound("no such person", field="recipient_id")
        label = f"{p.department.name if p.department else ''}{p.title or ''}{p.name}"
        channels = deliver_by or []
    elif recipient_kind == "department":
        d = session.get(Department, recipient_id)
        if d is None:
            raise NotFound("no such department", field="recipient_id")
        label = d.name
        channels = deliver_by or []
    else:
        raise Invalid("expected guest, staff or department", field="recipient_kind")
    if call_id is not None and session.get(Call, call_id) is None:
        raise NotFound("no such call", field="call_id")
    for ch in channels:
        if ch not in {c.value for c in msg_rules.CHANNELS_FOR[msg_rules.RecipientKind(recipient_kind)]}:
            raise Invalid(f"{ch!r} is not used for a {recipient_kind} message", field="deliver_by")
    draft = msg_rules.MessageDraft(
        recipient_kind=recipient_kind, recipient_id=recipient_id, recipient_label=label,
        caller_name=caller_name, caller_number=caller_number, content=content, taken_by=who(user),
        taken_at=now, read_back=read_back, urgent=urgent, call_id=call_id)
    try:
        dm = msg_rules.take_message(draft, policy)
    except msg_rules.MessageError as exc:
        raise _msg_error(exc) from None
    m = Message(recipient_kind=str(dm.recipient_kind), recipient_id=recipient_id, recipient_label=dm.recipient_label,
                caller_name=dm.caller_name, caller_number=dm.caller_number, content=dm.content, urgent=dm.urgent,
                call_id=call_id, taken_by_id=user.id, taken_by=dm.taken_by, taken_at=now,
                read_back_at=dm.read_back_at, state=str(dm.state),
                addressed=("room" if by_room is not None else "guest") if recipient_kind == "guest" else None)
    session.add(m)
    session.flush()
    audit.record(session, actor=actor(user), user_id=user.id, action="create", entity="message", entity_id=m.id,
                 detail={"recipient_kind": recipient_kind, "recipient_id": recipient_id, "call_id": call_id,
                         "room": by_room.room.number if by_room else None})
    for ch in channels:
        if ch == "lamp":
            m.lamp_extension = lamp_ext
            queue_pbx(session, "lamp", now, extension=lamp_ext, on=True, message_id=m.id)
        elif ch in ("sms", "email", "pager"):
            from zongji.services.message_sending import request_send

            request_send(session, user, settings, m.id, channel=ch,
                         address=(send_to or {}).get(ch), at=now)
    if recipient_kind == "guest" and g.vip:  # R-H12: a VIP guest's call handling goes into the handover
        from zongji.services import handover

        handover.note_vip_handling(
            session, user, settings,
            f"{_vip_guest_label(g.name, g.vip_title)}：{m.caller_name or '来电人'}留言，已记录"
            f"（{'、'.join(_CHANNEL_ZH.get(c, c) for c in channels) or '待送达'}）。（{who(user)}）", at=now)
    _schedule_raise(session, m, policy)
    # The answer as the user's role may see it: zongji.api.guest_privacy (R-H4).
    return _publish_message(session, m, settings.tz)


def _deliver(session: Session, m: Message, channel: str, at: dt.datetime, *, by: str, detail: str | None,
             policy: msg_rules.MessagePolicy | None = None) -> None:
    try:
        dm = msg_rules.record_delivery(_msg_domain(m), channel, at=max(at, m.taken_at), by=by, detail=detail,
                                       policy=policy or msg_rules.MessagePolicy(require_read_back=False))
    except msg_rules.MessageError as exc:
        raise _msg_error(exc) from None
    last = dm.deliveries[-1]
    m.deliveries.append(MessageDelivery(channel=str(last.channel), at=last.at, by=last.by, detail=last.detail))
    m.state = str(dm.state)
    if by == "system":
        audit.record(session, actor="system", action="deliver", entity="message", entity_id=m.id,
                     detail={"channel": channel, "detail": detail})
    session.flush()


def _get_message(session: Session, message_id: int) -> Message:
    m = session.get(Message, message_id)
    if m is None:
        raise NotFound("no such message", field="message_id")
    return m


def deliver_message(session: Session, user: User, settings: Settings, message_id: int, *, channel: str,
                    detail: str | None) -> dict[str, Any]:
    m = _get_message(session, message_id)
    now = utcnow()
    if channel == "lamp":
        raise Invalid("the lamp is lit by the system when the message is taken", field="channel")
    _deliver(session, m, channel, now, by=who(user), detail=detail, policy=message_policy(settings))
    audit.record(session, actor=actor(user), user_id=user.id, action="deliver", entity="message",
                 entity_id=m.id, detail={"channel": channel, "detail": detail})
    _schedule_raise(session, m, message_policy(settings))
    return _publish_message(session, m, settings.tz)


def _lamp_off_if_none_left(session: Session, m: Message, now: dt.datetime) -> None:
    if not m.lamp_extension:
        return
    left = session.scalar(select(func.count()).select_from(Message).where(
        Message.lamp_extension == m.lamp_extension, Message.id != m.id,
        Message.state.not_in(("acknowledged", "void"))))
    if not left:
        queue_pbx(session, "lamp", now, extension=m.lamp_extension, on=False)


def acknowledge_message(session: Session, user: User, settings: Settings, message_id: int, *,
                        by: str | None = None) -> dict[str, Any]:
    """The recipient picked it up (the guest at the desk, the manager). The lamp goes out when
    no other message is waiting for that room."""
    m = _get_message(session, message_id)
    now = utcnow()
    try:
        dm = msg_rules.acknowledge(_msg_domain(m), at=now, by=(by or who(user)))
    except msg_rules.MessageError as exc:
        raise Conflict(str(exc), field=exc.field) from None
    m.state, m.acknowledged_at, m.acknowledged_by = str(dm.state), dm.acknowledged_at, dm.acknowledged_by
    audit.record(session, actor=actor(user), user_id=user.id, action="acknowledge", entity="message",
                 entity_id=m.id, detail={"by": m.acknowledged_by})
    _lamp_off_if_none_left(session, m, now)
    return _publish_message(session, m, settings.tz)


def void_message(session: Session, user: User, settings: Settings, message_id: int, *, reason: str) -> dict[str, Any]:
    m = _get_message(session, message_id)
    now = utcnow()
    try:
        dm = msg_rules.void_message(_msg_domain(m), at=now, by=who(user), reason=reason)
    except msg_rules.MessageError as exc:
        if exc.field == "state":
            raise Conflict(str(exc), field=exc.field) from None
        raise _msg_error(exc) from None
    m.state, m.void_at, m.void_by, m.void_reason = str(dm.state), dm.void_at, dm.void_by, dm.void_reason
    audit.record(session, actor=actor(user), user_id=user.id, action="void", entity="message", entity_id=m.id,
                 detail={"reason": reason})
    _lamp_off_if_none_left(session, m, now)
    return _publish_message(session, m, settings.tz)


def list_messages(session: Session, *, tz: ZoneInfo, open_only: bool = True, recipient_kind: str | None = None,
                  recipient_id: int | None = None, limit: int = 200) -> list[dict[str, Any]]:
    stmt = select(Message).order_by(Message.urgent.desc(), Message.taken_at).limit(limit)
    if open_only:
        stmt = stmt.where(Message.state.not_in(("acknowledged", "void")))
    if recipient_kind:
        stmt = stmt.where(Message.recipient_kind == recipient_kind)
    if recipient_id is not None:
        stmt = stmt.where(Message.recipient_id == recipient_id)
    return [message_out(m, tz) for m in session.scalars(stmt)]


def open_message_rows(session: Session) -> list[Message]:
    return list(session.scalars(select(Message).where(Message.state.not_in(("acknowledged", "void")))
                                .order_by(Message.taken_at)))


def raise_message(session: Session, message_id: int, now: dt.datetime, settings: Settings) -> None:
    """The re-raise timer (R-H5): an undelivered (or unacknowledged) message is shown again."""
    m = session.get(Message, message_id)
    if m is None:
        return
    policy = message_policy(settings)
    dm = _msg_domain(m)
    if not msg_rules.needs_raise(dm, now, policy):
        _schedule_raise(session, m, policy)  # e.g. delivered meanwhile: maybe a reminder later
        return
    dm = msg_rules.mark_raised(dm, at=now)
    m.raised_count, m.last_raised_at = dm.raised_count, dm.last_raised_at
    audit.record(session, actor="system", action="raise", entity="message", entity_id=m.id,
                 detail={"raised_count": m.raised_count})
    _publish_message(session, m, settings.tz, raised=True)
    _schedule_raise(session, m, policy)


# =========================================================================== do-not-disturb


def _dnd_domain(p: DndPeriod) -> dnd_rules.DndPeriod:
    return dnd_rules.DndPeriod(
        subject_kind=dnd_rules.DndSubjectKind(p.subject_kind), subject_id=p.subject_id,
        subject_label=p.subject_label, set_at=p.set_at, set_by=p.set_by, reason=p.reason,
        guest_name=p.guest_name, room_number=p.room_number, until=p.until, until_checkout=p.until_checkout,
        checked_out_at=p.checked_out_at, cancelled_at=p.cancelled_at, cancelled_by=p.cancelled_by,
        cancel_reason=p.cancel_reason)


def dnd_out(p: DndPeriod, tz: ZoneInfo, *, with_room: bool) -> dict[str, Any]:
    out = {
        "id": p.id, "subject_kind": "guest" if p.guest_id else p.subject_kind,
        "subject_id": p.guest_id or p.subject_id, "label": p.subject_label, "guest_name": p.guest_name,
        "reason": p.reason, "set_at": iso(p.set_at, tz), "set_by": p.set_by, "until": iso(p.until, tz),
        "until_checkout": p.until_checkout, "cancelled_at": iso(p.cancelled_at, tz),
        "cancelled_by": p.cancelled_by, "ended_at": iso(p.ended_at, tz), "end_reason": p.end_reason,
        "active": p.ended_at is None, "addressed": p.addressed,
    }
    if with_room or p.addressed:
        # A guest's DND carries its room; zongji.domain.guest_privacy decides who sees it.
        out["room_number"] = p.room_number
    return out


def set_dnd(session: Session, user: User, settings: Settings, *, subject_kind: str, subject_id: int | None,
            reason: str | None, until: dt.datetime | None, until_checkout: bool,
            at: dt.datetime | None = None, room: str | None = None) -> dict[str, Any]:
    """``subject_kind`` "room" (``room`` = the number, or ``subject_id`` = the room's id): DND for
    whoever is in house in that room, as for the guest; the answer names only the room for roles
    outside ``ROOM_NUMBER_ROLES`` (R-H4, R-H8)."""
    now = at or utcnow()
    stay = None
    by_room = subject_kind == "room"
    if by_room:
        stay = room_addressed(session, room=room, room_id=subject_id, at=now, id_field="subject_id")
        g, r = stay.guest, stay.room
        kind, sid, label, ext = "room", r.id, g.name, r.extension
        guest_name, room_number, guest_id = g.name, r.number, g.id
    elif subject_id is None:
        raise Invalid("give the guest or person", field="subject_id")
    elif subject_kind == "guest":
        g = session.get(Guest, subject_id)
        if g is None:
            raise NotFound("no such guest", field="subject_id")
        stay = current_stay(session, g.id, now)
        if stay is None:
            raise Invalid("the guest is not in house", field="subject_id")
        audit_guest_reads(session, [g.id], user=user, via="dnd")
        room = stay.room
        kind, sid, label, ext = "room", room.id, g.name, room.extension
        guest_name, room_number, guest_id = g.name, room.number, g.id
    elif subject_kind == "person":
        p = session.get(Person, subject_id)
        if p is None:
            raise NotFound("no such person", field="subject_id")
        kind, sid, label, ext = "person", p.id, p.name, p.extension
        guest_name = room_number = guest_id = None
        if until_checkout:
            raise Invalid("only a guest's DND can end at check-out", field="until_checkout")
    else:
        raise Invalid("expected guest, room or person", field="subject_kind")
    if active_dnd_rows(session, now, subject_kind=kind, subject_id=sid):
        raise Conflict("do-not-disturb is already on", field="room" if by_room and room else "subject_id")
    try:
        period = dnd_rules.set_dnd(subject_kind=kind, subject_id=sid, subject_label=label, at=now, by=who(user),
                                   reason=reason, until=until, until_checkout=until_checkout,
                                   guest_name=guest_name, room_number=room_number)
    except dnd_rules.DndError as exc:
        raise Invalid(str(exc), field=exc.field) from None
    row = DndPeriod(subject_kind=kind, subject_id=sid, subject_label=period.subject_label, guest_id=guest_id,
                    stay_id=stay.id if stay else None, guest_name=guest_name, room_number=room_number, extension=ext,
                    reason=reason, set_at=now, set_by=period.set_by, until=until, until_checkout=until_checkout,
                    addressed=("room" if by_room else "guest") if guest_id else None)
    session.add(row)
    session.flush()
    if ext and period.line_lock:
        queue_pbx(session, "lock", now, extension=ext, locked=True)
    if until is not None:
        jobs.schedule(session, DND_END_JOB, f"dnd-end:{row.id}:until", until, {"dnd_id": row.id})
    if until_checkout and stay is not None:
        jobs.schedule(session, DND_END_JOB, f"dnd-end:{row.id}:checkout", max(stay.departure, now),
                      {"dnd_id": row.id})
    audit.record(session, actor=actor(user), user_id=user.id, action="create", entity="dnd", entity_id=row.id,
                 detail={"subject_kind": subject_kind, "subject_id": subject_id, "until": iso(until, dt.UTC),
                         "until_checkout": until_checkout, "reason": reason, "room": room_number})
    _feed(session, "dnd", row.id, dnd_out(row, settings.tz, with_room=False))
    return _dnd_answer(row, user, settings, by_room=by_room)


def _dnd_answer(row: DndPeriod, user: User, settings: Settings, *, by_room: bool) -> dict[str, Any]:
    # The answer as the user's role may see it: zongji.api.guest_privacy (R-H4).
    return dnd_out(row, settings.tz, with_room=sees_rooms(user))


def _end_dnd(session: Session, row: DndPeriod, period: dnd_rules.DndPeriod, now: dt.datetime, tz: ZoneInfo) -> None:
    row.cancelled_at, row.cancelled_by, row.cancel_reason = period.cancelled_at, period.cancelled_by, period.cancel_reason
    row.checked_out_at = period.checked_out_at
    row.ended_at = period.ends_at() or now
    reason = period.end_reason()
    row.end_reason = str(reason) if reason else "cancelled"
    if row.extension:
        queue_pbx(session, "lock", now, extension=row.extension, locked=False)
    session.flush()
    _feed(session, "dnd", row.id, dnd_out(row, tz, with_room=False))


def cancel_dnd(session: Session, user: User, settings: Settings, dnd_id: int, *, reason: str | None) -> dict[str, Any]:
    row = session.get(DndPeriod, dnd_id)
    if row is None:
        raise NotFound("no such do-not-disturb", field="dnd_id")
    now = utcnow()
    if row.ended_at is not None:
        raise Conflict("this do-not-disturb has already ended", field="dnd_id")
    try:
        period = dnd_rules.cancel_dnd(_dnd_domain(row), at=now, by=who(user), reason=reason)
    except dnd_rules.DndError as exc:
        raise Conflict(str(exc), field=exc.field) from None
    _end_dnd(session, row, period, now, settings.tz)
    audit.record(session, actor=actor(user), user_id=user.id, action="cancel", entity="dnd", entity_id=row.id,
                 detail={"reason": reason})
    return dnd_out(row, settings.tz, with_room=sees_rooms(user))


def cancel_room_dnd(session: Session, user: User, settings: Settings, room: str, *,
                    reason: str | None) -> dict[str, Any]:
    """Cancel the DND of a room given by number (the room board's D key): no DND id, which the
    DND list would join to the guest's name, is needed (R-H4, R-H8)."""
    r = session.scalar(select(Room).where(Room.number == normalize_room(room)).order_by(Room.id).limit(1))
    if r is None:
        raise NotFound("no such room", field="room")
    rows = active_dnd_rows(session, utcnow(), subject_kind="room", subject_id=r.id)
    if not rows:
        raise Conflict("do-not-disturb is not on for that room", field="room")
    for row in rows[1:]:
        cancel_dnd(session, user, settings, row.id, reason=reason)
    cancel_dnd(session, user, settings, rows[0].id, reason=reason)
    return _dnd_answer(rows[0], user, settings, by_room=True)


def end_dnd_if_due(session: Session, dnd_id: int, now: dt.datetime, settings: Settings) -> None:
    """The DND timer: the chosen end time passed, or the guest checked out."""
    row = session.get(DndPeriod, dnd_id)
    if row is None or row.ended_at is not None:
        return
    period = _dnd_domain(row)
    if row.until_checkout and row.stay_id:
        stay = session.get(Stay, row.stay_id)
        if stay is not None and (stay.status == "checked_out" or stay.departure <= now):
            period = dnd_rules.on_checkout(period, at=min(now, stay.departure) if stay.status != "checked_out"
                                           else min(now, max(stay.departure, row.set_at)))
        elif stay is not None:
            jobs.schedule(session, DND_END_JOB, f"dnd-end:{row.id}:checkout:{stay.departure.isoformat()}",
                          stay.departure, {"dnd_id": row.id})
    if period.active_at(now):
        return
    _end_dnd(session, row, period, now, settings.tz)
    audit.record(session, actor="system", action="end", entity="dnd", entity_id=row.id,
                 detail={"reason": row.end_reason})


def check_out(session: Session, stay_id: int, settings: Settings, *, at: dt.datetime | None = None,
              actor_name: str = "system") -> dict[str, Any]:
    """A guest checked out (from the hotel's PMS): the stay ends, DND ends (R-H8), the stay's
    wake-ups still to come are cancelled, and the room's message lamp goes out when no message
    is waiting for it. A repeated check-out changes nothing (``already_checked_out``)."""
    now = at or utcnow()
    stay = session.get(Stay, stay_id)
    if stay is None:
        raise NotFound("no such stay", field="stay_id")
    result: dict[str, Any] = {"stay_id": stay.id, "guest_id": stay.guest_id, "already_checked_out": False,
                              "dnd_ended": [], "wakeups_cancelled": [], "lamp_off": False}
    if stay.status == "checked_out":
        result["already_checked_out"] = True
        return result
    stay.status = "checked_out"
    stay.departure = min(stay.departure, now) if stay.departure > now else stay.departure
    audit.record(session, actor=actor_name, action="check_out", entity="stay", entity_id=stay.id)
    for row in session.scalars(select(DndPeriod).where(DndPeriod.stay_id == stay.id, DndPeriod.ended_at.is_(None))):
        # The guest has left: the room's DND ends now whatever end was chosen (R-H8), so the line
        # is released for the next guest.
        period = dnd_rules.on_checkout(replace(_dnd_domain(row), until_checkout=True), at=max(now, row.set_at))
        if not period.active_at(max(now, row.set_at)):
            _end_dnd(session, row, period, now, settings.tz)
            audit.record(session, actor=actor_name, action="end", entity="dnd", entity_id=row.id,
                         detail={"reason": "check_out"})
            result["dnd_ended"].append(row.id)
    from zongji.services import wakeups

    result["wakeups_cancelled"] = [w.id for w in wakeups.cancel_for_stay(
        session, stay.id, actor=actor_name, now=now, settings=settings)]
    ext = stay.room.extension
    waiting = session.scalar(select(func.count()).select_from(Message).where(
        Message.lamp_extension == ext, Message.state.not_in(("acknowledged", "void"))))
    if not waiting:
        queue_pbx(session, "lamp", now, extension=ext, on=False)
        result["lamp_off"] = True
    return result


def find_stay_by_room(session: Session, room_number: str, at: dt.datetime) -> Stay:
    room = session.scalar(select(Room).where(Room.number == normalize_room(room_number)))
    if room is None:
        raise NotFound("no such room", field="room")
    stay = room_occupant(session, room.id, at)
    if stay is None:
        raise NotFound("nobody is staying in that room", field="room")
    return stay


def list_dnd(session: Session, user: User, settings: Settings, *, at: dt.datetime | None = None) -> list[dict[str, Any]]:
    now = at or utcnow()
    rows = active_dnd_rows(session, now)
    with_room = sees_rooms(user)
    guest_ids = [r.guest_id for r in rows if r.guest_id]
    if guest_ids:
        audit_guest_reads(session, guest_ids, user=user, via="dnd_list")
    return [dnd_out(r, settings.tz, with_room=with_room) for r in rows]


def dnd_rows_for_handover(session: Session, at: dt.datetime) -> list[DndPeriod]:
    return active_dnd_rows(session, at)


def dnd_domain(p: DndPeriod, *, with_room: bool) -> dnd_rules.DndPeriod:
    """For the handover: ``with_room`` for roles that see guest and room together; for the others
    a DND set on a room names the room, one set on a guest the guest (guest_privacy, R-H4)."""
    d = _dnd_domain(p)
    if with_room:
        return d
    if p.addressed == guest_privacy.ROOM:
        return replace(d, subject_label=p.room_number or "", guest_name=None, room_number=None)
    return replace(d, room_number=None)


def message_domain(m: Message, *, with_room: bool = True) -> msg_rules.Message:
    d = _msg_domain(m)
    if not with_room and m.addressed == guest_privacy.ROOM:
        return replace(d, recipient_label=_message_room(m) or "")
    return d


# =========================================================================== lines, faults, alerts


def _line_by_code(session: Session, code: str) -> Line:
    line = session.scalar(select(Line).where(Line.code == code))
    if line is None:
        raise NotFound("no such line", field="code")
    return line


def _person_ref(p: Person | None) -> dict[str, Any] | None:
    if p is None:
        return None
    return {"id": p.id, "name": p.name, "title": p.title, "extension": p.extension, "mobile": p.mobile}


def line_greetings(session: Session, line: Line, at: dt.datetime, tz: ZoneInfo) -> dict[str, Any]:
    """The greeting the console shows for a call on this line now (external and internal caller),
    and the built-in one that applies when the line has no template of its own (R-H1, R-C1, R-S14,
    R-P10)."""
    from zongji.domain.greeting import greeting_for
    from zongji.services.calls import day_periods, line_info

    info, periods, local = line_info(line), day_periods(session), at.astimezone(tz)
    assert info is not None
    plain = replace(info, greeting_zh=None, greeting_en=None, internal_greeting_zh=None)
    return {
        "now": greeting_for(info, local, periods=periods).to_dict(),
        "now_internal": greeting_for(info, local, internal=True, periods=periods).to_dict(),
        "default": greeting_for(plain, local, periods=periods).to_dict(),
        "default_internal": greeting_for(plain, local, internal=True, periods=periods).to_dict(),
    }


def line_out(session: Session, line: Line, settings: Settings, at: dt.datetime) -> dict[str, Any]:
    ls = _line_settings(session, line)
    cfg = line_config(session, line, at)
    req = tr.TransferRequest(target=cfg.as_target(), caller=tr.Caller(), at=at, tz=settings.tz,
                             exceptions=statutory_exceptions(cfg.hours, at, settings.tz, session))
    route = tr.decide_transfer(req)
    open_faults = session.scalar(select(func.count()).select_from(LineFault).where(
        LineFault.line_id == line.id, LineFault.ended_at.is_(None))) or 0
    return {
        "code": line.code, "name": line.name, "kind": line.kind, "number": line.number,
        "inbound_only": line.inbound_only,
        "greeting_zh": line.greeting_zh, "greeting_en": line.greeting_en,
        "internal_greeting_zh": line.internal_greeting_zh,
        "greeting": line_greetings(session, line, at, settings.tz),
        "working_hours": ls.working_hours if ls else None,
        "hours_text": {"zh": cfg.hours.describe("zh"), "en": cfg.hours.describe("en")} if cfg.hours else None,
        "responsible": _person_ref(ls.responsible) if ls else None,
        "responsible_on_leave": bool(ls and ls.responsible_on_leave),
        "leave_until": iso(ls.leave_until, settings.tz) if ls else None,
        "deputy": _person_ref(ls.deputy) if ls else None,
        "after_hours": _person_ref(ls.after_hours) if ls else None,
        "silence_check": ls.silence_check if ls else True,
        "route_now": route.to_dict(),
        "open_faults": open_faults,
    }


def list_lines(session: Session, settings: Settings) -> list[dict[str, Any]]:
    now = utcnow()
    return [line_out(session, ln, settings, now) for ln in session.scalars(select(Line).order_by(Line.code))]


def get_line(session: Session, code: str, settings: Settings) -> dict[str, Any]:
    return line_out(session, _line_by_code(session, code), settings, utcnow())


_GREETING_FIELDS = ("greeting_zh", "greeting_en", "internal_greeting_zh")
_PLACEHOLDER = re.compile(r"\{([^{}]*)\}")
_KNOWN_PLACEHOLDERS = {"greeting", "organisation", "line"}
_LINE_NUMBER = re.compile(r"^\+?[0-9][0-9 -]{1,38}$")


def _update_line_row(session: Session, line: Line, values: Mapping[str, Any]) -> None:
    """The published line's own facts: name, number, kind, inbound-only (R-S1), greetings."""
    from zongji.services.cti import number_key

    if values.get("name") is not None:
        name = values["name"].replace("\x00", "").strip()
        if not name:
            raise Invalid("the line needs a name", field="name")
        line.name = name
    if values.get("number") is not None:
        number = values["number"].strip()
        if not _LINE_NUMBER.match(number):
            raise Invalid("a telephone number: digits, optionally + at the start, spaces or dashes", field="number")
        key = number_key(number)
        for other in session.scalars(select(Line).where(Line.id != line.id)):
            if number_key(other.number) == key:
                raise Conflict(f"line {other.code} already has the number {other.number}", field="number")
        line.number = number
    if values.get("kind") is not None:
        line.kind = line_rules.LineKind(values["kind"]).value
    if values.get("inbound_only") is not None:
        line.inbound_only = bool(values["inbound_only"])
    for key in _GREETING_FIELDS:
        if key not in values:
            continue
        text = (values[key] or "").replace("\x00", "").strip()
        unknown = [p for p in _PLACEHOLDER.findall(text) if p not in _KNOWN_PLACEHOLDERS]
        if unknown:
            raise Invalid(f"unknown placeholder {{{unknown[0]}}}; use {{greeting}}, {{organisation}} or {{line}}",
                          field=key)
        setattr(line, key, text or None)  # empty: the built-in greeting of the line's kind


def update_line_settings(session: Session, user: User, settings: Settings, code: str, values: Mapping[str, Any]) -> dict[str, Any]:
    line = _line_by_code(session, code)
    _update_line_row(session, line, values)
    ls = _line_settings(session, line)
    if ls is None:
        ls = LineSettings(line_id=line.id)
        session.add(ls)
    if "working_hours" in values:
        wh = values["working_hours"]
        if wh is not None:
            try:
                WorkingHours.parse(wh)
            except WorkingHoursError as exc:
                raise Invalid(exc.message, field=exc.field) from None
        ls.working_hours = wh
    for key in ("responsible_id", "deputy_id", "after_hours_id"):
        if key in values:
            pid = values[key]
            if pid is not None and session.get(Person, pid) is None:
                raise NotFound("no such person", field=key)
            setattr(ls, key, pid)
    if ls.deputy_id is not None and ls.deputy_id == ls.responsible_id:
        raise Invalid("the deputy must be someone other than the responsible person", field="deputy_id")
    for key in ("responsible_on_leave", "silence_check"):
        if key in values and values[key] is not None:
            setattr(ls, key, bool(values[key]))
    if "leave_until" in values:
        ls.leave_until = values["leave_until"]
    session.flush()
    session.expire(ls)
    audit.record(session, actor=actor(user), user_id=user.id, action="update", entity="line_settings",
                 entity_id=line.code, detail={k: (v if not isinstance(v, dt.datetime) else v.isoformat())
                                              for k, v in values.items()})
    ensure_silence_check(session, utcnow(), settings)
    return line_out(session, line, settings, utcnow())


def check_outbound(session: Session, code: str) -> dict[str, Any]:
    """R-S1: may an outbound call be placed on this line?"""
    line = _line_by_code(session, code)
    reason = line_rules.check_outbound(inbound_only=line.inbound_only, line_name=line.name)
    if reason is not None:
        raise Conflict(reason.zh + " / " + reason.en, field="code", code="inbound_only")
    return {"allowed": True}


VIOLATION_DAYS = 30  # how far back the lines page lists outbound calls on inbound-only lines


def flag_outbound_on_inbound_only(session: Session, *, call_id: int, line_code: str, line_name: str,
                                  calling: str, called: str, at: dt.datetime, tz: ZoneInfo) -> None:
    """R-S1: the PBX reported an outbound call on an inbound-only line. The call is recorded (it
    happened); supervisors are told in the console (notification), and it is audited and pushed
    on the live feed (topic ``line_violation``) for the lines page."""
    from zongji.services.notifications import notify

    reason = line_rules.check_outbound(inbound_only=True, line_name=line_name)
    assert reason is not None
    local = at.astimezone(tz)
    notify(session, kind="line_rule_violation", role="supervisor", external=False,
           subject=f"{line_name}有外呼（{called}），违反只接听规定",
           body=f"{local:%Y-%m-%d %H:%M} {calling} → {called}。{reason.zh}\n{reason.en}")
    audit.record(session, actor="system:cti", action="line_rule_violation", entity="call", entity_id=call_id,
                 detail={"line": line_code, "rule": "R-S1", "from": calling, "to": called})
    _feed(session, "line_violation", call_id, {"call_id": call_id, "line": {"code": line_code, "name": line_name},
                                               "called_number": called, "at": iso(at, tz)})


def list_violations(session: Session, settings: Settings, *, days: int = VIOLATION_DAYS) -> list[dict[str, Any]]:
    """Outbound calls reported on lines that are inbound-only (R-S1), newest first."""
    since = utcnow() - dt.timedelta(days=days)
    stmt = (select(Call).join(Line, Line.id == Call.line_id)
            .where(Line.inbound_only.is_(True), Call.direction == "out", Call.supplementary.is_(False),
                   Call.ringing_at >= since)
            .order_by(Call.ringing_at.desc()).limit(200))
    out = []
    for c in session.scalars(stmt):
        out.append({"call_id": c.id, "at": iso(c.ringing_at, settings.tz),
                    "line": {"code": c.line.code, "name": c.line.name} if c.line else None,
                    "calling_number": c.calling_number, "called_number": c.called_number,
                    "answered_by": who(c.answered_by) if c.answered_by else None})
    return out


def fault_out(f: LineFault, tz: ZoneInfo) -> dict[str, Any]:
    return {"id": f.id, "line": {"code": f.line.code, "name": f.line.name}, "cause": f.cause,
            "started_at": iso(f.started_at, tz), "reported_at": iso(f.reported_at, tz),
            "reported_by": f.reported_by, "reported_to": f.reported_to, "ended_at": iso(f.ended_at, tz),
            "resolution": f.resolution, "closed_by": f.closed_by, "open": f.ended_at is None}


def open_fault(session: Session, user: User | None, settings: Settings, code: str, *, cause: str,
               started_at: dt.datetime | None, reported_to: str | None) -> dict[str, Any]:
    line = _line_by_code(session, code)
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
    _feed(session, "fault", row.id, out)
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
    _feed(session, "fault", row.id, out)
    return out


def list_faults(session: Session, settings: Settings, *, open_only: bool) -> list[dict[str, Any]]:
    stmt = select(LineFault).order_by(LineFault.started_at.desc()).limit(200)
    if open_only:
        stmt = stmt.where(LineFault.ended_at.is_(None))
    return [fault_out(f, settings.tz) for f in session.scalars(stmt)]


def open_fault_rows(session: Session) -> list[LineFault]:
    return list(session.scalars(select(LineFault).where(LineFault.ended_at.is_(None)).order_by(LineFault.started_at)))


def alert_out(a: SilenceAlert, tz: ZoneInfo) -> dict[str, Any]:
    mins = int(a.silent_minutes)
    return {"id": a.id, "line": {"code": a.line.code, "name": a.line.name}, "silent_since": iso(a.silent_since, tz),
            "raised_at": iso(a.raised_at, tz), "silent_minutes": mins,
            "threshold_minutes": round(a.threshold_minutes, 1),
            "usual_minutes": round(a.usual_minutes, 1) if a.usual_minutes is not None else None, "basis": a.basis,
            "message": {"zh": f"线路 {a.line.name} 已 {mins} 分钟没有来电，超过平常，请拨打测试电话。",
                        "en": f"Line {a.line.name} has had no calls for {mins} minutes, longer than usual: "
                              "make a test call."},
            "test_call_ok": a.test_call_ok, "test_call_at": iso(a.test_call_at, tz), "test_call_by": a.test_call_by,
            "fault_id": a.fault_id, "open": a.test_call_at is None}


def list_alerts(session: Session, settings: Settings, *, open_only: bool = True) -> list[dict[str, Any]]:
    stmt = select(SilenceAlert).order_by(SilenceAlert.raised_at.desc()).limit(100)
    if open_only:
        stmt = stmt.where(SilenceAlert.test_call_at.is_(None))
    return [alert_out(a, settings.tz) for a in session.scalars(stmt)]


def record_test_call(session: Session, user: User, settings: Settings, alert_id: int, *, ok: bool,
                     cause: str | None) -> dict[str, Any]:
    a = session.get(SilenceAlert, alert_id)
    if a is None:
        raise NotFound("no such alert", field="alert_id")
    if a.test_call_at is not None:
        raise Conflict("the test call was already recorded", field="alert_id")
    now = utcnow()
    a.test_call_ok, a.test_call_at, a.test_call_by = ok, now, who(user)
    if not ok:
        if not (cause or "").strip():
            raise Invalid("say what is wrong with the line", field="cause")
        fault = open_fault(session, user, settings, a.line.code, cause=cause, started_at=a.silent_since,
                           reported_to=None)
        a.fault_id = fault["id"]
    audit.record(session, actor=actor(user), user_id=user.id, action="test_call", entity="silence_alert",
                 entity_id=a.id, detail={"ok": ok, "cause": cause})
    session.flush()
    out = alert_out(a, settings.tz)
    _feed(session, "alert", a.id, out)
    return out


def silence_policy(settings: Settings) -> line_rules.SilencePolicy:
    return line_rules.SilencePolicy(minimum_minutes=settings.line_silence_minimum_minutes,
                                    factor=settings.line_silence_factor)


def check_line_silence(session: Session, now: dt.datetime, settings: Settings) -> list[int]:
    """R-S3: raise an alert for each checked line silent longer than usual (once per silence)."""
    policy = silence_policy(settings)
    raised: list[int] = []
    for ls in session.scalars(select(LineSettings).where(LineSettings.silence_check.is_(True))):
        line = ls.line
        since = now - dt.timedelta(days=policy.history_days)
        times = list(session.scalars(select(Call.ringing_at).where(
            Call.line_id == line.id, Call.direction == "in", Call.ringing_at >= since,
            Call.ringing_at <= now).order_by(Call.ringing_at)))
        last = times[-1] if times else None
        usual = line_rules.usual_gaps(times, settings.tz, policy)
        alert = line_rules.check_silence(line_code=line.code, last_call_at=last, now=now, tz=settings.tz,
                                         usual=usual, policy=policy, hours=_hours(ls.working_hours))
        if alert is None:
            continue
        exists = session.scalar(select(SilenceAlert.id).where(SilenceAlert.line_id == line.id,
                                                              SilenceAlert.silent_since == alert.silent_since))
        if exists:
            continue
        row = SilenceAlert(line_id=line.id, silent_since=alert.silent_since, raised_at=now,
                           silent_minutes=alert.silent_minutes, threshold_minutes=alert.threshold_minutes,
                           usual_minutes=alert.usual_minutes, basis=alert.basis)
        session.add(row)
        session.flush()
        audit.record(session, actor="system", action="create", entity="silence_alert", entity_id=row.id,
                     detail={"line": line.code, "silent_minutes": int(alert.silent_minutes)})
        _feed(session, "alert", row.id, alert_out(row, settings.tz))
        raised.append(row.id)
    return raised


def ensure_silence_check(session: Session, now: dt.datetime, settings: Settings) -> None:
    """Keep one pending periodic silence check scheduled (idempotent per period)."""
    period = dt.timedelta(minutes=max(1, settings.line_silence_check_minutes))
    slot = dt.datetime.fromtimestamp((now.timestamp() // period.total_seconds() + 1) * period.total_seconds(), dt.UTC)
    jobs.schedule(session, SILENCE_JOB, f"silence-check:{slot.isoformat()}", slot, {})


__all__ = [
    "TelephonyUnavailable",
    "adapter_for",
    "check_line_silence",
    "decide",
    "decide_and_record_refusal",
    "on_cti_reports",
    "record_attempt",
    "start_transfer",
    "take_message",
    "set_dnd",
]
