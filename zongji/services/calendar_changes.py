"""A calendar change reaches the open orders (issue 8).

Importing a year's notice, withdrawing it (back to the provisional, rule-computed holidays) or
editing a day changes which days are working days, so the deadlines counted over them change:

1. ``_snapshot`` — the calendars as they were (the base and every unit calendar an open order
   uses), taken before the change is written;
2. the change itself (``services.sla``);
3. ``_recompute`` — for each open order still with a unit whose completion deadline is the one
   the old calendar gave at dispatch, the deadline is counted again on the new calendar; a
   deadline set by hand or granted by an extension is not the calendar's and stays as decided.
   A moved deadline is written on the order's timeline (``deadline_recomputed``); every open
   order whose clocks changed gets its SLA state and reminders rescheduled;
4. ``_tell_units`` — each unit whose deadlines moved gets one notification listing its orders,
   the old and the new deadline.

Everything happens in the caller's transaction: the change and its consequences commit together.
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from sqlalchemy import select
from sqlalchemy.orm import Session

from zongji.domain import sla as sla_rules
from zongji.domain.work_orders.calendar_deadline import move_deadline_for_calendar
from zongji.domain.work_orders.state import WorkOrderState
from zongji.domain.work_orders.words import FINAL_STATUSES, WITH_UNIT_STATUSES
from zongji.domain.business_calendar import CalendarEntry
from zongji.services import notifications
from zongji.services import sla as sla_store
from zongji.services.work_orders.changes import after_change, save_change
from zongji.services.work_orders.sla_context import SlaContext
from zongji.services.work_orders.stored_state import row_state
from zongji.services.work_orders.visibility import SYSTEM_VIEWER
from zongji.store.models import utcnow
from zongji.store.work_order_models import CalendarDay, WorkOrder

# At most this many orders are listed in one unit's notification; the rest are counted.
NOTIFY_LIST_LIMIT = 30


@dataclass
class Moved:
    order_id: int
    number: str
    unit_id: int
    old: dt.datetime
    new: dt.datetime


@dataclass
class RecomputeReport:
    moved: list[Moved] = field(default_factory=list)
    refreshed: int = 0  # open orders whose clocks were rescheduled

    def to_dict(self) -> dict[str, object]:
        return {"deadlines_moved": len(self.moved), "orders_refreshed": self.refreshed,
                "units_told": len({m.unit_id for m in self.moved})}


def _open_orders(session: Session) -> list[WorkOrder]:
    q = (select(WorkOrder).where(WorkOrder.status.notin_([str(s) for s in FINAL_STATUSES]))
         .order_by(WorkOrder.id).with_for_update())
    return list(session.scalars(q))


def _snapshot(session: Session, tz: ZoneInfo) -> tuple[SlaContext, list[WorkOrder]]:
    before = SlaContext.load(session, tz)
    rows = _open_orders(session)
    for uid in {r.main_unit_id for r in rows if r.main_unit_id is not None}:
        before.unit_calendar(session, uid)  # loaded now, from the days as they were
    return before, rows


def _completion_start(policy: sla_rules.ResolvedPolicy, state: WorkOrderState) -> dt.datetime | None:
    if policy.completion_from is sla_rules.ClockStart.CREATED:
        return state.created_at
    return state.dispatched_at


def _recount(ctx: SlaContext, session: Session, state: WorkOrderState) -> dt.datetime | None:
    policy = ctx.policy(state)
    start = _completion_start(policy, state)
    if not policy.completion.enabled or start is None or state.main_unit_id is None:
        return None
    return sla_rules.compute_deadline(policy.completion, ctx.unit_calendar(session, state.main_unit_id), start,
                                      rest_day=policy.rest_day_start)


def _same(a: dt.datetime | None, b: dt.datetime | None) -> bool:
    if a is None or b is None:
        return a is b
    return abs((a - b).total_seconds()) <= 1


def _recompute(session: Session, before: SlaContext, rows: Sequence[WorkOrder], tz: ZoneInfo, now: dt.datetime,
               *, reason: str, years: Iterable[int]) -> RecomputeReport:
    after = SlaContext.load(session, tz)
    report = RecomputeReport()
    years = sorted(set(years))
    for row in rows:
        state = row_state(row)
        if (state.status in WITH_UNIT_STATUSES and state.completion_deadline is not None
                and state.replied_at is None and _same(_recount(before, session, state), state.completion_deadline)):
            new_deadline = _recount(after, session, state)
            if new_deadline is not None and not _same(new_deadline, state.completion_deadline):
                unit_cal = after.unit_calendar(session, state.main_unit_id)
                provisional = bool(unit_cal.provisional_years_between(
                    unit_cal.local(now).date(), unit_cal.local(new_deadline).date()))
                new, entry = move_deadline_for_calendar(state, new_deadline, now, reason=reason, years=years,
                                                        provisional=provisional)
                save_change(session, row, state, new, entry, SYSTEM_VIEWER, after, now)
                report.moved.append(Moved(row.id, row.number, state.main_unit_id,  # type: ignore[arg-type]
                                          state.completion_deadline, new_deadline))
                report.refreshed += 1
                continue
        old_clocks = before.clocks(session, state, now)
        new_clocks = after.clocks(session, state, now)
        if {k: (r.deadline, r.warning_at, r.provisional_years) for k, r in old_clocks.items()} != \
                {k: (r.deadline, r.warning_at, r.provisional_years) for k, r in new_clocks.items()}:
            after_change(session, row, state, after, now, None)
            report.refreshed += 1
    _tell_units(session, report, tz, now, reason=reason, years=years)
    return report


REASON_ZH = {"import": "导入了 {years} 年放假安排", "withdraw": "撤回了 {years} 年放假安排（恢复为按规则推算）",
             "edit": "修改了工作日历"}


def _tell_units(session: Session, report: RecomputeReport, tz: ZoneInfo, now: dt.datetime, *, reason: str,
                years: Sequence[int]) -> None:
    by_unit: dict[int, list[Moved]] = defaultdict(list)
    for m in report.moved:
        by_unit[m.unit_id].append(m)
    for unit_id, moved in sorted(by_unit.items()):
        lines = [f"{m.number}：{_fmt(m.old, tz)} → {_fmt(m.new, tz)}" for m in moved[:NOTIFY_LIST_LIMIT]]
        if len(moved) > NOTIFY_LIST_LIMIT:
            lines.append(f"……另有 {len(moved) - NOTIFY_LIST_LIMIT} 张")
        why = REASON_ZH.get(reason, REASON_ZH["edit"]).format(years="、".join(str(y) for y in years))
        notifications.notify(
            session, kind="deadline_recomputed", unit_id=unit_id, now=now,
            subject=f"办结时限已调整：{len(moved)} 张工单",
            body=f"因{why}，以下工单的办结时限已重新计算：\n" + "\n".join(lines),
            order_id=moved[0].order_id if len(moved) == 1 else None,
            order_number=moved[0].number if len(moved) == 1 else None)


def _fmt(t: dt.datetime, tz: ZoneInfo) -> str:
    return t.astimezone(tz).strftime("%Y-%m-%d %H:%M")


# --------------------------------------------------------------------------- use cases


def import_year(session: Session, *, year: int, entries: Iterable[CalendarEntry], actor: str,
                user_id: int | None, tz: ZoneInfo | str, now: dt.datetime | None = None) -> dict[str, object]:
    """Import a year's notice and recompute the deadlines it moves."""
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = now or utcnow()
    before, rows = _snapshot(session, tz)
    n = sla_store.import_year(session, year=year, entries=entries, actor=actor, user_id=user_id)
    report = _recompute(session, before, rows, tz, now, reason="import", years=[year])
    return {"year": year, "days": n, **report.to_dict()}


def withdraw_year(session: Session, *, year: int, actor: str, user_id: int | None, tz: ZoneInfo | str,
                  now: dt.datetime | None = None) -> dict[str, object]:
    """Withdraw an imported year: its days go back to the provisional rule (or to the package's
    data for a year the package knows), and the deadlines it moves are recomputed."""
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = now or utcnow()
    before, rows = _snapshot(session, tz)
    n = sla_store.withdraw_year(session, year=year, actor=actor, user_id=user_id)
    report = _recompute(session, before, rows, tz, now, reason="withdraw", years=[year])
    return {"year": year, "days_removed": n, **report.to_dict()}


def set_day(session: Session, *, tz: ZoneInfo | str, now: dt.datetime | None = None, **kw: object) -> tuple[CalendarDay, dict[str, object]]:
    """Edit one day (base or a unit's) and recompute the deadlines it moves."""
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = now or utcnow()
    before, rows = _snapshot(session, tz)
    row = sla_store.set_day(session, **kw)  # type: ignore[arg-type]
    report = _recompute(session, before, rows, tz, now, reason="edit", years=[row.day.year])
    return row, report.to_dict()


def delete_day(session: Session, *, tz: ZoneInfo | str, now: dt.datetime | None = None, **kw: object) -> dict[str, object]:
    tz = ZoneInfo(tz) if isinstance(tz, str) else tz
    now = now or utcnow()
    before, rows = _snapshot(session, tz)
    sla_store.delete_day(session, **kw)  # type: ignore[arg-type]
    day = kw["day"]
    report = _recompute(session, before, rows, tz, now, reason="edit", years=[day.year])  # type: ignore[attr-defined]
    return report.to_dict()

