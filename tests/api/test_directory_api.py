"""The directory API for the console: search, identify, lists; privacy and audit (R-H2, R-H4, R-H7)."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from zongji.demo.data import (
    DEMO_NOT_STAYING_GUEST_NAME,
    DEMO_PASSWORD,
    DEMO_VIP_GUEST_MOBILE,
    DEMO_VIP_GUEST_ROOM,
    load_demo,
)
from zongji.store.models import AuditEntry



def _login(client, username="operator"):
    r = client.post("/api/auth/login", json={"username": username, "password": DEMO_PASSWORD})
    assert r.status_code == 200, r.text


def test_search_initials_pinyin_and_full_width_extension(client, demo):
    _login(client)
    r = client.get("/api/directory/search", params={"q": "zjl"})
    assert r.status_code == 200, r.text
    first = r.json()["results"][0]
    assert first["kind"] == "person" and first["title"] == "总经理"
    assert set(first) == {"kind", "id", "name", "title", "department", "extension", "phones",
                          "category", "vip", "note", "dnd"}

    r = client.get("/api/directory/search", params={"q": "zhangwei"})
    assert r.json()["results"][0]["name"] == "张伟"

    r = client.get("/api/directory/search", params={"q": "８３０１"})
    first = r.json()["results"][0]
    assert first["kind"] == "room" and first["extension"] == "8301"


def test_guest_search_hides_room_and_is_audited(client, write, demo):
    _login(client)
    r = client.get("/api/directory/search", params={"q": "李明"})
    guests = [x for x in r.json()["results"] if x["kind"] == "guest"]
    assert guests and guests[0]["vip"] and guests[0]["title"] == "李董事长"
    assert DEMO_VIP_GUEST_ROOM not in r.text
    with write() as s:
        rows = s.scalars(select(AuditEntry).where(AuditEntry.entity == "guest",
                                                  AuditEntry.action == "read")).all()
    assert {row.entity_id for row in rows} == {str(g["id"]) for g in guests}
    assert all(row.actor == "user:operator" and row.detail["via"] == "search" for row in rows)


def test_not_staying_guest_is_not_found(client, demo):
    _login(client)
    r = client.get("/api/directory/search", params={"q": DEMO_NOT_STAYING_GUEST_NAME})
    assert r.status_code == 200
    assert DEMO_NOT_STAYING_GUEST_NAME not in r.text


def test_identify_vip_guest_mobile_and_audit(client, write, demo):
    _login(client)
    m = DEMO_VIP_GUEST_MOBILE
    r = client.get("/api/directory/identify", params={"number": f"+86 {m[:3]} {m[3:7]} {m[7:]}"})
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["kind"] == "guest" and body["vip"] is True and body["title"] == "李董事长"
    assert body["room_number"] is None and body["normalized_number"] == m
    with write() as s:
        row = s.scalar(select(AuditEntry).where(AuditEntry.entity == "guest",
                                                AuditEntry.action == "read"))
    assert row is not None and row.entity_id == str(body["ref_id"])
    assert row.detail["via"] == "identify"


def test_identify_anonymous_and_room_extension(client, demo):
    _login(client)
    r = client.get("/api/directory/identify", params={"number": "anonymous"})
    assert r.status_code == 200 and r.json()["kind"] == "unknown"
    r = client.get("/api/directory/identify", params={"number": "8" + DEMO_VIP_GUEST_ROOM})
    assert r.json()["kind"] == "guest" and r.json()["room_number"] == DEMO_VIP_GUEST_ROOM


def test_lists_for_the_operator(client, demo):
    _login(client, "hotline")  # the 12345 operator: the city's handling units
    r = client.get("/api/directory/departments", params={"kind": "handling_unit"})
    assert r.status_code == 200
    units = r.json()["items"]
    assert len(units) >= 10 and all(u["kind"] == "handling_unit" for u in units)
    assert any(u["name"] == "市住建局" and "物业" in u["duties"] for u in units)

    _login(client)  # the hotel's operator: the hotel's departments
    r = client.get("/api/directory/departments")
    front = next(d for d in r.json()["items"] if d["name"] == "前厅部/总台")
    assert front["working_hours"] == {"all": [["00:00", "24:00"]]} and front["open_now"] is True

    r = client.get("/api/directory/common-numbers", params={"category": "交通"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all(i["category"] == "交通" for i in items)
    assert "医院" in r.json()["categories"]


@pytest.mark.parametrize("params, field", [
    ({"q": "x" * 101}, "q"),
    ({"q": ""}, "q"),
    ({"q": "   "}, "q"),
    ({}, "q"),
    ({"q": "zjl", "limit": 0}, "limit"),
    ({"q": "zjl", "limit": 101}, "limit"),
    ({"q": "zjl", "limit": "many"}, "limit"),
])
def test_search_input_errors_name_the_field(client, demo, params, field):
    _login(client)
    r = client.get("/api/directory/search", params=params)
    assert 400 <= r.status_code < 500, r.text
    assert field in [f["field"] for f in r.json()["fields"]]


def test_identify_input_errors(client, demo):
    _login(client)
    r = client.get("/api/directory/identify", params={"number": "1" * 65})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "number"
    r = client.get("/api/directory/identify", params={"number": "8301", "at": "2024-06-01T10:00:00"})
    assert r.status_code == 400 and r.json()["field"] == "at"


def test_console_roles_only(client, demo):
    assert client.get("/api/directory/search", params={"q": "zjl"}).status_code == 401
    _login(client, "unit")
    assert client.get("/api/directory/search", params={"q": "zjl"}).status_code == 403
    assert client.get("/api/directory/identify", params={"number": "8301"}).status_code == 403
