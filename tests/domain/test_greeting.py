"""The opening greeting by line and time of day (R-H1, R-C1, R-S14, R-P10)."""

import datetime as dt

import pytest

from zongji.domain.greeting import DayPeriods, LineInfo, greeting_for

HOTEL = LineInfo(kind="switchboard", name="酒店总机", organisation_name="示例大酒店",
                 organisation_name_en="Grand Demo Hotel", organisation_kind="hotel")
COMPANY = LineInfo(kind="switchboard", name="总机", organisation_name="示例科技公司",
                   organisation_kind="company")
CITY = LineInfo(kind="hotline_12345", name="12345", organisation_name="示例市政府",
                organisation_kind="city_hotline")


def test_hotel_morning_in_chinese_and_english():
    g = greeting_for(HOTEL, dt.time(8, 0))
    assert g.zh == "早上好！示例大酒店，请问有什么可以帮您？"
    assert g.en == "Good morning, Grand Demo Hotel, how may I help you?"
    assert g.script_key == "greeting.hotel.external"


@pytest.mark.parametrize("when,zh,en", [
    (dt.time(5, 0), "早上好", "Good morning"),
    (dt.time(11, 30), "中午好", "Good morning"),
    (dt.time(12, 30), "中午好", "Good afternoon"),
    (dt.time(15, 0), "下午好", "Good afternoon"),
    (dt.time(18, 0), "晚上好", "Good evening"),
    (dt.time(2, 0), "晚上好", "Good evening"),
])
def test_the_greeting_changes_with_the_time_of_day(when, zh, en):
    g = greeting_for(HOTEL, when)
    assert g.zh.startswith(zh) and g.en.startswith(en)


def test_boundaries_are_settings():
    periods = DayPeriods.from_dict({"noon_start": "11:45"})
    assert greeting_for(HOTEL, dt.time(11, 30), periods=periods).zh.startswith("早上好")


def test_internal_callers_get_the_internal_greeting():
    g = greeting_for(HOTEL, dt.time(20, 0), internal=True)
    assert g.zh == "晚上好！总机，请问有什么可以帮您？" and g.script_key == "greeting.hotel.internal"


def test_company_and_city_hotline_scripts():
    assert greeting_for(COMPANY, dt.time(9, 0)).zh == "示例科技公司，您好，有什么可以帮助您？"
    assert greeting_for(CITY, dt.time(9, 0)).zh == "您好！市长热线，请问有什么可以帮到您？"


def test_line_templates_win_and_take_the_time_of_day():
    line = LineInfo(kind="switchboard", organisation_name="X", organisation_kind="hotel",
                    greeting_zh="{greeting}！{organisation}欢迎您 {unknown}",
                    greeting_en="{greeting}, welcome")
    g = greeting_for(line, dt.datetime(2025, 5, 1, 14, 0))
    assert g.zh == "下午好！X欢迎您 {unknown}" and g.en == "Good afternoon, welcome"
    assert g.script_key == "greeting.line.external"
