import datetime as dt

from zongji.domain import presence

T = dt.datetime(2026, 12, 4, 2, 0, tzinfo=dt.UTC)


def test_on_a_call_counts_before_away_and_away_before_free():
    assert presence.board_counts({1, 2, 3, 4}, on_call={1, 2}, away={2, 3, 9}) == {
        "logged_in": 4, "on_call": 2, "away": 1, "free": 1}


def test_away_time_is_clipped_to_the_period_and_an_open_period_runs_to_now():
    h = dt.timedelta(hours=1)
    assert presence.seconds_within(T - h, T + h, T, T + 10 * h, now=T + 20 * h) == 3600
    assert presence.seconds_within(T + h, None, T, T + 10 * h, now=T + 2 * h) == 3600
    assert presence.seconds_within(T - 3 * h, T - 2 * h, T, T + h, now=T) == 0


def test_only_those_who_take_calls_may_be_away():
    assert presence.may_be_away("operator") and presence.may_be_away("shift_leader")
    assert not presence.may_be_away("supervisor") and not presence.may_be_away("unit_handler")
