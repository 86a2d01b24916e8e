"""Operator evaluation (issue 10, point 4; R-C4): each operator's period with the evaluator's
comment; an operator sees only their own row."""

from __future__ import annotations

import contextlib
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook

from tests.api.test_cti import _line
from tests.api.test_stats_api import _base, _calls
from zongji.store.models import utcnow


def _client(stack, app, make_user, role, **kw):
    username, password = make_user(role, **kw)
    c = stack.enter_context(TestClient(app))
    assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return c


def test_each_operator_has_their_period_and_a_comment(app, client, write, cti_token, make_user, settings,
                                                      request):
    _line(write)
    make_user("operator", username="wang", operator_number="1001", display_name="王小红")
    _calls(client, cti_token, _base(settings.tz))  # wang answers one call, within 15 s
    stack = contextlib.ExitStack()
    request.addfinalizer(stack.close)
    wang = stack.enter_context(TestClient(app))
    assert wang.post("/api/auth/login", json={"username": "wang", "password": "secret-pass-1"}).status_code == 200
    from sqlalchemy import select

    from zongji.store.models import Department, Organisation

    with write() as s:
        org = s.scalar(select(Organisation))
        sales = Department(organisation_id=org.id, name="销售部")
        s.add(sales)
        s.flush()
        sales_id = sales.id
    # Two messages (the console takes a message only complete and read back, R-C4); one of them
    # told to the department by phone at once: delivered on time (R-H5).
    taken = []
    for number in ("13800000001", "13800000002"):
        r = wang.post("/api/switchboard/messages", json={
            "recipient_kind": "department", "recipient_id": sales_id, "caller_name": "张先生",
            "caller_number": number, "content": "请回电", "read_back": True})
        assert r.status_code == 201, r.text
        taken.append(r.json()["id"])
    r = wang.post(f"/api/switchboard/messages/{taken[0]}/deliveries", json={"channel": "phone"})
    assert r.status_code == 200, r.text
    sup = _client(stack, app, make_user, "supervisor")
    other = _client(stack, app, make_user, "operator")
    day = utcnow().astimezone(settings.tz).date().isoformat()
    rep = sup.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()
    row = next(r for r in rep["rows"] if r["operator_number"] == "1001")
    f = row["figures"]
    assert f["calls_answered"] == 1 and f["aht"] == pytest.approx(30)
    assert f["messages_taken"] == 2 and f["message_completeness"] == 1.0
    assert f["messages_delivered_on_time"] == 0.5
    calls = sup.get("/api/stats/calls", params={"date_from": day, "date_to": day}).json()
    assert calls["messages"] == {"messages_taken": 2, "message_completeness": 1.0, "messages_delivered_on_time": 0.5}
    assert rep["may_comment"] is True

    r = sup.put(f"/api/stats/operators/{row['user_id']}/comment",
                json={"date_from": day, "date_to": day, "comment": "接听及时，留言需复述"})
    assert r.status_code == 200, r.text
    again = sup.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()
    row = next(r for r in again["rows"] if r["operator_number"] == "1001")
    assert row["comment"]["text"] == "接听及时，留言需复述"

    # An operator sees their own row only, and may not comment.
    mine = wang.get("/api/stats/operators", params={"date_from": day, "date_to": day}).json()
    assert [r["operator_number"] for r in mine["rows"]] == ["1001"] and mine["may_comment"] is False
    assert other.put(f"/api/stats/operators/{row['user_id']}/comment",
                     json={"date_from": day, "date_to": day, "comment": "x"}).status_code == 403
    r = sup.put(f"/api/stats/operators/{row['user_id']}/comment", json={"date_from": day, "date_to": day, "comment": " "})
    assert r.status_code == 422 and r.json()["field"] == "comment"
    r = sup.put(f"/api/stats/operators/{row['user_id']}/comment", json={"date_from": 20261204, "date_to": day,
                                                                          "comment": "好"})
    assert r.status_code == 422 and r.json()["field"] == "date_from"

    x = sup.get("/api/stats/operators.xlsx", params={"date_from": day, "date_to": day})
    ws = load_workbook(io.BytesIO(x.content)).worksheets[0]
    rows = {ws.cell(i, 1).value: [c.value for c in ws[i]] for i in range(3, ws.max_row + 1)}
    head = [c.value for c in ws[2]]
    assert rows["1001"][head.index("留言量")] == 2 and rows["1001"][-1] == "接听及时，留言需复述"
