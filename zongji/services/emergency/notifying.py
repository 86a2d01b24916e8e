"""The notification steps, as exactly-once jobs (``zongji.store.jobs``):

- ``emergency.wave`` (key ``emergency:<incident>:wave:<n>``): tells each person of wave n —
  a call job per person with the phone channel, an SMS job with SMS, the console always — and
  schedules the deputy check after the plan's wait;
- ``emergency.call`` (key ``emergency:r<recipient>:call:<n>``): placed by
  ``zongji.worker.emergency_dialler`` in two phases (:func:`begin_call` committed before the
  gateway dials with the deterministic call id ``emergency-<recipient>-<n>``; :func:`end_call`
  with the result), so an attempt is dialled once even across a crash;
- ``emergency.sms`` (key ``emergency:r<recipient>:sms:<what>``): through the SMS adapter
  (``HttpSmsGateway``, reference = the job key so a repeat is a no-op at the gateway);
- ``emergency.deputy`` (key ``emergency:r<recipient>:deputy``): the plan's wait is over and the
  person has not acknowledged: the deputy is told.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import emergency as em
from zongji.domain.emergency.message import message_parts
from zongji.domain.emergency.plans import Channel
from zongji.services.emergency.timeline import (
    event,
    get_incident,
    get_recipient,
    place_of,
    recipients_of,
    store,
    to_domain,
)
from zongji.services.notifications import HttpSmsGateway
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.emergency_models import EmergencyAttempt, EmergencyIncident, EmergencyRecipient

WAVE_JOB = "emergency.wave"
CALL_JOB = "emergency.call"
SMS_JOB = "emergency.sms"
DEPUTY_JOB = "emergency.deputy"
JOB_KINDS = (WAVE_JOB, CALL_JOB, SMS_JOB, DEPUTY_JOB)


def _plan(inc: EmergencyIncident) -> em.Plan:
    return em.parse_plan(inc.plan)


def _plan_entry(inc: EmergencyIncident, r: EmergencyRecipient) -> em.Recipient | None:
    people = _plan(inc).recipients
    if r.deputy_of_id is not None or not 0 <= r.position < len(people):
        return None
    return people[r.position]


def schedule_waves(session: Session, inc: EmergencyIncident) -> None:
    plan = _plan(inc)
    for wave in plan.waves:
        jobs.schedule(session, WAVE_JOB, f"emergency:{inc.id}:wave:{wave}",
                      em.wave_start(inc.started_at, wave, plan),
                      {"incident_id": inc.id, "wave": wave})


def run_wave(session: Session, incident_id: int, wave: int, *, now: dt.datetime) -> None:
    inc = get_incident(session, incident_id, lock=True)
    if inc.status != em.IncidentStatus.STARTED:
        return
    event(session, inc, "wave", f"wave {wave}", at=now, detail={"wave": wave})
    for r in recipients_of(session, inc.id):
        if r.wave == wave and r.deputy_of_id is None and r.state == em.RecipientState.PENDING:
            tell(session, inc, r, now=now)


def tell(session: Session, inc: EmergencyIncident, r: EmergencyRecipient, *, now: dt.datetime) -> None:
    """Start telling one person over each of their channels; the wait before their deputy runs
    from now."""
    channels = r.channels.split(",")
    if r.first_call_at is None:
        r.first_call_at = now
    if Channel.PHONE in channels and r.number:
        jobs.schedule(session, CALL_JOB, f"emergency:r{r.id}:call:1", now,
                      {"recipient_id": r.id, "attempt": 1})
    if Channel.SMS in channels and r.number:
        jobs.schedule(session, SMS_JOB, f"emergency:r{r.id}:sms:start", now,
                      {"recipient_id": r.id, "phase": "start"})
    if Channel.PHONE not in channels:
        store(r, em.apply(to_domain(r), em.Event("notify", now)), now)
        event(session, inc, "notified", f"{r.name}: " + ", ".join(channels), at=now, recipient=r)
    entry = _plan_entry(inc, r)
    if entry is not None and entry.deputy is not None:
        jobs.schedule(session, DEPUTY_JOB, f"emergency:r{r.id}:deputy",
                      now + dt.timedelta(seconds=_plan(inc).deputy_wait_seconds), {"recipient_id": r.id})


def message(inc: EmergencyIncident, settings: Settings, *, phase: str = "start", text: str = "") -> str:
    return em.message_text(inc.kind, place_of(inc), inc.situation, phase=phase, text=text,
                           ack_key=settings.emergency_ack_key)


def spoken(inc: EmergencyIncident, settings: Settings) -> tuple[str, str]:
    """The start message in Chinese and in English, for the call's synthesized prompt."""
    return message_parts(inc.kind, place_of(inc), inc.situation, ack_key=settings.emergency_ack_key)


# ---- calls, in two phases (see zongji.worker.emergency_dialler)


@dataclass(frozen=True)
class CallPlan:
    recipient_id: int
    attempt: int
    call_id: str
    uri: str
    text: tuple[str, str]  # Chinese, English
    mode: str  # "dial" (never dialled) or "recover" (a dialler died mid-call: ask the gateway first)


def begin_call(session: Session, recipient_id: int, attempt: int, *, now: dt.datetime,
               settings: Settings, worker: str, tag: str | None = None, text: str = "",
               phase: str = "update") -> CallPlan | None:
    """Phase 1: the attempt row ``placing`` with its call id (committed before dialling), or the
    one a killed dialler left; None when there is nothing to dial (closed, acknowledged, stale).
    With ``tag``: a call that speaks an update or the all-clear (no state change)."""
    r = get_recipient(session, recipient_id, lock=True)
    if r is None:
        return None
    inc = get_incident(session, r.incident_id, lock=True)
    if tag is not None:
        return _begin_message_call(session, inc, r, tag, text, phase, now=now, settings=settings,
                                   worker=worker)
    call_id = f"emergency-{r.id}-{attempt}"
    a = session.scalar(select(EmergencyAttempt).where(EmergencyAttempt.call_id == call_id))
    uri = settings.emergency_uri_template.format(number=r.number)
    if a is not None:
        if a.state == "ended":
            return None
        a.worker = worker
        return CallPlan(r.id, attempt, call_id, a.detail or uri, spoken(inc, settings), "recover")
    if inc.status != em.IncidentStatus.STARTED or r.attempts != attempt - 1:
        return None
    try:
        rec = em.apply(to_domain(r), em.Event("call", now))
    except em.IllegalTransition:
        return None  # acknowledged on their behalf, or the deputy is called
    store(r, rec, now)
    if r.first_call_at is None:
        r.first_call_at = now
    session.add(EmergencyAttempt(recipient_id=r.id, channel="phone", number=attempt, call_id=call_id,
                                 state="placing", worker=worker, started_at=now, detail=uri))
    event(session, inc, "call", f"{r.name} {r.number} ({attempt})", at=now, recipient=r,
          detail={"call_id": call_id, "attempt": attempt})
    return CallPlan(r.id, attempt, call_id, uri, spoken(inc, settings), "dial")


def end_call(session: Session, call_id: str, outcome: str, *, now: dt.datetime, sip_status: int | None = None,
             reason: str = "") -> None:
    """Phase 2: the attempt's result; the person's state; another try, the deputy, or done."""
    a = session.scalar(select(EmergencyAttempt).where(EmergencyAttempt.call_id == call_id))
    if a is None or a.state == "ended":
        return
    a.state, a.outcome, a.sip_status, a.ended_at = "ended", outcome, sip_status, now
    r = get_recipient(session, a.recipient_id, lock=True)
    inc = get_incident(session, r.incident_id, lock=True)
    if a.channel == "message":
        event(session, inc, "message_result", f"{r.name}: {outcome} {reason}".strip(), at=now,
              recipient=r, detail={"call_id": call_id, "outcome": outcome, "sip_status": sip_status})
        return
    action = em.call_action(outcome)
    if r.state == em.RecipientState.CALLING:
        rec = em.apply(to_domain(r), em.Event(action, now, by=r.name))
        store(r, rec, now)
    event(session, inc, "result", f"{r.name}: {outcome} {reason}".strip(), at=now, recipient=r,
          detail={"call_id": call_id, "outcome": outcome, "sip_status": sip_status})
    if inc.status != em.IncidentStatus.STARTED:
        return
    nxt = em.after_call(to_domain(r), _plan(inc), now,
                        has_deputy=r.deputy_of_id is None and (_plan_entry(inc, r) or em.Recipient("")).deputy is not None)
    if nxt.what == "retry":
        jobs.schedule(session, CALL_JOB, f"emergency:r{r.id}:call:{r.attempts + 1}", nxt.at,
                      {"recipient_id": r.id, "attempt": r.attempts + 1})
    elif nxt.what == "deputy":
        call_deputy(session, inc, r, now=now, why="tries used up")


def _begin_message_call(session: Session, inc: EmergencyIncident, r: EmergencyRecipient, tag: str,
                        text: str, phase: str, *, now: dt.datetime, settings: Settings,
                        worker: str) -> CallPlan | None:
    call_id = f"emergency-{r.id}-{tag}"
    uri = settings.emergency_uri_template.format(number=r.number)
    spoken_text = message_parts(inc.kind, place_of(inc), inc.situation, phase=phase, text=text)
    a = session.scalar(select(EmergencyAttempt).where(EmergencyAttempt.call_id == call_id))
    if a is not None:
        if a.state == "ended":
            return None
        a.worker = worker
        return CallPlan(r.id, 0, call_id, a.detail or uri, spoken_text, "recover")
    session.add(EmergencyAttempt(recipient_id=r.id, channel="message", number=0, call_id=call_id,
                                 state="placing", worker=worker, started_at=now, detail=uri))
    event(session, inc, "message_call", f"{r.name} {r.number}", at=now, recipient=r,
          detail={"call_id": call_id, "phase": phase})
    return CallPlan(r.id, 0, call_id, uri, spoken_text, "dial")


def message_failed(session: Session, call_id: str, *, text: str, phase: str, now: dt.datetime,
                   settings: Settings, reason: str) -> None:
    """An update or all-clear call could not be placed (telephony down): it goes by SMS."""
    a = session.scalar(select(EmergencyAttempt).where(EmergencyAttempt.call_id == call_id))
    if a is None or a.state == "ended":
        return
    a.state, a.outcome, a.ended_at = "ended", "telephony_down", now
    r = get_recipient(session, a.recipient_id, lock=True)
    inc = get_incident(session, r.incident_id, lock=True)
    if r.number:
        jobs.schedule(session, SMS_JOB, f"emergency:r{r.id}:sms:{call_id}", now,
                      {"recipient_id": r.id, "phase": phase,
                       "text": message(inc, settings, phase=phase, text=text)})
    event(session, inc, "message_result", f"{r.name}: telephony down ({reason[:100]}), by SMS",
          at=now, recipient=r, detail={"call_id": call_id, "outcome": "telephony_down"})


def tell_message(session: Session, inc: EmergencyIncident, r: EmergencyRecipient, tag: str, text: str,
                 phase: str, *, now: dt.datetime, settings: Settings) -> None:
    """An update or the all-clear to one person already told, over their channels."""
    channels = r.channels.split(",")
    if not r.number:
        return
    if Channel.PHONE in channels:
        jobs.schedule(session, CALL_JOB, f"emergency:r{r.id}:call:{tag}", now,
                      {"recipient_id": r.id, "tag": tag, "text": text, "phase": phase})
    if Channel.SMS in channels or Channel.PHONE not in channels:
        jobs.schedule(session, SMS_JOB, f"emergency:r{r.id}:sms:{tag}", now,
                      {"recipient_id": r.id, "phase": phase,
                       "text": message(inc, settings, phase=phase, text=text)})


def telephony_down(session: Session, recipient_id: int, attempt: int, *, now: dt.datetime, reason: str) -> None:
    """No call can be placed: the attempt failed, SMS goes out at once to whoever has a number,
    and every console is told to phone by hand, with who is left (issue 14 point 3)."""
    r = get_recipient(session, recipient_id, lock=True)
    if r is None:
        return
    inc = get_incident(session, r.incident_id, lock=True)
    a = session.scalar(select(EmergencyAttempt).where(EmergencyAttempt.call_id == f"emergency-{r.id}-{attempt}"))
    if a is not None and a.state != "ended":
        a.state, a.outcome, a.ended_at = "ended", "telephony_down", now
    if r.state == em.RecipientState.CALLING:
        store(r, em.apply(to_domain(r), em.Event("failed", now)), now)
    if r.number:
        jobs.schedule(session, SMS_JOB, f"emergency:r{r.id}:sms:start", now,
                      {"recipient_id": r.id, "phase": "start"})
    left = [f"{x.name} {x.number}" for x in recipients_of(session, inc.id)
            if x.state not in (em.RecipientState.ACKNOWLEDGED, em.RecipientState.DEPUTY_CALLED)]
    event(session, inc, "telephony_down", f"telephony down ({reason}): phone by hand: " + "; ".join(left),
          at=now, recipient=r, detail={"left": left, "reason": reason[:200]})


# ---- deputies and SMS


def call_deputy(session: Session, inc: EmergencyIncident, r: EmergencyRecipient, *, now: dt.datetime,
                why: str) -> EmergencyRecipient | None:
    entry = _plan_entry(inc, r)
    if entry is None or entry.deputy is None:
        return None
    try:
        store(r, em.apply(to_domain(r), em.Event("deputy", now)), now)
    except em.IllegalTransition:
        return None
    d = entry.deputy
    dep = EmergencyRecipient(incident_id=inc.id, position=r.position, deputy_of_id=r.id, name=d.name,
                             role=d.role or f"deputy of {r.name}", number=d.number,
                             channels=",".join(c.value for c in d.channels), wave=r.wave,
                             state="pending", attempts=0, note="", updated_at=now)
    session.add(dep)
    session.flush()
    jobs.cancel(session, f"emergency:r{r.id}:call:{r.attempts + 1}")
    event(session, inc, "deputy", f"{r.name} → {d.name} ({why})", at=now, recipient=r,
          detail={"deputy_id": dep.id})
    tell(session, inc, dep, now=now)
    return dep


def deputy_check(session: Session, recipient_id: int, *, now: dt.datetime) -> None:
    r = get_recipient(session, recipient_id, lock=True)
    if r is None:
        return
    inc = get_incident(session, r.incident_id, lock=True)
    if inc.status != em.IncidentStatus.STARTED:
        return
    if em.deputy_due(to_domain(r), r.first_call_at or inc.started_at, _plan(inc), now):
        call_deputy(session, inc, r, now=now, why="no acknowledgement in time")


def send_sms(session: Session, recipient_id: int, phase: str, text: str | None, reference: str, *,
             now: dt.datetime, settings: Settings) -> None:
    """Send one SMS; raises DeliveryError to be retried by the worker."""
    r = get_recipient(session, recipient_id, lock=True)
    if r is None or not r.number:
        return
    inc = get_incident(session, r.incident_id, lock=True)
    body = text or message(inc, settings, phase=phase)
    if not settings.sms_gateway_url:
        event(session, inc, "sms_failed", f"{r.name}: SMS is not configured", at=now, recipient=r)
        return
    HttpSmsGateway(settings.sms_gateway_url, settings.sms_gateway_token,
                   settings.sms_timeout_seconds).send(to=r.number, text=body[:500], reference=reference)
    if r.state in (em.RecipientState.PENDING, em.RecipientState.FAILED):
        store(r, em.apply(to_domain(r), em.Event("notify", now)), now)
    event(session, inc, "sms", f"{r.name} {r.number}: {body[:120]}", at=now, recipient=r,
          detail={"phase": phase})


def told(session: Session, incident_id: int) -> list[EmergencyRecipient]:
    """Everyone already told (or being told): updates and the all-clear go to them."""
    return [r for r in recipients_of(session, incident_id) if r.state != em.RecipientState.PENDING]

