import datetime as dt

import pytest

from zongji.domain import roster

T = dt.datetime(2026, 12, 7, 0, 0, tzinfo=dt.UTC)
M = dt.timedelta(minutes=1)


def test_a_shift_covers_a_half_hour_it_fills_at_least_half_of():
    slot = T
    assert roster.covers(T, T + 30 * M, slot)
    assert roster.covers(T + 10 * M, T + 8 * 60 * M, slot)  # from :10, 20 of the 30 minutes
    assert roster.covers(T + 15 * M, T + 60 * M, slot)  # exactly half
    assert not roster.covers(T + 20 * M, T + 60 * M, slot)
    assert not roster.covers(T - 60 * M, T + 10 * M, slot)


def test_scheduled_counts_the_shifts_of_each_half_hour():
    slots = [T + i * 30 * M for i in range(4)]
    shifts = [(T, T + 120 * M), (T + 30 * M, T + 90 * M), (T + 50 * M, T + 200 * M)]
    assert roster.scheduled(shifts, slots) == [1, 2, 3, 2]


def test_a_shift_ends_after_it_starts_and_lasts_at_most_16_hours():
    roster.check_shift(T, T + 16 * 60 * M)
    with pytest.raises(roster.ShiftError) as e:
        roster.check_shift(T, T)
    assert e.value.field == "ends_at"
    with pytest.raises(roster.ShiftError):
        roster.check_shift(T, T + 16 * 60 * M + M)
