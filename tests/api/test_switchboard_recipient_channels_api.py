"""GET /api/switchboard/recipient-channels: the message form's "send by" choices before the
message exists — the directory's address per channel, guests masked and the read audited,
console roles only; bad input named."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zongji.demo.data import DEMO_PASSWORD, DEMO_PMS_TOKEN
from zongji.demo.switchboard import DEMO_DND_GUEST_MOBILE, DEMO_DND_GUEST_NAME
from zongji.store.models import AuditEntry, Guest, Person

URL = "/api/switchboard/recipient-channels"



def _as(client, username: str) -> None:
    client.cookies.clear()
    r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text


def test_staff_channels_guest_masked_and_audited_console_only(demo, client, session_factory):
    with session_factory() as s:
        p = s.scalar(select(Person).where(Person.name == "周文杰"))
        g = s.scalar(select(Guest).where(Guest.name == DEMO_DND_GUEST_NAME))
    _as(client, "operator")
    r = client.get(URL, params={"recipient_kind": "staff", "recipient_id": p.id})
    assert r.status_code == 200, r.text
    assert r.json()["channels"] == {"sms": p.mobile, "email": p.email, "pager": p.pager}
    assert p.email and p.email.endswith("@hotel.example.com")

    r = client.get(URL, params={"recipient_kind": "guest", "recipient_id": g.id})
    assert r.status_code == 200, r.text
    ch = r.json()["channels"]
    assert set(ch) == {"sms", "email"}
    assert ch["sms"] == DEMO_DND_GUEST_MOBILE[:3] + "****" + DEMO_DND_GUEST_MOBILE[-4:]
    assert DEMO_DND_GUEST_MOBILE not in r.text
    with session_factory() as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.entity == "guest", AuditEntry.entity_id == str(g.id),
                                                 AuditEntry.action == "read")) is not None

    r = client.get(URL, params={"recipient_kind": "room", "recipient_id": 1})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "recipient_kind"
    r = client.get(URL, params={"recipient_kind": "staff", "recipient_id": 0})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "recipient_id"

    _as(client, "unit")
    assert client.get(URL, params={"recipient_kind": "staff", "recipient_id": p.id}).status_code == 403


def test_demo_pms_token_checks_out(demo, client):
    r = client.post("/api/v1/stays/check-out", json={"room": "0000"},
                    headers={"Authorization": f"Bearer {DEMO_PMS_TOKEN}"})
    assert r.status_code == 404 and r.json()["field"] == "room"
    r = client.post("/api/v1/stays/check-out", json={"room": "0000"}, headers={"Authorization": "Bearer nope"})
    assert r.status_code == 401
