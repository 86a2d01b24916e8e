"""Work-order reports (issue 10, point 3): the domain's order figures (``kpi.OrderCounts``) for a
range of days, grouped by day, handling unit, type, channel or category — by unit sorted as the
units' ranking (on-time completion, then satisfaction).

What each count is, for the range ``[date_from, date_to]`` (local days):

- created, closed directly, dispatched (within the hour), reminded, returned, reopened: orders
  created in the range, by what their history holds (the first dispatch's time for "within the
  hour");
- due, completed, completed on time: orders whose completion deadline falls in the range, and of
  them those the unit replied to (办结), by the deadline or not;
- callbacks due and done, surveyed, satisfied, basically satisfied: orders created in the range
  that were replied to, and their last callback survey.

By day, a day's row holds the orders created that day and the orders due that day. The figures
come from the order aggregates (services/stats/order_aggregates.py). A unit handler sees their
unit's orders only, counted from their raw rows; the others the lines they work for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, or_, select
from sqlalchemy.orm import Session

from zongji.domain.work_orders.words import ORDER_TYPE_ZH, OrderType
from zongji.domain.roles import Role
from zongji.domain.stats import kpi
from zongji.domain.stats import orders as rules
from zongji.errors import Invalid
from zongji.services import scope as scope_service
from zongji.services.stats import order_aggregates
from zongji.services.stats.policy import policy_from
from zongji.services.stats.reports import check_range
from zongji.settings import Settings
from zongji.store.models import Department, User
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory

GROUPS = ("day", "unit", "type", "channel", "category")
ORDER_FIGURES = ("created", "first_call_resolution", "dispatched_on_time", "completion_rate",
                 "on_time_completion_rate", "reminder_rate", "reopened_rate", "returned_rate", "callback_rate",
                 "satisfaction_rate")
_CHANNELS_ZH = {"phone": "电话", "sms": "短信", "email": "电子邮件", "web": "网站", "open311": "Open311", "app": "移动应用",
                "letter": "信件", "walk-in": "来访"}


def _figures(c: kpi.OrderCounts, policy: kpi.StatsPolicy) -> dict[str, Any]:
    return {
        "created": c.created, "closed_directly": c.closed_directly, "dispatched": c.dispatched, "due": c.due,
        "completed": c.completed, "surveyed": c.surveyed,
        "first_call_resolution": kpi.first_call_resolution(c), "dispatched_on_time": kpi.dispatched_on_time_rate(c),
        "completion_rate": kpi.completion_rate(c), "on_time_completion_rate": kpi.on_time_completion_rate(c),
        "reminder_rate": kpi.reminder_rate(c), "reopened_rate": kpi.reopened_rate(c),
        "returned_rate": kpi.returned_rate(c), "callback_rate": kpi.callback_rate(c),
        "satisfaction_rate": kpi.satisfaction_rate(c, policy),
    }


def order_report(session: Session, user: User, settings: Settings, *, date_from: dt.date, date_to: dt.date,
                 group: str, locale: str = "zh-CN") -> dict[str, Any]:
    check_range(date_from, date_to)
    if group not in GROUPS:
        raise Invalid(f"group is one of {', '.join(GROUPS)}", field="group")
    tz, en = settings.tz, locale == "en"
    policy = policy_from(settings)
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    units = {d.id: (d.name, d.name_en or d.name) for d in session.scalars(select(Department))}
    categories = {c.code: (c.name_zh, c.name_en or c.name_zh) for c in session.scalars(select(WorkOrderCategory))}

    def label_of(k: Any) -> str:
        if group == "day":
            return k
        if group == "unit":
            return units.get(k, ("未派单", "not dispatched"))[int(en)]
        if group == "type":
            t = OrderType(k)
            return str(t) if en else ORDER_TYPE_ZH.get(t, str(t))
        if group == "channel":
            return k if en else _CHANNELS_ZH.get(k, k)
        return categories.get(k, (k or "—",) * 2)[int(en)]

    if str(user.role) == Role.UNIT_HANDLER:
        counts = _own_unit_counts(session, user, settings, start=start, end=end, group=group)
    else:
        scope = scope_service.scope_of(session, user)
        lf = None if scope is None else scope.line_filter
        dim = {"day": "", "unit": "unit", "type": "type", "channel": "channel", "category": "cat"}[group]
        got = order_aggregates.read(session, settings, date_from=date_from, date_to=date_to, line_filter=lf,
                                    dim=dim, by=("day",) if group == "day" else ("value",))
        counts = {}
        for (k,), c in got.items():
            key = k.isoformat() if group == "day" else (int(k) if group == "unit" else k)
            counts[key] = c
    labels = {k: label_of(k) for k in counts}
    total = sum_counts(counts.values())
    rows = [{"key": k, "label": labels[k], "figures": _figures(c, policy)} for k, c in counts.items()]
    if group == "unit":  # the units' ranking
        rows.sort(key=lambda r: (-(r["figures"]["on_time_completion_rate"] or -1),
                                 -(r["figures"]["satisfaction_rate"] or -1), r["label"]))
    else:
        rows.sort(key=lambda r: str(r["key"]))
    return {
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "group": group,
        "own_unit_only": str(user.role) == Role.UNIT_HANDLER,
        "rows": rows, "total": _figures(total, policy),
        "figures": [{"key": f.key, "label_zh": f.label_zh, "label_en": f.label_en, "definition_zh": f.definition_zh,
                     "definition_en": f.definition_en, "unit": f.unit}
                    for f in [kpi.FIGURES_BY_KEY[k] for k in ORDER_FIGURES]],
    }


def sum_counts(parts: Any) -> kpi.OrderCounts:
    total = kpi.OrderCounts()
    for c in parts:
        total = rules.add(total, c)
    return total


def _own_unit_counts(session: Session, user: User, settings: Settings, *, start: dt.datetime, end: dt.datetime,
                     group: str) -> dict[Any, kpi.OrderCounts]:
    """A unit handler's figures: their unit's orders only, counted from the raw rows (one unit's
    orders of a range are few; the aggregates do not cross unit with the other groupings)."""
    if user.department_id is None:
        return {}
    orders = session.execute(select(*order_aggregates.order_columns()).where(
        WorkOrder.main_unit_id == user.department_id,
        or_(and_(WorkOrder.created_at >= start, WorkOrder.created_at < end),
            and_(WorkOrder.completion_deadline >= start, WorkOrder.completion_deadline < end)))).all()
    facts = order_aggregates.facts_of(session, orders)
    within = dt.timedelta(minutes=settings.stats_dispatch_within_minutes)
    out: dict[Any, kpi.OrderCounts] = defaultdict(kpi.OrderCounts)
    for o in orders:
        if group == "day":
            k = o.created_at.astimezone(settings.tz).date().isoformat()
        else:
            k = {"unit": o.main_unit_id or 0, "type": o.order_type, "channel": o.channel,
                 "category": o.category or ""}[group]
        f = facts[o.id]
        if start <= o.created_at < end:
            out[k] = rules.add(out[k], rules.created_counts(f, within))
        if o.completion_deadline is not None and start <= o.completion_deadline < end:
            due_key = o.completion_deadline.astimezone(settings.tz).date().isoformat() if group == "day" else k
            out[due_key] = rules.add(out[due_key], rules.due_counts(f))
    return dict(out)

