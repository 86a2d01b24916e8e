"""Working hours: parsing, validation, open/closed, breaks, next opening, exceptions."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.working_hours import (
    HoursExceptions,
    HoursState,
    Interval,
    WorkingHours,
    WorkingHoursError,
)

SH = ZoneInfo("Asia/Shanghai")
OFFICE = {d: [["08:30", "12:00"], ["13:00", "17:30"]] for d in ("mon", "tue", "wed", "thu", "fri")}
MON = dt.date(2026, 11, 23)  # a Monday


def at(day: dt.date, hm: str, tz=SH) -> dt.datetime:
    h, m = map(int, hm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=tz)


def d(n: int) -> dt.date:
    return MON + dt.timedelta(days=n)


@pytest.fixture
def office() -> WorkingHours:
    return WorkingHours.parse(OFFICE)


def test_parse_round_trip(office):
    assert office.to_json() == OFFICE
    assert WorkingHours.parse(office.to_json()) == office
    assert WorkingHours.parse({"all": [["00:00", "24:00"]]}).is_always_open
    assert WorkingHours.weekdays(("08:30", "12:00"), ("13:00", "17:30")) == office


@pytest.mark.parametrize("hm,state", [
    ("08:00", HoursState.BEFORE_OPENING),
    ("08:30", HoursState.OPEN),
    ("11:59", HoursState.OPEN),
    ("12:00", HoursState.BREAK),
    ("12:05", HoursState.BREAK),
    ("13:00", HoursState.OPEN),
    ("17:30", HoursState.AFTER_HOURS),
    ("23:00", HoursState.AFTER_HOURS),
])
def test_states_on_a_working_day(office, hm, state):
    assert office.status_at(at(MON, hm), SH).state is state


def test_lunch_break_reopens_at_13(office):
    st = office.status_at(at(MON, "12:05"), SH)
    assert st.is_break and st.reopens_today
    assert st.opens_at == at(MON, "13:00")
    assert office.next_opening(at(MON, "12:05"), SH) == at(MON, "13:00")


def test_open_reports_when_it_closes(office):
    st = office.status_at(at(MON, "09:00"), SH)
    assert st.is_open and st.closes_at == at(MON, "12:00")
    assert office.next_closing(at(MON, "14:00"), SH) == at(MON, "17:30")
    assert office.next_opening(at(MON, "09:00"), SH) == at(MON, "09:00")
    assert office.next_closing(at(MON, "12:30"), SH) is None


def test_weekend_is_closed_day_and_next_opening_is_monday(office):
    st = office.status_at(at(d(5), "10:00"), SH)
    assert st.state is HoursState.CLOSED_DAY
    assert st.opens_at == at(d(7), "08:30")
    # Friday evening → Monday morning
    assert office.next_opening(at(d(4), "18:00"), SH) == at(d(7), "08:30")


def test_holiday_from_a_set_of_dates(office):
    st = office.status_at(at(MON, "10:00"), SH, {MON})
    assert st.state is HoursState.HOLIDAY and not st.is_open
    assert st.opens_at == at(d(1), "08:30")


def test_special_hours_and_adjusted_working_day(office):
    ex = HoursExceptions(special={d(2): (Interval(8 * 60 + 30, 12 * 60),)}, working_as={d(5): "mon"})
    assert not office.is_open_at(at(d(2), "14:00"), SH, ex)
    assert office.status_at(at(d(2), "14:00"), SH, ex).state is HoursState.AFTER_HOURS
    assert office.is_open_at(at(d(5), "09:00"), SH, ex)  # Saturday worked as Monday (调休)
    parsed = HoursExceptions.from_json({"closed": ["2026-10-01"], "working_as": {"2026-09-27": "mon"},
                                        "special": {"2026-12-31": [["08:30", "12:00"]]}})
    assert dt.date(2026, 10, 1) in parsed.closed


def test_exceptions_json_errors_name_the_field():
    with pytest.raises(WorkingHoursError) as e:
        HoursExceptions.from_json({"closed": ["2026-13-01"], "working_as": {"2026-09-27": "funday"}})
    fields = [x.field for x in e.value.errors]
    assert "exceptions.closed[0]" in fields and "exceptions.working_as.2026-09-27" in fields


def test_midnight_spanning_hours():
    night = WorkingHours.parse({"fri": [["22:00", "06:00"]], "sat": [["22:00", "06:00"]]})
    assert night.is_open_at(at(d(4), "23:30"), SH)
    st = night.status_at(at(d(5), "03:00"), SH)  # Saturday 03:00 belongs to Friday's night
    assert st.is_open and st.closes_at == at(d(5), "06:00")
    assert not night.is_open_at(at(d(5), "07:00"), SH)
    assert night.next_opening(at(d(5), "07:00"), SH) == at(d(5), "22:00")
    # A Friday holiday closes Friday's night, not Thursday's
    assert not night.is_open_at(at(d(5), "03:00"), SH, {d(4)})
    # Sunday night (from Saturday) runs into Monday? No: sat 22:00–sun 06:00
    assert night.is_open_at(at(d(6), "05:59"), SH)
    assert not night.is_open_at(at(d(6), "06:00"), SH)


def test_midnight_to_midnight_round_the_clock_merges():
    always = WorkingHours.parse({"all": [["00:00", "24:00"]]})
    st = always.status_at(at(MON, "03:00"), SH)
    assert st.is_open and st.closes_at is None
    evenings = WorkingHours.parse({"mon": [["18:00", "24:00"]], "tue": [["00:00", "02:00"]]})
    assert evenings.status_at(at(MON, "23:00"), SH).closes_at == at(d(1), "02:00")


def test_all_with_day_override():
    wh = WorkingHours.parse({"all": [["08:00", "20:00"]], "sun": []})
    assert wh.is_open_at(at(d(5), "19:00"), SH)
    assert wh.status_at(at(d(6), "10:00"), SH).state is HoursState.CLOSED_DAY


def test_instant_in_another_zone_is_converted(office):
    utc_instant = dt.datetime(2026, 11, 23, 1, 0, tzinfo=dt.UTC)  # 09:00 in Shanghai
    assert office.is_open_at(utc_instant, SH)
    with pytest.raises(ValueError):
        office.status_at(dt.datetime(2026, 11, 23, 9, 0), SH)


def test_dst_zone_wall_clock():
    ny = ZoneInfo("America/New_York")
    wh = WorkingHours.parse({"sun": [["01:00", "04:00"]]})
    spring = dt.date(2026, 3, 8)  # clocks go 02:00 → 03:00
    assert wh.is_open_at(dt.datetime(2026, 3, 8, 3, 30, tzinfo=ny), ny)
    assert wh.next_closing(dt.datetime(2026, 3, 8, 1, 30, tzinfo=ny), ny) == at(spring, "04:00", ny)


@pytest.mark.parametrize("data,field", [
    ({"mon": [["8:30", "25:00"]]}, "working_hours.mon[0][1]"),
    ({"mon": [["24:00", "08:00"]]}, "working_hours.mon[0][0]"),
    ({"mon": [["08:00"]]}, "working_hours.mon[0]"),
    ({"mon": [["08:00", "08:00"]]}, "working_hours.mon[0]"),
    ({"mon": "08:00-12:00"}, "working_hours.mon"),
    ({"monday": [["08:00", "12:00"]]}, "working_hours.monday"),
    ({"mon": [["08:00", "12:00"], ["11:00", "13:00"]]}, "working_hours.mon"),
    ({"tue": [["22:00", "06:00"]], "wed": [["05:00", "07:00"]]}, "working_hours.tue"),
    ({"sun": [["22:00", "06:00"]], "mon": [["05:00", "07:00"]]}, "working_hours.sun"),
    ({"mon": [[830, "12:00"]]}, "working_hours.mon[0][0]"),
])
def test_validation_names_the_bad_field(data, field):
    with pytest.raises(WorkingHoursError) as e:
        WorkingHours.parse(data)
    assert e.value.field == field
    assert field in str(e.value)


def test_validation_collects_every_error():
    with pytest.raises(WorkingHoursError) as e:
        WorkingHours.parse({"mon": [["99:00", "12:00"]], "tue": [["08:00", "xx"]]})
    assert {x.field for x in e.value.errors} == {"working_hours.mon[0][0]", "working_hours.tue[0][1]"}
    assert e.value.errors[0].to_dict()["field"]


def test_none_and_empty_mean_closed():
    assert WorkingHours.parse(None) == WorkingHours.closed()
    st = WorkingHours.parse({}).status_at(at(MON, "10:00"), SH)
    assert st.state is HoursState.CLOSED_DAY and st.opens_at is None


def test_describe(office):
    assert office.describe("zh") == "周一至周五 08:30–12:00、13:00–17:30"
    assert office.describe("en") == "Mon–Fri 08:30–12:00, 13:00–17:30"
    assert WorkingHours.always().describe() == "全天24小时"
