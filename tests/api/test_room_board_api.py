"""Room board API: markers per room, guest names only for ROOM_NUMBER_ROLES, reads audited,
console roles only."""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.store.models import AuditEntry, Department, Guest, Organisation, Room, Stay, utcnow


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
    assert (r808["occupied"], r808["vip"], r808["departing"], r808["guest_ref"]) == (True, True, leaves_today, gid)
    assert (r809["occupied"], r809["guest_ref"], r809["wakeup"], r809["dnd"]) == (False, None, None, False)
    assert (r901["occupied"], r901["arriving"]) == (False, leaves_today)
    assert "王先生" not in str(b) and "李女士" not in str(b) and b["names"] is False
    # DND, a wake-up and a message set from the room show on the board.
    assert op.post("/api/switchboard/dnd", json={"subject_kind": "guest", "subject_id": gid,
                                                 "until_checkout": True}).status_code == 201
    at = (utcnow() + dt.timedelta(hours=2)).isoformat()
    assert op.post("/api/wakeups", json={"room": "808", "wake_at": at, "readback_confirmed": True}).status_code == 201
    assert op.post("/api/switchboard/messages", json={
        "recipient_kind": "guest", "recipient_id": gid, "caller_name": "张", "caller_number": "139",
        "content": "回电", "read_back": True}).status_code == 201
    r808 = next(r for f in op.get("/api/rooms/board").json()["floors"] for r in f["rooms"] if r["room"] == "808")
    assert r808["dnd"] and r808["dnd_id"] and r808["message_lamp"] and r808["wakeup"]["status"] == "due"
    # The shift leader sees the names next to the rooms.
    leader = _client(app, make_user, "shift_leader")
    lb = leader.get("/api/rooms/board").json()
    lrooms = {r["room"]: r for f in lb["floors"] for r in f["rooms"]}
    assert lrooms["808"]["guest_name"] == "王先生" and lrooms["901"].get("arriving_name") == ("李女士" if leaves_today else None)
    with session_factory() as s:
        reads = s.scalars(select(AuditEntry).where(AuditEntry.entity == "guest", AuditEntry.action == "read")).all()
        assert any(a.detail.get("via") == "room_board" and a.entity_id == str(gid) for a in reads)
        assert s.scalars(select(AuditEntry).where(AuditEntry.entity == "room_board")).first() is not None
