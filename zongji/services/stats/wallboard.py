"""The live wallboard's figures (issue 10, point 2), for the lines the viewer works for.

Now: calls ringing and the longest of their waits, calls being talked, operators logged in, on a
call and free. Today (the site's day): the call figures of the domain (``kpi.call_figures``) with
the answer rate and service level against their targets, offered and answered per half-hour,
work orders due today and late, wake-ups due within the hour and escalated. The page asks again
whenever the live feed reports a call, an order or a wake-up; it never reloads.

Today's figures come from the call aggregates (services/stats/aggregates.py): the day's
half-hour slots, with the slots changed since the last fold recounted from their raw calls —
a few hundred rows where the raw day of a 12345 centre holds 30,000.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import and_, func, or_, select, text, true
from sqlalchemy.orm import Session

from zongji.domain import presence as presence_rules
from zongji.domain.stats import kpi
from zongji.domain.stats import wallboard as rules
from zongji.domain.stats.slots import SLOT, slot_of
from zongji.services import scope as scope_service
from zongji.services.stats import aggregates
from zongji.services.stats.policy import policy_from, targets_from
from zongji.settings import Settings
from zongji.store.models import LIVE_CALLS_SQL, Call, LoginSession, User, UserLine, utcnow
from zongji.store.presence_models import OperatorAway
from zongji.store.wakeup_models import Wakeup
from zongji.store.work_order_models import OPEN_ORDERS_SQL, WorkOrder

# The figures the wallboard shows, in its order; their labels and definitions come with them.
SHOWN = ("offered", "answered", "abandoned", "short_abandoned", "answer_rate", "service_level", "asa",
         "longest_wait", "aht", "transfer_rate")
WAKEUP_OPEN = ("due", "retrying", "snoozed")
# Who counts as an operator on the wallboard: those who take the calls. A supervisor watching the
# wallboard is not a free operator.
PHONE_ROLES = tuple(sorted(presence_rules.PHONE_ROLES))


def _day_start(now: dt.datetime, settings: Settings) -> dt.datetime:
    local = now.astimezone(settings.tz)
    return dt.datetime.combine(local.date(), dt.time(0), tzinfo=settings.tz)


def _line_condition(column, line_filter: frozenset[int] | None):
    if line_filter is None:
        return true()
    return or_(column.is_(None), column.in_(sorted(line_filter)))


def _operators(session: Session, now: dt.datetime, line_filter: frozenset[int] | None,
               talking: set[int], tz, long_minutes: float) -> dict[str, Any]:
    """Operators and shift leaders with a live login session: on a call, away (with who and why,
    for the shift leader) and free. One counts where they work for one of the viewer's lines (or
    for every line)."""
    logged_in = set(session.scalars(
        select(LoginSession.user_id).join(User, User.id == LoginSession.user_id).where(
            LoginSession.revoked_at.is_(None), LoginSession.expires_at > now, User.active.is_(True),
            User.role.in_([str(r) for r in PHONE_ROLES])).distinct()))
    if line_filter is not None:
        assigned: dict[int, set[int]] = {}
        for user_id, line_id in session.execute(select(UserLine.user_id, UserLine.line_id)):
            assigned.setdefault(user_id, set()).add(line_id)
        logged_in = {u for u in logged_in if u not in assigned or assigned[u] & line_filter}
    away_rows = {r.user_id: r for r in session.execute(
        select(OperatorAway.user_id, OperatorAway.reason, OperatorAway.started_at, User.display_name, User.username,
               User.operator_number).join(User, User.id == OperatorAway.user_id)
        .where(OperatorAway.ended_at.is_(None)))}
    out: dict[str, Any] = presence_rules.board_counts(logged_in, talking, set(away_rows))
    out["away_list"] = sorted(
        ({"user_id": r.user_id, "name": " ".join(x for x in (r.operator_number, r.display_name or r.username) if x),
          "reason": r.reason, "since": r.started_at.astimezone(tz).isoformat(),
          "minutes": int((now - r.started_at).total_seconds() // 60),
          "long": now - r.started_at > dt.timedelta(minutes=long_minutes)}
         for u, r in away_rows.items() if u in logged_in and u not in talking), key=lambda x: x["since"])
    return out


def snapshot(session: Session, user: User, settings: Settings, now: dt.datetime | None = None) -> dict[str, Any]:
    now = now or utcnow()
    policy, targets = policy_from(settings), targets_from(settings)
    scope = scope_service.scope_of(session, user)
    line_filter = None if scope is None else scope.line_filter
    start = _day_start(now, settings)
    inbound = Call.direction != "out"

    live = session.execute(select(Call.state, Call.ringing_at, Call.answered_by_id).where(
        text(LIVE_CALLS_SQL), inbound, _line_condition(Call.line_id, line_filter))).all()
    ringing = [r.ringing_at for r in live if r.state == "ringing" and r.ringing_at is not None]
    talking = [r.answered_by_id for r in live if r.state == "answered"]
    talkers = {u for u in talking if u is not None}

    by_slot = {slot: c for (slot,), c in aggregates.read(
        session, settings, start=start, end=slot_of(now) + SLOT, line_filter=line_filter, by=("slot",)).items()}
    counts = sum(by_slot.values(), kpi.CallCounts())
    figures = kpi.call_figures(counts, policy)

    open_orders = and_(text(OPEN_ORDERS_SQL), _line_condition(WorkOrder.line_id, line_filter))
    due_today = session.scalar(select(func.count()).select_from(WorkOrder).where(
        open_orders, WorkOrder.completion_deadline >= now,
        WorkOrder.completion_deadline < start + dt.timedelta(days=1))) or 0
    late = session.scalar(select(func.count()).select_from(WorkOrder).where(
        open_orders, WorkOrder.completion_deadline < now)) or 0

    hotel = scope is None or scope.everything or "switchboard" in scope.line_kinds
    wakeups = None
    if hotel:
        wakeups = {
            "due_next_hour": session.scalar(select(func.count()).select_from(Wakeup).where(
                Wakeup.status.in_(WAKEUP_OPEN), Wakeup.wake_at >= now,
                Wakeup.wake_at < now + dt.timedelta(hours=1))) or 0,
            "overdue": session.scalar(select(func.count()).select_from(Wakeup).where(
                Wakeup.status.in_(WAKEUP_OPEN), Wakeup.wake_at < now)) or 0,
            "escalated": session.scalar(select(func.count()).select_from(Wakeup).where(
                Wakeup.status == "escalated")) or 0,
        }

    def _light(key: str, target: float) -> dict[str, Any]:
        return {"target": target, "light": str(rules.light(figures[key], target, targets.amber_margin))}

    return {
        "at": now.astimezone(settings.tz).isoformat(),
        "day": start.date().isoformat(),
        "lines": None if line_filter is None else sorted(scope.line_codes),
        "now": {
            "ringing": len(ringing),
            "longest_wait_seconds": max(((now - t).total_seconds() for t in ringing), default=None),
            "talking": len(talking),
            "operators": _operators(session, now, line_filter, talkers, settings.tz,
                                    settings.presence_away_long_minutes),
        },
        "today": {k: figures[k] for k in SHOWN},
        "targets": {"answer_rate": _light("answer_rate", targets.answer_rate),
                    "service_level": _light("service_level", targets.service_level)},
        "policy": {"short_abandon_seconds": policy.short_abandon_seconds,
                   "service_level_seconds": policy.service_level_seconds,
                   "abandon_treatment": str(policy.abandon_treatment), "amber_margin": targets.amber_margin},
        "half_hours": [{"start": h.start.strftime("%H:%M"), "offered": h.offered, "answered": h.answered}
                       for h in rules.half_hours_of_counts(by_slot, start, now)],
        "work_orders": {"due_today": due_today, "late": late},
        "wakeups": wakeups,
        "figures": [figure_out(kpi.FIGURES_BY_KEY[k]) for k in SHOWN],
    }


def figure_out(f: kpi.Figure) -> dict[str, str]:
    return {"key": f.key, "name": f.name, "label_zh": f.label_zh, "label_en": f.label_en,
            "definition_zh": f.definition_zh, "definition_en": f.definition_en, "unit": f.unit}
