"""Call records derive from the set of CTI facts: idempotent, order-independent (R-C3)."""

import datetime as dt
import itertools

import pytest

from zongji.domain import calls as rules
from zongji.domain.calls import CallFacts, CtiEvent, EventKind, Outcome, derive, merge, merge_all

T0 = dt.datetime(2025, 5, 1, 0, 0, tzinfo=dt.UTC)


def ev(kind: str, seconds: float, **kw) -> CtiEvent:
    return CtiEvent(kind=EventKind(kind), external_call_id="c1", at=T0 + dt.timedelta(seconds=seconds),
                    from_number="13800138000", to_number="02088886666", **kw)


ANSWERED_CALL = [ev("newCall", 0), ev("answer", 12, answering_number="1001"),
                 ev("hangup", 72, cause="normalClearing")]


def test_answered_call_seconds_and_outcome():
    d = derive(merge_all(ANSWERED_CALL))
    assert d.state == rules.CallState.ENDED
    assert (d.ring_seconds, d.talk_seconds, d.outcome) == (12, 60, Outcome.ANSWERED)


@pytest.mark.parametrize("order", list(itertools.permutations(range(3))))
def test_any_arrival_order_gives_the_same_record(order):
    facts = merge_all(ANSWERED_CALL[i] for i in order)
    assert facts == merge_all(ANSWERED_CALL)
    assert derive(facts) == derive(merge_all(ANSWERED_CALL))


def test_replayed_events_change_nothing():
    once = merge_all(ANSWERED_CALL)
    assert merge_all(ANSWERED_CALL + ANSWERED_CALL) == once
    assert merge(once, ANSWERED_CALL[1]) == once


def test_hangup_before_answer_arrives_out_of_order():
    # The hang-up comes first; the answer that happened before it arrives late.
    facts = merge_all([ev("hangup", 40, cause="normalClearing"), ev("newCall", 0), ev("answer", 10)])
    d = derive(facts)
    assert (d.outcome, d.ring_seconds, d.talk_seconds) == (Outcome.ANSWERED, 10, 30)


def test_late_answer_with_receipt_time_after_hangup_is_clamped():
    facts = merge_all([ev("newCall", 0), ev("hangup", 20, cause="normalClearing"), ev("answer", 25)])
    d = derive(facts)
    assert d.answered_at == facts.ended_at and d.talk_seconds == 0 and d.ring_seconds == 20


@pytest.mark.parametrize("cause,outcome", [
    ("cancel", Outcome.ABANDONED),
    ("normalClearing", Outcome.ABANDONED),
    (None, Outcome.ABANDONED),
    ("noAnswer", Outcome.MISSED),
    ("busy", Outcome.BUSY),
    ("congestion", Outcome.FAILED),
    ("notFound", Outcome.FAILED),
    ("answeredElsewhere", Outcome.ANSWERED),
    ("forwarded", Outcome.FORWARDED),
])
def test_unanswered_outcomes_follow_zammad_causes(cause, outcome):
    d = derive(merge_all([ev("newCall", 0), ev("hangup", 9, cause=cause)]))
    assert d.outcome == outcome
    assert d.ring_seconds == 9


def test_transfer_keeps_the_latest_target_whatever_the_order():
    events = ANSWERED_CALL + [ev("transfer", 20, transfer_to="6101"),
                              ev("transfer", 30, transfer_to="6202")]
    for order in itertools.permutations(events):
        facts = merge_all(order)
        assert facts.transfer_target == "6202"
        assert derive(facts).outcome == Outcome.TRANSFERRED


def test_live_call_has_no_outcome():
    d = derive(merge_all([ev("newCall", 0)]))
    assert d.state == rules.CallState.RINGING and d.outcome is None and d.ring_seconds is None
    d = derive(merge_all([ev("newCall", 0), ev("answer", 5)]))
    assert d.state == rules.CallState.ANSWERED and d.ring_seconds == 5 and d.talk_seconds is None


def test_empty_facts_are_ringing():
    assert derive(CallFacts()).state == rules.CallState.RINGING


def test_categories_per_line_kind_have_both_languages():
    codes_12345 = [c.code for c in rules.categories_for("hotline_12345")]
    assert codes_12345[:6] == ["suggestion", "request", "help", "complaint", "inquiry", "praise"]
    assert "wake_up" in {c.code for c in rules.categories_for("switchboard")}
    assert "course_enquiry" in {c.code for c in rules.categories_for("hotline_400")}
    for kind in rules.LINE_KINDS:
        for c in rules.categories_for(kind):
            assert c.zh and c.en
    assert rules.category_label("wake_up").zh == "叫醒服务"
    assert rules.categories_for("nonsense") == ()
