"""Issue 10 point 1: each figure's formula against test vectors."""

from __future__ import annotations

import datetime as dt

import pytest
from hypothesis import given, strategies as st

from zongji.domain.stats import kpi
from zongji.domain.stats.kpi import AbandonTreatment, CallCounts, CallFacts, OrderCounts, StatsPolicy

T = dt.datetime(2026, 12, 4, 9, 0, tzinfo=dt.UTC)


def s(n: float) -> dt.datetime:
    return T + dt.timedelta(seconds=n)


def test_service_level_three_treatments_of_abandoned_calls():
    # 70 answered within the target, 10 abandoned within it, 20 beyond, 100 offered.
    c = CallCounts(offered=100, answered=80, abandoned=20, answered_within=70, abandoned_within=10)
    assert kpi.service_level(c, AbandonTreatment.IGNORED) == pytest.approx(0.778, abs=5e-4)
    assert kpi.service_level(c, AbandonTreatment.AGAINST) == pytest.approx(0.70)
    assert kpi.service_level(c, AbandonTreatment.IN_FAVOUR) == pytest.approx(0.80)


def test_counting_calls_short_abandons_apart_and_handle_time():
    calls = [
        CallFacts(T, answered_at=s(10), ended_at=s(130), closed_at=s(160)),  # 10 s wait, 120 talk, 30 wrap
        CallFacts(T, answered_at=s(20), ended_at=s(80), closed_at=s(80), transferred=True),  # 20 s: late
        CallFacts(T, ended_at=s(3)),  # short abandon
        CallFacts(T, ended_at=s(12)),  # abandoned within the target
        CallFacts(T, ended_at=s(40)),  # abandoned beyond it
    ]
    c = kpi.count_calls(calls)
    assert (c.offered, c.answered, c.abandoned, c.short_abandoned) == (5, 2, 2, 1)
    assert (c.answered_within, c.abandoned_within) == (1, 1)
    assert kpi.answer_rate(c) == pytest.approx(2 / 4)  # short abandon out of the rates
    assert kpi.abandon_rate(c) == pytest.approx(2 / 4)
    assert kpi.average_speed_of_answer(c) == 15 and c.longest_wait_seconds == 40
    assert kpi.average_talk_time(c) == 90 and kpi.average_handle_time(c) == 105
    assert kpi.transfer_rate(c) == 0.5
    assert kpi.service_level(c) == pytest.approx(1 / 3)  # ignored: 1 ÷ (4 − 1)
    longer = kpi.count_calls(calls, StatsPolicy(short_abandon_seconds=15))
    assert (longer.short_abandoned, longer.abandoned) == (2, 1)


def test_work_order_rates_and_satisfaction_weight():
    o = OrderCounts(created=200, closed_directly=50, dispatched=150, dispatched_within_hour=135, due=120,
                    completed=110, completed_on_time=96, reminded=15, reopened=11, returned=6,
                    callbacks_due=100, callbacks_done=90, surveyed=80, satisfied=60, basically_satisfied=10)
    assert kpi.first_call_resolution(o) == 0.25 and kpi.dispatched_on_time_rate(o) == 0.9
    assert kpi.on_time_completion_rate(o) == 0.8 and kpi.completion_rate(o) == pytest.approx(110 / 120)
    assert kpi.reminder_rate(o) == 0.1 and kpi.reopened_rate(o) == 0.1 and kpi.returned_rate(o) == 0.04
    assert kpi.callback_rate(o) == 0.9
    assert kpi.satisfaction_rate(o) == pytest.approx(70 / 80)
    assert kpi.satisfaction_rate(o, StatsPolicy(basically_satisfied_weight=0.5)) == pytest.approx(65 / 80)


def test_a_rate_over_nothing_is_none_and_every_figure_is_defined_in_both_languages():
    empty = CallCounts()
    assert kpi.answer_rate(empty) is None and kpi.service_level(empty) is None
    assert kpi.satisfaction_rate(OrderCounts()) is None
    for f in kpi.FIGURES:
        assert f.label_zh and f.label_en and f.definition_zh and f.definition_en and f.name
    assert len(kpi.FIGURES_BY_KEY) == len(kpi.FIGURES)


@given(st.lists(st.tuples(st.integers(0, 120), st.booleans(), st.integers(0, 600)), max_size=60),
       st.sampled_from(list(AbandonTreatment)))
def test_rates_stay_within_0_and_1_and_counts_add_up(rows, treatment):
    calls = [CallFacts(T, answered_at=s(w) if ans else None, ended_at=s(w + (talk if ans else 0)))
             for w, ans, talk in rows]
    c = kpi.count_calls(calls)
    assert c.answered + c.abandoned + c.short_abandoned == c.offered
    for r in (kpi.answer_rate(c), kpi.abandon_rate(c), kpi.service_level(c, treatment)):
        assert r is None or 0 <= r <= 1
    half = len(calls) // 2
    assert kpi.count_calls(calls[:half]) + kpi.count_calls(calls[half:]) == c


def test_a_call_still_ringing_is_offered_but_judged_only_once_settled():
    import datetime as _dt

    from zongji.domain.stats.kpi import CallFacts, answer_rate, count_calls

    t = _dt.datetime(2026, 12, 4, 9, 0, tzinfo=_dt.UTC)
    s = _dt.timedelta(seconds=1)
    c = count_calls([CallFacts(ringing_at=t, answered_at=t + 5 * s, ended_at=t + 60 * s),
                     CallFacts(ringing_at=t)])
    assert (c.offered, c.answered, c.waiting) == (2, 1, 1)
    assert answer_rate(c) == 1.0  # not 50 %: the second call may still be answered


def test_messages_delivered_on_time_counts_the_first_delivery_within_the_set_minutes():
    import datetime as dt

    t = dt.datetime(2026, 12, 4, 1, 0, tzinfo=dt.UTC)
    m = dt.timedelta(minutes=1)
    c = kpi.count_messages([
        kpi.MessageFacts(complete=True, first_delivered_at=t + 5 * m, taken_at=t),
        kpi.MessageFacts(complete=True, first_delivered_at=t + 15 * m, taken_at=t),  # on the minute: on time
        kpi.MessageFacts(complete=False, first_delivered_at=t + 16 * m, taken_at=t),  # late
        kpi.MessageFacts(complete=True, first_delivered_at=None, taken_at=t),  # never
    ], within=15 * m)
    assert (c.taken, c.complete, c.delivered, c.delivered_on_time) == (4, 3, 3, 2)
    assert kpi.message_completeness(c) == 0.75 and kpi.delivered_on_time_rate(c) == 0.5
    assert kpi.delivered_on_time_rate(kpi.MessageCounts()) is None
