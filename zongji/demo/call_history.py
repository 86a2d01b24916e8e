"""Weeks of past calls for the demo (``zongji demo`` on a new database), so that the wallboard,
the call reports and the staffing forecast show what a working centre looks like.

The shape is a centre's: most calls on weekdays between 09:00 and 11:30 and 14:00 and 16:30, the
12345 line busiest, about nine in ten answered (most within 15 s), some abandoned and a few short
abandons; talk times of a few minutes and half a minute of after-call work. Deterministic (a
fixed seed) and written in batches; never loaded by the tests' demo data.
"""

from __future__ import annotations

import datetime as dt
import math
import random

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from zongji.domain.calls import categories_for
from zongji.demo.data import (
    COMPANY_400_CODE,
    DEMO_TZ,
    HOTEL_LINE_CODE,
    HOTLINE_12345_CODE,
)
from zongji.store.models import Call, Line, User

# line code → (calls on a weekday, the demo user who answers them)
_LINES = {HOTLINE_12345_CODE: (420, "hotline"), COMPANY_400_CODE: (160, "leader"), HOTEL_LINE_CODE: (110, "operator")}


def _weight(hour: float, weekend: bool) -> float:
    """Arrivals by time of day: two humps (morning, afternoon), little at night."""
    day = math.exp(-((hour - 10.2) / 1.6) ** 2) + 0.8 * math.exp(-((hour - 15.2) / 1.8) ** 2)
    night = 0.04 if 7 <= hour < 22 else 0.01
    return (day + night) * (0.45 if weekend else 1.0)


def load_call_history(session: Session, *, now: dt.datetime, weeks: int = 4) -> int:
    """Add ``weeks`` weeks of answered and abandoned calls up to ``now`` (none if the demo has
    any call already); returns how many were added."""
    if session.scalar(select(func.count()).select_from(Call)):
        return 0
    rnd = random.Random(20261204)
    lines = {x.code: x for x in session.scalars(select(Line).where(Line.code.in_(list(_LINES))))}
    users = {u.username: u.id for u in session.scalars(select(User))}
    start_day = now.astimezone(DEMO_TZ).date() - dt.timedelta(weeks=weeks)
    rows: list[dict] = []
    added = 0
    for code, (per_day, username) in _LINES.items():
        line = lines.get(code)
        if line is None:
            continue
        categories = [c.code for c in categories_for(line.kind)]
        weights = [_weight(h / 2 + 0.25, False) for h in range(48)]
        scale = per_day / sum(weights)
        day = start_day
        while day <= now.astimezone(DEMO_TZ).date():
            weekend = day.weekday() >= 5
            for slot in range(48):
                expected = _weight(slot / 2 + 0.25, weekend) * scale
                for _ in range(_poisson(rnd, expected)):
                    ringing = dt.datetime.combine(day, dt.time(slot // 2, 30 * (slot % 2)), tzinfo=DEMO_TZ) \
                        + dt.timedelta(seconds=rnd.uniform(0, 1800))
                    if ringing >= now - dt.timedelta(minutes=2):
                        continue
                    rows.append(_call(rnd, line, ringing.astimezone(dt.UTC), users.get(username), categories))
            day += dt.timedelta(days=1)
            if len(rows) >= 2000:
                session.execute(insert(Call), rows)
                added += len(rows)
                rows = []
    if rows:
        session.execute(insert(Call), rows)
        added += len(rows)
    return added


def _poisson(rnd: random.Random, lam: float) -> int:
    threshold, k, p = math.exp(-lam), 0, 1.0
    while True:
        p *= rnd.random()
        if p <= threshold:
            return k
        k += 1


def _call(rnd: random.Random, line: Line, ringing: dt.datetime, operator_id: int | None,
          categories: list[str]) -> dict:
    row = {"line_id": line.id, "direction": "in", "calling_number": f"13{rnd.randint(0, 999999999):09d}",
           "called_number": line.number, "state": "ended", "ringing_at": ringing, "caller_kind": "unknown"}
    roll = rnd.random()
    if roll < 0.9:
        wait = min(rnd.expovariate(1 / 9), 120)
        talk = max(20.0, rnd.lognormvariate(math.log(140), 0.5))
        answered = ringing + dt.timedelta(seconds=wait)
        ended = answered + dt.timedelta(seconds=talk)
        row.update(answered_at=answered, ended_at=ended, ring_seconds=round(wait), talk_seconds=round(talk),
                   answered_by_id=operator_id, outcome="answered", category=rnd.choice(categories) if categories else None,
                   closed_at=ended + dt.timedelta(seconds=rnd.uniform(10, 60)), closed_by_id=operator_id)
    else:
        wait = rnd.uniform(1, 4) if roll > 0.97 else rnd.uniform(8, 90)
        row.update(ended_at=ringing + dt.timedelta(seconds=wait), ring_seconds=round(wait), outcome="abandoned")
    return row
