"""Work orders through the API: lifecycle, permissions (units see only their orders), errors
naming the field, order numbers under concurrency, duplicates, links, attachments, complaints."""

from __future__ import annotations

import io
import re
import threading

import pytest
from fastapi.testclient import TestClient
from openpyxl import load_workbook
from sqlalchemy import select

from zongji.domain.work_orders.actions import Remind
from zongji.domain.work_orders.rules import apply
from zongji.domain.work_orders.state import SYSTEM_ACTOR
from zongji.services.work_orders import changes, commands, sla_context, stored_state, visibility
from zongji.store.models import AuditEntry
from zongji.store.work_order_models import WorkOrder, WorkOrderUnit


ORDER = {"order_type": "request", "situation": "general", "caller_name": "张三", "caller_number": "13800000001",
         "place": "幸福路12号", "description": "幸福路12号门口路灯不亮已经三天"}


@pytest.fixture
def settings(settings):
    """The tests run due jobs with a worker of their own (``Worker(runtime)``): the app's worker
    thread stays off, else it may claim a due job first and still be inside it when the test's
    worker finds nothing left to do (the supervision test then read the list before the breach
    was written: seen once on PostgreSQL)."""
    return settings.model_copy(update={"run_worker_in_server": False})


def _create(c: TestClient, **kw) -> dict:
    r = c.post("/api/work-orders", json={**ORDER, **kw})
    assert r.status_code == 201, r.text
    return r.json()


def test_whole_life_and_unit_visibility(as_role, units):
    city, housing = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    unit_housing = as_role("unit_handler", department_id=housing)
    o = _create(op)
    assert re.fullmatch(r"\d{8}-\d{4}", o["number"])
    assert o["status"] == "created" and [c["kind"] for c in o["clock_reports"]] == ["dispatch"]
    # Before dispatch no unit sees it.
    assert unit_city.get(f"/api/work-orders/{o['id']}").status_code == 404
    assert unit_city.get("/api/work-orders").json()["total"] == 0
    # An operator may not dispatch; the shift leader may.
    r = op.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
    assert r.status_code == 403 and r.json()["error"] == "role_not_allowed"
    r = leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
    assert r.status_code == 200 and r.json()["status"] == "dispatched"
    assert r.json()["completion_deadline"]  # 5 working days on the unit's calendar
    # The city unit sees it and may accept; the housing unit does not see it at all.
    assert unit_city.get("/api/work-orders").json()["total"] == 1
    assert unit_city.get("/api/units/portal").json()["items"][0]["number"] == o["number"]
    assert unit_housing.get(f"/api/work-orders/{o['id']}").status_code == 404
    assert unit_housing.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"}).status_code == 404
    assert unit_housing.get("/api/work-orders").json()["total"] == 0
    # Units may not use console endpoints.
    assert unit_city.get("/api/callbacks").status_code == 403
    assert unit_city.get("/api/supervision").status_code == 403
    assert unit_city.post("/api/work-orders", json=ORDER).status_code == 403
    assert unit_city.get("/api/complaints/register").status_code == 403
    # Accept, reply; illegal transitions are 409; missing reply text names the field.
    assert unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"}).status_code == 200
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"})
    assert r.status_code == 409 and r.json()["error"] == "illegal_transition"
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "reply", "text": " "})
    assert r.status_code == 422 and r.json()["field"] == "text"
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "reply", "text": "已更换灯泡"})
    assert r.json()["status"] == "replied"
    # Callback list shows the unit's reply; a dissatisfied caller sends it to supervision.
    cb = op.get("/api/callbacks").json()["items"]
    assert [i["reply_text"] for i in cb] == ["已更换灯泡"]
    r = op.post(f"/api/work-orders/{o['id']}/actions",
                json={"action": "record_callback", "outcome": "dissatisfied", "caller_words": "还是不亮"})
    assert r.json()["status"] == "review" and r.json()["supervised"] is True
    assert [i["number"] for i in op.get("/api/supervision").json()["items"]] == [o["number"]]
    assert op.get("/api/callbacks").json()["items"] == []
    detail = op.get(f"/api/work-orders/{o['id']}").json()
    assert [e["action"] for e in detail["timeline"]] == ["create", "dispatch", "accept", "reply", "record_callback"]
    assert detail["callback"]["caller_words"] == "还是不亮"
    # The unit got a console notification for the dispatch.
    kinds = [n["kind"] for n in unit_city.get("/api/notifications").json()["items"]]
    assert "dispatched" in kinds
    assert unit_housing.get("/api/notifications").json()["items"] == []


def test_the_units_portal_moves_a_closed_order_behind_its_open_ones(as_role, units, session_factory):
    """The portal finds a unit's open orders from its links marked open (issue 18): the mark
    follows the order's status through dispatch, assisting units and closing."""
    city, housing = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    unit_housing = as_role("unit_handler", department_id=housing)
    older, newer = _create(op), _create(op, description="幸福路路灯又坏了")
    for o in (older, newer):
        r = leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
        assert r.status_code == 200, r.text
    r = leader.post(f"/api/work-orders/{older['id']}/actions", json={"action": "add_assisting_unit", "unit_id": housing})
    assert r.status_code == 200, r.text

    def portal(c: TestClient) -> list[str]:
        out = c.get("/api/units/portal").json()
        assert out["total"] == len(out["items"]) and out["total_exact"]
        return [i["number"] for i in out["items"]]

    # Both open: the nearest deadline first (the older order).
    assert portal(unit_city) == [older["number"], newer["number"]]
    assert portal(unit_housing) == [older["number"]]
    unit_city.post(f"/api/work-orders/{older['id']}/actions", json={"action": "accept"})
    unit_city.post(f"/api/work-orders/{older['id']}/actions", json={"action": "reply", "text": "已更换灯泡"})
    r = op.post(f"/api/work-orders/{older['id']}/actions", json={"action": "record_callback", "outcome": "satisfied"})
    assert r.json()["status"] == "closed"
    # Closed: after the open one, for the main unit and the assisting one alike.
    assert portal(unit_city) == [newer["number"], older["number"]]
    assert portal(unit_housing) == [older["number"]]
    with session_factory() as s:
        marks = sorted(s.execute(select(WorkOrderUnit.order_id, WorkOrderUnit.unit_id, WorkOrderUnit.order_open)))
    assert marks == sorted([(older["id"], city, False), (older["id"], housing, False), (newer["id"], city, True)])


def test_returned_order_leaves_the_unit_and_needs_a_reason(as_role, units):
    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    o = _create(op)
    leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "return"})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "return", "reason": "不属于本单位职责"})
    assert r.status_code == 200 and r.json()["status"] == "returned"
    assert unit_city.get(f"/api/work-orders/{o['id']}").status_code == 404
    assert [i["id"] for i in leader.get("/api/work-orders?view=dispatch").json()["items"]] == [o["id"]]


def test_extension_beyond_the_policy_limit_is_refused(as_role, units):
    city, _ = units
    op, leader, sup = as_role("operator"), as_role("shift_leader"), as_role("supervisor")
    unit_city = as_role("unit_handler", department_id=city)
    o = _create(op)
    d = leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city}).json()
    unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"})
    import datetime as dt

    deadline = dt.datetime.fromisoformat(d["completion_deadline"])
    later = (deadline + dt.timedelta(days=3)).isoformat()
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "request_extension", "deadline": later})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = unit_city.post(f"/api/work-orders/{o['id']}/actions",
                       json={"action": "request_extension", "deadline": later, "reason": "需协调多个部门"})
    assert r.status_code == 200 and r.json()["extension_pending"] is True
    # Only the office grants.
    assert leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "grant_extension"}).status_code == 403
    r = sup.post(f"/api/work-orders/{o['id']}/actions", json={"action": "grant_extension"})
    assert r.status_code == 200
    assert dt.datetime.fromisoformat(r.json()["completion_deadline"]) == dt.datetime.fromisoformat(later)


def test_bad_input_names_the_field(as_role, units):
    op = as_role("operator")
    for body, field in [
        ({**ORDER, "order_type": "nonsense"}, "order_type"),
        ({**ORDER, "situation": "nonsense"}, "situation"),
        ({**ORDER, "description": "  "}, "description"),
        ({**ORDER, "place": None}, "place"),  # a general request needs the place (R-P2)
        ({**ORDER, "latitude": 30.1}, "longitude"),
        ({**ORDER, "category": "no/such"}, "category"),
        ({**ORDER, "call_id": 999999}, "call_id"),
        ({**ORDER, "urgency": "very"}, "urgency"),
    ]:
        r = op.post("/api/work-orders", json=body)
        assert r.status_code == 422, (field, r.text)
        assert r.json()["fields"][0]["field"] == field, r.text
    o = _create(op)
    r = op.post(f"/api/work-orders/{o['id']}/actions", json={"action": "fly"})
    assert r.status_code == 422 and r.json()["field"] == "action"
    r = op.post(f"/api/work-orders/{o['id']}/actions", json={"action": "note", "colour": "red"})
    assert r.status_code == 422 and r.json()["field"] == "colour"
    assert op.get("/api/work-orders?view=nope").json()["fields"][0]["field"] == "view"
    assert op.get("/api/work-orders/999999").status_code == 404


def test_help_outside_remit_closes_directly_with_referrals(as_role, units):
    op = as_role("operator")
    meta = op.get("/api/work-orders/meta").json()
    g = next(g for g in meta["guidance"]["help"] if g["situation"] == "outside_remit")
    assert g["closes_directly"] and {r["number"] for r in g["referrals"]} >= {"12348", "110"}
    r = op.post("/api/work-orders", json={"order_type": "help", "situation": "outside_remit", "caller_name": "李四",
                                          "description": "想起诉装修公司", "close_directly": {"handling": "", "result": "x"}})
    assert r.status_code == 422 and r.json()["field"] == "close_directly.handling"
    o = _create(op, order_type="help", situation="outside_remit", place=None,
                close_directly={"handling": "告知拨打12348", "result": "来电人已知晓"})
    assert o["status"] == "closed_directly" and o["direct_handling"] == "告知拨打12348"
    assert o["clock_reports"] == []
    # A general request must be dispatched, not closed directly.
    r = op.post("/api/work-orders", json={**ORDER, "close_directly": {"handling": "a", "result": "b"}})
    assert r.status_code == 422 and r.json()["field"] == "situation" and r.json()["error"] == "must_dispatch"


def test_close_directly_cannot_bypass_the_type_guidance(as_role, units):
    """R-P2, R-P11: the guidance holds for the action too, not only at creation."""
    op, leader = as_role("operator"), as_role("shift_leader")
    general = _create(op)  # a general request: recorded and dispatched
    assert "close_directly" not in general["allowed_actions"]
    assert "close_directly" not in leader.get(f"/api/work-orders/{general['id']}").json()["allowed_actions"]
    for c in (op, leader):
        r = c.post(f"/api/work-orders/{general['id']}/actions",
                   json={"action": "close_directly", "handling": "告知电话", "result": "已告知"})
        assert r.status_code == 422, r.text
        assert r.json()["error"] == "must_dispatch" and r.json()["field"] == "situation"
        assert "R-P2" in r.json()["message"]
    assert op.get(f"/api/work-orders/{general['id']}").json()["status"] == "created"
    # A complaint without a situation is refused at creation (its handling depends on it), with or
    # without close_directly.
    for extra in ({}, {"close_directly": {"handling": "a", "result": "b"}}):
        r = op.post("/api/work-orders", json={**ORDER, "order_type": "complaint", "situation": None, **extra})
        assert r.status_code == 422 and r.json()["field"] == "situation", r.text
    assert op.get("/api/work-orders?order_type=complaint").json()["total"] == 0
    # Where the guidance allows it, the order page offers it and the action works.
    ok = _create(op, order_type="praise", situation="of_hotline", place=None)
    assert "close_directly" in ok["allowed_actions"]
    r = op.post(f"/api/work-orders/{ok['id']}/actions",
                json={"action": "close_directly", "handling": "记录表扬", "result": "已感谢来电人"})
    assert r.status_code == 200 and r.json()["status"] == "closed_directly"
    # Reclassifying the situation changes what is allowed: the leader marks a praise of a unit …
    p = _create(op, order_type="praise", situation="of_unit", place=None)
    assert "close_directly" not in p["allowed_actions"]
    r = leader.post(f"/api/work-orders/{p['id']}/actions", json={"action": "reclassify", "situation": "of_hotline"})
    assert r.status_code == 200 and r.json()["situation"] == "of_hotline"
    assert "close_directly" in op.get(f"/api/work-orders/{p['id']}").json()["allowed_actions"]
    r = leader.post(f"/api/work-orders/{p['id']}/actions", json={"action": "reclassify", "situation": "general"})
    assert r.status_code == 422 and r.json()["field"] == "situation"


def test_order_numbers_are_unique_under_concurrent_creation(app, as_role, units, write):
    clients = [as_role("operator") for _ in range(4)]
    numbers: list[str] = []
    lock = threading.Lock()

    def make(c):
        for _ in range(5):
            n = _create(c)["number"]
            with lock:
                numbers.append(n)

    threads = [threading.Thread(target=make, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(numbers) == 20 and len(set(numbers)) == 20
    days = {n[:8] for n in numbers}
    seqs = sorted(int(n[9:]) for n in numbers if n[:8] == max(days))
    assert seqs == list(range(1, len(seqs) + 1))


def test_duplicates_links_and_each_caller_keeps_a_callback(as_role, units):
    """R-P8: a duplicate follows its primary — not dispatched on its own, its dispatch clock
    stopped — and when the primary's unit replies, each caller gets their own callback."""
    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    first = _create(op)
    r = op.post("/api/work-orders/duplicates", json={"caller_number": "138 0000 0001", "place": "幸福路12号",
                                                     "description": "幸福路12号路灯不亮"})
    items = r.json()["items"]
    assert [i["id"] for i in items] == [first["id"]]
    assert "same_caller" in items[0]["reasons"]
    assert op.post("/api/work-orders/duplicates", json={"description": "完全无关的医保报销咨询"}).json()["items"] == []
    second = _create(op, caller_name="王五", caller_number="13900000002",
                     link_to=[{"order_id": first["id"], "kind": "duplicate"}])
    assert [(lk["id"], lk["kind"], lk["role"]) for lk in second["links"]] == [(first["id"], "duplicate", "primary")]
    again = op.get(f"/api/work-orders/{first['id']}").json()
    assert [(lk["id"], lk["role"]) for lk in again["links"]] == [(second["id"], "follower")]
    # The duplicate follows: its dispatch clock stopped, no dispatch button, not in the dispatch queue.
    second = op.get(f"/api/work-orders/{second['id']}").json()
    assert second["following"] is True and second["duplicate_of_id"] == first["id"]
    assert {c["kind"]: c["state"] for c in second["clock_reports"]}["dispatch"] == "met"
    assert "dispatch" not in leader.get(f"/api/work-orders/{second['id']}").json()["allowed_actions"]
    r = leader.post(f"/api/work-orders/{second['id']}/actions", json={"action": "dispatch", "unit_id": city})
    assert r.status_code == 409 and r.json()["error"] == "following_primary"
    assert [i["id"] for i in leader.get("/api/work-orders?view=dispatch").json()["items"]] == [first["id"]]
    # The primary is dispatched and replied: the duplicate gets the reply and its own callback.
    leader.post(f"/api/work-orders/{first['id']}/actions", json={"action": "dispatch", "unit_id": city})
    unit_city.post(f"/api/work-orders/{first['id']}/actions", json={"action": "accept"})
    r = unit_city.post(f"/api/work-orders/{first['id']}/actions", json={"action": "reply", "text": "已更换灯泡"})
    assert r.status_code == 200
    assert unit_city.get(f"/api/work-orders/{second['id']}").status_code == 404  # the unit sees only its own order
    cbs = {i["id"]: i for i in op.get("/api/callbacks").json()["items"]}
    assert set(cbs) == {first["id"], second["id"]}
    assert {i["caller_name"] for i in cbs.values()} == {"张三", "王五"}
    assert cbs[second["id"]]["reply_text"] == "已更换灯泡" and cbs[second["id"]]["callback_due_at"]
    detail = op.get(f"/api/work-orders/{second['id']}").json()
    assert detail["status"] == "replied" and [e["action"] for e in detail["timeline"]][-1] == "follow_reply"
    due = [n for n in op.get("/api/notifications").json()["items"] if n["kind"] == "callback_due"]
    assert {n["order_id"] for n in due} == {first["id"], second["id"]}
    # Each callback is recorded on its own order, for its own caller.
    r = op.post(f"/api/work-orders/{first['id']}/actions", json={"action": "record_callback", "outcome": "satisfied"})
    assert r.json()["status"] == "closed"
    assert [i["id"] for i in op.get("/api/callbacks").json()["items"]] == [second["id"]]
    r = op.post(f"/api/work-orders/{second['id']}/actions",
                json={"action": "record_callback", "outcome": "dissatisfied", "caller_words": "我家门口还是不亮"})
    assert r.json()["status"] == "review" and r.json()["callback"]["caller_words"] == "我家门口还是不亮"
    assert op.get("/api/callbacks").json()["items"] == []


def test_unbinding_a_duplicate_restores_its_independence(as_role, units):
    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    first = _create(op)
    dup = _create(op, caller_name="王五", link_to=[{"order_id": first["id"], "kind": "duplicate"}])
    # A duplicate cannot be the primary of another, and a follower's primary cannot follow it back.
    r = op.post(f"/api/work-orders/{first['id']}/links", json={"order_id": dup["id"], "kind": "duplicate"})
    assert r.status_code == 201 and r.json()["duplicate_of_id"] == dup["id"]  # direction swapped
    assert op.get(f"/api/work-orders/{dup['id']}").json()["following"] is False
    third = _create(op, caller_name="赵六")
    r = op.post(f"/api/work-orders/{third['id']}/links", json={"order_id": first["id"], "kind": "duplicate"})
    assert r.status_code == 409 and r.json()["error"] == "primary_is_duplicate" and r.json()["field"] == "order_id"
    # Unbinding: the order is on its own again, with a fresh dispatch clock and the dispatch button.
    assert op.delete(f"/api/work-orders/{first['id']}/links/{dup['id']}").status_code == 204
    o = leader.get(f"/api/work-orders/{first['id']}").json()
    assert o["following"] is False and o["duplicate_of_id"] is None and o["links"] == []
    clock = {c["kind"]: c for c in o["clock_reports"]}["dispatch"]
    assert clock["state"] == "on_time" and clock["started_at"] > o["created_at"]
    assert "dispatch" in o["allowed_actions"]
    assert {i["id"] for i in leader.get("/api/work-orders?view=dispatch").json()["items"]} == {
        first["id"], dup["id"], third["id"]}
    # Binding as related is only a label: both stay independent.
    r = op.post(f"/api/work-orders/{third['id']}/links", json={"order_id": dup["id"], "kind": "related"})
    assert r.json()["following"] is False
    # A dispatched order cannot start following another (bind it as related).
    leader.post(f"/api/work-orders/{third['id']}/actions", json={"action": "dispatch", "unit_id": city})
    r = op.post(f"/api/work-orders/{third['id']}/links", json={"order_id": dup["id"], "kind": "duplicate"})
    assert r.status_code == 409 and r.json()["error"] == "cannot_follow"


def test_attachments_are_size_limited_and_only_for_those_who_see_the_order(app, as_role, units, settings):
    city, housing = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_housing = as_role("unit_handler", department_id=housing)
    o = _create(op)
    r = op.post(f"/api/work-orders/{o['id']}/attachments", files={"file": ("photo.jpg", b"\xff\xd8jpeg", "image/jpeg")})
    assert r.status_code == 201
    url = r.json()["url"]
    assert op.get(url).content == b"\xff\xd8jpeg"
    assert unit_housing.get(url).status_code == 404
    settings.attachment_max_bytes = 10
    r = op.post(f"/api/work-orders/{o['id']}/attachments", files={"file": ("big.bin", b"x" * 11, "application/octet-stream")})
    assert r.status_code == 422 and r.json()["field"] == "file"
    assert len(list((settings.data_dir / "attachments").iterdir())) == 1


def test_complaint_register_counts_and_exports(as_role, units, write):
    city, housing = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    a = _create(op, order_type="complaint")
    _create(op, order_type="complaint")
    _create(op)  # not a complaint
    leader.post(f"/api/work-orders/{a['id']}/actions", json={"action": "dispatch", "unit_id": city})
    unit_city.post(f"/api/work-orders/{a['id']}/actions", json={"action": "accept"})
    unit_city.post(f"/api/work-orders/{a['id']}/actions", json={"action": "reply", "text": "已处理"})
    op.post(f"/api/work-orders/{a['id']}/actions", json={"action": "record_callback", "outcome": "satisfied"})
    reg = op.get("/api/complaints/register").json()
    assert reg["total"] == 2
    assert {c["key"]: c["count"] for c in reg["by_department"]} == {"市城管局": 1, "—": 1}
    assert {c["key"]: c["count"] for c in reg["by_outcome"]} == {"satisfied": 1, "open": 1}
    r = op.get("/api/complaints/register.xlsx")
    wb = load_workbook(io.BytesIO(r.content))
    assert wb["投诉登记表"].max_row == 3
    r = op.get(f"/api/work-orders/{a['id']}/complaint-form.xlsx")
    ws = load_workbook(io.BytesIO(r.content))["投诉处理表"]
    values = {ws.cell(i, 1).value: ws.cell(i, 3).value for i in range(3, ws.max_row + 1)}
    assert values["责任部门"] == "市城管局" and values["回访结果"] == "满意"
    assert values["部门调查结果及处理方案"] == "已处理"
    assert op.get("/api/complaints/register?date_from=2026-13-01").json()["fields"][0]["field"] == "date_from"
    with write() as s:
        assert s.scalar(select(AuditEntry).where(AuditEntry.entity == "complaint_form")) is not None


def test_calendar_and_policies_admin(as_role, units):
    op, admin = as_role("operator"), as_role("admin")
    y = op.get("/api/calendar/2025").json()
    spring = {d["day"]: d for d in y["days"]}
    assert spring["2025-01-29"]["is_working"] is False and spring["2025-01-26"]["is_working"] is True  # 调休
    assert op.put("/api/calendar/days/2031-05-02", json={"is_working": False, "name": "劳动节"}).status_code == 403
    r = admin.put("/api/calendar/days/2031-05-02", json={"is_working": False, "name": "劳动节"})
    assert r.status_code == 200
    assert {d["day"] for d in admin.get("/api/calendar/2031").json()["days"]} >= {"2031-05-02"}
    r = admin.post("/api/calendar/import", json={"year": 2040, "csv": "date,is_working,name\n2040-02-12,休,春节\n2040-02-18,班,春节"})
    assert r.json()["year"] == 2040 and r.json()["days"] == 2 and r.json()["deadlines_moved"] == 0
    y = admin.get("/api/calendar/2040").json()
    assert y["known"] is True
    r = admin.post("/api/calendar/import", json={"year": 2040, "csv": "2041-01-01,休,元旦"})
    assert r.status_code == 422 and r.json()["field"] == "csv"
    pol = op.get("/api/sla-policies").json()
    assert pol["stored"] is False and pol["policies"][0]["dispatch"]["value"] == 1.0
    changed = pol["policies"]
    changed[0]["dispatch"] = {"value": 2, "unit": "hours", "basis": "calendar"}
    assert op.put("/api/sla-policies", json={"policies": changed}).status_code == 403
    r = admin.put("/api/sla-policies", json={"policies": changed})
    assert r.json()["stored"] is True and r.json()["policies"][0]["dispatch"]["value"] == 2.0
    bad = [{"dispatch": {"value": -1, "unit": "hours", "basis": "calendar"}}]
    assert admin.put("/api/sla-policies", json={"policies": bad}).json()["field"] == "policies.0"
    # The new policy applies to new orders: dispatch clock of 2 hours.
    o = _create(op)
    dispatch = next(c for c in o["clock_reports"] if c["kind"] == "dispatch")
    assert dispatch["budget_seconds"] == 7200


def test_category_import_builds_the_tree(as_role, units):
    admin, op = as_role("admin"), as_role("operator")
    r = admin.post("/api/work-order-categories/import",
                   json={"csv": "code,name_zh,name_en,unit\ncity/street_lights,路灯,Street lights,市城管局\n"})
    assert r.status_code == 200
    cats = {c["code"]: c for c in op.get("/api/work-order-categories").json()["categories"]}
    assert set(cats) == {"city", "city/street_lights"} and cats["city/street_lights"]["default_unit_id"]
    assert op.post("/api/work-order-categories/import", json={"csv": "a,b"}).status_code == 403
    r = admin.post("/api/work-order-categories/import", json={"csv": "x,y,z,无此单位"})
    assert r.status_code == 422
    o = _create(op, category="city/street_lights")
    assert o["category_label"]["en"] == "Street lights"


def _call(write, number: str, *, direction: str = "in", minutes_ago: int = 5, outcome: str = "answered") -> int:
    import datetime as dt

    from zongji.store.models import Call, utcnow

    at = utcnow() - dt.timedelta(minutes=minutes_ago)
    with write() as s:
        c = Call(direction=direction, calling_number=number if direction == "in" else "8001",
                 called_number="12345" if direction == "in" else number, state="ended", ringing_at=at,
                 answered_at=at, ended_at=at + dt.timedelta(minutes=2), talk_seconds=120, outcome=outcome)
        s.add(c)
        s.flush()
        return c.id


def test_further_calls_are_linked_and_the_callback_call_too(as_role, units, write):
    """The creating call, a repeat call and the callback call (R-P6, R-P8) all show on the order."""
    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    first_call = _call(write, "13800000001", minutes_ago=60)
    o = _create(op, call_id=first_call)
    assert [(c["id"], c["purpose"], c["direction"], c["number"]) for c in o["calls"]] == [
        (first_call, "created", "in", "13800000001")]
    assert "number=13800000001" in o["calls"][0]["log_url"] and o["calls"][0]["outcome"] == "answered"
    # The caller calls again: the call is offered and linked as a repeat call.
    again = _call(write, "13800000001", minutes_ago=10)
    _call(write, "13900000009", minutes_ago=9)  # someone else: not offered
    detail = op.get(f"/api/work-orders/{o['id']}").json()
    assert [c["id"] for c in detail["call_candidates"]] == [again]
    r = op.post(f"/api/work-orders/{o['id']}/calls", json={"call_id": again, "purpose": "repeat"})
    assert r.status_code == 201, r.text
    assert [(c["id"], c["purpose"]) for c in r.json()["calls"]] == [(first_call, "created"), (again, "repeat")]
    assert r.json()["call_candidates"] == [] and r.json()["timeline"][-1]["action"] == "link_call"
    # Bad input names the field; linking twice is a conflict; units may not link calls.
    for body, field in [({}, "call_id"), ({"call_id": 999999}, "call_id"),
                        ({"call_id": again, "purpose": "gossip"}, "purpose"), ({"call_id": "x"}, "call_id")]:
        r = op.post(f"/api/work-orders/{o['id']}/calls", json=body)
        assert r.status_code == 422 and r.json()["fields"][0]["field"] == field, (body, r.text)
    r = op.post(f"/api/work-orders/{o['id']}/calls", json={"call_id": again})
    assert r.status_code == 409 and r.json()["error"] == "call_already_linked"
    leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
    assert unit_city.post(f"/api/work-orders/{o['id']}/calls", json={"call_id": again}).status_code == 403
    assert unit_city.get(f"/api/work-orders/{o['id']}").json()["calls"] == []  # the caller's calls stay with the console
    unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"})
    unit_city.post(f"/api/work-orders/{o['id']}/actions", json={"action": "reply", "text": "已更换灯泡"})
    # The callback is recorded with the call that made it: the call is linked as the callback call.
    cb_call = _call(write, "13800000001", direction="out", minutes_ago=1)
    r = op.post(f"/api/work-orders/{o['id']}/actions",
                json={"action": "record_callback", "outcome": "satisfied", "call_id": 999999})
    assert r.status_code == 422 and r.json()["field"] == "call_id"
    assert op.get(f"/api/work-orders/{o['id']}").json()["status"] == "replied"
    r = op.post(f"/api/work-orders/{o['id']}/actions",
                json={"action": "record_callback", "outcome": "satisfied", "call_id": cb_call})
    assert r.status_code == 200 and r.json()["status"] == "closed"
    calls = {c["id"]: c for c in r.json()["calls"]}
    assert calls[cb_call]["purpose"] == "callback" and calls[cb_call]["direction"] == "out"
    assert calls[cb_call]["number"] == "13800000001"
    # Other actions do not take a call.
    r = op.post(f"/api/work-orders/{o['id']}/actions", json={"action": "note", "note": "n", "call_id": cb_call})
    assert r.status_code == 422 and r.json()["field"] == "call_id"


def test_extensions_view_finds_every_pending_request_beyond_the_first_page(as_role, units, write):
    """More open orders than a page: the pending requests are filtered in the query, not on one page."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from zongji.services.auth import create_user
    from zongji.store.models import User

    city, _ = units
    sup = as_role("supervisor")
    tz = ZoneInfo("Asia/Shanghai")
    t0 = dt.datetime.now(tz) - dt.timedelta(hours=2)
    with write() as s:
        op = create_user(s, username="op-x", password="secret-pass-1", role="operator")
        lead = create_user(s, username="lead-x", password="secret-pass-1", role="shift_leader")
        uh = create_user(s, username="unit-x", password="secret-pass-1", role="unit_handler", department_id=city)
        ov, lv, uv = (visibility.Viewer.of(s.get(User, u.id)) for u in (op, lead, uh))
        ids = []
        for i in range(60):
            o = commands.create_order(s, ov, commands.NewOrder(order_type="request", situation="general",
                                                               description=f"路灯不亮 {i}", caller_name="张三",
                                                               place="幸福路"), tz=tz, now=t0 + dt.timedelta(seconds=i))
            commands.act(s, lv, o.id, {"action": "dispatch", "unit_id": city}, tz=tz, now=t0 + dt.timedelta(minutes=5))
            commands.act(s, uv, o.id, {"action": "accept"}, tz=tz, now=t0 + dt.timedelta(minutes=6))
            ids.append(o.id)
        # The oldest orders (last on the newest-first pages) ask for more time.
        asking = ids[:3]
        for oid in asking:
            deadline = s.get(WorkOrder, oid).completion_deadline
            commands.act(s, uv, oid, {"action": "request_extension", "reason": "需协调多个部门",
                                      "deadline": (deadline + dt.timedelta(days=2)).isoformat()},
                         tz=tz, now=t0 + dt.timedelta(minutes=10))
    r = sup.get("/api/work-orders?view=extensions").json()
    assert r["total"] == 3 and sorted(i["id"] for i in r["items"]) == sorted(asking)
    assert all(i["extension_pending"] for i in r["items"])
    r = sup.get("/api/work-orders?view=extensions&page_size=2&page=2").json()
    assert r["total"] == 3 and len(r["items"]) == 1
    # Decided requests leave the view.
    sup.post(f"/api/work-orders/{asking[0]}/actions", json={"action": "refuse_extension", "note": "可按期完成"})
    assert sup.get("/api/work-orders?view=extensions").json()["total"] == 2


def test_a_late_order_appears_on_the_supervision_list(as_role, units, write, session_factory, runtime):
    """R-P5: an open order past a deadline is supervised even without anyone marking it — once its
    breach timer has fired."""
    import datetime as dt
    from zoneinfo import ZoneInfo

    from zongji.services.auth import create_user
    from zongji.store.models import User, utcnow
    from zongji.worker.tasks import load_all
    from zongji.worker.runner import Worker

    sup = as_role("supervisor")
    tz = ZoneInfo("Asia/Shanghai")
    with write() as s:
        op = create_user(s, username="op-late", password="secret-pass-1", role="operator")
        v = visibility.Viewer.of(s.get(User, op.id))
        late = commands.create_order(s, v, commands.NewOrder(order_type="request", situation="general",
                                                             description="井盖缺失", caller_name="李四", place="东湖路"),
                                     tz=tz, now=utcnow() - dt.timedelta(hours=3))
        fresh = commands.create_order(s, v, commands.NewOrder(order_type="request", situation="general",
                                                              description="路灯不亮", caller_name="王五", place="西湖路"),
                                      tz=tz)
        late_id, fresh_id = late.id, fresh.id
    w = Worker(runtime, handlers=load_all())  # the only worker (the app's is off)
    while w.run_once():
        pass
    items = sup.get("/api/supervision").json()["items"]
    assert [i["id"] for i in items] == [late_id]
    assert items[0]["sla_state"] == "breached" and items[0]["clocks"]["dispatch"]["state"] == "breached"
    assert fresh_id not in [i["id"] for i in items]


def test_manual_reminder_and_supervision_through_the_api(as_role, units):
    city, _ = units
    op, leader, sup = as_role("operator"), as_role("shift_leader"), as_role("supervisor")
    unit_city = as_role("unit_handler", department_id=city)
    o = _create(op)
    act = f"/api/work-orders/{o['id']}/actions"
    r = leader.post(act, json={"action": "remind", "note": "请尽快处理"})
    assert r.status_code == 409  # nothing to remind before a unit has it
    leader.post(act, json={"action": "dispatch", "unit_id": city})
    # 催办: the shift leader with a note; the operator may not.
    assert op.post(act, json={"action": "remind", "note": "x"}).status_code == 403
    r = leader.post(act, json={"action": "remind"})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = leader.post(act, json={"action": "remind", "note": "请今天内签收"})
    assert r.status_code == 200 and r.json()["reminder_count"] == 1
    reminders = [n for n in unit_city.get("/api/notifications").json()["items"] if n["kind"] == "reminder"]
    assert len(reminders) == 1 and "请今天内签收" in reminders[0]["body"]
    # 督办: with a reason, on the supervision list, the unit told; only the office lifts it.
    r = leader.post(act, json={"action": "supervise"})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = leader.post(act, json={"action": "supervise", "reason": "媒体关注的热点问题"})
    assert r.status_code == 200 and r.json()["supervised"] is True
    assert leader.post(act, json={"action": "supervise", "reason": "again"}).json()["error"] == "already_supervised"
    items = sup.get("/api/supervision").json()["items"]
    assert [(i["id"], i["supervision_reason"]) for i in items] == [(o["id"], "媒体关注的热点问题")]
    assert "supervision" in [n["kind"] for n in unit_city.get("/api/notifications").json()["items"]]
    assert leader.post(act, json={"action": "unsupervise"}).status_code == 403
    r = sup.post(act, json={"action": "unsupervise", "note": "已解决"})
    assert r.status_code == 200 and r.json()["supervised"] is False
    assert sup.get("/api/supervision").json()["items"] == []
    timeline = [e["action"] for e in sup.get(f"/api/work-orders/{o['id']}").json()["timeline"]]
    assert timeline == ["create", "dispatch", "remind", "supervise", "unsupervise"]


def test_refused_extension_and_reopen_through_the_api(as_role, units):
    import datetime as dt

    city, _ = units
    op, leader, sup = as_role("operator"), as_role("shift_leader"), as_role("supervisor")
    unit_city = as_role("unit_handler", department_id=city)
    o = _create(op)
    act = f"/api/work-orders/{o['id']}/actions"
    d = leader.post(act, json={"action": "dispatch", "unit_id": city}).json()
    unit_city.post(act, json={"action": "accept"})
    deadline = d["completion_deadline"]
    later = (dt.datetime.fromisoformat(deadline) + dt.timedelta(days=1)).isoformat()
    assert sup.post(act, json={"action": "refuse_extension", "note": "x"}).json()["error"] == "no_extension_pending"
    unit_city.post(act, json={"action": "request_extension", "deadline": later, "reason": "等待材料"})
    assert leader.post(act, json={"action": "refuse_extension", "note": "x"}).status_code == 403
    r = sup.post(act, json={"action": "refuse_extension"})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = sup.post(act, json={"action": "refuse_extension", "note": "可按期完成"})
    assert r.status_code == 200
    body = r.json()
    assert body["extension_pending"] is False and body["extension"]["status"] == "refused"
    assert body["completion_deadline"] == deadline  # unchanged
    assert "refuse_extension" in [n["kind"] for n in unit_city.get("/api/notifications").json()["items"]]
    # Replied, satisfied, closed — then the caller calls again: the shift leader reopens it.
    unit_city.post(act, json={"action": "reply", "text": "已处理"})
    assert op.post(act, json={"action": "record_callback", "outcome": "satisfied"}).json()["status"] == "closed"
    assert op.post(act, json={"action": "reopen", "reason": "来电人再次反映"}).status_code == 403
    r = leader.post(act, json={"action": "reopen"})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = leader.post(act, json={"action": "reopen", "reason": "来电人再次反映"})
    assert r.status_code == 200 and r.json()["status"] == "review" and r.json()["reopen_count"] == 1
    assert o["id"] in [i["id"] for i in leader.get("/api/work-orders?view=dispatch").json()["items"]]
    r = leader.post(act, json={"action": "dispatch", "unit_id": city})
    assert r.status_code == 200 and r.json()["status"] == "dispatched"


def test_a_units_own_calendar_days_move_only_its_deadlines(as_role, units):
    """Per-unit calendar (issue 4 §3): days off for one unit push its completion deadlines, not
    another unit's."""
    import datetime as dt

    city, housing = units
    op, leader, admin = as_role("operator"), as_role("shift_leader"), as_role("admin")
    today = dt.date.today()
    days = [today + dt.timedelta(days=i) for i in range(0, 25)]
    for d in days:
        r = admin.put(f"/api/calendar/days/{d.isoformat()}", json={"is_working": False, "name": "单位停工",
                                                                   "unit_id": city})
        assert r.status_code == 200 and r.json()["unit_id"] == city
    assert leader.put(f"/api/calendar/days/{today.isoformat()}",
                      json={"is_working": False, "unit_id": city}).status_code == 403
    own = {x["day"] for x in admin.get(f"/api/calendar/{today.year}?unit_id={city}").json()["days"]}
    base = {x["day"] for x in admin.get(f"/api/calendar/{today.year}").json()["days"]}
    assert today.isoformat() in own and (today.isoformat() not in base or today.weekday() >= 5)
    a, b = _create(op), _create(op)
    da = leader.post(f"/api/work-orders/{a['id']}/actions", json={"action": "dispatch", "unit_id": city}).json()
    db = leader.post(f"/api/work-orders/{b['id']}/actions", json={"action": "dispatch", "unit_id": housing}).json()
    a_deadline = dt.datetime.fromisoformat(da["completion_deadline"])
    b_deadline = dt.datetime.fromisoformat(db["completion_deadline"])
    # The city unit does not work for the next 25 days: its 5 working days start after them.
    assert a_deadline.date() > days[-1] and b_deadline.date() <= days[-1]
    # Deleting the unit's days gives it the same deadline as the other unit for a new order.
    for d in days:
        assert admin.delete(f"/api/calendar/days/{d.isoformat()}?unit_id={city}").status_code == 204
    c = _create(op)
    dc = leader.post(f"/api/work-orders/{c['id']}/actions", json={"action": "dispatch", "unit_id": city}).json()
    assert abs(dt.datetime.fromisoformat(dc["completion_deadline"]) - b_deadline) < dt.timedelta(minutes=5)


def test_the_register_counts_complaints_by_type(as_role, units):
    admin, op = as_role("admin"), as_role("operator")
    admin.post("/api/work-order-categories/import", json={
        "csv": "code,name_zh,name_en\nservice,服务,Service\nservice/attitude,服务态度,Attitude\n"
               "service/billing,收费,Billing\n"})
    for cat in ("service/attitude", "service/attitude", "service/billing", None):
        _create(op, order_type="complaint", category=cat)
    _create(op, category="service/billing")  # a request: not in the complaint register
    reg = op.get("/api/complaints/register").json()
    assert reg["total"] == 4
    assert {c["key"]: c["count"] for c in reg["by_type"]} == {"服务态度": 2, "收费": 1, "—": 1}
    assert reg["by_type"][0] == {"key": "服务态度", "count": 2}  # most frequent first


ISO_INSTANT = re.compile(r"\d{4}-\d\d-\d\dT\d\d:\d\d")


def test_notification_texts_give_local_times_not_iso_strings(as_role, units, write):
    """Issue 8: the unit's 新派工单 notification says 办结时限：YYYY-MM-DD HH:MM in the site's time
    zone (never 2026-…T…+08:00), and an automatic reminder says why in Chinese, not "warning"."""
    import datetime as dt


    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    o = _create(op)
    r = leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": city})
    deadline = dt.datetime.fromisoformat(r.json()["completion_deadline"])
    [n] = [n for n in unit_city.get("/api/notifications").json()["items"] if n["kind"] == "dispatched"]
    local = deadline.astimezone(dt.timezone(dt.timedelta(hours=8))).strftime("%Y-%m-%d %H:%M")
    assert n["body"].endswith(f"办结时限：{local}"), n["body"]
    assert not ISO_INSTANT.search(n["body"]) and "+08:00" not in n["body"]
    with write() as s:  # the timer's automatic reminder just before the deadline
        row = s.get(WorkOrder, o["id"])
        state = stored_state.row_state(row)
        sla = sla_context.SlaContext.load(s, "Asia/Shanghai")
        new, entry = apply(state, Remind(automatic=True, reason="warning"), SYSTEM_ACTOR,
                           deadline - dt.timedelta(hours=1))
        changes.save_change(s, row, state, new, entry, visibility.SYSTEM_VIEWER, sla, deadline - dt.timedelta(hours=1))
    [rem] = [n for n in unit_city.get("/api/notifications").json()["items"] if n["kind"] == "reminder"]
    assert rem["body"] == f"办结时限即将到期（{local}）", rem["body"]


def test_complaint_register_xlsx_uses_the_page_words(as_role, units):
    """Issue 8: the register's XLSX says what the page says — 回访结果 办理中 for an order still
    being handled (not the raw ``open``), 满意 for a satisfied callback, the status in Chinese —
    and every outcome and status word is the page's own (zh-CN wo.outcome.*, wo.open, wo.status.*)."""
    import json
    from pathlib import Path

    from zongji.services import complaints

    zh = json.loads((Path(__file__).parents[2] / "zongji/web/static/i18n/zh-CN.json").read_text("utf-8"))
    assert complaints.OPEN_ZH == zh["wo.open"]
    assert all(complaints.OUTCOME_ZH[k] == zh[f"wo.outcome.{k}"] for k in complaints.OUTCOME_ZH)
    assert all(complaints.STATUS_ZH[k] == zh[f"wo.status.{k}"] for k in complaints.STATUS_ZH)
    assert complaints.outcome_zh("closed_directly") == zh["wo.status.closed_directly"]

    city, _ = units
    op, leader = as_role("operator"), as_role("shift_leader")
    unit_city = as_role("unit_handler", department_id=city)
    a = _create(op, order_type="complaint")
    _create(op, order_type="complaint")
    leader.post(f"/api/work-orders/{a['id']}/actions", json={"action": "dispatch", "unit_id": city})
    unit_city.post(f"/api/work-orders/{a['id']}/actions", json={"action": "accept"})
    unit_city.post(f"/api/work-orders/{a['id']}/actions", json={"action": "reply", "text": "已处理"})
    op.post(f"/api/work-orders/{a['id']}/actions", json={"action": "record_callback", "outcome": "satisfied"})
    wb = load_workbook(io.BytesIO(op.get("/api/complaints/register.xlsx").content))
    ws = wb["投诉登记表"]
    head = [c.value for c in ws[1]]
    rows = [dict(zip(head, (c.value for c in r))) for r in ws.iter_rows(min_row=2)]
    assert sorted(r["回访结果"] for r in rows) == sorted(["满意", "办理中"])
    assert all(r["状态"] in complaints.STATUS_ZH.values() for r in rows)
    stats = [c.value for c in wb["统计"]["A"] if c.value]
    assert "办理中" in stats and "open" not in stats
    assert not any(v in ("open", "satisfied") for r in rows for v in r.values())


def test_an_odd_character_in_a_description_never_breaks_the_complaint_exports(as_role):
    """Issue 12, point 5: a control character pasted into a description (a vertical tab from a
    word processor) no longer breaks the XLSX of every range holding the order; a description
    that starts with "=" stays text, not a formula; NUL is refused naming the field, the same on
    both databases."""
    op = as_role("operator")
    odd = _create(op, order_type="complaint", description="楼道灯坏了\x0b三天没人修\x1f")
    formula = _create(op, order_type="complaint", description="=HYPERLINK(\"http://x\",\"点我\")")
    r = op.get("/api/complaints/register.xlsx")
    assert r.status_code == 200
    ws = load_workbook(io.BytesIO(r.content))["投诉登记表"]
    head = [c.value for c in ws[1]]
    cells = {row[head.index("工单编号")].value: row[head.index("投诉内容")] for row in ws.iter_rows(min_row=2)}
    assert cells[odd["number"]].value == "楼道灯坏了三天没人修"
    assert cells[formula["number"]].data_type == "s" and cells[formula["number"]].value.startswith("=HYPERLINK")
    form = op.get(f"/api/work-orders/{odd['id']}/complaint-form.xlsx")
    assert form.status_code == 200
    values = [c.value for c in load_workbook(io.BytesIO(form.content)).active["C"]]
    assert "楼道灯坏了三天没人修" in values
    r = op.post("/api/work-orders", json={**ORDER, "description": "有\u0000空字符"})
    assert r.status_code == 422 and r.json()["field"] == "description"
