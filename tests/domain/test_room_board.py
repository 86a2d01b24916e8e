"""Room board markers (pure)."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.room_board import StayFact, WakeupFact, room_state

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 22, 0, tzinfo=TZ)


def stay(status="in_house", arrival=-1, departure=2, vip=False, sid=1):
    return StayFact(sid, 10 + sid, status, NOW + dt.timedelta(days=arrival), NOW + dt.timedelta(days=departure), vip)


def test_vacant_room_has_no_markers():
    s = room_state([], now=NOW, tz=TZ)
    assert (s.occupied, s.arriving, s.departing_today, s.vip, s.wakeup, s.wakeup_escalated) == \
        (False, None, False, False, None, False)


def test_departing_today_and_vip_of_the_occupant():
    leaving = StayFact(1, 11, "in_house", NOW - dt.timedelta(days=2), NOW + dt.timedelta(hours=1), True)
    s = room_state([leaving], now=NOW, tz=TZ)
    assert s.occupied and s.departing_today and s.vip
    # Departure just after local midnight is tomorrow, not today.
    tomorrow = StayFact(1, 11, "in_house", NOW - dt.timedelta(days=2), NOW + dt.timedelta(hours=2, minutes=1))
    assert room_state([tomorrow], now=NOW, tz=TZ).departing_today is False


def test_arriving_today_is_not_occupied_yet():
    later = StayFact(2, 12, "expected", NOW + dt.timedelta(hours=1), NOW + dt.timedelta(days=2), True)
    s = room_state([later], now=NOW, tz=TZ)
    assert not s.occupied and s.arriving == later and s.vip
    # Arriving tomorrow: not on today's board as arriving.
    tomorrow = StayFact(2, 12, "expected", NOW + dt.timedelta(hours=3), NOW + dt.timedelta(days=2))
    assert room_state([tomorrow], now=NOW, tz=TZ).arriving is None


def test_next_wakeup_within_the_horizon_and_escalation():
    ws = [WakeupFact(1, NOW + dt.timedelta(hours=30), "due"), WakeupFact(2, NOW + dt.timedelta(hours=9), "due"),
          WakeupFact(3, NOW - dt.timedelta(hours=1), "done")]
    s = room_state([stay()], now=NOW, tz=TZ, wakeups=ws)
    assert s.wakeup.wakeup_id == 2 and not s.wakeup_escalated
    esc = [WakeupFact(4, NOW - dt.timedelta(minutes=20), "escalated"), *ws]
    s = room_state([stay()], now=NOW, tz=TZ, wakeups=esc)
    assert s.wakeup_escalated and s.wakeup.wakeup_id == 2  # the next booked time still shows
    s = room_state([stay()], now=NOW, tz=TZ, wakeups=esc[:1])
    assert s.wakeup_escalated and s.wakeup.wakeup_id == 4


def test_naive_now_is_refused():
    with pytest.raises(ValueError):
        room_state([], now=NOW.replace(tzinfo=None), tz=TZ)
