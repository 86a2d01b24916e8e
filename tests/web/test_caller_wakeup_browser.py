"""Alt+J (叫醒) on the console books a wake-up for the caller on the card, in place (R-H9), in headless
Chromium against a real server (SQLite and PostgreSQL).

A call rings from a room's extension; the operator presses Alt+J, types 0630, Enter: the read-back
(zh/en) shows; Enter: booked — in the database, and the console is still on the call (no page
change). A call from an in-house guest's mobile books for their room without the room number ever
on screen (R-H4); on an outside caller's call Alt+J only says where to book, and Alt+W says where guest requests go (no work order on a hotel line). Screenshots in
test-artifacts/.
"""

from __future__ import annotations

import datetime as dt
import time

import httpx
import pytest

from tests.web.browser_support import ARTIFACTS, logged_in

pytestmark = pytest.mark.browser


def _cti(base: str, **data: str) -> None:
    from zongji.demo.data import DEMO_CTI_TOKEN

    r = httpx.post(f"{base}/api/v1/cti/{DEMO_CTI_TOKEN}", data=data, timeout=10)
    assert r.status_code == 200, r.text


def _shot(page, name: str, backend: str) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    page.screenshot(path=str(ARTIFACTS / f"caller-wakeup-{backend}-{name}.png"))


def _local(w, tz) -> str:
    return w.wake_at.replace(tzinfo=w.wake_at.tzinfo or dt.UTC).astimezone(tz).strftime("%H:%M")


def test_alt_w_books_the_callers_wakeup_in_place(demo_server, browser, backend, write, settings, session_factory):
    from playwright.sync_api import expect

    from zongji.demo.data import HOTEL_LINE_NUMBER
    from zongji.store.models import Guest, Organisation, Room, Stay, utcnow
    from zongji.store.wakeup_models import Wakeup

    now = utcnow()
    with write() as s:
        org = s.query(Organisation).filter(Organisation.kind == "hotel").first()
        for number, name, mobile in (("1918", "叫醒客人甲", None), ("1919", "叫醒客人乙", "13955550019")):
            room = Room(organisation_id=org.id, number=number, floor=19, extension="8" + number)
            s.add(room)
            s.flush()
            g = Guest(organisation_id=org.id, name=name, mobile=mobile)
            s.add(g)
            s.flush()
            s.add(Stay(guest_id=g.id, room_id=room.id, arrival=now - dt.timedelta(days=1),
                       departure=now + dt.timedelta(days=2), status="in_house"))

    base = demo_server
    context, page, errors = logged_in(browser, base, "operator", "/")
    expect(page.locator("#live-status")).to_have_attribute("data-state", "connected")
    page.evaluate("window.__noReload = 'same page'")  # gone if the page reloads or navigates

    # The guest in 1918 calls from the room's extension.
    stamp = time.time_ns()
    room_call = f"cw-{backend}-{stamp}-room"
    _cti(base, event="newCall", **{"from": "81918"}, to=HOTEL_LINE_NUMBER, direction="in", callId=room_call)
    row = page.locator(".call-row", has_text="叫醒客人甲")
    expect(row).to_be_visible()
    row.click()
    expect(page.locator("#card-name")).to_have_text("叫醒客人甲")
    expect(page.locator("#card-meta [data-room]")).to_contain_text("1918")

    # Alt+J: the dialog over the console, for the caller's own room; 0630, Enter: the read-back.
    page.keyboard.press("Alt+KeyJ")
    dialog = page.locator("#cw-modal")
    expect(dialog).to_be_visible()
    expect(page.locator("#cw-room")).to_contain_text("1918")
    expect(page.locator("#cw-time")).to_be_focused()
    page.keyboard.type("0630")
    page.keyboard.press("Enter")
    expect(page.locator("#cw-readback")).to_be_visible()
    expect(page.locator("#cw-rb-zh")).to_contain_text("1918房间")
    expect(page.locator("#cw-rb-zh")).to_contain_text("6点半")
    expect(page.locator("#cw-rb-en")).to_contain_text("Room 1918")
    expect(page.locator("#cw-rb-extra")).to_have_text("问候语：中文 + 英文")
    _shot(page, "01-readback-own-room", backend)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    expect(page.locator(".toast.ok", has_text="06:30")).to_be_visible()
    with session_factory() as s:
        w = s.query(Wakeup).filter(Wakeup.room_number == "1918").one()
        assert (_local(w, settings.tz), w.booked_by, w.readback_confirmed, w.status, w.channel) == (
            "06:30", "user:operator", True, "due", "console")
    # Still on the call: same page, same call selected on the card.
    assert page.evaluate("window.__noReload") == "same page"
    expect(page).to_have_url(base + "/")
    expect(page.locator("#card-name")).to_have_text("叫醒客人甲")
    _shot(page, "02-booked-still-on-call", backend)

    # The guest of 1919 calls from their mobile: the room is found by the server and never shown.
    mobile_call = f"cw-{backend}-{stamp}-mobile"
    _cti(base, event="newCall", **{"from": "13955550019"}, to=HOTEL_LINE_NUMBER, direction="in",
         callId=mobile_call)
    row2 = page.locator(".call-row", has_text="叫醒客人乙")
    expect(row2).to_be_visible()
    row2.click()
    expect(page.locator("#card-name")).to_have_text("叫醒客人乙")
    page.keyboard.press("Alt+KeyJ")
    expect(dialog).to_be_visible()
    expect(page.locator("#cw-room")).to_have_text("来电客人本人的房间（房号不显示）")
    page.keyboard.type("0700")
    page.locator("#cw-repeat").check()
    page.locator("#cw-time").focus()
    page.keyboard.press("Enter")
    expect(page.locator("#cw-rb-zh")).to_contain_text("您的房间")
    expect(page.locator("#cw-rb-zh")).to_contain_text("每天同一时间")
    assert "1919" not in dialog.inner_text() and "1919" not in page.locator("#caller-card").inner_text()
    _shot(page, "03-readback-mobile-no-room", backend)
    page.keyboard.press("Enter")
    expect(dialog).to_be_hidden()
    with session_factory() as s:
        rows = s.query(Wakeup).filter(Wakeup.room_number == "1919").all()
        assert len(rows) >= 2 and {(_local(w, settings.tz), w.repeat_daily) for w in rows} == {("07:00", True)}

    # An outside caller: Alt+J opens no dialog and says where to book; Alt+W, the console's
    # "work order from this call", opens no city-hotline form on a hotel line: it says where guest
    # requests go (issue 8); the console does not go anywhere.
    outside_call = f"cw-{backend}-{stamp}-outside"
    _cti(base, event="newCall", **{"from": "02155557777"}, to=HOTEL_LINE_NUMBER, direction="in",
         callId=outside_call)
    row3 = page.locator(".call-row", has_text="02155557777")
    expect(row3).to_be_visible()
    row3.click()
    page.keyboard.press("Alt+KeyJ")
    expect(page.locator(".toast", has_text="不是在住客人")).to_be_visible()
    expect(dialog).to_be_hidden()
    pages_before = len(context.pages)
    page.keyboard.press("Alt+KeyW")
    expect(page.locator(".toast", has_text="酒店总机的来电不建热线工单")).to_be_visible()
    expect(page.locator(".toast", has_text="客房服务中心")).to_be_visible()
    assert len(context.pages) == pages_before
    expect(dialog).to_be_hidden()
    assert page.evaluate("window.__noReload") == "same page"
    expect(page).to_have_url(base + "/")
    assert errors == []
