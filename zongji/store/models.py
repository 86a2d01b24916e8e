"""SQLAlchemy models: the schema of Zongji.

Names follow ../shared/GLOSSARY.md. Every instant is stored in UTC and read back timezone-aware
(see ``UTCDateTime``); local time is applied only when shown or reasoned about.
The core tables; each area's are in ``<area>_models.py``, and ``schema.py`` gathers them all.
Changes to this file need an Alembic migration in ``zongji/store/migrations/versions``.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import JSON, BigInteger, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from zongji.domain.caller_id import reversed_digits, search_digits

# The shared parts, imported from here by the areas' models too (and UTCDateTime by the
# migrations written before base.py, as ``zongji.store.models.UTCDateTime``).
from zongji.store.base import Base, BigId, UTCDateTime, utcnow  # noqa: F401


# --------------------------------------------------------------------------- people and access


class User(Base):
    """Someone who logs in: operator, shift leader, supervisor, unit handler or admin."""

    __tablename__ = "users"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    username: Mapped[str] = mapped_column(String(64), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    role: Mapped[str] = mapped_column(String(20))  # see zongji.domain.roles.Role
    password_hash: Mapped[str] = mapped_column(String(200))
    # Operator's work number (工号), said in scripts and printed on records.
    operator_number: Mapped[str | None] = mapped_column(String(20))
    # For unit handlers: the handling unit whose work orders they see.
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    # Console language: "zh-CN" (default) or "en".
    locale: Mapped[str] = mapped_column(String(10), default="zh-CN")
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class LoginSession(Base):
    """A person's console session. Only the SHA-256 of the token is stored; revocable."""

    __tablename__ = "login_sessions"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[dt.datetime]
    revoked_at: Mapped[dt.datetime | None]

    user: Mapped[User] = relationship(lazy="joined")


class IntegrationToken(Base):
    """A bearer token for a PBX or other integration. Only the SHA-256 is stored; revocable."""

    __tablename__ = "integration_tokens"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    name: Mapped[str] = mapped_column(String(100))
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # Comma-separated scopes, e.g. "cti".
    scopes: Mapped[str] = mapped_column(String(200), default="cti")
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[dt.datetime | None]


class AuditEntry(Base):
    """Who did or read what, when. Every change, and every read of a guest's personal data."""

    __tablename__ = "audit_log"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # "user:alice", "token:pbx-1", "cli", "system".
    actor: Mapped[str] = mapped_column(String(120))
    # "read" for reads of personal data; otherwise a verb such as "create", "update", "close".
    action: Mapped[str] = mapped_column(String(40))
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    detail: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)


class LoginThrottle(Base):
    """Failed logins of one account name (as typed, existing or not) or one client address, and
    its lock (zongji.domain.login_throttle). In the database so every server process and a
    restarted one see the same lock."""

    __tablename__ = "login_throttle"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    scope: Mapped[str] = mapped_column(String(10))  # "account" or "address"
    subject: Mapped[str] = mapped_column(String(100))  # the account name or the address
    failures: Mapped[int] = mapped_column(Integer, default=0)
    window_start: Mapped[dt.datetime | None]
    locked_until: Mapped[dt.datetime | None]
    locks: Mapped[int] = mapped_column(Integer, default=0)
    last_failure_at: Mapped[dt.datetime | None]

    __table_args__ = (UniqueConstraint("scope", "subject", name="uq_login_throttle_scope_subject"),)


# --------------------------------------------------------------------------- organisation


class Organisation(Base):
    """A hotel, company or city hotline served by this Zongji."""

    __tablename__ = "organisations"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    # "hotel", "company" or "city_hotline".
    kind: Mapped[str] = mapped_column(String(20))


class Line(Base):
    """A published number answered by operators (switchboard, 400 hotline, 12345 …)."""

    __tablename__ = "lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"))
    code: Mapped[str] = mapped_column(String(40), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    # "switchboard", "hotline_400" or "hotline_12345"; see zongji.domain.lines.LineKind.
    kind: Mapped[str] = mapped_column(String(20))
    # The published number as dialled, e.g. "02087654321", "4008001234", "12345".
    number: Mapped[str] = mapped_column(String(40), unique=True)
    # Greeting templates; "{greeting}" is replaced by the time-of-day phrase (早上好 …).
    greeting_zh: Mapped[str | None] = mapped_column(Text)
    greeting_en: Mapped[str | None] = mapped_column(Text)
    internal_greeting_zh: Mapped[str | None] = mapped_column(Text)
    inbound_only: Mapped[bool] = mapped_column(Boolean, default=False)

    organisation: Mapped[Organisation] = relationship(lazy="joined")


class UserLine(Base):
    """A line a user works for (issue 8, point 5): they see the handover, directory, categories
    and queues of these lines and their organisations. A user with none works for every line;
    see ``zongji.domain.scope``."""

    __tablename__ = "user_lines"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"), index=True)
    line_id: Mapped[int] = mapped_column(ForeignKey("lines.id", ondelete="CASCADE"), index=True)

    __table_args__ = (UniqueConstraint("user_id", "line_id", name="uq_user_lines_user_line"),)


class Department(Base):
    """A department of an organisation, or a handling unit of a city hotline."""

    __tablename__ = "departments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    # "department" or "handling_unit".
    kind: Mapped[str] = mapped_column(String(20), default="department")
    extension: Mapped[str | None] = mapped_column(String(20), index=True)
    phone: Mapped[str | None] = mapped_column(String(40), index=True)
    # Working hours: {"mon": [["08:30","12:00"],["13:00","17:30"]], …}; absent day = closed;
    # {"all": [["00:00","24:00"]]} for round-the-clock departments.
    working_hours: Mapped[dict[str, Any] | None]
    duties: Mapped[str | None] = mapped_column(Text)  # what it is responsible for (R-P12)
    # The district whose local government (属地) this handling unit is, e.g. 东区: the dispatch
    # suggestion learns the district governments' matters together and names the government of
    # the order's district (domain/dispatch/model, LOCAL).
    district: Mapped[str | None] = mapped_column(String(40))
    search_text: Mapped[str] = mapped_column(Text, default="")
    # Who takes its calls when it is closed (lunch, night, holiday): a person of the directory,
    # rung on their mobile; an urgent call to one of its staff reaches them too (issue 8).
    after_hours_person_id: Mapped[int | None] = mapped_column(
        ForeignKey("people.id", use_alter=True, ondelete="SET NULL"))

    organisation: Mapped[Organisation] = relationship(lazy="joined")
    after_hours_person: Mapped["Person | None"] = relationship(
        foreign_keys=[after_hours_person_id], lazy="select", post_update=True)


class Person(Base):
    """A staff member in the directory (not necessarily a user of Zongji)."""

    __tablename__ = "people"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    department_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    title: Mapped[str | None] = mapped_column(String(100))  # 总经理， 前厅部经理 …
    title_en: Mapped[str | None] = mapped_column(String(100))
    # Managers are recognised by number and addressed by title (R-H2).
    is_manager: Mapped[bool] = mapped_column(Boolean, default=False)
    extension: Mapped[str | None] = mapped_column(String(20), index=True)
    mobile: Mapped[str | None] = mapped_column(String(40), index=True)
    pager: Mapped[str | None] = mapped_column(String(40))
    email: Mapped[str | None] = mapped_column(String(200))  # messages by e-mail (issue 3, R-H5)
    office_phone: Mapped[str | None] = mapped_column(String(40), index=True)
    search_text: Mapped[str] = mapped_column(Text, default="")

    department: Mapped[Department | None] = relationship(lazy="joined", foreign_keys=[department_id])


class Room(Base):
    __tablename__ = "rooms"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    number: Mapped[str] = mapped_column(String(20))
    floor: Mapped[int] = mapped_column(Integer)
    room_type: Mapped[str | None] = mapped_column(String(40))
    extension: Mapped[str] = mapped_column(String(20), index=True)

    __table_args__ = (UniqueConstraint("organisation_id", "number", name="uq_rooms_org_number"),)


class Guest(Base):
    """A hotel guest. Personal data: reads are audited; the room is never told to a caller."""

    __tablename__ = "guests"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    # Mr / Ms for addressing: "male", "female" or None.
    gender: Mapped[str | None] = mapped_column(String(10))
    mobile: Mapped[str | None] = mapped_column(String(40), index=True)
    vip: Mapped[bool] = mapped_column(Boolean, default=False)
    # How to address a VIP, e.g. "李董事长".
    vip_title: Mapped[str | None] = mapped_column(String(100))
    # "normal", "no_calls" or "not_staying" (deny the stay) — R-H4.
    privacy_level: Mapped[str] = mapped_column(String(20), default="normal")
    language: Mapped[str | None] = mapped_column(String(10))
    note: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")
    # The customer file (R-G6): "key", "general" or "potential", and preferences
    # [{"topic": "pillow", "text": "荞麦枕"}, …] every desk should know.
    grade: Mapped[str] = mapped_column(String(12), default="general", server_default="general")
    preferences: Mapped[list[dict[str, str]] | None] = mapped_column(JSON)


class StaySurvey(Base):
    """The satisfaction survey after a stay (R-G6): one per stay, recorded by whoever called the
    guest — a score 1–5 and a comment, or why there is none (no answer, declined)."""

    __tablename__ = "stay_surveys"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    stay_id: Mapped[int] = mapped_column(ForeignKey("stays.id"), unique=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guests.id"), index=True)
    result: Mapped[str] = mapped_column(String(12))  # answered | no_answer | declined
    score: Mapped[int | None] = mapped_column(Integer)
    comment: Mapped[str | None] = mapped_column(Text)
    recorded_by: Mapped[str] = mapped_column(String(100))
    recorded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class Stay(Base):
    """A guest's stay in a room from arrival to departure."""

    __tablename__ = "stays"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    guest_id: Mapped[int] = mapped_column(ForeignKey("guests.id"), index=True)
    room_id: Mapped[int] = mapped_column(ForeignKey("rooms.id"), index=True)
    arrival: Mapped[dt.datetime]
    departure: Mapped[dt.datetime]
    # "expected", "in_house" or "checked_out".
    status: Mapped[str] = mapped_column(String(20), default="in_house")

    guest: Mapped[Guest] = relationship(lazy="joined")
    room: Mapped[Room] = relationship(lazy="joined")


class Customer(Base):
    """A known caller of a company or hotline (not a guest, not staff)."""

    __tablename__ = "customers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    name: Mapped[str] = mapped_column(String(100))
    company: Mapped[str | None] = mapped_column(String(100))
    phone: Mapped[str] = mapped_column(String(40), index=True)
    # "key", "general" or "potential" (R-G6).
    grade: Mapped[str] = mapped_column(String(20), default="general")
    note: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")


class CommonNumber(Base):
    """An entry of the common-numbers directory given out at once (R-H7)."""

    __tablename__ = "common_numbers"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    organisation_id: Mapped[int] = mapped_column(ForeignKey("organisations.id"), index=True)
    # e.g. 交通， 医院， 政府， 公共服务， 酒店
    category: Mapped[str] = mapped_column(String(40))
    name: Mapped[str] = mapped_column(String(100))
    number: Mapped[str] = mapped_column(String(40), index=True)
    note: Mapped[str | None] = mapped_column(Text)
    search_text: Mapped[str] = mapped_column(Text, default="")


# --------------------------------------------------------------------------- calls


LIVE_CALL_STATES = ("ringing", "answered")
LIVE_CALLS_SQL = "state IN ('ringing', 'answered')"

# The number search keys (issue 18): digits only, compared byte by byte (PostgreSQL's "C"
# collation, SQLite's default), so a range ``key >= '1381' AND key < '1381:'`` is a prefix search
# any btree serves, whatever the database's locale.
NumberKey = String(64).with_variant(String(64, collation="C"), "postgresql")
# Which key column is computed from which number column, forwards and reversed.
NUMBER_KEY_COLUMNS = {
    "calling_digits": ("calling_number", False), "calling_digits_rev": ("calling_number", True),
    "called_digits": ("called_number", False), "called_digits_rev": ("called_number", True),
}


def number_keys(calling: str | None, called: str | None) -> dict[str, str]:
    """The four search-key columns of a call with these numbers."""
    a, b = search_digits(calling), search_digits(called)
    return {"calling_digits": a, "calling_digits_rev": reversed_digits(a),
            "called_digits": b, "called_digits_rev": reversed_digits(b)}


def _key_default(column: str):
    source, backwards = NUMBER_KEY_COLUMNS[column]

    def default(context) -> str:
        key = search_digits(context.get_current_parameters().get(source))
        return reversed_digits(key) if backwards else key
    return default


class Call(Base):
    """The record of one call (R-C3, R-S4)."""

    __tablename__ = "calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    # The PBX's call id (Zammad "callId"); None for supplementary records.
    external_id: Mapped[str | None] = mapped_column(String(250), unique=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    # "in", "out" or "internal".
    direction: Mapped[str] = mapped_column(String(10))
    calling_number: Mapped[str] = mapped_column(String(64), index=True)
    called_number: Mapped[str] = mapped_column(String(64), index=True)  # callbacks, the caller's history
    # Search keys of the two numbers (``number_keys``): filled on insert by these defaults, by the
    # CTI writer's own statements (store/call_writes.py) on insert and update.
    calling_digits: Mapped[str | None] = mapped_column(NumberKey, default=_key_default("calling_digits"))
    calling_digits_rev: Mapped[str | None] = mapped_column(NumberKey, default=_key_default("calling_digits_rev"))
    called_digits: Mapped[str | None] = mapped_column(NumberKey, default=_key_default("called_digits"))
    called_digits_rev: Mapped[str | None] = mapped_column(NumberKey, default=_key_default("called_digits_rev"))
    queue: Mapped[str | None] = mapped_column(String(100))
    # "ringing", "answered" (talking), "ended".
    state: Mapped[str] = mapped_column(String(20), default="ringing", index=True)
    ringing_at: Mapped[dt.datetime | None]
    answered_at: Mapped[dt.datetime | None]
    ended_at: Mapped[dt.datetime | None]
    ring_seconds: Mapped[int | None] = mapped_column(Integer)
    talk_seconds: Mapped[int | None] = mapped_column(Integer)
    # Who answered: the operator (if known) and the raw answering number / user from the PBX.
    answered_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    answering_number: Mapped[str | None] = mapped_column(String(100))
    # "answered", "abandoned", "transferred", "message_taken", "missed", "busy", "failed" …;
    # see zongji.domain.calls.Outcome. None while the call is live.
    outcome: Mapped[str | None] = mapped_column(String(30), index=True)
    hangup_cause: Mapped[str | None] = mapped_column(String(40))
    transfer_target: Mapped[str | None] = mapped_column(String(100))
    # When the latest transfer happened (the latest transfer's target is the one kept).
    transferred_at: Mapped[dt.datetime | None]
    # Identified caller: kind "guest" | "staff" | "customer" | "department" | "unknown",
    # reference id in the matching table, and a display label (e.g. "李明 董事长 (VIP)").
    caller_kind: Mapped[str] = mapped_column(String(20), default="unknown")
    caller_ref_id: Mapped[int | None] = mapped_column(BigInteger)
    caller_label: Mapped[str | None] = mapped_column(String(200))
    # How to address the caller (总经理， 李董事长 …) and whether they are a VIP (R-H2, R-H12).
    caller_title: Mapped[str | None] = mapped_column(String(100))
    caller_vip: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str | None] = mapped_column(String(60), index=True)
    notes: Mapped[str | None] = mapped_column(Text)
    # Closed by the operator after wrap-up; a closed call is done in the console.
    closed_at: Mapped[dt.datetime | None]
    closed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    # A record written afterwards for a call handled after hours (R-S4).
    supplementary: Mapped[bool] = mapped_column(Boolean, default=False)
    recorded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    line: Mapped[Line | None] = relationship(lazy="joined")
    answered_by: Mapped[User | None] = relationship(foreign_keys=[answered_by_id], lazy="joined")

    # The calls ringing or talked now (the console, the wallboard): a handful among millions. A
    # partial index, so no planner takes the whole table for them; queries state the same
    # predicate with literals (``LIVE_CALL_STATES``).
    # The call log (issue 18): every list is read in (ringing_at, id) order, newest first, from
    # an index whose leading columns are its filter: all calls, a line's, a line's by outcome,
    # and the number search by the beginning or the end of either number.
    __table_args__ = (Index("ix_calls_live", "state", sqlite_where=text(LIVE_CALLS_SQL),
                            postgresql_where=text(LIVE_CALLS_SQL)),
                      Index("ix_calls_ringing_at_id", "ringing_at", "id"),
                      Index("ix_calls_line_ringing_at", "line_id", "ringing_at", "id"),
                      Index("ix_calls_line_outcome_ringing_at", "line_id", "outcome", "ringing_at", "id"),
                      *(Index(f"ix_calls_{c}", c) for c in NUMBER_KEY_COLUMNS))


class CallEvent(Base):
    """A CTI event exactly as accepted (the durable event log). ``event_key`` makes replays no-ops."""

    __tablename__ = "call_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    event_key: Mapped[str] = mapped_column(String(64), unique=True)
    external_call_id: Mapped[str] = mapped_column(String(250), index=True)
    # "newCall", "answer", "transfer", "hangup".
    kind: Mapped[str] = mapped_column(String(20))
    # When the PBX says it happened (JSON form "at"); otherwise when we received it.
    occurred_at: Mapped[dt.datetime]
    received_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    source: Mapped[str] = mapped_column(String(120))  # token name
    payload: Mapped[dict[str, Any]]


# --------------------------------------------------------------------------- live feed


class FeedItem(Base):
    """A change that consoles must see at once; written in the same transaction as the change.

    Each server process polls this table and pushes new rows to its WebSocket clients, so push
    works with several worker processes and on both databases.
    """

    __tablename__ = "feed"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    # e.g. "call", "dnd", "message", "wakeup", "alert".
    topic: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[str | None] = mapped_column(String(64))
    payload: Mapped[dict[str, Any] | None]


class Setting(Base):
    """A setting changed by an admin at run time, overriding the default in zongji.settings."""

    __tablename__ = "settings"

    key: Mapped[str] = mapped_column(String(100), primary_key=True)
    value: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


# --------------------------------------------------------------------------- timers


class Job(Base):
    """A timer or background task that must run once, even with several workers and restarts.

    ``key`` makes scheduling idempotent (scheduling the same key twice keeps one job). A worker
    claims due jobs with a lease; the handler's effects and the job's ``done`` mark commit in one
    transaction, so a crash before the commit leaves the job to be claimed again after the lease
    ends, and a crash after it cannot run the job a second time. See zongji/worker/runner.py.
    """

    __tablename__ = "jobs"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    kind: Mapped[str] = mapped_column(String(60))
    key: Mapped[str] = mapped_column(String(200), unique=True)
    due_at: Mapped[dt.datetime]
    payload: Mapped[dict[str, Any] | None]
    # "pending", "running", "done", "failed" or "cancelled".
    state: Mapped[str] = mapped_column(String(20), default="pending")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    lease_until: Mapped[dt.datetime | None]
    worker: Mapped[str | None] = mapped_column(String(100))
    last_error: Mapped[str | None] = mapped_column(Text)
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[dt.datetime | None]

    __table_args__ = (Index("ix_jobs_state_due", "state", "due_at"),)


__all__ = [
    "AuditEntry",
    "Base",
    "Call",
    "CallEvent",
    "CommonNumber",
    "Customer",
    "Department",
    "FeedItem",
    "Guest",
    "IntegrationToken",
    "Job",
    "Line",
    "LoginSession",
    "Organisation",
    "Person",
    "Room",
    "Setting",
    "Stay",
    "StaySurvey",
    "User",
    "UserLine",
    "utcnow",
]
