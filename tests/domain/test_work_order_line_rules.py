"""Issue 8, points 2 and 3: each line's own kind of order (a 400 complaint has the company's
situations, R-S8/R-S10), a unit asks the office to stop its clock, a returned order's dispatch
clock restarts from the return."""

from __future__ import annotations

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.business_calendar import BusinessCalendar
from zongji.domain.roles import Role
from zongji.domain.sla import DEFAULT_POLICIES, ClockKind, ClockState, OrderContext, OrderTimes, evaluate_clock, \
    resolve_policy
from zongji.domain.work_orders.actions import (
    Accept,
    CloseDirectly,
    Dispatch,
    GrantPause,
    PauseClock,
    Reclassify,
    RefusePause,
    Reply,
    RequestPause,
    ResumeClock,
    Return,
    action_from_dict,
)
from zongji.domain.work_orders.errors import ActionForbidden, IllegalTransition, InvalidAction
from zongji.domain.work_orders.following import bind_duplicate, unbind_duplicate
from zongji.domain.work_orders.guidance import guidance_for, situations_of
from zongji.domain.work_orders.rules import allowed_actions, apply
from zongji.domain.work_orders.state import Actor, WorkOrderState
from zongji.domain.work_orders.words import Complexity, ExtensionStatus, OrderType, Status

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 9, 9, 0, tzinfo=SH)  # a Monday
OP = Actor(Role.OPERATOR, user_id=1)
LEADER = Actor(Role.SHIFT_LEADER, user_id=2)
OFFICE = Actor(Role.SUPERVISOR, user_id=3)
UNIT = Actor(Role.UNIT_HANDLER, user_id=4, unit_id=10)
OTHER_UNIT = Actor(Role.UNIT_HANDLER, user_id=5, unit_id=11)


def at(minutes: float) -> datetime:
    return T0 + timedelta(minutes=minutes)


# ---------------------------------------------------------------------------- 400 complaints


def test_a_400_complaint_has_the_company_situations_never_the_12345_ones():
    assert situations_of(OrderType.COMPLAINT, "hotline_400") == ("general", "simple", "complex", "not_valid")
    assert "official_misconduct" in situations_of(OrderType.COMPLAINT, "hotline_12345")
    for g in guidance_for(OrderType.COMPLAINT, line_kind="hotline_400"):
        assert not g.closes_directly and not g.referrals  # passed to the department (R-S8), no 12388
        assert g.recommended == "dispatch"
    with pytest.raises(InvalidAction) as e:
        WorkOrderState.new(OrderType.COMPLAINT, T0, line_kind="hotline_400", situation="official_misconduct")
    assert e.value.code == "unknown_situation" and e.value.field == "situation"
    # The 12345 complaint keeps its referral to the discipline inspection.
    assert guidance_for(OrderType.COMPLAINT, "official_misconduct").referrals == ("discipline_inspection", "petition")


@pytest.mark.parametrize(("situation", "complexity"), [
    ("simple", Complexity.SIMPLE), ("general", Complexity.GENERAL), ("complex", Complexity.COMPLEX),
    ("not_valid", None)])
def test_a_400_complaints_situation_sets_its_complexity(situation, complexity):
    s = WorkOrderState.new(OrderType.COMPLAINT, T0, line_kind="hotline_400", situation=situation)
    assert s.complexity is complexity


def test_a_400_complaint_with_a_contradicting_complexity_is_refused_and_reclassify_keeps_them_together():
    with pytest.raises(InvalidAction) as e:
        WorkOrderState.new(OrderType.COMPLAINT, T0, line_kind="hotline_400", situation="simple", complexity="complex")
    assert e.value.code == "complexity_mismatch" and e.value.field == "complexity"
    s = WorkOrderState.new(OrderType.COMPLAINT, T0, line_kind="hotline_400", situation="general")
    s2, entry = apply(s, Reclassify(situation="complex"), LEADER, at(5))
    assert (s2.situation, s2.complexity) == ("complex", Complexity.COMPLEX)
    assert entry.data["complexity"] == {"from": "general", "to": "complex"}
    s3, _ = apply(s, Reclassify(complexity=Complexity.SIMPLE), LEADER, at(5))
    assert (s3.situation, s3.complexity) == ("simple", Complexity.SIMPLE)


def test_a_400_complaint_is_never_closed_directly():
    s = WorkOrderState.new(OrderType.COMPLAINT, T0, line_kind="hotline_400", situation="not_valid")
    assert "close_directly" not in allowed_actions(s, OP)
    assert "dispatch" in allowed_actions(s, LEADER)
    with pytest.raises(InvalidAction) as e:
        apply(s, CloseDirectly(handling="解释", result="客户接受"), OP, at(5))
    assert e.value.code == "must_dispatch"


# ---------------------------------------------------------------------------- pausing the clock


def _accepted() -> WorkOrderState:
    s = WorkOrderState.new(OrderType.REQUEST, T0, situation="general")
    s, _ = apply(s, Dispatch(unit_id=10, completion_deadline=at(60 * 24 * 5)), LEADER, at(10))
    s, _ = apply(s, Accept(), UNIT, at(20))
    return s


def test_a_unit_cannot_stop_its_own_clock_and_is_told_how_to_ask():
    s = _accepted()
    assert "pause" not in allowed_actions(s, UNIT) and "request_pause" in allowed_actions(s, UNIT)
    with pytest.raises(ActionForbidden) as e:
        apply(s, PauseClock(reason="等待来电人提供材料"), UNIT, at(30))
    assert e.value.status_code == 403 and e.value.code == "pause_needs_approval" and e.value.field == "action"
    assert "request_pause" in e.value.message
    assert not s.is_paused


def test_a_pause_request_stops_the_clock_only_when_the_office_grants_it():
    s = _accepted()
    with pytest.raises(InvalidAction) as e:
        apply(s, RequestPause(), UNIT, at(30))
    assert e.value.field == "reason"
    with pytest.raises(ActionForbidden):
        apply(s, RequestPause(reason="x"), OTHER_UNIT, at(30))  # not its order
    s, entry = apply(s, RequestPause(reason="等待来电人提供房产证明"), UNIT, at(30))
    assert not s.is_paused and s.pending_pause is not None and entry.data["reason"] == "等待来电人提供房产证明"
    with pytest.raises(IllegalTransition) as e:
        apply(s, RequestPause(reason="again"), UNIT, at(31))
    assert e.value.code == "pause_pending"
    # Only the office decides; the shift leader and the unit may not.
    for who in (UNIT, LEADER, OP):
        with pytest.raises(ActionForbidden):
            apply(s, GrantPause(), who, at(40))
    assert "grant_pause" in allowed_actions(s, OFFICE) and "refuse_pause" in allowed_actions(s, OFFICE)
    granted, _ = apply(s, GrantPause(note="同意"), OFFICE, at(90))
    assert granted.is_paused and granted.pauses[-1].start == at(90)  # from the grant, not the request
    assert granted.pause_request.status is ExtensionStatus.GRANTED
    # The unit may end the pause itself (its clock runs again).
    resumed, _ = apply(granted, ResumeClock(), UNIT, at(120))
    assert not resumed.is_paused
    # Refused: a reason is needed and the clock runs on.
    with pytest.raises(InvalidAction):
        apply(s, RefusePause(), OFFICE, at(40))
    refused, _ = apply(s, RefusePause(note="材料可由单位自行调取"), OFFICE, at(40))
    assert not refused.is_paused and refused.pause_request.status is ExtensionStatus.REFUSED
    with pytest.raises(IllegalTransition) as e:
        apply(refused, GrantPause(), OFFICE, at(50))
    assert e.value.code == "no_pause_pending"
    # The reply withdraws a pending request.
    replied, _ = apply(s, Reply(text="已办结"), UNIT, at(60))
    assert replied.pending_pause is None and replied.pause_request.status is ExtensionStatus.REFUSED


def test_pause_request_actions_from_json():
    assert action_from_dict({"action": "request_pause", "reason": "r"}) == RequestPause(reason="r")
    assert action_from_dict({"action": "grant_pause", "note": "ok"}) == GrantPause(note="ok")
    assert action_from_dict({"action": "refuse_pause", "note": "no"}) == RefusePause(note="no")


def test_the_console_still_pauses_directly():
    s = _accepted()
    s, _ = apply(s, PauseClock(reason="等待来电人补充材料"), OP, at(30))
    assert s.is_paused


# ---------------------------------------------------------------------------- the dispatch clock


POLICY = resolve_policy(DEFAULT_POLICIES, OrderContext(OrderType.REQUEST, "hotline_12345"))
CAL = BusinessCalendar()


def _dispatch_clock(s: WorkOrderState, now: datetime):
    return evaluate_clock(ClockKind.DISPATCH, POLICY, CAL, OrderTimes.from_state(s), now)


def _returned() -> WorkOrderState:
    s = WorkOrderState.new(OrderType.REQUEST, T0, situation="general")
    s, _ = apply(s, Dispatch(unit_id=10), LEADER, at(10))
    s, _ = apply(s, Return(reason="不属于本单位职责"), UNIT, at(180))
    return s


def test_a_returned_order_restarts_the_dispatch_clock_from_the_return_and_goes_late():
    s = _returned()
    assert s.status is Status.RETURNED
    r = _dispatch_clock(s, at(200))
    assert r.started_at == at(180) and r.stopped_at is None and r.state is ClockState.ON_TIME
    assert r.deadline == at(240)  # one calendar hour from the return (R-P4)
    late = _dispatch_clock(s, at(241))
    assert late.state is ClockState.BREACHED
    # Dispatched again: the wait ends with that dispatch, late.
    s, _ = apply(s, Dispatch(unit_id=11), LEADER, at(250))
    done = _dispatch_clock(s, at(300))
    assert done.started_at == at(180) and done.stopped_at == at(250) and done.state is ClockState.MET_LATE
    # A later dispatch (after a review) does not move the end of that wait.
    s, _ = apply(s, Accept(), OTHER_UNIT, at(260))
    s, _ = apply(s, Reply(text="已处理"), OTHER_UNIT, at(270))
    assert _dispatch_clock(s, at(400)).stopped_at == at(250)


def test_a_returned_order_redispatched_in_time_meets_the_clock():
    s = _returned()
    s, _ = apply(s, Dispatch(unit_id=11), LEADER, at(200))
    r = _dispatch_clock(s, at(500))
    assert r.stopped_at == at(200) and r.state is ClockState.MET


def test_a_returned_order_bound_then_unbound_waits_afresh():
    s = _returned()
    s, _ = bind_duplicate(s, 99, LEADER, at(190))
    assert _dispatch_clock(s, at(500)).stopped_at == at(190)  # follows its primary
    s, _ = unbind_duplicate(s, LEADER, at(300))
    r = _dispatch_clock(s, at(310))
    assert r.started_at == at(300) and r.stopped_at is None
