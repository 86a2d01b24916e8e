"""Live push reaches only whom it concerns: a notification only its addressee(s) (person, role,
unit); a unit handler only their notifications and their unit's work-order updates — never
calls, guests, do-not-disturb, messages or alerts."""

from __future__ import annotations

import uuid

import pytest

from zongji.domain.live_feed import Viewer, may_receive
from zongji.store.models import Department, FeedItem, Organisation, User


def _unit(write, name: str) -> int:
    with write() as s:
        org = Organisation(code=f"o{uuid.uuid4().hex[:8]}", name="市热线", kind="hotline")
        s.add(org)
        s.flush()
        d = Department(organisation_id=org.id, name=name, kind="handling_unit")
        s.add(d)
        s.flush()
        return d.id


def _feed(write, topic: str, payload: dict) -> int:
    with write() as s:
        row = FeedItem(topic=topic, entity_id=str(payload.get("id", "x")), payload=payload)
        s.add(row)
        s.flush()
        return row.id


def _user_id(write, username: str) -> int:
    from sqlalchemy import select

    with write() as s:
        return s.scalar(select(User.id).where(User.username == username))


def _received_until(ws, sentinel_id: int) -> list[dict]:
    got = []
    while True:
        msg = ws.receive_json()
        got.append(msg)
        if msg["id"] == sentinel_id:
            return got


def test_a_unit_handler_gets_only_their_notifications_and_their_units_orders(client, login, write):
    mine, other = _unit(write, "市政管理处"), _unit(write, "水务集团")
    login("unit_handler", department_id=mine)
    with client.websocket_connect("/api/live") as ws:  # registered before the socket opens
        never = [
            _feed(write, "call", {"id": 1, "calling_number": "13900001111", "state": "ringing"}),
            _feed(write, "dnd", {"id": 2, "guest_name": "张三"}),
            _feed(write, "message", {"id": 3, "content": "请回电"}),
            _feed(write, "alert", {"id": 4, "kind": "wakeup_escalated", "room": "1208"}),
            _feed(write, "wakeup", {"id": 5, "room": "1208"}),
            _feed(write, "notification", {"id": 6, "unit_id": other, "user_id": None, "role": None}),
            _feed(write, "notification", {"id": 7, "unit_id": None, "user_id": None, "role": "shift_leader"}),
            _feed(write, "work_order", {"id": 8, "main_unit_id": other, "unit_ids": [other]}),
        ]
        ours_order = _feed(write, "work_order", {"id": 9, "main_unit_id": other, "unit_ids": [other, mine]})
        ours_note = _feed(write, "notification", {"id": 10, "unit_id": mine, "user_id": None, "role": None,
                                                  "subject": "催办"})
        got = _received_until(ws, ours_note)
    ids = [m["id"] for m in got]
    assert ids == [ours_order, ours_note]
    assert not set(ids) & set(never)


def test_a_notification_reaches_only_its_addressee(client, login, write):
    name = login("operator")
    me = _user_id(write, name)
    with client.websocket_connect("/api/live") as ws:  # registered before the socket opens
        for_someone_else = _feed(write, "notification", {"id": 1, "user_id": me + 1000, "role": None, "unit_id": None})
        for_leaders = _feed(write, "notification", {"id": 2, "user_id": None, "role": "shift_leader", "unit_id": None})
        for_a_unit = _feed(write, "notification", {"id": 3, "user_id": None, "role": None, "unit_id": 5})
        call = _feed(write, "call", {"id": 4, "state": "ringing"})
        for_operators = _feed(write, "notification", {"id": 5, "user_id": None, "role": "operator", "unit_id": None})
        for_me = _feed(write, "notification", {"id": 6, "user_id": me, "role": None, "unit_id": None})
        got = _received_until(ws, for_me)
    ids = [m["id"] for m in got]
    assert ids == [call, for_operators, for_me]
    assert not {for_someone_else, for_leaders, for_a_unit} & set(ids)


@pytest.mark.parametrize("topic", ["call", "transfer", "message", "dnd", "alert", "fault", "wakeup", "handover",
                                   "wakeup_check", "guest"])
def test_rule_console_topics_never_reach_unit_handlers(topic):
    unit = Viewer(user_id=1, role="unit_handler", unit_id=7)
    console = Viewer(user_id=2, role="operator")
    msg = {"topic": topic, "id": 1, "payload": {"id": 1, "main_unit_id": 7, "unit_ids": [7], "unit_id": 7}}
    assert not may_receive(unit, msg)
    assert may_receive(console, msg)


def test_rule_a_unit_handler_without_a_unit_gets_no_orders():
    assert not may_receive(Viewer(1, "unit_handler", None),
                           {"topic": "work_order", "payload": {"main_unit_id": None, "unit_ids": []}})


def test_rule_door_tasks_reach_only_the_addressed_unit():
    """R-H9: a knock-on-door task goes live to the guest-service centre's handlers (unit_id)."""
    msg = {"topic": "wakeup_task", "id": 1, "payload": {"id": 1, "room": "808", "unit_id": 7}}
    assert may_receive(Viewer(1, "unit_handler", 7), msg)
    assert not may_receive(Viewer(1, "unit_handler", 8), msg)
    assert not may_receive(Viewer(1, "unit_handler", None), msg)
    assert not may_receive(Viewer(1, "unit_handler", 7), {**msg, "payload": {"id": 1, "unit_id": None}})
    assert may_receive(Viewer(2, "operator"), msg)
