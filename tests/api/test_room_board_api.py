"""Room board API: markers per room, guest names and ids only for ROOM_NUMBER_ROLES (R-H4), reads
audited, console roles only; DND and messages set from the board address the room."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.store.models import AuditEntry, Department, Guest, Organisation, Room, Stay, utcnow
from zongji.store.switchboard_models import DndPeriod, Message


def _hotel(write, settings):
    now = utcnow()
    tz = settings.tz
    today_evening = dt.datetime.combine(now.astimezone(tz).date(), dt.time(23, 0), tzinfo=tz)
    with write() as s:
        org = Organisation(code="h", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        rooms = {}
        for n, floor in (("808", 8), ("809", 8), ("901", 9)):
            rooms[n] = Room(organisation_id=org.id, number=n, floor=floor, extension="8" + n)
            s.add(rooms[n])
        unit = Department(organisation_id=org.id, name="工程部", kind="handling_unit")
        s.add(unit)
        s.flush()
        g1 = Guest(organisation_id=org.id, name="王先生", vip=True)
        g2 = Guest(organisation_id=org.id, name="李女士")
        s.add_all([g1, g2])
        s.flush()
        # 808 in house, leaving today; 901 arriving today; 809 vacant.
        departure = max(today_evening, now + dt.timedelta(minutes=5))
        s.add(Stay(guest_id=g1.id, room_id=rooms["808"].id, arrival=now - dt.timedelta(days=1),
                   departure=departure, status="in_house"))
        s.add(Stay(guest_id=g2.id, room_id=rooms["901"].id, arrival=max(today_evening, now + dt.timedelta(minutes=5)),
                   departure=now + dt.timedelta(days=3), status="expected"))
        # Run in the last minutes of a local day, the departure falls tomorrow.
        return unit.id, g1.id, departure.astimezone(tz).date() == now.astimezone(tz).date()


def _client(app, make_user, role, **kw) -> TestClient:
    username, password = make_user(role, **kw)
    c = TestClient(app)
    assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return c


def test_markers_privacy_and_audit(app, make_user, write, settings, session_factory):
    unit_id, gid, leaves_today = _hotel(write, settings)
    assert TestClient(app).get("/api/rooms/board").status_code == 401
    assert _client(app, make_user, "unit_handler", department_id=unit_id).get("/api/rooms/board").status_code == 403
    op = _client(app, make_user, "operator")
    b = op.get("/api/rooms/board").json()
    rooms = {r["room"]: r for f in b["floors"] for r in f["rooms"]}
    assert [f["floor"] for f in b["floors"]] == [8, 9]
    r808, r809, r901 = rooms["808"], rooms["809"], rooms["901"]
    assert (r808["occupied"], r808["vip"], r808["departing"]) == (True, True, leaves_today)
    assert (r809["occupied"], r809["wakeup"], r809["dnd"]) == (False, None, False)
    assert (r901["occupied"], r901["arriving"]) == (False, leaves_today)
    assert "王先生" not in str(b) and "李女士" not in str(b) and b["names"] is False
    # DND, a wake-up and a message set from the room show on the board.
    assert op.post("/api/switchboard/dnd", json={"subject_kind": "room", "room": "808",
                                                 "until_checkout": True}).status_code == 201
    # Before the guest's departure, which may be minutes away late in the local evening.
    at = (utcnow() + dt.timedelta(minutes=3)).isoformat()
    assert op.post("/api/wakeups", json={"room": "808", "wake_at": at, "readback_confirmed": True}).status_code == 201
    assert op.post("/api/switchboard/messages", json={
        "recipient_kind": "room", "room": "808", "caller_name": "张", "caller_number": "139",
        "content": "回电", "read_back": True}).status_code == 201
    r808 = next(r for f in op.get("/api/rooms/board").json()["floors"] for r in f["rooms"] if r["room"] == "808")
    assert r808["dnd"] and r808["message_lamp"] and r808["wakeup"]["status"] == "due"
    # The shift leader sees the names next to the rooms.
    leader = _client(app, make_user, "shift_leader")
    lb = leader.get("/api/rooms/board").json()
    lrooms = {r["room"]: r for f in lb["floors"] for r in f["rooms"]}
    assert lrooms["808"]["guest_name"] == "王先生" and lrooms["901"].get("arriving_name") == ("李女士" if leaves_today else None)
    assert lrooms["808"]["guest_ref"] == gid and lrooms["808"]["dnd_id"]
    with session_factory() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.entity == "guest", AuditEntry.action == "read")).all()
        assert any(a.detail.get("via") == "room_board" and a.entity_id == str(gid) for a in reads)
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "room_board")).first() is not None


# The keys of a room on the board for an operator: nothing that names or identifies a guest.
OPERATOR_ROOM_KEYS = {"room", "floor", "room_type", "occupied", "arriving", "departing", "vip", "dnd",
                      "wakeup", "wakeup_escalated", "message_lamp"}


def _ids(value, key=None):
    """Every (key, int) pair in a JSON document, nested."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield from _ids(v, k)
    elif isinstance(value, list):
        for v in value:
            yield from _ids(v, key)
    elif isinstance(value, int) and not isinstance(value, bool):
        yield key, value


def test_operator_cannot_join_a_guest_found_by_name_to_a_room(app, make_user, write, settings, session_factory):
    """R-H4: operator → search 赵雅琴 → her id → room board → room: closed. The board carries no guest
    id and no DND id for an operator; DND and messages from the board go to the room's occupant."""
    now = utcnow()
    with write() as s:
        org = Organisation(code="h2", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        r1206 = Room(organisation_id=org.id, number="1206", floor=12, extension="81206")
        r1207 = Room(organisation_id=org.id, number="1207", floor=12, extension="81207")
        s.add_all([r1206, r1207])
        s.flush()
        zhao = Guest(organisation_id=org.id, name="赵雅琴", mobile="13912345678")
        hidden = Guest(organisation_id=org.id, name="钱不在", privacy_level="not_staying")
        s.add_all([zhao, hidden])
        s.flush()
        for g, r in ((zhao, r1206), (hidden, r1207)):
            s.add(Stay(guest_id=g.id, room_id=r.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=2), status="in_house"))
        zhao_id, hidden_id, room_ids = zhao.id, hidden.id, {r1206.id, r1207.id}
    op = _client(app, make_user, "operator")
    found = op.get("/api/directory/search", params={"q": "赵雅琴"}).json()["results"]
    assert [r["id"] for r in found if r["kind"] == "guest"] == [zhao_id]
    # DND and a message set from the board address the room, by number.
    d = op.post("/api/switchboard/dnd", json={"subject_kind": "room", "room": "1206", "until_checkout": True})
    assert d.status_code == 201, d.text
    m = op.post("/api/switchboard/messages", json={"recipient_kind": "room", "room": "1207", "caller_name": "孙",
                                                    "caller_number": "13700000000", "content": "请回电",
                                                    "read_back": True})
    assert m.status_code == 201, m.text
    # The answers name the room the operator chose, never the guest (no id, no name).
    for answer in (d.json(), m.json()):
        assert "赵雅琴" not in str(answer) and "钱不在" not in str(answer)
    assert (d.json()["subject_kind"], d.json()["room"]) == ("room", "1206")
    assert not {"subject_id", "guest_name", "label"} & set(d.json())
    assert m.json()["recipient"] == {"kind": "room", "id": None, "label": "1207"}
    board = op.get("/api/rooms/board").json()
    rooms = {r["room"]: r for f in board["floors"] for r in f["rooms"]}
    for number in ("1206", "1207"):
        assert set(rooms[number]) == OPERATOR_ROOM_KEYS
        assert rooms[number]["occupied"]
    assert rooms["1206"]["dnd"] and rooms["1207"]["message_lamp"]
    # No id anywhere on the board is a guest's or a DND's (only rooms' floors, wake-up ids, counts).
    with session_factory() as s:
        dnd_ids = set(s.scalars(select(DndPeriod.id)))
    for key, value in _ids(board):
        assert key in {"floor", "id"} | set(board["counts"]), key
        assert key != "id" or value not in dnd_ids
    assert "赵雅琴" not in str(board) and "钱不在" not in str(board)
    # They went to the occupants: DND on room 1206 for 赵雅琴, the message for the guest in 1207
    # with the room's lamp lit.
    with session_factory() as s:
        p = s.scalars(select(DndPeriod).where(DndPeriod.ended_at.is_(None))).one()
        assert (p.subject_kind, p.subject_id in room_ids, p.guest_id, p.room_number, p.extension) == (
            "room", True, zhao_id, "1206", "81206")
        msg = s.scalars(select(Message)).one()
        assert (msg.recipient_kind, msg.recipient_id, msg.lamp_extension) == ("guest", hidden_id, "81207")
    # The shift leader's answer to the same kind of request names the guest.
    leader = _client(app, make_user, "shift_leader")
    lm = leader.post("/api/switchboard/messages", json={"recipient_kind": "room", "room": "1206", "caller_name": "孙",
                                                         "caller_number": "137", "content": "回电", "read_back": True})
    assert lm.status_code == 201 and lm.json()["recipient"]["label"] == "赵雅琴"
    # Cancelled from the board by room; the board shows it off.
    c = op.post("/api/switchboard/dnd/room-cancel", json={"room": "1206", "reason": "客人回房"})
    assert c.status_code == 200, c.text
    assert "赵雅琴" not in str(c.json()) and c.json()["active"] is False
    rooms = {r["room"]: r for f in op.get("/api/rooms/board").json()["floors"] for r in f["rooms"]}
    assert rooms["1206"]["dnd"] is False
    # Refusals name the field: a vacant or unknown room, no room at all, DND already off.
    with write() as s:
        s.add(Room(organisation_id=s.get(Room, min(room_ids)).organisation_id, number="1208", floor=12,
                   extension="81208"))
    for body, code in (({"room": "1208"}, 422), ({"room": "9999"}, 404), ({}, 422)):
        r = op.post("/api/switchboard/dnd", json={"subject_kind": "room", **body})
        assert r.status_code == code and r.json()["field"] == "room", r.text
        r = op.post("/api/switchboard/messages", json={"recipient_kind": "room", "caller_name": "孙",
                                                       "caller_number": "1", "content": "x", "read_back": True,
                                                       **body})
        assert r.status_code == code and r.json()["field"] == "room", r.text
    r = op.post("/api/switchboard/dnd/room-cancel", json={"room": "1206"})
    assert r.status_code == 409 and r.json()["field"] == "room"
