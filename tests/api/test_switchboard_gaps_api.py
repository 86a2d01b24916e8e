"""Issue 3 gaps on SQLite and PostgreSQL: messages sent by e-mail (a real local SMTP server),
SMS and pager (the SMS gateway double) as jobs that fire once; staff leave with a deputy;
check-out from a PMS (token scope "pms"); public holidays in transfer decisions."""

from __future__ import annotations

import datetime as dt
import json
import socket
import time
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from zongji.services import switchboard as sb
from zongji.services.demo_data import DEMO_PASSWORD, load_demo
from zongji.services.sms_gateway_double import SmsGatewayDouble
from zongji.store.models import AuditEntry, Guest, Person, utcnow
from zongji.store.switchboard_models import MessageSend
from zongji.worker.registry import load_all
from zongji.worker.runner import Worker

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def demo(write, settings):
    with write() as s:
        load_demo(s)
    sb.reset_adapter(settings.resolved_database_url)
    sb.use_settings(settings)
    yield
    sb.reset_adapter(settings.resolved_database_url)


@pytest.fixture
def app(settings):
    from zongji.api.app import create_app

    # The same settings object, so a test can point e-mail and SMS at its servers; timers are
    # run by the tests themselves (run_jobs) with a controlled clock.
    settings.run_worker_in_server = False
    return create_app(settings)


@pytest.fixture
def as_user(client):
    def _as(username: str) -> None:
        client.cookies.clear()
        r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
        assert r.status_code == 200, r.text

    return _as


@pytest.fixture
def run_jobs(session_factory):
    def _run(at: dt.datetime | None = None) -> int:
        w = Worker(session_factory, handlers=load_all(), clock=lambda: at or utcnow())
        total = 0
        while (n := w.run_once()):
            total += n
        return total

    return _run


@pytest.fixture
def smtp_server():
    from aiosmtpd.controller import Controller
    from aiosmtpd.handlers import Message

    received = []

    class Keep(Message):
        def handle_message(self, message):
            received.append(message)

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    ctl = Controller(Keep(), hostname="127.0.0.1", port=port)
    ctl.start()
    yield ctl, received
    ctl.stop()


@pytest.fixture
def gateway():
    gw = SmsGatewayDouble(token="sms-secret").start()
    yield gw
    gw.stop()


@pytest.fixture
def channels(settings, smtp_server, gateway):
    ctl, received = smtp_server
    settings.smtp_host, settings.smtp_port = "127.0.0.1", ctl.port
    settings.sms_gateway_url, settings.sms_gateway_token = gateway.url, "sms-secret"
    settings.notify_retry_seconds, settings.notify_max_attempts = 0, 2
    return received, gateway


def _person(session_factory, name: str) -> Person:
    with session_factory() as s:
        return s.scalar(select(Person).where(Person.name == name))


def _message(client, recipient_kind: str, recipient_id: int, **extra):
    r = client.post("/api/switchboard/messages", json={
        "recipient_kind": recipient_kind, "recipient_id": recipient_id, "caller_name": "李工",
        "caller_number": "13900002222", "content": "电梯维保改到周五上午", "read_back": True, **extra})
    assert r.status_code == 201, r.text
    return r.json()


def _open_message(client, mid: int) -> dict:
    return next(m for m in client.get("/api/switchboard/messages?state=all").json()["items"] if m["id"] == mid)


# --------------------------------------------------------------------------- 1. delivery by SMS, e-mail, pager


def test_message_for_staff_goes_out_by_email_sms_and_pager_once(
        demo, client, as_user, session_factory, write, settings, run_jobs, channels):
    received, gateway = channels
    as_user("operator")
    zhang = _person(session_factory, "张伟")
    with write() as s:
        s.get(Person, zhang.id).email = "zhangwei@example.org"
    m = _message(client, "staff", zhang.id, deliver_by=["email", "sms"])
    assert m["state"] == "confirmed"  # not delivered until the worker has sent it
    assert [(x["channel"], x["state"]) for x in m["sends"]] == [("email", "pending"), ("sms", "pending")]
    r = client.get(f"/api/switchboard/messages/{m['id']}/channels")
    assert r.json()["channels"] == {"sms": zhang.mobile, "email": "zhangwei@example.org", "pager": zhang.pager}

    run_jobs()
    assert len(received) == 1
    mail = received[0]
    assert mail["To"] == "zhangwei@example.org"
    assert "李工" in str(make_header(decode_header(mail["Subject"])))
    assert "电梯维保改到周五上午" in mail.get_payload(decode=True).decode("utf-8")
    assert [g["to"] for g in gateway.messages] == [zhang.mobile]
    assert "电梯维保改到周五上午" in gateway.messages[0]["text"]
    got = _open_message(client, m["id"])
    assert got["state"] == "delivered"
    assert sorted((d["channel"], d["by"]) for d in got["deliveries"]) == [("email", "system"), ("sms", "system")]
    assert {x["channel"]: x["state"] for x in got["sends"]} == {"email": "sent", "sms": "sent"}
    assert all(x["sent_at"] for x in got["sends"])

    # Pager from the waiting-messages list: an SMS to the pager number.
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "pager"})
    assert r.status_code == 202, r.text
    run_jobs()
    assert [g["to"] for g in gateway.messages] == [zhang.mobile, zhang.pager]
    # Fired once: more worker runs send nothing more.
    run_jobs(utcnow() + dt.timedelta(hours=1))
    assert len(received) == 1 and len(gateway.messages) == 2
    with session_factory() as s:
        actions = {a.action for a in s.scalars(select(AuditEntry).where(
            AuditEntry.entity == "message", AuditEntry.entity_id == str(m["id"])))}
    assert {"create", "send", "deliver"} <= actions


def test_failed_sms_keeps_the_message_undelivered_raised_and_in_the_handover(
        demo, client, as_user, session_factory, settings, run_jobs, channels):
    _received, gateway = channels
    as_user("operator")
    zhang = _person(session_factory, "张伟")
    m = _message(client, "staff", zhang.id)
    gateway.fail_next(5)
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "sms"})
    assert r.status_code == 202
    run_jobs()
    got = _open_message(client, m["id"])
    send = got["sends"][0]
    assert send["state"] == "failed" and send["attempts"] == 2 and "503" in send["error"]
    assert got["state"] == "confirmed" and got["deliveries"] == []
    run_jobs(utcnow() + dt.timedelta(minutes=16))
    assert _open_message(client, m["id"])["raised_count"] == 1
    h = client.get("/api/handover/current").json()
    section = next(s for s in h["sections"] if s["key"] == "messages")
    assert any("电梯维保改到周五上午" in it["text"]["zh"] for it in section["items"])


def test_send_refusals_name_the_field(demo, client, as_user, session_factory, settings, channels):
    as_user("operator")
    zhang = _person(session_factory, "张伟")
    m = _message(client, "staff", zhang.id)
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "email"})
    assert r.status_code == 422 and r.json()["field"] == "address"  # no e-mail in the directory
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "email", "address": "nope"})
    assert r.status_code == 422 and r.json()["field"] == "address"
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "fax"})
    assert r.status_code == 422 and "channel" in json.dumps(r.json()), r.text
    assert client.post("/api/switchboard/messages/999999/send", json={"channel": "sms"}).status_code == 404
    as_user("unit")
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "sms"})
    assert r.status_code == 403


def test_guest_sms_address_is_masked(demo, client, as_user, session_factory, settings, run_jobs, channels):
    from zongji.services.switchboard_demo import DEMO_DND_GUEST_NAME

    _received, gateway = channels
    as_user("operator")
    with session_factory() as s:
        g = s.scalar(select(Guest).where(Guest.name == DEMO_DND_GUEST_NAME))
        gid, mobile = g.id, g.mobile
    if not mobile:
        pytest.skip("demo guest without a mobile")
    m = _message(client, "guest", gid, deliver_by=["lamp", "sms"])
    assert mobile not in json.dumps(m)
    run_jobs()
    assert [g["to"] for g in gateway.messages] == [mobile]
    got = _open_message(client, m["id"])
    assert {d["channel"] for d in got["deliveries"]} == {"lamp", "sms"}
    assert mobile not in json.dumps(got)
