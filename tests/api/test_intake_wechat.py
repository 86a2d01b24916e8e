"""Issue 15 follow-up, point 1: the WeChat Official Account channel end to end. WeChat's side is
the in-repo double of its published contract (zongji.demo.wechat_double): a signed server check,
signed XML messages (text, image, location) POSTed to the webhook, idempotent on MsgId; the
operator's answer reaches the citizen through the customer-service message API (token fetched,
refreshed when WeChat says it expired); "查询 <number>" answered by a passive reply XML; with the
adapter ``none`` the answer is listed, not sent."""

from __future__ import annotations

import datetime as dt
import xml.etree.ElementTree as ET

import pytest
from sqlalchemy import select

from zongji.demo.wechat_double import WeChatApiDouble, message_xml, signed_query
from zongji.store.intake_models import IntakeMessage
from zongji.store.models import utcnow
from zongji.worker.runner import Worker
from zongji.worker.tasks import load_all

TOKEN = "wx-server-token"
ORDER = {"order_type": "request", "situation": "general", "caller_name": "微信用户", "place": "幸福路88号"}


@pytest.fixture
def wx_api():
    d = WeChatApiDouble(appid="wx-app", secret="wx-secret").start()
    yield d
    d.stop()


@pytest.fixture
def settings(settings, wx_api):
    return settings.model_copy(update={
        "run_worker_in_server": False, "notify_retry_seconds": 0, "intake_wechat_token": TOKEN,
        "intake_wechat_reply_adapter": "customer_service", "intake_wechat_api_url": wx_api.url,
        "intake_wechat_appid": "wx-app", "intake_wechat_secret": "wx-secret"})


def _post(client, body: bytes, token: str = TOKEN):
    return client.post("/api/v1/wechat", params=signed_query(token), content=body,
                       headers={"Content-Type": "text/xml"})


def _send_answers(runtime):
    Worker(runtime, handlers=load_all(), clock=lambda: utcnow() + dt.timedelta(seconds=1)).run_once()


def test_wechat_server_check_and_signatures(client):
    q = signed_query(TOKEN, timestamp=1733356800, nonce="12345")
    r = client.get("/api/v1/wechat", params={**q, "echostr": "8361234567"})
    assert r.status_code == 200 and r.text == "8361234567"
    r = client.get("/api/v1/wechat", params={**q, "signature": "0" * 40, "echostr": "x"})
    assert r.status_code == 403 and r.json()["field"] == "signature"
    r = _post(client, message_xml("text", content="你好"), token="someone-else")
    assert r.status_code == 403


def test_a_wechat_message_becomes_an_order_and_the_answer_reaches_wechat(client, as_role, runtime, wx_api, write):
    r = _post(client, message_xml("text", content="幸福路88号东门路灯不亮", msg_id=2001))
    assert r.status_code == 200 and r.text == "success"
    assert _post(client, message_xml("text", content="幸福路88号东门路灯不亮", msg_id=2001)).text == "success"  # retry
    assert _post(client, message_xml("image", msg_id=2002, pic_url="http://mmbiz.qpic.cn/x.jpg")).text == "success"
    assert _post(client, message_xml("location", msg_id=2003, x="31.2304", y="121.4737", label="幸福路88号")).text == "success"
    assert _post(client, message_xml("event", event="subscribe")).text == "success"  # acknowledged, not queued
    op = as_role("operator")
    items = op.get("/api/intake/queue").json()["items"]
    assert [(m["channel"], m["text"]) for m in items] == [
        ("app", "幸福路88号东门路灯不亮"), ("app", "[图片] http://mmbiz.qpic.cn/x.jpg"),
        ("app", "[位置] 幸福路88号 (31.2304, 121.4737)")]
    assert 170 < items[0]["seconds_left"] <= 180  # the app channel's 3 minutes
    r = op.post(f"/api/intake/messages/{items[0]['id']}/order", json=ORDER)
    assert r.status_code == 201, r.text
    number = r.json()["number"]
    _send_answers(runtime)
    assert [(m["touser"], m["msgtype"]) for m in wx_api.sent] == [("oCitizen0001", "text")]
    assert number in wx_api.sent[0]["text"]["content"]
    # WeChat expires the token: the next answer fetches a new one and is sent once.
    wx_api.expire_tokens()
    r = op.post(f"/api/intake/messages/{items[2]['id']}/add", json={"order_id": r.json()["id"]})
    assert r.status_code == 200, r.text
    _send_answers(runtime)
    assert len(wx_api.sent) == 2 and wx_api.tokens_issued == 2
    with write() as s:
        outs = list(s.scalars(select(IntakeMessage).where(IntakeMessage.direction == "out")))
        assert {m.state for m in outs} == {"sent"}
    # "查询 <number>": answered at once by a passive reply, To the citizen, From the account.
    r = _post(client, message_xml("text", content=f"查询 {number}", msg_id=2004))
    assert r.status_code == 200 and r.headers["content-type"].startswith("application/xml")
    x = ET.fromstring(r.text)
    assert x.findtext("ToUserName") == "oCitizen0001" and x.findtext("FromUserName") == "gh_12345hotline"
    assert x.findtext("MsgType") == "text" and number in x.findtext("Content")
    assert len(op.get("/api/intake/queue").json()["items"]) == 1  # the image still waits; the query did not


def test_bad_wechat_messages_are_refused_naming_the_field(client):
    for body, field in [(b"", "body"), (b"not xml", "body"), (b"<doc/>", "body"),
                        (b'<!DOCTYPE x [<!ENTITY a "b">]><xml/>', "body"),
                        (message_xml("text", content="x").replace(b"<MsgId>1000000001</MsgId>", b""), "MsgId"),
                        (message_xml("text", content="x", msg_id="abc"), "MsgId"),
                        (message_xml("location", x="north", y="1"), "Location_X"),
                        (message_xml("image", pic_url="javascript:alert(1)"), "PicUrl"),
                        (message_xml("text", content="x", from_user=""), "FromUserName")]:
        r = _post(client, body)
        assert r.status_code == 422 and r.json()["field"] == field, (body, r.text)


def test_with_the_adapter_none_an_answer_is_listed_not_sent(client, as_role, runtime, wx_api, app, write):
    app.state.settings.intake_wechat_reply_adapter = "none"
    runtime.settings.intake_wechat_reply_adapter = "none"
    _post(client, message_xml("text", content="社保卡怎么补办？", msg_id=3001))
    op = as_role("operator")
    m = op.get("/api/intake/queue").json()["items"][0]
    r = op.post(f"/api/intake/messages/{m['id']}/answer", json={"text": "请携带身份证到社保中心补办。"})
    assert r.status_code == 200, r.text
    _send_answers(runtime)
    assert wx_api.sent == []
    with write() as s:
        out = s.scalar(select(IntakeMessage).where(IntakeMessage.direction == "out"))
        assert out.state == "recorded" and "none" in out.error


def test_the_channel_is_off_without_a_token(client, app):
    app.state.settings.intake_wechat_token = ""
    r = client.get("/api/v1/wechat", params={**signed_query(""), "echostr": "x"})
    assert r.status_code == 404
