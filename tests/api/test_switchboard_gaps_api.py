"""Issue 3 gaps on SQLite and PostgreSQL: messages sent by e-mail (a real local SMTP server),
SMS and pager (the SMS gateway double) as jobs that fire once; staff leave with a deputy;
check-out from a PMS (token scope "pms"); public holidays in transfer decisions."""

from __future__ import annotations

import datetime as dt
import json
import time
from email.header import decode_header, make_header
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from zongji.demo.sms_gateway_double import SmsGatewayDouble
from zongji.services.switchboard import transfers
from zongji.store.db import transaction
from zongji.store.models import AuditEntry, Guest, Person, utcnow
from zongji.store.switchboard_models import MessageSend
from zongji.worker.tasks import load_all
from zongji.worker.runner import Worker
from tests.switchboard_support import as_user, demo  # noqa: F401 (fixtures)

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def app(settings):
    from zongji.api.app import create_app

    # The same settings object, so a test can point e-mail and SMS at its servers; timers are
    # run by the tests themselves (run_jobs) with a controlled clock.
    settings.run_worker_in_server = False
    return create_app(settings)


@pytest.fixture
def run_jobs(runtime):
    def _run(at: dt.datetime | None = None) -> int:
        w = Worker(runtime, handlers=load_all(), clock=lambda: at or utcnow())
        total = 0
        while (n := w.run_once()):
            total += n
        return total

    return _run


def _switchboard_sms(gateway) -> list[dict]:
    """The SMS the switchboard's messages sent (the demo's other jobs, such as a booking's care
    message due within the hour the tests move the clock on, send theirs too)."""
    return [g for g in gateway.messages if not str(g.get("reference", "")).startswith("zongji-booking-")]


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
    assert [g["to"] for g in _switchboard_sms(gateway)] == [zhang.mobile]
    assert "电梯维保改到周五上午" in _switchboard_sms(gateway)[0]["text"]
    got = _open_message(client, m["id"])
    assert got["state"] == "delivered"
    assert sorted((d["channel"], d["by"]) for d in got["deliveries"]) == [("email", "system"), ("sms", "system")]
    assert {x["channel"]: x["state"] for x in got["sends"]} == {"email": "sent", "sms": "sent"}
    assert all(x["sent_at"] for x in got["sends"])

    # Pager from the waiting-messages list: an SMS to the pager number.
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "pager"})
    assert r.status_code == 202, r.text
    run_jobs()
    assert [g["to"] for g in _switchboard_sms(gateway)] == [zhang.mobile, zhang.pager]
    # Fired once: more worker runs send nothing more.
    run_jobs(utcnow() + dt.timedelta(hours=1))
    assert len(received) == 1 and len(_switchboard_sms(gateway)) == 2
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
    with transaction(session_factory) as s:  # this staff member has no e-mail in the directory
        s.get(Person, zhang.id).email = None
    m = _message(client, "staff", zhang.id)
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "email"})
    assert r.status_code == 422 and r.json()["field"] == "address"
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "email", "address": "nope"})
    assert r.status_code == 422 and r.json()["field"] == "address"
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "fax"})
    assert r.status_code == 422 and "channel" in json.dumps(r.json()), r.text
    assert client.post("/api/switchboard/messages/999999/send", json={"channel": "sms"}).status_code == 404
    as_user("unit")
    r = client.post(f"/api/switchboard/messages/{m['id']}/send", json={"channel": "sms"})
    assert r.status_code == 403


def test_guest_sms_address_is_masked(demo, client, as_user, session_factory, settings, run_jobs, channels):
    from zongji.demo.switchboard import DEMO_DND_GUEST_NAME

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
    assert [g["to"] for g in _switchboard_sms(gateway)] == [mobile]
    got = _open_message(client, m["id"])
    assert {d["channel"] for d in got["deliveries"]} == {"lamp", "sms"}
    assert mobile not in json.dumps(got)


# --------------------------------------------------------------------------- 2. staff leave with a deputy


def test_transfer_to_a_person_on_leave_goes_to_the_deputy_with_the_script(
        demo, client, as_user, session_factory):
    as_user("operator")
    boss, deputy = _person(session_factory, "周文杰"), _person(session_factory, "曾晓东")
    now = utcnow()
    r = client.post("/api/switchboard/leaves", json={
        "person_id": boss.id, "starts_at": (now - dt.timedelta(hours=1)).isoformat(),
        "ends_at": (now + dt.timedelta(days=3)).isoformat(), "deputy_id": deputy.id, "note": "年假"})
    assert r.status_code == 201, r.text
    leave = r.json()
    assert leave["deputy"]["name"] == "曾晓东" and leave["active"]
    assert [x["id"] for x in client.get(f"/api/switchboard/leaves?person_id={boss.id}").json()["items"]] == [leave["id"]]
    d = client.post("/api/switchboard/transfers/decide", json={"target_kind": "person", "target_id": boss.id}).json()
    d = d["decision"]
    assert d["reason"]["code"] == "on_leave_deputy", d
    assert "曾晓东" in d["reason"]["zh"] and "曾晓东" in d["script"]["zh"]
    assert d["forward"]["role"] == "deputy" and d["dial"] == deputy.mobile or d["dial"] == deputy.extension
    # Overlapping leave is refused; bad input names the field.
    r = client.post("/api/switchboard/leaves", json={"person_id": boss.id, "ends_at": (now + dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 409 and r.json()["field"] == "starts_at"
    r = client.post("/api/switchboard/leaves", json={"person_id": deputy.id, "deputy_id": deputy.id,
                                                     "ends_at": (now + dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "deputy_id"
    r = client.post("/api/switchboard/leaves", json={"person_id": deputy.id, "ends_at": (now - dt.timedelta(days=1)).isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "ends_at"
    # Back from leave: the transfer goes to them again.
    assert client.post(f"/api/switchboard/leaves/{leave['id']}/cancel").status_code == 200
    d = client.post("/api/switchboard/transfers/decide", json={"target_kind": "person", "target_id": boss.id}).json()
    assert d["decision"]["reason"]["code"] != "on_leave_deputy"
    with session_factory() as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.entity == "staff_leave", AuditEntry.action == "cancel"))
    as_user("unit")
    assert client.get("/api/switchboard/leaves").status_code == 403


# --------------------------------------------------------------------------- 3. PMS check-out


def test_pms_check_out_ends_stay_dnd_wakeups_and_lamp(
        demo, client, as_user, session_factory, write, settings, run_jobs, runtime):
    from zongji.services.auth import add_integration_token
    from zongji.demo.data import DEMO_VIP_GUEST_NAME, DEMO_VIP_GUEST_ROOM
    from zongji.store.models import Room, Stay
    from zongji.store.switchboard_models import DndPeriod
    from zongji.store.wakeup_models import Wakeup

    with write() as s:
        pms = add_integration_token(s, "opera-pms", scopes="pms").token
        other = add_integration_token(s, "other", scopes="cti").token
        g = s.scalar(select(Guest).where(Guest.name == DEMO_VIP_GUEST_NAME))
        room = s.scalar(select(Room).where(Room.number == DEMO_VIP_GUEST_ROOM))
        stay_id = s.scalar(select(Stay.id).where(Stay.guest_id == g.id, Stay.status != "checked_out"))
        gid, ext = g.id, room.extension
    as_user("operator")
    assert client.post("/api/switchboard/dnd", json={"subject_kind": "guest", "subject_id": gid}).status_code == 201
    m = _message(client, "guest", gid)
    wake_at = (utcnow() + dt.timedelta(hours=10)).astimezone(TZ)
    r = client.post("/api/wakeups", json={"room": DEMO_VIP_GUEST_ROOM, "wake_at": wake_at.isoformat(),
                                          "languages": ["zh"], "readback_confirmed": True})
    assert r.status_code == 201, r.text
    wid = r.json()["items"][0]["id"]
    run_jobs()
    assert runtime.pbx().lamp_on(ext)
    client.cookies.clear()

    url = f"/api/v1/stays/{stay_id}/check-out"
    assert client.post(url).status_code == 401
    assert client.post(url, headers={"Authorization": f"Bearer {other}"}).status_code == 401
    # A message is still waiting: the lamp stays on until it is picked up.
    r = client.post(url, headers={"Authorization": f"Bearer {pms}"})
    assert r.status_code == 200, r.text
    out = r.json()
    assert out["dnd_ended"] and out["wakeups_cancelled"] == [wid] and out["lamp_off"] is False
    run_jobs()
    with session_factory() as s:
        assert s.get(Stay, stay_id).status == "checked_out"
        assert s.scalar(select(DndPeriod).where(DndPeriod.stay_id == stay_id)).ended_at is not None
        assert s.get(Wakeup, wid).status == "cancelled"
        assert s.scalar(select(AuditEntry).where(AuditEntry.entity == "stay", AuditEntry.actor == "token:opera-pms"))
    assert runtime.pbx().lamp_on(ext)
    r = client.post(url, headers={"Authorization": f"Bearer {pms}"})
    assert r.status_code == 200 and r.json()["already_checked_out"] is True
    r = client.post("/api/v1/stays/999999/check-out", headers={"Authorization": f"Bearer {pms}"})
    assert r.status_code == 404
    r = client.post("/api/v1/stays/check-out", json={"room": DEMO_VIP_GUEST_ROOM},
                    headers={"Authorization": f"Bearer {pms}"})
    assert r.status_code == 404 and r.json()["field"] == "room"  # nobody in the room any more
    del m


def test_pms_check_out_by_room_turns_the_lamp_off_when_nothing_waits(
        demo, client, session_factory, write, settings, run_jobs, runtime):
    from zongji.services.auth import add_integration_token
    from zongji.demo.switchboard import DEMO_DND_GUEST_ROOM
    from zongji.store.models import Room

    with write() as s:
        pms = add_integration_token(s, "pms", scopes="pms").token
        ext = s.scalar(select(Room.extension).where(Room.number == DEMO_DND_GUEST_ROOM))
    runtime.pbx().set_message_lamp(ext, True)
    r = client.post("/api/v1/stays/check-out", json={"room": DEMO_DND_GUEST_ROOM},
                    headers={"Authorization": f"Bearer {pms}"})
    assert r.status_code == 200, r.text
    assert r.json()["lamp_off"] is True
    run_jobs()
    assert not runtime.pbx().lamp_on(ext)
    r = client.post("/api/v1/stays/check-out", json={"room": ""}, headers={"Authorization": f"Bearer {pms}"})
    assert r.status_code == 422 and "room" in json.dumps(r.json())


# --------------------------------------------------------------------------- 4. holidays in transfer decisions


def test_weekday_office_is_closed_on_a_public_holiday_and_open_on_an_adjusted_working_day(
        demo, session_factory, settings):
    from zongji.store.models import Department, User

    with session_factory() as s:
        hr = s.scalar(select(Department).where(Department.name == "人力资源部"))
        user = s.scalar(select(User).where(User.username == "operator"))

        def decide(when: dt.datetime):
            d, _facts, _call = transfers.decide(
                s, user, target_kind="department", target_id=hr.id, call_id=None, caller_name=None, purpose=None,
                call_purpose="business", urgent=False, guest_consent=None, callee_accepts=None, guest_name=None,
                emergency=False, settings=settings, at=when)
            return d

        holiday = decide(dt.datetime(2026, 10, 1, 10, 0, tzinfo=TZ))  # National Day, a Thursday
        assert holiday.reason.code == "holiday" and "放假" in holiday.reason.zh
        adjusted = decide(dt.datetime(2026, 10, 10, 10, 0, tzinfo=TZ))  # Saturday, adjusted working day
        assert adjusted.reason.code not in ("holiday", "after_hours") and adjusted.puts_through
        ordinary_saturday = decide(dt.datetime(2026, 10, 17, 10, 0, tzinfo=TZ))
        assert ordinary_saturday.reason.code == "after_hours"
