"""Booking a wake-up for the caller on the caller card (R-H9) by ``call_id``: the room is the one the
guest calls from, or their stay's when they call from their mobile — then no room number is in any
answer (R-H4: never disclosed to a caller, never shown for a caller not in the room)."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.store.models import Call, Guest, Organisation, Room, Stay, utcnow
from zongji.store.wakeup_models import Wakeup


def _setup(write):
    now = utcnow()
    with write() as s:
        org = Organisation(code="hw", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        room = Room(organisation_id=org.id, number="1206", floor=12, extension="81206")
        empty = Room(organisation_id=org.id, number="1207", floor=12, extension="81207")
        s.add_all([room, empty])
        s.flush()
        g = Guest(organisation_id=org.id, name="赵雅琴", mobile="13912345678")
        s.add(g)
        s.flush()
        s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                   departure=now + dt.timedelta(days=3), status="in_house"))
        calls = {}
        for key, number in (("room", "81206"), ("mobile", "13912345678"), ("outside", "02155556666"),
                            ("empty", "81207")):
            c = Call(external_id=f"cw-{key}", direction="in", calling_number=number, called_number="8000",
                     state="answered", ringing_at=now, answered_at=now)
            s.add(c)
            s.flush()
            calls[key] = c.id
        return calls, g.id


def _operator(app, make_user) -> TestClient:
    username, password = make_user("operator")
    c = TestClient(app)
    assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return c


def test_book_for_the_caller_by_call(app, make_user, write, session_factory, settings):
    calls, gid = _setup(write)
    op = _operator(app, make_user)
    body = {"time": "0630", "repeat_daily": True, "languages": ["zh"], "note": "叫两次"}

    # From the room's extension: the guest themself, so the room is read back.
    p = op.post("/api/wakeups/preview", json={**body, "call_id": calls["room"]})
    assert p.status_code == 200, p.text
    assert p.json()["room"] == "1206" and p.json()["readback"]["zh"].startswith("1206房间，")
    assert "每天同一时间" in p.json()["readback"]["zh"]
    b = op.post("/api/wakeups", json={**body, "call_id": calls["room"], "readback_confirmed": True})
    assert b.status_code == 201, b.text
    assert {w["room"] for w in b.json()["items"]} == {"1206"} and len(b.json()["items"]) >= 3

    # From the guest's mobile: the same room, found by the server, and no room number anywhere.
    p = op.post("/api/wakeups/preview", json={"time": "0700", "call_id": calls["mobile"]})
    assert p.status_code == 200, p.text
    assert "1206" not in p.text and p.json()["room_shown"] is False
    assert p.json()["readback"]["zh"].startswith("您的房间，") and p.json()["readback"]["en"].startswith("Your room,")
    b = op.post("/api/wakeups", json={"time": "0700", "call_id": calls["mobile"], "readback_confirmed": True})
    assert b.status_code == 201 and "1206" not in b.text and "81206" not in b.text
    with session_factory() as s:
        rows = s.scalars(select(Wakeup).where(Wakeup.room_number == "1206")).all()
        assert {w.guest_id for w in rows} == {gid}
        local = {(w.wake_at.replace(tzinfo=w.wake_at.tzinfo or dt.UTC).astimezone(settings.tz).strftime("%H:%M"),
                  w.repeat_daily, w.languages) for w in rows}
        assert local == {("06:30", True, "zh"), ("07:00", False, "zh,en")}
        assert all(w.booked_by.startswith("user:") and w.readback_confirmed for w in rows)

    # An outside caller: no room from the call — the operator must ask for it (422 naming call_id).
    r = op.post("/api/wakeups/preview", json={"time": "0700", "call_id": calls["outside"]})
    assert r.status_code == 422 and r.json()["field"] == "call_id"
    # An empty room's extension: refused as for the room.
    r = op.post("/api/wakeups/preview", json={"time": "0700", "call_id": calls["empty"]})
    assert r.status_code == 422 and r.json()["field"] == "room"
    # Bad input names the field.
    for bad, field in (({"time": "0700"}, "room"), ({"time": "0700", "call_id": 10**9}, "call_id"),
                       ({"time": "0700", "room": "1206", "call_id": calls["room"]}, "room")):
        r = op.post("/api/wakeups/preview", json=bad)
        assert r.status_code in (404, 422) and r.json()["field"] == field, r.text
