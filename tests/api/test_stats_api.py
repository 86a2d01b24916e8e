"""The live wallboard's figures through the API (issue 10, points 1, 2 and 8): calls reported by
the CTI endpoint counted by the domain's definitions, lights against the targets, the lines of
the viewer only, and refused to roles that do not watch the centre."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.api.test_cti import LINE_NUMBER, _line
from zongji.services import scope as scope_service
from zongji.store.models import Line, User, utcnow


def _base(tz) -> dt.datetime:
    """A minute ago, but never before the site's midnight: every call of the test is today's."""
    now = utcnow()
    midnight = dt.datetime.combine(now.astimezone(tz).date(), dt.time(0), tzinfo=tz)
    return max(now - dt.timedelta(minutes=1), midnight.astimezone(dt.UTC))


def _report(client, token, call_id, *events, direction="in"):
    base = {"callId": call_id, "from": "13800138000", "to": LINE_NUMBER, "direction": direction}
    for event, at, extra in events:
        body = {**base, "event": event, "at": at.isoformat(), **extra}
        r = client.post("/api/cti/events", json=body, headers={"Authorization": f"Bearer {token}"})
        assert r.status_code == 202, r.text


def _calls(client, token, t0):
    s = dt.timedelta(seconds=1)
    _report(client, token, "a", ("newCall", t0, {}), ("answer", t0 + 10 * s, {"answeringNumber": "1001"}),
            ("hangup", t0 + 40 * s, {"cause": "normalClearing"}))  # answered within 15 s
    _report(client, token, "b", ("newCall", t0, {}), ("answer", t0 + 20 * s, {}))  # answered late, still talking
    _report(client, token, "c", ("newCall", t0, {}), ("hangup", t0 + 30 * s, {"cause": "cancel"}))  # abandoned
    _report(client, token, "d", ("newCall", t0, {}), ("hangup", t0 + 2 * s, {"cause": "cancel"}))  # short abandon
    _report(client, token, "e", ("newCall", t0, {}))  # ringing now
    _report(client, token, "f", ("newCall", t0, {}), direction="out")  # outbound: never offered


def test_the_wallboard_counts_todays_calls_by_the_definitions(client, write, cti_token, login, settings):
    _line(write)
    login("supervisor")
    _calls(client, cti_token, _base(settings.tz))
    r = client.get("/api/stats/wallboard")
    assert r.status_code == 200, r.text
    wb = r.json()
    today = wb["today"]
    assert (today["offered"], today["answered"], today["abandoned"], today["short_abandoned"]) == (5, 2, 1, 1)
    # Short abandons and the call still ringing are out of the rates: 3 calls counted.
    assert today["answer_rate"] == pytest.approx(2 / 3)
    assert today["service_level"] == pytest.approx(1 / 3)  # 1 answered within 15 s
    assert today["asa"] == pytest.approx(15)
    assert wb["targets"]["answer_rate"] == {"target": 0.85, "light": "red"}
    assert wb["targets"]["service_level"]["light"] == "red"
    assert wb["now"]["ringing"] == 1 and wb["now"]["talking"] == 1
    assert wb["now"]["longest_wait_seconds"] is not None
    assert sum(h["offered"] for h in wb["half_hours"]) == 5
    assert sum(h["answered"] for h in wb["half_hours"]) == 2
    assert wb["lines"] is None  # a supervisor watches every line
    # Each figure comes with its label and definition in both languages.
    f = {x["key"]: x for x in wb["figures"]}
    assert f["answer_rate"]["label_zh"] == "接通率" and "short abandons" in f["answer_rate"]["definition_en"]
    assert client.get("/api/stats/figures").json()["policy"]["service_level_seconds"] == 15


def test_a_shift_leader_sees_only_the_lines_they_work_for(client, write, cti_token, login, settings):
    _line(write)
    _line(write, number="4008001234", code="c400", kind="hotline_400")
    username = login("shift_leader")
    with write() as s:
        user = s.scalar(select(User).where(User.username == username))
        scope_service.set_lines(s, user.id, ["c400"], actor="test")
    _calls(client, cti_token, _base(settings.tz))
    wb = client.get("/api/stats/wallboard").json()
    assert wb["lines"] == ["c400"]
    assert wb["today"]["offered"] == 0 and wb["now"]["ringing"] == 0
    assert wb["today"]["answer_rate"] is None and wb["targets"]["answer_rate"]["light"] == "none"
    assert wb["wakeups"] is None  # no hotel switchboard among their lines


@pytest.mark.parametrize("role", ["operator", "unit_handler"])
def test_roles_that_do_not_watch_the_centre_are_refused(client, login, role):
    login(role)
    r = client.get("/api/stats/wallboard")
    assert r.status_code == 403


def test_the_wallboard_page_is_for_those_who_watch_the_centre(client, login):
    login("operator")
    assert 'src="/static/wallboard.js' not in client.get("/wallboard").text  # the page's own script
    client.post("/api/auth/logout")
    login("shift_leader")
    page = client.get("/wallboard").text
    assert 'src="/static/wallboard.js' in page and "实时大屏" in page


def test_the_call_report_groups_the_same_figures_and_exports_them(client, write, cti_token, login, settings):
    import io

    from openpyxl import load_workbook

    _line(write)
    login("supervisor")
    t0 = _base(settings.tz)
    _calls(client, cti_token, t0)
    day = t0.astimezone(settings.tz).date().isoformat()
    r = client.get("/api/stats/calls", params={"date_from": day, "date_to": day, "group": "day"})
    assert r.status_code == 200, r.text
    report = r.json()
    assert [row["key"] for row in report["rows"]] == [day]
    assert report["rows"][0]["figures"] == report["total"]
    assert (report["total"]["offered"], report["total"]["answered"]) == (5, 2)
    assert report["total"]["answer_rate"] == pytest.approx(2 / 3)
    # By line: every call on the hotel line; by interval: the weekday's half-hour, per day of it.
    by_line = client.get("/api/stats/calls", params={"date_from": day, "date_to": day, "group": "line"}).json()
    assert [row["label"] for row in by_line["rows"]] == ["hotel 酒店总机"]
    prof = client.get("/api/stats/calls", params={"date_from": day, "date_to": day, "group": "interval"}).json()
    assert sum(row["per_day"] for row in prof["rows"]) == 5
    # The workbook holds the same numbers.
    x = client.get("/api/stats/calls.xlsx", params={"date_from": day, "date_to": day, "group": "day"})
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxmlformats")
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    head = [c.value for c in ws[2]]
    total = {h: c.value for h, c in zip(head, ws[ws.max_row])}
    assert total[head[0]] == "合计"
    assert total["呼入量"] == 5 and total["接听量"] == 2
    assert total["接通率"] == pytest.approx(round(2 / 3, 4))


@pytest.mark.parametrize("params, field", [
    ({"date_from": "2026-12-05", "date_to": "2026-12-01"}, "date_to"),
    ({"date_from": "2025-01-01", "date_to": "2026-12-01"}, "date_to"),
    ({"date_from": "1800-01-01", "date_to": "1800-01-02"}, "date_from"),
    ({"date_from": "2026-12-01", "date_to": "2026-12-02", "group": "weekday"}, "group"),
    ({"date_from": "20261201", "date_to": "2026-12-02"}, "date_from"),
])
def test_a_bad_range_or_grouping_names_its_field(client, login, params, field):
    login("supervisor")
    r = client.get("/api/stats/calls", params=params)
    assert r.status_code == 422 and r.json()["field"] == field


def test_an_operator_sees_only_the_calls_they_answered(client, write, cti_token, make_user, settings):
    _line(write)
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    _calls(client, cti_token, _base(settings.tz))
    r = client.post("/api/auth/login", json={"username": "wang", "password": "secret-pass-1"})
    assert r.status_code == 200
    day = _base(settings.tz).astimezone(settings.tz).date().isoformat()
    report = client.get("/api/stats/calls", params={"date_from": day, "date_to": day, "group": "operator"}).json()
    assert report["own_calls_only"] is True
    assert [(row["label"], row["figures"]["answered"]) for row in report["rows"]] == [("1001 王小红", 1)]


def test_the_forecast_staffs_each_half_hour_from_the_last_weeks(client, write, login, settings):
    """100 calls in a Monday 09:00 half-hour in each of the last 4 weeks, 180 s handle time: the
    published vector (target 20 s at 80 %, shrinkage 0.3, max occupancy 0.85) gives 14 operators
    on the phones and 20 positions for next Monday 09:00; an hour with no call needs nobody."""
    from zongji.store.models import Call

    _line(write)
    tz = settings.tz
    today = utcnow().astimezone(tz).date()
    monday = today - dt.timedelta(days=today.weekday())
    with write() as s:
        line_id = s.scalar(select(Line.id))
        for week in range(1, 5):
            base = dt.datetime.combine(monday - dt.timedelta(weeks=week), dt.time(9, 0), tzinfo=tz)
            for i in range(100):
                rang = base + dt.timedelta(seconds=17 * i)
                s.add(Call(line_id=line_id, direction="in", calling_number=f"1380000{i:04d}", called_number=LINE_NUMBER,
                           state="ended", outcome="answered", ringing_at=rang, answered_at=rang,
                           ended_at=rang + dt.timedelta(seconds=180)))
    login("supervisor")
    r = client.get("/api/stats/forecast", params={"weeks": 4, "target_seconds": 20, "target_level": 0.8,
                                                  "shrinkage": 0.3, "max_occupancy": 0.85})
    assert r.status_code == 200, r.text
    f = r.json()
    assert f["aht_seconds"] == 180 and f["history"]["calls"] == 400
    monday_next = f["days"][0]
    assert monday_next["date"] == (monday + dt.timedelta(weeks=1)).isoformat()
    nine = next(x for x in monday_next["slots"] if x["start"] == "09:00")
    assert (nine["calls"], nine["agents"], nine["positions"]) == (100, 14, 20)
    assert nine["service_level"] == pytest.approx(0.888, abs=1e-3)
    assert nine["occupancy"] == pytest.approx(0.714, abs=1e-3)
    ten = next(x for x in monday_next["slots"] if x["start"] == "10:00")
    assert (ten["calls"], ten["positions"]) == (0, 0)
    assert monday_next["peak_positions"] == 20
    r = client.get("/api/stats/forecast", params={"target_level": 1})
    assert r.status_code == 422 and r.json()["field"] == "target_level"


def test_operators_logged_in_are_counted_and_the_watching_supervisor_is_not(client, write, login, make_user):
    username, password = make_user("operator")
    from fastapi.testclient import TestClient

    with TestClient(client.app) as other:
        assert other.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
        login("supervisor")
        ops = client.get("/api/stats/wallboard").json()["now"]["operators"]
        assert ops == {"logged_in": 1, "on_call": 0, "free": 1, "away": 0, "away_list": []}
        other.post("/api/auth/logout")
        assert client.get("/api/stats/wallboard").json()["now"]["operators"]["logged_in"] == 0


def test_an_abandoned_call_answered_back_counts_in_the_24_hour_answer_rate(client, write, cti_token, login,
                                                                           settings):
    """GB/T 33358-2016: the 24-hour answer rate counts a call abandoned and called back within 24
    hours. Here the operator calls the abandoned caller back (an outbound call answered)."""
    _line(write)
    login("supervisor")
    t0 = _base(settings.tz)
    _calls(client, cti_token, t0)
    day = t0.astimezone(settings.tz).date().isoformat()

    def rate_24h():
        return client.get("/api/stats/calls", params={"date_from": day, "date_to": day}).json()["total"]["answer_rate_24h"]

    assert rate_24h() == pytest.approx(2 / 3)  # answered a and b of a, b, c
    s = dt.timedelta(seconds=1)
    back = {"callId": "back-c", "from": "8001", "to": "13800138000", "direction": "out"}
    for event, at, extra in (("newCall", t0 + 50 * s, {}), ("answer", t0 + 55 * s, {}),
                             ("hangup", t0 + 90 * s, {"cause": "normalClearing"})):
        r = client.post("/api/cti/events", json={**back, "event": event, "at": at.isoformat(), **extra},
                        headers={"Authorization": f"Bearer {cti_token}"})
        assert r.status_code == 202, r.text
    assert rate_24h() == pytest.approx(1.0)
    total = client.get("/api/stats/calls", params={"date_from": day, "date_to": day}).json()["total"]
    assert total["answer_rate"] == pytest.approx(2 / 3) and total["offered"] == 5  # the callback is not offered
