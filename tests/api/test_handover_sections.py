"""The handover log carries the wake-ups (R-H9: the day's list in time order with state, and the
escalated ones — rooms to knock) and the open callbacks from work orders (R-H13); each leaves
the handover when it is resolved."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient

from zongji.services import wakeups as wk
from zongji.store.models import Department, Guest, Organisation, Room, Stay, utcnow


@pytest.fixture
def hotel(write):
    now = utcnow()
    with write() as s:
        org = Organisation(code="h", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        for n in ("808", "809", "1201"):
            room = Room(organisation_id=org.id, number=n, floor=int(n[:-2]), extension="8" + n)
            s.add(room)
            s.flush()
            g = Guest(organisation_id=org.id, name=f"客人{n}")
            s.add(g)
            s.flush()
            s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=2), status="in_house"))
        city = Organisation(code="city", name="示例市", kind="city_hotline")
        s.add(city)
        s.flush()
        unit = Department(organisation_id=city.id, name="市城管局", kind="handling_unit")
        s.add(unit)
        s.flush()
        return now, unit.id


def _section(h: dict, key: str) -> list[dict]:
    return next(s for s in h["sections"] if s["key"] == key)["items"]


def _book(c: TestClient, room: str, at: dt.datetime) -> int:
    r = c.post("/api/wakeups", json={"room": room, "wake_at": at.isoformat(), "readback_confirmed": True})
    assert r.status_code == 201, r.text
    return r.json()["items"][0]["id"]


def test_wakeups_in_time_order_and_escalated_rooms_until_reached(as_role, hotel, write, settings):
    now, _ = hotel
    op = as_role("operator")
    late = _book(op, "808", now + dt.timedelta(hours=3))
    early = _book(op, "1201", now + dt.timedelta(hours=1))
    h = op.get("/api/handover/current").json()
    items = _section(h, "wakeups")
    assert [it["ref"] for it in items] == [str(early), str(late)]  # time order, not booking order
    assert "1201" in items[0]["text"]["zh"] and "待叫" in items[0]["text"]["zh"]
    assert "room 808" in items[1]["text"]["en"] and "due" in items[1]["text"]["en"]
    assert _section(h, "wakeups_escalated") == []
    # The telephony is down when 1201 falls due: escalated — a room to knock, in both sections.
    st = settings
    with write() as s:
        (w,) = wk.escalate_telephony_down(s, now=now + dt.timedelta(hours=1, seconds=1), settings=st,
                                          reason="gateway down", first=wk.get(s, early))
        assert w.id == early
    h = op.get("/api/handover/current").json()
    esc = _section(h, "wakeups_escalated")
    assert [it["ref"] for it in esc] == [str(early)] and esc[0]["urgent"] is True
    assert "1201" in esc[0]["text"]["zh"]
    assert "已升级" in _section(h, "wakeups")[0]["text"]["zh"]
    # Guest names never stand next to the room numbers for an operator.
    assert "客人1201" not in str(h)
    # The floor attendant knocks: no longer a room to knock, but it stays in the handover with
    # its outcome — reached at the door, 12 minutes late (issue 8, point 7).
    with write() as s:
        wk.mark_reached(s, early, by="door", actor="user:hk", now=now + dt.timedelta(hours=1, minutes=12),
                        settings=st)
    h = op.get("/api/handover/current").json()
    (done,) = _section(h, "wakeups_escalated")
    assert done["ref"] == str(early) and done["urgent"] is False
    assert "已处理" in done["text"]["zh"] and "敲门" in done["text"]["zh"] and "晚12分钟" in done["text"]["zh"]
    assert "at the door" in done["text"]["en"]
    assert "已叫醒" in _section(h, "wakeups")[0]["text"]["zh"]
    # A cancelled wake-up leaves the day's list.
    assert op.post(f"/api/wakeups/{late}/cancel", json={}).status_code in (200, 204)
    h = op.get("/api/handover/current").json()
    assert str(late) not in [it["ref"] for it in _section(h, "wakeups")]


def test_open_callbacks_until_the_callback_is_recorded(as_role, hotel):
    _, unit_id = hotel
    op, leader = as_role("operator"), as_role("shift_leader")
    unit = as_role("unit_handler", department_id=unit_id)
    r = op.post("/api/work-orders", json={
        "order_type": "request", "situation": "general", "caller_name": "张三", "caller_number": "13800000001",
        "place": "幸福路12号", "description": "幸福路12号门口路灯不亮已经三天"})
    assert r.status_code == 201, r.text
    o = r.json()
    assert _section(op.get("/api/handover/current").json(), "callbacks") == []  # not replied yet
    assert leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": unit_id}).status_code == 200
    assert unit.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"}).status_code == 200
    assert unit.post(f"/api/work-orders/{o['id']}/actions", json={"action": "reply", "text": "已更换灯泡"}).status_code == 200
    (cb,) = _section(op.get("/api/handover/current").json(), "callbacks")
    assert cb["ref"] == o["number"] and cb["at"]
    assert "张三" in cb["text"]["zh"] and "13800000001" in cb["text"]["zh"] and "路灯" in cb["text"]["zh"]
    assert cb["text"]["en"].startswith("Call back 张三")
    r = op.post(f"/api/work-orders/{o['id']}/actions", json={"action": "record_callback", "outcome": "satisfied"})
    assert r.status_code == 200, r.text
    assert _section(op.get("/api/handover/current").json(), "callbacks") == []


def test_signed_handover_waits_for_acknowledgement_and_cannot_be_signed_twice(as_role, hotel):
    """Issue 8 point 7: after sign-off the shift is handed over and awaiting acknowledgement; the
    same operator cannot sign a second handover of the same shift while it waits."""
    op, leader = as_role("operator"), as_role("shift_leader")
    assert op.post("/api/handover/current/entries", json={"text": "1201 客人要求明早送早餐"}).status_code in (200, 201)
    signed = op.post("/api/handover/current/sign-off")
    assert signed.status_code == 200, signed.text
    assert signed.json()["state"] == "signed_off"
    again = op.post("/api/handover/current/sign-off")
    assert again.status_code == 409 and again.json()["error"] == "handover_awaiting_acknowledgement"
    assert again.json()["field"] == "state"
    mine = op.get("/api/handover/current").json()["awaiting_acknowledgement"]
    assert mine["id"] == signed.json()["id"] and mine["mine"] is True
    theirs = leader.get("/api/handover/current").json()["awaiting_acknowledgement"]
    assert theirs["id"] == signed.json()["id"] and theirs["mine"] is False
    assert leader.post(f"/api/handover/{theirs['id']}/acknowledge").status_code == 200
    # Acknowledged: the operator may sign the next one.
    assert op.get("/api/handover/current").json()["awaiting_acknowledgement"] is None
    assert op.post("/api/handover/current/sign-off").status_code == 200


def test_vip_section_shows_rooms_only_to_the_roles_that_may_see_them(as_role, hotel, write):
    """Issue 8 point 7 (R-H4): the shift leader sees the VIP's room, an operator the VIP only —
    in the live handover and in the signed one."""
    from sqlalchemy import select as _select

    with write() as s:
        g = s.scalar(_select(Guest).where(Guest.name == "客人808"))
        g.vip, g.vip_title = True, "王董事长"
    op, leader = as_role("operator"), as_role("shift_leader")
    for client, sees in ((op, False), (leader, True)):
        (vip,) = _section(client.get("/api/handover/current").json(), "vips")
        assert "王董事长" in vip["text"]["zh"] and ("808房" in vip["text"]["zh"]) is sees
    signed = op.post("/api/handover/current/sign-off").json()
    (vip,) = _section(op.get(f"/api/handover/{signed['id']}").json(), "vips")
    assert "808房" not in vip["text"]["zh"]
    (vip,) = _section(leader.get(f"/api/handover/{signed['id']}").json(), "vips")
    assert "808房" in vip["text"]["zh"]
