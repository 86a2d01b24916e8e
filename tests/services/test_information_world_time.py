"""World time answers name "here" after the site's own time zone (R-H7): 北京 for China, the
site's city elsewhere, 本地 / local time when the zone has no listed city — never 北京 abroad."""

from __future__ import annotations

import datetime as dt

import pytest

from zongji.domain.world_time import find_city
from zongji.services.information import world_time_out
from zongji.settings import Settings

AT = dt.datetime(2026, 1, 15, 12, 0, tzinfo=dt.UTC)


@pytest.mark.parametrize(("timezone", "zh", "en"), [
    ("Asia/Shanghai", "比北京慢13小时", "13 hours behind Beijing"),
    ("Asia/Tokyo", "比东京慢14小时", "14 hours behind Tokyo"),
    ("Asia/Kolkata", "比本地慢10小时30分钟", "10 h 30 min behind local time"),
])
def test_home_label_follows_the_site_time_zone(tmp_path, timezone, zh, en):
    settings = Settings(data_dir=tmp_path, timezone=timezone)
    out = world_time_out(find_city("纽约"), AT, settings)
    assert out["text"]["zh"].endswith(zh) and out["text"]["en"].endswith(en)
    if timezone != "Asia/Shanghai":
        assert "北京" not in out["text"]["zh"] and "Beijing" not in out["text"]["en"]
