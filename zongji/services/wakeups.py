"""Wake-up calls (叫醒服务， R-H9): booking, the night list, escalation and the worker's records.

The rules are in :mod:`zongji.domain.wakeups` (pure); this module loads rows, applies the
domain's transitions, carries out the effects (tasks, console alerts, handover) and schedules
the worker's jobs, all in the caller's transaction. Every change is audited and writes a
``FeedItem(topic="wakeup")`` so every console's board moves at once; escalations also write a
``FeedItem(topic="alert")``.

Jobs (zongji.store.jobs), placed by :mod:`zongji.worker.wakeup_dialler`:

    wakeup.call       key ``wakeup:<id>:<attempt>``   due at the attempt's time
    wakeup.preflight  key ``wakeup-preflight:<local date>``  before the day's earliest wake-up
"""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass
from typing import Any, Iterable
from zoneinfo import ZoneInfo

from sqlalchemy import func, or_, select
from sqlalchemy import text as sql_text
from sqlalchemy.orm import Session

from zongji.domain import wakeups as dom
from zongji.domain.caller_id import stay_in_house
from zongji.domain.room_numbers import normalize_room, room_sort_key
from zongji.errors import Conflict, Invalid, NotFound
from zongji.services import audit
from zongji.services import live_feed, notifications
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.models import Call, Department, FeedItem, Job, Room, Stay, User, utcnow
from zongji.store.wakeup_models import Wakeup, WakeupAttempt, WakeupCheck, WakeupTask
from zongji.telephony.adapter import CallOutcome, CallResult
from zongji.telephony.causes import explain as explain_cause

CALL_JOB = "wakeup.call"
PREFLIGHT_JOB = "wakeup.preflight"
# Pre-flight outcome when no test extension is configured: health checked, no test call made.
PREFLIGHT_NO_TARGET = "no_test_extension"
WATCHDOG_JOB = "wakeup.watchdog"
MAX_NOTE = 500


def policy_from(settings: Settings) -> dom.WakeupPolicy:
    return dom.WakeupPolicy(
        retry_interval_minutes=settings.wakeup_retry_interval_minutes,
        retry_window_minutes=settings.wakeup_retry_window_minutes,
        confirm_key=settings.wakeup_confirm_key, snooze_key=settings.wakeup_snooze_key,
        snooze_minutes=settings.wakeup_snooze_minutes, max_snoozes=settings.wakeup_max_snoozes,
        ring_timeout_seconds=settings.wakeup_ring_seconds,
        key_timeout_seconds=settings.wakeup_key_seconds,
        preflight_minutes=settings.wakeup_preflight_minutes)


def call_job_key(wakeup_id: int, attempt: int) -> str:
    return f"wakeup:{wakeup_id}:{attempt}"


def external_call_id_for(wakeup_id: int, attempt: int) -> str:
    return f"wakeup-{wakeup_id}-{attempt}"


def _iso(t: dt.datetime | None, tz: ZoneInfo) -> str | None:
    return t.astimezone(tz).isoformat() if t else None


# --------------------------------------------------------------------------- rows ↔ domain


def _state(w: Wakeup, tz: ZoneInfo) -> dom.WakeupState:
    def loc(t):
        return t.astimezone(tz) if t else None

    attempts = tuple(
        dom.Attempt(number=a.number, started_at=loc(a.started_at), ended_at=loc(a.ended_at),
                    outcome=CallOutcome(a.outcome) if a.outcome in CallOutcome._value2member_map_
                    else None, key=a.key)
        for a in sorted(w.attempts, key=lambda a: a.number))
    return dom.WakeupState(
        wake_at=loc(w.wake_at), status=dom.WakeupStatus(w.status),
        next_attempt_at=loc(w.next_attempt_at), window_ends_at=loc(w.window_ends_at),
        attempts=attempts, snoozes=w.snoozes, reached_at=loc(w.reached_at),
        reached_by=w.reached_by, minutes_late=w.minutes_late, escalated_at=loc(w.escalated_at),
        escalation_reason=w.escalation_reason, note=w.note or "")


def _store(w: Wakeup, s: dom.WakeupState) -> None:
    w.status = s.status.value
    w.next_attempt_at = s.next_attempt_at
    w.window_ends_at = s.window_ends_at
    w.snoozes = s.snoozes
    w.reached_at = s.reached_at
    w.reached_by = s.reached_by
    w.minutes_late = s.minutes_late
    w.escalated_at = s.escalated_at
    w.escalation_reason = s.escalation_reason
    w.updated_at = utcnow()


def attempt_out(a: WakeupAttempt, tz: ZoneInfo) -> dict[str, Any]:
    return {"number": a.number, "call_id": a.external_call_id, "state": a.state,
            "due_at": _iso(a.due_at, tz), "started_at": _iso(a.started_at, tz),
            "placed_at": _iso(a.placed_at, tz), "answered_at": _iso(a.answered_at, tz),
            "ended_at": _iso(a.ended_at, tz), "outcome": a.outcome, "key": a.key,
            "sip_status": a.sip_status, "reason": a.reason, "recovered": a.recovered}


def booker_name(w: Wakeup) -> str:
    """Who booked it as people say it: name and work number (王小红(1001)); an integration
    (``token:pms``) by its name."""
    u = w.booked_by_user
    if u is not None:
        return f"{u.display_name}({u.operator_number})" if u.operator_number else u.display_name
    return (w.booked_by or "").split(":", 1)[-1]


def wakeup_out(w: Wakeup, tz: ZoneInfo, *, live_answered: bool = False) -> dict[str, Any]:
    status = w.status
    if status == "calling" and live_answered:
        status = "answered"
    return {
        "id": w.id, "series_id": w.series_id, "room": w.room_number, "addressed": w.addressed or "room",
        "floor": w.room.floor if w.room else None,
        "extension": w.room.extension if w.room else None,
        "wake_at": _iso(w.wake_at, tz), "local_time": w.wake_at.astimezone(tz).strftime("%H:%M"),
        "local_date": w.wake_at.astimezone(tz).date().isoformat(),
        "repeat_daily": w.repeat_daily, "repeat_until": w.repeat_until,
        "languages": [x for x in w.languages.split(",") if x], "note": w.note,
        "booked_by": w.booked_by, "booked_by_name": booker_name(w),
        "booked_at": _iso(w.booked_at, tz), "channel": w.channel,
        "readback_confirmed": w.readback_confirmed, "status": status,
        "next_attempt_at": _iso(w.next_attempt_at, tz),
        "window_ends_at": _iso(w.window_ends_at, tz), "snoozes": w.snoozes,
        "attempt_count": len(w.attempts), "reached_at": _iso(w.reached_at, tz),
        "reached_by": w.reached_by, "minutes_late": w.minutes_late,
        "escalated_at": _iso(w.escalated_at, tz), "escalation_reason": w.escalation_reason,
        "cancelled_at": _iso(w.cancelled_at, tz),
        "attempts": [attempt_out(a, tz) for a in sorted(w.attempts, key=lambda a: a.number)],
    }


def task_out(t: WakeupTask, tz: ZoneInfo, w: Wakeup | None = None) -> dict[str, Any]:
    return {"id": t.id, "wakeup_id": t.wakeup_id, "kind": t.kind, "room": t.room_number,
            "addressed": (w.addressed if w is not None else None) or "room",
            "floor": t.floor, "text": t.text, "state": t.state, "unit_id": t.unit_id,
            "created_at": _iso(t.created_at, tz), "done_at": _iso(t.done_at, tz),
            "done_by": t.done_by,
            "no_response_at": _iso(t.no_response_at, tz), "no_response_by": t.no_response_by,
            "no_response_minutes_late": t.no_response_minutes_late,
            "wake_at": _iso(w.wake_at, tz) if w is not None else None,
            "local_time": w.wake_at.astimezone(tz).strftime("%H:%M") if w is not None else None,
            "escalation_reason": w.escalation_reason if w is not None else None,
            "minutes_late": w.minutes_late if w is not None else None,
            "reached_by": w.reached_by if w is not None else None}


def _publish(session: Session, w: Wakeup, tz: ZoneInfo) -> None:
    session.flush()
    live_feed.publish(session, "wakeup", w.id, wakeup_out(w, tz))


# --------------------------------------------------------------------------- booking


@dataclass
class Booking:
    room: str
    wake_at: dt.datetime | None = None
    time: str | None = None  # "0700" / "7:00": the next time the clock shows it
    date: dt.date | None = None  # with ``time``: that local date
    repeat_daily: bool = False
    until: dt.date | None = None
    languages: tuple[str, ...] = dom.LANGUAGES
    note: str = ""
    readback_confirmed: bool = False
    # "room" (the room was given) or "guest" (found from the caller's stay: never shown to
    # operators, zongji.domain.guest_privacy).
    addressed: str = "room"
    # Book even though the room has an open wake-up at that time (the read-back warned).
    confirm_duplicate: bool = False


def _room(session: Session, number: str) -> Room:
    number = normalize_room(number)
    if not number:
        raise Invalid("Give the room number.", field="room")
    room = session.scalar(select(Room).where(Room.number == number).order_by(Room.id).limit(1))
    if room is None:
        raise Invalid(f"There is no room {number}.", field="room", code="unknown_room")
    return room


def _current_stay(session: Session, room: Room, at: dt.datetime) -> Stay | None:
    stays = session.scalars(select(Stay).where(Stay.room_id == room.id, Stay.status != "checked_out")
                            .order_by(Stay.arrival.desc()))
    for st in stays:
        if stay_in_house(st.status, st.arrival, st.departure, at):
            return st
    return None


def _resolve_time(b: Booking, now: dt.datetime, tz: ZoneInfo) -> dt.datetime:
    if b.wake_at is not None:
        if b.wake_at.tzinfo is None:
            return b.wake_at.replace(tzinfo=tz)
        return b.wake_at
    if not b.time:
        raise Invalid("Give the wake-up time.", field="wake_at")
    t = dom.parse_wake_time(b.time)
    if b.date is not None:
        return dt.datetime.combine(b.date, t, tzinfo=tz)
    return dom.next_wake_at(t, now, tz)


def _request(session: Session, b: Booking, now: dt.datetime, settings: Settings):
    tz = settings.tz
    room = _room(session, b.room)
    wake_at = _resolve_time(b, now, tz).astimezone(tz)
    note = (b.note or "").strip()
    if len(note) > MAX_NOTE:
        raise Invalid(f"The note is longer than {MAX_NOTE} characters.", field="note")
    stay = _current_stay(session, room, now)
    occupancy = dom.RoomOccupancy(room.number, stay is not None,
                                  stay.departure.astimezone(tz) if stay else None)
    req = dom.WakeupRequest(room_number=room.number, wake_at=wake_at, repeat_daily=b.repeat_daily,
                            until=b.until, languages=tuple(b.languages), note=note)
    occurrences = dom.validate_booking(req, occupancy, now, policy_from(settings))
    return room, stay, req, occurrences


def preview(session: Session, b: Booking, *, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """What the console reads back to the guest before the booking is saved (R-H9)."""
    tz = settings.tz
    room, stay, req, occ = _request(session, b, now, settings)
    return {"room": room.number, "wake_at": occ[0].isoformat(),
            "duplicates": [_duplicate_out(w, tz) for w in _duplicates(session, room, occ, settings)],
            "occurrences": [o.isoformat() for o in occ],
            "readback": {"zh": dom.readback_text(req, now, "zh", occ),
                         "en": dom.readback_text(req, now, "en", occ)},
            "departure": _iso(stay.departure, tz) if stay else None}


def _duplicates(session: Session, room: Room, occ: list[dt.datetime], settings: Settings) -> list[Wakeup]:
    """Open wake-ups of the room that the wanted times repeat (same minute, or within
    ``wakeup_duplicate_window_minutes``)."""
    window = dt.timedelta(minutes=settings.wakeup_duplicate_window_minutes)
    lo, hi = min(occ) - window - dt.timedelta(minutes=1), max(occ) + window + dt.timedelta(minutes=1)
    rows = list(session.scalars(select(Wakeup).where(
        Wakeup.room_id == room.id, Wakeup.wake_at >= lo, Wakeup.wake_at <= hi,
        Wakeup.status.in_([str(s) for s in (*dom.WAITING, *dom.IN_CALL)])).order_by(Wakeup.wake_at)))
    hit = set(dom.duplicate_of([(w.id, w.wake_at) for w in rows], occ, window))
    return [w for w in rows if w.id in hit]


def _duplicate_out(w: Wakeup, tz: ZoneInfo) -> dict[str, Any]:
    return {"id": w.id, "wake_at": _iso(w.wake_at, tz), "local_time": w.wake_at.astimezone(tz).strftime("%H:%M"),
            "local_date": w.wake_at.astimezone(tz).date().isoformat(), "booked_by_name": booker_name(w)}


def book(session: Session, b: Booking, *, actor: str, now: dt.datetime, settings: Settings,
         user_id: int | None = None, channel: str = "console") -> list[Wakeup]:
    """Book a wake-up (one row per occurrence); refuses with the reason and the field at fault."""
    if channel == "console" and not b.readback_confirmed:
        raise Invalid("Read the wake-up back to the guest and confirm it first.",
                      field="readback_confirmed", code="readback_required")
    tz = settings.tz
    room, stay, req, occ = _request(session, b, now, settings)
    same = _duplicates(session, room, occ, settings)
    if same and not b.confirm_duplicate:
        first = same[0]
        raise Conflict(f"Room {room.number} already has a wake-up at "
                       f"{first.wake_at.astimezone(tz).strftime('%m-%d %H:%M')} (booked by {booker_name(first)}); "
                       "confirm to book another.", field="wake_at", code="duplicate_wakeup")
    policy = policy_from(settings)
    series = uuid.uuid4().hex
    until = occ[-1].date().isoformat() if b.repeat_daily else None
    rows = []
    for t in occ:
        st = dom.new_wakeup(t, policy, note=req.note)
        w = Wakeup(room_id=room.id, room_number=room.number, stay_id=stay.id if stay else None,
                   guest_id=stay.guest_id if stay else None, series_id=series, wake_at=t,
                   repeat_daily=b.repeat_daily, repeat_until=until,
                   languages=",".join(req.languages), note=req.note, booked_by=actor,
                   booked_by_user_id=user_id, booked_at=now, channel=channel,
                   readback_confirmed=b.readback_confirmed, addressed=b.addressed)
        w.attempts = []
        _store(w, st)
        session.add(w)
        session.flush()
        jobs.schedule(session, CALL_JOB, call_job_key(w.id, 1), t, {"wakeup_id": w.id, "attempt": 1})
        _schedule_watchdog(session, w, settings)
        schedule_preflight(session, t, settings)
        rows.append(w)
        _publish(session, w, tz)
    audit.record(session, actor=actor, user_id=user_id, action="wakeup.book", entity="wakeup",
                 entity_id=rows[0].id, detail={
                     "room": room.number, "wake_at": occ[0].isoformat(), "occurrences": len(occ),
                     "repeat_daily": b.repeat_daily, "until": until, "series_id": series,
                     "languages": list(req.languages), "channel": channel,
                     "readback_confirmed": b.readback_confirmed})
    return rows


def _schedule_watchdog(session: Session, w: Wakeup, settings: Settings, *,
                       reschedule: bool = False) -> None:
    grace = settings.wakeup_watchdog_seconds
    jobs.schedule(session, WATCHDOG_JOB, f"wakeup-watchdog:{w.id}",
                  w.wake_at + dt.timedelta(seconds=grace), {"wakeup_id": w.id, "grace": grace},
                  reschedule=reschedule)


def _for_update(session: Session, query, *, skip_locked: bool = False):
    """Lock the selected wake-ups on PostgreSQL (SQLite serialises writers already), so a change
    here and the dialler's never act on the same wake-up from stale state."""
    if session.get_bind().dialect.name == "postgresql":
        return query.with_for_update(of=Wakeup, skip_locked=skip_locked)
    return query


def get(session: Session, wakeup_id: int, *, lock: bool = False) -> Wakeup:
    q = select(Wakeup).where(Wakeup.id == wakeup_id)
    w = session.scalar(_for_update(session, q) if lock else q)
    if w is None:
        raise NotFound(f"No wake-up {wakeup_id}.", field="id")
    return w


def change(session: Session, wakeup_id: int, *, actor: str, now: dt.datetime, settings: Settings,
           wake_at: dt.datetime | None = None, time: str | None = None,
           languages: tuple[str, ...] | None = None, note: str | None = None,
           user_id: int | None = None) -> Wakeup:
    """Move a wake-up that has not started calling, or change its languages or note."""
    tz = settings.tz
    w = get(session, wakeup_id, lock=True)
    if w.status != "due" or w.attempts:
        raise Invalid(f"The wake-up is {w.status}; only a wake-up not yet called can be changed.",
                      field="status", code="not_changeable")
    before = {"wake_at": w.wake_at.isoformat(), "languages": w.languages, "note": w.note}
    new_time = w.wake_at
    if wake_at is not None or time is not None:
        local = w.wake_at.astimezone(tz)
        b = Booking(room=w.room_number, wake_at=wake_at, time=time,
                    date=local.date() if time is not None and wake_at is None else None,
                    languages=tuple(languages or w.languages.split(",")))
        _, stay, _, occ = _request(session, b, now, settings)
        new_time = occ[0]
    if languages is not None:
        langs = tuple(languages)
        if not langs or any(x not in dom.LANGUAGES for x in langs):
            raise Invalid(f"Languages must be among {', '.join(dom.LANGUAGES)}.", field="languages")
        w.languages = ",".join(langs)
    if note is not None:
        if len(note) > MAX_NOTE:
            raise Invalid(f"The note is longer than {MAX_NOTE} characters.", field="note")
        w.note = note.strip()
    if new_time != w.wake_at:
        w.wake_at = new_time
        _store(w, dom.new_wakeup(new_time.astimezone(tz), policy_from(settings), note=w.note))
        jobs.schedule(session, CALL_JOB, call_job_key(w.id, 1), new_time,
                      {"wakeup_id": w.id, "attempt": 1}, reschedule=True)
        _schedule_watchdog(session, w, settings, reschedule=True)
        schedule_preflight(session, new_time, settings)
    audit.record(session, actor=actor, user_id=user_id, action="wakeup.change", entity="wakeup",
                 entity_id=w.id, detail={"before": before, "after": {
                     "wake_at": w.wake_at.isoformat(), "languages": w.languages, "note": w.note}})
    _publish(session, w, tz)
    return w


def cancel(session: Session, wakeup_id: int, *, actor: str, now: dt.datetime, settings: Settings,
           series: bool = False, user_id: int | None = None) -> list[Wakeup]:
    """Cancel a wake-up (or, with ``series``, every later one of its daily repeat)."""
    tz = settings.tz
    w = get(session, wakeup_id, lock=True)
    targets = [w]
    if series:
        targets = list(session.scalars(_for_update(session, select(Wakeup).where(
            Wakeup.series_id == w.series_id, Wakeup.wake_at >= w.wake_at,
            Wakeup.status.in_(["due", "retrying", "snoozed", "escalated"])).order_by(Wakeup.wake_at))))
        if w not in targets:
            targets.insert(0, w)
    done = []
    for x in targets:
        try:
            tr = dom.cancel(_state(x, tz), now)
        except dom.InvalidTransition as exc:
            if x is w:
                raise Invalid(exc.message if hasattr(exc, "message") else str(exc),
                              field="status", code="not_cancellable") from exc
            continue
        _store(x, tr.state)
        x.cancelled_at, x.cancelled_by = now, actor
        jobs.cancel(session, call_job_key(x.id, len(x.attempts) + 1))
        _effects(session, x, tr.effects, now, settings, actor=actor)
        _publish(session, x, tz)
        done.append(x)
    audit.record(session, actor=actor, user_id=user_id, action="wakeup.cancel", entity="wakeup",
                 entity_id=w.id, detail={"ids": [x.id for x in done], "series": series})
    return done


def cancel_for_stay(session: Session, stay_id: int, *, actor: str, now: dt.datetime,
                    settings: Settings) -> list[Wakeup]:
    """The guest checked out (issue 3, PMS check-out): cancel the stay's wake-ups still to come."""
    tz = settings.tz
    done = []
    for x in session.scalars(_for_update(session, select(Wakeup).where(
            Wakeup.stay_id == stay_id, Wakeup.wake_at > now,
            Wakeup.status.in_(["due", "retrying", "snoozed"])).order_by(Wakeup.wake_at))):
        try:
            tr = dom.cancel(_state(x, tz), now)
        except dom.InvalidTransition:
            continue
        _store(x, tr.state)
        x.cancelled_at, x.cancelled_by = now, actor
        jobs.cancel(session, call_job_key(x.id, len(x.attempts) + 1))
        _effects(session, x, tr.effects, now, settings, actor=actor)
        _publish(session, x, tz)
        done.append(x)
    if done:
        audit.record(session, actor=actor, action="wakeup.cancel", entity="wakeup", entity_id=done[0].id,
                     detail={"ids": [x.id for x in done], "reason": "check_out", "stay_id": stay_id})
    return done


def mark_reached(session: Session, wakeup_id: int, *, by: str, actor: str, now: dt.datetime,
                 settings: Settings, user_id: int | None = None) -> Wakeup:
    """Somebody reached the guest (at the door, or by phone from the console): done, with the
    minutes late (R-H9). Closes the wake-up's open tasks and alerts."""
    tz = settings.tz
    w = get(session, wakeup_id, lock=True)
    try:
        tr = dom.mark_reached(_state(w, tz), now, by)
    except dom.InvalidTransition as exc:
        raise Invalid(str(exc.message if hasattr(exc, "message") else exc), field="status",
                      code="not_open") from exc
    _store(w, tr.state)
    w.reached_recorded_by = actor
    jobs.cancel(session, call_job_key(w.id, len(w.attempts) + 1))
    _effects(session, w, tr.effects, now, settings, actor=actor)
    # Reached without an escalation (e.g. the operator phoned while it was retrying): no tasks.
    audit.record(session, actor=actor, user_id=user_id, action="wakeup.reached", entity="wakeup",
                 entity_id=w.id, detail={"by": by, "minutes_late": w.minutes_late})
    _publish(session, w, tz)
    return w


# --------------------------------------------------------------------------- effects


def _effects(session: Session, w: Wakeup, effects: Iterable[dom.Effect], now: dt.datetime,
             settings: Settings, *, actor: str = "system:wakeup") -> None:
    tz = settings.tz
    for e in effects:
        if e.kind in (dom.EffectKind.KNOCK_ON_DOOR, dom.EffectKind.MANUAL_CALL):
            kind = "knock_on_door" if e.kind is dom.EffectKind.KNOCK_ON_DOOR else "manual_call"
            task = WakeupTask(wakeup_id=w.id, kind=kind, room_number=w.room_number,
                              floor=w.room.floor if w.room else None, text=e.text,
                              created_at=now)
            session.add(task)
            if kind == "knock_on_door":
                _address_knock_task(session, w, task, now, settings)
            _publish_task(session, task, w, tz)
        elif e.kind is dom.EffectKind.ALERT_OPERATORS:
            live_feed.publish(session, "alert", f"wakeup:{w.id}", {
                "kind": "wakeup_escalated", "reason": e.reason, "wakeup_id": w.id,
                "room": w.room_number, "text": e.text, "at": now.astimezone(tz).isoformat()})
        elif e.kind is dom.EffectKind.HANDOVER_ENTRY:
            # The handover lists escalated wake-ups from these rows (handover_section).
            audit.record(session, actor=actor, action="wakeup.handover_entry", entity="wakeup",
                         entity_id=w.id, detail={"text": e.text})
        elif e.kind is dom.EffectKind.RESOLVE_ESCALATION:
            for t in session.scalars(select(WakeupTask).where(WakeupTask.wakeup_id == w.id,
                                                              WakeupTask.state == "open")):
                # Cancelled, or no longer needed (telephony restored: calling resumes) vs done.
                t.state = "cancelled" if e.reason in ("cancelled", "telephony_restored") else "done"
                t.done_at, t.done_by = now, actor
                _publish_task(session, t, w, tz)
            live_feed.publish(session, "alert", f"wakeup:{w.id}", {
                "kind": "wakeup_resolved", "wakeup_id": w.id, "room": w.room_number,
                "text": e.text, "at": now.astimezone(tz).isoformat()})


def tasks(session: Session, *, tz: ZoneInfo, state: str | None = "open",
          kind: str | None = None, unit_id: int | None = None) -> list[dict[str, Any]]:
    """Wake-up tasks in wake-up time order; ``unit_id``: only those addressed to that unit."""
    q = select(WakeupTask, Wakeup).join(Wakeup, Wakeup.id == WakeupTask.wakeup_id)
    if state:
        q = q.where(WakeupTask.state == state)
    if kind:
        q = q.where(WakeupTask.kind == kind)
    if unit_id is not None:
        q = q.where(WakeupTask.unit_id == unit_id)
    q = q.order_by(Wakeup.wake_at, WakeupTask.id)
    pairs = sorted(session.execute(q), key=lambda p: (p[1].wake_at, room_sort_key(p[1].room_number), p[0].id))
    out = [task_out(t, tz, w) for t, w in pairs]
    # Who called the duty manager, by name (operators phone that person back).
    names = {x["no_response_by"][5:] for x in out if (x["no_response_by"] or "").startswith("user:")}
    if names:
        known = dict(session.execute(select(User.username, User.display_name)
                                     .where(User.username.in_(names))).all())
        for x in out:
            x["no_response_by_name"] = known.get((x["no_response_by"] or "")[5:])
    return out


# --------------------------------------------------------------------------- tasks for people


def knock_unit(session: Session, settings: Settings) -> Department | None:
    """The department that knocks on doors (setting ``wakeup_knock_unit``: name, English name or
    id; default the guest-service centre 客房服务中心, R-H9 "notify the housekeeping centre")."""
    key = (settings.wakeup_knock_unit or "").strip()
    if not key:
        return None
    if key.isdigit():
        return session.get(Department, int(key))
    return session.scalar(select(Department).where(
        (Department.name == key) | (Department.name_en == key)).order_by(Department.id).limit(1))


def _address_knock_task(session: Session, w: Wakeup, task: WakeupTask, now: dt.datetime,
                        settings: Settings) -> None:
    """A knock-on-door task goes to the guest-service centre, whose handlers are notified (the
    bell, and e-mail/SMS to the unit's contacts) — R-H9."""
    unit = knock_unit(session, settings)
    if unit is None:
        return  # no such department configured: the operators' alert bar still shows it
    task.unit_id = unit.id
    when = w.wake_at.astimezone(settings.tz).strftime("%H:%M")
    notifications.notify(
        session, kind="wakeup_knock", unit_id=unit.id, now=now,
        subject=f"叫醒未应答：{w.room_number}房（{when}），请派楼层服务员敲门 / "
                f"Wake-up not answered: room {w.room_number} ({when}), knock on the door",
        body=task.text)


def _publish_task(session: Session, task: WakeupTask, w: Wakeup, tz: ZoneInfo) -> None:
    """Live update of one task: consoles, and the handlers of the unit it is addressed to."""
    session.flush()
    live_feed.publish(session, "wakeup_task", task.id, task_out(task, tz, w))


def task_for(session: Session, task_id: int, *, unit_id: int | None = None,
             lock: bool = False) -> WakeupTask:
    """One task; with ``unit_id`` only a task addressed to that unit (else not found)."""
    task = session.get(WakeupTask, task_id)
    if task is None or (unit_id is not None and task.unit_id != unit_id):
        raise NotFound(f"No task {task_id}.", field="task_id")
    if lock:
        get(session, task.wakeup_id, lock=True)
        session.refresh(task)
    return task


def complete_task(session: Session, task_id: int, *, actor: str, now: dt.datetime,
                  settings: Settings, user_id: int | None = None,
                  unit_id: int | None = None) -> Wakeup:
    """The guest is awake (reached at the door, or by phone from the manual call list): the
    wake-up is done with its minutes late, its tasks closed and the alerts cleared (R-H9)."""
    task = task_for(session, task_id, unit_id=unit_id)
    if task.state != "open":
        raise Invalid(f"The task is already {task.state}.", field="task_id", code="not_open")
    by = "door" if task.kind == "knock_on_door" else "operator"
    return mark_reached(session, task.wakeup_id, by=by, actor=actor, user_id=user_id, now=now,
                        settings=settings)


def task_no_response(session: Session, task_id: int, *, actor: str, now: dt.datetime,
                     settings: Settings, user_id: int | None = None,
                     unit_id: int | None = None) -> WakeupTask:
    """Nobody answers the door: record who and when, and how many minutes late the guest is by
    now; every console is alerted to call the duty manager, the handover notes it. The task stays
    open until somebody records the guest awake (R-H9: "until the guest is awake")."""
    tz = settings.tz
    task = task_for(session, task_id, unit_id=unit_id, lock=True)
    if task.kind != "knock_on_door":
        raise Invalid("Only a knock-on-door task can be escalated to the duty manager.",
                      field="task_id", code="not_knock")
    if task.state != "open":
        raise Invalid(f"The task is already {task.state}.", field="task_id", code="not_open")
    if task.no_response_at is not None:
        raise Invalid("The duty manager has already been called for this room.",
                      field="task_id", code="already_escalated")
    w = get(session, task.wakeup_id)
    late = dom.minutes_late(w.wake_at, now)
    task.no_response_at, task.no_response_by, task.no_response_minutes_late = now, actor, late
    text = (f"{w.room_number} 叫醒 {w.wake_at.astimezone(tz).strftime('%H:%M')}：敲门无应答，"
            f"已迟{late}分钟，请通知值班经理 / no answer at the door, {late} min late, "
            f"call the duty manager")
    audit.record(session, actor=actor, user_id=user_id, action="wakeup.task_no_response",
                 entity="wakeup", entity_id=w.id,
                 detail={"task_id": task.id, "room": w.room_number, "minutes_late": late})
    audit.record(session, actor=actor, action="wakeup.handover_entry", entity="wakeup",
                 entity_id=w.id, detail={"text": text})
    live_feed.publish(session, "alert", f"wakeup:{w.id}", {
        "kind": "wakeup_no_response", "wakeup_id": w.id, "task_id": task.id,
        "room": w.room_number, "minutes_late": late, "text": text,
        "at": now.astimezone(tz).isoformat()})
    _publish_task(session, task, w, tz)
    return task


def manual_call_no_answer(session: Session, task_id: int, *, actor: str, now: dt.datetime,
                          settings: Settings, user_id: int | None = None) -> WakeupTask:
    """The operator phoned the room from the manual call list (telephony down) and nobody
    answered: the call is recorded as made without an answer (it is not a knock), and a
    knock-on-door task goes to the floor staff as for an unanswered automatic call (R-H9).
    Returns the new knock task; the wake-up stays escalated until somebody reaches the guest."""
    tz = settings.tz
    task = task_for(session, task_id, lock=True)
    if task.kind != "manual_call":
        raise Invalid("Only a manual call can be passed to the floor staff.", field="task_id",
                      code="not_manual_call")
    if task.state != "open":
        raise Invalid(f"The task is already {task.state}.", field="task_id", code="not_open")
    w = get(session, task.wakeup_id)
    late = dom.minutes_late(w.wake_at, now)
    task.state, task.done_at, task.done_by = "done", now, actor
    task.no_response_at, task.no_response_by, task.no_response_minutes_late = now, actor, late
    when = w.wake_at.astimezone(tz).strftime("%H:%M")
    knock = WakeupTask(wakeup_id=w.id, kind="knock_on_door", room_number=w.room_number,
                       floor=w.room.floor if w.room else None, created_at=now,
                       text=(f"{w.room_number} 叫醒 {when}：话务员人工电话无人接听，已迟{late}分钟，请楼层服务员敲门 / "
                             f"the operator's call was not answered, {late} min late: knock on the door"))
    session.add(knock)
    session.flush()
    _address_knock_task(session, w, knock, now, settings)
    audit.record(session, actor=actor, user_id=user_id, action="wakeup.manual_no_answer",
                 entity="wakeup", entity_id=w.id,
                 detail={"task_id": task.id, "knock_task_id": knock.id, "minutes_late": late})
    _publish_task(session, task, w, tz)
    _publish_task(session, knock, w, tz)
    return knock


def alerts(session: Session, *, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """What every operator's console must show until it is dealt with (R-H9): the open
    knock-on-door and manual-call tasks, and a failed pre-flight test of today or later."""
    tz = settings.tz
    today = now.astimezone(tz).date().isoformat()
    checks = list(session.scalars(select(WakeupCheck).where(
        WakeupCheck.day >= today, WakeupCheck.ran_at.is_not(None)).order_by(WakeupCheck.day)))

    def check_out(c: WakeupCheck) -> dict[str, Any]:
        # "detail" is technical (shown as a tooltip); "cause" is what the console says.
        return {"day": c.day, "ran_at": _iso(c.ran_at, tz), "outcome": c.outcome,
                "detail": (c.detail or "")[:300],
                "cause": None if c.ok else explain_cause(c.detail, c.outcome)}

    # The calling path as the dialler last reported it: down until a "restored" alert.
    last = last_telephony_alert(session)
    telephony_down = ({"reason": last.get("reason"), "at": last.get("at"),
                       "cause": explain_cause(last.get("reason"))}
                      if last and last.get("kind") == "wakeup_telephony_down" else None)
    # A greeting that could not be made is raised again every few minutes while it fails:
    # shown while the last report is recent.
    prompt = session.scalar(select(FeedItem).where(
        FeedItem.topic == "alert", FeedItem.entity_id == PROMPT_ALERT_ENTITY,
        FeedItem.at >= now - dt.timedelta(minutes=PROMPT_ALERT_SHOWN_MINUTES))
        .order_by(FeedItem.id.desc()).limit(1))
    return {"now": now.astimezone(tz).isoformat(),
            "items": tasks(session, tz=tz, state="open"),
            "preflight_failed": [check_out(c) for c in checks if not c.ok],
            "preflight_warning": [check_out(c) for c in checks
                                  if c.ok and c.outcome == PREFLIGHT_NO_TARGET],
            "telephony_down": telephony_down,
            "prompt_failed": ({"reason": prompt.payload.get("reason"), "at": prompt.payload.get("at")}
                              if prompt is not None else None)}


# --------------------------------------------------------------------------- the night list


def _day_bounds(day: dt.date, tz: ZoneInfo) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=tz)
    return start, start + dt.timedelta(days=1)


def _answered_calls(session: Session, rows: list[Wakeup]) -> set[str]:
    """Call ids of wake-ups being called whose call the gateway reported answered (CTI)."""
    ids = [external_call_id_for(w.id, len(w.attempts)) for w in rows if w.status == "calling" and w.attempts]
    if not ids:
        return set()
    return set(session.scalars(select(Call.external_id).where(
        Call.external_id.in_(ids), Call.answered_at.is_not(None))))


def board(session: Session, *, day: dt.date, settings: Settings) -> dict[str, Any]:
    """The day's wake-ups in time order with their live state, open tasks, pre-flight check."""
    tz = settings.tz
    start, end = _day_bounds(day, tz)
    rows = list(session.scalars(select(Wakeup).where(Wakeup.wake_at >= start, Wakeup.wake_at < end)
                                .order_by(Wakeup.wake_at, Wakeup.id)))
    rows.sort(key=lambda w: (w.wake_at, room_sort_key(w.room_number), w.id))  # 201 before 1001
    answered = _answered_calls(session, rows)
    check = session.scalar(select(WakeupCheck).where(WakeupCheck.day == day.isoformat()))
    counts: dict[str, int] = {}
    items = []
    for w in rows:
        live = bool(w.attempts) and external_call_id_for(w.id, len(w.attempts)) in answered
        out = wakeup_out(w, tz, live_answered=live)
        counts[out["status"]] = counts.get(out["status"], 0) + 1
        items.append(out)
    return {"day": day.isoformat(), "items": items, "counts": counts,
            "tasks": tasks(session, tz=tz, state="open"),
            "preflight": None if check is None else {
                "due_at": _iso(check.due_at, tz), "ran_at": _iso(check.ran_at, tz),
                "ok": check.ok, "target": check.target, "outcome": check.outcome,
                "detail": check.detail,
                "cause": None if check.ok else explain_cause(check.detail, check.outcome),
                # No test call was made (no test extension): shown as a warning, never as "OK".
                "warning": check.outcome == PREFLIGHT_NO_TARGET}}


def handover_section(session: Session, *, now: dt.datetime, settings: Settings) -> dict[str, Any]:
    """The wake-ups part of the handover log (R-H9, R-H13): the coming day's list in time order,
    and every wake-up that needed people (escalated, with how many minutes late)."""
    tz = settings.tz
    since = now - dt.timedelta(hours=12)
    until = now + dt.timedelta(hours=24)
    rows = list(session.scalars(select(Wakeup).where(
        Wakeup.wake_at >= since, Wakeup.wake_at < until, Wakeup.status != "cancelled")
        .order_by(Wakeup.wake_at, Wakeup.id)))
    rows.sort(key=lambda w: (w.wake_at, room_sort_key(w.room_number), w.id))  # 201 before 1001
    upcoming = [w for w in rows if w.wake_at >= now or w.status not in ("done",)]
    escalated = [w for w in rows if w.escalated_at is not None]

    def line(w: Wakeup) -> dict[str, Any]:
        return {"id": w.id, "room": w.room_number, "addressed": w.addressed or "room",
                "wake_at": w.wake_at.astimezone(tz).isoformat(),
                "time": w.wake_at.astimezone(tz).strftime("%m-%d %H:%M"), "status": w.status,
                "note": w.note, "booked_by": w.booked_by, "booked_by_name": booker_name(w),
                "minutes_late": w.minutes_late,
                "reached_by": w.reached_by, "escalation_reason": w.escalation_reason,
                "attempts": len(w.attempts)}

    return {"key": "wakeups", "title": {"zh": "叫醒", "en": "Wake-up calls"},
            "items": [line(w) for w in upcoming],
            "escalated": [line(w) for w in escalated]}


# --------------------------------------------------------------------------- pre-flight


def schedule_preflight(session: Session, wake_at: dt.datetime, settings: Settings) -> None:
    """The test call of the day ``wake_at`` falls on, before its earliest wake-up."""
    tz = settings.tz
    day = wake_at.astimezone(tz).date().isoformat()
    at = dom.preflight_at([wake_at], policy_from(settings))
    key = f"wakeup-preflight:{day}"
    job = session.scalar(select(Job).where(Job.key == key))
    if job is None:
        jobs.schedule(session, PREFLIGHT_JOB, key, at, {"day": day})
    elif job.state == "pending" and at < job.due_at:
        jobs.schedule(session, PREFLIGHT_JOB, key, at, {"day": day}, reschedule=True)


def record_preflight(session: Session, *, day: str, due_at: dt.datetime, now: dt.datetime,
                     ok: bool, target: str | None, outcome: str | None, detail: str,
                     settings: Settings) -> WakeupCheck:
    tz = settings.tz
    check = session.scalar(select(WakeupCheck).where(WakeupCheck.day == day))
    if check is None:
        check = WakeupCheck(day=day, due_at=due_at)
        session.add(check)
    check.ran_at, check.ok, check.target, check.outcome, check.detail = (
        now, ok, target, outcome, detail[:2000])
    audit.record(session, actor="system:wakeup", action="wakeup.preflight", entity="wakeup_check",
                 entity_id=day, detail={"ok": ok, "outcome": outcome, "detail": detail[:300]})
    if not ok:
        live_feed.publish(session, "alert", f"wakeup-preflight:{day}", {
            "kind": "wakeup_preflight_failed", "day": day, "target": target, "outcome": outcome,
            "text": f"叫醒设备测试失败 / wake-up test call failed: {detail[:200]}",
            "at": now.astimezone(tz).isoformat()})
    elif outcome == PREFLIGHT_NO_TARGET:
        # Only the gateway's health was checked: tell operators and supervisors plainly.
        live_feed.publish(session, "alert", f"wakeup-preflight:{day}", {
            "kind": "wakeup_preflight_warning", "day": day, "target": None, "outcome": outcome,
            "text": ("叫醒设备未做测试呼叫：未设置测试分机，仅检查了网关和注册 / no wake-up test "
                     "call was made: no test extension is configured "
                     f"(ZONGJI_WAKEUP_PREFLIGHT_TARGET); {detail[:200]}"),
            "at": now.astimezone(tz).isoformat()})
    live_feed.publish(session, "wakeup_check", day, {
        "day": day, "ok": ok, "outcome": outcome, "detail": detail[:300],
        "ran_at": now.astimezone(tz).isoformat()})
    return check


# --------------------------------------------------------------------------- the worker's records


def room_uri(w: Wakeup, settings: Settings) -> str:
    ext = w.room.extension if w.room else w.room_number
    return settings.wakeup_uri_template.format(extension=ext, room=w.room_number)


def begin_attempt(session: Session, w: Wakeup, number: int, *, now: dt.datetime, worker: str,
                  settings: Settings) -> WakeupAttempt:
    """Phase 1: record that attempt ``number`` is being placed (committed before dialling)."""
    tz = settings.tz
    tr = dom.start_call(_state(w, tz), now)
    due = w.next_attempt_at or w.wake_at
    a = WakeupAttempt(wakeup_id=w.id, number=number, external_call_id=external_call_id_for(w.id, number),
                      state="placing", uri=room_uri(w, settings), worker=worker, due_at=due,
                      started_at=now)
    w.attempts.append(a)
    _store(w, tr.state)
    _publish(session, w, tz)
    return a


def end_attempt(session: Session, w: Wakeup, a: WakeupAttempt, result: CallResult | None, *,
                now: dt.datetime, settings: Settings, recovered: bool = False,
                reason: str = "") -> None:
    """Phase 2: the call has ended (or its outcome is unknown): apply the domain's verdict —
    done, snoozed, retry (next job scheduled) or escalated (tasks, alert, handover)."""
    tz = settings.tz
    policy = policy_from(settings)
    state = _state(w, tz)
    a.state = "ended"
    a.recovered = recovered
    if result is not None:
        a.placed_at, a.answered_at, a.ended_at = result.started_at, result.answered_at, now
        a.outcome, a.key, a.sip_status = result.outcome.value, result.key, result.sip_status
        a.reason = (result.reason or "")[:300]
        if result.answered_at is not None and state.status is dom.WakeupStatus.CALLING:
            state = dom.call_answered(state, now).state
        reached = result.answered_at or now
        if result.outcome in (CallOutcome.ANSWERED_CONFIRMED, CallOutcome.ANSWERED_SNOOZED):
            # Minutes late count from when the guest picked up.
            reached = max(result.answered_at or now, state.wake_at)
        tr = dom.call_ended(state, result.outcome, reached if result.outcome.answered else now,
                            policy, key=result.key, room=w.room_number)
    else:
        a.ended_at, a.outcome, a.reason = now, CallOutcome.FAILED.value, reason[:300]
        tr = dom.recover_in_flight(state, now, policy, room=w.room_number) \
            if state.status in dom.IN_CALL else dom.Transition(state)
    _store(w, tr.state)
    if tr.state.status in (dom.WakeupStatus.RETRYING, dom.WakeupStatus.SNOOZED):
        n = len(w.attempts) + 1
        jobs.schedule(session, CALL_JOB, call_job_key(w.id, n), tr.state.next_attempt_at,
                      {"wakeup_id": w.id, "attempt": n})
    _effects(session, w, tr.effects, now, settings)
    audit.record(session, actor="system:wakeup", action="wakeup.attempt", entity="wakeup",
                 entity_id=w.id, detail={"attempt": a.number, "call_id": a.external_call_id,
                                         "outcome": a.outcome, "key": a.key,
                                         "status": w.status, "recovered": recovered})
    _publish(session, w, tz)


def escalate_telephony_down(session: Session, *, now: dt.datetime, settings: Settings,
                            reason: str, first: Wakeup | None = None) -> list[Wakeup]:
    """No call can be placed: every due wake-up (and ``first``) goes at once to the operators'
    manual call list, with an alert on every console and a handover entry — never silence."""
    tz = settings.tz
    # Due now, or retrying (its time has come and nobody is awake yet: the next try would go
    # through the same dead path, so people call now instead of in a few minutes).
    query = (select(Wakeup).where(
        Wakeup.status.in_(["due", "retrying", "snoozed"]),
        or_(Wakeup.next_attempt_at <= now, Wakeup.status == "retrying"))
        .order_by(Wakeup.next_attempt_at, Wakeup.id))
    # Several dialler threads may see the telephony go down at once: each escalates only the
    # wake-ups it can lock, so none gets two manual-call tasks (rows another transaction holds
    # are its to escalate; a row changed meanwhile no longer matches the WHERE).
    due = list(session.scalars(_for_update(session, query, skip_locked=True)))
    if first is not None and first not in due:
        due.insert(0, first)
    out = []
    for w in due:
        state = _state(w, tz)
        if state.status not in dom.WAITING + dom.IN_CALL:
            continue
        for a in w.attempts:
            if a.state == "placing":
                a.state, a.ended_at, a.outcome = "ended", now, CallOutcome.FAILED.value
                a.reason = f"telephony unavailable: {reason}"[:300]
        tr = dom.telephony_down(state, now, room=w.room_number)
        _store(w, tr.state)
        jobs.cancel(session, call_job_key(w.id, len(w.attempts) + 1))
        _effects(session, w, tr.effects, now, settings)
        _publish(session, w, tz)
        out.append(w)
    if out:
        audit.record(session, actor="system:wakeup", action="wakeup.telephony_down",
                     entity="wakeup", entity_id=out[0].id,
                     detail={"ids": [w.id for w in out], "reason": reason[:300]})
    return out


def end_attempt_telephony_down(session: Session, w: Wakeup, a: WakeupAttempt,
                               result: CallResult, *, now: dt.datetime, settings: Settings,
                               reason: str) -> list[Wakeup]:
    """Phase 2 when the call ended in a telephony fault and the dialler found the calling path
    down: the attempt keeps its result (TELEPHONY_FAULT, SIP status), and this wake-up and
    every due one go to the manual call list at once (escalate_telephony_down)."""
    a.state = "ended"
    a.placed_at, a.answered_at, a.ended_at = result.started_at, result.answered_at, now
    a.outcome, a.key, a.sip_status = result.outcome.value, result.key, result.sip_status
    a.reason = (result.reason or "")[:300]
    return escalate_telephony_down(session, now=now, settings=settings, reason=reason, first=w)


TELEPHONY_ALERT_ENTITY = "wakeup-telephony"
PROMPT_ALERT_ENTITY = "wakeup-prompt"
PROMPT_ALERT_SHOWN_MINUTES = 30
TELEPHONY_ALERT_LOCK = 0x5A4A5445  # pg_advisory_xact_lock key of the telephony alert


def last_telephony_alert(session: Session) -> dict | None:
    """The last telephony down/restored alert's payload (None: never down)."""
    last = session.scalar(select(FeedItem).where(
        FeedItem.topic == "alert", FeedItem.entity_id == TELEPHONY_ALERT_ENTITY)
        .order_by(FeedItem.id.desc()).limit(1))
    return dict(last.payload) if last is not None else None


def alert_telephony(session: Session, *, down: bool, reason: str, now: dt.datetime,
                    settings: Settings, by: str = "health") -> bool:
    """One alert on every console when the calling path goes down (``down``; ``by`` "health":
    the gateway said so, "faults": calls to several rooms failed in the phone system) or comes
    back, once per change however many diallers see it (the last such alert is looked up)."""
    kind = "wakeup_telephony_down" if down else "wakeup_telephony_restored"

    def unchanged() -> bool:
        last = last_telephony_alert(session)
        return (last is not None and last.get("kind") == kind) or (last is None and not down)

    if unchanged():  # the common case (every answered call asks): no lock taken
        return False
    if session.get_bind().dialect.name == "postgresql":
        # Dialler threads see the path go down at the same moment: one alert, not one each
        # (taken in turn, then looked at again; SQLite serialises writers already).
        session.execute(sql_text("SELECT pg_advisory_xact_lock(:k)"), {"k": TELEPHONY_ALERT_LOCK})
        if unchanged():
            return False
    text = (f"叫醒电话线路故障，到时的叫醒已转人工电话叫醒清单：{reason[:200]} / "
            f"wake-up telephony down, due wake-ups are on the manual call list: {reason[:200]}"
            if down else
            "叫醒电话线路已恢复，未人工处理的叫醒自动继续呼叫 / wake-up telephony restored, "
            "automatic calling resumes for wake-ups not yet handled by hand")
    live_feed.publish(session, "alert", TELEPHONY_ALERT_ENTITY, {
        "kind": kind, "reason": reason[:300], "text": text, "by": by if down else None,
        "at": now.astimezone(settings.tz).isoformat()})
    audit.record(session, actor="system:wakeup", action=f"wakeup.{kind}", entity="wakeup",
                 entity_id=TELEPHONY_ALERT_ENTITY, detail={"reason": reason[:300]})
    return True


def alert_prompt_failed(session: Session, *, reason: str, now: dt.datetime,
                        settings: Settings) -> None:
    """The wake-up greeting could not be made (speech synthesis failed, no upload): calls go
    out without a voice. An alert on every console, so someone uploads a recording or fixes
    the synthesizer (docs/wakeups.md) — and watches the calls."""
    live_feed.publish(session, "alert", PROMPT_ALERT_ENTITY, {
        "kind": "wakeup_prompt_failed", "reason": reason[:300],
        "text": ("叫醒语音无法生成，叫醒电话没有语音提示，请上传录音或检查语音合成："
                 f"{reason[:160]} / wake-up greeting unavailable, calls go out without a voice: "
                 f"{reason[:160]}"),
        "at": now.astimezone(settings.tz).isoformat()})
    audit.record(session, actor="system:wakeup", action="wakeup.prompt_failed", entity="wakeup",
                 entity_id="wakeup-prompt", detail={"reason": reason[:300]})


def _resumable_query(now: dt.datetime, settings: Settings):
    open_manual = select(WakeupTask.id).where(
        WakeupTask.wakeup_id == Wakeup.id, WakeupTask.kind == "manual_call",
        WakeupTask.state == "open").exists()
    return (select(Wakeup).where(
        Wakeup.status == "escalated", Wakeup.escalation_reason == "telephony_down",
        Wakeup.wake_at >= now - dt.timedelta(minutes=settings.wakeup_resume_minutes),
        Wakeup.wake_at <= now, open_manual)
        .order_by(Wakeup.wake_at, Wakeup.id))


def any_resumable(session: Session, *, now: dt.datetime, settings: Settings) -> bool:
    return session.scalar(_resumable_query(now, settings).with_only_columns(Wakeup.id)
                          .limit(1)) is not None


def resume_after_telephony_down(session: Session, *, now: dt.datetime, settings: Settings,
                                limit: int | None = None) -> list[Wakeup]:
    """The calling path is back: every wake-up on the manual call list because telephony was
    down, not handled by hand yet (its manual-call task still open) and at most
    ``wakeup_resume_minutes`` past its time, is called automatically again now; its task is
    closed (cancelled) and its console alert resolved. Wake-ups an operator already marked
    reached are done and stay done."""
    tz = settings.tz
    policy = policy_from(settings)
    query = _resumable_query(now, settings)
    if limit:
        query = query.limit(limit)
    rows = list(session.scalars(_for_update(session, query, skip_locked=True)))
    out = []
    for w in rows:
        tr = dom.telephony_restored(_state(w, tz), now, policy)
        _store(w, tr.state)
        n = len(w.attempts) + 1
        job = jobs.schedule(session, CALL_JOB, call_job_key(w.id, n), now,
                            {"wakeup_id": w.id, "attempt": n})
        if job.state != "pending":  # the job cancelled when it went to the manual list
            job.state, job.due_at, job.worker, job.lease_until = "pending", now, None, None
            job.finished_at = None
        _effects(session, w, tr.effects, now, settings)
        _publish(session, w, tz)
        out.append(w)
    if out:
        audit.record(session, actor="system:wakeup", action="wakeup.telephony_restored",
                     entity="wakeup", entity_id=out[0].id, detail={"ids": [w.id for w in out]})
    return out


def cti_call_seen(session: Session, external_call_id: str) -> Call | None:
    """The call record the gateway reported for ``external_call_id`` (CTI newCall), if any."""
    return session.scalar(select(Call).where(Call.external_id == external_call_id))


def stats(session: Session) -> dict[str, int]:
    return dict(session.execute(select(Wakeup.status, func.count()).group_by(Wakeup.status)).all())
