"""The incident record: each step as an ``EmergencyEvent`` (audited, and on every console's
live feed, topic ``emergency``), and the recipients' rows to and from the domain's state."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import emergency as em
from zongji.domain.emergency.message import place_text
from zongji.domain.emergency.rules import Recipient
from zongji.errors import NotFound
from zongji.services import audit, live_feed
from zongji.store.emergency_models import EmergencyEvent, EmergencyIncident, EmergencyRecipient

TOPIC = "emergency"


def get_incident(session: Session, incident_id: int, *, lock: bool = False) -> EmergencyIncident:
    q = select(EmergencyIncident).where(EmergencyIncident.id == incident_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    inc = session.scalar(q)
    if inc is None:
        raise NotFound(f"no emergency {incident_id}", field="incident_id")
    return inc


def get_recipient(session: Session, recipient_id: int, *, lock: bool = False) -> EmergencyRecipient | None:
    q = select(EmergencyRecipient).where(EmergencyRecipient.id == recipient_id)
    if lock and session.get_bind().dialect.name == "postgresql":
        q = q.with_for_update()
    return session.scalar(q)


def place_of(inc: EmergencyIncident) -> str:
    return place_text(inc.room, inc.floor, inc.area)


def to_domain(r: EmergencyRecipient) -> Recipient:
    return Recipient(state=em.RecipientState(r.state), attempts=r.attempts,
                     acknowledged_at=r.acknowledged_at, ack_channel=r.ack_channel, ack_by=r.ack_by,
                     note=r.note or "")


def store(r: EmergencyRecipient, rec: Recipient, now: dt.datetime) -> None:
    r.state, r.attempts = rec.state.value, rec.attempts
    r.acknowledged_at, r.ack_channel, r.ack_by, r.note = (rec.acknowledged_at, rec.ack_channel,
                                                          rec.ack_by, rec.note)
    r.updated_at = now


def recipient_out(r: EmergencyRecipient) -> dict[str, Any]:
    return {"id": r.id, "name": r.name, "role": r.role, "number": r.number,
            "channels": r.channels.split(","), "wave": r.wave, "state": r.state,
            "attempts": r.attempts, "deputy_of_id": r.deputy_of_id,
            "acknowledged_at": r.acknowledged_at.isoformat() if r.acknowledged_at else None,
            "ack_channel": r.ack_channel, "ack_by": r.ack_by, "note": r.note or ""}


def incident_out(inc: EmergencyIncident) -> dict[str, Any]:
    return {"id": inc.id, "kind": inc.kind, "status": inc.status, "room": inc.room,
            "floor": inc.floor, "area": inc.area, "place": place_of(inc), "situation": inc.situation,
            "reporter": inc.reporter, "reporter_number": inc.reporter_number,
            "started_at": inc.started_at.isoformat(),
            "closed_at": inc.closed_at.isoformat() if inc.closed_at else None,
            "all_clear": inc.all_clear}


def event(session: Session, inc: EmergencyIncident, kind: str, text: str = "", *, at: dt.datetime,
          recipient: EmergencyRecipient | None = None, actor: str = "system", user_id: int | None = None,
          detail: dict[str, Any] | None = None) -> EmergencyEvent:
    """One step of the incident: on its timeline, in the audit trail and on every console."""
    ev = EmergencyEvent(incident_id=inc.id, at=at, kind=kind, text=text,
                        recipient_id=recipient.id if recipient is not None else None, actor=actor,
                        detail=detail)
    session.add(ev)
    audit.record(session, actor=actor, action=f"emergency.{kind}", entity="emergency",
                 entity_id=inc.id, user_id=user_id,
                 detail={"text": text[:200], "recipient_id": ev.recipient_id, **(detail or {})})
    payload = {"incident": incident_out(inc), "event": kind, "text": text}
    if recipient is not None:
        payload["recipient"] = recipient_out(recipient)
    live_feed.publish(session, TOPIC, inc.id, payload, at=at)
    session.flush()
    return ev


def recipients_of(session: Session, incident_id: int) -> list[EmergencyRecipient]:
    return list(session.scalars(select(EmergencyRecipient).where(
        EmergencyRecipient.incident_id == incident_id).order_by(EmergencyRecipient.position,
                                                                 EmergencyRecipient.id)))


def events_of(session: Session, incident_id: int) -> list[EmergencyEvent]:
    return list(session.scalars(select(EmergencyEvent).where(
        EmergencyEvent.incident_id == incident_id).order_by(EmergencyEvent.at, EmergencyEvent.id)))
