"""Wake-up report (issue 10, point 1; R-H9, R-H14 the switchboard's daily statistics): per day
of the range, the wake-ups due, reached, confirmed on the first call, reached by the floor staff
(a knock) or by an operator's call, escalated, cancelled, and how late they were reached.

The definitions and the counting are the domain's (domain/stats/wakeups.py); the late limit is
``STATS_WAKEUP_LATE_MINUTES`` (5).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zongji.domain.stats import wakeups as rules
from zongji.services.stats.reports import check_range
from zongji.settings import Settings
from zongji.store.wakeup_models import Wakeup, WakeupAttempt

def wakeup_report(session: Session, settings: Settings, *, date_from: dt.date, date_to: dt.date) -> dict[str, Any]:
    check_range(date_from, date_to)
    tz = settings.tz
    start = dt.datetime.combine(date_from, dt.time(0), tzinfo=tz)
    end = dt.datetime.combine(date_to + dt.timedelta(days=1), dt.time(0), tzinfo=tz)
    first_answered = dict(session.execute(
        select(WakeupAttempt.wakeup_id, func.min(WakeupAttempt.number))
        .join(Wakeup, Wakeup.id == WakeupAttempt.wakeup_id)
        .where(Wakeup.wake_at >= start, Wakeup.wake_at < end, WakeupAttempt.answered_at.is_not(None))
        .group_by(WakeupAttempt.wakeup_id)).all())
    facts: dict[str, list[rules.WakeupFacts]] = defaultdict(list)
    for w in session.execute(select(Wakeup.id, Wakeup.wake_at, Wakeup.status, Wakeup.reached_at, Wakeup.reached_by,
                                    Wakeup.escalated_at, Wakeup.cancelled_at, Wakeup.minutes_late).where(
            Wakeup.wake_at >= start, Wakeup.wake_at < end)):
        facts[w.wake_at.astimezone(tz).date().isoformat()].append(rules.WakeupFacts(
            wake_at=w.wake_at, reached_at=w.reached_at, reached_by=w.reached_by,
            first_call_answered=first_answered.get(w.id) == 1, escalated=w.escalated_at is not None,
            cancelled_at=w.cancelled_at, minutes_late=w.minutes_late))
    limit = settings.stats_wakeup_late_minutes
    days = {d: rules.count_wakeups(fs, limit) for d, fs in facts.items()}
    return {
        "date_from": date_from.isoformat(), "date_to": date_to.isoformat(), "group": "day",
        "rows": [{"key": d, "label": d, "figures": rules.figures(days[d])} for d in sorted(days)],
        "total": rules.figures(rules.count_wakeups([f for fs in facts.values() for f in fs], limit)),
        "figures": rules.columns(limit),
    }
