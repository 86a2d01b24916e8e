"""SLA policies, deadlines and clock states."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.business_calendar import BusinessCalendar, WeeklyHours
from zongji.domain.roles import Role
from zongji.domain.sla import (
    DEFAULT_POLICIES,
    NO_TARGET,
    ClockKind,
    ClockStart,
    ClockState,
    OrderContext,
    OrderTimes,
    SlaError,
    SlaPolicy,
    Target,
    TimeBasis,
    add_time,
    check_extension,
    compute_deadline,
    default_policies,
    evaluate_clock,
    evaluate_clocks,
    policy_from_dict,
    policy_to_dict,
    resolve_policy,
    status_update_due,
    time_between,
    worst_state,
)
from zongji.domain.work_orders.actions import (
    Accept,
    Dispatch,
    PauseClock,
    RecordCallback,
    Reply,
    ResumeClock,
    StatusUpdate,
)
from zongji.domain.work_orders.rules import apply
from zongji.domain.work_orders.state import Actor, WorkOrderState
from zongji.domain.work_orders.words import Complexity, OrderType, Urgency

SH = ZoneInfo("Asia/Shanghai")
CAL = BusinessCalendar()
H = timedelta(hours=1)


def t(m, d, hh=0, mm=0):
    return datetime(2026, m, d, hh, mm, tzinfo=SH)


def ctx(order_type=OrderType.REQUEST, line="hotline_12345", **kw):
    return OrderContext(order_type, line, **kw)


P12345 = resolve_policy(DEFAULT_POLICIES, ctx())


# ---------------------------------------------------------------------------- policies


def test_defaults_for_12345():
    p = P12345
    assert p.dispatch == Target.calendar_hours(1)
    assert p.completion == Target.working_days(5)
    assert p.callback == Target.working_days(3)
    assert not p.first_reply.enabled
    assert p.completion_from is ClockStart.DISPATCHED and p.warning_share == 0.8
    assert p.sources["dispatch"] == "default"


@pytest.mark.parametrize(
    ("complexity", "completion", "maximum"),
    [
        (Complexity.SIMPLE, Target.calendar_minutes(30), Target.working_days(1)),
        (Complexity.GENERAL, Target.working_days(1), Target.working_days(3)),
        (Complexity.COMPLEX, Target.working_days(5), Target.working_days(7)),
        (None, Target.working_days(1), Target.working_days(3)),
    ],
)
def test_400_complaints(complexity, completion, maximum):
    p = resolve_policy(DEFAULT_POLICIES, ctx(OrderType.COMPLAINT, "hotline_400", complexity=complexity))
    assert p.first_reply == Target.working_hours(2)
    assert p.completion == completion and p.completion_max == maximum
    assert p.completion_from is ClockStart.CREATED
    assert p.callback == Target.working_days(3)  # inherited from the default


def test_urgency_wins_and_fields_inherit():
    p = resolve_policy(DEFAULT_POLICIES, ctx(urgency=Urgency.URGENT))
    assert p.dispatch == Target.calendar_minutes(15) and p.completion == Target.calendar_hours(24)
    assert p.callback == Target.working_days(3)
    p = resolve_policy(DEFAULT_POLICIES, ctx(OrderType.COMPLAINT, "hotline_400", urgency=Urgency.EMERGENCY,
                                             complexity=Complexity.COMPLEX))
    assert p.completion == Target.calendar_hours(4)  # urgency is more specific than complexity
    assert p.completion_max == Target.working_days(7)
    assert p.sources["completion"] == "emergency"


def test_category_specificity_and_switching_off():
    policies = DEFAULT_POLICIES + (
        SlaPolicy(name="lights", category="city/lights", completion=Target.working_days(3)),
        SlaPolicy(name="lights/led", category="city/lights/led", completion=Target.working_days(2)),
        SlaPolicy(name="praise", order_type=OrderType.PRAISE, callback=NO_TARGET),
    )
    assert resolve_policy(policies, ctx(category="city/lights/led/x")).completion == Target.working_days(2)
    assert resolve_policy(policies, ctx(category="city/lights")).completion == Target.working_days(3)
    assert resolve_policy(policies, ctx(category="city/lightsX")).completion == Target.working_days(5)
    assert not resolve_policy(policies, ctx(OrderType.PRAISE)).callback.enabled
    # ties: later policy wins
    tie = (SlaPolicy(name="a", order_type=OrderType.REQUEST, callback=Target.working_days(1)),
           SlaPolicy(name="b", order_type=OrderType.REQUEST, callback=Target.working_days(2)))
    assert resolve_policy(tie, ctx()).callback == Target.working_days(2)
    assert resolve_policy((), ctx()).dispatch == NO_TARGET


def test_policy_json_round_trip_and_validation():
    for p in default_policies(utility=True):
        assert policy_from_dict(policy_to_dict(p)) == p
    with pytest.raises(SlaError):
        policy_from_dict({"colour": "red"})
    with pytest.raises(SlaError):
        SlaPolicy(warning_share=1.5)
    with pytest.raises(SlaError):
        Target.working_days(1.5)
    with pytest.raises(SlaError):
        Target.calendar_hours(-1)


# ---------------------------------------------------------------------------- deadlines


def test_dispatch_is_calendar_time_round_the_clock():
    created = t(2, 16, 23, 30)  # night, during the Spring Festival
    r = evaluate_clock(ClockKind.DISPATCH, P12345, CAL, OrderTimes(created), t(2, 17, 0, 20))
    assert r.deadline == t(2, 17, 0, 30) and r.basis is TimeBasis.CALENDAR
    assert r.warning_at == t(2, 17, 0, 18) and r.state is ClockState.WARNING
    assert evaluate_clock(ClockKind.DISPATCH, P12345, CAL, OrderTimes(created), t(2, 17, 0, 10)).state is ClockState.ON_TIME
    assert evaluate_clock(ClockKind.DISPATCH, P12345, CAL, OrderTimes(created), t(2, 17, 0, 30)).state is ClockState.WARNING
    assert evaluate_clock(ClockKind.DISPATCH, P12345, CAL, OrderTimes(created), t(2, 17, 0, 31)).state is ClockState.BREACHED
    met = OrderTimes(created, first_dispatched_at=t(2, 17, 0, 5), dispatched_at=t(2, 17, 0, 5))
    assert evaluate_clock(ClockKind.DISPATCH, P12345, CAL, met, t(2, 18)).state is ClockState.MET
    late = OrderTimes(created, first_dispatched_at=t(2, 17, 1), dispatched_at=t(2, 17, 1))
    assert evaluate_clock(ClockKind.DISPATCH, P12345, CAL, late, t(2, 18)).state is ClockState.MET_LATE


def test_completion_across_spring_festival():
    # Dispatched Fri 13 Feb 15:00; 5 working days: Sat 14, Tue 24, Wed 25, Thu 26, Fri 27
    times = OrderTimes(t(2, 13, 14), first_dispatched_at=t(2, 13, 15), dispatched_at=t(2, 13, 15))
    r = evaluate_clock(ClockKind.COMPLETION, P12345, CAL, times, t(2, 20, 10))
    assert r.deadline == t(2, 27, 15)
    assert r.budget == 40 * H
    assert r.consumed == 8 * H + 2.5 * H  # Fri 15:00–17:30 and Sat 14 Feb
    assert r.state is ClockState.ON_TIME
    assert r.warning_at == CAL.add_working_hours(t(2, 13, 15), 32)  # 80 %
    assert r.warning_at == t(2, 26, 15)
    assert evaluate_clock(ClockKind.COMPLETION, P12345, CAL, times, t(2, 26, 16)).state is ClockState.WARNING
    assert evaluate_clock(ClockKind.COMPLETION, P12345, CAL, times, t(2, 27, 15)).state is ClockState.WARNING
    b = evaluate_clock(ClockKind.COMPLETION, P12345, CAL, times, t(2, 28, 9))  # Saturday 28 Feb is a working day
    assert b.state is ClockState.BREACHED and b.remaining == -3 * H  # Fri 15:00–17:30, Sat 08:30–09:00


def test_callback_within_3_working_days_around_national_day():
    times = OrderTimes(t(9, 28, 9), first_dispatched_at=t(9, 28, 9, 30), dispatched_at=t(9, 28, 9, 30),
                       replied_at=t(9, 30, 16))
    r = evaluate_clock(ClockKind.CALLBACK, P12345, CAL, times, t(10, 8, 10))
    assert r.deadline == t(10, 10, 16)  # Thu 8, Fri 9, Sat 10 Oct (adjusted working day)
    done = OrderTimes(**{**times.__dict__, "callback_done_at": t(10, 10, 15)})
    assert evaluate_clock(ClockKind.CALLBACK, P12345, CAL, done, t(10, 12)).state is ClockState.MET


def test_complaint_first_reply_two_working_hours_over_lunch():
    p = resolve_policy(DEFAULT_POLICIES, ctx(OrderType.COMPLAINT, "hotline_400", complexity=Complexity.GENERAL))
    times = OrderTimes(t(3, 9, 11))
    r = evaluate_clock(ClockKind.FIRST_REPLY, p, CAL, times, t(3, 9, 12, 30))
    assert r.deadline == t(3, 9, 14) and r.state is ClockState.ON_TIME and r.consumed == H
    c = evaluate_clock(ClockKind.COMPLETION, p, CAL, times, t(3, 9, 12, 30))
    assert c.started_at == t(3, 9, 11) and c.deadline == t(3, 10, 11) and c.max_deadline == t(3, 12, 11)


def test_pause_moves_the_deadline_and_freezes_consumption():
    base = OrderTimes(t(3, 9, 9), first_dispatched_at=t(3, 9, 9), dispatched_at=t(3, 9, 9))
    # paused Tue 10 Mar 09:00 – Thu 12 Mar 09:00: two working days
    paused = OrderTimes(**{**base.__dict__, "pauses": ((t(3, 10, 9), t(3, 12, 9)),)})
    assert evaluate_clock(ClockKind.COMPLETION, P12345, CAL, base, t(3, 10)).deadline == t(3, 16, 9)
    r = evaluate_clock(ClockKind.COMPLETION, P12345, CAL, paused, t(3, 12, 10))
    assert r.deadline == t(3, 18, 9)
    assert r.consumed == 7.5 * H + 0.5 * H + H  # Mon 9:00–17:30, Tue 8:30–9:00, Thu 9:00–10:00
    # an open pause: consumption stops, paused flag set, dispatch (not pausable) unaffected
    open_pause = OrderTimes(**{**base.__dict__, "pauses": ((t(3, 10, 9), None),)})
    a = evaluate_clock(ClockKind.COMPLETION, P12345, CAL, open_pause, t(3, 11, 12))
    b = evaluate_clock(ClockKind.COMPLETION, P12345, CAL, open_pause, t(3, 13, 12))
    assert a.consumed == b.consumed == 8 * H and a.paused
    assert b.deadline > a.deadline


def test_explicit_deadline_from_extension_and_unit_calendar():
    unit = CAL.for_unit(weekly_hours=WeeklyHours.round_the_clock(), observe_public_holidays=False)
    times = OrderTimes(t(3, 9, 9), first_dispatched_at=t(3, 9, 9), dispatched_at=t(3, 9, 9),
                       completion_deadline=t(3, 20, 17, 30))
    r = evaluate_clock(ClockKind.COMPLETION, P12345, CAL, times, t(3, 17))
    assert r.deadline == t(3, 20, 17, 30) and r.state is ClockState.ON_TIME
    plain = OrderTimes(t(3, 9, 9), first_dispatched_at=t(3, 9, 9), dispatched_at=t(3, 9, 9))
    u = evaluate_clock(ClockKind.COMPLETION, P12345, CAL, plain, t(3, 10), unit_calendar=unit)
    assert u.deadline == t(3, 14, 9)  # five round-the-clock days
    assert check_extension(P12345, CAL, plain, t(4, 30, 9), t(3, 10)) is None  # no maximum for 12345
    p400 = resolve_policy(DEFAULT_POLICIES, ctx(OrderType.COMPLAINT, "hotline_400", complexity=Complexity.COMPLEX))
    c = OrderTimes(t(3, 9, 9))
    assert check_extension(p400, CAL, c, t(3, 18, 9), t(3, 10)) is None  # 7 working days
    assert "at most 7 working days" in check_extension(p400, CAL, c, t(3, 18, 10), t(3, 10))


def test_clocks_present_only_when_started_and_applicable():
    assert set(evaluate_clocks(P12345, CAL, OrderTimes(t(3, 9, 9)), t(3, 9, 10))) == {ClockKind.DISPATCH}
    directly = OrderTimes(t(3, 9, 9), closed_at=t(3, 9, 9, 5), closed_directly=True)
    assert evaluate_clocks(P12345, CAL, directly, t(3, 9, 10)) == {}
    full = OrderTimes(t(3, 9, 9), first_dispatched_at=t(3, 9, 9, 30), dispatched_at=t(3, 9, 9, 30),
                      replied_at=t(3, 11, 9))
    reports = evaluate_clocks(P12345, CAL, full, t(3, 11, 10))
    assert set(reports) == {ClockKind.DISPATCH, ClockKind.COMPLETION, ClockKind.CALLBACK}
    assert reports[ClockKind.COMPLETION].state is ClockState.MET
    assert worst_state(reports.values()) is ClockState.ON_TIME
    assert reports[ClockKind.CALLBACK].to_dict()["state"] == "on_time"


def test_simple_complaint_at_once_closed_in_the_call():
    p = resolve_policy(DEFAULT_POLICIES, ctx(OrderType.COMPLAINT, "hotline_400", complexity=Complexity.SIMPLE))
    times = OrderTimes(t(3, 9, 9), closed_at=t(3, 9, 9, 10), closed_directly=True)
    reports = evaluate_clocks(p, CAL, times, t(3, 9, 10))
    assert reports[ClockKind.COMPLETION].state is ClockState.MET
    assert reports[ClockKind.FIRST_REPLY].state is ClockState.MET
    assert ClockKind.DISPATCH not in reports


# ---------------------------------------------------------------------------- status updates


def test_status_update_due_past_the_limit_then_repeating():
    times = OrderTimes(t(3, 9, 9), first_dispatched_at=t(3, 9, 9), dispatched_at=t(3, 9, 9))
    due = status_update_due(P12345, CAL, times, t(3, 10))
    assert due.due_at == t(3, 16, 9) and due.reason == "deadline_passed"
    told = OrderTimes(**{**times.__dict__, "last_status_update_at": t(3, 16, 10)})
    again = status_update_due(P12345, CAL, told, t(3, 16, 11))
    assert again.due_at == t(3, 17, 10) and again.reason == "repeat"
    assert status_update_due(P12345, CAL, OrderTimes(**{**times.__dict__, "replied_at": t(3, 12)}), t(3, 13)) is None


def test_utility_progress_after_24_hours():
    p = resolve_policy(default_policies(utility=True), ctx(OrderType.COMPLAINT, "hotline_400", complexity=Complexity.COMPLEX))
    due = status_update_due(p, CAL, OrderTimes(t(3, 9, 9)), t(3, 9, 10))
    assert due.due_at == t(3, 10, 9) and due.reason == "progress_after"


# ---------------------------------------------------------------------------- with the state machine


def test_from_state_through_the_machine():
    leader, unit, op = Actor(Role.SHIFT_LEADER), Actor(Role.UNIT_HANDLER, unit_id=7), Actor(Role.OPERATOR)
    s = WorkOrderState.new(OrderType.REQUEST, t(3, 9, 9), line_kind="hotline_12345")
    policy = resolve_policy(DEFAULT_POLICIES, OrderContext.from_state(s))
    deadline = compute_deadline(policy.completion, CAL, t(3, 9, 9, 20))
    s, _ = apply(s, Dispatch(unit_id=7, completion_deadline=deadline), leader, t(3, 9, 9, 20))
    s, _ = apply(s, Accept(), unit, t(3, 9, 10))
    s, _ = apply(s, PauseClock(reason="等待来电人补充地址"), op, t(3, 10, 9))
    s, _ = apply(s, ResumeClock(), op, t(3, 10, 14))
    s, _ = apply(s, StatusUpdate(note="告知进度"), op, t(3, 10, 15))
    r = evaluate_clocks(policy, CAL, OrderTimes.from_state(s), t(3, 11, 9))
    assert r[ClockKind.DISPATCH].state is ClockState.MET
    # nominal 16 Mar 09:20; paused Tue 09:00–14:00 = 4 working hours (lunch excluded) → 14:20
    assert r[ClockKind.COMPLETION].deadline == t(3, 16, 14, 20)
    s, _ = apply(s, Reply(text="已处理"), unit, t(3, 12, 9))
    s, _ = apply(s, RecordCallback(), op, t(3, 13, 9))
    r = evaluate_clocks(policy, CAL, OrderTimes.from_state(s), t(3, 20))
    assert {k: v.state for k, v in r.items()} == {
        ClockKind.DISPATCH: ClockState.MET, ClockKind.COMPLETION: ClockState.MET, ClockKind.CALLBACK: ClockState.MET,
    }


def test_calendar_time_helpers():
    pauses = [(t(3, 9, 10), t(3, 9, 11))]
    assert add_time(TimeBasis.CALENDAR, CAL, t(3, 9, 9), 2 * H, pauses) == t(3, 9, 12)
    assert time_between(TimeBasis.CALENDAR, CAL, t(3, 9, 9), t(3, 9, 12), pauses) == 2 * H
    assert time_between(TimeBasis.CALENDAR, CAL, t(3, 9, 12), t(3, 9, 9), pauses) == -2 * H
    assert add_time(TimeBasis.CALENDAR, CAL, t(3, 9, 9), timedelta(0), pauses) == t(3, 9, 9)
