"""The citizens' web form and status page (issue 15, point 4) through the HTTP API, no login: a
request with a photo lands in the intake queue, the operator makes the order (the photo on it),
the status page shows the stage and the unit's reply — nothing internal — by number and
telephone only; the honeypot, the limits per address and number and bad input are refused."""

from __future__ import annotations

import pytest

from zongji.store.work_order_models import WorkOrderCategory

PNG = b"\x89PNG\r\n\x1a\n" + b"0" * 200


@pytest.fixture
def settings(settings):
    return settings.model_copy(update={"intake_web_max_per_hour_address": 3, "intake_web_max_per_hour_number": 2,
                                       "attachment_max_bytes": 5000})


def _file(client, files=None, **fields):
    data = {"order_type": "request", "place": "幸福路88号东门", "description": "东门三盏路灯不亮，晚上很黑。",
            "phone": "138 0013 8000", "name": "李喆", **fields}
    return client.post("/api/public/requests", data=data, files=files or [])


def test_a_citizen_files_and_follows_a_request(client, as_role, write, units):
    with write() as s:
        s.add(WorkOrderCategory(code="city/street_lights", name_zh="路灯", name_en="Street lights"))
    assert [c["code"] for c in client.get("/api/public/choices").json()["categories"]] == ["city/street_lights"]
    r = _file(client, files=[("photos", ("现场.png", PNG, "image/png"))], category="city/street_lights",
              latitude="31.2304", longitude="121.4737")
    assert r.status_code == 201, r.text
    number = r.json()["tracking_number"]
    st = client.get("/api/public/status", params={"number": number, "phone": "13800138000"}).json()
    assert st["stage_zh"] == "已收到，等待受理" and st["order_number"] is None

    op = as_role("operator")
    [m] = op.get("/api/intake/queue").json()["items"]
    assert m["channel"] == "web" and 170 < m["seconds_left"] <= 180
    order = op.post(f"/api/intake/messages/{m['id']}/order", json={"order_type": "request", "situation": "general"}).json()
    assert (order["channel"], order["caller_number"], order["caller_name"], order["category"], order["latitude"]) == \
        ("web", "138 0013 8000", "李喆", "city/street_lights", 31.2304)
    assert [a["filename"] for a in order["attachments"]] == ["现场.png"]

    leader, unit = as_role("shift_leader"), as_role("unit_handler", department_id=units[0])
    assert leader.post(f"/api/work-orders/{order['id']}/actions", json={"action": "dispatch", "unit_id": units[0]}).status_code == 200
    assert unit.post(f"/api/work-orders/{order['id']}/actions", json={"action": "accept"}).status_code == 200
    assert unit.post(f"/api/work-orders/{order['id']}/actions",
                     json={"action": "progress", "note": "内部：等材料，别告诉市民"}).status_code == 200
    assert unit.post(f"/api/work-orders/{order['id']}/actions",
                     json={"action": "reply", "text": "路灯已于今晚修复。"}).status_code == 200

    for key in (number, order["number"]):
        r = client.get("/api/public/status", params={"number": key, "phone": "+86 13800138000"})
        assert r.status_code == 200, r.text
        st = r.json()
        assert st["order_number"] == order["number"] and st["reply"] == "路灯已于今晚修复。"
        assert "内部" not in r.text and "operator" not in r.text
    wrong = client.get("/api/public/status", params={"number": number, "phone": "13900000000"})
    assert wrong.status_code == 404 and wrong.json()["field"] == "number"


def test_bad_input_robots_and_floods_are_refused(client, as_role):
    for fields, field in [({"phone": "12"}, "phone"), ({"description": "灯"}, "description"),
                          ({"place": ""}, "place"), ({"order_type": "x"}, "order_type"),
                          ({"latitude": "north", "longitude": "1"}, "latitude"), ({"category": "nope"}, "category")]:
        r = _file(client, **fields)
        assert r.status_code == 422 and r.json()["field"] == field, (fields, r.text)
    r = _file(client, files=[("photos", ("a.exe", b"MZ", "application/octet-stream"))])
    assert r.status_code == 422 and r.json()["field"] == "photos"
    r = _file(client, files=[("photos", ("big.png", b"0" * 6000, "image/png"))])
    assert r.status_code == 422 and r.json()["field"] == "photos"
    # The honeypot: answered like a person, nothing stored.
    assert _file(client, website="http://spam.example").status_code == 201
    assert as_role("operator").get("/api/intake/queue").json()["items"] == []
    # Two per number and three per address within the hour.
    assert [_file(client).status_code for _ in range(3)] == [201, 201, 429]
    r = _file(client, phone="13900000001")
    assert r.status_code == 201
    r = _file(client, phone="13900000002")
    assert r.status_code == 429 and r.json()["field"] == "request" and "Retry-After" in r.headers


def test_the_pages_open_without_login(client):
    for path in ("/report", "/track"):
        r = client.get(path, follow_redirects=False)
        assert r.status_code == 200 and 'name="viewport"' in r.text
    assert 'name="website"' in client.get("/report").text
