"""Starting, updating and closing an emergency from the console, acknowledging on someone's
behalf, and the board and printed record of an incident (issue 14 point 2)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import emergency as em
from zongji.domain.emergency.errors import require_text
from zongji.domain.emergency.plans import Kind
from zongji.services import actors
from zongji.services.emergency import notifying
from zongji.services.emergency.plans import plan_for
from zongji.services.emergency.timeline import (
    event,
    events_of,
    get_incident,
    get_recipient,
    incident_out,
    recipient_out,
    recipients_of,
    store,
    to_domain,
)
from zongji.settings import Settings
from zongji.store import jobs
from zongji.store.emergency_models import EmergencyIncident, EmergencyRecipient
from zongji.store.models import User


def _opt(data: dict, name: str, max_len: int) -> str:
    v = data.get(name) or ""
    if not isinstance(v, str) or len(v.strip()) > max_len:
        raise em.InvalidInput(f"{name} must be text of at most {max_len} characters", field=name,
                              code="bad_text")
    return v.strip()


def start(session: Session, user: User, data: dict[str, Any], *, now: dt.datetime,
          settings: Settings) -> dict[str, Any]:
    """Start an emergency: kind, exact place (room, floor or area), situation, reporter and
    number, read back to the reporter (``read_back: true``) before it starts."""
    em.check_incident("start", None, user.role)
    try:
        kind = Kind(data.get("kind"))
    except ValueError:
        raise em.InvalidInput("kind: one of " + ", ".join(k.value for k in Kind), field="kind",
                              code="bad_kind") from None
    room, floor, area = _opt(data, "room", 40), _opt(data, "floor", 20), _opt(data, "area", 100)
    if not (room or floor or area):
        raise em.InvalidInput("the exact place is required: room, floor or area", field="room",
                              code="place_required")
    situation = require_text(data.get("situation"), "situation", max_len=1000)
    reporter = require_text(data.get("reporter"), "reporter", max_len=100)
    number = _opt(data, "reporter_number", 40)
    if data.get("read_back") is not True:
        raise em.InvalidInput("read the kind, place and situation back to the reporter first",
                              field="read_back", code="read_back_required")
    plan = plan_for(session, kind.value)
    if plan is None or not plan.enabled:
        raise em.InvalidInput(f"no emergency plan for {kind.value}: a supervisor sets one up",
                              field="kind", code="no_plan")
    inc = EmergencyIncident(kind=kind.value, status=em.IncidentStatus.STARTED.value, plan=plan.to_dict(),
                            room=room, floor=floor, area=area, situation=situation, reporter=reporter,
                            reporter_number=number, started_at=now, started_by_id=user.id)
    session.add(inc)
    session.flush()
    for i, p in enumerate(plan.recipients):
        session.add(EmergencyRecipient(incident_id=inc.id, position=i, name=p.name, role=p.role,
                                       number=p.number, channels=",".join(c.value for c in p.channels),
                                       wave=p.wave, state="pending", attempts=0, note="", updated_at=now))
    session.flush()
    event(session, inc, "started", notifying.message(inc, settings), at=now, actor=actors.actor(user),
          user_id=user.id, detail={"reporter": reporter, "reporter_number": number,
                                   "by": actors.who(user)})
    notifying.schedule_waves(session, inc)
    return board(session, inc.id)


def _started(session: Session, user: User, incident_id: int, action: str) -> EmergencyIncident:
    inc = get_incident(session, incident_id, lock=True)
    em.check_incident(action, em.IncidentStatus(inc.status), user.role)
    return inc


def _to_everyone_told(session: Session, inc: EmergencyIncident, text: str, tag: str, phase: str,
                      now: dt.datetime, settings: Settings) -> None:
    for r in notifying.told(session, inc.id):
        notifying.tell_message(session, inc, r, tag, text, phase, now=now, settings=settings)


def update(session: Session, user: User, incident_id: int, text: Any, *, now: dt.datetime,
           settings: Settings) -> dict[str, Any]:
    """An update ("fire out", "evacuate floor 12") to everyone already told."""
    inc = _started(session, user, incident_id, "update")
    text = require_text(text, "text", max_len=500)
    ev = event(session, inc, "update", text, at=now, actor=actors.actor(user), user_id=user.id)
    _to_everyone_told(session, inc, text, f"u{ev.id}", "update", now, settings)
    return board(session, inc.id)


def close(session: Session, user: User, incident_id: int, all_clear: Any, *, now: dt.datetime,
          settings: Settings) -> dict[str, Any]:
    """Close with the all-clear, sent to everyone told; pending calls are cancelled."""
    inc = _started(session, user, incident_id, "close")
    text = require_text(all_clear, "all_clear", max_len=500)
    inc.status, inc.closed_at, inc.closed_by_id, inc.all_clear = "closed", now, user.id, text
    event(session, inc, "closed", text, at=now, actor=actors.actor(user), user_id=user.id)
    _to_everyone_told(session, inc, text, "close", "close", now, settings)
    return board(session, inc.id)


def acknowledge_on_behalf(session: Session, user: User, incident_id: int, recipient_id: int, *,
                          note: Any, channel: str | None, now: dt.datetime) -> dict[str, Any]:
    """An operator records that someone was told (they came to the desk), with a note."""
    inc = _started(session, user, incident_id, "acknowledge_on_behalf")
    r = get_recipient(session, recipient_id, lock=True)
    if r is None or r.incident_id != inc.id:
        raise em.InvalidInput(f"no person {recipient_id} in emergency {incident_id}",
                              field="recipient_id", code="unknown_recipient")
    rec = em.apply(to_domain(r), em.Event("acknowledge_on_behalf", now, channel=channel or "in_person",
                                           by=actors.who(user), note=note if isinstance(note, str) else ""),
                   user.role)
    store(r, rec, now)
    jobs.cancel(session, f"emergency:r{r.id}:call:{r.attempts + 1}")
    event(session, inc, "acknowledged", f"{r.name}: {rec.note}", at=now, recipient=r,
          actor=actors.actor(user), user_id=user.id, detail={"on_behalf": True, "channel": rec.ack_channel})
    return board(session, inc.id)


def board(session: Session, incident_id: int) -> dict[str, Any]:
    """The incident, each person's state, and the timeline with times (the incident record)."""
    inc = get_incident(session, incident_id)
    return {**incident_out(inc),
            "recipients": [recipient_out(r) for r in recipients_of(session, inc.id)],
            "timeline": [{"at": e.at.isoformat(), "kind": e.kind, "text": e.text,
                          "recipient_id": e.recipient_id, "actor": e.actor,
                          "detail": e.detail}
                         for e in events_of(session, inc.id)]}


def active(session: Session) -> list[dict[str, Any]]:
    """The emergencies running now (the consoles' red bar)."""
    rows = session.scalars(select(EmergencyIncident).where(EmergencyIncident.status == "started")
                           .order_by(EmergencyIncident.started_at))
    return [incident_out(r) for r in rows]


def running(session: Session) -> bool:
    """Whether an emergency runs now (the wake-up dialler then leaves lines free)."""
    return session.scalar(select(EmergencyIncident.id).where(EmergencyIncident.status == "started")
                          .limit(1)) is not None


def recent(session: Session, limit: int = 50) -> list[dict[str, Any]]:
    rows = session.scalars(select(EmergencyIncident).order_by(EmergencyIncident.started_at.desc()).limit(limit))
    return [incident_out(r) for r in rows]
