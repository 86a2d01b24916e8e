"""Issue 15 follow-up, point 2: the intake queue by line. An SMS sent to a line's published number
belongs to that line (as a call to it does); operators assigned to lines see those lines' messages
and those of no line (web, e-mail, Open311); the page's chooser narrows to one line; an order made
of a message is on its line."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zongji.services import auth, scope
from zongji.store.models import Line, Organisation, User
from zongji.store.work_order_models import WorkOrder


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"run_worker_in_server": False})


@pytest.fixture
def lines(write):
    with write() as s:
        org = Organisation(code="city2", name="示例市", kind="city_hotline")
        s.add(org)
        s.flush()
        s.add_all([Line(organisation_id=org.id, code="c12345", name="12345热线", kind="hotline_12345", number="12345"),
                   Line(organisation_id=org.id, code="c400", name="400热线", kind="hotline_400", number="4008001234")])
        return auth.add_integration_token(s, "sms-gateway", scopes="sms").token


def _sms(client, token, mid, to, text):
    r = client.post("/api/v1/sms/inbound", json={"message_id": mid, "from": "13800138000", "to": to, "text": text},
                    headers={"Authorization": f"Bearer {token}"})
    assert r.status_code == 200, r.text


def test_operators_see_their_lines_messages_and_choose_one(client, as_role, make_user, write, lines):
    _sms(client, lines, "l1", "12345", "幸福路路灯不亮")
    _sms(client, lines, "l2", "400-800-1234", "快递没有送到")
    _sms(client, lines, "l3", "10690000", "没有线路的短信")
    everyone = as_role("operator")
    items = everyone.get("/api/intake/queue").json()["items"]
    assert [(m["text"], m["line"] and m["line"]["code"]) for m in items] == [
        ("幸福路路灯不亮", "c12345"), ("快递没有送到", "c400"), ("没有线路的短信", None)]
    assert [m["text"] for m in everyone.get("/api/intake/queue", params={"line": "c400"}).json()["items"]] == [
        "快递没有送到", "没有线路的短信"]
    # An operator of the 12345 line sees its messages and those of no line, and may not pick 400.
    op = as_role("operator", username="op12345")
    with write() as s:
        uid = s.scalar(select(User.id).where(User.username == "op12345"))
        scope.set_lines(s, uid, ["c12345"], actor="test")
    mine = op.get("/api/intake/queue").json()
    assert [m["text"] for m in mine["items"]] == ["幸福路路灯不亮", "没有线路的短信"]
    assert [x["code"] for x in mine["lines"]] == ["c12345"]  # the page's chooser
    assert [x["code"] for x in everyone.get("/api/intake/queue").json()["lines"]] == ["c12345", "c400"]
    r = op.get("/api/intake/queue", params={"line": "c400"})
    assert r.status_code == 422 and r.json()["field"] == "line"
    assert everyone.get("/api/intake/queue", params={"line": "nope"}).json()["field"] == "line"
    # The order made of the 12345 message is on the 12345 line.
    first = op.get("/api/intake/queue").json()["items"][0]
    r = op.post(f"/api/intake/messages/{first['id']}/order",
                json={"order_type": "request", "situation": "general", "caller_name": "张三", "place": "幸福路"})
    assert r.status_code in (200, 201), r.text
    with write() as s:
        order = s.scalar(select(WorkOrder))
        assert s.get(Line, order.line_id).code == "c12345"
