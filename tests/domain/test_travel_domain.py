"""Domain rules of meeting and flight bookings (issue 17 points 3, 4; R-T4, R-T5)."""

from datetime import date, datetime, time
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.bookings import flights as f
from zongji.domain.bookings import id_numbers as ids
from zongji.domain.bookings import meetings as m
from zongji.domain.business_calendar import BusinessCalendar

TZ = ZoneInfo("Asia/Shanghai")
GOOD_ID = "11010519491231002X"  # the GB 11643 sample number


def test_check_digit_matches_the_standard_sample():
    assert ids.check_character(GOOD_ID[:17]) == "X"
    assert ids.parse(ids.RESIDENT_ID, "110105 19491231 002x").number == GOOD_ID


@pytest.mark.parametrize("number, code", [
    ("110105194912310021", "id_check_digit"),
    ("110105194902300028", "id_birth_date"),
    ("11010519491231002", "id_format"),
])
def test_bad_resident_ids_are_refused_with_the_reason(number, code):
    with pytest.raises(ids.IdNumberError) as err:
        ids.parse(ids.RESIDENT_ID, number, today=date(2026, 1, 1))
    assert err.value.code == code


def test_future_birth_date_is_refused():
    first = "110105" + "20300101" + "001"
    number = first + ids.check_character(first)
    with pytest.raises(ids.IdNumberError) as err:
        ids.parse(ids.RESIDENT_ID, number, today=date(2026, 1, 1))
    assert err.value.code == "id_birth_date"


def test_passport_by_pattern_and_masking_by_role():
    assert ids.parse(ids.PASSPORT, "e1234 5678").number == "E12345678"
    with pytest.raises(ids.IdNumberError):
        ids.parse(ids.PASSPORT, "E12#")
    assert ids.mask(GOOD_ID) == "110105********002X"
    assert ids.shown(GOOD_ID, "operator") == GOOD_ID
    assert ids.shown(GOOD_ID, "supervisor") == "110105********002X"
    assert ids.shown(GOOD_ID, "unit_handler") != GOOD_ID
    assert ids.mask("E12345678") == "*******78"


def _flight(**over):
    args = dict(customer="张三", mobile="13800000000", passengers=[("张三", ids.RESIDENT_ID, GOOD_ID)],
                from_city="北京", to_city="上海", departure_date=date(2026, 12, 10),
                departure_time=time(9, 30), trip=f.ONE_WAY, return_date=None, return_time=None,
                payment=f.E_TICKET, delivery_address=None, today=date(2026, 12, 5))
    args.update(over)
    return f.check_booking(**args)


def test_flight_booking_fields():
    assert _flight().passengers[0].id_number == GOOD_ID
    ok = _flight(trip=f.RETURN, return_date=date(2026, 12, 12), payment=f.ON_DELIVERY,
                 delivery_address=" 朝阳区1号 ")
    assert ok.return_date == date(2026, 12, 12) and ok.delivery_address == "朝阳区1号"


@pytest.mark.parametrize("over, field", [
    (dict(trip=f.RETURN, return_date=date(2026, 12, 9)), "return_date"),
    (dict(trip=f.RETURN, return_date=date(2026, 12, 10), return_time=time(9, 0)), "return_date"),
    (dict(trip=f.RETURN, return_date=None), "return_date"),
    (dict(payment=f.ON_DELIVERY), "delivery_address"),
    (dict(to_city="北京"), "to_city"),
    (dict(departure_date=date(2026, 12, 1)), "departure_date"),
    (dict(passengers=[("李四", ids.RESIDENT_ID, "110105194912310021")]), "passengers.0.id_number"),
    (dict(passengers=[]), "passengers"),
])
def test_flight_booking_errors_name_the_field(over, field):
    with pytest.raises(f.FlightBookingError) as err:
        _flight(**over)
    assert err.value.field == field


def test_ids_erased_after_retention():
    assert f.erase_ids_at(date(2026, 12, 10), 30, TZ) == datetime(2027, 1, 10, 0, 0, tzinfo=TZ)


def test_quote_totals_in_fen():
    q = m.make_quote([("会议室", 2, 300000), ("茶歇", 80, 3550)], 30)
    assert q.total_fen == 600000 + 284000
    assert q.deposit_fen == 265200
    assert q.to_json()["lines"][1]["amount_fen"] == 284000
    assert m.make_quote([("x", 1, 1)], 50).deposit_fen == 1  # half a fen rounds up
    with pytest.raises(m.MeetingBookingError) as err:
        m.make_quote([("x", 0, 1)], 30)
    assert err.value.field == "lines.0.quantity"


def test_request_form_checks():
    req = m.check_request(hotel_name="国际饭店", hotel_id=None, kind="conference", needs="投影",
                          start_date=date(2026, 12, 20), end_date=date(2026, 12, 21), attendees=50,
                          rooms=20, budget_fen=5_000_000, contact="王经理", mobile="13900000000")
    assert req.attendees == 50
    with pytest.raises(m.MeetingBookingError) as err:
        m.check_request(hotel_name="国际饭店", hotel_id=None, kind="conference", needs="",
                        start_date=date(2026, 12, 20), end_date=date(2026, 12, 19), attendees=50,
                        rooms=0, budget_fen=None, contact="王", mobile="1")
    assert err.value.field == "end_date"


def test_deposit_due_skips_the_national_day_holiday():
    cal = BusinessCalendar.china()
    # 2025-09-29 (Mon) 10:00 + 2 working days: 09-30 is one, 10-01..10-08 are holidays,
    # so the deposit is due on 10-09 (Thu) 10:00.
    due = m.deposit_due(cal, datetime(2025, 9, 29, 10, 0, tzinfo=TZ))
    assert due == datetime(2025, 10, 9, 10, 0, tzinfo=TZ)
    # an ordinary week: Thursday + 2 = Monday
    assert m.deposit_due(cal, datetime(2025, 11, 13, 10, 0, tzinfo=TZ)) == datetime(2025, 11, 17, 10, 0, tzinfo=TZ)


def test_states_follow_the_rules():
    cal = BusinessCalendar.china()
    s = m.MeetingState(m.REQUESTED)
    assert "confirm" not in m.allowed_actions(s, "operator")
    s = m.apply(s, "quote", "operator")
    s = m.apply(s, "confirm", "operator", calendar=cal, at=datetime(2025, 11, 13, 10, tzinfo=TZ),
                confirmation="HC-1")
    assert s.status == m.HOTEL_CONFIRMED and s.deposit_due_at == datetime(2025, 11, 17, 10, tzinfo=TZ)
    with pytest.raises(m.MeetingBookingError) as err:
        m.apply(s, "quote", "operator")
    assert err.value.code == "illegal"
    with pytest.raises(m.MeetingBookingError) as err:
        m.apply(s, "cancel", "unit_handler", reason="x")
    assert err.value.code == "forbidden"
    assert m.apply(s, "pay_deposit", "operator").status == m.DEPOSIT_PAID
    with pytest.raises(m.MeetingBookingError):
        m.apply(m.MeetingState(m.QUOTED), "refuse", "operator", reason=" ")


def test_flight_read_back_says_the_trip_and_only_the_ids_last_four():
    from zongji.domain.bookings.flight_readback import flight_read_back

    b = _flight(passengers=[("张三", ids.RESIDENT_ID, GOOD_ID), ("John Smith", ids.PASSPORT, "E12345678")],
                trip=f.RETURN, return_date=date(2026, 12, 12), return_time=time(18, 0), flight_number="ca1501",
                payment=f.ON_DELIVERY, delivery_address="朝阳区建国路1号")
    rb = flight_read_back(b)
    assert rb.zh == ("跟您核对一下机票预订：12月10日（周四）09:30从北京飞往上海，航班CA1501，往返，12月12日（周六）18:00返程；"
                     "乘机人2位：张三（身份证尾号002X）、John Smith（护照尾号5678）；送票上门付款，送到朝阳区建国路1号；"
                     "联系人张三，手机13800000000。请问对吗？")
    assert rb.en.startswith("Let me read your flight booking back: Thu 10 Dec 2026 09:30 from 北京 to 上海")
    assert GOOD_ID not in rb.zh + rb.en
    cancel = flight_read_back(b, action="cancel", number="FB0007", reason="行程取消")
    assert cancel.zh.startswith("跟您确认取消机票预订FB0007：") and cancel.zh.endswith("；原因：行程取消。确认取消吗？")
    assert flight_read_back(b, action="change", number="FB0007").zh.startswith("跟您核对一下修改后的机票预订FB0007：")


def test_flight_change_and_cancel_rules():
    assert f.allowed_actions(f.BOOKED, "operator") == ["change", "cancel"]
    assert f.allowed_actions(f.CANCELLED, "operator") == []
    assert f.allowed_actions(f.BOOKED, "unit_handler") == []
    assert f.allowed_actions(f.BOOKED, "operator", last_date=date(2026, 12, 4), today=date(2026, 12, 5)) == []
    assert f.apply(f.BOOKED, "cancel", "supervisor", reason="行程取消") == f.CANCELLED
    for status, role, reason, last, code in [(f.BOOKED, "operator", " ", None, "required"),
                                             (f.CANCELLED, "operator", "x", None, "illegal"),
                                             (f.BOOKED, "unit_handler", "x", None, "forbidden"),
                                             (f.BOOKED, "operator", "x", date(2026, 12, 4), "flown")]:
        with pytest.raises(f.FlightBookingError) as err:
            f.apply(status, "change", role, reason=reason, last_date=last, today=date(2026, 12, 5))
        assert err.value.code == code


def test_masked_number_sent_back_is_recognised():
    assert ids.is_mask_of("110105********002X", GOOD_ID)
    assert not ids.is_mask_of(GOOD_ID, GOOD_ID) and not ids.is_mask_of("110105********0021", GOOD_ID)
    assert not ids.is_mask_of("x", None)


def test_deposit_reminder_state():
    due = datetime(2026, 12, 9, 9, 0, tzinfo=TZ)
    before, after = datetime(2026, 12, 8, tzinfo=TZ), datetime(2026, 12, 10, tzinfo=TZ)
    assert m.deposit_reminder_state(m.QUOTED, None, None, None, after) == m.REMINDER_NONE
    assert m.deposit_reminder_state(m.HOTEL_CONFIRMED, due, None, None, before) == m.REMINDER_WAITING
    assert m.deposit_reminder_state(m.HOTEL_CONFIRMED, due, None, None, after) == m.REMINDER_OVERDUE
    assert m.deposit_reminder_state(m.HOTEL_CONFIRMED, due, after, None, after) == m.REMINDER_SENT
    assert m.deposit_reminder_state(m.DEPOSIT_PAID, due, None, after, after) == m.REMINDER_PAID
    assert m.deposit_reminder_state(m.CANCELLED, due, None, None, after) == m.REMINDER_NONE
