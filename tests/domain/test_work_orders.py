"""Work-order state machine, roles, guidance, numbers, duplicates."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.roles import Role
from zongji.domain.work_orders.actions import (
    ACTION_TYPES,
    Accept,
    AddAssistingUnit,
    AddNote,
    AddProgress,
    CallbackAttempt,
    Close,
    CloseDirectly,
    Dispatch,
    GrantExtension,
    PauseClock,
    Reclassify,
    RecordCallback,
    RefuseExtension,
    RejectReply,
    Remind,
    RemoveAssistingUnit,
    Reopen,
    Reply,
    RequestExtension,
    ResumeClock,
    Return,
    SendBack,
    StartCallback,
    StartWork,
    StatusUpdate,
    Supervise,
    Unsupervise,
    action_from_dict,
)
from zongji.domain.work_orders.duplicates import OrderDigest, find_likely_duplicates, score_duplicate, text_similarity
from zongji.domain.work_orders.errors import ActionForbidden, IllegalTransition, InvalidAction
from zongji.domain.work_orders.following import bind_duplicate, follow_reply, unbind_duplicate
from zongji.domain.work_orders.guidance import Handling, guidance_for, situation_required
from zongji.domain.work_orders.numbering import format_order_number, order_number_day, parse_order_number
from zongji.domain.work_orders.rules import RULES, allowed_actions, apply, close_directly_with_guidance
from zongji.domain.work_orders.state import Actor, WorkOrderState
from zongji.domain.work_orders.words import (
    SYSTEM,
    CallbackAttemptResult,
    CallbackOutcome,
    CallbackProblem,
    ExtensionStatus,
    OrderType,
    Status,
    order_types_for_line,
)
from zongji.errors import Conflict, Forbidden

SH = ZoneInfo("Asia/Shanghai")
T0 = datetime(2026, 3, 9, 9, 0, tzinfo=SH)
OP = Actor(Role.OPERATOR, user_id=1)
LEADER = Actor(Role.SHIFT_LEADER, user_id=2)
OFFICE = Actor(Role.SUPERVISOR, user_id=3)
UNIT = Actor(Role.UNIT_HANDLER, user_id=4, unit_id=10)
OTHER_UNIT = Actor(Role.UNIT_HANDLER, user_id=5, unit_id=11)
ASSIST = Actor(Role.UNIT_HANDLER, user_id=6, unit_id=12)


def at(minutes: int) -> datetime:
    return T0 + timedelta(minutes=minutes)


def new(order_type=OrderType.REQUEST, **kw) -> WorkOrderState:
    return WorkOrderState.new(order_type, T0, **kw)


def run(state, *steps):
    entries = []
    for i, (action, actor) in enumerate(steps, 1):
        state, e = apply(state, action, actor, at(i * 10))
        entries.append(e)
    return state, entries


DISPATCH = Dispatch(unit_id=10, assisting_unit_ids=(12,), completion_deadline=at(60 * 24 * 5))


def replied():
    s, _ = run(new(), (DISPATCH, LEADER), (Accept(), UNIT), (StartWork(), UNIT), (Reply(text="修好了"), UNIT))
    return s


# ---------------------------------------------------------------------------- happy paths


def test_whole_life_dispatch_to_closed():
    s, entries = run(
        new(),
        (DISPATCH, LEADER),
        (Accept(), UNIT),
        (AddProgress(note="已派人查看"), UNIT),
        (Reply(text="路灯已修复"), UNIT),
        (StartCallback(), OP),
        (RecordCallback(outcome=CallbackOutcome.SATISFIED, caller_words="很好"), OP),
    )
    assert s.status is Status.CLOSED
    assert [e.to_status for e in entries] == [
        Status.DISPATCHED, Status.ACCEPTED, Status.IN_PROGRESS, Status.REPLIED, Status.CALLBACK, Status.CLOSED,
    ]
    assert s.main_unit_id == 10 and s.assisting_unit_ids == {12}
    assert s.dispatched_at == at(10) and s.accepted_at == at(20) and s.replied_at == at(40)
    assert s.closed_at == at(60) and s.callback.outcome is CallbackOutcome.SATISFIED
    assert entries[0].actor_role == "shift_leader" and entries[0].actor_id == 2
    assert entries[0].data["unit_id"] == 10
    d = entries[-1].to_dict()
    assert d["action"] == "record_callback" and d["from_status"] == "callback" and d["to_status"] == "closed"


def test_close_directly_requires_handling_and_result():
    simple = new(situation="simple")
    with pytest.raises(InvalidAction) as e:
        apply(simple, CloseDirectly(handling="告知12348"), OP, at(5))
    assert e.value.code == "result_required" and e.value.status_code == 400
    s, entry = apply(simple, CloseDirectly(handling="告知12348", result="来电人表示理解"), OP, at(5))
    assert s.status is Status.CLOSED_DIRECTLY and s.closed_at == at(5)
    assert entry.data == {"handling": "告知12348", "result": "来电人表示理解", "situation": "simple", "referrals": []}


@pytest.mark.parametrize(("order_type", "situation", "code"), [
    (OrderType.REQUEST, "general", "must_dispatch"),
    (OrderType.COMPLAINT, "general", "must_dispatch"),
    (OrderType.PRAISE, "of_unit", "must_dispatch"),
    (OrderType.COMPLAINT, None, "situation_required"),
    (OrderType.HELP, None, "situation_required"),
])
def test_close_directly_follows_the_type_guidance(order_type, situation, code):
    """R-P2/R-P11: only situations the guidance closes directly may be closed directly — in
    apply itself, so no caller can bypass it — and the button is not offered otherwise."""
    s = new(order_type, situation=situation)
    with pytest.raises(InvalidAction) as e:
        apply(s, CloseDirectly(handling="h", result="r"), OP, at(5))
    assert e.value.code == code and e.value.field == "situation" and "R-P2" in e.value.message
    assert "close_directly" not in allowed_actions(s, OP)
    assert "dispatch" in allowed_actions(s, LEADER)
    ok = new(OrderType.HELP, situation="outside_remit")
    assert "close_directly" in allowed_actions(ok, OP)


def test_situation_is_required_for_types_whose_handling_depends_on_it():
    assert all(situation_required(t) for t in OrderType)  # each type has close-directly and dispatch situations
    with pytest.raises(InvalidAction) as e:
        new(OrderType.HELP, situation="of_hotline")
    assert e.value.field == "situation"


def test_reclassify_sets_the_situation_and_drops_one_the_new_type_lacks():
    s = new(OrderType.PRAISE, situation="of_unit")
    s, e = apply(s, Reclassify(situation="of_hotline"), LEADER, at(5))
    assert s.situation == "of_hotline" and "close_directly" in allowed_actions(s, OP)
    s, e = apply(s, Reclassify(order_type=OrderType.INQUIRY), LEADER, at(6))
    assert s.situation is None and e.data["situation"] == {"from": "of_hotline", "to": None}
    with pytest.raises(InvalidAction) as err:
        apply(s, Reclassify(situation="of_hotline"), LEADER, at(7))
    assert err.value.field == "situation"


def test_return_goes_back_to_the_shift_leader_and_redispatch():
    s, _ = run(new(), (DISPATCH, LEADER))
    with pytest.raises(InvalidAction):
        apply(s, Return(), UNIT, at(20))
    s, e = apply(s, Return(reason="不属于本单位职责"), UNIT, at(20))
    assert s.status is Status.RETURNED and s.main_unit_id is None and s.return_count == 1
    assert e.data["reason"] == "不属于本单位职责" and e.data["unit_id"] == 10
    s, e = apply(s, Dispatch(unit_id=11), LEADER, at(30))
    assert s.status is Status.DISPATCHED and s.main_unit_id == 11 and e.data["redispatch"]
    assert s.first_dispatched_at == at(10) and s.dispatched_at == at(30)


@pytest.mark.parametrize("outcome", [CallbackOutcome.SATISFIED, CallbackOutcome.BASICALLY_SATISFIED])
def test_satisfied_callback_closes(outcome):
    s, e = apply(replied(), RecordCallback(outcome=outcome), OP, at(100))
    assert s.status is Status.CLOSED and not s.supervised


@pytest.mark.parametrize(
    ("outcome", "problems"),
    [
        (CallbackOutcome.DISSATISFIED, ()),
        (CallbackOutcome.SATISFIED, (CallbackProblem.WRONGLY_CLOSED,)),
        (CallbackOutcome.BASICALLY_SATISFIED, (CallbackProblem.WRONG_REPLY,)),
    ],
)
def test_dissatisfied_or_problem_goes_to_review_and_supervision(outcome, problems):
    s, e = apply(replied(), RecordCallback(outcome=outcome, problems=problems), OP, at(100))
    assert s.status is Status.REVIEW and s.supervised and e.data["supervised"]
    # the shift leader can send it back to the same unit, or dispatch it elsewhere, or close it
    assert {"send_back", "dispatch", "close"} <= set(allowed_actions(s, LEADER))
    s2, _ = apply(s, SendBack(note="答复不实，请重新核查"), LEADER, at(110))
    assert s2.status is Status.IN_PROGRESS and s2.main_unit_id == 10 and s2.replied_at is None


def test_reject_reply_before_callback():
    s, e = apply(replied(), RejectReply(problem=CallbackProblem.PASSING_THE_BUCK), OP, at(100))
    assert s.status is Status.REVIEW and s.supervised and e.data["problem"] == "passing_the_buck"


def test_callback_attempts_and_agreed_time():
    s = replied()
    s, _ = apply(s, CallbackAttempt(result=CallbackAttemptResult.NOT_REACHED), OP, at(100))
    assert s.status is Status.CALLBACK and s.callback_attempts == 1
    with pytest.raises(InvalidAction) as e:
        apply(s, CallbackAttempt(result=CallbackAttemptResult.NOT_CONVENIENT), OP, at(110))
    assert e.value.code == "agreed_at_required"
    s, _ = apply(s, CallbackAttempt(result=CallbackAttemptResult.NOT_CONVENIENT, agreed_at=at(300)), OP, at(110))
    assert s.callback_agreed_at == at(300) and s.callback_attempts == 2


def test_close_without_callback_needs_a_note():
    with pytest.raises(InvalidAction):
        apply(replied(), Close(), LEADER, at(100))
    s, _ = apply(replied(), Close(note="来电人不接受回访"), LEADER, at(100))
    assert s.status is Status.CLOSED


@pytest.mark.parametrize("closed_by", ["callback", "direct"])
def test_reopen(closed_by):
    if closed_by == "callback":
        s, _ = apply(replied(), RecordCallback(outcome=CallbackOutcome.SATISFIED), OP, at(100))
    else:
        s, _ = apply(new(situation="simple"), CloseDirectly(handling="h", result="r"), OP, at(5))
    with pytest.raises(InvalidAction):
        apply(s, Reopen(), LEADER, at(200))
    s, _ = apply(s, Reopen(reason="来电人再次反映"), LEADER, at(200))
    assert s.status is Status.REVIEW and s.closed_at is None and s.reopen_count == 1
    s, _ = apply(s, Dispatch(unit_id=10), LEADER, at(210))
    assert s.status is Status.DISPATCHED and s.replied_at is None and s.callback is None


def test_assisting_units():
    s, _ = run(new(), (DISPATCH, LEADER))
    s, _ = apply(s, AddAssistingUnit(unit_id=13), LEADER, at(20))
    assert s.assisting_unit_ids == {12, 13}
    with pytest.raises(InvalidAction):
        apply(s, AddAssistingUnit(unit_id=10), LEADER, at(25))
    s, _ = apply(s, RemoveAssistingUnit(unit_id=13), LEADER, at(30))
    assert s.assisting_unit_ids == {12}
    with pytest.raises(InvalidAction):
        apply(s, RemoveAssistingUnit(unit_id=13), LEADER, at(35))
    s, _ = apply(s, Accept(), UNIT, at(40))
    # an assisting unit may post progress (without starting the work) but not reply
    s2, _ = apply(s, AddProgress(note="已配合排查"), ASSIST, at(50))
    assert s2.status is Status.ACCEPTED
    with pytest.raises(ActionForbidden) as e:
        apply(s, Reply(text="x"), ASSIST, at(50))
    assert e.value.code == "wrong_unit"


def test_extension_request_grant_refuse():
    s, _ = run(new(), (DISPATCH, LEADER), (Accept(), UNIT))
    deadline = s.completion_deadline
    later = deadline + timedelta(days=3)
    with pytest.raises(InvalidAction):
        apply(s, RequestExtension(deadline=later), UNIT, at(30))  # no reason
    with pytest.raises(InvalidAction) as e:
        apply(s, RequestExtension(deadline=deadline - timedelta(hours=1), reason="r"), UNIT, at(30))
    assert e.value.code == "deadline_not_later"
    with pytest.raises(IllegalTransition) as e:
        apply(s, RequestExtension(deadline=later, reason="r"), UNIT, deadline)
    assert e.value.code == "extension_too_late" and e.value.status_code == 409
    s, _ = apply(s, RequestExtension(deadline=later, reason="需协调多部门"), UNIT, at(30))
    assert s.pending_extension is not None
    with pytest.raises(IllegalTransition) as e:
        apply(s, RequestExtension(deadline=later, reason="again"), UNIT, at(35))
    assert e.value.code == "extension_pending"
    with pytest.raises(ActionForbidden):
        apply(s, GrantExtension(), LEADER, at(40))  # the office decides
    granted, e = apply(s, GrantExtension(note="同意"), OFFICE, at(40))
    assert granted.completion_deadline == later and granted.extension.status is ExtensionStatus.GRANTED
    assert e.data["previous_deadline"] == deadline.isoformat()
    with pytest.raises(InvalidAction):
        apply(s, RefuseExtension(), OFFICE, at(40))  # reason needed
    refused, _ = apply(s, RefuseExtension(note="不符合延期条件"), OFFICE, at(40))
    assert refused.completion_deadline == deadline and refused.extension.status is ExtensionStatus.REFUSED
    with pytest.raises(IllegalTransition) as e:
        apply(refused, GrantExtension(), OFFICE, at(50))
    assert e.value.code == "no_extension_pending"


def test_supervision_remind_pause_status_update():
    s, _ = run(new(), (DISPATCH, LEADER))
    s, _ = apply(s, Supervise(reason="热点问题"), LEADER, at(20))
    assert s.supervised
    with pytest.raises(IllegalTransition):
        apply(s, Supervise(reason="again"), LEADER, at(21))
    with pytest.raises(ActionForbidden):
        apply(s, Unsupervise(), LEADER, at(22))
    s2, _ = apply(s, Unsupervise(note="已解决"), OFFICE, at(22))
    assert not s2.supervised
    with pytest.raises(InvalidAction):
        apply(s, Remind(), LEADER, at(30))  # manual reminder needs a note
    s, e = apply(s, Remind(automatic=True, reason="warning"), SYSTEM, at(30))
    assert s.reminder_count == 1 and e.actor_role == "system" and e.data["automatic"]
    s, _ = apply(s, PauseClock(reason="等待来电人提供材料"), OP, at(40))
    assert s.is_paused
    with pytest.raises(IllegalTransition):
        apply(s, PauseClock(reason="x"), OP, at(41))
    s, _ = apply(s, ResumeClock(), OP, at(50))
    assert not s.is_paused and s.pauses[0].end == at(50)
    s, e = apply(s, StatusUpdate(note="已告知来电人办理进度"), OP, at(60))
    assert s.first_reply_at == at(60) and e.data["first_reply"]
    s, e = apply(s, StatusUpdate(note="再次告知"), OP, at(70))
    assert s.first_reply_at == at(60) and s.last_status_update_at == at(70) and not e.data["first_reply"]


# ---------------------------------------------------------------------------- every legal transition

LEGAL = [
    (Status.CREATED, Dispatch(unit_id=10), LEADER, Status.DISPATCHED),
    (Status.CREATED, Dispatch(unit_id=10), OFFICE, Status.DISPATCHED),
    (Status.CREATED, CloseDirectly(handling="h", result="r"), OP, Status.CLOSED_DIRECTLY),
    (Status.CREATED, CloseDirectly(handling="h", result="r"), LEADER, Status.CLOSED_DIRECTLY),
    (Status.DISPATCHED, Accept(), UNIT, Status.ACCEPTED),
    (Status.DISPATCHED, Return(reason="r"), UNIT, Status.RETURNED),
    (Status.RETURNED, Dispatch(unit_id=11), LEADER, Status.DISPATCHED),
    (Status.ACCEPTED, StartWork(), UNIT, Status.IN_PROGRESS),
    (Status.ACCEPTED, AddProgress(note="n"), UNIT, Status.IN_PROGRESS),
    (Status.ACCEPTED, Reply(text="t"), UNIT, Status.REPLIED),
    (Status.IN_PROGRESS, AddProgress(note="n"), UNIT, Status.IN_PROGRESS),
    (Status.IN_PROGRESS, Reply(text="t"), UNIT, Status.REPLIED),
    (Status.REPLIED, StartCallback(), OP, Status.CALLBACK),
    (Status.REPLIED, CallbackAttempt(), OP, Status.CALLBACK),
    (Status.REPLIED, RecordCallback(outcome=CallbackOutcome.SATISFIED), OP, Status.CLOSED),
    (Status.REPLIED, RejectReply(), OP, Status.REVIEW),
    (Status.REPLIED, SendBack(note="n"), LEADER, Status.IN_PROGRESS),
    (Status.REPLIED, Close(note="n"), LEADER, Status.CLOSED),
    (Status.CALLBACK, RecordCallback(outcome=CallbackOutcome.BASICALLY_SATISFIED), OP, Status.CLOSED),
    (Status.CALLBACK, RecordCallback(outcome=CallbackOutcome.DISSATISFIED), OP, Status.REVIEW),
    (Status.CALLBACK, CallbackAttempt(), OP, Status.CALLBACK),
    (Status.CALLBACK, RejectReply(), LEADER, Status.REVIEW),
    (Status.CALLBACK, Close(note="n"), OFFICE, Status.CLOSED),
    (Status.CALLBACK, SendBack(note="n"), LEADER, Status.IN_PROGRESS),
    (Status.REVIEW, Dispatch(unit_id=11), LEADER, Status.DISPATCHED),
    (Status.REVIEW, SendBack(note="n"), LEADER, Status.IN_PROGRESS),
    (Status.REVIEW, Close(note="n"), LEADER, Status.CLOSED),
    (Status.CLOSED, Reopen(reason="r"), LEADER, Status.REVIEW),
    (Status.CLOSED_DIRECTLY, Reopen(reason="r"), OFFICE, Status.REVIEW),
]


def state_in(status: Status) -> WorkOrderState:
    """A realistic state with the given status (built through the machine)."""
    base = new(situation="simple")  # a simple request may be closed directly or dispatched
    paths = {
        Status.CREATED: [],
        Status.CLOSED_DIRECTLY: [(CloseDirectly(handling="h", result="r"), OP)],
        Status.DISPATCHED: [(DISPATCH, LEADER)],
        Status.RETURNED: [(DISPATCH, LEADER), (Return(reason="r"), UNIT)],
        Status.ACCEPTED: [(DISPATCH, LEADER), (Accept(), UNIT)],
        Status.IN_PROGRESS: [(DISPATCH, LEADER), (Accept(), UNIT), (StartWork(), UNIT)],
        Status.REPLIED: [(DISPATCH, LEADER), (Accept(), UNIT), (Reply(text="t"), UNIT)],
        Status.CALLBACK: [(DISPATCH, LEADER), (Accept(), UNIT), (Reply(text="t"), UNIT), (StartCallback(), OP)],
        Status.REVIEW: [(DISPATCH, LEADER), (Accept(), UNIT), (Reply(text="t"), UNIT), (RejectReply(), OP)],
        Status.CLOSED: [(DISPATCH, LEADER), (Accept(), UNIT), (Reply(text="t"), UNIT), (Close(note="n"), LEADER)],
    }
    s, _ = run(base, *paths[status])
    assert s.status is status
    return s


@pytest.mark.parametrize(("status", "action", "actor", "expected"), LEGAL, ids=lambda v: getattr(v, "kind", str(v)))
def test_every_legal_transition(status, action, actor, expected):
    s, entry = apply(state_in(status), action, actor, at(500))
    assert s.status is expected
    assert entry.from_status is status and entry.to_status is expected and entry.action == action.kind


def test_legal_table_covers_every_status_changing_rule():
    covered = {(st, a.kind) for st, a, _, _ in LEGAL}
    status_changing = {"dispatch", "close_directly", "accept", "return", "start", "reply", "start_callback",
                       "callback_attempt", "record_callback", "reject_reply", "send_back", "close", "reopen"}
    for kind in status_changing:
        for st in RULES[kind].statuses:
            assert (st, kind) in covered, (st, kind)


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [
        (Status.CREATED, Accept(), Role.UNIT_HANDLER),
        (Status.CREATED, Reply(text="t"), Role.UNIT_HANDLER),
        (Status.CREATED, RecordCallback(), OP),
        (Status.DISPATCHED, Dispatch(unit_id=11), LEADER),
        (Status.DISPATCHED, CloseDirectly(handling="h", result="r"), OP),
        (Status.DISPATCHED, Reply(text="t"), UNIT),
        (Status.ACCEPTED, Accept(), UNIT),
        (Status.ACCEPTED, Return(reason="r"), UNIT),
        (Status.IN_PROGRESS, Close(note="n"), LEADER),
        (Status.REPLIED, Reply(text="t"), UNIT),
        (Status.REPLIED, Reopen(reason="r"), LEADER),
        (Status.CLOSED, Dispatch(unit_id=10), LEADER),
        (Status.CLOSED, RecordCallback(), OP),
        (Status.CLOSED, StatusUpdate(note="n"), OP),
        (Status.CLOSED_DIRECTLY, StartCallback(), OP),
        (Status.RETURNED, Accept(), Role.UNIT_HANDLER),
        (Status.REVIEW, StartCallback(), OP),
    ],
)
def test_illegal_transitions_are_refused(status, action, actor):
    s = state_in(status)
    with pytest.raises(IllegalTransition) as e:
        apply(s, action, actor, at(500))
    assert e.value.code == "illegal_transition"
    assert isinstance(e.value, Conflict) and e.value.status_code == 409
    assert status.replace("_", " ") in e.value.message


@pytest.mark.parametrize(
    ("status", "action", "actor"),
    [
        (Status.CREATED, Dispatch(unit_id=10), OP),
        (Status.CREATED, Dispatch(unit_id=10), UNIT),
        (Status.CREATED, CloseDirectly(handling="h", result="r"), UNIT),
        (Status.DISPATCHED, Accept(), LEADER),
        (Status.DISPATCHED, Accept(), OP),
        (Status.ACCEPTED, Reply(text="t"), OP),
        (Status.REPLIED, RecordCallback(), UNIT),
        (Status.REPLIED, Close(note="n"), OP),
        (Status.CLOSED, Reopen(reason="r"), OP),
        (Status.CLOSED, Reopen(reason="r"), UNIT),
        (Status.DISPATCHED, Remind(note="n"), OP),
        (Status.DISPATCHED, Remind(note="n"), UNIT),
        (Status.CREATED, Dispatch(unit_id=10), SYSTEM),
    ],
)
def test_wrong_roles_are_refused(status, action, actor):
    with pytest.raises(ActionForbidden) as e:
        apply(state_in(status), action, actor, at(500))
    assert e.value.code == "role_not_allowed" and isinstance(e.value, Forbidden) and e.value.status_code == 403


@pytest.mark.parametrize("action", [Accept(), Return(reason="r"), AddNote(note="n")])
def test_other_units_are_refused(action):
    with pytest.raises(ActionForbidden) as e:
        apply(state_in(Status.DISPATCHED), action, OTHER_UNIT, at(500))
    assert e.value.code == "wrong_unit"


def test_role_checked_before_status_and_bare_roles_accepted():
    with pytest.raises(ActionForbidden):
        apply(state_in(Status.CLOSED), Dispatch(unit_id=1), Role.UNIT_HANDLER, at(500))
    s, e = apply(state_in(Status.CREATED), Dispatch(unit_id=1), "shift_leader", at(500))
    assert s.status is Status.DISPATCHED and e.actor_id is None
    with pytest.raises(ActionForbidden) as err:
        apply(state_in(Status.CREATED), Dispatch(unit_id=1), "mayor", at(500))
    assert err.value.code == "unknown_role"


def test_times_must_be_aware_and_not_before_creation():
    with pytest.raises(InvalidAction):
        apply(new(), Dispatch(unit_id=1), LEADER, datetime(2026, 3, 9, 10))
    with pytest.raises(InvalidAction) as e:
        apply(new(), Dispatch(unit_id=1), LEADER, T0 - timedelta(minutes=1))
    assert e.value.code == "time_before_creation"


def test_allowed_actions_for_buttons():
    assert set(allowed_actions(state_in(Status.DISPATCHED), UNIT)) >= {"accept", "return", "note"}
    assert "accept" not in allowed_actions(state_in(Status.DISPATCHED), OTHER_UNIT)
    assert "dispatch" in allowed_actions(state_in(Status.CREATED), LEADER)
    assert "dispatch" not in allowed_actions(state_in(Status.CREATED), OP)


def test_action_from_dict():
    a = action_from_dict({"action": "dispatch", "unit_id": "10", "assisting_unit_ids": [12],
                          "completion_deadline": "2026-03-16T17:30:00+08:00", "by_phone": True})
    assert a == Dispatch(unit_id=10, assisting_unit_ids=(12,), completion_deadline=datetime(2026, 3, 16, 17, 30, tzinfo=SH), by_phone=True)
    r = action_from_dict({"action": "record_callback", "outcome": "dissatisfied", "problems": ["wrong_reply"]})
    assert r.outcome is CallbackOutcome.DISSATISFIED and r.problems == (CallbackProblem.WRONG_REPLY,)
    c = action_from_dict({"action": "callback_attempt", "result": "not_convenient", "agreed_at": "2026-03-10T10:00:00+08:00"})
    assert c.result is CallbackAttemptResult.NOT_CONVENIENT
    assert action_from_dict({"action": "close_directly", "handling": "h", "result": "r"}).result == "r"
    for bad in ({"action": "fly"}, {"action": "dispatch", "colour": 1}, {"action": "record_callback", "outcome": "meh"},
                {"action": "dispatch", "completion_deadline": "2026-03-16T17:30:00"}):
        with pytest.raises(InvalidAction):
            action_from_dict(bad)
    assert set(ACTION_TYPES) == set(RULES)


def test_input_state_is_not_modified():
    s = state_in(Status.DISPATCHED)
    apply(s, Accept(), UNIT, at(500))
    assert s.status is Status.DISPATCHED


# ---------------------------------------------------------------------------- types and guidance


def test_types_per_line():
    assert len(order_types_for_line("hotline_12345")) == 6
    assert set(order_types_for_line("hotline_400")) == {OrderType.COMPLAINT, OrderType.REQUEST, OrderType.INQUIRY}
    with pytest.raises(InvalidAction):
        WorkOrderState.new(OrderType.PRAISE, T0, line_kind="hotline_400")


def test_guidance_help_outside_remit_refers_and_closes_directly():
    g = guidance_for(OrderType.HELP, "outside_remit")
    assert g.closes_directly and g.recommended is Handling.REFER_ELSEWHERE
    assert {r.number for r in g.referral_entries()} == {"12348", "110", "12368"}
    s, e = close_directly_with_guidance(new(OrderType.HELP), "outside_remit", OP, at(5),
                                        handling="告知12348公共法律服务热线", result="来电人表示会联系")
    assert s.status is Status.CLOSED_DIRECTLY and e.data["situation"] == "outside_remit"
    assert e.data["referrals"] == ["legal_aid", "police", "courts"]


def test_guidance_praise_and_dispatch_only_situations():
    assert guidance_for(OrderType.PRAISE, "of_hotline").closes_directly
    assert not guidance_for(OrderType.PRAISE, "of_unit").closes_directly
    with pytest.raises(InvalidAction) as e:
        close_directly_with_guidance(new(OrderType.PRAISE), "of_unit", OP, at(5), handling="h", result="r")
    assert e.value.code == "must_dispatch"
    assert guidance_for(OrderType.COMPLAINT, "official_misconduct").referrals == ("discipline_inspection", "petition")
    assert all(guidance_for(t) for t in OrderType)
    with pytest.raises(KeyError):
        guidance_for(OrderType.INQUIRY, "nope")


# ---------------------------------------------------------------------------- numbers


def test_order_numbers():
    assert format_order_number(date(2026, 11, 22), 42) == "20261122-0042"
    assert format_order_number(date(2026, 11, 22), 12345) == "20261122-12345"
    assert parse_order_number("20261122-0042") == (date(2026, 11, 22), 42)
    assert parse_order_number("20261122-12345") == (date(2026, 11, 22), 12345)
    for bad in ("20261122-042", "20261322-0042", "2026112-0042", "20261122-0000", "x", "20261122-00042"):
        with pytest.raises(ValueError):
            parse_order_number(bad)
    with pytest.raises(ValueError):
        format_order_number(date(2026, 1, 1), 0)
    # 23:30 UTC on 21 Nov is 07:30 on 22 Nov in Shanghai
    assert order_number_day(datetime(2026, 11, 21, 23, 30, tzinfo=ZoneInfo("UTC"))) == date(2026, 11, 22)


# ---------------------------------------------------------------------------- duplicates


def test_text_similarity_chinese():
    assert text_similarity("幸福路12号路灯不亮", "幸福路12号路灯不亮了") > 0.8
    assert text_similarity("幸福路路灯坏了", "人民医院挂号难") == 0
    assert text_similarity("", "x") == 0
    assert text_similarity("ＡＢＣ，", "abc") == 1.0  # full-width and punctuation normalised


def test_duplicate_scoring_and_threshold():
    now = T0
    newo = OrderDigest("new", now, "+86 138-0000-1111", "幸福路12号", category="city/lights", text="幸福路12号门口路灯不亮")
    def digest(ref, days, number, place, category, text):
        return OrderDigest(ref, now - timedelta(days=days), number, place, category=category, text=text)

    same_caller = digest("a", 2, "13800001111", "幸福路12号", "city/lights", "路灯晚上不亮")
    other_caller_same_place = digest("b", 1, "13900002222", "幸福路 12 号", "city", "幸福路12号路灯不亮")
    unrelated = digest("c", 1, "13700003333", "人民路1号", "health", "医院排队时间长")
    too_old = digest("d", 30, "13800001111", "幸福路12号", "city/lights", "幸福路12号门口路灯不亮")
    s = score_duplicate(newo, same_caller)
    assert {"same_caller", "same_place", "same_category"} <= set(s.reasons)
    assert "same_category" in score_duplicate(newo, other_caller_same_place).reasons  # ancestor category
    assert score_duplicate(newo, unrelated).score < 0.2
    found = find_likely_duplicates(newo, [unrelated, too_old, same_caller, other_caller_same_place, newo])
    assert [f.ref for f in found] == ["b", "a"] or [f.ref for f in found] == ["a", "b"]
    assert all(f.score >= 0.5 for f in found)
    assert found[0].score >= found[-1].score


def test_duplicate_by_coordinates():
    a = OrderDigest("a", T0, latitude=31.2304, longitude=121.4737, text="井盖缺失")
    b = OrderDigest("b", T0, latitude=31.2310, longitude=121.4740, text="井盖丢了")
    c = OrderDigest("c", T0, latitude=31.30, longitude=121.50, text="井盖丢了")
    assert "same_place" in score_duplicate(a, b).reasons
    assert "same_place" not in score_duplicate(a, c).reasons


# ---------------------------------------------------------------------------- duplicates (R-P8)


def test_a_bound_duplicate_follows_its_primary_then_gets_its_own_callback():
    from zongji.domain import sla
    from zongji.domain.business_calendar import BusinessCalendar

    policy = sla.resolve_policy(sla.DEFAULT_POLICIES, sla.OrderContext(OrderType.REQUEST))
    cal = BusinessCalendar(tz=SH)

    def clock(s, kind, now):
        return sla.evaluate_clocks(policy, cal, sla.OrderTimes.from_state(s), now).get(kind)

    dup, e = bind_duplicate(new(situation="general"), 7, OP, at(10), primary_number="20260309-0001")
    assert dup.is_following and e.action == "bind_duplicate" and e.data["primary_number"] == "20260309-0001"
    # Two hours later its dispatch clock has stopped at the binding, on time: nothing to supervise.
    assert clock(dup, sla.ClockKind.DISPATCH, at(120)).state is sla.ClockState.MET
    assert "dispatch" not in allowed_actions(dup, LEADER)
    with pytest.raises(IllegalTransition) as err:
        apply(dup, Dispatch(unit_id=10), LEADER, at(20))
    assert err.value.code == "following_primary"
    with pytest.raises(IllegalTransition):
        follow_reply(dup, 8, "t", UNIT, at(30))  # not its primary
    replied_dup, e = follow_reply(dup, 7, "路灯已修复", UNIT, at(30))
    assert replied_dup.status is Status.REPLIED and replied_dup.reply_text == "路灯已修复"
    assert clock(replied_dup, sla.ClockKind.CALLBACK, at(40)).state is sla.ClockState.ON_TIME
    closed, _ = apply(replied_dup, RecordCallback(outcome=CallbackOutcome.SATISFIED), OP, at(50))
    assert closed.status is Status.CLOSED
    # Unbound while still following: independent again, a fresh dispatch clock from the unbinding.
    free, e = unbind_duplicate(dup, OP, at(200))
    assert not free.is_following and free.duplicate_of is None
    c = clock(free, sla.ClockKind.DISPATCH, at(210))
    assert c.state is sla.ClockState.ON_TIME and c.started_at == at(200)
    assert "dispatch" in allowed_actions(free, LEADER)
    # Only an order not yet with a unit can follow.
    with pytest.raises(IllegalTransition) as err:
        bind_duplicate(state_in(Status.DISPATCHED), 7, OP, at(500))
    assert err.value.code == "cannot_follow"
