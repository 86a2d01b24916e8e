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

A unit handler sees their unit's orders only; the others the lines they work for.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import and_, false, or_, select, true
from sqlalchemy.orm import Session

from zongji.domain import work_orders as wo
from zongji.domain.roles import Role
from zongji.domain.stats import kpi
from zongji.errors import Invalid
from zongji.services import scope as scope_service
from zongji.services.stats.policy import policy_from
from zongji.services.stats.reports import check_range
from zongji.settings import Settings
from zongji.store.models import Department, User
from zongji.store.work_order_models import WorkOrder, WorkOrderCategory, WorkOrderEvent

GROUPS = ("day", "unit", "type", "channel", "category")
ORDER_FIGURES = ("created", "first_call_resolution", "dispatched_on_time", "completion_rate",
                 "on_time_completion_rate", "reminder_rate", "reopened_rate", "returned_rate", "callback_rate",
                 "satisfaction_rate")
_ACTIONS = ("dispatch", "close_directly", "reply", "remind", "reopen", "return", "record_callback")
_CHANNELS_ZH = {"phone": "电话", "sms": "短信", "email": "电子邮件", "web": "网站", "open311": "Open311", "app": "移动应用",
                "letter": "信件", "walk-in": "来访"}


class _Tally:
    def __init__(self) -> None:
        self.c: dict[str, int] = defaultdict(int)

    def counts(self) -> kpi.OrderCounts:
        return kpi.OrderCounts(**{k: self.c[k] for k in kpi.OrderCounts.__dataclass_fields__})


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
    if str(user.role) == Role.UNIT_HANDLER:
        seen = WorkOrder.main_unit_id == user.department_id if user.department_id is not None else false()
    else:
        scope = scope_service.scope_of(session, user)
        lf = None if scope is None else scope.line_filter
        seen = true() if lf is None else or_(WorkOrder.line_id.is_(None), WorkOrder.line_id.in_(sorted(lf)))
    created_in = and_(WorkOrder.created_at >= start, WorkOrder.created_at < end)
    due_in = and_(WorkOrder.completion_deadline >= start, WorkOrder.completion_deadline < end)
    orders = session.execute(select(
        WorkOrder.id, WorkOrder.created_at, WorkOrder.order_type, WorkOrder.channel, WorkOrder.category,
        WorkOrder.main_unit_id, WorkOrder.completion_deadline,
    ).where(seen, or_(created_in, due_in))).all()
    events: dict[int, dict[str, list[WorkOrderEvent]]] = defaultdict(lambda: defaultdict(list))
    ids = [o.id for o in orders]
    for i in range(0, len(ids), 5000):
        for e in session.execute(select(WorkOrderEvent.order_id, WorkOrderEvent.action, WorkOrderEvent.at,
                                        WorkOrderEvent.data).where(
                WorkOrderEvent.order_id.in_(ids[i:i + 5000]), WorkOrderEvent.action.in_(_ACTIONS))
                .order_by(WorkOrderEvent.at, WorkOrderEvent.id)):
            events[e.order_id][e.action].append(e)

    units = {d.id: (d.name, d.name_en or d.name) for d in session.scalars(select(Department))}
    categories = {c.code: (c.name_zh, c.name_en or c.name_zh) for c in session.scalars(select(WorkOrderCategory))}

    def key_of(o) -> tuple[Any, str]:
        if group == "day":
            d = o.created_at.astimezone(tz).date().isoformat()
            return d, d
        if group == "unit":
            return o.main_unit_id or 0, units.get(o.main_unit_id, ("未派单", "not dispatched"))[int(en)]
        if group == "type":
            t = wo.OrderType(o.order_type)
            return str(t), str(t) if en else wo.ORDER_TYPE_ZH.get(t, str(t))
        if group == "channel":
            return o.channel, o.channel if en else _CHANNELS_ZH.get(o.channel, o.channel)
        return o.category or "", categories.get(o.category, (o.category or "—",) * 2)[int(en)]

    tallies: dict[Any, _Tally] = defaultdict(_Tally)
    labels: dict[Any, str] = {}
    total = _Tally()
    within = dt.timedelta(minutes=settings.stats_dispatch_within_minutes)
    for o in orders:
        k, label = key_of(o)
        labels[k] = label
        ev = events.get(o.id, {})
        for t in (tallies[k], total):
            c = t.c
            created = start <= o.created_at < end
            replied = ev.get("reply", [])
            if created:
                c["created"] += 1
                c["closed_directly"] += int(bool(ev.get("close_directly")))
                if ev.get("dispatch"):
                    c["dispatched"] += 1
                    c["dispatched_within_hour"] += int(ev["dispatch"][0].at - o.created_at <= within)
                    c["reminded"] += int(bool(ev.get("remind")))
                    c["returned"] += int(bool(ev.get("return")))
                if replied:
                    c["callbacks_due"] += 1
                    c["reopened"] += int(bool(ev.get("reopen")))
                surveys = ev.get("record_callback", [])
                if surveys:
                    c["callbacks_done"] += 1
                    outcome = (surveys[-1].data or {}).get("outcome")
                    c["surveyed"] += int(outcome in ("satisfied", "basically_satisfied", "dissatisfied"))
                    c["satisfied"] += int(outcome == "satisfied")
                    c["basically_satisfied"] += int(outcome == "basically_satisfied")
            if o.completion_deadline is not None and start <= o.completion_deadline < end:
                c["due"] += 1
                if replied:
                    c["completed"] += 1
                    c["completed_on_time"] += int(replied[0].at <= o.completion_deadline)
    rows = [{"key": k, "label": labels[k], "figures": _figures(t.counts(), policy)} for k, t in tallies.items()]
    if group == "unit":  # the units' ranking
        rows.sort(key=lambda r: (-(r["figures"]["on_time_completion_rate"] or -1),
                                 -(r["figures"]["satisfaction_rate"] or -1), r["label"]))
    else:
        rows.sort(key=lambda r: str(r["key"]))
    return {
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "group": group,
        "own_unit_only": str(user.role) == Role.UNIT_HANDLER,
        "rows": rows, "total": _figures(total.counts(), policy),
        "figures": [{"key": f.key, "label_zh": f.label_zh, "label_en": f.label_en, "definition_zh": f.definition_zh,
                     "definition_en": f.definition_en, "unit": f.unit}
                    for f in (_CREATED, *[kpi.FIGURES_BY_KEY[k] for k in ORDER_FIGURES[1:]])],
    }


_CREATED = kpi.Figure("created", "orders created", "新建工单", "Orders created", "期内新建的工单。",
                      "Orders created in the period.", "count")
