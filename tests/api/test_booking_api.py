"""Issue 17 end to end through the API, on both databases: a hotel booking from a call, read
back, refused by the hotel with other hotels proposed, moved to one of them and confirmed; the
customer's SMS through the gateway contract, sent once; the day-before care message with the
city's forecast sent once by the job, across a restart of the worker."""

from __future__ import annotations

import datetime as dt

import pytest
from sqlalchemy import select

from zongji.demo.sms_gateway_double import SmsGatewayDouble
from zongji.services.bookings import hotels
from zongji.store.booking_models import BookingMessage
from zongji.store.models import Call, Job, utcnow
from zongji.worker.runner import Worker
from zongji.worker.tasks import load_all


@pytest.fixture(autouse=True)
def _only_the_tests_worker(settings):
    """The jobs run by the test's own workers (at the clock it sets), not the app's thread."""
    settings.run_worker_in_server = False


@pytest.fixture
def gateway(settings):
    g = SmsGatewayDouble(token="t").start()
    settings.sms_gateway_url, settings.sms_gateway_token = g.url, "t"
    settings.booking_sms_retry_seconds = 0
    yield g
    g.stop()


@pytest.fixture
def world(write):
    with write() as s:
        a = hotels.save(s, actor="t", name="西湖国宾馆", city="杭州", address="杨公堤18号", phone="057187979889",
                        price_low_fen=60000, price_high_fen=120000)
        b = hotels.save(s, actor="t", name="杭州香格里拉饭店", city="杭州", phone="057187977951",
                        price_low_fen=80000, price_high_fen=150000)
        c = hotels.save(s, actor="t", name="如家快捷酒店", city="杭州", phone="057100000000",
                        price_low_fen=15000, price_high_fen=25000)
        d = hotels.save(s, actor="t", name="北京饭店", city="北京", phone="01065137766",
                        price_low_fen=70000, price_high_fen=130000)
        call = Call(external_id="bk-1", direction="in", calling_number="13900001111", called_number="4000000000",
                    state="answered", ringing_at=utcnow(), caller_kind="customer", caller_label="张伟")
        s.add(call)
        s.flush()
        return {"a": a.id, "b": b.id, "c": c.id, "d": d.id, "call": call.id}


def _body(hotel_id, check_in, **kw):
    body = {"hotel_id": hotel_id, "customer_name": "张伟", "mobile": "139 0000 1111",
            "check_in": check_in.isoformat(), "check_out": (check_in + dt.timedelta(days=2)).isoformat(),
            "rooms": [{"room_type": "湖景大床房", "count": 1, "nightly_fen": 88000}],
            "guest_names": ["张伟"], "breakfast": "double", "special_requests": "无烟房"}
    return body | kw


def _run(runtime, at):
    return Worker(runtime, handlers=load_all(), clock=lambda: at).run_once()


def test_booking_from_a_call_to_the_care_message(as_role, world, gateway, runtime, session_factory, settings):
    op = as_role("operator", operator_number="1001")
    leader = as_role("shift_leader")
    today = utcnow().astimezone(settings.tz).date()
    check_in = today + dt.timedelta(days=3)

    # The hotel found by pinyin initials and city; the caller carried over from the call.
    found = op.get("/api/bookings/hotels", params={"q": "xhgb"}).json()
    assert [h["id"] for h in found] == [world["a"]]
    assert [h["name"] for h in op.get("/api/bookings/hotels", params={"city": "北京"}).json()] == ["北京饭店"]
    caller = op.get(f"/api/bookings/from-call/{world['call']}").json()
    assert caller["mobile"] == "13900001111" and caller["caller_name"] == "张伟"

    # Bad input is refused naming the field; the read-back before saving; not saved unheard.
    bad = op.post("/api/bookings/hotel/preview", json=_body(world["a"], check_in, check_out=check_in.isoformat()))
    assert bad.status_code == 422 and "check_out" in bad.text
    past = op.post("/api/bookings/hotel/preview", json=_body(world["a"], today - dt.timedelta(days=1)))
    assert past.status_code == 422 and "check_in" in past.text
    rb = op.post("/api/bookings/hotel/preview", json=_body(world["a"], check_in)).json()["read_back"]
    assert "杭州西湖国宾馆" in rb["zh"] and "共2晚" in rb["zh"] and "请于18:00前到店" in rb["zh"]
    assert "Is that right?" in rb["en"]
    unheard = op.post("/api/bookings/hotel", json=_body(world["a"], check_in, call_id=world["call"]))
    assert unheard.status_code == 422 and "read_back_heard" in unheard.text
    r = op.post("/api/bookings/hotel", json=_body(world["a"], check_in, call_id=world["call"], read_back_heard=True))
    assert r.status_code == 201, r.text
    booking = r.json()
    bid = booking["id"]
    assert booking["state"] == "awaiting" and booking["caller_number"] == "13900001111"
    assert booking["total_fen"] == 176000 and booking["number"].startswith("HB")

    # Click-to-call the hotel through the PBX; the hotel refuses: hotels proposed.
    d = op.post(f"/api/bookings/{bid}/dial", json={})
    assert d.status_code == 200 and d.json()["number"] == "057187979889"
    _run(runtime, utcnow())
    dial = runtime.pbx().commands_of("dial")
    assert [(c.args["extension"], c.args["number"]) for c in dial] == [("1001", "057187979889")]
    no_reason = op.post(f"/api/bookings/{bid}/answer", json={"result": "refused"})
    assert no_reason.status_code == 422 and "reason" in no_reason.text
    refused = op.post(f"/api/bookings/{bid}/answer", json={"result": "refused", "reason": "满房"}).json()
    assert refused["state"] == "refused" and "非常抱歉" in refused["apology"]["zh"]
    assert [h["id"] for h in refused["alternatives"]] == [world["b"]]  # same city, overlapping price

    # Moved to the proposed hotel with the same read-back, and confirmed.
    change = _body(world["b"], check_in, read_back_heard=True)
    rb2 = op.post(f"/api/bookings/{bid}/preview", json=change).json()["read_back"]
    assert "杭州香格里拉饭店" in rb2["zh"] and booking["number"] in rb2["zh"]
    assert op.put(f"/api/bookings/{bid}", json=change).json()["state"] == "awaiting"
    no_number = op.post(f"/api/bookings/{bid}/answer", json={"result": "confirmed"})
    assert no_number.status_code == 422 and "confirmation_number" in no_number.text
    ok = op.post(f"/api/bookings/{bid}/answer", json={"result": "confirmed", "confirmation_number": "SL-778"})
    assert ok.status_code == 200 and ok.json()["booking"]["state"] == "confirmed"
    again = op.post(f"/api/bookings/{bid}/answer", json={"result": "confirmed", "confirmation_number": "SL-779"})
    assert again.status_code == 409

    # Membership and confirmation SMS sent once, through the gateway contract.
    now = utcnow()
    _run(runtime, now)
    _run(runtime, now)
    texts = [m["text"] for m in gateway.messages]
    assert len(texts) == 2 and all(m["to"] == "13900001111" for m in gateway.messages)
    assert "会员" in texts[0]
    assert "杭州香格里拉饭店" in texts[1] and "共2晚" in texts[1] and "湖景大床房每晚880元" in texts[1]
    assert "到店请报张伟的名字" in texts[1] and "请于18:00前到店" in texts[1] and "SL-778" in texts[1]

    # The forecast entered by hand for the city; the care message due the day before, sent once.
    for i, (summary, low, high) in enumerate((("晴", 3, 12), ("多云", 5, 14), ("小雨", 6, 11))):
        r = leader.put(f"/api/bookings/weather/杭州/{(check_in + dt.timedelta(days=i)).isoformat()}",
                       json={"summary": summary, "temp_low": low, "temp_high": high})
        assert r.status_code == 200, r.text
    assert op.put("/api/bookings/weather/杭州/" + check_in.isoformat(), json={"summary": "晴"}).status_code == 403
    view = op.get(f"/api/bookings/{bid}").json()
    care = [m for m in view["messages"] if m["kind"] == "travel_care"]
    assert len(care) == 1 and care[0]["state"] == "scheduled"
    due = dt.datetime.fromisoformat(care[0]["due_at"])
    assert due.astimezone(settings.tz).date() == check_in - dt.timedelta(days=1)
    _run(runtime, due - dt.timedelta(minutes=1))
    assert len(gateway.messages) == 2  # not yet
    _run(runtime, due)
    _run(runtime, due + dt.timedelta(minutes=5))  # a restarted worker: nothing twice
    assert len(gateway.messages) == 3
    care_text = gateway.messages[2]["text"]
    assert "出行关怀" in care_text and "晴 3～12°C" in care_text and "小雨 6～11°C" in care_text
    view = op.get(f"/api/bookings/{bid}").json()
    assert {m["kind"]: m["state"] for m in view["messages"]} == {
        "membership_created": "sent", "booking_confirmed": "sent", "travel_care": "sent"}
    with session_factory() as s:
        assert s.scalar(select(Job.state).where(Job.key.like("booking-sms:%")).where(Job.state != "done")) is None
        assert len(s.scalars(select(BookingMessage)).all()) == 3

    # The list, the day's arrivals and the figures.
    listed = op.get("/api/bookings", params={"q": "张伟"}).json()["items"]
    assert [(r["kind"], r["mobile_masked"]) for r in listed] == [("hotel", "139****1111")]
    assert op.get("/api/bookings", params={"q": "1111"}).json()["total"] == 1
    assert op.get("/api/bookings", params={"q": "香格里拉"}).json()["total"] == 1
    assert op.get("/api/bookings", params={"q": booking["number"]}).json()["total"] == 1
    assert op.get("/api/bookings", params={"date_from": check_in.isoformat(), "date_to": today.isoformat()}).status_code == 422
    arr = op.get("/api/bookings/arrivals", params={"day": check_in.isoformat()}).json()["items"]
    assert [a["id"] for a in arr] == [bid]
    fig = leader.get("/api/bookings/figures").json()
    assert fig["confirmed"] == 1 and fig["refused"] == 1 and fig["confirmation_rate"] == 0.5
    assert fig["refusals_by_hotel"] == [{"hotel": "西湖国宾馆", "refusals": 1}]
    assert fig["per_operator_day"][0]["bookings"] == 1
    assert op.get("/api/bookings/figures").status_code == 403

    # Cancelled with its read-back.
    assert "确认取消吗" in op.get(f"/api/bookings/{bid}/cancel-read-back").json()["zh"]
    c = op.post(f"/api/bookings/{bid}/cancel", json={"reason": "行程取消", "read_back_heard": True})
    assert c.status_code == 200 and c.json()["state"] == "cancelled"
    assert op.post(f"/api/bookings/{bid}/cancel", json={"read_back_heard": True}).status_code == 409


def test_templates_are_edited_by_admins_and_used(as_role, world, gateway, runtime, settings):
    admin = as_role("admin")
    op = as_role("operator")
    assert op.get("/api/bookings/templates").status_code == 403
    bad = admin.put("/api/bookings/templates/membership_created", json={"body": "{name}{hotel}"})
    assert bad.status_code == 422 and "body" in bad.text
    r = admin.put("/api/bookings/templates/membership_created", json={"body": "欢迎{name}入会"})
    assert r.status_code == 200 and [t for t in r.json() if t["kind"] == "membership_created"][0]["custom"]
    check_in = utcnow().astimezone(settings.tz).date() + dt.timedelta(days=1)
    r = op.post("/api/bookings/hotel", json=_body(world["d"], check_in, read_back_heard=True))
    assert r.status_code == 201, r.text
    _run(runtime, utcnow())
    assert [m["text"] for m in gateway.messages] == ["欢迎张伟入会"]
    # A second booking by the same mobile: no second membership message.
    op.post("/api/bookings/hotel", json=_body(world["d"], check_in, read_back_heard=True))
    _run(runtime, utcnow())
    assert len(gateway.messages) == 1
    back = admin.put("/api/bookings/templates/membership_created", json={"body": None}).json()
    assert not [t for t in back if t["kind"] == "membership_created"][0]["custom"]


def test_a_refused_sms_is_retried_and_recorded(as_role, world, gateway, runtime, settings, session_factory):
    op = as_role("operator")
    gateway.fail_next(1)
    check_in = utcnow().astimezone(settings.tz).date() + dt.timedelta(days=2)
    op.post("/api/bookings/hotel", json=_body(world["a"], check_in, read_back_heard=True))
    now = utcnow()
    _run(runtime, now)
    with session_factory() as s:
        m = s.scalar(select(BookingMessage))
        assert m.state == "scheduled" and m.attempts == 1 and "503" in m.error
    _run(runtime, now + dt.timedelta(seconds=1))
    with session_factory() as s:
        m = s.scalar(select(BookingMessage))
        assert m.state == "sent" and m.attempts == 2 and m.error is None
    assert len(gateway.messages) == 1


def test_the_booking_pages_render_for_their_roles(as_role, world):
    op = as_role("operator")
    for url in ("/bookings", "/bookings/new", f"/bookings/new?call_id={world['call']}", "/bookings/1"):
        r = op.get(url)
        assert r.status_code == 200 and "booking" in r.text, url
    assert "bkw-form" not in op.get("/bookings/settings").text  # shift leaders and above
    leader = as_role("shift_leader")
    page = leader.get("/bookings/settings").text
    assert "bkw-form" in page and "bkt-list" not in page
    assert "bkt-list" in as_role("admin").get("/bookings/settings").text


def test_the_demo_has_hotels_in_several_cities_and_bookings_in_every_state(write, make_user, settings, session_factory):
    from zongji.demo import bookings as demo
    from zongji.store.booking_models import Booking, Hotel

    make_user("operator", username="operator", operator_number="1001")
    with write() as s:
        demo.load(s, settings, now=utcnow())
        demo.load(s, settings, now=utcnow())  # once
    with session_factory() as s:
        hotels_ = s.scalars(select(Hotel)).all()
        assert len(hotels_) >= 20 and len({h.city for h in hotels_}) >= 3
        assert {b.state for b in s.scalars(select(Booking))} == {"awaiting", "confirmed", "refused", "cancelled"}


class _HttpForecast:
    """A forecast provider answering the http contract of docs/weather.md on a loopback port."""

    def __init__(self):
        import json
        import threading
        from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
        from urllib.parse import parse_qs, urlparse

        self.asked = []
        outer = self

        class Handler(BaseHTTPRequestHandler):
            def log_message(self, *a):
                pass

            def do_GET(self):  # noqa: N802
                q = {k: v[0] for k, v in parse_qs(urlparse(self.path).query).items()}
                outer.asked.append((q, self.headers.get("Authorization")))
                first = dt.date.fromisoformat(q["from"])
                days = [{"day": (first + dt.timedelta(days=i)).isoformat(), "summary": f"晴{i}", "temp_low": i,
                         "temp_high": 10 + i} for i in range(int(q["days"]))]
                data = json.dumps({"days": days}).encode()
                self.send_response(200)
                self.send_header("Content-Type", "application/json")
                self.send_header("Content-Length", str(len(data)))
                self.end_headers()
                self.wfile.write(data)

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_address[1]}/forecast"
        threading.Thread(target=self.server.serve_forever, daemon=True).start()


def test_the_http_forecast_provider_fills_the_days_not_entered_by_hand(as_role, settings):
    provider = _HttpForecast()
    try:
        settings.booking_weather_provider, settings.booking_weather_url = "http", provider.url
        settings.booking_weather_token = "w-token"
        leader = as_role("shift_leader")
        today = utcnow().astimezone(settings.tz).date()
        day = today + dt.timedelta(days=1)
        assert leader.put(f"/api/bookings/weather/成都/{day.isoformat()}", json={"summary": "手工"}).status_code == 200
        days = leader.get("/api/bookings/weather/成都", params={"day": day.isoformat()}).json()
        assert [(d["summary"], d["source"]) for d in days] == [("手工", "manual"), ("晴1", "http"), ("晴2", "http")]
        q, auth = provider.asked[0]
        assert (q["city"], q["from"], q["days"], auth) == ("成都", day.isoformat(), "3", "Bearer w-token")
        leader.get("/api/bookings/weather/成都", params={"day": day.isoformat()})
        assert len(provider.asked) == 1  # kept: not asked again
    finally:
        provider.server.shutdown()


def test_a_pbx_without_click_to_call_leaves_the_number_to_dial_by_hand(as_role, world, runtime, settings, session_factory):
    from zongji.store.booking_models import BookingEvent
    from zongji.store.models import AuditEntry

    op = as_role("operator")
    check_in = utcnow().astimezone(settings.tz).date() + dt.timedelta(days=2)
    bid = op.post("/api/bookings/hotel", json=_body(world["a"], check_in, read_back_heard=True)).json()["id"]
    no_ext = op.post(f"/api/bookings/{bid}/dial", json={})
    assert no_ext.status_code == 422 and "extension" in no_ext.text  # no work number on this account
    assert op.post(f"/api/bookings/{bid}/dial", json={"extension": "8001"}).status_code == 200
    pbx = runtime.pbx()
    pbx.dial = None  # an adapter without the optional command
    _run(runtime, utcnow())
    with session_factory() as s:
        ev = s.scalar(select(BookingEvent).where(BookingEvent.action == "dialled"))
        assert ev.detail["result"] == "by_hand" and ev.detail["number"] == "057187979889"
    op.get(f"/api/bookings/{bid}")
    with session_factory() as s:  # the mobile is personal data: the booking's read is audited
        assert s.scalar(select(AuditEntry).where(AuditEntry.entity == "booking", AuditEntry.action == "read"))


def test_a_change_after_confirmation_cancels_the_care_message_and_confirming_again_schedules_it(
        as_role, world, settings, session_factory):
    op = as_role("operator")
    check_in = utcnow().astimezone(settings.tz).date() + dt.timedelta(days=4)
    bid = op.post("/api/bookings/hotel", json=_body(world["a"], check_in, read_back_heard=True)).json()["id"]
    op.post(f"/api/bookings/{bid}/answer", json={"result": "confirmed", "confirmation_number": "A1"})
    later = check_in + dt.timedelta(days=1)
    changed = op.put(f"/api/bookings/{bid}", json=_body(world["a"], later, read_back_heard=True)).json()
    assert changed["state"] == "awaiting" and changed["confirmation_number"] is None
    assert changed["events"][-1]["action"] == "changed" and "修改后的预订" in changed["events"][-1]["read_back"]
    op.post(f"/api/bookings/{bid}/answer", json={"result": "confirmed", "confirmation_number": "A2"})
    with session_factory() as s:
        rows = s.scalars(select(BookingMessage).where(BookingMessage.booking_id == bid)
                         .order_by(BookingMessage.id)).all()
        assert [(m.kind, m.state) for m in rows] == [
            ("booking_confirmed", "cancelled"), ("travel_care", "cancelled"),
            ("booking_confirmed", "scheduled"), ("travel_care", "scheduled")]
        assert rows[3].due_at.astimezone(settings.tz).date() == later - dt.timedelta(days=1)
