"""Meeting and flight bookings over the API (issue 17 points 3, 4; R-T4, R-T5): the meeting's
states with its quote and deposit reminder (once), flight ID numbers masked by role with every
unmasked read audited, the erasure job (once), the list and the figures."""

from __future__ import annotations

import datetime as dt

from sqlalchemy import func, select

from zongji.services.bookings import flights, meetings
from zongji.store.models import AuditEntry, Job
from zongji.store.travel_models import FlightPassenger
from zongji.store.work_order_models import Notification
from zongji.worker.runner import Worker
from zongji.worker.tasks import travel as travel_tasks

GOOD_ID = "11010519491231002X"
MASKED = "110105********002X"
HANDLERS = {meetings.REMINDER_JOB: travel_tasks.deposit_reminder, flights.ERASE_JOB: travel_tasks.erase_ids}


def _day(settings, days):
    return (dt.datetime.now(settings.tz).date() + dt.timedelta(days=days)).isoformat()


def _drain(runtime, at):
    w = Worker(runtime, handlers=HANDLERS, clock=lambda: at)
    n = 0
    while (k := w.run_once()):
        n += k
    return n


def test_meeting_booking_from_form_to_deposit_reminder(as_role, settings, runtime, write):
    op, leader = as_role("operator"), as_role("shift_leader")
    form = {"hotel_name": "国际饭店", "kind": "conference", "needs": "投影仪，茶歇两次", "start_date": _day(settings, 20),
            "end_date": _day(settings, 21), "attendees": 60, "rooms": 25, "budget_fen": 8_000_000,
            "contact": "王经理", "mobile": "13900000001"}
    r = op.post("/api/travel/meetings", json=form)
    assert r.status_code == 201, r.text
    m = r.json()
    assert m["status"] == "requested" and "confirm" not in m["actions"]
    bad = op.post("/api/travel/meetings", json=form | {"end_date": _day(settings, 19)})
    assert bad.status_code == 422 and bad.json()["field"].split(".")[-1] == "end_date", bad.text
    url = f"/api/travel/meetings/{m['id']}/actions"
    assert op.post(f"{url}/confirm", json={}).status_code == 409
    r = op.post(f"{url}/quote", json={"lines": [{"label": "会议室", "quantity": 2, "unit_fen": 300000},
                                                {"label": "茶歇", "quantity": 120, "unit_fen": 3500}]})
    assert r.status_code == 200, r.text
    assert r.json()["total_fen"] == 1_020_000 and r.json()["deposit_fen"] == 306_000
    r = op.post(f"{url}/confirm", json={"confirmation": "GJ-88"})
    assert r.status_code == 200, r.text
    due = dt.datetime.fromisoformat(r.json()["deposit_due_at"])
    assert r.json()["status"] == "hotel_confirmed" and due > dt.datetime.now(dt.UTC)
    # Before the deadline nothing is sent; after it, one reminder each to the operator and the
    # shift leaders, however often the worker runs.
    assert _drain(runtime, due - dt.timedelta(minutes=1)) == 0
    assert _drain(runtime, due + dt.timedelta(minutes=1)) == 1
    assert _drain(runtime, due + dt.timedelta(hours=1)) == 0
    with write() as s:
        kinds = s.scalars(select(Notification.role).where(Notification.kind == "travel_deposit_due")).all()
    assert sorted(k or "" for k in kinds) == ["", "shift_leader"]
    got = leader.get(f"/api/travel/meetings/{m['id']}").json()
    assert got["reminded_at"] and got["quote"]["lines"][1]["amount_fen"] == 420_000
    assert op.post(f"{url}/pay_deposit", json={}).json()["status"] == "deposit_paid"
    assert op.post(f"{url}/cancel", json={"reason": "x"}).status_code == 409


def _flight(settings, **over):
    return {"customer": "张三", "mobile": "13800000009", "passengers": [
        {"name": "张三", "id_kind": "resident_id", "id_number": GOOD_ID},
        {"name": "John Smith", "id_kind": "passport", "id_number": "E12345678"}],
        "from_city": "北京", "to_city": "上海", "departure_date": _day(settings, 3), "departure_time": "09:30",
        "trip": "return", "return_date": _day(settings, 5), "payment": "on_delivery",
        "delivery_address": "朝阳区建国路1号"} | over


def _reads(write, booking_id):
    with write() as s:
        return s.scalar(select(func.count()).select_from(AuditEntry).where(
            AuditEntry.entity == "flight_booking", AuditEntry.action == "read",
            AuditEntry.entity_id == str(booking_id)))


def test_flight_ids_masked_by_role_audited_and_erased_once(as_role, settings, runtime, write):
    op, sup = as_role("operator"), as_role("supervisor")
    for over, field in [({"passengers": [{"name": "李四", "id_kind": "resident_id", "id_number": "110105194912310021"}]},
                         "id_number"),
                        ({"payment": "on_delivery", "delivery_address": None}, "delivery_address"),
                        ({"return_date": _day(settings, 2)}, "return_date")]:
        r = op.post("/api/travel/flights", json=_flight(settings, **over))
        assert r.status_code == 422 and r.json()["field"].split(".")[-1] == field, r.text
    r = op.post("/api/travel/flights", json=_flight(settings))
    assert r.status_code == 201, r.text
    b = r.json()
    assert b["passengers"][0]["id_number"] == GOOD_ID
    assert _reads(write, b["id"]) == 1
    # The supervisor sees masked numbers, in the booking and in the list, and no read is audited.
    got = sup.get(f"/api/travel/flights/{b['id']}").json()
    assert [p["id_number"] for p in got["passengers"]] == [MASKED, "*******78"] and got["ids_masked"]
    listed = sup.get("/api/travel/bookings", params={"q": "13800000009"}).json()
    assert [x["passengers"][0]["id_number"] for x in listed] == [MASKED]
    assert _reads(write, b["id"]) == 1
    assert op.get(f"/api/travel/flights/{b['id']}").json()["passengers"][0]["id_number"] == GOOD_ID
    assert _reads(write, b["id"]) == 2
    # Erased once, at the last flight date + the retention days.
    erase_at = dt.datetime.fromisoformat(b["ids_erase_at"])
    assert erase_at.date() == dt.date.fromisoformat(_day(settings, 5)) + dt.timedelta(
        days=settings.flight_id_retention_days + 1)
    assert _drain(runtime, erase_at - dt.timedelta(seconds=1)) == 0
    assert _drain(runtime, erase_at) == 1
    assert _drain(runtime, erase_at + dt.timedelta(days=1)) == 0
    with write() as s:
        assert s.scalars(select(FlightPassenger.id_number).where(FlightPassenger.booking_id == b["id"])).all() == [None, None]
        assert s.scalar(select(Job.state).where(Job.key == f"travel:erase:{b['id']}")) == "done"
        assert s.scalar(select(func.count()).select_from(AuditEntry).where(AuditEntry.action == "erase")) == 1
    after = op.get(f"/api/travel/flights/{b['id']}").json()
    assert [p["id_number"] for p in after["passengers"]] == [None, None] and after["passengers"][0]["id_erased"]
    assert _reads(write, b["id"]) == 2  # nothing left to read


def test_list_search_and_figures(as_role, settings):
    op, leader = as_role("operator"), as_role("shift_leader")
    op.post("/api/travel/flights", json=_flight(settings, payment="e_ticket", delivery_address=None, trip="one_way",
                                                return_date=None))
    m = op.post("/api/travel/meetings", json={
        "hotel_name": "西湖宾馆", "kind": "training", "start_date": _day(settings, 10), "end_date": _day(settings, 10),
        "attendees": 20, "contact": "李女士", "mobile": "13700000002"}).json()
    op.post(f"/api/travel/meetings/{m['id']}/actions/refuse", json={"reason": "满房"})
    assert [x["kind_of_booking"] for x in op.get("/api/travel/bookings", params={"q": "李女士"}).json()] == ["meeting"]
    assert [x["kind_of_booking"] for x in op.get("/api/travel/bookings",
                                                params={"day": _day(settings, 3)}).json()] == ["flight"]
    today = _day(settings, 0)
    assert op.get("/api/travel/figures", params={"start": today, "end": today}).status_code == 403
    figs = leader.get("/api/travel/figures", params={"start": today, "end": today}).json()
    assert {(f["kind"], f["count"], f["confirmed"], f["refused"]) for f in figs} == {
        ("meeting", 1, 0, 1), ("flight", 1, 1, 0)}
    assert all(set(f) == {"kind", "day", "operator", "count", "confirmed", "refused"} for f in figs)
    assert leader.get("/api/travel/figures", params={"start": today, "end": _day(settings, -1)}).json()["field"] == "end"


def test_demo_has_meeting_and_flight_bookings_loaded_once(write, settings):
    from zongji.demo.data import load_demo
    from zongji.store.travel_models import FlightBooking, MeetingBooking

    now = dt.datetime.now(dt.UTC)
    for _ in range(2):
        with write() as s:
            load_demo(s, settings, now=now)
    with write() as s:
        statuses = sorted(s.scalars(select(MeetingBooking.status)).all())
        assert statuses == ["hotel_confirmed", "requested"]
        assert s.scalar(select(func.count()).select_from(FlightBooking)) == 2


def test_bookings_page_for_console_roles(as_role):
    page = as_role("operator").get("/travel")
    assert page.status_code == 200 and "travel.js" in page.text and "会议与机票预订" in page.text
    assert 'id="travel-page"' in page.text
    assert 'id="travel-page"' not in as_role("unit_handler").get("/travel").text
