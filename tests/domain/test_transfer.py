"""Transfer decisions: hours, lunch break, DND, guest privacy, deputy, after hours, R-H6, R-C2, R-S1."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import replace
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.transfer import (
    guest_name_matches,
    SCRIPTS,
    AttemptResult,
    CallPurpose,
    Caller,
    Contact,
    PrivacyLevel,
    Target,
    TargetKind,
    TransferOutcome as O,
    TransferPolicy,
    TransferRequest,
    decide_transfer,
    finish_attempt,
    on_no_answer,
    script,
    start_attempt,
)
from zongji.domain.working_hours import HoursState, WorkingHours

SH = ZoneInfo("Asia/Shanghai")
OFFICE = WorkingHours.weekdays(("08:30", "12:00"), ("13:00", "17:30"))
MON = dt.date(2026, 11, 23)
ROOM = "1808"
ROOM_EXT = "81808"

OUTSIDE = Caller(internal=False, kind="unknown", name="王先生", number="13800138000", purpose="商务洽谈")
STAFF_CALLER = Caller(internal=True, kind="staff", name="前台", number="8001")


def at(hm: str, day: dt.date = MON) -> dt.datetime:
    h, m = map(int, hm.split(":"))
    return dt.datetime(day.year, day.month, day.day, h, m, tzinfo=SH)


def req(target: Target, caller: Caller = OUTSIDE, when: dt.datetime | None = None, **kw) -> TransferRequest:
    return TransferRequest(target=target, caller=caller, at=when or at("10:00"), tz=SH, **kw)


def guest(**kw) -> Target:
    base = dict(kind=TargetKind.GUEST, name="李明", number=ROOM_EXT, room_number=ROOM)
    base.update(kw)
    return Target(**base)


def person(**kw) -> Target:
    base = dict(kind=TargetKind.PERSON, name="张伟", name_en="Zhang Wei", title="经理", title_en="Manager",
                department="销售部", department_en="Sales", number="8123", hours=OFFICE)
    base.update(kw)
    return Target(**base)


def dept(**kw) -> Target:
    base = dict(kind=TargetKind.DEPARTMENT, name="财务部", name_en="Finance", number="8200", hours=OFFICE)
    base.update(kw)
    return Target(**base)


def assert_no_room(decision) -> None:
    """No room number (or room extension) anywhere a caller could hear or an operator could read."""
    texts = list(decision.texts())
    assert texts, "a decision always has texts"
    for t in texts:
        assert ROOM not in t and ROOM_EXT not in t, t
    public = json.dumps(decision.to_dict(), ensure_ascii=False)
    assert ROOM not in public and ROOM_EXT not in public


# --------------------------------------------------------------------------- departments and hours


def test_transfer_at_1205_to_department_at_lunch():
    d = decide_transfer(req(dept(), when=at("12:05")))
    assert d.outcome is O.CLOSED_OFFER_MESSAGE
    assert d.reason.code == "lunch_break"
    assert d.hours_status.state is HoursState.BREAK
    assert d.hours_status.opens_at == at("13:00")
    assert "13:00" in d.script.zh and "13:00" in d.script.en and "留言" in d.script.zh
    assert d.offer_message and d.offer_call_later
    assert d.dial is None and not d.puts_through


def test_department_in_hours_connects_with_introduction():
    d = decide_transfer(req(dept(), when=at("09:00")))
    assert d.outcome is O.CONNECT and d.dial == "8200"
    assert d.script.zh.startswith("请稍等，我为您转接") and "8200" in d.script.zh


def test_department_after_hours_next_opening_tomorrow():
    d = decide_transfer(req(dept(), when=at("18:00")))
    assert d.outcome is O.CLOSED_OFFER_MESSAGE and d.reason.code == "after_hours"
    assert "明天08:30" in d.script.zh and "tomorrow at 08:30" in d.script.en


def test_department_on_holiday():
    d = decide_transfer(req(dept(), when=at("10:00"), exceptions={MON}))
    assert d.outcome is O.CLOSED_OFFER_MESSAGE and d.reason.code == "holiday"


def test_department_after_hours_forwards_when_configured():
    duty = Contact(name="刘强", number="13900001111", title="值班经理", title_en="Duty manager")
    d = decide_transfer(req(dept(after_hours=duty), when=at("20:00")))
    assert d.outcome is O.FORWARD_TO and d.forward.role == "after_hours" and d.dial == "13900001111"


def test_midnight_spanning_department():
    night = Target(kind=TargetKind.DEPARTMENT, name="夜审", number="8300",
                   hours=WorkingHours.parse({"all": [["22:00", "06:00"]]}))
    assert decide_transfer(req(night, when=at("02:30"))).outcome is O.CONNECT
    closed = decide_transfer(req(night, when=at("07:00")))
    assert closed.outcome is O.CLOSED_OFFER_MESSAGE and "22:00" in closed.script.zh


# --------------------------------------------------------------------------- lines (R-S2, R-S5, R-S1)


MANAGER = Contact(name="陈静", number="13700002222", title="客服经理", title_en="Customer-service manager")
DEPUTY = Contact(name="赵敏", number="13600003333", title="客服主管", title_en="Supervisor")


def hotline(**kw) -> Target:
    base = dict(kind=TargetKind.LINE, name="400客服热线", name_en="400 hotline", number="8400",
                title="客服专员", hours=OFFICE, after_hours=MANAGER, deputy=DEPUTY)
    base.update(kw)
    return Target(**base)


def test_after_hours_on_400_line_goes_to_managers_mobile():
    d = decide_transfer(req(hotline(), when=at("19:00")))
    assert d.outcome is O.FORWARD_TO
    assert d.forward.role == "after_hours" and d.forward.number == MANAGER.number == d.dial
    assert "客服经理陈静" in d.forward.who.zh and d.reason.code == "after_hours_forward"
    assert "R-S2" not in d.reason.zh  # issue 8: no rule ids in operators' text


def test_400_line_lunch_also_forwards():
    assert decide_transfer(req(hotline(), when=at("12:30"))).forward.number == MANAGER.number


def test_400_line_in_hours_rings_responsible():
    d = decide_transfer(req(hotline(), when=at("10:00")))
    assert d.outcome is O.CONNECT and d.dial == "8400"


def test_400_line_responsible_on_leave_goes_to_deputy():
    d = decide_transfer(req(hotline(on_leave=True), when=at("10:00")))
    assert d.outcome is O.FORWARD_TO and d.forward.role == "deputy" and d.dial == DEPUTY.number


def test_manager_out_of_signal_after_hours_goes_to_deputy():
    off = Contact(name="陈静", number="13700002222", title="客服经理", reachable=False)
    d = decide_transfer(req(hotline(after_hours=off), when=at("21:00")))
    assert d.outcome is O.FORWARD_TO and d.forward.role == "deputy" and "指定代理人" in d.reason.zh
    assert "R-S5" not in d.reason.zh


def test_nobody_reachable_on_line():
    d = decide_transfer(req(hotline(on_leave=True, deputy=None), when=at("10:00")))
    assert d.outcome is O.UNREACHABLE_OFFER_MESSAGE and d.offer_message


def test_line_config_as_target():
    from zongji.domain.lines import LineConfig, LineKind
    cfg = LineConfig(code="400", name="400客服热线", kind=LineKind.HOTLINE_400, number="4008001234",
                     inbound_only=True, hours=OFFICE, responsible=Contact("孙丽", "8400", on_leave=True),
                     deputy=DEPUTY, after_hours=MANAGER)
    assert decide_transfer(req(cfg.as_target(), when=at("10:00"))).forward.role == "deputy"
    assert decide_transfer(req(cfg.as_target(), when=at("22:00"))).forward.role == "after_hours"


def test_outbound_on_inbound_only_line_refused():
    d = decide_transfer(req(dept(), caller=STAFF_CALLER, direction="out", line_inbound_only=True,
                            line_name="400热线"))
    assert d.outcome is O.REFUSE_INBOUND_ONLY and d.reason.code == "inbound_only"
    assert d.dial is None and not d.puts_through
    # the same line accepts inbound calls
    assert decide_transfer(req(dept(), line_inbound_only=True)).outcome is O.CONNECT


# --------------------------------------------------------------------------- persons


def test_person_on_leave_goes_to_named_deputy():
    deputy = Contact(name="李娜", number="8124", title="副经理", title_en="Deputy manager")
    d = decide_transfer(req(person(on_leave=True, deputy=deputy)))
    assert d.outcome is O.FORWARD_TO
    assert d.forward.role == "deputy" and d.dial == "8124"
    assert "李娜" in d.script.zh and d.reason.code == "on_leave_deputy" and "R-S5" not in d.reason.zh


def test_person_on_leave_deputy_also_away():
    deputy = Contact(name="李娜", number="8124", on_leave=True)
    d = decide_transfer(req(person(on_leave=True, deputy=deputy)))
    assert d.outcome is O.UNREACHABLE_OFFER_MESSAGE and d.offer_message


def test_person_dnd_refused_with_script_and_message_offer():
    d = decide_transfer(req(person(dnd=True)))
    assert d.outcome is O.REFUSE_DND and d.offer_message
    assert "不方便接听电话" in d.script.zh and "留言" in d.script.zh


def test_person_asked_first_r_c2():
    d = decide_transfer(req(person()))
    assert d.outcome is O.CONNECT_AFTER_ASKING and d.puts_through
    assert "王先生" in d.callee_script.zh and "商务洽谈" in d.callee_script.zh
    # the introduction (name, title, department, number) is ready for after the callee agrees
    intro = [n for n in d.notes if n.code == "introduce"][0]
    assert "销售部经理张伟" in intro.zh and "8123" in intro.zh
    ok = decide_transfer(req(person(), callee_accepts=True))
    assert ok.outcome is O.CONNECT and "8123" in ok.script.zh and "Zhang Wei" in ok.script.en
    no = decide_transfer(req(person(), callee_accepts=False))
    assert no.outcome is O.REFUSE_DECLINED and no.offer_message


def test_internal_caller_connects_without_asking():
    d = decide_transfer(req(person(), caller=STAFF_CALLER))
    assert d.outcome is O.CONNECT
    d2 = decide_transfer(req(person(), caller=STAFF_CALLER, policy=TransferPolicy(ask_callee_for_internal=True)))
    assert d2.outcome is O.CONNECT_AFTER_ASKING


def test_person_after_hours_offer_message_or_forward():
    d = decide_transfer(req(person(), when=at("19:00")))
    assert d.outcome is O.CLOSED_OFFER_MESSAGE and d.offer_message
    mob = Contact(name="张伟", number="13911112222", title="经理")
    d2 = decide_transfer(req(person(after_hours=mob), when=at("19:00")))
    assert d2.outcome is O.FORWARD_TO and d2.dial == "13911112222"


def test_staff_personal_call_in_working_hours_not_put_through():
    d = decide_transfer(req(person(), purpose=CallPurpose.PERSONAL))
    assert d.outcome is O.PERSONAL_CALL_REFUSED and d.offer_message
    assert d.dial is None and d.reason.code == "personal_call" and "R-H6" not in d.reason.zh


def test_urgent_personal_call_goes_to_department_office_then_superior():
    office = Contact(name="销售部办公室", number="8100")
    boss = Contact(name="周总", number="8001", title="总监")
    d = decide_transfer(req(person(department_office=office, superior=boss), purpose="personal", urgent=True))
    assert d.outcome is O.PERSONAL_CALL_REDIRECT and d.forward.role == "department_office" and d.dial == "8100"
    d2 = decide_transfer(req(person(superior=boss), purpose="personal", urgent=True))
    assert d2.outcome is O.PERSONAL_CALL_REDIRECT and d2.forward.role == "superior" and d2.dial == "8001"
    d3 = decide_transfer(req(person(), purpose="personal", urgent=True))
    assert d3.outcome is O.CONNECT_AFTER_ASKING


def test_personal_call_rule_does_not_apply_internally_or_by_policy():
    assert decide_transfer(req(person(), caller=STAFF_CALLER, purpose="personal")).outcome is O.CONNECT
    pol = TransferPolicy(block_personal_calls_in_hours=False)
    assert decide_transfer(req(person(), purpose="personal", policy=pol)).outcome is O.CONNECT_AFTER_ASKING


# --------------------------------------------------------------------------- guests (R-H4, R-H8, R-H12)


def test_vip_guest_with_full_privacy_denies_the_stay_and_leaks_nothing():
    g = guest(vip=True, vip_title="李董事长", privacy_level=PrivacyLevel.NOT_STAYING)
    d = decide_transfer(req(g))
    assert d.outcome is O.DENY_STAY
    assert d.script == SCRIPTS["deny_stay"]
    assert not d.offer_message and d.dial is None
    assert d.handover_note
    assert_no_room(d)


def test_deny_stay_is_indistinguishable_from_not_in_house():
    hidden = decide_transfer(req(guest(privacy_level="not_staying")))
    absent = decide_transfer(req(guest(in_house=False)))
    assert hidden.outcome is absent.outcome is O.DENY_STAY
    assert hidden.script == absent.script
    assert hidden.offer_message == absent.offer_message


def test_guest_dnd_refused_with_dnd_script_and_message_offer():
    d = decide_transfer(req(guest(dnd=True)))
    assert d.outcome is O.REFUSE_DND
    assert d.script.zh == "对不起，客人现在不方便接听电话，请问您是否需要留言？"
    assert d.offer_message
    assert_no_room(d)


def test_guest_no_calls():
    d = decide_transfer(req(guest(privacy_level="no_calls")))
    assert d.outcome is O.REFUSE_NO_CALLS and d.offer_message
    assert_no_room(d)


def test_guest_is_asked_first_and_details_are_needed():
    d = decide_transfer(req(guest(), caller=Caller(number="13800138000")))
    assert d.outcome is O.CONNECT_AFTER_ASKING
    assert d.needs == ("caller_name", "purpose")
    assert d.dial == ROOM_EXT and d.dial_private
    assert d.to_dict()["dial"] is None
    assert d.to_dict(include_private=True)["dial"] == ROOM_EXT
    assert_no_room(d)
    full = decide_transfer(req(guest()))
    assert full.needs == () and "王先生" in full.callee_script.zh


def test_guest_consent_connects_and_decline_is_polite():
    ok = decide_transfer(req(guest(), guest_consent=True))
    assert ok.outcome is O.CONNECT and ok.script.zh == "请稍等，我为您转接。"
    assert_no_room(ok)
    no = decide_transfer(req(guest(), guest_consent=False))
    assert no.outcome is O.REFUSE_DECLINED and no.offer_message
    # the caller cannot tell a decline from DND
    assert no.script == decide_transfer(req(guest(dnd=True))).script
    assert_no_room(no)


def test_staff_calling_a_guest_connects_but_respects_privacy_and_dnd():
    assert decide_transfer(req(guest(), caller=STAFF_CALLER)).outcome is O.CONNECT
    assert decide_transfer(req(guest(dnd=True), caller=STAFF_CALLER)).outcome is O.REFUSE_DND
    assert decide_transfer(req(guest(privacy_level="not_staying"), caller=STAFF_CALLER)).outcome is O.REFUSE_NO_CALLS
    emergency = decide_transfer(req(guest(dnd=True), caller=STAFF_CALLER, emergency=True))
    assert emergency.outcome is O.CONNECT


def test_room_asked_by_outside_caller_needs_the_guest_name():
    room = Target(kind=TargetKind.ROOM, name="李明", number=ROOM_EXT, room_number=ROOM)
    d = decide_transfer(req(room))
    assert d.outcome is O.CONNECT_AFTER_ASKING and "guest_name" in d.needs
    wrong = decide_transfer(req(room, guest_name_matches=False))
    assert wrong.outcome is O.DENY_STAY
    for x in (d, wrong):
        assert_no_room(x)


def test_room_consent_counts_only_once_the_outside_caller_named_the_guest():
    """R-H4: check that the guest is the person sought before the guest's answer is used."""
    room = Target(kind=TargetKind.ROOM, name="李明", number=ROOM_EXT, room_number=ROOM)
    unchecked = decide_transfer(req(room, guest_consent=True))
    assert unchecked.outcome is O.CONNECT_AFTER_ASKING and "guest_name" in unchecked.needs
    assert unchecked.dial is not None and unchecked.dial_private
    declined_unchecked = decide_transfer(req(room, guest_consent=False))
    assert declined_unchecked.outcome is O.CONNECT_AFTER_ASKING and "guest_name" in declined_unchecked.needs
    assert decide_transfer(req(room, guest_consent=True, guest_name_matches=False)).outcome is O.DENY_STAY
    assert decide_transfer(req(room, guest_consent=True, guest_name_matches=True)).outcome is O.CONNECT
    assert decide_transfer(req(room, guest_consent=False, guest_name_matches=True)).outcome is O.REFUSE_DECLINED
    # Asked for by name (a guest target), consent is enough; an in-house extension needs no name.
    assert decide_transfer(req(guest(), guest_consent=True)).outcome is O.CONNECT
    assert decide_transfer(req(room, caller=STAFF_CALLER)).outcome is O.CONNECT
    for x in (unchecked, declined_unchecked):
        assert_no_room(x)


@pytest.mark.parametrize(("asked", "name", "expected"), [
    ("李明", "李明", True),
    (" 李 明 ", "李明", True),
    ("李先生", "李明", True),
    ("李总", "李明", True),
    ("欧阳女士", "欧阳娜娜", True),
    ("王先生", "李明", False),
    ("李", "李明", False),  # a bare surname does not identify the guest
    ("明", "李明", False),
    ("李明明", "李明", False),
    ("先生", "李明", False),
    ("Mr Smith", "John Smith", True),
    ("mr. smith", "John Smith", True),
    ("john smith", "John Smith", True),
    ("Smith", "John Smith", False),
    ("Mr Jones", "John Smith", False),
    ("", "李明", None),
    ("李先生", "", False),
])
def test_guest_name_matches(asked, name, expected):
    assert guest_name_matches(asked, name) is expected


def test_room_number_in_a_guest_name_is_redacted():
    """Defence in depth: even if a name field carried the room, no text shows it."""
    g = guest(name=f"李明 {ROOM}", vip=True)
    for kw in ({}, {"guest_consent": True}, {"guest_consent": False}):
        assert_no_room(decide_transfer(req(g, **kw)))


def test_vip_caller_note():
    vip = Caller(name="李明", title="李董事长", vip=True, purpose="找销售经理")
    d = decide_transfer(req(person(), caller=vip))
    assert any(n.code == "vip_caller" and "李董事长" in n.zh for n in d.notes)


def test_naive_time_rejected():
    with pytest.raises(ValueError):
        decide_transfer(TransferRequest(target=dept(), caller=OUTSIDE, at=dt.datetime(2026, 1, 1), tz=SH))


# --------------------------------------------------------------------------- no answer (R-H3)


class _Settings:
    transfer_no_answer_seconds = 30


def test_no_answer_after_30_seconds_back_to_operator():
    d = decide_transfer(req(dept()))
    attempt = start_attempt(d, at("10:00"))
    early = on_no_answer(attempt, 29, _Settings())
    assert not early.back_to_operator and early.prompt is None and early.seconds_left == 1
    late = on_no_answer(attempt, 30, _Settings())
    assert late.back_to_operator and late.offer_message
    assert late.prompt.zh == "对不起，电话没有人接，请问您是否需要留言？"
    assert late.result is AttemptResult.NO_ANSWER


def test_no_answer_time_is_a_setting():
    assert not on_no_answer(None, 30, 45).back_to_operator
    assert on_no_answer(None, 45, 45).back_to_operator
    assert on_no_answer(None, 30).back_to_operator  # default 30 s
    from zongji.settings import Settings
    assert on_no_answer(None, 30, Settings()).back_to_operator


def test_attempt_record_for_guest_keeps_the_room_private():
    d = decide_transfer(req(guest(), guest_consent=True))
    a = finish_attempt(start_attempt(d, at("10:00")), "no_answer", at("10:00") + dt.timedelta(seconds=31))
    assert a.ring_seconds == 31 and a.result is AttemptResult.NO_ANSWER
    rec = json.dumps(a.to_dict(), ensure_ascii=False)
    assert ROOM not in rec and ROOM_EXT not in rec
    refused = start_attempt(decide_transfer(req(guest(dnd=True))), at("10:00"))
    assert refused.result is AttemptResult.REFUSED and refused.ring_seconds == 0


def test_scripts_fill_placeholders():
    s = script("complaint_close", hours=2)
    assert "2小时" in s.zh and "2 hours" in s.en
    assert SCRIPTS["greeting_inbound"].zh == "您好！请问有什么可以帮助您？"
    assert SCRIPTS["close"].zh == "感谢您的来电，再见！"


# --------------------------------------------------------------------------- property: never the room

from hypothesis import given, settings, strategies as st  # noqa: E402


@settings(max_examples=300, deadline=None)
@given(
    kind=st.sampled_from([TargetKind.GUEST, TargetKind.ROOM]),
    room=st.from_regex(r"[1-9][0-9]{2,3}", fullmatch=True),
    privacy=st.sampled_from(list(PrivacyLevel)),
    in_house=st.booleans(), dnd=st.booleans(), vip=st.booleans(),
    consent=st.sampled_from([None, True, False]),
    matches=st.sampled_from([None, True, False]),
    internal=st.booleans(), caller_kind=st.sampled_from(["staff", "guest", "customer", "unknown"]),
    name_has_room=st.booleans(), emergency=st.booleans(),
    hm=st.sampled_from(["03:00", "12:05", "18:00"]),
)
def test_no_decision_for_a_guest_ever_contains_the_room(kind, room, privacy, in_house, dnd, vip, consent,
                                                         matches, internal, caller_kind, name_has_room,
                                                         emergency, hm):
    import re
    ext = "8" + room
    t = Target(kind=kind, name=f"李明{' ' + room if name_has_room else ''}", number=ext, room_number=room,
               privacy_level=privacy, in_house=in_house, dnd=dnd, vip=vip, vip_title="李董事长")
    c = Caller(internal=internal, kind=caller_kind, name=f"王{room}" if name_has_room else "王先生",
               purpose="送文件")
    d = decide_transfer(TransferRequest(target=t, caller=c, at=at(hm), tz=SH, guest_consent=consent,
                                        guest_name_matches=matches, emergency=emergency))
    pat = re.compile(rf"(?<!\d)({room}|{ext})(?!\d)")
    for text in d.texts():
        assert not pat.search(text), (d.outcome, text)
    assert not pat.search(json.dumps(d.to_dict(), ensure_ascii=False))
    unnamed_room = kind is TargetKind.ROOM and not internal and matches is None
    if privacy is PrivacyLevel.NOT_STAYING and not (internal and caller_kind == "staff") and not unnamed_room:
        assert d.outcome is O.DENY_STAY


@settings(max_examples=200, deadline=None)
@given(
    privacy=st.sampled_from(list(PrivacyLevel)),
    in_house=st.booleans(), dnd=st.booleans(), vip=st.booleans(),
    consent=st.sampled_from([None, True, False]),
    caller_kind=st.sampled_from(["guest", "customer", "unknown"]),
    hm=st.sampled_from(["03:00", "12:05", "18:00"]),
)
def test_an_outside_caller_asking_for_a_room_learns_nothing_before_naming_the_guest(
        privacy, in_house, dnd, vip, consent, caller_kind, hm):
    """R-H4 (issue 12): empty, DND, no-calls and hidden rooms answer an unnamed request alike."""
    def decide(**state):
        t = Target(kind=TargetKind.ROOM, name="李明", number="81608", room_number="1608", **state)
        c = Caller(internal=False, kind=caller_kind, name="王先生", purpose="送文件")
        d = decide_transfer(TransferRequest(target=t, caller=c, at=at(hm), tz=SH, guest_consent=consent,
                                            guest_name_matches=None))
        return d.outcome, d.script, d.offer_message, d.needs

    plain = decide(privacy_level=PrivacyLevel.NORMAL, in_house=True, dnd=False, vip=False)
    assert plain[0] is O.CONNECT_AFTER_ASKING and "guest_name" in plain[3]
    assert decide(privacy_level=privacy, in_house=in_house, dnd=dnd, vip=vip) == plain


# --------------------------------------------------------------------------- urgent while closed (issue 8)


def test_urgent_call_to_a_manager_at_lunch_reaches_the_after_hours_contact_then_deputy_then_superior():
    duty = Contact(name="曾晓东", number="13902001007", title="大堂副理")
    deputy = Contact(name="王芳", number="13902001008")
    boss = Contact(name="陈总", number="13902001009")
    lunch = at("12:10")
    # Not urgent: a message, as before (the after-hours contact is for urgent calls).
    calm = decide_transfer(req(person(department_after_hours=duty, deputy=deputy), when=lunch))
    assert calm.outcome is O.CLOSED_OFFER_MESSAGE and calm.offer_message
    urgent = decide_transfer(req(person(department_after_hours=duty, deputy=deputy, superior=boss), when=lunch,
                                 urgent=True))
    assert urgent.outcome is O.FORWARD_TO and urgent.dial == duty.number
    assert urgent.forward.role == "after_hours" and "紧急" in urgent.reason.zh
    away = replace(duty, on_leave=True)
    assert decide_transfer(req(person(department_after_hours=away, deputy=deputy), when=lunch,
                               urgent=True)).dial == deputy.number
    assert decide_transfer(req(person(superior=boss), when=at("21:00"), urgent=True)).forward.role == "superior"
    # Nobody to reach: still a message, never a dead end.
    assert decide_transfer(req(person(), when=lunch, urgent=True)).outcome is O.CLOSED_OFFER_MESSAGE
