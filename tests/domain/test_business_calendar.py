"""Exact tests of the business calendar around Spring Festival and National Day 2026.

Checked against chinese-calendar 1.11.0 and the State Council notice 国办发明电〔2025〕7号：
Spring Festival holiday Sun 15 Feb – Mon 23 Feb 2026 with adjusted working days Sat 14 Feb and
Sat 28 Feb; National Day Thu 1 Oct – Wed 7 Oct with adjusted working days Sun 20 Sep and Sat 10
Oct. The package and the notice agree.
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.business_calendar import (
    BusinessCalendar,
    CalendarEntry,
    CalendarError,
    TimeWindow,
    WeeklyHours,
    entries_from_rows,
)

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()


def t(y, m, d, hh=0, mm=0, tz=SH):
    return datetime(y, m, d, hh, mm, tzinfo=tz)


H = timedelta(hours=1)


# ---------------------------------------------------------------------------- days


def test_package_data_matches_the_2026_notice():
    spring = [date(2026, 2, d) for d in range(15, 24)]
    assert all(not CAL.is_working_day(d) for d in spring)
    assert all(CAL.day_info(d).name == "Spring Festival" for d in spring)
    assert CAL.is_working_day(date(2026, 2, 14))  # Saturday
    assert CAL.is_working_day(date(2026, 2, 28))  # Saturday
    assert CAL.day_info(date(2026, 2, 14)).source == "statutory"
    national = [date(2026, 10, d) for d in range(1, 8)]
    assert all(not CAL.is_working_day(d) for d in national)
    assert CAL.is_working_day(date(2026, 9, 20))  # Sunday
    assert CAL.is_working_day(date(2026, 10, 10))  # Saturday
    # Ordinary weekend and weekday around them
    assert not CAL.is_working_day(date(2026, 2, 7))
    assert CAL.is_working_day(date(2026, 2, 24))
    assert not CAL.is_working_day(date(2026, 10, 11))


def test_adjusted_working_day_has_standard_hours():
    info = CAL.day_info(date(2026, 2, 14))
    assert info.windows == (TimeWindow.parse("08:30", "12:00"), TimeWindow.parse("13:00", "17:30"))


def test_known_years_and_unknown_year_fallback():
    assert 2026 in CAL.known_years and CAL.year_is_known(2026)
    assert not CAL.year_is_known(2031)
    # 2031: nobody has announced it, but New Year's Day (a Wednesday) is a holiday by rule, and
    # the year is provisional; an ordinary Thursday is a working day, a Saturday is not.
    assert not CAL.is_working_day(date(2031, 1, 1))
    assert CAL.day_info(date(2031, 1, 1)).source == "provisional"
    assert CAL.year_is_provisional(2031) and not CAL.year_is_provisional(2026)
    assert CAL.is_working_day(date(2031, 1, 2))
    assert not CAL.is_working_day(date(2031, 1, 4))  # Saturday
    assert CAL.unknown_years_between(date(2026, 12, 1), date(2031, 1, 1)) == [2027, 2028, 2029, 2030, 2031][
        sum(1 for y in (2027, 2028, 2029, 2030) if CAL.year_is_known(y)) :
    ]


def test_import_year_makes_it_known_and_applies():
    rows = [("2031-01-01", "休", "元旦"), ("2031-01-04", "班", "元旦调休"), (date(2031, 1, 2), False, "元旦")]
    cal = CAL.import_year(2031, entries_from_rows(rows))
    assert cal.year_is_known(2031)
    assert not cal.is_working_day(date(2031, 1, 1))
    assert not cal.is_working_day(date(2031, 1, 2))
    assert cal.is_working_day(date(2031, 1, 4))
    assert cal.day_info(date(2031, 1, 4)).name == "元旦调休"
    # the original is unchanged: still provisional, the Saturday still off
    assert CAL.year_is_provisional(2031) and not cal.year_is_provisional(2031)
    assert not CAL.is_working_day(date(2031, 1, 4))
    with pytest.raises(CalendarError):
        CAL.import_year(2031, entries_from_rows([("2030-12-31", 0, "x")]))
    with pytest.raises(CalendarError):
        entries_from_rows([("2031-13-01", 0, "x")])
    with pytest.raises(CalendarError):
        entries_from_rows([("2031-01-01", "maybe")])


def test_explicit_entries_override_the_package():
    cal = CAL.with_entries([CalendarEntry(date(2026, 2, 16), True, "duty day"), CalendarEntry(date(2026, 2, 14), False)])
    assert cal.is_working_day(date(2026, 2, 16))
    assert cal.day_info(date(2026, 2, 16)).source == "entry"
    assert not cal.is_working_day(date(2026, 2, 14))
    half = cal.with_entries([CalendarEntry(date(2026, 3, 6), True, "half day", (TimeWindow.parse("08:30", "12:00"),))])
    assert half.windows_on(date(2026, 3, 6)) == (TimeWindow.parse("08:30", "12:00"),)


def test_unit_calendar_layers_on_base():
    base = CAL.with_entries([CalendarEntry(date(2026, 3, 2), False, "city closure")])
    sat = WeeklyHours.from_json(
        {"mon": [["09:00", "17:00"]], "tue": [["09:00", "17:00"]], "wed": [["09:00", "17:00"]],
         "thu": [["09:00", "17:00"]], "fri": [["09:00", "17:00"]], "sat": [["09:00", "12:00"]]}
    )
    unit = base.for_unit(weekly_hours=sat, entries=[CalendarEntry(date(2026, 3, 3), False, "unit training")])
    assert not unit.is_working_day(date(2026, 3, 2))  # base entry applies
    assert not unit.is_working_day(date(2026, 3, 3))  # unit entry
    assert base.is_working_day(date(2026, 3, 3))  # not on the base
    assert unit.is_working_day(date(2026, 3, 7))  # the unit works Saturdays
    assert unit.windows_on(date(2026, 2, 28)) == (TimeWindow.parse("09:00", "17:00"),)  # adjusted day
    assert not unit.is_working_day(date(2026, 2, 21))  # holiday Saturday
    # A round-the-clock unit ignoring holidays
    always = base.for_unit(weekly_hours=WeeklyHours.round_the_clock(), observe_public_holidays=False)
    assert always.is_working_day(date(2026, 2, 17))
    assert always.add_working_hours(t(2026, 2, 17, 22), 5) == t(2026, 2, 18, 3)


def test_weekly_hours_json_round_trip_and_errors():
    wh = WeeklyHours.from_json({"all": [["08:00", "20:00"]], "sun": []})
    assert wh.to_json()["sat"] == [["08:00", "20:00"]]
    assert "sun" not in wh.to_json()
    assert WeeklyHours.from_json(wh.to_json()) == wh
    with pytest.raises(ValueError):
        WeeklyHours.from_json({"mon": [["12:00", "12:00"]]})
    with pytest.raises(ValueError):
        WeeklyHours.from_json({"funday": []})
    with pytest.raises(CalendarError):
        WeeklyHours.weekdays([TimeWindow.parse("08:00", "12:00"), TimeWindow.parse("11:00", "13:00")])


# ---------------------------------------------------------------------------- working days


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        # Friday afternoon + 1 working day: Monday same time
        (t(2026, 3, 6, 15), 1, t(2026, 3, 9, 15)),
        # Friday 13 Feb 15:00 + 1: Saturday 14 Feb is an adjusted working day
        (t(2026, 2, 13, 15), 1, t(2026, 2, 14, 15)),
        # Saturday 14 Feb (working) + 1: the holiday runs to Mon 23 Feb → Tue 24 Feb
        (t(2026, 2, 14, 15), 1, t(2026, 2, 24, 15)),
        (t(2026, 2, 13, 15), 3, t(2026, 2, 25, 15)),
        # Received during the holiday: the first working day ends the count
        (t(2026, 2, 18, 10), 1, t(2026, 2, 24, 17, 30)),
        # Evening, lunch, early morning, window opening
        (t(2026, 3, 6, 19), 1, t(2026, 3, 9, 17, 30)),
        (t(2026, 3, 6, 12, 30), 1, t(2026, 3, 9, 12)),
        (t(2026, 3, 6, 7), 1, t(2026, 3, 6, 17, 30)),
        (t(2026, 3, 9, 8, 30), 1, t(2026, 3, 9, 17, 30)),
        (t(2026, 3, 7, 10), 1, t(2026, 3, 9, 17, 30)),  # Saturday
        # National Day: Wed 30 Sep + 1 → Thu 8 Oct; + 2 → Sat 10 Oct (adjusted)
        (t(2026, 9, 30, 10), 1, t(2026, 10, 8, 10)),
        (t(2026, 9, 30, 10), 2, t(2026, 10, 9, 10)),
        (t(2026, 9, 30, 10), 3, t(2026, 10, 10, 10)),
        (t(2026, 9, 30, 10), 4, t(2026, 10, 12, 10)),
        # Sat 19 Sep (weekend) + 1 → Sun 20 Sep is working
        (t(2026, 9, 19, 10), 1, t(2026, 9, 20, 17, 30)),
        # Mid-autumn Fri 25 – Sun 27 Sep: Thu 24 Sep + 1 → Mon 28 Sep
        (t(2026, 9, 24, 16), 1, t(2026, 9, 28, 16)),
        (t(2026, 3, 6, 15), 0, t(2026, 3, 6, 15)),
    ],
)
def test_add_working_days(start, n, expected):
    assert CAL.add_working_days(start, n) == expected


def test_add_working_days_accepts_other_zones():
    utc = ZoneInfo("UTC")
    got = CAL.add_working_days(datetime(2026, 3, 6, 7, tzinfo=utc), 1)  # 15:00 Shanghai
    assert got == t(2026, 3, 9, 15)
    assert got.tzinfo == SH


def test_half_day_target_clamps():
    cal = CAL.with_entries([CalendarEntry(date(2026, 3, 9), True, "half day", (TimeWindow.parse("08:30", "12:00"),))])
    assert cal.add_working_days(t(2026, 3, 6, 15), 1) == t(2026, 3, 9, 12)


def test_next_working_day_and_count():
    assert CAL.next_working_day(date(2026, 2, 14)) == date(2026, 2, 24)
    assert CAL.next_working_day(date(2026, 2, 24), -1) == date(2026, 2, 14)
    assert CAL.working_days_between(date(2026, 2, 13), date(2026, 2, 28)) == 6  # 14, 24–27, 28
    assert CAL.working_days_between(date(2026, 9, 30), date(2026, 10, 11)) == 3  # 8, 9, 10


# ---------------------------------------------------------------------------- working hours


@pytest.mark.parametrize(
    ("start", "hours", "expected"),
    [
        (t(2026, 3, 9, 11), 1, t(2026, 3, 9, 12)),  # ends exactly at lunch
        (t(2026, 3, 9, 11), 2, t(2026, 3, 9, 14)),  # lunch does not count
        (t(2026, 3, 9, 12, 15), 1, t(2026, 3, 9, 14)),  # started during lunch
        (t(2026, 3, 9, 16, 30), 2, t(2026, 3, 10, 9, 30)),  # overnight
        (t(2026, 3, 9, 20), 1, t(2026, 3, 10, 9, 30)),  # started in the evening
        (t(2026, 3, 6, 17), 1, t(2026, 3, 9, 9)),  # Friday → Monday
        (t(2026, 2, 13, 17), 1, t(2026, 2, 14, 9)),  # Friday → adjusted Saturday
        (t(2026, 2, 14, 17), 2, t(2026, 2, 24, 10)),  # across the Spring Festival
        (t(2026, 9, 30, 16), 8, t(2026, 10, 8, 16)),  # across National Day: 1.5 h + 6.5 h
        (t(2026, 9, 19, 9), 1, t(2026, 9, 20, 9, 30)),  # Saturday → working Sunday
        (t(2026, 3, 9, 11), 0, t(2026, 3, 9, 11)),
    ],
)
def test_add_working_hours(start, hours, expected):
    assert CAL.add_working_hours(start, hours) == expected


def test_minutes_and_elapsed():
    assert CAL.add_working_minutes(t(2026, 3, 9, 11, 50), 20) == t(2026, 3, 9, 13, 10)
    assert CAL.working_time_between(t(2026, 3, 9, 11), t(2026, 3, 9, 14)) == 2 * H
    assert CAL.working_time_between(t(2026, 2, 13, 16), t(2026, 2, 24, 9)) == 10 * H
    assert CAL.working_time_between(t(2026, 2, 24, 9), t(2026, 2, 13, 16)) == -10 * H
    assert CAL.working_time_between(t(2026, 2, 15, 9), t(2026, 2, 23, 18)) == timedelta(0)
    assert CAL.working_time_between(t(2026, 9, 30, 0), t(2026, 10, 11, 0)) == 4 * 8 * H


def test_pauses_stop_the_clock():
    pauses = [(t(2026, 3, 9, 10), t(2026, 3, 9, 14))]  # waiting for the caller 10:00–14:00
    # 09:00 + 3 h: 1 h before the pause, 2 h after it (14:00–16:00)
    assert CAL.add_working_hours(t(2026, 3, 9, 9), 3, pauses) == t(2026, 3, 9, 16)
    assert CAL.working_time_between(t(2026, 3, 9, 9), t(2026, 3, 9, 16), pauses) == 3 * H
    # a pause on a holiday changes nothing
    hol = [(t(2026, 2, 16, 9), t(2026, 2, 17, 9))]
    assert CAL.add_working_hours(t(2026, 2, 14, 17), 2, hol) == t(2026, 2, 24, 10)
    # overlapping and unsorted pauses are merged
    messy = [(t(2026, 3, 9, 11), t(2026, 3, 9, 14)), (t(2026, 3, 9, 10), t(2026, 3, 9, 11, 30))]
    assert CAL.add_working_hours(t(2026, 3, 9, 9), 3, messy) == t(2026, 3, 9, 16)


def test_is_working_time_and_next_instant():
    assert CAL.is_working_time(t(2026, 3, 9, 8, 30))
    assert not CAL.is_working_time(t(2026, 3, 9, 12))
    assert CAL.is_working_time(t(2026, 3, 9, 12), include_end=True)
    assert not CAL.is_working_time(t(2026, 2, 16, 10))
    assert CAL.is_working_time(t(2026, 2, 14, 10))
    assert CAL.next_working_instant(t(2026, 3, 9, 12, 10)) == t(2026, 3, 9, 13)
    assert CAL.next_working_instant(t(2026, 2, 14, 18)) == t(2026, 2, 24, 8, 30)
    assert CAL.previous_working_end(t(2026, 2, 20, 10)) == t(2026, 2, 14, 17, 30)


def test_naive_datetimes_refused():
    with pytest.raises(CalendarError):
        CAL.add_working_hours(datetime(2026, 3, 9, 9), 1)
    with pytest.raises(CalendarError):
        CAL.add_working_hours(t(2026, 3, 9, 9), -1)


def test_calendar_without_working_time_fails_cleanly():
    closed = BusinessCalendar(weekly_hours=WeeklyHours((((),) * 7)[0:7]))
    with pytest.raises(CalendarError):
        closed.add_working_hours(t(2026, 3, 9, 9), 1)


def test_overnight_interval_from_stored_json():
    wh = WeeklyHours.from_json({"fri": [["22:00", "06:00"]]})
    cal = BusinessCalendar(weekly_hours=wh, observe_public_holidays=False)
    assert cal.add_working_hours(t(2026, 3, 6, 23), 2) == t(2026, 3, 7, 1)
    assert cal.working_time_between(t(2026, 3, 6, 0), t(2026, 3, 8, 0)) == 8 * H
    # Working days: the overnight window's Saturday part makes Saturday a working day of its
    # own (documented limitation; night-shift units should use working-hour targets).
    assert cal.is_working_day(date(2026, 3, 7))
    assert cal.add_working_days(t(2026, 3, 6, 23), 2) == t(2026, 3, 13, 23)
