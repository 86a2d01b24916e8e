"""How long a login lock lasts after n failures (issue 12, point 4): pure rules."""

from __future__ import annotations

import datetime as dt

import pytest

from zongji.domain import login_throttle as rules

T0 = dt.datetime(2026, 12, 3, 8, 0, tzinfo=dt.UTC)
MIN = dt.timedelta(minutes=1)
POLICY = rules.Policy(max_failures=5, window=15 * MIN, first_lock=15 * MIN, max_lock=dt.timedelta(hours=24))


def fail(counter: rules.Counter, at: dt.datetime, times: int = 1) -> rules.FailureOutcome:
    outcome = rules.FailureOutcome(counter, None)
    for _ in range(times):
        outcome = rules.after_failure(outcome.counter, POLICY, at)
    return outcome


def test_the_fifth_failure_in_the_window_locks_for_the_first_lock_time():
    four = fail(rules.Counter(), T0, 4)
    assert four.locked_for is None and rules.remaining_lock(four.counter, T0) is None
    fifth = rules.after_failure(four.counter, POLICY, T0 + MIN)
    assert fifth.locked_for == 15 * MIN
    assert rules.remaining_lock(fifth.counter, T0 + MIN) == 15 * MIN
    assert rules.remaining_lock(fifth.counter, T0 + 16 * MIN) is None


def test_failures_spread_wider_than_the_window_never_lock():
    counter = rules.Counter()
    for i in range(20):
        outcome = rules.after_failure(counter, POLICY, T0 + i * 4 * MIN)
        assert outcome.locked_for is None
        counter = outcome.counter


@pytest.mark.parametrize(("lock_number", "minutes"), [
    (1, 15), (2, 30), (3, 60), (4, 120), (5, 240), (6, 480), (7, 960), (8, 1440), (9, 1440), (500, 1440),
])
def test_each_further_lock_doubles_up_to_the_longest(lock_number, minutes):
    assert rules.lock_duration(POLICY, lock_number) == minutes * MIN


def test_locks_in_a_row_double():
    first = fail(rules.Counter(), T0, 5)
    assert first.locked_for == 15 * MIN
    after = T0 + 15 * MIN
    second = fail(first.counter, after, 5)
    assert second.locked_for == 30 * MIN
    third = fail(second.counter, after + 30 * MIN, 5)
    assert third.locked_for == 60 * MIN


def test_failures_while_locked_neither_count_nor_lengthen_the_lock():
    locked = fail(rules.Counter(), T0, 5).counter
    again = fail(locked, T0 + MIN, 50)
    assert again.locked_for is None and again.counter == locked


def test_a_day_of_quiet_after_a_lock_forgets_it():
    locked = fail(rules.Counter(), T0, 5).counter
    later = locked.locked_until + dt.timedelta(hours=24)
    assert fail(locked, later, 5).locked_for == 15 * MIN


def test_retry_after_is_whole_seconds_rounded_up():
    assert rules.retry_after_seconds(dt.timedelta(seconds=0.2)) == 1
    assert rules.retry_after_seconds(dt.timedelta(minutes=15)) == 900
    assert rules.retry_after_seconds(dt.timedelta(seconds=61.5)) == 62


def test_a_policy_that_cannot_work_is_refused():
    with pytest.raises(ValueError):
        rules.Policy(max_failures=0, window=MIN, first_lock=MIN, max_lock=MIN)
    with pytest.raises(ValueError):
        rules.Policy(max_failures=3, window=MIN, first_lock=10 * MIN, max_lock=MIN)
