"""Forbidden phrases (R-P10, R-S16; issue 11 point 7): only supervisors and admins edit the list,
anyone checks a text, a saved note answers its hits as warnings (the save goes through), and the
hits are counted in the operator figures and shown to the call's reviewer."""

from __future__ import annotations

import contextlib

from fastapi.testclient import TestClient
from sqlalchemy import select

from tests.api.test_cti import _line
from tests.api.test_stats_api import _base, _calls
from tests.api.test_stats_operators_api import _client
from zongji.store.models import Call, User, utcnow


def test_the_list_is_edited_by_supervisors_and_checked_by_anyone(as_role):
    sup, op, unit = as_role("supervisor"), as_role("operator"), as_role("shift_leader")
    listed = op.get("/api/phrases").json()["phrases"]
    assert {"喂", "我不知道", "你自己去*部门问吧"} <= {p["phrase"] for p in listed}

    new = {"phrase": "你找?局去", "suggestion": "我帮您转给负责的部门。", "kind": "blaming"}
    assert op.post("/api/phrases", json=new).status_code == 403
    assert unit.post("/api/phrases", json=new).status_code == 403
    r = sup.post("/api/phrases", json=new)
    assert r.status_code == 201, r.text
    phrase_id = r.json()["id"]

    r = op.post("/api/phrases/check", json={"text": "喂,你找城局去", "context": "note"})
    assert r.status_code == 200, r.text
    hits = r.json()["hits"]
    assert [(h["phrase"], h["start"], h["end"]) for h in hits] == [("喂", 0, 1), ("你找?局去", 2, 7)]
    assert hits[1]["suggestion"] == "我帮您转给负责的部门。"

    assert sup.put(f"/api/phrases/{phrase_id}", json={"active": False}).status_code == 200
    assert [h["phrase"] for h in op.post("/api/phrases/check", json={"text": "你找城局去"}).json()["hits"]] == []
    assert op.delete(f"/api/phrases/{phrase_id}").status_code == 403
    assert sup.delete(f"/api/phrases/{phrase_id}").status_code == 204
    assert sup.delete(f"/api/phrases/{phrase_id}").status_code == 404


def test_bad_phrases_are_refused_naming_the_field(as_role):
    sup = as_role("supervisor")
    for body, field in (({"phrase": "**"}, "phrase"), ({"phrase": "哼", "kind": "rude"}, "kind"),
                        ({"phrase": "哼", "line_id": 999}, "line_id")):
        r = sup.post("/api/phrases", json=body)
        assert r.status_code in (400, 422), r.text
        assert field in r.text


def test_a_saved_note_warns_and_the_hits_are_counted(app, client, write, cti_token, make_user, settings, request):
    _line(write)
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    _calls(client, cti_token, _base(settings.tz))  # wang answers one call
    with write() as s:
        wang_id = s.scalar(select(User.id).where(User.username == "wang"))
        call_id = s.scalar(select(Call.id).where(Call.answered_by_id == wang_id))
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    sup = _client(stack, app, make_user, "supervisor")
    wang = stack.enter_context(TestClient(app))
    assert wang.post("/api/auth/login", json={"username": "wang", "password": "secret-pass-1"}).status_code == 200

    r = wang.patch(f"/api/calls/{call_id}", json={"notes": "來電人說完了沒有,你自己去民政部门问吧"})
    assert r.status_code == 200, r.text
    assert r.json()["notes"] == "來電人說完了沒有,你自己去民政部门问吧"  # saved, not blocked
    assert [w["phrase"] for w in r.json()["phrase_warnings"]] == ["说完了没有", "你自己去*部门问吧"]
    clean = wang.patch(f"/api/calls/{call_id}", json={"notes": "来电人询问社保卡补办,已告知办理地点"})
    assert clean.json()["phrase_warnings"] == []

    day = utcnow().astimezone(settings.tz).date().isoformat()
    rows = sup.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()["rows"]
    assert next(r for r in rows if r["operator_number"] == "1001")["figures"]["forbidden_phrases"] == 2
    review = sup.get(f"/api/calls/{call_id}/review").json()
    assert [h["phrase"] for h in review["phrase_hits"]] == ["说完了没有", "你自己去*部门问吧"]


def test_hold_needs_consent_and_is_recorded(app, client, write, cti_token, make_user, settings, request):
    from tests.api.test_cti import LINE_NUMBER

    def _post(**data):
        assert client.post(f"/api/v1/cti/{cti_token}", data=data).status_code == 200

    _line(write)
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    wang = stack.enter_context(TestClient(app))
    assert wang.post("/api/auth/login", json={"username": "wang", "password": "secret-pass-1"}).status_code == 200
    _post(event="newCall", callId="h-1", **{"from": "13800001111"}, to=LINE_NUMBER, direction="in")
    _post(event="answer", callId="h-1", **{"from": "13800001111"}, to=LINE_NUMBER, direction="in",
          answeringNumber="1001")
    with write() as s:
        call_id = s.scalar(select(Call.id).where(Call.external_id == "h-1"))

    r = wang.post(f"/api/calls/{call_id}/hold", json={"consent": False})
    assert r.status_code in (400, 422) and "consent" in r.text
    assert wang.post(f"/api/calls/{call_id}/hold/end").status_code == 409
    assert wang.post(f"/api/calls/{call_id}/hold", json={"consent": True}).status_code == 200
    assert wang.post(f"/api/calls/{call_id}/hold/end").status_code == 200
    [hold] = wang.get(f"/api/calls/{call_id}/holds").json()["holds"]
    assert hold["consent"] is True and hold["seconds"] is not None

    sup = _client(stack, app, make_user, "supervisor")
    day = utcnow().astimezone(settings.tz).date().isoformat()
    rows = sup.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()["rows"]
    figures = next(r for r in rows if r["operator_number"] == "1001")["figures"]
    assert figures["holds"] == 1 and figures["hold_seconds"] == hold["seconds"]
