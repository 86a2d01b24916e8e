"""Issue 8, points 2 and 3 through the API: a 400 complaint gets the company's situations and its
departments; a hotel call gets no work order; a unit asks the office to stop its clock; a
returned order's dispatch clock restarts from the return and goes late; the unit handler's menu."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from sqlalchemy import select

from zongji.store.models import Call, Department, Line, Organisation, User, utcnow

TZ = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def orgs(write) -> dict[str, int]:
    """A city hotline (handling units), a company with a 400 line (departments) and a hotel."""
    with write() as s:
        city = Organisation(code="city", name="示例市", kind="city_hotline")
        company = Organisation(code="co", name="示例科技有限公司", kind="company")
        hotel = Organisation(code="hotel", name="示例大酒店", kind="hotel")
        s.add_all([city, company, hotel])
        s.flush()
        s.add_all([
            Line(organisation_id=city.id, code="l12345", name="12345", kind="hotline_12345", number="12345"),
            Line(organisation_id=company.id, code="l400", name="示例科技400", kind="hotline_400", number="4008001234"),
            Line(organisation_id=hotel.id, code="lhotel", name="示例大酒店总机", kind="switchboard", number="02000000000"),
        ])
        bureau = Department(organisation_id=city.id, name="市城管局", kind="handling_unit")
        office = Department(organisation_id=city.id, name="热线办公室", kind="department")
        after_sales = Department(organisation_id=company.id, name="售后服务部", kind="department")
        quality = Department(organisation_id=company.id, name="质量部", kind="department")
        guest_service = Department(organisation_id=hotel.id, name="客房服务中心", name_en="Guest-Service Centre",
                                   kind="department", extension="6300")
        s.add_all([bureau, office, after_sales, quality, guest_service])
        s.flush()
        hotel_line = s.query(Line).filter_by(code="lhotel").one()
        call = Call(line_id=hotel_line.id, direction="in", calling_number="13900001111",
                    called_number="02000000000", state="ended", ringing_at=utcnow(), caller_kind="unknown",
                    notes="客人要两条毛巾")
        s.add(call)
        s.flush()
        return {"bureau": bureau.id, "office": office.id, "after_sales": after_sales.id, "quality": quality.id,
                "guest_service": guest_service.id, "hotel_call": call.id}


COMPLAINT_400 = {"order_type": "complaint", "line_code": "l400", "caller_name": "顾先生",
                 "caller_number": "13600003333", "product_serial": "SN-2026-0001",
                 "description": "新买的路由器三天两次断网"}
REQUEST = {"order_type": "request", "situation": "general", "caller_name": "张三", "caller_number": "13800000001",
           "place": "幸福路12号", "description": "幸福路12号门口路灯不亮已经三天"}


def test_a_400_complaint_gets_the_company_situations_and_departments(as_role, orgs):
    op, leader = as_role("operator"), as_role("shift_leader")
    meta = op.get("/api/work-orders/meta").json()
    assert [g["situation"] for g in meta["guidance_by_line_kind"]["hotline_400"]["complaint"]] == \
        ["general", "simple", "complex", "not_valid"]
    # The 12345 situation (公职人员违纪违法, 12388 referral, closed directly) is not a 400 complaint's.
    r = op.post("/api/work-orders", json={**COMPLAINT_400, "situation": "official_misconduct",
                                          "close_directly": {"handling": "告知12388", "result": "已告知"}})
    assert r.status_code == 422 and r.json()["field"] == "situation"
    r = op.post("/api/work-orders", json=COMPLAINT_400)  # the situation decides the limit (R-S10)
    assert r.status_code == 422 and r.json()["field"] == "situation"
    r = op.post("/api/work-orders", json={**COMPLAINT_400, "situation": "complex"})
    assert r.status_code == 201, r.text
    o = r.json()
    assert o["complexity"] == "complex" and o["guidance"]["situation_zh"].startswith("复杂投诉")
    assert o["guidance"]["referrals"] == [] and o["guidance"]["closes_directly"] is False
    assert "close_directly" not in o["allowed_actions"]
    # The dispatch list offers the company's departments, not the city's bureaus.
    o = leader.get(f"/api/work-orders/{o['id']}").json()
    assert [u["name"] for u in o["dispatch_units"]] == ["售后服务部", "质量部"]
    r = leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": orgs["bureau"]})
    assert r.status_code == 422 and r.json()["field"] == "unit_id" and r.json()["error"] == "unit_not_of_line"
    r = leader.post(f"/api/work-orders/{o['id']}/actions",
                    json={"action": "dispatch", "unit_id": orgs["after_sales"], "assisting_unit_ids": [orgs["bureau"]]})
    assert r.status_code == 422 and r.json()["field"] == "assisting_unit_ids"
    r = leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": orgs["after_sales"]})
    assert r.status_code == 200 and r.json()["main_unit"]["name"] == "售后服务部"
    # A 12345 order still lists the city's handling units only (not the hotline office itself).
    c = op.post("/api/work-orders", json={**REQUEST, "line_code": "l12345"}).json()
    assert [u["name"] for u in leader.get(f"/api/work-orders/{c['id']}").json()["dispatch_units"]] == ["市城管局"]


def test_a_hotel_call_gets_no_work_order_and_says_where_requests_go(as_role, orgs):
    op = as_role("operator")
    p = op.get(f"/api/work-orders/from-call/{orgs['hotel_call']}").json()
    assert p["work_orders"] is False
    assert p["requests_to"] == {"id": orgs["guest_service"], "name": "客房服务中心", "name_en": "Guest-Service Centre",
                                "extension": "6300"}
    assert "caller_number" not in p  # nothing to carry over
    r = op.post("/api/work-orders", json={**REQUEST, "call_id": orgs["hotel_call"]})
    assert r.status_code == 422 and r.json()["field"] == "call_id" and r.json()["error"] == "hotel_line"
    r = op.post("/api/work-orders", json={**REQUEST, "line_code": "lhotel"})
    assert r.status_code == 422 and r.json()["field"] == "line_code"


def _dispatched_and_accepted(op, leader, unit, bureau) -> int:
    o = op.post("/api/work-orders", json={**REQUEST, "line_code": "l12345"}).json()
    assert leader.post(f"/api/work-orders/{o['id']}/actions",
                       json={"action": "dispatch", "unit_id": bureau}).status_code == 200
    assert unit.post(f"/api/work-orders/{o['id']}/actions", json={"action": "accept"}).status_code == 200
    return o["id"]


def test_a_unit_asks_the_office_to_stop_its_clock(as_role, orgs):
    op, leader, sup = as_role("operator"), as_role("shift_leader"), as_role("supervisor")
    unit = as_role("unit_handler", department_id=orgs["bureau"])
    oid = _dispatched_and_accepted(op, leader, unit, orgs["bureau"])
    # Pausing its own clock is refused, naming the field and how to ask; the clock runs on.
    r = unit.post(f"/api/work-orders/{oid}/actions", json={"action": "pause", "reason": "等待来电人提供材料"})
    assert r.status_code == 403 and r.json()["error"] == "pause_needs_approval" and r.json()["field"] == "action"
    assert "request_pause" in r.json()["message"]
    d = unit.get(f"/api/work-orders/{oid}").json()
    assert d["paused"] is False and "pause" not in d["allowed_actions"] and "request_pause" in d["allowed_actions"]
    # It asks; the order waits for the office's decision on the approvals list.
    r = unit.post(f"/api/work-orders/{oid}/actions", json={"action": "request_pause"})
    assert r.status_code == 422 and r.json()["field"] == "reason"
    r = unit.post(f"/api/work-orders/{oid}/actions", json={"action": "request_pause", "reason": "等待来电人提供材料"})
    assert r.status_code == 200
    d = r.json()
    assert d["paused"] is False and d["pause_pending"] is True and "request_pause" not in d["allowed_actions"]
    assert d["pause_request"]["status"] == "requested"
    assert [i["id"] for i in sup.get("/api/work-orders?view=extensions").json()["items"]] == [oid]
    assert any(n["kind"] == "pause_requested" for n in sup.get("/api/notifications").json()["items"])
    # The shift leader may not decide; the office grants and the clock stops.
    r = leader.post(f"/api/work-orders/{oid}/actions", json={"action": "grant_pause"})
    assert r.status_code == 403
    assert "grant_pause" in sup.get(f"/api/work-orders/{oid}").json()["allowed_actions"]
    r = sup.post(f"/api/work-orders/{oid}/actions", json={"action": "grant_pause", "note": "同意"})
    assert r.status_code == 200 and r.json()["paused"] is True and r.json()["pause_request"]["status"] == "granted"
    assert sup.get("/api/work-orders?view=extensions").json()["items"] == []
    assert any(n["kind"] == "grant_pause" for n in unit.get("/api/notifications").json()["items"])


def test_a_refused_pause_request_leaves_the_clock_running(as_role, orgs):
    op, leader, sup = as_role("operator"), as_role("shift_leader"), as_role("supervisor")
    unit = as_role("unit_handler", department_id=orgs["bureau"])
    oid = _dispatched_and_accepted(op, leader, unit, orgs["bureau"])
    unit.post(f"/api/work-orders/{oid}/actions", json={"action": "request_pause", "reason": "等待材料"})
    r = sup.post(f"/api/work-orders/{oid}/actions", json={"action": "refuse_pause"})
    assert r.status_code == 422 and r.json()["field"] == "note"
    r = sup.post(f"/api/work-orders/{oid}/actions", json={"action": "refuse_pause", "note": "单位可自行调取"})
    assert r.status_code == 200 and r.json()["paused"] is False and r.json()["pause_request"]["status"] == "refused"


def test_a_returned_order_restarts_the_dispatch_clock_and_goes_late(as_role, orgs, write):
    from zongji.services.work_orders import listing, visibility

    op, leader = as_role("operator"), as_role("shift_leader")
    unit = as_role("unit_handler", department_id=orgs["bureau"])
    o = op.post("/api/work-orders", json={**REQUEST, "line_code": "l12345"}).json()
    leader.post(f"/api/work-orders/{o['id']}/actions", json={"action": "dispatch", "unit_id": orgs["bureau"]})
    r = unit.post(f"/api/work-orders/{o['id']}/actions", json={"action": "return", "reason": "不属于本单位职责"})
    d = r.json()
    returned_at = [e["at"] for e in d["timeline"] if e["action"] == "return"][0]
    clock = {c["kind"]: c for c in d["clock_reports"]}["dispatch"]
    assert clock["started_at"] == returned_at and clock["stopped_at"] is None and clock["state"] == "on_time"
    # Two hours later, still in the queue: late (R-P4: dispatched within an hour).
    later = dt.datetime.fromisoformat(returned_at) + dt.timedelta(hours=2)
    with write() as s:
        v = visibility.Viewer.of(s.scalars(select(User).where(User.role == "shift_leader")).first())
        queue = listing.list_orders(s, v, tz=TZ, view="dispatch", now=later)["items"]
    assert [i["id"] for i in queue] == [o["id"]]
    assert queue[0]["clocks"]["dispatch"]["state"] == "breached" and queue[0]["sla_state"] == "breached"


def test_a_unit_handlers_menu_has_only_what_it_may_open(as_role, orgs):
    unit = as_role("unit_handler", department_id=orgs["bureau"])
    html = unit.get("/unit").text
    nav = html[html.index('<nav class="nav">'):html.index("</nav>")]
    assert 'href="/unit"' in nav
    for href in ('href="/"', 'href="/calls"', 'href="/handover"', 'href="/work-orders"', 'href="/dispatch"'):
        assert href not in nav
    # Its own unit's figures (issue 10) it may open.
    assert 'href="/reports"' in nav and 'src="/static/reports.js' in unit.get("/reports").text
    # … and those it does not see, it cannot open.
    assert unit.get("/", follow_redirects=False).status_code == 303
    op = as_role("operator")
    nav = (lambda h: h[h.index('<nav class="nav">'):h.index("</nav>")])(op.get("/calls").text)
    assert 'href="/"' in nav and 'href="/calls"' in nav
