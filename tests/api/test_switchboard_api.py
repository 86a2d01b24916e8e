"""Switchboard API (issue 3) on SQLite and PostgreSQL: transfers, messages, DND, lines, faults,
information, handover — permissions, bad input (4xx naming the field), guest privacy (R-H4),
audit, and the telephony commands that go out through the simulated PBX."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from sqlalchemy import select

from zongji.bootstrap import bootstrap, shutdown
from zongji.demo.switchboard import DEMO_DND_GUEST_NAME, DEMO_DND_GUEST_ROOM
from zongji.services.switchboard.check_out import check_out
from zongji.services.switchboard.silence import check_line_silence
from zongji.store.models import AuditEntry, FeedItem, Guest, Job, Person, Room, Department, utcnow
from zongji.worker.tasks import load_all
from zongji.worker.runner import Worker
from tests.switchboard_support import app, as_user, demo  # noqa: F401 (fixtures)


@pytest.fixture
def run_jobs(runtime):
    def _run(at: dt.datetime | None = None, *, on=None) -> int:
        """Run the due jobs with the test's runtime (or ``on``, a runtime of changed settings)."""
        w = Worker(on or runtime, handlers=load_all(), clock=lambda: at or utcnow())
        total = 0
        while (n := w.run_once()):
            total += n
        return total

    return _run


def _guest_id(session_factory, name: str) -> int:
    with session_factory() as s:
        return s.scalar(select(Guest.id).where(Guest.name == name))


def _room(session_factory, number: str) -> Room:
    with session_factory() as s:
        return s.scalar(select(Room).where(Room.number == number))


def _dept_id(session_factory, name: str) -> int:
    with session_factory() as s:
        return s.scalar(select(Department.id).where(Department.name == name))


# --------------------------------------------------------------------------- transfers


def test_transfer_to_a_guest_on_dnd_is_refused_with_the_script_and_never_shows_the_room(
        demo, client, as_user, session_factory):
    as_user("operator")
    gid = _guest_id(session_factory, DEMO_DND_GUEST_NAME)
    room = _room(session_factory, DEMO_DND_GUEST_ROOM)
    r = client.post("/api/switchboard/transfers", json={"target_kind": "guest", "target_id": gid,
                                                        "caller_name": "王先生", "purpose": "送文件"})
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["decision"]["outcome"] == "refuse_dnd"
    assert "不方便接听" in body["decision"]["script"]["zh"]
    assert body["decision"]["offer_message"] is True
    assert body["decision"]["message_recipient"] == {"kind": "guest", "id": gid, "label": DEMO_DND_GUEST_NAME}
    assert body["attempt"]["result"] == "refused"
    text = json.dumps(body, ensure_ascii=False)
    assert room.number not in text and room.extension not in text
    # The read of the guest's data is audited.
    with session_factory() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.entity == "guest", AuditEntry.action == "read",
                                                   AuditEntry.entity_id == str(gid))).all()
    assert any(a.detail.get("via") == "transfer" for a in reads)


def test_transfer_to_an_in_house_guest_asks_first_and_hides_the_dial(demo, client, as_user, session_factory):
    as_user("operator")
    from zongji.demo.data import DEMO_VIP_GUEST_NAME, DEMO_VIP_GUEST_ROOM

    gid = _guest_id(session_factory, DEMO_VIP_GUEST_NAME)
    r = client.post("/api/switchboard/transfers/decide", json={"target_kind": "guest", "target_id": gid})
    assert r.status_code == 200, r.text
    d = r.json()["decision"]
    assert d["outcome"] == "connect_after_asking"
    assert d["dial"] is None
    assert set(d["needs"]) == {"caller_name", "purpose"}
    assert DEMO_VIP_GUEST_ROOM not in json.dumps(d, ensure_ascii=False)
    # Once the guest accepts, the transfer rings the room through the PBX (number never served).
    r = client.post("/api/switchboard/transfers", json={"target_kind": "guest", "target_id": gid,
                                                        "caller_name": "张先生", "purpose": "会议",
                                                        "guest_consent": True})
    assert r.status_code == 201
    assert r.json()["attempt"]["result"] == "ringing"
    assert r.json()["attempt"]["dial"] is None


def test_ringing_transfer_comes_back_after_the_no_answer_time(demo, client, as_user, session_factory, settings,
                                                            run_jobs, request):
    as_user("operator")
    # 前厅部/总台 works round the clock (the test may run at any hour); this simulated PBX never
    # answers its extension 6100.
    silent = bootstrap(settings.model_copy(update={"simulated_pbx_silent_numbers": "6100"}))
    request.addfinalizer(lambda: shutdown(silent))
    fo = _dept_id(session_factory, "前厅部/总台")
    r = client.post("/api/switchboard/transfers", json={"target_kind": "department", "target_id": fo})
    assert r.status_code == 201, r.text
    attempt = r.json()["attempt"]
    t0 = dt.datetime.fromisoformat(attempt["started_at"])  # the timers count from the attempt's start
    assert attempt["result"] == "ringing" and attempt["no_answer_seconds"] == 30
    run_jobs(t0 + dt.timedelta(seconds=1), on=silent)
    assert [c.args["target"] for c in silent.pbx().commands_of("transfer")] == ["6100"]
    run_jobs(t0 + dt.timedelta(seconds=10), on=silent)
    assert client.get(f"/api/switchboard/transfers/{attempt['id']}").json()["result"] == "ringing"
    run_jobs(t0 + dt.timedelta(seconds=31), on=silent)
    back = client.get(f"/api/switchboard/transfers/{attempt['id']}").json()
    assert back["result"] == "no_answer"
    assert back["ring_seconds"] >= 30
    assert back["prompt"]["zh"] == "对不起，电话没有人接，请问您是否需要留言？"
    assert back["offer_message"] is True
    with session_factory() as s:
        topics = s.scalars(select(FeedItem.payload).where(FeedItem.topic == "transfer",
                                                          FeedItem.entity_id == str(attempt["id"]))).all()
    assert any(p["result"] == "no_answer" for p in topics)


def test_answered_transfer_is_recorded_with_ring_seconds(demo, client, as_user, session_factory, settings, run_jobs,
                                                         request):
    fast = bootstrap(settings.model_copy(update={"simulated_pbx_answer_seconds": 0.2}))
    request.addfinalizer(lambda: shutdown(fast))
    as_user("operator")
    fo = _dept_id(session_factory, "前厅部/总台")  # round the clock
    r = client.post("/api/switchboard/transfers", json={"target_kind": "department", "target_id": fo})
    attempt_id = r.json()["attempt"]["id"]
    run_jobs(on=fast)
    import time

    deadline = time.monotonic() + 10
    while time.monotonic() < deadline:
        got = client.get(f"/api/switchboard/transfers/{attempt_id}").json()
        if got["result"] != "ringing":
            break
        time.sleep(0.1)
    assert got["result"] == "answered"
    assert got["ring_seconds"] is not None and got["ring_seconds"] < 30


def _outside_call(client, call_id: str, caller: str = "13800138000") -> int:
    from zongji.demo.data import DEMO_CTI_TOKEN, HOTEL_LINE_NUMBER

    r = client.post(f"/api/v1/cti/{DEMO_CTI_TOKEN}", data={"event": "newCall", "from": caller,
                                                           "to": HOTEL_LINE_NUMBER, "direction": "in",
                                                           "callId": call_id})
    assert r.status_code == 200, r.text
    return _call_id(client, call_id)


def _call_id(client, external_id: str) -> int:
    from zongji.store.models import Call

    with client.app.state.session_factory() as s:
        return s.scalar(select(Call.id).where(Call.external_id == external_id))


def test_a_refusal_shown_on_a_call_is_recorded_once_and_listed_on_the_call(demo, client, as_user, session_factory):
    """R-H3, R-C3: every attempt on the call, refused ones too; asking again keeps one row."""
    as_user("operator")
    call_id = _outside_call(client, "refusal-1")
    gid = _guest_id(session_factory, DEMO_DND_GUEST_NAME)
    body = {"call_id": call_id, "target_kind": "guest", "target_id": gid, "record_refused": True}
    first = client.post("/api/switchboard/transfers/decide", json=body)
    assert first.status_code == 200, first.text
    assert first.json()["decision"]["outcome"] == "refuse_dnd"
    attempt = first.json()["attempt"]
    assert attempt["result"] == "refused" and attempt["ring_seconds"] == 0 and attempt["call_id"] == call_id
    # The operator asks again (R), then presses M: still one row.
    again = client.post("/api/switchboard/transfers/decide", json=body).json()
    assert again["attempt"]["id"] == attempt["id"]
    items = client.get("/api/switchboard/transfers", params={"call_id": call_id}).json()["items"]
    assert [(a["target_kind"], a["outcome"], a["result"]) for a in items] == [("guest", "refuse_dnd", "refused")]
    assert items[0]["target_label"]["zh"] == f"客人 {DEMO_DND_GUEST_NAME}"
    assert items[0]["decision"]["reason"]["code"] == "dnd"
    # Without record_refused (or without a call) a decision records nothing.
    plain = client.post("/api/switchboard/transfers/decide", json={**body, "record_refused": False}).json()
    assert plain["attempt"] is None
    # A decision that would ring is never recorded by deciding: Enter does it.
    fo = _dept_id(session_factory, "前厅部/总台")
    d = client.post("/api/switchboard/transfers/decide", json={"call_id": call_id, "target_kind": "department",
                                                               "target_id": fo, "record_refused": True}).json()
    assert d["decision"]["puts_through"] is True and d["attempt"] is None
    assert len(client.get("/api/switchboard/transfers", params={"call_id": call_id}).json()["items"]) == 1


def _staff_in_hours(write) -> tuple[int, int, int]:
    """A department without hours (always at work) with a manager and a staff member."""
    from zongji.store.models import Organisation

    with write() as s:
        org_id = s.scalar(select(Organisation.id).order_by(Organisation.id))
        d = Department(organisation_id=org_id, name="测试部", name_en="Test", kind="department",
                       extension="6990", working_hours=None)
        s.add(d)
        s.flush()
        boss = Person(organisation_id=org_id, department=d, name="韩经理", title="经理", is_manager=True,
                      extension="6991", mobile="13900006991")
        clerk = Person(organisation_id=org_id, department=d, name="苏文员", title="文员", is_manager=False,
                       extension="6992", mobile="13900006992")
        s.add_all([boss, clerk])
        s.flush()
        return d.id, boss.id, clerk.id


def test_personal_call_for_staff_in_working_hours_r_h6(demo, client, as_user, write):
    as_user("operator")
    _dept, _boss, clerk = _staff_in_hours(write)
    base = {"target_kind": "person", "target_id": clerk, "caller_name": "苏女士"}
    business = client.post("/api/switchboard/transfers/decide", json={**base, "call_purpose": "business"}).json()
    assert business["decision"]["outcome"] == "connect_after_asking"
    personal = client.post("/api/switchboard/transfers/decide", json={**base, "call_purpose": "personal"}).json()
    d = personal["decision"]
    assert d["outcome"] == "personal_call_refused" and d["offer_message"] is True
    assert d["script"]["zh"].startswith("对不起，苏文员现在正在工作")
    urgent = client.post("/api/switchboard/transfers/decide",
                         json={**base, "call_purpose": "personal", "urgent": True}).json()["decision"]
    assert urgent["outcome"] == "personal_call_redirect"
    assert urgent["forward"]["role"] == "department_office" and urgent["forward"]["number"] == "6990"
    bad = client.post("/api/switchboard/transfers/decide", json={**base, "call_purpose": "private"})
    assert bad.status_code == 422 and bad.json()["fields"][0]["field"] == "call_purpose"


def test_room_asked_by_an_outside_caller_needs_the_guest_named_before_consent_r_h4(
        demo, client, as_user, session_factory):
    from zongji.demo.data import DEMO_VIP_GUEST_ROOM

    as_user("operator")
    room = _room(session_factory, DEMO_VIP_GUEST_ROOM)
    base = {"target_kind": "room", "target_id": room.id, "caller_name": "张先生", "purpose": "会议",
            "guest_consent": True}
    unchecked = client.post("/api/switchboard/transfers/decide", json=base).json()["decision"]
    assert unchecked["outcome"] == "connect_after_asking" and "guest_name" in unchecked["needs"]
    assert "客人怎么称呼" in unchecked["script"]["zh"]
    wrong = client.post("/api/switchboard/transfers/decide", json={**base, "guest_name": "王先生"}).json()["decision"]
    assert wrong["outcome"] == "deny_stay"
    right = client.post("/api/switchboard/transfers/decide", json={**base, "guest_name": "李先生"}).json()["decision"]
    assert right["outcome"] == "connect"
    for d in (unchecked, wrong, right):
        text = json.dumps(d, ensure_ascii=False)
        assert room.number not in text and room.extension not in text


def test_vip_guest_call_handling_goes_into_the_handover_r_h12(demo, client, as_user, session_factory):
    from zongji.demo.data import DEMO_VIP_GUEST_NAME, DEMO_VIP_GUEST_ROOM, DEMO_VIP_GUEST_TITLE

    as_user("operator")
    call_id = _outside_call(client, "vip-1", caller="13900001111")
    gid = _guest_id(session_factory, DEMO_VIP_GUEST_NAME)
    r = client.post("/api/switchboard/transfers", json={"call_id": call_id, "target_kind": "guest", "target_id": gid,
                                                        "caller_name": "张先生", "purpose": "会议",
                                                        "guest_consent": True})
    assert r.status_code == 201, r.text
    m = client.post("/api/switchboard/messages", json={
        "recipient_kind": "guest", "recipient_id": gid, "caller_name": "张先生", "caller_number": "13900001111",
        "content": "明早九点开会", "read_back": True, "call_id": call_id})
    assert m.status_code == 201, m.text
    # A non-VIP guest's call is not noted.
    client.post("/api/switchboard/transfers", json={"call_id": call_id, "target_kind": "guest",
                                                    "target_id": _guest_id(session_factory, DEMO_DND_GUEST_NAME)})
    cur = client.get("/api/handover/current").json()
    vips = next(s for s in cur["sections"] if s["key"] == "vips")
    noted = [it["text"]["zh"] for it in vips["items"] if "来电" in it["text"]["zh"] or "留言" in it["text"]["zh"]]
    assert len(noted) == 2, vips["items"]
    assert all(f"VIP客人{DEMO_VIP_GUEST_TITLE}{DEMO_VIP_GUEST_NAME}" in t for t in noted)
    assert any("客人同意接听" in t for t in noted) and any("张先生留言" in t and "留言灯" in t for t in noted)
    assert not any(DEMO_DND_GUEST_NAME in t for t in noted)
    assert DEMO_VIP_GUEST_ROOM not in json.dumps(cur, ensure_ascii=False)


def test_transfer_bad_input_names_the_field(demo, client, as_user):
    as_user("operator")
    r = client.post("/api/switchboard/transfers", json={"target_kind": "planet", "target_id": 1})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "target_kind"
    r = client.post("/api/switchboard/transfers", json={"target_kind": "person", "target_id": 99999999})
    assert r.status_code == 404 and r.json()["field"] == "target_id"
    r = client.post("/api/switchboard/transfers", json={"target_kind": "person", "target_id": 0})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "target_id"
    r = client.post("/api/switchboard/transfers", json={"target_kind": "person", "target_id": 1, "call_id": 999999})
    assert r.status_code == 404 and r.json()["field"] == "call_id"


# --------------------------------------------------------------------------- messages


def test_message_needs_read_back_lights_the_lamp_and_stays_in_the_handover_until_picked_up(
        demo, client, as_user, session_factory, settings, run_jobs, runtime):
    as_user("operator")
    gid = _guest_id(session_factory, DEMO_DND_GUEST_NAME)
    room = _room(session_factory, DEMO_DND_GUEST_ROOM)
    msg = {"recipient_kind": "guest", "recipient_id": gid, "caller_name": "王先生", "caller_number": "13800001111",
           "content": "请回电，关于明天的会议"}
    r = client.post("/api/switchboard/messages", json=msg)
    assert r.status_code == 422 and r.json()["field"] == "read_back"
    r = client.post("/api/switchboard/messages", json={**msg, "caller_name": ""})
    assert r.status_code == 422 and r.json()["field"] == "caller_name"
    r = client.post("/api/switchboard/messages", json={**msg, "read_back": True})
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["state"] == "confirmed" and m["taken_by"] == "王小红(1001)"
    assert room.number not in json.dumps(m, ensure_ascii=False)
    run_jobs()
    assert runtime.pbx().lamp_on(room.extension)
    m = client.get("/api/switchboard/messages").json()["items"][0]
    assert m["state"] == "delivered" and m["deliveries"][0]["channel"] == "lamp"
    h = client.get("/api/handover/current").json()
    section = next(s for s in h["sections"] if s["key"] == "messages")
    assert any("请回电，关于明天的会议" in it["text"]["zh"] for it in section["items"])
    assert room.number not in json.dumps(h, ensure_ascii=False)  # the operator never sees rooms
    # The guest picks it up at the desk: out of the handover, lamp off.
    r = client.post(f"/api/switchboard/messages/{m['id']}/acknowledge", json={"by": "前台 梁美华"})
    assert r.status_code == 200 and r.json()["state"] == "acknowledged"
    run_jobs()
    assert not runtime.pbx().lamp_on(room.extension)
    h = client.get("/api/handover/current").json()
    section = next(s for s in h["sections"] if s["key"] == "messages")
    assert not any("请回电" in it["text"]["zh"] for it in section["items"])
    r = client.post(f"/api/switchboard/messages/{m['id']}/acknowledge")
    assert r.status_code == 409


def test_undelivered_message_is_raised_again(demo, client, as_user, session_factory, settings, run_jobs):
    as_user("operator")
    with session_factory() as s:
        pid = s.scalar(select(Person.id).where(Person.name == "张伟"))
    r = client.post("/api/switchboard/messages", json={
        "recipient_kind": "staff", "recipient_id": pid, "caller_name": "李工", "caller_number": "13900002222",
        "content": "电梯维保改期", "read_back": True})
    assert r.status_code == 201
    mid = r.json()["id"]
    run_jobs(utcnow() + dt.timedelta(minutes=5))
    assert client.get("/api/switchboard/messages").json()["items"][0]["raised_count"] == 0
    run_jobs(utcnow() + dt.timedelta(minutes=16))
    items = client.get("/api/switchboard/messages").json()["items"]
    assert items[0]["id"] == mid and items[0]["raised_count"] == 1
    # Delivered by pager: no more raising.
    r = client.post(f"/api/switchboard/messages/{mid}/deliveries", json={"channel": "pager", "detail": "2016"})
    assert r.status_code == 200 and r.json()["state"] == "delivered"
    run_jobs(utcnow() + dt.timedelta(minutes=60))
    assert client.get("/api/switchboard/messages").json()["items"][0]["raised_count"] == 1
    r = client.post(f"/api/switchboard/messages/{mid}/deliveries", json={"channel": "lamp"})
    assert r.status_code == 422 and r.json()["field"] == "channel"


# --------------------------------------------------------------------------- DND


def test_dnd_set_and_cancel_locks_and_releases_the_line_and_pushes_to_every_console(
        demo, client, as_user, session_factory, settings, run_jobs, runtime):
    from zongji.demo.data import DEMO_VIP_GUEST_NAME, DEMO_VIP_GUEST_ROOM

    as_user("operator")
    gid = _guest_id(session_factory, DEMO_VIP_GUEST_NAME)
    room = _room(session_factory, DEMO_VIP_GUEST_ROOM)
    r = client.post("/api/switchboard/dnd", json={"subject_kind": "guest", "subject_id": gid, "reason": "休息"})
    assert r.status_code == 201, r.text
    dnd = r.json()
    assert "room_number" not in dnd and dnd["guest_name"] == DEMO_VIP_GUEST_NAME
    assert client.post("/api/switchboard/dnd", json={"subject_kind": "guest", "subject_id": gid}).status_code == 409
    run_jobs()
    assert runtime.pbx().line_locked(room.extension)
    with session_factory() as s:
        feed = s.scalars(select(FeedItem).where(FeedItem.topic == "dnd", FeedItem.entity_id == str(dnd["id"]))).all()
    # What an operator's console receives of it: the guest, never the room (guest_privacy).
    from zongji.domain.live_feed import Viewer, shape_for

    pushed = shape_for(Viewer(user_id=0, role="operator"), {"topic": "dnd", "payload": feed[-1].payload})
    assert feed and DEMO_VIP_GUEST_ROOM not in json.dumps(pushed, ensure_ascii=False)
    assert pushed["payload"]["guest_name"] == DEMO_VIP_GUEST_NAME
    # Operators see names only; the shift leader sees the room too.
    listed = client.get("/api/switchboard/dnd").json()["items"]
    assert all("room_number" not in d for d in listed)
    as_user("leader")
    listed = client.get("/api/switchboard/dnd").json()["items"]
    assert {d["room_number"] for d in listed} >= {DEMO_VIP_GUEST_ROOM, DEMO_DND_GUEST_ROOM}
    # A transfer to the guest is now refused with the DND script.
    d = client.post("/api/switchboard/transfers/decide", json={"target_kind": "guest", "target_id": gid}).json()
    assert d["decision"]["outcome"] == "refuse_dnd"
    r = client.post(f"/api/switchboard/dnd/{dnd['id']}/cancel", json={"reason": "客人回来了"})
    assert r.status_code == 200 and r.json()["end_reason"] == "cancelled"
    run_jobs()
    assert not runtime.pbx().line_locked(room.extension)
    assert client.post(f"/api/switchboard/dnd/{dnd['id']}/cancel").status_code == 409


def test_dnd_ends_at_the_chosen_time(demo, client, as_user, session_factory, settings, run_jobs):
    as_user("operator")
    with session_factory() as s:
        pid = s.scalar(select(Person.id).where(Person.name == "周文杰"))
    until = utcnow() + dt.timedelta(hours=2)
    r = client.post("/api/switchboard/dnd", json={"subject_kind": "person", "subject_id": pid,
                                                  "until": until.isoformat()})
    assert r.status_code == 201, r.text
    run_jobs(utcnow() + dt.timedelta(hours=1))
    assert any(d["id"] == r.json()["id"] for d in client.get("/api/switchboard/dnd").json()["items"])
    run_jobs(until + dt.timedelta(seconds=1))
    with session_factory() as s:
        from zongji.store.switchboard_models import DndPeriod

        row = s.get(DndPeriod, r.json()["id"])
        assert row.end_reason == "expired" and row.ended_at == until.replace(microsecond=until.microsecond)


def test_dnd_ends_at_check_out(demo, session_factory, settings, write, run_jobs, runtime):
    from zongji.store.switchboard_models import DndPeriod

    with session_factory() as s:
        row = s.scalar(select(DndPeriod).where(DndPeriod.guest_name == DEMO_DND_GUEST_NAME))
        stay_id = row.stay_id
    with write() as s:
        check_out(s, stay_id, settings)
    run_jobs()
    with session_factory() as s:
        row = s.get(DndPeriod, row.id)
        assert row.end_reason == "checked_out" and row.ended_at is not None
    room = _room(session_factory, DEMO_DND_GUEST_ROOM)
    assert runtime.pbx().commands_of("lock")[-1].args == {"extension": room.extension, "locked": False}


def test_dnd_bad_input(demo, client, as_user, session_factory):
    as_user("operator")
    gid = _guest_id(session_factory, DEMO_DND_GUEST_NAME)
    past = (utcnow() - dt.timedelta(hours=1)).isoformat()
    r = client.post("/api/switchboard/dnd", json={"subject_kind": "person", "subject_id": 1, "until": past})
    assert r.status_code == 422 and r.json()["field"] == "until"
    r = client.post("/api/switchboard/dnd", json={"subject_kind": "person", "subject_id": 1,
                                                  "until": "2030-01-01T10:00:00"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "until"
    r = client.post("/api/switchboard/dnd", json={"subject_kind": "person", "subject_id": 1, "until_checkout": True})
    assert r.status_code == 422 and r.json()["field"] == "until_checkout"
    r = client.post("/api/switchboard/dnd", json={"subject_kind": "guest", "subject_id": gid})
    assert r.status_code == 409  # already on (demo)


# --------------------------------------------------------------------------- permissions


@pytest.mark.parametrize("method,path,body", [
    ("post", "/api/switchboard/transfers/decide", {"target_kind": "person", "target_id": 1}),
    ("post", "/api/switchboard/messages", {"recipient_kind": "staff", "recipient_id": 1, "caller_name": "a",
                                           "content": "b", "read_back": True}),
    ("get", "/api/switchboard/dnd", None),
    ("get", "/api/switchboard/messages", None),
    ("get", "/api/handover/current", None),
    ("get", "/api/information?q=纽约", None),
])
def test_unit_handlers_may_not_use_the_switchboard(demo, client, as_user, method, path, body):
    as_user("unit")
    r = client.request(method.upper(), path, json=body)
    assert r.status_code == 403
    client.cookies.clear()
    assert client.request(method.upper(), path, json=body).status_code == 401


def test_only_supervisors_and_admins_change_line_settings(demo, client, as_user):
    as_user("operator")
    assert client.put("/api/switchboard/lines/hotline-400", json={"responsible_on_leave": True}).status_code == 403
    as_user("supervisor")
    r = client.put("/api/switchboard/lines/hotline-400", json={"working_hours": {"mon": [["25:00", "26:00"]]}})
    assert r.status_code == 422 and r.json()["field"].startswith("working_hours")
    assert client.put("/api/switchboard/lines/nope", json={}).status_code == 404


# --------------------------------------------------------------------------- lines


def test_400_line_routing_deputy_on_leave_and_inbound_only(demo, client, as_user):
    as_user("supervisor")
    line = client.get("/api/switchboard/lines/hotline-400").json()
    assert line["inbound_only"] is True
    assert line["responsible"]["name"] == "莫晓峰" and line["deputy"]["name"] == "覃丽"
    assert line["after_hours"]["name"] == "韦海燕"
    r = client.put("/api/switchboard/lines/hotline-400", json={"responsible_on_leave": True,
                                                                "working_hours": {"all": [["00:00", "24:00"]]}})
    assert r.status_code == 200, r.text
    route = r.json()["route_now"]
    assert route["outcome"] == "forward_to" and route["forward"]["role"] == "deputy"
    assert "覃丽" in route["forward"]["who"]["zh"]
    r = client.put("/api/switchboard/lines/hotline-400", json={"working_hours": {"sun": []}})  # closed all week
    route = r.json()["route_now"]
    assert route["outcome"] == "forward_to" and route["forward"]["role"] == "after_hours"
    r = client.post("/api/switchboard/lines/hotline-400/outbound-check")
    assert r.status_code == 409 and r.json()["error"] == "inbound_only"
    assert client.post("/api/switchboard/lines/hotel-switchboard/outbound-check").json() == {"allowed": True}


def test_faults_and_silence_alerts(demo, client, as_user, session_factory, settings, write):
    from zongji.store.models import Call, Line

    as_user("operator")  # the hotel's operator: their handover carries their own line's faults (issue 8)
    r = client.post("/api/switchboard/lines/hotel-switchboard/faults", json={"cause": ""})
    assert r.status_code == 422 and r.json()["field"] == "cause"
    r = client.post("/api/switchboard/lines/hotel-switchboard/faults", json={"cause": "测试呼叫无振铃"})
    assert r.status_code == 201 and r.json()["open"] is True
    fid = r.json()["id"]
    assert client.get("/api/handover/current").json()["sections"][4]["items"][0]["kind"] == "fault"
    r = client.post(f"/api/switchboard/faults/{fid}/close", json={"resolution": "电信修复"})
    assert r.status_code == 200 and r.json()["open"] is False
    assert client.post(f"/api/switchboard/faults/{fid}/close", json={}).status_code == 409

    # A line with calls every 10 minutes, silent for 2 hours now → an alert to test-call it.
    now = utcnow()
    with write() as s:
        line = s.scalar(select(Line).where(Line.code == "hotel-switchboard"))
        for i in range(40):
            at = now - dt.timedelta(hours=2) - dt.timedelta(minutes=10 * i)
            s.add(Call(external_id=f"hist-{i}", line_id=line.id, direction="in", calling_number="13800000000",
                       called_number=line.number, state="ended", ringing_at=at, ended_at=at))
    with write() as s:
        assert len(check_line_silence(s, now, settings)) == 1
    with write() as s:
        assert check_line_silence(s, now + dt.timedelta(minutes=10), settings) == []  # once per silence
    alerts = client.get("/api/switchboard/alerts").json()["items"]
    assert len(alerts) == 1 and "测试电话" in alerts[0]["message"]["zh"]
    r = client.post(f"/api/switchboard/alerts/{alerts[0]['id']}/test-call", json={"ok": False})
    assert r.status_code == 422 and r.json()["field"] == "cause"
    r = client.post(f"/api/switchboard/alerts/{alerts[0]['id']}/test-call", json={"ok": False, "cause": "无振铃"})
    assert r.status_code == 200 and r.json()["fault_id"]
    assert client.get("/api/switchboard/faults").json()["items"][0]["cause"] == "无振铃"


# --------------------------------------------------------------------------- information


def test_information_answers(demo, client, as_user):
    as_user("operator")
    r = client.get("/api/information", params={"q": "纽约"})
    wt = r.json()["world_time"]
    assert wt[0]["city"]["en"] == "New York" and wt[0]["zone"] == "America/New_York"
    assert "纽约现在是" in wt[0]["text"]["zh"]
    assert client.get("/api/information", params={"q": "London time"}).json()["world_time"][0]["city"]["zh"] == "伦敦"
    fac = client.get("/api/information", params={"q": "早餐"}).json()["facilities"]
    assert fac and fac[0]["hours"]["zh"]
    rates = client.get("/api/information", params={"q": "美国"}).json()["rates"]
    assert rates[0]["dial_code"] == "001" and rates[0]["per_minute"] == 8.0
    nums = client.get("/api/information", params={"q": "医院"}).json()["common_numbers"]
    assert nums[0]["category"] == "医院" and len(nums[0]["items"]) >= 3
    assert client.get("/api/information", params={"q": ""}).json()["field"] == "q"
    r = client.get("/api/information/world-time", params={"city": "Atlantis"})
    assert r.status_code == 422 and r.json()["field"] == "city"


# --------------------------------------------------------------------------- handover


def test_handover_sign_off_acknowledge_search_and_room_privacy(demo, client, as_user):
    as_user("operator")
    r = client.post("/api/handover/current/entries", json={"text": "  "})
    assert r.status_code == 422 and r.json()["field"] == "text"
    r = client.post("/api/handover/current/entries", json={"text": "总机3号话机耳麦损坏，已报工程部"})
    assert r.status_code == 201
    cur = r.json()
    dnd = next(s for s in cur["sections"] if s["key"] == "dnd")
    assert any(DEMO_DND_GUEST_NAME in it["text"]["zh"] for it in dnd["items"])
    assert DEMO_DND_GUEST_ROOM not in json.dumps(cur, ensure_ascii=False)
    r = client.post("/api/handover/current/sign-off")
    assert r.status_code == 200 and r.json()["state"] == "signed_off"
    hid = r.json()["id"]
    assert client.post(f"/api/handover/{hid}/acknowledge").status_code == 409  # not by the one handing over
    as_user("leader")
    full = client.get(f"/api/handover/{hid}").json()
    assert DEMO_DND_GUEST_ROOM in json.dumps(full, ensure_ascii=False)
    r = client.post(f"/api/handover/{hid}/acknowledge")
    assert r.status_code == 200 and r.json()["acknowledged_by"].startswith("刘丽")
    assert client.post(f"/api/handover/{hid}/acknowledge").status_code == 409
    found = client.get("/api/handover", params={"q": "耳麦"}).json()["items"]
    assert [h["id"] for h in found] == [hid]
    assert client.get("/api/handover", params={"q": "没有这回事"}).json()["items"] == []
    assert client.get("/api/handover", params={"date_from": "yesterday"}).json()["field"] == "date_from"
    as_user("operator")
    assert DEMO_DND_GUEST_ROOM not in json.dumps(client.get(f"/api/handover/{hid}").json(), ensure_ascii=False)


def test_jobs_are_not_left_failed(demo, client, as_user, session_factory, run_jobs):
    """Every switchboard timer the demo and the flows above schedule runs cleanly."""
    as_user("operator")
    run_jobs()
    with session_factory() as s:
        failed = s.scalars(select(Job).where(Job.state == "failed")).all()
    assert failed == []
