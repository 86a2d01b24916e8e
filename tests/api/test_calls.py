"""The call log, the caller card, wrap-up and supplementary records (R-C3, R-S4, R-H1)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from zongji.store.models import AuditEntry, Line, Organisation

LINE_NUMBER = "02088886666"


def _setup(write) -> None:
    with write() as s:
        org = Organisation(code="h", name="示例大酒店", name_en="Grand Demo Hotel", kind="hotel")
        s.add(org)
        s.flush()
        s.add(Line(organisation_id=org.id, code="hotel", name="酒店总机", kind="switchboard",
                   number=LINE_NUMBER))
        city = Organisation(code="c", name="示例市", kind="city_hotline")
        s.add(city)
        s.flush()
        s.add(Line(organisation_id=city.id, code="city", name="12345", kind="hotline_12345",
                   number="12345"))


def _play(client, token, call_id, caller, *, to=LINE_NUMBER, start="2025-05-01T08:00:00+08:00",
          answer=True, hangup=True, operator=None):
    headers = {"Authorization": f"Bearer {token}"}
    t0 = dt.datetime.fromisoformat(start)
    base = {"callId": call_id, "from": caller, "to": to, "direction": "in"}
    events = [{"event": "newCall", "at": t0.isoformat()}]
    if answer:
        events.append({"event": "answer", "at": (t0 + dt.timedelta(seconds=8)).isoformat(),
                       **({"answeringNumber": operator} if operator else {})})
    if hangup:
        events.append({"event": "hangup", "at": (t0 + dt.timedelta(seconds=68)).isoformat(),
                       "cause": "normalClearing" if answer else "cancel"})
    ids = set()
    for e in events:
        r = client.post("/api/cti/events", json={**base, **e}, headers=headers)
        assert r.status_code == 202, r.text
        ids.add(r.json()["call_id"])
    (cid,) = ids
    return cid


def test_call_log_filters(client, write, cti_token, login, make_user):
    _setup(write)
    make_user("operator", username="li", operator_number="1002")
    _play(client, cti_token, "a", "13800138000", start="2025-05-01T09:00:00+08:00", operator="1002")
    _play(client, cti_token, "b", "13900139000", start="2025-05-01T23:30:00+08:00", answer=False)
    _play(client, cti_token, "c", "13700137000", to="12345", start="2025-05-02T00:30:00+08:00")
    login("operator")

    def total(**params):
        r = client.get("/api/calls", params=params)
        assert r.status_code == 200, r.text
        return r.json()["total"]

    assert total() == 3
    # Local days: 23:30 on 1 May (UTC+8) belongs to 1 May; 00:30 on 2 May to 2 May.
    assert total(date_from="2025-05-01", date_to="2025-05-01") == 2
    assert total(date_from="2025-05-02") == 1
    assert total(line="city") == 1
    assert total(outcome="abandoned") == 1
    assert total(outcome="answered") == 2
    assert total(number="0138000") == 1  # its last digits (a middle fragment finds nothing: issue 18)
    assert total(number="0013800") == 0
    assert total(number="１３９") == 1  # full-width digits
    assert total(operator="li") == 1 and total(operator="1002") == 1
    r = client.get("/api/calls", params={"page_size": 2, "page": 2})
    assert r.json()["total"] == 3 and len(r.json()["items"]) == 1
    item = client.get("/api/calls", params={"number": "13800138000"}).json()["items"][0]
    assert item["line"] == {"code": "hotel", "name": "酒店总机", "kind": "switchboard"}
    assert item["ringing_at"] == "2025-05-01T09:00:00+08:00"
    assert item["talk_seconds"] == 60 and item["ring_seconds"] == 8


def test_bad_query_input_is_a_4xx_naming_the_field(client, write, login):
    _setup(write)
    login("operator")
    for params, field in [
        ({"date_from": "2025-13-01"}, "date_from"),
        ({"date_to": "tomorrow"}, "date_to"),
        ({"date_from": "2025-05-02", "date_to": "2025-05-01"}, "date_to"),
        ({"outcome": "lost"}, "outcome"),
        ({"page_size": 0}, "page_size"),
        ({"page_size": 1000}, "page_size"),
        ({"page": 0}, "page"),
        ({"line": "nope"}, "line"),
        ({"operator": "nobody"}, "operator"),
        ({"number": "abc"}, "number"),
    ]:
        r = client.get("/api/calls", params=params)
        assert 400 <= r.status_code < 500, (params, r.text)
        assert r.json()["fields"][0]["field"] == field, (params, r.text)
    assert client.get("/api/calls/0").status_code == 422
    assert client.get("/api/calls/123456").status_code == 404


def test_card_take_patch_close(client, write, cti_token, login):
    _setup(write)
    earlier = _play(client, cti_token, "e1", "13800138000", start="2025-04-30T10:00:00+08:00")
    now = dt.datetime.now(dt.UTC).replace(microsecond=0)
    cid = _play(client, cti_token, "live", "13800138000", start=now.isoformat(), hangup=False)
    username = login("operator")

    active = client.get("/api/calls/active").json()["items"]
    assert [c["id"] for c in active] == [cid]
    detail = client.get(f"/api/calls/{cid}").json()
    assert detail["state"] == "answered"
    assert [h["id"] for h in detail["card"]["history"]] == [earlier]
    assert detail["card"]["greeting"]["zh"].endswith("示例大酒店，请问有什么可以帮您？")
    assert "Grand Demo Hotel" in detail["card"]["greeting"]["en"]
    assert detail["card"]["identity"]["kind"] == "unknown"

    r = client.post(f"/api/calls/{cid}/take")
    assert r.status_code == 200 and r.json()["answered_by"]["display_name"] == username
    r = client.patch(f"/api/calls/{cid}", json={"category": "information", "notes": "询问早餐时间"})
    assert r.status_code == 200
    assert r.json()["category_label"] == {"code": "information", "zh": "信息查询", "en": "Information"}
    # Categories belong to the line kind.
    r = client.patch(f"/api/calls/{cid}", json={"category": "praise"})
    assert r.status_code == 422 and r.json()["field"] == "category"
    r = client.patch(f"/api/calls/{cid}", json={"notes": "x" * 4001})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "notes"
    r = client.patch(f"/api/calls/{cid}", json={"colour": "red"})
    assert r.status_code == 422

    r = client.post(f"/api/calls/{cid}/close", json={"notes": "已告知早餐 6:30–10:00"})
    assert r.status_code == 200
    body = r.json()
    assert body["closed_at"] and body["notes"] == "已告知早餐 6:30–10:00"
    assert body["category"] == "information"
    assert client.post(f"/api/calls/{cid}/close").status_code == 409
    assert client.get("/api/calls/active").json()["items"] == []
    with write() as s:
        actions = s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "call", AuditEntry.entity_id == str(cid))).all()
    assert {"take", "update", "close"} <= set(actions)


def test_supplementary_record_for_an_after_hours_call(client, write, login):
    _setup(write)
    username = login("operator")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    r = client.post("/api/calls/supplementary", json={
        "occurred_at": f"{yesterday}T22:15", "calling_number": "138 0013 8000", "line": "city",
        "talk_seconds": 120, "category": "complaint", "notes": "夜间噪音投诉，已记录"})
    assert r.status_code == 201, r.text
    call = r.json()
    assert call["supplementary"] is True and call["recorded_by_id"]
    assert call["ringing_at"] == f"{yesterday}T22:15:00+08:00"
    assert call["calling_number"] == "13800138000" and call["talk_seconds"] == 120
    assert call["outcome"] == "answered" and call["answered_by"]["display_name"] == username
    assert call["closed_at"] and call["category"] == "complaint"
    r = client.get("/api/calls", params={"supplementary": True})
    assert [c["id"] for c in r.json()["items"]] == [call["id"]]
    for body, field in [
        ({"occurred_at": "2999-01-01T10:00", "calling_number": "1"}, "occurred_at"),
        ({"occurred_at": yesterday, "calling_number": "1"}, "occurred_at"),
        ({"occurred_at": "soon", "calling_number": "1"}, "occurred_at"),
        ({"occurred_at": f"{yesterday}T10:00", "calling_number": "x"}, "calling_number"),
        ({"occurred_at": f"{yesterday}T10:00", "calling_number": "1", "outcome": "meh"}, "outcome"),
        ({"occurred_at": f"{yesterday}T10:00", "calling_number": "1", "line": "zz"}, "line"),
        ({"occurred_at": f"{yesterday}T10:00", "calling_number": "1", "talk_seconds": -1}, "talk_seconds"),
    ]:
        r = client.post("/api/calls/supplementary", json=body)
        assert 400 <= r.status_code < 500, (body, r.text)
        assert r.json()["fields"][0]["field"] == field, (body, r.text)


def test_categories_and_roles(client, login):
    login("unit_handler")
    assert client.get("/api/calls").status_code == 403
    client.cookies.clear()
    login("operator")
    r = client.get("/api/calls/categories", params={"line_kind": "hotline_400"})
    assert r.status_code == 200
    assert {"code": "course_enquiry", "zh": "课程咨询", "en": "Course enquiry"} in r.json()["categories"]
    assert client.get("/api/calls/categories", params={"line_kind": "x"}).status_code == 422


def test_not_logged_in(client):
    assert client.get("/api/calls").status_code == 401


def test_every_showing_of_a_guest_caller_is_audited(client, write, cti_token, login, make_user):
    """A guest's name on the live console, in the active calls and in the call log is a read of
    personal data: each is in the audit trail, with who and through what (R-O4, issue 2 point 7)."""
    from zongji.store.models import Guest, Room, Stay

    _setup(write)
    now = dt.datetime.now(dt.UTC)
    with write() as s:
        org = s.scalars(select(Organisation).where(Organisation.code == "h")).one()
        room = Room(organisation_id=org.id, number="1608", floor=16, extension="81608")
        guest = Guest(organisation_id=org.id, name="李明", gender="male", vip=True,
                      vip_title="李董事长", mobile="13812345678")
        s.add_all([room, guest])
        s.flush()
        s.add(Stay(guest_id=guest.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                   departure=now + dt.timedelta(days=2)))
        guest_id = str(guest.id)
    start = (now - dt.timedelta(minutes=1)).isoformat()
    vip_call = _play(client, cti_token, "vip-1", "13812345678", start=start, hangup=False)
    _play(client, cti_token, "other-1", "13900139000", start=start, hangup=False)

    def reads():
        with write() as s:
            return sorted((e.actor.split(":")[0], e.detail["via"]) for e in s.scalars(select(AuditEntry).where(
                AuditEntry.entity == "guest", AuditEntry.action == "read",
                AuditEntry.entity_id == guest_id)))

    # Pushed to the consoles once, when the call was identified: one entry, not one per event.
    assert reads() == [("system", "live_feed")]
    login("operator")
    r = client.get("/api/calls/active")
    assert r.status_code == 200, r.text
    assert "李明" in r.text
    r = client.get("/api/calls", params={"number": "138"})
    assert r.status_code == 200, r.text
    assert [c["id"] for c in r.json()["items"]] == [vip_call]
    assert reads() == [("system", "live_feed"), ("user", "active_calls"), ("user", "call_log")]
    # A list without a guest on it audits nothing.
    r = client.get("/api/calls", params={"number": "139"})
    assert r.status_code == 200 and r.json()["total"] == 1
    assert len(reads()) == 3
