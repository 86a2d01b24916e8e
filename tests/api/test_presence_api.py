"""Available or away (示忙, issue 10 point 2): an operator goes away with a reason and comes back;
the wallboard counts and lists them at once; the evaluation sums the minutes; logging out ends it."""

from __future__ import annotations

import contextlib
import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import update

from tests.api.test_stats_operators_api import _client
from zongji.store.models import utcnow
from zongji.store.presence_models import OperatorAway


def test_away_and_back_shows_on_the_wallboard_and_in_the_evaluation(app, write, make_user, settings, request):
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    wang = _client(stack, app, make_user, "operator", username="wang", operator_number="1001", display_name="王小红")
    _client(stack, app, make_user, "operator", username="li", operator_number="1002")
    leader = _client(stack, app, make_user, "shift_leader", username="zhao")

    assert wang.get("/api/presence/me").json()["state"] == "available"
    ops = leader.get("/api/stats/wallboard").json()["now"]["operators"]
    assert (ops["logged_in"], ops["free"], ops["away"]) == (3, 3, 0)

    r = wang.put("/api/presence/me", json={"state": "away", "reason": "meal"})
    assert r.status_code == 200 and r.json()["state"] == "away" and r.json()["reason"] == "meal"
    ops = leader.get("/api/stats/wallboard").json()["now"]["operators"]
    assert (ops["logged_in"], ops["free"], ops["away"]) == (3, 2, 1)
    assert [(a["name"], a["reason"], a["long"]) for a in ops["away_list"]] == [("1001 王小红", "meal", False)]

    # Twenty minutes of it: longer than PRESENCE_AWAY_LONG_MINUTES (15), red on the wallboard.
    with write() as s:
        s.execute(update(OperatorAway).values(started_at=utcnow() - dt.timedelta(minutes=20)))
    ops = leader.get("/api/stats/wallboard").json()["now"]["operators"]
    assert ops["away_list"][0]["long"] is True and ops["away_list"][0]["minutes"] == 20
    assert wang.put("/api/presence/me", json={"state": "available"}).json()["state"] == "available"
    ops = leader.get("/api/stats/wallboard").json()["now"]["operators"]
    assert (ops["free"], ops["away"], ops["away_list"]) == (3, 0, [])

    now = utcnow().astimezone(settings.tz)
    day = now.date().isoformat()
    rows = leader.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()["rows"]
    minutes = {r["operator_number"]: r["figures"]["away_minutes"] for r in rows}
    # The day counts the part of the absence after its local midnight (a run just past midnight).
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    expected = min(20.0, (now - midnight).total_seconds() / 60)
    assert expected - 0.1 <= minutes["1001"] <= expected + 0.5 and minutes["1002"] == 0

    # Away again, then logging out ends it: a logged-out operator is not "away" for hours.
    wang.put("/api/presence/me", json={"state": "away", "reason": "break"})
    assert wang.post("/api/auth/logout").status_code == 204
    ops = leader.get("/api/stats/wallboard").json()["now"]["operators"]
    assert (ops["logged_in"], ops["away"]) == (2, 0)
    with write() as s:
        from sqlalchemy import func, select

        assert s.scalar(select(func.count()).select_from(OperatorAway).where(OperatorAway.ended_at.is_(None))) == 0


def test_who_may_be_away_and_what_a_bad_request_gets(app, make_user, request):
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    op = _client(stack, app, make_user, "operator")
    r = op.put("/api/presence/me", json={"state": "away"})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = op.put("/api/presence/me", json={"state": "away", "reason": "nap"})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = op.put("/api/presence/me", json={"state": "asleep"})
    assert r.status_code == 422 and r.json()["field"] == "state"
    sup = _client(stack, app, make_user, "supervisor")
    assert sup.put("/api/presence/me", json={"state": "away", "reason": "break"}).status_code == 403
    assert sup.get("/api/presence/me").json()["state"] == "available"
    unit = stack.enter_context(TestClient(app))
    assert unit.get("/api/presence/me").status_code == 401
