"""The guest-service centre over the API (issue 13; R-G1, R-G2, R-G4, R-G6, R-H4): a request from a
guest's call goes to the floor's attendant on duty, who accepts it and marks it done; the centre
follows up; the worker alerts the centre before a request is late; loans still out are flagged at
check-out; the centre's records show in the handover. Roles and refusals."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.services import auth
from zongji.settings import Settings
from zongji.store.guestsvc_models import GsItem, GsKey, GsRequest
from zongji.store.models import (AuditEntry, Call, Department, FeedItem, Guest, IntegrationToken, Job,
                                 Organisation, Room, Stay, utcnow)
from zongji.store.work_order_models import Notification
from zongji.worker.runner import Worker


@pytest.fixture
def settings(db_url, tmp_path) -> Settings:
    # This test runs its own worker (the alert before late): none in the server.
    return Settings(database_url=db_url, data_dir=tmp_path, feed_safety_poll_seconds=0.05, run_worker_in_server=False)


@pytest.fixture
def hotel(write):
    now = utcnow()
    with write() as s:
        org = Organisation(code="gh", name="酒店", kind="hotel")
        s.add(org)
        s.flush()
        centre = Department(organisation_id=org.id, name="客房服务中心", kind="department")
        s.add(centre)
        rooms = {n: Room(organisation_id=org.id, number=n, floor=int(n[:-2]), extension="8" + n) for n in
                 ("1206", "1501", "1502")}
        s.add_all(rooms.values())
        s.flush()
        g = Guest(organisation_id=org.id, name="赵雅琴", mobile="13912345678")
        g2 = Guest(organisation_id=org.id, name="钱多多")
        s.add_all([g, g2])
        s.flush()
        stay = Stay(guest_id=g.id, room_id=rooms["1206"].id, arrival=now - dt.timedelta(days=1),
                    departure=now + dt.timedelta(days=2), status="in_house")
        s.add_all([stay, Stay(guest_id=g2.id, room_id=rooms["1501"].id, arrival=now - dt.timedelta(days=1),
                              departure=now + dt.timedelta(days=2), status="in_house")])
        items = {k: GsItem(name_zh=zh, name_en=en, team=team, kind=kind, charged=False, target_minutes=10)
                 for k, zh, en, team, kind in (("towels", "加毛巾", "Extra towels", "housekeeping", "service"),
                                               ("adaptor", "借转换插头", "Adaptor (loan)", "housekeeping", "loan"),
                                               ("meal", "送餐", "Room service", "fnb", "room_service"))}
        s.add_all(items.values())
        calls = {}
        for key, number in (("room", "81206"), ("mobile", "13912345678"), ("outside", "02155556666")):
            c = Call(external_id=f"gs-{key}", direction="in", calling_number=number, called_number="8000",
                     state="answered", ringing_at=now, answered_at=now)
            s.add(c)
            s.flush()
            calls[key] = c.id
        pms = "pms-token-gs"
        s.add(IntegrationToken(name="pms", token_hash=auth.hash_token(pms), scopes="pms"))
        s.flush()
        return {"centre": centre.id, "calls": calls, "stay": stay.id, "pms": pms,
                "items": {k: v.id for k, v in items.items()}}


def _today_shift(c: TestClient):
    r = c.get("/api/guestsvc/roster")
    assert r.status_code == 200, r.text
    return r.json()


def test_a_call_to_a_done_request_followed_up_and_alerted_before_late(app, as_role, hotel, runtime, session_factory):
    centre_c = as_role("unit_handler", department_id=hotel["centre"])
    attendant = as_role("unit_handler", department_id=hotel["centre"])
    operator = as_role("operator")
    me = attendant.get("/api/auth/me").json()
    roster = _today_shift(centre_c)
    att_id = next(a["id"] for a in roster["attendants"] if a["id"] == me["id"])
    r = centre_c.put("/api/guestsvc/roster", json={"day": roster["day"], "shift": roster["shift"],
                                                  "attendant_id": att_id, "floors": "11-12"})
    assert r.status_code == 200 and r.json()["cover"]["floors"] == "11-12"

    # The guest calls from the room: the room is the call's, and the request goes to floor 12's attendant.
    r = operator.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["towels"], "call_id": hotel["calls"]["room"],
                                                      "quantity": 2})
    assert r.status_code == 201, r.text
    req = r.json()["request"]
    assert req["room"] == "1206" and req["attendant_id"] == att_id and req["state"] == "open"
    assert req["target_minutes"] == 10 and "guest_name" not in r.text and "赵雅琴" not in r.text

    # The guest calls from their mobile: the same room found by the server, never shown to the operator (R-H4).
    r = operator.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["towels"], "call_id": hotel["calls"]["mobile"]})
    assert r.status_code == 201, r.text
    assert "1206" not in r.text and r.json()["request"]["room_shown"] is False
    hidden_id = r.json()["request"]["id"]
    # … but the attendant, who must go there, sees it.
    mine = attendant.get("/api/guestsvc/my-requests").json()["requests"]
    assert {x["id"] for x in mine} == {req["id"], hidden_id} and {x["room"] for x in mine} == {"1206"}

    # An outside caller is no guest: refused naming call_id; a unit handler cannot request from a call.
    r = operator.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["towels"], "call_id": hotel["calls"]["outside"]})
    assert r.status_code == 422 and r.json()["field"] == "call_id"
    assert centre_c.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["towels"],
                                                         "call_id": hotel["calls"]["room"]}).status_code == 403
    # The operator does not run the centre's board.
    assert operator.get("/api/guestsvc/requests").status_code == 403

    # The worker alerts the centre before the request is late (target 10, alert 3 min before) — once.
    with session_factory() as s:
        created = s.get(GsRequest, req["id"]).created_at
    Worker(runtime, clock=lambda: created + dt.timedelta(minutes=6)).run_once()
    with session_factory() as s:
        assert s.get(GsRequest, req["id"]).alerted_at is None  # not yet
    Worker(runtime, clock=lambda: created + dt.timedelta(minutes=7, seconds=1)).run_once()
    Worker(runtime, clock=lambda: created + dt.timedelta(minutes=8)).run_once()
    with session_factory() as s:
        assert s.get(GsRequest, req["id"]).alerted_at is not None
        feed = s.scalars(select(FeedItem).where(FeedItem.topic == "guest_request")).all()
        alerts = [f.payload for f in feed if (f.payload or {}).get("alert") == "due_soon"]
        # One per request, each once, to the centre's unit and the attendant; never a room.
        assert sorted(a["id"] for a in alerts) == sorted([req["id"], hidden_id])
        assert all(a["unit_id"] == hotel["centre"] and a["attendant_id"] == att_id for a in alerts)
        assert all("room" not in (f.payload or {}) and "1206" not in str(f.payload) for f in feed)
    board = centre_c.get("/api/guestsvc/requests").json()
    row = {x["id"]: x for x in board["open"]}[req["id"]]
    assert (row["room"], row["age_minutes"], row["target_minutes"], row["timing"]) == ("1206", 0, 10, "ok")

    # The attendant accepts and marks done; another attendant may not.
    other = as_role("operator")
    assert other.post(f"/api/guestsvc/requests/{req['id']}/accept").status_code == 403
    assert attendant.post(f"/api/guestsvc/requests/{req['id']}/accept").json()["request"]["state"] == "accepted"
    done = attendant.post(f"/api/guestsvc/requests/{req['id']}/done")
    assert done.status_code == 200 and done.json()["request"]["state"] == "done"
    again = attendant.post(f"/api/guestsvc/requests/{req['id']}/done")
    assert again.status_code == 422 and again.json()["field"] == "state"

    # The centre calls back and records the answer (R-G1); once.
    board = centre_c.get("/api/guestsvc/requests").json()
    assert req["id"] in {x["id"] for x in board["follow_up"]} and req["id"] not in {x["id"] for x in board["open"]}
    f = centre_c.post(f"/api/guestsvc/requests/{req['id']}/follow-up", json={"result": "satisfied", "note": "很快"})
    assert f.status_code == 200 and f.json()["request"]["follow_up_result"] == "satisfied"
    assert centre_c.post(f"/api/guestsvc/requests/{req['id']}/follow-up",
                         json={"result": "satisfied"}).status_code == 422
    with session_factory() as s:
        acts = set(s.scalars(select(AuditEntry.action).where(AuditEntry.entity == "gs_request",
                                                             AuditEntry.entity_id == str(req["id"]))))
        assert {"guestsvc.request_created", "guestsvc.request_accept", "guestsvc.request_done",
                "guestsvc.follow_up", "guestsvc.alerted"} <= acts


def test_loans_out_at_check_out_and_records_in_the_handover(app, as_role, hotel, client, session_factory, runtime):
    centre_c = as_role("unit_handler", department_id=hotel["centre"])
    r = centre_c.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["adaptor"], "room": "1206"})
    assert r.status_code == 201 and r.json()["request"]["attendant_id"] is None  # nobody rostered: the centre's list
    loan = r.json()["request"]["id"]
    done = centre_c.post(f"/api/guestsvc/requests/{loan}/done").json()["request"]
    assert done["due_back_at"] is not None
    kept = centre_c.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["adaptor"], "room": "1206"}).json()
    centre_c.post(f"/api/guestsvc/requests/{kept['request']['id']}/done")
    back = centre_c.post(f"/api/guestsvc/requests/{kept['request']['id']}/return", json={"check": "damaged"})
    assert back.status_code == 200 and back.json()["request"]["return_check"] == "damaged"
    assert centre_c.post(f"/api/guestsvc/requests/{kept['request']['id']}/return", json={}).status_code == 422

    # Room service: passed to F&B (no attendant), served, its dishes listed until collected.
    meal = centre_c.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["meal"], "room": "1501"}).json()["request"]
    assert meal["team"] == "fnb" and meal["attendant_id"] is None
    centre_c.post(f"/api/guestsvc/requests/{meal['id']}/done")
    assert meal["id"] in {x["id"] for x in centre_c.get("/api/guestsvc/requests").json()["dishes_out"]}
    with session_factory() as s:
        assert s.scalar(select(Job).where(Job.key == f"guestsvc-dishes:{meal['id']}")).state == "pending"

    # Records: a key, a found item — both in the handover with the loan still out.
    k = centre_c.post("/api/guestsvc/keys", json={"key_label": "12楼工作钥匙", "holder": "李梅"})
    assert k.status_code == 201
    back_key = centre_c.post("/api/guestsvc/keys", json={"key_label": "15楼工作钥匙", "holder": "张兰"}).json()["key"]
    assert centre_c.post(f"/api/guestsvc/keys/{back_key['id']}/return").status_code == 200
    # At the shift's end the key not back alerts the centre (once); the one returned does not.
    with session_factory() as s:
        ends = s.get(GsKey, k.json()["key"]["id"]).shift_ends_at
    for _ in range(2):
        Worker(runtime, clock=lambda: ends + dt.timedelta(seconds=1)).run_once()
    with session_factory() as s:
        alerts = [f.payload for f in s.scalars(select(FeedItem).where(FeedItem.topic == "guest_request"))
                  if (f.payload or {}).get("alert") == "key_unreturned"]
        assert alerts == [{"key_id": k.json()["key"]["id"], "unit_id": hotel["centre"], "alert": "key_unreturned"}]
    lf = centre_c.post("/api/guestsvc/lost-found", json={"description": "黑色雨伞", "found_where": "大堂",
                                                         "found_by": "保安王", "kept_where": "客房中心柜2"})
    assert lf.status_code == 201 and lf.json()["item"]["disposable"] is False
    early = centre_c.post(f"/api/guestsvc/lost-found/{lf.json()['item']['id']}/close", json={"disposed": True})
    assert early.status_code == 422 and early.json()["field"] == "disposed"
    assert centre_c.post("/api/guestsvc/sign-in").status_code == 201
    assert centre_c.post("/api/guestsvc/sign-in").status_code == 422
    leader = as_role("shift_leader")
    h = leader.get("/api/handover/current")
    assert h.status_code == 200, h.text
    sec = next(x for x in h.json()["sections"] if x["key"] == "guestsvc")
    texts = " ".join(i["text"]["zh"] for i in sec["items"])
    assert "借转换插头" in texts and "12楼工作钥匙" in texts and "黑色雨伞" in texts and "送餐餐具未收" in texts

    # Check-out from the PMS: the adaptor still out is flagged to the front desk.
    r = client.post(f"/api/v1/stays/{hotel['stay']}/check-out", headers={"Authorization": f"Bearer {hotel['pms']}"})
    assert r.status_code == 200, r.text
    assert [x["request_id"] for x in r.json()["loans_out"]] == [loan]
    with session_factory() as s:
        assert s.get(GsRequest, loan).checkout_flagged_at is not None
        n = s.scalars(select(Notification).where(Notification.kind == "guestsvc_loans_at_checkout")).all()
        assert {x.role for x in n} == {"shift_leader", "operator"} and "1206" in n[0].subject


def test_catalogue_is_kept_by_the_centre_and_refusals_name_the_field(as_role, hotel):
    centre_c = as_role("unit_handler", department_id=hotel["centre"])
    r = centre_c.post("/api/guestsvc/catalogue", json={"name_zh": "擦鞋", "team": "housekeeping"})
    assert r.status_code == 201 and r.json()["item"]["target_minutes"] == 10 and r.json()["item"]["charged"] is False
    assert centre_c.post("/api/guestsvc/catalogue", json={"name_zh": "x", "team": "spa"}).status_code == 422
    assert as_role("operator").post("/api/guestsvc/catalogue", json={"name_zh": "x", "team": "fnb"}).status_code == 403
    # Laundry carries its delivery deadline: 18:00 local, the same day or the next (R-G2).
    laundry = centre_c.post("/api/guestsvc/catalogue", json={"name_zh": "洗衣", "team": "laundry", "kind": "laundry",
                                                             "charged": True}).json()["item"]
    r = centre_c.post("/api/guestsvc/requests", json={"item_id": laundry["id"], "room": "1206"})
    assert r.status_code == 201 and r.json()["request"]["deliver_by"][11:19] == "18:00:00"
    r = centre_c.post("/api/guestsvc/requests", json={"item_id": hotel["items"]["towels"], "room": "1502"})
    assert r.status_code == 422 and r.json()["field"] == "room"  # nobody staying there
    r = centre_c.put("/api/guestsvc/roster", json={"day": "2026-12-04", "shift": 0, "attendant_id": 1, "floors": "9-3"})
    assert r.status_code == 422 and r.json()["field"] in ("floors", "attendant_id")
