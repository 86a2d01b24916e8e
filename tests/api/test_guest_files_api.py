"""Customer files (issue 13 point 7, R-G6): class and preferences set by a shift leader and shown
on the caller card, the file by role (no rooms for operators, R-H4) with every read audited
(R-O4), the satisfaction survey after a stay recorded once; refusals name the field."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from zongji.store.models import AuditEntry, Call, Guest, Organisation, Room, Stay, utcnow


def _guest(write):
    now = utcnow()
    with write() as s:
        org = Organisation(code="h", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        room = Room(organisation_id=org.id, number="1206", floor=12, extension="81206")
        old_room = Room(organisation_id=org.id, number="808", floor=8, extension="8808")
        g = Guest(organisation_id=org.id, name="赵雅琴", gender="female", mobile="13912345678")
        s.add_all([room, old_room, g])
        s.flush()
        past = Stay(guest_id=g.id, room_id=old_room.id, arrival=now - dt.timedelta(days=40),
                    departure=now - dt.timedelta(days=1), status="checked_out")
        s.add_all([past, Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(hours=5),
                              departure=now + dt.timedelta(days=2), status="in_house")])
        call = Call(external_id="gf-1", direction="in", calling_number="81206", called_number="8000",
                    state="answered", ringing_at=now, answered_at=now)
        s.add(call)
        s.flush()
        return g.id, past.id, call.id


def test_file_preferences_on_the_card_and_the_survey(as_role, write, session_factory):
    guest_id, past_stay, call_id = _guest(write)
    leader, op = as_role("shift_leader"), as_role("operator")
    r = leader.put(f"/api/guests/{guest_id}/profile", json={
        "grade": "key", "preferences": [{"topic": "pillow", "text": "荞麦枕"}, {"topic": "newspaper", "text": "南方日报"}],
        "note": "喜欢高楼层"})
    assert r.status_code == 200, r.text
    assert op.put(f"/api/guests/{guest_id}/profile", json={"grade": "general"}).status_code == 403
    card = op.get(f"/api/calls/{call_id}").json()["card"]["identity"]["file"]
    assert card["grade"] == "key" and [p["text"] for p in card["preferences"]] == ["荞麦枕", "南方日报"]
    assert card["stays"] == 2 and card["satisfaction"] is None

    file_op = op.get(f"/api/guests/{guest_id}/file").json()
    assert {s["room"] for s in file_op["stays"]} == {None}                 # operators never see rooms
    file_leader = leader.get(f"/api/guests/{guest_id}/file").json()
    assert {s["room"] for s in file_leader["stays"]} == {"808", "1206"}
    with session_factory() as s:
        reads = s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "guest", AuditEntry.action == "read", AuditEntry.entity_id == str(guest_id)))
    assert reads >= 3   # the card and the two files

    due = op.get("/api/guests/surveys").json()
    assert [d["stay_id"] for d in due] == [past_stay] and "room" not in due[0]
    bad = op.post(f"/api/guests/stays/{past_stay}/survey", json={"result": "answered"})
    assert bad.status_code == 422 and bad.json()["field"] == "score"
    ok = op.post(f"/api/guests/stays/{past_stay}/survey", json={"result": "answered", "score": 4, "comment": "早餐很好"})
    assert ok.status_code == 200, ok.text
    again = op.post(f"/api/guests/stays/{past_stay}/survey", json={"result": "no_answer"})
    assert again.status_code == 422 and again.json()["field"] == "stay_id"
    assert op.get("/api/guests/surveys").json() == []
    assert op.get(f"/api/guests/{guest_id}/file").json()["satisfaction"] == 4.0
    current = [s["id"] for s in file_leader["stays"] if s["id"] != past_stay][0]
    assert op.post(f"/api/guests/stays/{current}/survey", json={"result": "declined"}).json()["field"] == "stay_id"
    r = leader.put(f"/api/guests/{guest_id}/profile", json={"grade": "vip"})
    assert r.status_code == 422 and r.json()["field"].endswith("grade")
    r = leader.put(f"/api/guests/{guest_id}/profile", json={"grade": "key", "preferences": [{"topic": "pillow", "text": ""}]})
    assert r.status_code == 422 and "preferences" in r.json()["field"]


def test_the_centre_makes_surveys_too(as_role, write):
    from zongji.store.models import Department

    guest_id, past_stay, _ = _guest(write)
    with write() as s:
        centre = Department(organisation_id=s.get(Guest, guest_id).organisation_id, name="客房服务中心")
        s.add(centre)
        s.flush()
        centre_id = centre.id
    staff = as_role("unit_handler", department_id=centre_id)
    other = as_role("unit_handler")
    assert [d["stay_id"] for d in staff.get("/api/guests/surveys").json()] == [past_stay]
    assert other.get("/api/guests/surveys").status_code == 403
    assert staff.get(f"/api/guests/{guest_id}/file").status_code == 403   # the file: console roles
    assert staff.post(f"/api/guests/stays/{past_stay}/survey", json={"result": "no_answer"}).status_code == 200
