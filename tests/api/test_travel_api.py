"""Meeting and flight bookings over the API (issue 17 points 3, 4; R-T4, R-T5): the meeting's
states with its quote and deposit reminder (once), flight ID numbers masked by role with every
unmasked read audited, the erasure job (once), a flight's read-back before it is saved, changed
or cancelled (who, when, why on its history), the list and the figures."""

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
    assert r.json()["deposit_reminder"] == "waiting" and r.json()["actions"] == ["pay_deposit", "cancel"]
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
    assert got["deposit_reminder"] == "reminded"
    assert op.post(f"{url}/pay_deposit", json={}).json()["status"] == "deposit_paid"
    assert op.post(f"{url}/cancel", json={"reason": "x"}).status_code == 409


def _flight(settings, **over):
    return {"customer": "张三", "mobile": "13800000009", "passengers": [
        {"name": "张三", "id_kind": "resident_id", "id_number": GOOD_ID},
        {"name": "John Smith", "id_kind": "passport", "id_number": "E12345678"}],
        "from_city": "北京", "to_city": "上海", "departure_date": _day(settings, 3), "departure_time": "09:30",
        "trip": "return", "return_date": _day(settings, 5), "payment": "on_delivery",
        "delivery_address": "朝阳区建国路1号", "read_back_heard": True} | over


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


def _events(write, booking_id):
    from zongji.store.travel_models import FlightBookingEvent

    with write() as s:
        return [(e.action, e.status, e.reason, e.by) for e in s.scalars(
            select(FlightBookingEvent).where(FlightBookingEvent.booking_id == booking_id).order_by(FlightBookingEvent.id))]


def test_flight_read_back_before_save_change_and_cancel(as_role, settings, write, runtime):
    op, sup = as_role("operator", display_name="王小红"), as_role("supervisor", display_name="赵主管")
    body = _flight(settings, flight_number="ca1501")
    # The read-back first: the ID numbers by their last four characters only.
    rb = op.post("/api/travel/flights/read-back", json=body)
    assert rb.status_code == 200, rb.text
    assert "从北京飞往上海" in rb.json()["zh"] and "CA1501" in rb.json()["zh"] and "身份证尾号002X" in rb.json()["zh"]
    assert GOOD_ID not in rb.json()["zh"] + rb.json()["en"] and rb.json()["en"].endswith("Is that right?")
    bad = op.post("/api/travel/flights/read-back", json=body | {"to_city": "北京"})
    assert bad.status_code == 422 and bad.json()["field"] == "to_city"
    unheard = op.post("/api/travel/flights", json=body | {"read_back_heard": False})
    assert unheard.status_code == 422 and unheard.json()["field"] == "read_back_heard"
    b = op.post("/api/travel/flights", json=body).json()
    assert b["number"].startswith("FB") and b["actions"] == ["change", "cancel"]
    assert b["events"][0]["action"] == "created" and b["events"][0]["by"] == "王小红"

    # A change: its own read-back, then saved with the reason; a masked number sent back by the
    # supervisor keeps the stored one.
    url = f"/api/travel/flights/{b['id']}"
    seen = sup.get(url).json()
    assert seen["passengers"][0]["id_number"] == MASKED
    changed = {k: seen[k] for k in ("customer", "mobile", "from_city", "to_city", "departure_date", "departure_time",
                                   "trip", "return_date", "return_time", "payment", "delivery_address")}
    changed |= {"passengers": [{k: p[k] for k in ("name", "id_kind", "id_number")} for p in seen["passengers"]],
                "departure_date": _day(settings, 4), "return_date": _day(settings, 6), "flight_number": "MU5101"}
    rb = sup.post(f"{url}/read-back", json=changed)
    assert rb.status_code == 200, rb.text
    assert f"修改后的机票预订{b['number']}" in rb.json()["zh"] and "MU5101" in rb.json()["zh"]
    rb = sup.post(f"{url}/read-back", json=changed | {"reason": "会议提前"})  # the reason said back too
    assert "原因：会议提前" in rb.json()["zh"] and "reason: 会议提前" in rb.json()["en"], rb.text
    assert sup.put(url, json=changed | {"read_back_heard": True}).json()["field"] == "reason"
    assert sup.put(url, json=changed | {"reason": "会议提前"}).json()["field"] == "read_back_heard"
    r = sup.put(url, json=changed | {"reason": "会议提前", "read_back_heard": True})
    assert r.status_code == 200, r.text
    assert r.json()["departure_date"] == _day(settings, 4) and r.json()["flight_number"] == "MU5101"
    assert op.get(url).json()["passengers"][0]["id_number"] == GOOD_ID  # kept, not the mask
    # A new ID number that fails its check digit is refused on that passenger's field.
    wrong = changed | {"passengers": [{"name": "张三", "id_kind": "resident_id", "id_number": "110105194912310021"}]}
    r = op.put(url, json=wrong | {"reason": "换人", "read_back_heard": True})
    assert r.status_code == 422 and r.json()["field"] == "passengers.0.id_number", r.text

    # A cancellation: read back (with the reason), then saved.
    rb = op.get(f"{url}/cancel-read-back", params={"reason": "行程取消"})
    assert rb.status_code == 200 and rb.json()["zh"].endswith("确认取消吗？") and "行程取消" in rb.json()["zh"]
    assert op.post(f"{url}/cancel", json={"reason": "行程取消"}).json()["field"] == "read_back_heard"
    r = op.post(f"{url}/cancel", json={"reason": "行程取消", "read_back_heard": True})
    assert r.status_code == 200, r.text
    assert r.json()["status"] == "cancelled" and r.json()["actions"] == []
    again = op.post(f"{url}/cancel", json={"reason": "x", "read_back_heard": True})
    assert again.status_code == 409 and again.json()["field"] == "status"
    assert op.put(url, json=changed | {"reason": "x", "read_back_heard": True}).status_code == 409
    assert _events(write, b["id"]) == [("created", "booked", None, "王小红"), ("changed", "booked", "会议提前", "赵主管"),
                                       ("cancelled", "cancelled", "行程取消", "王小红")]
    with write() as s:
        audited = s.scalars(select(AuditEntry.action).where(
            AuditEntry.entity == "flight_booking", AuditEntry.entity_id == str(b["id"]),
            AuditEntry.action.in_(("create", "change", "cancel"))).order_by(AuditEntry.id)).all()
        assert audited == ["create", "change", "cancel"]
        # The ID numbers' erasure moved with the changed (earlier) flight.
        due = s.scalar(select(Job.due_at).where(Job.key == f"travel:erase:{b['id']}"))
    erase_day = dt.date.fromisoformat(_day(settings, 6)) + dt.timedelta(days=settings.flight_id_retention_days + 1)
    assert due == dt.datetime.combine(erase_day, dt.time(0), tzinfo=settings.tz)
    assert op.get("/api/travel/bookings", params={"kind": "flight", "status": "cancelled"}).json()[0]["id"] == b["id"]
    assert op.get("/api/travel/bookings", params={"status": "booked", "q": "13800000009"}).json() == []


def test_flight_change_refused_for_unknown_booking(as_role, settings):
    op = as_role("operator")
    r = op.post("/api/travel/flights/999999/cancel", json={"reason": "x", "read_back_heard": True})
    assert r.status_code == 404
    assert op.get("/api/travel/flights/999999/cancel-read-back").status_code == 404


def test_meeting_and_flight_pages_for_console_roles(as_role):
    op, unit = as_role("operator"), as_role("unit_handler")
    for path, marker, script in [("/travel/meetings", 'id="tml-page"', "travel_meetings.js"),
                                 ("/travel/meetings/new?call_id=5", 'data-call-id="5"', "travel_meeting.js"),
                                 ("/travel/meetings/7", 'data-booking-id="7"', "travel_meeting.js"),
                                 ("/travel/flights/new", 'id="tf-form"', "travel_flight.js"),
                                 ("/travel/flights/7", 'data-booking-id="7"', "travel_flight.js")]:
        page = op.get(path)
        assert page.status_code == 200 and marker in page.text and script in page.text, path
        assert marker not in unit.get(path).text
    assert op.get("/travel/meetings/0").status_code == 422


def test_meetings_and_flights_in_the_list_of_every_booking(as_role, settings):
    op = as_role("operator")
    f = op.post("/api/travel/flights", json=_flight(settings, customer="钱七", mobile="13600000007")).json()
    m = op.post("/api/travel/meetings", json={
        "hotel_name": "钱塘宾馆", "kind": "banquet", "start_date": _day(settings, 6), "end_date": _day(settings, 6),
        "attendees": 80, "rooms": 5, "contact": "钱七", "mobile": "13600000007"}).json()
    items = op.get("/api/bookings", params={"q": "钱七"}).json()["items"]
    got = {(r["kind"], r["url"], r["state"], r["mobile_masked"]) for r in items}
    assert got == {("meeting", f"/travel/meetings/{m['id']}", "requested", "136****0007"),
                   ("flight", f"/travel/flights/{f['id']}", "booked", "136****0007")}, items
    assert [r["kind"] for r in op.get("/api/bookings", params={"q": "钱七", "kind": "flight"}).json()["items"]] == ["flight"]
    assert op.get("/api/bookings", params={"q": "钱七", "state": "cancelled"}).json()["items"] == []
    # The states of meetings and flights filter too; a state or kind nobody has is refused by name.
    assert [r["kind"] for r in op.get("/api/bookings", params={"q": "钱七", "state": "requested"}).json()["items"]] == ["meeting"]
    assert [r["kind"] for r in op.get("/api/bookings", params={"q": "钱七", "state": "booked"}).json()["items"]] == ["flight"]
    for field, value in (("state", "lost"), ("kind", "train")):
        r = op.get("/api/bookings", params={field: value})
        assert r.status_code == 422 and field in r.text, r.text
    assert GOOD_ID not in str(items)
