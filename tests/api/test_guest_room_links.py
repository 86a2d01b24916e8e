"""Issue 12 point 2 (R-H4): an operator can never join ids to learn which guest is in which room.

A guest's record (wake-up, DND, message) names the guest *or* the room for an operator, decided
once in ``zongji.domain.guest_privacy`` and applied to every answer, list and live message. The
walk books and sets everything an operator can from a guest found by mobile and from a room given
by number, then reads every console GET endpoint and the live feed as that operator.
"""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.domain.live_feed import Viewer, shape_for
from zongji.store.models import Call, FeedItem, Guest, Organisation, Room, Stay, utcnow

GUEST, MOBILE, ROOM, EXT = "赵雅琴", "13912345678", "1606", "81606"
OTHER_GUEST, OTHER_ROOM = "孙立新", "1607"


def _setup(write) -> int:
    now = utcnow()
    with write() as s:
        org = Organisation(code="hl", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        r1 = Room(organisation_id=org.id, number=ROOM, floor=16, extension=EXT)
        r2 = Room(organisation_id=org.id, number=OTHER_ROOM, floor=16, extension="8" + OTHER_ROOM)
        s.add_all([r1, r2])
        s.flush()
        g1 = Guest(organisation_id=org.id, name=GUEST, mobile=MOBILE)
        g2 = Guest(organisation_id=org.id, name=OTHER_GUEST, mobile="13800001111")
        s.add_all([g1, g2])
        s.flush()
        for g, r in ((g1, r1), (g2, r2)):
            s.add(Stay(guest_id=g.id, room_id=r.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=3), status="in_house"))
        call = Call(external_id="link-mobile", direction="in", calling_number=MOBILE, called_number="8000",
                    state="answered", ringing_at=now, answered_at=now)
        s.add(call)
        s.flush()
        return call.id


def _login(app, make_user, role) -> TestClient:
    username, password = make_user(role)
    c = TestClient(app)
    assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return c


def _objects(value: Any):
    """Every JSON object in an answer, however deeply nested."""
    if isinstance(value, dict):
        yield value
        for v in value.values():
            yield from _objects(v)
    elif isinstance(value, list):
        for v in value:
            yield from _objects(v)


def _links(value: Any) -> list[str]:
    """Objects that tie a guest to a room: a guest's name with a room (or its extension)."""
    found = []
    for obj in _objects(value):
        text = json.dumps({k: v for k, v in obj.items() if not isinstance(v, (dict, list))}, ensure_ascii=False)
        for guest, room in ((GUEST, ROOM), (OTHER_GUEST, OTHER_ROOM)):
            if guest in text and (f'"{room}"' in text or f'"8{room}"' in text):
                found.append(text)
    return found


def _ids(value: Any, key: str) -> dict[tuple[str, int], dict]:
    return {(key, o["id"]): o for o in _objects(value) if isinstance(o.get("id"), int) and "addressed" in o}


def test_no_answer_or_live_message_links_a_guest_to_a_room(app, make_user, write, session_factory):
    call_id = _setup(write)
    op = _login(app, make_user, "operator")
    guest_id = next(r["id"] for r in op.get("/api/directory/search", params={"q": GUEST}).json()["results"]
                    if r["kind"] == "guest")

    # From the guest's call (found by mobile): a wake-up, DND and a message by the guest.
    w = op.post("/api/wakeups", json={"time": "0700", "call_id": call_id, "readback_confirmed": True})
    assert w.status_code == 201, w.text
    d = op.post("/api/switchboard/dnd", json={"subject_kind": "guest", "subject_id": guest_id, "reason": "休息"})
    assert d.status_code == 201, d.text
    m = op.post("/api/switchboard/messages", json={"recipient_kind": "guest", "recipient_id": guest_id,
                                                    "caller_name": "钱", "caller_number": "13700000000",
                                                    "content": "请回电", "read_back": True})
    assert m.status_code == 201, m.text
    # From the room board (by number): DND, a message and a wake-up for the other room.
    d2 = op.post("/api/switchboard/dnd", json={"subject_kind": "room", "room": OTHER_ROOM})
    assert d2.status_code == 201, d2.text
    m2 = op.post("/api/switchboard/messages", json={"recipient_kind": "room", "room": OTHER_ROOM,
                                                     "caller_name": "周", "caller_number": "13700000001",
                                                     "content": "到了请回电", "read_back": True})
    assert m2.status_code == 201, m2.text
    w2 = op.post("/api/wakeups", json={"room": OTHER_ROOM, "time": "0630", "readback_confirmed": True})
    assert w2.status_code == 201, w2.text

    answers: dict[str, Any] = {"wakeup": w.json(), "dnd": d.json(), "message": m.json(),
                               "dnd_room": d2.json(), "message_room": m2.json(), "wakeup_room": w2.json()}
    # Every console GET endpoint without a path parameter, and each record by its id.
    schema = app.openapi()
    for path, ops in schema["paths"].items():
        if "get" in ops and "{" not in path and path.startswith("/api/") and not path.startswith("/api/v1/"):
            r = op.get(path)
            if r.status_code == 200 and r.headers.get("content-type", "").startswith("application/json"):
                answers[path] = r.json()
    wake_id = w.json()["items"][0]["id"]
    answers["wakeup_by_id"] = op.get(f"/api/wakeups/{wake_id}").json()
    assert "room" not in answers["wakeup_by_id"]
    # What the live feed pushes to an operator's console.
    viewer = Viewer(user_id=0, role="operator")
    with session_factory() as s:
        feed = [shape_for(viewer, {"topic": f.topic, "payload": f.payload})
                for f in s.scalars(select(FeedItem).order_by(FeedItem.id))]
    answers["feed"] = feed

    # The room board lists every room, 1606 among them, but nothing the operator set for the
    # guest by name marks it; what was set on 1607 by its number does.
    board = answers.pop("/api/rooms/board")
    rooms = {r["room"]: r for f in board["floors"] for r in f["rooms"]}
    assert (rooms[ROOM]["dnd"], rooms[ROOM]["wakeup"], rooms[ROOM]["message_lamp"]) == (False, None, False)
    assert rooms[OTHER_ROOM]["dnd"] and rooms[OTHER_ROOM]["message_lamp"]
    assert _links(board) == [] and OTHER_GUEST not in json.dumps(board, ensure_ascii=False)
    everything = json.dumps(answers, ensure_ascii=False)
    assert _links(answers) == []
    # The guest found by mobile: never her room, in any answer or message.
    def where(text: str) -> list[str]:
        return [k for k, v in answers.items() if text in json.dumps(v, ensure_ascii=False)]

    assert f'"{ROOM}"' not in everything and f'"{EXT}"' not in everything, where(f'"{ROOM}"') + where(EXT)
    # The room given by number: never who stays there.
    assert OTHER_GUEST not in everything, where(OTHER_GUEST)
    # The same record id never shows the guest in one answer and the room in another.
    seen: dict[tuple[str, int], set[str]] = {}
    for obj in _objects(answers):
        if isinstance(obj.get("id"), int) and obj.get("addressed") in ("room", "guest"):
            seen.setdefault((obj["addressed"], obj["id"]), set()).add(
                "room" if obj.get("room") else "guest" if (obj.get("guest_name") or obj.get("label")) else "")
    assert all(len(kinds - {""}) <= 1 for kinds in seen.values()), seen


def test_the_shift_leader_sees_guest_and_room_together(app, make_user, write):
    call_id = _setup(write)
    op = _login(app, make_user, "operator")
    booked = op.post("/api/wakeups", json={"time": "0700", "call_id": call_id, "readback_confirmed": True})
    assert booked.status_code == 201
    assert op.post("/api/switchboard/dnd", json={"subject_kind": "room", "room": OTHER_ROOM}).status_code == 201
    leader = _login(app, make_user, "shift_leader")
    day = op.get("/api/wakeups/" + str(booked.json()["items"][0]["id"])).json()["local_date"]
    board = leader.get("/api/wakeups", params={"date": day}).json()
    assert ROOM in {w.get("room") for w in board["items"]}
    assert "room" not in op.get("/api/wakeups", params={"date": day}).json()["items"][0]
    dnd = leader.get("/api/switchboard/dnd").json()
    row = next(x for x in dnd["items"] if x.get("room_number") == OTHER_ROOM)
    assert row["guest_name"] == OTHER_GUEST
