"""Years whose holiday notice is not known yet (issue 8): holidays by rule, marked provisional.

chinese-calendar 1.11.0 ends with 2026. For 2027 the statutory holidays (2024 revision of
全国年节及纪念日放假办法: New Year 1 day, Spring Festival from New Year's Eve 4 days, Qingming 1,
Labour Day 2, Dragon Boat 1, Mid-Autumn 1, National Day 3; a holiday on a weekend made up on the
next working day) are computed from the lunar calendar by the ``holidays`` package.
"""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest

from zongji.domain.business_calendar import (
    BusinessCalendar,
    RuleStatutoryCalendar,
    WeeklyHours,
    china_statutory,
    entries_from_rows,
)
from zongji.domain.sla import ClockKind, OrderTimes, RestDayStart, Target, compute_deadline, evaluate_clock
from zongji.domain.sla import OrderContext, SlaPolicy, resolve_policy
from zongji.domain.work_orders.words import OrderType

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()
CTX = OrderContext(OrderType.REQUEST)


def t(y, m, d, hh=0, mm=0):
    return datetime(y, m, d, hh, mm, tzinfo=SH)


def test_the_issue_examples_no_longer_count_holidays_as_working_days():
    # Dispatched Mon 28 Dec 2026 10:30 with 5 working days: 1 January 2027 is a holiday.
    assert CAL.add_working_days(t(2026, 12, 28, 10, 30), 5) == t(2027, 1, 5, 10, 30)
    # Dispatched Fri 29 Jan 2027: Spring Festival runs from New Year's Eve (Fri 5 Feb) with the
    # weekend days made up on Tue 9 and Wed 10 Feb.
    assert CAL.add_working_days(t(2027, 1, 29, 10, 30), 5) == t(2027, 2, 11, 10, 30)


def test_2027_holidays_by_rule_are_the_thirteen_statutory_days_plus_make_up_days():
    off = {d for d in RuleStatutoryCalendar.year(2027)}
    statutory = {date(2027, 1, 1), date(2027, 2, 5), date(2027, 2, 6), date(2027, 2, 7), date(2027, 2, 8),
                 date(2027, 4, 5), date(2027, 5, 1), date(2027, 5, 2), date(2027, 6, 9), date(2027, 9, 15),
                 date(2027, 10, 1), date(2027, 10, 2), date(2027, 10, 3)}
    assert statutory <= off
    # The weekend ones (Sat 6 / Sun 7 Feb, Sat 1 / Sun 2 May, Sat 2 / Sun 3 Oct) are made up.
    assert off - statutory == {date(2027, 2, 9), date(2027, 2, 10), date(2027, 5, 3), date(2027, 5, 4),
                               date(2027, 10, 4), date(2027, 10, 5)}
    info = CAL.day_info(date(2027, 2, 5))
    assert (info.is_working, info.source, info.name_zh) == (False, "provisional", "春节")
    assert CAL.day_info(date(2027, 2, 9)).name_zh == "春节（补假）"
    assert CAL.day_info(date(2027, 10, 1)).name_zh == "国庆节"


@pytest.mark.parametrize("year", sorted(y for y in china_statutory().years if y >= 2025))
def test_the_rule_agrees_with_chinese_calendar_on_the_years_both_know(year):
    """Every day the rule makes a holiday is a holiday in the published notice (the notice adds
    bridge days and adjusted working days, which no rule can know)."""
    for day, s in RuleStatutoryCalendar.year(year).items():
        assert chinese_calendar.is_holiday(day), (day, s.name)
        assert china_statutory().lookup(day) is not None and not china_statutory().lookup(day).is_working


def test_a_known_year_is_not_provisional_and_an_imported_year_replaces_the_rule():
    assert not CAL.year_is_provisional(2026)
    assert CAL.year_is_provisional(2027)
    assert CAL.provisional_years_between(date(2026, 12, 28), date(2027, 1, 5)) == [2027]
    # The 2027 notice (as a test fixture): 1–3 Jan off with Sun 3 Jan… here only New Year and a
    # made-up working Saturday.
    cal = CAL.import_year(2027, entries_from_rows([("2027-01-01", "休", "元旦"), ("2027-01-09", "班", "调休")]))
    assert not cal.year_is_provisional(2027)
    assert cal.is_working_day(date(2027, 1, 9))
    # Imported: the rule's days are gone; the notice decides (here it did not list Spring Festival).
    assert cal.is_working_day(date(2027, 2, 9))
    assert cal.day_info(date(2027, 2, 9)).source == "weekly"


def test_a_unit_that_ignores_public_holidays_has_no_provisional_year():
    always = CAL.for_unit(weekly_hours=WeeklyHours.round_the_clock(), observe_public_holidays=False)
    assert always.is_working_day(date(2027, 2, 6))
    assert not always.year_is_provisional(2027)


def test_a_deadline_across_a_provisional_year_says_so():
    policy = resolve_policy([SlaPolicy(name="p", completion=Target.working_days(5))], CTX)
    times = OrderTimes(created_at=t(2026, 12, 28, 10), dispatched_at=t(2026, 12, 28, 10, 30))
    r = evaluate_clock(ClockKind.COMPLETION, policy, CAL, times, t(2026, 12, 28, 11))
    assert r.deadline == t(2027, 1, 5, 10, 30)
    assert r.provisional_years == (2027,) and r.to_dict()["provisional_years"] == [2027]
    # Within 2026: not provisional.
    times = OrderTimes(created_at=t(2026, 12, 1, 10), dispatched_at=t(2026, 12, 1, 10, 30))
    assert evaluate_clock(ClockKind.COMPLETION, policy, CAL, times, t(2026, 12, 1, 11)).provisional_years == ()
    # A calendar-time clock does not depend on holidays: never provisional.
    policy = resolve_policy([SlaPolicy(name="p", completion=Target.calendar_hours(24))], CTX)
    times = OrderTimes(created_at=t(2026, 12, 31, 10), dispatched_at=t(2026, 12, 31, 10, 30))
    assert evaluate_clock(ClockKind.COMPLETION, policy, CAL, times, t(2026, 12, 31, 11)).provisional_years == ()


@pytest.mark.parametrize(
    ("start", "rule", "expected"),
    [
        # Received Saturday: Monday is day 1 (default) …
        (t(2026, 3, 7, 10), RestDayStart.NEXT_DAY_IS_DAY_1, t(2026, 3, 9, 17, 30)),
        # … or counting starts after Monday: Tuesday is day 1.
        (t(2026, 3, 7, 10), RestDayStart.AFTER_NEXT_DAY, t(2026, 3, 10, 17, 30)),
        # Received on a working day: the setting changes nothing.
        (t(2026, 3, 6, 15), RestDayStart.AFTER_NEXT_DAY, t(2026, 3, 9, 15)),
        # Received on New Year's Day 2027 (provisional holiday, a Friday): Mon 4 Jan is day 0.
        (t(2027, 1, 1, 9), RestDayStart.AFTER_NEXT_DAY, t(2027, 1, 5, 17, 30)),
        (t(2027, 1, 1, 9), RestDayStart.NEXT_DAY_IS_DAY_1, t(2027, 1, 4, 17, 30)),
    ],
)
def test_received_on_a_non_working_day(start, rule, expected):
    assert compute_deadline(Target.working_days(1), CAL, start, rest_day=rule) == expected


def test_the_rest_day_rule_is_a_policy_field_that_round_trips():
    from zongji.domain.sla import policy_from_dict, policy_to_dict

    p = SlaPolicy(name="x", rest_day_start=RestDayStart.AFTER_NEXT_DAY)
    assert policy_from_dict(policy_to_dict(p)) == p
    assert resolve_policy([p], CTX).rest_day_start is RestDayStart.AFTER_NEXT_DAY
    assert resolve_policy([], CTX).rest_day_start is RestDayStart.NEXT_DAY_IS_DAY_1
