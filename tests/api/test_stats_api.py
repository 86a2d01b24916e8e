"""The live wallboard's figures through the API (issue 10, points 1, 2 and 8): calls reported by
the CTI endpoint counted by the domain's definitions, lights against the targets, the lines of
the viewer only, and refused to roles that do not watch the centre."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from tests.api.test_cti import LINE_NUMBER, _line
from zongji.services import scope as scope_service
from zongji.store.models import User, utcnow


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
    assert "wallboard.js" not in client.get("/wallboard").text
    client.post("/api/auth/logout")
    login("shift_leader")
    page = client.get("/wallboard").text
    assert "wallboard.js" in page and "实时大屏" in page
