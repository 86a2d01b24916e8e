"""The outbound entry's rules (issue 14 point 4): claims and leases, the retry rule, call-back
times, wrong numbers, roles and numbers."""

from __future__ import annotations

import datetime as dt

import pytest

from zongji.domain import outbound as ob
from zongji.domain.emergency.errors import ActionForbidden, IllegalTransition, InvalidInput

T0 = dt.datetime(2026, 12, 5, 9, 0, tzinfo=dt.timezone(dt.timedelta(hours=8)))
LEASE = dt.timedelta(minutes=5)
RULE = ob.RetryRule(max_tries=2, wait=dt.timedelta(minutes=30))


def test_claim_lease_and_retry_until_tries_used_up():
    e = ob.claim(ob.Entry(), 7, "operator", T0, LEASE)
    assert e.state == "claimed" and e.lease_until == T0 + LEASE
    assert not ob.takeable(e, T0 + dt.timedelta(minutes=1))
    with pytest.raises(IllegalTransition):
        ob.claim(e, 8, "operator", T0 + dt.timedelta(minutes=1), LEASE)
    assert ob.takeable(e, T0 + LEASE)  # the lease lapsed: someone else may take it
    e = ob.apply(e, "no_answer", T0, RULE, role="operator")
    assert (e.state, e.tries, e.due_at) == ("retry", 1, T0 + RULE.wait)
    assert not ob.takeable(e, T0 + dt.timedelta(minutes=29)) and ob.takeable(e, T0 + RULE.wait)
    e = ob.dial(e, T0 + RULE.wait, LEASE)
    e = ob.apply(e, "busy", T0 + RULE.wait, RULE)
    assert (e.state, e.tries) == ("not_reached", 2)
    with pytest.raises(IllegalTransition):
        ob.apply(e, "reached", T0, RULE)


def test_results_reached_wrong_number_call_back():
    held = ob.claim(ob.Entry(), 7, "operator", T0, LEASE)
    assert ob.apply(held, "reached", T0, RULE, role="operator").state == "reached"
    assert ob.apply(held, "understood", T0, RULE).state == "reached"
    assert ob.apply(held, "wrong_number", T0, RULE, role="operator").state == "not_reached"
    later = T0 + dt.timedelta(hours=3)
    e = ob.apply(held, "call_back", T0, RULE, role="operator", call_back_at=later)
    assert (e.state, e.tries, e.due_at) == ("retry", 0, later)  # asked for: not a try used
    with pytest.raises(InvalidInput) as exc:
        ob.apply(held, "call_back", T0, RULE, role="operator")
    assert exc.value.field == "call_back_at"
    with pytest.raises(InvalidInput):
        ob.apply(held, "call_back", T0, RULE, role="operator", call_back_at=T0 - dt.timedelta(minutes=1))
    with pytest.raises(InvalidInput) as exc:
        ob.apply(held, "maybe", T0, RULE, role="operator")
    assert exc.value.field == "result"
    assert ob.release(held, "operator").state == "pending"


def test_roles_and_numbers():
    with pytest.raises(ActionForbidden):
        ob.claim(ob.Entry(), 7, "unit_handler", T0, LEASE)
    with pytest.raises(ActionForbidden):
        ob.check_build("operator")
    ob.check_build("supervisor")
    with pytest.raises(IllegalTransition):
        ob.claim(ob.Entry(state=ob.EntryState.NO_NUMBER), 7, "operator", T0, LEASE)
    assert ob.normalise_number(" 138-0013 8000 ") == "13800138000"
    assert ob.normalise_number(13800138000.0) == "13800138000"
    assert ob.normalise_number(None) == ""
    with pytest.raises(InvalidInput) as exc:
        ob.normalise_number("call me")
    assert exc.value.field == "number"
