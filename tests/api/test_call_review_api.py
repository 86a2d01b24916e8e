"""Call quality review (质检, issue 10 point 4): a supervisor scores an answered call on the
criteria; the operator who answered sees it, other operators do not; the evaluation shows each
operator's mean; bad scores are refused naming the field."""

from __future__ import annotations

import contextlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.test_cti import _line
from tests.api.test_stats_api import _base, _calls
from tests.api.test_stats_operators_api import _client
from zongji.store.models import Call, User, utcnow

FULL = {"greeting": 10, "listening": 13, "accuracy": 25, "attitude": 15, "closing": 10, "scripts": 10, "forbidden": 5}


def test_a_reviewed_call_gives_the_operator_a_quality_score(app, client, write, cti_token, make_user, settings,
                                                             request):
    _line(write)
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    _calls(client, cti_token, _base(settings.tz))  # wang answers one call
    with write() as s:
        wang_id = s.scalar(select(User.id).where(User.username == "wang"))
        call_id = s.scalar(select(Call.id).where(Call.answered_by_id == wang_id))
        unanswered = s.scalar(select(Call.id).where(Call.answered_at.is_(None)))
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    sup = _client(stack, app, make_user, "supervisor")
    wang = stack.enter_context(TestClient(app))
    assert wang.post("/api/auth/login", json={"username": "wang", "password": "secret-pass-1"}).status_code == 200
    other = _client(stack, app, make_user, "operator", username="li")

    got = sup.get(f"/api/calls/{call_id}/review").json()
    assert got["review"] is None and sum(c["points"] for c in got["criteria"]) == 100
    r = sup.put(f"/api/calls/{call_id}/review", json={"scores": FULL, "comment": "结束语不完整"})
    assert r.status_code == 200, r.text
    assert r.json()["review"]["total"] == 88

    mine = wang.get(f"/api/calls/{call_id}/review").json()["review"]
    assert mine["total"] == 88 and mine["comment"] == "结束语不完整"
    assert other.get(f"/api/calls/{call_id}/review").status_code == 404
    assert wang.get("/api/calls/reviews", params={"call_ids": str(call_id)}).json()["totals"] == {str(call_id): 88}
    assert other.get("/api/calls/reviews", params={"call_ids": str(call_id)}).json()["totals"] == {}
    assert wang.put(f"/api/calls/{call_id}/review", json={"scores": FULL}).status_code == 403

    day = utcnow().astimezone(settings.tz).date().isoformat()
    rows = sup.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()["rows"]
    f = next(r for r in rows if r["operator_number"] == "1001")["figures"]
    assert (f["calls_reviewed"], f["quality_score"]) == (1, 88)

    # A fatal error scores 0, whatever the criteria; reviewed again, the review is replaced.
    assert sup.put(f"/api/calls/{call_id}/review", json={"scores": FULL, "fatal": True}).json()["review"]["total"] == 0
    rows = sup.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()["rows"]
    f = next(r for r in rows if r["operator_number"] == "1001")["figures"]
    assert (f["calls_reviewed"], f["quality_score"]) == (1, 0)

    # Refusals name the field.
    r = sup.put(f"/api/calls/{call_id}/review", json={"scores": {**FULL, "greeting": 11}})
    assert r.status_code == 422 and r.json()["field"] == "scores.greeting"
    r = sup.put(f"/api/calls/{call_id}/review", json={"scores": {k: v for k, v in FULL.items() if k != "closing"}})
    assert r.status_code == 422 and r.json()["field"] == "scores.closing"
    r = sup.put(f"/api/calls/{call_id}/review", json={"scores": {**FULL, "speed": 3}})
    assert r.status_code == 422 and r.json()["field"].startswith("scores")
    if unanswered is not None:
        r = sup.put(f"/api/calls/{unanswered}/review", json={"scores": FULL})
        assert r.status_code == 422 and r.json()["field"] == "call_id"
    assert sup.put("/api/calls/999999/review", json={"scores": FULL}).status_code == 404
