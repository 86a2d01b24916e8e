"""The intake queue and the SMS channel end to end (issue 15, points 1, 2, 6, 7): an SMS comes in
over HTTP through the gateway's webhook, waits in the queue with its clock, an operator makes an
order of it, the answer reaches the citizen through the SMS gateway (the in-repo double of the
documented contract), "查询 <number>" is answered by itself, retried deliveries store nothing new."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from zongji.demo.sms_gateway_double import SmsGatewayDouble
from zongji.services import auth
from zongji.store.intake_models import IntakeMessage
from zongji.store.models import utcnow
from zongji.store.work_order_models import WorkOrder
from zongji.worker.runner import Worker
from zongji.worker.tasks import load_all


@pytest.fixture
def gateway():
    g = SmsGatewayDouble(token="sms-out").start()
    yield g
    g.stop()


@pytest.fixture
def settings(settings, gateway):
    """The test's own worker sends the answers (none in the app's process)."""
    return settings.model_copy(update={"run_worker_in_server": False, "sms_gateway_url": gateway.url,
                                       "sms_gateway_token": "sms-out", "notify_retry_seconds": 0})


@pytest.fixture
def sms_token(write) -> str:
    with write() as s:
        return auth.add_integration_token(s, "sms-gateway", scopes="sms").token


def _sms(client, token, **body):
    return client.post("/api/v1/sms/inbound", json=body, headers={"Authorization": f"Bearer {token}"})


def _send_answers(runtime):
    Worker(runtime, handlers=load_all(), clock=lambda: utcnow() + dt.timedelta(seconds=1)).run_once()


ORDER = {"order_type": "request", "situation": "general", "caller_name": "张三", "place": "幸福路88号"}


def test_an_sms_becomes_an_order_and_the_citizen_is_answered_by_sms(client, as_role, sms_token, gateway, runtime, write):
    r = _sms(client, sms_token, message_id="gw-1", **{"from": "+86 138 0013 8000"}, to="12345",
             text="幸福路88号小区东门路灯不亮，晚上很黑")
    assert r.status_code == 200, r.text
    assert r.json()["duplicate"] is False and r.json()["complete"] is True
    # Retried by the gateway: the same answer, nothing new stored.
    again = _sms(client, sms_token, message_id="gw-1", **{"from": "+86 138 0013 8000"}, text="幸福路88号小区东门路灯不亮，晚上很黑")
    assert again.json()["duplicate"] is True and again.json()["intake_message_id"] == r.json()["intake_message_id"]

    op = as_role("operator")
    queue = op.get("/api/intake/queue").json()["items"]
    assert [m["text"] for m in queue] == ["幸福路88号小区东门路灯不亮，晚上很黑"]
    assert queue[0]["channel"] == "sms" and 170 < queue[0]["seconds_left"] <= 180  # 3 minutes (GB/T 33358)
    mid = queue[0]["id"]

    r = op.post(f"/api/intake/messages/{mid}/order", json=ORDER)
    assert r.status_code == 201, r.text
    order = r.json()
    assert order["channel"] == "sms" and order["description"] == "幸福路88号小区东门路灯不亮，晚上很黑"
    assert op.get("/api/intake/queue").json()["items"] == []
    # A second operator acting on the same message is told it is handled.
    again = as_role("operator").post(f"/api/intake/messages/{mid}/order", json=ORDER)
    assert again.status_code == 409 and again.json()["field"] == "message_id"

    _send_answers(runtime)
    assert [m["to"] for m in gateway.messages] == ["+8613800138000"]
    assert order["number"] in gateway.messages[0]["text"]

    # The operator writes again on the order; the conversation is kept on it.
    r = op.post(f"/api/intake/orders/{order['id']}/conversation", json={"text": "已通知路灯所，今晚修复。"})
    assert r.status_code == 201, r.text
    _send_answers(runtime)
    assert gateway.messages[-1]["text"] == "已通知路灯所，今晚修复。"
    conv = op.get(f"/api/intake/orders/{order['id']}/conversation").json()["items"]
    assert [(m["direction"], m["state"]) for m in conv] == [("in", "done"), ("out", "sent"), ("out", "sent")]

    # The citizen asks for the state by SMS and is answered at once, without an operator.
    r = _sms(client, sms_token, message_id="gw-2", **{"from": "13800138000"}, text=f"查询 {order['number']}")
    assert r.json()["answered"] is True
    _send_answers(runtime)
    assert gateway.messages[-1]["text"] == f"【12345】工单 {order['number']}：已受理，正在分派。"
    assert op.get("/api/intake/queue").json()["items"] == []
    # Someone else's number learns nothing of an order filed by phone.
    _sms(client, sms_token, message_id="gw-3", **{"from": "13999999999"}, text=f"查询 {order['number']}")
    _send_answers(runtime)
    assert "未查到" in gateway.messages[-1]["text"]

    # Figures for the statistics: volume and first-response time per channel.
    today = dt.datetime.now(runtime.settings.tz).date()
    figs = {f["channel"]: f for f in op.get("/api/intake/figures", params={
        "date_from": today.isoformat(), "date_to": (today + dt.timedelta(days=1)).isoformat()}).json()["items"]}
    assert figs["sms"]["messages"] == 3 and figs["sms"]["answered"] == 3 and figs["sms"]["answered_in_time"] == 3
    assert figs["sms"]["orders"] == 1 and figs["sms"]["mean_first_response_seconds"] is not None


def test_a_long_sms_is_queued_once_its_parts_are_in(client, as_role, sms_token):
    parts = [("p2", 2, "东门路灯不亮，"), ("p3", 3, "已经三天了。"), ("p1", 1, "幸福路八十八号")]
    for i, (mid, no, text) in enumerate(parts):
        r = _sms(client, sms_token, message_id=mid, **{"from": "13800138000"}, text=text, reference="7a", part=no, total=3)
        assert r.status_code == 200, r.text
        assert r.json()["complete"] is (i == 2)
    assert _sms(client, sms_token, message_id="p3", **{"from": "13800138000"}, text="已经三天了。", reference="7a",
                part=3, total=3).json()["duplicate"] is True
    items = as_role("operator").get("/api/intake/queue").json()["items"]
    assert [m["text"] for m in items] == ["幸福路八十八号东门路灯不亮，已经三天了。"]


def test_a_message_goes_to_the_same_senders_open_order_or_is_answered_from_the_knowledge_base(
        client, as_role, sms_token, write):
    op = as_role("operator")
    _sms(client, sms_token, message_id="a1", **{"from": "13800138000"}, text="幸福路88号路灯不亮")
    first = op.get("/api/intake/queue").json()["items"][0]
    order = op.post(f"/api/intake/messages/{first['id']}/order", json=ORDER).json()
    _sms(client, sms_token, message_id="a2", **{"from": "13800138000"}, text="补充：是东门那一排路灯")
    second = op.get("/api/intake/queue").json()["items"][0]
    cands = op.get(f"/api/intake/messages/{second['id']}/candidates").json()
    assert [o["number"] for o in cands["same_sender"]] == [order["number"]]
    r = op.post(f"/api/intake/messages/{second['id']}/add", json={"order_id": order["id"]})
    assert r.status_code == 200 and r.json()["number"] == order["number"]
    conv = op.get(f"/api/intake/orders/{order['id']}/conversation").json()["items"]
    assert [m["text"] for m in conv if m["direction"] == "in"] == ["幸福路88号路灯不亮", "补充：是东门那一排路灯"]

    _sms(client, sms_token, message_id="a3", **{"from": "13700000000"}, text="社保卡丢了怎么补办？")
    third = op.get("/api/intake/queue").json()["items"][0]
    r = op.post(f"/api/intake/messages/{third['id']}/answer", json={"text": "请携带身份证到社保中心窗口补办。"})
    assert r.status_code == 200 and r.json()["state"] == "pending"
    with write() as s:
        m = s.get(IntakeMessage, third["id"])
        assert m.outcome == "answered" and m.order_id is None and m.first_responded_at is not None
        assert s.scalar(select(WorkOrder.id).where(WorkOrder.description.like("%社保%"))) is None


def test_bad_deliveries_are_refused_naming_the_field(client, sms_token, as_role):
    assert client.post("/api/v1/sms/inbound", json={"message_id": "x", "from": "1380", "text": "a"}).status_code == 401
    r = _sms(client, "wrong-token", message_id="x", **{"from": "13800138000"}, text="a")
    assert r.status_code == 401
    for body, field in [({"message_id": "b1", "from": "no digits", "text": "路灯"}, "from"),
                        ({"message_id": "b2", "from": "13800138000", "text": "   "}, "text"),
                        ({"message_id": "b3", "from": "13800138000", "text": "a", "part": 2, "total": 1}, "part"),
                        ({"message_id": "b4", "from": "13800138000", "text": "a", "part": 1, "total": 2}, "reference")]:
        r = _sms(client, sms_token, **body)
        assert r.status_code == 422 and r.json()["field"] == field, (body, r.text)
    # A unit handler does not work the queue; a work order's channel is one of the set.
    assert as_role("unit_handler").get("/api/intake/queue").status_code == 403
    r = as_role("operator").post("/api/work-orders", json={**ORDER, "description": "路灯", "channel": "wechat"})
    assert r.status_code == 422 and r.json()["field"] == "channel"


def test_the_queue_page_is_for_the_console(client, login):
    assert client.get("/intake", follow_redirects=False).status_code == 303
    login("operator")
    r = client.get("/intake")
    assert r.status_code == 200 and 'id="iq-list"' in r.text and "/static/intake.js" in r.text


def test_one_number_sending_too_much_is_told_to_wait_and_a_retry_is_not_counted(client, sms_token, app):
    app.state.settings.intake_sms_max_per_hour = 2
    for i in range(2):
        r = _sms(client, sms_token, message_id=f"r{i}", **{"from": "13800138000"}, text=f"第{i}条")
        assert r.status_code == 200
    # The gateway retrying a stored message is answered as before, not refused.
    assert _sms(client, sms_token, message_id="r1", **{"from": "13800138000"}, text="第1条").json()["duplicate"]
    r = _sms(client, sms_token, message_id="r2", **{"from": "+86 13800138000"}, text="第2条")
    assert r.status_code == 429 and r.json()["field"] == "from" and int(r.headers["Retry-After"]) > 3500
    assert _sms(client, sms_token, message_id="r3", **{"from": "13900000000"}, text="别的号码").status_code == 200
