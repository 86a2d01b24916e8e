"""The wallboard's pure rules (issue 10, point 2): lights against targets, half-hour profile."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

from zongji.domain.stats.kpi import CallFacts
from zongji.domain.stats.wallboard import Light, half_hours, light

SH = ZoneInfo("Asia/Shanghai")


def test_a_figure_is_green_at_its_target_amber_within_the_margin_red_below():
    assert light(0.85, 0.85, 0.05) is Light.GREEN
    assert light(0.97, 0.85, 0.05) is Light.GREEN
    assert light(0.80, 0.85, 0.05) is Light.AMBER
    assert light(0.7999, 0.85, 0.05) is Light.RED
    assert light(None, 0.85, 0.05) is Light.NONE  # no call yet: nothing to judge


def test_each_call_counts_in_the_half_hour_it_began_ringing():
    start = dt.datetime(2026, 12, 4, 0, 0, tzinfo=SH)
    at = lambda h, m, s=0: dt.datetime(2026, 12, 4, h, m, s, tzinfo=SH)  # noqa: E731
    calls = [
        CallFacts(ringing_at=at(8, 0), answered_at=at(8, 0, 9)),
        CallFacts(ringing_at=at(8, 29, 59), answered_at=at(8, 30, 20)),  # answered in the next half-hour
        CallFacts(ringing_at=at(8, 30), ended_at=at(8, 31)),  # abandoned
        CallFacts(ringing_at=at(9, 15)),  # still ringing
    ]
    hh = half_hours(calls, start, at(9, 20))
    assert len(hh) == 19 and hh[0].start == start and hh[-1].start == at(9, 0)
    by_start = {h.start.strftime("%H:%M"): (h.offered, h.answered) for h in hh}
    assert by_start["08:00"] == (2, 2)
    assert by_start["08:30"] == (1, 0)
    assert by_start["09:00"] == (1, 0)
    assert sum(h.offered for h in hh) == len(calls)
    assert half_hours(calls, start, start - dt.timedelta(seconds=1)) == []


def test_the_profile_from_slot_counts_matches_the_profile_from_calls():
    import datetime as dt

    from zongji.domain.stats.kpi import CallFacts, count_calls
    from zongji.domain.stats.slots import slot_of
    from zongji.domain.stats.wallboard import half_hours, half_hours_of_counts

    tz = dt.timezone(dt.timedelta(hours=8))
    start = dt.datetime(2026, 12, 4, 0, 0, tzinfo=tz)
    calls = [CallFacts(ringing_at=start + dt.timedelta(minutes=m), answered_at=start + dt.timedelta(minutes=m, seconds=9)
                       if m % 3 else None) for m in (1, 29, 30, 31, 95, 200)]
    slots: dict = {}
    for c in calls:
        slots.setdefault(slot_of(c.ringing_at), []).append(c)
    now = start + dt.timedelta(hours=3, minutes=40)
    from_counts = half_hours_of_counts({k: count_calls(v) for k, v in slots.items()}, start, now)
    assert from_counts == half_hours(calls, start, now)
    assert [(h.offered, h.answered) for h in from_counts[:4]] == [(2, 2), (2, 1), (0, 0), (1, 1)]
