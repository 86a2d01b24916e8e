"""Staffing forecast (issue 10, point 5): how many operators each half-hour of the coming week
needs, by Erlang C (``zongji.domain.stats.erlang``), from the calls each weekday's half-hour had
in the last ``weeks`` whole weeks and their average handle time.

Each half-hour of that week carries the operators the roster schedules in it (``scheduled``;
None where no roster is kept), to chart need against plan.

The weeks are the ``weeks`` whole weeks (Monday to Sunday, local) before the current one; a
half-hour with no call in any of them needs nobody. The handle time is the mean of the answered
calls of those weeks (talk plus after-call work), ``default_aht`` when none was answered.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from zongji.domain.stats import erlang, kpi
from zongji.services import roster
from zongji.services import scope as scope_service
from zongji.services.stats import aggregates
from zongji.settings import Settings
from zongji.store.models import User, utcnow

SLOTS = 48


def staffing(session: Session, user: User, settings: Settings, *, weeks: int, target_seconds: float,
             target_level: float, shrinkage: float, max_occupancy: float, default_aht: float = 180.0,
             now: dt.datetime | None = None) -> dict[str, Any]:
    tz = settings.tz
    now = now or utcnow()
    today = now.astimezone(tz).date()
    this_monday = today - dt.timedelta(days=today.weekday())
    first = this_monday - dt.timedelta(weeks=weeks)
    start = dt.datetime.combine(first, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(this_monday, dt.time(0), tzinfo=tz)
    scope = scope_service.scope_of(session, user)
    line_filter = None if scope is None else scope.line_filter
    counts: dict[tuple[int, int], list[float]] = {(d, s): [0.0] * weeks for d in range(7) for s in range(SLOTS)}
    # From the call aggregates: the weeks' half-hours, not their raw calls (services/stats/aggregates.py).
    by_slot = aggregates.read(session, settings, start=start, end=end, line_filter=line_filter, by=("slot",))
    for (slot,), c in by_slot.items():
        local = slot.astimezone(tz)
        week = (local.date() - first).days // 7
        counts[(local.weekday(), local.hour * 2 + local.minute // 30)][week] += c.offered
    handled = sum(by_slot.values(), kpi.CallCounts())
    aht = kpi.average_handle_time(handled) or default_aht
    plan = erlang.forecast(counts, aht, target_seconds=target_seconds, target_level=target_level,
                           shrinkage=shrinkage, max_occupancy=max_occupancy)
    next_monday = this_monday + dt.timedelta(weeks=1)
    # The operators actually scheduled in each half-hour of that week, where a roster is kept.
    week_slots = [dt.datetime.combine(next_monday + dt.timedelta(days=d), dt.time(s // 2, 30 * (s % 2)), tzinfo=tz)
                  for d in range(7) for s in range(SLOTS)]
    on_roster = roster.scheduled(session, week_slots)
    days = []
    for d in range(7):
        slots = []
        for s in range(SLOTS):
            p = plan[(d, s)]
            slots.append({"scheduled": None if on_roster is None else on_roster[d * SLOTS + s],"start": f"{s // 2:02d}:{30 * (s % 2):02d}", "calls": round(sum(counts[(d, s)]) / weeks, 2),
                          "erlangs": round(p.erlangs, 3), "agents": p.agents, "positions": p.positions,
                          "service_level": round(p.service_level, 4), "occupancy": round(p.occupancy, 4),
                          "asa_seconds": round(p.asa_seconds, 1)})
        days.append({"date": (next_monday + dt.timedelta(days=d)).isoformat(), "weekday": d,
                     "peak_positions": max(x["positions"] for x in slots), "slots": slots})
    return {
        "history": {"from": first.isoformat(), "to": (this_monday - dt.timedelta(days=1)).isoformat(),
                    "weeks": weeks, "calls": handled.offered, "answered": handled.answered},
        "roster": on_roster is not None,
        "aht_seconds": round(aht, 1), "aht_from_history": kpi.average_handle_time(handled) is not None,
        "target_seconds": target_seconds, "target_level": target_level, "shrinkage": shrinkage,
        "max_occupancy": max_occupancy,
        "lines": None if line_filter is None else sorted(scope.line_codes),
        "days": days,
    }
