"""The day's weather for operators to quote (R-H14): the shift leader records it, every console
reads it, the console search answers "天气"; refusals name the field."""

from __future__ import annotations

import datetime as dt


def _today(settings):
    return dt.datetime.now(settings.tz).date()


def test_leader_records_and_operators_read_and_search_it(as_role, settings):
    leader, op = as_role("shift_leader"), as_role("operator")
    day = _today(settings)
    assert op.get("/api/weather").json() == []
    r = op.put(f"/api/weather/{day}", json={"summary": "晴"})
    assert r.status_code == 403
    r = leader.put(f"/api/weather/{day}", json={"summary": " 晴转多云 ", "temp_low": 12, "temp_high": 20,
                                                "note": "早晚温差大，提醒客人添衣"})
    assert r.status_code == 200, r.text
    tomorrow = day + dt.timedelta(days=1)
    assert leader.put(f"/api/weather/{tomorrow}", json={"summary": "小雨", "temp_high": 18}).status_code == 200
    got = op.get("/api/weather").json()
    assert [(w["day"], w["summary"], w["temp_low"], w["temp_high"]) for w in got] == [
        (day.isoformat(), "晴转多云", 12, 20), (tomorrow.isoformat(), "小雨", None, 18)]
    assert got[0]["recorded_by"]
    # A correction replaces the day's record.
    leader.put(f"/api/weather/{day}", json={"summary": "多云", "temp_low": 13, "temp_high": 19})
    assert op.get("/api/weather", params={"days": 1}).json()[0]["summary"] == "多云"
    answer = op.get("/api/information", params={"q": "明天天气"}).json()
    assert [w["summary"] for w in answer["weather"]] == ["多云", "小雨"]
    assert op.get("/api/information", params={"q": "健身房"}).json()["weather"] == []


def test_refusals_name_the_field(as_role, settings):
    leader = as_role("supervisor")
    day = _today(settings)
    cases = [
        (f"/api/weather/{day}", {"summary": "   "}, "summary"),
        (f"/api/weather/{day}", {"summary": "晴", "temp_low": 25, "temp_high": 10}, "temp_low"),
        (f"/api/weather/{day}", {"summary": "晴", "temp_high": 99}, "temp_high"),
        (f"/api/weather/{day + dt.timedelta(days=30)}", {"summary": "晴"}, "day"),
        ("/api/weather/2026-13-01", {"summary": "晴"}, "day"),
    ]
    for path, body, field in cases:
        r = leader.put(path, json=body)
        assert r.status_code == 422, (path, body, r.text)
        assert r.json()["field"].split(".")[-1] == field, r.json()
    assert leader.get("/api/weather", params={"days": 0}).json()["field"] == "days"
