"""The line-silence check computed in SQL (issue 18, point 2) gives the alerts that learning the
usual gaps from every call of the window in Python gives, on both databases."""

from __future__ import annotations

import datetime as dt
import random

import pytest
from sqlalchemy import select

from zongji.domain import lines as line_rules
from zongji.services.switchboard.silence import line_silence, silence_policy
from zongji.store.models import Call, Line, Organisation


def _old_way(session, line_id, now, settings, policy):
    since = now - dt.timedelta(days=policy.history_days)
    times = list(session.scalars(select(Call.ringing_at).where(
        Call.line_id == line_id, Call.direction == "in", Call.ringing_at >= since,
        Call.ringing_at <= now).order_by(Call.ringing_at)))
    usual = line_rules.usual_gaps(times, settings.tz, policy)
    return line_rules.check_silence(line_code="l", last_call_at=times[-1] if times else None, now=now,
                                    tz=settings.tz, usual=usual, policy=policy)


@pytest.mark.parametrize("zone", ["Asia/Shanghai", "Europe/Berlin"])
def test_sql_silence_check_matches_the_python_one(zone, write, session_factory, settings):
    settings = settings.model_copy(update={"timezone": zone, "line_silence_minimum_minutes": 20})
    policy = silence_policy(settings)
    rng = random.Random(18)
    # 35 days across Europe's spring clock change: busy days, quiet nights, duplicate instants,
    # an outbound call and another line's calls that must not count.
    end = dt.datetime(2026, 4, 5, 12, 0, tzinfo=dt.UTC)
    with write() as s:
        org = Organisation(code="o", name="O", kind="company")
        s.add(org)
        s.flush()
        lines = [Line(organisation_id=org.id, code=f"l{i}", name=f"L{i}", kind="hotline_400", number=f"40000{i}")
                 for i in range(2)]
        s.add_all(lines)
        s.flush()
        t = end - dt.timedelta(days=35)
        n = 0
        while t < end:
            hour = t.astimezone(settings.tz).hour
            t += dt.timedelta(seconds=rng.expovariate(1 / (900 if 8 <= hour < 20 else 4000)))
            n += 1
            for at in ([t, t] if n % 97 == 0 else [t]):
                s.add(Call(line_id=lines[0].id, direction="out" if n % 53 == 0 else "in", calling_number="1",
                           called_number="4", state="ended", ringing_at=at))
            if n % 9 == 0:
                s.add(Call(line_id=lines[1].id, direction="in", calling_number="1", called_number="4",
                           state="ended", ringing_at=t + dt.timedelta(seconds=7)))
        line_id = lines[0].id
    checked = alerts = 0
    bases = set()
    with session_factory() as s:
        last_call = s.scalar(select(Call.ringing_at).where(Call.line_id == line_id).order_by(Call.ringing_at.desc()))
        nows = [end - dt.timedelta(days=d, minutes=m) for d in (0, 9) for m in range(0, 24 * 60, 67)]
        nows += [last_call + dt.timedelta(minutes=m) for m in (5, 21, 45, 90, 400)]
        for now in nows:
            new = line_silence(s, line_id, "l", now, settings, policy, None)
            old = _old_way(s, line_id, now, settings, policy)
            assert new == old, now
            checked += 1
            alerts += new is not None
            bases.add(new.basis if new else None)
    assert checked > 40 and 3 <= alerts < checked, bases  # both answers occur
    assert {"hour_of_week", "overall"} <= bases, bases
