"""A second wake-up for the same room and time warns (issue 8, point 6).

The read-back lists the open wake-up the room already has at that time; booking it again is
refused (409 duplicate_wakeup naming wake_at) unless the operator confirms, after which both stand.
A cancelled wake-up is no duplicate; another minute is none either (the window is a setting).
"""

from __future__ import annotations

import datetime as dt

from fastapi.testclient import TestClient

from zongji.domain.wakeups import duplicate_of
from zongji.store.models import Guest, Organisation, Room, Stay, utcnow


def _hotel(write) -> None:
    now = utcnow()
    with write() as s:
        org = Organisation(code="hd", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        room = Room(organisation_id=org.id, number="2101", floor=21, extension="82101")
        s.add(room)
        s.flush()
        g = Guest(organisation_id=org.id, name="周先生")
        s.add(g)
        s.flush()
        s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                   departure=now + dt.timedelta(days=4), status="in_house"))


def _operator(app, make_user) -> TestClient:
    username, password = make_user("operator")
    c = TestClient(app)
    assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    return c


def test_a_second_wakeup_for_the_same_room_and_time_warns(app, make_user, write):
    _hotel(write)
    op = _operator(app, make_user)
    first = {"room": "2101", "time": "0700", "readback_confirmed": True}
    r = op.post("/api/wakeups", json=first)
    assert r.status_code == 201, r.text
    first_id = r.json()["items"][0]["id"]

    p = op.post("/api/wakeups/preview", json={"room": "2101", "time": "0700"})
    assert p.status_code == 200
    dups = p.json()["duplicates"]
    assert [d["id"] for d in dups] == [first_id] and dups[0]["local_time"] == "07:00"
    assert dups[0]["booked_by_name"]

    again = op.post("/api/wakeups", json=first)
    assert again.status_code == 409 and again.json()["error"] == "duplicate_wakeup"
    assert again.json()["field"] == "wake_at"
    # Another minute is another wake-up: no warning.
    other = op.post("/api/wakeups/preview", json={"room": "2101", "time": "0701"})
    assert other.json()["duplicates"] == []
    # Confirmed after the warning: both stand.
    ok = op.post("/api/wakeups", json={**first, "confirm_duplicate": True})
    assert ok.status_code == 201, ok.text
    # Cancelled ones are no duplicates.
    for wid in (first_id, ok.json()["items"][0]["id"]):
        assert op.post(f"/api/wakeups/{wid}/cancel", json={}).status_code == 200
    assert op.post("/api/wakeups/preview", json={"room": "2101", "time": "0700"}).json()["duplicates"] == []
    assert op.post("/api/wakeups", json=first).status_code == 201


def test_duplicate_rule_same_minute_or_window():
    t = dt.datetime(2026, 12, 5, 7, 0, 30, tzinfo=dt.UTC)
    existing = [(1, t.replace(second=0)), (2, t + dt.timedelta(minutes=5)), (3, t - dt.timedelta(minutes=1))]
    assert duplicate_of(existing, [t], dt.timedelta(0)) == [1]
    assert duplicate_of(existing, [t], dt.timedelta(minutes=5)) == [1, 2, 3]
    assert duplicate_of(existing, [t + dt.timedelta(days=1)], dt.timedelta(minutes=5)) == []


def test_a_wakeup_for_a_room_typed_in_full_width_digits(app, make_user, write):
    """Issue 12 point 5: ２１０１ was refused while everything else folded full-width digits."""
    _hotel(write)
    op = _operator(app, make_user)
    r = op.post("/api/wakeups", json={"room": "２１０１", "time": "０６３０", "readback_confirmed": True})
    assert r.status_code == 201, r.text
    assert r.json()["items"][0]["room"] == "2101"
    d = op.post("/api/switchboard/dnd", json={"subject_kind": "room", "room": "２１０１房"})
    assert d.status_code == 201, d.text
