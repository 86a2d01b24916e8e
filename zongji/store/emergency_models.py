"""Tables of emergency notification (issue 14, R-H11). Listed in ``zongji.store.schema``.

- ``EmergencyPlan``: the supervisor's plan per kind, the JSON of ``zongji.domain.emergency.Plan``.
- ``EmergencyIncident``: one started emergency, with the plan as it was at the start.
- ``EmergencyRecipient``: one person told (a deputy is a row of its own, ``deputy_of_id``), the
  state of ``zongji.domain.emergency.RecipientState`` in columns.
- ``EmergencyAttempt``: one notification attempt (a call or an SMS), the two-phase record:
  ``placing`` committed with its deterministic ``call_id`` before the gateway dials, ``ended``
  with its result; a ``placing`` row found after a crash is never dialled blindly.
- ``EmergencyEvent``: the incident's timeline, printed as the incident record.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import ForeignKey, Index, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class EmergencyPlan(Base):
    __tablename__ = "emergency_plans"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30), unique=True)
    body: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))


class EmergencyIncident(Base):
    __tablename__ = "emergency_incidents"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    status: Mapped[str] = mapped_column(String(20), default="started", index=True)
    plan: Mapped[dict[str, Any]]
    room: Mapped[str] = mapped_column(String(40), default="")
    floor: Mapped[str] = mapped_column(String(20), default="")
    area: Mapped[str] = mapped_column(String(100), default="")
    situation: Mapped[str] = mapped_column(Text)
    reporter: Mapped[str] = mapped_column(String(100))
    reporter_number: Mapped[str] = mapped_column(String(40), default="")
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    started_at: Mapped[dt.datetime]
    started_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    all_clear: Mapped[str | None] = mapped_column(Text)


class EmergencyRecipient(Base):
    __tablename__ = "emergency_recipients"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("emergency_incidents.id", ondelete="CASCADE"))
    position: Mapped[int] = mapped_column(Integer)  # index in the plan's recipients
    deputy_of_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_recipients.id"))
    name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(100), default="")
    number: Mapped[str] = mapped_column(String(40), default="")
    channels: Mapped[str] = mapped_column(String(40))  # comma-separated Channel values
    wave: Mapped[int] = mapped_column(Integer, default=1)
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    first_call_at: Mapped[dt.datetime | None]  # when telling them began (the deputy's wait)
    acknowledged_at: Mapped[dt.datetime | None]
    ack_channel: Mapped[str | None] = mapped_column(String(20))
    ack_by: Mapped[str | None] = mapped_column(String(100))
    note: Mapped[str] = mapped_column(Text, default="")
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (Index("ix_emergency_recipients_incident", "incident_id", "position"),)


class EmergencyAttempt(Base):
    __tablename__ = "emergency_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    recipient_id: Mapped[int] = mapped_column(ForeignKey("emergency_recipients.id", ondelete="CASCADE"),
                                              index=True)
    channel: Mapped[str] = mapped_column(String(20))  # phone | sms
    number: Mapped[int] = mapped_column(Integer)  # 1, 2 … per recipient and channel
    call_id: Mapped[str] = mapped_column(String(80), unique=True)
    state: Mapped[str] = mapped_column(String(20), default="placing")  # placing | ended
    outcome: Mapped[str | None] = mapped_column(String(30))
    sip_status: Mapped[int | None] = mapped_column(Integer)
    detail: Mapped[str] = mapped_column(Text, default="")
    worker: Mapped[str | None] = mapped_column(String(100))
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]


class EmergencyEvent(Base):
    __tablename__ = "emergency_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    incident_id: Mapped[int] = mapped_column(ForeignKey("emergency_incidents.id", ondelete="CASCADE"))
    at: Mapped[dt.datetime]
    kind: Mapped[str] = mapped_column(String(30))  # started, update, closed, call, result, sms, ...
    text: Mapped[str] = mapped_column(Text, default="")
    recipient_id: Mapped[int | None] = mapped_column(ForeignKey("emergency_recipients.id"))
    actor: Mapped[str] = mapped_column(String(120), default="system")
    detail: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_emergency_events_incident_at", "incident_id", "at", "id"),)
