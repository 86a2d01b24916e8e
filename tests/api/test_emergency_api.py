"""Emergency notification over the API and the worker (issue 14 points 1-3): plans editable by a
supervisor, starting with read-back, waves, calls with key 1, the deputy after the plan's wait
(injected clock, no sleeps), SMS through the SMS adapter double, updates, on-behalf
acknowledgement, the all-clear; roles and 4xx naming the field."""

from __future__ import annotations

import datetime as dt

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select

from zongji.api.app import create_app
from zongji.demo.sms_gateway_double import SmsGatewayDouble
from zongji.store.models import FeedItem, utcnow
from zongji.telephony.adapter import CallOutcome, CallResult
from zongji.worker.emergency_dialler import EmergencyDialler
from zongji.worker.runner import Worker

PLAN = {
    "name": "火警 Fire", "tries": 2, "retry_seconds": 100, "deputy_wait_seconds": 60, "wave_seconds": 30,
    "recipients": [
        {"name": "总经理", "role": "general_manager", "number": "8001", "channels": ["phone", "sms"],
         "deputy": {"name": "副总", "number": "8011", "channels": ["phone"]}},
        {"name": "保安部", "number": "8002", "channels": ["phone"]},
        {"name": "工程部", "channels": ["console"], "wave": 2},
    ],
}


class FakePhones:
    """The telephony adapter: each number answers as told (no sleeps)."""

    def __init__(self, answers: dict[str, CallOutcome]):
        self.answers, self.calls = answers, []

    def place_call(self, uri, prompt_wav, confirm_keys=("1",), ring_timeout=30.0, *, snooze_keys=(),
                   key_timeout=10.0, call_id=None):
        self.calls.append((uri, call_id))
        outcome = self.answers.get(uri, CallOutcome.NO_ANSWER)
        return CallResult(outcome=outcome, call_id=call_id, uri=uri,
                          key="1" if outcome is CallOutcome.ANSWERED_CONFIRMED else None,
                          sip_status=200 if outcome.answered else 480)


@pytest.fixture
def sms():
    gw = SmsGatewayDouble(token="sms-secret").start()
    yield gw
    gw.stop()


@pytest.fixture
def em_app(settings, sms):
    return create_app(settings.model_copy(update={
        "run_worker_in_server": False, "sms_gateway_url": sms.url, "sms_gateway_token": "sms-secret"}))


@pytest.fixture
def as_(em_app, make_user):
    clients = []

    def _as(role: str) -> TestClient:
        username, password = make_user(role)
        c = TestClient(em_app)
        c.__enter__()
        clients.append(c)
        assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
        return c

    yield _as
    for c in clients:
        c.__exit__(None, None, None)


START = {"kind": "fire", "floor": "12", "room": "1208", "situation": "smoke in the corridor",
         "reporter": "Guest Li", "reporter_number": "1208", "read_back": True}


def test_plan_editing_roles_and_fields(as_):
    sup, op = as_("supervisor"), as_("operator")
    assert op.put("/api/emergency/plans/fire", json=PLAN).status_code == 403
    r = sup.put("/api/emergency/plans/fire", json={**PLAN, "tries": 0})
    assert r.status_code == 422 and r.json()["field"] == "tries", r.text
    r = sup.put("/api/emergency/plans/fire", json={**PLAN, "recipients": [{"name": "x", "channels": ["sms"]}]})
    assert r.status_code == 422 and r.json()["field"] == "recipients[0].number"
    assert sup.put("/api/emergency/plans/flood", json=PLAN).status_code == 422
    assert sup.put("/api/emergency/plans/fire", json=PLAN).status_code == 200
    assert [p["kind"] for p in op.get("/api/emergency/plans").json()] == ["fire"]
    # Starting: roles and every field named.
    unit = as_("unit_handler")
    assert unit.post("/api/emergency/incidents", json=START).status_code == 403
    for change, field in (({"read_back": False}, "read_back"), ({"room": "", "floor": ""}, "room"),
                          ({"kind": "flood"}, "kind"), ({"situation": ""}, "situation"),
                          ({"kind": "gas"}, "kind")):
        r = op.post("/api/emergency/incidents", json={**START, **change})
        assert r.status_code == 422 and r.json()["field"] == field, (change, r.text)
    assert op.get("/api/emergency/incidents/999").status_code == 404


def test_start_calls_deputy_after_wait_sms_update_and_all_clear(as_, em_app, sms):
    sup, op = as_("supervisor"), as_("operator")
    assert sup.put("/api/emergency/plans/fire", json=PLAN).status_code == 200
    r = op.post("/api/emergency/incidents", json=START)
    assert r.status_code == 201, r.text
    inc = r.json()
    assert [x["state"] for x in inc["recipients"]] == ["pending"] * 3
    assert [i["id"] for i in op.get("/api/emergency/incidents?active=true").json()] == [inc["id"]]
    rt = em_app.state.runtime
    with rt.session_factory() as s:  # the red bar on every console
        assert s.scalar(select(FeedItem).where(FeedItem.topic == "emergency")) is not None

    offset = [dt.timedelta(0)]
    clock = lambda: utcnow() + offset[0]  # noqa: E731
    worker = Worker(rt, clock=clock)
    phones = FakePhones({"8002": CallOutcome.ANSWERED_CONFIRMED, "8011": CallOutcome.ANSWERED_CONFIRMED})
    dialler = EmergencyDialler(rt.session_factory, rt.settings, adapter=phones, clock=clock, prompts=None)

    def run():
        for _ in range(10):
            n = worker.run_once() + dialler.run_once()
            dialler.drain()
            if not n:
                return

    def board():
        b = op.get(f"/api/emergency/incidents/{inc['id']}").json()
        return b, {x["name"]: x for x in b["recipients"]}

    run()
    _, people = board()
    assert people["总经理"]["state"] == "no_answer" and people["总经理"]["attempts"] == 1
    assert people["保安部"]["state"] == "acknowledged" and people["保安部"]["ack_channel"] == "phone"
    assert people["工程部"]["state"] == "pending"  # wave 2 not yet
    assert [m["to"] for m in sms.messages] == ["8001"] and "1208" in sms.messages[0]["text"]

    offset[0] = dt.timedelta(seconds=61)  # past wave 2 and the wait before the deputy
    run()
    b, people = board()
    assert people["总经理"]["state"] == "deputy_called"
    assert people["副总"]["state"] == "acknowledged" and people["副总"]["deputy_of_id"] == people["总经理"]["id"]
    assert people["工程部"]["state"] == "notified"
    offset[0] = dt.timedelta(seconds=200)  # the general manager's second try was cancelled
    run()
    assert sorted(uri for uri, _ in phones.calls) == ["8001", "8002", "8011"]
    assert len({cid for _, cid in phones.calls}) == 3
    phones.calls.clear()

    # On behalf, with a note; then refused twice.
    rid = people["工程部"]["id"]
    url = f"/api/emergency/incidents/{inc['id']}/recipients/{rid}/acknowledge"
    assert op.post(url, json={"note": ""}).json()["field"] == "note"
    r = op.post(url, json={"note": "came to the desk"})
    assert r.status_code == 200
    assert {x["id"]: x for x in r.json()["recipients"]}[rid]["ack_channel"] == "in_person"
    assert op.post(url, json={"note": "again"}).status_code == 409
    assert op.post(f"/api/emergency/incidents/{inc['id']}/recipients/{people['保安部']['id'] + 99}/acknowledge",
                   json={"note": "x"}).json()["field"] == "recipient_id"

    # An update and the all-clear go to everyone told who has a number.
    assert op.post(f"/api/emergency/incidents/{inc['id']}/updates", json={"text": "evacuate floor 12"}).status_code == 200
    assert op.post(f"/api/emergency/incidents/{inc['id']}/close", json={"all_clear": "fire out"}).status_code == 200
    run()
    # … over their channels: SMS to whoever has it, a call speaking it to whoever has the phone.
    assert [m["to"] for m in sms.messages if "evacuate floor 12" in m["text"]] == ["8001"]
    assert [m["to"] for m in sms.messages if "All clear" in m["text"]] == ["8001"]
    assert sorted(uri for uri, cid in phones.calls if "-u" in cid) == ["8001", "8002", "8011"]
    assert sorted(uri for uri, cid in phones.calls if cid.endswith("-close")) == ["8001", "8002", "8011"]
    assert op.post(f"/api/emergency/incidents/{inc['id']}/updates", json={"text": "x"}).status_code == 409
    assert op.get("/api/emergency/incidents?active=true").json() == []
    kinds = [e["kind"] for e in op.get(f"/api/emergency/incidents/{inc['id']}").json()["timeline"]]
    assert kinds[0] == "started" and "deputy" in kinds and "closed" in kinds and kinds.count("sms") == 3 and kinds.count("message_result") == 6


class DownPhones:
    def place_call(self, *a, **kw):
        from zongji.telephony.adapter import TelephonyUnavailable

        raise TelephonyUnavailable("SIP gateway unreachable")


class UnhealthyGateway(FakePhones):
    """Its /health says the SIP side is down (registration lapsed): no call is even tried."""

    def health(self):
        return {"ok": False, "reason": "registration lapsed"}


@pytest.mark.parametrize("gateway", ["unreachable", "unhealthy"])
def test_telephony_down_sends_sms_at_once_and_says_phone_by_hand(as_, em_app, sms, gateway):
    sup, op = as_("supervisor"), as_("operator")
    plan = {**PLAN, "recipients": [{"name": "总经理", "number": "8001", "channels": ["phone"]},
                                   {"name": "保安部", "number": "8002", "channels": ["phone"]}]}
    assert sup.put("/api/emergency/plans/fire", json=plan).status_code == 200
    inc = op.post("/api/emergency/incidents", json=START).json()
    rt = em_app.state.runtime
    worker = Worker(rt)
    adapter = DownPhones() if gateway == "unreachable" else UnhealthyGateway({})
    dialler = EmergencyDialler(rt.session_factory, rt.settings, adapter=adapter, prompts=None)
    for _ in range(6):
        n = worker.run_once() + dialler.run_once()
        dialler.drain()
        if not n:
            break
    b = op.get(f"/api/emergency/incidents/{inc['id']}").json()
    assert [r["state"] for r in b["recipients"]] == ["notified", "notified"]  # failed, then the SMS went
    assert sorted(m["to"] for m in sms.messages) == ["8001", "8002"]
    down = [e for e in b["timeline"] if e["kind"] == "telephony_down"]
    assert down and "phone by hand" in down[-1]["text"] and "保安部 8002" in down[0]["text"]
    if gateway == "unhealthy":
        assert adapter.calls == [] and "registration lapsed" in down[0]["text"]
