"""Tables of switchboard operations (issue 3): transfer attempts, messages, do-not-disturb, line
settings, faults and silence alerts, handovers, and the information service (facilities, rates).

Listed in ``zongji.store.schema`` so that its metadata holds them. Rules live in
``zongji.domain`` (transfer, messages, dnd, lines, handover); these rows persist their results.
Room numbers are stored where operators' internal records need them (DND, handover snapshots)
and are only ever served to roles in ``zongji.domain.roles.ROOM_NUMBER_ROLES``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zongji.store.models import Base, BigId, Call, Line, Person, utcnow


class TransferAttempt(Base):
    """One attempt to put a call through (R-H3, issue 3 §1): target, decision, result, ring seconds.

    ``target_label`` is safe to show (never a room number); ``dial`` is what the adapter rang —
    for guests and rooms it is the room extension (``dial_private``) and never served by the API.
    """

    __tablename__ = "transfer_attempts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"), index=True)
    # "person" | "department" | "guest" | "room" | "line"
    target_kind: Mapped[str] = mapped_column(String(20))
    target_id: Mapped[int | None] = mapped_column(BigId)
    target_label: Mapped[str] = mapped_column(String(200))
    target_label_en: Mapped[str | None] = mapped_column(String(200))
    # zongji.domain.transfer.TransferOutcome and the reason code behind it.
    outcome: Mapped[str] = mapped_column(String(40))
    reason_code: Mapped[str] = mapped_column(String(60))
    dial: Mapped[str | None] = mapped_column(String(64))
    dial_private: Mapped[bool] = mapped_column(Boolean, default=False)
    # zongji.domain.transfer.AttemptResult: ringing, answered, no_answer, busy, declined, refused, failed
    result: Mapped[str] = mapped_column(String(20), index=True)
    started_at: Mapped[dt.datetime]
    ended_at: Mapped[dt.datetime | None]
    ring_seconds: Mapped[int | None] = mapped_column(Integer)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # The decision as shown (reason, script …) without private fields.
    decision: Mapped[dict[str, Any] | None]

    call: Mapped[Call | None] = relationship(lazy="select")


class Message(Base):
    """A message taken for a guest, staff member or department (R-H5, R-C2). Never deleted."""

    __tablename__ = "messages"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # "guest" | "staff" | "department"
    recipient_kind: Mapped[str] = mapped_column(String(20))
    recipient_id: Mapped[int | None] = mapped_column(BigId, index=True)
    recipient_label: Mapped[str] = mapped_column(String(200))  # never a room number
    # For guests (zongji.domain.guest_privacy): "guest" (found by name) or "room" (taken for a
    # room: operators see the room, never who stays there); None for staff and departments.
    addressed: Mapped[str | None] = mapped_column(String(10))
    caller_name: Mapped[str] = mapped_column(String(100))
    caller_number: Mapped[str] = mapped_column(String(64))
    content: Mapped[str] = mapped_column(Text)
    urgent: Mapped[bool] = mapped_column(Boolean, default=False)
    call_id: Mapped[int | None] = mapped_column(ForeignKey("calls.id"))
    taken_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    taken_by: Mapped[str] = mapped_column(String(100))
    taken_at: Mapped[dt.datetime] = mapped_column(index=True)
    read_back_at: Mapped[dt.datetime | None]
    # zongji.domain.messages.MessageState
    state: Mapped[str] = mapped_column(String(20), index=True)
    acknowledged_at: Mapped[dt.datetime | None]
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    raised_count: Mapped[int] = mapped_column(Integer, default=0)
    last_raised_at: Mapped[dt.datetime | None]
    void_at: Mapped[dt.datetime | None]
    void_by: Mapped[str | None] = mapped_column(String(100))
    void_reason: Mapped[str | None] = mapped_column(Text)
    # For guests: the room extension whose lamp was lit (internal; never served).
    lamp_extension: Mapped[str | None] = mapped_column(String(20))

    deliveries: Mapped[list[MessageDelivery]] = relationship(
        back_populates="message", lazy="selectin", order_by="MessageDelivery.id")
    sends: Mapped[list[MessageSend]] = relationship(
        back_populates="message", lazy="selectin", order_by="MessageSend.id")


class MessageDelivery(Base):
    """One delivery of a message by a channel: lamp, sms, email, pager, console."""

    __tablename__ = "message_deliveries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))
    at: Mapped[dt.datetime]
    by: Mapped[str] = mapped_column(String(100))
    detail: Mapped[str | None] = mapped_column(String(200))

    message: Mapped[Message] = relationship(back_populates="deliveries")


class MessageSend(Base):
    """One request to send a message by SMS, e-mail or pager (R-H5), carried out by the worker
    (job ``switchboard.message_send``). ``state``: pending → sent | failed; every attempt's result
    is kept (``attempts``, ``error``). A sent one also adds a ``MessageDelivery``; a failed one
    leaves the message undelivered, so it is raised again and stays in the handover."""

    __tablename__ = "message_sends"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    message_id: Mapped[int] = mapped_column(ForeignKey("messages.id"), index=True)
    channel: Mapped[str] = mapped_column(String(20))  # sms | email | pager
    address: Mapped[str] = mapped_column(String(200))  # mobile, pager number or e-mail address
    requested_at: Mapped[dt.datetime]
    requested_by: Mapped[str] = mapped_column(String(100))
    state: Mapped[str] = mapped_column(String(20), default="pending", index=True)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    last_attempt_at: Mapped[dt.datetime | None]
    sent_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)
    gateway_id: Mapped[str | None] = mapped_column(String(200))

    message: Mapped[Message] = relationship(back_populates="sends")


class StaffLeave(Base):
    """A person's leave with a named deputy (R-S5): transfers to them go to the deputy."""

    __tablename__ = "staff_leaves"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("people.id"), index=True)
    starts_at: Mapped[dt.datetime]
    ends_at: Mapped[dt.datetime]
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    note: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by: Mapped[str] = mapped_column(String(100))
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(100))

    person: Mapped[Person] = relationship(foreign_keys=[person_id], lazy="joined")
    deputy: Mapped[Person | None] = relationship(foreign_keys=[deputy_id], lazy="joined")


class DndPeriod(Base):
    """Do-not-disturb for a room (a guest's) or a person (R-H8)."""

    __tablename__ = "dnd_periods"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # "room" | "person"
    subject_kind: Mapped[str] = mapped_column(String(20))
    subject_id: Mapped[int] = mapped_column(BigId)
    subject_label: Mapped[str] = mapped_column(String(200))  # the guest's / person's name
    guest_id: Mapped[int | None] = mapped_column(ForeignKey("guests.id"))
    # For guests (zongji.domain.guest_privacy): "guest" (set on a guest found by name) or "room"
    # (set on a room by its number); None for people.
    addressed: Mapped[str | None] = mapped_column(String(10))
    stay_id: Mapped[int | None] = mapped_column(ForeignKey("stays.id"))
    guest_name: Mapped[str | None] = mapped_column(String(100))
    room_number: Mapped[str | None] = mapped_column(String(20))  # internal
    extension: Mapped[str | None] = mapped_column(String(20))  # the line locked (internal)
    reason: Mapped[str | None] = mapped_column(Text)
    set_at: Mapped[dt.datetime]
    set_by: Mapped[str] = mapped_column(String(100))
    until: Mapped[dt.datetime | None]
    until_checkout: Mapped[bool] = mapped_column(Boolean, default=False)
    checked_out_at: Mapped[dt.datetime | None]
    cancelled_at: Mapped[dt.datetime | None]
    cancelled_by: Mapped[str | None] = mapped_column(String(100))
    cancel_reason: Mapped[str | None] = mapped_column(Text)
    # Set once the period has ended (any reason) and the line was released.
    ended_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    end_reason: Mapped[str | None] = mapped_column(String(20))

    __table_args__ = (Index("ix_dnd_periods_subject", "subject_kind", "subject_id"),)


class LineSettings(Base):
    """Routing of a published line (issue 3 §7): hours, after-hours forwarding, responsible person
    and deputy, leave. One row per line."""

    __tablename__ = "line_settings"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), unique=True)
    # zongji.domain.working_hours JSON; None = answered round the clock.
    working_hours: Mapped[dict[str, Any] | None]
    responsible_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    responsible_on_leave: Mapped[bool] = mapped_column(Boolean, default=False)
    leave_until: Mapped[dt.datetime | None]
    deputy_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # R-S2: after hours, forward to this person's mobile (e.g. the customer-service manager).
    after_hours_id: Mapped[int | None] = mapped_column(ForeignKey("people.id"))
    # False: do not run the silence check on this line.
    silence_check: Mapped[bool] = mapped_column(Boolean, default=True)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    line: Mapped[Line] = relationship(lazy="joined")
    responsible: Mapped[Person | None] = relationship(foreign_keys=[responsible_id], lazy="joined")
    deputy: Mapped[Person | None] = relationship(foreign_keys=[deputy_id], lazy="joined")
    after_hours: Mapped[Person | None] = relationship(foreign_keys=[after_hours_id], lazy="joined")


class LineFault(Base):
    """A line fault (R-S3): cause, start, end; reported to the technical department."""

    __tablename__ = "line_faults"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), index=True)
    cause: Mapped[str] = mapped_column(Text)
    started_at: Mapped[dt.datetime]
    reported_at: Mapped[dt.datetime]
    reported_by: Mapped[str] = mapped_column(String(100))
    reported_to: Mapped[str] = mapped_column(String(100))
    ended_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    resolution: Mapped[str | None] = mapped_column(Text)
    closed_by: Mapped[str | None] = mapped_column(String(100))

    line: Mapped[Line] = relationship(lazy="joined")


class SilenceAlert(Base):
    """"This line has been silent longer than usual: test-call it" (R-S3)."""

    __tablename__ = "silence_alerts"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id"), index=True)
    silent_since: Mapped[dt.datetime]
    raised_at: Mapped[dt.datetime]
    silent_minutes: Mapped[float] = mapped_column(Float)
    threshold_minutes: Mapped[float] = mapped_column(Float)
    usual_minutes: Mapped[float | None] = mapped_column(Float)
    basis: Mapped[str] = mapped_column(String(20))
    test_call_ok: Mapped[bool | None] = mapped_column(Boolean)
    test_call_at: Mapped[dt.datetime | None]
    test_call_by: Mapped[str | None] = mapped_column(String(100))
    fault_id: Mapped[int | None] = mapped_column(ForeignKey("line_faults.id"))

    line: Mapped[Line] = relationship(lazy="joined")


class Handover(Base):
    """A shift handover (交接班本， R-H13). While ``draft`` it is assembled live; at sign-off its
    sections are frozen in ``sections`` (with room numbers, for roles that may see them) and
    ``sections_public`` (without)."""

    __tablename__ = "handovers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    shift_label: Mapped[str] = mapped_column(String(100))
    # The organisation whose shift this is (issue 8, point 5); None: the shared handover of
    # everything (users who work for several organisations). See zongji.domain.scope.
    organisation_id: Mapped[int | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    started_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    # "draft" | "signed_off" | "acknowledged"
    state: Mapped[str] = mapped_column(String(20), index=True, default="draft")
    prepared_by: Mapped[str | None] = mapped_column(String(100))
    assembled_at: Mapped[dt.datetime | None]
    sections: Mapped[list[Any] | None] = mapped_column(JSON)
    sections_public: Mapped[list[Any] | None] = mapped_column(JSON)
    search_text: Mapped[str] = mapped_column(Text, default="")
    signed_off_by: Mapped[str | None] = mapped_column(String(100))
    signed_off_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    signed_off_at: Mapped[dt.datetime | None] = mapped_column(index=True)
    acknowledged_by: Mapped[str | None] = mapped_column(String(100))
    acknowledged_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    acknowledged_at: Mapped[dt.datetime | None]

    entries: Mapped[list[HandoverEntry]] = relationship(
        back_populates="handover", lazy="selectin", order_by="HandoverEntry.at")


class HandoverEntry(Base):
    """A free-text entry of the outgoing shift."""

    __tablename__ = "handover_entries"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    handover_id: Mapped[int] = mapped_column(ForeignKey("handovers.id"), index=True)
    at: Mapped[dt.datetime]
    author: Mapped[str] = mapped_column(String(100))
    author_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    section: Mapped[str] = mapped_column(String(20), default="entries")
    text: Mapped[str] = mapped_column(Text)

    handover: Mapped[Handover] = relationship(back_populates="entries")


class Facility(Base):
    """Hotel facilities and services with their hours and place (R-H7)."""

    __tablename__ = "facilities"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    category: Mapped[str] = mapped_column(String(40))  # 餐饮， 康体， 商务， 服务 …
    location: Mapped[str | None] = mapped_column(String(100))
    location_en: Mapped[str | None] = mapped_column(String(100))
    working_hours: Mapped[dict[str, Any] | None]
    extension: Mapped[str | None] = mapped_column(String(20))
    note: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)  # extra search words (早餐 breakfast …)


class LongDistanceRate(Base):
    """Long-distance (IDD/DDD) rates told to guests (R-H7, R-H10)."""

    __tablename__ = "long_distance_rates"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # "idd" (international) | "ddd" (domestic)
    kind: Mapped[str] = mapped_column(String(10))
    destination: Mapped[str] = mapped_column(String(100))
    destination_en: Mapped[str | None] = mapped_column(String(100))
    dial_code: Mapped[str | None] = mapped_column(String(20))  # 001, 0044, 010 …
    # Price per started minute in CNY (service charge included), and the minimum charge.
    per_minute: Mapped[float] = mapped_column(Float)
    minimum_minutes: Mapped[int] = mapped_column(Integer, default=1)
    note: Mapped[str | None] = mapped_column(Text)
    keywords: Mapped[str | None] = mapped_column(Text)


class DailyWeather(Base):
    """The day's weather as the shift leader recorded it for operators to quote (R-H14), or as a
    weather provider reported it: one row per city and local day (``city`` empty: the site's own
    city)."""

    __tablename__ = "daily_weather"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    city: Mapped[str] = mapped_column(String(60), default="")
    day: Mapped[dt.date] = mapped_column(Date)
    summary: Mapped[str] = mapped_column(String(100))  # 晴转多云, 小雨 …
    temp_low: Mapped[int | None] = mapped_column(Integer)
    temp_high: Mapped[int | None] = mapped_column(Integer)
    note: Mapped[str | None] = mapped_column(String(200))  # 午后有雷阵雨，提醒客人带伞
    source: Mapped[str] = mapped_column(String(40), default="manual")
    recorded_by: Mapped[str | None] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("city", "day", name="uq_daily_weather_city_day"),)


__all__ = [
    "DailyWeather",
    "DndPeriod",
    "Facility",
    "Handover",
    "HandoverEntry",
    "LineFault",
    "LineSettings",
    "LongDistanceRate",
    "Message",
    "MessageDelivery",
    "SilenceAlert",
    "TransferAttempt",
]
