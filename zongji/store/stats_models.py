"""Tables of the statistics (issue 10): a supervisor's comment on an operator's period (R-C4),
the call aggregates per half-hour slot and the marks of slots to recount.

Listed in ``zongji.store.schema`` so that its metadata holds them.

The marks are written by triggers on ``calls``, ``work_orders`` and ``work_order_events``
(migrations 0010 and 0011; ``create_all`` installs them too). A future migration that rebuilds one
of those tables on SQLite (``batch_alter_table`` with a column change copies the table) drops its
triggers: it must create them again (tests/store/test_migrations.py checks they fire at head).
"""

from __future__ import annotations

import datetime as dt

from sqlalchemy import JSON, BigInteger, Boolean, Date, Float, ForeignKey, Index, Integer, String, Text, UniqueConstraint, event
from sqlalchemy.orm import Mapped, mapped_column

from zongji.store.models import Base, BigId, utcnow


class OperatorReview(Base):
    """The comment of whoever evaluated an operator for a period; one per operator and period,
    replaced when written again (the audit trail keeps who wrote what)."""

    __tablename__ = "operator_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    user_id: Mapped[int] = mapped_column(ForeignKey("users.id"), index=True)
    period_from: Mapped[dt.date] = mapped_column(Date)
    period_to: Mapped[dt.date] = mapped_column(Date)
    comment: Mapped[str] = mapped_column(Text)
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "period_from", "period_to", name="uq_operator_reviews_user_period"),)


# The columns of a call that decide the statistics: a change to any of them marks the call's
# slot (and, when the call moves, its old slot) for recounting.
CALL_STAT_COLUMNS = ("direction", "line_id", "ringing_at", "answered_at", "ended_at", "closed_at",
                     "transferred_at", "answered_by_id", "category", "calling_number", "called_number")
COUNT_COLUMNS = ("offered", "answered", "abandoned", "short_abandoned", "answered_within", "abandoned_within",
                 "answered_within_24h", "transferred", "waiting")
SECONDS_COLUMNS = ("wait_seconds", "talk_seconds", "wrap_seconds")


class CallStat(Base):
    """The counts of the inbound calls that rang in one half-hour slot on one line (``line_key``
    0: no line), for everyone (``dim`` ""), per answering operator (``dim`` "op", ``value`` the
    user id, "0" unanswered) or per category (``dim`` "cat"). The fields are the domain's
    ``kpi.CallCounts``; ``policy`` is the key of the settings they were counted under."""

    __tablename__ = "call_stats"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    slot_start: Mapped[dt.datetime]
    day: Mapped[dt.date] = mapped_column(Date)  # the slot's local day under ``policy``'s zone
    line_key: Mapped[int] = mapped_column(BigInteger)
    dim: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(64))
    policy: Mapped[str] = mapped_column(String(80))
    offered: Mapped[int] = mapped_column(Integer)
    answered: Mapped[int] = mapped_column(Integer)
    abandoned: Mapped[int] = mapped_column(Integer)
    short_abandoned: Mapped[int] = mapped_column(Integer)
    answered_within: Mapped[int] = mapped_column(Integer)
    abandoned_within: Mapped[int] = mapped_column(Integer)
    answered_within_24h: Mapped[int] = mapped_column(Integer)
    transferred: Mapped[int] = mapped_column(Integer)
    waiting: Mapped[int] = mapped_column(Integer)
    wait_seconds: Mapped[float] = mapped_column(Float)
    longest_wait_seconds: Mapped[float] = mapped_column(Float)
    talk_seconds: Mapped[float] = mapped_column(Float)
    wrap_seconds: Mapped[float] = mapped_column(Float)

    __table_args__ = (
        UniqueConstraint("slot_start", "line_key", "dim", "value", name="uq_call_stats_slot"),
        Index("ix_call_stats_dim_slot", "dim", "slot_start"),
    )


class CallStatDirty(Base):
    """A mark that the slot of ``ringing_at`` on ``line_id`` changed and its ``call_stats`` rows
    are stale. Written by database triggers on ``calls`` (every write path, in the writer's own
    transaction), taken and folded by the statistics job."""

    __tablename__ = "call_stats_dirty"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    ringing_at: Mapped[dt.datetime] = mapped_column(index=True)
    line_id: Mapped[int | None] = mapped_column(BigInteger)


def _changed(old: str, new: str, sqlite: bool) -> str:
    op = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return " OR ".join(f"{old}.{c} {op} {new}.{c}" for c in CALL_STAT_COLUMNS)


# An answered outbound call to a number is a callback of that number's abandoned calls of the
# week before (the 24-hour answer rate; the recount applies the set hours): their slots change too.
def _callback_mark(row: str, sqlite: bool) -> str:
    week_before = f"datetime({row}.ringing_at, '-7 days')" if sqlite else f"{row}.ringing_at - interval '7 days'"
    return ("INSERT INTO call_stats_dirty (ringing_at, line_id) SELECT c.ringing_at, c.line_id FROM calls c "
            f"WHERE {row}.direction = 'out' AND {row}.answered_at IS NOT NULL AND {row}.ringing_at IS NOT NULL "
            f"AND c.calling_number = {row}.called_number AND c.direction = 'in' AND c.answered_at IS NULL "
            f"AND c.ringing_at < {row}.ringing_at AND c.ringing_at >= {week_before}")


_SQLITE_CALLED_BACK = _callback_mark("NEW", True)
_POSTGRES_CALLED_BACK = _callback_mark("NEW", False)

SQLITE_TRIGGERS = (
    "CREATE TRIGGER calls_stats_insert AFTER INSERT ON calls WHEN NEW.ringing_at IS NOT NULL BEGIN "
    "INSERT INTO call_stats_dirty (ringing_at, line_id) VALUES (NEW.ringing_at, NEW.line_id); "
    f"{_SQLITE_CALLED_BACK}; END",
    f"CREATE TRIGGER calls_stats_update AFTER UPDATE ON calls WHEN {_changed('OLD', 'NEW', True)} BEGIN "
    "INSERT INTO call_stats_dirty (ringing_at, line_id) SELECT OLD.ringing_at, OLD.line_id "
    "WHERE OLD.ringing_at IS NOT NULL AND (OLD.ringing_at IS NOT NEW.ringing_at OR OLD.line_id IS NOT NEW.line_id); "
    f"{_callback_mark('OLD', True)}; "
    "INSERT INTO call_stats_dirty (ringing_at, line_id) SELECT NEW.ringing_at, NEW.line_id "
    f"WHERE NEW.ringing_at IS NOT NULL; {_SQLITE_CALLED_BACK}; END",
    "CREATE TRIGGER calls_stats_delete AFTER DELETE ON calls WHEN OLD.ringing_at IS NOT NULL BEGIN "
    "INSERT INTO call_stats_dirty (ringing_at, line_id) VALUES (OLD.ringing_at, OLD.line_id); "
    f"{_callback_mark('OLD', True)}; END",
)
POSTGRES_TRIGGERS = (
    """CREATE FUNCTION call_stats_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        IF OLD.ringing_at IS NOT NULL THEN
            INSERT INTO call_stats_dirty (ringing_at, line_id) VALUES (OLD.ringing_at, OLD.line_id);
        END IF;
        """ + _callback_mark("OLD", False) + """;
        RETURN NULL;
    END IF;
    IF TG_OP = 'UPDATE' THEN
        """ + _callback_mark("OLD", False) + """;
        IF OLD.ringing_at IS NOT NULL AND (OLD.ringing_at IS DISTINCT FROM NEW.ringing_at
                                           OR OLD.line_id IS DISTINCT FROM NEW.line_id) THEN
            INSERT INTO call_stats_dirty (ringing_at, line_id) VALUES (OLD.ringing_at, OLD.line_id);
        END IF;
    END IF;
    IF NEW.ringing_at IS NOT NULL THEN
        INSERT INTO call_stats_dirty (ringing_at, line_id) VALUES (NEW.ringing_at, NEW.line_id);
    END IF;
    """ + _POSTGRES_CALLED_BACK + """;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER calls_stats_insert_delete AFTER INSERT OR DELETE ON calls "
    "FOR EACH ROW EXECUTE FUNCTION call_stats_mark()",
    f"CREATE TRIGGER calls_stats_update AFTER UPDATE ON calls FOR EACH ROW "
    f"WHEN ({_changed('OLD', 'NEW', False)}) EXECUTE FUNCTION call_stats_mark()",
)
SQLITE_DROP = ("DROP TRIGGER IF EXISTS calls_stats_insert", "DROP TRIGGER IF EXISTS calls_stats_update",
               "DROP TRIGGER IF EXISTS calls_stats_delete")
POSTGRES_DROP = ("DROP TRIGGER IF EXISTS calls_stats_insert_delete ON calls",
                 "DROP TRIGGER IF EXISTS calls_stats_update ON calls", "DROP FUNCTION IF EXISTS call_stats_mark()")


def _install_triggers(target, connection, tables=(), **_kw) -> None:
    """The marks are written by the database itself, so no write path (ORM, the CTI writer's
    DBAPI statements, bulk imports, a hand-made fix) can change a call and leave its figures stale."""
    names = {t.name for t in tables}
    if not {"calls", "call_stats_dirty"} <= names:
        return
    statements = SQLITE_TRIGGERS if connection.dialect.name == "sqlite" else POSTGRES_TRIGGERS
    for sql in statements:
        connection.exec_driver_sql(sql)


# create_all (tests, a new embedded database) installs the triggers once every table exists.
event.listen(Base.metadata, "after_create", _install_triggers)


# ---------------------------------------------------------------- work orders

ORDER_STAT_COLUMNS = ("created_at", "completion_deadline", "line_id", "main_unit_id", "order_type", "channel",
                      "category")
# The history entries the order figures read (services/stats/order_aggregates.py).
ORDER_STAT_ACTIONS = ("dispatch", "close_directly", "reply", "remind", "reopen", "return", "record_callback")
ORDER_COUNT_COLUMNS = ("created", "closed_directly", "dispatched", "dispatched_within_hour", "due", "completed",
                       "completed_on_time", "reminded", "reopened", "returned", "callbacks_due", "callbacks_done",
                       "surveyed", "satisfied", "basically_satisfied")


class OrderStat(Base):
    """The domain's ``kpi.OrderCounts`` of one local day and line (``line_key`` 0: none): orders
    created that day and orders due that day (domain/stats/orders.py), overall (``dim`` ""), per
    main unit ("unit", "0" not dispatched), type ("type"), channel ("channel") or category ("cat")."""

    __tablename__ = "order_stats"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    day: Mapped[dt.date] = mapped_column(Date)
    line_key: Mapped[int] = mapped_column(BigInteger)
    dim: Mapped[str] = mapped_column(String(8))
    value: Mapped[str] = mapped_column(String(200))
    policy: Mapped[str] = mapped_column(String(80))
    created: Mapped[int] = mapped_column(Integer)
    closed_directly: Mapped[int] = mapped_column(Integer)
    dispatched: Mapped[int] = mapped_column(Integer)
    dispatched_within_hour: Mapped[int] = mapped_column(Integer)
    due: Mapped[int] = mapped_column(Integer)
    completed: Mapped[int] = mapped_column(Integer)
    completed_on_time: Mapped[int] = mapped_column(Integer)
    reminded: Mapped[int] = mapped_column(Integer)
    reopened: Mapped[int] = mapped_column(Integer)
    returned: Mapped[int] = mapped_column(Integer)
    callbacks_due: Mapped[int] = mapped_column(Integer)
    callbacks_done: Mapped[int] = mapped_column(Integer)
    surveyed: Mapped[int] = mapped_column(Integer)
    satisfied: Mapped[int] = mapped_column(Integer)
    basically_satisfied: Mapped[int] = mapped_column(Integer)

    __table_args__ = (
        UniqueConstraint("day", "line_key", "dim", "value", name="uq_order_stats_day"),
        Index("ix_order_stats_dim_day", "dim", "day"),
    )


class OrderStatDirty(Base):
    """A mark that the orders created on ``created_at``'s day, or due on ``completion_deadline``'s,
    on ``line_id`` changed: written by triggers on ``work_orders`` and ``work_order_events``."""

    __tablename__ = "order_stats_dirty"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    created_at: Mapped[dt.datetime] = mapped_column(index=True)
    completion_deadline: Mapped[dt.datetime | None] = mapped_column(index=True)
    line_id: Mapped[int | None] = mapped_column(BigInteger)


def _order_changed(sqlite: bool) -> str:
    op = "IS NOT" if sqlite else "IS DISTINCT FROM"
    return " OR ".join(f"OLD.{c} {op} NEW.{c}" for c in ORDER_STAT_COLUMNS)


def _event_changed(sqlite: bool) -> str:
    op = "IS NOT" if sqlite else "IS DISTINCT FROM"
    data = "OLD.data IS NOT NEW.data" if sqlite else "OLD.data::text IS DISTINCT FROM NEW.data::text"
    return f"OLD.at {op} NEW.at OR OLD.action {op} NEW.action OR OLD.order_id {op} NEW.order_id OR {data}"


_ACTIONS_SQL = "(" + ", ".join(f"'{a}'" for a in ORDER_STAT_ACTIONS) + ")"
_MARK = "INSERT INTO order_stats_dirty (created_at, completion_deadline, line_id) "


def _mark_order(row: str) -> str:
    return (f"{_MARK}SELECT created_at, completion_deadline, line_id FROM work_orders WHERE id = {row}.order_id")


SQLITE_ORDER_TRIGGERS = (
    f"CREATE TRIGGER work_orders_stats_insert AFTER INSERT ON work_orders BEGIN "
    f"{_MARK}VALUES (NEW.created_at, NEW.completion_deadline, NEW.line_id); END",
    f"CREATE TRIGGER work_orders_stats_update AFTER UPDATE ON work_orders WHEN {_order_changed(True)} BEGIN "
    f"{_MARK}VALUES (OLD.created_at, OLD.completion_deadline, OLD.line_id); "
    f"{_MARK}VALUES (NEW.created_at, NEW.completion_deadline, NEW.line_id); END",
    f"CREATE TRIGGER work_orders_stats_delete AFTER DELETE ON work_orders BEGIN "
    f"{_MARK}VALUES (OLD.created_at, OLD.completion_deadline, OLD.line_id); END",
    f"CREATE TRIGGER work_order_events_stats_insert AFTER INSERT ON work_order_events "
    f"WHEN NEW.action IN {_ACTIONS_SQL} BEGIN {_mark_order('NEW')}; END",
    f"CREATE TRIGGER work_order_events_stats_update AFTER UPDATE ON work_order_events "
    f"WHEN (OLD.action IN {_ACTIONS_SQL} OR NEW.action IN {_ACTIONS_SQL}) AND ({_event_changed(True)}) BEGIN "
    f"{_mark_order('OLD')}; {_mark_order('NEW')}; END",
    f"CREATE TRIGGER work_order_events_stats_delete AFTER DELETE ON work_order_events "
    f"WHEN OLD.action IN {_ACTIONS_SQL} BEGIN {_mark_order('OLD')}; END",
)
POSTGRES_ORDER_TRIGGERS = (
    f"""CREATE FUNCTION order_stats_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        {_MARK}VALUES (OLD.created_at, OLD.completion_deadline, OLD.line_id);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        {_MARK}VALUES (NEW.created_at, NEW.completion_deadline, NEW.line_id);
    END IF;
    RETURN NULL;
END $$""",
    f"""CREATE FUNCTION order_event_stats_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') AND OLD.action IN {_ACTIONS_SQL} THEN
        {_mark_order('OLD')};
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') AND NEW.action IN {_ACTIONS_SQL} THEN
        {_mark_order('NEW')};
    END IF;
    RETURN NULL;
END $$""",
    "CREATE TRIGGER work_orders_stats_insert_delete AFTER INSERT OR DELETE ON work_orders "
    "FOR EACH ROW EXECUTE FUNCTION order_stats_mark()",
    f"CREATE TRIGGER work_orders_stats_update AFTER UPDATE ON work_orders FOR EACH ROW "
    f"WHEN ({_order_changed(False)}) EXECUTE FUNCTION order_stats_mark()",
    "CREATE TRIGGER work_order_events_stats_insert_delete AFTER INSERT OR DELETE ON work_order_events "
    "FOR EACH ROW EXECUTE FUNCTION order_event_stats_mark()",
    f"CREATE TRIGGER work_order_events_stats_update AFTER UPDATE ON work_order_events FOR EACH ROW "
    f"WHEN ({_event_changed(False)}) EXECUTE FUNCTION order_event_stats_mark()",
)
SQLITE_ORDER_DROP = tuple(f"DROP TRIGGER IF EXISTS {n}" for n in (
    "work_orders_stats_insert", "work_orders_stats_update", "work_orders_stats_delete",
    "work_order_events_stats_insert", "work_order_events_stats_update", "work_order_events_stats_delete"))
POSTGRES_ORDER_DROP = (
    "DROP TRIGGER IF EXISTS work_orders_stats_insert_delete ON work_orders",
    "DROP TRIGGER IF EXISTS work_orders_stats_update ON work_orders",
    "DROP TRIGGER IF EXISTS work_order_events_stats_insert_delete ON work_order_events",
    "DROP TRIGGER IF EXISTS work_order_events_stats_update ON work_order_events",
    "DROP FUNCTION IF EXISTS order_stats_mark()", "DROP FUNCTION IF EXISTS order_event_stats_mark()",
)


def _install_order_triggers(target, connection, tables=(), **_kw) -> None:
    names = {t.name for t in tables}
    if not {"work_orders", "work_order_events", "order_stats_dirty"} <= names:
        return
    statements = SQLITE_ORDER_TRIGGERS if connection.dialect.name == "sqlite" else POSTGRES_ORDER_TRIGGERS
    for sql in statements:
        connection.exec_driver_sql(sql)


event.listen(Base.metadata, "after_create", _install_order_triggers)


class CallReview(Base):
    """A reviewer's quality score of one answered call (domain/quality.py); one per call, replaced
    when reviewed again (the audit trail keeps who scored what)."""

    __tablename__ = "call_reviews"

    id: Mapped[int] = mapped_column(BigId, primary_key=True)
    call_id: Mapped[int] = mapped_column(ForeignKey("calls.id"), unique=True)
    operator_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))  # who answered the call
    scores: Mapped[dict] = mapped_column(JSON)
    fatal: Mapped[bool] = mapped_column(Boolean, default=False)
    total: Mapped[int] = mapped_column(Integer)
    comment: Mapped[str] = mapped_column(Text, default="")
    reviewed_by_id: Mapped[int | None] = mapped_column(ForeignKey("users.id"))
    reviewed_by: Mapped[str] = mapped_column(String(100))
    reviewed_at: Mapped[dt.datetime] = mapped_column(default=utcnow)
    call_at: Mapped[dt.datetime]  # the call's ringing time: the evaluation's period
    # The items it was scored on (domain/quality.Criterion.out()); NULL: the issue-10 five.
    items: Mapped[list | None] = mapped_column(JSON)
    max_points: Mapped[int] = mapped_column(Integer, default=100, server_default="100")
    item_comments: Mapped[dict] = mapped_column(JSON, default=dict)

    __table_args__ = (Index("ix_call_reviews_operator_at", "operator_id", "call_at"),)
