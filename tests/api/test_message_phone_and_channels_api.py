"""Issue 8 point 6: a manager's message marked delivered by phone; channels this site cannot use
are named with the reason instead of failing after sending."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zongji.demo.data import DEMO_PASSWORD
from zongji.store.models import Person



def _as(client, username: str) -> None:
    client.cookies.clear()
    r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text


def test_message_told_by_phone_and_unusable_channels_named(demo, client, session_factory, settings):
    with session_factory() as s:
        p = s.scalar(select(Person).where(Person.name == "周文杰"))
    _as(client, "operator")
    # Neither an SMS gateway nor an SMTP server is set up in this test: both are named as such.
    assert not settings.sms_gateway_url and not settings.smtp_host
    r = client.get("/api/switchboard/recipient-channels", params={"recipient_kind": "staff", "recipient_id": p.id})
    assert r.json()["unavailable"] == {"sms": "not_configured", "pager": "not_configured", "email": "not_configured"}

    m = client.post("/api/switchboard/messages", json={
        "recipient_kind": "staff", "recipient_id": p.id, "caller_name": "李经理", "caller_number": "13700001234",
        "content": "请回电话", "read_back": True})
    assert m.status_code == 201, m.text
    mid = m.json()["id"]
    assert client.get(f"/api/switchboard/messages/{mid}/channels").json()["unavailable"]["sms"] == "not_configured"
    # The operator phoned the manager and told them: delivered by phone, with who and when.
    d = client.post(f"/api/switchboard/messages/{mid}/deliveries", json={"channel": "phone"})
    assert d.status_code == 200, d.text
    out = d.json()
    assert out["state"] == "delivered"
    assert [(x["channel"], bool(x["at"]), bool(x["by"])) for x in out["deliveries"]] == [("phone", True, True)]
    listed = next(x for x in client.get("/api/switchboard/messages").json()["items"] if x["id"] == mid)
    assert listed["deliveries"][0]["channel"] == "phone"
    bad = client.post(f"/api/switchboard/messages/{mid}/deliveries", json={"channel": "fax"})
    assert bad.status_code == 422
