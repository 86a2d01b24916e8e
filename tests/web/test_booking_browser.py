"""Issue 17, the one browser test of the booking hotline: a call rings, the operator presses F7
on the console and books a hotel in the new tab with the caller's mobile carried over — hotel
found by pinyin initials, the read-back before saving —, calls the hotel, records its
confirmation, and sees the customer's SMS sent (through the gateway double, by the server's own
worker). Headless Chromium against a real server (SQLite)."""

from __future__ import annotations

import datetime as dt
import re
import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in
from zongji.demo.sms_gateway_double import SmsGatewayDouble

pytestmark = pytest.mark.browser


@pytest.fixture
def gateway(settings):
    g = SmsGatewayDouble().start()
    settings.sms_gateway_url = g.url
    yield g
    g.stop()


def test_operator_books_a_hotel_from_a_call(gateway, demo_server, browser, backend, settings, session_factory):
    from playwright.sync_api import expect

    from zongji.demo.data import DEMO_CTI_TOKEN, HOTEL_LINE_NUMBER
    from zongji.store.booking_models import Booking
    from zongji.store.models import utcnow

    base = demo_server
    context, page, errors = logged_in(browser, base, "operator", "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", timeout=10, data={
        "event": "newCall", "from": "13911112222", "to": HOTEL_LINE_NUMBER, "direction": "in",
        "callId": f"bk-{backend}-{time.time_ns()}"})
    assert r.status_code == 200, r.text
    row = page.locator(".call-row", has_text="2222").first
    expect(row).to_be_visible()
    row.click()

    # F7: the new booking in a new tab, the caller's mobile carried over.
    with context.expect_page() as opened:
        page.keyboard.press("F7")
    bk = opened.value
    bk.on("pageerror", lambda exc: errors.append(str(exc)))
    bk.wait_for_load_state("load")
    assert "/bookings/new?call_id=" in bk.url
    expect(bk.locator("#bk-caller")).to_contain_text("13911112222")
    expect(bk.locator("[name=mobile]")).to_have_value("13911112222")

    check_in = utcnow().astimezone(settings.tz).date() + dt.timedelta(days=2)
    bk.locator("#bk-hotel-q").fill("xhgb")
    expect(bk.locator("#bk-hotel-info")).to_contain_text("杨公堤")  # the one found, chosen
    bk.locator("[name=customer_name]").fill("赵敏")
    bk.locator("[name=check_in]").fill(check_in.isoformat())
    bk.locator("[name=check_out]").fill((check_in + dt.timedelta(days=1)).isoformat())
    bk.locator("[name='rooms.0.room_type']").fill("湖景大床房")
    bk.locator("[name='rooms.0.nightly_fen']").fill("1280")
    expect(bk.locator("#bk-save")).to_be_disabled()
    bk.locator("#bk-preview").click()
    expect(bk.locator("#bk-prev-zh")).to_contain_text("杭州西湖国宾馆")
    expect(bk.locator("#bk-prev-zh")).to_contain_text("共1晚")
    expect(bk.locator("#bk-prev-en")).to_contain_text("Is that right?")
    ARTIFACTS.mkdir(exist_ok=True)
    bk.screenshot(path=str(ARTIFACTS / f"booking-{backend}-01-readback.png"))
    bk.locator("#bk-save").click()
    expect(bk).to_have_url(re.compile(r"/bookings/\d+$"))
    expect(bk.locator("#bk-state")).to_have_text("待酒店确认")

    # The hotel called through the PBX; its confirmation recorded; the SMS shown sent.
    bk.locator("#bk-dial").click()
    expect(bk.locator("#bk-dial-number")).to_contain_text("0571-87979889")
    bk.locator("#bk-answer [name=confirmation_number]").fill("XH-5566")
    bk.locator("#bk-answer button[type=submit]").click()
    expect(bk.locator("#bk-state")).to_have_text("已确认")
    sent = bk.locator("#bk-messages tbody tr", has_text="预订确认")
    expect(sent).to_contain_text("已发送", timeout=15000)
    expect(sent).to_contain_text("XH-5566")
    bk.screenshot(path=str(ARTIFACTS / f"booking-{backend}-02-confirmed.png"))
    assert any("XH-5566" in m["text"] and m["to"] == "13911112222" for m in gateway.messages)
    with session_factory() as s:
        b = s.query(Booking).filter(Booking.customer_name == "赵敏").one()
        assert b.state == "confirmed" and b.call_id is not None and b.caller_number == "13911112222"
    # Shift+F7 and Ctrl+F7 on the console: a meeting and a flight booking from the same call.
    for keys, path, caller in (("Shift+F7", "/travel/meetings/new", "#tm-caller"),
                               ("Control+F7", "/travel/flights/new", "#tf-caller")):
        page.bring_to_front()
        with context.expect_page() as opened:
            page.keyboard.press(keys)
        other = opened.value
        other.on("pageerror", lambda exc: errors.append(str(exc)))
        other.wait_for_load_state("load")
        assert f"{path}?call_id=" in other.url, (keys, other.url)
        expect(other.locator(caller)).to_contain_text("13911112222")
        expect(other.locator("[name=mobile]")).to_have_value("13911112222")
        other.close()

    # The list of every booking: choosing a kind offers that kind's states only.
    page.bring_to_front()
    page.goto(f"{base}/bookings")
    expect(page.locator("#bks-table tbody tr", has_text="赵敏")).to_have_count(1)
    page.locator("#bks-filter [name=state]").select_option("awaiting")
    page.locator("#bks-filter [name=kind]").select_option("meeting")
    expect(page.locator("#bks-filter [name=state]")).to_have_value("")  # a hotel state, cleared
    expect(page.locator("#bks-filter optgroup[data-kind=hotel]")).to_be_disabled()
    page.locator("#bks-filter [name=state]").select_option("requested")
    page.locator("#bks-filter button[type=submit]").click()
    expect(page.locator("#bks-table tbody tr", has_text="赵敏")).to_have_count(0)
    assert not errors, errors
