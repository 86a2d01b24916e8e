"""Each organisation sees its own (issue 8, point 5). The demo holds a hotel and a city hotline:
the hotel's operator sees the hotel's handover, directory, call categories and queues, never the
city's; the 12345 operator the city's; the supervisor (who works for everything) both."""

from __future__ import annotations

import datetime as dt
import json

from sqlalchemy import select

from tests.switchboard_support import app, as_user, demo  # noqa: F401  (fixtures)
from zongji.domain.live_feed import Viewer, may_receive
from zongji.demo.data import (
    COMPANY_400_CODE,
    DEMO_CTI_TOKEN,
    DEMO_VIP_GUEST_ROOM,
    HOTEL_LINE_CODE,
    HOTEL_LINE_NUMBER,
    HOTLINE_12345_CODE,
    HOTLINE_12345_NUMBER,
)
from zongji.store.models import AuditEntry, User, UserLine

CITY = "示例市12345"


def _event(client, call_id: str, *, frm: str, to: str, event: str = "newCall") -> int:
    at = dt.datetime.now(dt.UTC).replace(microsecond=0)
    r = client.post("/api/cti/events", headers={"Authorization": f"Bearer {DEMO_CTI_TOKEN}"},
                    json={"callId": call_id, "from": frm, "to": to, "direction": "in", "event": event,
                          "at": at.isoformat()})
    assert r.status_code == 202, r.text
    return r.json()["call_id"]


def _callbacks(client) -> list[dict]:
    h = client.get("/api/handover/current").json()
    return next(s for s in h["sections"] if s["key"] == "callbacks")["items"]


def _search(client, q: str) -> list[dict]:
    r = client.get("/api/directory/search", params={"q": q, "limit": 100})
    assert r.status_code == 200, r.text
    return r.json()["results"]


def test_the_demo_operators_are_distinct_and_work_for_their_own_line(demo, write):
    with write() as s:
        def lines(username: str) -> set[str]:
            user = s.scalar(select(User).where(User.username == username))
            return {ul.line_id for ul in s.scalars(select(UserLine).where(UserLine.user_id == user.id))}
        from zongji.store.models import Line
        code = {line.id: line.code for line in s.scalars(select(Line))}
        assert {code[i] for i in lines("operator")} == {HOTEL_LINE_CODE}
        assert {code[i] for i in lines("hotline")} == {HOTLINE_12345_CODE}
        assert {code[i] for i in lines("leader")} == {HOTEL_LINE_CODE, HOTLINE_12345_CODE, COMPANY_400_CODE}
        assert lines("supervisor") == set() and lines("admin") == set()  # everything


def test_the_hotels_handover_lists_no_12345_callback(client, demo, as_user):
    as_user("hotline")
    city = _callbacks(client)
    assert city, "the demo has a 12345 order waiting for its callback"
    as_user("operator")
    assert _callbacks(client) == []
    as_user("supervisor")  # works for everything
    assert [c["ref"] for c in _callbacks(client)] == [c["ref"] for c in city]


def test_each_organisation_signs_its_own_handover(client, demo, as_user):
    as_user("operator")
    r = client.post("/api/handover/current/entries", json={"text": "总台打印机卡纸，已报工程部"})
    assert r.status_code == 201, r.text
    signed = client.post("/api/handover/current/sign-off").json()
    hid = signed["id"]
    assert "12345" not in json.dumps(signed["sections"], ensure_ascii=False)
    as_user("hotline")  # the 12345 shift neither sees nor acknowledges the hotel's handover
    cur = client.get("/api/handover/current").json()
    assert cur["id"] != hid and cur["awaiting_acknowledgement"] is None
    assert "打印机" not in json.dumps(cur, ensure_ascii=False)
    assert client.get(f"/api/handover/{hid}").status_code == 404
    assert client.post(f"/api/handover/{hid}/acknowledge").status_code == 404
    assert client.get("/api/handover").json()["items"] == []
    as_user("leader")  # a shift leader of both reads and acknowledges it
    assert [x["id"] for x in client.get("/api/handover").json()["items"]] == [hid]
    assert client.post(f"/api/handover/{hid}/acknowledge").status_code == 200


def test_searching_119_or_urgent_in_the_hotel_finds_the_hotels_entries_not_the_citys_bureaus(client, demo,
                                                                                               as_user):
    as_user("operator")
    for q in ("119", "紧急"):
        found = _search(client, q)
        assert not [x for x in found if x["department"] == CITY], (q, found)
        assert not [x for x in found if x["kind"] == "department" and x["category"] == "handling_unit"]
    # The emergency numbers the hotel itself lists are still found.
    assert any(x["kind"] == "common_number" and x["phones"] == ["119"] for x in _search(client, "119"))
    assert any(x["kind"] == "common_number" and x["phones"] == ["110"] for x in _search(client, "110"))
    as_user("hotline")  # the 12345 operator finds the city's bureaus, not the hotel's entries
    found = _search(client, "紧急")
    assert any(x["department"] == CITY for x in found)
    assert not any(x["kind"] == "common_number" for x in _search(client, "119"))
    as_user("supervisor")
    found = _search(client, "紧急")
    assert any(x["department"] == CITY for x in found)


def test_a_room_call_offers_the_hotels_categories_only(client, demo, as_user):
    call_id = _event(client, "room-1", frm="8" + DEMO_VIP_GUEST_ROOM, to="0")
    as_user("operator")
    call = client.get(f"/api/calls/{call_id}").json()
    assert call["line"] is None  # an internal call: no published line
    offered = {c["code"]: c for c in client.get("/api/calls/categories").json()["categories"]}
    assert {"guest_service", "wake_up"} <= set(offered)
    assert not {"recruitment", "request", "suggestion"} & set(offered)  # 招聘, 一般诉求, 建议
    assert all(c["zh"] and c["en"] for c in offered.values())
    assert client.post(f"/api/calls/{call_id}/take").status_code == 200
    r = client.patch(f"/api/calls/{call_id}", json={"category": "recruitment"})
    assert r.status_code == 422 and r.json()["field"] == "category"
    r = client.patch(f"/api/calls/{call_id}", json={"category": "guest_service"})
    assert r.status_code == 200 and r.json()["category"] == "guest_service"
    # A line's kind still gives that line's categories, and a user of everything is offered all.
    kinds = {c["code"] for c in client.get("/api/calls/categories?line_kind=hotline_12345").json()["categories"]}
    assert "request" in kinds
    as_user("supervisor")
    every = {c["code"] for c in client.get("/api/calls/categories").json()["categories"]}
    assert {"guest_service", "request", "recruitment"} <= every


def test_each_queue_shows_the_calls_of_its_own_lines(client, demo, as_user):
    hotel = _event(client, "q-hotel", frm="13800138000", to=HOTEL_LINE_NUMBER)
    city = _event(client, "q-city", frm="13900139000", to=HOTLINE_12345_NUMBER)
    room = _event(client, "q-room", frm="8" + DEMO_VIP_GUEST_ROOM, to="0")  # the hotel's room

    def queue() -> set[int]:
        return {c["id"] for c in client.get("/api/calls/active").json()["items"]}

    as_user("operator")
    assert queue() == {hotel, room}
    as_user("hotline")
    assert queue() == {city}
    as_user("supervisor")
    assert queue() == {hotel, city, room}


def test_another_organisations_call_is_not_found_by_its_id_nor_in_the_log(client, demo, as_user):
    city = _event(client, "id-city", frm="13900139001", to=HOTLINE_12345_NUMBER)
    hotel = _event(client, "id-hotel", frm="13900139001", to=HOTEL_LINE_NUMBER)
    as_user("operator")
    for r in (client.get(f"/api/calls/{city}"), client.post(f"/api/calls/{city}/take"),
              client.patch(f"/api/calls/{city}", json={"notes": "看不到"})):
        assert r.status_code == 404 and r.json()["field"] == "id"
    card = client.get(f"/api/calls/{hotel}").json()
    # The same caller's 12345 call is not in the hotel's caller history either.
    assert city not in {c["id"] for c in card["card"]["history"]}
    log = {c["id"] for c in client.get("/api/calls", params={"number": "13900139001"}).json()["items"]}
    assert log == {hotel}
    as_user("hotline")
    assert client.get(f"/api/calls/{city}").status_code == 200
    assert client.get(f"/api/calls/{hotel}").status_code == 404
    as_user("supervisor")
    log = {c["id"] for c in client.get("/api/calls", params={"number": "13900139001"}).json()["items"]}
    assert log == {hotel, city}


def test_the_directory_lists_show_ones_own_organisations(client, demo, as_user):
    as_user("supervisor")
    every = client.get("/api/directory/departments").json()["items"]
    orgs = {d["organisation"]["kind"] for d in every}
    assert len(orgs) >= 2
    as_user("operator")
    mine = client.get("/api/directory/departments").json()["items"]
    assert mine and {d["organisation"]["kind"] for d in mine} == {"hotel"}
    assert "市住建局" not in {d["name"] for d in mine}


def test_another_lines_work_order_is_not_found_by_its_id(client, demo, as_user):
    as_user("hotline")
    first = client.get("/api/work-orders", params={"view": "all"}).json()["items"][0]
    assert client.get(f"/api/work-orders/{first['id']}").status_code == 200
    as_user("operator")
    r = client.get(f"/api/work-orders/{first['id']}")
    assert r.status_code == 404 and r.json()["field"] == "order_id"


def test_the_work_order_queues_show_the_orders_of_ones_lines(client, demo, as_user):
    as_user("hotline")
    city = client.get("/api/work-orders", params={"view": "all"}).json()
    assert city["total"] >= 1
    as_user("operator")
    assert client.get("/api/work-orders", params={"view": "all"}).json()["total"] == 0
    assert client.get("/api/work-orders", params={"view": "callbacks"}).json()["total"] == 0
    as_user("supervisor")
    assert client.get("/api/work-orders", params={"view": "all"}).json()["total"] == city["total"]


def test_the_live_feed_sends_a_call_only_to_the_consoles_of_its_line():
    hotel = Viewer(user_id=1, role="operator", line_codes=frozenset({HOTEL_LINE_CODE}))
    every = Viewer(user_id=2, role="supervisor", line_codes=None)
    city_call = {"topic": "call", "payload": {"id": 5, "line": {"code": HOTLINE_12345_CODE}}}
    hotel_call = {"topic": "call", "payload": {"id": 6, "line": {"code": HOTEL_LINE_CODE}}}
    room_call = {"topic": "call", "payload": {"id": 7, "line": None}}
    assert not may_receive(hotel, city_call)
    assert may_receive(hotel, hotel_call) and may_receive(hotel, room_call)
    assert all(may_receive(every, m) for m in (city_call, hotel_call, room_call))


def test_an_admin_assigns_a_users_lines_and_a_bad_line_is_named(client, demo, as_user, write):
    as_user("admin")
    users = {u["username"]: u for u in client.get("/api/users").json()["items"]}
    assert users["operator"]["lines"] == [HOTEL_LINE_CODE]
    uid = users["hotline"]["id"]
    r = client.put(f"/api/users/{uid}/lines", json={"lines": [HOTLINE_12345_CODE, "fax"]})
    assert r.status_code == 422 and r.json()["field"] == "lines[1]"
    r = client.put(f"/api/users/{uid}/lines", json={"lines": [HOTLINE_12345_CODE, HOTEL_LINE_CODE]})
    assert r.status_code == 200 and sorted(r.json()["lines"]) == sorted([HOTLINE_12345_CODE, HOTEL_LINE_CODE])
    with write() as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.entity == "user", AuditEntry.entity_id == str(uid),
                                                 AuditEntry.actor == "user:admin")) is not None
    as_user("operator")
    assert client.put(f"/api/users/{uid}/lines", json={"lines": []}).status_code == 403
