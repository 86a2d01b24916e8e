"""Issue 17 (R-T1..R-T3): a hotel booking's checks, states, read-back, message texts and figures."""

from __future__ import annotations

import datetime as dt

import pytest

from zongji.domain.bookings import figures, hotel_booking as rules, messages, readback
from zongji.domain.bookings.hotels import query_key, search_keys
from zongji.errors import Invalid

TODAY = dt.date(2026, 12, 4)


def _booking(**kw) -> rules.HotelBookingInput:
    values = dict(customer_name="张伟", mobile="+86 139-0000-1111", check_in=dt.date(2026, 12, 10),
                  check_out=dt.date(2026, 12, 12), rooms=(rules.RoomLine("大床房", 2, 38800),),
                  guest_names=("张伟", "李娜"), breakfast="double")
    values.update(kw)
    return rules.HotelBookingInput(**values)


def test_a_booking_is_checked_and_its_mobile_cleaned():
    b = rules.check(_booking(), today=TODAY)
    assert b.mobile == "13900001111" and b.nights == 2
    assert rules.total_fen(b.rooms, b.nights) == 2 * 38800 * 2


@pytest.mark.parametrize("change, field", [
    ({"check_in": dt.date(2026, 12, 3)}, "check_in"),
    ({"check_out": dt.date(2026, 12, 10)}, "check_out"),
    ({"mobile": "12345"}, "mobile"),
    ({"mobile": "23900001111"}, "mobile"),
    ({"customer_name": "  "}, "customer_name"),
    ({"rooms": ()}, "rooms"),
    ({"rooms": (rules.RoomLine("大床房", 0, 100),)}, "rooms.0.count"),
    ({"rooms": (rules.RoomLine("  ", 1, 100),)}, "rooms.0.room_type"),
    ({"latest_arrival": "25:00"}, "latest_arrival"),
    ({"breakfast": "lots"}, "breakfast"),
])
def test_a_bad_field_is_named(change, field):
    with pytest.raises(Invalid) as e:
        rules.check(_booking(**change), today=TODAY)
    assert e.value.field == field


def test_states_follow_the_rules():
    assert rules.apply("awaiting", "confirm") == "confirmed"
    assert rules.apply("awaiting", "refuse") == "refused"
    assert rules.apply("refused", "change") == "awaiting"
    assert rules.apply("confirmed", "change") == "awaiting"
    assert rules.apply("confirmed", "cancel") == "cancelled"
    for state, action in (("cancelled", "confirm"), ("confirmed", "refuse"), ("cancelled", "change"),
                          ("cancelled", "cancel"), ("awaiting", "fly")):
        with pytest.raises(rules.NotAllowed):
            rules.apply(state, action)


def test_the_read_back_names_every_field_in_both_languages():
    b = rules.check(_booking(special_requests="高楼层", latest_arrival="20:00"), today=TODAY)
    rb = readback.hotel_read_back(b, hotel_name="西湖国宾馆", city="杭州")
    assert rb.zh == ("跟您核对一下预订：杭州西湖国宾馆，12月10日（周四）入住，12月12日（周六）离店，共2晚；"
                     "大床房2间（每晚388元），含双早，房费合计1552元；入住人张伟、李娜，到店请报张伟的名字；"
                     "联系手机13900001111；请于20:00前到店；特殊要求：高楼层。请问对吗？")
    assert "check-in Thu 10 Dec 2026" in rb.en and "2 × 大床房 at 388 yuan a night" in rb.en
    assert "please arrive before 20:00" in rb.en and rb.en.endswith("Is that right?")


def test_the_read_back_says_the_hold_or_the_usual_arrival_and_cancellations():
    b = rules.check(_booking(hold_free=True), today=TODAY)
    assert "房间为您免费保留至入住当晚" in readback.hotel_read_back(b, hotel_name="H", city="C").zh
    plain = rules.check(_booking(), today=TODAY)
    assert "请于18:00前到店" in readback.hotel_read_back(plain, hotel_name="H", city="C").zh
    cancel = readback.hotel_read_back(plain, hotel_name="H", city="C", action="cancel", number="HB1")
    assert cancel.zh.startswith("跟您确认取消预订HB1") and cancel.zh.endswith("确认取消吗？")


def test_templates_refuse_unknown_placeholders_and_render():
    with pytest.raises(Invalid) as e:
        messages.check_template("membership_created", "{name} {hotel}")
    assert e.value.field == "body"
    with pytest.raises(Invalid):
        messages.check_template("membership_created", "{name")
    text = messages.render("membership_created", messages.DEFAULTS["membership_created"],
                           {"name": "张伟", "mobile": "13900001111", "hotline": "400"})
    assert "张伟" in text and "13900001111" in text
    assert messages.forecast_text([{"label": "12月10日", "summary": "晴", "temp_low": 3, "temp_high": 12},
                                   {"label": "12月11日", "summary": None}]) == "12月10日 晴 3～12°C；12月11日 暂无预报"


def test_a_hotel_is_found_by_pinyin_initials_and_city():
    keys = search_keys("西湖国宾馆", "杭州")
    assert query_key("xhgbg") in keys and query_key("hangzhou") in keys and query_key("西湖") in keys
    assert rules.same_range(30000, 50000, 45000, 80000) and not rules.same_range(30000, 50000, 60000, 80000)


def test_figures_count_answers_per_hotel():
    out = figures.summarise([("2026-12-04", "王小红", "hotel")] * 3,
                            [("confirmed", "A"), ("refused", "B"), ("refused", "B"), ("confirmed", "B")])
    assert out["bookings"] == 3 and out["confirmation_rate"] == 0.5
    assert out["refusals_by_hotel"] == [{"hotel": "B", "refusals": 2}]
    assert figures.confirmation_rate(0, 0) is None
