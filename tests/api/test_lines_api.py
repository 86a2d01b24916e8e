"""Published lines on SQLite and PostgreSQL (issue 3 point 7): a supervisor edits a line's name,
number, kind, inbound-only flag and greetings (the console greeting follows at once, and falls back
to the built-in one when cleared; R-H1, R-C1, R-S14, R-P10); the inbound-only rule (R-S1) refuses
supplementary outbound records and flags outbound calls the PBX reports; faults (R-S3)."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import select

from zongji.demo.data import DEMO_CTI_TOKEN
from zongji.store.models import AuditEntry, utcnow
from zongji.store.work_order_models import Notification
from tests.switchboard_support import app, as_user, demo  # noqa: F401 (fixtures)


def _ring(client, call_id: str, *, to: str, frm: str = "13912345678", direction: str = "in") -> int:
    r = client.post("/api/cti/events", headers={"Authorization": f"Bearer {DEMO_CTI_TOKEN}"},
                    json={"event": "newCall", "callId": call_id, "from": frm, "to": to, "direction": direction})
    assert r.status_code == 202, r.text
    return r.json()["call_id"]


def test_edited_greeting_is_the_console_greeting_and_clearing_it_restores_the_default(demo, client, as_user):
    as_user("supervisor")
    line = client.get("/api/switchboard/lines/hotline-400").json()
    assert line["greeting_zh"] == "示例科技有限公司，您好，有什么可以帮助您？"
    assert line["greeting"]["default"]["zh"] == "您好！请问有什么可以帮助您？"  # R-S14

    r = client.put("/api/switchboard/lines/hotline-400",
                   json={"greeting_zh": "{greeting}！示例科技客服中心，请问有什么可以帮助您？",
                         "greeting_en": "{greeting}, Demo Tech service centre. How can I help?"})
    assert r.status_code == 200, r.text
    assert r.json()["greeting"]["now"]["zh"].endswith("！示例科技客服中心，请问有什么可以帮助您？")
    assert "{greeting}" not in r.json()["greeting"]["now"]["zh"]

    as_user("leader")  # works for the 400 line (the hotel operator does not)
    call_id = _ring(client, "g-1", to="4008001234")
    card = client.get(f"/api/calls/{call_id}").json()["card"]
    assert card["greeting"]["zh"].endswith("！示例科技客服中心，请问有什么可以帮助您？")
    assert card["greeting"]["en"].endswith(", Demo Tech service centre. How can I help?")

    as_user("supervisor")
    r = client.put("/api/switchboard/lines/hotline-400", json={"greeting_zh": "", "greeting_en": None})
    assert r.status_code == 200 and r.json()["greeting_zh"] is None and r.json()["greeting_en"] is None
    as_user("leader")
    card = client.get(f"/api/calls/{call_id}").json()["card"]
    assert card["greeting"]["zh"] == "您好！请问有什么可以帮助您？"


def test_line_facts_edit_validation_and_permissions(demo, client, as_user, session_factory):
    as_user("leader")
    assert client.get("/api/switchboard/lines").status_code == 200  # shift leaders read
    assert client.put("/api/switchboard/lines/hotline-400", json={"greeting_zh": "x"}).status_code == 403

    as_user("supervisor")
    r = client.put("/api/switchboard/lines/hotline-400", json={"greeting_zh": "您好，{company}"})
    assert r.status_code == 422 and r.json()["field"] == "greeting_zh"
    r = client.put("/api/switchboard/lines/hotline-400", json={"number": "12345"})  # the 12345 line's
    assert r.status_code == 409 and r.json()["field"] == "number"
    r = client.put("/api/switchboard/lines/hotline-400", json={"number": "call me"})
    assert r.status_code == 422 and r.json()["field"] == "number"
    r = client.put("/api/switchboard/lines/hotline-400", json={"kind": "fax"})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "kind"
    r = client.put("/api/switchboard/lines/hotline-400", json={"name": ""})
    assert r.status_code == 422 and r.json()["fields"][0]["field"] == "name"

    r = client.put("/api/switchboard/lines/hotline-400",
                   json={"name": "示例科技客服热线", "number": "400-800-1235", "inbound_only": False})
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["name"], out["number"], out["inbound_only"]) == ("示例科技客服热线", "400-800-1235", False)
    assert client.post("/api/switchboard/lines/hotline-400/outbound-check").json() == {"allowed": True}
    with session_factory() as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.entity == "line_settings")
                          .order_by(AuditEntry.id.desc())).first()
        assert entry.detail["number"] == "400-800-1235" and entry.actor == "user:supervisor"


def test_route_now_names_the_after_hours_mobile_and_the_reason(demo, client, as_user):
    as_user("supervisor")
    r = client.put("/api/switchboard/lines/hotline-400", json={"working_hours": {"sun": []}})  # never open
    route = r.json()["route_now"]
    assert route["outcome"] == "forward_to" and route["forward"]["role"] == "after_hours"  # R-S2
    assert route["forward"]["number"] and route["reason"]["zh"]


def test_faults_open_and_past(demo, client, as_user):
    as_user("leader")
    start = (utcnow() - dt.timedelta(minutes=40)).isoformat()
    r = client.post("/api/switchboard/lines/hotel-switchboard/faults",
                    json={"cause": "测试呼叫无振铃", "started_at": start, "reported_to": "技术部 王工"})
    assert r.status_code == 201 and r.json()["reported_to"] == "技术部 王工"
    fid = r.json()["id"]
    assert [f["id"] for f in client.get("/api/switchboard/faults").json()["items"]] == [fid]
    r = client.post(f"/api/switchboard/faults/{fid}/close",
                    json={"ended_at": (utcnow() - dt.timedelta(hours=1)).isoformat()})
    assert r.status_code == 422 and r.json()["field"] == "ended_at"  # before it started
    r = client.post(f"/api/switchboard/faults/{fid}/close", json={"resolution": "电信修复"})
    assert r.status_code == 200 and r.json()["ended_at"]
    assert client.get("/api/switchboard/faults").json()["items"] == []
    past = client.get("/api/switchboard/faults?state=all").json()["items"]
    assert past[0]["id"] == fid and past[0]["resolution"] == "电信修复" and past[0]["open"] is False


# --------------------------------------------------------------------------- R-S1 inbound only


def test_supplementary_outbound_record_on_an_inbound_only_line_is_refused(demo, client, as_user):
    as_user("operator")
    yesterday = (dt.date.today() - dt.timedelta(days=1)).isoformat()
    base = {"occurred_at": f"{yesterday}T19:10", "calling_number": "13800138000", "talk_seconds": 60}
    r = client.post("/api/calls/supplementary", json={**base, "line": "hotline-400", "direction": "out"})
    assert r.status_code == 422 and r.json()["field"] == "line"
    assert "inbound only" in r.json()["message"] and "R-S1" not in r.json()["message"]
    # the same line takes inbound records; another line takes outbound ones
    assert client.post("/api/calls/supplementary", json={**base, "line": "hotline-400"}).status_code == 201
    r = client.post("/api/calls/supplementary", json={**base, "line": "hotel-switchboard", "direction": "out"})
    assert r.status_code == 201, r.text


def test_outbound_call_reported_on_an_inbound_only_line_is_recorded_and_flagged_once(
        demo, client, as_user, session_factory):
    call_id = _ring(client, "out-1", frm="4008001234", to="13800138000", direction="out")
    _ring(client, "out-1", frm="4008001234", to="13800138000", direction="out")  # a retry: no second flag
    _ring(client, "in-1", to="4008001234")  # inbound on the same line: fine
    _ring(client, "out-2", frm="02088886666", to="13800138000", direction="out")  # not inbound-only

    with session_factory() as s:
        notes = list(s.scalars(select(Notification).where(Notification.kind == "line_rule_violation")))
        assert len(notes) == 1 and notes[0].role == "supervisor" and "13800138000" in notes[0].subject
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "line_rule_violation")).entity_id == str(call_id)

    as_user("supervisor")
    assert client.get(f"/api/calls/{call_id}").json()["direction"] == "out"  # recorded like any call
    items = client.get("/api/notifications?unread=true").json()["items"]
    assert any(n["kind"] == "line_rule_violation" for n in items)
    v = client.get("/api/switchboard/line-violations").json()["items"]
    assert [x["call_id"] for x in v] == [call_id] and v[0]["line"]["code"] == "hotline-400"
    as_user("operator")
    assert not any(n["kind"] == "line_rule_violation"
                   for n in client.get("/api/notifications?unread=true").json()["items"])
