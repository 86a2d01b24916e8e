"""Emergency domain (issue 14 point 1): plans, the incident's and recipients' rule tables."""

from __future__ import annotations

import datetime as dt

import pytest

from zongji.domain import emergency as em
from zongji.domain.emergency.rules import Recipient
from zongji.domain.roles import Role

T0 = dt.datetime(2026, 12, 4, 22, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))


def test_hotel_fire_plan_parses_with_two_waves_and_deputies():
    plan = em.parse_plan(em.HOTEL_FIRE_PLAN)
    assert plan.kind is em.Kind.FIRE and plan.waves == [1, 2]
    assert plan.recipients[0].deputy.number == "8011"
    assert em.wave_start(T0, 2, plan) == T0 + dt.timedelta(seconds=plan.wave_seconds)
    assert em.parse_plan(plan.to_dict()) == plan  # round trip


@pytest.mark.parametrize("change, field", [
    ({"kind": "flood"}, "kind"),
    ({"recipients": []}, "recipients"),
    ({"tries": 0}, "tries"),
    ({"recipients": [{"name": "A", "number": "12a"}]}, "recipients[0].number"),
    ({"recipients": [{"name": "A", "channels": ["sms"]}]}, "recipients[0].number"),
    ({"recipients": [{"name": "A", "number": "1", "channels": ["pager"]}]}, "recipients[0].channels"),
    ({"recipients": [{"name": " ", "number": "1"}]}, "recipients[0].name"),
    ({"recipients": [{"name": "A", "number": "1", "deputy": {"name": "B", "number": "2",
                      "deputy": {"name": "C", "number": "3"}}}]}, "recipients[0].deputy.deputy"),
])
def test_bad_plan_names_the_field(change, field):
    with pytest.raises(em.InvalidInput) as e:
        em.parse_plan({**em.HOTEL_FIRE_PLAN, **change})
    assert e.value.field == field and e.value.status_code == 422


def test_incident_rules_roles_and_states():
    assert em.check_incident("start", None, Role.OPERATOR) is em.IncidentStatus.STARTED
    assert em.check_incident("update", em.IncidentStatus.STARTED, Role.OPERATOR) is em.IncidentStatus.STARTED
    assert em.check_incident("close", em.IncidentStatus.STARTED, Role.OPERATOR) is em.IncidentStatus.CLOSED
    with pytest.raises(em.IllegalTransition):
        em.check_incident("update", em.IncidentStatus.CLOSED, Role.OPERATOR)
    with pytest.raises(em.ActionForbidden):
        em.check_incident("start", None, Role.UNIT_HANDLER)
    with pytest.raises(em.ActionForbidden):
        em.check_incident("edit_plan", None, Role.OPERATOR)
    assert em.check_incident("edit_plan", None, Role.SUPERVISOR) is None


def test_recipient_call_no_answer_retry_then_deputy():
    plan = em.parse_plan({**em.HOTEL_FIRE_PLAN, "tries": 2, "retry_seconds": 30})
    r = em.apply(Recipient(), em.Event("call", T0))
    assert r.state is em.RecipientState.CALLING and r.attempts == 1
    r = em.apply(r, em.Event(em.call_action("no_answer"), T0))
    assert r.state is em.RecipientState.NO_ANSWER
    nxt = em.after_call(r, plan, T0, has_deputy=True)
    assert nxt == em.Next("retry", T0 + dt.timedelta(seconds=30))
    r = em.apply(em.apply(r, em.Event("call", T0)), em.Event(em.call_action("busy"), T0))
    assert r.state is em.RecipientState.BUSY and r.attempts == 2
    assert em.after_call(r, plan, T0, has_deputy=True) == em.Next("deputy", T0)
    assert em.after_call(r, plan, T0, has_deputy=False) == em.Next("done")
    r = em.apply(r, em.Event("deputy", T0))
    assert r.state is em.RecipientState.DEPUTY_CALLED
    with pytest.raises(em.IllegalTransition):
        em.apply(r, em.Event("call", T0))


def test_key_one_acknowledges_by_phone_and_other_outcomes():
    r = em.apply(em.apply(Recipient(), em.Event("call", T0)),
                 em.Event(em.call_action("answered_confirmed"), T0, by="总经理"))
    assert (r.state, r.ack_channel, r.acknowledged_at, r.ack_by) == ("acknowledged", "phone", T0, "总经理")
    assert em.call_action("answered_no_key") == "no_answer"
    assert em.call_action("telephony_fault") == "failed"
    with pytest.raises(em.IllegalTransition):
        em.apply(r, em.Event("acknowledge_on_behalf", T0, by="op", note="came"), Role.OPERATOR)


def test_on_behalf_needs_a_note_and_a_console_role():
    r = em.apply(Recipient(), em.Event("notify", T0))
    assert r.state is em.RecipientState.NOTIFIED
    with pytest.raises(em.InvalidInput) as e:
        em.apply(r, em.Event("acknowledge_on_behalf", T0, by="王小红", note=""), Role.OPERATOR)
    assert e.value.field == "note"
    with pytest.raises(em.ActionForbidden):
        em.apply(r, em.Event("acknowledge_on_behalf", T0, by="x", note="y"), Role.UNIT_HANDLER)
    with pytest.raises(em.ActionForbidden):
        em.apply(r, em.Event("call", T0), Role.OPERATOR)  # only the worker calls
    r = em.apply(r, em.Event("acknowledge_on_behalf", T0, by="王小红", note="came to the desk",
                             channel="in_person"), Role.OPERATOR)
    assert (r.state, r.ack_channel, r.note) == ("acknowledged", "in_person", "came to the desk")


def test_deputy_due_after_wait_only_when_not_acknowledged():
    plan = em.parse_plan({**em.HOTEL_FIRE_PLAN, "deputy_wait_seconds": 60})
    r = em.apply(Recipient(), em.Event("call", T0))
    assert not em.deputy_due(r, T0, plan, T0 + dt.timedelta(seconds=59))
    assert em.deputy_due(r, T0, plan, T0 + dt.timedelta(seconds=60))
    acked = em.apply(r, em.Event("answered_ack", T0))
    assert not em.deputy_due(acked, T0, plan, T0 + dt.timedelta(hours=1))


def test_message_speaks_kind_place_and_situation_in_both_languages():
    text = em.message_text("fire", "12楼 floor 12", "smoke in the corridor")
    assert "火警" in text and "Fire" in text and "12楼" in text and "smoke" in text and "按1" in text
