"""Tables of work orders (工单), their SLA calendar and policies, and notifications (issue 4).

Listed in ``zongji.store.schema`` so that its metadata holds them. The order's full
domain state (``zongji.domain.work_orders.state.WorkOrderState``) is kept as JSON in
``WorkOrder.state``; the columns beside it are copies for lists, filters and permissions, written
by ``zongji.services.work_orders.changes`` in the same transaction as the state.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import Boolean, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event, inspect, text
from sqlalchemy.orm import Mapped, mapped_column

from zongji.domain.caller_id import reversed_digits, search_digits
from zongji.domain.substring_index import index_text
from zongji.store.full_text import FullTextIndex
from zongji.store.models import Base, BigId, NumberKey, utcnow


class WorkOrderCounter(Base):
    """The per-day counter behind order numbers ``YYYYMMDD-NNNN`` (incremented atomically)."""

    __tablename__ = "work_order_counters"

    day: Mapped[str] = mapped_column(String(8), primary_key=True)  # YYYYMMDD, local day
    last: Mapped[int] = mapped_column(Integer, default=0)


class WorkOrderCategory(Base):
    """A node of the importable category tree; ``code`` is the path, e.g. ``city/street_lights``."""

    __tablename__ = "work_order_categories"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    code: Mapped[str] = mapped_column(String(200), unique=True)
    parent_code: Mapped[str | None] = mapped_column(String(200), index=True)
    name_zh: Mapped[str] = mapped_column(String(100))
    name_en: Mapped[str | None] = mapped_column(String(100))
    # The unit usually responsible (R-P12), suggested at dispatch.
    default_unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    sort: Mapped[int] = mapped_column(Integer, default=0)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


OPEN_ORDERS_SQL = "status NOT IN ('closed', 'closed_directly')"
# The shift leader's dispatch queue: the domain's ``LEADER_STATUSES``, written out for the partial
# index and the queries that use it (a literal, so PostgreSQL can prove the index applies).
LEADER_QUEUE_SQL = "status IN ('created', 'returned', 'review')"
# A unit's links to its orders still open (``WorkOrderUnit.order_open``), for its partial index.
OPEN_LINKS_SQL = "order_open"


class WorkOrder(Base):
    __tablename__ = "work_orders"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    number: Mapped[str] = mapped_column(String(20), unique=True)
    line_id: Mapped[int | None] = mapped_column(ForeignKey("lines.id"))
    line_kind: Mapped[str | None] = mapped_column(String(20))
    order_type: Mapped[str] = mapped_column(String(20), index=True)
    situation: Mapped[str | None] = mapped_column(String(40))  # guidance situation (R-P2)
    category: Mapped[str | None] = mapped_column(String(200), index=True)
    urgency: Mapped[str] = mapped_column(String(20), default="normal")
    complexity: Mapped[str | None] = mapped_column(String(20))
    status: Mapped[str] = mapped_column(String(20), index=True)
    # Caller and consent to be contacted (callback, status updates).
    caller_name: Mapped[str | None] = mapped_column(String(100))
    caller_number: Mapped[str | None] = mapped_column(String(64), index=True)
    # Search keys of ``caller_number`` as the call log's (issue 18), kept by ``_number_keys``.
    caller_digits: Mapped[str | None] = mapped_column(NumberKey, index=True)
    caller_digits_rev: Mapped[str | None] = mapped_column(NumberKey, index=True)
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=True)
    caller_unit_room: Mapped[str | None] = mapped_column(String(100))  # complaint form: unit/room
    product_serial: Mapped[str | None] = mapped_column(String(100))  # R-S8
    channel: Mapped[str] = mapped_column(String(20), default="phone")  # how it came in
    place: Mapped[str | None] = mapped_column(Text)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    description: Mapped[str] = mapped_column(Text, default="")
    # The character pairs of what the search box looks in (``SEARCHED``), kept by
    # ``_search_terms``; indexed by ``work_orders_fts`` (SQLite) or a GIN index (PostgreSQL).
    search_terms: Mapped[str] = mapped_column(Text, server_default="")
    details: Mapped[dict[str, Any] | None]  # type-specific fields (staff name, badge number …)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    main_unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    # Bound as a duplicate of this primary order (R-P8; a copy of ``state.duplicate_of``).
    duplicate_of_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id"), index=True)
    supervised: Mapped[bool] = mapped_column(Boolean, default=False, index=True)
    # Worst SLA clock state when last changed ("on_time", "warning", "breached", …).
    sla_state: Mapped[str | None] = mapped_column(String(20))
    completion_deadline: Mapped[dt.datetime | None] = mapped_column(index=True)  # the "due" day of the figures
    callback_due_at: Mapped[dt.datetime | None]
    closed_at: Mapped[dt.datetime | None]
    # Complaint register (R-S8, R-S9): department's findings and the project manager's opinion.
    findings: Mapped[str | None] = mapped_column(Text)
    manager_opinion: Mapped[str | None] = mapped_column(Text)
    state: Mapped[dict[str, Any]]  # the domain state as JSON
    version: Mapped[int] = mapped_column(Integer, default=1)
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    # Open orders by deadline (due today, late: the wallboard, the dispatch board): a partial
    # index over the few open among millions; queries state the predicate with literals
    # (``OPEN_ORDERS_SQL``). The final statuses are the domain's ``FINAL_STATUSES``.
    # The lists by status, newest first (issue 18).
    __table_args__ = (Index("ix_work_orders_open_deadline", "completion_deadline",
                            sqlite_where=text(OPEN_ORDERS_SQL), postgresql_where=text(OPEN_ORDERS_SQL)),
                      Index("ix_work_orders_status_created_at", "status", "created_at", "id"),
                      # The dispatch queue, oldest first: the few orders waiting among millions
                      # (PostgreSQL otherwise walked the creation-time index from the oldest order).
                      Index("ix_work_orders_leader_queue", "created_at", "id",
                            sqlite_where=text(LEADER_QUEUE_SQL), postgresql_where=text(LEADER_QUEUE_SQL)))


@event.listens_for(WorkOrder, "before_insert")
@event.listens_for(WorkOrder, "before_update")
def _number_keys(mapper, connection, target: WorkOrder) -> None:
    """Every writer of orders goes through the ORM: the keys follow ``caller_number`` there."""
    state = inspect(target)
    if state.has_identity and not state.attrs.caller_number.history.has_changes():
        return
    key = search_digits(target.caller_number)
    target.caller_digits, target.caller_digits_rev = key, reversed_digits(key)


# What the search box looks in (services/work_orders/listing._search).
SEARCHED = ("number", "caller_name", "caller_number", "description", "place")


def search_terms(values: dict[str, Any]) -> str:
    """The stored ``search_terms`` of an order whose ``SEARCHED`` fields are ``values``."""
    return index_text(values.get(f) for f in SEARCHED)


@event.listens_for(WorkOrder, "before_insert")
@event.listens_for(WorkOrder, "before_update")
def _search_terms(mapper, connection, target: WorkOrder) -> None:
    """Every writer of orders goes through the ORM (retention's anonymisation empties the terms
    itself): the pairs follow the searched fields."""
    state = inspect(target)
    if state.has_identity and not any(state.attrs[f].history.has_changes() for f in SEARCHED):
        return
    target.search_terms = search_terms({f: getattr(target, f) for f in SEARCHED})


# ---------------------------------------------------------------- the search's full-text index

# On PostgreSQL each term is tagged with its block of 65,536 order ids (about a week of a busy
# 12345 centre's orders): a search reads the newest blocks first (services/work_orders/listing).
ORDER_SEARCH = FullTextIndex("work_orders", block_bits=16)
ORDER_FTS_TABLE = ORDER_SEARCH.fts_table  # work_orders_fts
ORDER_SEARCH.install_after_create()


class WorkOrderUnit(Base):
    """Which units an order involves now: ``main`` or ``assisting`` (unit handlers see these)."""

    __tablename__ = "work_order_units"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id"))
    role: Mapped[str] = mapped_column(String(20))  # "main" | "assisting"
    # The order is not closed (a copy of ``WorkOrder.status``, written with it by
    # ``services.work_orders.changes``): a unit's open orders are found among its links to them,
    # not among every order it ever had (issue 18: the portal of a unit with a million orders).
    order_open: Mapped[bool] = mapped_column(Boolean, default=False, server_default=text("false"))

    # A unit's orders newest first (the portal's finished orders, the list filtered by unit) are
    # read from (unit_id, order_id) backwards, whatever the unit's share of millions of orders;
    # its open ones (the portal's first page, its count) from the partial index of open links.
    __table_args__ = (UniqueConstraint("order_id", "unit_id", name="uq_work_order_units_order_unit"),
                      Index("ix_work_order_units_unit_order", "unit_id", "order_id"),
                      Index("ix_work_order_units_open", "unit_id", "order_id",
                            sqlite_where=text(OPEN_LINKS_SQL), postgresql_where=text(OPEN_LINKS_SQL)))


class WorkOrderEvent(Base):
    """One step on an order's timeline: who, when, what (``zongji.domain.work_orders.state.TimelineEntry``)."""

    __tablename__ = "work_order_events"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    at: Mapped[dt.datetime]
    action: Mapped[str] = mapped_column(String(40))
    actor_role: Mapped[str] = mapped_column(String(20))
    actor_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    actor_name: Mapped[str | None] = mapped_column(String(100))
    actor_unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"))
    from_status: Mapped[str | None] = mapped_column(String(20))
    to_status: Mapped[str] = mapped_column(String(20))
    note: Mapped[str] = mapped_column(Text, default="")
    data: Mapped[dict[str, Any] | None]

    __table_args__ = (Index("ix_work_order_events_action_at", "action", "at"),)


class WorkOrderCall(Base):
    """Calls linked to an order (the call it was created from, later calls about it)."""

    __tablename__ = "work_order_calls"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), index=True)
    # Why it is linked: "created" (the order came from it), "repeat" (the caller called again),
    # "callback" (the callback call, R-P6), "other"; None on links made before this was kept.
    purpose: Mapped[str | None] = mapped_column(String(20))
    linked_at: Mapped[dt.datetime | None]
    linked_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("order_id", "call_id", name="uq_work_order_calls_order_call"),)


class WorkOrderLink(Base):
    """Orders bound together (参阅工单， R-P8): ``related`` or ``duplicate``; stored once per pair."""

    __tablename__ = "work_order_links"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    other_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(20))
    created_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    created_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))

    __table_args__ = (UniqueConstraint("order_id", "other_id", name="uq_work_order_links_pair"),)


class WorkOrderAttachment(Base):
    """A file attached to an order, stored under ``data_dir/attachments``."""

    __tablename__ = "work_order_attachments"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    order_id: Mapped[int] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    stored_name: Mapped[str] = mapped_column(String(100), unique=True)
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    uploaded_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    uploaded_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class CalendarDay(Base):
    """An explicit calendar day: a holiday or adjusted working day (调休), base or per unit."""

    __tablename__ = "calendar_days"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[dt.date] = mapped_column(index=True)
    # None: the organisation's base calendar; otherwise a unit's own calendar.
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    is_working: Mapped[bool] = mapped_column(Boolean)
    name: Mapped[str] = mapped_column(String(100), default="")
    windows: Mapped[dict[str, Any] | None]  # {"windows": [["08:30","12:00"], …]} or None
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    __table_args__ = (UniqueConstraint("day", "unit_id", name="uq_calendar_days_day_unit"),)


class CalendarYear(Base):
    """A year whose holiday notice was imported (its days are complete)."""

    __tablename__ = "calendar_years"

    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    imported_at: Mapped[dt.datetime] = mapped_column(default=utcnow)


class SlaPolicyRow(Base):
    """A stored SLA policy (``zongji.domain.sla.policy_to_dict``); none stored = the defaults."""

    __tablename__ = "sla_policies"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    position: Mapped[int] = mapped_column(Integer, default=0)
    data: Mapped[dict[str, Any]]
    updated_at: Mapped[dt.datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class Notification(Base):
    """A message to a person or unit about an order: in the console, by e-mail or SMS."""

    __tablename__ = "notifications"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    at: Mapped[dt.datetime] = mapped_column(default=utcnow, index=True)
    channel: Mapped[str] = mapped_column(String(10))  # "console" | "email" | "sms"
    user_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"), index=True)
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("departments.id"), index=True)
    role: Mapped[str | None] = mapped_column(String(20))  # for a whole role (e.g. shift leaders)
    address: Mapped[str | None] = mapped_column(String(200))  # e-mail or mobile
    order_id: Mapped[int | None] = mapped_column(ForeignKey("work_orders.id", ondelete="CASCADE"), index=True)
    kind: Mapped[str] = mapped_column(String(40))  # "dispatched", "reminder", "breached", …
    subject: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text, default="")
    # "pending" → "sent" | "failed" (e-mail, SMS); console ones are "sent" at once.
    state: Mapped[str] = mapped_column(String(10), default="pending")
    sent_at: Mapped[dt.datetime | None]
    read_at: Mapped[dt.datetime | None]
    error: Mapped[str | None] = mapped_column(Text)


__all__ = [
    "CalendarDay",
    "CalendarYear",
    "Notification",
    "SlaPolicyRow",
    "WorkOrder",
    "WorkOrderAttachment",
    "WorkOrderCall",
    "WorkOrderCategory",
    "WorkOrderCounter",
    "WorkOrderEvent",
    "WorkOrderLink",
    "WorkOrderUnit",
]


class UnitContact(Base):
    """Where a handling unit gets e-mail and SMS notifications about its orders."""

    __tablename__ = "unit_contacts"

    unit_id: Mapped[int] = mapped_column(ForeignKey("departments.id"), primary_key=True)
    email: Mapped[str | None] = mapped_column(String(200))
    sms_mobile: Mapped[str | None] = mapped_column(String(40))


__all__.append("UnitContact")
