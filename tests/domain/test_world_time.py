"""World time: Chinese and English city names, DST, differences to local time."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

from zongji.domain.world_time import (
    UnknownCity,
    find_city,
    home_city,
    search_cities,
    time_difference,
    time_in,
)

SH = ZoneInfo("Asia/Shanghai")
WINTER = dt.datetime(2026, 1, 15, 20, 0, tzinfo=SH)
SUMMER = dt.datetime(2026, 7, 15, 20, 0, tzinfo=SH)


@pytest.mark.parametrize("name,zone", [
    ("纽约", "America/New_York"), ("伦敦", "Europe/London"), ("东京", "Asia/Tokyo"),
    ("New York", "America/New_York"), ("new york", "America/New_York"), ("ＮＹＣ", "America/New_York"),
    ("纽约市", "America/New_York"), ("三藩市", "America/Los_Angeles"), ("Europe/Paris", "Europe/Paris"),
])
def test_find_city(name, zone):
    assert find_city(name).zone == zone


def test_unknown_city():
    assert find_city("火星") is None and find_city("") is None and find_city("Nowhere/Zone") is None
    with pytest.raises(UnknownCity):
        time_in("火星", WINTER, SH)


def test_zone_not_in_table_still_works():
    c = find_city("Pacific/Fiji")
    assert c is not None and time_in(c, WINTER, SH).local.tzinfo is not None


def test_new_york_winter_and_summer():
    w = time_in("纽约", WINTER, SH)
    assert w.local.hour == 7 and not w.dst and w.abbreviation == "EST"
    assert time_difference("纽约", WINTER, SH) == dt.timedelta(hours=-13)
    s = time_in("纽约", SUMMER, SH)
    assert s.local.hour == 8 and s.dst and s.abbreviation == "EDT"
    assert s.difference_hours == -12
    assert "比北京慢12小时" in s.describe("zh", "北京") and "夏令时" in s.describe("zh", "北京")
    assert "12 hours behind Beijing" in s.describe("en", "Beijing")


def test_london_dst():
    assert time_in("伦敦", WINTER, SH).difference_hours == -8
    summer = time_in("London", SUMMER, SH)
    assert summer.difference_hours == -7 and summer.abbreviation == "BST"


def test_tokyo_and_half_hours():
    t = time_in("东京", WINTER, SH)
    assert t.difference_hours == 1 and t.local.hour == 21 and "快1小时" in t.describe("zh", "北京")
    m = time_in("孟买", WINTER, SH)
    assert m.difference == dt.timedelta(hours=-2, minutes=-30)
    assert "2小时30分钟" in m.describe("zh")
    assert time_in("上海", WINTER, SH).describe("zh", "北京").endswith("与北京时间相同")


def test_crossing_the_date_line_and_search():
    t = time_in("洛杉矶", dt.datetime(2026, 1, 15, 8, 0, tzinfo=SH), SH)
    assert t.local.day == 14  # still yesterday in Los Angeles
    assert {"纽约", "新德里"} <= {c.zh for c in search_cities("new")}
    assert search_cities("伦") and search_cities("伦")[0].en == "London"


@pytest.mark.parametrize(("zone", "expected"), [
    ("Asia/Shanghai", ("北京", "Beijing")),
    ("PRC", ("北京", "Beijing")),
    ("Asia/Tokyo", ("东京", "Tokyo")),
    ("America/New_York", ("纽约", "New York")),
    ("Asia/Kolkata", None),  # no listed city of that name: "本地", not a neighbour's name
    ("Europe/Busingen", None),
])
def test_home_city_comes_from_the_site_zone(zone, expected):
    """A site outside China is never told its time difference "比北京…"."""
    assert home_city(ZoneInfo(zone)) == expected
