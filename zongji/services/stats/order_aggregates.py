"""The work-order aggregates (issue 10, point 6): per local day and line, the domain's order
counts (domain/stats/orders.py) overall and per main unit, type, channel and category.

The same scheme as the call aggregates (services/stats/aggregates.py, read its note): triggers on
``work_orders`` and ``work_order_events`` mark the creation day and the deadline day of a changed
order in the writer's transaction; the fold (run by the same ``stats.fold`` job) takes the marks
and recounts those days and lines from the raw rows; reads sum the aggregates of every other day
and recount the marked ones. A callback recorded on an order of last month marks last month's
day, so its satisfaction moves where it belongs.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any, Iterable

from sqlalchemy import and_, delete, func, insert, or_, select, true, tuple_
from sqlalchemy.orm import Session

from zongji.domain.stats import kpi
from zongji.domain.stats import orders as rules
from zongji.settings import Settings
from zongji.store.stats_models import ORDER_COUNT_COLUMNS, ORDER_STAT_ACTIONS, OrderStat, OrderStatDirty
from zongji.store.work_order_models import WorkOrder, WorkOrderEvent

DIMS = ("", "unit", "type", "channel", "cat")
FOLD_BATCH = 20000
_EXCLUDE_IN_SQL = 300

DayLine = tuple[dt.date, int]


def policy_key(settings: Settings) -> str:
    return f"dw={settings.stats_dispatch_within_minutes:g};tz={settings.tz.key}"


def _within(settings: Settings) -> dt.timedelta:
    return dt.timedelta(minutes=settings.stats_dispatch_within_minutes)


def _day_bounds(day: dt.date, settings: Settings) -> tuple[dt.datetime, dt.datetime]:
    start = dt.datetime.combine(day, dt.time(0), tzinfo=settings.tz)
    return start, dt.datetime.combine(day + dt.timedelta(days=1), dt.time(0), tzinfo=settings.tz)


def _values(o: Any) -> dict[str, str]:
    return {"": "", "unit": str(o.main_unit_id or 0), "type": o.order_type, "channel": o.channel,
            "cat": (o.category or "")[:200]}


def histories(session: Session, order_ids: list[int]) -> dict[int, dict[str, list[Any]]]:
    """The history entries the figures read, per order and action, oldest first."""
    events: dict[int, dict[str, list[Any]]] = defaultdict(lambda: defaultdict(list))
    rows = []
    for i in range(0, len(order_ids), 5000):
        # Filtered and sorted here, not by the database: with the action or the time in the query,
        # SQLite prefers the (action, at) index and reads every such event of every order
        # instead of these orders' few (by the order_id index).
        rows.extend(session.execute(select(WorkOrderEvent.id, WorkOrderEvent.order_id, WorkOrderEvent.action,
                                           WorkOrderEvent.at, WorkOrderEvent.data).where(
            WorkOrderEvent.order_id.in_(order_ids[i:i + 5000]))))
    wanted = frozenset(ORDER_STAT_ACTIONS)
    for e in sorted((r for r in rows if r.action in wanted), key=lambda r: (r.at, r.id)):
        events[e.order_id][e.action].append(e)
    return events


def last_outcomes(session: Session, order_ids: list[int]) -> dict[int, str | None]:
    """The outcome of each order's last callback survey, for the orders called back."""
    return {i: (ev["record_callback"][-1].data or {}).get("outcome")
            for i, ev in histories(session, order_ids).items() if ev.get("record_callback")}


def facts_of(session: Session, orders: list[Any]) -> dict[int, rules.OrderFacts]:
    """Each order's facts from its row and its history."""
    events = histories(session, [o.id for o in orders])
    out = {}
    for o in orders:
        ev = events.get(o.id, {})
        surveys = ev.get("record_callback", [])
        out[o.id] = rules.OrderFacts(
            created_at=o.created_at, completion_deadline=o.completion_deadline,
            first_dispatch_at=ev["dispatch"][0].at if ev.get("dispatch") else None,
            closed_directly=bool(ev.get("close_directly")), reminded=bool(ev.get("remind")),
            returned=bool(ev.get("return")), reopened=bool(ev.get("reopen")),
            first_reply_at=ev["reply"][0].at if ev.get("reply") else None, callbacks_done=bool(surveys),
            last_outcome=(surveys[-1].data or {}).get("outcome") if surveys else None)
    return out


def order_columns():
    return (WorkOrder.id, WorkOrder.created_at, WorkOrder.completion_deadline, WorkOrder.line_id,
            WorkOrder.main_unit_id, WorkOrder.order_type, WorkOrder.channel, WorkOrder.category)


def recount(session: Session, settings: Settings,
            pairs: Iterable[DayLine]) -> dict[DayLine, dict[tuple[str, str], kpi.OrderCounts]]:
    """The counts of the given local days and lines from the raw rows, by (dim, value)."""
    wanted: dict[dt.date, set[int]] = defaultdict(set)
    for day, line in pairs:
        wanted[day].add(line)
    within = _within(settings)
    acc: dict[tuple[DayLine, str, str], list[int]] = {}
    for day, lines in sorted(wanted.items()):
        start, end = _day_bounds(day, settings)
        orders = session.execute(select(*order_columns()).where(or_(
            and_(WorkOrder.created_at >= start, WorkOrder.created_at < end),
            and_(WorkOrder.completion_deadline >= start, WorkOrder.completion_deadline < end)))).all()
        orders = [o for o in orders if (o.line_id or 0) in lines]
        facts = facts_of(session, orders)
        for o in orders:
            f = facts[o.id]
            part = [0] * len(ORDER_COUNT_COLUMNS)
            if start <= o.created_at < end:
                part = _plus(part, rules.created_counts(f, within))
            if o.completion_deadline is not None and start <= o.completion_deadline < end:
                part = _plus(part, rules.due_counts(f))
            pair = (day, o.line_id or 0)
            for dim, value in _values(o).items():
                a = acc.get((pair, dim, value))
                if a is None:
                    acc[(pair, dim, value)] = part
                else:
                    acc[(pair, dim, value)] = [x + y for x, y in zip(a, part)]
    out: dict[DayLine, dict[tuple[str, str], kpi.OrderCounts]] = defaultdict(dict)
    for (pair, dim, value), a in acc.items():
        out[pair][(dim, value)] = kpi.OrderCounts(**dict(zip(ORDER_COUNT_COLUMNS, a)))
    return dict(out)


def _plus(part: list[int], c: kpi.OrderCounts) -> list[int]:
    return [x + getattr(c, f) for x, f in zip(part, ORDER_COUNT_COLUMNS)]


def _pairs_of_marks(rows: Iterable[Any], settings: Settings) -> set[DayLine]:
    tz = settings.tz
    out = set()
    for r in rows:
        out.add((r.created_at.astimezone(tz).date(), r.line_id or 0))
        if r.completion_deadline is not None:
            out.add((r.completion_deadline.astimezone(tz).date(), r.line_id or 0))
    return out


def _replace(session: Session, settings: Settings, pairs: set[DayLine]) -> int:
    if not pairs:
        return 0
    counted = recount(session, settings, pairs)
    key = policy_key(settings)
    ordered = sorted(pairs)
    for i in range(0, len(ordered), 400):
        chunk = ordered[i:i + 400]
        session.execute(delete(OrderStat).where(OrderStat.day.in_(sorted({p[0] for p in chunk})),
                                                tuple_(OrderStat.day, OrderStat.line_key).in_(chunk)))
    rows = [{"day": day, "line_key": line, "dim": dim, "value": value, "policy": key,
             **{f: getattr(c, f) for f in ORDER_COUNT_COLUMNS}}
            for (day, line), by_dim in counted.items() for (dim, value), c in by_dim.items()]
    for i in range(0, len(rows), 2000):
        session.execute(insert(OrderStat), rows[i:i + 2000])
    return len(rows)


def fold(session: Session, settings: Settings, *, batch: int = FOLD_BATCH) -> dict[str, int]:
    """Take up to ``batch`` marks and recount their days; refold rows counted under other
    settings. The caller holds the statistics lock (aggregates.fold)."""
    taken = session.execute(delete(OrderStatDirty).where(OrderStatDirty.id.in_(
        select(OrderStatDirty.id).order_by(OrderStatDirty.id).limit(batch)))
        .returning(OrderStatDirty.created_at, OrderStatDirty.completion_deadline, OrderStatDirty.line_id)).all()
    pairs = _pairs_of_marks(taken, settings)
    stale = {(r.day, r.line_key) for r in session.execute(select(OrderStat.day, OrderStat.line_key).where(
        OrderStat.policy != policy_key(settings), OrderStat.dim == "").limit(200))}
    written = _replace(session, settings, pairs | stale)
    more = session.scalar(select(func.count()).select_from(select(OrderStatDirty.id).limit(1).subquery()))
    return {"marks": len(taken), "days": len(pairs | stale), "rows": written, "more": int(bool(more))}


def rebuild(session: Session, settings: Settings, date_from: dt.date, date_to: dt.date) -> dict[str, int]:
    """Recount the local days ``date_from``…``date_to`` from the raw rows."""
    start, _ = _day_bounds(date_from, settings)
    _, end = _day_bounds(date_to, settings)
    session.execute(delete(OrderStatDirty).where(or_(
        and_(OrderStatDirty.created_at >= start, OrderStatDirty.created_at < end),
        and_(OrderStatDirty.completion_deadline >= start, OrderStatDirty.completion_deadline < end))))
    pairs = set()
    for r in session.execute(select(WorkOrder.created_at, WorkOrder.completion_deadline, WorkOrder.line_id).where(or_(
            and_(WorkOrder.created_at >= start, WorkOrder.created_at < end),
            and_(WorkOrder.completion_deadline >= start, WorkOrder.completion_deadline < end)))):
        pairs |= {p for p in _pairs_of_marks([r], settings) if date_from <= p[0] <= date_to}
    session.execute(delete(OrderStat).where(OrderStat.day >= date_from, OrderStat.day <= date_to))
    rows = _replace(session, settings, pairs)
    return {"days": len(pairs), "rows": rows}


def read(session: Session, settings: Settings, *, date_from: dt.date, date_to: dt.date,
         line_filter: frozenset[int] | None = None, dim: str = "", values: Iterable[str] | None = None,
         by: tuple[str, ...] = ("day",)) -> dict[tuple, kpi.OrderCounts]:
    """The order counts of the local days ``date_from``…``date_to``, grouped by ``by`` (any of
    "day", "line", "value") for one ``dim``. Exact: marked days are recounted from the raw rows."""
    assert dim in DIMS and set(by) <= {"day", "line", "value"}
    key = policy_key(settings)
    values = None if values is None else sorted(set(values))
    start, _ = _day_bounds(date_from, settings)
    _, end = _day_bounds(date_to, settings)

    def in_scope(line: int) -> bool:
        return line_filter is None or line == 0 or line in line_filter

    raw = _pairs_of_marks(session.execute(select(
        OrderStatDirty.created_at, OrderStatDirty.completion_deadline, OrderStatDirty.line_id).where(or_(
            and_(OrderStatDirty.created_at >= start, OrderStatDirty.created_at < end),
            and_(OrderStatDirty.completion_deadline >= start, OrderStatDirty.completion_deadline < end)))), settings)
    raw |= {(r.day, r.line_key) for r in session.execute(select(OrderStat.day, OrderStat.line_key).where(
        OrderStat.day >= date_from, OrderStat.day <= date_to, OrderStat.policy != key).distinct())}
    raw = {p for p in raw if date_from <= p[0] <= date_to and in_scope(p[1])}

    columns = {"day": OrderStat.day, "line": OrderStat.line_key, "value": OrderStat.value}
    per_day = len(raw) > _EXCLUDE_IN_SQL
    group = [columns[b] for b in by]
    if per_day:
        group += [OrderStat.day.label("_day"), OrderStat.line_key.label("_line")]
    q = select(*group, *(func.sum(getattr(OrderStat, c)).label(c) for c in ORDER_COUNT_COLUMNS)).where(
        OrderStat.dim == dim, OrderStat.day >= date_from, OrderStat.day <= date_to, OrderStat.policy == key,
        true() if line_filter is None else or_(OrderStat.line_key == 0, OrderStat.line_key.in_(sorted(line_filter))))
    if values is not None:
        q = q.where(OrderStat.value.in_(values))
    if raw and not per_day:
        q = q.where(tuple_(OrderStat.day, OrderStat.line_key).not_in(sorted(raw)))
    if group:
        q = q.group_by(*group)
    out: dict[tuple, kpi.OrderCounts] = defaultdict(kpi.OrderCounts)
    for row in session.execute(q):
        if per_day and (row._day, row._line) in raw:
            continue
        if row.created is None:
            continue
        k = tuple(row[:len(by)])
        out[k] = rules.add(out[k], kpi.OrderCounts(**{c: getattr(row, c) or 0 for c in ORDER_COUNT_COLUMNS}))
    for (day, line), by_dim in recount(session, settings, raw).items():
        for (d, value), c in by_dim.items():
            if d != dim or (values is not None and value not in values):
                continue
            parts = {"day": day, "line": line, "value": value}
            k = tuple(parts[b] for b in by)
            out[k] = rules.add(out[k], c)
    return dict(out)
