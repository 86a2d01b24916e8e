"""The demo's past calls (zongji demo): shaped like a centre's, added once."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from zongji.demo.call_history import load_call_history
from zongji.demo.data import load_demo
from zongji.demo.room_calls import load_room_calls
from zongji.services.charges import reports
from zongji.store.charges_models import CallCharge
from zongji.domain.stats.kpi import CallFacts, answer_rate, count_calls
from zongji.store.models import Call


def test_a_week_of_demo_calls_looks_like_a_centre_and_is_added_once(write, settings):
    now = dt.datetime(2026, 12, 4, 4, 0, tzinfo=dt.UTC)  # a Friday, 12:00 in Shanghai
    with write() as s:
        load_demo(s, settings, now=now)
        added = load_call_history(s, now=now, weeks=1)
    with write() as s:
        rows = s.execute(select(Call.ringing_at, Call.answered_at, Call.ended_at)).all()
        assert len(rows) == added
        # About 690 a weekday on the three lines, less at weekends: 7 days and a half.
        assert 3000 < added < 5500
        assert all(r.ringing_at < now for r in rows)
        c = count_calls(CallFacts(ringing_at=r.ringing_at, answered_at=r.answered_at, ended_at=r.ended_at)
                        for r in rows)
        assert 0.85 < answer_rate(c) < 0.97 and c.short_abandoned > 0
        by_hour = [0] * 24
        for r in rows:
            by_hour[(r.ringing_at.hour + 8) % 24] += 1
        assert by_hour[10] > 5 * by_hour[3]  # a morning hump, a quiet night
        assert load_call_history(s, now=now, weeks=1) == 0  # a demo with calls gets none
        assert s.scalar(select(func.count()).select_from(Call)) == added


def test_demo_room_calls_are_rated_and_some_wait_for_the_front_desk(write, session_factory, settings):
    now = dt.datetime(2026, 12, 4, 6, 0, tzinfo=dt.UTC)
    with write() as s:
        load_demo(s, settings, now=now)
        added = load_room_calls(s, settings, now=now)
    with session_factory() as s:
        states = [c.state for c in s.scalars(select(CallCharge))]
        listed = reports.listing(s, settings)
        stats = reports.long_distance(s, settings, date_from=dt.date(2026, 11, 27), date_to=dt.date(2026, 12, 4))
    assert len(states) == added > 20
    assert {"by_hand", "free", "no_stay"} <= set(states)
    assert listed["missed"]["no_stay"] == 2 and listed["missed"]["unrated"] >= 1
    assert stats["total"]["idd_count"] > 0 and stats["total"]["ddd_count"] > 0


def test_demo_centre_history_feeds_the_analysis(write, session_factory, settings):
    from zongji.demo.guestsvc_history import load_request_history
    from zongji.services.guestsvc import analysis

    now = dt.datetime(2026, 12, 4, 6, 0, tzinfo=dt.UTC)
    with write() as s:
        load_demo(s, settings, now=now)
        added = load_request_history(s, now=now, weeks=2)
    with session_factory() as s:
        week = analysis.report(s, settings, period="week", day=dt.date(2026, 11, 25))
    assert added > 100
    assert week["asked"][0]["item"] == "加毛巾" and week["borrowed"] and week["staff_calls"]
    assert 0.5 < week["satisfied_share"] <= 1
