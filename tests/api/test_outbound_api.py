"""Outbound call lists over the API on both databases (issue 14 point 4): building from customers
and from an XLSX import (rows rejected one by one, entries without a number apart), two
operators never taking the same entry, the retry rule, reached / not reached, the XLSX export;
roles and 4xx naming the field."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from fastapi.testclient import TestClient
from openpyxl import Workbook, load_workbook
from sqlalchemy import update

from zongji.api.app import create_app
from zongji.store.models import Customer, Organisation
from zongji.store.outbound_models import OutboundEntry


@pytest.fixture
def ob_app(settings):
    return create_app(settings.model_copy(update={"run_worker_in_server": False, "outbound_max_tries": 2}))


@pytest.fixture
def as_(ob_app, make_user):
    clients = []

    def _as(role: str) -> TestClient:
        username, password = make_user(role)
        c = TestClient(ob_app)
        c.__enter__()
        clients.append(c)
        assert c.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
        return c

    yield _as
    for c in clients:
        c.__exit__(None, None, None)


@pytest.fixture
def customers(write):
    with write() as s:
        org = Organisation(code="water", name="自来水公司", name_en="Water Co", kind="company")
        s.add(org)
        s.flush()
        s.add_all([Customer(organisation_id=org.id, name="张三", phone="138 0013 8001", company="东区 A 栋", note="东区"),
                   Customer(organisation_id=org.id, name="李四", phone="13800138002", note="东区"),
                   Customer(organisation_id=org.id, name="王五", phone="", note="东区"),
                   Customer(organisation_id=org.id, name="赵六", phone="13800138009", note="西区")])


def test_customers_list_two_operators_retry_and_export(as_, customers, write):
    sup, op1, op2 = as_("supervisor"), as_("operator"), as_("operator")
    body = {"name": "东区停水通知", "source": "customers", "filter": "东区", "purpose": "notice"}
    assert op1.post("/api/outbound/lists", json=body).status_code == 403
    r = sup.post("/api/outbound/lists", json={**body, "source": "people"})
    assert r.status_code == 422 and r.json()["field"] == "source", r.text
    r = sup.post("/api/outbound/lists", json=body)
    assert r.status_code == 201, r.text
    list_id = r.json()["id"]
    rep = op1.get(f"/api/outbound/lists/{list_id}").json()
    assert rep["counts"] == {"reached": 0, "not_reached": 0, "open": 2, "no_number": 1}
    assert [e["name"] for e in rep["no_number"]] == ["王五"]

    # Two operators: one key each, never the same entry; the same key again keeps one's own.
    a = op1.post(f"/api/outbound/lists/{list_id}/next").json()
    b = op2.post(f"/api/outbound/lists/{list_id}/next").json()
    assert a["id"] != b["id"] and {a["number"], b["number"]} == {"13800138001", "13800138002"}
    assert op1.post(f"/api/outbound/lists/{list_id}/next").json()["id"] == a["id"]
    assert op2.post(f"/api/outbound/entries/{a['id']}/result", json={"result": "reached"}).status_code == 409
    r = op1.post(f"/api/outbound/entries/{a['id']}/result", json={"result": "maybe"})
    assert r.status_code == 422 and r.json()["field"] == "result"
    r = op1.post(f"/api/outbound/entries/{a['id']}/result", json={"result": "call_back"})
    assert r.status_code == 422 and r.json()["field"] == "call_back_at", r.text

    r = op1.post(f"/api/outbound/entries/{a['id']}/result", json={"result": "reached", "note": "已告知"})
    assert r.status_code == 200 and r.json()["state"] == "reached"
    # The retry rule: no answer → due again after outbound_retry_minutes, not before.
    r = op2.post(f"/api/outbound/entries/{b['id']}/result", json={"result": "no_answer"})
    e = r.json()
    assert e["state"] == "retry" and e["tries"] == 1
    due = dt.datetime.fromisoformat(e["due_at"])
    assert dt.timedelta(minutes=29) < due - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(minutes=30)
    assert op1.post(f"/api/outbound/lists/{list_id}/next").status_code == 204
    with write() as s:  # time passes
        s.execute(update(OutboundEntry).where(OutboundEntry.id == b["id"]).values(
            due_at=dt.datetime.now(dt.timezone.utc) - dt.timedelta(seconds=1)))
    again = op1.post(f"/api/outbound/lists/{list_id}/next").json()
    assert again["id"] == b["id"]
    r = op1.post(f"/api/outbound/entries/{b['id']}/result", json={"result": "busy"})
    assert r.json()["state"] == "not_reached"  # outbound_max_tries = 2

    rep = op1.get(f"/api/outbound/lists/{list_id}").json()
    assert [e["name"] for e in rep["reached"]] == ["张三"] and [e["name"] for e in rep["not_reached"]] == ["李四"]
    x = op1.get(f"/api/outbound/lists/{list_id}/export")
    assert x.status_code == 200 and x.headers["content-type"].startswith("application/vnd.openxml")
    wb = load_workbook(io.BytesIO(x.content))
    reached = list(wb.worksheets[0].iter_rows(values_only=True))
    assert reached[1][1] == "张三" and reached[1][8] == "已告知"
    assert [r[1] for r in wb.worksheets[1].iter_rows(values_only=True)][1:] == ["李四"]
    assert op1.get("/api/outbound/lists/999/export").status_code == 404


def _xlsx(rows) -> bytes:
    wb = Workbook()
    for row in rows:
        wb.active.append(row)
    buf = io.BytesIO()
    wb.save(buf)
    return buf.getvalue()


def test_xlsx_import_rejects_rows_and_keeps_no_number_apart(as_):
    sup = as_("supervisor")
    data = _xlsx([("姓名", "电话", "地址"), ("甲", "13900000001", "1号楼"), ("乙", "not a phone", "2号楼"),
                  ("", "13900000003", ""), ("丁", None, "4号楼")])
    r = sup.post("/api/outbound/lists/import", data={"name": "回访"}, files={"file": ("l.xlsx", data, "application/octet-stream")})
    assert r.status_code == 201, r.text
    out = r.json()
    assert out["entries"] == 2
    assert [(x["row"], x["field"]) for x in out["rejected"]] == [(3, "number"), (4, "name")]
    rep = sup.get(f"/api/outbound/lists/{out['id']}").json()
    assert rep["counts"]["open"] == 1 and [e["name"] for e in rep["no_number"]] == ["丁"]
    r = sup.post("/api/outbound/lists/import", data={"name": "x"}, files={"file": ("l.xlsx", b"junk", "application/octet-stream")})
    assert r.status_code == 422 and r.json()["field"] == "file"


def test_console_callbacks_alert_until_done(as_, write, ob_app):
    from sqlalchemy import select

    from zongji.services.outbound import callbacks
    from zongji.store.models import FeedItem, Job

    op = as_("operator")
    r = op.post("/api/outbound/callbacks", json={"kind": "long_call", "number": "13800138005"})
    assert r.status_code == 422 and r.json()["field"] == "read_back"
    r = op.post("/api/outbound/callbacks", json={"kind": "cannot_hear", "number": "hello"})
    assert r.status_code == 422 and r.json()["field"] == "number"
    r = op.post("/api/outbound/callbacks", json={"kind": "cannot_hear", "number": "138 0013 8005"})
    assert r.status_code == 201, r.text
    cb = r.json()
    due = dt.datetime.fromisoformat(cb["due_at"])
    assert dt.timedelta(minutes=2) < due - dt.datetime.now(dt.timezone.utc) <= dt.timedelta(minutes=3)
    long = op.post("/api/outbound/callbacks", json={"kind": "long_call", "number": "13800138006", "read_back": True}).json()
    assert [c["id"] for c in op.get("/api/outbound/callbacks").json()] == [long["id"], cb["id"]]
    settings = ob_app.state.settings
    with write() as s:
        job = s.scalar(select(Job).where(Job.key == f"outbound:callback:{cb['id']}:alert:1"))
        assert job is not None and job.due_at == due
        assert callbacks.alert(s, cb["id"], 1, now=due, settings=settings)
        assert s.scalar(select(Job).where(Job.key == f"outbound:callback:{cb['id']}:alert:2")) is not None
        events = [f.payload["event"] for f in s.scalars(select(FeedItem).where(
            FeedItem.topic == "outbound_callback", FeedItem.entity_id == str(cb["id"])).order_by(FeedItem.id))]
        assert events == ["created", "due"]
    # "Next" hands out what is due (the long call), never the other before its time …
    nxt = op.post(f"/api/outbound/lists/{cb['list_id']}/next")
    assert nxt.status_code == 200 and nxt.json()["id"] == long["id"]
    assert op.post(f"/api/outbound/entries/{long['id']}/release").status_code == 200
    # … but an operator choosing it in the console's list calls back early.
    taken = op.post(f"/api/outbound/entries/{cb['id']}/take").json()
    assert taken["number"] == "13800138005" and taken["state"] == "claimed"
    assert as_("operator").post(f"/api/outbound/entries/{cb['id']}/take").status_code == 409
    assert op.post(f"/api/outbound/entries/{cb['id']}/result", json={"result": "reached"}).json()["state"] == "reached"
    with write() as s:
        assert not callbacks.alert(s, cb["id"], 2, now=due, settings=settings)  # done: no more alerts
    assert [c["id"] for c in op.get("/api/outbound/callbacks").json()] == [long["id"]]


class FakePhones:
    """The telephony adapter: each SIP URI answers as told (no sleeps)."""

    def __init__(self, answers):
        self.answers, self.calls = answers, []

    def place_call(self, uri, prompt_wav, confirm_keys=("1",), ring_timeout=30.0, *, snooze_keys=(),
                   key_timeout=10.0, call_id=None):
        from zongji.telephony.adapter import CallOutcome, CallResult

        self.calls.append((uri, call_id, tuple(confirm_keys)))
        outcome = self.answers.get(uri, CallOutcome.NO_ANSWER)
        return CallResult(outcome=outcome, call_id=call_id, uri=uri,
                          key="1" if outcome is CallOutcome.ANSWERED_CONFIRMED else None,
                          sip_status=200 if outcome.answered else 480)


def test_automatic_list_calls_understood_and_retry(as_, customers, write, session_factory, ob_app):
    from sqlalchemy import select

    from zongji.store.models import Job
    from zongji.telephony.adapter import CallOutcome
    from zongji.worker.outbound_dialler import OutboundDialler

    sup = as_("supervisor")
    r = sup.post("/api/outbound/lists", json={"name": "停水", "source": "customers", "filter": "东区", "automatic": True})
    assert r.status_code == 422 and r.json()["field"] == "message"
    r = sup.post("/api/outbound/lists", json={"name": "停水", "source": "customers", "filter": "东区", "automatic": True,
                                               "message": "明天上午九点到十二点东区停水，听清请按1。"})
    list_id = r.json()["id"]
    phones = FakePhones({"13800138001": CallOutcome.ANSWERED_CONFIRMED, "13800138002": CallOutcome.NO_ANSWER})
    clock = [dt.datetime.now(dt.timezone.utc)]
    d = OutboundDialler(session_factory, ob_app.state.settings, phones, prompts=None, clock=lambda: clock[0])
    try:
        assert d.run_once() == 2
        d.drain()
        rep = sup.get(f"/api/outbound/lists/{list_id}").json()
        assert [(e["name"], e["result"]) for e in rep["reached"]] == [("张三", "understood")]
        [retry] = rep["open"]
        assert retry["state"] == "retry" and retry["tries"] == 1
        assert sorted(c[1] for c in phones.calls) == [f"outbound-{rep['reached'][0]['id']}-1", f"outbound-{retry['id']}-1"]
        assert d.run_once() == 0  # the retry is not due yet
        with write() as s:
            job = s.scalar(select(Job).where(Job.key == f"outbound:e{retry['id']}:call:2"))
            assert job.due_at == dt.datetime.fromisoformat(retry["due_at"])
        clock[0] = dt.datetime.fromisoformat(retry["due_at"]) + dt.timedelta(seconds=1)
        assert d.run_once() == 1
        d.drain()
        rep = sup.get(f"/api/outbound/lists/{list_id}").json()
        assert [(e["name"], e["result"], e["tries"]) for e in rep["not_reached"]] == [("李四", "no_answer", 2)]
        assert len(phones.calls) == 3 and len({c[1] for c in phones.calls}) == 3  # each try dialled once
    finally:
        d.pool.shutdown(wait=True)


def test_progress_on_the_live_feed_and_click_to_call(as_, customers, write, ob_app, make_user):
    """Each change of a list is announced with its counts (the page's live progress, no names or
    numbers); the holder's click-to-call goes to the PBX adapter's dial, its result announced."""
    from fastapi.testclient import TestClient
    from sqlalchemy import select

    from zongji.store.models import FeedItem
    from zongji.worker.runner import Worker
    from zongji.worker.tasks import load_all

    sup, other = as_("supervisor"), as_("operator")
    username, password = make_user("operator", operator_number="1001")
    op = TestClient(ob_app)
    op.__enter__()
    assert op.post("/api/auth/login", json={"username": username, "password": password}).status_code == 200
    list_id = sup.post("/api/outbound/lists", json={"name": "东区", "source": "customers", "filter": "东区"}).json()["id"]
    lists = {x["id"]: x for x in op.get("/api/outbound/lists").json()}
    assert lists[list_id]["progress"] == {"reached": 0, "not_reached": 0, "open": 2, "no_number": 1}
    entry = op.post(f"/api/outbound/lists/{list_id}/next").json()

    # Click-to-call: only the holder, with a phone to ring.
    assert other.post(f"/api/outbound/entries/{entry['id']}/dial", json={}).status_code == 409
    r = other.post(f"/api/outbound/lists/{list_id}/next").json()
    no_ext = other.post(f"/api/outbound/entries/{r['id']}/dial", json={})
    assert no_ext.status_code == 422 and no_ext.json()["field"] == "extension", no_ext.text
    d = op.post(f"/api/outbound/entries/{entry['id']}/dial", json={})
    assert d.status_code == 200 and d.json() == {"entry_id": entry["id"], "number": entry["number"],
                                                 "extension": "1001", "queued": True}
    assert op.post("/api/outbound/entries/999999/dial", json={}).status_code == 404
    runtime = ob_app.state.runtime
    Worker(runtime, handlers=load_all(), clock=lambda: dt.datetime.now(dt.timezone.utc)).run_once()
    dialled = runtime.pbx().commands_of("dial")
    assert [(c.args["extension"], c.args["number"]) for c in dialled] == [("1001", entry["number"])]

    assert op.post(f"/api/outbound/entries/{entry['id']}/result", json={"result": "reached"}).status_code == 200
    assert other.post(f"/api/outbound/entries/{r['id']}/release").status_code == 200
    with write() as s:
        feed = [f.payload for f in s.scalars(select(FeedItem).where(
            FeedItem.topic == "outbound_list", FeedItem.entity_id == str(list_id)).order_by(FeedItem.id))]
    assert [f["event"] for f in feed] == ["built", "taken", "taken", "dial", "recorded", "released"]
    assert feed[3]["result"] == "dialled" and feed[3]["entry_id"] == entry["id"]
    assert feed[-2]["counts"] == {"reached": 1, "not_reached": 0, "open": 1, "no_number": 1}
    assert all("number" not in f and "name" not in f for f in feed)
    rep = op.get(f"/api/outbound/lists/{list_id}").json()
    assert rep["reached"][0]["note"] == "" and rep["counts"]["reached"] == 1
    op.__exit__(None, None, None)
