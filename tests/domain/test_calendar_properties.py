"""Property tests of the working-time arithmetic (hypothesis)."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from zoneinfo import ZoneInfo

from hypothesis import given, settings
from hypothesis import strategies as st

from zongji.domain.business_calendar import BusinessCalendar, CalendarEntry, TimeWindow, WeeklyHours

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()
# A unit with uneven hours, a Saturday morning and a half day, to exercise clamping.
UNIT = CAL.for_unit(
    weekly_hours=WeeklyHours(
        (
            (TimeWindow.parse("08:00", "12:00"), TimeWindow.parse("14:00", "18:00")),
            (TimeWindow.parse("09:00", "17:00"),),
            (TimeWindow.parse("08:30", "12:00"), TimeWindow.parse("13:00", "17:30")),
            (TimeWindow.parse("07:00", "11:00"), TimeWindow.parse("12:00", "13:00"), TimeWindow.parse("19:00", "22:00")),
            (TimeWindow.parse("08:30", "12:00"),),
            (TimeWindow.parse("09:00", "11:30"),),
            (),
        )
    ),
    entries=[CalendarEntry(date(2026, 5, 6), True, "half day", (TimeWindow.parse("10:00", "11:00"),))],
)
CALENDARS = st.sampled_from([CAL, UNIT])

# Instants in 2025–2026 (years the package knows), minute resolution, sometimes seconds.
instants = st.datetimes(
    min_value=datetime(2025, 1, 1), max_value=datetime(2026, 12, 1), timezones=st.just(SH)
).map(lambda d: d.replace(microsecond=0))
amounts = st.integers(min_value=1, max_value=60 * 8 * 30).map(lambda m: timedelta(minutes=m))
small_amounts = st.integers(min_value=0, max_value=60 * 8 * 10).map(lambda m: timedelta(minutes=m))


@st.composite
def pauses(draw):
    start = draw(instants)
    n = draw(st.integers(min_value=0, max_value=3))
    out = []
    for _ in range(n):
        a = start + timedelta(minutes=draw(st.integers(min_value=-600, max_value=20000)))
        b = a + timedelta(minutes=draw(st.integers(min_value=1, max_value=5000)))
        out.append((a, b))
    return out


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, amounts, pauses())
def test_add_then_measure_returns_the_amount(cal, start, amount, ps):
    end = cal.add_working_time(start, amount, ps)
    assert cal.working_time_between(start, end, ps) == amount


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, amounts)
def test_result_is_inside_a_working_window(cal, start, amount):
    end = cal.add_working_time(start, amount)
    assert cal.is_working_time(end, include_end=True)
    assert end > start


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, st.integers(min_value=1, max_value=15))
def test_working_days_land_in_a_window_on_a_working_day(cal, start, n):
    end = cal.add_working_days(start, n)
    assert cal.is_working_time(end, include_end=True)
    assert end > start
    # at least n-1 full working days lie strictly between
    assert cal.working_days_between(cal.local(start).date(), cal.local(end).date()) >= n - 1


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, amounts, amounts)
def test_monotonic_in_the_amount(cal, start, a, b):
    a, b = sorted((a, b))
    assert cal.add_working_time(start, a) <= cal.add_working_time(start, b)


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, instants, amounts)
def test_monotonic_in_the_start(cal, s1, s2, amount):
    s1, s2 = sorted((s1, s2))
    assert cal.add_working_time(s1, amount) <= cal.add_working_time(s2, amount)


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, instants, st.integers(min_value=0, max_value=10))
def test_working_days_monotonic_in_the_start(cal, s1, s2, n):
    s1, s2 = sorted((s1, s2))
    assert cal.add_working_days(s1, n) <= cal.add_working_days(s2, n)


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, instants, instants, pauses())
def test_elapsed_is_additive(cal, a, b, c, ps):
    assert cal.working_time_between(a, c, ps) == cal.working_time_between(a, b, ps) + cal.working_time_between(b, c, ps)


@settings(max_examples=200, deadline=None)
@given(CALENDARS, instants, small_amounts, small_amounts)
def test_adding_in_two_steps_equals_adding_once(cal, start, a, b):
    once = cal.add_working_time(start, a + b)
    twice = cal.add_working_time(cal.add_working_time(start, a), b) if b else cal.add_working_time(start, a)
    assert once == twice or (a == timedelta(0) and b == timedelta(0))


@settings(max_examples=100, deadline=None)
@given(instants, st.integers(min_value=1, max_value=10))
def test_uniform_days_equal_standard_hours(start, n):
    """With the same hours every working day, N working days == N × 8 working hours of time."""
    days = CAL.add_working_days(start, n)
    assert CAL.working_time_between(start, days) == n * timedelta(hours=8)


# A night unit in a time zone with summer time, its windows running to midnight, a week with a
# day off: the windows cut at either end of a span are what the months' totals must not miss.
NIGHT = BusinessCalendar(
    tz=ZoneInfo("Europe/Berlin"), observe_public_holidays=False,
    weekly_hours=WeeklyHours(((TimeWindow.parse("00:00", "02:00"), TimeWindow.parse("20:00", "24:00")),) * 6 + ((),)),
)


def _walked(cal, start, end, ps):
    """Working time between two instants window by window (what working_time_between did before
    the months' totals): the reference."""
    total, e = timedelta(0), end.astimezone(UTC)
    for a, b in cal.working_intervals(start, ps):
        if a >= e:
            break
        total += min(b, e) - a
        if b >= e:
            break
    return total


@settings(max_examples=300, deadline=None)
@given(st.sampled_from([CAL, UNIT, NIGHT]), instants, st.integers(min_value=0, max_value=800 * 24 * 60), pauses())
def test_working_time_between_equals_the_walk_over_every_window(cal, start, minutes, ps):
    # Spans of minutes to two years and more, across year ends, holidays and summer time.
    end = start + timedelta(minutes=minutes)
    assert cal.working_time_between(start, end, ps) == _walked(cal, start, end, ps)
    assert cal.working_time_between(end, start, ps) == -_walked(cal, start, end, ps)
