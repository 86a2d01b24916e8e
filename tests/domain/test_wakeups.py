"""Wake-up calls (R-H9): booking rules, the attempt state machine, prompt text, burst order."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from hypothesis import given
from hypothesis import strategies as st

from zongji.domain import wakeups as w
from zongji.domain.wakeups import CallOutcome, EffectKind, WakeupStatus as S

TZ = ZoneInfo("Asia/Shanghai")
NOW = dt.datetime(2026, 11, 23, 22, 15, tzinfo=TZ)  # night shift takes the booking
WAKE = dt.datetime(2026, 11, 24, 7, 0, tzinfo=TZ)
P = w.WakeupPolicy()


def at(hh: int, mm: int, ss: int = 0, day: int = 24) -> dt.datetime:
    return dt.datetime(2026, 11, day, hh, mm, ss, tzinfo=TZ)


def occupied(departure=None) -> w.RoomOccupancy:
    return w.RoomOccupancy("1208", occupied=True, departure=departure)


# ---- booking


def test_booking_one_wakeup():
    req = w.WakeupRequest("1208", WAKE)
    assert w.validate_booking(req, occupied(at(12, 0, day=26)), NOW) == [WAKE]


def test_booking_in_the_past_is_refused():
    req = w.WakeupRequest("1208", at(22, 0, day=23))
    with pytest.raises(w.WakeupRefused) as e:
        w.validate_booking(req, occupied(), NOW)
    assert e.value.field == "wake_at" and e.value.code == "time_in_past"
    assert "past" in e.value.message


def test_booking_exactly_now_is_refused():
    with pytest.raises(w.WakeupRefused):
        w.validate_booking(w.WakeupRequest("1208", NOW), occupied(), NOW)


def test_booking_for_an_unoccupied_room_is_refused():
    req = w.WakeupRequest("1208", WAKE)
    with pytest.raises(w.WakeupRefused) as e:
        w.validate_booking(req, w.RoomOccupancy("1208", occupied=False), NOW)
    assert e.value.field == "room" and e.value.code == "room_unoccupied"
    assert "1208" in e.value.message


def test_booking_past_departure_is_refused():
    req = w.WakeupRequest("1208", at(7, 0, day=25))
    with pytest.raises(w.WakeupRefused) as e:
        w.validate_booking(req, occupied(at(11, 0, day=24)), NOW)
    assert e.value.field == "wake_at" and e.value.code == "after_departure"
    assert "leaves" in e.value.message


def test_departure_as_a_date_means_checkout_time_that_day():
    # 07:00 on the departure day is fine (the guest leaves at noon), 14:00 is not.
    assert w.validate_booking(w.WakeupRequest("1208", at(7, 0)), occupied(dt.date(2026, 11, 24)), NOW)
    with pytest.raises(w.WakeupRefused):
        w.validate_booking(w.WakeupRequest("1208", at(14, 0)), occupied(dt.date(2026, 11, 24)), NOW)


def test_naive_time_and_bad_language_are_refused():
    with pytest.raises(w.WakeupRefused) as e:
        w.validate_booking(w.WakeupRequest("1208", dt.datetime(2026, 11, 24, 7)), occupied(), NOW)
    assert e.value.field == "wake_at"
    with pytest.raises(w.WakeupRefused) as e:
        w.validate_booking(w.WakeupRequest("1208", WAKE, languages=("fr",)), occupied(), NOW)
    assert e.value.field == "languages"


def test_daily_repeat_until_checkout():
    req = w.WakeupRequest("1208", WAKE, repeat_daily=True)
    occ = w.validate_booking(req, occupied(dt.datetime(2026, 11, 27, 12, 0, tzinfo=TZ)), NOW)
    assert occ == [at(7, 0, day=d) for d in (24, 25, 26, 27)]


def test_daily_repeat_stops_before_a_departure_earlier_than_the_wake_time():
    req = w.WakeupRequest("1208", WAKE, repeat_daily=True)
    occ = w.validate_booking(req, occupied(dt.datetime(2026, 11, 26, 6, 0, tzinfo=TZ)), NOW)
    assert occ == [at(7, 0, day=24), at(7, 0, day=25)]


def test_daily_repeat_until_a_date():
    req = w.WakeupRequest("1208", WAKE, repeat_daily=True, until=dt.date(2026, 11, 25))
    assert w.validate_booking(req, occupied(dt.date(2026, 11, 30)), NOW) == [
        at(7, 0, day=24), at(7, 0, day=25)]


def test_daily_repeat_needs_an_end_and_a_sane_end():
    with pytest.raises(w.WakeupRefused) as e:
        w.validate_booking(w.WakeupRequest("1208", WAKE, repeat_daily=True), occupied(None), NOW)
    assert e.value.field == "until"
    with pytest.raises(w.WakeupRefused) as e:
        w.validate_booking(w.WakeupRequest("1208", WAKE, repeat_daily=True,
                                           until=dt.date(2026, 11, 20)), occupied(None), NOW)
    assert e.value.field == "until"


def test_daily_occurrences_keep_wall_clock_time_across_dst():
    ny = ZoneInfo("America/New_York")
    first = dt.datetime(2026, 10, 31, 7, 0, tzinfo=ny)
    occ = w.daily_occurrences(first, until=dt.date(2026, 11, 2))
    assert [o.hour for o in occ] == [7, 7, 7]
    assert occ[0].utcoffset() != occ[1].utcoffset()  # DST ended in the night to 1 November


@pytest.mark.parametrize("typed,expected", [
    ("0700", dt.time(7, 0)), ("7:00", dt.time(7, 0)), ("7", dt.time(7, 0)), ("730", dt.time(7, 30)),
    ("19.30", dt.time(19, 30)), ("7点半", dt.time(7, 30)), ("7点05分", dt.time(7, 5)),
    ("23:59", dt.time(23, 59)),
])
def test_parse_wake_time(typed, expected):
    assert w.parse_wake_time(typed) == expected


@pytest.mark.parametrize("typed", ["2460", "25:00", "abc", "", "7:5x"])
def test_parse_wake_time_refuses_nonsense(typed):
    with pytest.raises(w.WakeupRefused) as e:
        w.parse_wake_time(typed)
    assert e.value.field == "wake_at"


def test_next_wake_at_is_today_or_tomorrow():
    assert w.next_wake_at(dt.time(23, 0), NOW, TZ) == at(23, 0, day=23)
    assert w.next_wake_at(dt.time(7, 0), NOW, TZ) == WAKE
    assert w.next_wake_at(dt.time(22, 15), NOW, TZ) == at(22, 15, day=24)


def test_readback_in_both_languages():
    req = w.WakeupRequest("1208", WAKE, repeat_daily=True)
    occ = w.validate_booking(req, occupied(dt.date(2026, 11, 26)), NOW)
    assert w.readback_text(req, NOW, "zh", occ) == "1208房间，明天早上7点叫醒，每天同一时间，到11月26日。"
    assert w.readback_text(req, NOW, "en", occ) == (
        "Room 1208, wake-up call tomorrow at 7:00 a.m., every day until 26 November.")
    single = w.WakeupRequest("1208", at(6, 30))
    assert w.readback_text(single, NOW, "zh") == "1208房间，明天早上6点半叫醒。"


@pytest.mark.parametrize(("hour", "minute", "en"), [
    (7, 0, "7:00 a.m."), (6, 30, "6:30 a.m."), (19, 0, "7:00 p.m."), (19, 45, "7:45 p.m."),
    (12, 0, "12 noon"), (12, 30, "12:30 p.m."), (0, 0, "midnight"), (0, 15, "12:15 a.m."),
])
def test_english_readback_says_am_or_pm(hour, minute, en):
    """Issue 8: the English read-back is never ambiguous between morning and evening."""
    req = w.WakeupRequest("1208", at(hour, minute))
    text = w.readback_text(req, NOW, "en")
    assert text.endswith(f" at {en}" + ("" if en.endswith(".") else ".")) and ".." not in text, text


# ---- the state machine


def test_new_wakeup_is_due_at_its_time():
    s = w.new_wakeup(WAKE)
    assert s.status is S.DUE and s.next_attempt_at == WAKE
    assert s.window_ends_at == WAKE + dt.timedelta(minutes=10)
    assert not w.is_due(s, WAKE - dt.timedelta(seconds=1)) and w.is_due(s, WAKE)


def test_confirmed_on_first_call_is_done_on_time():
    s = w.start_call(w.new_wakeup(WAKE), WAKE).state
    assert s.status is S.CALLING and s.attempt_count == 1
    s = w.call_answered(s, at(7, 0, 5)).state
    assert s.status is S.ANSWERED
    t = w.call_ended(s, CallOutcome.ANSWERED_CONFIRMED, at(7, 0, 20), key="1")
    assert t.state.status is S.DONE and t.effects == ()
    assert t.state.minutes_late == 0 and t.state.reached_by == "phone"
    assert t.state.attempts[0].outcome is CallOutcome.ANSWERED_CONFIRMED
    assert t.state.attempts[0].key == "1"


@pytest.mark.parametrize("outcome", [CallOutcome.BUSY, CallOutcome.NO_ANSWER,
                                     CallOutcome.ANSWERED_NO_KEY, CallOutcome.FAILED])
def test_unconfirmed_calls_retry_every_interval_then_escalate(outcome):
    s = w.new_wakeup(WAKE)
    starts = []
    effects = ()
    while s.status in (S.DUE, S.RETRYING):
        now = s.next_attempt_at
        starts.append(now)
        s = w.start_call(s, now).state
        t = w.call_ended(s, outcome, now + dt.timedelta(seconds=35), room="1208")
        s, effects = t.state, t.effects
    # 07:00, 07:02 … 07:10: calling for the whole window, every 2 minutes.
    assert starts == [at(7, m) for m in (0, 2, 4, 6, 8, 10)]
    assert s.status is S.ESCALATED and s.escalation_reason == "no_confirmation"
    assert [e.kind for e in effects] == [EffectKind.KNOCK_ON_DOOR, EffectKind.ALERT_OPERATORS,
                                         EffectKind.HANDOVER_ENTRY]
    assert "1208" in effects[0].text and "6" in effects[0].text
    assert s.reached_at is None and s.minutes_late is None


def test_escalated_wakeup_is_done_only_when_somebody_reaches_the_guest():
    s = w.new_wakeup(WAKE, w.WakeupPolicy(retry_window_minutes=0))
    s = w.start_call(s, WAKE).state
    s = w.call_ended(s, CallOutcome.NO_ANSWER, at(7, 0, 30)).state
    assert s.status is S.ESCALATED
    assert not w.is_due(s, at(8, 0))  # nothing silently re-calls or drops it
    t = w.mark_reached(s, at(7, 13, 40), by="door")
    assert t.state.status is S.DONE and t.state.minutes_late == 13
    assert t.state.reached_by == "door"
    assert [e.kind for e in t.effects] == [EffectKind.RESOLVE_ESCALATION]


def test_a_late_confirmation_during_retries_records_minutes_late():
    s = w.start_call(w.new_wakeup(WAKE), WAKE).state
    s = w.call_ended(s, CallOutcome.BUSY, at(7, 0, 3)).state
    assert s.status is S.RETRYING and s.next_attempt_at == at(7, 2)
    s = w.start_call(s, at(7, 2)).state
    s = w.call_ended(s, CallOutcome.NO_ANSWER, at(7, 2, 30)).state
    s = w.start_call(s, at(7, 4)).state
    s = w.call_ended(s, CallOutcome.ANSWERED_CONFIRMED, at(7, 4, 25), key="1").state
    assert s.status is S.DONE and s.minutes_late == 4 and s.attempt_count == 3


def test_retry_is_never_earlier_than_now_after_a_long_call():
    s = w.start_call(w.new_wakeup(WAKE), WAKE).state
    s = w.call_ended(s, CallOutcome.ANSWERED_NO_KEY, at(7, 2, 30)).state
    assert s.next_attempt_at == at(7, 2, 30)


def test_snooze_calls_again_after_the_snooze_and_counts_the_guest_reached():
    s = w.start_call(w.new_wakeup(WAKE), WAKE).state
    t = w.call_ended(s, CallOutcome.ANSWERED_SNOOZED, at(7, 0, 20), key="2")
    s = t.state
    assert s.status is S.SNOOZED and s.snoozes == 1 and t.effects == ()
    assert s.next_attempt_at == at(7, 5, 20)
    assert s.window_ends_at == at(7, 15, 20)
    assert s.minutes_late == 0 and s.reached_at == at(7, 0, 20)
    assert not w.is_due(s, at(7, 5)) and w.is_due(s, at(7, 5, 20))
    # After the snooze, nobody answers: retries in a fresh window, then escalation.
    while s.status in (S.SNOOZED, S.RETRYING):
        now = s.next_attempt_at
        s = w.start_call(s, now).state
        s = w.call_ended(s, CallOutcome.NO_ANSWER, now + dt.timedelta(seconds=30)).state
    assert s.status is S.ESCALATED
    assert s.minutes_late == 0  # the first contact stays the record


def test_snooze_limit_counts_as_confirmed():
    pol = w.WakeupPolicy(max_snoozes=1)
    s = w.start_call(w.new_wakeup(WAKE, pol), WAKE).state
    s = w.call_ended(s, CallOutcome.ANSWERED_SNOOZED, at(7, 0, 20), pol).state
    s = w.start_call(s, s.next_attempt_at).state
    s = w.call_ended(s, CallOutcome.ANSWERED_SNOOZED, at(7, 5, 40), pol).state
    assert s.status is S.DONE and "snooze limit" in s.note


def test_telephony_down_escalates_at_once_to_the_manual_call_list():
    s = w.new_wakeup(WAKE)
    t = w.telephony_down(s, WAKE, room="1208")
    assert t.state.status is S.ESCALATED and t.state.escalation_reason == "telephony_down"
    assert [e.kind for e in t.effects] == [EffectKind.MANUAL_CALL, EffectKind.ALERT_OPERATORS,
                                           EffectKind.HANDOVER_ENTRY]
    # also in the middle of a call (the gateway died under it)
    s = w.start_call(w.new_wakeup(WAKE), WAKE).state
    t = w.telephony_down(s, at(7, 0, 10))
    assert t.state.status is S.ESCALATED
    assert t.state.attempts[-1].outcome is CallOutcome.FAILED
    done = w.mark_reached(t.state, at(7, 3), by="operator").state
    assert done.minutes_late == 3 and done.reached_by == "operator"


def test_telephony_restored_calls_again_with_a_fresh_window_and_closes_the_manual_task():
    s = w.start_call(w.new_wakeup(WAKE, P), WAKE).state
    s = w.call_ended(s, CallOutcome.TELEPHONY_FAULT, at(7, 0, 5), P).state
    assert s.status is S.RETRYING  # one fault alone is retried like an unanswered call
    down = w.telephony_down(s, at(7, 0, 6), room="1208").state
    t = w.telephony_restored(down, at(7, 20), P)
    assert t.state.status is S.RETRYING and t.state.next_attempt_at == at(7, 20)
    assert t.state.window_ends_at == at(7, 20) + dt.timedelta(minutes=P.retry_window_minutes)
    assert t.state.escalation_reason == "telephony_down"  # stays on record for the handover
    assert [(e.kind, e.reason) for e in t.effects] == [
        (EffectKind.RESOLVE_ESCALATION, "telephony_restored")]
    # Reached by hand meanwhile, or escalated for another reason: nothing to resume.
    done = w.mark_reached(down, at(7, 10), by="operator").state
    with pytest.raises(w.InvalidTransition):
        w.telephony_restored(done, at(7, 20), P)
    knock = w.call_ended(w.start_call(w.new_wakeup(WAKE, P), WAKE).state, CallOutcome.BUSY,
                         at(7, 11), P).state
    assert knock.status is S.ESCALATED and knock.escalation_reason == "no_confirmation"
    with pytest.raises(w.InvalidTransition):
        w.telephony_restored(knock, at(7, 20), P)


def test_recover_in_flight_after_a_restart_counts_a_failed_attempt():
    s = w.start_call(w.new_wakeup(WAKE), WAKE).state
    t = w.recover_in_flight(s, at(7, 0, 40))
    assert t.state.status is S.RETRYING and t.state.attempt_count == 1
    assert t.state.attempts[0].outcome is CallOutcome.FAILED
    idle = w.new_wakeup(WAKE)
    assert w.recover_in_flight(idle, at(7, 0)).state == idle


def test_invalid_transitions_are_refused():
    s = w.new_wakeup(WAKE)
    with pytest.raises(w.InvalidTransition):
        w.call_ended(s, CallOutcome.BUSY, WAKE)
    done = w.mark_reached(s, at(7, 0), by="phone").state
    with pytest.raises(w.InvalidTransition):
        w.start_call(done, at(7, 1))
    with pytest.raises(w.InvalidTransition):
        w.cancel(done, at(7, 1))
    with pytest.raises(w.WakeupRefused):
        w.mark_reached(s, at(7, 0), by="pigeon")


def test_cancel():
    c = w.cancel(w.new_wakeup(WAKE), NOW)
    assert c.state.status is S.CANCELLED and c.state.status.final and not w.is_due(c.state, WAKE)


def test_policy_validation():
    with pytest.raises(ValueError):
        w.WakeupPolicy(retry_interval_minutes=0)
    with pytest.raises(ValueError):
        w.WakeupPolicy(confirm_key="1", snooze_key="1")
    with pytest.raises(ValueError):
        w.WakeupPolicy(languages=("de",))


@given(
    outcomes=st.lists(st.sampled_from(list(CallOutcome)), min_size=1, max_size=40),
    interval=st.integers(1, 5), window=st.integers(0, 12),
)
def test_property_every_wakeup_ends_with_a_reached_guest_or_an_escalation(outcomes, interval,
                                                                          window):
    pol = w.WakeupPolicy(retry_interval_minutes=interval, retry_window_minutes=window,
                         max_snoozes=2)
    s = w.new_wakeup(WAKE, pol)
    for outcome in outcomes:
        if s.status not in w.WAITING:
            break
        now = s.next_attempt_at
        s = w.start_call(s, now).state
        t = w.call_ended(s, outcome, now + dt.timedelta(seconds=30), pol)
        s = t.state
        if s.status is S.ESCALATED:
            assert {e.kind for e in t.effects} >= {EffectKind.KNOCK_ON_DOOR,
                                                   EffectKind.ALERT_OPERATORS,
                                                   EffectKind.HANDOVER_ENTRY}
    # Never a silent end: waiting for a next call, done with a reached guest, or escalated.
    assert s.status in (S.DUE, S.RETRYING, S.SNOOZED, S.DONE, S.ESCALATED)
    if s.status is S.DONE:
        assert s.reached_at is not None and s.minutes_late is not None
    if s.status in w.WAITING:
        assert s.next_attempt_at is not None
    # Retries never go past the window (bounded number of calls per window).
    assert s.attempt_count <= (window // interval + 1) * (pol.max_snoozes + 1)


# ---- scheduling helpers


def test_preflight_before_the_earliest_wakeup():
    assert w.preflight_at([at(7, 0), at(5, 30), at(6, 0)]) == at(5, 0)
    assert w.preflight_at([at(6, 0)], w.WakeupPolicy(preflight_minutes=15)) == at(5, 45)
    assert w.preflight_at([]) is None


def test_burst_order_is_due_time_order_limited_by_free_lines():
    due = [("b", at(7, 0)), ("a", at(7, 0)), ("c", at(6, 59)), ("later", at(7, 30))]
    assert w.burst_order(due, at(7, 0), 10) == ["c", "a", "b"]
    assert w.burst_order(due, at(7, 0), 2) == ["c", "a"]
    assert w.burst_order(due, at(7, 0), 0) == []


def test_board_order_for_the_night_list():
    states = [(3, w.new_wakeup(at(7, 0))), (1, w.new_wakeup(at(6, 0))), (2, w.new_wakeup(at(7, 0)))]
    assert w.board_order(states) == [1, 2, 3]


def test_ideal_burst_delays():
    d = w.ideal_burst_delays(500, 30, 20.0)
    assert d[0] == 0 and d[29] == 0 and d[30] == 20.0 and d[-1] == 16 * 20.0


# ---- prompt text


@pytest.mark.parametrize("hh,mm,words", [
    (7, 0, "早上7点"), (7, 30, "早上7点半"), (7, 5, "早上7点05分"), (6, 45, "早上6点45分"),
    (0, 15, "凌晨0点15分"), (4, 30, "凌晨4点半"), (5, 0, "早上5点"), (9, 10, "上午9点10分"),
    (11, 59, "上午11点59分"), (12, 0, "中午12点"), (12, 30, "中午12点半"), (13, 0, "下午1点"),
    (14, 2, "下午2点02分"), (17, 59, "下午5点59分"), (18, 0, "晚上6点"), (23, 45, "晚上11点45分"),
])
def test_chinese_time_words(hh, mm, words):
    assert w.chinese_time_words(dt.time(hh, mm)) == words


@pytest.mark.parametrize("hh,mm,words", [
    (7, 0, "早上七点"), (7, 30, "早上七点半"), (7, 5, "早上七点零五分"), (2, 0, "凌晨两点"),
    (14, 15, "下午两点十五分"), (22, 40, "晚上十点四十分"), (12, 21, "中午十二点二十一分"),
    (0, 0, "凌晨零点"), (11, 10, "上午十一点十分"),
])
def test_chinese_time_words_spoken(hh, mm, words):
    assert w.chinese_time_words(dt.time(hh, mm), spoken=True) == words


def test_wakeup_prompt_in_chinese_and_english():
    t = dt.time(7, 0)
    assert w.prompt_text(t, "zh") == "早上好，现在是早上7点。请按1确认，按2稍后再叫。"
    assert w.prompt_text(t, "en") == "Good morning, it is 7 o'clock. Press 1 to confirm, 2 to snooze."
    assert w.prompt_text(t, "zh", spoken=True) == "早上好，现在是早上七点。请按一确认，按二稍后再叫。"
    assert w.prompt_texts(t) == [("zh", w.prompt_text(t, "zh")), ("en", w.prompt_text(t, "en"))]


@pytest.mark.parametrize("hh,mm,zh,en", [
    (7, 30, "早上好，现在是早上7点半。", "Good morning, it is 7:30."),
    (7, 5, "早上好，现在是早上7点05分。", "Good morning, it is 7:05."),
    (4, 30, "您好，现在是凌晨4点半。", "Hello, it is 4:30 in the morning."),
    (9, 0, "上午好，现在是上午9点。", "Good morning, it is 9 o'clock."),
    (12, 0, "中午好，现在是中午12点。", "Good afternoon, it is 12 noon."),
    (15, 0, "下午好，现在是下午3点。", "Good afternoon, it is 3 o'clock."),
    (20, 15, "晚上好，现在是晚上8点15分。", "Good evening, it is 8:15."),
    (0, 0, "您好，现在是凌晨0点。", "Hello, it is midnight."),
])
def test_greeting_follows_the_time_of_day(hh, mm, zh, en):
    t = dt.time(hh, mm)
    assert w.prompt_text(t, "zh").startswith(zh)
    assert w.prompt_text(t, "en").startswith(en)


def test_prompt_uses_the_policy_keys():
    pol = w.WakeupPolicy(confirm_key="5", snooze_key="9")
    assert w.prompt_text(dt.time(7, 0), "zh", pol).endswith("请按5确认，按9稍后再叫。")
    assert w.prompt_text(dt.time(7, 0), "en", pol).endswith("Press 5 to confirm, 9 to snooze.")
    with pytest.raises(ValueError):
        w.prompt_text(dt.time(7, 0), "fr")
