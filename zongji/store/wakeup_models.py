"""Tables of wake-up calls (叫醒服务， R-H9, issue 5).

Listed in ``zongji.store.schema`` so that its metadata holds them.

- ``Wakeup``: one occurrence (a daily repeat is one row a day sharing ``series_id``), with the
  state of ``zongji.domain.wakeups.WakeupState`` kept in columns.
- ``WakeupAttempt``: one call. ``state`` is the two-phase record of placing it: ``placing`` is
  committed *before* the gateway is asked to dial (with the deterministic ``call_id``), ``ended``
  when its result is recorded. A ``placing`` row found by a recovering worker is resolved from
  the gateway's memory of that call id and the CTI call records, never dialled blindly.
- ``WakeupTask``: what people must do when the machine could not: knock on the door (floor
  attendant, seen by the housekeeping centre) or call the room by hand (manual call list).
- ``WakeupCheck``: the pre-flight test call before the day's earliest wake-up.
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zongji.store.models import Base, BigId, Room, User, utcnow


class Wakeup(Base):
    __tablename__ = "wakeups"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    room_number: Mapped[str] = mapped_column(String(20))
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"), index=True)
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("guests.id"))
    # How it was addressed (zongji.domain.guest_privacy): "room" (the room was given) or "guest"
    # (the room found from the guest's identity: operators never see it).
    addressed: Mapped[str] = mapped_column(String(10), default="room", server_default="room")
    # Occurrences of one booking with a daily repeat share this id.
    series_id: Mapped[str] = mapped_column(String(40), index=True)
    wake_at: Mapped[dt.datetime] = mapped_column(index=True)
    repeat_daily: Mapped[bool] = mapped_column(Boolean, default=False)
    repeat_until: Mapped[str | None] = mapped_column(String(10))  # local date YYYY-MM-DD
    languages: Mapped[str] = mapped_column(String(20), default="zh,en")
    note: Mapped[str] = mapped_column(Text, default="")
    # Who booked it and how: "user:<name>" or "token:<name>", channel console | api.
    booked_by: Mapped[str] = mapped_column(String(120))
    booked_by_user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    booked_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    channel: Mapped[str] = mapped_column(String(20), default="console")
    readback_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # due | calling | answered | retrying | snoozed | escalated | done | cancelled
    status: Mapped[str] = mapped_column(String(20), default="due", index=True)
    next_attempt_at: Mapped[dt.datetime | None]
    window_ends_at: Mapped[dt.datetime | None]
    snoozes: Mapped[int] = mapped_column(Integer, default=0)
    reached_at: Mapped[dt.datetime | None]
    reached_by: Mapped[str | None] = mapped_column(String(20))  # phone | door | operator
    reached_recorded_by: Mapped[str | None] = mapped_column(String(120))
    minutes_late: Mapped[int | None] = mapped_column(Integer)
    escalated_at: Mapped[dt.datetime | None]
    escalation_reason: Mapped[str | None] = mapped_column(String(30))
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(120))
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    room: Mapped[Room] = relationship(lazy="joined")
    attempts: Mapped[list["WakeupAttempt"]] = relationship(
        back_populates="wakeup", order_by="WakeupAttempt.number", lazy="selectin")
    # The person who booked it, shown by name and work number (issue 8).
    booked_by_user: Mapped[User | None] = relationship(lazy="selectin", viewonly=True)


class WakeupAttempt(Base):
    __tablename__ = "wakeup_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    wakeup_id: Mapped[int] = mapped_column(ForeignKey("wakeups.id"), index=True)
    number: Mapped[int] = mapped_column(Integer)
    # The id the gateway and the CTI call record carry: "wakeup-<id>-<number>" (the PBX's call
    # id, ``calls.external_id``; not a database id). The column keeps its name.
    external_call_id: Mapped[str] = mapped_column("call_id", String(64), unique=True)
    # placing (committed before dialling) | ended
    state: Mapped[str] = mapped_column(String(20), default="placing")
    uri: Mapped[str] = mapped_column(String(200))
    worker: Mapped[str | None] = mapped_column(String(100))
    due_at: Mapped[dt.datetime]  # when this attempt was due
    started_at: Mapped[dt.datetime]  # "placing" committed
    placed_at: Mapped[dt.datetime | None]  # the gateway sent the INVITE
    answered_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    # zongji.telephony.adapter.CallOutcome value, or "unknown" (recovered without a result)
    outcome: Mapped[str | None] = mapped_column(String(30))
    key: Mapped[str | None] = mapped_column(String(4))
    sip_status: Mapped[int | None] = mapped_column(Integer)
    reason: Mapped[str | None] = mapped_column(String(300))
    recovered: Mapped[bool] = mapped_column(Boolean, default=False)

    wakeup: Mapped[Wakeup] = relationship(back_populates="attempts")

    __table_args__ = (UniqueConstraint("wakeup_id", "number", name="uq_wakeup_attempts_number"),)


class WakeupTask(Base):
    """Knock on the door / call by hand. Open until someone records the guest was reached."""

    __tablename__ = "wakeup_tasks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    wakeup_id: Mapped[int] = mapped_column(ForeignKey("wakeups.id"), index=True)
    kind: Mapped[str] = mapped_column(String(20))  # knock_on_door | manual_call
    room_number: Mapped[str] = mapped_column(String(20))
    floor: Mapped[int | None] = mapped_column(Integer)
    text: Mapped[str] = mapped_column(Text)
    state: Mapped[str] = mapped_column(String(20), default="open")  # open | done | cancelled
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    done_at: Mapped[dt.datetime | None]
    done_by: Mapped[str | None] = mapped_column(String(120))
    # Addressed to: the department whose handlers see and close it (knock-on-door tasks: the
    # guest-service centre, setting ``wakeup_knock_unit``; R-H9); NULL: operators only.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # Nobody answered the door: escalated to the duty manager — who recorded it, when, and how
    # many minutes late the guest was by then (R-H9). The task stays open until the guest is awake.
    no_response_at: Mapped[dt.datetime | None]
    no_response_by: Mapped[str | None] = mapped_column(String(120))
    no_response_minutes_late: Mapped[int | None] = mapped_column(Integer)

    __table_args__ = (Index("ix_wakeup_tasks_state_kind", "state", "kind"),)


class WakeupCheck(Base):
    """The pre-flight test of the calling path before a day's first wake-up."""

    __tablename__ = "wakeup_checks"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[str] = mapped_column(String(10), unique=True)  # local date YYYY-MM-DD
    due_at: Mapped[dt.datetime]
    ran_at: Mapped[dt.datetime | None]
    ok: Mapped[bool | None] = mapped_column(Boolean)
    target: Mapped[str | None] = mapped_column(String(200))
    outcome: Mapped[str | None] = mapped_column(String(30))
    detail: Mapped[str | None] = mapped_column(Text)


__all__ = ["Wakeup", "WakeupAttempt", "WakeupTask", "WakeupCheck"]
