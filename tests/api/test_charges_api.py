"""The call charges API (issue 13 point 4): who may see and settle charges, what the operator
tells a guest on the phone (without the room), refusals naming the field, the XLSX export."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from tests.services.test_call_charges import NOW, Pms, _call, _hotel
from zongji.services.charges import sweep
from zongji.store.charges_models import CallCharge


def _rated(write, settings):
    _hotel(write)
    uk = _call(write, "8201", "00442071234567", 125)
    ddd = _call(write, "8202", "02187654321", 30, minutes_ago=20)
    guest_call = _call(write, "8201", "8000", 40, minutes_ago=2, direction="internal")
    pms = Pms()
    pms.down = False
    with write() as s:
        sweep.run(s, pms, settings, NOW)
    return uk, ddd, guest_call


def test_operator_tells_the_guest_the_charge_without_seeing_rooms(as_role, write, settings):
    uk, ddd, guest_call = _rated(write, settings)
    op = as_role("operator")
    assert op.get("/api/charges").status_code == 403
    r = op.get(f"/api/charges/for-call/{guest_call}")
    assert r.status_code == 200, r.text
    body = r.json()
    assert [(i["call_id"], i["amount_fen"], i["talk_seconds"]) for i in body["items"]] == [(uk, 2400, 125)]
    assert body["total_fen"] == 2400
    assert "room" not in body["items"][0] and "extension" not in body["items"][0]
    assert op.get("/api/charges/for-call/999999").json()["field"] == "call_id"
    q = op.get("/api/charges/quote", params={"number": "+44 20 7123 4567", "minutes": 5}).json()
    assert (q["kind"], q["amount_fen"], q["charged"]) == ("idd", 4000, True)
    bad = op.get("/api/charges/quote", params={"number": "abc"})
    assert bad.status_code == 422 and bad.json()["field"] == "number"


def test_leader_settles_missed_charges(as_role, write, session_factory, settings):
    uk, ddd, _ = _rated(write, settings)
    leader = as_role("shift_leader")
    listed = leader.get("/api/charges").json()
    assert [i["call_id"] for i in listed["items"]] == [ddd]
    assert listed["items"][0]["state"] == "no_stay" and listed["items"][0]["room"] == "1202"
    charge_id = listed["items"][0]["id"]
    r = leader.post(f"/api/charges/{charge_id}/write-off", json={"reason": "  "})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = leader.post(f"/api/charges/{charge_id}/write-off", json={"reason": "空房测试线路"})
    assert r.status_code == 200 and r.json()["state"] == "written_off"
    again = leader.post(f"/api/charges/{charge_id}/requeue", json={})
    assert again.status_code == 422 and again.json()["field"] == "action"
    assert leader.get("/api/charges").json()["missed_total"] == 0
    everything = leader.get("/api/charges", params={"view": "all", "room": "1201"}).json()["items"]
    assert {i["call_id"] for i in everything} >= {uk}
    assert leader.get("/api/charges", params={"room": "？？"}).json()["field"] == "room"
    r = leader.get("/api/charges", params={"date_from": "2026-12-05", "date_to": "2026-12-01"})
    assert r.status_code == 422 and r.json()["field"] == "date_to"
    with session_factory() as s:
        assert s.scalar(select(CallCharge.settled_by).where(CallCharge.id == charge_id))


def test_long_distance_statistics_export(as_role, write, settings):
    _rated(write, settings)
    leader = as_role("supervisor")
    day = NOW.astimezone(settings.tz).date().isoformat()
    data = leader.get("/api/charges/long-distance", params={"date_from": day, "date_to": day}).json()
    assert (data["total"]["idd_count"], data["total"]["ddd_count"]) == (1, 1)
    x = leader.get("/api/charges/long-distance.xlsx", params={"date_from": day, "date_to": day})
    assert x.status_code == 200 and x.content[:2] == b"PK"
    assert f"long-distance-{day}-{day}.xlsx" in x.headers["content-disposition"]
    assert as_role("operator").get("/api/charges/long-distance").status_code == 403
    assert dt.date.fromisoformat(day)


def test_supervisor_sets_a_cap_lifts_it_and_exports_the_statement(as_role, write, settings):
    from tests.services.test_call_charges import _company

    _company(write)
    sup, leader = as_role("supervisor"), as_role("shift_leader")
    r = sup.put("/api/charges/policies/8501", json={"split": "share", "person_share_percent": 50, "monthly_cap_fen": 100})
    assert r.status_code == 200, r.text
    assert (r.json()["person"], r.json()["department"], r.json()["warn_percent"]) == ("陈静", "销售部", 80)
    assert leader.put("/api/charges/policies/8501", json={"split": "unit"}).status_code == 403
    for number, body, field in (("8999", {"split": "unit"}, "number"), ("8500", {"split": "person"}, "split"),
                                ("8501", {"split": "share", "person_share_percent": 0}, "person_share_percent"),
                                ("8501", {"split": "half"}, "split")):
        bad = sup.put(f"/api/charges/policies/{number}", json=body)
        assert bad.status_code == 422 and bad.json()["field"].split(".")[-1] == field, bad.text
    now = dt.datetime.now(dt.UTC)   # the API reads this month's totals by the clock
    _call(write, "8501", "00442071234567", 30, minutes_ago=0, now=now)
    with write() as s:
        sweep.run(s, Pms(), settings, now)
    policy = sup.get("/api/charges/policies").json()[0]
    assert policy["barred"] and policy["month_total_fen"] == 800
    lifted = sup.post(f"/api/charges/policies/{policy['id']}/lift")
    assert lifted.status_code == 200 and not lifted.json()["barred"] and lifted.json()["lifted_this_month"]
    assert sup.post(f"/api/charges/policies/{policy['id']}/lift").json()["field"] == "policy_id"
    month = dt.datetime.now(settings.tz).strftime("%Y-%m")
    data = sup.get("/api/charges/statement", params={"month": month}).json()
    assert (data["total"]["person_fen"], data["total"]["unit_fen"]) == (400, 400)
    assert sup.get("/api/charges/statement", params={"month": "2026-13"}).json()["field"] == "month"
    x = sup.get("/api/charges/statement.xlsx", params={"month": month})
    assert x.status_code == 200 and x.content[:2] == b"PK"
