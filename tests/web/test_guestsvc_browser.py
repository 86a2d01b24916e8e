"""From a guest's call to a request done on the attendant's page and a follow-up recorded (issue 13,
R-G1), in headless Chromium against the demo: the guest in 1299 calls from the room; the operator
presses Alt+O on the console, picks the item, Enter; the floor's attendant on duty (张兰, floors
11–17 in the demo's roster) sees it on the phone-sized page, accepts it and marks it done; the
centre (housekeeping) sees it among the follow-up calls and records the guest's answer."""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, log_in, logged_in, new_context

pytestmark = pytest.mark.browser


def test_a_guest_call_becomes_a_request_done_and_followed_up(demo_server, browser, backend, write, session_factory):
    from playwright.sync_api import expect

    from zongji.demo.data import DEMO_CTI_TOKEN, HOTEL_LINE_NUMBER
    from zongji.store.guestsvc_models import GsRequest
    from zongji.store.models import Guest, Organisation, Room, Stay, utcnow

    now = utcnow()
    with write() as s:
        org = s.query(Organisation).filter(Organisation.kind == "hotel").first()
        room = Room(organisation_id=org.id, number="1299", floor=12, extension="81299")
        s.add(room)
        s.flush()
        g = Guest(organisation_id=org.id, name="服务客人甲")
        s.add(g)
        s.flush()
        s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                   departure=now + dt.timedelta(days=2), status="in_house"))
    base = demo_server
    ARTIFACTS.mkdir(exist_ok=True)

    # The console: the guest calls from the room; Alt+O, the first item (加毛巾), a note, Enter.
    _, page, errors = logged_in(browser, base, "operator", "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", timeout=10,
                   data={"event": "newCall", "from": "81299", "to": HOTEL_LINE_NUMBER, "direction": "in",
                         "callId": f"gs-{backend}-{time.time_ns()}"})
    assert r.status_code == 200, r.text
    row = page.locator(".call-row", has_text="服务客人甲")
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("#card-meta [data-room]")).to_contain_text("1299")
    page.keyboard.press("Alt+KeyO")
    expect(page.locator("#cg-modal")).to_be_visible()
    expect(page.locator("#cg-room")).to_contain_text("1299")
    page.locator("#cg-item").select_option(label="加毛巾")
    page.locator("#cg-qty").fill("2")
    page.locator("#cg-note").fill("要浴巾")
    page.locator("#cg-note").press("Enter")
    expect(page.locator(".toast.ok", has_text="加毛巾")).to_be_visible()
    expect(page.locator("#cg-modal")).to_be_hidden()
    page.screenshot(path=str(ARTIFACTS / f"guestsvc-{backend}-01-console.png"))
    with session_factory() as s:
        req = s.query(GsRequest).filter(GsRequest.room_id == room.id).one()
        assert (req.quantity, req.note, req.state) == (2, "要浴巾", "open")

    # The attendant's phone: the card for 1299, accept, done.
    phone = new_context(browser, height=800)
    log_in(phone, base, "attendant2")
    p2 = phone.new_page()
    p2.set_viewport_size({"width": 390, "height": 800})
    p2.goto(base + "/guestsvc/attendant")
    card = p2.locator(".gs-card", has_text="1299")
    expect(card).to_be_visible()
    expect(card).to_contain_text("加毛巾")
    card.get_by_role("button", name="接单").click()
    expect(card).to_contain_text("已接单")
    p2.screenshot(path=str(ARTIFACTS / f"guestsvc-{backend}-02-attendant.png"))
    card.get_by_role("button", name="完成").click()
    expect(card).to_be_hidden()

    # The centre: the follow-up call, the guest is satisfied.
    _, p3, errors3 = logged_in(browser, base, "housekeeping", "/guestsvc")
    item = p3.locator("#gs-follow li", has_text="1299")
    expect(item).to_be_visible()
    item.locator(".gs-fu-note").fill("很及时")
    expect(item.locator(".gs-fu-note")).to_have_value("很及时")
    item.locator("button[data-result=satisfied]").click()
    expect(p3.locator(".toast.ok", has_text="回访已记录")).to_be_visible()
    expect(item).to_be_hidden()
    p3.screenshot(path=str(ARTIFACTS / f"guestsvc-{backend}-03-centre.png"), full_page=True)
    with session_factory() as s:
        req = s.get(GsRequest, req.id)
        assert (req.state, req.done_by, req.follow_up_result, req.follow_up_note) == (
            "done", "user:attendant2", "satisfied", "很及时")
    assert errors == [] and errors3 == []
