"""Console slips (issue 8 point 6) at the API: search results say which guest, room or person has
do-not-disturb on, and DND is set on a room addressed by its id as found by its number."""

from __future__ import annotations

import datetime as dt

import pytest

from zongji.demo.data import DEMO_PASSWORD
from zongji.demo.switchboard import DEMO_DND_GUEST_NAME, DEMO_DND_GUEST_ROOM



def _as(client, username: str) -> None:
    client.cookies.clear()
    r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text


def _search(client, q: str) -> list[dict]:
    r = client.get("/api/directory/search", params={"q": q})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def _guest_in(write, number: str) -> None:
    """An in-house guest in a new room ``number`` of the demo hotel."""
    from zongji.store.models import Guest, Organisation, Room, Stay, utcnow

    now = utcnow()
    with write() as s:
        org = s.query(Organisation).filter(Organisation.kind == "hotel").first()
        room = Room(organisation_id=org.id, number=number, floor=int(number[:2]), extension="8" + number)
        guest = Guest(organisation_id=org.id, name="测试客人")
        s.add_all([room, guest])
        s.flush()
        s.add(Stay(guest_id=guest.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                   departure=now + dt.timedelta(days=2), status="in_house"))


def test_search_results_show_dnd_and_dnd_is_set_on_a_room_found_by_number(demo, client, write):
    _as(client, "operator")
    (guest,) = [r for r in _search(client, DEMO_DND_GUEST_NAME) if r["kind"] == "guest"]
    assert guest["dnd"] is True
    (room,) = [r for r in _search(client, DEMO_DND_GUEST_ROOM) if r["kind"] == "room"]
    assert room["dnd"] is True
    assert not any(r["dnd"] for r in _search(client, "总经理"))

    # Another occupied room, found by its number: DND on it by its id, then the search shows it.
    _guest_in(write, "1812")
    (room,) = [r for r in _search(client, "1812") if r["kind"] == "room"]
    assert room["dnd"] is False
    r = client.post("/api/switchboard/dnd", json={"subject_kind": "room", "subject_id": room["id"],
                                                  "reason": "客人休息"})
    assert r.status_code in (200, 201), r.text
    (room,) = [r for r in _search(client, "1812") if r["kind"] == "room"]
    assert room["dnd"] is True
